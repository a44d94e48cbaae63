"""HTTP routes of the acceptance service.

Reading: the public bodies and owners read every acceptance, a unit only its projects'
(`access`). Signing: only a token holding the party (role, and org where bound); `admin`
may read but never sign or schedule, because a signature is personal to its party.
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel import col

from services.acceptance import service
from services.acceptance.access import Reader, ensure_may_read, visible_acceptances
from services.acceptance.domain import ORG_BOUND_ROLES
from services.acceptance.models import Acceptance
from services.acceptance.record import render_record_html
from services.acceptance.repository import (
    AcceptanceAggregate,
    load_acceptance,
    load_aggregate,
    unresolved_complaints,
)
from services.acceptance.schemas import (
    AcceptancePublic,
    AcceptanceSummary,
    RecordPublic,
    ScheduleCreate,
    SignatureCreate,
    VerificationPublic,
)
from services.acceptance.views import (
    acceptance_view,
    record_view,
    summary_view,
    verification_view,
)
from shared.auth import Principal, require_roles
from shared.deps import ClockDep, IfMatch, SessionDep
from shared.pagination import Cursor, Limit, Page, keyset_page

__all__ = ["router"]

router = APIRouter(prefix="/acceptances", tags=["acceptances"])

# The roles that can hold a party; which party a token holds is checked per acceptance.
Signer = Annotated[Principal, Depends(require_roles(
    "district_bureau", "subdistrict", "community", "owners", *ORG_BOUND_ROLES))]
Builder = Annotated[Principal, Depends(require_roles("builder"))]
# keyset_page is typed for InstrumentedAttribute; SQLModel types its columns as plain values.
_PAGE_KEYS = cast(list[InstrumentedAttribute[Any]], [Acceptance.created_at, Acceptance.id])
ProjectFilter = Annotated[str | None, Query(min_length=1, max_length=100)]


async def _readable(session: AsyncSession, acceptance_id: str, principal: Principal
                    ) -> AcceptanceAggregate:
    agg = await load_aggregate(session, await load_acceptance(session, acceptance_id))
    ensure_may_read(principal, agg.parties)
    return agg


async def _view(session: AsyncSession, agg: AcceptanceAggregate) -> AcceptancePublic:
    complaints = await unresolved_complaints(session, agg.acceptance.project_id)
    return acceptance_view(agg, complaints)


@router.get("", summary="List acceptances (optionally of one project)")
async def list_acceptances(
    session: SessionDep, principal: Reader, project_id: ProjectFilter = None,
    limit: Limit = 50, cursor: Cursor = None,
) -> Page[AcceptanceSummary]:
    statement = visible_acceptances(principal)
    if project_id is not None:
        statement = statement.where(col(Acceptance.project_id) == project_id)
    rows, next_cursor = await keyset_page(session, statement, _PAGE_KEYS, limit=limit,
                                          cursor=cursor)
    return Page(items=[summary_view(row) for row in rows], next_cursor=next_cursor)


@router.get("/{acceptance_id}", summary="The committee's view of an acceptance")
async def get_acceptance(
    acceptance_id: str, session: SessionDep, principal: Reader
) -> AcceptancePublic:
    return await _view(session, await _readable(session, acceptance_id, principal))


@router.post("/{acceptance_id}/schedule", summary="Set the time and place (builder only)")
async def schedule_acceptance(
    acceptance_id: str, body: ScheduleCreate, session: SessionDep, clock: ClockDep,
    principal: Builder, if_match: IfMatch = None,
) -> AcceptancePublic:
    agg = await service.schedule(session, acceptance_id, body, principal=principal,
                                 clock=clock, if_match=if_match)
    return await _view(session, agg)


@router.post("/{acceptance_id}/signatures", status_code=201,
             summary="Sign the current round for one's own party")
async def sign_acceptance(
    acceptance_id: str, body: SignatureCreate, session: SessionDep, clock: ClockDep,
    principal: Signer, if_match: IfMatch = None,
) -> AcceptancePublic:
    agg = await service.sign(session, acceptance_id, body, principal=principal, clock=clock,
                             if_match=if_match)
    return await _view(session, agg)


@router.get("/{acceptance_id}/verify", summary="Recompute the signatures' hash chain")
async def verify_acceptance(
    acceptance_id: str, session: SessionDep, principal: Reader
) -> VerificationPublic:
    return verification_view(await _readable(session, acceptance_id, principal))


@router.get("/{acceptance_id}/record", summary="The acceptance record (验收记录) as JSON")
async def acceptance_record(
    acceptance_id: str, session: SessionDep, clock: ClockDep, principal: Reader
) -> RecordPublic:
    return record_view(await _readable(session, acceptance_id, principal), clock.now())


@router.get("/{acceptance_id}/record.html", response_class=HTMLResponse,
            summary="The acceptance record (验收记录) as a printable HTML document")
async def acceptance_record_html(
    acceptance_id: str, session: SessionDep, clock: ClockDep, principal: Reader
) -> HTMLResponse:
    record = record_view(await _readable(session, acceptance_id, principal), clock.now())
    return HTMLResponse(render_record_html(record))
