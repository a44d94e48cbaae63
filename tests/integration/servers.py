"""Real servers for integration tests: started through the repo's own scripts."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest

ROOT = Path(__file__).resolve().parents[2]
KAFKA_SCRIPT = ROOT / "deploy" / "local" / "kafka.sh"
POSTGRES_SCRIPT = ROOT / "deploy" / "local" / "postgres.sh"
KAFKA_BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
PG_ADMIN_DSN = os.environ.get(
    "TEST_POSTGRES_DSN", "postgresql://community:community@127.0.0.1:5432/postgres"
)


def kafka(command: str) -> None:
    subprocess.run([str(KAFKA_SCRIPT), command], check=True, timeout=180)


def postgres(command: str) -> None:
    subprocess.run([str(POSTGRES_SCRIPT), command], check=True, timeout=900)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@asynccontextmanager
async def scratch_database() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database; dropped afterwards. Yields its SQLAlchemy URL."""
    name = unique("test").replace("-", "_")
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    dsn = PG_ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
    finally:
        admin = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@contextmanager
def env(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@asynccontextmanager
async def database_url_for(request: pytest.FixtureRequest, sqlite_file: Path
                           ) -> AsyncIterator[str]:
    """A fresh database of the kind a fixture parameter names: "sqlite" or "postgres"."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{sqlite_file}"
        return
    request.getfixturevalue("postgres_server")
    async with scratch_database() as url:
        yield url
