"""4. End-to-end latency: 201 of `POST /complaints` -> the acceptance projection has it.

Complaints and acceptance run as two `bench.server` processes (BUS=kafka, scratch PostgreSQL
databases, fresh consumer groups positioned at the end of the shared topics). Reports are
offered open-loop at a fixed rate; each one names a project, so acceptance's
`on_complaint_changed` writes a `complaint_views` row for it. "Reflected" means that row is
visible to a reader: a poller in this process queries acceptance's database every
`POLL_SECONDS` for the ids still pending, so a latency is (first poll that sees the row) -
(201 received), both on this process's monotonic clock; the poll interval bounds the
over-estimate. A stage breakdown comes from the services' own timestamps afterwards
(outbox `created_at`/`sent_at` in complaints, inbox `processed_at` in acceptance).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bench.common import (
    CpuMeter,
    bench_env,
    commit_group_at_end,
    free_port,
    latency_summary,
    migrate,
    scratch_database,
    sqlalchemy_url,
    start_server,
    stop_server,
    unique,
)
from bench.intake import complaint_bodies
from bench.loadgen import Connection

POLL_SECONDS = 0.002


async def run(*, quick: bool, log_dir: Path, intake_capacity: float | None = None
              ) -> dict[str, Any]:
    """At the issue's 200/s, then (if given the intake capacity measured in this run) at
    half of it: the pipeline's own latency when the complaints service is not saturated."""
    rate, duration = (200.0, 10.0) if quick else (200.0, 60.0)
    from services.acceptance.app import DEFINITION as ACCEPTANCE
    from services.complaints.app import DEFINITION as COMPLAINTS
    from shared.events.topics import COMPLAINTS as COMPLAINT_TOPIC
    from shared.events.topics import PROJECTS, PROPERTY

    suffix = unique("bench").split("-")[1]
    async with scratch_database("e2e_complaints") as c_dsn, \
            scratch_database("e2e_acceptance") as a_dsn:
        await migrate(COMPLAINTS, c_dsn)
        await migrate(ACCEPTANCE, a_dsn)
        await commit_group_at_end(f"complaints-{suffix}-service", [PROJECTS, PROPERTY])
        await commit_group_at_end(f"acceptance-{suffix}-service", [PROJECTS, COMPLAINT_TOPIC])
        common = {"BUS": "kafka", "VAR_DIR": str(log_dir / "var"),
                  "COMPLAINTS_RATE_LIMIT": "1000000/second"}
        complaints = await start_server(
            "e2e-complaints", "complaints", free_port(),
            bench_env(COMPLAINTS_DATABASE_URL=sqlalchemy_url(c_dsn), **common), log_dir,
            group_suffix=suffix)
        try:
            acceptance = await start_server(
                "e2e-acceptance", "acceptance", free_port(),
                bench_env(ACCEPTANCE_DATABASE_URL=sqlalchemy_url(a_dsn), **common), log_dir,
                group_suffix=suffix)
            try:
                await _warm_up(complaints.base, a_dsn)
                meter = CpuMeter(servers={"complaints": complaints.pid,
                                          "acceptance": acceptance.pid})
                meter.start()
                since = datetime.now(UTC)
                result = await _offer(complaints.base, a_dsn, rate=rate, duration=duration)
                result["cpu_cores"] = meter.stop()
                result["stages"] = await _stages(c_dsn, a_dsn, since)
                if intake_capacity:
                    result["below_saturation"] = await _below_saturation(
                        complaints.base, c_dsn, a_dsn, min(rate, intake_capacity / 2),
                        duration / 2, meter)
            finally:
                stop_server(acceptance)
        finally:
            stop_server(complaints)
    return result


async def _below_saturation(base: tuple[str, int], c_dsn: str, a_dsn: str, rate: float,
                            duration: float, meter: CpuMeter) -> dict[str, Any]:
    await asyncio.sleep(5)  # let the first run's backlog drain
    meter.start()
    since = datetime.now(UTC)
    result = await _offer(base, a_dsn, rate=round(rate, 1), duration=duration)
    result["cpu_cores"] = meter.stop()
    result["stages"] = await _stages(c_dsn, a_dsn, since)
    return result


async def _warm_up(base: tuple[str, int], a_dsn: str) -> None:
    """File a few reports and wait until they are projected (joins, metadata, caches)."""
    result = await _offer(base, a_dsn, rate=20.0, duration=2.0, settle=30.0)
    if result["lost"]:
        raise RuntimeError("warm-up reports never reached the acceptance projection")


async def _offer(base: tuple[str, int], a_dsn: str, *, rate: float, duration: float,
                 settle: float = 10.0) -> dict[str, Any]:
    bodies = complaint_bodies(int(rate * duration) + 1, projects=500)
    host, port = base
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(32):
        pool.put_nowait(await Connection.open(host, port))
    pending: dict[str, float] = {}
    latencies: list[float] = []
    post_latencies: list[float] = []
    failures = 0
    stop = asyncio.Event()

    async def post(body: bytes) -> None:
        nonlocal failures
        conn = await pool.get()
        sent = time.monotonic()
        try:
            status, raw = await conn.request("POST", "/complaints", body)
        finally:
            pool.put_nowait(conn)
        created = time.monotonic()
        post_latencies.append(created - sent)
        if status != 201:
            failures += 1
            return
        pending[json.loads(raw)["id"]] = created

    async def poll() -> None:
        db = await asyncpg.connect(a_dsn)
        try:
            while not (stop.is_set() and not pending):
                if pending:
                    found = await db.fetch(
                        "SELECT complaint_id FROM complaint_views "
                        "WHERE complaint_id = any($1::text[])", list(pending))
                    seen = time.monotonic()
                    for row in found:
                        latencies.append(seen - pending.pop(row["complaint_id"]))
                await asyncio.sleep(POLL_SECONDS)
        finally:
            await db.close()

    poller = asyncio.create_task(poll())
    posts: list[asyncio.Task[None]] = []
    started = time.monotonic()
    for i, body in enumerate(bodies[: int(rate * duration)]):
        delay = started + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        posts.append(asyncio.create_task(post(body)))
    await asyncio.gather(*posts)
    offered_for = time.monotonic() - started
    stop.set()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(poller, settle)
    while not pool.empty():
        pool.get_nowait().close()
    return {
        "offered_rate_per_s": rate,
        "achieved_rate_per_s": round(len(posts) / offered_for, 1),
        "duration_s": duration,
        "reports": len(posts),
        "non_201": failures,
        "projected": len(latencies),
        "lost": len(pending),
        "poll_interval_ms": POLL_SECONDS * 1000,
        "post_latency": latency_summary(post_latencies),
        "end_to_end": latency_summary(latencies) if latencies else {},
    }


async def _stages(c_dsn: str, a_dsn: str, since: datetime) -> dict[str, Any]:
    """Per-event stage times from the services' own clocks (same host clock)."""
    c = await asyncpg.connect(c_dsn)
    a = await asyncpg.connect(a_dsn)
    try:
        sent = {r["event_id"]: (r["created_at"], r["sent_at"]) for r in await c.fetch(
            "SELECT event_id, created_at, sent_at FROM outbox "
            "WHERE sent_at IS NOT NULL AND created_at >= $1", since)}
        applied = {r["event_id"]: r["processed_at"] for r in await a.fetch(
            "SELECT event_id, processed_at FROM inbox")}
    finally:
        await c.close()
        await a.close()
    relay = [(s - c0).total_seconds() for c0, s in sent.values()]
    consume = [(applied[e] - s).total_seconds() for e, (_, s) in sent.items() if e in applied]
    return {
        "commit_to_kafka_ack": latency_summary(relay) if relay else {},
        "relay_marked_sent_to_inbox_processed": latency_summary(consume) if consume else {},
    }
