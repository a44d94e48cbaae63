"""The complaint view: a run of facts applied at once ends where applying them one by one does.

Over SQLite (embedded) and PostgreSQL, on the migrated acceptance schema.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from services.acceptance.app import DEFINITION
from services.acceptance.handlers import on_complaint_changed
from services.acceptance.models import ComplaintView
from shared.app import prepare_schema
from shared.consumer import BatchHandler, Delivery
from shared.contracts.complaints import ComplaintClosed, ComplaintReopened, ComplaintResolved
from shared.db import Database
from shared.events import make_event
from tests.acceptance.factories import PROJECT, START, complaint
from tests.integration.servers import database_url_for

HOUR = timedelta(hours=1)
STATUSES = [("received", None), ("resolved", ComplaintResolved), ("closed", ComplaintClosed),
            ("reopened", ComplaintReopened)]


@pytest.fixture(params=["sqlite", "postgres"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with database_url_for(request, tmp_path / "acceptance.db") as url:
        database = Database(url)
        await prepare_schema(database, DEFINITION)
        yield database
        await database.dispose()


def _fact(complaint_id: str, status: str = "received", *, hours: int = 0,
          project_id: str | None = PROJECT, category: str = "noise") -> Delivery:
    kind = dict(STATUSES)[status]
    data = complaint(complaint_id, status=status, project_id=project_id,
                     occurred_at=START + hours * HOUR, **({"event": kind} if kind else {}))
    data = data.model_copy(update={"category": category})
    return data, make_event(data, subject=complaint_id, source="/tests", time=START)


async def _one_by_one(db: Database, facts: Sequence[Delivery]) -> None:
    for data, event in facts:
        async with db.transaction() as session:
            await on_complaint_changed(session, data, event)


async def _as_one_run(db: Database, facts: Sequence[Delivery]) -> None:
    assert isinstance(on_complaint_changed, BatchHandler)
    async with db.transaction() as session:
        await on_complaint_changed.apply(session, facts)


async def _views(db: Database) -> dict[str, tuple[Any, ...]]:
    async with db.sessions() as session:
        rows = await session.scalars(select(ComplaintView))
        return {r.complaint_id: (r.project_id, r.kind, r.category, r.status, r.occurred_at)
                for r in rows}


async def test_a_run_folds_each_complaint_to_its_latest_fact(db: Database) -> None:
    await _one_by_one(db, [_fact("c-old", "closed", hours=5), _fact("c-tie", "closed", hours=5)])
    await _as_one_run(db, [
        _fact("c-1", hours=1, category="dust"),
        _fact("c-1", "resolved", hours=3),
        _fact("c-1", "reopened", hours=2),  # older than what the run already holds
        _fact("c-2", "resolved", hours=4),
        _fact("c-2", "closed", hours=4),  # the same instant: the later fact wins
        _fact("c-old", "reopened", hours=1),  # older than the stored row
        _fact("c-tie", "reopened", hours=5),  # as old as the stored row: the later fact wins
        _fact("c-none", project_id=None),
        _fact("c-3", hours=1, project_id="elsewhere"),
        _fact("c-3", "resolved", hours=2, project_id=PROJECT),  # the project stays the first
    ])
    views = await _views(db)
    assert {k: v[2:4] for k, v in views.items()} == {
        "c-old": ("noise", "closed"), "c-tie": ("noise", "reopened"), "c-1": ("noise", "resolved"),
        "c-2": ("noise", "closed"), "c-3": ("noise", "resolved"),
    }
    assert views["c-1"][4] == START + 3 * HOUR
    assert views["c-3"][0] == "elsewhere"


async def test_random_runs_end_where_one_by_one_does(db: Database) -> None:
    rng = random.Random(20260501)
    for round_ in range(5):
        facts = [
            _fact(f"c{round_}-{rng.randrange(4)}", rng.choice(STATUSES)[0],
                  hours=rng.randrange(3), category=rng.choice(["noise", "dust", "safety"]),
                  project_id=rng.choice([PROJECT, PROJECT, "other", None]))
            for _ in range(12)
        ]
        split = rng.randrange(len(facts))
        await _one_by_one(db, [_renamed(f, "single") for f in facts])
        await _one_by_one(db, [_renamed(f, "run") for f in facts[:split]])
        await _as_one_run(db, [_renamed(f, "run") for f in facts[split:]])
    views = await _views(db)
    singly = {k.removeprefix("single-"): v for k, v in views.items() if k.startswith("single-")}
    in_runs = {k.removeprefix("run-"): v for k, v in views.items() if k.startswith("run-")}
    assert singly and in_runs == singly


def _renamed(fact: Delivery, prefix: str) -> Delivery:
    data, event = fact
    renamed = data.model_copy(update={"complaint_id": f"{prefix}-{data.complaint_id}"})  # type: ignore[attr-defined]
    return renamed, event
