"""Events the complaints service consumes: one function per type, registered in HANDLERS.

- `project.created` ⇒ who builds the site (routing, board permissions) and its community;
- `property.trial_started` / `property.contract_converted` ⇒ the compound's provider serves
  property-service reports; `property.trial_ended` ⇒ it no longer does.
A property provider's org id is its provider id in the property service.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.models import CompoundService, ProjectSite
from shared.consumer import Handler
from shared.contracts.projects import ProjectCreated
from shared.contracts.property_service import (
    PropertyContractConverted,
    PropertyTrialEnded,
    PropertyTrialStarted,
)
from shared.events.catalog import EventData
from shared.events.envelope import Event
from shared.events.topics import PROJECTS, PROPERTY

__all__ = ["HANDLERS", "SUBSCRIPTIONS"]


async def on_project_created(session: AsyncSession, data: EventData, event: Event) -> None:
    assert isinstance(data, ProjectCreated)
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


async def on_trial_started(session: AsyncSession, data: EventData, event: Event) -> None:
    assert isinstance(data, PropertyTrialStarted)
    await _serve_compound(session, data.compound_id, data.community_id, data.provider_id)


async def on_contract_converted(session: AsyncSession, data: EventData, event: Event) -> None:
    assert isinstance(data, PropertyContractConverted)
    await _serve_compound(session, data.compound_id, data.community_id, data.provider_id)


async def on_trial_ended(session: AsyncSession, data: EventData, event: Event) -> None:
    assert isinstance(data, PropertyTrialEnded)
    compound = await session.get(CompoundService, data.compound_id)
    # a late "ended" must not unseat a different provider that took over since
    if compound is not None and compound.provider_org == data.provider_id:
        compound.provider_org = None
        session.add(compound)


SUBSCRIPTIONS: tuple[str, ...] = (PROJECTS, PROPERTY)
HANDLERS: Mapping[str, Handler] = {
    "project.created": on_project_created,
    "property.trial_started": on_trial_started,
    "property.contract_converted": on_contract_converted,
    "property.trial_ended": on_trial_ended,
}
