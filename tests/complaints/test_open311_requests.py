"""Open311 service requests: filing (form and multipart with photos), reading, paging, the
update feed, and what the public never sees."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from services.complaints.app import DEFINITION
from services.complaints.config import DEV_OPEN311_API_KEY
from shared.clock import FrozenClock
from tests.complaints.conftest import API_KEY, START, bearer, known_project, settings
from tests.complaints.test_open311 import BASE, assert_spec_error, create, filed, form, read
from tests.support import ServiceHarness, running_service

STRONG = "s" * 40


@pytest.fixture(params=["xml", "json"])
def fmt(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def photo(size: tuple[int, int] = (640, 480)) -> bytes:
    """A JPEG as a phone takes it: GPS position, maker, a comment, turned by EXIF."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = 6  # shot sideways: viewers turn it upright
    exif[0x8825] = {1: "N", 2: (24.0, 28.0, 48.0), 3: "E", 4: (118.0, 5.0, 24.0)}
    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 40, 40)).save(buffer, "JPEG", exif=exif.tobytes(),
                                                 comment=b"home of the reporter")
    return buffer.getvalue()


async def staff_step(svc: ServiceHarness, request_id: str, step: str,
                     body: dict[str, Any] | None = None) -> None:
    response = await svc.client.post(f"/complaints/{request_id}/{step}", json=body or {},
                                     headers=svc.auth("admin"))
    assert response.status_code == 200, response.text


async def ids(svc: ServiceHarness, **params: Any) -> list[str]:
    response = await svc.client.get(f"{BASE}/requests.json", params=params)
    assert response.status_code == 200, response.text
    return [r["service_request_id"] for r in response.json()]


# Filing

async def test_a_client_files_and_tracks_a_request(svc: ServiceHarness, fmt: str) -> None:
    await known_project(svc)
    response = await create(svc, fmt)
    assert response.status_code == 200, response.text
    [receipt] = read(response, fmt, "service_requests")
    request_id, token = receipt["service_request_id"], receipt["token"]
    [by_token] = read(await svc.client.get(f"{BASE}/tokens/{token}.{fmt}"), fmt,
                      "service_requests")
    assert by_token == {"service_request_id": request_id, "token": token}
    [request] = read(await svc.client.get(f"{BASE}/requests/{request_id}.{fmt}"), fmt,
                     "service_requests")
    assert request["status"] == "open" and request["service_code"] == "noise"
    assert str(request["lat"]) == "24.48" and str(request["long"]) == "118.09"
    assert request["agency_responsible"] == "acme"
    assert request["requested_datetime"] == "2026-03-02T09:00:00Z"
    assert request["expected_datetime"] == "2026-03-03T09:00:00Z"  # noise: 24 h
    assert request["status_notes"]  # the receipt note
    assert request["description"] is None  # shown to key holders only


async def test_a_point_and_a_service_code_are_enough(svc: ServiceHarness) -> None:
    """What a generic civic app sends: no attribute of ours. Placed by the point (inside the
    shentian demo boundary) by the filing use case's routing."""
    response = await svc.client.post(f"{BASE}/requests.xml", data={
        "api_key": API_KEY, "service_code": "dust", "lat": "24.478", "long": "118.096",
        "description": "Dust all over the courtyard", "phone": "13712345678"})
    assert response.status_code == 200, response.text
    [receipt] = read(response, "xml", "service_requests")
    [request] = (await svc.client.get(
        f"{BASE}/requests/{receipt['service_request_id']}.json")).json()
    assert request["lat"] == 24.478 and request["long"] == 118.096


async def test_an_address_alone_locates_a_request(svc: ServiceHarness) -> None:
    response = await create(svc, lat="", long="", address_string="东渡路 88 号",
                            **{"attribute[project_id]": "", "attribute[community_id]": "dongdu"})
    assert response.status_code == 200, response.text
    [request] = (await svc.client.get(
        f"{BASE}/requests/{response.json()[0]['service_request_id']}.json")).json()
    assert request["address"] == "东渡路 88 号" and request["lat"] is None


async def test_a_point_outside_the_service_area_is_a_400_naming_it(svc: ServiceHarness,
                                                                   fmt: str) -> None:
    response = await svc.client.post(f"{BASE}/requests.{fmt}", data={
        "api_key": API_KEY, "service_code": "noise", "lat": "39.9", "long": "116.4",
        "description": "Beijing is not in the pilot"})
    description = assert_spec_error(response, fmt, 400, "lat", "long")
    assert "outside the service area" in description
    assert await ids(svc) == []


async def test_a_retried_post_is_answered_once(svc: ServiceHarness) -> None:
    """Idempotency-Key holds for Open311 as for our own API: one report, the same XML."""
    await known_project(svc)
    key = {"Idempotency-Key": "civic-app-retry-1"}
    first = await svc.client.post(f"{BASE}/requests.xml", data=form(), headers=key)
    again = await svc.client.post(f"{BASE}/requests.xml", data=form(), headers=key)
    assert first.status_code == again.status_code == 200, first.text
    assert again.content == first.content
    assert again.headers["content-type"] == "text/xml; charset=utf-8"
    assert len(await ids(svc)) == 1


async def test_the_request_is_a_full_report_for_staff_and_the_reporter(
    svc: ServiceHarness,
) -> None:
    await known_project(svc)
    receipt = await filed(svc)
    staff = await svc.client.get(f"/complaints/{receipt['service_request_id']}",
                                 headers=svc.auth("admin"))
    assert staff.json()["contact"]["phone"] == "13712345678"
    mine = await svc.client.get(f"/complaints/{receipt['service_request_id']}",
                                headers=bearer(receipt["access_token"]))
    assert mine.status_code == 200, mine.text


async def test_bad_arguments_are_400s_naming_the_argument(svc: ServiceHarness,
                                                          fmt: str) -> None:
    await known_project(svc)
    cases: list[tuple[dict[str, str], str]] = [
        ({"lat": "north"}, "lat"),
        ({"lat": "95"}, "lat"),
        ({"phone": "555"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"description": ""}, "description"),
        ({"attribute[kind]": "rumour"}, "attribute[kind]"),
        ({"media_url": "file:///etc/passwd"}, "media_url"),
    ]
    for overrides, argument in cases:
        assert_spec_error(await create(svc, fmt, **overrides), fmt, 400, argument)
    assert await ids(svc) == []  # nothing half-written


# Time: UTC with `Z` on the wire, as in every API of the suite; Beijing time for people

async def test_times_come_back_in_utc_with_z_whatever_offset_was_sent(
    svc: ServiceHarness, fmt: str,
) -> None:
    await known_project(svc)
    request_id = (await filed(svc))["service_request_id"]
    response = await svc.client.get(f"{BASE}/requests.{fmt}",
                                    params={"start_date": "2026-03-02T16:59:00+08:00"})
    [request] = read(response, fmt, "service_requests")
    assert request["service_request_id"] == request_id
    assert request["requested_datetime"] == "2026-03-02T09:00:00Z"
    assert request["updated_datetime"] == "2026-03-02T09:00:00Z"
    assert request["expected_datetime"] == "2026-03-03T09:00:00Z"
    staff = (await svc.client.get(f"/complaints/{request_id}", headers=svc.auth("admin")))
    assert staff.json()["created_at"] == request["requested_datetime"]  # one form everywhere


async def test_the_service_notice_prints_beijing_time_to_the_minute(
    svc: ServiceHarness, fmt: str,
) -> None:
    await known_project(svc)
    [receipt] = read(await create(svc, fmt), fmt, "service_requests")
    expected = ("Expected to be resolved by 2026-03-03 17:00 Beijing time; overdue reports "
                "are escalated.")
    assert receipt["service_notice"] == expected
    [request] = read(await svc.client.get(
        f"{BASE}/requests/{receipt['service_request_id']}.{fmt}"), fmt, "service_requests")
    assert request["service_notice"] == expected


@pytest.mark.parametrize("path", ["requests", "servicerequestupdates"])
@pytest.mark.parametrize("argument", ["start_date", "end_date"])
async def test_a_date_without_a_timezone_is_a_400_naming_it(
    svc: ServiceHarness, path: str, argument: str,
) -> None:
    response = await svc.client.get(f"{BASE}/{path}.json",
                                    params={argument: "2026-12-01T10:00:00"})
    assert_spec_error(response, "json", 400, argument)


# Photos

async def test_a_multipart_photo_is_stored_without_its_metadata(svc: ServiceHarness) -> None:
    await known_project(svc)
    response = await svc.client.post(f"{BASE}/requests.json", data=form(),
                                     files={"media": ("IMG_0001.jpg", photo(), "image/jpeg")})
    assert response.status_code == 200, response.text
    request_id = response.json()[0]["service_request_id"]
    [request] = (await svc.client.get(f"{BASE}/requests/{request_id}.json",
                                      params={"api_key": API_KEY})).json()
    media_url = request["media_url"]
    assert media_url.startswith("http://test/open311/v2/media/")
    served = await svc.client.get(media_url)
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    for trace in (b"PhoneMaker", b"home of the reporter", b"Exif"):
        assert trace not in served.content
    image = Image.open(io.BytesIO(served.content))
    assert image.size == (480, 640)  # turned upright before the orientation tag was dropped
    assert dict(image.getexif()) == {}


async def test_photos_come_as_fixmystreet_sends_them(svc: ServiceHarness) -> None:
    """FixMyStreet uploads `photo1`, `photo2`, ... and then sends no media_url."""
    await known_project(svc)
    data = {k: v for k, v in form().items()}
    response = await svc.client.post(f"{BASE}/requests.xml", data=data, files=[
        ("photo1", ("1.0.full.jpeg", photo(), "image/jpeg")),
        ("photo2", ("1.1.full.jpeg", photo((100, 80)), "image/jpeg"))])
    assert response.status_code == 200, response.text
    [receipt] = read(response, "xml", "service_requests")
    staff = await svc.client.get(f"/complaints/{receipt['service_request_id']}",
                                 headers=svc.auth("admin"))
    photos = staff.json()["photos"]
    assert len(photos) == 2 and all(p.startswith("/open311/v2/media/") for p in photos)


async def test_a_nul_in_a_multipart_field_is_a_400(svc: ServiceHarness) -> None:
    """PostgreSQL cannot store U+0000 in text; the edge guard does not read multipart."""
    await known_project(svc)
    response = await svc.client.post(f"{BASE}/requests.json", data=form(description="a\x00b"),
                                     files={"media": ("p.jpg", photo(), "image/jpeg")})
    assert_spec_error(response, "json", 400, "description")
    assert await ids(svc) == []


async def test_a_file_that_is_not_an_image_is_refused(svc: ServiceHarness, fmt: str) -> None:
    await known_project(svc)
    for name, content in (("media", b"%PDF-1.7 not a photo"), ("media", photo()[:300]),
                          ("attachment", photo())):
        response = await svc.client.post(f"{BASE}/requests.{fmt}", data=form(),
                                         files={name: ("x.jpg", content, "image/jpeg")})
        assert_spec_error(response, fmt, 400, name)
    assert await ids(svc) == []


async def test_photos_and_descriptions_are_for_key_holders_only(svc: ServiceHarness) -> None:
    await known_project(svc)
    receipt = await filed(svc, media_url="https://cdn.example.org/p/1.jpg")
    path = f"{BASE}/requests/{receipt['service_request_id']}.json"
    [public] = (await svc.client.get(path)).json()
    [keyed] = (await svc.client.get(path, params={"api_key": API_KEY})).json()
    assert public["description"] is None and public["media_url"] is None
    assert keyed["description"] == "Night-time drilling"
    assert keyed["media_url"] == "https://cdn.example.org/p/1.jpg"


async def test_public_gets_never_show_contact_details(svc: ServiceHarness, fmt: str) -> None:
    await known_project(svc)
    await filed(svc)
    for path in ("requests", "servicerequestupdates"):
        text = (await svc.client.get(f"{BASE}/{path}.{fmt}", params={"api_key": API_KEY})).text
        for secret in ("13712345678", "陈", "小明", "chen@example.com"):
            assert secret not in text


# Reading

async def test_closed_requests_report_closed_with_their_notes(svc: ServiceHarness) -> None:
    await known_project(svc)
    request_id = (await filed(svc))["service_request_id"]
    await staff_step(svc, request_id, "acknowledge")
    await staff_step(svc, request_id, "assign")
    await staff_step(svc, request_id, "resolve", {"resolution": "Drilling moved to daytime"})
    await staff_step(svc, request_id, "close")
    [request] = (await svc.client.get(f"{BASE}/requests/{request_id}.json")).json()
    assert request["status"] == "closed" and request["status_notes"]
    assert await ids(svc, status="closed") == [request_id]


async def test_the_request_list_filters_as_the_spec_says(svc: ServiceHarness) -> None:
    await known_project(svc)
    n = (await filed(svc))["service_request_id"]
    svc.clock.advance(timedelta(days=1))
    d = (await filed(svc, service_code="dust"))["service_request_id"]
    assert await ids(svc) == [d, n]  # newest first
    assert await ids(svc, service_code="dust") == [d]
    assert await ids(svc, service_code="dust,noise") == [d, n]
    assert await ids(svc, status="open") == [d, n]
    assert await ids(svc, status="closed") == []
    assert await ids(svc, start_date="2026-03-03T00:00:00Z") == [d]
    assert await ids(svc, end_date="2026-03-02T12:00:00+08:00") == []
    assert await ids(svc, end_date="2026-03-02T18:00:00+08:00") == [n]
    assert await ids(svc, service_request_id=f"{n},missing", service_code="dust") == [n]


async def test_pages_split_the_request_list(svc: ServiceHarness, fmt: str) -> None:
    await known_project(svc)
    filed_ids = []
    for _ in range(5):
        filed_ids.append((await filed(svc))["service_request_id"])
        svc.clock.advance(timedelta(minutes=1))
    newest_first = filed_ids[::-1]
    pages = [await ids(svc, page=n, page_size=2) for n in (1, 2, 3, 4)]
    assert pages == [newest_first[:2], newest_first[2:4], newest_first[4:], []]
    for bad in ({"page": "0"}, {"page_size": "1001"}, {"page": "two"}):
        argument = next(iter(bad))
        response = await svc.client.get(f"{BASE}/requests.{fmt}", params=bad)
        assert_spec_error(response, fmt, 400, argument)


async def test_the_default_window_is_ninety_days(svc: ServiceHarness) -> None:
    await known_project(svc)
    await filed(svc)
    svc.clock.advance(timedelta(days=91))
    assert await ids(svc) == []


async def test_supporters_and_merges_show_as_extended_attributes(svc: ServiceHarness,
                                                                 fmt: str) -> None:
    await known_project(svc)
    survivor = (await filed(svc))["service_request_id"]
    duplicate = (await filed(svc))["service_request_id"]
    supported = await svc.client.post(f"/complaints/{survivor}/supporters", json={})
    assert supported.status_code == 201, supported.text
    await staff_step(svc, duplicate, "merge", {"into": survivor})
    requests = read(await svc.client.get(f"{BASE}/requests.{fmt}"), fmt, "service_requests")
    extended = {r["service_request_id"]: r["extended_attributes"] for r in requests}
    assert str(extended[duplicate]["duplicate_of"]) == survivor
    assert int(extended[survivor]["supporters"]) >= 1
    assert str(extended[survivor]["calendar_estimated"]).lower() == "false"
    closed = [r["service_request_id"] for r in requests if r["status"] == "closed"]
    assert closed == [duplicate]


# The update feed (mySociety's servicerequestupdates)

async def test_status_changes_are_listed_since_a_time(svc: ServiceHarness, fmt: str) -> None:
    await known_project(svc)
    request_id = (await filed(svc))["service_request_id"]
    svc.clock.advance(timedelta(hours=1))
    await staff_step(svc, request_id, "acknowledge", {"note": "On our way"})
    svc.clock.advance(timedelta(hours=1))
    await staff_step(svc, request_id, "assign")
    since = (START + timedelta(minutes=90)).isoformat()
    response = await svc.client.get(f"{BASE}/servicerequestupdates.{fmt}",
                                    params={"start_date": since})
    [update] = read(response, fmt, "service_request_updates")
    assert update["service_request_id"] == request_id and update["update_id"]
    assert update["status"] == "in_progress" and update["external_status_code"] == "assigned"
    assert update["updated_datetime"] == "2026-03-02T11:00:00Z"
    everything = (await svc.client.get(f"{BASE}/servicerequestupdates.json")).json()
    assert [(u["status"], u["description"]) for u in everything] == [
        ("investigating", "On our way"), ("in_progress", everything[1]["description"])]


async def test_a_reporters_own_words_stay_with_key_holders(svc: ServiceHarness) -> None:
    await known_project(svc)
    receipt = await filed(svc)
    request_id = receipt["service_request_id"]
    for step, body in (("acknowledge", None), ("assign", None),
                       ("resolve", {"resolution": "Moved the drill"})):
        await staff_step(svc, request_id, step, body)
    reopened = await svc.client.post(f"/complaints/{request_id}/reopen",
                                     json={"reason": "Still drilling, my flat is 3-201"},
                                     headers=bearer(receipt["access_token"]))
    assert reopened.status_code == 200, reopened.text
    public = (await svc.client.get(f"{BASE}/servicerequestupdates.json")).json()
    keyed = (await svc.client.get(f"{BASE}/servicerequestupdates.json",
                                  params={"api_key": API_KEY})).json()
    assert public[-1]["status"] == "open" and public[-1]["description"] is None
    assert keyed[-1]["description"] == "Still drilling, my flat is 3-201"
    [request] = (await svc.client.get(f"{BASE}/requests/{request_id}.json")).json()
    assert request["status_notes"] is None


# Keys

async def test_the_development_key_files_outside_production(tmp_path: Path) -> None:
    async with running_service(DEFINITION, tmp_path, clock=FrozenClock(START),
                               settings=settings(open311_api_keys=""),
                               environment="dev") as svc:
        await known_project(svc)
        response = await create(svc, api_key=DEV_OPEN311_API_KEY)
        discovery = (await svc.client.get("/open311/discovery.json")).json()
    assert response.status_code == 200, response.text
    assert DEV_OPEN311_API_KEY in discovery["key_service"]


async def test_the_development_key_is_refused_in_production(tmp_path: Path) -> None:
    async with running_service(
        DEFINITION, tmp_path, clock=FrozenClock(START),
        settings=settings(open311_api_keys=f"{API_KEY},{DEV_OPEN311_API_KEY}"),
        environment="production", auth_jwt_secret=STRONG, auth_report_token_secret="r" * 40,
    ) as svc:
        await known_project(svc)
        refused = await create(svc, api_key=DEV_OPEN311_API_KEY)
        accepted = await create(svc, api_key=API_KEY)
        discovery = (await svc.client.get("/open311/discovery.json")).json()
    assert_spec_error(refused, "json", 403, "api_key")
    assert accepted.status_code == 200, accepted.text
    assert discovery["endpoints"][0]["type"] == "production"
    assert DEV_OPEN311_API_KEY not in discovery["key_service"]
