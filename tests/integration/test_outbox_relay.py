"""The outbox relay over real PostgreSQL and Kafka, with the broker stopped mid-stream."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import func, select

from shared.bus.kafka import KafkaBus
from shared.clock import utcnow
from shared.db import INFRA_METADATA, Database, new_id
from shared.events import Event
from shared.outbox import OutboxMessage, OutboxRelay, add_event
from tests.integration.servers import kafka, unique

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

EVENTS = 5_000
WRITERS = 20
KEYS = [f"aggregate-{i}" for i in range(40)]


def _event(key: str, n: int) -> Event:
    return Event(id=new_id(), source="/tests/relay", type="test.relay_checked", subject=key,
                 time=utcnow(), data={"n": n})


async def _writer(db: Database, topic: str, quota: int, seed: int) -> int:
    rng = random.Random(seed)
    written = 0
    while written < quota:
        batch = min(rng.randint(1, 5), quota - written)
        async with db.transaction() as session:
            for _ in range(batch):
                await add_event(session, topic, _event(rng.choice(KEYS), written))
                written += 1
            await asyncio.sleep(rng.random() / 500)  # hold the transaction open a little
    return written


async def _consume_all(bootstrap: str, topic: str, expected: int) -> list[tuple[str, str]]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=unique("verify"),
                                auto_offset_reset="earliest", enable_auto_commit=False,
                                isolation_level="read_committed")
    await consumer.start()
    seen: list[tuple[str, str]] = []
    try:
        async with asyncio.timeout(120):
            while len(seen) < expected:
                batches = await consumer.getmany(timeout_ms=1000)
                for records in batches.values():
                    seen += [(r.key.decode(), Event.from_bytes(r.value).id) for r in records]
        # Anything beyond `expected` would be a duplicate: give it a moment to show up.
        extra = await consumer.getmany(timeout_ms=2000)
        seen += [(r.key.decode(), Event.from_bytes(r.value).id)
                 for records in extra.values() for r in records]
    finally:
        await consumer.stop()
    return seen


async def test_every_event_reaches_kafka_once_in_key_order_across_a_broker_restart(
    kafka_bootstrap: str, pg_url: str
) -> None:
    topic = unique("relay")
    bus = KafkaBus(kafka_bootstrap, request_timeout_ms=30000)
    await bus.ensure_topics([topic])
    db = Database(pg_url, pool_size=WRITERS)
    async with db.engine.begin() as conn:
        await conn.run_sync(INFRA_METADATA.create_all)
    relay = OutboxRelay(db, bus.producer(), batch_size=200, poll_seconds=0.05)
    relay_task = asyncio.create_task(relay.run())
    writers = [asyncio.create_task(_writer(db, topic, EVENTS // WRITERS, seed))
               for seed in range(WRITERS)]
    try:
        while relay.published_total < EVENTS // 4:
            await asyncio.sleep(0.05)
        await asyncio.to_thread(kafka, "stop")
        await asyncio.sleep(2)
        assert await relay.backlog() > 0  # writes went on and queued while Kafka was away
        await asyncio.to_thread(kafka, "start")
        assert sum(await asyncio.gather(*writers)) == EVENTS  # writers never failed
        async with asyncio.timeout(180):
            while await relay.backlog():
                await asyncio.sleep(0.2)
    finally:
        relay_task.cancel()
        await asyncio.gather(relay_task, return_exceptions=True)

    async with db.sessions() as session:
        rows = (await session.execute(
            select(OutboxMessage.key, OutboxMessage.event_id).order_by(OutboxMessage.id)
        )).all()
        unsent = await session.scalar(select(func.count()).select_from(OutboxMessage)
                                      .where(OutboxMessage.sent_at.is_(None)))
    await db.dispose()
    assert len(rows) == EVENTS and unsent == 0

    seen = await _consume_all(kafka_bootstrap, topic, EVENTS)
    ids = [event_id for _, event_id in seen]
    assert len(ids) == EVENTS, f"{len(ids) - EVENTS} duplicates or losses"
    assert set(ids) == {event_id for _, event_id in rows}

    committed_order: dict[str, list[str]] = defaultdict(list)
    for key, event_id in rows:
        committed_order[key].append(event_id)
    delivered_order: dict[str, list[str]] = defaultdict(list)
    for key, event_id in seen:
        delivered_order[key].append(event_id)
    assert delivered_order == committed_order
