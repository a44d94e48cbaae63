"""The whole pilot, driven over HTTP as its real clients would, in either run mode.

`run_scenario(host)` takes a `SuiteHost` (an HTTP client per service, a way to mint tokens
with the suite's secret, and a way to move the complaints service's clock past an SLA) and
walks one community from an approved plan to paid property service; a second site in another
community falls behind schedule. Event-driven steps are polled with a timeout. It returns
what the checks afterwards need: ids, the personal data sent (which must never reach an event
or a log line) and every bearer token used.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.e2e.basics import COMMUNITY, LAGGING_COMMUNITY, Actors, Run, SuiteHost, eventually
from tests.e2e.handover import coverage, interim_service, joint_acceptance, register_compounds
from tests.e2e.residents import escalated_complaint, prompt_complaint
from tests.e2e.works import (
    approved_project,
    finish_works,
    inspect_hidden_work,
    lagging_project,
    publish_board,
    report_progress_with_a_retry,
    start_construction,
)

__all__ = ["COMMUNITY", "LAGGING_COMMUNITY", "Run", "SuiteHost", "eventually", "run_scenario"]


async def run_scenario(host: SuiteHost) -> Run:
    run = Run()
    who = Actors(host, run)
    today = datetime.now(UTC).date()
    _, unmanaged = await register_compounds(host, who)
    run.coverage_before = await coverage(host, who)
    run.project_id = await approved_project(host, who, COMMUNITY, today - timedelta(days=30),
                                            today + timedelta(days=60))
    await publish_board(host, who, run.project_id)
    await start_construction(host, who, run.project_id)
    await report_progress_with_a_retry(host, who, run.project_id)
    await inspect_hidden_work(host, who, run.project_id)
    await escalated_complaint(host, who, run)
    await prompt_complaint(host, who, run)
    await finish_works(host, who, run.project_id)
    await joint_acceptance(host, who, run)
    await interim_service(host, who, run, unmanaged)
    run.coverage_after = await coverage(host, who)
    run.lagging_project_id = await lagging_project(host, who)
    return run
