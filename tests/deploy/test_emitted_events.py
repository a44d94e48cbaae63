"""Every record a service really emits matches the published contract, byte for byte.

The drivers walk each service through its API; each record is then checked as a dashboard
would see it: the CloudEvents envelope, `data` against `deploy/schemas/<type>.v<n>.json`
(the published files, not the pydantic models), and the whole record against its message in
`deploy/asyncapi.yaml`.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from shared.asyncapi import published_types
from shared.bus.base import IncomingMessage
from shared.events.envelope import CONTENT_TYPE
from tests.deploy.contract import data_validator, errors, message_validator
from tests.deploy.drivers import DRIVERS

TRACEPARENT = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")
ENVELOPE = {"specversion", "id", "source", "type", "subject", "time", "datacontenttype",
            "dataschema", "traceparent", "data"}
CATALOG = {spec.name: spec for spec in published_types()}


def types_of(topic: str) -> set[str]:
    return {spec.name for spec in CATALOG.values() if spec.topic == topic}


# The flows in drivers.py reach every type each service publishes.
EXPECTED = {service: types_of(f"{service}.events") for service in DRIVERS}


def envelope_problems(record: IncomingMessage, service: str) -> list[str]:
    event: dict[str, Any] = json.loads(record.value)
    spec = CATALOG[event["type"]]
    time = datetime.fromisoformat(event["time"])
    checks = {
        "attributes": set(event) == ENVELOPE,
        "specversion": event["specversion"] == "1.0",
        "id": bool(event["id"]),
        "source": event["source"] == f"/community-suite/{service}",
        "subject is the key": bool(event["subject"]) and event["subject"] == record.key,
        "time has an offset": time.tzinfo is not None,
        "datacontenttype": event["datacontenttype"] == "application/json",
        "dataschema": event["dataschema"] == spec.schema_id,
        "traceparent": bool(TRACEPARENT.match(event["traceparent"])),
    }
    return [f"{event['type']} {event['id']}: {name}" for name, ok in checks.items() if not ok]


def headers_of(record: IncomingMessage) -> dict[str, str]:
    return {name: value.decode() for name, value in record.headers}


@pytest.mark.parametrize("service", sorted(DRIVERS))
async def test_every_emitted_event_matches_its_published_schema(service: str,
                                                                tmp_path: Path) -> None:
    records = await DRIVERS[service](tmp_path)
    problems: list[str] = []
    for record in records:
        problems += envelope_problems(record, service)
        event = json.loads(record.value)
        spec = CATALOG[event["type"]]
        published = data_validator(f"{spec.name}.v{spec.version}.json")
        if not isinstance(published.schema, dict) or (
                published.schema["$id"] != event["dataschema"]):
            problems.append(f"{spec.name}: dataschema is not the published file's $id")
        problems += errors(published, event["data"])
        problems += errors(message_validator(spec.name, "payload"), event)
        headers = headers_of(record)
        problems += errors(message_validator(spec.name, "headers"), headers)
        if headers.get("content-type") != CONTENT_TYPE:
            problems.append(f"{spec.name}: content-type header {headers.get('content-type')}")
    assert problems == []
    missing = EXPECTED[service] - {json.loads(r.value)["type"] for r in records}
    assert not missing, f"add a step that emits {sorted(missing)} to tests/deploy/drivers.py"


def test_there_is_a_driver_for_every_publishing_service() -> None:
    assert set().union(*EXPECTED.values()) == set(CATALOG)


def test_a_record_that_breaks_the_contract_is_caught() -> None:
    spec = CATALOG["project.completed"]
    validator = data_validator(f"{spec.name}.v{spec.version}.json")
    good = {"project_id": "p-1", "community_id": "dongdu", "completed_at": "2022-11-30T00:00:00Z",
            "parties": {"builder": "b", "contractor": "c"}}
    assert errors(validator, good) == []
    assert errors(validator, {**good, "completed_at": "2022-11-30T00:00:00"})  # no offset
    assert errors(validator, {**good, "contact_phone": "13712345678"})  # closed payload
    assert errors(validator, {**good, "parties": {"builder": "b"}})  # nested $ref resolved


def test_the_asyncapi_message_rejects_a_mislabelled_record() -> None:
    spec = CATALOG["complaint.closed"]
    other = CATALOG["complaint.received"]
    payload = message_validator(spec.name, "payload")
    headers = message_validator(spec.name, "headers")
    assert errors(payload, {"type": spec.name, "dataschema": other.schema_id})
    assert errors(headers, {"ce_type": other.name, "content-type": CONTENT_TYPE})
    assert errors(headers, {"ce_type": spec.name})
