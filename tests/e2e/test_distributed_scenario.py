"""The pilot end to end as deployed: four service processes, PostgreSQL, Kafka."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.checks import assert_city_kpis, assert_nothing_personal
from tests.e2e.hosts import distributed_host
from tests.e2e.scenario import run_scenario

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_a_community_goes_from_plan_to_paid_property_service_across_four_processes(
    kafka_bootstrap: str, postgres_server: None, tmp_path: Path
) -> None:
    async with distributed_host(kafka_bootstrap, tmp_path) as host:
        run = await run_scenario(host)
        events = await assert_city_kpis(host.raw_events)
        log_lines = host.log_lines()

    after, before = run.coverage_after["after_trials"], run.coverage_before["after_trials"]
    assert after["households_managed"] == before["households_managed"] + 3
    assert_nothing_personal(events, run, "an event on Kafka")
    assert any("escalated 1 overdue report" in line for line in log_lines), \
        "the complaints process (restarted with a shifted clock) logged its escalation"
    assert_nothing_personal([line.encode() for line in log_lines], run, "a service log line",
                            tokens=True)
