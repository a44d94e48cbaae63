"""Use cases of work on site: contractor progress reports and hidden works (隐蔽工程).

Work on site is taken while the site is open (under construction, or rectifying after a
failed acceptance): a suspended project takes neither progress nor new hidden works.

Progress percent never decreases: a report below the project's current percent is refused
with 409 (it contradicts the recorded state; the body itself is well-formed). The project is
locked for the whole report (or batch), so concurrent reports are applied one after the
other and each is judged against the percent the previous one left. A client key names one
report: a report carrying a key already recorded for the project with the same content is
answered as a duplicate and not applied again (so an offline batch can be replayed safely);
with other content it is a conflict (409 naming the key), never silently answered with the
old report. Photos are stored image attachments (a PDF is not a photo).

Every inspection of a hidden work is kept (`hidden_work_inspections`), first to last.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import access, domain, repository
from services.projects.events import project_ref, publish_fact
from services.projects.models import HiddenWork, HiddenWorkInspection, ProgressReport, Project
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
KEY_HEADER = "Idempotency-Key"


async def report_progress(session: AsyncSession, project_id: str, body: ProgressIn,
                          actor: Principal, *, key: str | None, if_match: str | None,
                          threshold: int, now: datetime) -> tuple[ProgressReport, bool]:
    """Apply one report; returns it and whether it was new (False: a replayed key)."""
    project = await repository.project_for_update(
        session, project_id, admit=access.as_party(actor, "contractor"), if_match=if_match)
    seen = None if key is None else await _recorded(session, project, key, body, KEY_HEADER)
    if seen is not None:
        return seen, False
    report = await _apply(session, project, body, key=key, org=access.acting_org(actor),
                          threshold=threshold, now=now, stored_percent=project.progress_percent)
    return report, True


async def report_progress_batch(session: AsyncSession, project_id: str,
                                items: Sequence[ProgressBatchItemIn], actor: Principal, *,
                                threshold: int, now: datetime
                                ) -> tuple[list[BatchOutcome], Project]:
    """Apply an offline batch in order, all or nothing; replayed keys are duplicates, a key
    sent with other content (recorded before, or by an earlier item) is a conflict."""
    project = await repository.project_for_update(
        session, project_id, admit=access.as_party(actor, "contractor"))
    stored_percent = project.progress_percent
    outcomes: list[BatchOutcome] = []
    first_item: dict[str, int] = {}
    for index, item in enumerate(items):
        prefix = f"items.{index}."
        key = item.idempotency_key
        earlier = first_item.setdefault(key, index)
        seen = await _recorded(session, project, key, item, f"{prefix}idempotency_key",
                               batch_item=None if earlier == index else f"items.{earlier}")
        if seen is not None:
            outcomes.append((key, seen, False))
            continue
        report = await _apply(session, project, item, key=key, org=access.acting_org(actor),
                              threshold=threshold, now=now, prefix=prefix,
                              stored_percent=stored_percent)
        outcomes.append((key, report, True))
    return outcomes, project


def _facts(body: ProgressIn) -> domain.ReportFacts:
    location = body.location
    return domain.ReportFacts(
        percent=body.percent, milestone=body.milestone, note=body.note,
        photos=tuple(body.photos),
        location=None if location is None else (location.lat, location.lng),
        reported_at=body.reported_at)


def _facts_of(report: ProgressReport) -> domain.ReportFacts:
    location = report.location
    return domain.ReportFacts(
        percent=report.percent, milestone=report.milestone, note=report.note,
        photos=tuple(report.photos),
        location=None if location is None else (float(location["lat"]),
                                                float(location["lng"])),
        reported_at=report.reported_at)


async def _recorded(session: AsyncSession, project: Project, key: str, body: ProgressIn,
                    field: str, *, batch_item: str | None = None) -> ProgressReport | None:
    """The report already recorded under `key` if `body` says the same (None: a new key);
    409 naming `field` when it says something else."""
    seen = await repository.progress_by_client_key(session, project.id, key)
    if seen is None:
        return None
    where = {"batch_item": batch_item} if batch_item else {"report_id": seen.id}
    domain.ensure_same_report(_facts_of(seen), _facts(body), field, **where)
    return seen


async def _check_report(session: AsyncSession, project: Project, body: ProgressIn,
                        now: datetime, prefix: str, stored_percent: int) -> None:
    domain.ensure_site_open(project.status, "progress reports")
    domain.ensure_reported_in_the_past(body.reported_at, now, f"{prefix}reported_at")
    types = await repository.attachment_types(session, body.photos)
    missing = sorted(set(body.photos) - types.keys())
    if missing:
        raise Invalid(f"unknown attachment(s): {', '.join(missing)}", field=f"{prefix}photos")
    not_images = sorted(i for i, media in types.items() if not media.startswith("image/"))
    if not_images:
        raise Invalid(f"only images can be photos; not an image: {', '.join(not_images)}",
                      field=f"{prefix}photos")
    in_batch = project.progress_percent if project.progress_percent != stored_percent else None
    domain.ensure_progress_forward(stored_percent, body.percent, f"{prefix}percent",
                                   batch_percent=in_batch)


async def _apply(session: AsyncSession, project: Project, body: ProgressIn, *,
                 key: str | None, org: str, threshold: int, now: datetime,
                 stored_percent: int, prefix: str = "") -> ProgressReport:
    await _check_report(session, project, body, now, prefix, stored_percent)
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
    return report


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
    domain.ensure_site_open(project.status, "new hidden works")
    work = HiddenWork(id=new_id(), project_id=project.id, name=body.name,
                      location=body.location, description=body.description, status="pending",
                      created_at=now)
    session.add(work)
    touch(project, now)
    await session.flush()
    await publish_fact(session, project, contract.ProjectHiddenWorkRecorded(
        **project_ref(project), hidden_work_id=work.id, recorded_at=now), at=now)
    return work


async def inspect_hidden_work(session: AsyncSession, hidden_work_id: str,
                              body: HiddenWorkInspect, actor: Principal, *, now: datetime
                              ) -> HiddenWork:
    """The supervisor passes or fails a pending (or previously failed) work; a pass is final.
    Every inspection is kept, numbered in order; the work shows the last one's verdict.

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
    session.add(HiddenWorkInspection(
        hidden_work_id=work.id, number=work.inspections, verdict=body.verdict,
        note=body.note, inspected_by_org=work.inspected_by_org, inspected_at=now))
    touch(project, now)
    await session.flush()
    await publish_fact(session, project, contract.ProjectHiddenWorkInspected(
        **project_ref(project), hidden_work_id=work.id, verdict=body.verdict), at=now)
    return work
