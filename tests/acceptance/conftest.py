from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.acceptance.app import DEFINITION
from shared.clock import FrozenClock
from tests.acceptance.factories import START
from tests.support import ServiceHarness, running_service


@pytest.fixture
async def acceptance(tmp_path: Path) -> AsyncIterator[ServiceHarness]:
    async with running_service(DEFINITION, tmp_path, clock=FrozenClock(START)) as harness:
        yield harness
