"""The working-day migration keeps the clock of reports filed before it, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from services.complaints.app import DEFINITION
from shared.db import Database, UTCDateTime
from shared.migrations import alembic_config

REVISION = "c420a947b8f6"  # routing by location, duplicates, working-day SLA clock
DUE = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)


def _migrate(db: Database, step: Callable[[Any], None]) -> Callable[[Connection], None]:
    assert DEFINITION.migrations is not None
    config = alembic_config(DEFINITION.migrations, db.url)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        step(config)

    return run


async def _old_report(db: Database, location: str) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO complaints (id, tracking_code, kind, category, status, source, "
            "description, location, photos, anonymous, sla_hours, clock_started_at, due_at, "
            "version, created_at, updated_at, token_generation) VALUES ('r-1', 'CC-AAAAAA', "
            "'complaint', 'safety', 'received', 'api', 'd', :location, '[]', false, 4, "
            ":start, :due, 1, :start, :start, 0)"),
            {"location": location, "start": DUE - timedelta(hours=4), "due": DUE})


async def _check_reports_keep_their_clock(database: Database) -> None:
    assert DEFINITION.migrations is not None
    script = ScriptDirectory.from_config(alembic_config(DEFINITION.migrations, database.url))
    before = str(script.get_revision(REVISION).down_revision)
    async with database.engine.begin() as conn:
        await conn.run_sync(_migrate(database, lambda c: command.upgrade(c, before)))
    await _old_report(database, '{"lat": 24.48, "lng": 118.09, "address": "x"}')
    async with database.engine.begin() as conn:
        await conn.run_sync(_migrate(database, lambda c: command.upgrade(c, REVISION)))
        query = text("SELECT sla, district_due_at, calendar_estimated, supporters, lat, lng "
                     "FROM complaints").columns(district_due_at=UTCDateTime())
        sla, district_due_at, estimated, supporters, lat, lng = (await conn.execute(query)).one()
    assert (sla, district_due_at) == ("4h", DUE + timedelta(hours=4))
    assert not estimated and supporters == 0 and (lat, lng) == (24.48, 118.09)
    async with database.engine.begin() as conn:
        await conn.run_sync(_migrate(database, lambda c: command.downgrade(c, before)))
        assert (await conn.execute(text("SELECT sla_hours FROM complaints"))).scalar_one() == 4
    await database.dispose()


async def test_reports_filed_before_keep_their_hours_clock_on_sqlite(tmp_path: Path) -> None:
    await _check_reports_keep_their_clock(Database(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"))


async def test_reports_filed_before_keep_their_hours_clock_on_postgresql(pg_url: str) -> None:
    await _check_reports_keep_their_clock(Database(pg_url))
