"""API models for work on site: progress reports, hidden works, attachments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.times import UtcDateTime

__all__ = [
    "AttachmentPublic",
    "HiddenWorkCreate",
    "HiddenWorkInspect",
    "HiddenWorkPublic",
    "InspectionPublic",
    "Location",
    "ProgressBatchIn",
    "ProgressBatchItemIn",
    "ProgressBatchOut",
    "ProgressIn",
    "ProgressOutcome",
    "ProgressPublic",
]

AttachmentId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
ClientKey = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Long = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Location(_In):
    lat: float = Field(ge=-90, le=90, strict=True)  # no true ⇒ 1.0
    lng: float = Field(ge=-180, le=180, strict=True)


class ProgressIn(_In):
    percent: int = Field(ge=0, le=100)
    milestone: Short | None = None
    note: Long | None = None
    photos: list[AttachmentId] = Field(default_factory=list, max_length=20)
    location: Location | None = None
    reported_at: UtcDateTime = Field(description="client time when the report was made "
                                                 "(an offset is required; kept in UTC)")


class ProgressBatchItemIn(ProgressIn):
    idempotency_key: ClientKey


class ProgressBatchIn(_In):
    items: list[ProgressBatchItemIn] = Field(min_length=1, max_length=200)


class ProgressPublic(BaseModel):
    id: str
    project_id: str
    percent: int
    milestone: str | None = None
    note: str | None = None
    photos: list[str]
    location: Location | None = None
    reported_at: datetime
    received_at: datetime


class ProgressOutcome(BaseModel):
    idempotency_key: str
    outcome: Literal["applied", "duplicate"]
    report: ProgressPublic


class ProgressBatchOut(BaseModel):
    items: list[ProgressOutcome]
    progress_percent: int
    schedule_at_risk: bool
    project_version: int


class HiddenWorkCreate(_In):
    name: Short
    location: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                               max_length=500)]
    description: Long


class HiddenWorkInspect(_In):
    verdict: Literal["pass", "fail"]
    note: Long | None = None


class InspectionPublic(BaseModel):
    number: int
    verdict: Literal["pass", "fail"]
    note: str | None = None
    inspected_by_org: str
    inspected_at: datetime


class HiddenWorkPublic(BaseModel):
    id: str
    project_id: str
    name: str
    location: str
    description: str
    status: Literal["pending", "passed", "failed"]
    inspections: int
    inspection_note: str | None = Field(default=None, description="the last inspection's note")
    inspected_at: datetime | None = None
    created_at: datetime
    inspection_history: list[InspectionPublic] = Field(
        description="every inspection, first to last (a fail stays after a pass)")


class AttachmentPublic(BaseModel):
    """A stored file: images are re-encoded without metadata, PDFs kept as uploaded."""

    id: str = Field(description="the sha256 of the stored content")
    sha256: str
    content_type: str
    size: int
    created_at: datetime
