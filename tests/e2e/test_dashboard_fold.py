"""The city dashboard's fold: events in (any topic interleaving), KPIs out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.contracts import acceptance as acc
from shared.contracts import complaints as cmp
from shared.contracts import projects as prj
from shared.contracts import property as prop
from shared.events import Event, EventData, make_event
from suite.dashboard import CityDashboard, fold

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
PARTIES = prj.ProjectParties(builder="org-b", contractor="org-c")


def ev(data: EventData, minutes: int, subject: str = "s") -> Event:
    return make_event(data, subject=subject, source="/tests", time=T0 + timedelta(minutes=minutes))


def created(project_id: str, community_id: str = "dongdu", *, start: date = date(2025, 1, 1),
            end: date = date(2025, 12, 31)) -> prj.ProjectCreated:
    return prj.ProjectCreated(
        project_id=project_id, community_id=community_id, plan_id="p", category="basic",
        domain="road", heritage=False, parties=PARTIES, planned_start=start, planned_end=end,
        budget_total_cny="1.00")


def fact(model: Callable[..., EventData], project_id: str, community_id: str = "dongdu",
         **extra: object) -> EventData:
    return model(project_id=project_id, community_id=community_id, **extra)


def complaint(model: Callable[..., EventData], complaint_id: str, status: str, **extra: object
              ) -> EventData:
    return model(complaint_id=complaint_id, kind="complaint", category="noise", status=status,
                 project_id="p1", community_id="dongdu", occurred_at=T0, **extra)


def verdict(model: Callable[..., EventData], round_: int, acceptance_id: str = "a1", **extra: object
            ) -> EventData:
    return model(acceptance_id=acceptance_id, project_id="p1", community_id="dongdu",
                 round=round_, decided_at=T0, **extra)


def trial(model: Callable[..., EventData], trial_id: str, community_id: str = "dongdu",
          **extra: object) -> EventData:
    return model(trial_id=trial_id, compound_id=f"c-{trial_id}", community_id=community_id,
                 provider_id="prov", **extra)


def test_projects_are_counted_by_status_per_community() -> None:
    kpis = fold([
        ev(created("p1"), 0), ev(fact(prj.ProjectApproved, "p1"), 1),
        ev(created("p2", "xinxing"), 2),
        ev(created("p3", "xinxing"), 3), ev(fact(prj.ProjectCancelled, "p3", "xinxing"), 4),
        ev(created("p4"), 5), ev(fact(prj.ProjectAccepted, "p4", acceptance_id="a"), 6),
        ev(fact(prj.ProjectPutIntoOperation, "p4"), 7),
    ])
    assert kpis["projects_by_status"] == {"dongdu": {"approved": 1, "in_operation": 1},
                                          "xinxing": {"cancelled": 1, "draft": 1}}


def test_a_failed_acceptance_shows_rectifying_until_the_project_is_rectified() -> None:
    completed = fact(prj.ProjectCompleted, "p1", parties=PARTIES, completed_at=T0)
    failed = verdict(acc.AcceptanceFailed, 1, defect_count=1, rejecting_parties=["owners"])
    dashboard = CityDashboard()
    for event in [ev(created("p1"), 0), ev(completed, 5), ev(failed, 6)]:
        dashboard.apply(event)
    assert dashboard.kpis()["projects_by_status"] == {"dongdu": {"rectifying": 1}}
    dashboard.apply(ev(fact(prj.ProjectRectified, "p1", rectified_at=T0), 7))
    assert dashboard.kpis()["projects_by_status"] == {"dongdu": {"completed": 1}}


def test_an_older_event_from_another_topic_does_not_overwrite_a_newer_status() -> None:
    failed = verdict(acc.AcceptanceFailed, 1, defect_count=1, rejecting_parties=["owners"])
    kpis = fold([ev(created("p1"), 0),
                 ev(fact(prj.ProjectRectified, "p1", rectified_at=T0), 9),
                 ev(failed, 6)])  # arrives late from the acceptance topic
    assert kpis["projects_by_status"] == {"dongdu": {"completed": 1}}


def test_schedule_share_counts_started_projects_not_flagged_at_risk() -> None:
    at_risk = fact(prj.ProjectScheduleAtRisk, "p2", percent=10, expected_percent=60,
                   threshold_percent=20)
    kpis = fold([
        ev(created("p1"), 0), ev(fact(prj.ProjectConstructionStarted, "p1", started_at=T0), 1),
        ev(created("p2"), 2), ev(fact(prj.ProjectConstructionStarted, "p2", started_at=T0), 3),
        ev(at_risk, 4),
        ev(created("p3"), 5),  # never started: not counted
    ])
    assert kpis["schedule"] == {"started": 2, "at_risk": 1, "on_schedule": 1,
                                "on_schedule_ratio": 0.5}


def test_a_flagged_project_is_back_on_schedule_when_it_recovers() -> None:
    def flag(model: Callable[..., EventData]) -> EventData:
        return fact(model, "p1", percent=10, expected_percent=40, threshold_percent=20)

    dashboard = CityDashboard()
    for event in [ev(created("p1"), 0),
                  ev(fact(prj.ProjectConstructionStarted, "p1", started_at=T0), 1),
                  ev(flag(prj.ProjectScheduleAtRisk), 2)]:
        dashboard.apply(event)
    assert dashboard.kpis()["schedule"]["at_risk"] == 1
    dashboard.apply(ev(flag(prj.ProjectScheduleRecovered), 3))
    assert dashboard.kpis()["schedule"] == {"started": 1, "at_risk": 0, "on_schedule": 1,
                                            "on_schedule_ratio": 1.0}


def test_sla_compliance_is_settled_without_escalation_over_all_reports() -> None:
    kpis = fold([
        ev(complaint(cmp.ComplaintReceived, "c1", "received"), 0),
        ev(complaint(cmp.ComplaintResolved, "c1", "resolved"), 1),
        ev(complaint(cmp.ComplaintReceived, "c2", "received"), 2),
        ev(complaint(cmp.ComplaintEscalated, "c2", "received", level="subdistrict"), 3),
        ev(complaint(cmp.ComplaintClosed, "c2", "closed", satisfaction=4), 4),
        ev(complaint(cmp.ComplaintReceived, "c3", "received"), 5),
        ev(complaint(cmp.ComplaintReceived, "c4", "received"), 6),
        ev(complaint(cmp.ComplaintResolved, "c4", "resolved"), 7),
        ev(complaint(cmp.ComplaintReopened, "c4", "reopened"), 8),
    ])
    assert kpis["complaints"] == {"received": 4, "escalated": 1,
                                  "settled_without_escalation": 1,
                                  "sla_compliance_ratio": 0.25}


def test_first_round_pass_rate_ignores_later_rounds() -> None:
    kpis = fold([
        ev(verdict(acc.AcceptanceFailed, 1, "a1", defect_count=1, rejecting_parties=["owners"]),
           0),
        ev(verdict(acc.AcceptancePassed, 2, "a1"), 1),
        ev(verdict(acc.AcceptancePassed, 1, "a2"), 2),
    ])
    assert kpis["acceptance"] == {"first_rounds_decided": 2, "first_rounds_passed": 1,
                                  "first_round_pass_rate": 0.5}


def registered(compound_id: str, households: int, managed: bool,
               community_id: str = "dongdu") -> EventData:
    return prop.PropertyCompoundRegistered(compound_id=compound_id, community_id=community_id,
                                           households=households, has_property_management=managed)


def test_coverage_rises_as_trials_convert_and_counts_what_is_under_trial() -> None:
    started: dict[str, Any] = {"start": date(2025, 1, 1), "end": date(2025, 6, 30)}
    kpis = fold([
        ev(registered("c-managed", 200, True), 0),
        ev(registered("c-t1", 120, False), 0), ev(registered("c-t2", 80, False), 0),
        ev(registered("c-t3", 50, False), 0), ev(registered("c-t4", 30, False, "xinxing"), 0),
        ev(trial(prop.PropertyTrialStarted, "t1", households=120, **started), 1),
        ev(trial(prop.PropertyTrialStarted, "t2", households=80, **started), 2),
        ev(trial(prop.PropertyContractConverted, "t1", fee_cny_per_m2="1.2000",
                 households=120), 3),
        ev(trial(prop.PropertyTrialStarted, "t3", households=50, **started), 4),
        ev(trial(prop.PropertyTrialEnded, "t3", reason="withdrawn"), 5),
    ])
    dongdu = kpis["property_coverage"]["dongdu"]
    assert dongdu == {
        "compounds_total": 4, "households_total": 450,
        "compounds_managed_before_trials": 1, "households_managed_before_trials": 200,
        "compounds_managed": 2, "households_managed": 320,
        "compounds_under_trial": 1, "households_under_trial": 80,
        "compounds_converted": 1, "households_converted": 120,
        "households_ratio_before_trials": 0.4444, "households_ratio": 0.7111,
    }
    assert kpis["property_coverage"]["xinxing"]["households_ratio"] == 0.0


def test_a_late_event_of_an_earlier_trial_does_not_change_the_compound() -> None:
    started: dict[str, Any] = {"start": date(2025, 1, 1), "end": date(2025, 6, 30)}
    kpis = fold([
        ev(registered("c-x", 40, False), 0),
        ev(prop.PropertyTrialStarted(trial_id="t-new", compound_id="c-x", community_id="dongdu",
                                     provider_id="prov", households=40, **started), 2),
        ev(prop.PropertyTrialEnded(trial_id="t-old", compound_id="c-x", community_id="dongdu",
                                   provider_id="prov", reason="replaced"), 3),
    ])
    assert kpis["property_coverage"]["dongdu"]["compounds_under_trial"] == 1


def test_unrelated_and_unknown_events_are_ignored_and_ratios_of_nothing_are_null() -> None:
    stray = make_event(created("p1"), subject="p1", source="/x", time=T0).model_copy(
        update={"type": "something.else", "data": {"x": 1}})
    kpis = fold([stray])
    assert kpis["events_ignored"] == 1 and kpis["events_applied"] == 0
    assert kpis["schedule"]["on_schedule_ratio"] is None
    assert kpis["complaints"]["sla_compliance_ratio"] is None
    assert kpis["acceptance"]["first_round_pass_rate"] is None
