"""Routes for trials and their assessments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.property import presenters
from services.property.access import Assessor, Subdistrict
from services.property.config import PropertySettings
from services.property.domain import TrialStatus
from services.property.schemas import (
    AssessmentCreate,
    AssessmentPublic,
    TrialCreate,
    TrialEnd,
    TrialExtend,
    TrialPublic,
)
from services.property.service import trials
from shared.auth import CurrentPrincipal
from shared.deps import ClockDep, ContextDep, IfMatch, SessionDep, set_etag
from shared.pagination import Cursor, Limit, Page, page_of

__all__ = ["router"]

router = APIRouter(tags=["property"])

IdFilter = Annotated[str | None, Query(max_length=64)]


def _settings(ctx: ContextDep) -> PropertySettings:
    settings: PropertySettings = ctx.settings
    return settings


Settings = Annotated[PropertySettings, Depends(_settings)]


@router.post("/trials", status_code=201, summary="Entrust a provider with a trial (短期托底)")
async def start_trial(body: TrialCreate, session: SessionDep, clock: ClockDep,
                      settings: Settings, principal: Subdistrict) -> TrialPublic:
    trial = await trials.start_trial(session, body, principal, clock, settings.max_trial_months)
    return presenters.trial_public(trial)


@router.get("/trials", summary="Trials, filtered by compound, community or status")
async def list_trials(session: SessionDep, principal: CurrentPrincipal,
                      compound_id: IdFilter = None, community_id: IdFilter = None,
                      status: TrialStatus | None = None, limit: Limit = 50,
                      cursor: Cursor = None) -> Page[TrialPublic]:
    page = await trials.trials_seen_by(session, principal, compound_id=compound_id,
                                       community_id=community_id, status=status,
                                       limit=limit, cursor=cursor)
    return page_of(page, presenters.trial_public)


@router.get("/trials/{trial_id}", summary="One trial (ETag: its version)")
async def get_trial(trial_id: str, session: SessionDep, response: Response,
                    principal: CurrentPrincipal) -> TrialPublic:
    trial = await trials.trial_seen_by(session, trial_id, principal)
    set_etag(response, trial.version)
    return presenters.trial_public(trial)


@router.post("/trials/{trial_id}/end", summary="End a running trial (If-Match: version)")
async def end_trial(trial_id: str, body: TrialEnd, session: SessionDep, clock: ClockDep,
                    principal: Subdistrict, if_match: IfMatch = None) -> TrialPublic:
    trial = await trials.end_trial(session, trial_id, body.reason, principal, if_match, clock)
    return presenters.trial_public(trial)


@router.post("/trials/{trial_id}/extend",
             summary="Extend a trial after a failed or invalid vote (If-Match: version)")
async def extend_trial(trial_id: str, body: TrialExtend, session: SessionDep, clock: ClockDep,
                       settings: Settings, principal: Subdistrict,
                       if_match: IfMatch = None) -> TrialPublic:
    trial = await trials.extend_trial(session, trial_id, body.new_end, principal, if_match,
                                      clock, settings.max_trial_months)
    return presenters.trial_public(trial)


@router.post("/trials/{trial_id}/assessments", status_code=201,
             summary="Record a monthly assessment (考核) by one body")
async def record_assessment(trial_id: str, body: AssessmentCreate, session: SessionDep,
                            clock: ClockDep, principal: Assessor) -> AssessmentPublic:
    assessment = await trials.record_assessment(session, trial_id, body, principal, clock)
    return presenters.assessment_public(assessment)


@router.get("/trials/{trial_id}/assessments", summary="Assessments of a trial")
async def list_assessments(trial_id: str, session: SessionDep, principal: CurrentPrincipal,
                           limit: Limit = 50, cursor: Cursor = None) -> Page[AssessmentPublic]:
    page = await trials.assessments_of(session, trial_id, principal, limit=limit,
                                       cursor=cursor)
    return page_of(page, presenters.assessment_public)
