"""Use cases for interim trials (短期托底, 先尝后买) and their assessments (考核)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from services.property_service import domain
from services.property_service.events import publish_trial_fact, trial_fact
from services.property_service.models import Assessment, ComplaintRecord, Trial, Vote
from services.property_service.schemas import AssessmentCreate, TrialCreate
from services.property_service.service import get_compound, get_provider
from shared.auth import Principal
from shared.clock import Clock
from shared.contracts.property_service import (
    PropertyAssessmentRecorded,
    PropertyTrialEnded,
    PropertyTrialExtended,
    PropertyTrialStarted,
)
from shared.db import get_or_404, new_id
from shared.deps import check_version
from shared.errors import Conflict, Forbidden, Invalid
from shared.pagination import keyset_page

__all__ = [
    "ASSESSING_BODIES",
    "assessments_page",
    "end_trial",
    "extend_trial",
    "get_trial",
    "record_assessment",
    "start_trial",
    "trials_page",
]

ASSESSING_BODIES = ("subdistrict", "community", "owners")


async def start_trial(session: AsyncSession, body: TrialCreate, principal: Principal,
                      clock: Clock, max_months: int) -> Trial:
    problem = domain.trial_period_problem(body.start, body.end, max_months)
    if problem is not None:
        raise Invalid(problem, field="end")
    compound = await get_compound(session, body.compound_id)
    provider = await get_provider(session, body.provider_id)
    if compound.has_property_management:
        raise Conflict("the compound already has property management",
                       unmet=["compound without property management"])
    if await _running_trial_id(session, compound.id) is not None:
        raise Conflict("the compound already has a running trial",
                       unmet=["no running trial on the compound"])
    trial = Trial(
        id=new_id(), compound_id=compound.id, community_id=compound.community_id,
        provider_id=provider.id, running_compound_id=compound.id, start=body.start,
        end=body.end, scope=body.scope, monthly_subsidy_cny=body.monthly_subsidy_cny,
        proposed_fee_cny_per_m2=body.proposed_fee_cny_per_m2, status="active",
        entrusted_by_org=principal.org, created_at=clock.now(),
    )
    session.add(trial)
    await session.flush()
    await publish_trial_fact(session, PropertyTrialStarted(
        **trial_fact(trial), start=trial.start, end=trial.end, households=compound.households,
    ), subject=trial.id, clock=clock)
    return trial


async def _running_trial_id(session: AsyncSession, compound_id: str) -> str | None:
    return await session.scalar(
        select(Trial.id).where(Trial.running_compound_id == compound_id)
    )


async def get_trial(session: AsyncSession, trial_id: str) -> Trial:
    return await get_or_404(session, Trial, trial_id, "trial")


async def trials_page(session: AsyncSession, *, compound_id: str | None,
                      community_id: str | None, status: domain.TrialStatus | None, limit: int,
                      cursor: str | None) -> tuple[list[Trial], str | None]:
    statement = select(Trial)
    if compound_id is not None:
        statement = statement.where(Trial.compound_id == compound_id)
    if community_id is not None:
        statement = statement.where(Trial.community_id == community_id)
    if status is not None:
        statement = statement.where(Trial.status == status)
    return await keyset_page(session, statement, [Trial.created_at, Trial.id],  # type: ignore[list-item]
                             limit=limit, cursor=cursor)


def _refuse_unless(trial: Trial, target: domain.TrialStatus) -> None:
    if not domain.can_transition(trial.status, target):
        allowed = list(domain.TRIAL_TRANSITIONS[trial.status])
        raise Conflict(f"the trial is {trial.status} and cannot become {target}",
                       trial_status=trial.status, allowed=allowed)


async def end_trial(session: AsyncSession, trial_id: str, reason: str, if_match: str | None,
                    clock: Clock) -> Trial:
    """End a running trial at any time; a vote still open is cancelled without a count."""
    trial = await get_trial(session, trial_id)
    check_version(if_match, trial.version)
    _refuse_unless(trial, "ended")
    open_vote = await _open_vote(session, trial.id)
    if open_vote is not None:
        open_vote.status, open_vote.open_trial_id = "cancelled", None
        open_vote.closed_at = clock.now()
        open_vote.version += 1
        session.add(open_vote)
    trial.status, trial.running_compound_id = "ended", None
    trial.end_reason, trial.ended_at = reason, clock.now()
    trial.version += 1
    session.add(trial)
    await session.flush()
    await publish_trial_fact(session, PropertyTrialEnded(**trial_fact(trial), reason=reason),
                             subject=trial.id, clock=clock)
    return trial


async def extend_trial(session: AsyncSession, trial_id: str, new_end: date,
                       if_match: str | None, clock: Clock, max_months: int) -> Trial:
    """Extend a running trial after its latest vote failed or was invalid."""
    trial = await get_trial(session, trial_id)
    check_version(if_match, trial.version)
    _refuse_unless(trial, "extended")
    latest = await _latest_vote(session, trial.id)
    if latest is None or latest.status not in ("failed", "invalid"):
        raise Conflict("a trial is extended only after a failed or invalid vote",
                       unmet=["latest vote failed or invalid"],
                       latest_vote_status=latest.status if latest else None)
    problem = domain.trial_period_problem(trial.end, new_end, max_months)
    if problem is not None:
        raise Invalid(problem.replace("end must be after start", "new_end must be after end")
                      .replace("a trial lasts", "an extension lasts"), field="new_end")
    trial.status, trial.end = "extended", new_end
    trial.version += 1
    session.add(trial)
    await session.flush()
    await publish_trial_fact(session, PropertyTrialExtended(**trial_fact(trial), new_end=new_end),
                             subject=trial.id, clock=clock)
    return trial


async def _open_vote(session: AsyncSession, trial_id: str) -> Vote | None:
    return await session.scalar(select(Vote).where(Vote.open_trial_id == trial_id))


async def _latest_vote(session: AsyncSession, trial_id: str) -> Vote | None:
    return await session.scalar(
        select(Vote).where(Vote.trial_id == trial_id)
        .order_by(col(Vote.opened_at).desc(), col(Vote.id).desc()).limit(1)
    )


def assessing_body(principal: Principal, requested: str | None) -> str:
    """Which body scores: the caller's own; admin (or a holder of several) must name it."""
    held = [b for b in ASSESSING_BODIES if b in principal.roles]
    if requested is not None:
        if requested not in held and "admin" not in principal.roles:
            raise Forbidden(f"the caller does not hold the role {requested}")
        return requested
    if len(held) != 1:
        raise Invalid("body is required when the caller may score for several bodies",
                      field="body")
    return held[0]


async def record_assessment(session: AsyncSession, trial_id: str, body: AssessmentCreate,
                            principal: Principal, clock: Clock) -> Assessment:
    trial = await get_trial(session, trial_id)
    scorer = assessing_body(principal, body.body)
    month = _assessable_month(trial, body.period, domain.city_today(clock.now()))
    if trial.status == "ended":
        raise Conflict("an ended trial is no longer assessed", trial_status=trial.status)
    compound = await get_compound(session, trial.compound_id)
    complaints = await _complaints_in(session, trial.compound_id, month)
    assessment = Assessment(
        id=new_id(), trial_id=trial.id, period=str(month), body=scorer, scores=dict(body.scores),
        overall_score=domain.mean_score(body.scores), complaint_count=complaints,
        complaint_rate_per_100_households=domain.complaint_rate_per_100_households(
            complaints, compound.households),
        created_at=clock.now(),
    )
    await _refuse_duplicate_assessment(session, assessment)
    session.add(assessment)
    await session.flush()
    await publish_trial_fact(session, PropertyAssessmentRecorded(
        **trial_fact(trial), period=assessment.period,
        overall_score=str(assessment.overall_score),
        complaint_rate_per_100_households=str(assessment.complaint_rate_per_100_households),
    ), subject=trial.id, clock=clock)
    return assessment


def _assessable_month(trial: Trial, period: str, today: date) -> domain.Month:
    month = domain.parse_month(period)
    if month is None:
        raise Invalid("period must be a month written YYYY-MM", field="period")
    if month < domain.Month.of(trial.start):
        raise Invalid("period is before the trial started", field="period")
    if month > domain.Month.of(today):
        raise Invalid("period is in the future", field="period")
    if trial.status != "converted" and month > domain.Month.of(trial.end):
        raise Invalid("period is after the trial's end", field="period")
    return month


async def _refuse_duplicate_assessment(session: AsyncSession, assessment: Assessment) -> None:
    existing = await session.scalar(select(Assessment.id).where(
        col(Assessment.trial_id) == assessment.trial_id,
        col(Assessment.period) == assessment.period,
        col(Assessment.body) == assessment.body,
    ))
    if existing is not None:
        raise Conflict(f"{assessment.body} already assessed {assessment.period}",
                       assessment_id=existing)


async def _complaints_in(session: AsyncSession, compound_id: str, month: domain.Month) -> int:
    # Months are the city's calendar months (China Standard Time), not UTC ones.
    start = datetime.combine(month.first_day, datetime.min.time(), tzinfo=domain.CITY_TZ)
    end = datetime.combine(month.next_first_day, datetime.min.time(), tzinfo=domain.CITY_TZ)
    count = await session.scalar(select(func.count()).select_from(ComplaintRecord).where(
        col(ComplaintRecord.compound_id) == compound_id,
        col(ComplaintRecord.occurred_at) >= start,
        col(ComplaintRecord.occurred_at) < end,
    ))
    return int(count or 0)


async def assessments_page(session: AsyncSession, trial_id: str, *, limit: int,
                           cursor: str | None) -> tuple[list[Assessment], str | None]:
    await get_trial(session, trial_id)
    statement = select(Assessment).where(Assessment.trial_id == trial_id)
    return await keyset_page(session, statement, [Assessment.created_at, Assessment.id],  # type: ignore[list-item]
                             limit=limit, cursor=cursor)
