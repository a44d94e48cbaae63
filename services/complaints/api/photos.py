"""Routes for reporters' photos: upload one for a report to cite (no account), add one to a
filed report (its reporter). A photo is served at `/open311/v2/media/{id}` once a report
cites it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Response, UploadFile

from services.complaints.access import PhotoRateLimit
from services.complaints.presenters import photo_receipt_view, shown_view
from services.complaints.schemas.reports import ComplaintPublic, PhotoReceipt
from services.complaints.service import contacts, photos
from shared.auth import PrincipalOrReporter
from shared.deps import ClockDep, ContextDep, IfMatch, SessionDep, set_etag

__all__ = ["router"]

router = APIRouter(tags=["reports"])

ComplaintId = Annotated[str, Path(min_length=1, max_length=64)]
Photo = Annotated[UploadFile, File(description="a JPEG, PNG or WebP photo; stored re-encoded, "
                                               "without its metadata (location, device)")]
_REFUSALS: dict[int | str, dict[str, str]] = {
    413: {"description": "larger than COMPLAINTS_OPEN311_MEDIA_MAX_BYTES"},
    415: {"description": "not a JPEG, PNG or WebP image"},
    422: {"description": "an image that does not decode"},
    429: {"description": "too many uploads from this client"},
}


@router.post("/complaints/photos", status_code=201, responses=_REFUSALS,
             summary="Upload a photo for a report to cite (no account needed)")
async def upload_photo(file: Photo, session: SessionDep, ctx: ContextDep, clock: ClockDep,
                       _: PhotoRateLimit) -> PhotoReceipt:
    """Who: anyone, rate-limited per client. Cite the `id` in `photos` of `POST /complaints`
    within 24 hours: one report cites it, and an upload no report cites is deleted."""
    image = await photos.decode_photo(await file.read(ctx.settings.open311_media_max_bytes + 1),
                                      ctx.settings)
    return photo_receipt_view(await photos.upload_photo(session, image, clock.now()))


@router.post("/complaints/{complaint_id}/photos", responses=_REFUSALS,
             summary="Add a photo to a report (reporter)")
async def add_photo(complaint_id: ComplaintId, file: Photo, response: Response,
                    session: SessionDep, ctx: ContextDep, clock: ClockDep,
                    principal: PrincipalOrReporter, _: PhotoRateLimit,
                    if_match: IfMatch = None) -> ComplaintPublic:
    """Who: the reporter (access token), rate-limited per client, while the report is
    neither closed nor merged and holds fewer than 10 photos (409 otherwise). Answers the
    report as its reporter sees it; `If-Match`: its `version`."""
    raw = await file.read(ctx.settings.open311_media_max_bytes + 1)
    await photos.add_report_photo(session, complaint_id, principal, raw, settings=ctx.settings,
                                  now=clock.now(), if_match=if_match)
    shown = await contacts.show_report(session, complaint_id, principal, clock.now(),
                                       with_contact=False)
    set_etag(response, shown.complaint.version)
    return shown_view(shown)
