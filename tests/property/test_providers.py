"""Providers are registered with their organisation id; a provider's token (its `org`) sees
its own trials only, and every trial fact names the provider's org for complaint routing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.property.conftest import (
    NOW,
    PROVIDER_ORG,
    PropertyHarness,
    create,
    provider_body,
    running_trial,
)

RIVAL = "harbour-pm"
TRIAL_FACTS = ("property.trial_started", "property.assessment_recorded",
               "property.vote_opened", "property.vote_closed", "property.contract_converted",
               "property.trial_ended", "property.trial_extended")


class TestRegistration:
    async def test_a_provider_is_registered_and_shown_with_its_org(
        self, prop: PropertyHarness,
    ) -> None:
        made = await create(prop, "/providers", provider_body())
        assert made["org"] == PROVIDER_ORG
        shown = await prop.client.get(f"/providers/{made['id']}", headers=prop.auth("owner"))
        assert shown.json()["org"] == PROVIDER_ORG
        listed = await prop.client.get("/providers", headers=prop.auth("owner"))
        assert [p["org"] for p in listed.json()["items"]] == [PROVIDER_ORG]

    @pytest.mark.parametrize("org", [None, "", "has space", "x" * 65])
    async def test_a_provider_without_a_valid_org_is_422_naming_it(
        self, prop: PropertyHarness, org: str | None,
    ) -> None:
        body = provider_body()
        if org is None:
            del body["org"]
        else:
            body["org"] = org
        response = await prop.client.post("/providers", json=body,
                                          headers=prop.auth("subdistrict"))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "org"


class TestTrialFacts:
    async def test_every_trial_fact_names_the_providers_org_beside_its_id(
        self, prop: PropertyHarness,
    ) -> None:
        converted = await running_trial(prop)
        ended = await running_trial(prop, provider_org=RIVAL)
        admin = prop.auth("admin")
        await create(prop, f"/trials/{converted['id']}/assessments",
                     {"period": "2026-02", "scores": {"cleaning": 80}}, "community")
        vote = await create(prop, f"/trials/{converted['id']}/votes", {
            "closes_at": (NOW + timedelta(days=14)).isoformat(),
            "owners": [{"owner_id": "R-1", "area_m2": "100"}]}, "community")
        await create(prop, f"/votes/{vote['id']}/ballots", {"owner_id": "R-1", "choice": "yes"},
                     "owners")
        closed = await prop.client.post(f"/votes/{vote['id']}/close", headers=admin)
        assert closed.json()["status"] == "passed"
        failed = await create(prop, f"/trials/{ended['id']}/votes", {
            "closes_at": (NOW + timedelta(days=14)).isoformat(),
            "owners": [{"owner_id": "R-1", "area_m2": "100"}]}, "community")
        await create(prop, f"/votes/{failed['id']}/ballots", {"owner_id": "R-1", "choice": "no"},
                     "owners")
        await prop.client.post(f"/votes/{failed['id']}/close", headers=admin)
        extended = await prop.client.post(f"/trials/{ended['id']}/extend", headers=admin,
                                          json={"new_end": "2027-03-31"})
        assert extended.status_code == 200, extended.text
        await prop.client.post(f"/trials/{ended['id']}/end", json={"reason": "x"}, headers=admin)

        events = await prop.published(*TRIAL_FACTS)
        assert {e.type for e in events} == set(TRIAL_FACTS)
        orgs = {converted["id"]: PROVIDER_ORG, ended["id"]: RIVAL}
        providers = {converted["id"]: converted["provider_id"],
                     ended["id"]: ended["provider_id"]}
        for event in events:
            trial_id = event.data["trial_id"]
            assert event.data["provider_org"] == orgs[trial_id], event.type
            assert event.data["provider_id"] == providers[trial_id], event.type

    async def test_the_trial_shows_its_providers_org(self, prop: PropertyHarness) -> None:
        trial = await running_trial(prop, provider_org=RIVAL)
        assert trial["provider_org"] == RIVAL


async def _two_trials(prop: PropertyHarness) -> tuple[dict[str, Any], dict[str, Any], str]:
    """Our provider's trial, a rival's, and an open vote on the rival's."""
    ours = await running_trial(prop)
    theirs = await running_trial(prop, provider_org=RIVAL)
    vote = await create(prop, f"/trials/{theirs['id']}/votes", {
        "closes_at": (NOW + timedelta(days=14)).isoformat(),
        "owners": [{"owner_id": "R-1", "area_m2": "100"}]}, "community")
    return ours, theirs, vote["id"]


class TestAProviderSeesItsOwnTrialsOnly:
    async def test_the_list_holds_its_own_trials_only(self, prop: PropertyHarness) -> None:
        ours, _, _ = await _two_trials(prop)
        listed = await prop.client.get("/trials", headers=prop.auth("property_provider"))
        assert [t["id"] for t in listed.json()["items"]] == [ours["id"]]
        rival = await prop.client.get("/trials", headers=prop.auth("property_provider",
                                                                   org=RIVAL))
        assert [t["provider_org"] for t in rival.json()["items"]] == [RIVAL]

    @pytest.mark.parametrize("suffix", ["", "/assessments", "/votes"])
    async def test_a_rivals_trial_does_not_exist_for_it(
        self, prop: PropertyHarness, suffix: str,
    ) -> None:
        ours, theirs, _ = await _two_trials(prop)
        provider = prop.auth("property_provider")
        refused = await prop.client.get(f"/trials/{theirs['id']}{suffix}", headers=provider)
        assert refused.status_code == 404
        own = await prop.client.get(f"/trials/{ours['id']}{suffix}", headers=provider)
        assert own.status_code == 200

    async def test_a_rivals_vote_does_not_exist_for_it(self, prop: PropertyHarness) -> None:
        _, _, vote_id = await _two_trials(prop)
        refused = await prop.client.get(f"/votes/{vote_id}", headers=prop.auth(
            "property_provider"))
        assert refused.status_code == 404
        own = await prop.client.get(f"/votes/{vote_id}", headers=prop.auth(
            "property_provider", org=RIVAL))
        assert own.status_code == 200

    async def test_a_provider_token_without_org_sees_no_trial(
        self, prop: PropertyHarness,
    ) -> None:
        ours, _, _ = await _two_trials(prop)
        nameless = prop.auth("property_provider", org="")
        assert (await prop.client.get("/trials", headers=nameless)).json()["items"] == []
        got = await prop.client.get(f"/trials/{ours['id']}", headers=nameless)
        assert got.status_code == 404

    async def test_other_readers_still_see_every_trial(self, prop: PropertyHarness) -> None:
        await _two_trials(prop)
        for role in ("owner", "dashboard", "contractor"):
            listed = await prop.client.get("/trials", headers=prop.auth(role))
            assert len(listed.json()["items"]) == 2, role
