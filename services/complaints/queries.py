"""Read models: report listings and statistics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel import col

from services.complaints.domain import OPEN_STATUSES
from services.complaints.models import Complaint
from services.complaints.schemas import SlaFigures, StatsPublic
from shared.pagination import keyset_page

__all__ = ["ComplaintFilters", "complaint_page", "complaint_stats"]

_PAGE_KEYS = cast(list[InstrumentedAttribute[Any]], [Complaint.created_at, Complaint.id])


@dataclass(frozen=True)
class ComplaintFilters:
    project_id: str | None = None
    community_id: str | None = None
    status: str | None = None
    category: str | None = None
    escalation_level: str | None = None

    def where(self) -> list[ColumnElement[bool]]:
        pairs = [
            (Complaint.project_id, self.project_id),
            (Complaint.community_id, self.community_id),
            (Complaint.status, self.status),
            (Complaint.category, self.category),
            (Complaint.escalation_level, self.escalation_level),
        ]
        return [col(column) == value for column, value in pairs if value is not None]


async def complaint_page(
    session: AsyncSession, filters: ComplaintFilters, visible: ColumnElement[bool] | None,
    *, limit: int, cursor: str | None,
) -> tuple[list[Complaint], str | None]:
    statement: Select[Any] = select(Complaint).where(*filters.where())
    if visible is not None:
        statement = statement.where(visible)
    return await keyset_page(session, statement, _PAGE_KEYS, limit=limit, cursor=cursor)


async def _counts(session: AsyncSession, column: Any, where: list[ColumnElement[bool]]
                  ) -> dict[str, int]:
    rows = await session.execute(select(column, func.count()).where(*where).group_by(column))
    return {str(key): int(count) for key, count in rows.all()}


async def complaint_stats(session: AsyncSession, community_id: str | None, now: datetime
                          ) -> StatsPublic:
    """Counts by status and category, SLA compliance and mean time to resolve.

    SLA: a report resolved by its deadline counts as met; one resolved late, or still open
    past its deadline, as breached.
    """
    where = ComplaintFilters(community_id=community_id).where()
    by_status = await _counts(session, Complaint.status, where)
    by_category = await _counts(session, Complaint.category, where)
    met = await _count(session, [*where, col(Complaint.sla_met).is_(True)])
    late = await _count(session, [*where, col(Complaint.sla_met).is_(False)])
    overdue = await _count(session, [*where, col(Complaint.status).in_(OPEN_STATUSES),
                                     col(Complaint.due_at) < now])
    mean_seconds = await session.scalar(
        select(func.avg(Complaint.resolution_seconds)).where(
            *where, col(Complaint.resolution_seconds).is_not(None))
    )
    breached = late + overdue
    return StatsPublic(
        community_id=community_id, total=sum(by_status.values()), by_status=by_status,
        by_category=by_category, open_overdue=overdue,
        sla=SlaFigures(met=met, breached=breached,
                       compliance=round(met / (met + breached), 4) if met + breached else None),
        mean_hours_to_resolve=(round(float(mean_seconds) / 3600, 2)
                               if mean_seconds is not None else None),
    )


async def _count(session: AsyncSession, where: list[ColumnElement[bool]]) -> int:
    return int(await session.scalar(select(func.count()).select_from(Complaint).where(*where))
               or 0)
