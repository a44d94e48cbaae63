"""Offices sign and read only in their own area; the owners sign as the project names them.

The community's offices (`district_bureau`, `subdistrict`, `community`) are those of its
jurisdiction: seeded for the pilot communities, then as `community.jurisdiction_set` says,
from the moment that event arrives.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from shared.consumer import Outcome
from shared.contracts.projects import CommunityJurisdictionSet
from tests.acceptance.factories import (
    COMMUNITY,
    OFFICES,
    START,
    completed,
    open_acceptance,
    party_auth,
    signature,
)
from tests.support import ServiceHarness

# Offices of another district and community (xinxing, Xiang'an: seeded).
XIANGAN = {"district_bureau": "xiangan-bureau", "subdistrict": "xinxing-street",
           "community": "xinxing"}


def jurisdiction_set(*, set_at: Any = START, **orgs: str) -> CommunityJurisdictionSet:
    values = {"district_bureau_org": OFFICES["district_bureau"],
              "subdistrict_org": OFFICES["subdistrict"],
              "community_org": OFFICES["community"], **orgs}
    return CommunityJurisdictionSet(community_id=COMMUNITY, district="siming", set_at=set_at,
                                    **values)


async def sign_as(harness: ServiceHarness, acceptance_id: str, party: str,
                  headers: dict[str, str]) -> int:
    response = await harness.client.post(f"/acceptances/{acceptance_id}/signatures",
                                         json=signature(party), headers=headers)
    return response.status_code


@pytest.fixture
async def opened(acceptance: ServiceHarness) -> dict[str, Any]:
    return await open_acceptance(acceptance)


class TestOfficesSign:
    @pytest.mark.parametrize("office", sorted(XIANGAN))
    async def test_an_office_of_another_area_is_refused_and_writes_nothing(
        self, acceptance: ServiceHarness, opened: dict[str, Any], office: str,
    ) -> None:
        stranger = acceptance.auth(office, org=XIANGAN[office])
        assert await sign_as(acceptance, opened["id"], office, stranger) == 403
        assert await acceptance.published("acceptance.signed") == []

    @pytest.mark.parametrize("office", sorted(XIANGAN))
    async def test_the_office_of_the_projects_community_signs(
        self, acceptance: ServiceHarness, opened: dict[str, Any], office: str,
    ) -> None:
        assert await sign_as(acceptance, opened["id"], office,
                             party_auth(acceptance, office)) == 201

    @pytest.mark.parametrize("office", sorted(XIANGAN))
    async def test_an_office_token_without_org_is_refused(
        self, acceptance: ServiceHarness, opened: dict[str, Any], office: str,
    ) -> None:
        assert await sign_as(acceptance, opened["id"], office, acceptance.auth(office)) == 403

    async def test_nobody_signs_for_the_offices_of_a_community_with_no_jurisdiction(
        self, acceptance: ServiceHarness,
    ) -> None:
        view = await open_acceptance(acceptance, completed("p-far").model_copy(
            update={"community_id": "nowhere"}))
        for office, org in (("subdistrict", "nowhere-street"), ("community", "nowhere")):
            assert await sign_as(acceptance, view["id"], office,
                                 acceptance.auth(office, org=org)) == 403


class TestAJurisdictionChangeByEvent:
    async def test_moves_the_right_to_sign_to_the_new_office_at_once(
        self, acceptance: ServiceHarness, opened: dict[str, Any],
    ) -> None:
        outcome = await acceptance.deliver(jurisdiction_set(subdistrict_org="haibin-street"),
                                           subject=COMMUNITY)
        assert outcome is Outcome.APPLIED
        former = party_auth(acceptance, "subdistrict")
        assert await sign_as(acceptance, opened["id"], "subdistrict", former) == 403
        successor = acceptance.auth("subdistrict", org="haibin-street")
        assert await sign_as(acceptance, opened["id"], "subdistrict", successor) == 201

    async def test_an_older_event_arriving_late_changes_nothing(
        self, acceptance: ServiceHarness, opened: dict[str, Any],
    ) -> None:
        await acceptance.deliver(jurisdiction_set(community_org="shentian-2"),
                                 subject=COMMUNITY)
        stale = jurisdiction_set(community_org="shentian-old", set_at=START - timedelta(days=1))
        await acceptance.deliver(stale, subject=COMMUNITY)
        old = acceptance.auth("community", org="shentian-old")
        assert await sign_as(acceptance, opened["id"], "community", old) == 403
        current = acceptance.auth("community", org="shentian-2")
        assert await sign_as(acceptance, opened["id"], "community", current) == 201

    async def test_moves_what_the_offices_read(
        self, acceptance: ServiceHarness, opened: dict[str, Any],
    ) -> None:
        former = party_auth(acceptance, "district_bureau")
        successor = acceptance.auth("district_bureau", org="siming-construction")
        await acceptance.deliver(jurisdiction_set(district_bureau_org="siming-construction"),
                                 subject=COMMUNITY)
        path = f"/acceptances/{opened['id']}"
        assert (await acceptance.client.get(path, headers=former)).status_code == 404
        assert (await acceptance.client.get(path, headers=successor)).status_code == 200
        listed = await acceptance.client.get("/acceptances", headers=successor)
        assert [item["id"] for item in listed.json()["items"]] == [opened["id"]]
        assert (await acceptance.client.get("/acceptances", headers=former)).json()["items"] == []


async def test_the_view_names_the_offices_that_sign_as_the_jurisdiction_stands(
    acceptance: ServiceHarness, opened: dict[str, Any],
) -> None:
    orgs = {p["party"]: p["org"] for p in opened["parties"]}
    assert {office: orgs[office] for office in XIANGAN} == OFFICES
    await acceptance.deliver(jurisdiction_set(subdistrict_org="haibin-street"),
                             subject=COMMUNITY)
    view = await acceptance.client.get(f"/acceptances/{opened['id']}",
                                       headers=acceptance.auth("admin"))
    assert {p["party"]: p["org"] for p in view.json()["parties"]}["subdistrict"] == \
        "haibin-street"


class TestOfficesRead:
    @pytest.mark.parametrize("suffix", ["", "/record", "/record.html", "/verify"])
    @pytest.mark.parametrize("office", sorted(XIANGAN))
    async def test_an_office_of_another_area_does_not_learn_the_acceptance_exists(
        self, acceptance: ServiceHarness, opened: dict[str, Any], office: str, suffix: str,
    ) -> None:
        response = await acceptance.client.get(f"/acceptances/{opened['id']}{suffix}",
                                               headers=acceptance.auth(office,
                                                                       org=XIANGAN[office]))
        assert response.status_code == 404

    @pytest.mark.parametrize("office", sorted(XIANGAN))
    async def test_each_office_lists_only_the_acceptances_of_its_area(
        self, acceptance: ServiceHarness, office: str,
    ) -> None:
        here = await open_acceptance(acceptance, completed("p-here"))
        there = await open_acceptance(acceptance, completed("p-there").model_copy(
            update={"community_id": "xinxing"}))
        for headers, expected in ((party_auth(acceptance, office), here["id"]),
                                  (acceptance.auth(office, org=XIANGAN[office]), there["id"])):
            listed = await acceptance.client.get("/acceptances", headers=headers)
            assert [item["id"] for item in listed.json()["items"]] == [expected]
            one = await acceptance.client.get(f"/acceptances/{expected}", headers=headers)
            assert one.status_code == 200

    async def test_admin_and_the_owners_side_read_everywhere(
        self, acceptance: ServiceHarness, opened: dict[str, Any],
    ) -> None:
        for headers in (acceptance.auth("admin"), acceptance.auth("owners", org="yzwh-9")):
            response = await acceptance.client.get(f"/acceptances/{opened['id']}",
                                                   headers=headers)
            assert response.status_code == 200


class TestTheOwnersParty:
    async def test_only_the_representative_the_project_names_signs_as_owners(
        self, acceptance: ServiceHarness,
    ) -> None:
        view = await open_acceptance(acceptance, completed(owners="yzwh-7"))
        owners = next(p for p in view["parties"] if p["party"] == "owners")
        assert owners["org"] == "yzwh-7"
        for org in ("yzwh-8", None):
            assert await sign_as(acceptance, view["id"], "owners",
                                 acceptance.auth("owners", org=org)) == 403
        assert await sign_as(acceptance, view["id"], "owners",
                             acceptance.auth("owners", org="yzwh-7")) == 201

    async def test_without_a_named_representative_any_owners_token_signs(
        self, acceptance: ServiceHarness, opened: dict[str, Any],
    ) -> None:
        assert await sign_as(acceptance, opened["id"], "owners",
                             acceptance.auth("owners", org="yzwh-9")) == 201
