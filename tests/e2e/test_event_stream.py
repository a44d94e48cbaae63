"""The dashboard team's view of the stream: `community events tail` and `community dashboard`
read the run's topics on the real broker (isolated by a namespace)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from typer.testing import CliRunner

from shared.bus.base import OutgoingMessage
from shared.bus.kafka import KafkaBus
from shared.contracts import projects as prj
from shared.events import CATALOG, EventData, make_event
from shared.events.topics import PROJECTS, TOPICS
from suite.cli import app
from suite.events import read_all
from tests.integration.servers import unique

pytestmark = [pytest.mark.kafka]

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
PARTIES = prj.ProjectParties(builder="org-b", contractor="org-c")


def created(project_id: str) -> prj.ProjectCreated:
    return prj.ProjectCreated(
        project_id=project_id, community_id="dongdu", plan_id="p", category="basic",
        domain="road", heritage=False, parties=PARTIES, planned_start=date(2025, 1, 1),
        planned_end=date(2025, 12, 31), budget_total_cny="1.00")


async def _produce(bootstrap: str, namespace: str, facts: list[EventData]) -> None:
    bus = KafkaBus(bootstrap, namespace=namespace)
    await bus.ensure_topics(list(TOPICS))
    producer = bus.producer()
    await producer.start()
    try:
        messages = []
        for data in facts:
            subject = str(getattr(data, "project_id", "x"))
            event = make_event(data, subject=subject, source="/tests", time=T0)
            messages.append(OutgoingMessage(topic=CATALOG[event.type].topic, key=subject,
                                            value=event.to_bytes()))
        assert await producer.send_batch(messages) == [None] * len(messages)
    finally:
        await producer.stop()


async def _delete_topics(bootstrap: str, namespace: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([f"{namespace}{topic}" for topic in TOPICS])
    finally:
        await admin.close()


@pytest.fixture
def namespace(kafka_bootstrap: str) -> Iterator[str]:
    prefix = unique("stream") + "."
    facts: list[EventData] = [
        created("p1"), prj.ProjectApproved(project_id="p1", community_id="dongdu"),
        created("p2"),
    ]
    asyncio.run(_produce(kafka_bootstrap, prefix, facts))
    yield prefix
    asyncio.run(_delete_topics(kafka_bootstrap, prefix))


def _tail(bootstrap: str, namespace: str, *extra: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(app, [
        "events", "tail", "--bootstrap", bootstrap, "--namespace", namespace,
        "--group", f"{namespace}tail", "--timeout", "2", *extra])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_read_all_returns_every_event_with_its_logical_topic(
    kafka_bootstrap: str, namespace: str
) -> None:
    records = asyncio.run(read_all(kafka_bootstrap, namespace=namespace))
    assert {r.topic for r in records} == {PROJECTS}
    events = [r.event() for r in records]
    assert sorted(e.type for e in events if e) == [
        "project.approved", "project.created", "project.created"]
    by_p1 = [e.type for e in events if e and e.subject == "p1"]
    assert by_p1 == ["project.created", "project.approved"]  # one key, one partition, in order


def test_tail_prints_one_json_line_per_event_and_its_group_resumes_where_it_stopped(
    kafka_bootstrap: str, namespace: str
) -> None:
    first = _tail(kafka_bootstrap, namespace, "--from-beginning")
    assert len(first) == 3
    assert {line["topic"] for line in first} == {PROJECTS}
    assert {line["event"]["type"] for line in first} == {  # type: ignore[index]
        "project.created", "project.approved"}
    assert _tail(kafka_bootstrap, namespace) == []  # offsets were committed
    assert len(_tail(kafka_bootstrap, namespace, "--from-beginning")) == 3


def test_tail_refuses_an_unknown_topic(kafka_bootstrap: str) -> None:
    result = CliRunner().invoke(app, ["events", "tail", "--topic", "nope.events",
                                      "--bootstrap", kafka_bootstrap])
    assert result.exit_code != 0
    assert "unknown topic" in result.output


def test_dashboard_prints_the_city_kpis_of_the_whole_history(
    kafka_bootstrap: str, namespace: str
) -> None:
    result = CliRunner().invoke(app, ["dashboard", "--from-beginning", "--timeout", "2",
                                      "--bootstrap", kafka_bootstrap, "--namespace", namespace])
    assert result.exit_code == 0, result.output
    kpis = json.loads(result.output)
    assert kpis["projects_by_status"] == {"dongdu": {"approved": 1, "draft": 1}}
    assert kpis["events_applied"] == 3
