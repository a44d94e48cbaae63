"""Helpers building the property service's event payloads (contract: shared/contracts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.property_service.models import Trial
from shared.clock import Clock
from shared.events.catalog import EventData
from shared.service import publish

__all__ = ["SOURCE", "publish_trial_fact", "trial_fact"]

SOURCE = "/community-suite/property"


def trial_fact(trial: Trial) -> dict[str, Any]:
    """The fields every trial event carries (ids only, never owners)."""
    return {
        "trial_id": trial.id,
        "compound_id": trial.compound_id,
        "community_id": trial.community_id,
        "provider_id": trial.provider_id,
    }


async def publish_trial_fact(session: AsyncSession, data: EventData, *, subject: str,
                             clock: Clock) -> None:
    await publish(session, data, subject=subject, source=SOURCE, clock=clock)
