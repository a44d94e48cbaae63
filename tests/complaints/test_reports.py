"""Reports through the API: filing without an account, tokens, masking, workflow, stats."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.complaints.app import DEFINITION
from services.complaints.domain import workflow
from services.complaints.schemas import boards as board_schemas
from services.complaints.schemas import reports as report_schemas
from services.complaints.schemas.fields import Input
from shared.clock import FrozenClock
from tests.complaints.conftest import (
    START,
    bearer,
    file,
    full_width,
    known_project,
    report_body,
    settings,
    trial_started,
)
from tests.support import ServiceHarness, running_service

STAFF = ("subdistrict",)


def _staff(svc: ServiceHarness) -> dict[str, str]:
    """The sub-district office of shentian (its seeded org), where these reports are."""
    return svc.auth(*STAFF, org="shentian-street")


async def test_filing_needs_no_account_and_returns_code_token_and_deadline(
    svc: ServiceHarness,
) -> None:
    await known_project(svc)
    receipt = await file(svc)
    assert receipt["status"] == "received"
    assert receipt["tracking_code"].startswith("CC-")
    assert receipt["expected_resolution_at"] == "2026-03-03T09:00:00Z"  # noise: 24 h
    report = await svc.client.get(f"/complaints/{receipt['id']}",
                                  headers=bearer(receipt["access_token"]))
    assert report.status_code == 200
    body = report.json()
    assert body["community_id"] == "shentian" and body["routed_org"] == "acme"
    assert body["history"][0]["action"] == "file"
    assert body["history"][0]["actor"] == {"role": "reporter", "org": None, "sub": None}


async def test_a_tracking_code_already_taken_is_drawn_again(
    svc: ServiceHarness, monkeypatch: pytest.MonkeyPatch,
) -> None:
    await known_project(svc)
    first = await file(svc)
    draws = iter([first["tracking_code"], first["tracking_code"], "CC-ABCDEF"])
    monkeypatch.setattr(workflow, "new_tracking_code", lambda: next(draws))
    second = await file(svc)
    assert second["tracking_code"] == "CC-ABCDEF"
    listed = await svc.client.get("/complaints", headers=_staff(svc))
    assert sorted(r["tracking_code"] for r in listed.json()["items"]) == \
        sorted([first["tracking_code"], "CC-ABCDEF"])


async def test_the_reporter_token_opens_only_its_own_report(svc: ServiceHarness) -> None:
    await known_project(svc)
    mine, other = await file(svc), await file(svc)
    token = bearer(mine["access_token"])
    assert (await svc.client.get(f"/complaints/{other['id']}", headers=token)).status_code == 404
    confirm = await svc.client.post(f"/complaints/{other['id']}/confirm",
                                    json={"satisfaction": 5}, headers=token)
    assert confirm.status_code == 404
    assert (await svc.client.get("/complaints", headers=token)).status_code == 403
    acknowledge = await svc.client.post(f"/complaints/{mine['id']}/acknowledge", headers=token)
    assert acknowledge.status_code == 403


async def test_reading_a_report_needs_a_token(svc: ServiceHarness) -> None:
    await known_project(svc)
    receipt = await file(svc)
    assert (await svc.client.get(f"/complaints/{receipt['id']}")).status_code == 401
    owner = await svc.client.get(f"/complaints/{receipt['id']}", headers=svc.auth("owner"))
    assert owner.status_code == 403


async def test_contact_is_full_for_staff_masked_for_the_reporter_absent_for_the_contractor(
    svc: ServiceHarness,
) -> None:
    await known_project(svc)
    receipt = await file(svc)
    path = f"/complaints/{receipt['id']}"
    staff = (await svc.client.get(path, headers=_staff(svc))).json()
    assert staff["contact"]["phone"] == "13712345678" and staff["contact"]["name"] == "陈小明"
    contractor = (await svc.client.get(path, headers=svc.auth("contractor", org="acme"))).json()
    assert contractor["contact"] is None  # the reported party never sees who complained
    reporter = (await svc.client.get(path, headers=bearer(receipt["access_token"]))).json()
    assert reporter["contact"]["phone"] == "137****5678"


async def test_an_org_sees_only_reports_routed_to_it(svc: ServiceHarness) -> None:
    await known_project(svc)
    receipt = await file(svc)
    rival = await svc.client.get(f"/complaints/{receipt['id']}",
                                 headers=svc.auth("contractor", org="rival"))
    assert rival.status_code == 404
    listed = await svc.client.get("/complaints", headers=svc.auth("contractor", org="rival"))
    assert listed.json()["items"] == []
    own = await svc.client.get("/complaints", headers=svc.auth("contractor", org="acme"))
    assert [c["id"] for c in own.json()["items"]] == [receipt["id"]]


async def test_anonymous_reports_store_no_contact(svc: ServiceHarness) -> None:
    await known_project(svc)
    receipt = await file(svc, anonymous=True)
    staff = await svc.client.get(f"/complaints/{receipt['id']}", headers=_staff(svc))
    assert staff.json()["contact"] is None and staff.json()["anonymous"] is True


async def test_bad_reports_are_422_naming_the_field_and_write_nothing(
    svc: ServiceHarness,
) -> None:
    cases = [
        (report_body(category="graffiti"), "category"),
        (report_body(contact={"phone": "555-0100"}), "contact.phone"),
        (report_body(description=""), "description"),
        (report_body(location={"lat": 95, "lng": 118}), "location.lat"),
        (report_body(project_id=None, location=None), "body"),  # nowhere to route it
        (report_body(photos=["x"] * 11), "photos"),
        (report_body(colour="red"), "colour"),
    ]
    for body, field in cases:
        response = await svc.client.post("/complaints", json=body)
        assert response.status_code == 422, body
        assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    listed = await svc.client.get("/complaints", headers=_staff(svc))
    assert listed.json()["items"] == []


async def test_an_unknown_project_needs_a_community(svc: ServiceHarness) -> None:
    response = await svc.client.post("/complaints", json=report_body(project_id="p-404"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "project_id"
    accepted = await svc.client.post(
        "/complaints", json=report_body(project_id="p-404", community_id="xinxing"))
    assert accepted.status_code == 201


async def test_property_service_reports_go_to_the_compounds_provider(
    svc: ServiceHarness,
) -> None:
    await svc.deliver(trial_started(), subject="t-1")
    receipt = await file(svc, category="property_service", project_id=None,
                         compound_id="cmp-1")
    report = await svc.client.get(f"/complaints/{receipt['id']}",
                                  headers=svc.auth("property_provider", org="prov-1"))
    assert report.status_code == 200
    assert report.json()["routed_org"] == "prov-1"
    assert report.json()["community_id"] == "dongdu"


async def _walk_to_resolved(svc: ServiceHarness, receipt: dict[str, str]) -> str:
    path = f"/complaints/{receipt['id']}"
    staff = _staff(svc)
    assert (await svc.client.post(f"{path}/acknowledge", headers=staff)).status_code == 200
    assert (await svc.client.post(f"{path}/assign", json={}, headers=staff)).status_code == 200
    svc.clock.advance(timedelta(hours=2))
    resolved = await svc.client.post(f"{path}/resolve", json={"resolution": "Drill moved"},
                                     headers=svc.auth("contractor", org="acme"))
    assert resolved.status_code == 200, resolved.text
    return path


async def test_the_full_workflow_is_recorded_and_published(svc: ServiceHarness) -> None:
    await known_project(svc)
    receipt = await file(svc)
    path = await _walk_to_resolved(svc, receipt)
    confirmed = await svc.client.post(f"{path}/confirm", json={"satisfaction": 4},
                                      headers=bearer(receipt["access_token"]))
    assert confirmed.status_code == 200
    body = confirmed.json()
    assert body["status"] == "closed" and body["satisfaction"] == 4
    assert [s["action"] for s in body["history"]] == [
        "file", "acknowledge", "assign", "resolve", "confirm"]
    assert body["history"][3]["note"] == "Drill moved"
    assert body["history"][3]["actor"] == {"role": "contractor", "org": "acme", "sub": None}
    events = await svc.published()
    types = [e.type for e in events if e.type.startswith("complaint.")]
    assert types == ["complaint.received", "complaint.acknowledged", "complaint.assigned",
                     "complaint.resolved", "complaint.closed"]
    assert events[-1].data["satisfaction"] == 4


async def test_events_carry_no_personal_data(svc: ServiceHarness) -> None:
    await known_project(svc)
    receipt = await file(svc)
    await _walk_to_resolved(svc, receipt)
    for event in await svc.published():
        text = event.to_bytes().decode()
        for secret in ("13712345678", "陈小明", "5678", "Drilling", "Drill moved"):
            assert secret not in text


async def test_a_reopen_goes_back_to_the_assignee_and_restarts_the_clock(
    svc: ServiceHarness,
) -> None:
    await known_project(svc)
    receipt = await file(svc)
    path = await _walk_to_resolved(svc, receipt)
    svc.clock.advance(timedelta(hours=1))
    reopened = await svc.client.post(f"{path}/reopen", json={"reason": "Still drilling"},
                                     headers=bearer(receipt["access_token"]))
    assert reopened.status_code == 200
    body = reopened.json()
    assert body["status"] == "reopened" and body["assignee_org"] == "acme"
    assert body["expected_resolution_at"] == "2026-03-03T12:00:00Z"
    again = await svc.client.post(f"{path}/resolve", json={"resolution": "Stopped"},
                                  headers=svc.auth("contractor", org="acme"))
    assert again.json()["status"] == "resolved"


async def test_illegal_steps_are_409_with_the_allowed_ones(svc: ServiceHarness) -> None:
    await known_project(svc)
    receipt = await file(svc)
    path = f"/complaints/{receipt['id']}"
    early = await svc.client.post(f"{path}/resolve", json={"resolution": "x"},
                                  headers=_staff(svc))
    assert early.status_code == 409
    assert early.json()["allowed"] == ["acknowledge", "merge"]
    reopen = await svc.client.post(f"{path}/reopen", json={"reason": "x"},
                                   headers=bearer(receipt["access_token"]))
    assert reopen.status_code == 409


async def test_only_the_assignee_org_or_staff_resolve(svc: ServiceHarness) -> None:
    await known_project(svc)
    receipt = await file(svc)
    path = f"/complaints/{receipt['id']}"
    await svc.client.post(f"{path}/acknowledge", headers=_staff(svc))
    await svc.client.post(f"{path}/assign", json={"assignee_org": "fixers"},
                          headers=_staff(svc))
    acme = await svc.client.post(f"{path}/resolve", json={"resolution": "x"},
                                 headers=svc.auth("contractor", org="acme"))
    assert acme.status_code == 403  # routed to acme, but assigned to fixers
    fixers = await svc.client.post(f"{path}/resolve", json={"resolution": "x"},
                                   headers=svc.auth("contractor", org="fixers"))
    assert fixers.status_code == 200


async def test_staff_cannot_confirm_for_the_reporter(svc: ServiceHarness) -> None:
    await known_project(svc)
    receipt = await file(svc)
    path = await _walk_to_resolved(svc, receipt)
    response = await svc.client.post(f"{path}/confirm", json={"satisfaction": 5},
                                     headers=_staff(svc))
    assert response.status_code == 403
    closed = await svc.client.post(f"{path}/close", headers=_staff(svc))
    assert closed.json()["status"] == "closed"


async def test_satisfaction_outside_one_to_five_is_422(svc: ServiceHarness) -> None:
    await known_project(svc)
    receipt = await file(svc)
    path = await _walk_to_resolved(svc, receipt)
    response = await svc.client.post(f"{path}/confirm", json={"satisfaction": 6},
                                     headers=bearer(receipt["access_token"]))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "satisfaction"


async def test_assigning_an_unrouted_report_needs_an_org(svc: ServiceHarness) -> None:
    receipt = await file(svc, project_id=None, community_id="chengxi")
    path, chengxi = f"/complaints/{receipt['id']}", svc.auth("subdistrict", org="chengxi-street")
    await svc.client.post(f"{path}/acknowledge", headers=chengxi)
    response = await svc.client.post(f"{path}/assign", json={}, headers=chengxi)
    assert response.status_code == 422
    after = await svc.client.get(path, headers=chengxi)
    assert after.json()["status"] == "acknowledged"  # nothing half-written


async def test_a_stale_if_match_on_a_step_is_412(svc: ServiceHarness) -> None:
    await known_project(svc)
    receipt = await file(svc)
    response = await svc.client.post(f"/complaints/{receipt['id']}/acknowledge",
                                     headers={**_staff(svc), "If-Match": "5"})
    assert response.status_code == 412


async def test_listing_filters_and_pages(svc: ServiceHarness) -> None:
    await known_project(svc)
    for category in ("noise", "dust", "noise"):
        await file(svc, category=category)
    staff = _staff(svc)
    noise = await svc.client.get("/complaints", params={"category": "noise"}, headers=staff)
    assert len(noise.json()["items"]) == 2
    first = (await svc.client.get("/complaints", params={"limit": 2}, headers=staff)).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = await svc.client.get("/complaints", params={"limit": 2, "cursor": first["next_cursor"]},
                                headers=staff)
    assert len(rest.json()["items"]) == 1
    bad = await svc.client.get("/complaints", params={"status": "lost"}, headers=staff)
    assert bad.status_code == 422


async def test_stats_count_by_status_and_category_with_sla(svc: ServiceHarness) -> None:
    await known_project(svc)
    await _walk_to_resolved(svc, await file(svc))  # resolved after 2 h: within 24 h
    await file(svc, category="safety")  # 4 h SLA
    svc.clock.advance(timedelta(hours=5))
    stats = await svc.client.get("/stats", params={"community_id": "shentian"},
                                 headers=svc.auth("dashboard"))
    assert stats.status_code == 200
    body = stats.json()
    assert body["total"] == 2
    assert body["by_status"] == {"resolved": 1, "received": 1}
    assert body["by_category"] == {"noise": 1, "safety": 1}
    assert body["sla"] == {"met": 1, "breached": 1, "compliance": 0.5}
    assert body["open_overdue"] == 1 and body["mean_hours_to_resolve"] == 2.0
    assert (await svc.client.get("/stats", headers=svc.auth("owner"))).status_code == 403


async def test_reports_are_rate_limited_per_client(tmp_path: Path) -> None:
    async with running_service(DEFINITION, tmp_path, clock=FrozenClock(START),
                               settings=settings(rate_limit="2/minute")) as svc:
        body = report_body(project_id=None, community_id="shentian")
        for _ in range(2):
            assert (await svc.client.post("/complaints", json=body)).status_code == 201
        limited = await svc.client.post("/complaints", json=body,
                                        headers={"X-Forwarded-For": "10.9.9.9"})  # not trusted
        assert limited.status_code == 429
        assert limited.headers["content-type"] == "application/problem+json"
        assert 1 <= int(limited.headers["retry-after"]) <= 60


async def test_forwarded_for_counts_only_behind_a_trusted_proxy(tmp_path: Path) -> None:
    async with running_service(
        DEFINITION, tmp_path, clock=FrozenClock(START),
        settings=settings(rate_limit="1/minute", trust_forwarded_for=True),
    ) as svc:
        body = report_body(project_id=None, community_id="shentian")
        for ip in ("10.0.0.1", "10.0.0.2"):
            response = await svc.client.post("/complaints", json=body,
                                             headers={"X-Forwarded-For": ip})
            assert response.status_code == 201
        again = await svc.client.post("/complaints", json=body,
                                      headers={"X-Forwarded-For": "10.0.0.1"})
        assert again.status_code == 429


async def test_a_hidden_report_answers_exactly_as_a_missing_one(svc: ServiceHarness) -> None:
    await known_project(svc)
    mine, other = await file(svc), await file(svc)
    token = {**bearer(mine["access_token"]), "If-Match": "99"}
    hidden = await svc.client.post(f"/complaints/{other['id']}/reopen",
                                   json={"reason": "x"}, headers=token)
    missing = await svc.client.post("/complaints/no-such-id/reopen", json={"reason": "x"},
                                    headers=token)
    assert hidden.status_code == missing.status_code == 404  # not 412: the version stays hidden
    assert hidden.json()["detail"] == missing.json()["detail"]


async def test_a_reporter_is_offered_only_what_the_reporter_may_do(svc: ServiceHarness) -> None:
    await known_project(svc)
    receipt = await file(svc)
    path, reporter = f"/complaints/{receipt['id']}", bearer(receipt["access_token"])

    async def offered(headers: dict[str, str]) -> list[str]:
        response = await svc.client.get(path, headers=headers)
        assert response.status_code == 200, response.text
        actions: list[str] = response.json()["allowed_actions"]
        return actions

    supporter = bearer((await svc.client.post(f"{path}/supporters")).json()["access_token"])
    assert await offered(reporter) == []  # nothing of the staff's `acknowledge` or `merge`
    assert await offered(_staff(svc)) == ["acknowledge", "merge"]
    await _walk_to_resolved(svc, receipt)
    assert await offered(reporter) == ["confirm", "reopen"]
    assert await offered(supporter) == []  # follows the report, acts on nothing
    assert await offered(_staff(svc)) == ["close"]
    assert await offered(svc.auth("contractor", org="acme")) == []


async def test_the_assignee_org_is_offered_resolve_and_the_listing_agrees(
    svc: ServiceHarness,
) -> None:
    await known_project(svc)
    receipt = await file(svc)
    path = f"/complaints/{receipt['id']}"
    await svc.client.post(f"{path}/acknowledge", headers=_staff(svc))
    await svc.client.post(f"{path}/assign", json={}, headers=_staff(svc))
    contractor = svc.auth("contractor", org="acme")
    assert (await svc.client.get(path, headers=contractor)).json()["allowed_actions"] == [
        "resolve"]
    listed = (await svc.client.get("/complaints", headers=contractor)).json()["items"]
    assert listed[0]["allowed_actions"] == ["resolve"]
    staff_listed = (await svc.client.get("/complaints", headers=_staff(svc))).json()["items"]
    assert staff_listed[0]["allowed_actions"] == ["assign", "merge", "resolve"]


async def test_a_report_is_read_with_its_version_as_the_etag_for_the_next_step(
    svc: ServiceHarness,
) -> None:
    await known_project(svc)
    receipt = await file(svc)
    path = f"/complaints/{receipt['id']}"
    for headers in (_staff(svc), bearer(receipt["access_token"])):
        assert (await svc.client.get(path, headers=headers)).headers["etag"] == '"1"'
    etag = (await svc.client.get(path, headers=_staff(svc))).headers["etag"]
    stepped = await svc.client.post(f"{path}/acknowledge",
                                    headers={**_staff(svc), "If-Match": etag})
    assert stepped.status_code == 200 and stepped.headers["etag"] == '"2"'
    stale = await svc.client.post(f"{path}/assign", json={},
                                  headers={**_staff(svc), "If-Match": etag})
    assert stale.status_code == 412


async def test_notes_for_the_reporter_print_beijing_time_to_the_minute(
    svc: ServiceHarness,
) -> None:
    await known_project(svc)
    receipt = await file(svc)  # noise, 24 h from 09:00 UTC: 17:00 the next day in Beijing
    report = (await svc.client.get(f"/complaints/{receipt['id']}",
                                   headers=bearer(receipt["access_token"]))).json()
    note = report["history"][0]["note"]
    assert "by 2026-03-03 17:00 Beijing time" in note
    assert "+00:00" not in note and "T09:00" not in note


async def test_a_reporters_number_is_taken_as_people_write_it(svc: ServiceHarness) -> None:
    await known_project(svc)
    for written in ("+86 138-1234-5678", full_width("138 1234 5678")):
        receipt = await file(svc, contact={"name": "陈小明", "phone": written})
        staff = (await svc.client.get(f"/complaints/{receipt['id']}",
                                      headers=_staff(svc))).json()
        assert staff["contact"]["phone"] == "13812345678"  # stored in one normal form


def test_no_request_body_of_the_service_takes_a_time_without_an_offset() -> None:
    """A guard for every datetime a body of this service takes (none today): it must be
    `shared.times.UtcDateTime`, so a naive value is refused (422 naming it) and never
    compared with an aware one (a 500). Open311's dates: test_open311_requests.py."""
    models = [value for module in (board_schemas, report_schemas)
              for value in vars(module).values()
              if isinstance(value, type) and issubclass(value, Input) and value is not Input]
    assert models
    for model in models:
        for name, info in model.model_fields.items():
            if "datetime" not in str(info.annotation):
                continue
            with pytest.raises(ValidationError) as refused:
                model.model_validate({name: "2026-12-01T10:00:00"})
            assert any(e["loc"][:1] == (name,) and "timezone" in e["msg"]
                       for e in refused.value.errors()), (model, name)
