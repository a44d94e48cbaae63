"""Events the property service consumes: one function per type, registered in HANDLERS."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from services.property_service.models import ComplaintRecord
from services.property_service.service import record_candidates
from shared.consumer import Handler
from shared.contracts.acceptance import AcceptancePassed
from shared.contracts.complaints import ComplaintReceived
from shared.events.catalog import EventData
from shared.events.envelope import Event
from shared.events.topics import ACCEPTANCE, COMPLAINTS

__all__ = ["HANDLERS", "SUBSCRIPTIONS", "on_acceptance_passed", "on_complaint_received"]


async def on_acceptance_passed(session: AsyncSession, data: EventData, event: Event) -> None:
    """A project passed acceptance: offer the community's unmanaged compounds for a trial."""
    assert isinstance(data, AcceptancePassed)
    await record_candidates(session, event_id=event.id, community_id=data.community_id,
                            acceptance_id=data.acceptance_id, project_id=data.project_id,
                            at=event.time)


async def on_complaint_received(session: AsyncSession, data: EventData, event: Event) -> None:
    """Keep property-service complaints per compound for the trials' complaint rate."""
    assert isinstance(data, ComplaintReceived)
    if data.category != "property_service" or data.compound_id is None:
        return
    if await session.get(ComplaintRecord, data.complaint_id) is not None:
        return
    session.add(ComplaintRecord(complaint_id=data.complaint_id, compound_id=data.compound_id,
                                occurred_at=data.occurred_at))


SUBSCRIPTIONS: tuple[str, ...] = (ACCEPTANCE, COMPLAINTS)
HANDLERS: Mapping[str, Handler] = {
    "acceptance.passed": on_acceptance_passed,
    "complaint.received": on_complaint_received,
}
