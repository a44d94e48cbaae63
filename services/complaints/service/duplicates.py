"""Use cases on duplicates: reports near a point, "me too" supporters, merging a duplicate
into the surviving report (rules in `domain.duplicates`).

A supporter's count is a tally, not an edit of the report: it changes neither its version
(no staff `If-Match` goes stale because residents keep saying "me too") nor its history. A
merge is a staff step: both reports get a history step and a new version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.access import ensure_may
from services.complaints.config import ComplaintsSettings
from services.complaints.domain import duplicates, workflow
from services.complaints.events import publish_complaint_fact
from services.complaints.models import Complaint
from services.complaints.repository import reports as repository
from services.complaints.repository.jurisdictions import jurisdiction_for
from services.complaints.service.reports import Actor, access_token, history_step
from shared.auth import Principal
from shared.geo import LatLng
from shared.settings import SuiteSettings

__all__ = ["Nearby", "Supported", "merge_report", "nearby_reports", "support_report"]


@dataclass(frozen=True)
class Nearby:
    complaint: Complaint
    distance_m: float


@dataclass(frozen=True)
class Supported:
    complaint: Complaint
    access_token: str


async def nearby_reports(session: AsyncSession, point: LatLng, category: str, now: datetime
                         ) -> list[Nearby]:
    """Open reports of `category` near `point`, nearest first (`domain.duplicates`)."""
    candidates = await repository.open_reports_near(
        session, point, duplicates.NEARBY_RADIUS_M, category=category,
        since=now - duplicates.NEARBY_WINDOW)
    ranked = duplicates.nearest(
        point, [(c, LatLng(c.lat, c.lng)) for c in candidates if c.lat is not None
                and c.lng is not None],
        radius_m=duplicates.NEARBY_RADIUS_M, limit=duplicates.NEARBY_LIMIT)
    return [Nearby(complaint, distance) for complaint, distance in ranked]


async def support_report(session: AsyncSession, complaint_id: str, *,
                         settings: ComplaintsSettings, suite: SuiteSettings, now: datetime
                         ) -> Supported:
    """Count one more supporter on the locked report and give them a token to follow it."""
    complaint = await repository.lock_report(session, complaint_id)
    duplicates.ensure_supportable(complaint.status, complaint.duplicate_of)
    complaint.supporters += 1
    await session.flush()
    await publish_complaint_fact(session, complaint, "support", now,
                                 supporters=complaint.supporters)
    token = access_token(suite, settings, complaint.id, holder="supporter",
                         generation=complaint.token_generation)
    return Supported(complaint=complaint, access_token=token)


async def merge_report(session: AsyncSession, complaint_id: str, into: str,
                       principal: Principal, now: datetime, *, if_match: str | None,
                       note: str | None = None) -> Complaint:
    """Merge report `complaint_id` into `into`, decided on both locked rows: the duplicate
    stops its clock and points at the survivor; the survivor counts its reporter and
    supporters; whoever followed the duplicate follows the survivor."""
    duplicate, survivor = await repository.lock_merge_pair(session, complaint_id, into,
                                                           principal, if_match=if_match)
    for report in (duplicate, survivor):
        ensure_may(principal, "merge", report,
                   await jurisdiction_for(session, principal, report.community_id))
    duplicates.ensure_may_merge(duplicate.id, survivor.id, survivor_status=survivor.status,
                                survivor_duplicate_of=survivor.duplicate_of)
    before = duplicate.status
    duplicate.status = workflow.next_status(before, "merge")
    duplicate.duplicate_of = survivor.id
    duplicate.next_escalation_at = None
    survivor.supporters += 1 + duplicate.supporters
    await repository.move_followers(session, duplicate.id, survivor.id)
    actor = Actor.of(principal, duplicate.id)
    session.add(history_step(
        duplicate, "merge", before, actor, now,
        note or f"Merged into report {survivor.tracking_code} on the same matter; your access "
                "token follows that report from now on."))
    session.add(history_step(
        survivor, "duplicate_merged", survivor.status, actor, now,
        f"Report {duplicate.tracking_code} on the same matter was merged into this one."))
    await session.flush()
    await publish_complaint_fact(session, duplicate, "merge", now, duplicate_of=survivor.id)
    await publish_complaint_fact(session, survivor, "support", now,
                                 supporters=survivor.supporters, merged_from=duplicate.id)
    return duplicate
