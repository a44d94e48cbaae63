"""The outbox on real PostgreSQL: per-key locks in the INSERT, the relay lock, pipelining."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import delete, event, select, text

from shared.clock import utcnow
from shared.db import Database, new_id
from shared.events import Event
from shared.outbox import OutboxMessage, OutboxRelay, add_event
from shared.staging import _LOCKED_INSERT
from tests.shared.outbox_support import ScriptedProducer, infra_database, write_events

pytestmark = [pytest.mark.postgres]

_RELAY_LOCKS = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
    "AND classid = 25455 AND objid = 28013 AND objsubid = 2"  # (0x636F, 0x6D6D)
)
_KEY_LOCKS = text(  # held or awaited, for the bigint key of `key`
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 "
    "AND ((classid::bigint << 32) | objid::bigint) = hashtextextended(:key, 0)"
)


@pytest.fixture
async def db(pg_url: str) -> AsyncIterator[Database]:
    database = await infra_database(pg_url)
    yield database
    await database.dispose()


def _event(key: str) -> Event:
    return Event(id=new_id(), source="/tests/outbox", type="test.outbox_checked", subject=key,
                 time=utcnow(), data={})


async def _publish(db: Database, *keys: str) -> None:
    async with db.transaction() as session:
        for key in keys:
            await add_event(session, "outbox-test", _event(key))


async def _scalar(db: Database, query: Any, **params: Any) -> Any:
    async with db.engine.connect() as conn:
        return await conn.scalar(query, params)


async def test_a_publishing_transaction_is_one_statement_that_locks_the_keys(
    db: Database,
) -> None:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        await _publish(db, "c", "a", "b", "a")
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)

    assert len(statements) == 1 and "pg_advisory_xact_lock" in statements[0]
    async with db.sessions() as session:
        keys = (await session.scalars(select(OutboxMessage.key).order_by(OutboxMessage.id))).all()
    assert keys == ["c", "a", "b", "a"]  # ids in staging order


async def test_a_writer_waits_for_the_key_lock_before_taking_ids_and_locks_in_key_order(
    db: Database,
) -> None:
    """Writers of a key are serialised from taking an id to committing; keys lock sorted."""
    await _publish(db, "a")  # the sequence exists and has a value
    ids_before = await _scalar(db, text("SELECT last_value FROM outbox_id_seq"))
    async with db.engine.connect() as holder:  # a writer of "b" between its id and its commit
        await holder.execute(text("SELECT pg_advisory_xact_lock(hashtextextended('b', 0))"))
        writer = asyncio.create_task(_publish(db, "c", "b", "a"))
        await asyncio.sleep(0.5)
        assert not writer.done()
        # It holds "a", waits for "b", and has not touched "c" nor taken any id yet.
        assert await _scalar(db, _KEY_LOCKS, key="a") == 1
        assert await _scalar(db, _KEY_LOCKS, key="b") == 2
        assert await _scalar(db, _KEY_LOCKS, key="c") == 0
        assert await _scalar(db, text("SELECT last_value FROM outbox_id_seq")) == ids_before
        await holder.rollback()
    async with asyncio.timeout(10):
        await writer
    assert await _scalar(db, text("SELECT last_value FROM outbox_id_seq")) == ids_before + 3


async def test_the_plan_takes_the_key_locks_sorted_before_any_id(db: Database) -> None:
    """The ordering argument of `_LOCKED_INSERT`, checked on this server's planner."""
    async with db.engine.connect() as conn:
        plan = [row[0] for row in await conn.execute(
            text("EXPLAIN (VERBOSE, COSTS OFF) " + _LOCKED_INSERT.text),
            {"created_at": utcnow(), "event_ids": ["e1"], "topics": ["t"], "keys": ["k"],
             "event_types": ["x"], "payloads": [b"{}"], "lock_keys": ["k"]},
        )]
        await conn.rollback()

    def line(needle: str) -> int:
        found = [i for i, text_ in enumerate(plan) if needle in text_]
        assert found, f"{needle!r} not in the plan:\n" + "\n".join(plan)
        return found[0]

    # Top-down: ids are drawn above the gate whose InitPlan takes the locks, and the
    # locks are taken above (after) the sort by key.
    assert line("nextval") < line("One-Time Filter") < line("InitPlan")
    assert line("pg_advisory_xact_lock") < line('Sort Key: ((k.k)::text) COLLATE "C"')


async def _relay_locks(db: Database) -> int:
    return int(await _scalar(db, _RELAY_LOCKS))


async def test_one_relay_per_database_and_the_lock_is_let_go_after(db: Database) -> None:
    await write_events(db, 12)
    release = asyncio.Event()
    first = ScriptedProducer()

    async def hold(call: int) -> None:
        await release.wait()

    first.on_enqueue = hold
    first_relay = OutboxRelay(db, first, batch_size=5)
    running = asyncio.create_task(first_relay.relay_once())
    async with asyncio.timeout(10):
        while first.calls == 0:
            await asyncio.sleep(0.01)
    assert await _relay_locks(db) == 1

    second = ScriptedProducer()
    assert await OutboxRelay(db, second, batch_size=5).relay_once() == (0, True)
    assert second.calls == 0

    release.set()
    assert await running == (12, True)
    assert await _relay_locks(db) == 0  # not left behind on a pooled connection


async def test_the_relay_lock_is_let_go_when_publishing_fails(db: Database) -> None:
    await write_events(db, 3)
    producer = ScriptedProducer()

    async def broken(call: int) -> None:
        raise RuntimeError("producer bug")

    producer.on_enqueue = broken
    relay = OutboxRelay(db, producer, batch_size=5)
    with pytest.raises(RuntimeError, match="producer bug"):
        await relay.relay_once()
    assert await _relay_locks(db) == 0
    producer.on_enqueue = None
    assert await relay.relay_once() == (3, True)


async def test_a_relay_cancelled_mid_batch_leaves_no_lock_behind(db: Database) -> None:
    await write_events(db, 3)
    producer = ScriptedProducer()

    async def forever(call: int) -> None:
        await asyncio.Event().wait()

    producer.on_enqueue = forever
    running = asyncio.create_task(OutboxRelay(db, producer, batch_size=5).relay_once())
    async with asyncio.timeout(10):
        while producer.calls == 0:
            await asyncio.sleep(0.01)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert await _relay_locks(db) == 0



async def test_a_row_committed_late_below_rows_in_flight_is_still_sent_once(
    db: Database,
) -> None:
    """The relay re-reads every unsent row but those in flight: no "last id seen"."""
    written = await write_events(db, 20)
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    async with db.sessions() as session:
        late = (await session.execute(select(table).where(table.c.id == 3))).one()._asdict()
    async with db.transaction() as session:
        await session.execute(delete(table).where(table.c.id == 3))

    async def commit_late_row(call: int) -> None:
        if call == 2:  # rows 1..6 are in flight, 7.. are being read: row 3 shows up now
            async with db.transaction() as session:
                await session.execute(table.insert().values(**late))

    producer = ScriptedProducer()
    producer.on_enqueue = commit_late_row
    relay = OutboxRelay(db, producer, batch_size=5, batches_in_flight=3)

    assert await relay.relay_once() == (20, True)

    assert sorted(producer.acked) == sorted(event_id for _, event_id in written)
    assert len(producer.acked) == 20  # nothing in flight was read twice
    assert producer.acked.index(late["event_id"]) >= 5  # after the batch it was missing from
