"""Use cases for communities, baseline surveys (普查) and plans (一社区一方案)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.projects.models import Community, Plan, Survey
from services.projects.schemas_planning import (
    FINDING_KINDS,
    CommunityPublic,
    Finding,
    PlanCreate,
    PlanPublic,
    ResidentOpinion,
    SurveyCreate,
    SurveyPublic,
)
from shared.db import get_or_404, new_id
from shared.errors import Conflict

__all__ = [
    "PILOT_COMMUNITIES",
    "approve_plan",
    "community_public",
    "create_plan",
    "get_community",
    "get_plan",
    "plan_public",
    "record_survey",
    "seed_communities",
    "survey_public",
]

BATCH_DEADLINE = date(2022, 12, 31)
PILOT_COMMUNITIES: tuple[tuple[str, str, str], ...] = (
    ("shentian", "深田社区", "思明区"),
    ("dongdu", "东渡社区", "湖里区"),
    ("shengguang", "盛光社区", "集美区"),
    ("future-coast", "未来海岸社区", "海沧区"),
    ("chengxi", "城西社区", "同安区"),
    ("xinxing", "新兴社区", "翔安区"),
)


async def seed_communities(session: AsyncSession) -> None:
    """Insert the six pilot communities that are missing; existing rows are left as they are."""
    existing = set((await session.scalars(select(col(Community.id)))).all())
    for community_id, name, district in PILOT_COMMUNITIES:
        if community_id not in existing:
            session.add(Community(id=community_id, name=name, district=district,
                                  batch_deadline=BATCH_DEADLINE))
    await session.flush()


def community_public(community: Community) -> CommunityPublic:
    return CommunityPublic.model_validate(community, from_attributes=True)


async def get_community(session: AsyncSession, community_id: str) -> Community:
    return await get_or_404(session, Community, community_id, "community")


async def record_survey(session: AsyncSession, community_id: str, body: SurveyCreate,
                        now: datetime) -> Survey:
    await get_community(session, community_id)
    survey = Survey(
        id=new_id(), community_id=community_id, title=body.title, surveyed_on=body.surveyed_on,
        findings=[f.model_dump(mode="json") for f in body.findings],
        resident_opinions=[o.model_dump(mode="json") for o in body.resident_opinions],
        created_at=now,
    )
    session.add(survey)
    await session.flush()
    return survey


def survey_public(survey: Survey) -> SurveyPublic:
    findings = [Finding.model_validate(f) for f in survey.findings]
    counted = Counter(str(f.kind) for f in findings)
    return SurveyPublic(
        id=survey.id, community_id=survey.community_id, title=survey.title,
        surveyed_on=survey.surveyed_on, findings=findings,
        resident_opinions=[ResidentOpinion.model_validate(o) for o in survey.resident_opinions],
        counts={kind: counted[kind] for kind in FINDING_KINDS},
        created_at=survey.created_at,
    )


async def create_plan(session: AsyncSession, community_id: str, body: PlanCreate,
                      now: datetime) -> Plan:
    await get_community(session, community_id)
    plan = Plan(id=new_id(), community_id=community_id, title=body.title, summary=body.summary,
                status="draft", created_at=now)
    session.add(plan)
    await session.flush()
    return plan


async def get_plan(session: AsyncSession, plan_id: str) -> Plan:
    return await get_or_404(session, Plan, plan_id, "plan")


async def approve_plan(session: AsyncSession, plan_id: str, now: datetime) -> Plan:
    """Approve a draft plan; the community's previously approved plan is superseded."""
    plan = await get_plan(session, plan_id)
    if plan.status != "draft":
        raise Conflict(f"plan is {plan.status}, only a draft can be approved", allowed=[])
    current = await approved_plan_of(session, plan.community_id)
    if current is not None:
        current.status = "superseded"
        current.superseded_by = plan.id
        current.version += 1
        session.add(current)
        await session.flush()  # before the new approval, so the one-approved index holds
    plan.status = "approved"
    plan.approved_at = now
    plan.version += 1
    session.add(plan)
    await session.flush()
    return plan


async def approved_plan_of(session: AsyncSession, community_id: str) -> Plan | None:
    statement = select(Plan).where(Plan.community_id == community_id,  # type: ignore[arg-type]
                                   Plan.status == "approved")  # type: ignore[arg-type]
    return (await session.scalars(statement.with_for_update())).first()


def plan_public(plan: Plan) -> PlanPublic:
    return PlanPublic.model_validate(plan, from_attributes=True)


__all__ += ["approved_plan_of"]
