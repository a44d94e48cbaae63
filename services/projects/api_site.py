"""Routes for work on site: progress (single and offline batch), hidden works, attachments.

Who may call what (admin always may):
- progress, progress:batch, recording hidden works: the project's contractor org;
- inspecting a hidden work: the project's supervisor org;
- uploading attachments: project parties' roles and staff; reads: any signed-in role.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Header, Response, UploadFile
from sqlalchemy import select

from services.projects import site_work
from services.projects.access import require_party
from services.projects.attachments import load_attachment, store_attachment
from services.projects.config import ProjectsSettings
from services.projects.models import HiddenWork, ProgressReport
from services.projects.schemas_site import (
    AttachmentPublic,
    HiddenWorkCreate,
    HiddenWorkInspect,
    HiddenWorkPublic,
    ProgressBatchIn,
    ProgressBatchOut,
    ProgressIn,
    ProgressOutcome,
    ProgressPublic,
)
from services.projects.service import get_project
from shared.auth import CurrentPrincipal, Principal, require_roles
from shared.deps import ClockDep, ContextDep, IfMatch, SessionDep, check_version
from shared.errors import PayloadTooLarge
from shared.pagination import Cursor, Limit, Page, keyset_page

__all__ = ["router"]

router = APIRouter(tags=["site work"])
Uploader = Annotated[Principal, Depends(require_roles(
    "contractor", "supervisor", "builder", "designer", "pipeline", "district_bureau",
    "subdistrict", "community"))]
ClientKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)]


def _settings(ctx: ContextDep) -> ProjectsSettings:
    settings: ProjectsSettings = ctx.settings
    return settings


Settings = Annotated[ProjectsSettings, Depends(_settings)]


@router.post("/projects/{project_id}/progress", status_code=201,
             summary="Report progress (percent never decreases: a lower one is 409) — "
                     "the project's contractor",
             responses={200: {"description": "the report with this Idempotency-Key was "
                                             "already recorded"}})
async def report_progress(project_id: str, body: ProgressIn, response: Response,
                          session: SessionDep, clock: ClockDep, settings: Settings,
                          principal: CurrentPrincipal, key: ClientKey = None,
                          if_match: IfMatch = None) -> ProgressPublic:
    project = await get_project(session, project_id, lock=True)
    require_party(principal, project, "contractor")
    check_version(if_match, project.version)
    report, applied = await site_work.report_progress(
        session, project, body, key=key, org=principal.org or principal.sub,
        threshold=settings.schedule_risk_threshold_percent, clock=clock)
    if not applied:
        response.status_code = 200
    return site_work.progress_public(report)


@router.post("/projects/{project_id}/progress:batch",
             summary="Offline catch-up: apply reports in order, each with its own "
                     "idempotency_key (replays are answered as duplicates; all or nothing) — "
                     "the project's contractor")
async def report_progress_batch(project_id: str, body: ProgressBatchIn, session: SessionDep,
                                clock: ClockDep, settings: Settings,
                                principal: CurrentPrincipal) -> ProgressBatchOut:
    project = await get_project(session, project_id, lock=True)
    require_party(principal, project, "contractor")
    outcomes = []
    for index, item in enumerate(body.items):
        report, applied = await site_work.report_progress(
            session, project, item, key=item.idempotency_key,
            org=principal.org or principal.sub,
            threshold=settings.schedule_risk_threshold_percent, clock=clock,
            prefix=f"items.{index}.")
        outcomes.append(ProgressOutcome(idempotency_key=item.idempotency_key,
                                        outcome="applied" if applied else "duplicate",
                                        report=site_work.progress_public(report)))
    return ProgressBatchOut(items=outcomes, progress_percent=project.progress_percent,
                            schedule_at_risk=project.schedule_at_risk,
                            project_version=project.version)


@router.get("/projects/{project_id}/progress",
            summary="A project's progress reports — any signed-in role")
async def list_progress(project_id: str, session: SessionDep, _: CurrentPrincipal,
                        limit: Limit = 50, cursor: Cursor = None) -> Page[ProgressPublic]:
    await get_project(session, project_id)
    statement = select(ProgressReport).where(
        ProgressReport.project_id == project_id)  # type: ignore[arg-type]
    rows, next_cursor = await keyset_page(
        session, statement, [ProgressReport.received_at, ProgressReport.id],  # type: ignore[list-item]
        limit=limit, cursor=cursor)
    return Page(items=[site_work.progress_public(r) for r in rows], next_cursor=next_cursor)


@router.post("/projects/{project_id}/hidden-works", status_code=201,
             summary="Record a hidden work (隐蔽工程) awaiting inspection — the project's "
                     "contractor")
async def record_hidden_work(project_id: str, body: HiddenWorkCreate, session: SessionDep,
                             clock: ClockDep, principal: CurrentPrincipal) -> HiddenWorkPublic:
    project = await get_project(session, project_id, lock=True)
    require_party(principal, project, "contractor")
    work = await site_work.record_hidden_work(session, project, body, clock)
    return site_work.hidden_work_public(work)


@router.get("/projects/{project_id}/hidden-works",
            summary="A project's hidden works — any signed-in role")
async def list_hidden_works(project_id: str, session: SessionDep, _: CurrentPrincipal,
                            limit: Limit = 50, cursor: Cursor = None) -> Page[HiddenWorkPublic]:
    await get_project(session, project_id)
    statement = select(HiddenWork).where(
        HiddenWork.project_id == project_id)  # type: ignore[arg-type]
    rows, next_cursor = await keyset_page(
        session, statement, [HiddenWork.created_at, HiddenWork.id],  # type: ignore[list-item]
        limit=limit, cursor=cursor)
    return Page(items=[site_work.hidden_work_public(r) for r in rows], next_cursor=next_cursor)


@router.get("/hidden-works/{hidden_work_id}", summary="One hidden work — any signed-in role")
async def get_hidden_work(hidden_work_id: str, session: SessionDep, _: CurrentPrincipal
                          ) -> HiddenWorkPublic:
    return site_work.hidden_work_public(await site_work.get_hidden_work(session, hidden_work_id))


@router.post("/hidden-works/{hidden_work_id}/inspect",
             summary="Pass or fail a hidden work (a fail needs a note; a failed one can be "
                     "re-inspected) — the project's supervisor")
async def inspect_hidden_work(hidden_work_id: str, body: HiddenWorkInspect, session: SessionDep,
                              clock: ClockDep, principal: CurrentPrincipal) -> HiddenWorkPublic:
    work = await site_work.get_hidden_work(session, hidden_work_id)
    project = await get_project(session, work.project_id, lock=True)
    require_party(principal, project, "supervisor")
    await site_work.inspect_hidden_work(session, work, project, body,
                                        principal.org or principal.sub, clock)
    return site_work.hidden_work_public(work)


@router.post("/attachments", status_code=201,
             summary="Upload a JPEG, PNG or PDF (checked by content; size-limited; "
                     "content-addressed by sha256) — project parties and staff",
             responses={200: {"description": "the same content was already stored"},
                        413: {"description": "too large"}, 415: {"description": "not allowed"}})
async def upload_attachment(file: Annotated[UploadFile, File()], response: Response,
                            session: SessionDep, clock: ClockDep, settings: Settings,
                            _: Uploader) -> AttachmentPublic:
    content = await file.read(settings.attachments_max_bytes + 1)
    if len(content) > settings.attachments_max_bytes:
        raise PayloadTooLarge(f"files are limited to {settings.attachments_max_bytes} bytes",
                              max_bytes=settings.attachments_max_bytes)
    attachment, created = await store_attachment(session, settings.attachments_root, content,
                                                 clock)
    if not created:
        response.status_code = 200
    return AttachmentPublic(id=attachment.id, content_type=attachment.content_type,
                            size=attachment.size)


@router.get("/attachments/{attachment_id}", response_class=Response,
            summary="Download an attachment's bytes — any signed-in role")
async def download_attachment(attachment_id: str, session: SessionDep, settings: Settings,
                              _: CurrentPrincipal) -> Response:
    attachment, content = await load_attachment(session, settings.attachments_root,
                                                attachment_id)
    return Response(content, media_type=attachment.content_type,
                    headers={"ETag": f'"{attachment.id}"'})
