"""Reports: locked loads for the workflow and the SLA scan, reads, pages, statistics, and the
Core INSERTs of filing (nothing reads those rows back in the filing transaction, so ORM
instances would only add their bookkeeping to the hottest path of the service)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, bindparam, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel import col

from services.complaints.access import NO_SUCH_REPORT, ensure_visible, org_of
from services.complaints.domain.routing import KnownPlace
from services.complaints.domain.workflow import OPEN_STATUSES
from services.complaints.models import (
    CommunityBoundary,
    Complaint,
    ComplaintStep,
    CompoundService,
    ProjectSite,
    SiteBoard,
)
from services.complaints.repository.jurisdictions import StaffArea, jurisdiction_for, staff_area
from shared.auth import Principal
from shared.db import insert_skipping_conflicts
from shared.errors import NotFound
from shared.geo import DEMO_BOUNDARIES, LatLng, bounding_box
from shared.pagination import keyset_page
from shared.repository import check_version, load_for_update

__all__ = [
    "PAGE_KEYS",
    "ComplaintFilters",
    "ReportCounts",
    "community_boundaries",
    "ensure_visible_here",
    "estimated_open_report_ids",
    "follows_through_merge",
    "insert_report",
    "insert_step",
    "known_place",
    "lock_merge_pair",
    "lock_report",
    "lock_visible_report",
    "move_followers",
    "open_reports_near",
    "overdue_report_ids",
    "record_boundary",
    "report_counts",
    "report_page",
    "steps_of",
    "visibility_filter",
    "visible_report",
]

PAGE_KEYS = cast(list[InstrumentedAttribute[Any]], [Complaint.created_at, Complaint.id])
_COMPLAINTS = Complaint.__table__  # type: ignore[attr-defined]
_INSERT_STEP = ComplaintStep.__table__.insert()  # type: ignore[attr-defined]
_INSERT_REPORT: dict[str, Any] = {}  # per dialect: built on first use, then reused


async def ensure_visible_here(session: AsyncSession, principal: Principal,
                              complaint: Complaint) -> None:
    """`access.ensure_visible` with the jurisdiction of the report's community."""
    ensure_visible(principal, complaint,
                   await jurisdiction_for(session, principal, complaint.community_id))


# Locked loads: every workflow step and every escalation decides on one of these.

async def lock_report(session: AsyncSession, complaint_id: str) -> Complaint:
    """The report locked until the transaction ends, in its latest committed state."""
    try:
        return await load_for_update(session, Complaint, complaint_id, "report")
    except NotFound:
        raise NotFound(NO_SUCH_REPORT) from None


async def lock_visible_report(session: AsyncSession, complaint_id: str, principal: Principal,
                              *, if_match: str | None) -> Complaint:
    """The report locked for a step by `principal`: 404 if hidden from it, then 412 if
    `if_match` does not name the locked row's version."""
    complaint = await lock_report(session, complaint_id)
    await ensure_visible_here(session, principal, complaint)
    check_version(if_match, complaint.version)
    return complaint


async def lock_merge_pair(session: AsyncSession, duplicate_id: str, survivor_id: str,
                          principal: Principal, *, if_match: str | None
                          ) -> tuple[Complaint, Complaint]:
    """Both reports of a merge locked, in id order (two merges of the same pair, either way
    round, cannot deadlock); 404 for one hidden from `principal`, then 412 if `if_match`
    does not name the duplicate's locked version."""
    locked = {complaint_id: await lock_report(session, complaint_id)
              for complaint_id in sorted({duplicate_id, survivor_id})}
    for complaint in locked.values():
        await ensure_visible_here(session, principal, complaint)
    check_version(if_match, locked[duplicate_id].version)
    return locked[duplicate_id], locked[survivor_id]


async def overdue_report_ids(session: AsyncSession, now: datetime, *, limit: int) -> list[str]:
    """Open reports whose next escalation fell due by `now`, longest overdue first.

    Unlocked: the scan locks each one with `lock_report` and decides on that state.
    """
    statement = (
        select(col(Complaint.id))
        .where(col(Complaint.status).in_(OPEN_STATUSES),
               col(Complaint.next_escalation_at) <= now)
        .order_by(col(Complaint.next_escalation_at))
        .limit(limit)
    )
    return list((await session.scalars(statement)).all())


async def estimated_open_report_ids(session: AsyncSession, limit: int) -> list[str]:
    """Open reports whose SLA clock was estimated (unlocked: the caller locks each)."""
    statement = (select(col(Complaint.id))
                 .where(col(Complaint.calendar_estimated).is_(True),
                        col(Complaint.status).in_(OPEN_STATUSES))
                 .order_by(col(Complaint.due_at)).limit(limit))
    return list((await session.scalars(statement)).all())


# Reads

async def visible_report(session: AsyncSession, complaint_id: str, principal: Principal
                         ) -> Complaint:
    """The report for reading: as `access.ensure_visible` allows, or followed through a
    merge (`follows_through_merge`)."""
    complaint = await session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound(NO_SUCH_REPORT)
    if not await follows_through_merge(session, principal, complaint):
        await ensure_visible_here(session, principal, complaint)
    return complaint


async def follows_through_merge(session: AsyncSession, principal: Principal,
                                complaint: Complaint) -> bool:
    """Whether `principal` holds a token (reporter's or supporter's) of a report merged into
    `complaint`: it follows the survivor, to read it (its steps stay the survivor's own
    reporter's). The token's own report's checks apply (a revoked token answers 401)."""
    if principal.scope is None or not principal.scope.startswith("report:"):
        return False
    origin_id = principal.scope.removeprefix("report:")
    if origin_id == complaint.id:
        return False
    origin = await session.get(Complaint, origin_id)
    if origin is None or origin.duplicate_of != complaint.id:
        return False
    await ensure_visible_here(session, principal, origin)
    return True


async def steps_of(session: AsyncSession, complaint_id: str) -> list[ComplaintStep]:
    statement = select(ComplaintStep).where(col(ComplaintStep.complaint_id) == complaint_id)
    return list((await session.scalars(statement.order_by(col(ComplaintStep.seq)))).all())


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


def visibility_filter(principal: Principal, area: StaffArea) -> ColumnElement[bool] | None:
    """The WHERE clause limiting a listing to what `principal` may see (None: everything):
    the reports of its staff `area`, and those routed or assigned to its org."""
    if area.everywhere:
        return None
    visible: list[ColumnElement[bool]] = []
    if area.communities:
        visible.append(col(Complaint.community_id).in_(sorted(area.communities)))
    org = org_of(principal)
    if org is not None:
        visible += [col(Complaint.routed_org) == org, col(Complaint.assignee_org) == org]
    return or_(*visible) if visible else false()


async def report_page(
    session: AsyncSession, filters: ComplaintFilters, principal: Principal,
    *, limit: int, cursor: str | None, area: StaffArea | None = None,
) -> tuple[Sequence[Complaint], str | None]:
    """A page of the reports `principal` may see (`area`: its staff area, if known)."""
    statement: Select[Any] = select(Complaint).where(*filters.where())
    visible = visibility_filter(principal, area or await staff_area(session, principal))
    if visible is not None:
        statement = statement.where(visible)
    return await keyset_page(session, statement, PAGE_KEYS, limit=limit, cursor=cursor)


@dataclass(frozen=True)
class ReportCounts:
    """SLA: a report resolved by its deadline counts as met; one resolved late, or still
    open past its deadline, as breached."""

    by_status: dict[str, int]
    by_category: dict[str, int]
    met: int
    breached: int
    open_overdue: int
    mean_seconds_to_resolve: float | None


async def report_counts(session: AsyncSession, community_id: str | None, now: datetime
                        ) -> ReportCounts:
    where = ComplaintFilters(community_id=community_id).where()
    late = await _count(session, [*where, col(Complaint.sla_met).is_(False)])
    overdue = await _count(session, [*where, col(Complaint.status).in_(OPEN_STATUSES),
                                     col(Complaint.due_at) < now])
    mean_seconds = await session.scalar(
        select(func.avg(Complaint.resolution_seconds)).where(
            *where, col(Complaint.resolution_seconds).is_not(None))
    )
    return ReportCounts(
        by_status=await _counts(session, Complaint.status, where),
        by_category=await _counts(session, Complaint.category, where),
        met=await _count(session, [*where, col(Complaint.sla_met).is_(True)]),
        breached=late + overdue, open_overdue=overdue,
        mean_seconds_to_resolve=None if mean_seconds is None else float(mean_seconds),
    )


async def _counts(session: AsyncSession, column: Any, where: list[ColumnElement[bool]]
                  ) -> dict[str, int]:
    rows = await session.execute(select(column, func.count()).where(*where).group_by(column))
    return {str(key): int(count) for key, count in rows.all()}


async def _count(session: AsyncSession, where: list[ColumnElement[bool]]) -> int:
    return int(await session.scalar(select(func.count()).select_from(Complaint).where(*where))
               or 0)


# Duplicates: nearby reports, supporters, merges

async def open_reports_near(session: AsyncSession, point: LatLng, radius_m: float, *,
                            category: str, since: datetime, limit: int = 2000
                            ) -> Sequence[Complaint]:
    """Open reports of `category` filed since `since` in a box around `point` a little larger
    than `radius_m` (the caller measures the exact distance)."""
    south_west, north_east = bounding_box(point, radius_m)
    statement = select(Complaint).where(
        col(Complaint.category) == category,
        col(Complaint.lat).between(south_west.lat, north_east.lat),
        col(Complaint.lng).between(south_west.lng, north_east.lng),
        col(Complaint.status).in_(OPEN_STATUSES),
        col(Complaint.created_at) >= since,
    ).limit(limit)
    return (await session.scalars(statement)).all()


async def move_followers(session: AsyncSession, duplicate_id: str, survivor_id: str) -> None:
    """Reports merged into the duplicate before now point at the survivor, so whoever follows
    a duplicate (its reporter and supporters) is one step from the report they follow."""
    await session.execute(update(Complaint)
                          .where(col(Complaint.duplicate_of) == duplicate_id)
                          .values(duplicate_of=survivor_id))


# Community boundaries (`community.boundary_set`), for routing by location

async def record_boundary(session: AsyncSession, community_id: str, boundary: dict[str, Any],
                          set_at: datetime) -> None:
    """Keep the newest boundary of a community; an older event changes nothing."""
    values = {"community_id": community_id, "boundary": boundary, "set_at": set_at}
    table = CommunityBoundary.__table__  # type: ignore[attr-defined]
    await session.execute(insert_skipping_conflicts(session, table, "community_id")
                          .values(values))
    await session.execute(update(CommunityBoundary)
                          .where(col(CommunityBoundary.community_id) == community_id,
                                 col(CommunityBoundary.set_at) < set_at)
                          .values(boundary=boundary, set_at=set_at))


async def community_boundaries(session: AsyncSession) -> dict[str, dict[str, Any]]:
    """Every community's boundary as published, else (the six pilots) the demo boundary."""
    rows = await session.execute(select(col(CommunityBoundary.community_id),
                                        col(CommunityBoundary.boundary)))
    return {**DEMO_BOUNDARIES, **{community: boundary for community, boundary in rows.all()}}


# Filing

def _value_of(column: Any, key: Any, name: str) -> Any:
    return select(column).where(key == bindparam(name)).scalar_subquery()


# Every lookup filing needs, as scalar subqueries of one SELECT: one round trip. Built once,
# so a request only binds the two keys.
_PLACE = select(
    _value_of(col(ProjectSite.community_id), col(ProjectSite.project_id), "project_id"),
    _value_of(col(ProjectSite.contractor_org), col(ProjectSite.project_id), "project_id"),
    _value_of(col(SiteBoard.project_id), col(SiteBoard.project_id), "project_id"),
    _value_of(col(SiteBoard.community_id), col(SiteBoard.project_id), "project_id"),
    _value_of(col(CompoundService.community_id), col(CompoundService.compound_id), "compound_id"),
    _value_of(col(CompoundService.provider_org), col(CompoundService.compound_id), "compound_id"),
)


async def known_place(session: AsyncSession, project_id: str | None, compound_id: str | None
                      ) -> KnownPlace:
    """What the projections know about a project and a compound (no query if neither)."""
    if not (project_id or compound_id):
        return KnownPlace()
    found = (await session.execute(
        _PLACE, {"project_id": project_id, "compound_id": compound_id})).one()
    site_community, contractor, board, board_community, compound_community, provider = found
    return KnownPlace(
        site_community=site_community, contractor_org=contractor,
        board_published=board is not None, board_community=board_community,
        compound_community=compound_community, provider_org=provider,
    )


async def insert_report(session: AsyncSession, row: dict[str, Any]) -> bool:
    """Insert a report unless its tracking code is taken (False).

    The unique index decides (`ON CONFLICT DO NOTHING`), so there is no check-then-insert
    race and no extra round trip.
    """
    dialect = session.get_bind().dialect.name
    statement = _INSERT_REPORT.get(dialect)
    if statement is None:
        statement = _INSERT_REPORT[dialect] = insert_skipping_conflicts(
            session, _COMPLAINTS, "tracking_code").returning(_COMPLAINTS.c.id)
    return await session.scalar(statement, row) is not None


async def insert_step(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(_INSERT_STEP, row)
