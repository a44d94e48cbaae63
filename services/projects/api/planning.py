"""Routes for communities (their jurisdiction and boundary), surveys and plans.

Who may call what (admin always may):
- communities: public reads; jurisdiction and boundary set by admin only;
- surveys, plans: filed and drafted by the community's `subdistrict` or `community` office,
  approved by its district's `district_bureau` (the token's `org` must be that office's org
  in the community's jurisdiction: another area's office gets 403); reads: any signed-in role.
A community and a plan take `If-Match: <version>` on their writes and send `ETag: "<version>"`
on their reads.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response

from services.projects import presenters, repository
from services.projects.access import Admin, Bureau, Planner
from services.projects.schemas.planning import (
    CommunityPublic,
    JurisdictionIn,
    PlanCreate,
    PlanPublic,
    SurveyCreate,
    SurveyPublic,
)
from services.projects.service import communities, planning
from shared.auth import CurrentPrincipal
from shared.deps import ClockDep, IfMatch, SessionDep, set_etag
from shared.pagination import Cursor, Limit, Page, page_of

__all__ = ["router"]

router = APIRouter(tags=["communities and plans"])
Boundary = Annotated[Any, Body(
    description="GeoJSON Polygon or MultiPolygon (or a Feature of one) in WGS84, positions "
                "[longitude, latitude]; rings closed, geometry valid",
    examples=[{"type": "Polygon", "coordinates": [[[118.08, 24.47], [118.09, 24.47],
                                                   [118.09, 24.48], [118.08, 24.47]]]}])]


@router.get("/communities", summary="List the pilot communities (public)")
async def list_communities(session: SessionDep, limit: Limit = 50, cursor: Cursor = None
                           ) -> Page[CommunityPublic]:
    page = await repository.communities_page(session, limit=limit, cursor=cursor)
    return page_of(page, presenters.community_public)


@router.get("/communities/{community_id}",
            summary="One pilot community (`ETag`: its version) (public)")
async def get_community(community_id: str, response: Response, session: SessionDep
                        ) -> CommunityPublic:
    community = await repository.get_community(session, community_id)
    set_etag(response, community.version)
    return presenters.community_public(community)


@router.put("/communities/{community_id}/jurisdiction",
            summary="Replace the community's offices (org ids), published to every service "
                    "— admin")
async def set_jurisdiction(community_id: str, body: JurisdictionIn, response: Response,
                           session: SessionDep, clock: ClockDep, _: Admin,
                           if_match: IfMatch = None) -> CommunityPublic:
    community = await communities.set_jurisdiction(session, community_id, body,
                                                   if_match=if_match, now=clock.now())
    set_etag(response, community.version)
    return presenters.community_public(community)


@router.put("/communities/{community_id}/boundary",
            summary="Replace the community's boundary (GeoJSON, WGS84), published for "
                    "routing by location — admin")
async def set_boundary(community_id: str, body: Boundary, response: Response,
                       session: SessionDep, clock: ClockDep, _: Admin, if_match: IfMatch = None
                       ) -> CommunityPublic:
    community = await communities.set_boundary(session, community_id, body,
                                               if_match=if_match, now=clock.now())
    set_etag(response, community.version)
    return presenters.community_public(community)


@router.post("/communities/{community_id}/surveys", status_code=201,
             summary="Record a baseline survey (普查) — the community's subdistrict or "
                     "community office")
async def record_survey(community_id: str, body: SurveyCreate, session: SessionDep,
                        clock: ClockDep, principal: Planner) -> SurveyPublic:
    survey = await planning.record_survey(session, community_id, body, principal,
                                          now=clock.now())
    return presenters.survey_public(survey)


@router.get("/communities/{community_id}/surveys",
            summary="List a community's surveys with counts per finding kind — any signed-in role")
async def list_surveys(community_id: str, session: SessionDep, _: CurrentPrincipal,
                       limit: Limit = 50, cursor: Cursor = None) -> Page[SurveyPublic]:
    page = await repository.surveys_page(session, community_id, limit=limit, cursor=cursor)
    return page_of(page, presenters.survey_public)


@router.get("/communities/{community_id}/surveys/{survey_id}",
            summary="One survey of a community, with counts per finding kind — any signed-in "
                    "role")
async def get_survey(community_id: str, survey_id: str, session: SessionDep,
                     _: CurrentPrincipal) -> SurveyPublic:
    return presenters.survey_public(
        await repository.get_survey(session, community_id, survey_id))


@router.post("/communities/{community_id}/plans", status_code=201,
             summary="Draft the community's plan (一社区一方案) — its subdistrict or "
                     "community office")
async def create_plan(community_id: str, body: PlanCreate, response: Response,
                      session: SessionDep, clock: ClockDep, principal: Planner) -> PlanPublic:
    plan = await planning.create_plan(session, community_id, body, principal,
                                      now=clock.now())
    set_etag(response, plan.version)
    return presenters.plan_public(plan)


@router.get("/communities/{community_id}/plans",
            summary="List a community's plans — any signed-in role")
async def list_plans(community_id: str, session: SessionDep, _: CurrentPrincipal,
                     limit: Limit = 50, cursor: Cursor = None) -> Page[PlanPublic]:
    page = await repository.plans_page(session, community_id, limit=limit, cursor=cursor)
    return page_of(page, presenters.plan_public)


@router.post("/plans/{plan_id}/approve",
             summary="Approve a plan, superseding the community's previous one — its "
                     "district_bureau")
async def approve_plan(plan_id: str, response: Response, session: SessionDep, clock: ClockDep,
                       principal: Bureau, if_match: IfMatch = None) -> PlanPublic:
    plan = await planning.approve_plan(session, plan_id, principal, if_match=if_match,
                                       now=clock.now())
    set_etag(response, plan.version)
    return presenters.plan_public(plan)


@router.get("/plans/{plan_id}", summary="One plan (`ETag`: its version) — any signed-in role")
async def get_plan(plan_id: str, response: Response, session: SessionDep, _: CurrentPrincipal
                   ) -> PlanPublic:
    plan = await repository.get_plan(session, plan_id)
    set_etag(response, plan.version)
    return presenters.plan_public(plan)
