"""API models of the property service (requests `XCreate`, responses `XPublic`)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from services.property.domain import Choice, TrialStatus, VoteStatus
from shared.times import UtcDateTime

__all__ = [
    "AreaM2",
    "AssessmentCreate",
    "AssessmentPublic",
    "BallotCreate",
    "BallotPublic",
    "CandidatePublic",
    "CompoundCreate",
    "CompoundPublic",
    "CoveragePublic",
    "OwnerEntry",
    "ProviderCreate",
    "ProviderPublic",
    "RatioPublic",
    "Roster",
    "RosterPublic",
    "TrialCreate",
    "TrialEnd",
    "TrialExtend",
    "TrialPublic",
    "VoteCreate",
    "VotePublic",
]

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
# Owner ids are register numbers or pseudonymous ids, never names.
OwnerId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
]


def _places(exponent: str) -> AfterValidator:
    """Fix the scale so a value reads the same before and after the database (10 ⇒ 10.00)."""
    step = Decimal(exponent)
    return AfterValidator(lambda value: value.quantize(step))


AreaM2 = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2), _places("0.01")]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2), _places("0.01")]
FeePerM2 = Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=4), _places("0.0001")]
Dimension = Annotated[
    str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")
]
Body = Literal["subdistrict", "community", "owners"]

_STRICT = ConfigDict(extra="forbid")


class CompoundCreate(BaseModel):
    model_config = _STRICT

    community_id: Id
    name: Text
    households: int = Field(ge=1, le=100_000)
    total_area_m2: AreaM2
    has_property_management: bool


class CompoundPublic(BaseModel):
    id: str
    community_id: str
    name: str
    households: int
    total_area_m2: Decimal
    has_property_management: bool
    managed_at_registration: bool
    converted_trial_id: str | None
    version: int
    created_at: datetime


class OwnerEntry(BaseModel):
    """One unit of the register; an owner of several units appears once per unit."""

    model_config = _STRICT

    owner_id: OwnerId
    area_m2: AreaM2


Roster = Annotated[list[OwnerEntry], Field(min_length=1, max_length=10_000)]


class RosterPublic(BaseModel):
    compound_id: str
    units: list[OwnerEntry]
    owners: int
    total_area_m2: Decimal
    version: int


class ProviderCreate(BaseModel):
    model_config = _STRICT

    org: Annotated[Id, Field(description="the provider's organisation id, as its tokens carry it")]
    name: Text
    license_no: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                               pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._/()-]*$")
    ]


class ProviderPublic(BaseModel):
    id: str
    org: str
    name: str
    license_no: str
    created_at: datetime


class TrialCreate(BaseModel):
    model_config = _STRICT

    compound_id: Id
    provider_id: Id
    start: date
    end: date
    scope: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    monthly_subsidy_cny: Money
    proposed_fee_cny_per_m2: FeePerM2


class TrialPublic(BaseModel):
    id: str
    compound_id: str
    community_id: str
    provider_id: str
    provider_org: str
    start: date
    end: date
    scope: str
    monthly_subsidy_cny: Decimal
    proposed_fee_cny_per_m2: Decimal
    status: TrialStatus
    contract_fee_cny_per_m2: Decimal | None
    end_reason: str | None
    version: int
    created_at: datetime
    converted_at: datetime | None
    ended_at: datetime | None


class TrialEnd(BaseModel):
    model_config = _STRICT

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class TrialExtend(BaseModel):
    model_config = _STRICT

    new_end: date


class AssessmentCreate(BaseModel):
    model_config = _STRICT

    period: Annotated[str, Field(description="the assessed month, YYYY-MM")]
    scores: Annotated[dict[Dimension, Annotated[int, Field(ge=0, le=100)]],
                      Field(min_length=1, max_length=20)]
    body: Body | None = Field(
        default=None, description="who scored; required only when the caller holds several"
    )


class AssessmentPublic(BaseModel):
    id: str
    trial_id: str
    period: str
    body: Body
    scores: dict[str, int]
    overall_score: Decimal
    complaint_count: int
    complaint_rate_per_100_households: Decimal
    created_at: datetime


class VoteCreate(BaseModel):
    model_config = _STRICT

    owners: Roster | None = None
    closes_at: Annotated[UtcDateTime, Field(
        description="when voting ends; an offset is required (`+08:00`, `Z`), read back in UTC"
    )]


class RatioPublic(BaseModel):
    numerator: str
    denominator: str
    ratio: str
    threshold: str
    met: bool


class ShareTestPublic(BaseModel):
    owners: RatioPublic
    area: RatioPublic


class VotePublic(BaseModel):
    id: str
    trial_id: str
    status: VoteStatus
    closes_at: datetime
    opened_at: datetime
    closed_at: datetime | None
    eligible_owners: int
    eligible_area_m2: Decimal
    ballots_cast: int
    participation: ShareTestPublic | None = None
    approval: ShareTestPublic | None = None
    version: int


class BallotCreate(BaseModel):
    model_config = _STRICT

    owner_id: OwnerId
    choice: Choice


class BallotPublic(BaseModel):
    vote_id: str
    owner_id: str
    choice: Choice
    cast_at: datetime
    replaced_previous: bool


class CandidateTrigger(BaseModel):
    acceptance_id: str
    project_id: str
    recorded_at: datetime


class CandidatePublic(BaseModel):
    compound_id: str
    community_id: str
    name: str
    households: int
    triggered_by: list[CandidateTrigger]


class CoverageFigures(BaseModel):
    compounds_managed: int
    households_managed: int
    compounds_ratio: str | None
    households_ratio: str | None


class CoveragePublic(BaseModel):
    community_id: str
    compounds_total: int
    households_total: int
    before_trials: CoverageFigures
    after_trials: CoverageFigures
    under_trial_compounds: int
    under_trial_households: int
