"""Use cases for interim trials (短期托底, 先尝后买) and their assessments (考核).

Each change locks the trial (and, to start one, the compound) before deciding, so a
transition is decided on the committed state and a race has one winner.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.property import access, domain, repository
from services.property.events import publish_fact, trial_fact
from services.property.models import Assessment, Trial
from services.property.repository import PageRows
from services.property.schemas import AssessmentCreate, TrialCreate
from shared.auth import Principal
from shared.clock import Clock
from shared.contracts.property import (
    PropertyAssessmentRecorded,
    PropertyTrialEnded,
    PropertyTrialExtended,
    PropertyTrialStarted,
)
from shared.db import new_id
from shared.errors import Conflict, Invalid
from shared.repository import bump_version

__all__ = [
    "assessments_of",
    "end_trial",
    "extend_trial",
    "record_assessment",
    "refuse_unless",
    "start_trial",
    "trial_seen_by",
    "trials_seen_by",
]


async def start_trial(session: AsyncSession, body: TrialCreate, principal: Principal,
                      clock: Clock, max_months: int) -> Trial:
    """Entrust a provider with a compound that has no management and no running trial.

    The compound is locked, so a conversion or another start on it is decided first; the
    unique running-compound column backs the one-running-trial rule on every backend.
    """
    problem = domain.trial_period_problem(body.start, body.end, max_months)
    if problem is not None:
        raise Invalid(problem, field="end")
    compound = await repository.lock_compound(session, body.compound_id)
    await access.ensure_in_area(session, principal, compound.community_id, access.ENTRUSTERS)
    provider = await repository.get_provider(session, body.provider_id)
    if compound.has_property_management:
        raise Conflict("the compound already has property management",
                       unmet=["compound without property management"])
    if await repository.running_trial_id(session, compound.id) is not None:
        raise Conflict("the compound already has a running trial",
                       unmet=["no running trial on the compound"])
    now = clock.now()
    trial = Trial(
        id=new_id(), compound_id=compound.id, community_id=compound.community_id,
        provider_id=provider.id, provider_org=provider.org, running_compound_id=compound.id,
        start=body.start,
        end=body.end, scope=body.scope, monthly_subsidy_cny=body.monthly_subsidy_cny,
        proposed_fee_cny_per_m2=body.proposed_fee_cny_per_m2, status="active",
        entrusted_by_org=principal.org, created_at=now,
    )
    session.add(trial)
    await session.flush()
    await publish_fact(session, PropertyTrialStarted(
        **trial_fact(trial), start=trial.start, end=trial.end, households=compound.households,
    ), subject=trial.id, at=now)
    return trial


def refuse_unless(trial: Trial, target: domain.TrialStatus) -> None:
    """409 unless the trial's status may become `target`."""
    if not domain.can_transition(trial.status, target):
        allowed = list(domain.TRIAL_TRANSITIONS[trial.status])
        raise Conflict(f"the trial is {trial.status} and cannot become {target}",
                       trial_status=trial.status, allowed=allowed)


async def end_trial(session: AsyncSession, trial_id: str, reason: str, principal: Principal,
                    if_match: str | None, clock: Clock) -> Trial:
    """End a running trial at any time; a vote still open is cancelled without a count."""
    trial = await repository.lock_trial(session, trial_id, if_match=if_match)
    await access.ensure_in_area(session, principal, trial.community_id, access.ENTRUSTERS)
    refuse_unless(trial, "ended")
    now = clock.now()
    open_vote = await repository.lock_open_vote(session, trial.id)
    if open_vote is not None:
        open_vote.status, open_vote.open_trial_id, open_vote.closed_at = "cancelled", None, now
        bump_version(open_vote)
    trial.status, trial.running_compound_id = "ended", None
    trial.end_reason, trial.ended_at = reason, now
    bump_version(trial)
    await session.flush()
    await publish_fact(session, PropertyTrialEnded(**trial_fact(trial), reason=reason),
                       subject=trial.id, at=now)
    return trial


async def extend_trial(session: AsyncSession, trial_id: str, new_end: date,
                       principal: Principal, if_match: str | None, clock: Clock,
                       max_months: int) -> Trial:
    """Extend a running trial after its latest vote failed or was invalid."""
    trial = await repository.lock_trial(session, trial_id, if_match=if_match)
    await access.ensure_in_area(session, principal, trial.community_id, access.ENTRUSTERS)
    refuse_unless(trial, "extended")
    latest = await repository.latest_vote(session, trial.id)
    if latest is None or latest.status not in ("failed", "invalid"):
        raise Conflict("a trial is extended only after a failed or invalid vote",
                       unmet=["latest vote failed or invalid"],
                       latest_vote_status=latest.status if latest else None)
    problem = domain.trial_period_problem(trial.end, new_end, max_months)
    if problem is not None:
        raise Invalid(problem.replace("end must be after start", "new_end must be after end")
                      .replace("a trial lasts", "an extension lasts"), field="new_end")
    trial.status, trial.end = "extended", new_end
    bump_version(trial)
    await session.flush()
    await publish_fact(session, PropertyTrialExtended(**trial_fact(trial), new_end=new_end),
                       subject=trial.id, at=clock.now())
    return trial


async def record_assessment(session: AsyncSession, trial_id: str, body: AssessmentCreate,
                            principal: Principal, clock: Clock) -> Assessment:
    """One body's scores for one month of the trial, with that month's complaint rate.

    The trial is locked: an end or an extension racing with the assessment is decided first,
    and two assessments of the same month by the same body cannot both pass the check.
    """
    trial = await repository.lock_trial(session, trial_id)
    scorer = access.assessing_body(principal, body.body)
    await access.ensure_in_area(session, principal, trial.community_id, (scorer,))
    now = clock.now()
    month = _assessable_month(trial, body.period, domain.city_today(now))
    if trial.status == "ended":
        raise Conflict("an ended trial is no longer assessed", trial_status=trial.status)
    existing = await repository.assessment_id_of(session, trial.id, str(month), scorer)
    if existing is not None:
        raise Conflict(f"{scorer} already assessed {month}", assessment_id=existing)
    compound = await repository.get_compound(session, trial.compound_id)
    complaints = await repository.complaints_between(session, compound.id, *month.city_span)
    assessment = Assessment(
        id=new_id(), trial_id=trial.id, period=str(month), body=scorer, scores=dict(body.scores),
        overall_score=domain.mean_score(body.scores), complaint_count=complaints,
        complaint_rate_per_100_households=domain.complaint_rate_per_100_households(
            complaints, compound.households),
        created_at=now,
    )
    session.add(assessment)
    await session.flush()
    await publish_fact(session, PropertyAssessmentRecorded(
        **trial_fact(trial), period=assessment.period,
        overall_score=str(assessment.overall_score),
        complaint_rate_per_100_households=str(assessment.complaint_rate_per_100_households),
    ), subject=trial.id, at=now)
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


# --- reads: a provider sees its own trials only ---------------------------------------------

async def trial_seen_by(session: AsyncSession, trial_id: str, principal: Principal) -> Trial:
    """The trial, unless the caller is another provider (404)."""
    trial = await repository.get_trial(session, trial_id)
    access.ensure_may_see_trial(principal, trial)
    return trial


async def trials_seen_by(session: AsyncSession, principal: Principal, *,
                         compound_id: str | None, community_id: str | None,
                         status: domain.TrialStatus | None, limit: int, cursor: str | None
                         ) -> PageRows[Trial]:
    """One page of trials; a provider's page holds its own trials only."""
    return await repository.trials_page(
        session, compound_id=compound_id, community_id=community_id, status=status,
        provider_org=access.provider_org_filter(principal), limit=limit, cursor=cursor)


async def assessments_of(session: AsyncSession, trial_id: str, principal: Principal, *,
                         limit: int, cursor: str | None) -> PageRows[Assessment]:
    trial = await trial_seen_by(session, trial_id, principal)
    return await repository.assessments_page(session, trial.id, limit=limit, cursor=cursor)
