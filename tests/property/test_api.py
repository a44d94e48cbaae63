"""Compounds, registers, providers, trials and assessments through the HTTP API."""

from __future__ import annotations

from datetime import timedelta

from tests.property.conftest import (
    compound_body,
    create,
    office,
    provider_body,
    running_trial,
    trial_body,
)
from tests.support import ServiceHarness


class TestCompounds:
    async def test_staff_register_a_compound_and_anyone_authenticated_reads_it(
            self, prop: ServiceHarness) -> None:
        c = await create(prop, "/compounds", compound_body(), "community")
        assert c["total_area_m2"] == "9600.50"
        assert c["has_property_management"] is False
        got = await prop.client.get(f"/compounds/{c['id']}", headers=prop.auth("owner"))
        assert got.json()["name"] == "Building 7 compound"

    async def test_registering_needs_a_token_and_a_staff_role(self, prop: ServiceHarness) -> None:
        assert (await prop.client.post("/compounds", json=compound_body())).status_code == 401
        denied = await prop.client.post("/compounds", json=compound_body(),
                                        headers=prop.auth("property_provider"))
        assert denied.status_code == 403

    async def test_bad_fields_are_422_naming_them_and_write_nothing(
            self, prop: ServiceHarness) -> None:
        for field, value in [("households", 0), ("total_area_m2", "-1"),
                             ("total_area_m2", "10.123"), ("community_id", "")]:
            response = await prop.client.post("/compounds", json=compound_body(**{field: value}),
                                              headers=prop.auth("subdistrict"))
            assert response.status_code == 422
            assert response.json()["errors"][0]["field"] == field
        listed = await prop.client.get("/compounds", headers=prop.auth("subdistrict"))
        assert listed.json()["items"] == []

    async def test_compounds_list_by_community_and_page(self, prop: ServiceHarness) -> None:
        for name in ("a", "b", "c"):
            await create(prop, "/compounds", compound_body(name=name))
            prop.clock.advance(timedelta(seconds=1))
        await create(prop, "/compounds", compound_body(community_id="dongdu"),
                     org=office("subdistrict", "dongdu"))
        first = (await prop.client.get("/compounds?community_id=shentian&limit=2",
                                       headers=prop.auth("dashboard"))).json()
        assert [c["name"] for c in first["items"]] == ["a", "b"]
        rest = (await prop.client.get(
            f"/compounds?community_id=shentian&limit=2&cursor={first['next_cursor']}",
            headers=prop.auth("dashboard"))).json()
        assert [c["name"] for c in rest["items"]] == ["c"]
        assert rest["next_cursor"] is None

    async def test_unknown_compound_is_404(self, prop: ServiceHarness) -> None:
        response = await prop.client.get("/compounds/nope", headers=prop.auth("subdistrict"))
        assert response.status_code == 404


class TestOwnerRegister:
    async def test_register_is_replaced_with_units_folded_per_owner(
            self, prop: ServiceHarness) -> None:
        c = await create(prop, "/compounds", compound_body())
        units = [{"owner_id": "R-1", "area_m2": "80.00"}, {"owner_id": "R-2", "area_m2": "90"},
                 {"owner_id": "R-1", "area_m2": "60.50"}]
        put = await prop.client.put(f"/compounds/{c['id']}/owners", json=units,
                                    headers={**prop.auth("community"), "If-Match": "1"})
        assert put.status_code == 200, put.text
        assert put.json()["owners"] == 2
        assert put.json()["total_area_m2"] == "230.50"
        stale = await prop.client.put(f"/compounds/{c['id']}/owners", json=units[:1],
                                      headers={**prop.auth("community"), "If-Match": "1"})
        assert stale.status_code == 412
        got = await prop.client.get(f"/compounds/{c['id']}/owners", headers=prop.auth("owners"))
        assert len(got.json()["units"]) == 3

    async def test_register_is_not_shown_to_providers_or_single_owners(
            self, prop: ServiceHarness) -> None:
        c = await create(prop, "/compounds", compound_body())
        for role in ("owner", "property_provider"):
            response = await prop.client.get(f"/compounds/{c['id']}/owners",
                                             headers=prop.auth(role))
            assert response.status_code == 403

    async def test_empty_register_or_bad_owner_id_is_422(self, prop: ServiceHarness) -> None:
        c = await create(prop, "/compounds", compound_body())
        for body in ([], [{"owner_id": "Zhang San", "area_m2": "80"}],
                     [{"owner_id": "R-1", "area_m2": "0"}]):
            response = await prop.client.put(f"/compounds/{c['id']}/owners", json=body,
                                             headers=prop.auth("community"))
            assert response.status_code == 422, body


class TestProviders:
    async def test_a_licence_is_registered_once(self, prop: ServiceHarness) -> None:
        p = await create(prop, "/providers", provider_body())
        again = await prop.client.post("/providers", json=provider_body(name="Other"),
                                       headers=prop.auth("subdistrict"))
        assert again.status_code == 409
        assert again.json()["provider_id"] == p["id"]
        listed = await prop.client.get("/providers", headers=prop.auth("owner"))
        assert [x["id"] for x in listed.json()["items"]] == [p["id"]]


class TestTrials:
    async def test_a_subdistrict_entrusts_an_unmanaged_compound(
            self, prop: ServiceHarness) -> None:
        trial = await running_trial(prop)
        assert trial["status"] == "active"
        assert trial["proposed_fee_cny_per_m2"] == "0.8500"
        [event] = await prop.published("property.trial_started")
        assert event.data["trial_id"] == trial["id"]
        assert event.data["households"] == 120

    async def test_only_the_subdistrict_starts_trials(self, prop: ServiceHarness) -> None:
        c = await create(prop, "/compounds", compound_body())
        p = await create(prop, "/providers", provider_body())
        for role in ("community", "owners", "district_bureau"):
            response = await prop.client.post("/trials", json=trial_body(c["id"], p["id"]),
                                              headers=prop.auth(role))
            assert response.status_code == 403

    async def test_a_managed_compound_gets_no_trial(self, prop: ServiceHarness) -> None:
        c = await create(prop, "/compounds", compound_body(has_property_management=True))
        p = await create(prop, "/providers", provider_body())
        response = await prop.client.post("/trials", json=trial_body(c["id"], p["id"]),
                                          headers=prop.auth("subdistrict"))
        assert response.status_code == 409

    async def test_one_running_trial_per_compound(self, prop: ServiceHarness) -> None:
        trial = await running_trial(prop)
        again = await prop.client.post(
            "/trials", json=trial_body(trial["compound_id"], trial["provider_id"]),
            headers=prop.auth("subdistrict"))
        assert again.status_code == 409
        assert again.json()["unmet"] == ["no running trial on the compound"]

    async def test_period_is_capped_and_must_be_positive(self, prop: ServiceHarness) -> None:
        c = await create(prop, "/compounds", compound_body())
        p = await create(prop, "/providers", provider_body())
        for start, end in [("2026-01-01", "2027-01-02"), ("2026-05-01", "2026-05-01")]:
            response = await prop.client.post(
                "/trials", json=trial_body(c["id"], p["id"], start=start, end=end),
                headers=prop.auth("subdistrict"))
            assert response.status_code == 422
            assert response.json()["errors"][0]["field"] == "end"
        assert await prop.published("property.trial_started") == []

    async def test_money_fields_are_validated(self, prop: ServiceHarness) -> None:
        c = await create(prop, "/compounds", compound_body())
        p = await create(prop, "/providers", provider_body())
        for field, value in [("monthly_subsidy_cny", "10.001"), ("monthly_subsidy_cny", -1),
                             ("proposed_fee_cny_per_m2", "0"),
                             ("proposed_fee_cny_per_m2", "0.12345"), ("scope", "")]:
            response = await prop.client.post(
                "/trials", json=trial_body(c["id"], p["id"], **{field: value}),
                headers=prop.auth("subdistrict"))
            assert response.status_code == 422
            assert response.json()["errors"][0]["field"] == field

    async def test_unknown_compound_or_provider_is_404(self, prop: ServiceHarness) -> None:
        p = await create(prop, "/providers", provider_body())
        response = await prop.client.post("/trials", json=trial_body("nope", p["id"]),
                                          headers=prop.auth("subdistrict"))
        assert response.status_code == 404

    async def test_trials_filter_by_status_and_community(self, prop: ServiceHarness) -> None:
        trial = await running_trial(prop)
        await running_trial(prop, community_id="dongdu")
        found = await prop.client.get("/trials?community_id=shentian&status=active",
                                      headers=prop.auth("owner"))
        assert [t["id"] for t in found.json()["items"]] == [trial["id"]]
        bad = await prop.client.get("/trials?status=sleeping", headers=prop.auth("owner"))
        assert bad.status_code == 422

    async def test_ending_frees_the_compound_for_a_new_trial(self, prop: ServiceHarness) -> None:
        trial = await running_trial(prop)
        ended = await prop.client.post(f"/trials/{trial['id']}/end",
                                       json={"reason": "provider withdrew"},
                                       headers={**prop.auth("subdistrict"), "If-Match": "1"})
        assert ended.status_code == 200
        assert ended.json()["status"] == "ended"
        again = await prop.client.post(f"/trials/{trial['id']}/end", json={"reason": "x"},
                                       headers=prop.auth("subdistrict"))
        assert again.status_code == 409
        assert again.json()["allowed"] == []
        new = await prop.client.post(
            "/trials", json=trial_body(trial["compound_id"], trial["provider_id"]),
            headers=prop.auth("subdistrict"))
        assert new.status_code == 201
        [event] = await prop.published("property.trial_ended")
        assert event.data["reason"] == "provider withdrew"

    async def test_ending_with_a_stale_version_is_412(self, prop: ServiceHarness) -> None:
        trial = await running_trial(prop)
        response = await prop.client.post(f"/trials/{trial['id']}/end", json={"reason": "x"},
                                          headers={**prop.auth("subdistrict"), "If-Match": "7"})
        assert response.status_code == 412

    async def test_extending_needs_a_failed_or_invalid_vote(self, prop: ServiceHarness) -> None:
        trial = await running_trial(prop)
        response = await prop.client.post(f"/trials/{trial['id']}/extend",
                                          json={"new_end": "2027-03-31"},
                                          headers=prop.auth("subdistrict"))
        assert response.status_code == 409
        assert response.json()["unmet"] == ["latest vote failed or invalid"]


class TestAssessments:
    async def test_each_body_scores_a_month_once(self, prop: ServiceHarness) -> None:
        trial = await running_trial(prop)
        path = f"/trials/{trial['id']}/assessments"
        body = {"period": "2026-02", "scores": {"cleaning": 90, "security": 80}}
        for role in ("subdistrict", "community", "owners"):
            made = await create(prop, path, body, role)
            assert made["body"] == role
            assert made["overall_score"] == "85.00"
        again = await prop.client.post(path, json=body, headers=prop.auth("owners"))
        assert again.status_code == 409
        listed = await prop.client.get(path, headers=prop.auth("property_provider"))
        assert len(listed.json()["items"]) == 3
        events = await prop.published("property.assessment_recorded")
        assert len(events) == 3
        assert events[0].data["complaint_rate_per_100_households"] == "0.00"

    async def test_providers_and_single_owners_do_not_score(self, prop: ServiceHarness) -> None:
        trial = await running_trial(prop)
        for role in ("property_provider", "owner", "dashboard"):
            response = await prop.client.post(
                f"/trials/{trial['id']}/assessments",
                json={"period": "2026-02", "scores": {"cleaning": 90}}, headers=prop.auth(role))
            assert response.status_code == 403

    async def test_period_and_scores_are_validated(self, prop: ServiceHarness) -> None:
        trial = await running_trial(prop)
        path = f"/trials/{trial['id']}/assessments"
        cases = [({"period": "2026-2", "scores": {"a": 1}}, "period"),
                 ({"period": "2025-12", "scores": {"a": 1}}, "period"),
                 ({"period": "2026-04", "scores": {"a": 1}}, "period"),
                 ({"period": "2026-02", "scores": {}}, "scores"),
                 ({"period": "2026-02", "scores": {"a": 101}}, "scores.a"),
                 ({"period": "2026-02", "scores": {"Bad Name": 5}}, "scores.Bad Name.[key]")]
        for body, field in cases:
            response = await prop.client.post(path, json=body, headers=prop.auth("community"))
            assert response.status_code == 422, body
            assert response.json()["errors"][0]["field"] == field

    async def test_admin_names_the_body(self, prop: ServiceHarness) -> None:
        trial = await running_trial(prop)
        path = f"/trials/{trial['id']}/assessments"
        unnamed = await prop.client.post(path, json={"period": "2026-02", "scores": {"a": 70}},
                                         headers=prop.auth("admin"))
        assert unnamed.status_code == 422
        named = await create(prop, path, {"period": "2026-02", "scores": {"a": 70},
                                          "body": "community"}, "admin")
        assert named["body"] == "community"

    async def test_a_body_not_held_is_forbidden(self, prop: ServiceHarness) -> None:
        trial = await running_trial(prop)
        response = await prop.client.post(
            f"/trials/{trial['id']}/assessments",
            json={"period": "2026-02", "scores": {"a": 70}, "body": "subdistrict"},
            headers=prop.auth("owners"))
        assert response.status_code == 403

    async def test_a_month_later_the_current_month_can_be_scored(
            self, prop: ServiceHarness) -> None:
        trial = await running_trial(prop)
        prop.clock.advance(timedelta(days=30))
        made = await create(prop, f"/trials/{trial['id']}/assessments",
                            {"period": "2026-04", "scores": {"a": 70}}, "community")
        assert made["period"] == "2026-04"
