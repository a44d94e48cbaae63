"""Events the complaints service consumes: one function per type, registered in CONSUMES.

- `project.created` ⇒ who builds the site (routing, board permissions) and its community;
- `property.trial_started` / `property.contract_converted` ⇒ the compound's provider serves
  property-service reports; `property.trial_ended` ⇒ it no longer does.
A property provider's org id is its provider id in the property service.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.models import CompoundService, ProjectSite
from shared.contracts.projects import ProjectCreated
from shared.contracts.property import (
    PropertyContractConverted,
    PropertyTrialEnded,
    PropertyTrialStarted,
)
from shared.events.envelope import Event
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
    await _serve_compound(session, data.compound_id, data.community_id, data.provider_id)


@CONSUMES.event(PropertyContractConverted)
async def on_contract_converted(session: AsyncSession, data: PropertyContractConverted,
                                event: Event) -> None:
    await _serve_compound(session, data.compound_id, data.community_id, data.provider_id)


@CONSUMES.event(PropertyTrialEnded)
async def on_trial_ended(session: AsyncSession, data: PropertyTrialEnded, event: Event) -> None:
    compound = await session.get(CompoundService, data.compound_id)
    # a late "ended" must not unseat a different provider that took over since
    if compound is not None and compound.provider_org == data.provider_id:
        compound.provider_org = None
        session.add(compound)
