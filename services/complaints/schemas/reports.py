"""API models of reports: filing, the workflow steps' bodies, the report as shown, statistics."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from services.complaints.schemas.fields import (
    ContactPublic,
    Input,
    Name,
    Note,
    OrgId,
    Phone,
    PhotoRef,
    RefId,
)
from shared.contracts.complaints import ComplaintCategory, Kind

__all__ = [
    "AcknowledgeIn",
    "ActorPublic",
    "AssignIn",
    "CloseIn",
    "ComplaintCreate",
    "ComplaintPublic",
    "ComplaintReceipt",
    "ConfirmIn",
    "ContactIn",
    "Location",
    "ReopenIn",
    "ResolveIn",
    "SlaFigures",
    "StatsPublic",
    "StepPublic",
]


class Location(Input):
    lat: float | None = Field(default=None, ge=-90, le=90, strict=True)  # no true ⇒ 1.0
    lng: float | None = Field(default=None, ge=-180, le=180, strict=True)
    address: str | None = Field(default=None, min_length=1, max_length=300)

    @model_validator(mode="after")
    def _coordinates_in_pairs(self) -> Location:
        if (self.lat is None) != (self.lng is None):
            raise ValueError("lat and lng go together")
        if self.lat is None and self.address is None:
            raise ValueError("give lat/lng or an address")
        return self


class ContactIn(Input):
    name: Name | None = None
    phone: Phone | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> ContactIn:
        if self.name is None and self.phone is None:
            raise ValueError("give a name or a phone, or leave contact out")
        return self


class ComplaintCreate(Input):
    kind: Kind = "complaint"
    category: ComplaintCategory
    project_id: RefId | None = None
    community_id: RefId | None = None
    compound_id: RefId | None = None
    description: Annotated[str, Field(min_length=1, max_length=4000)]
    location: Location | None = None
    photos: list[PhotoRef] = Field(default_factory=list, max_length=10)
    contact: ContactIn | None = None
    anonymous: bool = False

    @model_validator(mode="after")
    def _names_a_place(self) -> ComplaintCreate:
        if not (self.project_id or self.community_id or self.compound_id):
            raise ValueError("give project_id, community_id or (property service) compound_id")
        return self


class ComplaintReceipt(BaseModel):
    id: str
    tracking_code: str
    access_token: str
    status: str
    expected_resolution_at: datetime


class ActorPublic(BaseModel):
    role: str
    org: str | None = None
    sub: str | None = None  # staff only


class StepPublic(BaseModel):
    action: str
    from_status: str | None
    to_status: str
    at: datetime
    actor: ActorPublic
    note: str | None


class ComplaintPublic(BaseModel):
    id: str
    tracking_code: str
    kind: str
    category: str
    status: str
    project_id: str | None
    community_id: str | None
    compound_id: str | None
    description: str
    location: dict[str, object] | None
    photos: list[str]
    anonymous: bool
    contact: ContactPublic | None
    routed_org: str | None
    assignee_org: str | None
    escalation_level: str | None
    expected_resolution_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    satisfaction: int | None
    version: int
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[str]
    history: list[StepPublic] = Field(default_factory=list)


class AcknowledgeIn(Input):
    note: Note | None = None


class AssignIn(Input):
    assignee_org: OrgId | None = Field(
        default=None, description="defaults to the org the report was routed to"
    )
    note: Note | None = None


class ResolveIn(Input):
    resolution: Note


class ConfirmIn(Input):
    satisfaction: int = Field(ge=1, le=5)
    comment: Note | None = None


class ReopenIn(Input):
    reason: Note


class CloseIn(Input):
    note: Note | None = None


class SlaFigures(BaseModel):
    met: int
    breached: int
    compliance: float | None = Field(description="met / (met + breached), null when none")


class StatsPublic(BaseModel):
    community_id: str | None
    total: int
    by_status: dict[str, int]
    by_category: dict[str, int]
    open_overdue: int
    sla: SlaFigures
    mean_hours_to_resolve: float | None
