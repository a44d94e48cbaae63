"""Use cases for communities, baseline surveys (普查) and plans (一社区一方案)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import domain, repository
from services.projects.models import Community, Plan, Survey
from services.projects.schemas.planning import PlanCreate, SurveyCreate
from shared.db import new_id
from shared.errors import Conflict
from shared.repository import bump_version
from shared.service import ServiceContext

__all__ = ["approve_plan", "create_plan", "record_survey", "seed_communities"]


async def seed_communities(session: AsyncSession, ctx: ServiceContext | None = None) -> None:
    """Insert the six pilot communities that are missing; existing rows are left as they are.

    The service's seeder (`ctx` is part of its signature, unused here).
    """
    existing = await repository.community_ids(session)
    for community_id, name, district in domain.PILOT_COMMUNITIES:
        if community_id not in existing:
            session.add(Community(id=community_id, name=name, district=district,
                                  batch_deadline=domain.BATCH_DEADLINE))
    await session.flush()


async def record_survey(session: AsyncSession, community_id: str, body: SurveyCreate, *,
                        now: datetime) -> Survey:
    await repository.get_community(session, community_id)
    survey = Survey(
        id=new_id(), community_id=community_id, title=body.title, surveyed_on=body.surveyed_on,
        findings=[f.model_dump(mode="json") for f in body.findings],
        resident_opinions=[o.model_dump(mode="json") for o in body.resident_opinions],
        created_at=now,
    )
    session.add(survey)
    await session.flush()
    return survey


async def create_plan(session: AsyncSession, community_id: str, body: PlanCreate, *,
                      now: datetime) -> Plan:
    await repository.get_community(session, community_id)
    plan = Plan(id=new_id(), community_id=community_id, title=body.title, summary=body.summary,
                status="draft", created_at=now)
    session.add(plan)
    await session.flush()
    return plan


async def approve_plan(session: AsyncSession, plan_id: str, *, if_match: str | None,
                       now: datetime) -> Plan:
    """Approve a draft plan; the community's previously approved plan is superseded.

    The plan is locked, so one of concurrent approvals of it wins and the others find it
    approved (409) or at a newer version (412). Approvals of two different plans of one
    community both lock the approved plan they supersede; the partial unique index
    `uq_plans_one_approved` refuses the second approved plan if they still race (409).
    """
    plan = await repository.plan_for_update(session, plan_id, if_match=if_match)
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
    return plan
