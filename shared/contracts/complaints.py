"""Events published by the complaints service on `complaints.events`.

Key: complaint id (site boards: project id). Only ids, codes and times: never a reporter's
name, phone number, description text or a liaison's contact.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from shared.events.catalog import EventData, event_type
from shared.events.topics import COMPLAINTS

__all__ = [
    "ComplaintAcknowledged",
    "ComplaintAssigned",
    "ComplaintClosed",
    "ComplaintContactErased",
    "ComplaintEscalated",
    "ComplaintFact",
    "ComplaintMerged",
    "ComplaintReceived",
    "ComplaintReopened",
    "ComplaintResolved",
    "ComplaintSupported",
    "SiteBoardPublished",
]

Kind = Literal["complaint", "inquiry", "supervision"]
ComplaintCategory = Literal[
    "noise", "dust", "safety", "quality", "access", "utility_outage", "property_service", "other"
]
ComplaintStatus = Literal[
    "received", "acknowledged", "assigned", "resolved", "closed", "reopened", "duplicate"
]


@event_type("site_board.published", topic=COMPLAINTS)
class SiteBoardPublished(EventData):
    """A construction site published (or updated) its hotline and liaison board."""

    project_id: str
    community_id: str | None = None
    published_at: datetime
    # Where the site is (WGS84), when the board says: a public place, not a person's.
    lat: float | None = None
    lng: float | None = None


class ComplaintFact(EventData):
    """The fields every `complaint.*` fact carries."""

    complaint_id: str
    kind: Kind
    category: ComplaintCategory
    status: ComplaintStatus
    project_id: str | None = None
    community_id: str | None = None
    compound_id: str | None = None
    occurred_at: datetime


@event_type("complaint.received", topic=COMPLAINTS)
class ComplaintReceived(ComplaintFact):
    """A report was filed."""


@event_type("complaint.acknowledged", topic=COMPLAINTS)
class ComplaintAcknowledged(ComplaintFact):
    """Staff acknowledged the report."""


@event_type("complaint.assigned", topic=COMPLAINTS)
class ComplaintAssigned(ComplaintFact):
    """The report was assigned to an organisation."""

    assignee_org: str


@event_type("complaint.escalated", topic=COMPLAINTS)
class ComplaintEscalated(ComplaintFact):
    """The report missed its deadline and went up a level (街道吹哨、部门报到)."""

    level: Literal["subdistrict", "district_department"]


@event_type("complaint.resolved", topic=COMPLAINTS)
class ComplaintResolved(ComplaintFact):
    """The assignee resolved the report."""


@event_type("complaint.closed", topic=COMPLAINTS)
class ComplaintClosed(ComplaintFact):
    """The reporter confirmed the resolution (or it was closed)."""

    satisfaction: int | None = None


@event_type("complaint.reopened", topic=COMPLAINTS)
class ComplaintReopened(ComplaintFact):
    """The reporter reopened a resolved report."""


@event_type("complaint.contact_erased", topic=COMPLAINTS)
class ComplaintContactErased(EventData):
    """A report's contact details were erased (PIPL art. 47): at the reporter's request, or
    when the retention period after closing ran out. The report itself stays; this fact
    carries ids and codes only, never what was erased."""

    complaint_id: str
    community_id: str | None = None
    reason: Literal["reporter_request", "retention"]
    erased_at: datetime


@event_type("complaint.merged", topic=COMPLAINTS)
class ComplaintMerged(ComplaintFact):
    """Staff merged the report into another one on the same matter (并单): it is now a
    `duplicate` and its reporter follows the surviving report."""

    duplicate_of: str


@event_type("complaint.supported", topic=COMPLAINTS)
class ComplaintSupported(ComplaintFact):
    """More residents stand behind the report: a "me too", or a duplicate merged into it
    (`merged_from`, bringing its reporter and supporters). `supporters` is the new count."""

    supporters: int
    merged_from: str | None = None
