"""What the complaints service publishes: ids, codes and times only, never contacts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.config import NAME
from services.complaints.models import SiteBoard
from shared.contracts.complaints import (
    ComplaintAcknowledged,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintContactErased,
    ComplaintEscalated,
    ComplaintMerged,
    ComplaintReceived,
    ComplaintReopened,
    ComplaintResolved,
    ComplaintSupported,
    SiteBoardPublished,
)
from shared.events.catalog import EventData
from shared.service import publish, source_of

__all__ = [
    "SOURCE",
    "ComplaintFacts",
    "publish_board_published",
    "publish_complaint_fact",
    "publish_contact_erased",
]

SOURCE = source_of(NAME)

_FACTS: dict[str, Callable[..., EventData]] = {
    "received": ComplaintReceived,
    "acknowledge": ComplaintAcknowledged,
    "assign": ComplaintAssigned,
    "escalate": ComplaintEscalated,
    "resolve": ComplaintResolved,
    "confirm": ComplaintClosed,
    "close": ComplaintClosed,
    "reopen": ComplaintReopened,
    "merge": ComplaintMerged,
    "support": ComplaintSupported,
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
    await publish(session, data, subject=complaint.id, source=SOURCE, at=at)


async def publish_board_published(session: AsyncSession, board: SiteBoard, at: datetime
                                  ) -> None:
    """Stage `site_board.published`: which site, in which community and where, since when."""
    data = SiteBoardPublished(project_id=board.project_id, community_id=board.community_id,
                              published_at=at, lat=board.lat, lng=board.lng)
    await publish(session, data, subject=board.project_id, source=SOURCE, at=at)


async def publish_contact_erased(
    session: AsyncSession, complaint: ComplaintFacts,
    reason: Literal["reporter_request", "retention"], at: datetime,
) -> None:
    """Stage `complaint.contact_erased`: which report, why, when; never what was erased."""
    data = ComplaintContactErased(complaint_id=complaint.id, community_id=complaint.community_id,
                                  reason=reason, erased_at=at)
    await publish(session, data, subject=complaint.id, source=SOURCE, at=at)
