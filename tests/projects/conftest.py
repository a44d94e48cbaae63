"""A running projects service over SQLite and the local bus, with a frozen clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.projects.app import DEFINITION
from services.projects.config import ProjectsSettings
from shared.clock import FrozenClock
from tests.projects.factories import START
from tests.support import ServiceHarness, running_service


@pytest.fixture
async def svc(tmp_path: Path) -> AsyncIterator[ServiceHarness]:
    settings = ProjectsSettings(attachments_root=tmp_path / "attachments",
                                attachments_max_bytes=64 * 1024)
    async with running_service(DEFINITION, tmp_path, settings=settings,
                               clock=FrozenClock(START)) as harness:
        yield harness
