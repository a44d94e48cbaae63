"""Each community's offices, as this service knows them: the projection of
`community.jurisdiction_set` (`COMMUNITY_JURISDICTIONS`), else the seeded defaults of the six
pilot communities (`shared.jurisdiction`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.models import COMMUNITY_JURISDICTIONS
from shared.auth import Principal
from shared.contracts.projects import CommunityJurisdictionSet
from shared.jurisdiction import (
    JURISDICTION_ROLES,
    Jurisdiction,
    communities_served,
    jurisdiction_of,
    record_published_jurisdiction,
)

__all__ = ["StaffArea", "jurisdiction_for", "save_jurisdiction", "staff_area"]

_CACHE = "complaints.jurisdictions"  # per session: one lookup per community and transaction


@dataclass(frozen=True)
class StaffArea:
    """Where a caller acts as staff: everywhere (admin), in some communities (an office's
    token), or nowhere."""

    everywhere: bool = False
    communities: frozenset[str] = frozenset()

    def covers(self, community_id: str | None) -> bool:
        return self.everywhere or (community_id is not None and community_id in self.communities)


def _needs_area(principal: Principal) -> bool:
    return "admin" not in principal.roles and principal.has_any(JURISDICTION_ROLES)


async def jurisdiction_for(session: AsyncSession, principal: Principal,
                           community_id: str | None) -> Jurisdiction | None:
    """The jurisdiction of `community_id` when `principal` is an office whose area matters
    (None otherwise, and for a report with no community: no office acts on it)."""
    if community_id is None or not _needs_area(principal):
        return None
    cache: dict[str, Jurisdiction | None] = session.info.setdefault(_CACHE, {})
    if community_id not in cache:
        cache[community_id] = await jurisdiction_of(session, COMMUNITY_JURISDICTIONS,
                                                    community_id)
    return cache[community_id]


async def staff_area(session: AsyncSession, principal: Principal) -> StaffArea:
    """The communities where `principal` acts as staff (for listings)."""
    if "admin" in principal.roles:
        return StaffArea(everywhere=True)
    if not principal.has_any(JURISDICTION_ROLES):
        return StaffArea()
    return StaffArea(communities=await communities_served(
        session, COMMUNITY_JURISDICTIONS, principal))


async def save_jurisdiction(session: AsyncSession, data: CommunityJurisdictionSet) -> None:
    """Keep the newest jurisdiction of a community (an older event changes nothing)."""
    await record_published_jurisdiction(session, COMMUNITY_JURISDICTIONS, data)
