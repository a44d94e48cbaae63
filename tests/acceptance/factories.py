"""Factories for the acceptance tests: events, request bodies and the tokens of each party."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.contracts.complaints import ComplaintReceived
from shared.contracts.projects import ProjectCompleted, ProjectParties, ProjectRectified
from shared.jurisdiction import seeded_jurisdiction
from tests.support import ServiceHarness

COMMUNITY = "shentian"
# The offices of COMMUNITY as seeded (siming-bureau, shentian-street, shentian).
AREA = seeded_jurisdiction(COMMUNITY)
assert AREA is not None
OFFICES = {role: AREA.org_for(role) for role in ("district_bureau", "subdistrict", "community")}
PROJECT = "proj-1"
ORGS = {"builder": "org-builder", "designer": "org-design", "contractor": "org-build",
        "supervisor": "org-super"}
EIGHT_PARTIES = ["builder", "district_bureau", "subdistrict", "community", "owners", "designer",
                 "contractor", "supervisor"]
START = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


def completed(project_id: str = PROJECT, *, pipeline: list[str] | None = None,
              title: str | None = None, community_id: str = COMMUNITY,
              **parties: Any) -> ProjectCompleted:
    return ProjectCompleted(
        project_id=project_id, community_id=community_id, completed_at=START, title=title,
        parties=ProjectParties(**{**ORGS, "pipeline": pipeline or [], **parties}),
    )


def rectified(project_id: str = PROJECT) -> ProjectRectified:
    return ProjectRectified(project_id=project_id, community_id=COMMUNITY, rectified_at=START)


def complaint(complaint_id: str = "c-1", *, status: str = "received",
              project_id: str | None = PROJECT, occurred_at: datetime = START,
              event: type[Any] = ComplaintReceived, **extra: Any) -> Any:
    return event(complaint_id=complaint_id, kind="complaint", category="noise", status=status,
                 project_id=project_id, community_id=COMMUNITY, occurred_at=occurred_at,
                 **extra)


def signature(party: str, verdict: str = "approve", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"party": party, "verdict": verdict, "comment": None, "defects": []}
    if verdict == "reject":
        body["defects"] = [{"description": "cracked paving at gate 2", "severity": "major"}]
    return {**body, **overrides}


def party_auth(harness: ServiceHarness, party: str, *, sub: str | None = None
               ) -> dict[str, str]:
    """The headers of a committee member signing for `party` on the default project."""
    sub = sub or f"member-{party.replace(':', '-')}"
    if party.startswith("pipeline:"):
        return harness.auth("pipeline", org=party.removeprefix("pipeline:"), sub=sub)
    if party in ORGS:
        return harness.auth(party, org=ORGS[party], sub=sub)
    if party in OFFICES:
        return harness.auth(party, org=OFFICES[party], sub=sub)
    return harness.auth(party, sub=sub)


async def open_acceptance(harness: ServiceHarness, event: ProjectCompleted | None = None
                          ) -> dict[str, Any]:
    """Deliver `project.completed` and return the committee's view of the new session."""
    event = event or completed()
    await harness.deliver(event, subject=event.project_id)
    page = await harness.client.get("/acceptances", params={"project_id": event.project_id},
                                    headers=harness.auth("admin"))
    [summary] = page.json()["items"]
    view = await harness.client.get(f"/acceptances/{summary['id']}",
                                    headers=harness.auth("admin"))
    result: dict[str, Any] = view.json()
    return result


async def sign(harness: ServiceHarness, acceptance_id: str, party: str, verdict: str = "approve",
               **overrides: Any) -> Any:
    return await harness.client.post(
        f"/acceptances/{acceptance_id}/signatures", json=signature(party, verdict, **overrides),
        headers=party_auth(harness, party),
    )
