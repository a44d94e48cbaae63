"""The race table: every state-changing operation of the four services, and how it must end.

Each entry starts from the authorization matrix's world (`tests.reliability.authz_worlds`) and
its valid request for the operation; `prepare` moves the world into the state where the
request succeeds once. An operation the apps serve without an entry here fails
`test_every_state_changing_operation_has_a_race_entry`.
"""

from __future__ import annotations

from datetime import timedelta

from shared.contracts.acceptance import AcceptanceFailed, AcceptancePassed
from tests.complaints.conftest import report_body
from tests.projects.factories import (
    draft_project,
    progress_body,
    ready_to_start,
)
from tests.property.conftest import compound_body
from tests.races.harness import Exempt, Prepare, Race
from tests.reliability.authz_callers import COMMUNITY, ORGS
from tests.reliability.authz_worlds import PARTIES, World
from tests.support import ServiceHarness

__all__ = ["RACES"]


async def _ok(svc: ServiceHarness, method: str, path: str, **kwargs: object) -> dict[str, object]:
    headers = kwargs.pop("headers", None) or svc.auth("admin")
    response = await svc.client.request(method, path, headers=headers, **kwargs)  # type: ignore[arg-type]
    assert response.status_code in (200, 201), f"{method} {path}: {response.text}"
    body: dict[str, object] = response.json()
    return body


# --- projects -------------------------------------------------------------------------------

async def _draft(svc: ServiceHarness, world: World) -> None:
    project = await draft_project(svc, community_id=COMMUNITY, parties=PARTIES)
    world.ids["project_id"] = str(project["id"])


async def _heritage_draft(svc: ServiceHarness, world: World) -> None:
    project = await draft_project(svc, community_id=COMMUNITY, parties=PARTIES, heritage=True)
    world.ids["project_id"] = str(project["id"])


async def _ready_to_start(svc: ServiceHarness, world: World) -> None:
    world.ids["project_id"] = await ready_to_start(svc, community_id=COMMUNITY, parties=PARTIES)


async def _suspended(svc: ServiceHarness, world: World) -> None:
    await _ok(svc, "POST", f"/projects/{world.ids['project_id']}/suspend", json={})


async def _finished_work(svc: ServiceHarness, world: World) -> None:
    project = world.ids["project_id"]
    await _ok(svc, "POST", f"/hidden-works/{world.ids['hidden_work_id']}/inspect",
              json={"verdict": "pass", "note": "ok"}, headers=svc.auth("supervisor",
                                                                       org=ORGS["supervisor"]))
    await _ok(svc, "POST", f"/projects/{project}/progress", json=progress_body(100),
              headers=svc.auth("contractor", org=ORGS["contractor"]))


async def _completed(svc: ServiceHarness, world: World) -> None:
    await _finished_work(svc, world)
    await _ok(svc, "POST", f"/projects/{world.ids['project_id']}/complete", json={})


async def _failed_acceptance(svc: ServiceHarness, world: World) -> None:
    await _completed(svc, world)
    project = world.ids["project_id"]
    await svc.deliver(AcceptanceFailed(
        acceptance_id=f"acc-{project}", project_id=project, community_id=COMMUNITY, round=1,
        decided_at=svc.clock.now(), defect_count=1, rejecting_parties=["owners"]),
        subject=f"acc-{project}")


async def _accepted(svc: ServiceHarness, world: World) -> None:
    await _completed(svc, world)
    project = world.ids["project_id"]
    await svc.deliver(AcceptancePassed(
        acceptance_id=f"acc-{project}", project_id=project, community_id=COMMUNITY, round=1,
        decided_at=svc.clock.now()), subject=f"acc-{project}")


PROJECT = "/projects/{project_id}"
PROJECTS: dict[str, Race | Exempt] = {
    "POST /attachments": Race("same", why="content-addressed: one file, one attachment"),
    "PUT /communities/{community_id}/jurisdiction": Race(
        "one", version_of="/communities/{community_id}"),
    "PUT /communities/{community_id}/boundary": Race(
        "one", version_of="/communities/{community_id}"),
    "POST /communities/{community_id}/surveys": Race("each", why="every survey is filed"),
    "POST /communities/{community_id}/plans": Race("each", why="every draft is its own plan"),
    "POST /plans/{plan_id}/approve": Race("one", version_of="/plans/{plan_id}"),
    "POST /projects": Race("each", why="every project is created"),
    "POST /projects/{project_id}/approve": Race("one", prepare=_draft),
    "POST /projects/{project_id}/cancel": Race("one", prepare=_draft),
    "POST /projects/{project_id}/start": Race("one", prepare=_ready_to_start),
    "POST /projects/{project_id}/suspend": Race("one"),
    "POST /projects/{project_id}/resume": Race("one", prepare=_suspended),
    "POST /projects/{project_id}/complete": Race("one", prepare=_finished_work),
    "POST /projects/{project_id}/rectified": Race("one", prepare=_failed_acceptance),
    "POST /projects/{project_id}/operate": Race("one", prepare=_accepted),
    "POST /projects/{project_id}/construction-plan": Race("one", prepare=_draft,
                                                          version_of=PROJECT),
    "POST /projects/{project_id}/heritage-review": Race(
        "one", prepare=_heritage_draft, version_of=PROJECT),
    "POST /projects/{project_id}/progress": Race("one", version_of=PROJECT),
    "POST /projects/{project_id}/progress:batch": Race(
        "same", why="the items' own idempotency keys: one report, however often it is sent"),
    "POST /projects/{project_id}/hidden-works": Race("each", why="every record is a new work"),
    "POST /hidden-works/{hidden_work_id}/inspect": Race("one"),
}


# --- complaints -----------------------------------------------------------------------------

STEPS = {"acknowledge": (), "assign": ("acknowledge",), "resolve": ("acknowledge", "assign"),
         "close": ("acknowledge", "assign", "resolve"),
         "confirm": ("acknowledge", "assign", "resolve"),
         "reopen": ("acknowledge", "assign", "resolve")}
BODIES = {"acknowledge": {}, "assign": {"assignee_org": ORGS["contractor"]},
          "resolve": {"resolution": "fixed"}}


def _report_before(step: str) -> Prepare:
    async def prepare(svc: ServiceHarness, world: World) -> None:
        receipt = await _ok(svc, "POST", "/complaints", headers={},
                            json=report_body(project_id=world.ids["project_id"]))
        report = str(receipt["id"])
        for earlier in STEPS[step]:
            await _ok(svc, "POST", f"/complaints/{report}/{earlier}", json=BODIES[earlier])
        world.ids["complaint_id"] = report
        world.tokens = type(world.tokens)(own=str(receipt["access_token"]),
                                          other=world.tokens.other)

    return prepare


REPORT = "/complaints/{complaint_id}"
COMPLAINTS: dict[str, Race | Exempt] = {
    "POST /complaints": Race("each", why="every filing is a report"),
    "POST /open311/v2/requests.{fmt}": Race("each", why="every filing is a report"),
    "PUT /sites/{project_id}/board": Race("one", version_of="/sites/{project_id}/board"),
    "POST /complaints/{complaint_id}/acknowledge": Race("one",
                                                        prepare=_report_before("acknowledge")),
    "POST /complaints/{complaint_id}/assign": Race("one", prepare=_report_before("assign"),
                                                   version_of=REPORT),
    "POST /complaints/{complaint_id}/resolve": Race("one", prepare=_report_before("resolve")),
    "POST /complaints/{complaint_id}/close": Race("one", prepare=_report_before("close")),
    "POST /complaints/{complaint_id}/confirm": Race("one", prepare=_report_before("confirm"),
                                                    caller="reporter"),
    "POST /complaints/{complaint_id}/reopen": Race("one", prepare=_report_before("reopen"),
                                                   caller="reporter"),
    "POST /complaints/{complaint_id}/supporters": Race(
        "each", why='every "me too" is one more supporter: N at once count N'),
    "POST /complaints/{complaint_id}/merge": Race("one", version_of=REPORT),
    "POST /complaints/photos": Race("each", why="every upload is its own photo to cite"),
    "POST /complaints/{complaint_id}/photos": Race("one", caller="reporter",
                                                   version_of=REPORT),
    "DELETE /complaints/{complaint_id}/contact": Exempt(
        "the first erase revokes the reporter's token, so the concurrent copies answer 401, "
        "not 409/412; one erasure and one event: tests/complaints/test_contacts.py::"
        "test_concurrent_erase_requests_erase_once_and_find_the_token_revoked"),
}


# --- property -------------------------------------------------------------------------------

async def _vote_due(svc: ServiceHarness, world: World) -> None:
    svc.clock.advance(timedelta(days=60))  # past the world vote's closes_at


async def _vote_closed_unanswered(svc: ServiceHarness, world: World) -> None:
    await _vote_due(svc, world)
    await _ok(svc, "POST", f"/votes/{world.ids['vote_id']}/close", json={})


async def _new_compound(svc: ServiceHarness, world: World) -> None:
    compound = await _ok(svc, "POST", "/compounds", json=compound_body(community_id=COMMUNITY))
    world.ids["compound_id"] = str(compound["id"])


PROPERTY: dict[str, Race | Exempt] = {
    "POST /compounds": Race("each", why="every registration is a compound"),
    "PUT /compounds/{compound_id}/owners": Race("one", version_of="/compounds/{compound_id}"),
    "POST /providers": Race("one", why="one provider per licence number"),
    "POST /trials": Race("one", prepare=_new_compound, why="one running trial per compound"),
    "POST /trials/{trial_id}/end": Race("one"),
    "POST /trials/{trial_id}/extend": Race("one", prepare=_vote_closed_unanswered,
                                           version_of="/trials/{trial_id}"),
    "POST /trials/{trial_id}/assessments": Race("one", caller="subdistrict",
                                                why="one score per body and month"),
    "POST /trials/{trial_id}/votes": Race("one", prepare=_vote_closed_unanswered,
                                          why="one open vote per trial"),
    "POST /votes/{vote_id}/ballots": Race(
        "each", caller="owner", why="a later ballot of the same owner replaces the earlier"),
    "POST /votes/{vote_id}/close": Race("one", prepare=_vote_due),
}


# --- acceptance -----------------------------------------------------------------------------

ACCEPTANCE: dict[str, Race | Exempt] = {
    "POST /acceptances/{acceptance_id}/schedule": Race(
        "one", caller="builder", version_of="/acceptances/{acceptance_id}",
        json={"scheduled_at": "2026-07-01T09:00:00+08:00", "place": "site office"}),
    "POST /acceptances/{acceptance_id}/signatures": Race(
        "one", caller="builder", why="one signature per party and round"),
    "POST /acceptances/{acceptance_id}/record-link": Exempt(
        "writes nothing: a link is signed on the fly, never stored"),
}

RACES: dict[str, dict[str, Race | Exempt]] = {
    "projects": PROJECTS, "complaints": COMPLAINTS, "property": PROPERTY,
    "acceptance": ACCEPTANCE,
}
