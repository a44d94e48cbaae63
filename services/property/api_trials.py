"""HTTP routes for trials, assessments and the owners' conversion vote."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.property_service import trial_service, vote_service
from services.property_service.config import PropertySettings
from services.property_service.domain import TrialStatus
from services.property_service.models import Assessment, Trial
from services.property_service.schemas import (
    AssessmentCreate,
    AssessmentPublic,
    BallotCreate,
    BallotPublic,
    TrialCreate,
    TrialEnd,
    TrialExtend,
    TrialPublic,
    VoteCreate,
    VotePublic,
)
from shared.auth import CurrentPrincipal, Principal, require_roles
from shared.deps import ClockDep, ContextDep, IfMatch, SessionDep
from shared.pagination import Cursor, Limit, Page

__all__ = ["router"]

router = APIRouter(tags=["property"])

Subdistrict = Annotated[Principal, Depends(require_roles("subdistrict"))]
VoteOrganiser = Annotated[Principal, Depends(require_roles("subdistrict", "community"))]
Assessor = Annotated[
    Principal, Depends(require_roles(*trial_service.ASSESSING_BODIES))
]
BallotCaster = Annotated[Principal, Depends(require_roles("owners", "community", "owner"))]
IdFilter = Annotated[str | None, Query(max_length=64)]


def _settings(ctx: ContextDep) -> PropertySettings:
    settings: PropertySettings = ctx.settings
    return settings


Settings = Annotated[PropertySettings, Depends(_settings)]


def _trial(trial: Trial) -> TrialPublic:
    return TrialPublic.model_validate(trial, from_attributes=True)


def _assessment(assessment: Assessment) -> AssessmentPublic:
    return AssessmentPublic.model_validate(assessment, from_attributes=True)


@router.post("/trials", status_code=201, summary="Entrust a provider with a trial (短期托底)")
async def start_trial(body: TrialCreate, session: SessionDep, clock: ClockDep,
                      settings: Settings, principal: Subdistrict) -> TrialPublic:
    trial = await trial_service.start_trial(session, body, principal, clock,
                                            settings.max_trial_months)
    return _trial(trial)


@router.get("/trials", summary="Trials, filtered by compound, community or status")
async def list_trials(session: SessionDep, _: CurrentPrincipal, compound_id: IdFilter = None,
                      community_id: IdFilter = None, status: TrialStatus | None = None,
                      limit: Limit = 50, cursor: Cursor = None) -> Page[TrialPublic]:
    rows, next_cursor = await trial_service.trials_page(
        session, compound_id=compound_id, community_id=community_id, status=status,
        limit=limit, cursor=cursor,
    )
    return Page(items=[_trial(r) for r in rows], next_cursor=next_cursor)


@router.get("/trials/{trial_id}", summary="One trial")
async def get_trial(trial_id: str, session: SessionDep, _: CurrentPrincipal) -> TrialPublic:
    return _trial(await trial_service.get_trial(session, trial_id))


@router.post("/trials/{trial_id}/end", summary="End a running trial (If-Match: version)")
async def end_trial(trial_id: str, body: TrialEnd, session: SessionDep, clock: ClockDep,
                    _: Subdistrict, if_match: IfMatch = None) -> TrialPublic:
    return _trial(await trial_service.end_trial(session, trial_id, body.reason, if_match, clock))


@router.post("/trials/{trial_id}/extend",
             summary="Extend a trial after a failed or invalid vote (If-Match: version)")
async def extend_trial(trial_id: str, body: TrialExtend, session: SessionDep, clock: ClockDep,
                       settings: Settings, _: Subdistrict, if_match: IfMatch = None) -> TrialPublic:
    trial = await trial_service.extend_trial(session, trial_id, body.new_end, if_match, clock,
                                             settings.max_trial_months)
    return _trial(trial)


@router.post("/trials/{trial_id}/assessments", status_code=201,
             summary="Record a monthly assessment (考核) by one body")
async def record_assessment(trial_id: str, body: AssessmentCreate, session: SessionDep,
                            clock: ClockDep, principal: Assessor) -> AssessmentPublic:
    assessment = await trial_service.record_assessment(session, trial_id, body, principal, clock)
    return _assessment(assessment)


@router.get("/trials/{trial_id}/assessments", summary="Assessments of a trial")
async def list_assessments(trial_id: str, session: SessionDep, _: CurrentPrincipal,
                           limit: Limit = 50, cursor: Cursor = None) -> Page[AssessmentPublic]:
    rows, next_cursor = await trial_service.assessments_page(session, trial_id, limit=limit,
                                                             cursor=cursor)
    return Page(items=[_assessment(r) for r in rows], next_cursor=next_cursor)


@router.post("/trials/{trial_id}/votes", status_code=201,
             summary="Open the owners' conversion vote (snapshots the register)")
async def open_vote(trial_id: str, body: VoteCreate, session: SessionDep, clock: ClockDep,
                    _: VoteOrganiser) -> VotePublic:
    vote = await vote_service.open_vote(session, trial_id, body, clock)
    return vote_service.vote_public(vote, 0)


@router.get("/trials/{trial_id}/votes", summary="Votes of a trial")
async def list_votes(trial_id: str, session: SessionDep, _: CurrentPrincipal,
                     limit: Limit = 50, cursor: Cursor = None) -> Page[VotePublic]:
    rows, next_cursor = await vote_service.votes_page(session, trial_id, limit=limit,
                                                      cursor=cursor)
    items = [vote_service.vote_public(v, await vote_service.ballots_cast(session, v.id))
             for v in rows]
    return Page(items=items, next_cursor=next_cursor)


@router.get("/votes/{vote_id}", summary="One vote; the count is shown once it is closed")
async def get_vote(vote_id: str, session: SessionDep, _: CurrentPrincipal) -> VotePublic:
    vote = await vote_service.get_vote(session, vote_id)
    return vote_service.vote_public(vote, await vote_service.ballots_cast(session, vote.id))


@router.post("/votes/{vote_id}/ballots", status_code=201,
             summary="Cast a ballot; a later ballot by the same owner replaces it until close")
async def cast_ballot(vote_id: str, body: BallotCreate, session: SessionDep, clock: ClockDep,
                      principal: BallotCaster) -> BallotPublic:
    ballot, replaced = await vote_service.cast_ballot(session, vote_id, body, principal, clock)
    return BallotPublic(vote_id=ballot.vote_id, owner_id=ballot.owner_id, choice=body.choice,
                        cast_at=ballot.cast_at, replaced_previous=replaced)


@router.post("/votes/{vote_id}/close",
             summary="Close and count the vote (after closes_at, or once everyone voted)")
async def close_vote(vote_id: str, session: SessionDep, clock: ClockDep, _: Subdistrict,
                     if_match: IfMatch = None) -> VotePublic:
    vote = await vote_service.close_vote(session, vote_id, if_match, clock)
    return vote_service.vote_public(vote, await vote_service.ballots_cast(session, vote.id))
