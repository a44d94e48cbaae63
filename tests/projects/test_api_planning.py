"""Communities, surveys and plans through the HTTP API."""

from __future__ import annotations

from tests.projects.factories import approved_plan, bureau, office, subdistrict, survey_body
from tests.support import ServiceHarness


async def test_the_six_pilot_communities_are_public(svc: ServiceHarness) -> None:
    response = await svc.client.get("/communities")
    assert response.status_code == 200
    items = response.json()["items"]
    assert {c["id"] for c in items} == {"shentian", "dongdu", "shengguang", "future-coast",
                                        "chengxi", "xinxing"}
    assert all(c["batch_deadline"] == "2022-12-31" for c in items)


async def test_one_community_shows_its_name_and_district(svc: ServiceHarness) -> None:
    body = (await svc.client.get("/communities/shentian")).json()
    assert (body["name"], body["district"]) == ("深田社区", "思明区")
    assert (await svc.client.get("/communities/nowhere")).status_code == 404


async def test_a_survey_lists_with_counts_per_finding_kind(svc: ServiceHarness) -> None:
    created = await svc.client.post("/communities/dongdu/surveys", json=survey_body(),
                                    headers=subdistrict(svc))
    assert created.status_code == 201, created.text
    page = (await svc.client.get("/communities/dongdu/surveys",
                                 headers=svc.auth("dashboard"))).json()
    [survey] = page["items"]
    assert survey["counts"]["resident_need"] == 2
    assert survey["counts"]["idle_land"] == 1
    assert survey["counts"]["heritage"] == 0
    assert len(survey["counts"]) == 10
    assert survey["resident_opinions"][0]["in_favour"] == 97


async def test_a_survey_with_an_unknown_kind_is_422_naming_the_field(svc: ServiceHarness
                                                                      ) -> None:
    body = survey_body(findings=[{"kind": "ufo_sighting", "summary": "x"}])
    response = await svc.client.post("/communities/dongdu/surveys", json=body,
                                      headers=office(svc, "community"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "findings.0.kind"


async def test_surveys_need_a_token_and_the_right_role(svc: ServiceHarness) -> None:
    assert (await svc.client.get("/communities/dongdu/surveys")).status_code == 401
    response = await svc.client.post("/communities/dongdu/surveys", json=survey_body(),
                                     headers=svc.auth("contractor", org="c"))
    assert response.status_code == 403


async def test_a_survey_of_an_unknown_community_is_404(svc: ServiceHarness) -> None:
    response = await svc.client.post("/communities/atlantis/surveys", json=survey_body(),
                                     headers=subdistrict(svc))
    assert response.status_code == 404


async def test_a_new_approval_supersedes_the_previous_plan(svc: ServiceHarness) -> None:
    first = await approved_plan(svc)
    second = await approved_plan(svc)
    old = (await svc.client.get(f"/plans/{first}", headers=svc.auth("dashboard"))).json()
    new = (await svc.client.get(f"/plans/{second}", headers=svc.auth("dashboard"))).json()
    assert (old["status"], old["superseded_by"]) == ("superseded", second)
    assert new["status"] == "approved"


async def test_only_the_district_bureau_approves_plans(svc: ServiceHarness) -> None:
    plan = (await svc.client.post("/communities/dongdu/plans",
                                  json={"title": "p", "summary": "s"},
                                  headers=office(svc, "community"))).json()
    response = await svc.client.post(f"/plans/{plan['id']}/approve",
                                     headers=subdistrict(svc))
    assert response.status_code == 403


async def test_an_approved_plan_cannot_be_approved_again(svc: ServiceHarness) -> None:
    plan_id = await approved_plan(svc)
    response = await svc.client.post(f"/plans/{plan_id}/approve", headers=bureau(svc))
    assert response.status_code == 409


async def test_plan_approval_with_a_stale_version_is_412(svc: ServiceHarness) -> None:
    plan = (await svc.client.post("/communities/dongdu/plans",
                                  json={"title": "p", "summary": "s"},
                                  headers=office(svc, "community"))).json()
    response = await svc.client.post(f"/plans/{plan['id']}/approve",
                                     headers={**bureau(svc), "If-Match": "7"})
    assert response.status_code == 412


async def test_a_missing_plan_is_404(svc: ServiceHarness) -> None:
    response = await svc.client.get("/plans/nope", headers=svc.auth("dashboard"))
    assert response.status_code == 404


async def test_more_residents_in_favour_than_asked_is_422(svc: ServiceHarness) -> None:
    opinion = {"topic": "t", "summary": "s", "respondents": 10, "in_favour": 11}
    response = await svc.client.post("/communities/dongdu/surveys",
                                     json=survey_body(resident_opinions=[opinion]),
                                     headers=subdistrict(svc))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "resident_opinions.0.in_favour"


# --- reading back what was filed, ETags, events (issue 14: items 12, 14, 15) -----------------

async def test_one_survey_can_be_read_back_by_its_id(svc: ServiceHarness) -> None:
    created = (await svc.client.post("/communities/dongdu/surveys", json=survey_body(),
                                     headers=subdistrict(svc))).json()
    response = await svc.client.get(f"/communities/dongdu/surveys/{created['id']}",
                                    headers=svc.auth("dashboard"))
    assert response.status_code == 200, response.text
    assert response.json() == created
    assert response.json()["counts"]["resident_need"] == 2


async def test_a_survey_read_under_another_community_is_404(svc: ServiceHarness) -> None:
    created = (await svc.client.post("/communities/dongdu/surveys", json=survey_body(),
                                     headers=subdistrict(svc))).json()
    for path in (f"/communities/shentian/surveys/{created['id']}",
                 "/communities/dongdu/surveys/nope",
                 f"/communities/atlantis/surveys/{created['id']}"):
        assert (await svc.client.get(path, headers=svc.auth("dashboard"))).status_code == 404


async def test_filing_a_survey_is_published_with_counts_and_no_text(svc: ServiceHarness
                                                                     ) -> None:
    created = (await svc.client.post("/communities/dongdu/surveys", json=survey_body(),
                                     headers=subdistrict(svc))).json()
    [event] = await svc.published("survey.filed")
    assert event.subject == "dongdu"
    assert event.data["survey_id"] == created["id"]
    assert event.data["finding_counts"]["resident_need"] == 2
    assert (event.data["opinion_topics"], event.data["respondents"],
            event.data["in_favour"]) == (1, 120, 97)
    assert "elder canteen" not in str(event.data)


async def test_approving_a_plan_is_published_with_the_plan_it_supersedes(
        svc: ServiceHarness) -> None:
    first = await approved_plan(svc)
    second = await approved_plan(svc)
    events = await svc.published("plan.approved")
    assert [(e.data["plan_id"], e.data["superseded_plan_id"]) for e in events] == [
        (first, None), (second, first)]
    assert {e.subject for e in events} == {"dongdu"}


async def test_a_plan_and_a_community_send_their_version_as_etag(svc: ServiceHarness) -> None:
    plan_id = await approved_plan(svc)
    plan = await svc.client.get(f"/plans/{plan_id}", headers=svc.auth("dashboard"))
    assert plan.headers["ETag"] == f'"{plan.json()["version"]}"'
    community = await svc.client.get("/communities/dongdu")
    assert community.headers["ETag"] == f'"{community.json()["version"]}"'
    changed = await svc.client.put("/communities/dongdu/jurisdiction", json={
        "district_bureau_org": "huli-bureau", "subdistrict_org": "dongdu-street",
        "community_org": "dongdu"}, headers={**svc.auth("admin"),
                                             "If-Match": community.headers["ETag"]})
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] == f'"{changed.json()["version"]}"' != community.headers["ETag"]
