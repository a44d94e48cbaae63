"""City KPIs folded from the four event topics (pure: no I/O, events in, figures out).

`CityDashboard.apply(event)` accepts events in any interleaving of the topics (each topic's
events of one aggregate arrive in order; across topics the event `time` decides), ignores
types it does not use, and `kpis()` returns:

- projects by status per community;
- schedule: of the projects whose construction started, the share not currently at risk
  (`project.schedule_at_risk` raises the flag, `project.schedule_recovered` lowers it);
- complaint SLA compliance: reports resolved or closed without ever being escalated ÷ every
  report received;
- acceptance first-round pass rate: sessions whose round 1 passed ÷ sessions whose round 1
  has been decided;
- property-management coverage per community: compounds and households registered
  (`property.compound_registered`), managed (at registration, or by a converted trial), the
  household coverage before and after the interim trials, and what is under trial now.

What events alone cannot tell is listed in ``LIMITS`` and printed with the figures.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.events.envelope import Event

__all__ = ["LIMITS", "CityDashboard", "fold"]

LIMITS = [
    "project status 'rectifying' is inferred from acceptance.failed (the projects service "
    "publishes no event for it)",
    "coverage counts only compounds announced by property.compound_registered; a compound "
    "that gains management outside a trial is not announced and stays unmanaged here",
    "the figures are as of the latest event folded, not of the wall clock: an overdue report "
    "counts as compliant until its complaint.escalated arrives",
]

_PROJECT_STATUS = {
    "project.created": "draft",
    "project.approved": "approved",
    "project.construction_started": "under_construction",
    "project.suspended": "suspended",
    "project.resumed": "under_construction",
    "project.completed": "completed",
    "project.rectified": "completed",
    "project.accepted": "accepted",
    "project.put_into_operation": "in_operation",
    "project.cancelled": "cancelled",
    "acceptance.failed": "rectifying",
}
_CONSTRUCTION_STARTED = {"under_construction", "suspended", "completed", "rectifying",
                         "accepted", "in_operation"}


@dataclass
class _Project:
    community_id: str
    status: str | None = None
    status_time: datetime | None = None
    started: bool = False
    at_risk: bool = False


@dataclass
class _Complaint:
    community_id: str | None
    escalated: bool = False
    settled: bool = False  # resolved or closed (a reopen unsettles it)


@dataclass
class _Compound:
    community_id: str
    households: int
    registered: bool = False  # announced by property.compound_registered
    managed_at_registration: bool = False
    trial_id: str | None = None
    trial_status: str | None = None  # trial | converted | ended


@dataclass
class CityDashboard:
    """The fold's state; feed events with `apply`, read figures with `kpis`."""

    projects: dict[str, _Project] = field(default_factory=dict)
    complaints: dict[str, _Complaint] = field(default_factory=dict)
    first_rounds: dict[str, bool] = field(default_factory=dict)  # acceptance id -> passed
    compounds: dict[str, _Compound] = field(default_factory=dict)
    applied: int = 0
    ignored: int = 0
    latest: datetime | None = None

    def apply(self, event: Event) -> None:
        data = event.data
        handled = self._project(event, data) | self._complaint(event, data)
        handled |= self._acceptance(event, data) | self._property(event, data)
        if handled:
            self.applied += 1
            self.latest = max(self.latest or event.time, event.time)
        else:
            self.ignored += 1

    # -- projects ----------------------------------------------------------------------

    def _project(self, event: Event, data: dict[str, Any]) -> bool:
        if not (event.type.startswith("project.") or event.type == "acceptance.failed"):
            return False
        project_id, community_id = data.get("project_id"), data.get("community_id")
        if not isinstance(project_id, str) or not isinstance(community_id, str):
            return False
        project = self.projects.setdefault(project_id, _Project(community_id))
        if event.type in ("project.schedule_at_risk", "project.schedule_recovered"):
            project.at_risk = event.type == "project.schedule_at_risk"
        status = _PROJECT_STATUS.get(event.type)
        if status is not None and (project.status_time is None
                                   or event.time >= project.status_time):
            project.status, project.status_time = status, event.time
        project.started |= status in _CONSTRUCTION_STARTED
        return True

    # -- complaints --------------------------------------------------------------------

    def _complaint(self, event: Event, data: dict[str, Any]) -> bool:
        complaint_id = data.get("complaint_id")
        if not event.type.startswith("complaint.") or not isinstance(complaint_id, str):
            return False
        complaint = self.complaints.setdefault(complaint_id,
                                               _Complaint(data.get("community_id")))
        if event.type == "complaint.escalated":
            complaint.escalated = True
        elif event.type in ("complaint.resolved", "complaint.closed", "complaint.merged"):
            complaint.settled = True
        elif event.type == "complaint.reopened":
            complaint.settled = False
        return True

    # -- acceptance --------------------------------------------------------------------

    def _acceptance(self, event: Event, data: dict[str, Any]) -> bool:
        if event.type not in ("acceptance.passed", "acceptance.failed"):
            return event.type.startswith("acceptance.")
        if data.get("round") == 1:
            self.first_rounds[str(data["acceptance_id"])] = event.type == "acceptance.passed"
        return True

    # -- property ----------------------------------------------------------------------

    def _property(self, event: Event, data: dict[str, Any]) -> bool:
        compound_id = data.get("compound_id")
        if not event.type.startswith("property.") or not isinstance(compound_id, str):
            return False
        compound = self.compounds.setdefault(compound_id, _Compound(
            str(data["community_id"]), int(data.get("households", 0))))
        if event.type == "property.compound_registered":
            compound.registered = True
            compound.households = int(data["households"])
            compound.managed_at_registration = bool(data["has_property_management"])
        elif event.type == "property.trial_started":
            compound.trial_id, compound.trial_status = str(data["trial_id"]), "trial"
            compound.households = compound.households or int(data["households"])
        elif compound.trial_id == data.get("trial_id"):  # a late event of an older trial: no
            if event.type == "property.contract_converted":
                compound.trial_status = "converted"
            elif event.type == "property.trial_ended":
                compound.trial_status = "ended"
        return True

    # -- figures -----------------------------------------------------------------------

    def kpis(self) -> dict[str, Any]:
        return {
            "as_of": self.latest.isoformat() if self.latest else None,
            "events_applied": self.applied,
            "events_ignored": self.ignored,
            "projects_by_status": self._projects_by_status(),
            "schedule": self._schedule(),
            "complaints": self._complaint_figures(),
            "acceptance": self._acceptance_figures(),
            "property_coverage": self._coverage(),
            "limits": LIMITS,
        }

    def _projects_by_status(self) -> dict[str, dict[str, int]]:
        table: dict[str, Counter[str]] = defaultdict(Counter)
        for project in self.projects.values():
            if project.status is not None:
                table[project.community_id][project.status] += 1
        return {community: dict(sorted(c.items())) for community, c in sorted(table.items())}

    def _schedule(self) -> dict[str, Any]:
        started = [p for p in self.projects.values() if p.started]
        at_risk = sum(p.at_risk for p in started)
        return {"started": len(started), "at_risk": at_risk,
                "on_schedule": len(started) - at_risk,
                "on_schedule_ratio": _ratio(len(started) - at_risk, len(started))}

    def _complaint_figures(self) -> dict[str, Any]:
        total = len(self.complaints)
        escalated = sum(c.escalated for c in self.complaints.values())
        compliant = sum(c.settled and not c.escalated for c in self.complaints.values())
        return {"received": total, "escalated": escalated,
                "settled_without_escalation": compliant,
                "sla_compliance_ratio": _ratio(compliant, total)}

    def _acceptance_figures(self) -> dict[str, Any]:
        decided = len(self.first_rounds)
        passed = sum(self.first_rounds.values())
        return {"first_rounds_decided": decided, "first_rounds_passed": passed,
                "first_round_pass_rate": _ratio(passed, decided)}

    def _coverage(self) -> dict[str, dict[str, Any]]:
        table: dict[str, Counter[str]] = defaultdict(Counter)
        for compound in self.compounds.values():
            figures = table[compound.community_id]
            if compound.registered:
                figures["compounds_total"] += 1
                figures["households_total"] += compound.households
            before = compound.registered and compound.managed_at_registration
            managed = compound.registered and (before or compound.trial_status == "converted")
            for name, counted in (("managed_before_trials", before), ("managed", managed),
                                  ("under_trial", compound.trial_status == "trial"),
                                  ("converted", compound.trial_status == "converted")):
                figures[f"compounds_{name}"] += counted
                figures[f"households_{name}"] += compound.households if counted else 0
        return {community: _coverage_figures(figures)
                for community, figures in sorted(table.items())}


def _coverage_figures(figures: Counter[str]) -> dict[str, Any]:
    keys = ("compounds_total", "households_total", "compounds_managed_before_trials",
            "households_managed_before_trials", "compounds_managed", "households_managed",
            "compounds_under_trial", "households_under_trial", "compounds_converted",
            "households_converted")
    result: dict[str, Any] = {key: figures[key] for key in keys}
    result["households_ratio_before_trials"] = _ratio(
        figures["households_managed_before_trials"], figures["households_total"])
    result["households_ratio"] = _ratio(figures["households_managed"],
                                        figures["households_total"])
    return result


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def fold(events: Iterable[Event]) -> dict[str, Any]:
    """KPIs of a finished stream of events."""
    dashboard = CityDashboard()
    for event in events:
        dashboard.apply(event)
    return dashboard.kpis()
