"""Routes for communities, surveys and plans."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import select

from services.projects import planning
from services.projects.models import Community, Plan, Survey
from services.projects.schemas_planning import (
    CommunityPublic,
    PlanCreate,
    PlanPublic,
    SurveyCreate,
    SurveyPublic,
)
from shared.auth import CurrentPrincipal, Principal, require_roles
from shared.deps import ClockDep, IfMatch, SessionDep, check_version
from shared.pagination import Cursor, Limit, Page, keyset_page

__all__ = ["router"]

router = APIRouter(tags=["communities and plans"])
Surveyor = Annotated[Principal, Depends(require_roles("subdistrict", "community"))]
Planner = Annotated[Principal, Depends(require_roles("subdistrict", "community"))]
Bureau = Annotated[Principal, Depends(require_roles("district_bureau"))]


@router.get("/communities", summary="List the pilot communities (public)")
async def list_communities(session: SessionDep, limit: Limit = 50, cursor: Cursor = None
                           ) -> Page[CommunityPublic]:
    rows, next_cursor = await keyset_page(session, select(Community),
                                          [Community.id],  # type: ignore[list-item]
                                          limit=limit, cursor=cursor)
    return Page(items=[planning.community_public(r) for r in rows], next_cursor=next_cursor)


@router.get("/communities/{community_id}", summary="One pilot community (public)")
async def get_community(community_id: str, session: SessionDep) -> CommunityPublic:
    return planning.community_public(await planning.get_community(session, community_id))


@router.post("/communities/{community_id}/surveys", status_code=201,
             summary="Record a baseline survey (普查) — subdistrict or community")
async def record_survey(community_id: str, body: SurveyCreate, session: SessionDep,
                        clock: ClockDep, _: Surveyor) -> SurveyPublic:
    survey = await planning.record_survey(session, community_id, body, clock.now())
    return planning.survey_public(survey)


@router.get("/communities/{community_id}/surveys",
            summary="List a community's surveys with counts per finding kind — any signed-in role")
async def list_surveys(community_id: str, session: SessionDep, _: CurrentPrincipal,
                       limit: Limit = 50, cursor: Cursor = None) -> Page[SurveyPublic]:
    await planning.get_community(session, community_id)
    statement = select(Survey).where(Survey.community_id == community_id)  # type: ignore[arg-type]
    rows, next_cursor = await keyset_page(
        session, statement, [Survey.created_at, Survey.id],  # type: ignore[list-item]
        limit=limit, cursor=cursor)
    return Page(items=[planning.survey_public(r) for r in rows], next_cursor=next_cursor)


@router.post("/communities/{community_id}/plans", status_code=201,
             summary="Draft the community's plan (一社区一方案) — subdistrict or community")
async def create_plan(community_id: str, body: PlanCreate, session: SessionDep,
                      clock: ClockDep, _: Planner) -> PlanPublic:
    return planning.plan_public(await planning.create_plan(session, community_id, body,
                                                           clock.now()))


@router.get("/communities/{community_id}/plans",
            summary="List a community's plans — any signed-in role")
async def list_plans(community_id: str, session: SessionDep, _: CurrentPrincipal,
                     limit: Limit = 50, cursor: Cursor = None) -> Page[PlanPublic]:
    await planning.get_community(session, community_id)
    statement = select(Plan).where(Plan.community_id == community_id)  # type: ignore[arg-type]
    rows, next_cursor = await keyset_page(
        session, statement, [Plan.created_at, Plan.id],  # type: ignore[list-item]
        limit=limit, cursor=cursor)
    return Page(items=[planning.plan_public(r) for r in rows], next_cursor=next_cursor)


@router.post("/plans/{plan_id}/approve",
             summary="Approve a plan, superseding the community's previous one — district_bureau")
async def approve_plan(plan_id: str, session: SessionDep, clock: ClockDep, _: Bureau,
                       if_match: IfMatch = None) -> PlanPublic:
    check_version(if_match, (await planning.get_plan(session, plan_id)).version)
    return planning.plan_public(await planning.approve_plan(session, plan_id, clock.now()))


@router.get("/plans/{plan_id}", summary="One plan — any signed-in role")
async def get_plan(plan_id: str, session: SessionDep, _: CurrentPrincipal) -> PlanPublic:
    return planning.plan_public(await planning.get_plan(session, plan_id))
