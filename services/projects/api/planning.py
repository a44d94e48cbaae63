"""Routes for communities, surveys and plans."""

from __future__ import annotations

from fastapi import APIRouter

from services.projects import presenters, repository
from services.projects.access import Bureau, Planner
from services.projects.schemas.planning import (
    CommunityPublic,
    PlanCreate,
    PlanPublic,
    SurveyCreate,
    SurveyPublic,
)
from services.projects.service import planning
from shared.auth import CurrentPrincipal
from shared.deps import ClockDep, IfMatch, SessionDep
from shared.pagination import Cursor, Limit, Page, page_of

__all__ = ["router"]

router = APIRouter(tags=["communities and plans"])


@router.get("/communities", summary="List the pilot communities (public)")
async def list_communities(session: SessionDep, limit: Limit = 50, cursor: Cursor = None
                           ) -> Page[CommunityPublic]:
    page = await repository.communities_page(session, limit=limit, cursor=cursor)
    return page_of(page, presenters.community_public)


@router.get("/communities/{community_id}", summary="One pilot community (public)")
async def get_community(community_id: str, session: SessionDep) -> CommunityPublic:
    return presenters.community_public(await repository.get_community(session, community_id))


@router.post("/communities/{community_id}/surveys", status_code=201,
             summary="Record a baseline survey (普查) — subdistrict or community")
async def record_survey(community_id: str, body: SurveyCreate, session: SessionDep,
                        clock: ClockDep, _: Planner) -> SurveyPublic:
    survey = await planning.record_survey(session, community_id, body, now=clock.now())
    return presenters.survey_public(survey)


@router.get("/communities/{community_id}/surveys",
            summary="List a community's surveys with counts per finding kind — any signed-in role")
async def list_surveys(community_id: str, session: SessionDep, _: CurrentPrincipal,
                       limit: Limit = 50, cursor: Cursor = None) -> Page[SurveyPublic]:
    page = await repository.surveys_page(session, community_id, limit=limit, cursor=cursor)
    return page_of(page, presenters.survey_public)


@router.post("/communities/{community_id}/plans", status_code=201,
             summary="Draft the community's plan (一社区一方案) — subdistrict or community")
async def create_plan(community_id: str, body: PlanCreate, session: SessionDep,
                      clock: ClockDep, _: Planner) -> PlanPublic:
    plan = await planning.create_plan(session, community_id, body, now=clock.now())
    return presenters.plan_public(plan)


@router.get("/communities/{community_id}/plans",
            summary="List a community's plans — any signed-in role")
async def list_plans(community_id: str, session: SessionDep, _: CurrentPrincipal,
                     limit: Limit = 50, cursor: Cursor = None) -> Page[PlanPublic]:
    page = await repository.plans_page(session, community_id, limit=limit, cursor=cursor)
    return page_of(page, presenters.plan_public)


@router.post("/plans/{plan_id}/approve",
             summary="Approve a plan, superseding the community's previous one — district_bureau")
async def approve_plan(plan_id: str, session: SessionDep, clock: ClockDep, _: Bureau,
                       if_match: IfMatch = None) -> PlanPublic:
    plan = await planning.approve_plan(session, plan_id, if_match=if_match, now=clock.now())
    return presenters.plan_public(plan)


@router.get("/plans/{plan_id}", summary="One plan — any signed-in role")
async def get_plan(plan_id: str, session: SessionDep, _: CurrentPrincipal) -> PlanPublic:
    return presenters.plan_public(await repository.get_plan(session, plan_id))
