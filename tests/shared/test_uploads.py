"""Uploaded images are decoded and stored as pixels only (`shared.uploads.clean_image`)."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageCms, PngImagePlugin

from shared.errors import Invalid, PayloadTooLarge, UnsupportedMediaType
from shared.uploads import clean_image

GPS = {1: "N", 2: (24.0, 28.0, 48.0), 3: "E", 4: (118.0, 5.0, 24.0)}


def jpeg(size: tuple[int, int] = (400, 300), *, orientation: int = 1,
         icc: bytes | None = None) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = orientation
    exif[0x8825] = GPS
    buffer = io.BytesIO()
    options: dict[str, object] = {"exif": exif.tobytes(), "comment": b"taken at home"}
    if icc is not None:
        options["icc_profile"] = icc
    Image.new("RGB", size, (10, 120, 200)).save(buffer, "JPEG", **options)
    return buffer.getvalue()


def encoded(image: Image.Image, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def test_gps_maker_and_comments_are_gone() -> None:
    raw = jpeg()
    assert b"PhoneMaker" in raw and b"taken at home" in raw
    clean = clean_image(raw)
    assert clean.content_type == "image/jpeg"
    for trace in (b"PhoneMaker", b"taken at home", b"Exif"):
        assert trace not in clean.data
    assert dict(Image.open(io.BytesIO(clean.data)).getexif()) == {}


def test_a_sideways_photo_is_turned_upright_before_its_tag_is_dropped() -> None:
    clean = clean_image(jpeg((400, 300), orientation=6))
    assert (clean.width, clean.height) == (300, 400)
    assert Image.open(io.BytesIO(clean.data)).size == (300, 400)


def test_png_text_chunks_are_gone_and_png_stays_png() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "my address is 3-201")
    raw = encoded(Image.new("RGBA", (50, 40), (0, 0, 0, 128)), "PNG", pnginfo=info)
    clean = clean_image(raw)
    assert clean.content_type == "image/png" and b"3-201" not in clean.data
    assert Image.open(io.BytesIO(clean.data)).mode == "RGBA"


def test_webp_becomes_jpeg_or_png_by_its_transparency() -> None:
    opaque = encoded(Image.new("RGB", (30, 20), (1, 2, 3)), "WEBP")
    clear = encoded(Image.new("RGBA", (30, 20), (1, 2, 3, 0)), "WEBP", lossless=True)
    assert clean_image(opaque).content_type == "image/jpeg"
    assert clean_image(clear).content_type == "image/png"


def test_the_colour_profile_is_kept() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    clean = clean_image(jpeg(icc=srgb))
    assert Image.open(io.BytesIO(clean.data)).info.get("icc_profile") == srgb


def test_a_large_photo_is_shrunk_to_its_longest_edge() -> None:
    clean = clean_image(jpeg((3000, 1500)), max_edge=1000)
    assert (clean.width, clean.height) == (1000, 500)


@pytest.mark.parametrize("raw", [b"%PDF-1.7\n...", b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                                 encoded(Image.new("RGB", (4, 4)), "GIF")])
def test_other_formats_are_refused(raw: bytes) -> None:
    with pytest.raises(UnsupportedMediaType):
        clean_image(raw, field="media")


def test_a_truncated_image_is_refused_naming_the_field() -> None:
    with pytest.raises(Invalid) as refused:
        clean_image(jpeg()[:400], field="photo1")
    assert refused.value.extensions["errors"][0]["field"] == "photo1"


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(Invalid):
        clean_image(b"")


def test_too_many_bytes_are_refused_before_decoding() -> None:
    with pytest.raises(PayloadTooLarge):
        clean_image(jpeg(), max_bytes=100)


def test_too_many_pixels_are_refused_before_decoding() -> None:
    """A small file can declare a huge image (a decompression bomb)."""
    raw = encoded(Image.new("L", (6000, 6000)), "PNG", optimize=True)
    assert len(raw) < 100_000
    with pytest.raises(Invalid, match="pixels"):
        clean_image(raw, max_pixels=10_000_000)
