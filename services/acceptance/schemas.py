"""API models of the acceptance service."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.times import UtcDateTime

__all__ = [
    "AcceptancePublic",
    "AcceptanceSummary",
    "ChainBreak",
    "ComplaintPublic",
    "Defect",
    "PartyPublic",
    "RecordLinkPublic",
    "RecordPublic",
    "RoundPublic",
    "ScheduleCreate",
    "SignatureCreate",
    "SignaturePublic",
    "VerificationPublic",
]

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Severity = Literal["minor", "major", "critical"]
RoundStatus = Literal["open", "passed", "failed"]
Verdict = Literal["approve", "reject"]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Defect(_Request):
    description: Text
    severity: Severity


class SignatureCreate(_Request):
    party: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    verdict: Verdict
    comment: Text | None = None
    defects: list[Defect] = Field(default_factory=list, max_length=100)


class ScheduleCreate(_Request):
    scheduled_at: UtcDateTime
    place: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class DefectPublic(BaseModel):
    party: str
    description: str
    severity: Severity


class SignaturePublic(BaseModel):
    round: int
    party: str
    verdict: Verdict
    comment: str | None
    defects: list[Defect]
    signer: str
    signed_at: datetime
    position: int
    hash: str


class PartyPublic(BaseModel):
    """A required party and its signature in one round (the current one)."""

    party: str
    role: str
    org: str | None
    signed: bool
    verdict: Verdict | None = None
    signed_at: datetime | None = None
    signer: str | None = None


class RoundPublic(BaseModel):
    number: int
    status: RoundStatus
    opened_at: datetime
    decided_at: datetime | None
    scheduled_at: datetime | None
    place: str | None
    signatures: list[SignaturePublic]
    defects: list[DefectPublic]


class ComplaintPublic(BaseModel):
    complaint_id: str
    kind: str
    category: str
    status: str
    updated_at: datetime  # of the complaint's latest fact


class AcceptanceSummary(BaseModel):
    id: str
    project_id: str
    community_id: str
    round: int
    status: RoundStatus
    version: int
    created_at: datetime
    updated_at: datetime


class AcceptancePublic(AcceptanceSummary):
    """The committee's view: the current round, its parties and defects, the history, and
    the project's unresolved complaints."""

    scheduled_at: datetime | None
    place: str | None
    parties: list[PartyPublic]
    defects: list[DefectPublic]
    rounds: list[RoundPublic]
    unresolved_complaints: list[ComplaintPublic]
    unresolved_complaint_count: int


class ChainBreak(BaseModel):
    round: int | None
    party: str | None
    position: int
    reason: Literal["content_altered", "prev_hash_mismatch", "missing_links"]


class VerificationPublic(BaseModel):
    valid: bool
    signatures_checked: int
    first_broken: ChainBreak | None


class RecordPublic(BaseModel):
    """The acceptance record (验收记录) as exported: `required_parties` with their signatures
    in the current round (`round`, the one `status` is of), every round, and the project's
    complaints still unresolved."""

    acceptance_id: str
    project_id: str
    project_title: str | None
    community_id: str
    community_name: str | None
    round: int
    status: RoundStatus
    required_parties: list[PartyPublic]
    rounds: list[RoundPublic]
    unresolved_complaints: list[ComplaintPublic]
    verification: VerificationPublic
    generated_at: datetime


class RecordLinkPublic(BaseModel):
    """A link a browser opens the printable record with, without a bearer token."""

    url: str
    expires_at: datetime
