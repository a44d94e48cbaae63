"""Use cases on reporters' photos (rules in `domain.photos`): decode an upload, store one for a
report to cite, add one to a filed report (its reporter), and delete the uploads nobody cited
in time. Filing cites uploads (`service.reports.file_report`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.access import ensure_may_add_photo
from services.complaints.config import ComplaintsSettings
from services.complaints.domain.photos import (
    UNCITED_PHOTO_TTL,
    ensure_room_for_photo,
    photo_path,
    uncited_cutoff,
)
from services.complaints.models import Complaint
from services.complaints.repository import photos as repository
from services.complaints.repository import reports as reports_repository
from services.complaints.service.reports import Actor, history_step
from shared.auth import Principal
from shared.db import new_id
from shared.uploads import CleanImage, clean_image

__all__ = [
    "Uploaded",
    "add_report_photo",
    "decode_photo",
    "delete_uncited_photos",
    "upload_photo",
]

_ADDED_NOTE = "The reporter added a photo."


@dataclass(frozen=True)
class Uploaded:
    id: str
    image: CleanImage
    cite_by: datetime


async def decode_photo(raw: bytes, settings: ComplaintsSettings, *, field: str = "file"
                       ) -> CleanImage:
    """`raw` decoded and re-encoded without its metadata, in a worker thread (415 for
    another format, 422 for a broken image, 413 over `COMPLAINTS_OPEN311_MEDIA_MAX_BYTES`)."""
    return await asyncio.to_thread(clean_image, raw, field=field,
                                   max_bytes=settings.open311_media_max_bytes,
                                   max_edge=settings.open311_media_max_edge_px)


async def upload_photo(session: AsyncSession, image: CleanImage, now: datetime) -> Uploaded:
    """Store a decoded photo for a report to cite (`photos` of `POST /complaints`)."""
    photo_id = new_id()
    await repository.add_photos(session, [(photo_id, image)], now)
    return Uploaded(id=photo_id, image=image, cite_by=now + UNCITED_PHOTO_TTL)


async def add_report_photo(session: AsyncSession, complaint_id: str, principal: Principal,
                           raw: bytes, *, settings: ComplaintsSettings, now: datetime,
                           if_match: str | None) -> Complaint:
    """The reporter adds a photo to their report, decided on the locked report: it must not
    be closed or merged, and holds at most `MAX_PHOTOS`. A history step tells staff."""
    ensure_may_add_photo(principal, complaint_id)  # before any decoding work
    image = await decode_photo(raw, settings)
    complaint = await reports_repository.lock_visible_report(session, complaint_id, principal,
                                                             if_match=if_match)
    ensure_room_for_photo(complaint.status, len(complaint.photos))
    photo_id = new_id()
    await repository.add_photos(session, [(photo_id, image)], now, complaint_id=complaint.id)
    complaint.photos = [*complaint.photos, photo_path(photo_id)]
    session.add(history_step(complaint, "add_photo", complaint.status,
                             Actor.of(principal, complaint.id), now, _ADDED_NOTE))
    await session.flush()
    return complaint


async def delete_uncited_photos(session: AsyncSession, now: datetime) -> int:
    """Delete the uploads no report cited within `UNCITED_PHOTO_TTL`; returns how many."""
    return await repository.delete_uncited(session, uncited_cutoff(now))
