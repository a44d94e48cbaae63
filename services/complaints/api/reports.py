"""Routes for reports: file (no account), read, list, workflow steps, statistics; duplicates
(nearby reports, "me too" supporters, merges); the working-day calendar."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.access import ReportLister, ReportRateLimit, StatsReader
from services.complaints.domain.workflow import Action
from services.complaints.presenters import (
    calendar_view,
    nearby_view,
    receipt_view,
    shown_view,
    stats_view,
    supporter_receipt_view,
)
from services.complaints.repository.reports import ComplaintFilters, report_counts
from services.complaints.schemas.reports import (
    AcknowledgeIn,
    AssignIn,
    CalendarPublic,
    CloseIn,
    ComplaintCreate,
    ComplaintPublic,
    ComplaintReceipt,
    ConfirmIn,
    MergeIn,
    NearbyReport,
    ReopenIn,
    ResolveIn,
    StatsPublic,
    SupporterReceipt,
)
from services.complaints.service import contacts, duplicates, reports
from shared.auth import STAFF_ROLES, Principal, PrincipalOrReporter, require_roles
from shared.clock import Clock
from shared.contracts.complaints import ComplaintCategory, ComplaintStatus
from shared.deps import ClockDep, ContextDep, IfMatch, SessionDep, set_etag
from shared.geo import LatLng
from shared.pagination import Cursor, Limit, Page, page_of
from shared.workdays import CITY_TZ, WorkingCalendar

__all__ = ["router"]

router = APIRouter(tags=["reports"])

ComplaintId = Annotated[str, Path(min_length=1, max_length=64)]
RefQuery = Annotated[str | None, Query(max_length=64)]
EscalationQuery = Annotated[str | None, Query(pattern="^(subdistrict|district_department)$")]
LatQuery = Annotated[float, Query(ge=-90, le=90)]
LngQuery = Annotated[float, Query(ge=-180, le=180)]
Merger = Annotated[Principal, Depends(require_roles(*STAFF_ROLES))]


@router.post("/complaints", status_code=201, summary="File a report (no account needed)")
async def file_report(body: ComplaintCreate, session: SessionDep, ctx: ContextDep,
                      clock: ClockDep, _: ReportRateLimit) -> ComplaintReceipt:
    """Who: anyone, rate-limited per client. The `access_token` reads, confirms or reopens
    this one report."""
    filed = await reports.file_report(session, body, settings=ctx.settings, suite=ctx.suite,
                                      now=clock.now())
    return receipt_view(filed)


@router.get("/complaints/nearby", summary="Open reports near a point (public)")
async def nearby(lat: LatQuery, lng: LngQuery, category: ComplaintCategory,
                 session: SessionDep, clock: ClockDep) -> Page[NearbyReport]:
    """Who: anyone, before filing ("is this already reported?"). Up to 5 open reports of
    `category` within 250 m, filed in the last 30 days, nearest first; no contact data."""
    found = await duplicates.nearby_reports(session, LatLng(lat, lng), category, clock.now())
    return Page(items=[nearby_view(item) for item in found], next_cursor=None)


@router.get("/complaints", summary="List reports (staff; an org sees its own)")
async def list_reports(
    session: SessionDep, principal: ReportLister, project_id: RefQuery = None,
    community_id: RefQuery = None, status: ComplaintStatus | None = None,
    category: ComplaintCategory | None = None, escalation_level: EscalationQuery = None,
    limit: Limit = 50, cursor: Cursor = None,
) -> Page[ComplaintPublic]:
    """Who: admin (all reports), the offices (the reports of their area) or contractor /
    property_provider (routed or assigned to their org). Contacts masked for staff, absent
    for an org."""
    filters = ComplaintFilters(project_id=project_id, community_id=community_id, status=status,
                               category=category, escalation_level=escalation_level)
    page = await contacts.show_reports(session, filters, principal, limit=limit, cursor=cursor)
    return page_of(page, shown_view)


async def _detail(session: AsyncSession, complaint_id: str, principal: Principal,
                  clock: Clock, *, with_contact: bool = False) -> ComplaintPublic:
    shown = await contacts.show_report(session, complaint_id, principal, clock.now(),
                                       with_contact=with_contact)
    return shown_view(shown)


@router.get("/complaints/{complaint_id}", summary="A report with its history")
async def read_report(complaint_id: ComplaintId, response: Response, session: SessionDep,
                      clock: ClockDep, principal: PrincipalOrReporter) -> ComplaintPublic:
    """Who: the reporter (access token), admin, the offices of the report's area, or the org
    it is routed or assigned to. The reporter's contact: in full to admin and the offices
    (each display recorded), masked to the reporter, not shown to anyone else. `ETag`: the
    report's version, for `If-Match` on its steps."""
    view = await _detail(session, complaint_id, principal, clock, with_contact=True)
    set_etag(response, view.version)
    return view


async def _step(session: AsyncSession, complaint_id: str, action: Action, principal: Principal,
                clock: ClockDep, if_match: str | None, response: Response,
                note: str | None = None, assignee_org: str | None = None,
                satisfaction: int | None = None, calendar: WorkingCalendar | None = None
                ) -> ComplaintPublic:
    await reports.take_step(session, complaint_id, action, principal, clock.now(),
                            if_match=if_match, note=note, assignee_org=assignee_org,
                            satisfaction=satisfaction, calendar=calendar)
    view = await _detail(session, complaint_id, principal, clock)
    set_etag(response, view.version)
    return view


@router.post("/complaints/{complaint_id}/acknowledge", summary="Acknowledge (staff)")
async def acknowledge(complaint_id: ComplaintId, response: Response, session: SessionDep,
                      clock: ClockDep, principal: PrincipalOrReporter,
                      body: AcknowledgeIn | None = None, if_match: IfMatch = None
                      ) -> ComplaintPublic:
    """Who: staff."""
    return await _step(session, complaint_id, "acknowledge", principal, clock, if_match,
                       response, body.note if body else None)


@router.post("/complaints/{complaint_id}/assign", summary="Assign to an organisation (staff)")
async def assign(complaint_id: ComplaintId, body: AssignIn, response: Response,
                 session: SessionDep, clock: ClockDep, principal: PrincipalOrReporter,
                 if_match: IfMatch = None) -> ComplaintPublic:
    """Who: staff. `assignee_org` defaults to the org the report was routed to."""
    return await _step(session, complaint_id, "assign", principal, clock, if_match, response,
                       body.note, assignee_org=body.assignee_org)


@router.post("/complaints/{complaint_id}/resolve", summary="Resolve (assignee org or staff)")
async def resolve(complaint_id: ComplaintId, body: ResolveIn, response: Response,
                  session: SessionDep, clock: ClockDep, principal: PrincipalOrReporter,
                  if_match: IfMatch = None) -> ComplaintPublic:
    """Who: the assignee org (contractor / property_provider) or staff."""
    return await _step(session, complaint_id, "resolve", principal, clock, if_match, response,
                       body.resolution)


@router.post("/complaints/{complaint_id}/confirm", summary="Confirm the resolution (reporter)")
async def confirm(complaint_id: ComplaintId, body: ConfirmIn, response: Response,
                  session: SessionDep, clock: ClockDep, principal: PrincipalOrReporter,
                  if_match: IfMatch = None) -> ComplaintPublic:
    """Who: the reporter (access token). Closes the report with a satisfaction rating."""
    return await _step(session, complaint_id, "confirm", principal, clock, if_match, response,
                       body.comment, satisfaction=body.satisfaction)


@router.post("/complaints/{complaint_id}/reopen", summary="Reopen a resolved report (reporter)")
async def reopen(complaint_id: ComplaintId, body: ReopenIn, response: Response,
                 session: SessionDep, clock: ClockDep, ctx: ContextDep,
                 principal: PrincipalOrReporter, if_match: IfMatch = None) -> ComplaintPublic:
    """Who: the reporter (access token). Back to the assignee; the SLA clock restarts."""
    return await _step(session, complaint_id, "reopen", principal, clock, if_match, response,
                       body.reason, calendar=ctx.settings.calendar())


@router.post("/complaints/{complaint_id}/close", summary="Close a resolved report (staff)")
async def close(complaint_id: ComplaintId, response: Response, session: SessionDep,
                clock: ClockDep, principal: PrincipalOrReporter, body: CloseIn | None = None,
                if_match: IfMatch = None) -> ComplaintPublic:
    """Who: staff, e.g. when the reporter never confirms."""
    return await _step(session, complaint_id, "close", principal, clock, if_match, response,
                       body.note if body else None)


@router.get("/stats", summary="Report statistics")
async def stats(session: SessionDep, clock: ClockDep, _: StatsReader,
                community_id: RefQuery = None) -> StatsPublic:
    """Who: staff and dashboards. Counts only: no personal data."""
    return stats_view(community_id, await report_counts(session, community_id, clock.now()))


@router.post("/complaints/{complaint_id}/supporters", status_code=201,
             summary='Say "me too" on an open report (no account needed)')
async def support(complaint_id: ComplaintId, session: SessionDep, ctx: ContextDep,
                  clock: ClockDep, _: ReportRateLimit) -> SupporterReceipt:
    """Who: anyone, rate-limited per client, instead of filing the same matter again. The
    `access_token` reads this report (and, once it is merged, the surviving one)."""
    supported = await duplicates.support_report(session, complaint_id, settings=ctx.settings,
                                                suite=ctx.suite, now=clock.now())
    return supporter_receipt_view(supported)


@router.post("/complaints/{complaint_id}/merge", summary="Merge a duplicate (staff)")
async def merge(complaint_id: ComplaintId, body: MergeIn, response: Response,
                session: SessionDep, clock: ClockDep, principal: Merger,
                if_match: IfMatch = None) -> ComplaintPublic:
    """Who: staff of both reports' areas. The report becomes a `duplicate` of `into`; its
    reporter's and supporters' tokens follow `into` from now on. `If-Match`: the duplicate."""
    await duplicates.merge_report(session, complaint_id, body.into, principal, clock.now(),
                                  if_match=if_match, note=body.note)
    view = await _detail(session, complaint_id, principal, clock)
    set_etag(response, view.version)
    return view


@router.get("/calendar", summary="The working-day calendar's coverage (public)")
async def calendar(ctx: ContextDep, clock: ClockDep) -> CalendarPublic:
    """Who: anyone (operators check it each November). Working-day deadlines in a year not
    covered are counted on weekdays and flagged `calendar_estimated`."""
    return calendar_view(ctx.settings.calendar(), clock.now().astimezone(CITY_TZ).year,
                         operator_file=ctx.settings.workdays_file is not None)
