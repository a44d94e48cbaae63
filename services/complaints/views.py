"""Response views of reports and boards: personal data in full for staff only, else masked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.complaints.domain import allowed_actions
from services.complaints.models import Complaint, ComplaintStep, SiteBoard
from services.complaints.phones import mask_email, mask_name, mask_phone
from services.complaints.schemas import (
    ActorPublic,
    BoardPublic,
    ComplaintPublic,
    ContactPublic,
    StepPublic,
)

__all__ = ["board_view", "complaint_view", "contact_view"]


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
