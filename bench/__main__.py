"""`python -m bench [--quick] [--only relay,consume,intake,e2e,scale]`.

Runs the benchmarks against the PostgreSQL and Kafka started by `make bench`, then writes
`bench/results.json` (measured numbers only) and `bench/RESULTS.md` (the readable table).
A benchmark that fails is reported as failed and the others still run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvloop

from bench import consume, e2e, intake, relay, report, scale
from bench.report import lookup

HERE = Path(__file__).resolve().parent
ORDER = ("relay", "consume", "intake", "e2e", "scale")


async def _versions() -> dict[str, str]:
    import asyncpg  # type: ignore[import-untyped]

    from bench.common import PG_ADMIN_DSN

    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        postgres = await conn.fetchval("SHOW server_version")
    finally:
        await conn.close()
    return {"python": platform.python_version(), "postgresql": str(postgres)}


async def _servers_identity() -> dict[str, str]:
    """Start time of the PostgreSQL server and pid of the Kafka broker (restart detection)."""
    import asyncpg

    from bench.common import PG_ADMIN_DSN, pids_named

    identity = {"kafka": ",".join(map(str, sorted(pids_named(["java"]))))}
    try:
        conn = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            identity["postgresql"] = str(await conn.fetchval("SELECT pg_postmaster_start_time()"))
        finally:
            await conn.close()
    except (OSError, asyncpg.PostgresError):
        identity["postgresql"] = "unreachable"
    return identity


ATTEMPTS = 2  # a benchmark interrupted by a server restart or failure is run once more


def _interrupted(result: dict[str, Any]) -> bool:
    return "failed" in result or bool(result.get("servers_restarted_during_run"))


async def _attempt(runner: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    before = await _servers_identity()
    try:
        result = await runner()
    except Exception as exc:
        traceback.print_exc()
        result = {"failed": f"{type(exc).__name__}: {exc}"[:2000]}
    after = await _servers_identity()
    if after != before:
        # Someone restarted the shared PostgreSQL or Kafka mid-run: say so next to the
        # figures instead of presenting them as a clean measurement.
        result["servers_restarted_during_run"] = sorted(
            k for k in before if before[k] != after.get(k))
    return result


async def _wait_for_servers(timeout: float = 180.0) -> None:
    """Until PostgreSQL answers and Kafka has a broker process, or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        identity = await _servers_identity()
        if identity["postgresql"] != "unreachable" and identity["kafka"]:
            await asyncio.sleep(10)  # a restarted broker takes a moment to serve
            return
        await asyncio.sleep(2)


async def _run(names: list[str], quick: bool, log_dir: Path) -> dict[str, Any]:
    results: dict[str, Any] = {
        "mode": "quick" if quick else "full",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": __import__("os").cpu_count(),
        **await _versions(),
    }
    runners = {
        "relay": lambda: relay.run(quick=quick),
        "consume": lambda: consume.run(quick=quick),
        "intake": lambda: intake.run(quick=quick, log_dir=log_dir),
        "e2e": lambda: e2e.run(quick=quick, log_dir=log_dir,
                               intake_capacity=lookup(results, "intake", "suite",
                                                    "requests_per_s")),
        "scale": lambda: scale.run(quick=quick, log_dir=log_dir),
    }
    for name in names:
        started = time.perf_counter()
        for attempt in range(1, ATTEMPTS + 1):
            print(f"bench: {name} (attempt {attempt}) ...", file=sys.stderr, flush=True)
            results[name] = await _attempt(runners[name])
            results[name]["attempt"] = attempt
            if not _interrupted(results[name]):
                break
            await _wait_for_servers()
        results[name]["wall_seconds"] = round(time.perf_counter() - started, 1)
        print(f"bench: {name} done in {results[name]['wall_seconds']} s", file=sys.stderr,
              flush=True)
    results["figures"] = report.figures(results)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs, small data (smoke)")
    parser.add_argument("--only", default=",".join(ORDER),
                        help=f"comma-separated subset of {','.join(ORDER)}")
    parser.add_argument("--out", type=Path, default=HERE, help="where results go")
    parser.add_argument("--render", action="store_true",
                        help="only re-render RESULTS.md from the existing results.json")
    args = parser.parse_args()
    if args.render:
        results = json.loads((args.out / "results.json").read_text())
        (args.out / "RESULTS.md").write_text(report.markdown(results))
        return
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = set(names) - set(ORDER)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        log_dir = Path(tmp)
        results = uvloop.run(_run(names, args.quick, log_dir))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "RESULTS.md").write_text(report.markdown(results))
    print(json.dumps(results["figures"], indent=2))
    if any("failed" in results.get(n, {}) for n in names):
        sys.exit(1)


if __name__ == "__main__":
    main()
