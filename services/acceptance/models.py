"""Tables of the acceptance service, on its own registry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime, service_registry
from shared.jurisdiction import jurisdiction_table

__all__ = [
    "COMMUNITY_JURISDICTIONS",
    "METADATA",
    "Acceptance",
    "AcceptanceParty",
    "AcceptanceRound",
    "ComplaintView",
    "Signature",
    "Table",
]


class Table(SQLModel, registry=service_registry()):
    """Base of this service's tables."""


class Acceptance(Table, table=True):
    """One joint acceptance session per completed project; rounds repeat after rectification."""

    __tablename__ = "acceptances"

    id: str = Field(sa_column=Column(String(32), primary_key=True))
    project_id: str = Field(sa_column=Column(String(100), nullable=False, unique=True))
    community_id: str = Field(sa_column=Column(String(100), nullable=False, index=True))
    # As `project.completed` carried it (None from events before it did): for the record.
    project_title: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    current_round: int = Field(sa_column=Column(Integer, nullable=False))
    status: str = Field(sa_column=Column(String(16), nullable=False))  # of the current round
    chain_head: str = Field(sa_column=Column(String(64), nullable=False))
    signature_count: int = Field(sa_column=Column(Integer, nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class AcceptanceParty(Table, table=True):
    """A party required to sign every round of an acceptance."""

    __tablename__ = "acceptance_parties"

    acceptance_id: str = Field(
        sa_column=Column(String(32), ForeignKey("acceptances.id"), primary_key=True)
    )
    code: str = Field(sa_column=Column(String(120), primary_key=True))
    role: str = Field(sa_column=Column(String(40), nullable=False))
    org: str | None = Field(default=None, sa_column=Column(String(100), nullable=True,
                                                          index=True))
    ordinal: int = Field(sa_column=Column(Integer, nullable=False))


class AcceptanceRound(Table, table=True):
    __tablename__ = "acceptance_rounds"

    acceptance_id: str = Field(
        sa_column=Column(String(32), ForeignKey("acceptances.id"), primary_key=True)
    )
    number: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    status: str = Field(sa_column=Column(String(16), nullable=False))
    opened_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    scheduled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    place: str | None = Field(default=None, sa_column=Column(String(300), nullable=True))


class Signature(Table, table=True):
    """One party's verdict in one round; a link of the acceptance's hash chain."""

    __tablename__ = "acceptance_signatures"
    __table_args__ = (
        UniqueConstraint("acceptance_id", "round", "party", name="uq_signature_party_round"),
        UniqueConstraint("acceptance_id", "position", name="uq_signature_position"),
    )

    id: str = Field(sa_column=Column(String(32), primary_key=True))
    acceptance_id: str = Field(
        sa_column=Column(String(32), ForeignKey("acceptances.id"), nullable=False)
    )
    round: int = Field(sa_column=Column(Integer, nullable=False))
    party: str = Field(sa_column=Column(String(120), nullable=False))
    verdict: str = Field(sa_column=Column(String(16), nullable=False))
    comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    defects: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    signer: str = Field(sa_column=Column(String(200), nullable=False))
    signed_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    position: int = Field(sa_column=Column(Integer, nullable=False))
    prev_hash: str = Field(sa_column=Column(String(64), nullable=False))
    hash: str = Field(sa_column=Column(String(64), nullable=False))


class ComplaintView(Table, table=True):
    """Projection of the complaints service's events: the latest status of each report."""

    __tablename__ = "complaint_views"

    complaint_id: str = Field(sa_column=Column(String(100), primary_key=True))
    project_id: str = Field(sa_column=Column(String(100), nullable=False, index=True))
    kind: str = Field(sa_column=Column(String(20), nullable=False))
    category: str = Field(sa_column=Column(String(40), nullable=False))
    status: str = Field(sa_column=Column(String(20), nullable=False))
    occurred_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


METADATA = Table.metadata
# Projection of `community.jurisdiction_set`: which offices sign and read for a community.
COMMUNITY_JURISDICTIONS = jurisdiction_table(METADATA)
