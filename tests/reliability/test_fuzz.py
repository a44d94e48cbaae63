"""Schemathesis over every service: no 5xx, declared schemas hold, problem+json on every 4xx."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.conftest import SERVICES, service_named
from tests.reliability.fuzzing import FuzzReport, fuzz_service

FAST_EXAMPLES = 15
SLOW_EXAMPLES = 150


def _explain(report: FuzzReport) -> str:
    return "\n\n".join(f"== {name}\n{text}" for name, text in report.failures.items())


async def _fuzz(name: str, tmp_path: Path, examples: int, *, authenticated: bool
                ) -> FuzzReport:
    async with service_named(name, tmp_path) as svc:
        headers = svc.auth("admin", org="city", sub="fuzzer") if authenticated else {}
        report = await fuzz_service(svc, headers=headers, max_examples=examples)
    print(f"{name} authenticated={authenticated}: {report.operations} operations, "
          f"{report.requests} requests, statuses {dict(sorted(report.statuses.items()))}")
    return report


@pytest.mark.parametrize("name", SERVICES)
async def test_fuzzing_as_admin_finds_no_failure(name: str, tmp_path: Path) -> None:
    report = await _fuzz(name, tmp_path, FAST_EXAMPLES, authenticated=True)
    assert not report.failures, _explain(report)


@pytest.mark.parametrize("name", SERVICES)
async def test_fuzzing_without_a_token_finds_no_failure(name: str, tmp_path: Path) -> None:
    report = await _fuzz(name, tmp_path, 5, authenticated=False)
    assert not report.failures, _explain(report)


@pytest.mark.slow
@pytest.mark.parametrize("name", SERVICES)
async def test_long_fuzzing_as_admin_finds_no_failure(name: str, tmp_path: Path) -> None:
    report = await _fuzz(name, tmp_path, SLOW_EXAMPLES, authenticated=True)
    assert not report.failures, _explain(report)
