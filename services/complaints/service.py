"""Use cases on reports: file, step through the workflow, read, list. Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.complaints import domain
from services.complaints.access import actor_role, ensure_may, ensure_visible, org_of
from services.complaints.config import ComplaintsSettings
from services.complaints.events import publish_complaint_fact
from services.complaints.models import (
    Complaint,
    ComplaintStep,
    CompoundService,
    ProjectSite,
    SiteBoard,
)
from services.complaints.schemas import ComplaintCreate
from shared.auth import Principal, mint_token
from shared.db import new_id
from shared.errors import Invalid, NotFound
from shared.settings import SuiteSettings

__all__ = [
    "Actor",
    "Filed",
    "file_report",
    "load_for_update",
    "load_visible",
    "record_step",
    "steps_of",
    "transition",
    "visibility_filter",
]


@dataclass(frozen=True)
class Actor:
    role: str
    org: str | None = None
    sub: str | None = None

    @classmethod
    def of(cls, principal: Principal, complaint_id: str) -> Actor:
        role = actor_role(principal, complaint_id)
        if role == "reporter":
            return cls(role=role)
        return cls(role=role, org=principal.org, sub=principal.sub)


@dataclass(frozen=True)
class Filed:
    complaint: Complaint
    access_token: str


@dataclass(frozen=True)
class _Place:
    community_id: str | None
    routed_org: str | None


async def _resolve_place(session: AsyncSession, body: ComplaintCreate) -> _Place:
    """Community and routing from the projections; the body's community only fills gaps."""
    site = await session.get(ProjectSite, body.project_id) if body.project_id else None
    board = await session.get(SiteBoard, body.project_id) if body.project_id else None
    compound = await session.get(CompoundService, body.compound_id) if body.compound_id else None
    known = (site.community_id if site else None) or (board.community_id if board else None) \
        or (compound.community_id if compound else None)
    if body.community_id and known and body.community_id != known:
        raise Invalid(f"the project or compound belongs to community {known}",
                      field="community_id")
    community = known or body.community_id
    if body.project_id and not (site or board) and community is None:
        raise Invalid("unknown project: give community_id as well", field="project_id")
    if body.compound_id and compound is None and community is None:
        raise Invalid("unknown compound: give community_id as well", field="compound_id")
    routed = site.contractor_org if site else None
    if body.category == "property_service" and compound and compound.provider_org:
        routed = compound.provider_org
    return _Place(community_id=community, routed_org=routed)


async def _unique_tracking_code(session: AsyncSession) -> str:
    for _ in range(8):
        code = domain.new_tracking_code()
        statement = select(col(Complaint.id)).where(col(Complaint.tracking_code) == code)
        taken = await session.scalar(statement)
        if taken is None:
            return code
    raise RuntimeError("could not draw a free tracking code")  # 29^6 codes: practically never


async def file_report(
    session: AsyncSession, body: ComplaintCreate, *, settings: ComplaintsSettings,
    suite: SuiteSettings, now: datetime, source: str = "api", email: str | None = None,
) -> Filed:
    """File a report (no account needed) and mint the reporter's access token."""
    place = await _resolve_place(session, body)
    sla_hours = settings.sla_hours[body.category]
    contact = None if body.anonymous else body.contact
    complaint = Complaint(
        id=new_id(), tracking_code=await _unique_tracking_code(session), kind=body.kind,
        category=body.category, status="received", source=source, project_id=body.project_id,
        community_id=place.community_id, compound_id=body.compound_id,
        description=body.description,
        location=body.location.model_dump(exclude_none=True) if body.location else None,
        photos=list(body.photos), anonymous=body.anonymous,
        contact_name=contact.name if contact else None,
        contact_phone=contact.phone if contact else None,
        contact_email=None if body.anonymous else email,
        routed_org=place.routed_org, sla_hours=sla_hours, clock_started_at=now,
        due_at=domain.resolution_deadline(now, sla_hours), created_at=now, updated_at=now,
    )
    complaint.next_escalation_at = complaint.due_at
    session.add(complaint)
    await session.flush()
    note = f"Report received. Expected resolution by {complaint.due_at.isoformat()}."
    session.add(_step(complaint, "file", None, Actor(role="reporter"), now, note))
    await session.flush()
    await publish_complaint_fact(session, complaint, "received", now)
    token = mint_token(suite, sub=f"report:{complaint.id}", scope=f"report:{complaint.id}",
                       ttl=timedelta(days=settings.report_token_days))
    return Filed(complaint=complaint, access_token=token)


def _step(complaint: Complaint, action: str, from_status: str | None, actor: Actor,
          at: datetime, note: str | None) -> ComplaintStep:
    complaint.last_note = note
    return ComplaintStep(
        id=new_id(), complaint_id=complaint.id, seq=complaint.version, action=action,
        from_status=from_status, to_status=complaint.status, actor_role=actor.role,
        actor_org=actor.org, actor_sub=actor.sub, note=note, at=at,
    )


def record_step(complaint: Complaint, action: str, from_status: str | None, actor: Actor,
                at: datetime, note: str | None) -> ComplaintStep:
    """Bump the report's version and return the history step numbered by it."""
    complaint.version += 1
    complaint.updated_at = at
    return _step(complaint, action, from_status, actor, at, note)


async def load_for_update(session: AsyncSession, complaint_id: str, principal: Principal
                          ) -> Complaint:
    statement = select(Complaint).where(col(Complaint.id) == complaint_id).with_for_update()
    complaint = await session.scalar(statement)
    if complaint is None:
        raise NotFound("no such report")
    ensure_visible(principal, complaint)
    return complaint


async def load_visible(session: AsyncSession, complaint_id: str, principal: Principal
                       ) -> Complaint:
    complaint = await session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound("no such report")
    ensure_visible(principal, complaint)
    return complaint


async def steps_of(session: AsyncSession, complaint_id: str) -> list[ComplaintStep]:
    statement = select(ComplaintStep).where(col(ComplaintStep.complaint_id) == complaint_id)
    return list((await session.scalars(statement.order_by(col(ComplaintStep.seq)))).all())


async def transition(
    session: AsyncSession, complaint: Complaint, action: domain.Action, principal: Principal,
    now: datetime, note: str | None, *, assignee_org: str | None = None,
    satisfaction: int | None = None,
) -> None:
    """Apply one workflow step: check who and whether, update, record, publish."""
    ensure_may(principal, action, complaint)
    before = complaint.status
    complaint.status = domain.next_status(before, action)
    extra: dict[str, object] = {}
    if action == "assign":
        complaint.assignee_org = assignee_org or complaint.routed_org
        if complaint.assignee_org is None:
            raise Invalid("the report was not routed to an organisation: name assignee_org",
                          field="assignee_org")
        extra["assignee_org"] = complaint.assignee_org
    elif action == "resolve":
        complaint.resolved_at = now
        complaint.resolution_seconds = int((now - complaint.created_at).total_seconds())
        complaint.sla_met = now <= complaint.due_at
    elif action in ("confirm", "close"):
        complaint.closed_at = now
        complaint.satisfaction = satisfaction
        extra["satisfaction"] = satisfaction
    elif action == "reopen":
        complaint.resolved_at = None
        complaint.sla_met = None
        complaint.clock_started_at = now
        complaint.due_at = domain.resolution_deadline(now, complaint.sla_hours)
        complaint.next_escalation_at = domain.next_escalation_at(
            complaint.escalation_level, complaint.due_at, complaint.sla_hours)
    session.add(record_step(complaint, action, before, Actor.of(principal, complaint.id),
                            now, note))
    await session.flush()
    await publish_complaint_fact(session, complaint, action, now, **extra)


def visibility_filter(principal: Principal) -> ColumnElement[bool] | None:
    """The WHERE clause limiting a listing to what `principal` may see (None: everything)."""
    if principal.is_staff:
        return None
    org = org_of(principal)
    return or_(col(Complaint.routed_org) == org, col(Complaint.assignee_org) == org)
