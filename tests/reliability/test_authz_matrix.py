"""Every operation, every caller: the exact set admitted, against real resources."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.authz_expected import EXPECTED
from tests.reliability.authz_run import allowed, observe, operations_of
from tests.reliability.conftest import SERVICES, service_named
from tests.reliability.render_matrix import DOC, current_section, render


def _differences(service: str, observed: dict[str, dict[str, int]]) -> list[str]:
    problems = []
    for operation, statuses in observed.items():
        expected = EXPECTED[service][operation]
        got = allowed(statuses)
        if got != expected:
            problems.append(f"{operation}: also admits {sorted(got - expected)}, "
                            f"refuses {sorted(expected - got)}; statuses {statuses}")
    return problems


@pytest.mark.parametrize("service", SERVICES)
async def test_every_route_has_an_entry(service: str, tmp_path: Path) -> None:
    async with service_named(service, tmp_path) as svc:
        served = set(operations_of(svc))
    assert served == set(EXPECTED[service]), (
        f"add to authz_expected.py: {sorted(served - set(EXPECTED[service]))}; "
        f"no longer served: {sorted(set(EXPECTED[service]) - served)}")


async def _run(service: str, tmp_path: Path, *, world_per_caller: bool) -> list[str]:
    async with service_named(service, tmp_path) as svc:
        observed = {op: await observe(svc, service, op, world_per_caller=world_per_caller)
                    for op in operations_of(svc) if op in EXPECTED[service]}
    return _differences(service, observed)


@pytest.mark.parametrize("service", SERVICES)
async def test_each_operation_admits_exactly_its_callers(service: str, tmp_path: Path) -> None:
    problems = await _run(service, tmp_path, world_per_caller=False)
    assert not problems, "\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize("service", SERVICES)
async def test_each_caller_against_its_own_fresh_world(service: str, tmp_path: Path) -> None:
    """Slow: a fresh world per cell, so no caller's success changes what the next one sees."""
    problems = await _run(service, tmp_path, world_per_caller=True)
    assert not problems, "\n".join(problems)


def test_reliability_md_shows_the_current_matrix() -> None:
    assert current_section(DOC.read_text(encoding="utf-8")) == render(), (
        "run: python -m tests.reliability.render_matrix")
