"""What a service declares about itself, and the context it runs with.

A service module builds one `ServiceDefinition` (name, port, tables, routers and what it
consumes, a `shared.handlers.Consumes`); `shared.app.create_service_app` turns it into a
FastAPI app whose lifespan owns the database, the outbox relay, the consumer and background
tasks.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Authenticator
from shared.bus.base import Bus
from shared.clock import Clock
from shared.consumer import EventConsumer
from shared.db import Database
from shared.events.catalog import EventData, make_event, spec_of
from shared.events.envelope import Event
from shared.handlers import Consumes
from shared.outbox import OutboxRelay, add_event
from shared.settings import ServiceSettings, SuiteSettings

__all__ = [
    "SERVICE_MODULES",
    "ServiceContext",
    "ServiceDefinition",
    "define_service",
    "definition_of",
    "load_definitions",
    "publish",
    "source_of",
]

# The four services by name, each the module holding its `DEFINITION`. Imported lazily: only
# what needs them all (the embedded runner, the AsyncAPI document) loads them.
SERVICE_MODULES = {
    "projects": "services.projects.app",
    "acceptance": "services.acceptance.app",
    "complaints": "services.complaints.app",
    "property": "services.property.app",
}

BackgroundTask = Callable[["ServiceContext"], Awaitable[None]]
Seeder = Callable[[AsyncSession, "ServiceContext"], Awaitable[None]]
ReadinessNotes = Callable[["ServiceContext"], dict[str, Any]]


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
    consumes: Consumes | None = None
    background: Sequence[BackgroundTask] = ()
    seed: Seeder | None = None
    # What /readyz tells operators besides its checks (informs; never fails readiness).
    readiness_notes: ReadinessNotes | None = None

    @property
    def source(self) -> str:
        """The CloudEvents `source` of everything this service publishes."""
        return source_of(self.name)


def source_of(service: str) -> str:
    """The CloudEvents `source` of the service named `service` (its events' origin)."""
    return f"/community-suite/{service}"


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
    session: AsyncSession, data: EventData, *, subject: str, source: str, at: datetime
) -> Event:
    """Stage an event that happened `at` in the caller's transaction, keyed by `subject`."""
    event = make_event(data, subject=subject, source=source, time=at)
    await add_event(session, spec_of(data).topic, event)
    return event


def define_service(package: str | None, *, port: int, title: str, topic: str,
                   settings_class: type[ServiceSettings], seed: Seeder | None = None,
                   background: Sequence[BackgroundTask] = (),
                   readiness_notes: ReadinessNotes | None = None) -> ServiceDefinition:
    """The definition of the service package `package`, read from its fixed shape.

    Every service package has the same modules (CONTRIBUTING.md), so what a definition names
    is found by convention: `config.NAME`, `models.METADATA`, `api.router`,
    `handlers.CONSUMES` and the `migrations/` folder beside them.
    """
    if package is None:
        raise ValueError("define_service needs the service's package (pass __package__)")

    def part(module: str, attribute: str) -> Any:
        return getattr(importlib.import_module(f"{package}.{module}"), attribute)

    root = importlib.import_module(package)
    assert root.__file__ is not None
    return ServiceDefinition(
        name=part("config", "NAME"), port=port, title=title, topic=topic,
        metadata=part("models", "METADATA"),
        migrations=Path(root.__file__).parent / "migrations",
        routers=[part("api", "router")], settings_class=settings_class,
        consumes=part("handlers", "CONSUMES"), background=background, seed=seed,
        readiness_notes=readiness_notes,
    )


def definition_of(name: str) -> ServiceDefinition:
    """The definition of the service called `name` (`KeyError` for an unknown name)."""
    if name not in SERVICE_MODULES:
        raise KeyError(f"unknown service {name!r}; choose one of {', '.join(SERVICE_MODULES)}")
    definition: ServiceDefinition = importlib.import_module(SERVICE_MODULES[name]).DEFINITION
    return definition


def load_definitions() -> list[ServiceDefinition]:
    """Every service's definition, in port order."""
    return [definition_of(name) for name in SERVICE_MODULES]
