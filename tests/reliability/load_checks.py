"""What must hold after a load with faults, read straight from each service's database and
from the run's Kafka topics: accepted writes stored once, outboxes drained, every event on
its topic in its aggregate's outbox order, and every consumer having applied each event it
handles exactly once."""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from aiokafka.errors import KafkaError

from shared.events.topics import TOPICS, dead_letter_topic
from suite.catalog import SERVICE_NAMES, definition
from suite.events import RawEvent, read_all
from tests.reliability.load import Write

__all__ = ["Databases", "EventFigures", "check_events", "check_projections",
           "check_stored_writes", "handled_by", "wait_for_consumers",
           "wait_for_drained_outboxes"]


class Databases:
    """Plain SQL on each service's database (asyncpg, one short connection per query)."""

    def __init__(self, urls: Mapping[str, str]) -> None:
        self._dsn = {name: url.replace("postgresql+asyncpg://", "postgresql://", 1)
                     for name, url in urls.items()}

    async def rows(self, service: str, sql: str, *args: Any) -> list[asyncpg.Record]:
        connection = await asyncpg.connect(self._dsn[service])
        try:
            return list(await connection.fetch(sql, *args))
        finally:
            await connection.close()

    async def scalar(self, service: str, sql: str) -> Any:
        [row] = await self.rows(service, sql)
        return row[0]


async def _until(check: Any, what: str, timeout: float) -> float:
    """Poll `check()` until true; returns the seconds it took."""
    started = time.monotonic()
    while not await check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout}s: {what}")
        await asyncio.sleep(0.5)
    return time.monotonic() - started


async def wait_for_drained_outboxes(db: Databases, timeout: float = 120.0) -> float:
    async def drained() -> bool:
        counts = [await db.scalar(s, "SELECT count(*) FROM outbox WHERE sent_at IS NULL")
                  for s in SERVICE_NAMES]
        return not any(counts)

    try:
        return await _until(drained, "every outbox is drained", timeout)
    except AssertionError as exc:
        raise AssertionError(f"{exc}: {await _stuck_outboxes(db)}") from None


async def _stuck_outboxes(db: Databases) -> dict[str, Any]:
    """What a stuck relay leaves behind: unsent rows, their errors, sessions of the database."""
    found: dict[str, Any] = {}
    for service in SERVICE_NAMES:
        [row] = await db.rows(service, "SELECT count(*) AS unsent, min(id) AS first, "
                              "max(attempts) AS attempts, max(last_error) AS error "
                              "FROM outbox WHERE sent_at IS NULL")
        if row["unsent"]:
            sessions = await db.rows(service, "SELECT state, left(query, 80) AS query, "
                                     "now() - xact_start AS open_for FROM pg_stat_activity "
                                     "WHERE datname = current_database() "
                                     "AND pid <> pg_backend_pid()")
            found[service] = {**dict(row), "sessions": [dict(s) for s in sessions]}
    return found


# -- accepted writes are stored, once -------------------------------------------------------

def _once(rows: Iterable[asyncpg.Record], column: str) -> Counter[str]:
    return Counter(str(r[column]) for r in rows)


def _complaint_status_after(steps_accepted: int) -> str:
    return ["received", "acknowledged", "assigned", "resolved", "closed"][steps_accepted]


async def check_stored_writes(db: Databases, writes: list[Write]) -> None:
    complaints = await db.rows("complaints", "SELECT c.id, c.description, c.status, "
                               "(SELECT count(*) FROM complaint_steps s WHERE s.complaint_id "
                               "= c.id) AS steps FROM complaints c")
    progress = await db.rows("projects", "SELECT id, client_key, note FROM progress_reports")
    works = await db.rows("projects", "SELECT id, description, status FROM hidden_works")
    compounds = await db.rows("property", "SELECT id, name FROM compounds")
    stored = {"complaint": (complaints, "description"), "progress": (progress, "note"),
              "hidden_work": (works, "description"), "compound": (compounds, "name")}
    by_id = {str(r["id"]): r for rows, _ in stored.values() for r in rows}
    markers = {kind: _once(rows, column) for kind, (rows, column) in stored.items()}
    keys = _once(progress, "client_key")
    steps: dict[str, list[Write]] = defaultdict(list)
    for write in writes:
        if write.kind.startswith("step:") or write.kind == "inspection":
            steps[write.marker].append(write)
            continue
        count = markers[write.kind][write.marker]
        if write.accepted:
            assert count == 1, f"{write.kind} {write.marker} stored {count} times"
            assert str(by_id[str(write.resource_id)][stored[write.kind][1]]) == write.marker
        else:
            assert count <= 1, f"{write.kind} {write.marker} stored {count} times"
        if write.kind == "progress":
            assert keys[write.key] == count, "the progress report keeps its Idempotency-Key"
    for write in writes:
        if write.kind == "complaint" and write.accepted and write.resource_id:
            _check_complaint(by_id[write.resource_id], steps[write.marker])
        if write.kind == "hidden_work" and write.accepted and write.resource_id:
            inspected = any(s.accepted for s in steps[write.marker])
            assert by_id[write.resource_id]["status"] == ("passed" if inspected else "pending")


def _check_complaint(row: asyncpg.Record, steps: list[Write]) -> None:
    done = sum(s.accepted for s in steps)
    unsure = int(any(not s.accepted for s in steps))  # its outcome never reached the client
    assert done <= row["steps"] - 1 <= done + unsure, \
        f"complaint {row['id']}: {row['steps']} steps stored for {done} accepted"
    if not unsure:
        assert row["status"] == _complaint_status_after(done)


# -- events: on the topic in outbox order, applied once by every consumer -------------------

@dataclass
class EventFigures:
    per_topic: dict[str, int]
    redelivered_on_topic: int
    events: dict[str, RawEvent]  # the first copy of each event id
    order: dict[tuple[str, str], list[str]]  # (topic, key) -> event ids in outbox order


async def _outbox_order(db: Databases, service: str) -> dict[str, list[str]]:
    order: dict[str, list[str]] = defaultdict(list)
    for row in await db.rows(service, "SELECT key, event_id FROM outbox ORDER BY id"):
        order[row["key"]].append(row["event_id"])
    return order


def _topic_order(records: list[RawEvent], topic: str) -> dict[str, list[str]]:
    order: dict[str, list[str]] = defaultdict(list)
    for record in sorted((r for r in records if r.topic == topic),
                         key=lambda r: (r.partition, r.offset)):
        event = record.event()
        assert event is not None, f"{topic}@{record.offset} is not a CloudEvent"
        if event.id not in order[str(record.key)]:  # a re-sent copy: consumers drop it
            order[str(record.key)].append(event.id)
    return order


async def _read_topics(bootstrap: str, topics: list[str], namespace: str) -> list[RawEvent]:
    """Every record; the broker may itself be restarting (it was just killed), so retry."""
    for attempt in range(10):
        try:
            return await read_all(bootstrap, topics, namespace=namespace, timeout=120)
        except KafkaError:
            if attempt == 9:
                raise
            await asyncio.sleep(3)
    raise AssertionError("unreachable")


async def check_events(db: Databases, bootstrap: str, namespace: str) -> EventFigures:
    """Every outbox row is on its topic once or more, per key in outbox-id order; no DLQ."""
    letters = [dead_letter_topic(t) for t in TOPICS]
    records = await _read_topics(bootstrap, [*TOPICS, *letters], namespace)
    dead = [r for r in records if r.topic in letters]
    assert not dead, f"{len(dead)} dead letters, first: {dead[0].to_json_line()[:500]}"
    order: dict[tuple[str, str], list[str]] = {}
    for service in SERVICE_NAMES:
        topic = definition(service).topic
        expected, seen = await _outbox_order(db, service), _topic_order(records, topic)
        assert seen.keys() == expected.keys(), f"{topic}: keys differ from the outbox"
        for key, ids in expected.items():
            assert seen[key] == ids, f"{topic} key {key}: {seen[key]} != outbox order {ids}"
            order[(topic, key)] = ids
    events: dict[str, RawEvent] = {}
    for record in records:
        event = record.event()
        assert event is not None
        events.setdefault(event.id, record)
    return EventFigures(per_topic=dict(Counter(r.topic for r in records)),
                        redelivered_on_topic=len(records) - len(events), events=events,
                        order=order)


def handled_by(service: str, events: Mapping[str, RawEvent]) -> set[str]:
    consumes = definition(service).consumes
    assert consumes is not None, f"{service} consumes nothing"
    found = set()
    for event_id, record in events.items():
        event = record.event()
        if record.topic in consumes.subscriptions and event and event.type in consumes.handlers:
            found.add(event_id)
    return found


async def wait_for_consumers(db: Databases, figures: EventFigures,
                             timeout: float = 120.0) -> dict[str, int]:
    """Each consumer's inbox holds exactly the events it handles, and it applied each
    aggregate's events in outbox order; returns the inbox sizes."""
    events = figures.events
    expected = {s: handled_by(s, events) for s in SERVICE_NAMES if definition(s).consumes}
    inboxes: dict[str, list[asyncpg.Record]] = {}

    async def caught_up() -> bool:
        for service in expected:
            rows = await db.rows(service, "SELECT event_id, consumer, processed_at FROM inbox "
                                 "ORDER BY processed_at")
            assert {r["consumer"] for r in rows} <= {f"{service}-service"}
            inboxes[service] = rows
            assert {r["event_id"] for r in rows} <= expected[service], \
                f"{service} applied unknown events"
        return all({r["event_id"] for r in inboxes[s]} == expected[s] for s in expected)

    await _until(caught_up, "every consumer applied every event", timeout)
    for service, rows in inboxes.items():
        # A fetch is applied in one transaction, in fetch order, and its inbox rows share one
        # `processed_at`: the inbox shows the order of transactions, so an aggregate's events,
        # taken in outbox order, must never go back to an earlier transaction.
        applied_at = {row["event_id"]: row["processed_at"] for row in rows}
        applied: dict[tuple[str, str], set[str]] = defaultdict(set)
        for row in rows:
            record = events[row["event_id"]]
            applied[(record.topic, str(record.key))].add(row["event_id"])
        for aggregate, ids in applied.items():
            times = [applied_at[i] for i in figures.order[aggregate] if i in ids]
            assert times == sorted(times), f"{service} applied {aggregate} out of order"
    return {service: len(rows) for service, rows in inboxes.items()}


async def check_projections(db: Databases, project_ids: list[str]) -> None:
    """The consumers' read models agree with the complaints service's own rows."""
    complaints = await db.rows("complaints", "SELECT id, status, project_id, category, "
                               "compound_id FROM complaints")
    views = await db.rows("acceptance", "SELECT complaint_id, status FROM complaint_views")
    on_sites = {r["id"]: r["status"] for r in complaints if r["project_id"]}
    assert {r["complaint_id"]: r["status"] for r in views} == on_sites
    records = await db.rows("property", "SELECT complaint_id FROM complaint_records")
    property_reports = {r["id"] for r in complaints
                        if r["category"] == "property_service" and r["compound_id"]}
    assert Counter(r["complaint_id"] for r in records) == Counter(property_reports)
    sites = await db.rows("complaints", "SELECT project_id FROM project_sites")
    assert sorted(r["project_id"] for r in sites) == sorted(project_ids)
    boards = await db.rows("projects", "SELECT project_id FROM site_boards")
    assert sorted(r["project_id"] for r in boards) == sorted(project_ids)

