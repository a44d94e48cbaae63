"""Fixtures and factories for the property service tests.

The callers are those of the factories' world unless a test names an org: an office
(`district_bureau`, `subdistrict`, `community`) is the office of COMMUNITY as seeded
(`siming-bureau`, `shentian-street`, `shentian`), a `property_provider` is PROVIDER_ORG, the
org the factories register their provider with.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.property.app import DEFINITION
from services.property.config import PropertySettings
from shared.clock import FrozenClock
from shared.jurisdiction import seeded_jurisdiction
from tests.support import ServiceHarness, running_service

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
COMMUNITY = "shentian"
PROVIDER_ORG = "egret-pm"


def office(role: str, community_id: str = COMMUNITY) -> str | None:
    """The org of the community's `role` office as seeded (None: not an office role)."""
    area = seeded_jurisdiction(community_id)
    return area.org_for(role) if area is not None else None


class PropertyHarness(ServiceHarness):
    """The service harness whose callers default to the offices and provider of the world."""

    def token(self, *roles: str, org: str | None = None, sub: str = "tester",
              ttl: timedelta | None = None) -> str:
        if org is None:
            defaults = [office(role) for role in roles]
            defaults.append(PROVIDER_ORG if "property_provider" in roles else None)
            org = next((found for found in defaults if found is not None), None)
        return super().token(*roles, org=org, sub=sub, ttl=ttl)


@asynccontextmanager
async def property_service(tmp_path: Path, settings: PropertySettings | None = None
                           ) -> AsyncIterator[PropertyHarness]:
    async with running_service(DEFINITION, tmp_path, clock=FrozenClock(NOW),
                               settings=settings or PropertySettings()) as harness:
        yield PropertyHarness(**{f.name: getattr(harness, f.name) for f in fields(harness)})


@pytest.fixture
async def prop(tmp_path: Path) -> AsyncIterator[PropertyHarness]:
    async with property_service(tmp_path) as harness:
        yield harness


def compound_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"community_id": "shentian", "name": "Building 7 compound",
                            "households": 120, "total_area_m2": "9600.50",
                            "has_property_management": False}
    return {**body, **overrides}


def provider_body(**overrides: Any) -> dict[str, Any]:
    return {"org": PROVIDER_ORG, "name": "Egret Property Co.", "license_no": "XM-PM-0001",
            **overrides}


def trial_body(compound_id: str, provider_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"compound_id": compound_id, "provider_id": provider_id,
                            "start": "2026-01-01", "end": "2026-12-31",
                            "scope": "cleaning, security patrols, greening, minor repairs",
                            "monthly_subsidy_cny": "20000.00",
                            "proposed_fee_cny_per_m2": "0.85"}
    return {**body, **overrides}


async def create(harness: ServiceHarness, path: str, body: dict[str, Any],
                 *roles: str, org: str | None = None) -> dict[str, Any]:
    headers = harness.auth(*(roles or ("subdistrict",)), org=org)
    response = await harness.client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def running_trial(harness: ServiceHarness, *, provider_org: str = PROVIDER_ORG,
                        **compound: Any) -> dict[str, Any]:
    """A compound, a provider and an active trial on it, entrusted by the compound's
    community's sub-district."""
    body = compound_body(**compound)
    subdistrict = office("subdistrict", body["community_id"])
    c = await create(harness, "/compounds", body, org=subdistrict)
    p = await create(harness, "/providers", provider_body(license_no=f"XM-{c['id'][:8]}",
                                                         org=provider_org))
    return await create(harness, "/trials", trial_body(c["id"], p["id"]), org=subdistrict)
