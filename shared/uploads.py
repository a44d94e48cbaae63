"""Uploaded images, decoded with Pillow and stored as pixels only; uploaded PDFs, parsed
with pypdf before they are stored.

A resident's photo carries EXIF and XMP blocks: where the phone was (often the resident's
home), the device, the time. `clean_image` keeps none of the bytes it was sent: it decodes the
upload completely (refusing anything that is not a JPEG, PNG or WebP image, or does not
decode to the end), turns it upright by its EXIF orientation, optionally shrinks it to a
longest edge, copies the pixels into a fresh image, and encodes that. Only the colour profile
(ICC) survives, so colours stay right; no EXIF, XMP, GPS, comments or text chunks do.

JPEG stays JPEG and PNG stays PNG; WebP becomes PNG when it has transparency, else JPEG.
Decoding is CPU work: call it in a worker thread (`asyncio.to_thread`) from async code.

Refusals are `shared.errors` classes naming `field`: `PayloadTooLarge` over `max_bytes`,
`UnsupportedMediaType` for another format, `Invalid` for an empty, corrupt, truncated or
oversized (`max_pixels`) image.

A PDF (`check_pdf`) is kept byte for byte (a signed document must stay as it was signed), but
only once it parses: its cross-reference table and trailer, every page and every page's
content stream must read, it needs at least one page and no password to open. `%PDF-`
followed by anything else is `Invalid`, never stored. `clean_image_or_pdf` takes either,
telling them apart by their first bytes and then proving it by decoding.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError

from shared.errors import Invalid, PayloadTooLarge, ProblemError, UnsupportedMediaType

__all__ = [
    "ACCEPTED_IMAGE_TYPES",
    "ACCEPTED_UPLOAD_TYPES",
    "DEFAULT_MAX_PAGES",
    "DEFAULT_MAX_PIXELS",
    "PDF",
    "CheckedPdf",
    "CleanImage",
    "check_pdf",
    "clean_image",
    "clean_image_or_pdf",
]

_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
ACCEPTED_IMAGE_TYPES = tuple(_FORMATS.values())
DEFAULT_MAX_PIXELS = 50_000_000  # a 50-megapixel phone photo; far below a decompression bomb
PDF = "application/pdf"
ACCEPTED_UPLOAD_TYPES = (*ACCEPTED_IMAGE_TYPES, PDF)
DEFAULT_MAX_PAGES = 2_000
# pypdf logs what it repairs quoting the file's bytes; an upload may be personal, so none of
# it reaches the logs (a PDF that cannot be repaired is refused, and that is what counts).
logging.getLogger("pypdf").setLevel(logging.CRITICAL + 1)
_JPEG_QUALITY = 85
_PROFILED_MODES = frozenset({"RGB", "RGBA", "L", "LA", "P", "PA"})


@dataclass(frozen=True)
class CleanImage:
    """A re-encoded image: `data` holds pixels and at most a colour profile."""

    data: bytes
    content_type: str
    width: int
    height: int
    sha256: str

    @property
    def extension(self) -> str:
        return "png" if self.content_type == "image/png" else "jpg"


def clean_image(raw: bytes, *, field: str = "file", max_bytes: int = 10 * 1024 * 1024,
                max_pixels: int = DEFAULT_MAX_PIXELS, max_edge: int | None = None
                ) -> CleanImage:
    """`raw` decoded and encoded again without its metadata (see the module docstring)."""
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"{field}: images are limited to {max_bytes} bytes",
                              max_bytes=max_bytes)
    if not raw:
        raise Invalid(f"{field}: the file is empty", field=field)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        source = _open(raw, field)
    with source:
        width, height = source.size
        if width * height > max_pixels:
            raise Invalid(f"{field}: {width}x{height} is more than {max_pixels} pixels",
                          field=field)
        source_format = source.format or ""
        # A profile describes the source's colour space: useless once CMYK became RGB.
        icc = source.info.get("icc_profile") if source.mode in _PROFILED_MODES else None
        pixels = _decoded(source, field)
    if max_edge is not None and max(pixels.size) > max_edge:
        pixels.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS)
    return _encoded(pixels, source_format, icc_profile=icc)


def _open(raw: bytes, field: str) -> Image.Image:
    try:
        return Image.open(io.BytesIO(raw), formats=list(_FORMATS))
    except Image.DecompressionBombError:
        raise Invalid(f"{field}: the image is too large to decode", field=field) from None
    except Image.DecompressionBombWarning:
        raise Invalid(f"{field}: the image is too large to decode", field=field) from None
    except Exception:  # Pillow reports unknown or broken headers in many ways
        if _signed_as_accepted(raw):
            raise Invalid(f"{field}: the image does not decode (corrupt or truncated)",
                          field=field) from None
        raise UnsupportedMediaType(f"{field}: only JPEG, PNG and WebP images are accepted",
                                   accepted=list(ACCEPTED_IMAGE_TYPES)) from None


def _signed_as_accepted(raw: bytes) -> bool:
    """Starts like a JPEG, PNG or WebP file (so a header that fails to parse is broken)."""
    return (raw.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"))
            or (raw[:4] == b"RIFF" and raw[8:12] == b"WEBP"))


def _decoded(source: Image.Image, field: str) -> Image.Image:
    """Every pixel decoded, upright, in a mode JPEG or PNG can hold, with no metadata."""
    try:
        source.load()
        upright = ImageOps.exif_transpose(source)
        if upright.mode not in ("RGB", "RGBA", "L", "LA"):
            upright = upright.convert("RGBA" if _has_alpha(upright) else "RGB")
        return Image.frombytes(upright.mode, upright.size, upright.tobytes())
    except Exception:  # truncated or corrupt data, a broken EXIF block, ...
        raise Invalid(f"{field}: the image does not decode (corrupt or truncated)",
                      field=field) from None


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _encoded(pixels: Image.Image, source_format: str, *, icc_profile: object) -> CleanImage:
    as_png = source_format == "PNG" or (source_format == "WEBP" and _has_alpha(pixels))
    options: dict[str, object] = {}
    if isinstance(icc_profile, bytes) and icc_profile:
        options["icc_profile"] = icc_profile
    out = io.BytesIO()
    if as_png:
        pixels.save(out, format="PNG", **options)
    else:
        if pixels.mode not in ("RGB", "L"):
            pixels = pixels.convert("RGB")
        pixels.save(out, format="JPEG", quality=_JPEG_QUALITY, **options)
    data = out.getvalue()
    return CleanImage(data=data, content_type="image/png" if as_png else "image/jpeg",
                      width=pixels.width, height=pixels.height,
                      sha256=hashlib.sha256(data).hexdigest())


@dataclass(frozen=True)
class CheckedPdf:
    """A PDF that parsed to the last page: `data` is the upload itself, unchanged."""

    data: bytes
    pages: int
    sha256: str
    content_type: str = PDF

    @property
    def extension(self) -> str:
        return "pdf"


def _within_limits(raw: bytes, field: str, max_bytes: int, what: str) -> None:
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"{field}: {what} are limited to {max_bytes} bytes",
                              max_bytes=max_bytes)
    if not raw:
        raise Invalid(f"{field}: the file is empty", field=field)


def check_pdf(raw: bytes, *, field: str = "file", max_bytes: int = 10 * 1024 * 1024,
              max_pages: int = DEFAULT_MAX_PAGES) -> CheckedPdf:
    """`raw` if it is a PDF that parses completely (see the module docstring).

    Parsing is CPU work: call it in a worker thread from async code.
    """
    _within_limits(raw, field, max_bytes, "files")
    if not raw.startswith(b"%PDF-"):
        raise UnsupportedMediaType(f"{field}: not a PDF document", accepted=[PDF])
    pages = _pages_of(raw, field, max_pages)
    return CheckedPdf(data=raw, pages=pages, sha256=hashlib.sha256(raw).hexdigest())


def _pages_of(raw: bytes, field: str, max_pages: int) -> int:
    broken = f"{field}: the PDF does not parse (corrupt, truncated or not a PDF)"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _read_pages(raw, field, max_pages)
    except ProblemError:
        raise
    except FileNotDecryptedError:
        raise Invalid(f"{field}: the PDF needs a password to open", field=field) from None
    except Exception:  # pypdf reports broken structure in many ways (and recursion, too)
        raise Invalid(broken, field=field) from None


def _read_pages(raw: bytes, field: str, max_pages: int) -> int:
    reader = PdfReader(io.BytesIO(raw), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise Invalid(f"{field}: the PDF needs a password to open", field=field)
    count = len(reader.pages)
    if count == 0:
        raise Invalid(f"{field}: the PDF has no pages", field=field)
    if count > max_pages:
        raise Invalid(f"{field}: {count} pages are more than {max_pages}", field=field)
    for page in reader.pages:
        _ = page.mediabox
        contents = page.get_contents()
        if contents is not None:
            contents.get_data()
    return count


def clean_image_or_pdf(raw: bytes, *, field: str = "file", max_bytes: int = 10 * 1024 * 1024,
                       max_pixels: int = DEFAULT_MAX_PIXELS,
                       max_pages: int = DEFAULT_MAX_PAGES) -> CleanImage | CheckedPdf:
    """An image re-encoded without its metadata (`clean_image`), or a PDF that parses
    (`check_pdf`); anything else is `UnsupportedMediaType` listing both."""
    _within_limits(raw, field, max_bytes, "files")
    if raw.startswith(b"%PDF-"):
        return check_pdf(raw, field=field, max_bytes=max_bytes, max_pages=max_pages)
    try:
        return clean_image(raw, field=field, max_bytes=max_bytes, max_pixels=max_pixels)
    except UnsupportedMediaType:
        raise UnsupportedMediaType(
            f"{field}: only JPEG, PNG and WebP images and PDF documents are accepted",
            accepted=list(ACCEPTED_UPLOAD_TYPES)) from None
