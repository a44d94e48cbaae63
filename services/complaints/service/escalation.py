"""The SLA clock: escalate overdue reports (街道吹哨、部门报到), and re-date the estimated ones.

`escalate_overdue` is the whole rule applied to the database at one instant; the background
task `sla_scanner` calls it every `COMPLAINTS_SLA_SCAN_SECONDS` with the service clock, and
tests call it directly with a frozen time.

`redate_estimated_clocks`: a working-day deadline in a year no calendar covered was counted
on weekdays (`calendar_estimated`). Once the operator loads that year's schedule
(`COMPLAINTS_WORKDAYS_FILE`, read at start-up), the scanner's first act re-dates the open
reports whose clocks it now covers, each with a history step telling the reporter.

Each report is locked before the rule looks at it: a scan racing a staff step waits for it
and then sees its result, so a report resolved a moment ago is skipped, not escalated.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.domain import workflow
from services.complaints.events import publish_complaint_fact
from services.complaints.models import Complaint
from services.complaints.repository import reports as repository
from services.complaints.service.reports import Actor, history_step
from shared.service import ServiceContext
from shared.times import beijing_minutes
from shared.workdays import CITY_TZ, WorkingCalendar

__all__ = ["escalate_overdue", "redate_estimated_clocks", "sla_scanner"]

log = logging.getLogger(__name__)

_NOTES = {
    "subdistrict": "Not resolved in time: escalated to the sub-district office (街道吹哨).",
    "district_department": "Still not resolved: escalated to the district department (部门报到).",
}
_BATCH = 500
_SYSTEM = Actor(role="system")


async def escalate_overdue(session: AsyncSession, now: datetime) -> int:
    """Escalate every open report whose deadline has passed; returns the escalations made."""
    overdue = await repository.overdue_report_ids(session, now, limit=_BATCH)
    made = 0
    # Locked in id order: two scans at once (two replicas) take the locks in one order.
    for complaint_id in sorted(overdue):
        made += await _escalate(session, await repository.lock_report(session, complaint_id),
                                now)
    return made


async def _escalate(session: AsyncSession, complaint: Complaint, now: datetime) -> int:
    """Take the levels due on the locked report (none if it moved on since the scan saw it)."""
    levels = workflow.due_escalations(
        status=complaint.status, level=complaint.escalation_level, due_at=complaint.due_at,
        district_due_at=complaint.district_due_at, now=now,
    )
    for level in levels:
        complaint.escalation_level = level
        complaint.escalated_at = now
        complaint.next_escalation_at = workflow.next_escalation_at(
            level, complaint.due_at, complaint.district_due_at)
        session.add(history_step(complaint, "escalate", complaint.status, _SYSTEM, now,
                                 _NOTES[level]))
        await session.flush()
        await publish_complaint_fact(session, complaint, "escalate", now, level=level)
    return len(levels)


async def redate_estimated_clocks(session: AsyncSession, calendar: WorkingCalendar,
                                  now: datetime) -> int:
    """Re-date the open reports whose estimated clocks `calendar` now covers; returns how many.

    Each is locked and judged again, so two replicas starting at once re-date it once."""
    redated = 0
    for complaint_id in sorted(await repository.estimated_open_report_ids(session, _BATCH)):
        complaint = await repository.lock_report(session, complaint_id)
        if not complaint.calendar_estimated or complaint.status not in workflow.OPEN_STATUSES:
            continue
        clock = workflow.start_sla_clock(calendar, complaint.clock_started_at, complaint.sla)
        if clock.estimated:
            continue
        complaint.due_at, complaint.district_due_at = clock.due_at, clock.district_due_at
        complaint.calendar_estimated = False
        complaint.next_escalation_at = workflow.next_escalation_at(
            complaint.escalation_level, clock.due_at, clock.district_due_at)
        year = clock.due_at.astimezone(CITY_TZ).year
        session.add(history_step(
            complaint, "redate", complaint.status, _SYSTEM, now,
            f"The holiday schedule for {year} is now published: expected resolution by "
            f"{beijing_minutes(clock.due_at)} Beijing time."))
        redated += 1
    await session.flush()
    return redated


async def sla_scanner(ctx: ServiceContext) -> None:
    """Background loop: re-date estimated clocks once (the calendar is read at start-up),
    then scan, sleep, repeat; a failed round is logged and retried."""
    try:
        async with ctx.db.transaction() as session:
            redated = await redate_estimated_clocks(session, ctx.settings.calendar(),
                                                    ctx.clock.now())
        if redated:
            log.info("re-dated %d estimated SLA clock(s) by the working-day calendar", redated)
    except Exception:
        log.exception("re-dating estimated SLA clocks failed")
    while True:
        await asyncio.sleep(ctx.settings.sla_scan_seconds)
        try:
            async with ctx.db.transaction() as session:
                made = await escalate_overdue(session, ctx.clock.now())
        except Exception:
            log.exception("SLA scan failed")
            continue
        if made:
            log.info("escalated %d overdue report step(s)", made)
