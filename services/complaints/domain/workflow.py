"""The report workflow: its steps, SLA deadlines, escalation, tracking codes (pure, no I/O).

Workflow::

    received → acknowledged → assigned → resolved → closed
                              ↑   ↺ reassign  │ ↖ (reporter confirms, or staff close)
                           reopened ←─────────┘  (reporter reopens: back to the assignee)

The SLA clock starts when a report is filed and restarts when it is reopened; resolving stops
it. A report still open at its deadline is escalated to the sub-district (街道吹哨); still open a
full SLA period later, to the district department (部门报到). Each level happens once.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Literal

from shared.errors import Conflict

__all__ = [
    "OPEN_STATUSES",
    "TRACKING_ALPHABET",
    "Action",
    "EscalationLevel",
    "Status",
    "allowed_actions",
    "due_escalations",
    "new_tracking_code",
    "next_escalation_at",
    "next_status",
    "resolution_deadline",
]

Status = Literal["received", "acknowledged", "assigned", "resolved", "closed", "reopened"]
Action = Literal["acknowledge", "assign", "resolve", "confirm", "close", "reopen"]
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


def resolution_deadline(clock_started_at: datetime, sla_hours: int) -> datetime:
    return clock_started_at + timedelta(hours=sla_hours)


def due_escalations(
    *, status: str, level: str | None, due_at: datetime, sla_hours: int, now: datetime
) -> list[EscalationLevel]:
    """The escalation levels reached by `now` and not yet taken, lowest first."""
    if status not in OPEN_STATUSES:
        return []
    due: list[EscalationLevel] = []
    if now >= due_at and level is None:
        due.append("subdistrict")
    if now >= due_at + timedelta(hours=sla_hours) and level != "district_department":
        due.append("district_department")
    return due


def next_escalation_at(level: str | None, due_at: datetime, sla_hours: int) -> datetime | None:
    """When the next escalation falls due (None: every level taken)."""
    if level is None:
        return due_at
    if level == "subdistrict":
        return due_at + timedelta(hours=sla_hours)
    return None


def new_tracking_code() -> str:
    """A short code a resident can read out: `CC-` + 6 characters (29^6 ≈ 6e8 codes)."""
    return "CC-" + "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(6))
