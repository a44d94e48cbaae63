"""Test harness shared by the service tests: a running app over httpx, tokens, events.

`running_service` starts a service exactly as production does (migrations, seed, relay,
consumer) on a SQLite file and a local bus in a temporary folder, with a frozen clock.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from shared.app import create_service_app
from shared.auth import mint_report_token, mint_token
from shared.bus import LocalBus
from shared.bus.base import IncomingMessage
from shared.clock import FrozenClock
from shared.consumer import Outcome
from shared.events import CATALOG, Event, EventData, make_event
from shared.service import ServiceContext, ServiceDefinition
from shared.settings import ServiceSettings, SuiteSettings

__all__ = ["ServiceHarness", "running_service"]

TEST_SECRET = "test-secret-0123456789abcdef0123456789abcdef"


@dataclass
class ServiceHarness:
    ctx: ServiceContext
    client: httpx.AsyncClient
    clock: FrozenClock
    suite: SuiteSettings
    app: FastAPI

    def token(self, *roles: str, org: str | None = None, sub: str = "tester",
              ttl: timedelta | None = None) -> str:
        return mint_token(self.suite, sub=sub, roles=roles, org=org, ttl=ttl)

    def report_token(self, report_id: str, *, generation: int = 0) -> str:
        """A report credential as the complaints service issues it."""
        return mint_report_token(self.suite, report_id=report_id, generation=generation)

    def auth(self, *roles: str, org: str | None = None, sub: str = "tester") -> dict[str, str]:
        """Authorization header for a caller holding `roles` in `org`."""
        return {"Authorization": f"Bearer {self.token(*roles, org=org, sub=sub)}"}

    async def deliver(self, data: EventData, *, subject: str, event_id: str | None = None
                      ) -> Outcome:
        """Feed one event through the real consumer path (envelope, inbox, handler)."""
        event = make_event(data, subject=subject, source="/tests", time=self.clock.now())
        if event_id is not None:
            event = event.model_copy(update={"id": event_id})
        return await self.deliver_event(event)

    async def deliver_event(self, event: Event) -> Outcome:
        assert self.ctx.consumer is not None, "this service consumes no events"
        message = IncomingMessage(topic=CATALOG[event.type].topic, partition=0, offset=0,
                                  key=event.subject, value=event.to_bytes())
        return await self.ctx.consumer.process(message)

    async def published(self, *types: str) -> list[Event]:
        """Relay the outbox and return the events this service published (optionally by type)."""
        async with asyncio.timeout(30):
            while await self.ctx.relay.backlog():
                await self.ctx.relay.relay_once()
        messages = await self.read_topic(self.ctx.definition.topic)
        events = [Event.from_bytes(m.value) for m in messages]
        return [e for e in events if not types or e.type in types]


    async def read_topic(self, topic: str) -> list[IncomingMessage]:
        """Everything on `topic`, read with a fresh consumer group, in log order."""
        kafka = self.suite.bus == "kafka"
        quiet_fetches, fetch_timeout = (3, 1.0) if kafka else (1, 0.01)
        consumer = self.ctx.bus.consumer(f"reader-{uuid.uuid4().hex[:8]}", [topic])
        await consumer.start()
        found: list[IncomingMessage] = []
        quiet = 0
        try:
            while quiet < quiet_fetches:
                batch = await consumer.fetch(timeout=fetch_timeout, max_records=10_000)
                found += batch
                quiet = 0 if batch else quiet + 1
        finally:
            await consumer.stop()
        return sorted(found, key=lambda m: (m.partition, m.offset))


@asynccontextmanager
async def running_service(
    definition: ServiceDefinition,
    tmp_path: Path,
    *,
    settings: ServiceSettings | None = None,
    clock: FrozenClock | None = None,
    shared_bus: LocalBus | None = None,
    **suite_overrides: Any,
) -> AsyncIterator[ServiceHarness]:
    """`shared_bus`: a local bus several services share (embedded mode); left open."""
    suite = SuiteSettings(**{"var_dir": tmp_path, "environment": "test",
                             "auth_jwt_secret": TEST_SECRET, **suite_overrides})
    owned = None if suite.bus == "kafka" or shared_bus is not None else LocalBus(
        f"sqlite+aiosqlite:///{tmp_path / 'bus.db'}")
    bus = shared_bus or owned
    clock = clock or FrozenClock()
    app = create_service_app(definition, suite=suite, settings=settings, bus=bus, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield ServiceHarness(ctx=app.state.ctx, client=client, clock=clock, suite=suite,
                                 app=app)
    if owned is not None:
        await owned.close()


async def eventually(check: Any, timeout: float = 10.0, interval: float = 0.05,
                     what: str = "condition") -> Any:
    """Poll an async predicate until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        await asyncio.sleep(interval)


def ids(items: Iterable[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]
