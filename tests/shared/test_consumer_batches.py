"""A fetch is applied in one transaction: the inbox drops redeliveries, batch handlers get runs.

Over SQLite (embedded) and PostgreSQL, with the local bus so a fetch holds what was sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from shared.bus import LocalBus
from shared.bus.base import IncomingMessage, OutgoingMessage
from shared.clock import utcnow
from shared.consumer import BatchHandler, Delivery, EventConsumer, Handler, Outcome
from shared.db import INFRA_METADATA, Database, new_id
from shared.events import Event, EventData, event_type, make_event
from shared.inbox import record_first_delivery, record_new_deliveries
from tests.integration.servers import database_url_for
from tests.shared.notes_service import NoteRecorded

TOPIC = "tallies.events"


@event_type("test.tally_counted", topic=TOPIC)
class TallyCounted(EventData):
    """A tally was counted."""

    tally: str


@pytest.fixture(params=["sqlite", "postgres"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with database_url_for(request, tmp_path / "tallies.db") as url:
        database = Database(url)
        await _create_schema(database)
        yield database
        await database.dispose()


async def _create_schema(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.run_sync(INFRA_METADATA.create_all)


class Recorder:
    """Handlers that note every call: runs for tallies, single calls for notes."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    @property
    def handlers(self) -> Mapping[str, Handler]:
        async def on_tallies(session: AsyncSession, deliveries: Sequence[Delivery]) -> None:
            tallies = [data.tally for data, _ in deliveries if isinstance(data, TallyCounted)]
            self.calls.append(("run", tallies))

        async def on_note(session: AsyncSession, data: EventData, event: Event) -> None:
            assert isinstance(data, NoteRecorded)
            self.calls.append(("one", [data.note_id]))

        return {"test.tally_counted": BatchHandler(on_tallies), "test.note_recorded": on_note}


def _tally(name: str) -> Event:
    return make_event(TallyCounted(tally=name), subject=name, source="/tests", time=utcnow())


def _note(note_id: str) -> Event:
    return make_event(NoteRecorded(note_id=note_id), subject=note_id, source="/tests",
                      time=utcnow())


async def _consume(db: Database, tmp_path: Path, events: Sequence[Event],
                   recorder: Recorder) -> EventConsumer:
    """Send `events`, then run one consumer until each has been applied or dropped."""
    bus = LocalBus(f"sqlite+aiosqlite:///{tmp_path / 'bus.db'}")
    await bus.ensure_topics([TOPIC])
    producer = bus.producer()
    await producer.start()
    await producer.send_batch([OutgoingMessage(topic=TOPIC, key=e.subject, value=e.to_bytes())
                               for e in events])
    await producer.stop()
    consumer = EventConsumer(db, bus, group=new_id(), topics=[TOPIC],
                             handlers=recorder.handlers)
    task = asyncio.create_task(consumer.run())
    try:
        async with asyncio.timeout(30):
            while consumer.stats.applied + consumer.stats.duplicate < len(events):
                await asyncio.sleep(0.02)
    finally:
        consumer.stop()
        await task
        await bus.close()
    return consumer


async def test_each_run_goes_to_its_batch_handler_in_one_call_and_in_order(
    db: Database, tmp_path: Path,
) -> None:
    recorder = Recorder()
    events = [_tally("a"), _tally("b"), _note("n"), _tally("c"), _tally("d"), _tally("e")]
    consumer = await _consume(db, tmp_path, events, recorder)
    assert recorder.calls == [("run", ["a", "b"]), ("one", ["n"]), ("run", ["c", "d", "e"])]
    assert (consumer.stats.applied, consumer.stats.duplicate) == (6, 0)


async def test_redeliveries_and_twins_in_one_fetch_are_applied_once(
    db: Database, tmp_path: Path,
) -> None:
    first, second = _tally("a"), _tally("b")
    async with db.transaction() as session:
        assert await record_first_delivery(session, event_id=first.id, event_type=first.type,
                                           consumer="g")
    recorder = Recorder()
    consumer = await _consume(db, tmp_path, [first, second, second], recorder)
    assert recorder.calls == [("run", ["b"])]
    assert (consumer.stats.applied, consumer.stats.duplicate) == (1, 2)


async def test_a_batch_handler_also_applies_a_single_message(db: Database) -> None:
    recorder = Recorder()
    consumer = EventConsumer(db, LocalBus("sqlite+aiosqlite:///:memory:"), group="g",
                             topics=[TOPIC], handlers=recorder.handlers)
    event = _tally("a")
    message = IncomingMessage(topic=TOPIC, partition=0, offset=0, key="a",
                              value=event.to_bytes())
    assert await consumer.process(message) is Outcome.APPLIED
    assert await consumer.process(message) is Outcome.DUPLICATE
    assert recorder.calls == [("run", ["a"])]


async def test_the_inbox_reports_which_deliveries_were_new(db: Database) -> None:
    async with db.transaction() as session:
        assert await record_new_deliveries(session, [("e1", "t"), ("e2", "t")],
                                           consumer="g") == {"e1", "e2"}
    async with db.transaction() as session:
        found = await record_new_deliveries(session, [("e2", "t"), ("e3", "t"), ("e3", "t")],
                                            consumer="g")
    assert found == {"e3"}
    async with db.transaction() as session:
        assert await record_new_deliveries(session, [], consumer="g") == set()
