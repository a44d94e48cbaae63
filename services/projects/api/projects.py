"""Routes for projects: creation, reads, lifecycle transitions and preparation.

Who may call what (admin always may):
- create: `builder` whose org is the project's builder party, `subdistrict`, `district_bureau`;
- approve, heritage review: `district_bureau`;
- start, suspend, resume, complete: the project's builder or contractor org
  (`district_bureau` may also suspend and resume, as the supervising authority);
- cancel: the project's builder org, `subdistrict`, `district_bureau`;
- construction plan, rectified: the project's contractor org; operate: its builder org;
- reads: any signed-in role (dashboards included).
Offices (`district_bureau`, `subdistrict`) act only on projects of communities in their
jurisdiction (the token's `org` is that office's org in the community's jurisdiction; another
area's office gets 403).
Every write bumps `version`; `If-Match: <version>` makes it conditional (412 when stale).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.projects import presenters, repository
from services.projects.access import Bureau, Creator
from services.projects.schemas.projects import (
    ConstructionPlanIn,
    ConstructionPlanPublic,
    HeritageReviewIn,
    HeritageReviewPublic,
    ProjectCreate,
    ProjectPublic,
)
from services.projects.service import preparation, projects
from shared.auth import CurrentPrincipal
from shared.contracts.projects import ProjectStatus
from shared.deps import ClockDep, IfMatch, SessionDep
from shared.pagination import Cursor, Limit, Page, page_of

__all__ = ["router"]

router = APIRouter(tags=["projects"])


@router.post("/projects", status_code=201,
             summary="Draft a project — builder (its own org as builder), subdistrict, "
                     "district_bureau")
async def create_project(body: ProjectCreate, session: SessionDep, clock: ClockDep,
                         principal: Creator) -> ProjectPublic:
    project = await projects.create_project(session, body, principal, now=clock.now())
    return presenters.project_public(project)


@router.get("/projects", summary="List projects by community and status — any signed-in role")
async def list_projects(
    session: SessionDep, _: CurrentPrincipal, limit: Limit = 50, cursor: Cursor = None,
    community_id: Annotated[str | None, Query(max_length=64)] = None,
    status: ProjectStatus | None = None,
) -> Page[ProjectPublic]:
    page = await repository.projects_page(session, community_id=community_id, status=status,
                                          limit=limit, cursor=cursor)
    return page_of(page, presenters.project_public)


@router.get("/projects/{project_id}", summary="One project — any signed-in role")
async def get_project(project_id: str, session: SessionDep, _: CurrentPrincipal
                      ) -> ProjectPublic:
    return presenters.project_public(await repository.get_project(session, project_id))


@router.post("/projects/{project_id}/approve", summary="Approve a draft — district_bureau")
async def approve(project_id: str, session: SessionDep, clock: ClockDep, principal: Bureau,
                  if_match: IfMatch = None) -> ProjectPublic:
    project = await projects.approve_project(session, project_id, principal,
                                             if_match=if_match, now=clock.now())
    return presenters.project_public(project)


@router.post("/projects/{project_id}/start",
             summary="Start construction (gates: approved, construction plan, site board, "
                     "heritage review) — the project's builder or contractor")
async def start(project_id: str, session: SessionDep, clock: ClockDep,
                principal: CurrentPrincipal, if_match: IfMatch = None) -> ProjectPublic:
    project = await projects.start_project(session, project_id, principal,
                                           if_match=if_match, now=clock.now())
    return presenters.project_public(project)


@router.post("/projects/{project_id}/suspend",
             summary="Suspend construction — the project's builder or contractor, "
                     "district_bureau")
async def suspend(project_id: str, session: SessionDep, clock: ClockDep,
                  principal: CurrentPrincipal, if_match: IfMatch = None) -> ProjectPublic:
    project = await projects.suspend_project(session, project_id, principal,
                                             if_match=if_match, now=clock.now())
    return presenters.project_public(project)


@router.post("/projects/{project_id}/resume",
             summary="Resume construction — the project's builder or contractor, district_bureau")
async def resume(project_id: str, session: SessionDep, clock: ClockDep,
                 principal: CurrentPrincipal, if_match: IfMatch = None) -> ProjectPublic:
    project = await projects.resume_project(session, project_id, principal,
                                            if_match=if_match, now=clock.now())
    return presenters.project_public(project)


@router.post("/projects/{project_id}/complete",
             summary="Declare the works complete (progress 100, hidden works passed) — "
                     "the project's builder or contractor")
async def complete(project_id: str, session: SessionDep, clock: ClockDep,
                   principal: CurrentPrincipal, if_match: IfMatch = None) -> ProjectPublic:
    project = await projects.complete_project(session, project_id, principal,
                                              if_match=if_match, now=clock.now())
    return presenters.project_public(project)


@router.post("/projects/{project_id}/cancel",
             summary="Cancel a draft or approved project — the project's builder, subdistrict, "
                     "district_bureau")
async def cancel(project_id: str, session: SessionDep, clock: ClockDep,
                 principal: CurrentPrincipal, if_match: IfMatch = None) -> ProjectPublic:
    project = await projects.cancel_project(session, project_id, principal,
                                            if_match=if_match, now=clock.now())
    return presenters.project_public(project)


@router.post("/projects/{project_id}/rectified",
             summary="Declare the acceptance defects rectified — the project's contractor")
async def rectified(project_id: str, session: SessionDep, clock: ClockDep,
                    principal: CurrentPrincipal, if_match: IfMatch = None) -> ProjectPublic:
    project = await projects.rectify_project(session, project_id, principal,
                                             if_match=if_match, now=clock.now())
    return presenters.project_public(project)


@router.post("/projects/{project_id}/operate",
             summary="Put an accepted project into operation — the project's builder")
async def operate(project_id: str, session: SessionDep, clock: ClockDep,
                  principal: CurrentPrincipal, if_match: IfMatch = None) -> ProjectPublic:
    project = await projects.operate_project(session, project_id, principal,
                                             if_match=if_match, now=clock.now())
    return presenters.project_public(project)


@router.post("/projects/{project_id}/construction-plan", status_code=201,
             summary="Submit the construction plan (施工方案) — the project's contractor")
async def submit_construction_plan(project_id: str, body: ConstructionPlanIn,
                                   session: SessionDep, clock: ClockDep,
                                   principal: CurrentPrincipal, if_match: IfMatch = None
                                   ) -> ConstructionPlanPublic:
    plan, project = await preparation.submit_construction_plan(
        session, project_id, body, principal, if_match=if_match, now=clock.now())
    return presenters.construction_plan_public(plan, project)


@router.post("/projects/{project_id}/heritage-review", status_code=201,
             summary="Record the heritage review — district_bureau")
async def review_heritage(project_id: str, body: HeritageReviewIn, session: SessionDep,
                          clock: ClockDep, principal: Bureau, if_match: IfMatch = None
                          ) -> HeritageReviewPublic:
    review, project = await preparation.review_heritage(
        session, project_id, body, principal, if_match=if_match, now=clock.now())
    return presenters.heritage_review_public(review, project)
