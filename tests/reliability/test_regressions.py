"""Regression tests for defects the fuzzing and the matrix found (see tests/RELIABILITY.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.complaints.conftest import project_created, report_body
from tests.reliability.conftest import SERVICES, service_named


async def test_a_report_token_opens_its_report_and_nothing_else(tmp_path: Path) -> None:
    """A resident's report token is signed with the suite's key; it used to pass every
    "any signed-in role" endpoint of every service (projects, property reads)."""
    async with service_named("complaints", tmp_path / "c") as complaints:
        await complaints.deliver(project_created("p-1"), subject="p-1")
        receipt = (await complaints.client.post("/complaints", json=report_body())).json()
        reporter = {"Authorization": f"Bearer {receipt['access_token']}"}
        own = await complaints.client.get(f"/complaints/{receipt['id']}", headers=reporter)
        assert own.status_code == 200
        listed = await complaints.client.get("/complaints", headers=reporter)
        assert listed.status_code == 403
    for service, path in (("projects", "/projects"), ("property", "/compounds")):
        async with service_named(service, tmp_path / service) as svc:
            response = await svc.client.get(path, headers=reporter)
            assert response.status_code == 403, (service, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("service", SERVICES)
async def test_the_openapi_declares_problem_json_for_client_errors(service: str,
                                                                   tmp_path: Path) -> None:
    """FastAPI documented 422 as `application/json` HTTPValidationError; we send problem+json."""
    async with service_named(service, tmp_path) as svc:
        spec: dict[str, Any] = (await svc.client.get("/openapi.json")).json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            client_errors = operation["responses"]["4XX"]["content"]
            wanted = ["application/json", "text/xml"] if path.startswith("/open311/") else [
                "application/problem+json"]
            assert list(client_errors) == wanted, (method, path)


@pytest.mark.parametrize(("service", "path", "location"), [
    ("complaints", "/complaints", {"lat": True, "lng": 118.0}),
    ("projects", "/projects/any/progress", {"lat": True, "lng": 118.0}),
])
async def test_a_boolean_is_not_a_coordinate(tmp_path: Path, service: str, path: str,
                                             location: dict[str, Any]) -> None:
    """Found by the long fuzz: `"lat": true` was coerced to 1.0 and stored."""
    async with service_named(service, tmp_path) as svc:
        body = report_body(location=location) if service == "complaints" else {
            "percent": 10, "location": location, "reported_at": "2026-03-10T02:00:00Z"}
        response = await svc.client.post(path, json=body, headers=svc.auth("admin"))
    assert response.status_code == 422, response.text
    assert {e["field"] for e in response.json()["errors"]} == {"location.lat"}


async def test_a_nul_in_an_open311_query_is_documented(tmp_path: Path) -> None:
    """Found by the long fuzz: the edge guard's 422 (problem+json) was not in the OpenAPI of
    the Open311 routes, which declare the GeoReport error format for their own 4xx."""
    async with service_named("complaints", tmp_path) as svc:
        response = await svc.client.get("/open311/v2/requests.json", params={"status": "\x00"})
        spec = (await svc.client.get("/openapi.json")).json()
    assert response.status_code == 422
    declared = spec["paths"]["/open311/v2/requests.{fmt}"]["get"]["responses"]["422"]
    assert list(declared["content"]) == ["application/problem+json"]
