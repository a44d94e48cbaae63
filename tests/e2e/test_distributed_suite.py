"""The launcher itself: processes, readiness, logs, a crash and a restart, the test clock."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from shared.settings import SuiteSettings
from suite.distributed import CLOCK_OFFSET_ENV, DistributedSuite, OffsetClock, _test_clock


@pytest.mark.kafka
@pytest.mark.postgres
async def test_a_killed_service_comes_back_on_its_port_with_its_data(
    kafka_bootstrap: str, postgres_server: None, tmp_path: Path
) -> None:
    async with DistributedSuite(services=["projects"], bootstrap=kafka_bootstrap,
                                log_dir=tmp_path) as suite:
        headers = {"Authorization": f"Bearer {suite.token('subdistrict', org='dongdu-street')}"}
        async with httpx.AsyncClient(base_url=suite.url("projects")) as client:
            plan = await client.post("/communities/dongdu/plans", headers=headers,
                                     json={"title": "One plan", "summary": "the list"})
            assert plan.status_code == 201, plan.text
            await suite.kill("projects")
            assert not suite.running("projects")
            with pytest.raises(httpx.TransportError):
                await client.get("/healthz")
            await suite.start("projects")
            again = await client.get(f"/plans/{plan.json()['id']}", headers=headers)
        assert again.status_code == 200
        log = suite.log_text("projects")
    assert log.count("Application startup complete") == 2
    assert "Bearer" not in log


def test_the_test_clock_is_shifted_and_refused_in_production(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _test_clock(SuiteSettings(environment="test")) is None
    monkeypatch.setenv(CLOCK_OFFSET_ENV, "3600")
    clock = _test_clock(SuiteSettings(environment="test"))
    assert isinstance(clock, OffsetClock) and clock.offset == timedelta(hours=1)
    with pytest.raises(SystemExit, match="test-only"):
        _test_clock(SuiteSettings(environment="production",
                                  auth_jwt_secret="a-real-production-secret-of-32-chars!",
                                  auth_report_token_secret="another-production-secret-32-chars"))
