"""Offices act only in their own area: every route a district bureau, sub-district or community
office uses refuses the same office of another community (403: communities, plans and
projects are readable by every signed-in role, so nothing is hidden by refusing)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.projects.factories import (
    BUILDER,
    CONTRACTOR,
    SUPERVISOR,
    approved_plan,
    builder,
    bureau,
    contractor,
    draft_project,
    office,
    post,
    progress_body,
    project_body,
    subdistrict,
    survey_body,
    under_construction,
)
from tests.support import ServiceHarness

# dongdu (湖里区) is where the factories' projects are; these offices are elsewhere.
WRONG_AREA = {
    "district_bureau": ["siming-bureau", "dongdu-street", "dongdu", None],
    "subdistrict": ["chengxi-street", "huli-bureau", "dongdu", None],
    "community": ["chengxi", "dongdu-street", None],
}


def callers(*roles: str) -> list[tuple[str, str | None]]:
    return [(role, org) for role in roles for org in WRONG_AREA[role]]


async def as_(svc: ServiceHarness, path: str, role: str, org: str | None,
              json: Any = None, **headers: str) -> int:
    response = await svc.client.post(path, json=json,
                                     headers={**svc.auth(role, org=org), **headers})
    assert response.status_code != 500, response.text
    return response.status_code


async def draft_plan(svc: ServiceHarness) -> str:
    plan = await post(svc, "/communities/dongdu/plans", subdistrict(svc),
                      {"title": "p", "summary": "s"})
    return str(plan["id"])


class TestPlanning:
    @pytest.mark.parametrize(("role", "org"), callers("subdistrict", "community"))
    async def test_another_areas_office_cannot_file_a_survey(
            self, svc: ServiceHarness, role: str, org: str | None) -> None:
        assert await as_(svc, "/communities/dongdu/surveys", role, org, survey_body()) == 403

    @pytest.mark.parametrize(("role", "org"), callers("subdistrict", "community"))
    async def test_another_areas_office_cannot_draft_a_plan(
            self, svc: ServiceHarness, role: str, org: str | None) -> None:
        status = await as_(svc, "/communities/dongdu/plans", role, org,
                           {"title": "p", "summary": "s"})
        assert status == 403

    @pytest.mark.parametrize("role", ["subdistrict", "community"])
    async def test_the_communitys_own_offices_file_surveys_and_draft_plans(
            self, svc: ServiceHarness, role: str) -> None:
        headers = office(svc, role, "chengxi")
        await post(svc, "/communities/chengxi/surveys", headers, survey_body())
        await post(svc, "/communities/chengxi/plans", headers, {"title": "p", "summary": "s"})

    @pytest.mark.parametrize(("role", "org"), callers("district_bureau"))
    async def test_another_districts_bureau_cannot_approve_a_plan(
            self, svc: ServiceHarness, role: str, org: str | None) -> None:
        plan_id = await draft_plan(svc)
        assert await as_(svc, f"/plans/{plan_id}/approve", role, org) == 403
        plan = (await svc.client.get(f"/plans/{plan_id}", headers=svc.auth("dashboard"))).json()
        assert (plan["status"], plan["version"]) == ("draft", 1)

    async def test_a_wrong_bureau_gets_403_whatever_version_it_names(self, svc: ServiceHarness
                                                                    ) -> None:
        plan_id = await draft_plan(svc)
        status = await as_(svc, f"/plans/{plan_id}/approve", "district_bureau", "siming-bureau",
                           **{"If-Match": '"9"'})
        assert status == 403


class TestProjects:
    @pytest.mark.parametrize(("role", "org"), callers("subdistrict", "district_bureau"))
    async def test_another_areas_office_cannot_draft_a_project(
            self, svc: ServiceHarness, role: str, org: str | None) -> None:
        plan_id = await approved_plan(svc)
        assert await as_(svc, "/projects", role, org, project_body(plan_id)) == 403

    @pytest.mark.parametrize("role", ["subdistrict", "district_bureau"])
    async def test_the_communitys_offices_draft_for_a_named_builder(
            self, svc: ServiceHarness, role: str) -> None:
        plan_id = await approved_plan(svc, "xinxing")
        project = await post(svc, "/projects", office(svc, role, "xinxing"),
                             project_body(plan_id, community_id="xinxing"))
        assert project["parties"]["builder"] == BUILDER

    @pytest.mark.parametrize(("role", "org"), callers("district_bureau"))
    async def test_another_districts_bureau_cannot_approve_a_project(
            self, svc: ServiceHarness, role: str, org: str | None) -> None:
        project = await draft_project(svc)
        assert await as_(svc, f"/projects/{project['id']}/approve", role, org) == 403

    @pytest.mark.parametrize(("role", "org"), callers("district_bureau"))
    async def test_another_districts_bureau_cannot_review_heritage(
            self, svc: ServiceHarness, role: str, org: str | None) -> None:
        project = await draft_project(svc, heritage=True)
        status = await as_(svc, f"/projects/{project['id']}/heritage-review", role, org,
                           {"approved": True, "note": "ok"})
        assert status == 403

    @pytest.mark.parametrize(("role", "org"), callers("district_bureau"))
    async def test_another_districts_bureau_cannot_suspend_or_resume(
            self, svc: ServiceHarness, role: str, org: str | None) -> None:
        project_id = await under_construction(svc)
        assert await as_(svc, f"/projects/{project_id}/suspend", role, org) == 403
        await post(svc, f"/projects/{project_id}/suspend", bureau(svc))
        assert await as_(svc, f"/projects/{project_id}/resume", role, org) == 403

    @pytest.mark.parametrize(("role", "org"), callers("subdistrict", "district_bureau"))
    async def test_another_areas_office_cannot_cancel(
            self, svc: ServiceHarness, role: str, org: str | None) -> None:
        project = await draft_project(svc)
        assert await as_(svc, f"/projects/{project['id']}/cancel", role, org) == 403

    async def test_the_right_offices_cancel_and_review(self, svc: ServiceHarness) -> None:
        heritage = await draft_project(svc, heritage=True)
        await post(svc, f"/projects/{heritage['id']}/heritage-review", bureau(svc),
                   {"approved": True, "note": "ok"})
        await post(svc, f"/projects/{heritage['id']}/cancel", subdistrict(svc))


class TestAJurisdictionChange:
    async def test_takes_effect_at_once(self, svc: ServiceHarness) -> None:
        offices = {"district_bureau_org": "huli-jsj", "subdistrict_org": "huli-street-2",
                   "community_org": "dongdu-sq"}
        changed = await svc.client.put("/communities/dongdu/jurisdiction", json=offices,
                                       headers=svc.auth("admin"))
        assert changed.status_code == 200, changed.text
        plan = {"title": "p", "summary": "s"}
        assert await as_(svc, "/communities/dongdu/plans", "subdistrict", "dongdu-street",
                         plan) == 403
        drafted = await post(svc, "/communities/dongdu/plans",
                             svc.auth("community", org="dongdu-sq"), plan)
        assert await as_(svc, f"/plans/{drafted['id']}/approve", "district_bureau",
                         "huli-bureau") == 403
        assert await as_(svc, f"/plans/{drafted['id']}/approve", "district_bureau",
                         "huli-jsj") == 200


async def test_a_project_names_its_owners_representative_for_the_acceptance(
        svc: ServiceHarness) -> None:
    parties = {"builder": BUILDER, "contractor": CONTRACTOR, "supervisor": SUPERVISOR,
               "owners": "dongdu-owners-committee"}
    project_id = await under_construction(svc, parties=parties)
    await post(svc, f"/projects/{project_id}/progress", contractor(svc), progress_body(100))
    done = await post(svc, f"/projects/{project_id}/complete", builder(svc))
    assert done["parties"]["owners"] == "dongdu-owners-committee"
    [event] = await svc.published("project.completed")
    assert event.data["parties"]["owners"] == "dongdu-owners-committee"
    unnamed = await draft_project(svc)
    assert unnamed["parties"]["owners"] is None
