"""Use cases on reports: file one (no account needed), take a workflow step, read one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.access import actor_role, ensure_may
from services.complaints.config import ComplaintsSettings
from services.complaints.domain import workflow
from services.complaints.domain.photos import photo_path, uncited_cutoff
from services.complaints.domain.routing import (
    CommunityArea,
    Routing,
    community_named_in,
    route_by_location,
    route_report,
)
from services.complaints.events import publish_complaint_fact
from services.complaints.models import Complaint, ComplaintStep
from services.complaints.repository import boards as boards_repository
from services.complaints.repository import photos as photos_repository
from services.complaints.repository import reports as repository
from services.complaints.repository.jurisdictions import jurisdiction_for
from services.complaints.schemas.reports import ComplaintCreate
from shared.auth import Principal, mint_report_token
from shared.db import new_id
from shared.errors import Invalid
from shared.geo import PILOT_NAMES, LatLng, area_of
from shared.repository import bump_version
from shared.settings import SuiteSettings
from shared.times import beijing_minutes
from shared.uploads import CleanImage
from shared.workdays import WorkingCalendar

__all__ = [
    "Actor",
    "Filed",
    "FiledReport",
    "access_token",
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
    sla: str
    due_at: datetime
    calendar_estimated: bool


@dataclass(frozen=True)
class Filed:
    complaint: FiledReport
    access_token: str


async def file_report(
    session: AsyncSession, body: ComplaintCreate, *, settings: ComplaintsSettings,
    suite: SuiteSettings, now: datetime, source: str = "api", email: str | None = None,
    uploads: Sequence[tuple[str, CleanImage]] = (), media_urls: Sequence[str] = (),
) -> Filed:
    """File a report under a free tracking code and mint the reporter's access token.

    A report naming no project, community or compound is routed by its location
    (`domain.routing`); the SLA clock follows the working-day calendar. The photos it
    cites (`body.photos`) are uploads no report cites yet (422 naming `photos` otherwise);
    an Open311 request's own photos come as `uploads` (stored here, under the ids its
    `photos` cite) and its links as `media_urls`."""
    if uploads:
        await photos_repository.add_photos(session, uploads, now)
    photos = [*media_urls, *await _cite(session, body.photos, now)]
    place = await _place_of(session, body, settings)
    sla = settings.sla_of(body.category)
    clock = workflow.start_sla_clock(settings.calendar(), now, sla)
    contact = None if body.anonymous else body.contact
    note = _received_note(sla, clock)
    report_id = new_id()
    point = body.location
    code = await _insert_under_free_code(session, {
        "id": report_id, "kind": body.kind, "category": body.category, "status": "received",
        "source": source, "project_id": place.project_id, "community_id": place.community_id,
        "compound_id": body.compound_id, "description": body.description,
        "location": body.location.model_dump(exclude_none=True) if body.location else None,
        "photos": photos, "anonymous": body.anonymous,
        "contact_name": contact.name if contact else None,
        "contact_phone": contact.phone if contact else None,
        "contact_email": None if body.anonymous else email,
        "routed_org": place.routed_org, "sla": sla, "clock_started_at": now,
        "due_at": clock.due_at, "district_due_at": clock.district_due_at,
        "calendar_estimated": clock.estimated, "next_escalation_at": clock.due_at,
        "lat": point.lat if point else None, "lng": point.lng if point else None,
        "supporters": 0, "duplicate_of": None,
        "last_note": note, "version": 1, "created_at": now, "updated_at": now,
    })
    await photos_repository.cite_photos(session, body.photos, report_id)
    await repository.insert_step(session, {
        "id": new_id(), "complaint_id": report_id, "seq": 1, "action": "file",
        "from_status": None, "to_status": "received", "actor_role": "reporter",
        "actor_org": None, "actor_sub": None, "note": note, "at": now,
    })
    filed = FiledReport(
        id=report_id, tracking_code=code, kind=body.kind, category=body.category,
        status="received", project_id=place.project_id, community_id=place.community_id,
        compound_id=body.compound_id, sla=sla, due_at=clock.due_at,
        calendar_estimated=clock.estimated,
    )
    await publish_complaint_fact(session, filed, "received", now)
    return Filed(complaint=filed, access_token=access_token(suite, settings, report_id))


async def _cite(session: AsyncSession, photo_ids: Sequence[str], now: datetime) -> list[str]:
    """Lock the uploads a report about to be filed cites: 422 naming `photos` unless each
    is an upload of the last `UNCITED_PHOTO_TTL` that no report cites yet (a concurrent
    filing citing one waits for this one, then finds it cited). Returns what the report's
    `photos` hold for them; they are bound to the report once it is inserted."""
    found = await photos_repository.lock_uncited(session, photo_ids,
                                                 since=uncited_cutoff(now))
    missing = [photo_id for photo_id in photo_ids if photo_id not in found]
    if missing:
        raise Invalid(f"{len(missing)} of the photos cited are not uploads awaiting a report "
                      "(unknown, older than 24 hours, or cited by another report): upload "
                      "them to POST /complaints/photos and cite the ids it returns",
                      field="photos")
    return [photo_path(photo_id) for photo_id in photo_ids]


def access_token(suite: SuiteSettings, settings: ComplaintsSettings, report_id: str, *,
                 holder: str = "reporter", generation: int = 0) -> str:
    """The one place report credentials are minted: the reporter's or a supporter's token
    for the report, in the report's current token `generation`."""
    return mint_report_token(suite, report_id=report_id, holder=holder, generation=generation,
                             ttl=timedelta(days=settings.report_token_days))


async def _place_of(session: AsyncSession, body: ComplaintCreate, settings: ComplaintsSettings
                    ) -> Routing:
    """Where the report belongs: by the place it names, else by its location."""
    if body.project_id or body.community_id or body.compound_id:
        known = await repository.known_place(session, body.project_id, body.compound_id)
        return route_report(known, category=body.category, project_id=body.project_id,
                            compound_id=body.compound_id, community_id=body.community_id)
    location = body.location
    if location is not None and location.lat is not None and location.lng is not None:
        point = LatLng(location.lat, location.lng)
        sites = await boards_repository.sites_near(session, point, settings.site_radius_m)
        boundaries = await repository.community_boundaries(session)
        communities = [CommunityArea(community, area_of(boundary))
                       for community, boundary in boundaries.items()]
        return route_by_location(point, category=body.category, sites=sites,
                                 communities=communities, site_radius_m=settings.site_radius_m)
    community = community_named_in(location.address or "", PILOT_NAMES) if location else None
    if community is None:
        raise Invalid("cannot tell where the address is: give lat/lng, or a project, "
                      "community or compound", field="location")
    return Routing(community_id=community, routed_org=None)


def _received_note(sla: str, clock: workflow.SlaClock) -> str:
    note = (f"Report received. Expected resolution within {workflow.describe_sla(sla)}, by "
            f"{beijing_minutes(clock.due_at)} Beijing time")
    if clock.estimated:
        return note + " (estimated: the holiday schedule for that year is not published yet)."
    return note + "."


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
    calendar: WorkingCalendar | None = None,
) -> Complaint:
    """One workflow step, decided on the locked report: who may, whether the status allows
    it (409), then update, record and publish. `calendar` (the settings' working-day
    calendar) dates a reopened report's new clock: `reopen` needs it."""
    complaint = await repository.lock_visible_report(session, complaint_id, principal,
                                                     if_match=if_match)
    ensure_may(principal, action, complaint,
               await jurisdiction_for(session, principal, complaint.community_id))
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
        if calendar is None:
            raise RuntimeError("reopening restarts the SLA clock: pass the calendar")
        _restart_clock(complaint, now, calendar)
    session.add(history_step(complaint, action, before, Actor.of(principal, complaint.id), now,
                             _note_of(action, note, satisfaction)))
    await session.flush()
    await publish_complaint_fact(session, complaint, action, now, **extra)
    return complaint


def _restart_clock(complaint: Complaint, now: datetime, calendar: WorkingCalendar) -> None:
    clock = workflow.start_sla_clock(calendar, now, complaint.sla)
    complaint.resolved_at = None
    complaint.sla_met = None
    complaint.clock_started_at = now
    complaint.due_at = clock.due_at
    complaint.district_due_at = clock.district_due_at
    complaint.calendar_estimated = clock.estimated
    complaint.next_escalation_at = workflow.next_escalation_at(
        complaint.escalation_level, complaint.due_at, complaint.district_due_at)


async def read_report(session: AsyncSession, complaint_id: str, principal: Principal
                      ) -> tuple[Complaint, list[ComplaintStep]]:
    """A report `principal` may see, with its history."""
    complaint = await repository.visible_report(session, complaint_id, principal)
    return complaint, await repository.steps_of(session, complaint_id)

