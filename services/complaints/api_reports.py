"""Routes for reports: file (no account), read, list, workflow steps, statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints import service
from services.complaints.access import ORG_ROLES
from services.complaints.domain import Action
from services.complaints.queries import ComplaintFilters, complaint_page, complaint_stats
from services.complaints.ratelimit import ReportRateLimit
from services.complaints.schemas import (
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
from services.complaints.views import complaint_view
from shared.auth import STAFF_ROLES, Principal, PrincipalOrReporter, require_roles
from shared.contracts.complaints import ComplaintCategory, ComplaintStatus
from shared.deps import ClockDep, ContextDep, IfMatch, SessionDep, check_version
from shared.pagination import Cursor, Limit, Page

__all__ = ["router"]

router = APIRouter(tags=["reports"])

ComplaintId = Annotated[str, Path(min_length=1, max_length=64)]
Lister = Annotated[Principal, Depends(require_roles(*STAFF_ROLES, *ORG_ROLES))]
StatsReader = Annotated[Principal, Depends(require_roles(*STAFF_ROLES, "dashboard"))]
RefQuery = Annotated[str | None, Query(max_length=64)]


@router.post("/complaints", status_code=201, summary="File a report (no account needed)")
async def file_report(body: ComplaintCreate, session: SessionDep, ctx: ContextDep,
                      clock: ClockDep, _: ReportRateLimit) -> ComplaintReceipt:
    """Who: anyone, rate-limited per client. The `access_token` reads, confirms or reopens
    this one report."""
    filed = await service.file_report(session, body, settings=ctx.settings, suite=ctx.suite,
                                      now=clock.now())
    return ComplaintReceipt(id=filed.complaint.id, tracking_code=filed.complaint.tracking_code,
                            access_token=filed.access_token, status=filed.complaint.status,
                            expected_resolution_at=filed.complaint.due_at)


@router.get("/complaints", summary="List reports (staff; an org sees its own)")
async def list_reports(
    session: SessionDep, principal: Lister, project_id: RefQuery = None,
    community_id: RefQuery = None, status: ComplaintStatus | None = None,
    category: ComplaintCategory | None = None,
    escalation_level: Annotated[str | None, Query(pattern="^(subdistrict|district_department)$")]
    = None, limit: Limit = 50, cursor: Cursor = None,
) -> Page[ComplaintPublic]:
    """Who: staff (all reports) or contractor / property_provider (routed or assigned to
    their org)."""
    filters = ComplaintFilters(project_id=project_id, community_id=community_id, status=status,
                               category=category, escalation_level=escalation_level)
    rows, next_cursor = await complaint_page(
        session, filters, service.visibility_filter(principal), limit=limit, cursor=cursor)
    return Page(items=[complaint_view(c, staff=principal.is_staff) for c in rows],
                next_cursor=next_cursor)


async def _detail(session: AsyncSession, complaint_id: str, principal: Principal
                  ) -> ComplaintPublic:
    complaint = await service.load_visible(session, complaint_id, principal)
    steps = await service.steps_of(session, complaint_id)
    return complaint_view(complaint, staff=principal.is_staff, steps=steps)


@router.get("/complaints/{complaint_id}", summary="A report with its history")
async def read_report(complaint_id: ComplaintId, session: SessionDep,
                      principal: PrincipalOrReporter) -> ComplaintPublic:
    """Who: the reporter (access token), staff, or the org it is routed or assigned to."""
    return await _detail(session, complaint_id, principal)


async def _step(session: AsyncSession, complaint_id: str, principal: Principal,
                clock: ClockDep, if_match: str | None, action: Action, note: str | None,
                assignee_org: str | None = None, satisfaction: int | None = None
                ) -> ComplaintPublic:
    complaint = await service.load_for_update(session, complaint_id, principal)
    check_version(if_match, complaint.version)
    await service.transition(session, complaint, action, principal, clock.now(), note,
                             assignee_org=assignee_org, satisfaction=satisfaction)
    return await _detail(session, complaint_id, principal)


@router.post("/complaints/{complaint_id}/acknowledge", summary="Acknowledge (staff)")
async def acknowledge(complaint_id: ComplaintId, session: SessionDep, clock: ClockDep,
                      principal: PrincipalOrReporter, body: AcknowledgeIn | None = None,
                      if_match: IfMatch = None) -> ComplaintPublic:
    """Who: staff."""
    note = (body.note if body else None) or "Your report was received by the community office."
    return await _step(session, complaint_id, principal, clock, if_match, "acknowledge", note)


@router.post("/complaints/{complaint_id}/assign", summary="Assign to an organisation (staff)")
async def assign(complaint_id: ComplaintId, body: AssignIn, session: SessionDep,
                 clock: ClockDep, principal: PrincipalOrReporter,
                 if_match: IfMatch = None) -> ComplaintPublic:
    """Who: staff. `assignee_org` defaults to the org the report was routed to."""
    note = body.note or "Your report was passed to the responsible organisation."
    return await _step(session, complaint_id, principal, clock, if_match, "assign", note,
                       assignee_org=body.assignee_org)


@router.post("/complaints/{complaint_id}/resolve", summary="Resolve (assignee org or staff)")
async def resolve(complaint_id: ComplaintId, body: ResolveIn, session: SessionDep,
                  clock: ClockDep, principal: PrincipalOrReporter,
                  if_match: IfMatch = None) -> ComplaintPublic:
    """Who: the assignee org (contractor / property_provider) or staff."""
    return await _step(session, complaint_id, principal, clock, if_match, "resolve",
                       body.resolution)


@router.post("/complaints/{complaint_id}/confirm", summary="Confirm the resolution (reporter)")
async def confirm(complaint_id: ComplaintId, body: ConfirmIn, session: SessionDep,
                  clock: ClockDep, principal: PrincipalOrReporter,
                  if_match: IfMatch = None) -> ComplaintPublic:
    """Who: the reporter (access token). Closes the report with a satisfaction rating."""
    note = body.comment or f"Confirmed by the reporter (satisfaction {body.satisfaction}/5)."
    return await _step(session, complaint_id, principal, clock, if_match, "confirm", note,
                       satisfaction=body.satisfaction)


@router.post("/complaints/{complaint_id}/reopen", summary="Reopen a resolved report (reporter)")
async def reopen(complaint_id: ComplaintId, body: ReopenIn, session: SessionDep,
                 clock: ClockDep, principal: PrincipalOrReporter,
                 if_match: IfMatch = None) -> ComplaintPublic:
    """Who: the reporter (access token). Back to the assignee; the SLA clock restarts."""
    return await _step(session, complaint_id, principal, clock, if_match, "reopen", body.reason)


@router.post("/complaints/{complaint_id}/close", summary="Close a resolved report (staff)")
async def close(complaint_id: ComplaintId, session: SessionDep, clock: ClockDep,
                principal: PrincipalOrReporter, body: CloseIn | None = None,
                if_match: IfMatch = None) -> ComplaintPublic:
    """Who: staff, e.g. when the reporter never confirms."""
    note = (body.note if body else None) or "Closed by the community office."
    return await _step(session, complaint_id, principal, clock, if_match, "close", note)


@router.get("/stats", summary="Report statistics")
async def stats(session: SessionDep, clock: ClockDep, _: StatsReader,
                community_id: RefQuery = None) -> StatsPublic:
    """Who: staff and dashboards. Counts only: no personal data."""
    return await complaint_stats(session, community_id, clock.now())
