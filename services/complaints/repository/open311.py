"""The Open311 queries over reports (GeoReport v2 `requests`, `tokens`, mySociety's
`servicerequestupdates`); the photos uploaded with requests are in `repository.photos`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.complaints.models import Complaint, ComplaintStep
from services.complaints.schemas.open311 import CLOSED_STATUSES, RequestQuery, UpdatesQuery
from shared.errors import NotFound

__all__ = [
    "latest_steps",
    "request_by_id",
    "request_id_by_token",
    "requests_matching",
    "updates_matching",
]


async def requests_matching(session: AsyncSession, query: RequestQuery) -> Sequence[Complaint]:
    """One page of reports, newest first."""
    statement: Select[Any] = select(Complaint)
    if query.ids:
        statement = statement.where(col(Complaint.id).in_(query.ids))
    if query.codes:
        statement = statement.where(col(Complaint.category).in_(query.codes))
    if query.status == "closed":
        statement = statement.where(col(Complaint.status).in_(CLOSED_STATUSES))
    elif query.status == "open":
        statement = statement.where(col(Complaint.status).not_in(CLOSED_STATUSES))
    if query.start is not None:
        statement = statement.where(col(Complaint.created_at) >= query.start)
    if query.end is not None:
        statement = statement.where(col(Complaint.created_at) <= query.end)
    statement = (statement.order_by(col(Complaint.created_at).desc(), col(Complaint.id).desc())
                 .offset(query.page.offset).limit(query.page.size))
    return (await session.scalars(statement)).all()


async def latest_steps(session: AsyncSession, complaint_ids: Iterable[str]
                       ) -> dict[str, ComplaintStep]:
    """The latest history step of each report (who wrote its latest note)."""
    ids = list(complaint_ids)
    if not ids:
        return {}
    latest = (select(col(ComplaintStep.complaint_id), func.max(col(ComplaintStep.seq))
                     .label("seq"))
              .where(col(ComplaintStep.complaint_id).in_(ids))
              .group_by(col(ComplaintStep.complaint_id)).subquery())
    statement = select(ComplaintStep).join(latest, and_(
        col(ComplaintStep.complaint_id) == latest.c.complaint_id,
        col(ComplaintStep.seq) == latest.c.seq))
    return {step.complaint_id: step for step in (await session.scalars(statement)).all()}


async def request_by_id(session: AsyncSession, service_request_id: str) -> Complaint:
    complaint = await session.get(Complaint, service_request_id)
    if complaint is None:
        raise NotFound(f"service_request_id {service_request_id!r} not found")
    return complaint


async def request_id_by_token(session: AsyncSession, token: str) -> str:
    """The report id of a token (our tracking code)."""
    statement = select(col(Complaint.id)).where(col(Complaint.tracking_code) == token)
    found = await session.scalar(statement)
    if found is None:
        raise NotFound(f"token {token!r} not found")
    return str(found)


async def updates_matching(session: AsyncSession, query: UpdatesQuery
                           ) -> Sequence[ComplaintStep]:
    """One page of status changes (every step but the filing itself), oldest first."""
    statement: Select[Any] = select(ComplaintStep).where(col(ComplaintStep.action) != "file")
    if query.start is not None:
        statement = statement.where(col(ComplaintStep.at) >= query.start)
    if query.end is not None:
        statement = statement.where(col(ComplaintStep.at) <= query.end)
    statement = (statement.order_by(col(ComplaintStep.at), col(ComplaintStep.complaint_id),
                                    col(ComplaintStep.seq))
                 .offset(query.page.offset).limit(query.page.size))
    return (await session.scalars(statement)).all()
