"""Builders of this service's event payloads: ids, codes and times only, never contacts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.complaints import (
    ComplaintAcknowledged,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintReceived,
    ComplaintReopened,
    ComplaintResolved,
)
from shared.events.catalog import EventData
from shared.service import publish

__all__ = ["SOURCE", "ComplaintFacts", "FixedClock", "publish_complaint_fact"]

SOURCE = "/community-suite/complaints"

_FACTS: dict[str, Callable[..., EventData]] = {
    "received": ComplaintReceived,
    "acknowledge": ComplaintAcknowledged,
    "assign": ComplaintAssigned,
    "escalate": ComplaintEscalated,
    "resolve": ComplaintResolved,
    "confirm": ComplaintClosed,
    "close": ComplaintClosed,
    "reopen": ComplaintReopened,
}


class ComplaintFacts(Protocol):
    """The fields of a report an event may carry (a stored `Complaint` or a fresh filing)."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def project_id(self) -> str | None: ...
    @property
    def community_id(self) -> str | None: ...
    @property
    def compound_id(self) -> str | None: ...


class FixedClock:
    """The instant a use case works at, for `publish`."""

    def __init__(self, at: datetime) -> None:
        self._at = at

    def now(self) -> datetime:
        return self._at


async def publish_complaint_fact(
    session: AsyncSession, complaint: ComplaintFacts, action: str, at: datetime, **extra: Any
) -> None:
    """Stage the event for `action` on `complaint` (the payload is whitelisted fields only)."""
    data = _FACTS[action](
        complaint_id=complaint.id, kind=complaint.kind, category=complaint.category,
        status=complaint.status, project_id=complaint.project_id,
        community_id=complaint.community_id, compound_id=complaint.compound_id,
        occurred_at=at, **extra,
    )
    await publish(session, data, subject=complaint.id, source=SOURCE, clock=FixedClock(at))
