"""5. Scale: filtered, keyset-paginated lists over 1,000,000 complaints and 100,000 projects.

Data is bulk-loaded into scratch databases migrated by the services' own migrations (see
`scale_data`). The complaints and projects services then serve the lists as in production
(the local bus: list endpoints publish nothing). Each scenario sends its requests one at a
time (latency, not throughput) with a fresh random community / project / org per request;
"pages" scenarios follow `next_cursor` and time every page. `EXPLAIN (ANALYZE, BUFFERS)` of
the very statement the service builds (same SQLAlchemy query, compiled for asyncpg) shows
which indexes serve each scenario.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import asyncpg  # type: ignore[import-untyped]

from bench import scale_data
from bench.common import (
    JWT_SECRET,
    CpuMeter,
    bench_env,
    free_port,
    latency_summary,
    migrate,
    percentile,
    scratch_database,
    sqlalchemy_url,
    start_server,
    stop_server,
)
from bench.loadgen import Connection


@dataclass(frozen=True)
class Scenario:
    name: str
    service: str
    params: Callable[[random.Random], dict[str, str]]
    token: str  # "staff" or "contractor"
    pages: int = 1


def _community(rng: random.Random) -> str:
    return f"c-{rng.randrange(scale_data.COMMUNITIES):03d}"


def scenarios(projects: int) -> list[Scenario]:
    return [
        Scenario("complaints: community", "complaints",
                 lambda r: {"community_id": _community(r)}, "staff"),
        Scenario("complaints: community + status", "complaints",
                 lambda r: {"community_id": _community(r), "status": "received"}, "staff"),
        Scenario("complaints: project", "complaints",
                 lambda r: {"project_id": f"p-{r.randrange(projects):06d}"}, "staff"),
        Scenario("complaints: category + status", "complaints",
                 lambda r: {"category": "noise", "status": "assigned"}, "staff"),
        Scenario("complaints: contractor's own (routed or assigned)", "complaints",
                 lambda r: {}, "contractor"),
        Scenario("complaints: community, pages 1-5", "complaints",
                 lambda r: {"community_id": _community(r)}, "staff", pages=5),
        Scenario("projects: community + status", "projects",
                 lambda r: {"community_id": _community(r), "status": "under_construction"},
                 "staff"),
        Scenario("projects: status, pages 1-5", "projects",
                 lambda r: {"status": "under_construction"}, "staff", pages=5),
        Scenario("projects: community, pages 1-5", "projects",
                 lambda r: {"community_id": _community(r)}, "staff", pages=5),
    ]


def _tokens(rng: random.Random) -> dict[str, Callable[[], str]]:
    from shared.auth import mint_token
    from shared.settings import SuiteSettings

    suite = SuiteSettings(auth_jwt_secret=JWT_SECRET)
    staff = mint_token(suite, sub="bench-staff", roles=["admin"])  # reads every area
    contractors = [mint_token(suite, sub=f"bench-{i}", roles=["contractor"], org=f"org-{i}")
                   for i in range(50)]
    return {"staff": lambda: staff, "contractor": lambda: rng.choice(contractors)}


async def run(*, quick: bool, log_dir: Path) -> dict[str, Any]:
    projects, complaints, requests = (10_000, 100_000, 100) if quick \
        else (100_000, 1_000_000, 300)
    from services.complaints.app import DEFINITION as COMPLAINTS
    from services.projects.app import DEFINITION as PROJECTS

    async with scratch_database("scale_projects") as p_dsn, \
            scratch_database("scale_complaints") as c_dsn:
        await migrate(PROJECTS, p_dsn)
        await migrate(COMPLAINTS, c_dsn)
        started = time.perf_counter()
        await scale_data.load(p_dsn, c_dsn, projects=projects, complaints=complaints)
        load_seconds = time.perf_counter() - started
        env = {"BUS": "local", "VAR_DIR": str(log_dir / "var-scale")}
        servers = {
            "complaints": await start_server(
                "scale-complaints", "complaints", free_port(),
                bench_env(COMPLAINTS_DATABASE_URL=sqlalchemy_url(c_dsn), **env), log_dir),
        }
        try:
            servers["projects"] = await start_server(
                "scale-projects", "projects", free_port(),
                bench_env(PROJECTS_DATABASE_URL=sqlalchemy_url(p_dsn), **env), log_dir)
            meter = CpuMeter(servers={k: s.pid for k, s in servers.items()})
            meter.start()
            results = await _measure(servers, scenarios(projects), requests)
            cpu = meter.stop()
        finally:
            for server in servers.values():
                stop_server(server)
        plans = await _explain_all(c_dsn, p_dsn)
    all_filtered = [s for r in results for s in r.pop("_samples")]
    return {
        "projects": projects,
        "complaints": complaints,
        "bulk_load_seconds": round(load_seconds, 1),
        "requests_per_scenario": requests,
        "concurrency": 1,
        "scenarios": results,
        "list_p99_ms": round(percentile(all_filtered, 99) * 1000, 2),
        "worst_scenario_p99_ms": max(r["latency"]["p99_ms"] for r in results),
        "cpu_cores": cpu,
        "explain": plans,
    }


async def _measure(servers: dict[str, Any], cases: list[Scenario], requests: int
                   ) -> list[dict[str, Any]]:
    rng = random.Random(20260509)
    tokens = _tokens(rng)
    conns = {name: await Connection.open(*s.base) for name, s in servers.items()}
    results = []
    try:
        for case in cases:
            conn = conns[case.service]
            samples: list[float] = []
            items = 0
            for _ in range(max(1, requests // case.pages)):
                params = case.params(rng)
                headers = {"Authorization": f"Bearer {tokens[case.token]()}"}
                for _page in range(case.pages):
                    path = f"/{case.service}?{urlencode({**params, 'limit': '50'})}"
                    sent = time.perf_counter()
                    status, body = await conn.request("GET", path, headers=headers)
                    samples.append(time.perf_counter() - sent)
                    if status != 200:
                        raise RuntimeError(f"{case.name}: {status} {body[:300]!r}")
                    page = json.loads(body)
                    items += len(page["items"])
                    if not page["next_cursor"]:
                        break
                    params["cursor"] = page["next_cursor"]
            results.append({"scenario": case.name, "latency": latency_summary(samples),
                            "mean_items_per_page": round(items / len(samples), 1),
                            "_samples": samples})
    finally:
        for conn in conns.values():
            conn.close()
    return results


async def _middle(conn: asyncpg.Connection, table: str) -> tuple[datetime, str]:
    """The sort key of the row in the middle of `table`: a cursor for a later page."""
    count = await conn.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
    row = await conn.fetchrow(
        f"SELECT created_at, id FROM {table} ORDER BY created_at, id OFFSET $1 LIMIT 1",  # noqa: S608
        count // 2)
    return row["created_at"], row["id"]


def _complaint_statements(deep: tuple[datetime, str]) -> dict[str, Any]:
    from sqlalchemy import tuple_

    from services.complaints.models import Complaint
    from services.complaints.repository.reports import (
        PAGE_KEYS,
        ComplaintFilters,
        visibility_filter,
    )
    from shared.auth import Principal

    def page(filters: ComplaintFilters, visible: Any = None, after: Any = None) -> Any:
        from sqlalchemy import select

        statement = select(Complaint).where(*filters.where())
        if visible is not None:
            statement = statement.where(visible)
        if after is not None:
            statement = statement.where(tuple_(*PAGE_KEYS) > tuple_(*after))
        return statement.order_by(*PAGE_KEYS).limit(51)

    org = Principal(sub="bench", roles=frozenset({"contractor"}), org="org-17")
    return {
        "complaints: community": page(ComplaintFilters(community_id="c-017")),
        "complaints: community + status":
            page(ComplaintFilters(community_id="c-017", status="received")),
        "complaints: project": page(ComplaintFilters(project_id="p-000017")),
        "complaints: category + status":
            page(ComplaintFilters(category="noise", status="assigned")),
        "complaints: contractor's own (routed or assigned)":
            page(ComplaintFilters(), visible=visibility_filter(org)),
        "complaints: community, a later page":
            page(ComplaintFilters(community_id="c-017"), after=deep),
    }


def _project_statements(deep: tuple[datetime, str]) -> dict[str, Any]:
    from sqlalchemy import select, tuple_

    from services.projects.models import Project

    keys = [Project.created_at, Project.id]

    def page(*where: Any, after: Any = None) -> Any:
        statement = select(Project).where(*where)
        if after is not None:
            statement = statement.where(tuple_(*keys) > tuple_(*after))
        return statement.order_by(*keys).limit(51)  # type: ignore[arg-type]

    return {
        "projects: community + status":
            page(Project.community_id == "c-017", Project.status == "under_construction"),
        "projects: status, a later page":
            page(Project.status == "under_construction", after=deep),
        "projects: community, a later page": page(Project.community_id == "c-017", after=deep),
    }


async def _explain_all(c_dsn: str, p_dsn: str) -> dict[str, Any]:
    from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

    plans: dict[str, Any] = {}
    for dsn, table, build in ((c_dsn, "complaints", _complaint_statements),
                              (p_dsn, "projects", _project_statements)):
        conn = await asyncpg.connect(dsn)
        try:
            statements = build(await _middle(conn, table))
            for name, statement in statements.items():
                compiled = statement.compile(dialect=asyncpg_dialect())  # type: ignore[no-untyped-call]
                args = [compiled.params[key] for key in compiled.positiontup or ()]
                rows = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}", *args)
                text = [r[0] for r in rows]
                plans[name] = {
                    "indexes": sorted(set(re.findall(
                        r"(?:Index (?:Only )?Scan (?:Backward )?using|Bitmap Index Scan on) (\w+)",
                        "\n".join(text)))),
                    "seq_scan": any("Seq Scan" in line for line in text),
                    "execution_ms": _execution_ms(text),
                    "plan": text,
                }
        finally:
            await conn.close()
    return plans


def _execution_ms(lines: list[str]) -> float | None:
    for line in lines:
        match = re.search(r"Execution Time: ([\d.]+) ms", line)
        if match:
            return float(match.group(1))
    return None
