"""Bad input gets a clear problem+json 4xx and writes nothing: size, type, syntax, text, numbers,
dates; hostile text (SQL, HTML) is stored inert and escaped where it is rendered."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.acceptance.factories import open_acceptance, sign
from tests.complaints.conftest import project_created, report_body
from tests.projects.factories import PNG, project_body
from tests.property.conftest import compound_body, provider_body, trial_body
from tests.reliability.conftest import OPEN311_KEY, service_named
from tests.support import ServiceHarness

MiB = 1024 * 1024
PROBLEM = "application/problem+json"
SQL = "x'); DROP TABLE complaints; --"
HTML = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
TRICKY_TEXT = "👍🏽 é vs e\u0301 \u202eevil\u202c 丨\u200b深田 \U0001f9d1\u200d\U0001f527"


@pytest.fixture
async def complaints(tmp_path: Path) -> AsyncIterator[ServiceHarness]:
    async with service_named("complaints", tmp_path) as svc:
        await svc.deliver(project_created("p-1"), subject="p-1")
        yield svc


@pytest.fixture
async def projects(tmp_path: Path) -> AsyncIterator[ServiceHarness]:
    async with service_named("projects", tmp_path) as svc:
        yield svc


@pytest.fixture
async def prop(tmp_path: Path) -> AsyncIterator[ServiceHarness]:
    async with service_named("property", tmp_path) as svc:
        yield svc


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def fields(body: dict[str, Any]) -> set[str]:
    return {error["field"] for error in body.get("errors", [])}


async def reports_on_file(svc: ServiceHarness) -> int:
    page = await svc.client.get("/complaints", headers=svc.auth("admin"))
    assert page.status_code == 200
    return len(page.json()["items"])


async def assert_nothing_written(svc: ServiceHarness) -> None:
    assert await reports_on_file(svc) == 0
    assert await svc.published() == []


def raw_json(body: Any) -> dict[str, Any]:
    return {"content": json.dumps(body).encode(), "headers": {"content-type": "application/json"}}


# --- size (413) ------------------------------------------------------------------------------

async def test_a_json_body_over_one_mib_is_refused_with_413(complaints: ServiceHarness) -> None:
    body = report_body(description="x" * MiB)
    response = await complaints.client.post("/complaints", json=body)
    assert problem(response, 413)["max_bytes"] == MiB
    await assert_nothing_written(complaints)


async def test_a_chunked_body_over_the_limit_is_refused_without_a_content_length(
        complaints: ServiceHarness) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b" " * (64 * 1024)

    response = await complaints.client.post("/complaints", content=chunks(),
                                            headers={"content-type": "application/json"})
    problem(response, 413)
    await assert_nothing_written(complaints)


async def test_an_upload_over_the_attachment_limit_is_refused_with_413(
        projects: ServiceHarness) -> None:
    big = PNG + b"\x00" * (64 * 1024)
    response = await projects.client.post("/attachments", files={"file": ("a.png", big)},
                                          headers=projects.auth("admin"))
    problem(response, 413)


async def test_an_upload_over_the_request_limit_is_refused_before_it_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_UPLOAD_BYTES", "4096")
    async with service_named("projects", tmp_path) as svc:
        response = await svc.client.post("/attachments",
                                         files={"file": ("a.png", PNG + b"\x00" * 8192)},
                                         headers=svc.auth("admin"))
        assert problem(response, 413)["max_bytes"] == 4096


# --- content type (415) ----------------------------------------------------------------------

@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "application/xml", "multipart/form-data; boundary=x",
                                          None])
async def test_a_json_endpoint_refuses_other_content_types_with_415(
        complaints: ServiceHarness, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = await complaints.client.post("/complaints", headers=headers,
                                            content=json.dumps(report_body()).encode())
    assert problem(response, 415)["accepted"] == ["application/json"]
    await assert_nothing_written(complaints)


@pytest.mark.parametrize(("name", "method", "path"), [
    ("projects", "POST", "/projects"), ("property", "POST", "/compounds"),
    ("acceptance", "POST", "/acceptances/any/signatures"),
    ("complaints", "PUT", "/sites/p-1/board"),
])
async def test_every_service_answers_415_for_a_non_json_body(
        tmp_path: Path, name: str, method: str, path: str) -> None:
    async with service_named(name, tmp_path) as svc:
        response = await svc.client.request(method, path, content=b"a=1",
                                            headers={**svc.auth("admin"),
                                                     "content-type": "text/plain"})
        problem(response, 415)


async def test_json_with_a_charset_or_a_json_suffix_is_accepted(
        complaints: ServiceHarness) -> None:
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = await complaints.client.post("/complaints", content=json.dumps(
            report_body()).encode(), headers={"content-type": content_type})
        assert response.status_code == 201, response.text


async def test_the_upload_endpoint_takes_multipart_and_refuses_json_with_415(
        projects: ServiceHarness) -> None:
    refused = await projects.client.post("/attachments", json={"file": "x"},
                                         headers=projects.auth("admin"))
    assert problem(refused, 415)["accepted"] == ["multipart/form-data"]
    stored = await projects.client.post("/attachments", files={"file": ("a.png", PNG)},
                                        headers=projects.auth("admin"))
    assert stored.status_code == 201, stored.text


async def test_open311_still_takes_its_form_encoded_requests(complaints: ServiceHarness) -> None:
    response = await complaints.client.post("/open311/v2/requests.json", data={
        "api_key": OPEN311_KEY, "service_code": "noise", "description": "loud at night",
        "lat": "24.48", "long": "118.09", "attribute[project_id]": "p-1"})
    assert response.status_code in (200, 201), response.text


# --- syntax ----------------------------------------------------------------------------------

async def test_malformed_json_is_a_422_naming_the_body(complaints: ServiceHarness) -> None:
    response = await complaints.client.post("/complaints", content=b'{"kind": "complaint",',
                                            headers={"content-type": "application/json"})
    body = problem(response, 422)
    assert fields(body) == {"body"} and "offset" in body["errors"][0]["message"]
    await assert_nothing_written(complaints)


@pytest.mark.parametrize("content", [b'{"description": "\xff\xfe"}', b"[" * 100_000])
async def test_undecodable_or_absurdly_nested_json_is_a_client_error(
        complaints: ServiceHarness, content: bytes) -> None:
    response = await complaints.client.post("/complaints", content=content,
                                            headers={"content-type": "application/json"})
    assert response.status_code in (400, 422)
    problem(response, response.status_code)
    await assert_nothing_written(complaints)


@pytest.mark.parametrize("body", [[], "text", 42, None])
async def test_a_body_that_is_not_an_object_is_a_422(complaints: ServiceHarness,
                                                     body: Any) -> None:
    problem(await complaints.client.post("/complaints", **raw_json(body)), 422)
    await assert_nothing_written(complaints)


# --- text ------------------------------------------------------------------------------------

async def test_huge_strings_are_refused_naming_the_field(complaints: ServiceHarness,
                                                         prop: ServiceHarness) -> None:
    response = await complaints.client.post("/complaints",
                                            json=report_body(description="长" * 100_000))
    assert "description" in fields(problem(response, 422))
    await assert_nothing_written(complaints)
    response = await prop.client.post("/compounds", json=compound_body(name="x" * 10_000),
                                      headers=prop.auth("subdistrict"))
    assert "name" in fields(problem(response, 422))


@pytest.mark.parametrize("where", ["body", "query", "path"])
async def test_a_nul_character_is_refused_anywhere(complaints: ServiceHarness,
                                                   where: str) -> None:
    if where == "body":
        response = await complaints.client.post("/complaints",
                                                json=report_body(description="a\x00b"))
    elif where == "query":
        response = await complaints.client.get("/open311/v2/requests.json",
                                               params={"service_request_id": "a\x00b"})
    else:
        response = await complaints.client.get("/complaints/a%00b",
                                               headers=complaints.auth("admin"))
    assert fields(problem(response, 422)) == {where}
    await assert_nothing_written(complaints)


async def test_an_escaped_backslash_before_u0000_is_ordinary_text(
        complaints: ServiceHarness) -> None:
    receipt = await complaints.client.post("/complaints",
                                           json=report_body(description="path C:\\u0000x"))
    assert receipt.status_code == 201, receipt.text


async def test_a_lone_surrogate_is_refused(complaints: ServiceHarness) -> None:
    content = b'{"kind":"complaint","category":"noise","project_id":"p-1","description":"\\ud800"}'
    response = await complaints.client.post("/complaints", content=content,
                                            headers={"content-type": "application/json"})
    assert "description" in fields(problem(response, 422))
    await assert_nothing_written(complaints)


async def test_unicode_edge_cases_round_trip_unchanged(complaints: ServiceHarness) -> None:
    receipt = (await complaints.client.post("/complaints",
                                            json=report_body(description=TRICKY_TEXT))).json()
    shown = await complaints.client.get(f"/complaints/{receipt['id']}",
                                        headers=complaints.auth("admin"))
    assert shown.json()["description"] == TRICKY_TEXT


async def test_sql_and_html_are_stored_inert_and_returned_verbatim_in_json(
        complaints: ServiceHarness) -> None:
    first = (await complaints.client.post("/complaints", json=report_body(description=SQL))
             ).json()
    second = (await complaints.client.post("/complaints", json=report_body(description=HTML))
              ).json()
    for receipt, text in ((first, SQL), (second, HTML)):
        shown = await complaints.client.get(f"/complaints/{receipt['id']}",
                                            headers=complaints.auth("admin"))
        assert shown.headers["content-type"].startswith("application/json")
        assert shown.json()["description"] == text
    assert await reports_on_file(complaints) == 2


async def test_html_in_a_signature_is_escaped_in_the_rendered_record(tmp_path: Path) -> None:
    async with service_named("acceptance", tmp_path) as svc:
        opened = await open_acceptance(svc)
        signed = await sign(svc, opened["id"], "builder", comment=HTML)
        assert signed.status_code == 201, signed.text
        page = await svc.client.get(f"/acceptances/{opened['id']}/record.html",
                                    headers=svc.auth("admin"))
        assert page.status_code == 200
        assert "<script>" not in page.text and "<img" not in page.text
        assert "&lt;script&gt;" in page.text
        assert page.headers["x-content-type-options"] == "nosniff"


# --- numbers and dates -----------------------------------------------------------------------

@pytest.mark.parametrize("area", ["NaN", "Infinity", "-Infinity", "-1", "0", "1e400", "sNaN",
                                  "12.345"])
async def test_bad_numbers_are_refused_naming_the_field(prop: ServiceHarness, area: str) -> None:
    response = await prop.client.post("/compounds", json=compound_body(total_area_m2=area),
                                      headers=prop.auth("subdistrict"))
    assert fields(problem(response, 422)) == {"total_area_m2"}
    listed = await prop.client.get("/compounds", headers=prop.auth("admin"))
    assert listed.json()["items"] == []


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-1", b"1e400"])
async def test_non_finite_json_numbers_are_refused(complaints: ServiceHarness,
                                                   literal: bytes) -> None:
    content = (b'{"kind":"complaint","category":"noise","project_id":"p-1","description":"x",'
               b'"location":{"lat":' + literal + b',"lng":118.0}}')
    response = await complaints.client.post("/complaints", content=content,
                                            headers={"content-type": "application/json"})
    if literal == b"-1":  # a valid latitude: proves the others failed for the number alone
        assert response.status_code == 201
        return
    assert fields(problem(response, 422)) == {"location.lat"}


async def test_negative_money_is_refused(projects: ServiceHarness) -> None:
    budget = {"total_cny": "-5", "social_capital_cny": "0", "residents_cny": "0"}
    response = await projects.client.post("/projects", json=project_body("plan", budget=budget),
                                          headers=projects.auth("admin"))
    assert "budget.total_cny" in fields(problem(response, 422))


@pytest.mark.parametrize(("start", "end"), [
    ("10000-01-01", "10000-06-01"), ("2026-05-01", "2026-01-01"),
    ("0001-01-01", "9999-12-31"), ("2026-02-30", "2026-12-31"),
])
async def test_dates_out_of_range_are_refused(prop: ServiceHarness, start: str, end: str) -> None:
    headers = prop.auth("subdistrict", org="shentian-street")  # the compound's sub-district
    compound = (await prop.client.post("/compounds", json=compound_body(), headers=headers)).json()
    provider = (await prop.client.post("/providers", json=provider_body(), headers=headers)).json()
    response = await prop.client.post("/trials", headers=headers, json=trial_body(
        compound["id"], provider["id"], start=start, end=end))
    assert fields(problem(response, 422)) & {"start", "end"}
    trials = await prop.client.get("/trials", headers=prop.auth("admin"))
    assert trials.json()["items"] == []


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
async def test_open311_dates_without_a_utc_equivalent_are_a_400(
        complaints: ServiceHarness, moment: str) -> None:
    """Regression: these crashed the query with OverflowError (500)."""
    response = await complaints.client.get("/open311/v2/requests.json",
                                           params={"start_date": moment})
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "start_date is out of range"}]
