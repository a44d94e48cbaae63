"""What must hold after the scenario, in either run mode: the city's KPIs folded from the
run's events, and no personal data (or bearer token) in any event or log line."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from shared.events import Event
from suite.dashboard import fold
from tests.e2e.scenario import COMMUNITY, LAGGING_COMMUNITY, Run, eventually

__all__ = ["assert_city_kpis", "assert_nothing_personal", "expected_kpis"]


def expected_kpis() -> dict[str, Any]:
    return {
        "projects_by_status": {COMMUNITY: {"accepted": 1},
                               LAGGING_COMMUNITY: {"under_construction": 1}},
        "schedule": {"started": 2, "at_risk": 1, "on_schedule": 1, "on_schedule_ratio": 0.5},
        "complaints": {"received": 2, "escalated": 1, "settled_without_escalation": 1,
                       "sla_compliance_ratio": 0.5},
        "acceptance": {"first_rounds_decided": 1, "first_rounds_passed": 0,
                       "first_round_pass_rate": 0.0},
        "property_coverage": {COMMUNITY: {
            "compounds_total": 2, "households_total": 203,
            "compounds_managed_before_trials": 1, "households_managed_before_trials": 200,
            "compounds_managed": 2, "households_managed": 203,
            "compounds_under_trial": 0, "households_under_trial": 0,
            "compounds_converted": 1, "households_converted": 3,
            "households_ratio_before_trials": 0.9852, "households_ratio": 1.0}},
    }


async def assert_city_kpis(raw_events: Callable[[], Awaitable[list[bytes]]]) -> list[bytes]:
    """Fold the run's events (polling until the last ones are relayed); returns them."""
    expected = expected_kpis()
    seen: dict[str, Any] = {}
    events: list[bytes] = []

    async def folded() -> bool:
        nonlocal events
        events = await raw_events()
        seen.update(fold(Event.from_bytes(raw) for raw in events))
        return all(seen[key] == value for key, value in expected.items())

    try:
        await eventually(folded, "the dashboard's KPIs", timeout=30)
    except AssertionError:
        actual = {k: seen.get(k) for k in expected}
        raise AssertionError(f"KPIs {json.dumps(actual)} != {json.dumps(expected)}") from None
    return events


def _forms(text: str) -> list[bytes]:
    """The ways a string can appear in JSON bytes: raw UTF-8 and \\u-escaped."""
    return list({text.encode(), json.dumps(text)[1:-1].encode()})


def assert_nothing_personal(blobs: Iterable[bytes], run: Run, what: str,
                            *, tokens: bool = False) -> None:
    needles = [*run.personal_data, *(run.tokens if tokens else [])]
    for blob in blobs:
        for needle in needles:
            for form in _forms(needle):
                assert form not in blob, f"{what} contains {needle[:12]}…"
