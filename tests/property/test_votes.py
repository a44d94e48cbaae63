"""The owners' conversion vote through the HTTP API: snapshot, ballots, close, conversion."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from tests.property.conftest import NOW, create, running_trial, trial_body
from tests.support import ServiceHarness

CLOSES_AT = (NOW + timedelta(days=14)).isoformat()
# Five owners; R-1 holds two units. Total 500 m².
UNITS = [{"owner_id": "R-1", "area_m2": "60"}, {"owner_id": "R-1", "area_m2": "60"},
         {"owner_id": "R-2", "area_m2": "100"}, {"owner_id": "R-3", "area_m2": "100"},
         {"owner_id": "R-4", "area_m2": "100"}, {"owner_id": "R-5", "area_m2": "80"}]


async def trial_with_register(prop: ServiceHarness) -> dict[str, Any]:
    trial = await running_trial(prop)
    put = await prop.client.put(f"/compounds/{trial['compound_id']}/owners", json=UNITS,
                                headers=prop.auth("community"))
    assert put.status_code == 200
    return trial


async def open_vote(prop: ServiceHarness, trial: dict[str, Any], **body: Any) -> dict[str, Any]:
    return await create(prop, f"/trials/{trial['id']}/votes", {"closes_at": CLOSES_AT, **body},
                        "community")


async def cast(prop: ServiceHarness, vote: dict[str, Any], owner_id: str, choice: str,
               *roles: str, sub: str = "clerk") -> int:
    response = await prop.client.post(f"/votes/{vote['id']}/ballots",
                                      json={"owner_id": owner_id, "choice": choice},
                                      headers=prop.auth(*(roles or ("owners",)), sub=sub))
    return response.status_code


async def close(prop: ServiceHarness, vote: dict[str, Any]) -> Any:
    return await prop.client.post(f"/votes/{vote['id']}/close", headers=prop.auth("subdistrict"))


async def test_a_passed_vote_converts_the_trial_and_coverage_rises(prop: ServiceHarness) -> None:
    trial = await trial_with_register(prop)
    await create(prop, "/compounds", {"community_id": "shentian", "name": "Managed",
                                      "households": 80, "total_area_m2": "5000",
                                      "has_property_management": True})
    vote = await open_vote(prop, trial)
    assert (vote["eligible_owners"], vote["eligible_area_m2"]) == (5, "500.00")
    for owner, choice in [("R-1", "yes"), ("R-2", "yes"), ("R-3", "yes"), ("R-4", "no")]:
        assert await cast(prop, vote, owner, choice) == 201
    assert await cast(prop, vote, "R-5", "abstain", "owner", sub="R-5") == 201
    closed = await close(prop, vote)
    assert closed.status_code == 200, closed.text
    result = closed.json()
    assert result["status"] == "passed"
    assert result["participation"]["area"] == {"numerator": "500.00", "denominator": "500.00",
                                               "ratio": "1.0000", "threshold": ">= 2/3",
                                               "met": True}
    assert result["approval"]["owners"]["numerator"] == "3"
    assert result["approval"]["area"]["numerator"] == "320.00"
    converted = (await prop.client.get(f"/trials/{trial['id']}", headers=prop.auth("owner"))).json()
    assert converted["status"] == "converted"
    assert converted["contract_fee_cny_per_m2"] == "0.8500"
    compound = (await prop.client.get(f"/compounds/{trial['compound_id']}",
                                      headers=prop.auth("owner"))).json()
    assert compound["has_property_management"] is True
    coverage = (await prop.client.get("/coverage?community_id=shentian",
                                      headers=prop.auth("dashboard"))).json()
    assert coverage["before_trials"]["compounds_ratio"] == "0.5000"
    assert coverage["after_trials"]["compounds_ratio"] == "1.0000"
    assert coverage["after_trials"]["households_managed"] == 200
    events = await prop.published()
    assert [e.type for e in events] == [
        "property.compound_registered", "property.trial_started",
        "property.compound_registered", "property.vote_opened", "property.vote_closed",
        "property.contract_converted",
    ]
    assert events[4].data["approving_area_m2"] == "320.00"
    assert all("R-" not in json.dumps(e.data) for e in events)


async def test_a_second_ballot_replaces_the_first(prop: ServiceHarness) -> None:
    trial = await trial_with_register(prop)
    vote = await open_vote(prop, trial)
    for owner in ("R-1", "R-2", "R-3", "R-4", "R-5"):
        await cast(prop, vote, owner, "yes")
    replaced = await prop.client.post(f"/votes/{vote['id']}/ballots",
                                      json={"owner_id": "R-1", "choice": "no"},
                                      headers=prop.auth("owners"))
    assert replaced.json()["replaced_previous"] is True
    result = (await close(prop, vote)).json()
    assert result["ballots_cast"] == 5
    assert result["approval"]["owners"]["numerator"] == "4"
    assert result["approval"]["area"]["numerator"] == "380.00"


async def test_an_owner_votes_only_for_themselves(prop: ServiceHarness) -> None:
    trial = await trial_with_register(prop)
    vote = await open_vote(prop, trial)
    assert await cast(prop, vote, "R-2", "yes", "owner", sub="R-1") == 403
    assert await cast(prop, vote, "R-2", "yes", "property_provider") == 403
    assert await cast(prop, vote, "X-9", "yes") == 422
    response = await prop.client.post(f"/votes/{vote['id']}/ballots",
                                      json={"owner_id": "R-2", "choice": "maybe"},
                                      headers=prop.auth("owners"))
    assert response.status_code == 422


async def test_the_count_stays_hidden_while_the_vote_is_open(prop: ServiceHarness) -> None:
    trial = await trial_with_register(prop)
    vote = await open_vote(prop, trial)
    await cast(prop, vote, "R-1", "yes")
    shown = (await prop.client.get(f"/votes/{vote['id']}", headers=prop.auth("owner"))).json()
    assert shown["ballots_cast"] == 1
    assert shown["participation"] is None and shown["approval"] is None


async def test_closing_early_needs_every_owner_then_the_deadline(prop: ServiceHarness) -> None:
    trial = await trial_with_register(prop)
    vote = await open_vote(prop, trial)
    await cast(prop, vote, "R-1", "yes")
    early = await close(prop, vote)
    assert early.status_code == 409
    assert early.json()["ballots_cast"] == 1
    forbidden = await prop.client.post(f"/votes/{vote['id']}/close",
                                       headers=prop.auth("community"))
    assert forbidden.status_code == 403
    prop.clock.advance(timedelta(days=14))
    assert await cast(prop, vote, "R-2", "yes") == 409
    closed = await close(prop, vote)
    assert closed.json()["status"] == "invalid"
    assert (await close(prop, vote)).status_code == 409
    trial_now = (await prop.client.get(f"/trials/{trial['id']}", headers=prop.auth("owner")))
    assert trial_now.json()["status"] == "active"


async def test_after_a_failed_vote_the_subdistrict_extends_and_votes_again(
        prop: ServiceHarness) -> None:
    trial = await trial_with_register(prop)
    vote = await open_vote(prop, trial)
    for owner, choice in [("R-1", "no"), ("R-2", "no"), ("R-3", "yes"), ("R-4", "yes"),
                          ("R-5", "abstain")]:
        await cast(prop, vote, owner, choice)
    assert (await close(prop, vote)).json()["status"] == "failed"
    too_long = await prop.client.post(f"/trials/{trial['id']}/extend",
                                      json={"new_end": "2028-01-01"},
                                      headers=prop.auth("subdistrict"))
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "new_end"
    extended = await prop.client.post(f"/trials/{trial['id']}/extend",
                                      json={"new_end": "2027-06-30"},
                                      headers=prop.auth("subdistrict"))
    assert extended.status_code == 200
    assert extended.json()["status"] == "extended"
    assert extended.json()["end"] == "2027-06-30"
    [event] = await prop.published("property.trial_extended")
    assert event.data["new_end"] == "2027-06-30"
    second = await open_vote(prop, trial)
    assert second["status"] == "open"


async def test_the_register_given_at_opening_is_the_snapshot(prop: ServiceHarness) -> None:
    trial = await trial_with_register(prop)
    owners = [{"owner_id": "Q-1", "area_m2": "70"}, {"owner_id": "Q-2", "area_m2": "30"}]
    vote = await open_vote(prop, trial, owners=owners)
    assert (vote["eligible_owners"], vote["eligible_area_m2"]) == (2, "100.00")
    await prop.client.put(f"/compounds/{trial['compound_id']}/owners", json=UNITS[:1],
                          headers=prop.auth("community"))
    assert await cast(prop, vote, "Q-2", "yes") == 201
    assert await cast(prop, vote, "R-1", "yes") == 422


async def test_opening_is_refused_without_a_register_or_twice(prop: ServiceHarness) -> None:
    trial = await running_trial(prop)
    path = f"/trials/{trial['id']}/votes"
    missing = await prop.client.post(path, json={"closes_at": CLOSES_AT},
                                     headers=prop.auth("community"))
    assert missing.status_code == 409
    assert missing.json()["unmet"] == ["owner register"]
    past = await prop.client.post(path, json={"closes_at": NOW.isoformat(), "owners": UNITS},
                                  headers=prop.auth("community"))
    assert past.status_code == 422
    assert past.json()["errors"][0]["field"] == "closes_at"
    empty = await prop.client.post(path, json={"closes_at": CLOSES_AT, "owners": []},
                                   headers=prop.auth("community"))
    assert empty.status_code == 422
    by_owner = await prop.client.post(path, json={"closes_at": CLOSES_AT, "owners": UNITS},
                                      headers=prop.auth("owner"))
    assert by_owner.status_code == 403
    await open_vote(prop, trial, owners=UNITS)
    twice = await prop.client.post(path, json={"closes_at": CLOSES_AT, "owners": UNITS},
                                   headers=prop.auth("community"))
    assert twice.status_code == 409


async def test_ending_a_trial_cancels_its_open_vote(prop: ServiceHarness) -> None:
    trial = await trial_with_register(prop)
    vote = await open_vote(prop, trial)
    ended = await prop.client.post(f"/trials/{trial['id']}/end", json={"reason": "withdrawn"},
                                   headers=prop.auth("subdistrict"))
    assert ended.status_code == 200
    shown = (await prop.client.get(f"/votes/{vote['id']}", headers=prop.auth("owner"))).json()
    assert shown["status"] == "cancelled"
    assert await cast(prop, vote, "R-1", "yes") == 409
    listed = await prop.client.get(f"/trials/{trial['id']}/votes", headers=prop.auth("owner"))
    assert [v["status"] for v in listed.json()["items"]] == ["cancelled"]


async def test_a_converted_compound_gets_no_new_trial(prop: ServiceHarness) -> None:
    trial = await trial_with_register(prop)
    vote = await open_vote(prop, trial)
    for owner in ("R-1", "R-2", "R-3", "R-4", "R-5"):
        await cast(prop, vote, owner, "yes")
    assert (await close(prop, vote)).json()["status"] == "passed"
    again = await prop.client.post(
        "/trials", json=trial_body(trial["compound_id"], trial["provider_id"]),
        headers=prop.auth("subdistrict"))
    assert again.status_code == 409
    extend = await prop.client.post(f"/trials/{trial['id']}/extend",
                                    json={"new_end": "2027-03-31"},
                                    headers=prop.auth("subdistrict"))
    assert extend.status_code == 409


async def test_a_closing_time_without_an_offset_is_a_422_naming_it(prop: ServiceHarness) -> None:
    trial = await running_trial(prop)
    naive = await prop.client.post(f"/trials/{trial['id']}/votes",
                                   json={"closes_at": "2026-12-01T10:00:00", "owners": UNITS},
                                   headers=prop.auth("community"))
    assert naive.status_code == 422, naive.text
    assert naive.json()["errors"][0]["field"] == "closes_at"
    assert await prop.published("property.vote_opened") == []


async def test_a_closing_time_sent_in_beijing_time_reads_back_as_the_same_instant_in_utc(
        prop: ServiceHarness) -> None:
    trial = await trial_with_register(prop)
    vote = await open_vote(prop, trial, closes_at="2026-12-01T10:00:00+08:00")
    assert vote["closes_at"] == "2026-12-01T02:00:00Z"
    shown = await prop.client.get(f"/votes/{vote['id']}", headers=prop.auth("owner"))
    assert shown.json()["closes_at"] == "2026-12-01T02:00:00Z"
    listed = await prop.client.get(f"/trials/{trial['id']}/votes", headers=prop.auth("owner"))
    assert [v["closes_at"] for v in listed.json()["items"]] == ["2026-12-01T02:00:00Z"]
    [opened] = await prop.published("property.vote_opened")
    assert opened.data["closes_at"] == "2026-12-01T02:00:00Z"


async def test_every_resource_written_with_if_match_sends_its_version_as_etag(
        prop: ServiceHarness) -> None:
    trial = await trial_with_register(prop)
    vote = await open_vote(prop, trial)
    compound = f"/compounds/{trial['compound_id']}"
    for path in (compound, f"{compound}/owners", f"/trials/{trial['id']}",
                 f"/votes/{vote['id']}"):
        got = await prop.client.get(path, headers=prop.auth("subdistrict"))
        assert got.status_code == 200, path
        assert got.headers.get("ETag") == f'"{got.json()["version"]}"', path


async def test_the_etag_of_a_read_is_the_if_match_of_the_next_write(prop: ServiceHarness) -> None:
    trial = await trial_with_register(prop)
    register = f"/compounds/{trial['compound_id']}/owners"
    etag = (await prop.client.get(register, headers=prop.auth("community"))).headers["ETag"]
    put = await prop.client.put(register, json=UNITS[1:],
                                headers={**prop.auth("community"), "If-Match": etag})
    assert put.status_code == 200, put.text
    after = await prop.client.get(f"/compounds/{trial['compound_id']}",
                                  headers=prop.auth("community"))
    assert after.headers["ETag"] != etag
    stale = await prop.client.put(register, json=UNITS,
                                  headers={**prop.auth("community"), "If-Match": etag})
    assert stale.status_code == 412
    vote = await open_vote(prop, trial)
    assert await cast(prop, vote, "R-1", "yes") == 201
    assert await cast(prop, vote, "R-2", "yes") == 201
    prop.clock.advance(timedelta(days=14))
    vote_etag = (await prop.client.get(f"/votes/{vote['id']}",
                                       headers=prop.auth("owner"))).headers["ETag"]
    closed = await prop.client.post(f"/votes/{vote['id']}/close",
                                    headers={**prop.auth("subdistrict"), "If-Match": vote_etag})
    assert closed.status_code == 200, closed.text
    trial_etag = (await prop.client.get(f"/trials/{trial['id']}",
                                        headers=prop.auth("owner"))).headers["ETag"]
    ended = await prop.client.post(f"/trials/{trial['id']}/end", json={"reason": "withdrawn"},
                                   headers={**prop.auth("subdistrict"), "If-Match": trial_etag})
    assert ended.status_code == 200, ended.text
