"""Every state-changing operation, raced by twelve identical requests on real PostgreSQL.

One winner and 409/412 for the rest where a precondition admits one (the same If-Match, the
same prior state); one row change and one set of outbox events in every case, measured
against the same request sent alone to an identical world.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.races.cases import RACES
from tests.races.harness import Exempt, judge, run_once, run_race
from tests.reliability.authz_run import operations_of
from tests.reliability.authz_worlds import WORLDS
from tests.reliability.conftest import NOW, SERVICES, service_named

pytestmark = pytest.mark.postgres

WRITES = ("POST", "PUT", "PATCH", "DELETE")


@pytest.mark.parametrize("service", SERVICES)
async def test_every_state_changing_operation_has_a_race_entry(service: str,
                                                              tmp_path: Path) -> None:
    async with service_named(service, tmp_path) as svc:
        writes = {op for op in operations_of(svc) if op.split(" ", 1)[0] in WRITES}
    assert writes == set(RACES[service]), (
        f"add to tests/races/cases.py: {sorted(writes - set(RACES[service]))}; "
        f"no longer served: {sorted(set(RACES[service]) - writes)}")


@pytest.mark.parametrize("service", SERVICES)
async def test_concurrent_identical_requests_have_one_effect(service: str, tmp_path: Path,
                                                             pg_url: str) -> None:
    problems: list[str] = []
    async with service_named(service, tmp_path, database_url=pg_url) as svc:
        for operation, race in RACES[service].items():
            if isinstance(race, Exempt):
                continue
            svc.clock.set(NOW)
            alone = await run_once(svc, operation, await WORLDS[service](svc), race)
            svc.clock.set(NOW)
            raced = await run_race(svc, operation, await WORLDS[service](svc), race)
            problems += judge(operation, race, alone, raced)
    assert not problems, "\n".join(problems)
