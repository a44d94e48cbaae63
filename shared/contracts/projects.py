"""Events published by the projects service on `projects.events`.

Facts about a project are keyed by the project id; facts about a community (its jurisdiction,
boundary, surveys and plan) by the community id, so a consumer sees them in order. Parties
are organisation ids, never people. No names, phone numbers, notes or descriptions: ids,
codes, amounts and counts only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from shared.events.catalog import EventData, event_type
from shared.events.topics import PROJECTS

__all__ = [
    "Category",
    "CommunityBoundarySet",
    "CommunityJurisdictionSet",
    "PlanApproved",
    "ProjectAccepted",
    "ProjectApproved",
    "ProjectCancelled",
    "ProjectCompleted",
    "ProjectConstructionPlanSubmitted",
    "ProjectConstructionStarted",
    "ProjectCreated",
    "ProjectFunding",
    "ProjectHeritageReviewRecorded",
    "ProjectHiddenWorkInspected",
    "ProjectHiddenWorkRecorded",
    "ProjectParties",
    "ProjectProgressReported",
    "ProjectPutIntoOperation",
    "ProjectRectified",
    "ProjectResumed",
    "ProjectScheduleAtRisk",
    "ProjectScheduleRecovered",
    "ProjectStatus",
    "ProjectSuspended",
    "SurveyFiled",
]

Category = Literal["basic", "improvement", "enhancement"]
ProjectStatus = Literal[
    "draft", "approved", "under_construction", "suspended", "completed", "rectifying",
    "accepted", "in_operation", "cancelled",
]


class ProjectParties(EventData):
    """The organisations taking part in a project (org ids)."""

    builder: str
    designer: str | None = None
    contractor: str
    supervisor: str | None = None
    pipeline: list[str] = Field(default_factory=list)
    # The owners' representative org (业主委员会 / 业主代表): then only it signs as `owners`.
    owners: str | None = None


class ProjectFunding(EventData):
    """Who pays what (CNY, two decimals, as strings): the split computed at creation."""

    city_fiscal_cny: str
    district_fiscal_cny: str
    social_capital_cny: str
    residents_cny: str
    gas_account_opening_fee_cny: str | None = None


class _ProjectFact(EventData):
    project_id: str
    community_id: str


@event_type("project.created", topic=PROJECTS)
class ProjectCreated(_ProjectFact):
    """A project was drafted under a community's approved plan, with its funding split."""

    plan_id: str
    category: Category
    domain: str
    heritage: bool
    parties: ProjectParties
    planned_start: date
    planned_end: date
    budget_total_cny: str
    # Absent only in events published before the split was carried.
    funding: ProjectFunding | None = None


@event_type("project.approved", topic=PROJECTS)
class ProjectApproved(_ProjectFact):
    """A drafted project was approved."""


@event_type("project.construction_plan_submitted", topic=PROJECTS)
class ProjectConstructionPlanSubmitted(_ProjectFact):
    """The contractor submitted the construction plan (施工方案); a resubmission replaces it."""

    submitted_at: datetime
    submitted_by_org: str
    quiet_windows: int
    resubmission: bool


@event_type("project.heritage_review_recorded", topic=PROJECTS)
class ProjectHeritageReviewRecorded(_ProjectFact):
    """The district bureau recorded the heritage review of a project touching heritage."""

    approved: bool
    reviewed_at: datetime


@event_type("project.construction_started", topic=PROJECTS)
class ProjectConstructionStarted(_ProjectFact):
    """Construction started: plan, construction plan, site board and heritage gates met."""

    started_at: datetime


@event_type("project.suspended", topic=PROJECTS)
class ProjectSuspended(_ProjectFact):
    """Construction was suspended."""


@event_type("project.resumed", topic=PROJECTS)
class ProjectResumed(_ProjectFact):
    """Suspended construction resumed."""


@event_type("project.progress_reported", topic=PROJECTS)
class ProjectProgressReported(_ProjectFact):
    """The contractor reported progress."""

    percent: int
    milestone: str | None = None
    reported_at: datetime
    received_at: datetime


@event_type("project.schedule_at_risk", topic=PROJECTS)
class ProjectScheduleAtRisk(_ProjectFact):
    """Progress fell behind the linear plan by more than the threshold."""

    percent: int
    expected_percent: int
    threshold_percent: int


@event_type("project.schedule_recovered", topic=PROJECTS)
class ProjectScheduleRecovered(_ProjectFact):
    """A project flagged at risk is back within the threshold of the linear plan."""

    percent: int
    expected_percent: int
    threshold_percent: int


@event_type("project.hidden_work_recorded", topic=PROJECTS)
class ProjectHiddenWorkRecorded(_ProjectFact):
    """The contractor recorded a hidden work (隐蔽工程) awaiting the supervisor's inspection."""

    hidden_work_id: str
    recorded_at: datetime


@event_type("project.hidden_work_inspected", topic=PROJECTS)
class ProjectHiddenWorkInspected(_ProjectFact):
    """A hidden work (隐蔽工程) was inspected by the supervisor."""

    hidden_work_id: str
    verdict: Literal["pass", "fail"]


@event_type("project.completed", topic=PROJECTS)
class ProjectCompleted(_ProjectFact):
    """Construction completed; joint acceptance can open. Carries the parties."""

    parties: ProjectParties
    completed_at: datetime
    # The project's public title, printed on the acceptance record (a project's name, not a
    # person's); absent in events published before it was carried.
    title: str | None = None


@event_type("project.rectified", topic=PROJECTS)
class ProjectRectified(_ProjectFact):
    """The contractor rectified the defects of a failed acceptance round."""

    rectified_at: datetime


@event_type("project.accepted", topic=PROJECTS)
class ProjectAccepted(_ProjectFact):
    """The project passed joint acceptance."""

    acceptance_id: str


@event_type("project.put_into_operation", topic=PROJECTS)
class ProjectPutIntoOperation(_ProjectFact):
    """An accepted project was handed over and put into operation."""


@event_type("project.cancelled", topic=PROJECTS)
class ProjectCancelled(_ProjectFact):
    """A draft or approved project was cancelled."""


@event_type("survey.filed", topic=PROJECTS)
class SurveyFiled(EventData):
    """A community's baseline survey (普查) was filed: counts only. Keyed by the community id."""

    survey_id: str
    community_id: str
    surveyed_on: date
    finding_counts: dict[str, int]
    opinion_topics: int
    respondents: int
    in_favour: int
    filed_at: datetime


@event_type("plan.approved", topic=PROJECTS)
class PlanApproved(EventData):
    """A community's plan (一社区一方案) was approved, superseding the previous one if any.

    Keyed by the community id, so approvals of one community arrive in order.
    """

    plan_id: str
    community_id: str
    superseded_plan_id: str | None = None
    approved_at: datetime


@event_type("community.jurisdiction_set", topic=PROJECTS)
class CommunityJurisdictionSet(EventData):
    """A community's responsible offices were set (org ids only); every service enforces them.

    Keyed by the community id.
    """

    community_id: str
    district: str
    district_bureau_org: str
    subdistrict_org: str
    community_org: str
    set_at: datetime


@event_type("community.boundary_set", topic=PROJECTS)
class CommunityBoundarySet(EventData):
    """A community's boundary was set: a GeoJSON Polygon or MultiPolygon in WGS84 ([lng, lat]).

    Keyed by the community id. Complaints routes reports by location with it.
    """

    community_id: str
    boundary: dict[str, Any]
    set_at: datetime
