"""Events the acceptance service consumes: one function per type, registered in HANDLERS."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from services.acceptance.events import PinnedClock
from services.acceptance.models import ComplaintView
from services.acceptance.service import open_next_round, open_session
from shared.consumer import Handler
from shared.contracts.complaints import (
    ComplaintAcknowledged,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintReceived,
    ComplaintReopened,
    ComplaintResolved,
)
from shared.contracts.projects import ProjectCompleted, ProjectRectified
from shared.events import Event, EventData
from shared.events.topics import COMPLAINTS, PROJECTS

__all__ = ["HANDLERS", "SUBSCRIPTIONS"]

_COMPLAINT_TYPES = (
    ComplaintReceived, ComplaintAcknowledged, ComplaintAssigned, ComplaintEscalated,
    ComplaintResolved, ComplaintClosed, ComplaintReopened,
)


async def on_project_completed(session: AsyncSession, data: EventData, event: Event) -> None:
    assert isinstance(data, ProjectCompleted)
    await open_session(session, data, clock=PinnedClock(event.time))


async def on_project_rectified(session: AsyncSession, data: EventData, event: Event) -> None:
    assert isinstance(data, ProjectRectified)
    await open_next_round(session, data, clock=PinnedClock(event.time))


async def on_complaint_changed(session: AsyncSession, data: EventData, event: Event) -> None:
    """Keep each project's complaints at their latest status; an older event never wins."""
    assert isinstance(data, _COMPLAINT_TYPES)
    if data.project_id is None:
        return  # a compound's or community's report: not on a project under acceptance
    view = await session.get(ComplaintView, data.complaint_id)
    if view is None:
        session.add(ComplaintView(
            complaint_id=data.complaint_id, project_id=data.project_id, kind=data.kind,
            category=data.category, status=data.status, occurred_at=data.occurred_at,
        ))
    elif data.occurred_at >= view.occurred_at:
        view.status, view.category, view.occurred_at = data.status, data.category, data.occurred_at


SUBSCRIPTIONS: tuple[str, ...] = (PROJECTS, COMPLAINTS)
HANDLERS: Mapping[str, Handler] = {
    "project.completed": on_project_completed,
    "project.rectified": on_project_rectified,
    "complaint.received": on_complaint_changed,
    "complaint.acknowledged": on_complaint_changed,
    "complaint.assigned": on_complaint_changed,
    "complaint.escalated": on_complaint_changed,
    "complaint.resolved": on_complaint_changed,
    "complaint.closed": on_complaint_changed,
    "complaint.reopened": on_complaint_changed,
}
