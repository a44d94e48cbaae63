"""Reporters' photos (`report_media`): stored uploads, the uncited ones a filing cites (locked,
so one upload is cited by one report), serving a cited photo, and the uncited ones to delete.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.complaints.models import ReportMedia
from shared.errors import NotFound
from shared.uploads import CleanImage

__all__ = ["add_photos", "cite_photos", "delete_uncited", "lock_uncited", "photo_by_id"]


async def add_photos(session: AsyncSession, photos: Iterable[tuple[str, CleanImage]],
                     now: datetime, *, complaint_id: str | None = None) -> None:
    """Store re-encoded photos under their ids, cited by `complaint_id` (None: not yet)."""
    session.add_all([
        ReportMedia(id=photo_id, complaint_id=complaint_id, content_type=image.content_type,
                    width=image.width, height=image.height, sha256=image.sha256,
                    data=image.data, created_at=now)
        for photo_id, image in photos
    ])
    await session.flush()


async def lock_uncited(session: AsyncSession, photo_ids: Sequence[str], *, since: datetime
                       ) -> set[str]:
    """Which of `photo_ids` are uploads cited by no report and stored since `since`, locked
    until the transaction ends: a concurrent filing citing one of them waits, then finds it
    cited, and the retention scan cannot delete it meanwhile."""
    if not photo_ids:
        return set()
    statement = (select(col(ReportMedia.id))
                 .where(col(ReportMedia.id).in_(sorted(set(photo_ids))),
                        col(ReportMedia.complaint_id).is_(None),
                        col(ReportMedia.created_at) >= since)
                 .order_by(col(ReportMedia.id))
                 .with_for_update())
    return set((await session.scalars(statement)).all())


async def cite_photos(session: AsyncSession, photo_ids: Sequence[str], complaint_id: str
                      ) -> None:
    """The locked uploads `photo_ids` (`lock_uncited`) become the report's photos."""
    if photo_ids:
        await session.execute(update(ReportMedia)
                              .where(col(ReportMedia.id).in_(list(photo_ids)))
                              .values(complaint_id=complaint_id))


async def photo_by_id(session: AsyncSession, photo_id: str) -> ReportMedia:
    """A photo a report cites (an upload nobody cited yet is not served)."""
    statement = select(ReportMedia).where(col(ReportMedia.id) == photo_id,
                                          col(ReportMedia.complaint_id).is_not(None))
    photo = await session.scalar(statement)
    if photo is None:
        raise NotFound(f"media {photo_id!r} not found")
    return photo


async def delete_uncited(session: AsyncSession, before: datetime) -> int:
    """Delete the uploads no report cited, stored before `before`; returns how many."""
    result = await session.execute(delete(ReportMedia)
                                   .where(col(ReportMedia.complaint_id).is_(None),
                                          col(ReportMedia.created_at) < before)
                                   .returning(col(ReportMedia.id)))
    return len(result.all())
