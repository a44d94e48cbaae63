"""Reporters' contacts: the reports whose retention ran out, the reporter's own locked report,
and the audit of unmasked displays (`contact_views`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel import col

from services.complaints.access import NO_SUCH_REPORT, ensure_may_erase_contact
from services.complaints.models import HOLDS_CONTACT, Complaint, ContactView
from services.complaints.repository.reports import ensure_visible_here, lock_report
from shared.auth import Principal
from shared.errors import NotFound
from shared.pagination import keyset_page
from shared.repository import check_version

__all__ = [
    "contact_view_page",
    "contacts_due",
    "lock_reporters_report",
    "record_contact_views",
    "report_exists",
]

_VIEW_KEYS = cast(list[InstrumentedAttribute[Any]], [ContactView.viewed_at, ContactView.id])


async def contacts_due(session: AsyncSession, cutoff: datetime, *, limit: int) -> list[str]:
    """Reports closed at or before `cutoff` that still hold a contact, longest closed first.

    Unlocked, served by the partial index `ix_complaints_contact_due` (its predicate is
    repeated here so the planner may use it): the scan locks each report and decides again.
    """
    statement = (
        select(col(Complaint.id))
        .where(HOLDS_CONTACT, col(Complaint.closed_at) <= cutoff)
        .order_by(col(Complaint.closed_at))
        .limit(limit)
    )
    return list((await session.scalars(statement)).all())


async def lock_reporters_report(session: AsyncSession, complaint_id: str,
                                principal: Principal, *, if_match: str | None) -> Complaint:
    """The report locked for its reporter's own request: 404 if hidden from `principal`,
    401 for a revoked token, 403 unless it is the reporter's own token, then 412 if
    `if_match` does not name the locked row's version."""
    complaint = await lock_report(session, complaint_id)
    await ensure_visible_here(session, principal, complaint)
    ensure_may_erase_contact(principal, complaint)
    check_version(if_match, complaint.version)
    return complaint


async def record_contact_views(session: AsyncSession, views: Sequence[ContactView]) -> None:
    session.add_all(views)
    await session.flush()


async def report_exists(session: AsyncSession, complaint_id: str) -> None:
    """404 unless the report exists."""
    found = await session.scalar(select(col(Complaint.id)).where(col(Complaint.id) == complaint_id))
    if found is None:
        raise NotFound(NO_SUCH_REPORT)


async def contact_view_page(
    session: AsyncSession, *, complaint_id: str | None, viewer_sub: str | None, limit: int,
    cursor: str | None,
) -> tuple[Sequence[ContactView], str | None]:
    """Recorded displays, oldest first, of one report and/or by one viewer."""
    statement: Select[Any] = select(ContactView)
    if complaint_id is not None:
        statement = statement.where(col(ContactView.complaint_id) == complaint_id)
    if viewer_sub is not None:
        statement = statement.where(col(ContactView.viewer_sub) == viewer_sub)
    return await keyset_page(session, statement, _VIEW_KEYS, limit=limit, cursor=cursor)
