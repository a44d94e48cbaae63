"""The pilot end to end in embedded mode: four apps in one process over the local bus."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.e2e.checks import assert_city_kpis, assert_nothing_personal
from tests.e2e.hosts import embedded_host
from tests.e2e.scenario import run_scenario


async def test_a_community_goes_from_plan_to_paid_property_service_in_embedded_mode(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with embedded_host(tmp_path) as host:
        run = await run_scenario(host)
        events = await assert_city_kpis(host.raw_events)

    after, before = run.coverage_after["after_trials"], run.coverage_before["after_trials"]
    assert after["households_managed"] == before["households_managed"] + 3
    assert_nothing_personal(events, run, "an event")
    log = [record.getMessage().encode() for record in caplog.records]
    assert_nothing_personal(log, run, "a log line", tokens=True)
