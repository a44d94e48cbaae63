"""Concurrent writers of one acceptance on PostgreSQL: the acceptance row's lock decides.

SQLite takes its write lock at BEGIN and would hide every race, so these run on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from services.acceptance.app import DEFINITION
from services.acceptance.config import AcceptanceSettings
from shared.clock import FrozenClock
from tests.acceptance.factories import (
    EIGHT_PARTIES,
    PROJECT,
    START,
    open_acceptance,
    party_auth,
    rectified,
    sign,
)
from tests.support import ServiceHarness, running_service

CONTENDERS = 12


@pytest.fixture
async def on_postgres(tmp_path: Path, pg_url: str) -> AsyncIterator[ServiceHarness]:
    settings = AcceptanceSettings(database_url=pg_url)
    async with running_service(DEFINITION, tmp_path, settings=settings,
                               clock=FrozenClock(START)) as harness:
        yield harness


async def _view(harness: ServiceHarness, acceptance_id: str) -> dict[str, Any]:
    response = await harness.client.get(f"/acceptances/{acceptance_id}",
                                        headers=harness.auth("admin"))
    view: dict[str, Any] = response.json()
    return view


async def test_a_party_signing_many_times_at_once_signs_once(
    on_postgres: ServiceHarness,
) -> None:
    opened = await open_acceptance(on_postgres)
    responses = await asyncio.gather(
        *(sign(on_postgres, opened["id"], "owners") for _ in range(CONTENDERS)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (CONTENDERS - 1)
    assert len(await on_postgres.published("acceptance.signed")) == 1
    assert (await _view(on_postgres, opened["id"]))["version"] == opened["version"] + 1


async def test_the_last_two_parties_signing_at_once_decide_the_round_once(
    on_postgres: ServiceHarness,
) -> None:
    opened = await open_acceptance(on_postgres)
    *first, one, other = EIGHT_PARTIES
    for party in first:
        assert (await sign(on_postgres, opened["id"], party)).status_code == 201
    responses = await asyncio.gather(sign(on_postgres, opened["id"], one),
                                     sign(on_postgres, opened["id"], other, "reject"))
    assert [r.status_code for r in responses] == [201, 201]
    assert len(await on_postgres.published("acceptance.failed")) == 1
    assert await on_postgres.published("acceptance.passed") == []
    view = await _view(on_postgres, opened["id"])
    assert (view["status"], len(view["rounds"][0]["signatures"])) == ("failed", 8)
    verified = await on_postgres.client.get(f"/acceptances/{opened['id']}/verify",
                                            headers=on_postgres.auth("admin"))
    assert verified.json()["valid"] is True


async def test_schedules_with_the_same_if_match_at_once_give_one_200(
    on_postgres: ServiceHarness,
) -> None:
    opened = await open_acceptance(on_postgres)
    headers = {**party_auth(on_postgres, "builder"), "If-Match": str(opened["version"])}
    body = {"scheduled_at": (START + timedelta(days=3)).isoformat(), "place": "社区服务中心"}
    responses = await asyncio.gather(*(
        on_postgres.client.post(f"/acceptances/{opened['id']}/schedule", json=body,
                                headers=headers)
        for _ in range(CONTENDERS)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [412] * (CONTENDERS - 1)
    assert len(await on_postgres.published("acceptance.scheduled")) == 1


async def test_two_rectifications_at_once_open_one_next_round(
    on_postgres: ServiceHarness,
) -> None:
    opened = await open_acceptance(on_postgres)
    for party in EIGHT_PARTIES:
        await sign(on_postgres, opened["id"], party, "reject" if party == "owners" else "approve")
    await asyncio.gather(*(on_postgres.deliver(rectified(), subject=PROJECT) for _ in range(2)))
    assert len(await on_postgres.published("acceptance.round_opened")) == 1
    assert (await _view(on_postgres, opened["id"]))["round"] == 2
