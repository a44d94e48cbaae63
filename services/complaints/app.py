"""The complaints service: its definition and `create_app()`."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.complaints.api import router
from services.complaints.config import ComplaintsSettings
from services.complaints.escalation import sla_scanner
from services.complaints.handlers import HANDLERS, SUBSCRIPTIONS
from services.complaints.models import METADATA
from shared.app import create_service_app
from shared.events.topics import COMPLAINTS
from shared.service import ServiceDefinition

__all__ = ["DEFINITION", "create_app"]

DEFINITION = ServiceDefinition(
    name="complaints",
    port=8003,
    title="Complaints service",
    topic=COMPLAINTS,
    metadata=METADATA,
    migrations=Path(__file__).parent / "migrations",
    routers=[router],
    settings_class=ComplaintsSettings,
    subscriptions=SUBSCRIPTIONS,
    handlers=HANDLERS,
    background=[sla_scanner],
)


def create_app() -> FastAPI:
    return create_service_app(DEFINITION)
