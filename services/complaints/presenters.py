"""Rows ⇒ responses. Personal data in full for staff only, else masked; Open311 views never
show contact details."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from services.complaints.domain.contacts import mask_email, mask_name, mask_phone
from services.complaints.domain.workflow import allowed_actions
from services.complaints.models import Complaint, ComplaintStep, SiteBoard
from services.complaints.repository.reports import ReportCounts
from services.complaints.schemas.boards import BoardPublic
from services.complaints.schemas.fields import ContactPublic
from services.complaints.schemas.open311 import ATTRIBUTES, SERVICES
from services.complaints.schemas.reports import (
    ActorPublic,
    ComplaintPublic,
    ComplaintReceipt,
    SlaFigures,
    StatsPublic,
    StepPublic,
)
from services.complaints.service.reports import Filed
from shared.contracts.complaints import ComplaintCategory

__all__ = [
    "board_view",
    "complaint_view",
    "contact_view",
    "open311_receipt",
    "receipt_view",
    "request_view",
    "service_definition",
    "service_entry",
    "service_notice",
    "stats_view",
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
    complaint: Complaint, *, staff: bool, steps: Sequence[ComplaintStep] = ()
) -> ComplaintPublic:
    has_contact = complaint.contact_name or complaint.contact_phone or complaint.contact_email
    contact = contact_view(
        full=staff, name=complaint.contact_name, phone=complaint.contact_phone,
        email=complaint.contact_email,
    ) if has_contact else None
    return ComplaintPublic(
        id=complaint.id, tracking_code=complaint.tracking_code, kind=complaint.kind,
        category=complaint.category, status=complaint.status, project_id=complaint.project_id,
        community_id=complaint.community_id, compound_id=complaint.compound_id,
        description=complaint.description, location=complaint.location,
        photos=list(complaint.photos), anonymous=complaint.anonymous, contact=contact,
        routed_org=complaint.routed_org, assignee_org=complaint.assignee_org,
        escalation_level=complaint.escalation_level, expected_resolution_at=complaint.due_at,
        resolved_at=complaint.resolved_at, closed_at=complaint.closed_at,
        satisfaction=complaint.satisfaction, version=complaint.version,
        created_at=complaint.created_at, updated_at=complaint.updated_at,
        allowed_actions=allowed_actions(complaint.status),
        history=[_step_view(step, staff=staff) for step in steps],
    )


def receipt_view(filed: Filed) -> ComplaintReceipt:
    return ComplaintReceipt(id=filed.complaint.id, tracking_code=filed.complaint.tracking_code,
                            access_token=filed.access_token, status=filed.complaint.status,
                            expected_resolution_at=filed.complaint.due_at)


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

def _party(raw: dict[str, Any] | None, *, full: bool) -> ContactPublic | None:
    if raw is None:
        return None
    return contact_view(full=full, org=raw.get("org"), name=raw.get("name"),
                        phone=raw.get("phone"))


def board_view(board: SiteBoard, *, full: bool) -> BoardPublic:
    """The hotline and the liaison's name are public by policy (公布投诉热线、明确现场联络人);
    personal phone numbers are masked unless `full`."""
    liaison = ContactPublic(name=board.liaison_name,
                            phone=board.liaison_phone if full else mask_phone(board.liaison_phone))
    return BoardPublic(
        project_id=board.project_id, community_id=board.community_id, hotline=board.hotline,
        liaison=liaison,
        contractor_contact=_party(board.contractor_contact, full=full),
        supervisor_contact=_party(board.supervisor_contact, full=full),
        version=board.version, published_at=board.published_at, updated_at=board.updated_at,
    )


# Open311 GeoReport v2

def service_entry(code: ComplaintCategory) -> dict[str, Any]:
    name, description, group, keywords = SERVICES[code]
    return {"service_code": code, "service_name": name, "description": description,
            "metadata": True, "type": "realtime", "keywords": keywords, "group": group}


def service_definition(code: ComplaintCategory) -> dict[str, Any]:
    attributes = [
        {"variable": True, "required": False, "values": [], **attribute}
        for attribute in ATTRIBUTES
    ]
    return {"service_code": code, "attributes": attributes}


def service_notice(sla_hours: int) -> str:
    return f"Expected to be resolved within {sla_hours} hours; overdue reports are escalated."


def open311_receipt(filed: Filed) -> dict[str, Any]:
    """The answer to `POST requests`; `access_token` is ours, for the reporter's own API."""
    return {
        "service_request_id": filed.complaint.id,
        "token": filed.complaint.tracking_code,
        "service_notice": service_notice(filed.complaint.sla_hours),
        "account_id": None,
        "access_token": filed.access_token,
    }


def _w3c(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def request_view(complaint: Complaint, *, with_description: bool) -> dict[str, Any]:
    """A report as a GeoReport v2 service request (public: no contact details ever)."""
    location = complaint.location or {}
    media = next((p for p in complaint.photos if p.startswith(("https://", "http://"))), None)
    return {
        "service_request_id": complaint.id,
        "status": "closed" if complaint.status == "closed" else "open",
        "status_notes": complaint.last_note,
        "service_name": SERVICES[complaint.category][0],  # type: ignore[index]
        "service_code": complaint.category,
        "description": complaint.description if with_description else None,
        "agency_responsible": complaint.assignee_org or complaint.routed_org,
        "service_notice": service_notice(complaint.sla_hours),
        "requested_datetime": _w3c(complaint.created_at),
        "updated_datetime": _w3c(complaint.updated_at),
        "expected_datetime": _w3c(complaint.due_at),
        "address": location.get("address"),
        "address_id": None,
        "zipcode": None,
        "lat": location.get("lat"),
        "long": location.get("lng"),
        "media_url": media,
        "tracking_code": complaint.tracking_code,
    }
