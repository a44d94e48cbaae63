"""Rows of the property service shown as its API responses."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from services.property import domain
from services.property.models import (
    Assessment,
    Ballot,
    Candidate,
    Compound,
    OwnerUnit,
    Provider,
    Trial,
    Vote,
)
from services.property.schemas import (
    AssessmentPublic,
    BallotPublic,
    CandidatePublic,
    CandidateTrigger,
    CompoundPublic,
    CoverageFigures,
    CoveragePublic,
    OwnerEntry,
    ProviderPublic,
    RatioPublic,
    RosterPublic,
    ShareTestPublic,
    TrialPublic,
    VotePublic,
)

__all__ = [
    "assessment_public",
    "ballot_public",
    "candidate_public",
    "compound_public",
    "coverage_public",
    "provider_public",
    "roster_public",
    "tally_result",
    "trial_public",
    "vote_public",
]


def compound_public(compound: Compound) -> CompoundPublic:
    return CompoundPublic.model_validate(compound, from_attributes=True)


def provider_public(provider: Provider) -> ProviderPublic:
    return ProviderPublic.model_validate(provider, from_attributes=True)


def trial_public(trial: Trial) -> TrialPublic:
    return TrialPublic.model_validate(trial, from_attributes=True)


def assessment_public(assessment: Assessment) -> AssessmentPublic:
    return AssessmentPublic.model_validate(assessment, from_attributes=True)


def roster_public(register: tuple[Compound, Sequence[OwnerUnit]]) -> RosterPublic:
    """The register as units, and folded per owner (one owner, all their units' area)."""
    compound, units = register
    owners = domain.register_by_owner((u.owner_id, u.area_m2) for u in units)
    return RosterPublic(
        compound_id=compound.id,
        units=[OwnerEntry(owner_id=u.owner_id, area_m2=u.area_m2) for u in units],
        owners=len(owners), total_area_m2=sum(owners.values(), Decimal(0)),
        version=compound.version,
    )


def candidate_public(offered: tuple[Compound, Sequence[Candidate]]) -> CandidatePublic:
    compound, triggers = offered
    return CandidatePublic(
        compound_id=compound.id, community_id=compound.community_id, name=compound.name,
        households=compound.households,
        triggered_by=[CandidateTrigger(acceptance_id=t.acceptance_id, project_id=t.project_id,
                                       recorded_at=t.recorded_at) for t in triggers],
    )


def coverage_public(community_id: str, rows: Sequence[tuple[Compound, bool]]) -> CoveragePublic:
    """Coverage (物业管理覆盖率) before trials (own management) and after (plus conversions)."""
    compounds = [compound for compound, _ in rows]
    households = sum(c.households for c in compounds)
    trial = [compound for compound, under_trial in rows if under_trial]
    return CoveragePublic(
        community_id=community_id, compounds_total=len(compounds), households_total=households,
        before_trials=_figures([c for c in compounds if c.managed_at_registration],
                               len(compounds), households),
        after_trials=_figures([c for c in compounds if c.has_property_management],
                              len(compounds), households),
        under_trial_compounds=len(trial),
        under_trial_households=sum(c.households for c in trial),
    )


def _figures(managed: Sequence[Compound], compounds: int, households: int) -> CoverageFigures:
    managed_households = sum(c.households for c in managed)
    return CoverageFigures(
        compounds_managed=len(managed), households_managed=managed_households,
        compounds_ratio=domain.coverage_ratio(len(managed), compounds),
        households_ratio=domain.coverage_ratio(managed_households, households),
    )


def vote_public(shown: tuple[Vote, int]) -> VotePublic:
    """The vote as shown: running yes/no counts stay hidden until it closes."""
    vote, ballots = shown
    result = vote.result or {}
    return VotePublic(
        id=vote.id, trial_id=vote.trial_id, status=cast(domain.VoteStatus, vote.status),
        closes_at=vote.closes_at, opened_at=vote.opened_at, closed_at=vote.closed_at,
        eligible_owners=vote.eligible_owners, eligible_area_m2=vote.eligible_area_m2,
        ballots_cast=ballots,
        participation=result.get("participation"), approval=result.get("approval"),
        version=vote.version,
    )


def ballot_public(cast_ballot: tuple[Ballot, bool]) -> BallotPublic:
    ballot, replaced = cast_ballot
    return BallotPublic(vote_id=ballot.vote_id, owner_id=ballot.owner_id,
                        choice=cast(domain.Choice, ballot.choice), cast_at=ballot.cast_at,
                        replaced_previous=replaced)


def tally_result(tally: domain.VoteTally) -> dict[str, Any]:
    """The count as stored on the closed vote and shown with it: each share and its test."""
    participation = ShareTestPublic(owners=_ratio(tally.participation_owners, ">= 2/3"),
                                    area=_ratio(tally.participation_area, ">= 2/3"))
    approval = ShareTestPublic(owners=_ratio(tally.approval_owners, "> 1/2"),
                               area=_ratio(tally.approval_area, "> 1/2"))
    return {"participation": participation.model_dump(mode="json"),
            "approval": approval.model_dump(mode="json")}


def _ratio(ratio: domain.Ratio, threshold: str) -> RatioPublic:
    return RatioPublic(numerator=str(ratio.numerator), denominator=str(ratio.denominator),
                       ratio=ratio.display, threshold=threshold, met=ratio.met)
