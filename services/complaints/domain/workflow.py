"""The report workflow: its steps, SLA deadlines, escalation, tracking codes (pure, no I/O).

Workflow::

    received → acknowledged → assigned → resolved → closed
                              ↑   ↺ reassign  │ ↖ (reporter confirms, or staff close)
                           reopened ←─────────┘  (reporter reopens: back to the assignee)

    any open status ──merge──→ duplicate  (staff: 并单 into the surviving report)

The SLA clock starts when a report is filed and restarts when it is reopened; resolving stops
it. Each category's period is clock hours (`"4h"`) or working days (`"3wd"`, by the State
Council's calendar, `shared.workdays`: the day of receipt does not count, the period ends at
24:00 Beijing time). A report still open at its deadline is escalated to the sub-district
(街道吹哨); still open a full period later (twice the period from the clock's start), to the
district department (部门报到). Each level happens once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from shared.errors import Conflict
from shared.workdays import Period, WorkingCalendar

__all__ = [
    "OPEN_STATUSES",
    "TRACKING_ALPHABET",
    "Action",
    "EscalationLevel",
    "SlaClock",
    "Status",
    "allowed_actions",
    "describe_sla",
    "due_escalations",
    "new_tracking_code",
    "next_escalation_at",
    "next_status",
    "start_sla_clock",
]

Status = Literal["received", "acknowledged", "assigned", "resolved", "closed", "reopened",
                 "duplicate"]
Action = Literal["acknowledge", "assign", "resolve", "confirm", "close", "reopen", "merge"]
EscalationLevel = Literal["subdistrict", "district_department"]

# Statuses on which the SLA clock runs.
OPEN_STATUSES: frozenset[str] = frozenset({"received", "acknowledged", "assigned", "reopened"})

_TRANSITIONS: dict[Action, tuple[frozenset[str], Status]] = {
    "acknowledge": (frozenset({"received"}), "acknowledged"),
    "assign": (frozenset({"acknowledged", "assigned", "reopened"}), "assigned"),
    "resolve": (frozenset({"assigned", "reopened"}), "resolved"),
    "confirm": (frozenset({"resolved"}), "closed"),
    "close": (frozenset({"resolved"}), "closed"),
    "reopen": (frozenset({"resolved"}), "reopened"),
    "merge": (OPEN_STATUSES, "duplicate"),
}

# No 0/O, 1/I/L, U/V: codes are read out over the phone.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"


def allowed_actions(status: str) -> list[str]:
    return sorted(action for action, (sources, _) in _TRANSITIONS.items() if status in sources)


def next_status(status: str, action: Action) -> Status:
    """The status after `action`, or Conflict (409) listing what is allowed from `status`."""
    sources, target = _TRANSITIONS[action]
    if status not in sources:
        raise Conflict(f"cannot {action} a report that is {status}",
                       allowed=allowed_actions(status))
    return target


@dataclass(frozen=True)
class SlaClock:
    """The deadlines of a clock started at one moment: resolution (and the sub-district
    escalation) at `due_at`, the district escalation at `district_due_at`; `estimated` when
    either touched a year no calendar covers."""

    due_at: datetime
    district_due_at: datetime
    estimated: bool


def start_sla_clock(calendar: WorkingCalendar, started_at: datetime, sla: str) -> SlaClock:
    """The deadlines (in UTC, as every stored time) of a clock of period `sla` (`"4h"`,
    `"3wd"`) started at `started_at`."""
    period = Period.parse(sla)
    due = calendar.add(started_at, period)
    district = calendar.add(started_at, Period(period.amount * 2, period.unit))
    return SlaClock(due_at=due.at.astimezone(UTC), district_due_at=district.at.astimezone(UTC),
                    estimated=due.estimated or district.estimated)


def describe_sla(sla: str) -> str:
    """`"4h"` ⇒ `"4 hours"`, `"1wd"` ⇒ `"1 working day"` (for notices to residents)."""
    period = Period.parse(sla)
    unit = "hour" if period.unit == "h" else "working day"
    return f"{period.amount} {unit}{'' if period.amount == 1 else 's'}"


def due_escalations(
    *, status: str, level: str | None, due_at: datetime, district_due_at: datetime,
    now: datetime,
) -> list[EscalationLevel]:
    """The escalation levels reached by `now` and not yet taken, lowest first."""
    if status not in OPEN_STATUSES:
        return []
    due: list[EscalationLevel] = []
    if now >= due_at and level is None:
        due.append("subdistrict")
    if now >= district_due_at and level != "district_department":
        due.append("district_department")
    return due


def next_escalation_at(level: str | None, due_at: datetime, district_due_at: datetime
                       ) -> datetime | None:
    """When the next escalation falls due (None: every level taken)."""
    if level is None:
        return due_at
    if level == "subdistrict":
        return district_due_at
    return None


def new_tracking_code() -> str:
    """A short code a resident can read out: `CC-` + 6 characters (29^6 ≈ 6e8 codes)."""
    return "CC-" + "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(6))
