"""Attachments: JPEG/PNG/PDF recognised by content, stored on disk under their sha256.

Files live at `<root>/<aa>/<bb>/<sha256>`. The same content uploaded twice is stored once.
A file is written (atomically, via a temporary name) before its row is committed; a row
without a file never exists, and a file left by a rolled-back request is harmless because
the next upload of the same content reuses it.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.projects.models import Attachment
from shared.clock import Clock
from shared.errors import Invalid, NotFound, UnsupportedMediaType

__all__ = ["attachment_path", "existing_ids", "load_attachment", "sniff_content_type",
           "store_attachment"]

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def sniff_content_type(content: bytes) -> str | None:
    """The media type the content's magic bytes announce, if it is one we accept."""
    for signature, media_type in _SIGNATURES:
        if content.startswith(signature):
            return media_type
    return None


def attachment_path(root: Path, digest: str) -> Path:
    return root / digest[:2] / digest[2:4] / digest


def _write_once(path: Path, content: bytes) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


async def store_attachment(session: AsyncSession, root: Path, content: bytes,
                           clock: Clock) -> tuple[Attachment, bool]:
    """Store `content`; returns the attachment and whether it was new."""
    if not content:
        raise Invalid("the file is empty", field="file")
    media_type = sniff_content_type(content)
    if media_type is None:
        raise UnsupportedMediaType("only JPEG, PNG and PDF files are accepted",
                                   accepted=[t for _, t in _SIGNATURES])
    digest = hashlib.sha256(content).hexdigest()
    existing = await session.get(Attachment, digest)
    await asyncio.to_thread(_write_once, attachment_path(root, digest), content)
    if existing is not None:
        return existing, False
    attachment = Attachment(id=digest, content_type=media_type, size=len(content),
                            created_at=clock.now())
    session.add(attachment)
    await session.flush()
    return attachment, True


async def load_attachment(session: AsyncSession, root: Path, attachment_id: str
                          ) -> tuple[Attachment, bytes]:
    attachment = await session.get(Attachment, attachment_id) if _SHA256.match(
        attachment_id) else None
    if attachment is None:
        raise NotFound(f"no attachment {attachment_id}")
    path = attachment_path(root, attachment.id)
    content = await asyncio.to_thread(path.read_bytes)
    return attachment, content


async def existing_ids(session: AsyncSession, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    statement = select(col(Attachment.id)).where(col(Attachment.id).in_(ids))
    return set((await session.scalars(statement)).all())
