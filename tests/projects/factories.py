"""Request bodies with sensible defaults, and steps that walk a project along its lifecycle."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from PIL import Image
from pypdf import PdfWriter

from shared.contracts.complaints import SiteBoardPublished
from shared.jurisdiction import seeded_jurisdiction
from tests.support import ServiceHarness

START = datetime(2022, 3, 1, 8, 0, tzinfo=UTC)
BUILDER, CONTRACTOR, SUPERVISOR = "org-builder", "org-contractor", "org-supervisor"


def png(size: tuple[int, int] = (8, 8), colour: tuple[int, int, int] = (30, 120, 60)) -> bytes:
    """A real PNG image (what the service stores as sent: it is already without metadata)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(size: tuple[int, int] = (16, 16), colour: tuple[int, int, int] = (200, 80, 10)
         ) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


def pdf(pages: int = 1) -> bytes:
    """A real PDF of blank pages."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PNG = png()
JPEG = jpeg()
PDF = pdf()


def office(h: ServiceHarness, role: str, community_id: str = "dongdu") -> dict[str, str]:
    """A district bureau, sub-district or community office of `community_id` (seeded orgs)."""
    jurisdiction = seeded_jurisdiction(community_id)
    assert jurisdiction is not None, community_id
    return h.auth(role, org=jurisdiction.org_for(role))


def bureau(h: ServiceHarness, community_id: str = "dongdu") -> dict[str, str]:
    return office(h, "district_bureau", community_id)


def subdistrict(h: ServiceHarness, community_id: str = "dongdu") -> dict[str, str]:
    return office(h, "subdistrict", community_id)


def builder(h: ServiceHarness, org: str = BUILDER) -> dict[str, str]:
    return h.auth("builder", org=org)


def contractor(h: ServiceHarness, org: str = CONTRACTOR) -> dict[str, str]:
    return h.auth("contractor", org=org)


def supervisor(h: ServiceHarness, org: str = SUPERVISOR) -> dict[str, str]:
    return h.auth("supervisor", org=org)


def survey_body(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "2021 baseline survey",
        "surveyed_on": "2021-06-15",
        "findings": [
            {"kind": "idle_land", "summary": "vacant lot behind block 3", "quantity": 420,
             "unit": "m2"},
            {"kind": "resident_need", "summary": "residents ask for an elder canteen"},
            {"kind": "resident_need", "summary": "more parking"},
        ],
        "resident_opinions": [{"topic": "elder canteen", "summary": "broad support",
                               "respondents": 120, "in_favour": 97}],
        **overrides,
    }


def project_body(plan_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "community_id": "dongdu",
        "plan_id": plan_id,
        "title": "Elder canteen on the vacant lot",
        "category": "basic",
        "domain": "elderly_care",
        "heritage": False,
        "delivery_mode": "epc",
        "budget": {"total_cny": "1000000.00", "social_capital_cny": "200000.00",
                   "residents_cny": "50000.00"},
        "parties": {"builder": BUILDER, "designer": "org-designer", "contractor": CONTRACTOR,
                    "supervisor": SUPERVISOR, "pipeline": ["org-power"]},
        "planned_start": "2022-03-01",
        "planned_end": "2022-11-30",
        **overrides,
    }


def construction_plan_body(**overrides: Any) -> dict[str, Any]:
    return {
        "safety_measures": "fenced site, helmets, daily safety briefing",
        "quiet_hours": [{"start": "12:00", "end": "14:30"}, {"start": "22:00", "end": "06:00"}],
        "disturbance_measures": "dust nets, wet cutting, notices three days ahead",
        **overrides,
    }


def progress_body(percent: int, **overrides: Any) -> dict[str, Any]:
    return {"percent": percent, "milestone": "foundation", "note": "poured",
            "location": {"lat": 24.48, "lng": 118.09},
            "reported_at": START.isoformat(), **overrides}


async def approved_plan(h: ServiceHarness, community_id: str = "dongdu") -> str:
    created = await h.client.post(f"/communities/{community_id}/plans",
                                  json={"title": "One plan", "summary": "the project list"},
                                  headers=subdistrict(h, community_id))
    assert created.status_code == 201, created.text
    plan_id: str = created.json()["id"]
    approved = await h.client.post(f"/plans/{plan_id}/approve",
                                   headers=bureau(h, community_id))
    assert approved.status_code == 200, approved.text
    return plan_id


async def draft_project(h: ServiceHarness, **overrides: Any) -> dict[str, Any]:
    community_id = overrides.get("community_id", "dongdu")
    plan_id = await approved_plan(h, community_id)
    response = await h.client.post("/projects", json=project_body(plan_id, **overrides),
                                   headers=builder(h))
    assert response.status_code == 201, response.text
    project: dict[str, Any] = response.json()
    return project


async def post(h: ServiceHarness, path: str, headers: dict[str, str],
               json: Any = None) -> dict[str, Any]:
    response = await h.client.post(path, json=json, headers=headers)
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


async def publish_site_board(h: ServiceHarness, project_id: str) -> None:
    await h.deliver(SiteBoardPublished(project_id=project_id, community_id="dongdu",
                                       published_at=h.clock.now()), subject=project_id)


async def ready_to_start(h: ServiceHarness, **overrides: Any) -> str:
    """Approved, with a construction plan and a published site board (and, for a project
    touching heritage, an approved heritage review)."""
    project_id: str = (await draft_project(h, **overrides))["id"]
    community_bureau = bureau(h, overrides.get("community_id", "dongdu"))
    await post(h, f"/projects/{project_id}/approve", community_bureau)
    if overrides.get("heritage"):
        await post(h, f"/projects/{project_id}/heritage-review", community_bureau,
                   {"approved": True, "note": "facade kept as surveyed"})
    await post(h, f"/projects/{project_id}/construction-plan", contractor(h),
               construction_plan_body())
    await publish_site_board(h, project_id)
    return project_id


async def under_construction(h: ServiceHarness, **overrides: Any) -> str:
    project_id = await ready_to_start(h, **overrides)
    await post(h, f"/projects/{project_id}/start", contractor(h))
    return project_id


async def completed(h: ServiceHarness) -> str:
    project_id = await under_construction(h)
    await post(h, f"/projects/{project_id}/progress", contractor(h), progress_body(100))
    await post(h, f"/projects/{project_id}/complete", builder(h))
    return project_id
