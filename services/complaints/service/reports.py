"""Use cases on reports: file one (no account needed), take a workflow step, read one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.access import actor_role, ensure_may
from services.complaints.config import ComplaintsSettings
from services.complaints.domain import workflow
from services.complaints.domain.routing import route_report
from services.complaints.events import publish_complaint_fact
from services.complaints.models import Complaint, ComplaintStep
from services.complaints.repository import reports as repository
from services.complaints.schemas.reports import ComplaintCreate
from shared.auth import Principal, mint_token
from shared.db import new_id
from shared.errors import Invalid
from shared.repository import bump_version
from shared.settings import SuiteSettings

__all__ = [
    "Actor",
    "Filed",
    "FiledReport",
    "file_report",
    "history_step",
    "read_report",
    "take_step",
]

_TRACKING_CODE_DRAWS = 8  # with 29^6 codes a second draw is already rare


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


async def file_report(
    session: AsyncSession, body: ComplaintCreate, *, settings: ComplaintsSettings,
    suite: SuiteSettings, now: datetime, source: str = "api", email: str | None = None,
) -> Filed:
    """File a report under a free tracking code and mint the reporter's access token."""
    known = await repository.known_place(session, body.project_id, body.compound_id)
    place = route_report(known, category=body.category, project_id=body.project_id,
                         compound_id=body.compound_id, community_id=body.community_id)
    sla_hours = settings.sla_hours[body.category]
    contact = None if body.anonymous else body.contact
    due_at = workflow.resolution_deadline(now, sla_hours)
    note = f"Report received. Expected resolution by {due_at.isoformat()}."
    report_id = new_id()
    code = await _insert_under_free_code(session, {
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
    await repository.insert_step(session, {
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


async def _insert_under_free_code(session: AsyncSession, row: dict[str, object]) -> str:
    """Insert the report under a freshly drawn tracking code, drawing again on a clash."""
    for _ in range(_TRACKING_CODE_DRAWS):
        row["tracking_code"] = code = workflow.new_tracking_code()
        if await repository.insert_report(session, row):
            return code
    raise RuntimeError("could not draw a free tracking code")  # practically never


def history_step(complaint: Complaint, action: str, from_status: str | None, actor: Actor,
                 at: datetime, note: str | None) -> ComplaintStep:
    """Count a change of the locked `complaint` and return its history step, numbered by the
    new version; `note` becomes the report's latest reporter-readable note."""
    bump_version(complaint)
    complaint.updated_at = at
    complaint.last_note = note
    return ComplaintStep(
        id=new_id(), complaint_id=complaint.id, seq=complaint.version, action=action,
        from_status=from_status, to_status=complaint.status, actor_role=actor.role,
        actor_org=actor.org, actor_sub=actor.sub, note=note, at=at,
    )


_DEFAULT_NOTES: dict[workflow.Action, str] = {
    "acknowledge": "Your report was received by the community office.",
    "assign": "Your report was passed to the responsible organisation.",
    "close": "Closed by the community office.",
}


def _note_of(action: workflow.Action, note: str | None, satisfaction: int | None) -> str | None:
    if note:
        return note
    if action == "confirm":
        return f"Confirmed by the reporter (satisfaction {satisfaction}/5)."
    return _DEFAULT_NOTES.get(action)


async def take_step(
    session: AsyncSession, complaint_id: str, action: workflow.Action, principal: Principal,
    now: datetime, *, if_match: str | None, note: str | None = None,
    assignee_org: str | None = None, satisfaction: int | None = None,
) -> Complaint:
    """One workflow step, decided on the locked report: who may, whether the status allows
    it (409), then update, record and publish."""
    complaint = await repository.lock_visible_report(session, complaint_id, principal,
                                                     if_match=if_match)
    ensure_may(principal, action, complaint)
    before = complaint.status
    complaint.status = workflow.next_status(before, action)
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
        _restart_clock(complaint, now)
    session.add(history_step(complaint, action, before, Actor.of(principal, complaint.id), now,
                             _note_of(action, note, satisfaction)))
    await session.flush()
    await publish_complaint_fact(session, complaint, action, now, **extra)
    return complaint


def _restart_clock(complaint: Complaint, now: datetime) -> None:
    complaint.resolved_at = None
    complaint.sla_met = None
    complaint.clock_started_at = now
    complaint.due_at = workflow.resolution_deadline(now, complaint.sla_hours)
    complaint.next_escalation_at = workflow.next_escalation_at(
        complaint.escalation_level, complaint.due_at, complaint.sla_hours)


async def read_report(session: AsyncSession, complaint_id: str, principal: Principal
                      ) -> tuple[Complaint, list[ComplaintStep]]:
    """A report `principal` may see, with its history."""
    complaint = await repository.visible_report(session, complaint_id, principal)
    return complaint, await repository.steps_of(session, complaint_id)
