"""Use cases for communities: seeding the pilot, setting a jurisdiction or a boundary.

Both are published (`community.jurisdiction_set`, `community.boundary_set`, keyed by the
community id) so every service keeps a projection: the other services authorise offices by
the jurisdiction, complaints routes reports by the boundary.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import access, domain, repository
from services.projects.events import boundary_set, jurisdiction_set, publish_community_fact
from services.projects.models import Community
from services.projects.schemas.planning import JurisdictionIn
from shared.geo import DEMO_BOUNDARIES
from shared.jurisdiction import Jurisdiction, seeded_jurisdiction
from shared.repository import bump_version
from shared.service import ServiceContext

__all__ = ["seed_communities", "set_boundary", "set_jurisdiction"]


async def seed_communities(session: AsyncSession, ctx: ServiceContext) -> None:
    """The six pilot communities, each with its documented default jurisdiction and its
    approximate demo boundary, both published once.

    Runs at every start and is idempotent: missing communities are inserted (`ON CONFLICT DO
    NOTHING`, so replicas starting together insert each once), then each one still without a
    jurisdiction or boundary gets the default, under its row lock, and only then is it
    published. What the admin has set since is left as it is and not published again.
    """
    now = ctx.clock.now()
    await repository.add_missing_communities(session, [
        {"id": community_id, "name": name, "district": district,
         "batch_deadline": domain.BATCH_DEADLINE}
        for community_id, name, district in domain.PILOT_COMMUNITIES])
    for community_id, _, _ in domain.PILOT_COMMUNITIES:
        community = await repository.community_for_update(session, community_id)
        default = seeded_jurisdiction(community_id)
        if community.jurisdiction_set_at is None and default is not None:
            await _record_jurisdiction(session, community, default, now)
        demo = DEMO_BOUNDARIES.get(community_id)
        if community.boundary is None and demo is not None:
            await _record_boundary(session, community, domain.parse_boundary(demo), now)


async def set_jurisdiction(session: AsyncSession, community_id: str, body: JurisdictionIn, *,
                           if_match: str | None, now: datetime) -> Community:
    """Replace the community's offices (admin); every service applies the published change."""
    community = await repository.community_for_update(session, community_id,
                                                      if_match=if_match)
    current = access.jurisdiction_of(community)
    district = community.district_code or (current.district if current else "")
    jurisdiction = Jurisdiction(community_id=community.id, district=district,
                                district_bureau_org=body.district_bureau_org,
                                subdistrict_org=body.subdistrict_org,
                                community_org=body.community_org)
    bump_version(community)
    await _record_jurisdiction(session, community, jurisdiction, now)
    return community


async def set_boundary(session: AsyncSession, community_id: str, value: Any, *,
                       if_match: str | None, now: datetime) -> Community:
    """Replace the community's boundary (admin) with a valid GeoJSON (Multi)Polygon."""
    boundary = domain.parse_boundary(value)
    community = await repository.community_for_update(session, community_id,
                                                      if_match=if_match)
    bump_version(community)
    await _record_boundary(session, community, boundary, now)
    return community


async def _record_jurisdiction(session: AsyncSession, community: Community,
                               jurisdiction: Jurisdiction, now: datetime) -> None:
    community.district_code = jurisdiction.district
    community.district_bureau_org = jurisdiction.district_bureau_org
    community.subdistrict_org = jurisdiction.subdistrict_org
    community.community_org = jurisdiction.community_org
    community.jurisdiction_set_at = now
    await session.flush()
    await publish_community_fact(session, community, jurisdiction_set(jurisdiction, now), at=now)


async def _record_boundary(session: AsyncSession, community: Community,
                           boundary: dict[str, Any], now: datetime) -> None:
    community.boundary = boundary
    community.boundary_set_at = now
    await session.flush()
    await publish_community_fact(session, community, boundary_set(community.id, boundary, now),
                                 at=now)
