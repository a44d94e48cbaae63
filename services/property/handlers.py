"""What the property service consumes: one typed handler per event type, in CONSUMES."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.property.models import COMMUNITY_JURISDICTIONS
from services.property.service.compounds import record_candidates, record_complaint
from shared.contracts.acceptance import AcceptancePassed
from shared.contracts.complaints import ComplaintReceived
from shared.contracts.projects import CommunityJurisdictionSet
from shared.events.envelope import Event
from shared.handlers import Consumes
from shared.jurisdiction import record_published_jurisdiction

__all__ = ["CONSUMES", "on_acceptance_passed", "on_complaint_received", "on_jurisdiction_set"]

CONSUMES = Consumes()


@CONSUMES.event(AcceptancePassed)
async def on_acceptance_passed(session: AsyncSession, data: AcceptancePassed,
                               event: Event) -> None:
    """A project passed acceptance: offer the community's unmanaged compounds for a trial."""
    await record_candidates(session, event_id=event.id, community_id=data.community_id,
                            acceptance_id=data.acceptance_id, project_id=data.project_id,
                            at=event.time)


@CONSUMES.event(ComplaintReceived)
async def on_complaint_received(session: AsyncSession, data: ComplaintReceived,
                                event: Event) -> None:
    """Keep property-service complaints per compound for the trials' complaint rate."""
    if data.category != "property_service" or data.compound_id is None:
        return
    await record_complaint(session, complaint_id=data.complaint_id,
                           compound_id=data.compound_id, occurred_at=data.occurred_at)


@CONSUMES.event(CommunityJurisdictionSet)
async def on_jurisdiction_set(session: AsyncSession, data: CommunityJurisdictionSet,
                              event: Event) -> None:
    """Keep the community's newest jurisdiction: its offices act there from now on."""
    await record_published_jurisdiction(session, COMMUNITY_JURISDICTIONS, data)
