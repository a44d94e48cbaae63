"""Consumer guarantees over both transports: Kafka + PostgreSQL, and the local bus + SQLite.

Redelivery applies nothing twice; poison goes to the dead-letter topic and the partition
moves on; unknown event types are skipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from shared.bus import Bus, LocalBus
from shared.bus.base import Consumer, IncomingMessage, OutgoingMessage
from shared.bus.kafka import KafkaBus
from shared.clock import utcnow
from shared.consumer import EventConsumer
from shared.db import INFRA_METADATA, Database, new_id
from shared.events import Event, make_event
from tests.integration.servers import scratch_database, unique
from tests.shared.notes_service import CONSUMES, DEFINITION, NoteRecorded, NoteSeen


@dataclass
class Transport:
    bus: Bus
    db: Database
    topic: str


@pytest.fixture(params=["kafka", "local"])
async def transport(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Transport]:
    topic = unique("notes")
    if request.param == "kafka":
        bootstrap = request.getfixturevalue("kafka_bootstrap")
        request.getfixturevalue("postgres_server")
        async with scratch_database() as url:
            db = Database(url)
            await _create_schema(db)
            yield Transport(KafkaBus(bootstrap), db, topic)
            await db.dispose()
    else:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'notes.db'}")
        await _create_schema(db)
        bus = LocalBus(f"sqlite+aiosqlite:///{tmp_path / 'bus.db'}")
        yield Transport(bus, db, topic)
        await bus.close()
        await db.dispose()


async def _create_schema(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.run_sync(INFRA_METADATA.create_all)
        await conn.run_sync(DEFINITION.metadata.create_all)


def _note_event(note_id: str, *, poison: bool = False) -> Event:
    return make_event(NoteRecorded(note_id=note_id, poison=poison), subject="notes",
                      source="/tests", time=utcnow())


async def _send(t: Transport, values: Sequence[bytes]) -> None:
    await t.bus.ensure_topics([t.topic])
    producer = t.bus.producer()
    await producer.start()
    try:
        results = await producer.send_batch(
            [OutgoingMessage(topic=t.topic, key="notes", value=v) for v in values]
        )
    finally:
        await producer.stop()
    assert results == [None] * len(values)


def _consumer(t: Transport, group: str, bus: Bus | None = None) -> EventConsumer:
    return EventConsumer(t.db, bus or t.bus, group=group, topics=[t.topic],
                         handlers=CONSUMES.handlers, stall_seconds=30)


async def _run_until(consumer: EventConsumer, done: object, timeout: float = 60) -> None:
    task = asyncio.create_task(consumer.run())
    try:
        async with asyncio.timeout(timeout):
            while not done():  # type: ignore[operator]
                if task.done():
                    task.result()
                await asyncio.sleep(0.05)
    finally:
        consumer.stop()
        await task


async def _times_applied(db: Database) -> dict[str, int]:
    async with db.sessions() as session:
        return {row.id: row.times_applied for row in (await session.scalars(select(NoteSeen)))}


async def test_rewound_offsets_apply_nothing_twice(transport: Transport) -> None:
    notes = [new_id() for _ in range(50)]
    await _send(transport, [_note_event(n).to_bytes() for n in notes])
    first = _consumer(transport, unique("g"))
    await _run_until(first, lambda: first.stats.applied == 50)

    # A group with no committed offsets reads everything again: the inbox drops it all.
    rewound = _consumer(transport, unique("g"))
    await _run_until(rewound, lambda: rewound.stats.duplicate == 50)

    assert rewound.stats.applied == 0
    assert await _times_applied(transport.db) == dict.fromkeys(notes, 1)


class _CrashOnFirstCommit:
    """Wraps a bus so the first offset commit dies, as a process killed right after applying."""

    def __init__(self, bus: Bus) -> None:
        self._bus = bus
        self.crashed = False

    def __getattr__(self, name: str) -> object:
        return getattr(self._bus, name)

    def consumer(self, group: str, topics: Sequence[str]) -> Consumer:
        inner = self._bus.consumer(group, topics)
        owner = self

        class Crashing:
            async def start(self) -> None:
                await inner.start()

            async def stop(self) -> None:
                await inner.stop()

            async def fetch(self, timeout: float, max_records: int) -> list[IncomingMessage]:
                return await inner.fetch(timeout, max_records)

            async def commit(self, positions: Mapping[tuple[str, int], int]) -> None:
                if not owner.crashed:
                    owner.crashed = True
                    raise RuntimeError("killed before committing offsets")
                await inner.commit(positions)

        return Crashing()


async def test_a_consumer_killed_before_committing_applies_nothing_twice(
    transport: Transport,
) -> None:
    notes = [new_id() for _ in range(30)]
    await _send(transport, [_note_event(n).to_bytes() for n in notes])
    crashing = _CrashOnFirstCommit(transport.bus)
    consumer = _consumer(transport, unique("g"), bus=crashing)  # type: ignore[arg-type]
    await _run_until(consumer, lambda: consumer.stats.applied == 30
                     and consumer.stats.duplicate >= 1)

    assert crashing.crashed and consumer.stats.restarts >= 1
    assert await _times_applied(transport.db) == dict.fromkeys(notes, 1)


async def test_poison_goes_to_the_dead_letter_topic_and_the_partition_moves_on(
    transport: Transport,
) -> None:
    before, after = new_id(), new_id()
    schema_breaking = _note_event(new_id()).model_copy(update={"data": {"wrong": 1}})
    unknown_type = _note_event(new_id()).model_copy(update={"type": "test.never_heard_of"})
    await _send(transport, [
        _note_event(before).to_bytes(),
        b"\xff not a cloud event",
        schema_breaking.to_bytes(),
        _note_event(new_id(), poison=True).to_bytes(),
        unknown_type.to_bytes(),
        _note_event(after).to_bytes(),
    ])
    consumer = _consumer(transport, unique("g"))
    await _run_until(consumer, lambda: consumer.stats.applied == 2
                     and consumer.stats.dead_lettered == 3)

    assert consumer.stats.skipped == 1
    assert await _times_applied(transport.db) == {before: 1, after: 1}
    letters = await _read_all(transport.bus, f"{transport.topic}.dlq", expected=3)
    errors = [dict(m.headers)["dlq-error"].decode() for m in letters]
    assert errors[0].startswith("invalid envelope")
    assert errors[1].startswith("invalid test.note_recorded payload")
    assert errors[2].startswith("handler failed: RuntimeError: poison note")
    assert letters[0].value == b"\xff not a cloud event"


async def _read_all(bus: Bus, topic: str, expected: int) -> list[IncomingMessage]:
    consumer = bus.consumer(unique("dlq-reader"), [topic])
    await consumer.start()
    found: list[IncomingMessage] = []
    try:
        async with asyncio.timeout(30):
            while len(found) < expected:
                found += await consumer.fetch(timeout=1.0, max_records=100)
    finally:
        await consumer.stop()
    return sorted(found, key=lambda m: (m.partition, m.offset))
