"""Fixtures and factories for the property service tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from services.property.app import DEFINITION
from services.property.config import PropertySettings
from shared.clock import FrozenClock
from tests.support import ServiceHarness, running_service

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


@pytest.fixture
async def prop(tmp_path: Path) -> AsyncIterator[ServiceHarness]:
    async with running_service(DEFINITION, tmp_path, clock=FrozenClock(NOW),
                               settings=PropertySettings()) as harness:
        yield harness


def compound_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"community_id": "shentian", "name": "Building 7 compound",
                            "households": 120, "total_area_m2": "9600.50",
                            "has_property_management": False}
    return {**body, **overrides}


def provider_body(**overrides: Any) -> dict[str, Any]:
    return {"name": "Egret Property Co.", "license_no": "XM-PM-0001", **overrides}


def trial_body(compound_id: str, provider_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"compound_id": compound_id, "provider_id": provider_id,
                            "start": "2026-01-01", "end": "2026-12-31",
                            "scope": "cleaning, security patrols, greening, minor repairs",
                            "monthly_subsidy_cny": "20000.00",
                            "proposed_fee_cny_per_m2": "0.85"}
    return {**body, **overrides}


async def create(harness: ServiceHarness, path: str, body: dict[str, Any],
                 *roles: str) -> dict[str, Any]:
    response = await harness.client.post(path, json=body,
                                         headers=harness.auth(*(roles or ("subdistrict",))))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def running_trial(harness: ServiceHarness, **compound: Any) -> dict[str, Any]:
    """A compound, a provider and an active trial on it."""
    c = await create(harness, "/compounds", compound_body(**compound))
    p = await create(harness, "/providers", provider_body(license_no=f"XM-{c['id'][:8]}"))
    return await create(harness, "/trials", trial_body(c["id"], p["id"]))
