"""Fixtures for the real servers (Kafka, PostgreSQL), started by the repo's own scripts.

Tests that need them never skip: `make test` and CI start both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.integration.servers import KAFKA_BOOTSTRAP, kafka, postgres, scratch_database


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    kafka("start")
    yield KAFKA_BOOTSTRAP


@pytest.fixture(scope="session")
def postgres_server() -> None:
    postgres("start")


@pytest.fixture
async def pg_url(postgres_server: None) -> AsyncIterator[str]:
    async with scratch_database() as url:
        yield url
