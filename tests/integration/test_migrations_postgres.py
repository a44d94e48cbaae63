"""Each service's migrations build exactly the schema its models declare, on PostgreSQL."""

from __future__ import annotations

import pytest

from suite.catalog import SERVICE_NAMES
from tests.integration.servers import scratch_database
from tests.shared.test_migrations import schema_drift

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("service", SERVICE_NAMES)
async def test_migrations_match_the_models_on_postgres(service: str, postgres_server: None) -> None:
    async with scratch_database() as url:
        assert await schema_drift(url, service) == []
