"""Routes for reports: file (no account), read, list, workflow steps, statistics."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.access import ReportLister, ReportRateLimit, StatsReader
from services.complaints.domain.workflow import Action
from services.complaints.presenters import complaint_view, receipt_view, stats_view
from services.complaints.repository.reports import ComplaintFilters, report_counts, report_page
from services.complaints.schemas.reports import (
    AcknowledgeIn,
    AssignIn,
    CloseIn,
    ComplaintCreate,
    ComplaintPublic,
    ComplaintReceipt,
    ConfirmIn,
    ReopenIn,
    ResolveIn,
    StatsPublic,
)
from services.complaints.service import reports
from shared.auth import Principal, PrincipalOrReporter
from shared.contracts.complaints import ComplaintCategory, ComplaintStatus
from shared.deps import ClockDep, ContextDep, IfMatch, SessionDep
from shared.pagination import Cursor, Limit, Page, page_of

__all__ = ["router"]

router = APIRouter(tags=["reports"])

ComplaintId = Annotated[str, Path(min_length=1, max_length=64)]
RefQuery = Annotated[str | None, Query(max_length=64)]
EscalationQuery = Annotated[str | None, Query(pattern="^(subdistrict|district_department)$")]


@router.post("/complaints", status_code=201, summary="File a report (no account needed)")
async def file_report(body: ComplaintCreate, session: SessionDep, ctx: ContextDep,
                      clock: ClockDep, _: ReportRateLimit) -> ComplaintReceipt:
    """Who: anyone, rate-limited per client. The `access_token` reads, confirms or reopens
    this one report."""
    filed = await reports.file_report(session, body, settings=ctx.settings, suite=ctx.suite,
                                      now=clock.now())
    return receipt_view(filed)


@router.get("/complaints", summary="List reports (staff; an org sees its own)")
async def list_reports(
    session: SessionDep, principal: ReportLister, project_id: RefQuery = None,
    community_id: RefQuery = None, status: ComplaintStatus | None = None,
    category: ComplaintCategory | None = None, escalation_level: EscalationQuery = None,
    limit: Limit = 50, cursor: Cursor = None,
) -> Page[ComplaintPublic]:
    """Who: staff (all reports) or contractor / property_provider (routed or assigned to
    their org)."""
    filters = ComplaintFilters(project_id=project_id, community_id=community_id, status=status,
                               category=category, escalation_level=escalation_level)
    page = await report_page(session, filters, principal, limit=limit, cursor=cursor)
    return page_of(page, partial(complaint_view, staff=principal.is_staff))


async def _detail(session: AsyncSession, complaint_id: str, principal: Principal
                  ) -> ComplaintPublic:
    complaint, steps = await reports.read_report(session, complaint_id, principal)
    return complaint_view(complaint, staff=principal.is_staff, steps=steps)


@router.get("/complaints/{complaint_id}", summary="A report with its history")
async def read_report(complaint_id: ComplaintId, session: SessionDep,
                      principal: PrincipalOrReporter) -> ComplaintPublic:
    """Who: the reporter (access token), staff, or the org it is routed or assigned to."""
    return await _detail(session, complaint_id, principal)


async def _step(session: AsyncSession, complaint_id: str, action: Action, principal: Principal,
                clock: ClockDep, if_match: str | None, note: str | None = None,
                assignee_org: str | None = None, satisfaction: int | None = None
                ) -> ComplaintPublic:
    await reports.take_step(session, complaint_id, action, principal, clock.now(),
                            if_match=if_match, note=note, assignee_org=assignee_org,
                            satisfaction=satisfaction)
    return await _detail(session, complaint_id, principal)


@router.post("/complaints/{complaint_id}/acknowledge", summary="Acknowledge (staff)")
async def acknowledge(complaint_id: ComplaintId, session: SessionDep, clock: ClockDep,
                      principal: PrincipalOrReporter, body: AcknowledgeIn | None = None,
                      if_match: IfMatch = None) -> ComplaintPublic:
    """Who: staff."""
    return await _step(session, complaint_id, "acknowledge", principal, clock, if_match,
                       body.note if body else None)


@router.post("/complaints/{complaint_id}/assign", summary="Assign to an organisation (staff)")
async def assign(complaint_id: ComplaintId, body: AssignIn, session: SessionDep,
                 clock: ClockDep, principal: PrincipalOrReporter,
                 if_match: IfMatch = None) -> ComplaintPublic:
    """Who: staff. `assignee_org` defaults to the org the report was routed to."""
    return await _step(session, complaint_id, "assign", principal, clock, if_match, body.note,
                       assignee_org=body.assignee_org)


@router.post("/complaints/{complaint_id}/resolve", summary="Resolve (assignee org or staff)")
async def resolve(complaint_id: ComplaintId, body: ResolveIn, session: SessionDep,
                  clock: ClockDep, principal: PrincipalOrReporter,
                  if_match: IfMatch = None) -> ComplaintPublic:
    """Who: the assignee org (contractor / property_provider) or staff."""
    return await _step(session, complaint_id, "resolve", principal, clock, if_match,
                       body.resolution)


@router.post("/complaints/{complaint_id}/confirm", summary="Confirm the resolution (reporter)")
async def confirm(complaint_id: ComplaintId, body: ConfirmIn, session: SessionDep,
                  clock: ClockDep, principal: PrincipalOrReporter,
                  if_match: IfMatch = None) -> ComplaintPublic:
    """Who: the reporter (access token). Closes the report with a satisfaction rating."""
    return await _step(session, complaint_id, "confirm", principal, clock, if_match,
                       body.comment, satisfaction=body.satisfaction)


@router.post("/complaints/{complaint_id}/reopen", summary="Reopen a resolved report (reporter)")
async def reopen(complaint_id: ComplaintId, body: ReopenIn, session: SessionDep,
                 clock: ClockDep, principal: PrincipalOrReporter,
                 if_match: IfMatch = None) -> ComplaintPublic:
    """Who: the reporter (access token). Back to the assignee; the SLA clock restarts."""
    return await _step(session, complaint_id, "reopen", principal, clock, if_match, body.reason)


@router.post("/complaints/{complaint_id}/close", summary="Close a resolved report (staff)")
async def close(complaint_id: ComplaintId, session: SessionDep, clock: ClockDep,
                principal: PrincipalOrReporter, body: CloseIn | None = None,
                if_match: IfMatch = None) -> ComplaintPublic:
    """Who: staff, e.g. when the reporter never confirms."""
    return await _step(session, complaint_id, "close", principal, clock, if_match,
                       body.note if body else None)


@router.get("/stats", summary="Report statistics")
async def stats(session: SessionDep, clock: ClockDep, _: StatsReader,
                community_id: RefQuery = None) -> StatsPublic:
    """Who: staff and dashboards. Counts only: no personal data."""
    return stats_view(community_id, await report_counts(session, community_id, clock.now()))
