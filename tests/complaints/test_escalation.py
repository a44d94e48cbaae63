"""The SLA clock over the database, driven by a frozen clock (街道吹哨、部门报到)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from services.complaints.app import DEFINITION
from services.complaints.repository import reports as reports_repository
from services.complaints.service.escalation import escalate_overdue
from shared.clock import FrozenClock
from tests.complaints.conftest import START, bearer, file, known_project, settings
from tests.support import ServiceHarness, eventually, running_service


async def _scan(svc: ServiceHarness) -> int:
    async with svc.ctx.db.transaction() as session:
        return await escalate_overdue(session, svc.clock.now())


async def _escalations(svc: ServiceHarness) -> list[dict[str, Any]]:
    return [e.data for e in await svc.published("complaint.escalated")]


async def test_an_overdue_safety_report_goes_to_the_subdistrict_then_the_district(
    svc: ServiceHarness,
) -> None:
    await known_project(svc)
    receipt = await file(svc, category="safety")
    svc.clock.advance(timedelta(hours=3, minutes=59))
    assert await _scan(svc) == 0
    svc.clock.advance(timedelta(minutes=1))
    assert await _scan(svc) == 1
    assert await _scan(svc) == 0  # each level once
    svc.clock.advance(timedelta(hours=4))
    assert await _scan(svc) == 1
    svc.clock.advance(timedelta(days=3))
    assert await _scan(svc) == 0
    levels = [(e["complaint_id"], e["level"]) for e in await _escalations(svc)]
    assert levels == [(receipt["id"], "subdistrict"), (receipt["id"], "district_department")]
    report = await svc.client.get(f"/complaints/{receipt['id']}",
                                  headers=bearer(receipt["access_token"]))
    assert report.json()["escalation_level"] == "district_department"
    assert [s["actor"]["role"] for s in report.json()["history"]][-2:] == ["system", "system"]


async def test_noise_waits_its_own_longer_deadline(svc: ServiceHarness) -> None:
    await known_project(svc)
    await file(svc, category="noise")
    svc.clock.advance(timedelta(hours=23))
    assert await _scan(svc) == 0
    svc.clock.advance(timedelta(hours=1))
    assert await _scan(svc) == 1


async def test_a_resolved_report_is_not_escalated(svc: ServiceHarness) -> None:
    await known_project(svc)
    receipt = await file(svc, category="safety")
    path = f"/complaints/{receipt['id']}"
    staff = svc.auth("subdistrict", org="shentian-street")
    await svc.client.post(f"{path}/acknowledge", headers=staff)
    await svc.client.post(f"{path}/assign", json={}, headers=staff)
    await svc.client.post(f"{path}/resolve", json={"resolution": "fenced"}, headers=staff)
    svc.clock.advance(timedelta(days=2))
    assert await _scan(svc) == 0


async def test_a_scan_after_a_long_outage_takes_both_levels_in_order(
    svc: ServiceHarness,
) -> None:
    await known_project(svc)
    await file(svc, category="safety")
    svc.clock.advance(timedelta(hours=9))
    assert await _scan(svc) == 2
    assert [e["level"] for e in await _escalations(svc)] == ["subdistrict",
                                                             "district_department"]


async def test_a_reopened_report_gets_a_fresh_clock(svc: ServiceHarness) -> None:
    await known_project(svc)
    receipt = await file(svc, category="safety")
    path = f"/complaints/{receipt['id']}"
    staff = svc.auth("subdistrict", org="shentian-street")
    await svc.client.post(f"{path}/acknowledge", headers=staff)
    await svc.client.post(f"{path}/assign", json={}, headers=staff)
    await svc.client.post(f"{path}/resolve", json={"resolution": "fenced"}, headers=staff)
    svc.clock.advance(timedelta(hours=10))
    await svc.client.post(f"{path}/reopen", json={"reason": "fence fell"},
                          headers=bearer(receipt["access_token"]))
    assert await _scan(svc) == 0
    svc.clock.advance(timedelta(hours=4))
    assert await _scan(svc) == 1
    [event] = await _escalations(svc)
    assert event["status"] == "reopened" and event["level"] == "subdistrict"


async def test_escalation_events_carry_no_personal_data(svc: ServiceHarness) -> None:
    await known_project(svc)
    await file(svc, category="safety")
    svc.clock.advance(timedelta(hours=5))
    await _scan(svc)
    [event] = await svc.published("complaint.escalated")
    assert set(event.data) == {"complaint_id", "kind", "category", "status", "project_id",
                               "community_id", "compound_id", "occurred_at", "level"}


async def test_the_background_scanner_escalates_on_its_own(tmp_path: Path) -> None:
    async with running_service(DEFINITION, tmp_path, clock=FrozenClock(START),
                               settings=settings(sla_scan_seconds=0.05)) as svc:
        await file(svc, project_id=None, community_id="shentian", category="safety")
        svc.clock.advance(timedelta(hours=4))

        async def escalated() -> list[Any]:
            return await svc.published("complaint.escalated")

        [event] = await eventually(escalated)
        assert event.data["level"] == "subdistrict"


async def test_a_report_resolved_after_the_scan_saw_it_is_skipped_on_its_lock(
    svc: ServiceHarness, monkeypatch: pytest.MonkeyPatch,
) -> None:
    await known_project(svc)
    receipt = await file(svc, category="safety")
    svc.clock.advance(timedelta(hours=5))
    path, staff = f"/complaints/{receipt['id']}", svc.auth("subdistrict", org="shentian-street")
    for step, body in (("acknowledge", None), ("assign", {}), ("resolve", {"resolution": "ok"})):
        assert (await svc.client.post(f"{path}/{step}", json=body, headers=staff)).is_success

    async def seen_while_still_open(*args: Any, **kwargs: Any) -> list[str]:
        return [receipt["id"]]  # the scan's unlocked look, taken before the resolve committed

    monkeypatch.setattr(reports_repository, "overdue_report_ids", seen_while_still_open)
    assert await _scan(svc) == 0
    assert await _escalations(svc) == []
