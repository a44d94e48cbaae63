"""Faults under load, as deployed: four service processes, PostgreSQL, Kafka.

While a paced load of mixed writes runs (complaints and their workflow, property-service
complaints, progress reports, hidden works and inspections, compounds), the Kafka broker is
killed with SIGKILL and started again, the complaints service is killed with SIGKILL and
started again, and PostgreSQL is restarted. Afterwards: every accepted write is in its
database exactly once (retries with the same `Idempotency-Key` created nothing), every outbox
drains, every event is on its topic in its aggregate's outbox order, every consumer applied
each event it handles exactly once and its projection agrees with the source, and no request
got a 5xx other than a 503 while the database was restarting. The figures are printed (run
with `-s`) and recorded in tests/RELIABILITY.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from suite.catalog import SERVICE_NAMES
from suite.distributed import DistributedSuite
from tests.e2e.basics import Actors, Run
from tests.e2e.hosts import DistributedHost
from tests.integration.servers import kafka, postgres, scratch_database
from tests.reliability.load import Load, LoadPlan, Write, prepare_world, run_load, summary
from tests.reliability.load_checks import (
    Databases,
    check_events,
    check_projections,
    check_stored_writes,
    wait_for_consumers,
    wait_for_drained_outboxes,
)

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

GRACE_SECONDS = 2.0  # after every service is ready again, a 503 already in flight may land
TAIL_SECONDS = 5.0  # the load goes on this long after the last fault's recovery
FAULTS = ("kafka kill -9", "complaints kill -9", "postgres restart")


@dataclass
class Fault:
    name: str
    after: float  # seconds after the previous fault's recovery (the first: the load's start)
    started: float = 0.0
    recovered: float = 0.0
    figures: dict[str, float] = field(default_factory=dict)

    def window(self) -> tuple[float, float]:
        return self.started, self.recovered + GRACE_SECONDS


@contextlib.asynccontextmanager
async def four_services(bootstrap: str, log_dir: Path
                        ) -> AsyncIterator[tuple[DistributedHost, Databases]]:
    async with contextlib.AsyncExitStack() as stack:
        urls = {n: await stack.enter_async_context(scratch_database()) for n in SERVICE_NAMES}
        suite = await stack.enter_async_context(DistributedSuite(
            bootstrap=bootstrap, database_urls=urls, log_dir=log_dir,
            # One test client files every report: lift the per-address limit on reports.
            service_env={"complaints": {"COMPLAINTS_RATE_LIMIT": "1000000/minute"}}))
        host = DistributedHost(suite, bootstrap)
        for name in SERVICE_NAMES:
            host.clients[name] = httpx.AsyncClient(
                base_url=suite.url(name), limits=httpx.Limits(max_connections=64))
        stack.push_async_callback(host.close)
        yield host, Databases(urls)


async def _all_ready(suite: DistributedSuite) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        for name in SERVICE_NAMES:
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get(f"{suite.url(name)}/readyz")).status_code == 200:
                        break
                await asyncio.sleep(0.2)


async def _backlog(db: Databases) -> int:
    return sum([await db.scalar(s, "SELECT count(*) FROM outbox WHERE sent_at IS NULL")
                for s in SERVICE_NAMES])


async def _broker_outage(fault: Fault, db: Databases, load: Load) -> None:
    """Kill the broker, start it, and time how long the outboxes take to catch up."""
    await asyncio.to_thread(kafka, "kill")
    await asyncio.to_thread(kafka, "start")
    back = load.now()
    fault.figures["restarted_after"] = round(back - fault.started, 2)
    fault.figures["outbox_backlog_at_restart"] = await _backlog(db)
    # Writes keep coming: "caught up" is under one second's worth of writes waiting.
    while await _backlog(db) > load.plan.rate:
        await asyncio.sleep(0.25)
    fault.figures["backlog_caught_up_after"] = round(load.now() - back, 2)


async def _inject(fault: Fault, suite: DistributedSuite, db: Databases, load: Load) -> None:
    fault.started = load.now()
    if fault.name == "kafka kill -9":
        await _broker_outage(fault, db, load)
    else:
        if fault.name == "complaints kill -9":
            await suite.kill("complaints")
            await suite.start("complaints")
        else:
            await asyncio.to_thread(postgres, "restart")
        fault.figures["restarted_after"] = round(load.now() - fault.started, 2)
    await asyncio.wait_for(_all_ready(suite), timeout=120)
    fault.recovered = load.now()


async def _faults(faults: list[Fault], suite: DistributedSuite, db: Databases,
                  load: Load) -> None:
    for fault in faults:
        await asyncio.sleep(fault.after)
        await _inject(fault, suite, db, load)
    await asyncio.sleep(TAIL_SECONDS)


def _server_errors(writes: list[Write], faults: list[Fault]) -> list[str]:
    """Every 5xx that is not a 503 inside the database restart's window."""
    database = next((f for f in faults if f.name == "postgres restart"), None)
    start, end = database.window() if database else (0.0, -1.0)
    return [f"{w.kind} {w.path} at {a.at:.2f}s: {a.status}"
            for w in writes for a in w.attempts
            if a.status is not None and a.status >= 500
            and not (a.status == 503 and start <= a.at <= end)]


async def _run(plan: LoadPlan, gaps: tuple[float, float, float], bootstrap: str,
               log_dir: Path) -> dict[str, Any]:
    """Load, faults, then every check; the figures are printed even when a check fails."""
    faults = [Fault(name, after) for name, after in zip(FAULTS, gaps, strict=True)]
    figures: dict[str, Any] = {}
    try:
        async with four_services(bootstrap, log_dir) as (host, db):
            who = Actors(host, Run())
            world = await prepare_world(host, who)
            load = Load(host, who, plan)
            injector = asyncio.create_task(_faults(faults, host.suite, db, load))
            await run_load(load, world, busy=lambda: not injector.done())
            figures.update(summary(load.writes), load_seconds=round(load.now(), 1))
            await injector
            figures.update(_fault_figures(load.writes, faults))
            await _settle_and_check(db, bootstrap, host.suite.namespace, figures)
            await check_stored_writes(db, load.writes)
            await check_projections(db, world.project_ids)
    finally:
        print(json.dumps(figures, indent=1, ensure_ascii=False))
    for fault in faults:
        assert fault.started > 0 and fault.recovered < figures["load_seconds"], \
            f"{fault.name} did not happen under load"
    assert figures["server_errors"] == []
    assert figures["unsettled"] == []
    return figures


def _fault_figures(writes: list[Write], faults: list[Fault]) -> dict[str, Any]:
    return {
        "faults": [{"name": f.name, "at": round(f.started, 1),
                    "recovered_after": round(f.recovered - f.started, 2), **f.figures,
                    "requests_meanwhile": sum(f.started <= a.at <= f.recovered
                                              for w in writes for a in w.attempts),
                    "503s": sum(a.status == 503 and f.started <= a.at <= f.window()[1]
                                for w in writes for a in w.attempts)}
                   for f in faults],
        "server_errors": _server_errors(writes, faults),
        "unsettled": [f"{w.kind} {w.path}: {[a.status or a.error for a in w.attempts]}"
                      for w in writes if not w.accepted],
    }


async def _settle_and_check(db: Databases, bootstrap: str, namespace: str,
                            figures: dict[str, Any]) -> None:
    """Outboxes drain, events are on their topics in order, every consumer catches up."""
    settled = time.monotonic()
    figures["drain_seconds"] = round(await wait_for_drained_outboxes(db), 2)
    events = await check_events(db, bootstrap, namespace)
    figures.update(events_per_topic=events.per_topic, copies_resent=events.redelivered_on_topic)
    figures["inbox_rows"] = await wait_for_consumers(db, events)
    figures["consumed_seconds"] = round(time.monotonic() - settled, 2)


async def test_faults_under_a_short_load_lose_nothing_and_duplicate_nothing(
    kafka_bootstrap: str, postgres_server: None, tmp_path: Path
) -> None:
    await _run(LoadPlan(writes=1500, rate=40), (3, 4, 4), kafka_bootstrap, tmp_path)


@pytest.mark.slow
async def test_faults_under_ten_thousand_writes_lose_nothing_and_duplicate_nothing(
    kafka_bootstrap: str, postgres_server: None, tmp_path: Path
) -> None:
    await _run(LoadPlan(writes=10_000, rate=40), (30, 40, 40), kafka_bootstrap, tmp_path)
