"""Reporters' photos: uploaded (decoded, metadata stripped) and cited by id when filing, added
to a filed report by its reporter, served once cited, and deleted when nobody cites them."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from services.complaints.app import DEFINITION
from services.complaints.models import ReportMedia
from services.complaints.service.photos import delete_uncited_photos
from shared.clock import FrozenClock
from tests.complaints.conftest import START, bearer, file, known_project, report_body, settings
from tests.complaints.privacy import close_report, office
from tests.support import ServiceHarness, running_service

GPS_IFD = 0x8825


def jpeg_with_location(size: tuple[int, int] = (64, 48)) -> bytes:
    """A phone photo: EXIF with a GPS block (where the resident stood) and the device."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (24.0, 28.0, 48.0), 3: "E", 4: (118.0, 5.0, 24.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


async def upload(svc: ServiceHarness, content: bytes | None = None,
                 name: str = "IMG_0001.jpg") -> dict[str, Any]:
    response = await svc.client.post("/complaints/photos", files={
        "file": (name, jpeg_with_location() if content is None else content, "image/jpeg")})
    assert response.status_code == 201, response.text
    receipt: dict[str, Any] = response.json()
    return receipt


async def media_rows(svc: ServiceHarness) -> int:
    async with svc.ctx.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ReportMedia)) or 0)


async def test_a_resident_uploads_a_photo_and_cites_it_when_filing(svc: ServiceHarness) -> None:
    await known_project(svc)
    uploaded = await upload(svc)
    assert uploaded["content_type"] == "image/jpeg"
    assert (uploaded["width"], uploaded["height"]) == (64, 48)
    assert uploaded["cite_by"] == "2026-03-03T09:00:00Z"
    receipt = await file(svc, photos=[uploaded["id"]])
    report = (await svc.client.get(f"/complaints/{receipt['id']}",
                                   headers=bearer(receipt["access_token"]))).json()
    assert report["photos"] == [f"/open311/v2/media/{uploaded['id']}"]
    served = await svc.client.get(report["photos"][0])
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    exif = Image.open(io.BytesIO(served.content)).getexif()
    assert GPS_IFD not in exif and 0x010F not in exif  # no location, no device


@pytest.mark.parametrize("photo", [
    "javascript:alert(1)", "https://cdn.example.org/p/1.jpg", "/open311/v2/media/x", "att-1",
    "0123456789abcdef0123456789abcdef",  # shaped like an id, never uploaded
])
async def test_a_report_citing_anything_but_an_uploaded_photo_is_422_naming_photos(
    svc: ServiceHarness, photo: str,
) -> None:
    await known_project(svc)
    response = await svc.client.post("/complaints", json=report_body(photos=[photo]))
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["field"].split(".")[0] == "photos"
    assert (await svc.client.get("/complaints", headers=office(svc))).json()["items"] == []


async def test_an_uploaded_photo_is_cited_by_one_report_only(svc: ServiceHarness) -> None:
    await known_project(svc)
    uploaded = await upload(svc)
    await file(svc, photos=[uploaded["id"]])
    again = await svc.client.post("/complaints", json=report_body(photos=[uploaded["id"]]))
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "photos"
    twice = await svc.client.post("/complaints", json=report_body(
        photos=[(await upload(svc))["id"]] * 2))
    assert twice.status_code == 422 and twice.json()["errors"][0]["field"] == "photos"


async def test_an_upload_no_report_cites_is_not_served(svc: ServiceHarness) -> None:
    uploaded = await upload(svc)
    assert (await svc.client.get(f"/open311/v2/media/{uploaded['id']}")).status_code == 404


async def test_an_upload_older_than_a_day_cannot_be_cited_and_is_deleted(
    svc: ServiceHarness,
) -> None:
    await known_project(svc)
    stale = await upload(svc)
    svc.clock.advance(timedelta(hours=23))
    fresh = await upload(svc)
    svc.clock.advance(timedelta(hours=1, seconds=1))
    refused = await svc.client.post("/complaints", json=report_body(photos=[stale["id"]]))
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "photos"
    async with svc.ctx.db.transaction() as session:
        assert await delete_uncited_photos(session, svc.clock.now()) == 1
    assert await media_rows(svc) == 1
    await file(svc, photos=[fresh["id"]])  # still within its day
    svc.clock.advance(timedelta(days=30))
    async with svc.ctx.db.transaction() as session:
        assert await delete_uncited_photos(session, svc.clock.now()) == 0  # cited: kept
    assert await media_rows(svc) == 1


@pytest.mark.parametrize(("content", "status"), [
    (b"%PDF-1.7 <script>", 415), (b"\xff\xd8\xff", 422), (b"", 422),
    (b"\x89PNG\r\n\x1a\n" + bytes(64), 422),
])
async def test_an_upload_that_is_not_a_decodable_image_is_refused(
    svc: ServiceHarness, content: bytes, status: int,
) -> None:
    response = await svc.client.post("/complaints/photos",
                                     files={"file": ("x.jpg", content, "image/jpeg")})
    assert response.status_code == status, response.text
    assert await media_rows(svc) == 0


@pytest.fixture
async def strict(tmp_path: Path) -> AsyncIterator[ServiceHarness]:
    async with running_service(DEFINITION, tmp_path, clock=FrozenClock(START),
                               settings=settings(rate_limit="2/minute")) as harness:
        yield harness


async def test_uploads_are_rate_limited_per_client_apart_from_filing(
    strict: ServiceHarness,
) -> None:
    await known_project(strict)
    first, second = await upload(strict), await upload(strict)
    third = await strict.client.post("/complaints/photos",
                                     files={"file": ("p.jpg", jpeg_with_location())})
    assert third.status_code == 429 and "retry-after" in third.headers
    await file(strict, photos=[first["id"], second["id"]])  # filing has its own window


async def _filed_with_token(svc: ServiceHarness) -> tuple[str, dict[str, str]]:
    await known_project(svc)
    receipt = await file(svc)
    return f"/complaints/{receipt['id']}", bearer(receipt["access_token"])


async def test_the_reporter_adds_a_photo_to_their_report(svc: ServiceHarness) -> None:
    path, reporter = await _filed_with_token(svc)
    added = await svc.client.post(f"{path}/photos", headers={**reporter, "If-Match": '"1"'},
                                  files={"file": ("p.jpg", jpeg_with_location())})
    assert added.status_code == 200, added.text
    body = added.json()
    assert body["version"] == 2 and added.headers["etag"] == '"2"'
    [photo] = body["photos"]
    assert body["history"][-1]["action"] == "add_photo"
    assert body["history"][-1]["actor"]["role"] == "reporter"
    served = await svc.client.get(photo)
    assert GPS_IFD not in Image.open(io.BytesIO(served.content)).getexif()
    staff = (await svc.client.get(path, headers=office(svc))).json()
    assert staff["photos"] == [photo]


async def test_only_the_reporters_own_token_adds_a_photo(svc: ServiceHarness) -> None:
    path, _ = await _filed_with_token(svc)
    other = await file(svc)
    supporter = (await svc.client.post(f"{path}/supporters")).json()["access_token"]
    photo = {"file": ("p.jpg", jpeg_with_location())}
    for headers, status in ((bearer(other["access_token"]), 404), (bearer(supporter), 403),
                            (office(svc), 403), (svc.auth("contractor", org="acme"), 403),
                            ({}, 401)):
        response = await svc.client.post(f"{path}/photos", headers=headers, files=photo)
        assert response.status_code == status, (headers, response.text)
    assert await media_rows(svc) == 0


async def test_a_closed_report_takes_no_more_photos(svc: ServiceHarness) -> None:
    await known_project(svc)
    receipt = await file(svc)
    await close_report(svc, receipt["id"], receipt["access_token"])
    response = await svc.client.post(f"/complaints/{receipt['id']}/photos",
                                     headers=bearer(receipt["access_token"]),
                                     files={"file": ("p.jpg", jpeg_with_location())})
    assert response.status_code == 409


async def test_a_report_holds_at_most_ten_photos(svc: ServiceHarness) -> None:
    await known_project(svc)
    ids = [(await upload(svc))["id"] for _ in range(10)]
    receipt = await file(svc, photos=ids)
    response = await svc.client.post(f"/complaints/{receipt['id']}/photos",
                                     headers=bearer(receipt["access_token"]),
                                     files={"file": ("p.jpg", jpeg_with_location())})
    assert response.status_code == 409
    eleven = await svc.client.post("/complaints", json=report_body(photos=[*ids, ids[0]]))
    assert eleven.status_code == 422 and eleven.json()["errors"][0]["field"] == "photos"


async def test_a_stale_if_match_on_adding_a_photo_is_412(svc: ServiceHarness) -> None:
    path, reporter = await _filed_with_token(svc)
    response = await svc.client.post(f"{path}/photos", headers={**reporter, "If-Match": '"7"'},
                                     files={"file": ("p.jpg", jpeg_with_location())})
    assert response.status_code == 412
    assert (await svc.client.get(path, headers=reporter)).json()["photos"] == []


@pytest.mark.postgres
async def test_filings_citing_one_upload_at_once_make_one_report_with_it(
    tmp_path: Path, pg_url: str,
) -> None:
    async with running_service(DEFINITION, tmp_path, settings=settings(database_url=pg_url),
                               clock=FrozenClock(START)) as svc:
        await known_project(svc)
        uploaded = await upload(svc)
        responses = await asyncio.gather(*(
            svc.client.post("/complaints", json=report_body(photos=[uploaded["id"]]))
            for _ in range(8)))
        assert sorted(r.status_code for r in responses) == [201] + [422] * 7
        listed = (await svc.client.get("/complaints", headers=office(svc))).json()["items"]
        assert [len(item["photos"]) for item in listed] == [1]
