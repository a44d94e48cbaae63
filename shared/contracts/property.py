"""Events published by the property service on `property.events` (key: trial or vote id).

No owner identities: votes are reported as counts and areas only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from shared.events.catalog import EventData, event_type
from shared.events.topics import PROPERTY

__all__ = [
    "PropertyAssessmentRecorded",
    "PropertyCompoundRegistered",
    "PropertyContractConverted",
    "PropertyTrialEnded",
    "PropertyTrialExtended",
    "PropertyTrialStarted",
    "PropertyVoteClosed",
    "PropertyVoteOpened",
]


@event_type("property.compound_registered", topic=PROPERTY)
class PropertyCompoundRegistered(EventData):
    """A compound (小区) was registered, with or without property management."""

    compound_id: str
    community_id: str
    households: int
    has_property_management: bool


class _TrialFact(EventData):
    trial_id: str
    compound_id: str
    community_id: str
    provider_id: str
    # The provider's organisation id (its tokens' `org`): whom property complaints go to.
    # Absent only from facts published before providers were registered with their org.
    provider_org: str | None = None


@event_type("property.trial_started", topic=PROPERTY)
class PropertyTrialStarted(_TrialFact):
    """A sub-district entrusted a provider with an unmanaged compound (短期托底)."""

    start: date
    end: date
    households: int


@event_type("property.assessment_recorded", topic=PROPERTY)
class PropertyAssessmentRecorded(_TrialFact):
    """A periodic assessment (考核) of the trial was recorded."""

    period: str
    overall_score: str
    complaint_rate_per_100_households: str


@event_type("property.vote_opened", topic=PROPERTY)
class PropertyVoteOpened(_TrialFact):
    """Owners were asked whether to hire the provider for paid service."""

    vote_id: str
    eligible_owners: int
    eligible_area_m2: str
    closes_at: datetime


@event_type("property.vote_closed", topic=PROPERTY)
class PropertyVoteClosed(_TrialFact):
    """The owners' vote closed (Civil Code art. 278 thresholds applied)."""

    vote_id: str
    status: Literal["passed", "failed", "invalid"]
    participating_owners: int
    participating_area_m2: str
    approving_owners: int
    approving_area_m2: str


@event_type("property.contract_converted", topic=PROPERTY)
class PropertyContractConverted(_TrialFact):
    """The trial became a paid contract (先尝后买 ⇒ 付费使用)."""

    fee_cny_per_m2: str
    households: int


@event_type("property.trial_ended", topic=PROPERTY)
class PropertyTrialEnded(_TrialFact):
    """The trial ended without conversion."""

    reason: str


@event_type("property.trial_extended", topic=PROPERTY)
class PropertyTrialExtended(_TrialFact):
    """The sub-district extended the trial."""

    new_end: date
