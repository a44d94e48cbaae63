"""The AsyncAPI 3.0 document of the event stream, generated from the event catalog.

`build_document()` is the whole contract dashboard teams read: one channel per topic (and its
dead-letter topic), one message per event type whose payload is the CloudEvents envelope with
the type's JSON Schema as `data`. `write_artifacts()` writes it as YAML with each type's JSON
Schema beside it (`schemas/<type>.v<version>.json`); `router` serves it from every service.

Regenerate after changing a contract: `python -m shared.asyncapi --output deploy/asyncapi.yaml`.
"""

from __future__ import annotations

import argparse
import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter
from fastapi.responses import Response

from shared.events.catalog import EventType, load_catalog
from shared.events.envelope import CONTENT_TYPE
from shared.events.topics import TOPICS, dead_letter_topic
from shared.service import ServiceDefinition, load_definitions

__all__ = [
    "DLQ_RETENTION_MS",
    "EVENTS_RETENTION_MS",
    "MIN_INSYNC_REPLICAS",
    "TOPIC_PARTITIONS",
    "TOPIC_REPLICAS",
    "build_document",
    "published_types",
    "render_yaml",
    "router",
    "schema_files",
    "write_artifacts",
]

DOCUMENT_VERSION = "1.0.0"  # bump the major version when a type or channel is removed
# The production topic layout (deploy/k8s/topics.yaml must agree; a test checks it).
TOPIC_PARTITIONS = 6
TOPIC_REPLICAS = 3
MIN_INSYNC_REPLICAS = 2
EVENTS_RETENTION_MS = 365 * 24 * 3600 * 1000  # a new dashboard can replay a whole year
DLQ_RETENTION_MS = 30 * 24 * 3600 * 1000  # operators replay or discard within a month

_BINDING = "0.5.0"
_TRACEPARENT = r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"
_GENERATED = "# Generated from the event catalog by `python -m shared.asyncapi`; do not edit.\n"

_DESCRIPTION = """\
The event stream of the complete-community renewal suite (完整社区), for city dashboards and
other read-only consumers.

* One Kafka topic per publishing service; a record's key is the aggregate id (the CloudEvents
  `subject`), so the events of one project, report, session or trial arrive in order.
* Every record value is a CloudEvents 1.0 event in structured mode
  (`content-type: application/cloudevents+json`); `type` names the fact (`project.completed`),
  `data` follows the JSON Schema named by `dataschema`, and `traceparent` (W3C) links the event
  to the request that caused it. Records also carry the headers `ce_type` and `content-type`,
  so a consumer can skip types without parsing the value.
* Delivery is at least once: de-duplicate by the CloudEvents `id`, and skip types you do not
  know. Within a version a type only gains optional fields; a breaking change ships as a new
  version of the type (`dataschema` ends in `/v<version>.json`).
* Payloads carry ids, codes, dates and numbers only: never a person's name or phone number.
* Each `<topic>.dlq` holds records a service could not process, unchanged, with the error in
  the `dlq-error` header; dashboards do not need to read them.

The JSON Schema of every type is also published beside this document as
`schemas/<type>.v<version>.json`; each service serves this document at `/asyncapi.yaml` and
`/asyncapi.json`.
"""


def published_types() -> list[EventType]:
    """The catalog's types on the suite's topics (tests register others on their own)."""
    return [spec for spec in load_catalog().values() if spec.topic in TOPICS]


def build_document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document for every type the suite publishes."""
    catalog = published_types()
    schemas: dict[str, Any] = {"CloudEvent": _envelope_schema()}
    messages: dict[str, Any] = {"DeadLetter": _dead_letter_message()}
    for spec in catalog:
        schemas[_schema_key(spec)] = _hoist_definitions(spec, schemas)
        messages[spec.name] = _message(spec)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic in TOPICS:
        types = [spec for spec in catalog if spec.topic == topic]
        channels[topic] = _channel(topic, types)
        channels[dead_letter_topic(topic)] = _dead_letter_channel(topic)
        operations.update(_operations(topic, types))
    for definition in load_definitions():
        operations.update(_receive_operations(definition))
    return {
        "asyncapi": "3.0.0",
        "id": "urn:community-suite:events",
        "info": {
            "title": "Complete-community renewal suite: event stream",
            "version": DOCUMENT_VERSION,
            "description": _DESCRIPTION,
            "tags": [{"name": _owner(topic)} for topic in TOPICS],
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": _servers(),
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }


def schema_files() -> dict[str, dict[str, Any]]:
    """File name => the published JSON Schema of each event type (with its `$id`)."""
    return {f"{spec.name}.v{spec.version}.json": spec.json_schema()
            for spec in published_types()}


class _Dumper(yaml.SafeDumper):
    """Writes multi-line text as literal blocks, so the descriptions read as written."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)


def render_yaml(document: dict[str, Any]) -> str:
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return _GENERATED + body


def render_json(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_artifacts(output: Path) -> list[Path]:
    """Write the document to `output` and the schemas to `output.parent / "schemas"`."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_yaml(build_document()), encoding="utf-8")
    folder = output.parent / "schemas"
    folder.mkdir(exist_ok=True)
    files = schema_files()
    for stale in folder.glob("*.json"):
        if stale.name not in files:
            stale.unlink()  # a removed type must not stay published
    written = [output]
    for name, schema in files.items():
        path = folder / name
        path.write_text(render_json(schema), encoding="utf-8")
        written.append(path)
    return written


def _owner(topic: str) -> str:
    """The service that publishes on a topic (`projects.events` => `projects`)."""
    return topic.split(".", 1)[0]


def _schema_key(spec: EventType) -> str:
    return f"{spec.name}.v{spec.version}"


def _hoist_definitions(spec: EventType, schemas: dict[str, Any]) -> dict[str, Any]:
    """The type's schema for embedding: `$defs` moved to components, `$id`/`$schema` dropped.

    Tools resolve `#/...` against the AsyncAPI document, not a nested `$id`, so nested models
    become shared component schemas (qualified by the type when two models share a name).
    """
    schema = copy.deepcopy(spec.json_schema())
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    renamed: dict[str, str] = {}
    for name, definition in schema.pop("$defs", {}).items():
        key = name if schemas.get(name, definition) == definition else f"{_schema_key(spec)}.{name}"
        schemas[key] = definition
        renamed[f"#/$defs/{name}"] = f"#/components/schemas/{key}"
    result: dict[str, Any] = _rewrite_refs(schema, renamed)
    result["x-schema-id"] = spec.schema_id
    return result


def _rewrite_refs(node: Any, renamed: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {k: renamed.get(v, v) if k == "$ref" else _rewrite_refs(v, renamed)
                for k, v in node.items()}
    if isinstance(node, list):
        return [_rewrite_refs(item, renamed) for item in node]
    return node


def _envelope_schema() -> dict[str, Any]:
    text = {"type": "string", "minLength": 1}
    return {
        "type": "object",
        "description": "CloudEvents 1.0, structured JSON mode, plus the `traceparent` extension.",
        "required": ["specversion", "id", "source", "type", "subject", "time",
                     "datacontenttype", "dataschema", "traceparent", "data"],
        "properties": {
            "specversion": {"type": "string", "const": "1.0"},
            "id": {**text, "description": "Unique per event: de-duplicate by it."},
            "source": {**text, "format": "uri-reference",
                       "description": "The publishing service, `/community-suite/<service>`.",
                       "examples": ["/community-suite/projects"]},
            "type": {**text, "description": "The fact, `aggregate.past_tense_verb`."},
            "subject": {**text, "description": "The aggregate id; also the Kafka record key."},
            "time": {"type": "string", "format": "date-time",
                     "description": "When the fact happened (RFC 3339, UTC)."},
            "datacontenttype": {"type": "string", "const": "application/json"},
            "dataschema": {"type": "string", "format": "uri",
                           "description": "The `$id` of the JSON Schema of `data`."},
            "traceparent": {"type": "string", "pattern": _TRACEPARENT,
                            "description": "W3C trace context of the causing request."},
            "data": {"type": "object"},
        },
    }


def _message(spec: EventType) -> dict[str, Any]:
    return {
        "name": spec.name,
        "title": f"{spec.name} v{spec.version}",
        "summary": spec.summary,
        "contentType": CONTENT_TYPE,
        "tags": [{"name": _owner(spec.topic)}],
        "headers": {
            "type": "object",
            "required": ["ce_type", "content-type"],
            "properties": {
                "ce_type": {"type": "string", "const": spec.name},
                "content-type": {"type": "string", "const": CONTENT_TYPE},
            },
        },
        "payload": {
            "allOf": [
                {"$ref": "#/components/schemas/CloudEvent"},
                {"type": "object", "properties": {
                    "type": {"const": spec.name},
                    "dataschema": {"const": spec.schema_id},
                    "data": {"$ref": f"#/components/schemas/{_schema_key(spec)}"},
                }},
            ],
        },
        "correlationId": {"description": "W3C trace context of the causing request.",
                          "location": "$message.payload#/traceparent"},
        "bindings": {"kafka": {"key": {"type": "string",
                                       "description": "The aggregate id (CloudEvents subject)."},
                               "bindingVersion": _BINDING}},
    }


def _dead_letter_message() -> dict[str, Any]:
    return {
        "name": "dead_letter",
        "title": "Dead letter",
        "summary": "A record a consumer could not process, unchanged, with the reason.",
        "description": "Value, key and headers of the original record, plus `dlq-error`, "
                       "`dlq-source` (`topic/partition/offset`) and `dlq-consumer` (group). "
                       "The value may be malformed: that is often why it is here.",
        "headers": {
            "type": "object",
            "required": ["dlq-error", "dlq-source", "dlq-consumer"],
            "properties": {name: {"type": "string"}
                           for name in ("dlq-error", "dlq-source", "dlq-consumer",
                                        "ce_type", "content-type")},
        },
        "payload": {"description": "The original record value, as received."},
    }


def _topic_binding(retention_ms: int) -> dict[str, Any]:
    return {
        "partitions": TOPIC_PARTITIONS,
        "replicas": TOPIC_REPLICAS,
        "topicConfiguration": {"cleanup.policy": ["delete"], "retention.ms": retention_ms,
                               "min.insync.replicas": MIN_INSYNC_REPLICAS},
        "bindingVersion": _BINDING,
    }


def _channel(topic: str, types: list[EventType]) -> dict[str, Any]:
    return {
        "address": topic,
        "title": f"{_owner(topic)} events",
        "description": f"Facts published by the {_owner(topic)} service, keyed by aggregate id.",
        "messages": {spec.name: {"$ref": f"#/components/messages/{spec.name}"}
                     for spec in types},
        "bindings": {"kafka": _topic_binding(EVENTS_RETENTION_MS)},
    }


def _dead_letter_channel(topic: str) -> dict[str, Any]:
    return {
        "address": dead_letter_topic(topic),
        "title": f"{_owner(topic)} dead letters",
        "description": f"Records of `{topic}` that a consuming service could not process "
                       "(invalid envelope or payload, or a handler that kept failing). "
                       "For operators: not part of the dashboard contract.",
        "messages": {"DeadLetter": {"$ref": "#/components/messages/DeadLetter"}},
        "bindings": {"kafka": _topic_binding(DLQ_RETENTION_MS)},
    }


def _operations(topic: str, types: list[EventType]) -> dict[str, Any]:
    owner, dlq = _owner(topic), dead_letter_topic(topic)
    return {
        f"{owner}.publish": {
            "action": "send",
            "channel": {"$ref": f"#/channels/{topic}"},
            "title": f"The {owner} service publishes its facts",
            "description": "Sent by the service's transactional outbox relay (acks=all, "
                           "idempotent producer) after the state change commits.",
            "tags": [{"name": owner}],
            "messages": [{"$ref": f"#/channels/{topic}/messages/{spec.name}"} for spec in types],
        },
        f"{owner}.dead_letter": {
            "action": "send",
            "channel": {"$ref": f"#/channels/{dlq}"},
            "title": f"Consumers of {topic} set aside what they cannot process",
            "messages": [{"$ref": f"#/channels/{dlq}/messages/DeadLetter"}],
        },
    }


def _receive_operations(definition: ServiceDefinition) -> dict[str, Any]:
    """One `receive` operation per topic a service consumes, from its handler registry."""
    consumes = definition.consumes
    if consumes is None:
        return {}
    operations: dict[str, Any] = {}
    for topic in consumes.subscriptions:
        types = [spec for spec in consumes.types if spec.topic == topic]
        operations[f"{definition.name}.consume.{_owner(topic)}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{topic}"},
            "title": f"The {definition.name} service consumes {_owner(topic)} facts",
            "description": f"Consumer group `{definition.name}-service`; each event is applied "
                           "once (inbox in the handler's transaction), offsets are committed "
                           "after it. Other types on the topic are skipped.",
            "tags": [{"name": definition.name}],
            "messages": [{"$ref": f"#/channels/{topic}/messages/{spec.name}"} for spec in types],
        }
    return operations


def _servers() -> dict[str, Any]:
    return {
        "production": {
            "host": "community-events-kafka-bootstrap.kafka.svc:9092",
            "protocol": "kafka",
            "protocolVersion": "4.0",
            "title": "Cluster (Kubernetes, Strimzi)",
            "description": "Three brokers; topics as in deploy/k8s/topics.yaml. Dashboards "
                           "get a read-only principal and their own consumer group.",
        },
        "compose": {
            "host": "localhost:9092",
            "protocol": "kafka",
            "title": "Single host (docker compose)",
            "description": "One broker started by docker-compose.yml.",
        },
    }


@cache
def _document_yaml() -> str:
    return render_yaml(build_document())


@cache
def _document_json() -> str:
    return json.dumps(build_document(), ensure_ascii=False)


router = APIRouter(tags=["operations"])


@router.get("/asyncapi.yaml", summary="AsyncAPI 3.0 document of the event stream (public)",
            response_class=Response)
async def asyncapi_yaml() -> Response:
    """Who: anyone. The contract of every topic and event type, for dashboard teams."""
    return Response(_document_yaml(),
                    media_type="application/vnd.aai.asyncapi+yaml;version=3.0.0")


@router.get("/asyncapi.json", summary="AsyncAPI 3.0 document as JSON (public)",
            response_class=Response)
async def asyncapi_json() -> Response:
    """Who: anyone."""
    return Response(_document_json(),
                    media_type="application/vnd.aai.asyncapi+json;version=3.0.0")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.asyncapi",
                                     description="Write the AsyncAPI document and JSON Schemas.")
    parser.add_argument("--output", type=Path, default=Path("deploy/asyncapi.yaml"))
    args = parser.parse_args(argv)
    for path in write_artifacts(args.output):
        print(path)


if __name__ == "__main__":
    main()
