"""Tables of the complaints service, on its own registry.

`ProjectSite` and `CompoundService` are projections of other services' events (never their
tables): who builds a site, and which provider serves a compound; `COMMUNITY_JURISDICTIONS`
keeps each community's offices (`community.jurisdiction_set`) and `CommunityBoundary` its
area (`community.boundary_set`). `ContactView` is the audit of every display of a reporter's
unmasked contact to staff.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime, service_registry
from shared.jurisdiction import jurisdiction_table

__all__ = [
    "COMMUNITY_JURISDICTIONS",
    "ESTIMATED",
    "HOLDS_CONTACT",
    "METADATA",
    "UNCITED",
    "CommunityBoundary",
    "Complaint",
    "ComplaintStep",
    "CompoundService",
    "ContactView",
    "ProjectSite",
    "ReportMedia",
    "SiteBoard",
    "Table",
]


class Table(SQLModel, registry=service_registry()):
    """Base of this service's tables."""


class ProjectSite(Table, table=True):
    __tablename__ = "project_sites"

    project_id: str = Field(primary_key=True, max_length=64)
    community_id: str = Field(max_length=64)
    contractor_org: str = Field(max_length=200)


class CompoundService(Table, table=True):
    __tablename__ = "compound_services"

    compound_id: str = Field(primary_key=True, max_length=64)
    community_id: str = Field(max_length=64)
    provider_org: str | None = Field(default=None, max_length=200)


class CommunityBoundary(Table, table=True):
    """A community's boundary as last published (`community.boundary_set`): GeoJSON Polygon
    or MultiPolygon, WGS84 `[lng, lat]`. Communities without a row route by the demo
    boundaries of `shared.geo`."""

    __tablename__ = "community_boundaries"

    community_id: str = Field(primary_key=True, max_length=64)
    boundary: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    set_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class SiteBoard(Table, table=True):
    __tablename__ = "site_boards"
    __table_args__ = (Index("ix_site_boards_location", "lat", "lng"),)

    project_id: str = Field(primary_key=True, max_length=64)
    community_id: str | None = Field(default=None, max_length=64, index=True)
    hotline: str = Field(max_length=32)
    liaison_name: str = Field(max_length=100)
    liaison_phone: str = Field(max_length=32)
    contractor_contact: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    supervisor_contact: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # Where the site is (WGS84), when the board says: reports nearby are routed to it.
    lat: float | None = None
    lng: float | None = None
    version: int = 1
    published_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


# A report still holding a reporter's contact: the retention scan's index covers these only.
HOLDS_CONTACT = text(
    "contact_name IS NOT NULL OR contact_phone IS NOT NULL OR contact_email IS NOT NULL")


# A clock counted on weekdays for want of a calendar: the re-dating scan's index covers these.
ESTIMATED = text("calendar_estimated")


class Complaint(Table, table=True):
    __tablename__ = "complaints"
    __table_args__ = (
        UniqueConstraint("tracking_code", name="uq_complaints_tracking_code"),
        Index("ix_complaints_created", "created_at", "id"),
        Index("ix_complaints_escalation", "next_escalation_at"),
        # Listings filter on one of these and page by (created_at, id): each index serves
        # the filter and the order, so a page is a bounded range scan at any table size.
        Index("ix_complaints_project_page", "project_id", "created_at", "id"),
        Index("ix_complaints_community_page", "community_id", "created_at", "id"),
        Index("ix_complaints_routed_page", "routed_org", "created_at", "id"),
        Index("ix_complaints_assignee_page", "assignee_org", "created_at", "id"),
        # "Nearby" looks for one category in a small box around a point.
        Index("ix_complaints_nearby", "category", "lat", "lng"),
        # The few clocks estimated for a year no calendar covered, re-dated at start-up.
        Index("ix_complaints_estimated", "due_at", sqlite_where=ESTIMATED,
              postgresql_where=ESTIMATED),
        Index("ix_complaints_contact_due", "closed_at", sqlite_where=HOLDS_CONTACT,
              postgresql_where=HOLDS_CONTACT),
    )

    id: str = Field(primary_key=True, max_length=64)
    tracking_code: str = Field(max_length=16)
    kind: str = Field(max_length=20)
    category: str = Field(max_length=32, index=True)
    status: str = Field(max_length=20)
    source: str = Field(max_length=20)
    project_id: str | None = Field(default=None, max_length=64)
    community_id: str | None = Field(default=None, max_length=64)
    compound_id: str | None = Field(default=None, max_length=64)
    description: str = Field(sa_column=Column(Text, nullable=False))
    location: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    photos: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    anonymous: bool = False
    contact_name: str | None = Field(default=None, max_length=100)
    contact_phone: str | None = Field(default=None, max_length=32)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_erased_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    # Every access token of the report carries the generation it was issued in (claim
    # `gen`); bumping it revokes them all (an erase request, a merge).
    token_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    routed_org: str | None = Field(default=None, max_length=200)
    assignee_org: str | None = Field(default=None, max_length=200)
    # The report's point (WGS84) when it has one: routing and "nearby" search by it.
    lat: float | None = None
    lng: float | None = None
    # Residents who said "me too" (supporters, merged duplicates and their supporters).
    supporters: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    duplicate_of: str | None = Field(default=None, max_length=64, index=True)
    # The SLA clock: the category's period ("4h", "3wd"), the resolution deadline and the
    # district escalation's, and whether a day of a year no calendar covers was guessed.
    sla: str = Field(max_length=8)
    clock_started_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    due_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    district_due_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    calendar_estimated: bool = Field(default=False,
                                     sa_column_kwargs={"server_default": false()})
    escalation_level: str | None = Field(default=None, max_length=32)
    escalated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    next_escalation_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    resolution_seconds: int | None = None
    sla_met: bool | None = None
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    satisfaction: int | None = None
    last_note: str | None = Field(default=None, sa_column=Column(Text))
    version: int = 1
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class ComplaintStep(Table, table=True):
    """One recorded step of a report's history; `note` is written for the reporter to read."""

    __tablename__ = "complaint_steps"
    __table_args__ = (UniqueConstraint("complaint_id", "seq", name="uq_complaint_steps_seq"),)

    id: str = Field(primary_key=True, max_length=64)
    complaint_id: str = Field(max_length=64, foreign_key="complaints.id", index=True)
    seq: int
    action: str = Field(max_length=32)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str = Field(max_length=20)
    actor_role: str = Field(max_length=40)
    actor_org: str | None = Field(default=None, max_length=200)
    actor_sub: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, sa_column=Column(Text))
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


# A photo uploaded but cited by no report yet: the retention scan's index covers these.
UNCITED = text("complaint_id IS NULL")


class ReportMedia(Table, table=True):
    """A reporter's photo (`POST /complaints/photos`, `POST /complaints/{id}/photos`, an
    Open311 request's multipart `media`), stored re-encoded without its metadata
    (`shared.uploads`); served at `/open311/v2/media/{id}` once a report cites it.
    `complaint_id` is null while an upload waits to be cited (`domain.photos`)."""

    __tablename__ = "report_media"
    __table_args__ = (
        Index("ix_report_media_uncited", "created_at", sqlite_where=UNCITED,
              postgresql_where=UNCITED),
    )

    id: str = Field(primary_key=True, max_length=64)
    complaint_id: str | None = Field(default=None, max_length=64, foreign_key="complaints.id",
                                     index=True)
    content_type: str = Field(max_length=32)
    width: int
    height: int
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class ContactView(Table, table=True):
    """One display of a report's unmasked contact to a staff member: who, when, which report
    (PIPL: access to personal data is recorded). Kept after the contact itself is erased."""

    __tablename__ = "contact_views"
    __table_args__ = (
        Index("ix_contact_views_complaint", "complaint_id", "viewed_at", "id"),
        Index("ix_contact_views_viewer", "viewer_sub", "viewed_at", "id"),
        Index("ix_contact_views_page", "viewed_at", "id"),
    )

    id: str = Field(primary_key=True, max_length=64)
    complaint_id: str = Field(max_length=64, foreign_key="complaints.id")
    viewer_sub: str = Field(max_length=200)
    viewer_org: str | None = Field(default=None, max_length=200)
    viewer_roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    via: str = Field(max_length=20)
    viewed_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


METADATA = Table.metadata
COMMUNITY_JURISDICTIONS = jurisdiction_table(METADATA)
