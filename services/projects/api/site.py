"""Routes for work on site: progress (single and offline batch), hidden works, attachments.

Who may call what (admin always may):
- progress, progress:batch, recording hidden works: the project's contractor org;
- inspecting a hidden work: the project's supervisor org;
- uploading attachments: project parties' roles and staff; reads: any signed-in role.
Attachments are decoded before they are stored (images re-encoded without metadata, PDFs
parsed); only images can be a report's photos.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Header, Response, UploadFile

from services.projects import presenters, repository
from services.projects.access import Uploader
from services.projects.config import ProjectsSettings
from services.projects.schemas.site import (
    AttachmentPublic,
    HiddenWorkCreate,
    HiddenWorkInspect,
    HiddenWorkPublic,
    ProgressBatchIn,
    ProgressBatchOut,
    ProgressIn,
    ProgressPublic,
)
from services.projects.service import attachments, site_work
from shared.auth import CurrentPrincipal
from shared.deps import ClockDep, ContextDep, IfMatch, SessionDep
from shared.pagination import Cursor, Limit, Page, page_of

__all__ = ["router"]

router = APIRouter(tags=["site work"])
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
    report, applied = await site_work.report_progress(
        session, project_id, body, principal, key=key, if_match=if_match,
        threshold=settings.schedule_risk_threshold_percent, now=clock.now())
    if not applied:
        response.status_code = 200
    return presenters.progress_public(report)


@router.post("/projects/{project_id}/progress:batch",
             summary="Offline catch-up: apply reports in order, each with its own "
                     "idempotency_key (a replay of the same report is answered as a duplicate, "
                     "a key sent with another report is 409; all or nothing) — the project's "
                     "contractor")
async def report_progress_batch(project_id: str, body: ProgressBatchIn, session: SessionDep,
                                clock: ClockDep, settings: Settings,
                                principal: CurrentPrincipal) -> ProgressBatchOut:
    outcomes, project = await site_work.report_progress_batch(
        session, project_id, body.items, principal,
        threshold=settings.schedule_risk_threshold_percent, now=clock.now())
    return presenters.progress_batch_out(outcomes, project)


@router.get("/projects/{project_id}/progress",
            summary="A project's progress reports — any signed-in role")
async def list_progress(project_id: str, session: SessionDep, _: CurrentPrincipal,
                        limit: Limit = 50, cursor: Cursor = None) -> Page[ProgressPublic]:
    page = await repository.progress_page(session, project_id, limit=limit, cursor=cursor)
    return page_of(page, presenters.progress_public)


@router.post("/projects/{project_id}/hidden-works", status_code=201,
             summary="Record a hidden work (隐蔽工程) awaiting inspection — the project's "
                     "contractor")
async def record_hidden_work(project_id: str, body: HiddenWorkCreate, session: SessionDep,
                             clock: ClockDep, principal: CurrentPrincipal) -> HiddenWorkPublic:
    work = await site_work.record_hidden_work(session, project_id, body, principal,
                                              now=clock.now())
    return presenters.hidden_work_public(work, [])


@router.get("/projects/{project_id}/hidden-works",
            summary="A project's hidden works, each with every inspection — any signed-in role")
async def list_hidden_works(project_id: str, session: SessionDep, _: CurrentPrincipal,
                            limit: Limit = 50, cursor: Cursor = None) -> Page[HiddenWorkPublic]:
    rows, next_cursor = await repository.hidden_works_page(session, project_id, limit=limit,
                                                           cursor=cursor)
    history = await repository.inspections_of(session, [work.id for work in rows])
    return page_of((rows, next_cursor),
                   lambda work: presenters.hidden_work_public(work, history[work.id]))


@router.get("/hidden-works/{hidden_work_id}",
            summary="One hidden work with every inspection — any signed-in role")
async def get_hidden_work(hidden_work_id: str, session: SessionDep, _: CurrentPrincipal
                          ) -> HiddenWorkPublic:
    work = await repository.get_hidden_work(session, hidden_work_id)
    history = await repository.inspections_of(session, [work.id])
    return presenters.hidden_work_public(work, history[work.id])


@router.post("/hidden-works/{hidden_work_id}/inspect",
             summary="Pass or fail a hidden work (a fail needs a note; a failed one can be "
                     "re-inspected) — the project's supervisor")
async def inspect_hidden_work(hidden_work_id: str, body: HiddenWorkInspect, session: SessionDep,
                              clock: ClockDep, principal: CurrentPrincipal) -> HiddenWorkPublic:
    work = await site_work.inspect_hidden_work(session, hidden_work_id, body, principal,
                                               now=clock.now())
    history = await repository.inspections_of(session, [work.id])
    return presenters.hidden_work_public(work, history[work.id])


@router.post("/attachments", status_code=201,
             summary="Upload a JPEG, PNG or WebP image (decoded, stored without its metadata) "
                     "or a PDF (parsed, stored as sent); size-limited, content-addressed by "
                     "the sha256 of what is stored — project parties and staff",
             responses={200: {"description": "the same content was already stored"},
                        413: {"description": "too large"}, 415: {"description": "not allowed"},
                        422: {"description": "does not decode (corrupt, truncated, fake)"}})
async def upload_attachment(file: Annotated[UploadFile, File()], response: Response,
                            session: SessionDep, clock: ClockDep, settings: Settings,
                            _: Uploader) -> AttachmentPublic:
    # One byte past the limit is enough to tell a file too large without reading it all.
    content = await file.read(settings.attachments_max_bytes + 1)
    attachment, created = await attachments.store_attachment(
        session, settings.attachments_root, content,
        max_bytes=settings.attachments_max_bytes, now=clock.now())
    if not created:
        response.status_code = 200
    return presenters.attachment_public(attachment)


@router.get("/attachments/{attachment_id}", response_class=Response,
            summary="Download an attachment's bytes — any signed-in role")
async def download_attachment(attachment_id: str, session: SessionDep, settings: Settings,
                              _: CurrentPrincipal) -> Response:
    attachment, content = await attachments.load_attachment(
        session, settings.attachments_root, attachment_id)
    return Response(content, media_type=attachment.content_type,
                    headers={"ETag": f'"{attachment.id}"'})


@router.get("/attachments/{attachment_id}/meta",
            summary="An attachment's metadata (sha256, type, size, when stored) — any "
                    "signed-in role")
async def attachment_meta(attachment_id: str, session: SessionDep, _: CurrentPrincipal
                          ) -> AttachmentPublic:
    return presenters.attachment_public(await repository.get_attachment(session, attachment_id))
