"""What the projects service publishes: facts about a project, keyed by the project id.

Payloads carry ids and codes only (organisation ids, never people).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.config import NAME
from services.projects.models import Project
from shared.contracts.projects import ProjectParties
from shared.events.catalog import EventData
from shared.service import publish, source_of

__all__ = ["SOURCE", "parties_of", "project_ref", "publish_fact"]

SOURCE = source_of(NAME)


def parties_of(project: Project) -> ProjectParties:
    """The project's parties as organisation ids (never people)."""
    return ProjectParties.model_validate(project.parties)


def project_ref(project: Project) -> dict[str, str]:
    """The fields every project fact starts with."""
    return {"project_id": project.id, "community_id": project.community_id}


async def publish_fact(session: AsyncSession, project: Project, data: EventData, *,
                       at: datetime) -> None:
    """Stage `data`, which happened to `project` at `at`, in the caller's transaction."""
    await publish(session, data, subject=project.id, source=SOURCE, at=at)
