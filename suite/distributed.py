"""Distributed mode on one machine: the four services as four OS processes.

`DistributedSuite` is what tests (and people) use to run the suite as it is deployed: one
`community serve <service>` process per service, each with its own PostgreSQL database, Kafka
as the bus and one shared JWT secret. It waits for every `/readyz`, exposes the base URLs, can
kill, stop and restart one service (fault tests), and writes each process's output to
`<log_dir>/<service>.log`.

Runs are isolated by `KAFKA_NAMESPACE` (a prefix on every topic and consumer group), so a run
never shares a consumer group with another run and never replays another run's history.
Time-driven rules (SLA escalation) are made to fire without waiting hours by restarting a
service with `SUITE_CLOCK_OFFSET_SECONDS`: the process is then started as
`python -m suite.distributed serve <service>`, `community serve` with its clock shifted
(a test-only setting, refused in production).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import IO

import asyncpg  # type: ignore[import-untyped]
import httpx
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from shared.auth import mint_token
from shared.clock import Clock, utcnow
from shared.events.topics import TOPICS, dead_letter_topic
from shared.settings import SuiteSettings
from suite.catalog import SERVICE_NAMES, definition

__all__ = [
    "CLOCK_OFFSET_ENV",
    "DistributedSuite",
    "OffsetClock",
    "ServiceFailed",
    "free_port",
    "serve_service",
]

CLOCK_OFFSET_ENV = "SUITE_CLOCK_OFFSET_SECONDS"
DEFAULT_ADMIN_DSN = "postgresql://community:community@127.0.0.1:5432/postgres"


class OffsetClock:
    """System time shifted by a fixed offset (tests of time-driven rules only)."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return utcnow() + self.offset


def _test_clock(suite: SuiteSettings) -> Clock | None:
    raw = os.environ.get(CLOCK_OFFSET_ENV)
    if not raw:
        return None
    if suite.environment == "production":
        raise SystemExit(f"{CLOCK_OFFSET_ENV} is a test-only setting; refused in production")
    return OffsetClock(timedelta(seconds=float(raw)))


def serve_service(service: str, host: str, port: int, log_level: str = "info") -> None:
    """`community serve` with the test clock (used only when a clock offset is set)."""
    import uvicorn

    from shared.app import create_service_app
    from shared.observability import configure_logging

    configure_logging(log_level)
    suite = SuiteSettings()
    app = create_service_app(definition(service), suite=suite, clock=_test_clock(suite))
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class ServiceFailed(RuntimeError):
    """A service process exited or did not become ready in time."""


@dataclass
class _Process:
    name: str
    port: int
    database_url: str
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    popen: subprocess.Popen[bytes] | None = None
    log_file: IO[bytes] | None = None


class DistributedSuite:
    """The four services as separate processes over PostgreSQL and Kafka.

    ``async with DistributedSuite() as suite:`` creates fresh databases (unless
    ``database_urls`` are given), starts every service on a free port and waits until each
    `/readyz` answers 200. ``suite.url(name)``, ``suite.kill(name)`` (SIGKILL),
    ``suite.terminate(name)`` (SIGTERM, graceful), ``suite.start(name, env=...)``,
    ``suite.restart(name, env=...)``, ``suite.log_text(name)``; leaving the block stops every
    process, drops the databases it created and deletes the run's topics.
    """

    def __init__(
        self,
        *,
        services: Sequence[str] = SERVICE_NAMES,
        bootstrap: str = "127.0.0.1:9092",
        namespace: str | None = None,
        secret: str | None = None,
        ports: Mapping[str, int] | None = None,
        database_urls: Mapping[str, str] | None = None,
        admin_dsn: str | None = None,
        env: Mapping[str, str] | None = None,
        service_env: Mapping[str, Mapping[str, str]] | None = None,
        log_dir: Path | None = None,
        host: str = "127.0.0.1",
        ready_timeout: float = 60.0,
        keep_topics: bool = False,
    ) -> None:
        run = uuid.uuid4().hex[:10]
        self.namespace = namespace if namespace is not None else f"run-{run}."
        self.bootstrap = bootstrap
        self.secret = secret or f"distributed-{uuid.uuid4().hex}"
        self.host = host
        self.ready_timeout = ready_timeout
        self.keep_topics = keep_topics
        self.log_dir = log_dir or Path(tempfile.mkdtemp(prefix=f"community-{run}-"))
        self.settings = SuiteSettings(environment="test", auth_jwt_secret=self.secret)
        self._admin_dsn = admin_dsn or os.environ.get("TEST_POSTGRES_DSN", DEFAULT_ADMIN_DSN)
        self._given_urls = dict(database_urls or {})
        self._created_databases: list[str] = []
        self._env = dict(env or {})
        self._service_env = {k: dict(v) for k, v in (service_env or {}).items()}
        self._ports = dict(ports or {})
        self._services = list(services)
        self._processes: dict[str, _Process] = {}

    # -- lifecycle ---------------------------------------------------------------------

    async def __aenter__(self) -> DistributedSuite:
        try:
            await self.create_topics()
            for name in self._services:
                self._processes[name] = _Process(
                    name=name, port=self._ports.get(name) or free_port(self.host),
                    database_url=self._given_urls.get(name) or await self._create_database(name),
                    log_path=self.log_dir / f"{name}.log",
                )
            await asyncio.gather(*(self.start(name) for name in self._services))
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.stop()

    async def stop(self) -> None:
        """Stop every process, drop the databases this suite created, delete its topics."""
        await asyncio.gather(*(self.terminate(name) for name in self._processes),
                             return_exceptions=True)
        for database in self._created_databases:
            with contextlib.suppress(OSError, asyncpg.PostgresError):
                await self._admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        self._created_databases.clear()
        if not self.keep_topics:
            with contextlib.suppress(KafkaError, OSError):
                await self._delete_topics()

    # -- one service -------------------------------------------------------------------

    def url(self, service: str) -> str:
        return f"http://{self.host}:{self._processes[service].port}"

    def urls(self) -> dict[str, str]:
        return {name: self.url(name) for name in self._processes}

    def log_path(self, service: str) -> Path:
        return self._processes[service].log_path

    def log_text(self, service: str) -> str:
        path = self.log_path(service)
        return path.read_text(errors="replace") if path.exists() else ""

    def token(self, *roles: str, org: str | None = None, sub: str = "e2e") -> str:
        """A staff bearer token every service of this suite accepts."""
        return mint_token(self.settings, sub=sub, roles=roles, org=org)

    def running(self, service: str) -> bool:
        popen = self._processes[service].popen
        return popen is not None and popen.poll() is None

    async def start(self, service: str, env: Mapping[str, str] | None = None) -> None:
        """Start (or start again) one service and wait until it is ready.

        `env` adds to (and overrides) the environment of this start and the later ones.
        """
        process = self._processes[service]
        if self.running(service):
            raise RuntimeError(f"{service} is already running")
        process.env.update(env or {})
        process.log_file = process.log_path.open("ab")
        environment = self._environment(process)
        process.popen = _spawn(
            [*_serve_command(CLOCK_OFFSET_ENV in environment), service,
             "--host", self.host, "--port", str(process.port)],
            environment, process.log_file, self.log_dir)
        await self._wait_ready(process)

    async def kill(self, service: str) -> None:
        """SIGKILL: a crash, no shutdown code runs."""
        await self._signal(service, signal.SIGKILL, timeout=10)

    async def terminate(self, service: str, timeout: float = 20.0) -> None:
        """SIGTERM: a graceful stop (the relay and consumer finish their batch)."""
        await self._signal(service, signal.SIGTERM, timeout=timeout)

    async def restart(self, service: str, env: Mapping[str, str] | None = None) -> None:
        await self.terminate(service)
        await self.start(service, env)

    # -- internals ---------------------------------------------------------------------

    def _environment(self, process: _Process) -> dict[str, str]:
        prefix = definition(process.name).settings_class.model_config.get("env_prefix", "")
        var_dir = self.log_dir / process.name
        return {
            **{k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL")},
            "ENVIRONMENT": "test",
            "BUS": "kafka",
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "KAFKA_NAMESPACE": self.namespace,
            "AUTH_JWT_SECRET": self.secret,
            "VAR_DIR": str(var_dir),
            "DATABASE_URL": process.database_url,
            f"{prefix}DATABASE_URL": process.database_url,
            "PROJECTS_ATTACHMENTS_ROOT": str(var_dir / "attachments"),
            "PYTHONUNBUFFERED": "1",
            **self._env,
            **self._service_env.get(process.name, {}),
            **process.env,
        }

    async def _wait_ready(self, process: _Process) -> None:
        deadline = asyncio.get_running_loop().time() + self.ready_timeout
        async with httpx.AsyncClient(base_url=self.url(process.name), timeout=5) as client:
            while True:
                assert process.popen is not None
                if process.popen.poll() is not None:
                    raise ServiceFailed(f"{process.name} exited with {process.popen.returncode}:"
                                        f"\n{self.log_text(process.name)[-3000:]}")
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/readyz")).status_code == 200:
                        return
                if asyncio.get_running_loop().time() > deadline:
                    raise ServiceFailed(f"{process.name} not ready after {self.ready_timeout}s:"
                                        f"\n{self.log_text(process.name)[-3000:]}")
                await asyncio.sleep(0.2)

    async def _signal(self, service: str, sig: signal.Signals, timeout: float) -> None:
        process = self._processes[service]
        popen = process.popen
        if popen is not None and popen.poll() is None:
            popen.send_signal(sig)
            try:
                await asyncio.to_thread(popen.wait, timeout)
            except subprocess.TimeoutExpired:
                popen.kill()
                await asyncio.to_thread(popen.wait, 10)
        if process.log_file is not None:
            process.log_file.close()
            process.log_file = None

    async def _admin(self, statement: str) -> None:
        connection = await asyncpg.connect(self._admin_dsn)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    async def _create_database(self, service: str) -> str:
        name = f"{self.namespace}{service}".replace("-", "_").replace(".", "_")
        await self._admin(f'CREATE DATABASE "{name}"')
        self._created_databases.append(name)
        dsn = self._admin_dsn.rsplit("/", 1)[0] + f"/{name}"
        return dsn.replace("postgresql://", "postgresql+asyncpg://", 1)

    def wire_topics(self) -> list[str]:
        """The run's topics as named on the broker (events and dead letters)."""
        logical = [*TOPICS, *map(dead_letter_topic, TOPICS)]
        return [f"{self.namespace}{topic}" for topic in logical]

    async def create_topics(self) -> None:
        async with _admin_client(self.bootstrap) as admin:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([
                    NewTopic(name=t, num_partitions=self.settings.kafka_topic_partitions,
                             replication_factor=self.settings.kafka_replication_factor)
                    for t in self.wire_topics()])

    async def _delete_topics(self) -> None:
        async with _admin_client(self.bootstrap) as admin:
            await admin.delete_topics(self.wire_topics())


def _serve_command(test_clock: bool) -> list[str]:
    """`community serve` as deployed; this module's twin of it when time must be shifted."""
    if test_clock:
        return [sys.executable, "-m", "suite.distributed", "serve"]
    script = Path(sys.executable).with_name("community")
    if script.exists():
        return [str(script), "serve"]
    return [sys.executable, "-c", "from suite.cli import main; main()", "serve"]


def _spawn(command: list[str], env: dict[str, str], log: IO[bytes], cwd: Path
           ) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True)


@contextlib.asynccontextmanager
async def _admin_client(bootstrap: str) -> AsyncIterator[AIOKafkaAdminClient]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="community-distributed",
                                request_timeout_ms=10000)
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


def main(argv: Sequence[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m suite.distributed")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run one service (as DistributedSuite does)")
    serve.add_argument("service", choices=SERVICE_NAMES)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, required=True)
    serve.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    serve_service(args.service, args.host, args.port, args.log_level)


if __name__ == "__main__":
    main(sys.argv[1:])
