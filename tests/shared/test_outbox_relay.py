"""The outbox relay with a scripted producer, on SQLite and on PostgreSQL: order, failures,
stop, and one relay per database. (PostgreSQL-only behaviour: tests/integration.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from shared.db import Database
from shared.outbox import OutboxMessage, OutboxRelay
from tests.integration.servers import database_url_for
from tests.shared.outbox_support import (
    ScriptedProducer,
    SerialProducer,
    infra_database,
    per_key,
    unsent,
    write_events,
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with database_url_for(request, tmp_path / "outbox.db") as url:
        database = await infra_database(url)
        yield database
        await database.dispose()


async def test_every_row_goes_out_once_in_id_order(db: Database) -> None:
    written = await write_events(db, 53)
    producer = ScriptedProducer()
    relay = OutboxRelay(db, producer, batch_size=5, batches_in_flight=3)

    assert await relay.relay_once() == (53, True)

    assert producer.acked == [event_id for _, event_id in written]
    assert await unsent(db) == [] and await relay.backlog() == 0
    assert relay.published_total == 53
    # PostgreSQL: the acks of several batches overlap, within the bound; SQLite: one batch
    # per write transaction.
    if db.is_postgres:
        assert 2 <= producer.max_outstanding <= 3
    else:
        assert producer.max_outstanding == 1


async def test_a_message_that_cannot_be_queued_stops_the_relay_and_goes_out_again_in_order(
    db: Database,
) -> None:
    written = await write_events(db, 30)
    producer = ScriptedProducer()
    producer.fail_queue_at = 7  # the 8th message: second batch, third message
    relay = OutboxRelay(db, producer, batch_size=5, batches_in_flight=3)

    assert await relay.relay_once() == (7, False)
    # Nothing was handed over after the message that failed, not even rows already read.
    assert producer.queued == [event_id for _, event_id in written[:7]]
    assert await unsent(db) == [event_id for _, event_id in written[7:]]
    assert relay.last_error == "no metadata for the topic"

    assert await relay.relay_once() == (23, True)
    assert producer.acked == [event_id for _, event_id in written]


async def test_a_partition_refusing_records_gets_them_again_after_what_went_before(
    db: Database,
) -> None:
    written = await write_events(db, 40)
    producer = ScriptedProducer()

    async def partition_goes_away(call: int) -> None:
        if call == 2:
            producer.failing_key = "k2"

    producer.on_enqueue = partition_goes_away
    relay = OutboxRelay(db, producer, batch_size=5, batches_in_flight=3)

    published, complete = await relay.relay_once()
    assert not complete and published < 40
    async with db.sessions() as session:
        failed = (await session.execute(
            select(OutboxMessage.key, OutboxMessage.attempts, OutboxMessage.last_error)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts > 0)
        )).all()
    assert failed and {row.key for row in failed} == {"k2"}
    assert {row.last_error for row in failed} == {"partition leader not available"}

    producer.failing_key = None
    producer.on_enqueue = None
    while await relay.backlog():
        await relay.relay_once()
    assert sorted(producer.acked) == sorted(event_id for _, event_id in written)
    assert per_key(producer.acked, written) == per_key(
        [event_id for _, event_id in written], written)


async def test_stop_hands_over_nothing_more_and_marks_every_batch_handed_over(
    db: Database,
) -> None:
    await write_events(db, 40)
    producer = ScriptedProducer(ack_delay=0.01)
    relay = OutboxRelay(db, producer, batch_size=5, batches_in_flight=3)

    async def stop_now(call: int) -> None:
        if call == 2:
            relay.stop()

    producer.on_enqueue = stop_now
    assert await relay.relay_once() == (10, True)
    assert len(producer.queued) == 10 and producer.acked == producer.queued
    assert len(await unsent(db)) == 30


async def test_a_producer_that_cannot_queue_ahead_gets_one_batch_at_a_time(
    db: Database,
) -> None:
    written = await write_events(db, 23)
    producer = SerialProducer()
    relay = OutboxRelay(db, producer, batch_size=4)

    assert await relay.relay_once() == (23, True)
    assert producer.sent == [event_id for _, event_id in written]
    assert producer.max_concurrent == 1


async def test_two_relays_on_one_database_never_send_a_row_twice(db: Database) -> None:
    written = await write_events(db, 40)
    first, second = ScriptedProducer(), ScriptedProducer()
    relays = [OutboxRelay(db, first, batch_size=5), OutboxRelay(db, second, batch_size=5)]

    async with asyncio.timeout(30):
        await asyncio.gather(*(relay.relay_once() for relay in relays))
        while await relays[0].backlog():
            await relays[0].relay_once()

    delivered = first.acked + second.acked
    assert sorted(delivered) == sorted(event_id for _, event_id in written)


async def test_run_publishes_what_is_written_later_and_returns_on_stop(db: Database) -> None:
    producer = ScriptedProducer()
    relay = OutboxRelay(db, producer, batch_size=5, poll_seconds=5)
    task = asyncio.create_task(relay.run())
    written = await write_events(db, 12)
    relay.wake()
    async with asyncio.timeout(10):
        while relay.published_total < 12:
            await asyncio.sleep(0.01)
        relay.stop()
        await task
    assert producer.acked == [event_id for _, event_id in written]
