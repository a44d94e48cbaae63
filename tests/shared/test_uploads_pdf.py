"""Uploaded PDFs are parsed with pypdf before they are stored (`shared.uploads.check_pdf`), and
`clean_image_or_pdf` takes either an image or a PDF, proving each by decoding."""

from __future__ import annotations

import io
import logging

import pytest
from PIL import Image
from pypdf import PdfWriter

from shared.errors import Invalid, PayloadTooLarge, UnsupportedMediaType
from shared.uploads import CheckedPdf, CleanImage, check_pdf, clean_image_or_pdf


def pdf(pages: int = 1, *, password: str | None = None, owner: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password is not None:
        writer.encrypt(password, owner)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_pdf_that_parses_is_kept_byte_for_byte() -> None:
    raw = pdf(3)
    checked = check_pdf(raw)
    assert (checked.data, checked.pages, checked.content_type) == (raw, 3, "application/pdf")


@pytest.mark.parametrize("raw", [
    b"%PDF-<script>alert(1)</script>", b"%PDF-1.7\n" + b"\x02" * 64, pdf()[:-60],
    pdf()[:200] + b"x" * 60 + pdf()[260:],
], ids=["script", "header-and-noise", "truncated", "corrupt-object"])
def test_what_starts_like_a_pdf_but_does_not_parse_is_invalid(raw: bytes) -> None:
    with pytest.raises(Invalid) as caught:
        check_pdf(raw, field="document")
    assert caught.value.extensions["errors"][0]["field"] == "document"


def test_a_pdf_that_needs_a_password_is_invalid() -> None:
    with pytest.raises(Invalid, match="password"):
        check_pdf(pdf(password="secret"))


def test_a_pdf_encrypted_only_against_editing_opens_and_is_kept() -> None:
    assert check_pdf(pdf(password="", owner="owner")).pages == 1


def test_too_many_pages_are_invalid() -> None:
    with pytest.raises(Invalid, match="pages"):
        check_pdf(pdf(3), max_pages=2)


def test_size_is_checked_before_parsing() -> None:
    with pytest.raises(PayloadTooLarge):
        check_pdf(pdf(), max_bytes=10)
    with pytest.raises(Invalid):
        check_pdf(b"")


def test_repairs_are_not_logged_with_the_files_bytes(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(Invalid):
        check_pdf(pdf()[:200] + b"resident-name" + pdf()[213:])
    assert "resident-name" not in caplog.text


def test_either_an_image_or_a_pdf_is_taken_and_proven() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG")
    assert isinstance(clean_image_or_pdf(buffer.getvalue()), CleanImage)
    assert isinstance(clean_image_or_pdf(pdf()), CheckedPdf)
    with pytest.raises(Invalid):
        clean_image_or_pdf(b"\xff\xd8\xff")
    with pytest.raises(UnsupportedMediaType) as caught:
        clean_image_or_pdf(b"GIF89a....")
    assert caught.value.extensions["accepted"] == [
        "image/jpeg", "image/png", "image/webp", "application/pdf"]
