"""HTTP routes of the acceptance service: parse, call one use case, present.

Who may call what is declared by the principal aliases of `access`; which party a token
holds, and which acceptances a unit reads, is decided per acceptance by the use cases.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from services.acceptance import repository
from services.acceptance.access import Builder, Reader, Signer
from services.acceptance.presenters.acceptances import (
    acceptance_view,
    record_view,
    summary_view,
    verification_view,
)
from services.acceptance.presenters.record_html import render_record_html
from services.acceptance.schemas import (
    AcceptancePublic,
    AcceptanceSummary,
    RecordPublic,
    ScheduleCreate,
    SignatureCreate,
    VerificationPublic,
)
from services.acceptance.service import reading, sessions, signatures
from shared.deps import ClockDep, IfMatch, SessionDep
from shared.pagination import Cursor, Limit, Page, page_of

__all__ = ["router"]

router = APIRouter(prefix="/acceptances", tags=["acceptances"])

ProjectFilter = Annotated[str | None, Query(min_length=1, max_length=100)]


@router.get("", summary="List acceptances (optionally of one project)")
async def list_acceptances(
    session: SessionDep, principal: Reader, project_id: ProjectFilter = None,
    limit: Limit = 50, cursor: Cursor = None,
) -> Page[AcceptanceSummary]:
    page = await repository.page_visible(session, principal, project_id=project_id,
                                         limit=limit, cursor=cursor)
    return page_of(page, summary_view)


@router.get("/{acceptance_id}", summary="The committee's view of an acceptance")
async def get_acceptance(
    acceptance_id: str, session: SessionDep, principal: Reader
) -> AcceptancePublic:
    return acceptance_view(await reading.dossier(session, acceptance_id, principal))


@router.post("/{acceptance_id}/schedule", summary="Set the time and place (builder only)")
async def schedule_acceptance(
    acceptance_id: str, body: ScheduleCreate, session: SessionDep, clock: ClockDep,
    principal: Builder, if_match: IfMatch = None,
) -> AcceptancePublic:
    return acceptance_view(await sessions.schedule(
        session, acceptance_id, body, principal=principal, clock=clock, if_match=if_match))


@router.post("/{acceptance_id}/signatures", status_code=201,
             summary="Sign the current round for one's own party")
async def sign_acceptance(
    acceptance_id: str, body: SignatureCreate, session: SessionDep, clock: ClockDep,
    principal: Signer, if_match: IfMatch = None,
) -> AcceptancePublic:
    return acceptance_view(await signatures.sign(
        session, acceptance_id, body, principal=principal, clock=clock, if_match=if_match))


@router.get("/{acceptance_id}/verify", summary="Recompute the signatures' hash chain")
async def verify_acceptance(
    acceptance_id: str, session: SessionDep, principal: Reader
) -> VerificationPublic:
    return verification_view(await reading.checked_record(session, acceptance_id, principal))


@router.get("/{acceptance_id}/record", summary="The acceptance record (验收记录) as JSON")
async def acceptance_record(
    acceptance_id: str, session: SessionDep, clock: ClockDep, principal: Reader
) -> RecordPublic:
    checked = await reading.checked_record(session, acceptance_id, principal)
    return record_view(checked, clock.now())


@router.get("/{acceptance_id}/record.html", response_class=HTMLResponse,
            summary="The acceptance record (验收记录) as a printable HTML document")
async def acceptance_record_html(
    acceptance_id: str, session: SessionDep, clock: ClockDep, principal: Reader
) -> HTMLResponse:
    checked = await reading.checked_record(session, acceptance_id, principal)
    return HTMLResponse(render_record_html(record_view(checked, clock.now())))
