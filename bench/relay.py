"""2. Relay: events/s from a filled outbox to Kafka vs a raw aiokafka producer, A/B/A/B.

Both send the same envelopes (same keys, headers, sizes) to fresh 3-partition topics with
the same producer settings (`acks=all`, idempotent, linger 5 ms, no compression). The suite
side is `OutboxRelay.relay_once`, exactly what `OutboxRelay.run` calls while there is a
backlog: batches read in id order and handed to the producer one after another, up to four
read and not yet marked; while one is handed over, batches whose acks are in are marked
sent (one UPDATE each) and the next rows are read.
The baseline sends every message without waiting and then waits for all the acks: the
fastest a raw producer can go, with no database at all.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from aiokafka import AIOKafkaProducer

from bench.common import (
    KAFKA_BOOTSTRAP,
    CpuMeter,
    ensure_topics,
    median,
    migrate,
    scratch_database,
    sqlalchemy_url,
    unique,
)
from bench.events import complaint_events
from shared.bus.base import OutgoingMessage


async def _fill_outbox(dsn: str, messages: list[OutgoingMessage]) -> None:
    now = datetime.now(UTC)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table(
            "outbox",
            columns=["event_id", "topic", "key", "event_type", "payload", "created_at",
                     "attempts"],
            records=[(f"{m.topic}-{i}", m.topic, m.key, "complaint.received", m.value, now, 0)
                     for i, m in enumerate(messages)],
        )
        await conn.execute("ANALYZE outbox")
    finally:
        await conn.close()


async def _suite_side(dsn: str, messages: list[OutgoingMessage]) -> dict[str, Any]:
    from shared.bus.kafka import KafkaBus
    from shared.db import Database
    from shared.outbox import OutboxRelay

    topic = unique("bench-relay")
    await ensure_topics([topic])
    await _fill_outbox(dsn, [replace(m, topic=topic) for m in messages])
    db = Database(sqlalchemy_url(dsn))
    producer = KafkaBus(KAFKA_BOOTSTRAP).producer()
    relay = OutboxRelay(db, producer)  # the service default batch size
    await producer.start()
    try:
        meter = CpuMeter(self_name="bench_process (relay)")
        meter.start()
        started = time.perf_counter()
        while relay.published_total < len(messages):
            _, complete = await relay.relay_once()
            if not complete:
                raise RuntimeError(f"relay failed: {relay.last_error}")
        elapsed = time.perf_counter() - started
        cpu = meter.stop()
    finally:
        await producer.stop()
        await db.dispose()
    return _side_result(len(messages), elapsed, cpu)


async def _baseline_side(messages: list[OutgoingMessage]) -> dict[str, Any]:
    topic = unique("bench-relay-raw")
    await ensure_topics([topic])
    producer = AIOKafkaProducer(
        bootstrap_servers=KAFKA_BOOTSTRAP, acks="all", enable_idempotence=True, linger_ms=5,
        retry_backoff_ms=250, compression_type=None,
    )
    await producer.start()
    try:
        meter = CpuMeter(self_name="bench_process (raw producer)")
        meter.start()
        started = time.perf_counter()
        futures = [
            await producer.send(topic, m.value, key=m.key.encode(), headers=list(m.headers))
            for m in messages
        ]
        await asyncio.gather(*futures)
        elapsed = time.perf_counter() - started
        cpu = meter.stop()
    finally:
        await producer.stop()
    return _side_result(len(messages), elapsed, cpu)


def _side_result(count: int, elapsed: float, cpu: dict[str, float]) -> dict[str, Any]:
    own = next(v for k, v in cpu.items() if k.startswith("bench_process"))
    return {"events_per_s": round(count / elapsed, 1), "seconds": round(elapsed, 3),
            "cpu_us_per_event": round(own * elapsed / count * 1e6, 1), "cpu_cores": cpu}


async def run(*, quick: bool) -> dict[str, Any]:
    count, pairs = (3000, 2) if quick else (20000, 3)
    from services.complaints.app import DEFINITION

    messages = complaint_events(count, "unused")
    runs: dict[str, list[dict[str, Any]]] = {"suite": [], "baseline": []}
    async with scratch_database("relay") as dsn:
        await migrate(DEFINITION, dsn)
        # warm-up: topic metadata, connections, statement caches on both sides
        await _suite_side(dsn, messages[:500])
        await _baseline_side(messages[:500])
        for _ in range(pairs):
            runs["suite"].append(await _suite_side(dsn, messages))
            runs["baseline"].append(await _baseline_side(messages))
    ratios = [s["events_per_s"] / b["events_per_s"]
              for s, b in zip(runs["suite"], runs["baseline"], strict=True)]
    return {
        "events_per_run": count,
        "order": "/".join(["A", "B"] * pairs),
        "suite_events_per_s": round(median(r["events_per_s"] for r in runs["suite"]), 1),
        "baseline_events_per_s": round(median(r["events_per_s"] for r in runs["baseline"]), 1),
        "pair_ratios": [round(r, 3) for r in ratios],
        "relay_ratio": round(median(ratios), 3),
        "suite_cpu_us_per_event": median(r["cpu_us_per_event"] for r in runs["suite"]),
        "baseline_cpu_us_per_event": median(r["cpu_us_per_event"] for r in runs["baseline"]),
        "runs": runs,
    }
