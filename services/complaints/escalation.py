"""The SLA clock: escalate overdue reports (街道吹哨、部门报到).

`escalate_overdue` is the whole rule applied to the database at one instant; the background
task `sla_scanner` calls it every `COMPLAINTS_SLA_SCAN_SECONDS` with the service clock, and
tests call it directly with a frozen time.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.complaints import domain
from services.complaints.events import publish_complaint_fact
from services.complaints.models import Complaint
from services.complaints.service import Actor, record_step
from shared.service import ServiceContext

__all__ = ["escalate_overdue", "sla_scanner"]

log = logging.getLogger(__name__)

_NOTES = {
    "subdistrict": "Not resolved in time: escalated to the sub-district office (街道吹哨).",
    "district_department": "Still not resolved: escalated to the district department (部门报到).",
}
_BATCH = 500


async def escalate_overdue(session: AsyncSession, now: datetime) -> int:
    """Escalate every open report whose deadline has passed; returns the escalations made."""
    statement = (
        select(Complaint)
        .where(col(Complaint.status).in_(domain.OPEN_STATUSES),
               col(Complaint.next_escalation_at) <= now)
        .order_by(col(Complaint.next_escalation_at))
        .limit(_BATCH)
        .with_for_update(skip_locked=True)
    )
    made = 0
    for complaint in (await session.scalars(statement)).all():
        for level in domain.due_escalations(
            status=complaint.status, level=complaint.escalation_level, due_at=complaint.due_at,
            sla_hours=complaint.sla_hours, now=now,
        ):
            complaint.escalation_level = level
            complaint.escalated_at = now
            complaint.next_escalation_at = domain.next_escalation_at(
                level, complaint.due_at, complaint.sla_hours)
            session.add(record_step(complaint, "escalate", complaint.status,
                                    Actor(role="system"), now, _NOTES[level]))
            await session.flush()
            await publish_complaint_fact(session, complaint, "escalate", now, level=level)
            made += 1
    return made


async def sla_scanner(ctx: ServiceContext) -> None:
    """Background loop: scan, sleep, repeat; a failed scan is logged and retried next round."""
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
            ctx.relay.wake()
