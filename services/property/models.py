"""Tables of the property service, on its own registry."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Date, Numeric, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime, service_registry
from shared.jurisdiction import jurisdiction_table

__all__ = [
    "COMMUNITY_JURISDICTIONS",
    "METADATA",
    "Assessment",
    "Ballot",
    "Candidate",
    "ComplaintRecord",
    "Compound",
    "OwnerUnit",
    "Provider",
    "Table",
    "Trial",
    "Vote",
    "VoteOwner",
]


class Table(SQLModel, registry=service_registry()):
    """Base of this service's tables."""


def _when(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime, nullable=nullable))


def _area() -> Any:
    return Field(sa_column=Column(Numeric(14, 2), nullable=False))


class Compound(Table, table=True):
    __tablename__ = "compounds"

    id: str = Field(primary_key=True, max_length=32)
    community_id: str = Field(index=True, max_length=64)
    name: str = Field(max_length=200)
    households: int
    total_area_m2: Decimal = _area()
    # Managed when registered (its own management) or since a trial converted.
    managed_at_registration: bool
    has_property_management: bool
    converted_trial_id: str | None = Field(default=None, max_length=32)
    version: int = 1
    created_at: datetime = _when()


class OwnerUnit(Table, table=True):
    """One unit of the compound's owner register (a owner may hold several)."""

    __tablename__ = "owner_units"

    id: str = Field(primary_key=True, max_length=32)
    compound_id: str = Field(foreign_key="compounds.id", index=True, max_length=32)
    position: int
    owner_id: str = Field(max_length=64)
    area_m2: Decimal = _area()


class Provider(Table, table=True):
    __tablename__ = "providers"

    id: str = Field(primary_key=True, max_length=32)
    # The provider's organisation id, as its staff's tokens carry it (`org`).
    org: str = Field(index=True, max_length=64)
    name: str = Field(max_length=200)
    license_no: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    created_at: datetime = _when()


class Trial(Table, table=True):
    __tablename__ = "trials"

    id: str = Field(primary_key=True, max_length=32)
    compound_id: str = Field(foreign_key="compounds.id", index=True, max_length=32)
    community_id: str = Field(index=True, max_length=64)
    provider_id: str = Field(foreign_key="providers.id", max_length=32)
    # The provider's org (a provider's org never changes): whose tokens act on the trial.
    provider_org: str = Field(index=True, max_length=64)
    # Equals compound_id while the trial is active or extended, NULL otherwise: the unique
    # constraint enforces one running trial per compound on every backend.
    running_compound_id: str | None = Field(
        default=None, sa_column=Column(String(32), nullable=True, unique=True)
    )
    start: date = Field(sa_column=Column(Date, nullable=False))
    end: date = Field(sa_column=Column(Date, nullable=False))
    scope: str = Field(max_length=2000)
    monthly_subsidy_cny: Decimal = Field(sa_column=Column(Numeric(14, 2), nullable=False))
    proposed_fee_cny_per_m2: Decimal = Field(sa_column=Column(Numeric(10, 4), nullable=False))
    status: str = Field(max_length=16, index=True)
    contract_fee_cny_per_m2: Decimal | None = Field(
        default=None, sa_column=Column(Numeric(10, 4), nullable=True)
    )
    end_reason: str | None = Field(default=None, max_length=1000)
    entrusted_by_org: str | None = Field(default=None, max_length=64)
    version: int = 1
    created_at: datetime = _when()
    converted_at: datetime | None = _when(nullable=True)
    ended_at: datetime | None = _when(nullable=True)


class Assessment(Table, table=True):
    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("trial_id", "period", "body"),)

    id: str = Field(primary_key=True, max_length=32)
    trial_id: str = Field(foreign_key="trials.id", index=True, max_length=32)
    period: str = Field(max_length=7)
    body: str = Field(max_length=16)
    scores: dict[str, int] = Field(sa_column=Column(JSON, nullable=False))
    overall_score: Decimal = Field(sa_column=Column(Numeric(6, 2), nullable=False))
    complaint_count: int
    complaint_rate_per_100_households: Decimal = Field(
        sa_column=Column(Numeric(10, 2), nullable=False)
    )
    created_at: datetime = _when()


class Vote(Table, table=True):
    __tablename__ = "votes"

    id: str = Field(primary_key=True, max_length=32)
    trial_id: str = Field(foreign_key="trials.id", index=True, max_length=32)
    # Equals trial_id while the vote is open: one open vote per trial.
    open_trial_id: str | None = Field(
        default=None, sa_column=Column(String(32), nullable=True, unique=True)
    )
    status: str = Field(max_length=16)
    closes_at: datetime = _when()
    opened_at: datetime = _when()
    closed_at: datetime | None = _when(nullable=True)
    eligible_owners: int
    eligible_area_m2: Decimal = _area()
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    version: int = 1


class VoteOwner(Table, table=True):
    """The register snapshot of a vote: one row per owner, all their units' area summed."""

    __tablename__ = "vote_owners"

    vote_id: str = Field(foreign_key="votes.id", primary_key=True, max_length=32)
    owner_id: str = Field(primary_key=True, max_length=64)
    area_m2: Decimal = _area()
    units: int


class Ballot(Table, table=True):
    """An owner's current ballot; a later ballot before close replaces it."""

    __tablename__ = "ballots"

    vote_id: str = Field(foreign_key="votes.id", primary_key=True, max_length=32)
    owner_id: str = Field(primary_key=True, max_length=64)
    choice: str = Field(max_length=8)
    cast_at: datetime = _when()
    keyed_in_by: str = Field(max_length=200)
    replaced: int = 0


class ComplaintRecord(Table, table=True):
    """Projection of property-service complaints from the complaints service's events."""

    __tablename__ = "complaint_records"

    complaint_id: str = Field(primary_key=True, max_length=64)
    compound_id: str = Field(index=True, max_length=64)
    occurred_at: datetime = _when()


class Candidate(Table, table=True):
    """An unmanaged compound offered for a trial after an acceptance passed in its community."""

    __tablename__ = "candidates"
    __table_args__ = (UniqueConstraint("event_id", "compound_id"),)

    id: str = Field(primary_key=True, max_length=32)
    event_id: str = Field(max_length=64)
    community_id: str = Field(index=True, max_length=64)
    compound_id: str = Field(foreign_key="compounds.id", index=True, max_length=32)
    acceptance_id: str = Field(max_length=64)
    project_id: str = Field(max_length=64)
    recorded_at: datetime = _when()


METADATA = Table.metadata
# Projection of `community.jurisdiction_set`: which offices act for a community.
COMMUNITY_JURISDICTIONS = jurisdiction_table(METADATA)
