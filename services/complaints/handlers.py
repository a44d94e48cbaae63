"""Events the complaints service consumes: one function per type, registered in CONSUMES.

- `project.created` ⇒ who builds the site (routing, board permissions) and its community;
- `property.trial_started` / `property.contract_converted` ⇒ the compound's provider serves
  property-service reports; `property.trial_ended` ⇒ it no longer does;
- `community.boundary_set` ⇒ the community's area, for routing reports by location (the
  newest wins; a boundary that is not a valid GeoJSON Polygon/MultiPolygon is dead-lettered);
- `community.jurisdiction_set` ⇒ the community's offices (the newest wins), whose tokens act
  on its reports only.
Property-service reports go to the provider's organisation (`provider_org`, its tokens'
`org`); a fact published before providers had one names only the provider id, used instead.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.models import CompoundService, ProjectSite
from services.complaints.repository.jurisdictions import save_jurisdiction
from services.complaints.repository.reports import record_boundary
from shared.contracts.projects import (
    CommunityBoundarySet,
    CommunityJurisdictionSet,
    ProjectCreated,
)
from shared.contracts.property import (
    PropertyContractConverted,
    PropertyTrialEnded,
    PropertyTrialStarted,
)
from shared.events.envelope import Event
from shared.geo import area_of
from shared.handlers import Consumes

__all__ = ["CONSUMES"]

CONSUMES = Consumes()


@CONSUMES.event(ProjectCreated)
async def on_project_created(session: AsyncSession, data: ProjectCreated, event: Event) -> None:
    site = await session.get(ProjectSite, data.project_id) or ProjectSite(
        project_id=data.project_id, community_id=data.community_id,
        contractor_org=data.parties.contractor)
    site.community_id = data.community_id
    site.contractor_org = data.parties.contractor
    session.add(site)


def _provider_org(data: PropertyTrialStarted | PropertyContractConverted | PropertyTrialEnded
                  ) -> str:
    return data.provider_org or data.provider_id


async def _serve_compound(session: AsyncSession, compound_id: str, community_id: str,
                          provider_org: str | None) -> None:
    compound = await session.get(CompoundService, compound_id) or CompoundService(
        compound_id=compound_id, community_id=community_id)
    compound.community_id = community_id
    compound.provider_org = provider_org
    session.add(compound)


@CONSUMES.event(PropertyTrialStarted)
async def on_trial_started(session: AsyncSession, data: PropertyTrialStarted,
                           event: Event) -> None:
    await _serve_compound(session, data.compound_id, data.community_id, _provider_org(data))


@CONSUMES.event(PropertyContractConverted)
async def on_contract_converted(session: AsyncSession, data: PropertyContractConverted,
                                event: Event) -> None:
    await _serve_compound(session, data.compound_id, data.community_id, _provider_org(data))


@CONSUMES.event(PropertyTrialEnded)
async def on_trial_ended(session: AsyncSession, data: PropertyTrialEnded, event: Event) -> None:
    compound = await session.get(CompoundService, data.compound_id)
    # a late "ended" must not unseat a different provider that took over since
    if compound is not None and compound.provider_org == _provider_org(data):
        compound.provider_org = None
        session.add(compound)


@CONSUMES.event(CommunityBoundarySet)
async def on_boundary_set(session: AsyncSession, data: CommunityBoundarySet,
                          event: Event) -> None:
    area_of(data.boundary)  # ValueError: not a boundary we can route by
    await record_boundary(session, data.community_id, data.boundary, data.set_at)


@CONSUMES.event(CommunityJurisdictionSet)
async def on_jurisdiction_set(session: AsyncSession, data: CommunityJurisdictionSet,
                              event: Event) -> None:
    await save_jurisdiction(session, data)
