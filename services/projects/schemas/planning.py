"""API models for communities (jurisdiction, boundary), baseline surveys (普查) and plans
(一社区一方案)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

__all__ = [
    "FINDING_KINDS",
    "CommunityPublic",
    "Finding",
    "FindingKind",
    "JurisdictionIn",
    "JurisdictionPublic",
    "OrgCode",
    "PlanCreate",
    "PlanPublic",
    "ResidentOpinion",
    "SurveyCreate",
    "SurveyPublic",
]

FindingKind = Literal[
    "idle_land", "small_space", "vacated_temporary_building_land", "public_housing",
    "old_compound", "population", "public_space", "facility", "heritage", "resident_need",
]
FINDING_KINDS: tuple[str, ...] = get_args(FindingKind)
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Long = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
# An organisation id as tokens carry it in `org` (every service keeps up to 64 characters).
OrgCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                                           pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JurisdictionIn(_In):
    """The offices responsible for a community: the org ids their tokens carry."""

    district_bureau_org: OrgCode
    subdistrict_org: OrgCode
    community_org: OrgCode


class JurisdictionPublic(BaseModel):
    district_bureau_org: str
    subdistrict_org: str
    community_org: str


class CommunityPublic(BaseModel):
    id: str
    name: str
    district: str
    district_code: str | None = Field(description="the district's code in the offices' org "
                                                  "ids, e.g. `siming`")
    batch_deadline: date
    version: int
    jurisdiction: JurisdictionPublic | None
    jurisdiction_set_at: datetime | None = None
    boundary: dict[str, Any] | None = Field(
        default=None, description="GeoJSON Polygon or MultiPolygon, WGS84, [lng, lat]")
    boundary_set_at: datetime | None = None


class Finding(_In):
    kind: FindingKind
    summary: Long
    location: Short | None = None
    quantity: float | None = Field(default=None, ge=0, description="count, area or length")
    unit: Annotated[str, StringConstraints(max_length=20)] | None = None


class ResidentOpinion(_In):
    """What residents said (充分征求居民意见): aggregated, never a resident's identity."""

    topic: Short
    summary: Long
    respondents: int = Field(default=0, ge=0)
    in_favour: int = Field(default=0, ge=0)

    @field_validator("in_favour")
    @classmethod
    def _not_more_than_respondents(cls, value: int, info: ValidationInfo) -> int:
        if value > info.data.get("respondents", 0):
            raise ValueError("in_favour cannot exceed respondents")
        return value


class SurveyCreate(_In):
    title: Short
    surveyed_on: date
    findings: list[Finding] = Field(min_length=1, max_length=500)
    resident_opinions: list[ResidentOpinion] = Field(default_factory=list, max_length=500)


class SurveyPublic(BaseModel):
    id: str
    community_id: str
    title: str
    surveyed_on: date
    findings: list[Finding]
    resident_opinions: list[ResidentOpinion]
    counts: dict[str, int]
    created_at: datetime


class PlanCreate(_In):
    title: Short
    summary: Long


class PlanPublic(BaseModel):
    id: str
    community_id: str
    title: str
    summary: str
    status: Literal["draft", "approved", "superseded"]
    version: int
    created_at: datetime
    approved_at: datetime | None = None
    superseded_by: str | None = None
