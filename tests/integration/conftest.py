"""Integration tests run against the real Kafka broker and PostgreSQL server.

Both are started by the repo's scripts (idempotent); a test that needs them never skips.
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
