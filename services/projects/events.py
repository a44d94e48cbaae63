"""What the projects service publishes: facts about a project, keyed by the project id, and
about a community (its jurisdiction, its boundary, a filed survey, an approved plan), keyed
by the community id (the catalog is `shared.contracts.projects`).

Payloads carry ids, codes, amounts, counts and geometry only (organisation ids, never
people, never a note or a description).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.config import NAME
from services.projects.models import Community, Project
from shared.contracts.projects import CommunityBoundarySet, CommunityJurisdictionSet, ProjectParties
from shared.events.catalog import EventData
from shared.jurisdiction import Jurisdiction
from shared.service import publish, source_of

__all__ = [
    "SOURCE",
    "boundary_set",
    "jurisdiction_set",
    "parties_of",
    "project_ref",
    "publish_community_fact",
    "publish_fact",
]

SOURCE = source_of(NAME)


def parties_of(project: Project) -> ProjectParties:
    """The project's parties as organisation ids (never people)."""
    return ProjectParties.model_validate(project.parties)


def project_ref(project: Project) -> dict[str, str]:
    """The fields every project fact starts with."""
    return {"project_id": project.id, "community_id": project.community_id}


async def publish_fact(session: AsyncSession, project: Project, data: EventData, *,
                       at: datetime) -> None:
    """Stage `data`, which happened to `project` at `at`, in the caller's transaction."""
    await publish(session, data, subject=project.id, source=SOURCE, at=at)


def jurisdiction_set(jurisdiction: Jurisdiction, set_at: datetime) -> CommunityJurisdictionSet:
    """A community's offices (org ids) as set at `set_at`."""
    return CommunityJurisdictionSet(
        community_id=jurisdiction.community_id, district=jurisdiction.district,
        district_bureau_org=jurisdiction.district_bureau_org,
        subdistrict_org=jurisdiction.subdistrict_org, community_org=jurisdiction.community_org,
        set_at=set_at)


def boundary_set(community_id: str, boundary: dict[str, Any], set_at: datetime
                 ) -> CommunityBoundarySet:
    """A community's boundary (GeoJSON, WGS84) as set at `set_at`."""
    return CommunityBoundarySet(community_id=community_id, boundary=boundary, set_at=set_at)


async def publish_community_fact(session: AsyncSession, community: Community, data: EventData,
                                 *, at: datetime) -> None:
    """Stage `data`, which happened to `community` at `at`, keyed by the community id."""
    await publish(session, data, subject=community.id, source=SOURCE, at=at)
