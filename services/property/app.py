"""The property service: its definition and `create_app()`."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.property_service.api import router
from services.property_service.config import PropertySettings
from services.property_service.handlers import HANDLERS, SUBSCRIPTIONS
from services.property_service.models import METADATA
from shared.app import create_service_app
from shared.events.topics import PROPERTY
from shared.service import ServiceDefinition

__all__ = ["DEFINITION", "create_app"]

DEFINITION = ServiceDefinition(
    name="property",
    port=8004,
    title="Property service",
    topic=PROPERTY,
    metadata=METADATA,
    migrations=Path(__file__).parent / "migrations",
    routers=[router],
    settings_class=PropertySettings,
    subscriptions=SUBSCRIPTIONS,
    handlers=HANDLERS,
)


def create_app() -> FastAPI:
    return create_service_app(DEFINITION)
