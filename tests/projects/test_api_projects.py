"""Projects through the HTTP API: creation, funding, lifecycle gates, roles and versions."""

from __future__ import annotations

from typing import Any

from tests.projects.factories import (
    BUILDER,
    CONTRACTOR,
    approved_plan,
    builder,
    bureau,
    completed,
    construction_plan_body,
    contractor,
    draft_project,
    post,
    progress_body,
    project_body,
    publish_site_board,
    ready_to_start,
    subdistrict,
    supervisor,
    under_construction,
)
from tests.support import ServiceHarness


async def create(svc: ServiceHarness, headers: dict[str, str] | None = None, **overrides: Any
                 ) -> Any:
    plan_id = await approved_plan(svc, overrides.get("community_id", "dongdu"))
    return await svc.client.post("/projects", json=project_body(plan_id, **overrides),
                                 headers=headers or builder(svc))


class TestCreate:
    async def test_a_draft_shows_the_computed_funding_split(self, svc: ServiceHarness) -> None:
        project = await draft_project(svc)
        assert (project["status"], project["version"]) == ("draft", 1)
        assert project["funding"] == {"city_fiscal_cny": "375000.00",
                                      "district_fiscal_cny": "375000.00",
                                      "social_capital_cny": "200000.00",
                                      "residents_cny": "50000.00"}
        [event] = await svc.published("project.created")
        assert event.data["parties"]["contractor"] == "org-contractor"
        assert event.data["budget_total_cny"] == "1000000.00"

    async def test_gas_in_shentian_charges_residents_only_the_opening_fee(
            self, svc: ServiceHarness) -> None:
        budget = {"total_cny": "300000", "residents_cny": "8000",
                  "gas_account_opening_fee_cny": "8000"}
        response = await create(svc, community_id="shentian", domain="gas", budget=budget)
        assert response.status_code == 201, response.text
        assert response.json()["funding"]["city_fiscal_cny"] == "146000.00"

    async def test_pipeline_money_from_residents_in_shentian_is_422(self, svc: ServiceHarness
                                                                    ) -> None:
        budget = {"total_cny": "300000", "residents_cny": "8000"}
        response = await create(svc, community_id="shentian", domain="power", budget=budget)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "budget.residents_cny"

    async def test_negative_money_is_422(self, svc: ServiceHarness) -> None:
        response = await create(svc, budget={"total_cny": "-1"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "budget.total_cny"

    async def test_sources_above_the_total_are_422(self, svc: ServiceHarness) -> None:
        response = await create(svc, budget={"total_cny": "10", "social_capital_cny": "11"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "budget.social_capital_cny"

    async def test_an_end_before_the_start_is_422(self, svc: ServiceHarness) -> None:
        response = await create(svc, planned_end="2022-01-01")
        assert response.status_code == 422

    async def test_a_plan_that_is_not_approved_is_422(self, svc: ServiceHarness) -> None:
        old = await approved_plan(svc)
        await approved_plan(svc)
        response = await svc.client.post("/projects", json=project_body(old),
                                         headers=builder(svc))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "plan_id"

    async def test_a_plan_of_another_community_is_422(self, svc: ServiceHarness) -> None:
        plan_id = await approved_plan(svc, "chengxi")
        response = await svc.client.post("/projects", json=project_body(plan_id),
                                         headers=builder(svc))
        assert response.status_code == 422

    async def test_a_builder_cannot_create_another_builders_project(self, svc: ServiceHarness
                                                                     ) -> None:
        response = await create(svc, headers=builder(svc, org="someone-else"))
        assert response.status_code == 403

    async def test_a_contractor_cannot_create_projects(self, svc: ServiceHarness) -> None:
        assert (await create(svc, headers=contractor(svc))).status_code == 403

    async def test_creating_without_a_token_is_401(self, svc: ServiceHarness) -> None:
        response = await svc.client.post("/projects", json=project_body("x"))
        assert response.status_code == 401

    async def test_staff_may_create_for_a_named_builder(self, svc: ServiceHarness) -> None:
        response = await create(svc, headers=subdistrict(svc))
        assert response.status_code == 201


class TestReads:
    async def test_projects_list_by_community_and_status(self, svc: ServiceHarness) -> None:
        project = await draft_project(svc)
        await draft_project(svc, community_id="chengxi")
        page = (await svc.client.get("/projects", params={"community_id": "dongdu",
                                                           "status": "draft"},
                                     headers=svc.auth("dashboard"))).json()
        assert [p["id"] for p in page["items"]] == [project["id"]]

    async def test_an_unknown_status_filter_is_422(self, svc: ServiceHarness) -> None:
        response = await svc.client.get("/projects", params={"status": "sleeping"},
                                        headers=svc.auth("dashboard"))
        assert response.status_code == 422

    async def test_a_missing_project_is_404(self, svc: ServiceHarness) -> None:
        response = await svc.client.get("/projects/nope", headers=svc.auth("dashboard"))
        assert response.status_code == 404

    async def test_reads_need_a_token(self, svc: ServiceHarness) -> None:
        assert (await svc.client.get("/projects")).status_code == 401


class TestStartGates:
    async def test_start_lists_every_unmet_condition(self, svc: ServiceHarness) -> None:
        project = await draft_project(svc, heritage=True)
        await post(svc, f"/projects/{project['id']}/approve", bureau(svc))
        response = await svc.client.post(f"/projects/{project['id']}/start",
                                         headers=contractor(svc))
        assert response.status_code == 409
        assert response.json()["unmet"] == ["construction_plan_submitted",
                                            "site_board_published", "heritage_review_approved"]

    async def test_start_is_refused_until_the_site_board_is_published(
            self, svc: ServiceHarness) -> None:
        project_id = (await draft_project(svc))["id"]
        await post(svc, f"/projects/{project_id}/approve", bureau(svc))
        await post(svc, f"/projects/{project_id}/construction-plan", contractor(svc),
                   construction_plan_body())
        refused = await svc.client.post(f"/projects/{project_id}/start", headers=contractor(svc))
        assert refused.json()["unmet"] == ["site_board_published"]
        await publish_site_board(svc, project_id)
        started = await post(svc, f"/projects/{project_id}/start", contractor(svc))
        assert started["status"] == "under_construction"
        assert await svc.published("project.construction_started")

    async def test_a_heritage_project_starts_only_after_an_approved_review(
            self, svc: ServiceHarness) -> None:
        project_id = await ready_to_start(svc, heritage=True)
        await post(svc, f"/projects/{project_id}/heritage-review", bureau(svc),
                   {"approved": False, "note": "facade must be kept"})
        refused = await svc.client.post(f"/projects/{project_id}/start", headers=builder(svc))
        assert refused.json()["unmet"] == ["heritage_review_approved"]
        await post(svc, f"/projects/{project_id}/heritage-review", bureau(svc),
                   {"approved": True, "note": "revised design keeps the facade"})
        assert (await post(svc, f"/projects/{project_id}/start", builder(svc)))["status"] == (
            "under_construction")

    async def test_a_draft_cannot_start(self, svc: ServiceHarness) -> None:
        project = await draft_project(svc)
        response = await svc.client.post(f"/projects/{project['id']}/start",
                                         headers=contractor(svc))
        assert response.status_code == 409
        assert response.json()["allowed"] == ["approved", "cancelled"]

    async def test_heritage_review_of_a_plain_project_is_409(self, svc: ServiceHarness) -> None:
        project = await draft_project(svc)
        response = await svc.client.post(f"/projects/{project['id']}/heritage-review",
                                         json={"approved": True, "note": "n"},
                                         headers=bureau(svc))
        assert response.status_code == 409

    async def test_a_construction_plan_without_quiet_hours_is_422(self, svc: ServiceHarness
                                                                 ) -> None:
        project = await draft_project(svc)
        response = await svc.client.post(f"/projects/{project['id']}/construction-plan",
                                         json=construction_plan_body(quiet_hours=[]),
                                         headers=contractor(svc))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "quiet_hours"


class TestRoles:
    async def test_a_contractor_of_another_org_cannot_touch_the_project(
            self, svc: ServiceHarness) -> None:
        project_id = await ready_to_start(svc)
        intruder = contractor(svc, org="org-rival")
        for action in ("start", "suspend", "complete", "rectified"):
            response = await svc.client.post(f"/projects/{project_id}/{action}",
                                             headers=intruder)
            assert response.status_code == 403, action
        plan = await svc.client.post(f"/projects/{project_id}/construction-plan",
                                     json=construction_plan_body(), headers=intruder)
        assert plan.status_code == 403

    async def test_only_the_bureau_approves_projects(self, svc: ServiceHarness) -> None:
        project = await draft_project(svc)
        response = await svc.client.post(f"/projects/{project['id']}/approve",
                                         headers=builder(svc))
        assert response.status_code == 403

    async def test_a_supervisor_cannot_submit_the_construction_plan(self, svc: ServiceHarness
                                                                    ) -> None:
        project = await draft_project(svc)
        response = await svc.client.post(f"/projects/{project['id']}/construction-plan",
                                         json=construction_plan_body(),
                                         headers=supervisor(svc))
        assert response.status_code == 403

    async def test_transitions_of_a_missing_project_are_404(self, svc: ServiceHarness) -> None:
        response = await svc.client.post("/projects/nope/start", headers=contractor(svc))
        assert response.status_code == 404


class TestVersions:
    async def test_a_stale_if_match_is_412_and_changes_nothing(self, svc: ServiceHarness
                                                             ) -> None:
        project = await draft_project(svc)
        response = await svc.client.post(f"/projects/{project['id']}/approve",
                                         headers={**bureau(svc), "If-Match": '"5"'})
        assert response.status_code == 412
        again = (await svc.client.get(f"/projects/{project['id']}",
                                      headers=svc.auth("dashboard"))).json()
        assert again["status"] == "draft"

    async def test_a_current_if_match_is_accepted_and_bumps_the_version(
            self, svc: ServiceHarness) -> None:
        project = await draft_project(svc)
        approved = await post(svc, f"/projects/{project['id']}/approve",
                              {**bureau(svc), "If-Match": str(project["version"])})
        assert approved["version"] == project["version"] + 1


    async def test_a_caller_who_may_not_act_is_403_whatever_version_it_names(
            self, svc: ServiceHarness) -> None:
        project_id = await ready_to_start(svc)
        response = await svc.client.post(
            f"/projects/{project_id}/start",
            headers={**contractor(svc, org="org-rival"), "If-Match": '"99"'})
        assert response.status_code == 403


class TestLifecycle:
    async def test_suspend_and_resume(self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        assert (await post(svc, f"/projects/{project_id}/suspend", bureau(svc)))["status"] == (
            "suspended")
        refused = await svc.client.post(f"/projects/{project_id}/complete",
                                        headers=builder(svc))
        assert refused.status_code == 409
        resumed = await post(svc, f"/projects/{project_id}/resume", contractor(svc))
        assert resumed["status"] == "under_construction"
        assert len(await svc.published("project.suspended", "project.resumed")) == 2

    async def test_resume_of_a_running_project_is_409(self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        response = await svc.client.post(f"/projects/{project_id}/resume",
                                         headers=contractor(svc))
        assert response.status_code == 409

    async def test_complete_needs_progress_100(self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        await post(svc, f"/projects/{project_id}/progress", contractor(svc), progress_body(90))
        response = await svc.client.post(f"/projects/{project_id}/complete",
                                         headers=builder(svc))
        assert response.status_code == 409
        assert response.json()["unmet"] == ["progress_100"]

    async def test_complete_needs_every_hidden_work_passed(self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        await post(svc, f"/projects/{project_id}/hidden-works", contractor(svc),
                   {"name": "drain pipes", "location": "block 3", "description": "DN200"})
        await post(svc, f"/projects/{project_id}/progress", contractor(svc), progress_body(100))
        response = await svc.client.post(f"/projects/{project_id}/complete",
                                         headers=builder(svc))
        assert response.json()["unmet"] == ["hidden_works_passed"]

    async def test_completion_publishes_the_parties(self, svc: ServiceHarness) -> None:
        project_id = await completed(svc)
        [event] = await svc.published("project.completed")
        assert event.subject == project_id
        assert event.data["parties"]["builder"] == BUILDER
        assert event.data["parties"]["pipeline"] == ["org-power"]
        assert event.data["title"] == "Elder canteen on the vacant lot"  # for the record

    async def test_cancel_from_draft_and_not_after_start(self, svc: ServiceHarness) -> None:
        project = await draft_project(svc)
        cancelled = await post(svc, f"/projects/{project['id']}/cancel", subdistrict(svc))
        assert cancelled["status"] == "cancelled"
        running = await under_construction(svc)
        response = await svc.client.post(f"/projects/{running}/cancel", headers=builder(svc))
        assert response.status_code == 409
        assert response.json()["allowed"] == ["completed", "suspended"]

    async def test_rectified_outside_rectification_is_409(self, svc: ServiceHarness) -> None:
        project_id = await completed(svc)
        response = await svc.client.post(f"/projects/{project_id}/rectified",
                                         headers=contractor(svc))
        assert response.status_code == 409

    async def test_events_carry_no_personal_data(self, svc: ServiceHarness) -> None:
        await completed(svc)
        for event in await svc.published():
            assert "tester" not in event.to_bytes().decode()


async def test_an_unknown_community_is_422_naming_it(svc: ServiceHarness) -> None:
    plan_id = await approved_plan(svc)
    response = await svc.client.post("/projects", json=project_body(plan_id,
                                                                    community_id="atlantis"),
                                     headers=builder(svc))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "community_id"


# --- issue 14 -------------------------------------------------------------------------------

class TestFieldErrors:
    """Item 13: a cross-field error names the field, and messages read as English."""

    async def test_an_end_before_the_start_is_422_naming_planned_end(self, svc: ServiceHarness
                                                                     ) -> None:
        response = await create(svc, planned_end="2022-01-01")
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "planned_end"

    async def test_an_empty_quiet_window_is_422_naming_its_end(self, svc: ServiceHarness
                                                               ) -> None:
        project = await draft_project(svc)
        body = construction_plan_body(quiet_hours=[{"start": "12:00", "end": "12:00"}])
        response = await svc.client.post(f"/projects/{project['id']}/construction-plan",
                                         json=body, headers=contractor(svc))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "quiet_hours.0.end"

    async def test_a_refused_transition_names_the_status_in_plain_english(
            self, svc: ServiceHarness) -> None:
        project = await draft_project(svc)
        await post(svc, f"/projects/{project['id']}/approve", bureau(svc))
        again = await svc.client.post(f"/projects/{project['id']}/approve", headers=bureau(svc))
        assert again.status_code == 409
        assert again.json()["detail"] == "an approved project cannot become approved"
        running = await under_construction(svc)
        resumed = await svc.client.post(f"/projects/{running}/resume", headers=contractor(svc))
        assert resumed.json()["detail"] == (
            "only a suspended project can resume; this one is under_construction")


class TestNotes:
    """Item 4: notes sent with a transition are kept and shown, never dropped."""

    async def test_a_suspension_note_is_shown_on_the_project_and_kept_after_resuming(
            self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        suspended = await post(svc, f"/projects/{project_id}/suspend", bureau(svc),
                               {"note": "scaffold failed the safety check"})
        assert suspended["status_note"] == "scaffold failed the safety check"
        resumed = await post(svc, f"/projects/{project_id}/resume", contractor(svc))
        assert resumed["status_note"] is None
        changes = (await svc.client.get(f"/projects/{project_id}/status-changes",
                                        headers=svc.auth("dashboard"))).json()["items"]
        assert [(c["from_status"], c["status"]) for c in changes] == [
            (None, "draft"), ("draft", "approved"), ("approved", "under_construction"),
            ("under_construction", "suspended"), ("suspended", "under_construction")]
        suspension = changes[3]
        assert (suspension["note"], suspension["by_org"]) == (
            "scaffold failed the safety check", "huli-bureau")

    async def test_a_rectification_note_is_kept(self, svc: ServiceHarness) -> None:
        from shared.contracts.acceptance import AcceptanceFailed

        project_id = await completed(svc)
        await svc.deliver(AcceptanceFailed(
            acceptance_id="acc-1", project_id=project_id, community_id="dongdu", round=1,
            decided_at=svc.clock.now(), defect_count=1, rejecting_parties=["owners"]),
            subject="acc-1")
        rectified = await post(svc, f"/projects/{project_id}/rectified", contractor(svc),
                               {"note": "handrail on stair 2 refixed"})
        assert (rectified["status"], rectified["status_note"]) == (
            "completed", "handrail on stair 2 refixed")
        changes = (await svc.client.get(f"/projects/{project_id}/status-changes",
                                        headers=svc.auth("dashboard"))).json()["items"]
        assert [(c["status"], c["by_org"], c["note"]) for c in changes[-2:]] == [
            ("rectifying", None, None), ("completed", CONTRACTOR, "handrail on stair 2 refixed")]

    async def test_a_note_with_an_unknown_field_is_422_not_dropped(self, svc: ServiceHarness
                                                                   ) -> None:
        project_id = await under_construction(svc)
        response = await svc.client.post(f"/projects/{project_id}/suspend",
                                         json={"reason": "rain"}, headers=bureau(svc))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "reason"

    async def test_notes_stay_out_of_events(self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        await post(svc, f"/projects/{project_id}/suspend", bureau(svc), {"note": "secret-ish"})
        for event in await svc.published():
            assert "secret-ish" not in event.to_bytes().decode()


class TestGates:
    """Item 12: the project view shows which gates are met."""

    async def test_the_project_view_shows_which_gates_are_met(self, svc: ServiceHarness
                                                              ) -> None:
        project = await draft_project(svc, heritage=True)
        path = f"/projects/{project['id']}"
        assert project["gates"] == {
            "plan_approved": True, "construction_plan_submitted": False,
            "site_board_published": False, "heritage_review_approved": False,
            "hidden_works_passed": True, "progress_100": False}
        await post(svc, f"{path}/construction-plan", contractor(svc), construction_plan_body())
        await publish_site_board(svc, project["id"])
        await post(svc, f"{path}/heritage-review", bureau(svc), {"approved": True, "note": "ok"})
        gates = (await svc.client.get(path, headers=svc.auth("dashboard"))).json()["gates"]
        assert gates["construction_plan_submitted"] and gates["site_board_published"]
        assert gates["heritage_review_approved"] is True
        await approved_plan(svc)  # a newer plan supersedes the project's
        listed = (await svc.client.get("/projects", headers=svc.auth("dashboard"))).json()
        assert listed["items"][0]["gates"]["plan_approved"] is False

    async def test_a_project_not_touching_heritage_needs_no_review(self, svc: ServiceHarness
                                                                   ) -> None:
        project = await draft_project(svc)
        assert project["gates"]["heritage_review_approved"] is None

    async def test_an_uninspected_hidden_work_shows_as_an_unmet_gate(self, svc: ServiceHarness
                                                                     ) -> None:
        project_id = await under_construction(svc)
        await post(svc, f"/projects/{project_id}/hidden-works", contractor(svc),
                   {"name": "drain pipes", "location": "block 3", "description": "DN200"})
        project = (await svc.client.get(f"/projects/{project_id}",
                                        headers=svc.auth("dashboard"))).json()
        assert project["gates"]["hidden_works_passed"] is False


class TestReadBack:
    """Items 12 and 14: what was submitted can be read back, with the version as ETag."""

    async def test_the_construction_plan_can_be_read_back_with_the_projects_etag(
            self, svc: ServiceHarness) -> None:
        project = await draft_project(svc)
        path = f"/projects/{project['id']}/construction-plan"
        assert (await svc.client.get(path, headers=svc.auth("dashboard"))).status_code == 404
        submitted = await post(svc, path, contractor(svc), construction_plan_body())
        read = await svc.client.get(path, headers=svc.auth("dashboard"))
        assert read.status_code == 200, read.text
        assert read.json() == submitted
        assert read.json()["submitted_by_org"] == CONTRACTOR
        assert read.headers["ETag"] == f'"{submitted["project_version"]}"'
        again = await svc.client.post(path, json=construction_plan_body(),
                                      headers={**contractor(svc), "If-Match": read.headers["ETag"]})
        assert again.status_code == 201, again.text

    async def test_the_heritage_review_can_be_read_back(self, svc: ServiceHarness) -> None:
        project = await draft_project(svc, heritage=True)
        path = f"/projects/{project['id']}/heritage-review"
        missing = await svc.client.get(path, headers=svc.auth("dashboard"))
        assert missing.status_code == 404
        recorded = await post(svc, path, bureau(svc), {"approved": False, "note": "keep facade"})
        read = await svc.client.get(path, headers=svc.auth("dashboard"))
        assert read.status_code == 200, read.text
        assert read.json() == recorded
        assert read.headers["ETag"] == f'"{recorded["project_version"]}"'

    async def test_a_project_read_sends_its_version_as_etag(self, svc: ServiceHarness) -> None:
        project = await draft_project(svc)
        read = await svc.client.get(f"/projects/{project['id']}", headers=svc.auth("dashboard"))
        assert read.headers["ETag"] == '"1"'
        approved = await svc.client.post(f"/projects/{project['id']}/approve",
                                         headers={**bureau(svc), "If-Match": read.headers["ETag"]})
        assert approved.headers["ETag"] == '"2"'


class TestPublishedFacts:
    """Item 15: the facts a dashboard needs are published (ids, codes and amounts only)."""

    async def test_project_created_carries_the_funding_split(self, svc: ServiceHarness) -> None:
        await draft_project(svc)
        [event] = await svc.published("project.created")
        assert event.data["funding"] == {
            "city_fiscal_cny": "375000.00", "district_fiscal_cny": "375000.00",
            "social_capital_cny": "200000.00", "residents_cny": "50000.00",
            "gas_account_opening_fee_cny": None}

    async def test_construction_plan_and_heritage_review_are_published_without_text(
            self, svc: ServiceHarness) -> None:
        project = await draft_project(svc, heritage=True)
        path = f"/projects/{project['id']}"
        await post(svc, f"{path}/construction-plan", contractor(svc), construction_plan_body())
        await post(svc, f"{path}/construction-plan", contractor(svc), construction_plan_body())
        await post(svc, f"{path}/heritage-review", bureau(svc),
                   {"approved": True, "note": "keep the facade"})
        plans = await svc.published("project.construction_plan_submitted")
        assert [(e.data["resubmission"], e.data["quiet_windows"]) for e in plans] == [
            (False, 2), (True, 2)]
        [review] = await svc.published("project.heritage_review_recorded")
        assert review.data["approved"] is True and review.subject == project["id"]
        for event in [*plans, review]:
            assert "facade" not in str(event.data) and "helmets" not in str(event.data)
