"""Concurrent writers on PostgreSQL (SQLite serialises writers and would hide every race).

Each test fires the same request twelve times at once and checks that the locked write path
leaves one outcome: one close and one conversion, one register, one insert per ballot.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.property.config import PropertySettings
from tests.property.conftest import (
    NOW,
    compound_body,
    create,
    property_service,
    provider_body,
    running_trial,
)
from tests.support import ServiceHarness

COPIES = 12
UNITS = [{"owner_id": f"R-{n}", "area_m2": "100"} for n in range(1, 5)]


@pytest.fixture
async def prop_pg(tmp_path: Path, pg_url: str) -> AsyncIterator[ServiceHarness]:
    async with property_service(tmp_path, PropertySettings(database_url=pg_url)) as harness:
        yield harness


async def at_once(send: Any) -> list[httpx.Response]:
    responses: list[httpx.Response] = await asyncio.gather(*(send() for _ in range(COPIES)))
    return responses


def statuses(responses: list[httpx.Response]) -> Counter[int]:
    return Counter(r.status_code for r in responses)


async def trial_with_open_vote(prop: ServiceHarness) -> tuple[dict[str, Any], dict[str, Any]]:
    trial = await running_trial(prop)
    closes_at = (NOW + timedelta(days=14)).isoformat()
    vote = await create(prop, f"/trials/{trial['id']}/votes",
                        {"closes_at": closes_at, "owners": UNITS}, "community")
    return trial, vote


async def test_a_vote_closes_once_however_many_closes_race(prop_pg: ServiceHarness) -> None:
    prop = prop_pg
    trial, vote = await trial_with_open_vote(prop)
    for unit in UNITS:
        response = await prop.client.post(f"/votes/{vote['id']}/ballots",
                                          json={"owner_id": unit["owner_id"], "choice": "yes"},
                                          headers=prop.auth("owners"))
        assert response.status_code == 201
    headers = {**prop.auth("subdistrict"), "If-Match": str(vote["version"])}
    responses = await at_once(lambda: prop.client.post(f"/votes/{vote['id']}/close",
                                                       headers=headers))
    assert statuses(responses) == {200: 1, 412: COPIES - 1}
    closes = await at_once(lambda: prop.client.post(f"/votes/{vote['id']}/close",
                                                    headers=prop.auth("subdistrict")))
    assert statuses(closes) == {409: COPIES}
    events = [e.type for e in await prop.published()]
    assert events.count("property.vote_closed") == 1
    assert events.count("property.contract_converted") == 1
    shown = (await prop.client.get(f"/trials/{trial['id']}", headers=prop.auth("owner"))).json()
    assert (shown["status"], shown["version"]) == ("converted", trial["version"] + 1)


async def test_register_replacements_with_one_if_match_have_one_winner(
        prop_pg: ServiceHarness) -> None:
    prop = prop_pg
    compound = await create(prop, "/compounds", compound_body())
    path = f"/compounds/{compound['id']}/owners"
    headers = {**prop.auth("community"), "If-Match": str(compound["version"])}
    responses = await at_once(lambda: prop.client.put(path, json=UNITS, headers=headers))
    assert statuses(responses) == {200: 1, 412: COPIES - 1}
    register = (await prop.client.get(path, headers=prop.auth("community"))).json()
    assert (len(register["units"]), register["version"]) == (len(UNITS), compound["version"] + 1)


async def test_register_replacements_without_if_match_apply_one_after_another(
        prop_pg: ServiceHarness) -> None:
    prop = prop_pg
    compound = await create(prop, "/compounds", compound_body())
    path = f"/compounds/{compound['id']}/owners"
    responses = await at_once(lambda: prop.client.put(path, json=UNITS,
                                                      headers=prop.auth("community")))
    assert statuses(responses) == {200: COPIES}
    register = (await prop.client.get(path, headers=prop.auth("community"))).json()
    assert (len(register["units"]), register["version"]) == (len(UNITS), 1 + COPIES)


async def test_first_ballots_of_one_owner_racing_are_one_ballot_and_replacements(
        prop_pg: ServiceHarness) -> None:
    prop = prop_pg
    _, vote = await trial_with_open_vote(prop)
    responses = await at_once(lambda: prop.client.post(
        f"/votes/{vote['id']}/ballots", json={"owner_id": "R-1", "choice": "yes"},
        headers=prop.auth("owners")))
    assert statuses(responses) == {201: COPIES}
    assert Counter(r.json()["replaced_previous"] for r in responses) == {False: 1,
                                                                        True: COPIES - 1}
    shown = (await prop.client.get(f"/votes/{vote['id']}", headers=prop.auth("owner"))).json()
    assert shown["ballots_cast"] == 1


async def test_ending_a_trial_races_to_one_end_and_cancels_its_vote_once(
        prop_pg: ServiceHarness) -> None:
    prop = prop_pg
    trial, vote = await trial_with_open_vote(prop)
    responses = await at_once(lambda: prop.client.post(
        f"/trials/{trial['id']}/end", json={"reason": "withdrawn"},
        headers=prop.auth("subdistrict")))
    assert statuses(responses) == {200: 1, 409: COPIES - 1}
    shown = (await prop.client.get(f"/votes/{vote['id']}", headers=prop.auth("owner"))).json()
    assert (shown["status"], shown["version"]) == ("cancelled", vote["version"] + 1)
    assert len(await prop.published("property.trial_ended")) == 1


async def test_a_licence_registered_by_racing_requests_is_registered_once(
        prop_pg: ServiceHarness) -> None:
    prop = prop_pg
    responses = await at_once(lambda: prop.client.post("/providers", json=provider_body(),
                                                       headers=prop.auth("subdistrict")))
    assert statuses(responses) == {201: 1, 409: COPIES - 1}
    listed = (await prop.client.get("/providers", headers=prop.auth("owner"))).json()
    assert len(listed["items"]) == 1
