"""The Open311 queries over reports (GeoReport v2 `requests` and `tokens`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.complaints.models import Complaint
from services.complaints.schemas.open311 import MAX_RESULTS, RequestQuery
from shared.errors import NotFound

__all__ = ["request_by_id", "request_id_by_token", "requests_matching"]


async def requests_matching(session: AsyncSession, query: RequestQuery) -> Sequence[Complaint]:
    """At most `MAX_RESULTS` reports, newest first."""
    statement: Select[Any] = select(Complaint)
    if query.ids:
        statement = statement.where(col(Complaint.id).in_(query.ids))
    if query.codes:
        statement = statement.where(col(Complaint.category).in_(query.codes))
    if query.status == "closed":
        statement = statement.where(col(Complaint.status) == "closed")
    elif query.status == "open":
        statement = statement.where(col(Complaint.status) != "closed")
    if query.start is not None:
        statement = statement.where(col(Complaint.created_at) >= query.start)
    if query.end is not None:
        statement = statement.where(col(Complaint.created_at) <= query.end)
    statement = statement.order_by(col(Complaint.created_at).desc()).limit(MAX_RESULTS)
    return (await session.scalars(statement)).all()


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
