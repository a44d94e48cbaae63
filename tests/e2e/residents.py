"""Scenario steps of residents and the complaints desk: reports, escalation, resolution."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.e2e.basics import CONTRACTOR, REPORTER, Actors, Run, SuiteHost, call, eventually


def complaint_body(project_id: str, category: str, *, with_contact: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "complaint", "category": category, "project_id": project_id,
        "description": "drilling after 22:00 next to block 5",
        "location": {"address": "block 5, gate 2"}, "anonymous": not with_contact,
    }
    if with_contact:
        body["contact"] = {"name": REPORTER[0], "phone": REPORTER[1]}
    return body


async def complaint_view(host: SuiteHost, who: Actors, complaint_id: str) -> dict[str, Any]:
    view: dict[str, Any] = await call(host.client("complaints"), "GET",
                                      f"/complaints/{complaint_id}", who.headers("subdistrict"))
    return view


async def settle(host: SuiteHost, who: Actors, complaint_id: str, access_token: str) -> None:
    """Assigned to the routed contractor, resolved by it, confirmed by the reporter."""
    complaints = host.client("complaints")
    assigned = await call(complaints, "POST", f"/complaints/{complaint_id}/assign",
                          who.headers("subdistrict"), {})
    assert assigned["assignee_org"] == CONTRACTOR
    await call(complaints, "POST", f"/complaints/{complaint_id}/resolve",
               who.headers("contractor", CONTRACTOR),
               {"resolution": "night work stopped; schedule posted at the gate"})
    closed = await call(complaints, "POST", f"/complaints/{complaint_id}/confirm",
                        who.bearer(access_token), {"satisfaction": 4})
    assert closed["status"] == "closed"


async def escalated_complaint(host: SuiteHost, who: Actors, run: Run) -> None:
    complaints = host.client("complaints")
    receipt = await call(complaints, "POST", "/complaints", {},
                         complaint_body(run.project_id, "noise", with_contact=True))
    complaint_id, access_token = receipt["id"], receipt["access_token"]
    run.complaint_ids.append(complaint_id)
    run.tokens.append(access_token)
    await call(complaints, "POST", f"/complaints/{complaint_id}/acknowledge",
               who.headers("subdistrict"))
    # Nobody acts within the noise SLA (24 h): the scanner escalates (街道吹哨).
    await host.advance_complaints_clock(timedelta(hours=25))

    async def escalated() -> bool:
        view = await complaint_view(host, who, complaint_id)
        return bool(view["escalation_level"] == "subdistrict")

    await eventually(escalated, "the SLA scanner escalates the overdue report")
    mine = await call(complaints, "GET", f"/complaints/{complaint_id}", who.bearer(access_token))
    assert mine["escalation_level"] == "subdistrict"  # the reporter sees it went up a level
    await settle(host, who, complaint_id, access_token)


async def prompt_complaint(host: SuiteHost, who: Actors, run: Run) -> None:
    """An anonymous dust report handled well within its SLA."""
    receipt = await call(host.client("complaints"), "POST", "/complaints", {},
                         complaint_body(run.project_id, "dust", with_contact=False))
    run.complaint_ids.append(receipt["id"])
    run.tokens.append(receipt["access_token"])
    await call(host.client("complaints"), "POST", f"/complaints/{receipt['id']}/acknowledge",
               who.headers("subdistrict"))
    await settle(host, who, receipt["id"], receipt["access_token"])
    view = await complaint_view(host, who, receipt["id"])
    assert view["escalation_level"] is None
