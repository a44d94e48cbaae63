"""What the property service publishes (contract: `shared.contracts.property`).

Every fact is about a trial or a compound and is keyed by its id, so one trial's facts stay
in order; payloads carry ids, counts and areas, never owner ids.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.property.config import NAME
from services.property.models import Trial
from shared.events.catalog import EventData
from shared.service import publish, source_of

__all__ = ["SOURCE", "publish_fact", "trial_fact"]

SOURCE = source_of(NAME)


def trial_fact(trial: Trial) -> dict[str, Any]:
    """The fields every trial event carries (ids only, never owners)."""
    return {
        "trial_id": trial.id,
        "compound_id": trial.compound_id,
        "community_id": trial.community_id,
        "provider_id": trial.provider_id,
        "provider_org": trial.provider_org,
    }


async def publish_fact(session: AsyncSession, data: EventData, *, subject: str,
                       at: datetime) -> None:
    """Stage `data`, which happened `at`, in the caller's transaction."""
    await publish(session, data, subject=subject, source=SOURCE, at=at)
