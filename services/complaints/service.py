"""Use cases on reports: file, step through the workflow, read, list. Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, bindparam, or_, select
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
from shared.db import insert_skipping_conflicts, new_id
from shared.errors import Invalid, NotFound
from shared.settings import SuiteSettings

__all__ = [
    "Actor",
    "Filed",
    "FiledReport",
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


_COMPLAINTS = Complaint.__table__  # type: ignore[attr-defined]
_STEPS = ComplaintStep.__table__  # type: ignore[attr-defined]
_INSERT_STEP = _STEPS.insert()
_INSERT_REPORT: dict[str, Any] = {}  # per dialect: built on first use, then reused


@dataclass(frozen=True)
class FiledReport:
    """What filing stored, as written (the row itself is never loaded back)."""

    id: str
    tracking_code: str
    kind: str
    category: str
    status: str
    project_id: str | None
    community_id: str | None
    compound_id: str | None
    sla_hours: int
    due_at: datetime


@dataclass(frozen=True)
class Filed:
    complaint: FiledReport
    access_token: str


@dataclass(frozen=True)
class _Place:
    community_id: str | None
    routed_org: str | None


def _value_of(column: Any, key: Any, name: str) -> Any:
    return select(column).where(key == bindparam(name)).scalar_subquery()


# Every lookup filing needs, as scalar subqueries of one SELECT: one round trip. Built once,
# so a request only binds the two keys.
_PLACE = select(
    _value_of(col(ProjectSite.community_id), col(ProjectSite.project_id), "project_id"),
    _value_of(col(ProjectSite.contractor_org), col(ProjectSite.project_id), "project_id"),
    _value_of(col(SiteBoard.project_id), col(SiteBoard.project_id), "project_id"),
    _value_of(col(SiteBoard.community_id), col(SiteBoard.project_id), "project_id"),
    _value_of(col(CompoundService.community_id), col(CompoundService.compound_id), "compound_id"),
    _value_of(col(CompoundService.provider_org), col(CompoundService.compound_id), "compound_id"),
)


async def _resolve_place(session: AsyncSession, body: ComplaintCreate) -> _Place:
    """Community and routing from the projections; the body's community only fills gaps."""
    if not (body.project_id or body.compound_id):
        return _Place(community_id=body.community_id, routed_org=None)
    found = (await session.execute(
        _PLACE, {"project_id": body.project_id, "compound_id": body.compound_id})).one()
    site_community, contractor, board_found, board_community, compound_community, provider = \
        found
    known = site_community or board_community or compound_community
    if body.community_id and known and body.community_id != known:
        raise Invalid(f"the project or compound belongs to community {known}",
                      field="community_id")
    community = known or body.community_id
    if body.project_id and not (site_community or board_found) and community is None:
        raise Invalid("unknown project: give community_id as well", field="project_id")
    if body.compound_id and compound_community is None and community is None:
        raise Invalid("unknown compound: give community_id as well", field="compound_id")
    routed = contractor
    if body.category == "property_service" and provider:
        routed = provider
    return _Place(community_id=community, routed_org=routed)


async def _insert_with_free_tracking_code(session: AsyncSession, row: dict[str, Any]) -> str:
    """Insert the report under a freshly drawn tracking code, drawing again on a clash.

    The unique index decides (`ON CONFLICT DO NOTHING`), so there is no check-then-insert
    race and no extra round trip; with 29^6 codes a second draw is rare.
    """
    statement = _INSERT_REPORT.get(session.get_bind().dialect.name)
    if statement is None:
        statement = _INSERT_REPORT[session.get_bind().dialect.name] = insert_skipping_conflicts(
            session, _COMPLAINTS, "tracking_code").returning(_COMPLAINTS.c.id)
    for _ in range(8):
        row["tracking_code"] = domain.new_tracking_code()
        if await session.scalar(statement, row) is not None:
            return str(row["tracking_code"])
    raise RuntimeError("could not draw a free tracking code")  # practically never


async def file_report(
    session: AsyncSession, body: ComplaintCreate, *, settings: ComplaintsSettings,
    suite: SuiteSettings, now: datetime, source: str = "api", email: str | None = None,
) -> Filed:
    """File a report (no account needed) and mint the reporter's access token.

    The rows are written with Core INSERTs: nothing reads them back in this transaction, so
    ORM instances would only add their bookkeeping to the hottest path of the service.
    """
    place = await _resolve_place(session, body)
    sla_hours = settings.sla_hours[body.category]
    contact = None if body.anonymous else body.contact
    due_at = domain.resolution_deadline(now, sla_hours)
    note = f"Report received. Expected resolution by {due_at.isoformat()}."
    report_id = new_id()
    code = await _insert_with_free_tracking_code(session, {
        "id": report_id, "kind": body.kind, "category": body.category, "status": "received",
        "source": source, "project_id": body.project_id, "community_id": place.community_id,
        "compound_id": body.compound_id, "description": body.description,
        "location": body.location.model_dump(exclude_none=True) if body.location else None,
        "photos": list(body.photos), "anonymous": body.anonymous,
        "contact_name": contact.name if contact else None,
        "contact_phone": contact.phone if contact else None,
        "contact_email": None if body.anonymous else email,
        "routed_org": place.routed_org, "sla_hours": sla_hours, "clock_started_at": now,
        "due_at": due_at, "next_escalation_at": due_at, "last_note": note, "version": 1,
        "created_at": now, "updated_at": now,
    })
    await session.execute(_INSERT_STEP, {
        "id": new_id(), "complaint_id": report_id, "seq": 1, "action": "file",
        "from_status": None, "to_status": "received", "actor_role": "reporter",
        "actor_org": None, "actor_sub": None, "note": note, "at": now,
    })
    filed = FiledReport(
        id=report_id, tracking_code=code, kind=body.kind, category=body.category,
        status="received", project_id=body.project_id, community_id=place.community_id,
        compound_id=body.compound_id, sla_hours=sla_hours, due_at=due_at,
    )
    await publish_complaint_fact(session, filed, "received", now)
    token = mint_token(suite, sub=f"report:{report_id}", scope=f"report:{report_id}",
                       ttl=timedelta(days=settings.report_token_days))
    return Filed(complaint=filed, access_token=token)


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
