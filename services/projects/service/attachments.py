"""Attachments: JPEG/PNG/PDF recognised by content, stored on disk under their sha256.

Files live at `<root>/<aa>/<bb>/<sha256>`. The same content uploaded twice is stored once.
A file is written (atomically, via a temporary name) before its row is committed; a row
without a file never exists, and a file left by a rolled-back request is harmless because
the next upload of the same content reuses it. The row is inserted with `ON CONFLICT DO
NOTHING` on its sha256, so concurrent uploads of the same content all succeed: one creates
it (201), the others find it (200).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import repository
from services.projects.models import Attachment
from shared.errors import Invalid, NotFound, PayloadTooLarge, UnsupportedMediaType

__all__ = ["attachment_path", "load_attachment", "sniff_content_type", "store_attachment"]

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


def _accepted_type(content: bytes, max_bytes: int) -> str:
    if len(content) > max_bytes:
        raise PayloadTooLarge(f"files are limited to {max_bytes} bytes", max_bytes=max_bytes)
    if not content:
        raise Invalid("the file is empty", field="file")
    media_type = sniff_content_type(content)
    if media_type is None:
        raise UnsupportedMediaType("only JPEG, PNG and PDF files are accepted",
                                   accepted=[t for _, t in _SIGNATURES])
    return media_type


async def store_attachment(session: AsyncSession, root: Path, content: bytes, *,
                           max_bytes: int, now: datetime) -> tuple[Attachment, bool]:
    """Store `content` (at most `max_bytes`); returns the attachment and whether it was new."""
    media_type = _accepted_type(content, max_bytes)
    digest = hashlib.sha256(content).hexdigest()
    await asyncio.to_thread(_write_once, attachment_path(root, digest), content)
    created = await repository.add_attachment_once(session, digest, media_type, len(content),
                                                   now=now)
    attachment = await repository.find_attachment(session, digest)
    assert attachment is not None  # inserted now or by an earlier (committed) upload
    return attachment, created


async def load_attachment(session: AsyncSession, root: Path, attachment_id: str
                          ) -> tuple[Attachment, bytes]:
    attachment = (await repository.find_attachment(session, attachment_id)
                  if _SHA256.match(attachment_id) else None)
    if attachment is None:
        raise NotFound(f"no attachment {attachment_id}")
    content = await asyncio.to_thread(attachment_path(root, attachment.id).read_bytes)
    return attachment, content
