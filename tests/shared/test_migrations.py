"""Each service's migrations build exactly the schema its models declare."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from shared.db import INFRA_METADATA, Database
from shared.migrations import upgrade_to_head
from suite.catalog import SERVICE_NAMES, definition


async def schema_drift(url: str, service: str) -> list[Any]:
    spec = definition(service)
    assert spec.migrations is not None
    db = Database(url)
    try:
        await upgrade_to_head(db, spec.migrations)

        def compare(connection: Connection) -> list[Any]:
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            return list(compare_metadata(context, [INFRA_METADATA, spec.metadata]))

        async with db.engine.connect() as conn:
            return await conn.run_sync(compare)
    finally:
        await db.dispose()


@pytest.mark.parametrize("service", SERVICE_NAMES)
async def test_migrations_match_the_models_on_sqlite(service: str, tmp_path: Path) -> None:
    assert await schema_drift(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}", service) == []
