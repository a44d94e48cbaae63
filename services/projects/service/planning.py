"""Use cases for baseline surveys (普查) and plans (一社区一方案).

The community's sub-district or community office files surveys and drafts plans; its
district bureau approves them (another area's office gets 403). A filed survey
(`survey.filed`: counts only) and an approved plan (`plan.approved`) are published, keyed by
the community id.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import access, repository
from services.projects.events import publish_community_fact
from services.projects.models import Community, Plan, Survey
from services.projects.schemas.planning import FINDING_KINDS, PlanCreate, SurveyCreate
from shared.auth import Principal
from shared.contracts import projects as contract
from shared.db import new_id
from shared.errors import Conflict
from shared.repository import bump_version

__all__ = ["approve_plan", "create_plan", "record_survey"]


async def _as_planner(session: AsyncSession, community_id: str, actor: Principal
                      ) -> Community:
    community = await repository.get_community(session, community_id)
    access.ensure_office(actor, access.jurisdiction_of(community), access.PLANNERS)
    return community


async def record_survey(session: AsyncSession, community_id: str, body: SurveyCreate,
                        actor: Principal, *, now: datetime) -> Survey:
    community = await _as_planner(session, community_id, actor)
    survey = Survey(
        id=new_id(), community_id=community_id, title=body.title, surveyed_on=body.surveyed_on,
        findings=[f.model_dump(mode="json") for f in body.findings],
        resident_opinions=[o.model_dump(mode="json") for o in body.resident_opinions],
        created_at=now,
    )
    session.add(survey)
    await session.flush()
    counted = Counter(str(f.kind) for f in body.findings)
    await publish_community_fact(session, community, contract.SurveyFiled(
        survey_id=survey.id, community_id=community_id, surveyed_on=body.surveyed_on,
        finding_counts={kind: counted[kind] for kind in FINDING_KINDS},
        opinion_topics=len(body.resident_opinions),
        respondents=sum(o.respondents for o in body.resident_opinions),
        in_favour=sum(o.in_favour for o in body.resident_opinions), filed_at=now), at=now)
    return survey


async def create_plan(session: AsyncSession, community_id: str, body: PlanCreate,
                      actor: Principal, *, now: datetime) -> Plan:
    await _as_planner(session, community_id, actor)
    plan = Plan(id=new_id(), community_id=community_id, title=body.title, summary=body.summary,
                status="draft", created_at=now)
    session.add(plan)
    await session.flush()
    return plan


async def approve_plan(session: AsyncSession, plan_id: str, actor: Principal, *,
                       if_match: str | None, now: datetime) -> Plan:
    """Approve a draft plan; the community's previously approved plan is superseded.

    The plan is locked, so one of concurrent approvals of it wins and the others find it
    approved (409) or at a newer version (412). Approvals of two different plans of one
    community both lock the approved plan they supersede; the partial unique index
    `uq_plans_one_approved` refuses the second approved plan if they still race (409).
    """
    plan = await repository.plan_for_update(
        session, plan_id, if_match=if_match,
        admit=lambda jurisdiction: access.ensure_office(actor, jurisdiction, access.BUREAU))
    if plan.status != "draft":
        raise Conflict(f"plan is {plan.status}, only a draft can be approved", allowed=[])
    current = await repository.approved_plan_for_update(session, plan.community_id)
    if current is not None:
        current.status = "superseded"
        current.superseded_by = plan.id
        bump_version(current)
        await session.flush()  # before the new approval, so the one-approved index holds
    plan.status = "approved"
    plan.approved_at = now
    bump_version(plan)
    await session.flush()
    community = await repository.get_community(session, plan.community_id)
    await publish_community_fact(session, community, contract.PlanApproved(
        plan_id=plan.id, community_id=plan.community_id,
        superseded_plan_id=None if current is None else current.id, approved_at=now), at=now)
    return plan
