"""Concurrent writers of one report or board on PostgreSQL: the locked row decides.

SQLite takes its write lock at BEGIN and would hide every race, so these run on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.complaints.app import DEFINITION
from services.complaints.service import reports
from services.complaints.service.escalation import escalate_overdue
from shared.auth import Principal
from shared.clock import FrozenClock
from tests.complaints.conftest import START, board_body, file, known_project, settings
from tests.support import ServiceHarness, running_service

pytestmark = pytest.mark.postgres

CONTENDERS = 12


@pytest.fixture
async def on_postgres(tmp_path: Path, pg_url: str) -> AsyncIterator[ServiceHarness]:
    async with running_service(DEFINITION, tmp_path, settings=settings(database_url=pg_url),
                               clock=FrozenClock(START)) as harness:
        yield harness


async def _assigned(svc: ServiceHarness, **overrides: Any) -> str:
    await known_project(svc)
    report = (await file(svc, **overrides))["id"]
    for step, body in (("acknowledge", None), ("assign", {})):
        response = await svc.client.post(f"/complaints/{report}/{step}", json=body,
                                         headers=svc.auth("subdistrict", org="shentian-street"))
        assert response.status_code == 200, response.text
    return str(report)


def _statuses(responses: list[httpx.Response]) -> list[int]:
    return sorted(response.status_code for response in responses)


async def test_a_report_resolved_many_times_at_once_is_resolved_once(
    on_postgres: ServiceHarness,
) -> None:
    report = await _assigned(on_postgres)
    responses = await asyncio.gather(*(
        on_postgres.client.post(f"/complaints/{report}/resolve", json={"resolution": "done"},
                                headers=on_postgres.auth("subdistrict", org="shentian-street"))
        for _ in range(CONTENDERS)))
    assert _statuses(responses) == [200] + [409] * (CONTENDERS - 1)
    assert len(await on_postgres.published("complaint.resolved")) == 1


async def test_one_if_match_admits_one_board_replacement(on_postgres: ServiceHarness) -> None:
    await known_project(on_postgres)
    headers = on_postgres.auth("subdistrict", org="shentian-street")
    await on_postgres.client.put("/sites/p-1/board", json=board_body(), headers=headers)
    responses = await asyncio.gather(*(
        on_postgres.client.put("/sites/p-1/board", json=board_body(hotline=f"1234{i % 10}"),
                               headers={**headers, "If-Match": "1"})
        for i in range(CONTENDERS)))
    assert _statuses(responses) == [200] + [412] * (CONTENDERS - 1)
    assert len(await on_postgres.published("site_board.published")) == 2


async def test_first_publications_at_once_make_one_board(on_postgres: ServiceHarness) -> None:
    await known_project(on_postgres)
    responses = await asyncio.gather(*(
        on_postgres.client.put("/sites/p-1/board", json=board_body(),
                               headers=on_postgres.auth("subdistrict", org="shentian-street"))
        for _ in range(CONTENDERS)))
    assert _statuses(responses) == [200] * (CONTENDERS - 1) + [201]
    board = (await on_postgres.client.get("/sites/p-1/board")).json()
    assert board["version"] == CONTENDERS


async def test_a_scan_waiting_on_a_resolve_does_not_escalate_the_resolved_report(
    on_postgres: ServiceHarness,
) -> None:
    report = await _assigned(on_postgres, category="safety")
    on_postgres.clock.advance(timedelta(hours=5))
    staff = Principal(sub="officer", roles=frozenset({"subdistrict"}), org="shentian-street")
    db, now = on_postgres.ctx.db, on_postgres.clock.now()

    async def scan() -> int:
        async with db.transaction() as session:
            return await escalate_overdue(session, now)

    async with db.transaction() as session:
        await reports.take_step(session, report, "resolve", staff, now, if_match=None,
                                note="fenced off")
        scanning = asyncio.create_task(scan())
        await asyncio.sleep(0.5)
        assert not scanning.done()  # waiting for the resolve's lock on the report
    assert await scanning == 0
    assert await on_postgres.published("complaint.escalated") == []
