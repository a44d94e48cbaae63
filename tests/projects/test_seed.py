"""The pilot seed on PostgreSQL: replicas starting at once insert and publish each fact once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from services.projects.app import DEFINITION
from services.projects.config import ProjectsSettings
from services.projects.service.communities import seed_communities
from shared.clock import FrozenClock
from tests.projects.factories import START
from tests.support import ServiceHarness, running_service

pytestmark = pytest.mark.postgres


async def _count(svc: ServiceHarness, sql: str) -> int:
    async with svc.ctx.db.sessions() as session:
        return int((await session.execute(text(sql))).scalar_one())


async def test_replicas_seeding_at_once_insert_and_publish_each_community_once(
        tmp_path: Path, pg_url: str) -> None:
    settings = ProjectsSettings(attachments_root=tmp_path / "attachments")
    async with running_service(DEFINITION, tmp_path, settings=settings,
                               clock=FrozenClock(START), database_url=pg_url) as svc:
        async with svc.ctx.db.transaction() as session:  # back to a database never seeded
            await session.execute(text("DELETE FROM communities"))
        before = await _count(svc, "SELECT count(*) FROM outbox")

        async def start_one_replica() -> None:
            async with svc.ctx.db.transaction() as session:
                await seed_communities(session, svc.ctx)

        await asyncio.gather(*(start_one_replica() for _ in range(4)))
        communities = await _count(svc, "SELECT count(*) FROM communities")
        published = await _count(svc, "SELECT count(*) FROM outbox") - before
        again = await _count(svc, "SELECT count(*) FROM outbox")
        await start_one_replica()
        assert await _count(svc, "SELECT count(*) FROM outbox") == again
    assert (communities, published) == (6, 12)
