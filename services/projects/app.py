"""The projects service: its definition and `create_app()`."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.api import router
from services.projects.config import ProjectsSettings
from services.projects.handlers import HANDLERS, SUBSCRIPTIONS
from services.projects.models import METADATA
from services.projects.planning import seed_communities
from shared.app import create_service_app
from shared.events.topics import PROJECTS
from shared.service import ServiceContext, ServiceDefinition

__all__ = ["DEFINITION", "create_app"]



async def _seed(session: AsyncSession, ctx: ServiceContext) -> None:
    await seed_communities(session)


DEFINITION = ServiceDefinition(
    name="projects",
    port=8001,
    title="Projects service",
    topic=PROJECTS,
    metadata=METADATA,
    migrations=Path(__file__).parent / "migrations",
    routers=[router],
    settings_class=ProjectsSettings,
    subscriptions=SUBSCRIPTIONS,
    handlers=HANDLERS,
    seed=_seed,
)


def create_app() -> FastAPI:
    return create_service_app(DEFINITION)
