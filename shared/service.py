"""What a service declares about itself, and the context it runs with.

A service module builds one `ServiceDefinition` (name, port, tables, routers, the events it
consumes and its handler table); `shared.app.create_service_app` turns it into a FastAPI app
whose lifespan owns the database, the outbox relay, the consumer and background tasks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Authenticator
from shared.bus.base import Bus
from shared.clock import Clock
from shared.consumer import EventConsumer, Handler
from shared.db import Database
from shared.events.catalog import EventData, make_event, spec_of
from shared.events.envelope import Event
from shared.outbox import OutboxRelay, add_event
from shared.settings import ServiceSettings, SuiteSettings

__all__ = ["ServiceContext", "ServiceDefinition", "publish"]

BackgroundTask = Callable[["ServiceContext"], Awaitable[None]]
Seeder = Callable[[AsyncSession, "ServiceContext"], Awaitable[None]]


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    port: int
    title: str
    topic: str
    metadata: MetaData
    migrations: Path | None  # None only for throwaway schemas (tests): create_all instead
    routers: Sequence[APIRouter]
    settings_class: type[ServiceSettings]
    subscriptions: Sequence[str] = ()
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    background: Sequence[BackgroundTask] = ()
    seed: Seeder | None = None

    @property
    def source(self) -> str:
        """The CloudEvents `source` of everything this service publishes."""
        return f"/community-suite/{self.name}"


@dataclass
class ServiceContext:
    definition: ServiceDefinition
    suite: SuiteSettings
    settings: Any  # the service's own ServiceSettings subclass
    db: Database
    bus: Bus
    clock: Clock
    authenticator: Authenticator
    relay: OutboxRelay
    consumer: EventConsumer | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, request: Request) -> ServiceContext:
        return cls.of_app(request.app)

    @classmethod
    def of_app(cls, app: Any) -> ServiceContext:
        ctx: ServiceContext = app.state.ctx
        return ctx


async def publish(
    session: AsyncSession, data: EventData, *, subject: str, source: str, clock: Clock
) -> Event:
    """Stage an event in the caller's transaction, on its type's topic, keyed by `subject`."""
    event = make_event(data, subject=subject, source=source, time=clock.now())
    await add_event(session, spec_of(data).topic, event)
    return event
