"""HTTP routes of the acceptance service: parse, call one use case, present.

Who may call what is declared by the principal aliases of `access`; which party a token
holds, and which acceptances a unit reads, is decided per acceptance by the use cases. The
acceptance is written with `If-Match: <version>`, so its GET (and each write's answer) sends
`ETag: "<version>"`. The printable record also opens by a signed, expiring link, for browsers.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from services.acceptance import repository
from services.acceptance.access import Builder, LinkParams, Reader, RecordLinks, Signer
from services.acceptance.presenters.acceptances import (
    acceptance_view,
    record_link_view,
    record_view,
    summary_view,
    verification_view,
)
from services.acceptance.presenters.record_html import HEADERS, render_record_html
from services.acceptance.schemas import (
    AcceptancePublic,
    AcceptanceSummary,
    RecordLinkPublic,
    RecordPublic,
    ScheduleCreate,
    SignatureCreate,
    VerificationPublic,
)
from services.acceptance.service import reading, sessions, signatures
from shared.auth import OptionalPrincipal
from shared.deps import ClockDep, IfMatch, SessionDep, set_etag
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
    acceptance_id: str, session: SessionDep, principal: Reader, response: Response,
) -> AcceptancePublic:
    return _tagged(response, acceptance_view(
        await reading.dossier(session, acceptance_id, principal)))


def _tagged(response: Response, view: AcceptancePublic) -> AcceptancePublic:
    set_etag(response, view.version)
    return view


@router.post("/{acceptance_id}/schedule", summary="Set the time and place (builder only)")
async def schedule_acceptance(
    acceptance_id: str, body: ScheduleCreate, session: SessionDep, clock: ClockDep,
    principal: Builder, response: Response, if_match: IfMatch = None,
) -> AcceptancePublic:
    return _tagged(response, acceptance_view(await sessions.schedule(
        session, acceptance_id, body, principal=principal, clock=clock, if_match=if_match)))


@router.post("/{acceptance_id}/signatures", status_code=201,
             summary="Sign the current round for one's own party")
async def sign_acceptance(
    acceptance_id: str, body: SignatureCreate, session: SessionDep, clock: ClockDep,
    principal: Signer, response: Response, if_match: IfMatch = None,
) -> AcceptancePublic:
    return _tagged(response, acceptance_view(await signatures.sign(
        session, acceptance_id, body, principal=principal, clock=clock, if_match=if_match)))


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


@router.post("/{acceptance_id}/record-link",
             summary="A signed, expiring link a browser opens the printable record with")
async def acceptance_record_link(
    acceptance_id: str, request: Request, session: SessionDep, clock: ClockDep,
    principal: Reader, links: RecordLinks,
) -> RecordLinkPublic:
    link = await reading.record_link(session, acceptance_id, principal, key=links.key,
                                     ttl=links.ttl, now=clock.now())
    record_url = request.url_for("acceptance_record_html", acceptance_id=acceptance_id)
    return record_link_view(str(record_url), link)


@router.get("/{acceptance_id}/record.html", response_class=HTMLResponse,
            summary="The acceptance record (验收记录) as a printable HTML document",
            description="Opened with a reader's bearer token, or by a browser with the "
                        "`expires` and `signature` of a link from `POST .../record-link`.")
async def acceptance_record_html(
    acceptance_id: str, session: SessionDep, clock: ClockDep, principal: OptionalPrincipal,
    link: LinkParams, links: RecordLinks,
) -> HTMLResponse:
    now = clock.now()
    checked = await reading.printable_record(session, acceptance_id, principal=principal,
                                             link=link, key=links.key, now=now)
    return HTMLResponse(render_record_html(record_view(checked, now)), headers=HEADERS)
