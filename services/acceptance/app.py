"""The acceptance service: its definition and `create_app()`."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.acceptance.api import router
from services.acceptance.config import AcceptanceSettings
from services.acceptance.handlers import HANDLERS, SUBSCRIPTIONS
from services.acceptance.models import METADATA
from shared.app import create_service_app
from shared.events.topics import ACCEPTANCE
from shared.service import ServiceDefinition

__all__ = ["DEFINITION", "create_app"]

DEFINITION = ServiceDefinition(
    name="acceptance",
    port=8002,
    title="Acceptance service",
    topic=ACCEPTANCE,
    metadata=METADATA,
    migrations=Path(__file__).parent / "migrations",
    routers=[router],
    settings_class=AcceptanceSettings,
    subscriptions=SUBSCRIPTIONS,
    handlers=HANDLERS,
)


def create_app() -> FastAPI:
    return create_service_app(DEFINITION)
