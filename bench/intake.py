"""1. Intake: `POST /complaints` vs a raw-INSERT endpoint in the same process, A/B/A/B."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bench.common import (
    CpuMeter,
    bench_env,
    commit_group_at_end,
    free_port,
    latency_summary,
    median,
    migrate,
    scratch_database,
    sqlalchemy_url,
    start_server,
    stop_server,
    unique,
)
from bench.loadgen import ClosedLoopResult, closed_loop
from bench.server import BASELINE_DDL

CATEGORIES = ("noise", "dust", "safety", "access", "quality", "utility_outage", "other")


def complaint_bodies(count: int, *, projects: int = 1000) -> list[bytes]:
    """Realistic resident reports: a project on a known community, a location, a phone."""
    bodies = []
    for i in range(count):
        project = i * 7919 % projects
        body = {
            "category": CATEGORIES[i % len(CATEGORIES)],
            "project_id": f"p-{project:06d}",
            "community_id": f"c-{project % 50:03d}",
            "description": "Drilling after 22:00 next to building 3; please check the "
                           f"permitted quiet hours (report {i}).",
            "location": {"lat": 24.4798 + (i % 100) / 10000, "lng": 118.0894},
            "contact": {"name": "Resident", "phone": f"138{i % 100000000:08d}"},
        }
        bodies.append(json.dumps(body).encode())
    return bodies


def _summary(run: ClosedLoopResult, cpu: dict[str, float], expected: int) -> dict[str, Any]:
    return {
        "requests_per_s": round(run.ok(expected) / run.elapsed, 1),
        "requests": run.requests,
        "non_201": run.requests - run.ok(expected),
        # CPU per request is far less sensitive than req/s to other load on the host
        "server_cpu_ms_per_request": round(cpu["server"] * run.elapsed / max(1, run.requests)
                                           * 1000, 3),
        **latency_summary(run.latencies),
        "cpu_cores": cpu,
    }


async def run(*, quick: bool, log_dir: Path) -> dict[str, Any]:
    duration, pairs, concurrency = (4.0, 2, 16) if quick else (15.0, 3, 16)
    bodies = complaint_bodies(2000)
    from services.complaints.app import DEFINITION
    from shared.events.topics import PROJECTS, PROPERTY

    async with scratch_database("intake") as dsn:
        await migrate(DEFINITION, dsn)
        conn = await asyncpg.connect(dsn)
        await conn.execute(BASELINE_DDL)
        await conn.close()
        suffix = unique("bench").split("-")[1]
        await commit_group_at_end(f"complaints-{suffix}-service", [PROJECTS, PROPERTY])
        env = bench_env(BUS="kafka", COMPLAINTS_DATABASE_URL=sqlalchemy_url(dsn),
                        COMPLAINTS_RATE_LIMIT="1000000/second", VAR_DIR=str(log_dir / "var"))
        server = await start_server("intake-complaints", "complaints", free_port(), env, log_dir,
                                    baseline=True, group_suffix=suffix)
        try:
            return await _measure(server.base, server.pid, bodies, duration=duration,
                                  pairs=pairs, concurrency=concurrency, dsn=dsn)
        finally:
            stop_server(server)


async def _measure(base: tuple[str, int], pid: int, bodies: list[bytes], *, duration: float,
                   pairs: int, concurrency: int, dsn: str) -> dict[str, Any]:
    host, port = base

    def suite_request(i: int) -> tuple[str, str, bytes, dict[str, str]]:
        return "POST", "/complaints", bodies[i % len(bodies)], {}

    def baseline_request(i: int) -> tuple[str, str, bytes, dict[str, str]]:
        return "POST", "/bench/baseline", bodies[i % len(bodies)], {}

    # warm both paths (connection pool, JIT-less caches, Kafka metadata) before counting
    for make in (suite_request, baseline_request):
        await closed_loop(host, port, make, concurrency=concurrency, duration=2.0)
    runs: dict[str, list[dict[str, Any]]] = {"suite": [], "baseline": []}
    for _ in range(pairs):
        for side, make in (("suite", suite_request), ("baseline", baseline_request)):
            meter = CpuMeter(servers={"server": pid})
            meter.start()
            result = await closed_loop(host, port, make, concurrency=concurrency,
                                       duration=duration)
            runs[side].append(_summary(result, meter.stop(), 201))
    ratios = [s["requests_per_s"] / b["requests_per_s"]
              for s, b in zip(runs["suite"], runs["baseline"], strict=True)]
    conn = await asyncpg.connect(dsn)
    try:
        backlog = await conn.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
        filed = await conn.fetchval("SELECT count(*) FROM complaints")
        events = await conn.fetchval("SELECT count(*) FROM outbox")
    finally:
        await conn.close()
    return {
        "concurrency": concurrency,
        "duration_s": duration,
        "order": "/".join(["A", "B"] * pairs),
        "suite": _side(runs["suite"]),
        "baseline": _side(runs["baseline"]),
        "pair_ratios": [round(r, 3) for r in ratios],
        "intake_ratio": round(median(ratios), 3),
        "cpu_per_request_ratio": round(
            median(b["server_cpu_ms_per_request"] / s["server_cpu_ms_per_request"]
                   for s, b in zip(runs["suite"], runs["baseline"], strict=True)), 3),
        "complaints_filed": filed,
        "outbox_events": events,
        "outbox_unsent_after_run": backlog,
        "runs": runs,
    }


def _side(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def med(key: str) -> float:
        return round(median(r[key] for r in runs), 2)

    cpu_keys = runs[0]["cpu_cores"].keys()
    return {
        "requests_per_s": med("requests_per_s"),
        "p50_ms": med("p50_ms"),
        "p99_ms": med("p99_ms"),
        "server_cpu_ms_per_request": med("server_cpu_ms_per_request"),
        "cpu_cores": {k: round(median(r["cpu_cores"][k] for r in runs), 3) for k in cpu_keys},
    }
