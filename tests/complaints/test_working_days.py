"""Working-day clocks: SLA per category in clock hours or working days by the State Council's
calendar (make-up working days included), exact to the hour with a frozen clock; deadlines in
a year no calendar covers are estimated and flagged."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from services.complaints.app import DEFINITION
from services.complaints.config import ComplaintsSettings
from services.complaints.service.escalation import escalate_overdue, redate_estimated_clocks
from shared.clock import FrozenClock
from shared.workdays import CITY_TZ
from tests.complaints.conftest import bearer, report_body, settings
from tests.support import ServiceHarness, eventually, running_service


def beijing(*args: int) -> datetime:
    return datetime(*args, tzinfo=CITY_TZ)  # type: ignore[misc]


@asynccontextmanager
async def service_at(tmp_path: Path, moment: datetime, **overrides: Any
                     ) -> AsyncIterator[ServiceHarness]:
    async with running_service(DEFINITION, tmp_path, clock=FrozenClock(moment),
                               settings=settings(**overrides)) as svc:
        yield svc


async def _file(svc: ServiceHarness, category: str = "quality") -> dict[str, Any]:
    response = await svc.client.post("/complaints", json=report_body(
        project_id=None, community_id="shentian", category=category))
    assert response.status_code == 201, response.text
    report = await svc.client.get(f"/complaints/{response.json()['id']}",
                                  headers=bearer(response.json()["access_token"]))
    found: dict[str, Any] = {**report.json(), "access_token": response.json()["access_token"]}
    assert response.json()["expected_resolution_at"] == found["expected_resolution_at"]
    return found


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


async def _scan(svc: ServiceHarness) -> int:
    async with svc.ctx.db.transaction() as session:
        return await escalate_overdue(session, svc.clock.now())


async def test_a_deadline_across_the_spring_festival_skips_the_holiday_to_the_hour(
    tmp_path: Path,
) -> None:
    # Filed Fri 13 Feb 2026 10:00 Beijing; "3wd": Sat 14 Feb is a make-up working day (1),
    # 15-23 Feb the festival, then Tue 24 (2) and Wed 25 (3): due at 24:00 of 25 Feb.
    async with service_at(tmp_path, beijing(2026, 2, 13, 10, 0)) as svc:
        report = await _file(svc)
        assert report["sla"] == "3wd" and report["calendar_estimated"] is False
        assert _utc(report["expected_resolution_at"]) == beijing(2026, 2, 26, 0, 0)
        assert report["expected_resolution_at"] == "2026-02-25T16:00:00Z"
        assert "within 3 working days, by 2026-02-26 00:00 Beijing time" in \
            report["history"][0]["note"]
        open311 = await svc.client.get(f"/open311/v2/requests/{report['id']}.json")
        [request] = open311.json()
        assert _utc(request["expected_datetime"]) == beijing(2026, 2, 26, 0, 0)

        svc.clock.set(beijing(2026, 2, 25, 23, 59, 59))
        assert await _scan(svc) == 0
        svc.clock.set(beijing(2026, 2, 26, 0, 0))
        assert await _scan(svc) == 1  # the sub-district, at the deadline
        # the district: 6 working days, the last the make-up Saturday 28 Feb
        svc.clock.set(beijing(2026, 2, 28, 23, 59, 59))
        assert await _scan(svc) == 0
        svc.clock.set(beijing(2026, 3, 1, 0, 0))
        assert await _scan(svc) == 1
        levels = [e.data["level"] for e in await svc.published("complaint.escalated")]
        assert levels == ["subdistrict", "district_department"]


async def test_a_make_up_saturday_counts_as_a_working_day(tmp_path: Path) -> None:
    # Thu 26 Feb 2026 09:00 Beijing, "2wd": Fri 27 Feb (1), Sat 28 Feb worked (2).
    async with service_at(tmp_path, beijing(2026, 2, 26, 9, 0), sla={"quality": "2wd"}) as svc:
        report = await _file(svc)
        assert report["expected_resolution_at"] == "2026-02-28T16:00:00Z"


async def test_clock_hours_run_through_holidays(tmp_path: Path) -> None:
    async with service_at(tmp_path, beijing(2026, 2, 16, 22, 0)) as svc:  # the festival's eve
        report = await _file(svc, category="safety")
        assert report["sla"] == "4h"
        assert _utc(report["expected_resolution_at"]) == beijing(2026, 2, 17, 2, 0)


async def test_a_deadline_in_a_year_beyond_the_data_is_estimated_and_flagged(
    tmp_path: Path,
) -> None:
    # 31 Dec 2026 (1), then 2027 by weekdays alone: Fri 1 Jan (2), Mon 4 Jan (3).
    async with service_at(tmp_path, beijing(2026, 12, 30, 9, 0)) as svc:
        report = await _file(svc)
        assert _utc(report["expected_resolution_at"]) == beijing(2027, 1, 5, 0, 0)
        assert report["calendar_estimated"] is True
        assert "estimated" in report["history"][0]["note"]
        calendar = (await svc.client.get("/calendar")).json()
        assert calendar["last_year"] == 2026 and 2027 not in calendar["covered_years"]
        assert calendar["current_year_covered"] and not calendar["next_year_covered"]
        assert calendar["operator_file"] is False


async def test_the_operator_file_supplies_next_year_and_ends_the_estimate(
    tmp_path: Path,
) -> None:
    schedule = tmp_path / "workdays.json"
    schedule.write_text(json.dumps({"2027": {"holidays": ["2027-01-01"], "workdays": []}}),
                        encoding="utf-8")
    async with service_at(tmp_path, beijing(2026, 12, 30, 9, 0),
                          workdays_file=schedule) as svc:
        report = await _file(svc)
        # 31 Dec (1), 1 Jan a holiday, Mon 4 Jan (2), Tue 5 Jan (3).
        assert _utc(report["expected_resolution_at"]) == beijing(2027, 1, 6, 0, 0)
        assert report["calendar_estimated"] is False
        calendar = (await svc.client.get("/calendar")).json()
        assert calendar["next_year_covered"] and calendar["operator_file"]


async def test_a_reopened_report_restarts_its_working_day_clock(tmp_path: Path) -> None:
    async with service_at(tmp_path, beijing(2026, 2, 13, 10, 0)) as svc:
        report = await _file(svc)
        path, admin = f"/complaints/{report['id']}", svc.auth("admin")
        for step, body in (("acknowledge", None), ("assign", {"assignee_org": "acme"}),
                           ("resolve", {"resolution": "patched"})):
            assert (await svc.client.post(f"{path}/{step}", json=body, headers=admin)
                    ).is_success
        svc.clock.set(beijing(2026, 2, 27, 15, 0))  # Fri; Sat 28 Feb is worked
        reopened = await svc.client.post(f"{path}/reopen", json={"reason": "cracked again"},
                                         headers=bearer(report["access_token"]))
        assert reopened.status_code == 200, reopened.text
        # 28 Feb (1), Mon 2 Mar (2), Tue 3 Mar (3)
        assert _utc(reopened.json()["expected_resolution_at"]) == beijing(2026, 3, 4, 0, 0)


async def test_the_older_hours_setting_still_works_and_the_new_one_wins(tmp_path: Path) -> None:
    start = beijing(2026, 3, 2, 9, 0)
    async with service_at(tmp_path, start, sla_hours={"quality": 10, "dust": 6},
                          sla={"quality": "1wd"}) as svc:
        quality, dust = await _file(svc), await _file(svc, category="dust")
        assert (quality["sla"], dust["sla"]) == ("1wd", "6h")
        assert _utc(dust["expected_resolution_at"]) == start + timedelta(hours=6)
        assert _utc(quality["expected_resolution_at"]) == beijing(2026, 3, 4, 0, 0)


def test_the_sla_is_read_as_json_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTS_SLA", '{"noise": "2wd", "safety": "2h"}')
    loaded = ComplaintsSettings()
    assert (loaded.sla_of("noise"), loaded.sla_of("safety"), loaded.sla_of("dust")) == \
        ("2wd", "2h", "24h")


@pytest.mark.parametrize(("overrides", "problem"), [
    ({"sla": {"noise": "2 days"}}, "not a period"),
    ({"sla": {"noise": "0h"}}, "not a period"),
    ({"sla": {"graffiti": "4h"}}, "unknown categories: graffiti"),
    ({"sla_hours": {"noise": 0}}, "positive"),
])
def test_a_bad_sla_setting_stops_the_start_naming_what_is_wrong(
    overrides: dict[str, Any], problem: str,
) -> None:
    with pytest.raises(ValidationError, match=problem):
        ComplaintsSettings(**overrides)


def test_an_unreadable_or_malformed_workdays_file_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot read"):
        ComplaintsSettings(workdays_file=tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"2027": {"holidays": ["2027-13-01"]}}', encoding="utf-8")
    with pytest.raises(ValidationError, match="2027-13-01"):
        ComplaintsSettings(workdays_file=bad)


async def test_estimated_clocks_are_re_dated_once_the_operator_loads_the_year(
    tmp_path: Path,
) -> None:
    async with service_at(tmp_path, beijing(2026, 12, 30, 9, 0)) as svc:
        report = await _file(svc)
        assert report["calendar_estimated"] is True
    schedule = tmp_path / "workdays.json"
    schedule.write_text(json.dumps({"2027": {"holidays": ["2027-01-01"], "workdays": []}}),
                        encoding="utf-8")
    # The operator restarts the service with next year's schedule: its first scan re-dates.
    async with service_at(tmp_path, beijing(2026, 12, 31, 9, 0),
                          workdays_file=schedule) as svc:

        async def redated() -> dict[str, Any] | None:
            found = (await svc.client.get(f"/complaints/{report['id']}",
                                          headers=bearer(report["access_token"]))).json()
            return None if found["calendar_estimated"] else found

        found = await eventually(redated)
        assert _utc(found["expected_resolution_at"]) == beijing(2027, 1, 6, 0, 0)
        assert found["history"][-1]["action"] == "redate"
        assert "2027-01-06 00:00 Beijing time" in found["history"][-1]["note"]
        async with svc.ctx.db.transaction() as session:
            assert await redate_estimated_clocks(session, svc.ctx.settings.calendar(),
                                                 svc.clock.now()) == 0  # once
