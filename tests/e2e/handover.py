"""Scenario steps after the works: joint acceptance, then interim property service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.e2e.basics import (
    BUILDER,
    COMMUNITY,
    CONTRACTOR,
    Actors,
    Run,
    SuiteHost,
    call,
    eventually,
)
from tests.e2e.works import iso, wait_for_status


async def acceptance_view(host: SuiteHost, who: Actors, acceptance_id: str) -> dict[str, Any]:
    view: dict[str, Any] = await call(host.client("acceptance"), "GET",
                                      f"/acceptances/{acceptance_id}",
                                      who.headers("district_bureau"))
    return view


async def opened_acceptance(host: SuiteHost, who: Actors, project_id: str) -> str:
    async def opened() -> str | None:
        page = await call(host.client("acceptance"), "GET", "/acceptances",
                          who.headers("district_bureau"), params={"project_id": project_id})
        return page["items"][0]["id"] if page["items"] else None

    acceptance_id: str = await eventually(opened, "project.completed opens an acceptance")
    return acceptance_id


def party_headers(who: Actors, party: dict[str, Any]) -> dict[str, str]:
    org = party["org"] or (COMMUNITY if party["role"] == "community" else None)
    return who.headers(party["role"], org)


async def sign_round(host: SuiteHost, who: Actors, acceptance_id: str,
                     rejecting: str | None = None) -> dict[str, Any]:
    view = await acceptance_view(host, who, acceptance_id)
    assert view["status"] == "open"
    for party in view["parties"]:
        verdict = "reject" if party["party"] == rejecting else "approve"
        defects = ([{"description": "tactile paving missing at gate 2", "severity": "major"}]
                   if verdict == "reject" else [])
        await call(host.client("acceptance"), "POST", f"/acceptances/{acceptance_id}/signatures",
                   party_headers(who, party),
                   {"party": party["party"], "verdict": verdict, "comment": None,
                    "defects": defects})
    return await acceptance_view(host, who, acceptance_id)


async def joint_acceptance(host: SuiteHost, who: Actors, run: Run) -> None:
    acceptance = host.client("acceptance")
    run.acceptance_id = await opened_acceptance(host, who, run.project_id)
    await call(acceptance, "POST", f"/acceptances/{run.acceptance_id}/schedule",
               who.headers("builder", BUILDER),
               {"scheduled_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
                "place": "community hall"})
    await acceptance_sees_settled_complaints(host, who, run)
    first = await sign_round(host, who, run.acceptance_id, rejecting="owners")
    assert (first["status"], first["round"]) == ("failed", 1)
    assert [d["party"] for d in first["defects"]] == ["owners"]
    await wait_for_status(host, who, run.project_id, "rectifying")
    await call(host.client("projects"), "POST", f"/projects/{run.project_id}/rectified",
               who.headers("contractor", CONTRACTOR))

    async def second_round_open() -> bool:
        view = await acceptance_view(host, who, run.acceptance_id)
        return (view["round"], view["status"]) == (2, "open")

    await eventually(second_round_open, "project.rectified opens round 2")
    second = await sign_round(host, who, run.acceptance_id)
    assert (second["status"], second["round"]) == ("passed", 2)
    verified = await call(acceptance, "GET", f"/acceptances/{run.acceptance_id}/verify",
                          who.headers("district_bureau"))
    assert verified["valid"] is True
    await wait_for_status(host, who, run.project_id, "accepted")


async def acceptance_sees_settled_complaints(host: SuiteHost, who: Actors, run: Run) -> None:
    async def settled() -> bool:
        view = await acceptance_view(host, who, run.acceptance_id)
        return bool(view["unresolved_complaint_count"] == 0)

    await eventually(settled, "acceptance sees the project's complaints closed")


# -- property: candidates, trial, vote, conversion ----------------------------------------

async def register_compounds(host: SuiteHost, who: Actors) -> tuple[str, str]:
    """A managed compound and one without management, before the acceptance passes."""
    property_ = host.client("property")
    managed = await call(property_, "POST", "/compounds", who.headers("subdistrict"),
                         {"community_id": COMMUNITY, "name": "Shengguang Garden",
                          "households": 200, "total_area_m2": "18000.00",
                          "has_property_management": True})
    unmanaged = await call(property_, "POST", "/compounds", who.headers("subdistrict"),
                           {"community_id": COMMUNITY, "name": "Old Mill Quarters",
                            "households": 3, "total_area_m2": "300.00",
                            "has_property_management": False})
    return str(managed["id"]), str(unmanaged["id"])


async def coverage(host: SuiteHost, who: Actors) -> dict[str, Any]:
    figures: dict[str, Any] = await call(host.client("property"), "GET", "/coverage",
                                         who.headers("dashboard"),
                                         params={"community_id": COMMUNITY})
    return figures


async def interim_service(host: SuiteHost, who: Actors, run: Run, compound_id: str) -> None:
    property_ = host.client("property")

    async def offered() -> bool:
        page = await call(property_, "GET", "/candidates", who.headers("subdistrict"),
                          params={"community_id": COMMUNITY})
        return compound_id in [c["compound_id"] for c in page["items"]]

    await eventually(offered, "acceptance.passed offers the unmanaged compound")
    provider = await call(property_, "POST", "/providers", who.headers("subdistrict"),
                          {"org": "harbour-pm", "name": "Harbour Property Services",
                           "license_no": "XM-2025-0042"})
    today = datetime.now(UTC).date()
    trial = await call(property_, "POST", "/trials", who.headers("subdistrict"),
                       {"compound_id": compound_id, "provider_id": provider["id"],
                        "start": iso(today), "end": iso(today + timedelta(days=180)),
                        "scope": "cleaning, security, greening", "monthly_subsidy_cny": "8000.00",
                        "proposed_fee_cny_per_m2": "1.2"})
    run.trial_id = str(trial["id"])
    await conversion_vote(host, who, run.trial_id)
    converted = await call(property_, "GET", f"/trials/{run.trial_id}",
                           who.headers("subdistrict"))
    assert converted["status"] == "converted"


async def conversion_vote(host: SuiteHost, who: Actors, trial_id: str) -> None:
    """Three owners (pseudonymous register ids): two yes, one no — art. 278 passes."""
    property_ = host.client("property")
    owners = [{"owner_id": f"unit-{n}", "area_m2": "100.00"} for n in (1, 2, 3)]
    closes_at = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    vote = await call(property_, "POST", f"/trials/{trial_id}/votes",
                      who.headers("subdistrict"), {"owners": owners, "closes_at": closes_at})
    for owner, choice in zip(owners, ("yes", "yes", "no"), strict=True):
        await call(property_, "POST", f"/votes/{vote['id']}/ballots", who.headers("owners"),
                   {"owner_id": owner["owner_id"], "choice": choice})
    closed = await call(property_, "POST", f"/votes/{vote['id']}/close",
                        who.headers("subdistrict"))
    assert closed["status"] == "passed"
