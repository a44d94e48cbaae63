"""Short real flows through each service that make it publish (nearly) every event type.

Each driver starts the service with `running_service`, walks it through its API (and feeds it
the events it consumes), and returns the records its relay put on the bus, as they travel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from services.acceptance.app import DEFINITION as ACCEPTANCE
from services.complaints.app import DEFINITION as COMPLAINTS
from services.complaints.service.escalation import escalate_overdue
from services.projects.app import DEFINITION as PROJECTS
from services.projects.config import ProjectsSettings
from shared.bus.base import IncomingMessage
from shared.clock import FrozenClock
from shared.contracts.acceptance import AcceptanceFailed, AcceptancePassed
from tests.acceptance import factories as acc
from tests.complaints import conftest as cmp
from tests.projects import factories as prj
from tests.property import conftest as prp
from tests.support import ServiceHarness, running_service

__all__ = ["DRIVERS", "Driver"]

Driver = Callable[[Path], Awaitable[list[IncomingMessage]]]


async def wire_records(h: ServiceHarness) -> list[IncomingMessage]:
    """Relay the outbox and read back every record on the service's topic."""
    async with asyncio.timeout(30):
        while await h.ctx.relay.backlog():
            await h.ctx.relay.relay_once()
    return await h.read_topic(h.ctx.definition.topic)


async def ok(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


async def drive_projects(tmp_path: Path) -> list[IncomingMessage]:
    settings = ProjectsSettings(attachments_root=tmp_path / "attachments")
    async with running_service(PROJECTS, tmp_path, settings=settings,
                               clock=FrozenClock(prj.START)) as h:
        project_id = await prj.under_construction(h, heritage=True)
        await prj.post(h, "/communities/dongdu/surveys", prj.subdistrict(h), prj.survey_body())
        path = f"/projects/{project_id}"
        work = await prj.post(h, f"{path}/hidden-works", prj.contractor(h),
                              {"name": "rebar", "location": "block 3", "description": "slab"})
        await prj.post(h, f"/hidden-works/{work['id']}/inspect", prj.supervisor(h),
                       {"verdict": "pass", "note": "as drawn"})
        await prj.post(h, f"{path}/suspend", prj.bureau(h))
        await prj.post(h, f"{path}/resume", prj.contractor(h))
        h.clock.set(prj.START + timedelta(days=137))  # half-way through the plan
        await prj.post(h, f"{path}/progress", prj.contractor(h), prj.progress_body(10))
        await prj.post(h, f"{path}/progress", prj.contractor(h), prj.progress_body(100))
        await prj.post(h, f"{path}/complete", prj.builder(h))
        verdict: dict[str, Any] = {"acceptance_id": "acc-1", "project_id": project_id,
                                   "community_id": "dongdu", "decided_at": h.clock.now()}
        await h.deliver(AcceptanceFailed(**verdict, round=1, defect_count=1,
                                         rejecting_parties=["owners"]), subject="acc-1")
        await prj.post(h, f"{path}/rectified", prj.contractor(h))
        await h.deliver(AcceptancePassed(**verdict, round=2), subject="acc-1")
        await prj.post(h, f"{path}/operate", prj.builder(h))
        draft = await prj.draft_project(h)
        await prj.post(h, f"/projects/{draft['id']}/cancel", prj.subdistrict(h))
        return await wire_records(h)


async def sign_round(h: ServiceHarness, acceptance_id: str, rejecting: str | None = None
                     ) -> None:
    for party in acc.EIGHT_PARTIES:
        verdict = "reject" if party == rejecting else "approve"
        await ok(await acc.sign(h, acceptance_id, party, verdict))


async def drive_acceptance(tmp_path: Path) -> list[IncomingMessage]:
    async with running_service(ACCEPTANCE, tmp_path, clock=FrozenClock(acc.START)) as h:
        opened = await acc.open_acceptance(h)
        await ok(await h.client.post(
            f"/acceptances/{opened['id']}/schedule",
            json={"scheduled_at": (acc.START + timedelta(days=3)).isoformat(),
                  "place": "community centre"},
            headers=acc.party_auth(h, "builder")))
        await sign_round(h, opened["id"], rejecting="owners")
        h.clock.advance(timedelta(days=10))
        await h.deliver(acc.rectified(), subject=acc.PROJECT)
        await sign_round(h, opened["id"])
        return await wire_records(h)


async def drive_complaints(tmp_path: Path) -> list[IncomingMessage]:
    async with running_service(COMPLAINTS, tmp_path, clock=FrozenClock(cmp.START),
                               settings=cmp.settings()) as h:
        await cmp.known_project(h)
        await ok(await h.client.put("/sites/p-1/board", json=cmp.board_body(),
                                    headers=h.auth("contractor", org="acme")))
        receipt = await cmp.file(h)
        path, staff = f"/complaints/{receipt['id']}", h.auth("subdistrict", org="shentian-street")
        reporter, assignee = cmp.bearer(receipt["access_token"]), h.auth("contractor", org="acme")
        await ok(await h.client.post(f"{path}/acknowledge", headers=staff))
        await ok(await h.client.post(f"{path}/assign", json={}, headers=staff))
        await ok(await h.client.post(f"{path}/resolve", json={"resolution": "moved"},
                                     headers=assignee))
        await ok(await h.client.post(f"{path}/reopen", json={"reason": "again"},
                                     headers=reporter))
        await ok(await h.client.post(f"{path}/resolve", json={"resolution": "stopped"},
                                     headers=assignee))
        await ok(await h.client.post(f"{path}/confirm", json={"satisfaction": 4},
                                     headers=reporter))
        erased = await h.client.delete(f"{path}/contact", headers=reporter)
        assert erased.status_code == 204, erased.text
        await cmp.file(h, category="safety")
        survivor, duplicate = await cmp.file(h), await cmp.file(h)
        await ok(await h.client.post(f"/complaints/{survivor['id']}/supporters"))
        await ok(await h.client.post(f"/complaints/{duplicate['id']}/merge",
                                     json={"into": survivor["id"]}, headers=h.auth("admin")))
        h.clock.advance(timedelta(hours=5))
        async with h.ctx.db.transaction() as session:
            assert await escalate_overdue(session, h.clock.now()) == 1
        return await wire_records(h)


OWNERS = [{"owner_id": f"R-{n}", "area_m2": "100"} for n in range(1, 4)]


async def vote(h: ServiceHarness, trial: dict[str, Any], choice: str) -> None:
    await ok(await h.client.put(f"/compounds/{trial['compound_id']}/owners", json=OWNERS,
                                headers=h.auth("community")))
    closes_at = (h.clock.now() + timedelta(days=14)).isoformat()
    opened = await prp.create(h, f"/trials/{trial['id']}/votes", {"closes_at": closes_at},
                              "community")
    for owner in OWNERS:
        await prp.create(h, f"/votes/{opened['id']}/ballots",
                         {"owner_id": owner["owner_id"], "choice": choice}, "owners")
    await ok(await h.client.post(f"/votes/{opened['id']}/close",
                                 headers=h.auth("subdistrict")))


async def drive_property(tmp_path: Path) -> list[IncomingMessage]:
    async with prp.property_service(tmp_path) as h:
        converted = await prp.running_trial(h)
        await prp.create(h, f"/trials/{converted['id']}/assessments",
                         {"period": "2026-02", "scores": {"cleaning": 90}}, "community")
        await vote(h, converted, "yes")
        ended = await prp.running_trial(h, name="Building 9 compound")
        await vote(h, ended, "no")
        await ok(await h.client.post(f"/trials/{ended['id']}/extend",
                                     json={"new_end": "2027-03-31"},
                                     headers=h.auth("subdistrict")))
        await ok(await h.client.post(f"/trials/{ended['id']}/end", json={"reason": "withdrew"},
                                     headers=h.auth("subdistrict")))
        return await wire_records(h)


DRIVERS: dict[str, Driver] = {
    "projects": drive_projects,
    "acceptance": drive_acceptance,
    "complaints": drive_complaints,
    "property": drive_property,
}
