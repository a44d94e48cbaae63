"""Consumed events: project.completed opens, project.rectified re-opens, complaints project."""

from __future__ import annotations

from datetime import timedelta

from shared.consumer import Outcome
from shared.contracts.complaints import (
    ComplaintClosed,
    ComplaintReopened,
    ComplaintResolved,
)
from tests.acceptance.factories import (
    COMMUNITY,
    EIGHT_PARTIES,
    PROJECT,
    START,
    complaint,
    completed,
    open_acceptance,
    rectified,
    sign,
)
from tests.support import ServiceHarness


async def _sessions(harness: ServiceHarness, project_id: str = PROJECT) -> list[dict[str, str]]:
    page = await harness.client.get("/acceptances", params={"project_id": project_id},
                                    headers=harness.auth("admin"))
    items: list[dict[str, str]] = page.json()["items"]
    return items


async def _view(harness: ServiceHarness, acceptance_id: str) -> dict[str, object]:
    response = await harness.client.get(f"/acceptances/{acceptance_id}",
                                        headers=harness.auth("community", org=COMMUNITY))
    result: dict[str, object] = response.json()
    return result


async def _fail_round(harness: ServiceHarness, acceptance_id: str) -> None:
    for party in EIGHT_PARTIES:
        await sign(harness, acceptance_id, party, "reject" if party == "owners" else "approve")


async def test_project_completed_opens_a_session_with_the_derived_parties(
    acceptance: ServiceHarness,
) -> None:
    view = await open_acceptance(acceptance, completed(pipeline=["power-co", "gas-co"]))
    assert (view["round"], view["status"], view["community_id"]) == (1, "open", COMMUNITY)
    assert [p["party"] for p in view["parties"]] == [
        *EIGHT_PARTIES, "pipeline:power-co", "pipeline:gas-co"]
    [opened] = await acceptance.published("acceptance.session_opened")
    assert opened.subject == view["id"]
    assert opened.data["required_parties"][-1] == "pipeline:gas-co"
    assert opened.data["project_id"] == PROJECT


async def test_a_redelivered_project_completed_changes_nothing(
    acceptance: ServiceHarness,
) -> None:
    first = await acceptance.deliver(completed(), subject=PROJECT, event_id="same")
    again = await acceptance.deliver(completed(), subject=PROJECT, event_id="same")
    assert (first, again) == (Outcome.APPLIED, Outcome.DUPLICATE)
    assert len(await _sessions(acceptance)) == 1
    assert len(await acceptance.published("acceptance.session_opened")) == 1


async def test_a_project_completed_again_with_a_new_event_id_opens_no_second_session(
    acceptance: ServiceHarness,
) -> None:
    await acceptance.deliver(completed(), subject=PROJECT)
    assert await acceptance.deliver(completed(), subject=PROJECT) is Outcome.APPLIED
    assert len(await _sessions(acceptance)) == 1
    assert len(await acceptance.published("acceptance.session_opened")) == 1


async def test_project_rectified_opens_the_next_round_and_keeps_the_history(
    acceptance: ServiceHarness,
) -> None:
    view = await open_acceptance(acceptance)
    await _fail_round(acceptance, view["id"])
    acceptance.clock.advance(timedelta(days=10))
    await acceptance.deliver(rectified(), subject=PROJECT)
    after = await _view(acceptance, view["id"])
    assert (after["round"], after["status"]) == (2, "open")
    assert after["defects"] == []
    rounds = after["rounds"]
    assert isinstance(rounds, list)
    assert [(r["number"], r["status"]) for r in rounds] == [(1, "failed"), (2, "open")]
    assert rounds[0]["defects"][0]["party"] == "owners"
    [opened] = await acceptance.published("acceptance.round_opened")
    assert opened.data["round"] == 2
    assert opened.data["required_parties"] == EIGHT_PARTIES


async def test_the_second_round_takes_signatures_of_the_same_parties_again(
    acceptance: ServiceHarness,
) -> None:
    view = await open_acceptance(acceptance)
    await _fail_round(acceptance, view["id"])
    await acceptance.deliver(rectified(), subject=PROJECT)
    for party in EIGHT_PARTIES:
        assert (await sign(acceptance, view["id"], party)).status_code == 201
    assert (await _view(acceptance, view["id"]))["status"] == "passed"
    [passed] = await acceptance.published("acceptance.passed")
    assert passed.data["round"] == 2


async def test_completed_and_rectified_in_either_order_open_exactly_one_next_round(
    acceptance: ServiceHarness,
) -> None:
    view = await open_acceptance(acceptance)
    await _fail_round(acceptance, view["id"])
    await acceptance.deliver(completed(), subject=PROJECT)
    await acceptance.deliver(rectified(), subject=PROJECT)
    await acceptance.deliver(completed(), subject=PROJECT)
    assert (await _view(acceptance, view["id"]))["round"] == 2
    assert len(await _sessions(acceptance)) == 1


async def test_project_rectified_while_the_round_is_open_opens_nothing(
    acceptance: ServiceHarness,
) -> None:
    view = await open_acceptance(acceptance)
    assert await acceptance.deliver(rectified(), subject=PROJECT) is Outcome.APPLIED
    assert (await _view(acceptance, view["id"]))["round"] == 1
    assert await acceptance.published("acceptance.round_opened") == []


async def test_project_rectified_for_an_unknown_project_is_ignored(
    acceptance: ServiceHarness,
) -> None:
    assert await acceptance.deliver(rectified("nope"), subject="nope") is Outcome.APPLIED
    assert await _sessions(acceptance, "nope") == []


async def test_the_committee_sees_the_unresolved_complaints_of_the_project(
    acceptance: ServiceHarness,
) -> None:
    view = await open_acceptance(acceptance)
    await acceptance.deliver(complaint("c-1"), subject="c-1")
    await acceptance.deliver(complaint("c-2"), subject="c-2")
    await acceptance.deliver(complaint("c-3", project_id="other-project"), subject="c-3")
    later = START + timedelta(hours=1)
    await acceptance.deliver(complaint("c-2", status="resolved", occurred_at=later,
                                       event=ComplaintResolved), subject="c-2")
    after = await _view(acceptance, view["id"])
    assert after["unresolved_complaint_count"] == 1
    assert after["unresolved_complaints"] == [
        {"complaint_id": "c-1", "kind": "complaint", "category": "noise", "status": "received",
         "updated_at": "2025-06-02T09:00:00Z"}]


async def test_a_reopened_complaint_counts_again_and_a_closed_one_does_not(
    acceptance: ServiceHarness,
) -> None:
    view = await open_acceptance(acceptance)
    hour = timedelta(hours=1)
    await acceptance.deliver(complaint("c-1", status="resolved", event=ComplaintResolved),
                             subject="c-1")
    await acceptance.deliver(complaint("c-1", status="reopened", occurred_at=START + hour,
                                       event=ComplaintReopened), subject="c-1")
    await acceptance.deliver(complaint("c-2", status="closed", event=ComplaintClosed),
                             subject="c-2")
    after = await _view(acceptance, view["id"])
    assert [c["status"] for c in after["unresolved_complaints"]] == ["reopened"]  # type: ignore[attr-defined]


async def test_an_older_complaint_event_arriving_late_does_not_win(
    acceptance: ServiceHarness,
) -> None:
    view = await open_acceptance(acceptance)
    await acceptance.deliver(complaint("c-1", status="closed", occurred_at=START,
                                       event=ComplaintClosed), subject="c-1")
    await acceptance.deliver(complaint("c-1", occurred_at=START - timedelta(days=1)),
                             subject="c-1")
    assert (await _view(acceptance, view["id"]))["unresolved_complaint_count"] == 0


async def test_complaints_without_a_project_are_not_projected(acceptance: ServiceHarness) -> None:
    view = await open_acceptance(acceptance)
    assert await acceptance.deliver(complaint("c-9", project_id=None), subject="c-9") \
        is Outcome.APPLIED
    assert (await _view(acceptance, view["id"]))["unresolved_complaint_count"] == 0
