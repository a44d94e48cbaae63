"""The two ways to run the suite under the scenario: embedded (one process, local bus) and
distributed (four processes, PostgreSQL, Kafka). Both offer the `SuiteHost` interface plus
`raw_events()` (every event of the run, as bytes on the bus) and `log_lines()`."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx

from services.complaints.config import ComplaintsSettings
from services.projects.config import ProjectsSettings
from shared.app import create_service_app
from shared.auth import mint_token
from shared.bus import LocalBus
from shared.events.topics import TOPICS
from shared.settings import ServiceSettings, SuiteSettings
from suite.catalog import SERVICE_NAMES, definition
from suite.distributed import CLOCK_OFFSET_ENV, DistributedSuite, OffsetClock
from suite.events import read_all

__all__ = ["DistributedHost", "EmbeddedHost", "distributed_host", "embedded_host"]

SECRET = "e2e-secret-0123456789abcdef0123456789abcdef"
SLA_SCAN_SECONDS = 0.3


class EmbeddedHost:
    """The four apps in this process sharing one LocalBus, driven through ASGI transports."""

    def __init__(self, tmp_path: Path) -> None:
        self.suite = SuiteSettings(var_dir=tmp_path, environment="test", auth_jwt_secret=SECRET)
        self.bus = LocalBus(f"sqlite+aiosqlite:///{tmp_path / 'bus.db'}")
        self.complaints_clock = OffsetClock(timedelta(0))
        settings: dict[str, ServiceSettings] = {
            "projects": ProjectsSettings(attachments_root=tmp_path / "attachments"),
            "complaints": ComplaintsSettings(sla_scan_seconds=SLA_SCAN_SECONDS),
        }
        self.apps = {
            name: create_service_app(
                definition(name), suite=self.suite, settings=settings.get(name), bus=self.bus,
                clock=self.complaints_clock if name == "complaints" else None)
            for name in SERVICE_NAMES
        }
        self.clients: dict[str, httpx.AsyncClient] = {}

    def client(self, service: str) -> httpx.AsyncClient:
        return self.clients[service]

    def token(self, *roles: str, org: str | None = None, sub: str = "e2e") -> str:
        return mint_token(self.suite, sub=sub, roles=roles, org=org)

    async def advance_complaints_clock(self, delta: timedelta) -> None:
        self.complaints_clock.offset += delta

    async def raw_events(self) -> list[bytes]:
        messages = await self.bus.read(dict.fromkeys(TOPICS, 0), 1_000_000)
        return [m.value for m in messages]


@contextlib.asynccontextmanager
async def embedded_host(tmp_path: Path) -> AsyncIterator[EmbeddedHost]:
    host = EmbeddedHost(tmp_path)
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(host.bus.close)
        for name, app in host.apps.items():
            await stack.enter_async_context(app.router.lifespan_context(app))
            host.clients[name] = await stack.enter_async_context(httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url=f"http://{name}"))
        yield host


class DistributedHost:
    """Clients of a running `DistributedSuite`; moving the complaints clock restarts it."""

    def __init__(self, suite: DistributedSuite, bootstrap: str) -> None:
        self.suite = suite
        self.bootstrap = bootstrap
        self.clients: dict[str, httpx.AsyncClient] = {}
        self.complaints_offset = timedelta(0)

    def _connect(self, service: str) -> None:
        self.clients[service] = httpx.AsyncClient(base_url=self.suite.url(service), timeout=30)

    def client(self, service: str) -> httpx.AsyncClient:
        return self.clients[service]

    def token(self, *roles: str, org: str | None = None, sub: str = "e2e") -> str:
        return self.suite.token(*roles, org=org, sub=sub)

    async def advance_complaints_clock(self, delta: timedelta) -> None:
        self.complaints_offset += delta
        await self.suite.restart("complaints", env={
            CLOCK_OFFSET_ENV: str(self.complaints_offset.total_seconds())})

    async def raw_events(self) -> list[bytes]:
        records = await read_all(self.bootstrap, TOPICS, namespace=self.suite.namespace)
        return [r.value for r in records]

    def log_lines(self) -> list[str]:
        return [line for name in SERVICE_NAMES for line in self.suite.log_text(name).splitlines()]

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()


@contextlib.asynccontextmanager
async def distributed_host(bootstrap: str, log_dir: Path) -> AsyncIterator[DistributedHost]:
    service_env = {"complaints": {"COMPLAINTS_SLA_SCAN_SECONDS": str(SLA_SCAN_SECONDS)}}
    async with DistributedSuite(bootstrap=bootstrap, service_env=service_env,
                                log_dir=log_dir) as suite:
        host = DistributedHost(suite, bootstrap)
        for name in SERVICE_NAMES:
            host._connect(name)
        try:
            yield host
        finally:
            await host.close()
