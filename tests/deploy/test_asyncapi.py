"""The AsyncAPI document: valid AsyncAPI 3.0, complete, committed up to date, served."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from shared.asyncapi import (
    build_document,
    published_types,
    render_json,
    schema_files,
    write_artifacts,
)
from shared.events import TOPICS, dead_letter_topic
from suite.catalog import SERVICE_NAMES, definition
from tests.deploy.contract import ASYNCAPI, SCHEMAS, asyncapi_validator, errors
from tests.support import running_service

REGENERATE = "stale: run `python -m shared.asyncapi --output deploy/asyncapi.yaml`"


def references(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in references(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in references(item)]
    return []


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"only local references: {ref}"
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_the_document_is_valid_asyncapi_3() -> None:
    document = json.loads(json.dumps(build_document()))
    assert errors(asyncapi_validator(), document) == []


def test_the_validator_really_checks_the_document() -> None:
    document = json.loads(json.dumps(build_document()))
    document["operations"]["projects.publish"]["action"] = "publish"  # AsyncAPI 2 wording
    document["channels"]["acceptance.events"]["bindings"]["kafka"]["partitions"] = 0
    assert len(errors(asyncapi_validator(), document)) == 2


def test_every_reference_resolves_inside_the_document() -> None:
    document = build_document()
    refs = references(document)
    assert len(refs) > 100
    for ref in refs:
        assert resolve(document, ref) is not None, ref


def test_channels_are_the_topics_and_their_dead_letter_topics() -> None:
    channels = build_document()["channels"]
    expected = {*TOPICS, *map(dead_letter_topic, TOPICS)}
    assert {channel["address"] for channel in channels.values()} == expected
    for topic in TOPICS:
        assert "DeadLetter" in channels[dead_letter_topic(topic)]["messages"]


def test_every_event_type_is_a_message_on_its_topic_sent_by_its_owner() -> None:
    document = build_document()
    for spec in published_types():
        assert spec.name in document["channels"][spec.topic]["messages"]
        message = document["components"]["messages"][spec.name]
        data = resolve(document, message["payload"]["allOf"][1]["properties"]["data"]["$ref"])
        assert data["x-schema-id"] == spec.schema_id
        assert message["bindings"]["kafka"]["key"]["type"] == "string"
        sends = [op for op in document["operations"].values()
                 if op["action"] == "send" and op["channel"]["$ref"] == f"#/channels/{spec.topic}"]
        assert [op["messages"] for op in sends] == [[
            {"$ref": f"#/channels/{spec.topic}/messages/{name}"}
            for name in document["channels"][spec.topic]["messages"]]]


def test_the_published_json_schemas_are_valid_and_carry_their_ids() -> None:
    for name, schema in schema_files().items():
        Draft202012Validator.check_schema(schema)
        spec = {t.name: t for t in published_types()}[name.rsplit(".v", 1)[0]]
        assert schema["$id"] == spec.schema_id and name == f"{spec.name}.v{spec.version}.json"


def test_the_committed_document_and_schemas_are_up_to_date(tmp_path: Path) -> None:
    write_artifacts(tmp_path / "asyncapi.yaml")
    assert ASYNCAPI.read_text(encoding="utf-8") == (tmp_path / "asyncapi.yaml").read_text(
        encoding="utf-8"), REGENERATE
    committed = {p.name: p.read_text(encoding="utf-8") for p in SCHEMAS.glob("*.json")}
    assert committed == {name: render_json(schema) for name, schema in schema_files().items()
                         }, REGENERATE


def test_regenerating_removes_the_schema_of_a_removed_type(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "project.renamed.v1.json").write_text("{}")
    write_artifacts(tmp_path / "asyncapi.yaml")
    assert not (tmp_path / "schemas" / "project.renamed.v1.json").exists()
    assert len(list((tmp_path / "schemas").glob("*.json"))) == len(published_types())


@pytest.mark.parametrize("service", SERVICE_NAMES)
async def test_each_service_serves_the_document_to_anyone(service: str, tmp_path: Path) -> None:
    async with running_service(definition(service), tmp_path) as h:
        as_yaml = await h.client.get("/asyncapi.yaml")
        as_json = await h.client.get("/asyncapi.json")
    assert as_yaml.status_code == as_json.status_code == 200
    assert as_yaml.headers["content-type"].startswith("application/vnd.aai.asyncapi+yaml")
    assert as_json.headers["content-type"].startswith("application/vnd.aai.asyncapi+json")
    assert yaml.safe_load(as_yaml.text) == as_json.json() == build_document()
