"""Events the acceptance service consumes: one function per type, registered in HANDLERS."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.acceptance.events import PinnedClock
from services.acceptance.models import ComplaintView
from services.acceptance.service import open_next_round, open_session
from shared.consumer import BatchHandler, Delivery, Handler
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

Upsert = postgresql.Insert | sqlite.Insert

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


_VIEWS: Table = ComplaintView.__table__  # type: ignore[attr-defined]


def _latest_wins(insert: Upsert) -> Upsert:
    """Insert a complaint's first fact; a later one moves status, category and time forward.

    `kind` and `project_id` keep their first values; a fact older than the row changes nothing.
    """
    return insert.on_conflict_do_update(
        index_elements=[_VIEWS.c.complaint_id],
        set_={name: insert.excluded[name] for name in ("status", "category", "occurred_at")},
        where=_VIEWS.c.occurred_at <= insert.excluded.occurred_at,
    )


_UPSERT = {
    "postgresql": _latest_wins(postgresql.insert(_VIEWS)),
    "sqlite": _latest_wins(sqlite.insert(_VIEWS)),
}


@BatchHandler
async def on_complaint_changed(session: AsyncSession, deliveries: Sequence[Delivery]) -> None:
    """Keep each project's complaints at their latest status; an older event never wins.

    The run's facts are first folded into one row per complaint, as the view would take them
    one by one, then upserted together: no row is read into the session.
    """
    rows: dict[str, dict[str, Any]] = {}
    for data, _ in deliveries:
        assert isinstance(data, _COMPLAINT_TYPES)
        if data.project_id is None:
            continue  # a compound's or community's report: not on a project under acceptance
        row = rows.get(data.complaint_id)
        if row is None:
            rows[data.complaint_id] = {
                "complaint_id": data.complaint_id, "project_id": data.project_id,
                "kind": data.kind, "category": data.category, "status": data.status,
                "occurred_at": data.occurred_at,
            }
        elif data.occurred_at >= row["occurred_at"]:
            row.update(status=data.status, category=data.category, occurred_at=data.occurred_at)
    if rows:
        await session.execute(_UPSERT[session.get_bind().dialect.name], list(rows.values()))


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
