"""Consumed events: site boards, acceptance verdicts, and the rectification loop."""

from __future__ import annotations

from shared.consumer import Outcome
from shared.contracts.acceptance import AcceptanceFailed, AcceptancePassed
from shared.contracts.complaints import SiteBoardPublished
from tests.projects.factories import builder, completed, contractor, post
from tests.support import ServiceHarness


def passed(project_id: str, round_: int = 1) -> AcceptancePassed:
    return AcceptancePassed(acceptance_id="acc-1", project_id=project_id, community_id="dongdu",
                            round=round_, decided_at="2022-12-01T00:00:00Z")  # type: ignore[arg-type]


def failed(project_id: str) -> AcceptanceFailed:
    return AcceptanceFailed(acceptance_id="acc-1", project_id=project_id, community_id="dongdu",
                            round=1, decided_at="2022-12-01T00:00:00Z",  # type: ignore[arg-type]
                            defect_count=2, rejecting_parties=["owners"])


async def status_of(svc: ServiceHarness, project_id: str) -> str:
    response = await svc.client.get(f"/projects/{project_id}", headers=svc.auth("dashboard"))
    status: str = response.json()["status"]
    return status


async def test_acceptance_passed_makes_the_project_accepted_and_says_so(svc: ServiceHarness
                                                                        ) -> None:
    project_id = await completed(svc)
    assert await svc.deliver(passed(project_id), subject="acc-1") is Outcome.APPLIED
    assert await status_of(svc, project_id) == "accepted"
    [event] = await svc.published("project.accepted")
    assert (event.subject, event.data["acceptance_id"]) == (project_id, "acc-1")


async def test_a_redelivered_verdict_changes_nothing(svc: ServiceHarness) -> None:
    project_id = await completed(svc)
    await svc.deliver(passed(project_id), subject="acc-1", event_id="e-1")
    assert await svc.deliver(passed(project_id), subject="acc-1", event_id="e-1") is (
        Outcome.DUPLICATE)
    assert len(await svc.published("project.accepted")) == 1


async def test_failure_then_rectification_then_pass(svc: ServiceHarness) -> None:
    project_id = await completed(svc)
    await svc.deliver(failed(project_id), subject="acc-1")
    assert await status_of(svc, project_id) == "rectifying"
    rectified = await post(svc, f"/projects/{project_id}/rectified", contractor(svc))
    assert rectified["status"] == "completed"
    [event] = await svc.published("project.rectified")
    assert event.subject == project_id
    await svc.deliver(passed(project_id, round_=2), subject="acc-1")
    assert await status_of(svc, project_id) == "accepted"
    operated = await post(svc, f"/projects/{project_id}/operate", builder(svc))
    assert operated["status"] == "in_operation"
    assert len(await svc.published("project.put_into_operation")) == 1


async def test_only_the_contractor_declares_rectification(svc: ServiceHarness) -> None:
    project_id = await completed(svc)
    await svc.deliver(failed(project_id), subject="acc-1")
    response = await svc.client.post(f"/projects/{project_id}/rectified", headers=builder(svc))
    assert response.status_code == 403


async def test_a_verdict_for_an_unknown_project_is_ignored(svc: ServiceHarness) -> None:
    assert await svc.deliver(passed("ghost"), subject="acc-1") is Outcome.APPLIED
    assert await svc.published("project.accepted") == []


async def test_a_site_board_may_arrive_before_the_project(svc: ServiceHarness) -> None:
    board = SiteBoardPublished(project_id="future", published_at="2022-03-01T00:00:00Z")  # type: ignore[arg-type]
    assert await svc.deliver(board, subject="future") is Outcome.APPLIED
    assert await svc.deliver(board, subject="future") is Outcome.APPLIED  # republished
