"""API models of projects: their parties, budget, lifecycle and preparation."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from shared.contracts.projects import Category, ProjectStatus

__all__ = [
    "BudgetIn",
    "BudgetPublic",
    "ConstructionPlanIn",
    "ConstructionPlanPublic",
    "DeliveryMode",
    "Domain",
    "FundingPublic",
    "GatesPublic",
    "HeritageReviewIn",
    "HeritageReviewPublic",
    "OrgId",
    "PartiesIn",
    "PartiesPublic",
    "ProjectCreate",
    "ProjectPublic",
    "QuietWindow",
    "StatusChangePublic",
    "Text",
    "TransitionIn",
]

Domain = Literal[
    "elderly_care", "culture", "education", "health", "childcare", "sports", "postal_express",
    "public_security", "power", "telecom", "water_supply_drainage", "gas", "greening",
    "accessibility", "elevator", "road", "other",
]
DeliveryMode = Literal["epc", "whole_process_consulting", "conventional"]
OrgId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BudgetIn(_In):
    total_cny: Money
    social_capital_cny: Money = Decimal("0")
    residents_cny: Money = Decimal("0")
    gas_account_opening_fee_cny: Money | None = None


class PartiesIn(_In):
    builder: OrgId
    designer: OrgId | None = None
    contractor: OrgId
    supervisor: OrgId | None = None
    pipeline: list[OrgId] = Field(default_factory=list, max_length=20)
    owners: OrgId | None = Field(
        default=None, description="the owners' representative org (业主委员会 / 业主代表); "
                                  "when named, only it signs acceptance as `owners`")


class ProjectCreate(_In):
    community_id: str = Field(min_length=1, max_length=64)
    plan_id: str = Field(min_length=1, max_length=32)
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    category: Category
    domain: Domain
    heritage: bool = False
    delivery_mode: DeliveryMode
    budget: BudgetIn
    parties: PartiesIn
    planned_start: date
    planned_end: date

    @field_validator("planned_end")
    @classmethod
    def _end_after_start(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("planned_start")
        if start is not None and value <= start:
            raise ValueError("planned_end must be after planned_start")
        return value


class FundingPublic(BaseModel):
    city_fiscal_cny: Decimal
    district_fiscal_cny: Decimal
    social_capital_cny: Decimal
    residents_cny: Decimal


class PartiesPublic(BaseModel):
    builder: str
    designer: str | None = None
    contractor: str
    supervisor: str | None = None
    pipeline: list[str] = Field(default_factory=list)
    owners: str | None = None


class BudgetPublic(BaseModel):
    total_cny: Decimal
    social_capital_cny: Decimal
    residents_cny: Decimal
    gas_account_opening_fee_cny: Decimal | None = None


class GatesPublic(BaseModel):
    """Which conditions of starting and completing the project are met now (the codes a 409
    lists as `unmet`)."""

    plan_approved: bool = Field(description="the project's plan is its community's approved "
                                            "plan")
    construction_plan_submitted: bool
    site_board_published: bool = Field(description="the site board is published (learned "
                                                   "from complaints)")
    heritage_review_approved: bool | None = Field(
        description="null when no review is needed (the project does not touch heritage)")
    hidden_works_passed: bool = Field(description="every recorded hidden work passed "
                                                  "inspection (true when there is none)")
    progress_100: bool


class ProjectPublic(BaseModel):
    id: str
    community_id: str
    plan_id: str
    title: str
    category: Category
    domain: str
    heritage: bool
    delivery_mode: str
    budget: BudgetPublic
    funding: FundingPublic
    parties: PartiesPublic
    planned_start: date
    planned_end: date
    status: ProjectStatus
    version: int
    progress_percent: int
    schedule_at_risk: bool
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    completed_at: datetime | None = None
    allowed_transitions: list[str]
    status_note: str | None = Field(
        default=None, description="the note sent with the change into the current status")
    gates: GatesPublic


class TransitionIn(_In):
    """The optional body of a transition: a note kept with the status change (why the site
    was suspended, what was rectified, ...)."""

    note: Text | None = None


class StatusChangePublic(BaseModel):
    version: int = Field(description="the project's version after the change")
    from_status: ProjectStatus | None = Field(description="null for the creation")
    status: ProjectStatus
    note: str | None = None
    by_org: str | None = Field(default=None, description="null when an event made the change "
                                                         "(an acceptance verdict)")
    at: datetime


class QuietWindow(_In):
    """A daily window with no noisy work, e.g. 12:00-14:30 or 22:00-06:00 (wraps midnight)."""

    start: time
    end: time

    @field_validator("end")
    @classmethod
    def _not_empty(cls, value: time, info: ValidationInfo) -> time:
        if value == info.data.get("start"):
            raise ValueError("a quiet window must not be empty (end equals start)")
        return value


class ConstructionPlanIn(_In):
    safety_measures: Text
    quiet_hours: list[QuietWindow] = Field(min_length=1, max_length=10)
    disturbance_measures: Text


class ConstructionPlanPublic(BaseModel):
    project_id: str
    safety_measures: str
    quiet_hours: list[QuietWindow]
    disturbance_measures: str
    submitted_by_org: str
    submitted_at: datetime
    project_version: int


class HeritageReviewIn(_In):
    approved: bool
    note: Text


class HeritageReviewPublic(BaseModel):
    project_id: str
    approved: bool
    note: str
    reviewed_at: datetime
    project_version: int

