"""Use cases of work on site: contractor progress reports and hidden works (隐蔽工程).

Progress percent never decreases: a report below the project's current percent is refused
with 409 (it contradicts the recorded state; the body itself is well-formed). A report
carrying a client key already recorded for the project is answered as a duplicate and not
applied again, so an offline batch can be replayed safely.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import domain
from services.projects.attachments import existing_ids
from services.projects.models import HiddenWork, ProgressReport, Project
from services.projects.schemas_site import (
    HiddenWorkCreate,
    HiddenWorkInspect,
    HiddenWorkPublic,
    Location,
    ProgressIn,
    ProgressPublic,
)
from services.projects.service import publish_fact, touch
from shared.clock import Clock
from shared.contracts import projects as contract
from shared.db import get_or_404, new_id
from shared.errors import Conflict, Invalid

__all__ = [
    "get_hidden_work",
    "hidden_work_public",
    "inspect_hidden_work",
    "progress_public",
    "record_hidden_work",
    "report_progress",
]

_REPORTABLE = frozenset({"under_construction", "suspended"})
_HIDDEN_WORK_OPEN = frozenset({"under_construction", "rectifying"})
# A phone clock a little fast is normal; a report from well in the future is not.
_CLOCK_SKEW = timedelta(minutes=10)


async def _find_by_key(session: AsyncSession, project_id: str, key: str
                       ) -> ProgressReport | None:
    statement = select(ProgressReport).where(
        ProgressReport.project_id == project_id,  # type: ignore[arg-type]
        ProgressReport.client_key == key,  # type: ignore[arg-type]
    )
    return (await session.scalars(statement)).first()


async def _check_report(session: AsyncSession, project: Project, body: ProgressIn,
                        now: datetime, prefix: str) -> None:
    if project.status not in _REPORTABLE:
        raise Conflict(f"a {project.status} project takes no progress reports",
                       current_status=project.status)
    if body.reported_at > now + _CLOCK_SKEW:
        raise Invalid("reported_at is in the future", field=f"{prefix}reported_at")
    missing = sorted(set(body.photos) - await existing_ids(session, body.photos))
    if missing:
        raise Invalid(f"unknown attachment(s): {', '.join(missing)}", field=f"{prefix}photos")
    if body.percent < project.progress_percent:
        raise Conflict(
            f"progress cannot go back from {project.progress_percent}% to {body.percent}%",
            field=f"{prefix}percent", current_percent=project.progress_percent,
        )


async def report_progress(session: AsyncSession, project: Project, body: ProgressIn, *,
                          key: str | None, org: str, threshold: int, clock: Clock,
                          prefix: str = "") -> tuple[ProgressReport, bool]:
    """Apply one report; returns it and whether it was new (False: a replayed key)."""
    if key is not None:
        seen = await _find_by_key(session, project.id, key)
        if seen is not None:
            return seen, False
    now = clock.now()
    await _check_report(session, project, body, now, prefix)
    report = ProgressReport(
        id=new_id(), project_id=project.id, client_key=key, percent=body.percent,
        milestone=body.milestone, note=body.note, photos=list(body.photos),
        location=body.location.model_dump() if body.location else None,
        reported_at=body.reported_at, received_at=now, reported_by_org=org,
    )
    session.add(report)
    project.progress_percent = body.percent
    touch(project, now)
    session.add(project)
    await session.flush()
    await publish_fact(session, project, clock, contract.ProjectProgressReported(
        project_id=project.id, community_id=project.community_id, percent=body.percent,
        milestone=body.milestone, reported_at=body.reported_at, received_at=now))
    await _assess_schedule(session, project, threshold, clock)
    return report, True


async def _assess_schedule(session: AsyncSession, project: Project, threshold: int,
                           clock: Clock) -> None:
    """Flag the project once when it falls behind; clear the flag when it catches up."""
    expected = domain.expected_percent(project.planned_start, project.planned_end, clock.now())
    behind = domain.is_behind_schedule(project.progress_percent, expected, threshold)
    if behind == project.schedule_at_risk:
        return
    project.schedule_at_risk = behind
    session.add(project)
    await session.flush()
    fact = contract.ProjectScheduleAtRisk if behind else contract.ProjectScheduleRecovered
    await publish_fact(session, project, clock, fact(
        project_id=project.id, community_id=project.community_id,
        percent=project.progress_percent, expected_percent=expected,
        threshold_percent=threshold))


def progress_public(report: ProgressReport) -> ProgressPublic:
    return ProgressPublic(
        id=report.id, project_id=report.project_id, percent=report.percent,
        milestone=report.milestone, note=report.note, photos=list(report.photos),
        location=Location.model_validate(report.location) if report.location else None,
        reported_at=report.reported_at, received_at=report.received_at,
    )


async def record_hidden_work(session: AsyncSession, project: Project, body: HiddenWorkCreate,
                             clock: Clock) -> HiddenWork:
    if project.status not in _HIDDEN_WORK_OPEN:
        raise Conflict(f"a {project.status} project takes no new hidden works",
                       current_status=project.status)
    work = HiddenWork(id=new_id(), project_id=project.id, name=body.name,
                      location=body.location, description=body.description, status="pending",
                      created_at=clock.now())
    session.add(work)
    touch(project, clock.now())
    session.add(project)
    await session.flush()
    return work


async def get_hidden_work(session: AsyncSession, hidden_work_id: str) -> HiddenWork:
    return await get_or_404(session, HiddenWork, hidden_work_id, "hidden work")


async def inspect_hidden_work(session: AsyncSession, work: HiddenWork, project: Project,
                              body: HiddenWorkInspect, org: str, clock: Clock) -> None:
    """Pass or fail a pending (or previously failed) hidden work; a pass is final."""
    if work.status == "passed":
        raise Conflict("the hidden work already passed inspection", current_status=work.status)
    if body.verdict == "fail" and body.note is None:
        raise Invalid("a failed inspection must say what is wrong", field="note")
    work.status = "passed" if body.verdict == "pass" else "failed"
    work.inspections += 1
    work.inspection_note = body.note
    work.inspected_by_org = org
    work.inspected_at = clock.now()
    session.add(work)
    touch(project, clock.now())
    session.add(project)
    await session.flush()
    await publish_fact(session, project, clock, contract.ProjectHiddenWorkInspected(
        project_id=project.id, community_id=project.community_id, hidden_work_id=work.id,
        verdict=body.verdict))


def hidden_work_public(work: HiddenWork) -> HiddenWorkPublic:
    return HiddenWorkPublic.model_validate(work, from_attributes=True)
