"""Offices act only in their own area: compounds, registers, trials, assessments, votes,
candidates and coverage of a community, for the offices of its jurisdiction only.

The world is a compound of shentian (seeded offices: siming-bureau, shentian-street,
shentian) with a register, a running trial and an open vote. The strangers are the offices of
xinxing (Xiang'an district).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from shared.consumer import Outcome
from shared.contracts.projects import CommunityJurisdictionSet
from tests.property.conftest import (
    COMMUNITY,
    NOW,
    PropertyHarness,
    compound_body,
    create,
    office,
    provider_body,
    running_trial,
    trial_body,
)

XIANGAN = {"district_bureau": "xiangan-bureau", "subdistrict": "xinxing-street",
           "community": "xinxing"}
UNITS = [{"owner_id": "R-1", "area_m2": "120"}, {"owner_id": "R-2", "area_m2": "100"}]


@dataclass
class World:
    compound_id: str
    provider_id: str
    trial_id: str
    vote_id: str


async def world_of(prop: PropertyHarness) -> World:
    trial = await running_trial(prop)
    admin = prop.auth("admin")
    put = await prop.client.put(f"/compounds/{trial['compound_id']}/owners", json=UNITS,
                                headers=admin)
    assert put.status_code == 200
    vote = await create(prop, f"/trials/{trial['id']}/votes",
                        {"closes_at": (NOW + timedelta(days=14)).isoformat()}, "admin")
    return World(trial["compound_id"], trial["provider_id"], trial["id"], vote["id"])


Request = Callable[[World], dict[str, Any]]
# Each area-bound operation, the offices it admits in their own area, and a valid request.
BOUND: dict[str, tuple[tuple[str, ...], Request]] = {
    "POST /compounds": (("subdistrict", "community"), lambda w: {
        "method": "POST", "url": "/compounds", "json": compound_body()}),
    "PUT /compounds/{id}/owners": (("subdistrict", "community"), lambda w: {
        "method": "PUT", "url": f"/compounds/{w.compound_id}/owners", "json": UNITS}),
    "GET /compounds/{id}/owners": (("district_bureau", "subdistrict", "community"), lambda w: {
        "method": "GET", "url": f"/compounds/{w.compound_id}/owners"}),
    "POST /trials": (("subdistrict",), lambda w: {
        "method": "POST", "url": "/trials", "json": trial_body(w.compound_id, w.provider_id)}),
    "POST /trials/{id}/end": (("subdistrict",), lambda w: {
        "method": "POST", "url": f"/trials/{w.trial_id}/end", "json": {"reason": "withdrawn"}}),
    "POST /trials/{id}/extend": (("subdistrict",), lambda w: {
        "method": "POST", "url": f"/trials/{w.trial_id}/extend",
        "json": {"new_end": "2027-03-31"}}),
    "POST /trials/{id}/assessments": (("subdistrict", "community"), lambda w: {
        "method": "POST", "url": f"/trials/{w.trial_id}/assessments",
        "json": {"period": "2026-02", "scores": {"cleaning": 80}}}),
    "POST /trials/{id}/votes": (("subdistrict", "community"), lambda w: {
        "method": "POST", "url": f"/trials/{w.trial_id}/votes",
        "json": {"closes_at": (NOW + timedelta(days=30)).isoformat()}}),
    "POST /votes/{id}/ballots": (("community",), lambda w: {
        "method": "POST", "url": f"/votes/{w.vote_id}/ballots",
        "json": {"owner_id": "R-1", "choice": "yes"}}),
    "POST /votes/{id}/close": (("subdistrict",), lambda w: {
        "method": "POST", "url": f"/votes/{w.vote_id}/close"}),
    "GET /candidates": (("district_bureau", "subdistrict", "community"), lambda w: {
        "method": "GET", "url": "/candidates", "params": {"community_id": COMMUNITY}}),
    "GET /coverage": (("district_bureau", "subdistrict", "community"), lambda w: {
        "method": "GET", "url": "/coverage", "params": {"community_id": COMMUNITY}}),
}
CASES = [(operation, role) for operation, (roles, _) in BOUND.items() for role in roles]


def _request(operation: str, world: World) -> dict[str, Any]:
    return BOUND[operation][1](world)


@pytest.mark.parametrize(("operation", "role"), CASES)
async def test_an_office_of_another_area_is_refused_and_changes_nothing(
    prop: PropertyHarness, operation: str, role: str,
) -> None:
    world = await world_of(prop)
    before = await prop.published()
    response = await prop.client.request(**_request(operation, world),
                                         headers=prop.auth(role, org=XIANGAN[role]))
    assert response.status_code == 403, response.text
    assert "jurisdiction" in response.json()["detail"]
    assert await prop.published() == before


@pytest.mark.parametrize(("operation", "role"), CASES)
async def test_the_office_of_the_community_is_admitted(
    prop: PropertyHarness, operation: str, role: str,
) -> None:
    world = await world_of(prop)
    response = await prop.client.request(**_request(operation, world),
                                         headers=prop.auth(role, org=office(role)))
    # admitted: the request reaches the rule (a vote still open to a close is a 409)
    assert response.status_code not in (401, 403, 404), response.text


@pytest.mark.parametrize("role", ["subdistrict", "community"])
async def test_an_office_token_without_org_acts_nowhere(prop: PropertyHarness,
                                                       role: str) -> None:
    response = await prop.client.post("/compounds", json=compound_body(),
                                      headers=prop.auth(role, org=""))
    assert response.status_code == 403


async def test_a_community_without_jurisdiction_is_for_admin_only(prop: PropertyHarness) -> None:
    body = compound_body(community_id="not-a-pilot")
    refused = await prop.client.post("/compounds", json=body,
                                     headers=prop.auth("subdistrict", org="not-a-pilot-street"))
    assert refused.status_code == 403
    await create(prop, "/compounds", body, "admin")


def jurisdiction_set(set_at: Any = NOW, **orgs: str) -> CommunityJurisdictionSet:
    values = {role: office(role.removesuffix("_org")) or "" for role in
              ("district_bureau_org", "subdistrict_org", "community_org")}
    return CommunityJurisdictionSet(community_id=COMMUNITY, district="siming", set_at=set_at,
                                    **{**values, **orgs})


class TestAJurisdictionChangeByEvent:
    async def test_moves_the_right_to_act_to_the_new_office_at_once(
        self, prop: PropertyHarness,
    ) -> None:
        trial = await running_trial(prop)
        outcome = await prop.deliver(jurisdiction_set(subdistrict_org="haibin-street"),
                                     subject=COMMUNITY)
        assert outcome is Outcome.APPLIED
        end = f"/trials/{trial['id']}/end"
        former = await prop.client.post(end, json={"reason": "x"},
                                         headers=prop.auth("subdistrict"))
        assert former.status_code == 403
        successor = await prop.client.post(end, json={"reason": "x"},
                                           headers=prop.auth("subdistrict",
                                                             org="haibin-street"))
        assert successor.status_code == 200

    async def test_moves_what_an_office_oversees(self, prop: PropertyHarness) -> None:
        await prop.deliver(jurisdiction_set(district_bureau_org="siming-construction"),
                           subject=COMMUNITY)
        params = {"community_id": COMMUNITY}
        former = await prop.client.get("/coverage", params=params,
                                       headers=prop.auth("district_bureau"))
        successor = await prop.client.get("/coverage", params=params,
                                          headers=prop.auth("district_bureau",
                                                            org="siming-construction"))
        assert (former.status_code, successor.status_code) == (403, 200)

    async def test_an_older_event_arriving_late_changes_nothing(
        self, prop: PropertyHarness,
    ) -> None:
        await prop.deliver(jurisdiction_set(community_org="shentian-2"), subject=COMMUNITY)
        await prop.deliver(jurisdiction_set(community_org="shentian-old",
                                            set_at=NOW - timedelta(days=1)), subject=COMMUNITY)
        for org, status in (("shentian-old", 403), ("shentian-2", 201)):
            response = await prop.client.post("/compounds", json=compound_body(),
                                              headers=prop.auth("community", org=org))
            assert response.status_code == status


async def test_providers_are_registered_by_any_office_city_wide(prop: PropertyHarness) -> None:
    for index, (role, org) in enumerate(XIANGAN.items()):
        if role == "district_bureau":
            continue
        await create(prop, "/providers", provider_body(license_no=f"XM-{index}"), role,
                     org=org)
