"""Attachments: images and PDFs proven by decoding, stored on disk under their sha256.

An upload is decoded before anything is stored (`shared.uploads.clean_image_or_pdf`): a JPEG,
PNG or WebP image is decoded completely and re-encoded without its metadata (no EXIF, GPS,
XMP or comments: a phone photo's location does not leak), a PDF must parse to its last page
and is kept as sent; what does not decode is 422, another format 415. The stored bytes are
what the id (their sha256) names.

Files live at `<root>/<aa>/<bb>/<sha256>`. The same content uploaded twice is stored once.
A file is written (atomically, via a temporary name) before its row is committed; a row
without a file never exists, and a file left by a rolled-back request is harmless because
the next upload of the same content reuses it. The row is inserted with `ON CONFLICT DO
NOTHING` on its sha256, so concurrent uploads of the same content all succeed: one creates
it (201), the others find it (200).
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import repository
from services.projects.models import Attachment
from shared.errors import NotFound
from shared.uploads import clean_image_or_pdf

__all__ = ["attachment_path", "load_attachment", "store_attachment"]

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


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


async def store_attachment(session: AsyncSession, root: Path, content: bytes, *,
                           max_bytes: int, now: datetime) -> tuple[Attachment, bool]:
    """Store `content` (at most `max_bytes`) once it decodes; returns the attachment and
    whether it was new."""
    clean = await asyncio.to_thread(clean_image_or_pdf, content, field="file",
                                    max_bytes=max_bytes)
    await asyncio.to_thread(_write_once, attachment_path(root, clean.sha256), clean.data)
    created = await repository.add_attachment_once(session, clean.sha256, clean.content_type,
                                                   len(clean.data), now=now)
    attachment = await repository.find_attachment(session, clean.sha256)
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
