"""API models of reports: filing, the workflow steps' bodies, the report as shown, statistics,
duplicates (nearby reports, supporters, merges) and the working-day calendar."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, field_validator, model_validator

from services.complaints.domain.personal_data import ContactStatus
from services.complaints.domain.photos import MAX_PHOTOS
from services.complaints.schemas.fields import (
    ContactPublic,
    Input,
    Latitude,
    Longitude,
    Name,
    Note,
    OrgId,
    Phone,
    PhotoId,
    RefId,
)
from shared.contracts.complaints import ComplaintCategory, Kind

__all__ = [
    "AcknowledgeIn",
    "ActorPublic",
    "AssignIn",
    "CalendarPublic",
    "CloseIn",
    "ComplaintCreate",
    "ComplaintPublic",
    "ComplaintReceipt",
    "ConfirmIn",
    "ContactIn",
    "Location",
    "MergeIn",
    "NearbyReport",
    "PhotoReceipt",
    "PointPublic",
    "ReopenIn",
    "ResolveIn",
    "SlaFigures",
    "StatsPublic",
    "StepPublic",
    "SupporterReceipt",
]


class Location(Input):
    lat: Latitude | None = None
    lng: Longitude | None = None
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
    photos: list[PhotoId] = Field(
        default_factory=list, max_length=MAX_PHOTOS,
        description="ids of photos uploaded to `POST /complaints/photos` in the last 24 hours, "
                    "each cited by one report")
    contact: ContactIn | None = None
    anonymous: bool = False

    @field_validator("photos")
    @classmethod
    def _each_photo_once(cls, photos: list[str]) -> list[str]:
        if len(set(photos)) != len(photos):
            raise ValueError("a photo is cited twice")
        return photos

    @model_validator(mode="after")
    def _names_a_place(self) -> ComplaintCreate:
        # Without a project, community or compound the report is routed by its location.
        if not (self.project_id or self.community_id or self.compound_id or self.location):
            raise ValueError("give project_id, community_id, (property service) compound_id, "
                             "or a location to route the report by")
        return self


class ComplaintReceipt(BaseModel):
    id: str
    tracking_code: str
    access_token: str
    status: str
    expected_resolution_at: datetime


class PhotoReceipt(BaseModel):
    """A photo uploaded for a report to cite: its id goes in `photos` when filing."""

    id: str
    content_type: str
    width: int
    height: int
    sha256: str = Field(description="of the stored image (re-encoded without metadata)")
    cite_by: datetime = Field(description="cite it in a report before then, or it is deleted")


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
    photos: list[str] = Field(description="where each photo is served "
                                          "(`/open311/v2/media/{id}`), or an Open311 "
                                          "client's `media_url`")
    anonymous: bool
    contact: ContactPublic | None = Field(
        description="in full to staff of the report's area on its own page (each display "
                    "recorded), masked to the reporter and in staff listings, absent for "
                    "anyone else and in the answer to a workflow step")
    contact_status: ContactStatus = Field(
        description="`held` while a contact is stored, `erased` once erased (at the "
                    "reporter's request or after the retention), `none` if never given")
    contact_erased_at: datetime | None = None
    routed_org: str | None
    assignee_org: str | None
    escalation_level: str | None
    sla: str = Field(description='the category\'s time limit: clock hours ("4h") or working '
                                 'days ("3wd")')
    expected_resolution_at: datetime
    calendar_estimated: bool = Field(
        description="a deadline fell in a year no working-day calendar covers yet: counted "
                    "on weekdays, to be confirmed")
    supporters: int = Field(description='residents who said "me too", merged reports included')
    duplicate_of: str | None = Field(description="the surviving report, once merged into it")
    resolved_at: datetime | None
    closed_at: datetime | None
    satisfaction: int | None
    version: int
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[str] = Field(
        description="the steps the caller may take now, by the report's status and who the "
                    "caller is: the reporter's `confirm`/`reopen`, staff steps for staff of "
                    "the report's area, `resolve` for the assignee org")
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


class MergeIn(Input):
    into: RefId = Field(description="the surviving report")
    note: Note | None = None


class SupporterReceipt(BaseModel):
    complaint_id: str
    supporters: int
    access_token: str = Field(description="follows the report (read only)")


class PointPublic(BaseModel):
    lat: float
    lng: float


class NearbyReport(BaseModel):
    """An open report near a point, as anyone may see it: no contact, no address."""

    id: str
    kind: str
    category: str
    status: str
    description: str
    location: PointPublic
    distance_m: float
    supporters: int
    created_at: datetime


class CalendarPublic(BaseModel):
    covered_years: list[int]
    first_year: int
    last_year: int
    current_year_covered: bool
    next_year_covered: bool
    operator_file: bool = Field(description="COMPLAINTS_WORKDAYS_FILE is set")
