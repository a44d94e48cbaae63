"""Reports and site boards as our own API shows them. A reporter's contact is shown as
`access.contact_display` decides; a board's contacts are public, in full."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from services.complaints.access import ContactDisplay
from services.complaints.domain.contacts import mask_email, mask_name, mask_phone
from services.complaints.domain.personal_data import contact_status, holds_contact
from services.complaints.domain.workflow import allowed_actions
from services.complaints.models import Complaint, ComplaintStep, SiteBoard
from services.complaints.repository.reports import ReportCounts
from services.complaints.schemas.boards import BoardPublic, SiteLocation
from services.complaints.schemas.fields import ContactPublic
from services.complaints.schemas.reports import (
    ActorPublic,
    CalendarPublic,
    ComplaintPublic,
    ComplaintReceipt,
    NearbyReport,
    PhotoReceipt,
    PointPublic,
    SlaFigures,
    StatsPublic,
    StepPublic,
    SupporterReceipt,
)
from services.complaints.service.duplicates import Nearby, Supported
from services.complaints.service.photos import Uploaded
from services.complaints.service.reports import Filed
from shared.service import ServiceContext
from shared.workdays import CITY_TZ, WorkingCalendar

__all__ = [
    "board_view",
    "calendar_view",
    "complaint_view",
    "contact_view",
    "nearby_view",
    "photo_receipt_view",
    "receipt_view",
    "stats_view",
    "supporter_receipt_view",
]


def contact_view(
    *, full: bool, name: str | None = None, phone: str | None = None,
    email: str | None = None, org: str | None = None,
) -> ContactPublic:
    if full:
        return ContactPublic(org=org, name=name, phone=phone, email=email)
    return ContactPublic(
        org=org,
        name=mask_name(name) if name else None,
        phone=mask_phone(phone) if phone else None,
        email=mask_email(email) if email else None,
    )


# Reports

def _step_view(step: ComplaintStep, *, staff: bool) -> StepPublic:
    actor = ActorPublic(role=step.actor_role, org=step.actor_org,
                        sub=step.actor_sub if staff else None)
    return StepPublic(action=step.action, from_status=step.from_status, to_status=step.to_status,
                      at=step.at, actor=actor, note=step.note)


def complaint_view(
    complaint: Complaint, *, staff: bool, steps: Sequence[ComplaintStep] = (),
    contact: ContactDisplay = "hidden", actions: Collection[str] = (),
) -> ComplaintPublic:
    """`contact` says how the reporter's contact is shown (`access.contact_display`; a full
    display must go through `service.contacts.show_report`, which records it); `actions`
    are what the caller may do (`access.actions_of`): `allowed_actions` lists those the
    report's status allows."""
    held = holds_contact(complaint.contact_name, complaint.contact_phone,
                         complaint.contact_email)
    return ComplaintPublic(
        id=complaint.id, tracking_code=complaint.tracking_code, kind=complaint.kind,
        category=complaint.category, status=complaint.status, project_id=complaint.project_id,
        community_id=complaint.community_id, compound_id=complaint.compound_id,
        description=complaint.description, location=complaint.location,
        photos=list(complaint.photos), anonymous=complaint.anonymous,
        contact=_reporter_contact(complaint, contact) if held else None,
        contact_status=contact_status(held=held, erased_at=complaint.contact_erased_at),
        contact_erased_at=complaint.contact_erased_at,
        routed_org=complaint.routed_org, assignee_org=complaint.assignee_org,
        escalation_level=complaint.escalation_level, sla=complaint.sla,
        expected_resolution_at=complaint.due_at,
        calendar_estimated=complaint.calendar_estimated, supporters=complaint.supporters,
        duplicate_of=complaint.duplicate_of,
        resolved_at=complaint.resolved_at, closed_at=complaint.closed_at,
        satisfaction=complaint.satisfaction, version=complaint.version,
        created_at=complaint.created_at, updated_at=complaint.updated_at,
        allowed_actions=[a for a in allowed_actions(complaint.status) if a in actions],
        history=[_step_view(step, staff=staff) for step in steps],
    )


def _reporter_contact(complaint: Complaint, display: ContactDisplay) -> ContactPublic | None:
    if display == "hidden":
        return None
    return contact_view(full=display == "full", name=complaint.contact_name,
                        phone=complaint.contact_phone, email=complaint.contact_email)


def receipt_view(filed: Filed) -> ComplaintReceipt:
    return ComplaintReceipt(id=filed.complaint.id, tracking_code=filed.complaint.tracking_code,
                            access_token=filed.access_token, status=filed.complaint.status,
                            expected_resolution_at=filed.complaint.due_at)


def photo_receipt_view(uploaded: Uploaded) -> PhotoReceipt:
    image = uploaded.image
    return PhotoReceipt(id=uploaded.id, content_type=image.content_type, width=image.width,
                        height=image.height, sha256=image.sha256, cite_by=uploaded.cite_by)


def supporter_receipt_view(supported: Supported) -> SupporterReceipt:
    return SupporterReceipt(complaint_id=supported.complaint.id,
                            supporters=supported.complaint.supporters,
                            access_token=supported.access_token)


def nearby_view(nearby: Nearby) -> NearbyReport:
    """Public: what the report is about and where, never who filed it or their address."""
    complaint = nearby.complaint
    assert complaint.lat is not None and complaint.lng is not None  # found by its point
    return NearbyReport(
        id=complaint.id, kind=complaint.kind, category=complaint.category,
        status=complaint.status, description=complaint.description,
        location=PointPublic(lat=complaint.lat, lng=complaint.lng),
        distance_m=round(nearby.distance_m, 1), supporters=complaint.supporters,
        created_at=complaint.created_at,
    )


def calendar_view(calendar: WorkingCalendar, this_year: int, *, operator_file: bool
                  ) -> CalendarPublic:
    years = calendar.covered_years()
    return CalendarPublic(covered_years=years, first_year=years[0], last_year=years[-1],
                          current_year_covered=calendar.covers(this_year),
                          next_year_covered=calendar.covers(this_year + 1),
                          operator_file=operator_file)


def stats_view(community_id: str | None, counts: ReportCounts) -> StatsPublic:
    met, breached = counts.met, counts.breached
    mean = counts.mean_seconds_to_resolve
    return StatsPublic(
        community_id=community_id, total=sum(counts.by_status.values()),
        by_status=counts.by_status, by_category=counts.by_category,
        open_overdue=counts.open_overdue,
        sla=SlaFigures(met=met, breached=breached,
                       compliance=round(met / (met + breached), 4) if met + breached else None),
        mean_hours_to_resolve=round(mean / 3600, 2) if mean is not None else None,
    )


# Site boards

def _party(raw: dict[str, Any] | None) -> ContactPublic | None:
    if raw is None:
        return None
    return ContactPublic(org=raw.get("org"), name=raw.get("name"), phone=raw.get("phone"))


def board_view(board: SiteBoard) -> BoardPublic:
    """The board as the fence shows it, to everyone: the hotline, the liaison and the
    contractor's and supervisor's contacts in full, published by their role
    (施工现场要公布投诉热线电话、明确现场联络人)."""
    return BoardPublic(
        project_id=board.project_id, community_id=board.community_id, hotline=board.hotline,
        liaison=ContactPublic(name=board.liaison_name, phone=board.liaison_phone),
        contractor_contact=_party(board.contractor_contact),
        supervisor_contact=_party(board.supervisor_contact),
        location=(SiteLocation(lat=board.lat, lng=board.lng)
                  if board.lat is not None and board.lng is not None else None),
        version=board.version, published_at=board.published_at, updated_at=board.updated_at,
    )


def calendar_readiness(ctx: ServiceContext) -> dict[str, Any]:
    """What complaints' /readyz says of the working-day calendar: the years it covers, and
    whether the next one is loaded (deadlines reaching an uncovered year are estimated)."""
    settings: Any = ctx.settings
    view = calendar_view(settings.calendar(), ctx.clock.now().astimezone(CITY_TZ).year,
                         operator_file=settings.workdays_file is not None)
    return {"calendar": view.model_dump(mode="json")}
