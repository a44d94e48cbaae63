"""Real resources for the authorization matrix, and a valid request for every operation.

Each operation is tried against a fresh world (its own project, report, trial or acceptance),
with a body that would succeed, so that an org or party check inside the service is reached
(an empty body would stop at 422 before it). "Allowed" means the answer is neither 401, 403
nor 404: every id in the path names a real resource, so a 404 hides another org's resource.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from shared.geo import DEMO_BOUNDARIES
from tests.acceptance.factories import completed, signature
from tests.complaints.conftest import board_body, project_created, report_body
from tests.projects.factories import (
    PNG,
    construction_plan_body,
    progress_body,
    project_body,
    survey_body,
    under_construction,
)
from tests.property.conftest import compound_body, provider_body, trial_body
from tests.reliability.authz_callers import COMMUNITY, ORGS, OWNER_ID, Tokens
from tests.reliability.conftest import OPEN311_KEY
from tests.support import ServiceHarness

PARTIES = {"builder": ORGS["builder"], "designer": ORGS["designer"],
           "contractor": ORGS["contractor"], "supervisor": ORGS["supervisor"],
           "pipeline": [ORGS["pipeline"]]}
UNITS = [{"owner_id": OWNER_ID, "area_m2": "120"}, {"owner_id": "R-2", "area_m2": "100"},
         {"owner_id": "R-3", "area_m2": "100"}]
_serial = itertools.count(1)


@dataclass
class World:
    ids: dict[str, str]
    tokens: Tokens = field(default_factory=Tokens)


async def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


async def projects_world(svc: ServiceHarness) -> World:
    """A project under construction touching heritage (so with a construction plan and a
    heritage review), with a hidden work; a draft plan and a survey."""
    admin = svc.auth("admin")
    project_id = await under_construction(svc, community_id=COMMUNITY, parties=PARTIES,
                                          heritage=True)
    project = await _ok(await svc.client.get(f"/projects/{project_id}", headers=admin))
    survey = await _ok(await svc.client.post(f"/communities/{COMMUNITY}/surveys",
                                             headers=admin, json=survey_body()))
    draft = await _ok(await svc.client.post(f"/communities/{COMMUNITY}/plans", headers=admin,
                                            json={"title": "Next", "summary": "s"}))
    work = await _ok(await svc.client.post(
        f"/projects/{project_id}/hidden-works", headers=admin,
        json={"name": "rebar", "location": "block 3", "description": "before pouring"}))
    attachment = await _ok(await svc.client.post(
        "/attachments", files={"file": ("a.png", PNG + next(_serial).to_bytes(4, "big"))},
        headers=admin))
    return World({"community_id": COMMUNITY, "plan_id": draft["id"],
                  "approved_plan": project["plan_id"], "project_id": project_id,
                  "hidden_work_id": work["id"], "attachment_id": attachment["id"],
                  "survey_id": survey["id"]})


async def complaints_world(svc: ServiceHarness) -> World:
    project_id = f"p-{next(_serial)}"
    await svc.deliver(project_created(project_id, community_id=COMMUNITY,
                                      contractor=ORGS["contractor"]), subject=project_id)
    await _ok(await svc.client.put(f"/sites/{project_id}/board", json=board_body(),
                                   headers=svc.auth("admin")))
    own = await _ok(await svc.client.post("/complaints", json=report_body(project_id=project_id)))
    other = await _ok(await svc.client.post("/complaints",
                                            json=report_body(project_id=project_id)))
    media_id = await _open311_photo(svc, project_id)
    steps = f"/complaints/{own['id']}"
    await _ok(await svc.client.post(f"{steps}/acknowledge", json={}, headers=svc.auth("admin")))
    await _ok(await svc.client.post(f"{steps}/assign", json={"assignee_org": ORGS["contractor"]},
                                    headers=svc.auth("admin")))
    return World({"project_id": project_id, "complaint_id": own["id"],
                  "other_complaint_id": other["id"], "fmt": "json",
                  "service_code": "noise", "service_request_id": own["id"],
                  "token": own["tracking_code"], "community_id": COMMUNITY,
                  "media_id": media_id},
                 Tokens(own=own["access_token"], other=other["access_token"]))


async def _open311_photo(svc: ServiceHarness, project_id: str) -> str:
    """The id of a photo filed with an Open311 request (served at /open311/v2/media/{id})."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG")
    filed = await svc.client.post("/open311/v2/requests.json", data={
        "api_key": OPEN311_KEY, "service_code": "noise", "description": "photo",
        "lat": "24.48", "long": "118.09", "attribute[project_id]": project_id},
        files={"media": ("p.png", buffer.getvalue(), "image/png")})
    assert filed.status_code == 200, filed.text
    report = await _ok(await svc.client.get(f"/complaints/{filed.json()[0]['service_request_id']}",
                                            headers=svc.auth("admin")))
    return str(report["photos"][0]).rsplit("/", 1)[-1]


def _photo(column: str) -> bytes:
    """A small PNG, different for each caller (a reporter's photo upload)."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (len(column) * 7 % 256, 90, 30)).save(buffer, "PNG")
    return buffer.getvalue()


async def property_world(svc: ServiceHarness) -> World:
    admin = svc.auth("admin")
    compound = await _ok(await svc.client.post(
        "/compounds", json=compound_body(community_id=COMMUNITY), headers=admin))
    provider = await _ok(await svc.client.post(
        "/providers", json=provider_body(license_no=f"XM-{next(_serial)}",
                                         org=ORGS["property_provider"]), headers=admin))
    trial = await _ok(await svc.client.post(
        "/trials", json=trial_body(compound["id"], provider["id"]), headers=admin))
    await _ok(await svc.client.put(f"/compounds/{compound['id']}/owners", json=UNITS,
                                   headers=admin))
    vote = await _ok(await svc.client.post(f"/trials/{trial['id']}/votes", headers=admin,
                                           json={"closes_at": "2026-04-30T00:00:00Z"}))
    return World({"compound_id": compound["id"], "provider_id": provider["id"],
                  "trial_id": trial["id"], "vote_id": vote["id"], "community_id": COMMUNITY})


async def acceptance_world(svc: ServiceHarness) -> World:
    project_id = f"proj-{next(_serial)}"
    event = completed(project_id, pipeline=[ORGS["pipeline"]], builder=ORGS["builder"],
                      designer=ORGS["designer"], contractor=ORGS["contractor"],
                      supervisor=ORGS["supervisor"])
    await svc.deliver(event, subject=project_id)
    page = await _ok(await svc.client.get("/acceptances", params={"project_id": project_id},
                                          headers=svc.auth("admin")))
    return World({"acceptance_id": page["items"][0]["id"], "project_id": project_id})


WORLDS: dict[str, Callable[[ServiceHarness], Awaitable[World]]] = {
    "projects": projects_world, "complaints": complaints_world,
    "property": property_world, "acceptance": acceptance_world,
}


def _party(column: str) -> str:
    role = column.split("@")[0]
    if role == "pipeline":
        return f"pipeline:{ORGS['pipeline']}"
    return role if role in ("district_bureau", "subdistrict", "community", "owners", "builder",
                            "designer", "contractor", "supervisor") else "builder"


Body = Callable[[World, str], dict[str, Any]]
BODIES: dict[str, Body] = {
    # projects
    "POST /communities/{community_id}/surveys": lambda w, c: {"json": survey_body()},
    "POST /communities/{community_id}/plans": lambda w, c: {"json": {"title": "P",
                                                                     "summary": "s"}},
    # The seeded values again: a success changes nothing the next callers depend on.
    "PUT /communities/{community_id}/jurisdiction": lambda w, c: {"json": {
        "district_bureau_org": ORGS["district_bureau"], "subdistrict_org": ORGS["subdistrict"],
        "community_org": ORGS["community"]}},
    "PUT /communities/{community_id}/boundary": lambda w, c: {
        "json": DEMO_BOUNDARIES[COMMUNITY]},
    "POST /projects": lambda w, c: {"json": project_body(
        w.ids["approved_plan"], community_id=COMMUNITY, parties=PARTIES)},
    "POST /projects/{project_id}/construction-plan": lambda w, c: {
        "json": construction_plan_body()},
    "POST /projects/{project_id}/heritage-review": lambda w, c: {
        "json": {"approved": True, "note": "ok"}},
    "POST /projects/{project_id}/progress": lambda w, c: {"json": progress_body(10)},
    "POST /projects/{project_id}/progress:batch": lambda w, c: {"json": {"items": [
        {**progress_body(10), "idempotency_key": f"k-{c}"}]}},
    "POST /projects/{project_id}/hidden-works": lambda w, c: {"json": {
        "name": "pipes", "location": "gate", "description": "before backfill"}},
    "POST /hidden-works/{hidden_work_id}/inspect": lambda w, c: {"json": {"verdict": "pass",
                                                                         "note": "ok"}},
    "POST /attachments": lambda w, c: {"files": {"file": ("a.png", PNG + c.encode())}},
    # complaints
    "PUT /sites/{project_id}/board": lambda w, c: {"json": board_body()},
    "POST /complaints": lambda w, c: {"json": report_body(project_id=w.ids["project_id"])},
    "POST /complaints/{complaint_id}/acknowledge": lambda w, c: {"json": {}},
    "POST /complaints/{complaint_id}/assign": lambda w, c: {"json": {
        "assignee_org": ORGS["contractor"]}},
    "POST /complaints/{complaint_id}/resolve": lambda w, c: {"json": {"resolution": "fixed"}},
    "POST /complaints/{complaint_id}/confirm": lambda w, c: {"json": {"satisfaction": 5}},
    "POST /complaints/{complaint_id}/reopen": lambda w, c: {"json": {"reason": "still loud"}},
    "POST /complaints/{complaint_id}/close": lambda w, c: {"json": {}},
    "POST /complaints/{complaint_id}/merge": lambda w, c: {"json": {
        "into": w.ids["other_complaint_id"]}},
    "POST /complaints/photos": lambda w, c: {"files": {"file": ("p.png", _photo(c))}},
    "POST /complaints/{complaint_id}/photos": lambda w, c: {"files": {
        "file": ("p.png", _photo(c))}},
    "POST /open311/v2/requests.{fmt}": lambda w, c: {"data": {
        "api_key": OPEN311_KEY, "service_code": "noise", "description": "loud at night",
        "lat": "24.48", "long": "118.09", "attribute[project_id]": w.ids["project_id"]}},
    # property
    "POST /compounds": lambda w, c: {"json": compound_body(community_id=COMMUNITY)},
    "PUT /compounds/{compound_id}/owners": lambda w, c: {"json": UNITS},
    "POST /providers": lambda w, c: {"json": provider_body(license_no=f"XM-{next(_serial)}")},
    "POST /trials": lambda w, c: {"json": trial_body(w.ids["compound_id"],
                                                     w.ids["provider_id"])},
    "POST /trials/{trial_id}/end": lambda w, c: {"json": {"reason": "provider withdrew"}},
    "POST /trials/{trial_id}/extend": lambda w, c: {"json": {"new_end": "2027-03-31"}},
    "POST /trials/{trial_id}/assessments": lambda w, c: {"json": {
        "period": "2026-02", "scores": {"cleaning": 80}}},
    "POST /trials/{trial_id}/votes": lambda w, c: {"json": {
        "closes_at": "2026-05-30T00:00:00Z"}},
    "POST /votes/{vote_id}/ballots": lambda w, c: {"json": {"owner_id": OWNER_ID,
                                                            "choice": "yes"}},
    # acceptance
    "POST /acceptances/{acceptance_id}/schedule": lambda w, c: {"json": {
        "scheduled_at": "2025-07-01T09:00:00+08:00", "place": "site office"}},
    "POST /acceptances/{acceptance_id}/signatures": lambda w, c: {"json": signature(_party(c))},
}
QUERIES: dict[str, dict[str, str]] = {
    "GET /sites": {"community_id": COMMUNITY},
    "GET /complaints/nearby": {"lat": "24.48", "lng": "118.09", "category": "noise"},
    "GET /coverage": {"community_id": COMMUNITY},
    "GET /candidates": {"community_id": COMMUNITY},
}


def request_for(operation: str, world: World, column: str) -> dict[str, Any]:
    """httpx keyword arguments (url, body, query) for one operation and caller."""
    method, template = operation.split(" ", 1)
    url = template.format(**world.ids)
    kwargs = BODIES[operation](world, column) if operation in BODIES else {}
    if operation in QUERIES:
        kwargs["params"] = QUERIES[operation]
    return {"method": method, "url": url, **kwargs}
