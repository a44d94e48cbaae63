"""Every service running as in production (SQLite + local bus, frozen clock), by name."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from services.acceptance.app import DEFINITION as ACCEPTANCE
from services.complaints.app import DEFINITION as COMPLAINTS
from services.complaints.config import ComplaintsSettings
from services.projects.app import DEFINITION as PROJECTS
from services.projects.config import ProjectsSettings
from services.property.app import DEFINITION as PROPERTY
from services.property.config import PropertySettings
from shared.clock import FrozenClock
from shared.service import ServiceDefinition
from shared.settings import ServiceSettings
from tests.support import ServiceHarness, running_service

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
OPEN311_KEY = "civic-app-key"
SERVICES = ("projects", "acceptance", "complaints", "property")


def _definition_and_settings(name: str, tmp_path: Path
                             ) -> tuple[ServiceDefinition, ServiceSettings]:
    if name == "projects":
        return PROJECTS, ProjectsSettings(attachments_root=tmp_path / "attachments",
                                          attachments_max_bytes=64 * 1024)
    if name == "complaints":
        return COMPLAINTS, ComplaintsSettings(rate_limit="100000/minute",
                                              open311_rate_limit="100000/minute",
                                              open311_api_keys=OPEN311_KEY,
                                              sla_scan_seconds=3600)
    if name == "property":
        return PROPERTY, PropertySettings()
    return ACCEPTANCE, ACCEPTANCE.settings_class()


@asynccontextmanager
async def service_named(name: str, tmp_path: Path, **suite_overrides: Any
                        ) -> AsyncIterator[ServiceHarness]:
    definition, settings = _definition_and_settings(name, tmp_path)
    async with running_service(definition, tmp_path, settings=settings,
                               clock=FrozenClock(NOW), **suite_overrides) as harness:
        yield harness


@pytest.fixture(params=SERVICES)
async def any_service(request: pytest.FixtureRequest, tmp_path: Path
                      ) -> AsyncIterator[ServiceHarness]:
    async with service_named(request.param, tmp_path) as harness:
        yield harness

