"""Open311 GeoReport v2 conformance, written from the spec (wiki.open311.org/GeoReport_v2)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.complaints.conftest import API_KEY, bearer, known_project
from tests.support import ServiceHarness

BASE = "/open311/v2"
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type",
                  "keywords", "group"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name",
                  "service_code", "description", "agency_responsible", "service_notice",
                  "requested_datetime", "updated_datetime", "expected_datetime", "address",
                  "address_id", "zipcode", "lat", "long", "media_url"}


def form(**overrides: str) -> dict[str, str]:
    return {"api_key": API_KEY, "service_code": "noise", "lat": "24.48", "long": "118.09",
            "description": "Night-time drilling", "first_name": "小明", "last_name": "陈",
            "phone": "13712345678", "email": "chen@example.com",
            "attribute[project_id]": "p-1", **overrides}


async def _create(svc: ServiceHarness, **overrides: str) -> httpx.Response:
    return await svc.client.post(f"{BASE}/requests.json", data=form(**overrides))


def _assert_spec_error(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body, list) and body[0]["code"] == status
    assert isinstance(body[0]["description"], str) and body[0]["description"]


async def test_the_service_list_has_the_spec_fields(svc: ServiceHarness) -> None:
    services = (await svc.client.get(f"{BASE}/services.json")).json()
    assert {s["service_code"] for s in services} >= {"noise", "dust", "safety",
                                                     "property_service"}
    for service in services:
        assert set(service) == SERVICE_FIELDS
        assert service["type"] == "realtime" and service["metadata"] is True


async def test_a_service_definition_lists_its_attributes(svc: ServiceHarness) -> None:
    definition = (await svc.client.get(f"{BASE}/services/noise.json")).json()
    assert definition["service_code"] == "noise"
    codes = [a["code"] for a in definition["attributes"]]
    assert codes == ["project_id", "community_id", "compound_id", "kind"]
    for attribute in definition["attributes"]:
        assert {"variable", "code", "datatype", "required", "datatype_description", "order",
                "description"} <= set(attribute)
    _assert_spec_error(await svc.client.get(f"{BASE}/services/graffiti.json"), 404)


async def test_a_client_files_and_tracks_a_request(svc: ServiceHarness) -> None:
    await known_project(svc)
    created = await _create(svc)
    assert created.status_code == 200, created.text
    [receipt] = created.json()
    request_id, token = receipt["service_request_id"], receipt["token"]
    assert receipt["service_notice"]
    [by_token] = (await svc.client.get(f"{BASE}/tokens/{token}.json")).json()
    assert by_token == {"service_request_id": request_id, "token": token}
    [request] = (await svc.client.get(f"{BASE}/requests/{request_id}.json")).json()
    assert set(request) >= REQUEST_FIELDS
    assert request["status"] == "open" and request["service_code"] == "noise"
    assert request["lat"] == 24.48 and request["long"] == 118.09
    assert request["agency_responsible"] == "acme"
    assert request["requested_datetime"] == "2026-03-02T09:00:00+00:00"
    assert request["expected_datetime"] == "2026-03-03T09:00:00+00:00"
    assert request["description"] is None  # shown to key holders only
    keyed = await svc.client.get(f"{BASE}/requests/{request_id}.json",
                                 params={"api_key": API_KEY})
    assert keyed.json()[0]["description"] == "Night-time drilling"


async def test_the_request_is_a_full_report_for_staff_and_the_reporter(
    svc: ServiceHarness,
) -> None:
    await known_project(svc)
    [receipt] = (await _create(svc)).json()
    staff = await svc.client.get(f"/complaints/{receipt['service_request_id']}",
                                 headers=svc.auth("community"))
    assert staff.json()["contact"] == {"org": None, "name": "陈小明", "phone": "13712345678",
                                       "email": "chen@example.com"}
    mine = await svc.client.get(f"/complaints/{receipt['service_request_id']}",
                                headers=bearer(receipt["access_token"]))
    assert mine.json()["contact"]["email"] == "c***@example.com"


async def test_public_gets_never_show_contact_details(svc: ServiceHarness) -> None:
    await known_project(svc)
    await _create(svc)
    text = (await svc.client.get(f"{BASE}/requests.json", params={"api_key": API_KEY})).text
    for secret in ("13712345678", "陈", "chen@example.com"):
        assert secret not in text


async def test_closed_requests_report_closed(svc: ServiceHarness) -> None:
    await known_project(svc)
    [receipt] = (await _create(svc)).json()
    path, staff = f"/complaints/{receipt['service_request_id']}", svc.auth("subdistrict")
    for step, body in (("acknowledge", None), ("assign", {}), ("resolve", {"resolution": "ok"}),
                       ("close", None)):
        response = await svc.client.post(f"{path}/{step}", json=body, headers=staff)
        assert response.status_code == 200, response.text
    [request] = (await svc.client.get(
        f"{BASE}/requests/{receipt['service_request_id']}.json")).json()
    assert request["status"] == "closed" and request["status_notes"]


async def _ids(svc: ServiceHarness, **params: str) -> list[str]:
    response = await svc.client.get(f"{BASE}/requests.json", params=params)
    assert response.status_code == 200, response.text
    return [r["service_request_id"] for r in response.json()]


async def test_the_request_list_filters_as_the_spec_says(svc: ServiceHarness) -> None:
    await known_project(svc)
    [noise] = (await _create(svc)).json()
    svc.clock.advance(timedelta(days=1))
    [dust] = (await _create(svc, service_code="dust")).json()
    n, d = noise["service_request_id"], dust["service_request_id"]
    assert await _ids(svc) == [d, n]  # newest first
    assert await _ids(svc, service_code="dust") == [d]
    assert await _ids(svc, service_code="dust,noise") == [d, n]
    assert await _ids(svc, status="open") == [d, n]
    assert await _ids(svc, status="closed") == []
    assert await _ids(svc, start_date="2026-03-03T00:00:00Z") == [d]
    assert await _ids(svc, end_date="2026-03-02T12:00:00+08:00") == []
    assert await _ids(svc, end_date="2026-03-02T18:00:00+08:00") == [n]
    assert await _ids(svc, service_request_id=f"{n},missing", service_code="dust") == [n]


async def test_the_default_window_is_ninety_days(svc: ServiceHarness) -> None:
    await known_project(svc)
    await _create(svc)
    svc.clock.advance(timedelta(days=91))
    assert await _ids(svc) == []


async def test_bad_arguments_are_spec_errors(svc: ServiceHarness) -> None:
    await known_project(svc)
    cases: list[tuple[dict[str, Any], int]] = [
        ({"api_key": ""}, 400),
        ({"api_key": "stolen"}, 403),
        ({"service_code": "graffiti"}, 400),
        ({"lat": "", "long": ""}, 400),
        ({"lat": "north"}, 400),
        ({"phone": "555"}, 400),
        ({"email": "not-an-email"}, 400),
        ({"description": ""}, 400),
        ({"attribute[project_id]": ""}, 400),
        ({"attribute[kind]": "rumour"}, 400),
    ]
    for overrides, status in cases:
        _assert_spec_error(await _create(svc, **overrides), status)
    _assert_spec_error(await svc.client.get(f"{BASE}/requests.json",
                                            params={"start_date": "yesterday"}), 400)
    _assert_spec_error(await svc.client.get(f"{BASE}/requests.json",
                                            params={"status": "pending"}), 400)
    _assert_spec_error(await svc.client.get(f"{BASE}/requests/nope.json"), 404)
    _assert_spec_error(await svc.client.get(f"{BASE}/tokens/CC-NOPE00.json"), 404)
    assert await _ids(svc) == []  # nothing half-written


async def test_only_json_is_offered(svc: ServiceHarness) -> None:
    _assert_spec_error(await svc.client.get(f"{BASE}/services.xml"), 400)


async def test_an_address_alone_locates_a_request(svc: ServiceHarness) -> None:
    response = await _create(svc, lat="", long="", address_string="东渡路 88 号",
                             **{"attribute[project_id]": "",
                                "attribute[community_id]": "dongdu"})
    assert response.status_code == 200, response.text
    [request] = (await svc.client.get(
        f"{BASE}/requests/{response.json()[0]['service_request_id']}.json")).json()
    assert request["address"] == "东渡路 88 号" and request["lat"] is None


async def test_the_form_description_names_the_spec_argument(svc: ServiceHarness) -> None:
    response = await _create(svc, phone="555")
    assert "phone" in response.json()[0]["description"]
