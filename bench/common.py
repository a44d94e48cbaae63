"""What every benchmark needs: scratch databases, servers in subprocesses, CPU meters."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_DSN = os.environ.get(
    "BENCH_POSTGRES_DSN", "postgresql://community:community@127.0.0.1:5432/postgres"
)
KAFKA_BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
JWT_SECRET = "bench-secret-0123456789abcdef0123456789abcdef"  # noqa: S105 - scratch servers only
CLK_TCK = os.sysconf("SC_CLK_TCK")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of `values`; NaN-free input required."""
    if not values:
        raise ValueError("no samples")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/max in milliseconds."""
    return {
        "p50_ms": round(percentile(seconds, 50) * 1000, 2),
        "p95_ms": round(percentile(seconds, 95) * 1000, 2),
        "p99_ms": round(percentile(seconds, 99) * 1000, 2),
        "max_ms": round(max(seconds) * 1000, 2),
        "samples": len(seconds),
    }


def median(values: Iterable[float]) -> float:
    return float(statistics.median(list(values)))


# --- PostgreSQL scratch databases -------------------------------------------------------


def sqlalchemy_url(dsn: str) -> str:
    return dsn.replace("postgresql://", "postgresql+asyncpg://", 1)


@contextlib.asynccontextmanager
async def scratch_database(prefix: str) -> AsyncIterator[str]:
    """A new empty database, dropped afterwards. Yields its plain (asyncpg) DSN."""
    name = unique(f"bench_{prefix}").replace("-", "_")
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield PG_ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        admin = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def migrate(definition: Any, dsn: str) -> None:
    """Run the service's own migrations on `dsn`, as its start-up does."""
    from shared.app import prepare_schema
    from shared.db import Database

    db = Database(sqlalchemy_url(dsn))
    try:
        await prepare_schema(db, definition)
    finally:
        await db.dispose()


# --- Kafka ---------------------------------------------------------------------------------


async def ensure_topics(topics: Sequence[str], partitions: int = 3) -> None:
    from shared.bus.kafka import KafkaBus

    await KafkaBus(KAFKA_BOOTSTRAP, partitions=partitions).ensure_topics(topics)


async def commit_group_at_end(group: str, topics: Sequence[str]) -> None:
    """Give `group` committed offsets at the end of `topics`, so a fresh service consumer
    starts with new events instead of replaying the shared topics' whole history."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
    from aiokafka.structs import OffsetAndMetadata

    await ensure_topics(topics)
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA_BOOTSTRAP)
    await producer.start()
    try:  # the producer's public API fetches a topic's metadata on demand
        partitions = [TopicPartition(t, p) for t in topics
                      for p in sorted(await producer.partitions_for(t))]
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=KAFKA_BOOTSTRAP, group_id=group,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(partitions)
        consumer.assign(partitions)
        await consumer.commit({tp: OffsetAndMetadata(ends[tp], "") for tp in partitions})
    finally:
        await consumer.stop()


# --- CPU accounting from /proc ---------------------------------------------------------------


def _proc_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    # utime + stime + cutime + cstime: a PostgreSQL backend that exits moves its CPU time
    # into the postmaster's cutime, so sums over a process group stay monotonic
    return int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])


def pids_named(names: Iterable[str]) -> list[int]:
    wanted = set(names)
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as f:
                if f.read().strip() in wanted:
                    found.append(int(entry))
        except OSError:
            continue
    return found


def _machine_ticks() -> tuple[int, int]:
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    idle = cpu[3] + cpu[4]
    return sum(cpu[:8]), idle


@dataclass
class CpuMeter:
    """CPU used (in cores, i.e. CPU-seconds per second) by named process groups.

    Groups: the benchmark servers (by pid), this process (the load generator), PostgreSQL
    and Kafka (by process name), and the whole machine from /proc/stat.
    """

    servers: dict[str, int] = field(default_factory=dict)
    self_name: str = "load_generator"
    _start: dict[str, int] = field(default_factory=dict)
    _machine: tuple[int, int] = (0, 0)
    _t0: float = 0.0

    def _groups(self) -> dict[str, int]:
        ticks = {name: _proc_ticks(pid) for name, pid in self.servers.items()}
        ticks[self.self_name] = _proc_ticks(os.getpid())
        ticks["postgresql"] = sum(_proc_ticks(p) for p in pids_named(["postgres"]))
        ticks["kafka"] = sum(_proc_ticks(p) for p in pids_named(["java"]))
        return ticks

    def start(self) -> None:
        self._start = self._groups()
        self._machine = _machine_ticks()
        self._t0 = time.monotonic()

    def stop(self) -> dict[str, float]:
        elapsed = time.monotonic() - self._t0
        end = self._groups()
        total, idle = _machine_ticks()
        used = {name: round((end[name] - self._start.get(name, 0)) / CLK_TCK / elapsed, 3)
                for name in end}
        all_ticks = max(1, total - self._machine[0])
        busy = all_ticks - (idle - self._machine[1])
        used["machine_busy"] = round(busy / all_ticks * (os.cpu_count() or 1), 3)
        ours = sum(v for k, v in used.items() if k != "machine_busy")
        used["other_processes"] = round(max(0.0, used["machine_busy"] - ours), 3)
        return used


# --- Service processes -----------------------------------------------------------------------


@dataclass
class Server:
    """One `python -m bench.server` subprocess, stopped with SIGTERM (graceful lifespan)."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def base(self) -> tuple[str, int]:
        return "127.0.0.1", self.port


def bench_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.endswith("_DATABASE_URL") and k != "DATABASE_URL"}
    env.update(AUTH_JWT_SECRET=JWT_SECRET, ENVIRONMENT="dev", LOG_LEVEL="WARNING",
               KAFKA_BOOTSTRAP_SERVERS=KAFKA_BOOTSTRAP, PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


async def start_server(name: str, service: str, port: int, env: dict[str, str],
                       log_dir: Path, *, baseline: bool = False, group_suffix: str = "",
                       timeout: float = 90.0) -> Server:
    args = [sys.executable, "-m", "bench.server", service, "--port", str(port)]
    if baseline:
        args.append("--baseline")
    if group_suffix:
        args += ["--group-suffix", group_suffix]
    log_path = log_dir / f"{name}.log"
    process = _spawn(args, env, log_path)
    server = Server(name, port, process, log_path)
    deadline = time.monotonic() + timeout
    from bench.loadgen import Connection

    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited: see {log_path}\n{log_path.read_text()[-3000:]}")
        with contextlib.suppress(OSError, asyncio.IncompleteReadError, ConnectionError):
            conn = await Connection.open("127.0.0.1", port)
            try:
                status, _ = await conn.request("GET", "/readyz")
            finally:
                conn.close()
            if status == 200:
                return server
        await asyncio.sleep(0.3)
    stop_server(server)
    raise RuntimeError(f"{name} not ready after {timeout}s: see {log_path}")


def _spawn(args: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    if "VAR_DIR" in env:
        Path(env["VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log_file:  # the child keeps its own descriptor
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=log_file,  # noqa: S603
                                stderr=subprocess.STDOUT, start_new_session=True)


def stop_server(server: Server, timeout: float = 20.0) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port
