"""Reporters' personal data (PIPL arts. 19, 47): showing a report with its contact (and
recording every unmasked display), erasing a contact at the reporter's request or once the
retention after closing ran out, and revoking a report's access tokens.

`erase_expired_contacts` is the retention rule applied to the database at one instant; the
background task `contact_retention_scanner` runs it every
`COMPLAINTS_CONTACT_RETENTION_SCAN_SECONDS` with the service clock, and tests call it with a
frozen time. Each report is locked and judged again before its contact is erased, so two
scans at once (two replicas) erase it once, and a report is never half erased.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.access import (
    ContactDisplay,
    actions_of,
    acts_for_area,
    contact_display,
    listing_contact_display,
)
from services.complaints.domain.personal_data import holds_contact, retention_cutoff
from services.complaints.events import publish_contact_erased
from services.complaints.models import Complaint, ComplaintStep, ContactView
from services.complaints.repository import contacts as repository
from services.complaints.repository import reports as reports_repository
from services.complaints.repository.jurisdictions import jurisdiction_for, staff_area
from services.complaints.repository.reports import ComplaintFilters
from services.complaints.service.photos import delete_uncited_photos
from shared.auth import Principal
from shared.db import new_id
from shared.repository import bump_version
from shared.service import ServiceContext

__all__ = [
    "Shown",
    "contact_retention_scanner",
    "contact_views",
    "erase_contact_on_request",
    "erase_expired_contacts",
    "revoke_report_tokens",
    "show_report",
    "show_reports",
]

log = logging.getLogger(__name__)

_BATCH = 500
ErasureReason = Literal["reporter_request", "retention"]


@dataclass(frozen=True)
class Shown:
    """A report as shown to one caller: whether as staff of its area, its contact how, and
    the actions this caller may take on it (`access.actions_of`)."""

    complaint: Complaint
    staff: bool
    contact: ContactDisplay
    steps: Sequence[ComplaintStep] = field(default_factory=list)
    actions: frozenset[str] = frozenset()


def _holds_contact(complaint: Complaint) -> bool:
    return holds_contact(complaint.contact_name, complaint.contact_phone,
                         complaint.contact_email)


async def show_report(session: AsyncSession, complaint_id: str, principal: Principal,
                      now: datetime, *, with_contact: bool = True) -> Shown:
    """The report `principal` may see, with its history. With `with_contact`, its contact as
    `access.contact_display` says, and a display in full is recorded in `contact_views`.
    Without (the answer to a workflow step, which an Idempotency-Key may store), none."""
    complaint = await reports_repository.visible_report(session, complaint_id, principal)
    staff = acts_for_area(principal, await jurisdiction_for(session, principal,
                                                            complaint.community_id))
    display = contact_display(principal, complaint, staff_here=staff) if with_contact else "hidden"
    if display == "full" and _holds_contact(complaint):
        await repository.record_contact_views(session, [ContactView(
            id=new_id(), complaint_id=complaint.id, viewer_sub=principal.sub,
            viewer_org=principal.org, viewer_roles=sorted(principal.roles), via="report",
            viewed_at=now)])
    steps = await reports_repository.steps_of(session, complaint_id)
    return Shown(complaint=complaint, staff=staff, contact=display, steps=steps,
                 actions=actions_of(principal, complaint, staff_here=staff))


async def show_reports(session: AsyncSession, filters: ComplaintFilters, principal: Principal,
                       *, limit: int, cursor: str | None) -> tuple[list[Shown], str | None]:
    """A page of the reports `principal` may see, contacts as a listing shows them."""
    area = await staff_area(session, principal)
    rows, next_cursor = await reports_repository.report_page(
        session, filters, principal, limit=limit, cursor=cursor, area=area)
    shown = []
    for row in rows:
        staff = area.covers(row.community_id)
        shown.append(Shown(complaint=row, staff=staff, contact=listing_contact_display(staff),
                           actions=actions_of(principal, row, staff_here=staff)))
    return shown, next_cursor


async def contact_views(
    session: AsyncSession, *, complaint_id: str | None, viewer_sub: str | None, limit: int,
    cursor: str | None,
) -> tuple[Sequence[ContactView], str | None]:
    """The recorded displays of unmasked contacts (404 for a report that does not exist)."""
    if complaint_id is not None:
        await repository.report_exists(session, complaint_id)
    return await repository.contact_view_page(session, complaint_id=complaint_id,
                                              viewer_sub=viewer_sub, limit=limit,
                                              cursor=cursor)


async def revoke_report_tokens(session: AsyncSession, report: Complaint) -> None:
    """Revoke every access token issued for the locked `report` (its reporter's, and any
    issued with its generation): they answer 401 from now on. The caller counts the change
    (`bump_version`) with the rest of its own."""
    report.token_generation += 1
    session.add(report)
    await session.flush()


async def _erase(session: AsyncSession, complaint: Complaint, reason: ErasureReason,
                 now: datetime) -> bool:
    """Erase the locked report's contact (False: it holds none); the report stays."""
    if not _holds_contact(complaint):
        return False
    complaint.contact_name = complaint.contact_phone = complaint.contact_email = None
    complaint.contact_erased_at = now
    session.add(complaint)
    await session.flush()
    await publish_contact_erased(session, complaint, reason, now)
    return True


async def erase_contact_on_request(session: AsyncSession, complaint_id: str,
                                   principal: Principal, now: datetime, *,
                                   if_match: str | None) -> None:
    """The reporter asks for erasure (PIPL art. 47): the contact goes at once, and so does
    every access token of the report, the one asking included, since it ties the reporter
    to the report. A contact already erased (by the retention scan) is not erased twice."""
    complaint = await repository.lock_reporters_report(session, complaint_id, principal,
                                                       if_match=if_match)
    await _erase(session, complaint, "reporter_request", now)
    await revoke_report_tokens(session, complaint)
    bump_version(complaint)
    await session.flush()


async def erase_expired_contacts(session: AsyncSession, now: datetime, retention_days: int,
                                 *, limit: int = _BATCH) -> int:
    """Erase the contact of every report closed at least `retention_days` before `now` (at
    most `limit` of them); returns how many were erased. Nothing else of a report changes
    but its `version`."""
    cutoff = retention_cutoff(now, retention_days)
    erased = 0
    # Locked in id order: two scans at once take the locks in one order.
    for complaint_id in sorted(await repository.contacts_due(session, cutoff, limit=limit)):
        complaint = await reports_repository.lock_report(session, complaint_id)
        if complaint.closed_at is None or complaint.closed_at > cutoff:
            continue
        if await _erase(session, complaint, "retention", now):
            bump_version(complaint)
            erased += 1
    await session.flush()
    return erased


async def _scan(ctx: ServiceContext) -> int:
    """Erase every expired contact, one transaction per batch."""
    total = 0
    while True:
        async with ctx.db.transaction() as session:
            erased = await erase_expired_contacts(session, ctx.clock.now(),
                                                  ctx.settings.contact_retention_days)
        total += erased
        if erased < _BATCH:
            return total


async def _delete_uncited_photos(ctx: ServiceContext) -> int:
    async with ctx.db.transaction() as session:
        return await delete_uncited_photos(session, ctx.clock.now())


async def contact_retention_scanner(ctx: ServiceContext) -> None:
    """Background loop: sleep, erase what expired, repeat; a failed scan is logged (no
    personal data: counts only) and retried next round. Each round also deletes the photos
    uploaded for a report that no report cited in time (`domain.photos`)."""
    while True:
        await asyncio.sleep(ctx.settings.contact_retention_scan_seconds)
        try:
            erased = await _scan(ctx)
            deleted = await _delete_uncited_photos(ctx)
        except Exception:
            log.exception("contact retention scan failed")
            continue
        if erased:
            log.info("erased %d reporter contact(s) past their retention", erased)
        if deleted:
            log.info("deleted %d uploaded photo(s) no report cited", deleted)
