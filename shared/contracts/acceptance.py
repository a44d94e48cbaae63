"""Events published by the acceptance service on `acceptance.events` (key: acceptance id).

Parties are role codes (`builder`, `pipeline:<org>`, ...), never people.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from shared.events.catalog import EventData, event_type
from shared.events.topics import ACCEPTANCE

__all__ = [
    "AcceptanceFailed",
    "AcceptancePassed",
    "AcceptanceRoundOpened",
    "AcceptanceScheduled",
    "AcceptanceSessionOpened",
    "AcceptanceSigned",
]


class _AcceptanceFact(EventData):
    acceptance_id: str
    project_id: str
    community_id: str
    round: int


@event_type("acceptance.session_opened", topic=ACCEPTANCE)
class AcceptanceSessionOpened(_AcceptanceFact):
    """A joint acceptance session opened for a completed project."""

    required_parties: list[str]


@event_type("acceptance.scheduled", topic=ACCEPTANCE)
class AcceptanceScheduled(_AcceptanceFact):
    """The builder set the time of the joint acceptance."""

    scheduled_at: datetime


@event_type("acceptance.signed", topic=ACCEPTANCE)
class AcceptanceSigned(_AcceptanceFact):
    """One party signed the current round."""

    party: str
    verdict: Literal["approve", "reject"]
    defect_count: int


@event_type("acceptance.passed", topic=ACCEPTANCE)
class AcceptancePassed(_AcceptanceFact):
    """Every required party approved: the project is accepted."""

    decided_at: datetime


@event_type("acceptance.failed", topic=ACCEPTANCE)
class AcceptanceFailed(_AcceptanceFact):
    """At least one party rejected: the defects must be rectified."""

    decided_at: datetime
    defect_count: int
    rejecting_parties: list[str]


@event_type("acceptance.round_opened", topic=ACCEPTANCE)
class AcceptanceRoundOpened(_AcceptanceFact):
    """A new round opened after rectification, for the same parties."""

    required_parties: list[str]
