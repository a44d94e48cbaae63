"""Events the acceptance service consumes, registered by type in CONSUMES.

`project.completed` opens a session, `project.rectified` opens the next round (each dated by
the event), the `complaint.*` facts keep the projection of the projects' complaints, and
`community.jurisdiction_set` moves who signs and reads for a community's offices at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.acceptance.models import COMMUNITY_JURISDICTIONS
from services.acceptance.service.complaints import project_complaints
from services.acceptance.service.sessions import open_next_round, open_session
from shared.contracts.complaints import (
    ComplaintAcknowledged,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintMerged,
    ComplaintReceived,
    ComplaintReopened,
    ComplaintResolved,
)
from shared.contracts.projects import CommunityJurisdictionSet, ProjectCompleted, ProjectRectified
from shared.events import Event
from shared.handlers import Consumes
from shared.jurisdiction import record_published_jurisdiction

__all__ = [
    "CONSUMES",
    "on_complaint_changed",
    "on_jurisdiction_set",
    "on_project_completed",
    "on_project_rectified",
]

CONSUMES = Consumes()


@CONSUMES.event(ProjectCompleted)
async def on_project_completed(session: AsyncSession, data: ProjectCompleted,
                               event: Event) -> None:
    await open_session(session, data, at=event.time)


@CONSUMES.event(ProjectRectified)
async def on_project_rectified(session: AsyncSession, data: ProjectRectified,
                               event: Event) -> None:
    await open_next_round(session, data, at=event.time)


@CONSUMES.batch(ComplaintReceived, ComplaintAcknowledged, ComplaintAssigned, ComplaintEscalated,
                ComplaintResolved, ComplaintClosed, ComplaintReopened, ComplaintMerged)
async def on_complaint_changed(session: AsyncSession,
                               deliveries: Sequence[tuple[Any, Event]]) -> None:
    """A run of complaint facts applied at once ends where applying them one by one does."""
    await project_complaints(session, [data for data, _ in deliveries])


@CONSUMES.event(CommunityJurisdictionSet)
async def on_jurisdiction_set(session: AsyncSession, data: CommunityJurisdictionSet,
                              event: Event) -> None:
    """Keep the community's newest jurisdiction; an older event changes nothing."""
    await record_published_jurisdiction(session, COMMUNITY_JURISDICTIONS, data)
