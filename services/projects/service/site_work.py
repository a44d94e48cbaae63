"""Use cases of work on site: contractor progress reports and hidden works (隐蔽工程).

Progress percent never decreases: a report below the project's current percent is refused
with 409 (it contradicts the recorded state; the body itself is well-formed). The project is
locked for the whole report (or batch), so concurrent reports are applied one after the
other and each is judged against the percent the previous one left. A report carrying a
client key already recorded for the project is answered as a duplicate and not applied
again, so an offline batch can be replayed safely.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import access, domain, repository
from services.projects.events import project_ref, publish_fact
from services.projects.models import HiddenWork, ProgressReport, Project
from services.projects.schemas.site import (
    HiddenWorkCreate,
    HiddenWorkInspect,
    ProgressBatchItemIn,
    ProgressIn,
)
from services.projects.service.projects import touch
from shared.auth import Principal
from shared.contracts import projects as contract
from shared.db import new_id
from shared.errors import Invalid

__all__ = [
    "BatchOutcome",
    "inspect_hidden_work",
    "record_hidden_work",
    "report_progress",
    "report_progress_batch",
]

# An item's client key, its report, and whether it was applied now (False: a replayed key).
BatchOutcome = tuple[str, ProgressReport, bool]


async def report_progress(session: AsyncSession, project_id: str, body: ProgressIn,
                          actor: Principal, *, key: str | None, if_match: str | None,
                          threshold: int, now: datetime) -> tuple[ProgressReport, bool]:
    """Apply one report; returns it and whether it was new (False: a replayed key)."""
    project = await repository.project_for_update(
        session, project_id, admit=access.as_party(actor, "contractor"), if_match=if_match)
    return await _apply(session, project, body, key=key, org=access.acting_org(actor),
                        threshold=threshold, now=now)


async def report_progress_batch(session: AsyncSession, project_id: str,
                                items: Sequence[ProgressBatchItemIn], actor: Principal, *,
                                threshold: int, now: datetime
                                ) -> tuple[list[BatchOutcome], Project]:
    """Apply an offline batch in order, all or nothing; replayed keys are duplicates."""
    project = await repository.project_for_update(
        session, project_id, admit=access.as_party(actor, "contractor"))
    outcomes = []
    for index, item in enumerate(items):
        report, applied = await _apply(session, project, item, key=item.idempotency_key,
                                       org=access.acting_org(actor), threshold=threshold,
                                       now=now, prefix=f"items.{index}.")
        outcomes.append((item.idempotency_key, report, applied))
    return outcomes, project


async def _check_report(session: AsyncSession, project: Project, body: ProgressIn,
                        now: datetime, prefix: str) -> None:
    domain.ensure_takes_progress(project.status)
    domain.ensure_reported_in_the_past(body.reported_at, now, f"{prefix}reported_at")
    missing = sorted(set(body.photos)
                     - await repository.existing_attachment_ids(session, body.photos))
    if missing:
        raise Invalid(f"unknown attachment(s): {', '.join(missing)}", field=f"{prefix}photos")
    domain.ensure_progress_forward(project.progress_percent, body.percent, f"{prefix}percent")


async def _apply(session: AsyncSession, project: Project, body: ProgressIn, *,
                 key: str | None, org: str, threshold: int, now: datetime, prefix: str = ""
                 ) -> tuple[ProgressReport, bool]:
    if key is not None:
        seen = await repository.progress_by_client_key(session, project.id, key)
        if seen is not None:
            return seen, False
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
    await session.flush()
    await publish_fact(session, project, contract.ProjectProgressReported(
        **project_ref(project), percent=body.percent, milestone=body.milestone,
        reported_at=body.reported_at, received_at=now), at=now)
    await _assess_schedule(session, project, threshold, now)
    return report, True


async def _assess_schedule(session: AsyncSession, project: Project, threshold: int,
                           now: datetime) -> None:
    """Flag the project once when it falls behind; clear the flag when it catches up."""
    expected = domain.expected_percent(project.planned_start, project.planned_end, now)
    behind = domain.is_behind_schedule(project.progress_percent, expected, threshold)
    if behind == project.schedule_at_risk:
        return
    project.schedule_at_risk = behind
    await session.flush()
    fact = contract.ProjectScheduleAtRisk if behind else contract.ProjectScheduleRecovered
    await publish_fact(session, project, fact(
        **project_ref(project), percent=project.progress_percent, expected_percent=expected,
        threshold_percent=threshold), at=now)


async def record_hidden_work(session: AsyncSession, project_id: str, body: HiddenWorkCreate,
                             actor: Principal, *, now: datetime) -> HiddenWork:
    """The contractor records a hidden work awaiting inspection (project locked: completion
    decides on the set of hidden works)."""
    project = await repository.project_for_update(
        session, project_id, admit=access.as_party(actor, "contractor"))
    domain.ensure_takes_hidden_works(project.status)
    work = HiddenWork(id=new_id(), project_id=project.id, name=body.name,
                      location=body.location, description=body.description, status="pending",
                      created_at=now)
    session.add(work)
    touch(project, now)
    await session.flush()
    return work


async def inspect_hidden_work(session: AsyncSession, hidden_work_id: str,
                              body: HiddenWorkInspect, actor: Principal, *, now: datetime
                              ) -> HiddenWork:
    """The supervisor passes or fails a pending (or previously failed) work; a pass is final.

    The hidden work is locked (with its project), so of concurrent inspections one decides
    and the others see its verdict.
    """
    work, project = await repository.hidden_work_for_update(
        session, hidden_work_id, admit=access.as_party(actor, "supervisor"))
    work.status = domain.inspection_outcome(work.status, body.verdict, body.note)
    work.inspections += 1
    work.inspection_note = body.note
    work.inspected_by_org = access.acting_org(actor)
    work.inspected_at = now
    touch(project, now)
    await session.flush()
    await publish_fact(session, project, contract.ProjectHiddenWorkInspected(
        **project_ref(project), hidden_work_id=work.id, verdict=body.verdict), at=now)
    return work
