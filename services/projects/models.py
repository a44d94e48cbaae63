"""Tables of the projects service, on its own registry."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime, service_registry

__all__ = [
    "METADATA",
    "Attachment",
    "Community",
    "ConstructionPlan",
    "HeritageReview",
    "HiddenWork",
    "HiddenWorkInspection",
    "Plan",
    "ProgressReport",
    "Project",
    "ProjectStatusChange",
    "SiteBoard",
    "Survey",
    "Table",
]


class Table(SQLModel, registry=service_registry()):
    """Base of this service's tables."""


def _utc(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime, nullable=nullable))


def _money(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(Numeric(14, 2), nullable=nullable))


def _org(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(String(64), nullable=nullable))


class Community(Table, table=True):
    """A pilot community, its jurisdiction (the offices responsible, org ids) and boundary.

    The jurisdiction and boundary columns are null only until the seed sets the documented
    defaults (a database created before they existed); `version` counts their changes.
    """

    __tablename__ = "communities"

    id: str = Field(sa_column=Column(String(64), primary_key=True))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    district: str = Field(sa_column=Column(String(100), nullable=False))
    batch_deadline: date
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False,
                                                     server_default="1"))
    district_code: str | None = _org()
    district_bureau_org: str | None = _org()
    subdistrict_org: str | None = _org()
    community_org: str | None = _org()
    jurisdiction_set_at: datetime | None = _utc(nullable=True)
    # GeoJSON Polygon or MultiPolygon in WGS84, [lng, lat].
    boundary: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    boundary_set_at: datetime | None = _utc(nullable=True)


class Survey(Table, table=True):
    __tablename__ = "surveys"
    __table_args__ = (Index("ix_surveys_community", "community_id", "created_at"),)

    id: str = Field(sa_column=Column(String(32), primary_key=True))
    community_id: str = Field(sa_column=Column(String(64), nullable=False))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    surveyed_on: date
    findings: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    resident_opinions: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = _utc()


class Plan(Table, table=True):
    __tablename__ = "plans"
    __table_args__ = (
        Index("ix_plans_community_status", "community_id", "status"),
        # One approved plan per community, even under concurrent approvals.
        Index("uq_plans_one_approved", "community_id", unique=True,
              postgresql_where=text("status = 'approved'"),
              sqlite_where=text("status = 'approved'")),
    )

    id: str = Field(sa_column=Column(String(32), primary_key=True))
    community_id: str = Field(sa_column=Column(String(64), nullable=False))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    summary: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(sa_column=Column(String(20), nullable=False))
    version: int = 1
    created_at: datetime = _utc()
    approved_at: datetime | None = _utc(nullable=True)
    superseded_by: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))


class Project(Table, table=True):
    __tablename__ = "projects"
    # Listings page by (created_at, id), filtered by community and/or status: each index
    # serves a filter and the order, so a page is a bounded range scan at any table size.
    __table_args__ = (
        Index("ix_projects_created", "created_at", "id"),
        Index("ix_projects_status_page", "status", "created_at", "id"),
        Index("ix_projects_community_page", "community_id", "status", "created_at", "id"),
    )

    id: str = Field(sa_column=Column(String(32), primary_key=True))
    community_id: str = Field(sa_column=Column(String(64), nullable=False))
    plan_id: str = Field(sa_column=Column(String(32), nullable=False))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    category: str = Field(sa_column=Column(String(20), nullable=False))
    domain: str = Field(sa_column=Column(String(40), nullable=False))
    heritage: bool
    delivery_mode: str = Field(sa_column=Column(String(40), nullable=False))
    total_cny: Decimal = _money()
    social_capital_cny: Decimal = _money()
    residents_cny: Decimal = _money()
    gas_account_opening_fee_cny: Decimal | None = _money(nullable=True)
    city_fiscal_cny: Decimal = _money()
    district_fiscal_cny: Decimal = _money()
    parties: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    planned_start: date
    planned_end: date
    status: str = Field(sa_column=Column(String(20), nullable=False))
    version: int = 1
    progress_percent: int = 0
    schedule_at_risk: bool = False
    created_at: datetime = _utc()
    updated_at: datetime = _utc()
    started_at: datetime | None = _utc(nullable=True)
    completed_at: datetime | None = _utc(nullable=True)
    # The note sent with the change into the current status (why it was suspended, ...).
    status_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class ProjectStatusChange(Table, table=True):
    """Every change of a project's status, with the note sent with it (kept, never replaced).

    Numbered by the project's version after the change: unique, and in the order they
    happened.
    """

    __tablename__ = "project_status_changes"

    project_id: str = Field(sa_column=Column(String(32), primary_key=True))
    version: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    from_status: str | None = Field(default=None, sa_column=Column(String(20), nullable=True))
    status: str = Field(sa_column=Column(String(20), nullable=False))
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    by_org: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    at: datetime = _utc()


class ConstructionPlan(Table, table=True):
    """施工方案: one current plan per project (a resubmission replaces it)."""

    __tablename__ = "construction_plans"

    project_id: str = Field(sa_column=Column(String(32), primary_key=True))
    safety_measures: str = Field(sa_column=Column(Text, nullable=False))
    quiet_hours: list[dict[str, str]] = Field(sa_column=Column(JSON, nullable=False))
    disturbance_measures: str = Field(sa_column=Column(Text, nullable=False))
    submitted_by_org: str = Field(sa_column=Column(String(200), nullable=False))
    submitted_at: datetime = _utc()


class HeritageReview(Table, table=True):
    """The latest heritage review of a project; a new review replaces the previous one."""

    __tablename__ = "heritage_reviews"

    project_id: str = Field(sa_column=Column(String(32), primary_key=True))
    approved: bool
    note: str = Field(sa_column=Column(Text, nullable=False))
    reviewed_at: datetime = _utc()


class SiteBoard(Table, table=True):
    """Projection of complaints' `site_board.published`: the site posted hotline and liaison."""

    __tablename__ = "site_boards"

    project_id: str = Field(sa_column=Column(String(64), primary_key=True))
    community_id: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    published_at: datetime = _utc()


class ProgressReport(Table, table=True):
    __tablename__ = "progress_reports"
    __table_args__ = (
        UniqueConstraint("project_id", "client_key", name="uq_progress_client_key"),
        Index("ix_progress_project", "project_id", "received_at"),
    )

    id: str = Field(sa_column=Column(String(32), primary_key=True))
    project_id: str = Field(sa_column=Column(String(32), nullable=False))
    client_key: str | None = Field(default=None, sa_column=Column(String(255), nullable=True))
    percent: int
    milestone: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    photos: list[str] = Field(sa_column=Column(JSON, nullable=False))
    location: dict[str, float] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    reported_at: datetime = _utc()
    received_at: datetime = _utc()
    reported_by_org: str = Field(sa_column=Column(String(200), nullable=False))


class HiddenWork(Table, table=True):
    """隐蔽工程: may be concealed only after the supervisor passes it."""

    __tablename__ = "hidden_works"
    __table_args__ = (Index("ix_hidden_works_project", "project_id", "created_at"),)

    id: str = Field(sa_column=Column(String(32), primary_key=True))
    project_id: str = Field(sa_column=Column(String(32), nullable=False))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    location: str = Field(sa_column=Column(String(500), nullable=False))
    description: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(sa_column=Column(String(20), nullable=False))
    inspections: int = 0
    inspection_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    inspected_by_org: str | None = Field(default=None,
                                         sa_column=Column(String(200), nullable=True))
    inspected_at: datetime | None = _utc(nullable=True)
    created_at: datetime = _utc()


class HiddenWorkInspection(Table, table=True):
    """Every inspection of a hidden work, in order (`number` 1, 2, ...): a pass after a fail
    keeps the fail and its note."""

    __tablename__ = "hidden_work_inspections"

    hidden_work_id: str = Field(sa_column=Column(String(32), primary_key=True))
    number: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    verdict: str = Field(sa_column=Column(String(10), nullable=False))
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    inspected_by_org: str = Field(sa_column=Column(String(200), nullable=False))
    inspected_at: datetime = _utc()


class Attachment(Table, table=True):
    """A stored file, addressed by the sha256 of its content."""

    __tablename__ = "attachments"

    id: str = Field(sa_column=Column(String(64), primary_key=True))
    content_type: str = Field(sa_column=Column(String(100), nullable=False))
    size: int
    created_at: datetime = _utc()


METADATA = Table.metadata
