"""Fixtures and factories for the complaints service tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from services.complaints.app import DEFINITION
from services.complaints.config import ComplaintsSettings
from shared.clock import FrozenClock
from shared.contracts.projects import ProjectCreated, ProjectParties
from shared.contracts.property import PropertyTrialStarted
from tests.support import ServiceHarness, running_service

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
API_KEY = "civic-app-key"


def settings(**overrides: Any) -> ComplaintsSettings:
    values: dict[str, Any] = {"rate_limit": "1000/minute", "open311_api_keys": API_KEY,
                              "sla_scan_seconds": 3600, **overrides}
    return ComplaintsSettings(**values)


@pytest.fixture
async def svc(tmp_path: Path) -> AsyncIterator[ServiceHarness]:
    async with running_service(DEFINITION, tmp_path, clock=FrozenClock(START),
                               settings=settings()) as harness:
        yield harness


def board_body(**overrides: Any) -> dict[str, Any]:
    return {
        "hotline": "0592-5551234",
        "liaison": {"name": "王建国", "phone": "13812345678"},
        "contractor_contact": {"org": "acme", "name": "李工", "phone": "13900001111"},
        "supervisor_contact": {"org": "watch", "phone": "0592-5559876"},
        **overrides,
    }


def report_body(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": "complaint", "category": "noise", "project_id": "p-1",
        "description": "Drilling after 22:00 next to building 3",
        "location": {"lat": 24.48, "lng": 118.09, "address": "深田路 3 号"},
        "photos": [], "contact": {"name": "陈小明", "phone": "13712345678"},
        "anonymous": False, **overrides,
    }


def project_created(project_id: str = "p-1", community_id: str = "shentian",
                    contractor: str = "acme") -> ProjectCreated:
    return ProjectCreated(
        project_id=project_id, community_id=community_id, plan_id="plan-1", category="basic",
        domain="elevator", heritage=False,
        parties=ProjectParties(builder="builder-org", contractor=contractor),
        planned_start=date(2026, 3, 1), planned_end=date(2026, 9, 30), budget_total_cny="100.00",
    )


def trial_started(compound_id: str = "cmp-1", provider: str = "prov-1") -> PropertyTrialStarted:
    return PropertyTrialStarted(
        trial_id="t-1", compound_id=compound_id, community_id="dongdu", provider_id=provider,
        start=date(2026, 3, 1), end=date(2026, 8, 31), households=120,
    )


def full_width(text: str) -> str:
    """`text` as a Chinese input method in full-width mode types it (U+FF01..U+FF5E)."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c
                   for c in text)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def file(svc: ServiceHarness, **overrides: Any) -> dict[str, Any]:
    """File a report on a known project; returns the 201 receipt."""
    response = await svc.client.post("/complaints", json=report_body(**overrides))
    assert response.status_code == 201, response.text
    receipt: dict[str, Any] = response.json()
    return receipt


async def known_project(svc: ServiceHarness, **kwargs: Any) -> None:
    await svc.deliver(project_created(**kwargs), subject=kwargs.get("project_id", "p-1"))
