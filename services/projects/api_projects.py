"""Routes for projects: creation, reads, lifecycle transitions and preparation.

Who may call what (admin always may):
- create: `builder` whose org is the project's builder party, `subdistrict`, `district_bureau`;
- approve, heritage review: `district_bureau`;
- start, suspend, resume, complete: the project's builder or contractor org
  (`district_bureau` may also suspend and resume, as the supervising authority);
- cancel: the project's builder org, `subdistrict`, `district_bureau`;
- construction plan, rectified: the project's contractor org; operate: its builder org;
- reads: any signed-in role (dashboards included).
Every write bumps `version`; `If-Match: <version>` makes it conditional (412 when stale).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import preparation, service
from services.projects.access import PartyRole, require_party
from services.projects.models import Project
from services.projects.schemas import (
    ConstructionPlanIn,
    ConstructionPlanPublic,
    HeritageReviewIn,
    HeritageReviewPublic,
    ProjectCreate,
    ProjectPublic,
)
from shared.auth import CurrentPrincipal, Principal, require_roles
from shared.clock import Clock
from shared.contracts.projects import ProjectStatus
from shared.deps import ClockDep, IfMatch, SessionDep, check_version
from shared.errors import Forbidden
from shared.pagination import Cursor, Limit, Page, keyset_page

__all__ = ["router"]

router = APIRouter(tags=["projects"])
Creator = Annotated[Principal, Depends(require_roles("builder", "subdistrict", "district_bureau"))]
Bureau = Annotated[Principal, Depends(require_roles("district_bureau"))]
Action = Callable[[AsyncSession, Project, Clock], Awaitable[None]]


async def _load_for_write(session: AsyncSession, project_id: str, principal: Principal,
                          if_match: str | None, roles: tuple[PartyRole, ...],
                          staff: tuple[str, ...] = ()) -> Project:
    project = await service.get_project(session, project_id, lock=True)
    require_party(principal, project, *roles, staff=staff)
    check_version(if_match, project.version)
    return project


async def _transition(session: AsyncSession, project_id: str, principal: Principal,
                      if_match: str | None, clock: Clock, action: Action,
                      roles: tuple[PartyRole, ...], staff: tuple[str, ...] = ()
                      ) -> ProjectPublic:
    project = await _load_for_write(session, project_id, principal, if_match, roles, staff)
    await action(session, project, clock)
    session.add(project)
    await session.flush()
    return service.project_public(project)


@router.post("/projects", status_code=201,
             summary="Draft a project — builder (its own org as builder), subdistrict, "
                     "district_bureau")
async def create_project(body: ProjectCreate, session: SessionDep, clock: ClockDep,
                         principal: Creator) -> ProjectPublic:
    staff = principal.has_any({"admin", "subdistrict", "district_bureau"})
    if not staff and principal.org != body.parties.builder:
        raise Forbidden("a builder may only create projects it builds (parties.builder)")
    return service.project_public(await service.create_project(session, body, clock))


@router.get("/projects", summary="List projects by community and status — any signed-in role")
async def list_projects(
    session: SessionDep, _: CurrentPrincipal, limit: Limit = 50, cursor: Cursor = None,
    community_id: Annotated[str | None, Query(max_length=64)] = None,
    status: ProjectStatus | None = None,
) -> Page[ProjectPublic]:
    statement = select(Project)
    if community_id is not None:
        statement = statement.where(Project.community_id == community_id)  # type: ignore[arg-type]
    if status is not None:
        statement = statement.where(Project.status == status)  # type: ignore[arg-type]
    rows, next_cursor = await keyset_page(
        session, statement, [Project.created_at, Project.id],  # type: ignore[list-item]
        limit=limit, cursor=cursor)
    return Page(items=[service.project_public(r) for r in rows], next_cursor=next_cursor)


@router.get("/projects/{project_id}", summary="One project — any signed-in role")
async def get_project(project_id: str, session: SessionDep, _: CurrentPrincipal
                      ) -> ProjectPublic:
    return service.project_public(await service.get_project(session, project_id))


@router.post("/projects/{project_id}/approve", summary="Approve a draft — district_bureau")
async def approve(project_id: str, session: SessionDep, clock: ClockDep, principal: Bureau,
                  if_match: IfMatch = None) -> ProjectPublic:
    return await _transition(session, project_id, principal, if_match, clock,
                             service.approve_project, (), staff=("district_bureau",))


@router.post("/projects/{project_id}/start",
             summary="Start construction (gates: approved, construction plan, site board, "
                     "heritage review) — the project's builder or contractor")
async def start(project_id: str, session: SessionDep, clock: ClockDep,
                principal: CurrentPrincipal, if_match: IfMatch = None) -> ProjectPublic:
    return await _transition(session, project_id, principal, if_match, clock,
                             service.start_project, ("builder", "contractor"))


@router.post("/projects/{project_id}/suspend",
             summary="Suspend construction — the project's builder or contractor, "
                     "district_bureau")
async def suspend(project_id: str, session: SessionDep, clock: ClockDep,
                  principal: CurrentPrincipal, if_match: IfMatch = None) -> ProjectPublic:
    return await _transition(session, project_id, principal, if_match, clock,
                             service.suspend_project, ("builder", "contractor"),
                             staff=("district_bureau",))


@router.post("/projects/{project_id}/resume",
             summary="Resume construction — the project's builder or contractor, district_bureau")
async def resume(project_id: str, session: SessionDep, clock: ClockDep,
                 principal: CurrentPrincipal, if_match: IfMatch = None) -> ProjectPublic:
    return await _transition(session, project_id, principal, if_match, clock,
                             service.resume_project, ("builder", "contractor"),
                             staff=("district_bureau",))


@router.post("/projects/{project_id}/complete",
             summary="Declare the works complete (progress 100, hidden works passed) — "
                     "the project's builder or contractor")
async def complete(project_id: str, session: SessionDep, clock: ClockDep,
                   principal: CurrentPrincipal, if_match: IfMatch = None) -> ProjectPublic:
    return await _transition(session, project_id, principal, if_match, clock,
                             service.complete_project, ("builder", "contractor"))


@router.post("/projects/{project_id}/cancel",
             summary="Cancel a draft or approved project — the project's builder, subdistrict, "
                     "district_bureau")
async def cancel(project_id: str, session: SessionDep, clock: ClockDep,
                 principal: CurrentPrincipal, if_match: IfMatch = None) -> ProjectPublic:
    return await _transition(session, project_id, principal, if_match, clock,
                             service.cancel_project, ("builder",),
                             staff=("subdistrict", "district_bureau"))


@router.post("/projects/{project_id}/rectified",
             summary="Declare the acceptance defects rectified — the project's contractor")
async def rectified(project_id: str, session: SessionDep, clock: ClockDep,
                    principal: CurrentPrincipal, if_match: IfMatch = None) -> ProjectPublic:
    return await _transition(session, project_id, principal, if_match, clock,
                             service.rectify_project, ("contractor",))


@router.post("/projects/{project_id}/operate",
             summary="Put an accepted project into operation — the project's builder")
async def operate(project_id: str, session: SessionDep, clock: ClockDep,
                  principal: CurrentPrincipal, if_match: IfMatch = None) -> ProjectPublic:
    return await _transition(session, project_id, principal, if_match, clock,
                             service.operate_project, ("builder",))


@router.post("/projects/{project_id}/construction-plan", status_code=201,
             summary="Submit the construction plan (施工方案) — the project's contractor")
async def submit_construction_plan(project_id: str, body: ConstructionPlanIn,
                                   session: SessionDep, clock: ClockDep,
                                   principal: CurrentPrincipal, if_match: IfMatch = None
                                   ) -> ConstructionPlanPublic:
    project = await _load_for_write(session, project_id, principal, if_match, ("contractor",))
    org = principal.org or principal.sub
    return await preparation.submit_construction_plan(session, project, body, org, clock)


@router.post("/projects/{project_id}/heritage-review", status_code=201,
             summary="Record the heritage review — district_bureau")
async def review_heritage(project_id: str, body: HeritageReviewIn, session: SessionDep,
                          clock: ClockDep, principal: Bureau, if_match: IfMatch = None
                          ) -> HeritageReviewPublic:
    project = await _load_for_write(session, project_id, principal, if_match, (),
                                    staff=("district_bureau",))
    return await preparation.review_heritage(session, project, body, clock)

