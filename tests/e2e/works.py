"""Scenario steps on the projects side: plan, project, site board, construction, completion."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.jurisdiction import seeded_jurisdiction
from tests.e2e.basics import (
    BUILDER,
    CONTRACTOR,
    CONTRACTOR_CONTACT,
    DESIGNER,
    LAGGING_COMMUNITY,
    LIAISON,
    PIPELINE,
    SUPERVISOR,
    Actors,
    SuiteHost,
    call,
    eventually,
)


def iso(day: date) -> str:
    return day.isoformat()


def project_body(plan_id: str, community_id: str, start: date, end: date) -> dict[str, Any]:
    return {
        "community_id": community_id, "plan_id": plan_id,
        "title": "Elder canteen and accessible paths", "category": "basic",
        "domain": "elderly_care", "heritage": False, "delivery_mode": "epc",
        "budget": {"total_cny": "1200000.00", "social_capital_cny": "200000.00",
                   "residents_cny": "30000.00"},
        "parties": {"builder": BUILDER, "designer": DESIGNER, "contractor": CONTRACTOR,
                    "supervisor": SUPERVISOR, "pipeline": [PIPELINE]},
        "planned_start": iso(start), "planned_end": iso(end),
    }


CONSTRUCTION_PLAN = {
    "safety_measures": "fenced site, helmets, daily safety briefing",
    "quiet_hours": [{"start": "12:00", "end": "14:30"}, {"start": "22:00", "end": "06:00"}],
    "disturbance_measures": "dust nets, wet cutting, notices three days ahead",
}


def board_body() -> dict[str, Any]:
    return {"hotline": "12345", "liaison": {"name": LIAISON[0], "phone": LIAISON[1]},
            "contractor_contact": {"org": CONTRACTOR, "name": CONTRACTOR_CONTACT[0],
                                   "phone": CONTRACTOR_CONTACT[1]}}


def progress_body(percent: int, milestone: str) -> dict[str, Any]:
    return {"percent": percent, "milestone": milestone, "note": "on site",
            "location": {"lat": 24.58, "lng": 118.05},
            "reported_at": datetime.now(UTC).isoformat()}


def office(community_id: str, role: str) -> str | None:
    """The seeded org of `role`'s office in the community (offices act in their own area)."""
    area = seeded_jurisdiction(community_id)
    return area.org_for(role) if area else None


async def approved_plan(host: SuiteHost, who: Actors, community_id: str) -> str:
    projects = host.client("projects")
    plan = await call(projects, "POST", f"/communities/{community_id}/plans",
                      who.headers("subdistrict", office(community_id, "subdistrict")),
                      {"title": "One community, one plan", "summary": "the project list"})
    await call(projects, "POST", f"/plans/{plan['id']}/approve",
               who.headers("district_bureau", office(community_id, "district_bureau")))
    return str(plan["id"])


async def approved_project(host: SuiteHost, who: Actors, community_id: str, start: date,
                           end: date) -> str:
    projects = host.client("projects")
    plan_id = await approved_plan(host, who, community_id)
    project = await call(projects, "POST", "/projects", who.headers("builder", BUILDER),
                         project_body(plan_id, community_id, start, end))
    assert project["status"] == "draft"
    assert project["funding"]["city_fiscal_cny"] == project["funding"]["district_fiscal_cny"]
    project_id = str(project["id"])
    await call(projects, "POST", f"/projects/{project_id}/approve",
               who.headers("district_bureau", office(community_id, "district_bureau")))
    await call(projects, "POST", f"/projects/{project_id}/construction-plan",
               who.headers("contractor", CONTRACTOR), CONSTRUCTION_PLAN)
    return project_id


async def publish_board(host: SuiteHost, who: Actors, project_id: str) -> None:
    """The contractor publishes the site board once complaints knows the project."""
    complaints = host.client("complaints")

    async def published() -> bool:
        response = await complaints.put(f"/sites/{project_id}/board", json=board_body(),
                                        headers=who.headers("contractor", CONTRACTOR))
        assert response.status_code in (200, 201, 404), response.text
        return response.status_code != 404

    await eventually(published, "complaints learns the project from project.created")
    public = await call(complaints, "GET", f"/sites/{project_id}/board", {})
    assert public["liaison"]["phone"] == LIAISON[1], (
        "the board publishes the liaison's phone (施工现场公布投诉热线、明确现场联络人)")


async def start_construction(host: SuiteHost, who: Actors, project_id: str) -> None:
    projects = host.client("projects")

    async def started() -> bool:
        response = await projects.post(f"/projects/{project_id}/start",
                                       headers=who.headers("contractor", CONTRACTOR))
        assert response.status_code in (200, 409), response.text
        return response.status_code == 200

    await eventually(started, "projects learns the site board from site_board.published")


async def report_progress_with_a_retry(host: SuiteHost, who: Actors, project_id: str) -> None:
    """A flaky mobile network: the same report is sent twice with one Idempotency-Key."""
    projects = host.client("projects")
    headers = who.headers("contractor", CONTRACTOR, **{"Idempotency-Key": uuid.uuid4().hex})
    body = progress_body(40, "foundation")
    first = await projects.post(f"/projects/{project_id}/progress", json=body, headers=headers)
    assert first.status_code == 201, first.text
    retry = await projects.post(f"/projects/{project_id}/progress", json=body, headers=headers)
    assert (retry.status_code, retry.json()) == (first.status_code, first.json())
    assert retry.headers.get("idempotent-replayed") == "true"
    reports = await call(projects, "GET", f"/projects/{project_id}/progress",
                         who.headers("builder", BUILDER))
    assert [r["percent"] for r in reports["items"]] == [40]


async def inspect_hidden_work(host: SuiteHost, who: Actors, project_id: str) -> None:
    projects = host.client("projects")
    work = await call(projects, "POST", f"/projects/{project_id}/hidden-works",
                      who.headers("contractor", CONTRACTOR),
                      {"name": "drainage pipe under the path", "location": "gate 2",
                       "description": "DN300 pipe before backfilling"})
    assert work["status"] == "pending"
    inspected = await call(projects, "POST", f"/hidden-works/{work['id']}/inspect",
                           who.headers("supervisor", SUPERVISOR),
                           {"verdict": "pass", "note": "bedding and joints checked"})
    assert inspected["status"] == "passed"


async def finish_works(host: SuiteHost, who: Actors, project_id: str) -> None:
    """Offline catch-up batch up to 100%, then the builder declares the works complete."""
    projects = host.client("projects")
    items = [{**progress_body(p, m), "idempotency_key": f"offline-{p}"}
             for p, m in ((70, "structure"), (100, "handover"))]
    batch = await call(projects, "POST", f"/projects/{project_id}/progress:batch",
                       who.headers("contractor", CONTRACTOR), {"items": items})
    assert batch["progress_percent"] == 100
    completed = await call(projects, "POST", f"/projects/{project_id}/complete",
                           who.headers("builder", BUILDER))
    assert completed["status"] == "completed"


async def project_status(host: SuiteHost, who: Actors, project_id: str) -> str:
    view = await call(host.client("projects"), "GET", f"/projects/{project_id}",
                      who.headers("builder", BUILDER))
    return str(view["status"])


async def wait_for_status(host: SuiteHost, who: Actors, project_id: str, status: str) -> None:
    async def reached() -> bool:
        return await project_status(host, who, project_id) == status

    await eventually(reached, f"project {project_id} becomes {status}")


async def lagging_project(host: SuiteHost, who: Actors) -> str:
    """A second site, far behind its linear plan: the city sees it at risk."""
    today = datetime.now(UTC).date()
    project_id = await approved_project(host, who, LAGGING_COMMUNITY,
                                        today - timedelta(days=300), today + timedelta(days=30))
    await publish_board(host, who, project_id)
    await start_construction(host, who, project_id)
    report = await call(host.client("projects"), "POST", f"/projects/{project_id}/progress",
                        who.headers("contractor", CONTRACTOR), progress_body(10, "demolition"))
    assert report["percent"] == 10
    view = await call(host.client("projects"), "GET", f"/projects/{project_id}",
                      who.headers("builder", BUILDER))
    assert view["schedule_at_risk"] is True
    return project_id
