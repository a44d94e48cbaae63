"""Tables of the complaints service, on its own registry.

`ProjectSite` and `CompoundService` are projections of other services' events (never their
tables): who builds a site, and which provider serves a compound.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime, service_registry

__all__ = [
    "METADATA",
    "Complaint",
    "ComplaintStep",
    "CompoundService",
    "ProjectSite",
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


class SiteBoard(Table, table=True):
    __tablename__ = "site_boards"

    project_id: str = Field(primary_key=True, max_length=64)
    community_id: str | None = Field(default=None, max_length=64, index=True)
    hotline: str = Field(max_length=32)
    liaison_name: str = Field(max_length=100)
    liaison_phone: str = Field(max_length=32)
    contractor_contact: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    supervisor_contact: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    version: int = 1
    published_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


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
    routed_org: str | None = Field(default=None, max_length=200)
    assignee_org: str | None = Field(default=None, max_length=200)
    sla_hours: int
    clock_started_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    due_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
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


METADATA = Table.metadata
