"""Alembic per service: one shared `env.py` body and a programmatic upgrade to head.

Each service's migrations cover its own tables plus the shared infra tables (outbox, inbox,
idempotency keys). `community migrate <service>` and embedded start-up both run `upgrade`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from shared.db import INFRA_METADATA, Database

__all__ = ["alembic_config", "run_migrations", "upgrade_to_head"]


def alembic_config(script_location: Path, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", url)
    return config


def _run(connection: Connection, metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=[INFRA_METADATA, metadata],
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations(metadata: MetaData) -> None:
    """The body of every service's `migrations/env.py`."""
    connection: Any = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection, metadata)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url is not set"

    async def online() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as conn:
            await conn.run_sync(_run, metadata)
        await engine.dispose()

    asyncio.run(online())


# Alembic keeps its migration context in module globals: upgrades in one process (embedded
# mode starts four services at once) must run one at a time.
_one_at_a_time = asyncio.Lock()


async def upgrade_to_head(db: Database, script_location: Path) -> None:
    config = alembic_config(script_location, db.url)

    def upgrade(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    async with _one_at_a_time, db.engine.begin() as conn:
        await conn.run_sync(upgrade)
