"""3. Consume: events/s applied by a service consumer vs a raw aiokafka consumer, A/B/A/B.

The same topic (3 partitions, pre-filled with `complaint.received` envelopes) is read by:
- suite: `shared.consumer.EventConsumer` with the acceptance service's real handler table on
  a migrated acceptance database (parse, validate, inbox + handler in one transaction per
  event, offsets committed per fetched batch);
- baseline: a raw `AIOKafkaConsumer` with the same settings (no auto-commit,
  read_committed, earliest) that reads and commits per fetched batch and does nothing else;
- reference (not part of the ratio): the raw consumer plus one raw INSERT per event in its
  own transaction, the least database work an at-least-once consumer can do.
Each rate runs from the first event seen to the last, so group joins are not counted.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

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


async def _fill_topic(topic: str, count: int) -> None:
    await ensure_topics([topic])
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA_BOOTSTRAP, acks="all",
                                enable_idempotence=True, linger_ms=5)
    await producer.start()
    try:
        futures = [await producer.send(m.topic, m.value, key=m.key.encode(),
                                       headers=list(m.headers))
                   for m in complaint_events(count, topic)]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


class _Progress:
    """First/last time a counter moved, for rates that exclude start-up."""

    def __init__(self) -> None:
        self.first_at: float | None = None
        self.first_count = 0

    def seen(self, count: int) -> None:
        if self.first_at is None and count > 0:
            self.first_at, self.first_count = time.perf_counter(), count

    def rate(self, count: int) -> float:
        assert self.first_at is not None
        return (count - self.first_count) / (time.perf_counter() - self.first_at)


async def _suite_side(dsn: str, topic: str, count: int) -> dict[str, Any]:
    from services.acceptance.handlers import CONSUMES
    from shared.bus.kafka import KafkaBus
    from shared.consumer import EventConsumer
    from shared.db import Database

    db = Database(sqlalchemy_url(dsn))
    consumer = EventConsumer(db, KafkaBus(KAFKA_BOOTSTRAP), group=unique("bench-consume"),
                             topics=[topic], handlers=CONSUMES.handlers)
    task = asyncio.create_task(consumer.run())
    progress = _Progress()
    meter = CpuMeter(self_name="bench_process (consumer)")
    try:
        async with asyncio.timeout(600):
            while consumer.stats.applied < count:
                await asyncio.sleep(0.002)
                if progress.first_at is None and consumer.stats.applied:
                    progress.seen(consumer.stats.applied)
                    meter.start()
                if task.done():
                    raise RuntimeError("consumer stopped") from task.exception()
        rate = progress.rate(consumer.stats.applied)
        cpu = meter.stop()
    finally:
        consumer.stop()
        await asyncio.wait([task], timeout=15)
        task.cancel()
        await db.dispose()
    if consumer.stats.dead_lettered or consumer.stats.skipped:
        raise RuntimeError(f"unexpected outcomes: {consumer.stats}")
    return _side_result(rate, cpu)


async def _raw_side(topic: str, count: int, *, insert_dsn: str | None) -> dict[str, Any]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=KAFKA_BOOTSTRAP, group_id=unique("bench-raw"),
        enable_auto_commit=False, auto_offset_reset="earliest",
        isolation_level="read_committed", session_timeout_ms=10000,
        heartbeat_interval_ms=2000, retry_backoff_ms=250,
    )
    db = await asyncpg.connect(insert_dsn) if insert_dsn else None
    await consumer.start()
    progress = _Progress()
    meter = CpuMeter(self_name="bench_process (raw consumer)")
    seen = 0
    try:
        async with asyncio.timeout(600):
            while seen < count:
                batches = await consumer.getmany(timeout_ms=1000, max_records=200)
                for records in batches.values():
                    for record in records:
                        if db is not None:
                            await db.execute(
                                "INSERT INTO bench_consumed (key, body) VALUES ($1, $2)",
                                record.key, record.value)
                    seen += len(records)
                if batches:
                    await consumer.commit()
                if progress.first_at is None and seen:
                    progress.seen(seen)
                    meter.start()
        rate = progress.rate(seen)
        cpu = meter.stop()
    finally:
        await consumer.stop()
        if db is not None:
            await db.close()
    return _side_result(rate, cpu)


def _side_result(rate: float, cpu: dict[str, float]) -> dict[str, Any]:
    own = next(v for k, v in cpu.items() if k.startswith("bench_process"))
    return {"events_per_s": round(rate, 1), "cpu_us_per_event": round(own / rate * 1e6, 1),
            "cpu_cores": cpu}


async def run(*, quick: bool) -> dict[str, Any]:
    count, pairs = (2000, 2) if quick else (10000, 2)
    from services.acceptance.app import DEFINITION

    topic = unique("bench-consume")
    await _fill_topic(topic, count)
    runs: dict[str, list[dict[str, Any]]] = {"suite": [], "baseline": [], "reference": []}
    for _ in range(pairs):
        async with scratch_database("consume") as dsn:
            await migrate(DEFINITION, dsn)
            conn = await asyncpg.connect(dsn)
            await conn.execute("CREATE TABLE bench_consumed (id bigserial PRIMARY KEY, "
                               "key bytea, body bytea NOT NULL)")
            await conn.close()
            runs["suite"].append(await _suite_side(dsn, topic, count))
            runs["baseline"].append(await _raw_side(topic, count, insert_dsn=None))
            runs["reference"].append(await _raw_side(topic, count, insert_dsn=dsn))
    ratios = [s["events_per_s"] / b["events_per_s"]
              for s, b in zip(runs["suite"], runs["baseline"], strict=True)]
    ref_ratios = [s["events_per_s"] / r["events_per_s"]
                  for s, r in zip(runs["suite"], runs["reference"], strict=True)]
    return {
        "events_per_run": count,
        "order": "/".join(["A", "B", "ref"] * pairs),
        "suite_events_per_s": round(median(r["events_per_s"] for r in runs["suite"]), 1),
        "baseline_events_per_s": round(median(r["events_per_s"] for r in runs["baseline"]), 1),
        "reference_one_insert_events_per_s":
            round(median(r["events_per_s"] for r in runs["reference"]), 1),
        "pair_ratios": [round(r, 3) for r in ratios],
        "consume_ratio": round(median(ratios), 4),
        "suite_cpu_us_per_event": median(r["cpu_us_per_event"] for r in runs["suite"]),
        "suite_vs_one_insert_reference": round(median(ref_ratios), 3),
        "runs": runs,
    }
