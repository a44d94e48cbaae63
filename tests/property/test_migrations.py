"""The migration giving providers an org keeps what existed working, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from services.property.app import DEFINITION
from shared.db import Database
from shared.migrations import alembic_config

BEFORE_ORGS = "a6613e5518d5"
WHEN = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


async def _upgrade(db: Database, revision: str) -> None:
    assert DEFINITION.migrations is not None
    config = alembic_config(DEFINITION.migrations, db.url)

    def upgrade(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(upgrade)


async def _a_trial_of_a_provider_without_org(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO compounds (id, community_id, name, households, total_area_m2,"
            " managed_at_registration, has_property_management, version, created_at)"
            " VALUES ('c1', 'shentian', 'Block 7', 120, 9600.50, false, false, 1, :at)"),
            {"at": WHEN})
        await conn.execute(text(
            "INSERT INTO providers (id, name, license_no, created_at)"
            " VALUES ('p1', 'Egret', 'XM-1', :at)"), {"at": WHEN})
        await conn.execute(text(
            'INSERT INTO trials (id, compound_id, community_id, provider_id,'
            ' running_compound_id, "start", "end", scope, monthly_subsidy_cny,'
            " proposed_fee_cny_per_m2, status, version, created_at)"
            " VALUES ('t1', 'c1', 'shentian', 'p1', 'c1', :start, :end, 'cleaning', 20000,"
            " 0.85, 'active', 1, :at)"),
            {"start": date(2026, 1, 1), "end": date(2026, 12, 31), "at": WHEN})


async def _orgs_after_upgrading_old_rows(url: str) -> tuple[str, str]:
    db = Database(url)
    try:
        await _upgrade(db, BEFORE_ORGS)
        await _a_trial_of_a_provider_without_org(db)
        await _upgrade(db, "head")
        async with db.engine.connect() as conn:
            provider = await conn.scalar(text("SELECT org FROM providers WHERE id = 'p1'"))
            trial = await conn.scalar(text("SELECT provider_org FROM trials WHERE id = 't1'"))
    finally:
        await db.dispose()
    return provider, trial


# Complaints were routed to the provider id until now: it stays the provider's org.

async def test_an_old_provider_keeps_its_id_as_org_and_its_trials_too_on_sqlite(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'p.db'}"
    assert await _orgs_after_upgrading_old_rows(url) == ("p1", "p1")


async def test_an_old_provider_keeps_its_id_as_org_and_its_trials_too_on_postgresql(
    pg_url: str,
) -> None:
    assert await _orgs_after_upgrading_old_rows(pg_url) == ("p1", "p1")
