"""docker-compose.yml, deploy/Dockerfile and deploy/k8s agree with the code they deploy.

Docker and Kubernetes are not available here, so these tests read the files and hold them to
the code: ports from each ServiceDefinition, environment names from the settings classes,
topics from shared.events.topics, the topic layout from shared.asyncapi.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from shared.asyncapi import (
    DLQ_RETENTION_MS,
    EVENTS_RETENTION_MS,
    MIN_INSYNC_REPLICAS,
    TOPIC_PARTITIONS,
    TOPIC_REPLICAS,
)
from shared.events import TOPICS, dead_letter_topic
from shared.settings import SuiteSettings
from suite.catalog import SERVICE_NAMES, definition
from tests.deploy.contract import DEPLOY, ROOT, load_yaml, load_yaml_documents

COMPOSE: dict[str, Any] = load_yaml(ROOT / "docker-compose.yml")
K8S = DEPLOY / "k8s"
DOCKERFILE = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
SECRET_VALUES = {"AUTH_JWT_SECRET": "s" * 40, "AUTH_REPORT_TOKEN_SECRET": "r" * 40,
                 "POSTGRES_PASSWORD": "pw"}
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?[-?]([^}]*))?\}")


def env_names(settings_class: type[BaseSettings]) -> set[str]:
    """The environment variables a settings class reads (prefix or alias, upper case)."""
    prefix = str(settings_class.model_config.get("env_prefix", ""))
    names = set()
    for field_name, field in settings_class.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names |= {str(choice).upper() for choice in alias.choices}
        elif isinstance(alias, str):
            names.add(alias.upper())
        else:
            names.add(f"{prefix}{field_name}".upper())
    return names


def known_env(*services: str) -> set[str]:
    return env_names(SuiteSettings).union(
        *(env_names(definition(s).settings_class) for s in services))


def interpolate(value: Any) -> str:
    """Compose's `${VAR:?message}` / `${VAR:-default}` with test values for the secrets."""
    return INTERPOLATION.sub(lambda m: SECRET_VALUES.get(m[1], m[2] or ""), str(value))


def compose_env(service: str) -> dict[str, str]:
    return {k: interpolate(v) for k, v in COMPOSE["services"][service]["environment"].items()}


def k8s_docs(name: str) -> dict[str, Any]:
    return {doc["kind"]: doc for doc in load_yaml_documents(K8S / f"{name}.yaml")}


def pod_of(service: str) -> dict[str, Any]:
    pod: dict[str, Any] = k8s_docs(service)["Deployment"]["spec"]["template"]["spec"]
    return pod


# --- docker-compose.yml ---------------------------------------------------------------------

@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_compose_runs_each_service_from_the_one_image_on_its_port(name: str) -> None:
    service, port = COMPOSE["services"][name], definition(name).port
    assert service["build"] == {"context": ".", "dockerfile": "deploy/Dockerfile"}
    assert service["command"] == ["serve", name]
    assert service["ports"] == [f"{port}:{port}"]
    assert service["healthcheck"]["test"][-1].count(f"http://127.0.0.1:{port}/readyz") == 1


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_compose_starts_a_service_after_healthy_kafka_and_postgres(name: str) -> None:
    depends = COMPOSE["services"][name]["depends_on"]
    assert depends["kafka"] == depends["postgres"] == {"condition": "service_healthy"}
    assert depends["topics"] == depends["migrate"] == {
        "condition": "service_completed_successfully"}
    for infrastructure in ("kafka", "postgres"):
        assert COMPOSE["services"][infrastructure]["healthcheck"]["test"]


@pytest.mark.parametrize("name", [*SERVICE_NAMES, "migrate"])
def test_compose_environment_names_are_settings_fields(name: str) -> None:
    services = SERVICE_NAMES if name == "migrate" else (name,)
    assert set(compose_env(name)) - known_env(*services) == set()


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_compose_environment_configures_the_service_for_production(
    name: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = compose_env(name)
    urls = {key for key in env if key.endswith("_DATABASE_URL")}
    assert urls == {f"{name.upper()}_DATABASE_URL"}  # only its own database
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    suite, settings = SuiteSettings(), definition(name).settings_class()
    assert (suite.environment, suite.bus) == ("production", "kafka")
    assert suite.kafka_bootstrap_servers == "kafka:19092"
    assert settings.auto_migrate is False
    assert settings.resolved_database_url(name, suite).endswith(f"@postgres:5432/community_{name}")


def test_compose_migrates_every_database_before_the_services() -> None:
    migrate = COMPOSE["services"]["migrate"]
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert {k for k in compose_env("migrate") if k.endswith("_DATABASE_URL")} == {
        f"{name.upper()}_DATABASE_URL" for name in SERVICE_NAMES}
    assert "community migrate" in migrate["command"][0]
    assert migrate["command"][0].split(" in ", 1)[1].split(";")[0].split() == list(SERVICE_NAMES)


def test_the_init_script_creates_each_database_compose_connects_to() -> None:
    created = set(re.findall(r"CREATE DATABASE (\w+);", (DEPLOY / "postgres/init.sql").read_text()))
    used = {compose_env("migrate")[f"{n.upper()}_DATABASE_URL"].rsplit("/", 1)[1]
            for n in SERVICE_NAMES}
    assert created == used == {f"community_{name}" for name in SERVICE_NAMES}
    mounts = COMPOSE["services"]["postgres"]["volumes"]
    assert "./deploy/postgres/init.sql:/docker-entrypoint-initdb.d/init.sql:ro" in mounts


def test_compose_creates_every_topic_and_its_dead_letter_topic() -> None:
    topics = COMPOSE["services"]["topics"]
    env = topics["environment"]
    assert tuple(env["TOPICS"].split()) == TOPICS
    assert (int(env["PARTITIONS"]), int(env["EVENTS_RETENTION_MS"]),
            int(env["DLQ_RETENTION_MS"])) == (TOPIC_PARTITIONS, EVENTS_RETENTION_MS,
                                              DLQ_RETENTION_MS)
    assert 'create "$$topic.dlq"' in topics["command"][0]
    assert dead_letter_topic("x") == "x.dlq"


def test_compose_kafka_is_the_version_the_tests_run_against() -> None:
    local = re.search(r"KAFKA_VERSION:-([\d.]+)", (DEPLOY / "local/kafka.sh").read_text())
    assert local is not None
    for name in ("kafka", "topics"):
        assert COMPOSE["services"][name]["image"] == f"apache/kafka:{local[1]}"
    assert COMPOSE["services"]["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == (
        "broker,controller")  # KRaft, no ZooKeeper


# --- deploy/Dockerfile ----------------------------------------------------------------------

def test_the_image_is_python_311_slim_non_root_and_runs_the_cli() -> None:
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in DOCKERFILE
    user = re.findall(r"^USER (\d+):(\d+)$", DOCKERFILE, re.MULTILINE)
    assert user and user[-1][0] != "0"
    assert 'ENTRYPOINT ["community"]' in DOCKERFILE
    for source in ("pyproject.toml", "shared", "services", "suite"):
        assert re.search(rf"^COPY {source}\b", DOCKERFILE, re.MULTILINE), source


# --- deploy/k8s -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_k8s_runs_each_service_behind_a_service_on_its_port(name: str) -> None:
    docs, port = k8s_docs(name), definition(name).port
    deployment, service = docs["Deployment"], docs["Service"]
    [container] = pod_of(name)["containers"]
    assert container["args"] == ["serve", name]
    metrics = port + 1000
    assert container["ports"] == [{"name": "http", "containerPort": port},
                                  {"name": "metrics", "containerPort": metrics}]
    # The Service (and so any ingress behind it) carries only the API port; scrapers reach
    # /metrics on the pod's metrics port.
    assert service["spec"]["ports"] == [{"name": "http", "port": port, "targetPort": "http"}]
    assert {"name": f"{name.upper()}_METRICS_PORT", "value": str(metrics)} in container["env"]
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(metrics)
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_k8s_probes_hit_readyz_and_healthz(name: str) -> None:
    [container] = pod_of(name)["containers"]
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_k8s_migrates_in_an_init_container_with_the_same_image(name: str) -> None:
    pod = pod_of(name)
    [init], [app] = pod["initContainers"], pod["containers"]
    assert init["args"] == ["migrate", name] and init["image"] == app["image"]
    assert {"name": f"{name.upper()}_AUTO_MIGRATE", "value": "false"} in app["env"]


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_k8s_pods_run_as_the_image_user_with_resources(name: str) -> None:
    pod = pod_of(name)
    uid = re.findall(r"^USER (\d+):", DOCKERFILE, re.MULTILINE)[-1]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert str(pod["securityContext"]["runAsUser"]) == uid
    for container in pod["initContainers"] + pod["containers"]:
        assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]
        assert container["securityContext"]["allowPrivilegeEscalation"] is False


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_k8s_environment_names_are_settings_fields_and_secrets_exist(name: str) -> None:
    config = load_yaml(K8S / "configmap.yaml")["data"]
    secret = load_yaml(K8S / "secret.yaml")["stringData"]
    pod = pod_of(name)
    for container in pod["initContainers"] + pod["containers"]:
        assert container["envFrom"] == [{"configMapRef": {"name": "community-suite-config"}}]
        names = {entry["name"] for entry in container["env"]}
        assert names | set(config) <= known_env(name)
        refs = {e["valueFrom"]["secretKeyRef"]["key"] for e in container["env"] if "valueFrom" in e}
        assert refs <= set(secret)
        assert {r for r in refs if r.endswith("_DATABASE_URL")} == {
            f"{name.upper()}_DATABASE_URL"}


def test_k8s_configmap_and_placeholder_secret_configure_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in load_yaml(K8S / "configmap.yaml")["data"].items():
        monkeypatch.setenv(key, value)
    placeholders = load_yaml(K8S / "secret.yaml")["stringData"]
    for key in ("AUTH_JWT_SECRET", "AUTH_REPORT_TOKEN_SECRET"):
        monkeypatch.setenv(key, placeholders[key])
    with pytest.raises(ValueError, match="AUTH_JWT_SECRET"):
        SuiteSettings()  # the placeholders must never start in production
    monkeypatch.setenv("AUTH_JWT_SECRET", SECRET_VALUES["AUTH_JWT_SECRET"])
    with pytest.raises(ValueError, match="AUTH_REPORT_TOKEN_SECRET"):
        SuiteSettings()
    monkeypatch.setenv("AUTH_REPORT_TOKEN_SECRET", SECRET_VALUES["AUTH_REPORT_TOKEN_SECRET"])
    suite = SuiteSettings()
    assert (suite.environment, suite.bus) == ("production", "kafka")
    assert (suite.kafka_topic_partitions, suite.kafka_replication_factor) == (
        TOPIC_PARTITIONS, TOPIC_REPLICAS)


def test_kustomization_applies_every_manifest_but_the_secret_and_topics() -> None:
    resources = load_yaml(K8S / "kustomization.yaml")["resources"]
    expected = {"namespace.yaml", "configmap.yaml", *(f"{n}.yaml" for n in SERVICE_NAMES)}
    assert set(resources) == expected
    assert {p.name for p in K8S.glob("*.yaml")} - expected == {
        "kustomization.yaml", "secret.yaml", "topics.yaml"}


def test_k8s_topics_are_the_catalog_topics_and_their_dead_letter_topics() -> None:
    topics = {doc["spec"]["topicName"]: doc for doc in load_yaml_documents(K8S / "topics.yaml")}
    assert set(topics) == {*TOPICS, *map(dead_letter_topic, TOPICS)}
    bootstrap = load_yaml(K8S / "configmap.yaml")["data"]["KAFKA_BOOTSTRAP_SERVERS"]
    for name, topic in topics.items():
        cluster = topic["metadata"]["labels"]["strimzi.io/cluster"]
        assert bootstrap.startswith(f"{cluster}-kafka-bootstrap.{topic['metadata']['namespace']}.")
        spec = topic["spec"]
        retention = DLQ_RETENTION_MS if name.endswith(".dlq") else EVENTS_RETENTION_MS
        assert (spec["partitions"], spec["replicas"]) == (TOPIC_PARTITIONS, TOPIC_REPLICAS)
        assert spec["config"] == {"cleanup.policy": "delete", "retention.ms": retention,
                                  "min.insync.replicas": MIN_INSYNC_REPLICAS}


def test_the_asyncapi_servers_are_the_deployed_brokers() -> None:
    servers = load_yaml(DEPLOY / "asyncapi.yaml")["servers"]
    config = load_yaml(K8S / "configmap.yaml")["data"]
    assert servers["production"]["host"] == config["KAFKA_BOOTSTRAP_SERVERS"]
    advertised = COMPOSE["services"]["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"]
    assert f"EXTERNAL://{servers['compose']['host']}" in advertised.split(",")
