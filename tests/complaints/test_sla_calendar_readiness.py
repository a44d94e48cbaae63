"""Complaints' readiness says which years the working-day calendar covers."""

from __future__ import annotations

from tests.support import ServiceHarness


async def test_readiness_names_the_years_the_calendar_covers(svc: ServiceHarness) -> None:
    ready = await svc.client.get("/readyz")
    assert ready.status_code == 200
    calendar = ready.json()["notes"]["calendar"]
    assert 2026 in calendar["covered_years"] and 2004 in calendar["covered_years"]
    assert calendar["next_year_covered"] is False  # 2027 awaits the operator's file
    assert calendar["operator_file"] is False
