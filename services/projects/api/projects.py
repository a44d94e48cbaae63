"""Routes for projects: creation, reads, lifecycle transitions and preparation.

Who may call what (admin always may):
- create: `builder` whose org is the project's builder party, `subdistrict`, `district_bureau`;
- approve, heritage review: `district_bureau`;
- start, suspend, resume, complete: the project's builder or contractor org
  (`district_bureau` may also suspend and resume, as the supervising authority);
- cancel: the project's builder org, `subdistrict`, `district_bureau`;
- construction plan, rectified: the project's contractor org; operate: its builder org;
- reads: any signed-in role (dashboards included).
Every transition takes an optional `{"note": ...}`, kept with the status change
(`GET /projects/{id}/status-changes`) and shown on the project as `status_note`. The project
view carries its `gates` (which conditions of start and completion are met now).
Offices (`district_bureau`, `subdistrict`) act only on projects of communities in their
jurisdiction (the token's `org` is that office's org in the community's jurisdiction; another
area's office gets 403).
Every write bumps `version`; `If-Match: <version>` makes it conditional (412 when stale); every
read of the project, its construction plan or heritage review sends it as `ETag: "<version>"`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import presenters, repository
from services.projects.access import Bureau, Creator
from services.projects.models import Project
from services.projects.schemas.projects import (
    ConstructionPlanIn,
    ConstructionPlanPublic,
    HeritageReviewIn,
    HeritageReviewPublic,
    ProjectCreate,
    ProjectPublic,
    StatusChangePublic,
    TransitionIn,
)
from services.projects.service import preparation, projects
from shared.auth import CurrentPrincipal
from shared.contracts.projects import ProjectStatus
from shared.deps import ClockDep, IfMatch, SessionDep, set_etag
from shared.pagination import Cursor, Limit, Page, page_of

__all__ = ["router"]

router = APIRouter(tags=["projects"])
Note = Annotated[TransitionIn | None, Body(
    description="optional: a note kept with the status change and shown on the project "
                "(`status_note`) and in its status changes")]


async def _shown(session: AsyncSession, project: Project, response: Response | None = None
                 ) -> ProjectPublic:
    """The project with its gates; its version as `ETag` when a response is given."""
    gates = await repository.project_gates(session, [project])
    if response is not None:
        set_etag(response, project.version)
    return presenters.project_public(project, gates[project.id])


def _note(body: TransitionIn | None) -> str | None:
    return None if body is None else body.note


@router.post("/projects", status_code=201,
             summary="Draft a project — builder (its own org as builder), subdistrict, "
                     "district_bureau")
async def create_project(body: ProjectCreate, response: Response, session: SessionDep,
                         clock: ClockDep, principal: Creator) -> ProjectPublic:
    project = await projects.create_project(session, body, principal, now=clock.now())
    return await _shown(session, project, response)


@router.get("/projects", summary="List projects by community and status — any signed-in role")
async def list_projects(
    session: SessionDep, _: CurrentPrincipal, limit: Limit = 50, cursor: Cursor = None,
    community_id: Annotated[str | None, Query(max_length=64)] = None,
    status: ProjectStatus | None = None,
) -> Page[ProjectPublic]:
    rows, next_cursor = await repository.projects_page(
        session, community_id=community_id, status=status, limit=limit, cursor=cursor)
    gates = await repository.project_gates(session, rows)
    return page_of((rows, next_cursor),
                   lambda project: presenters.project_public(project, gates[project.id]))


@router.get("/projects/{project_id}",
            summary="One project, with its gates (`ETag`: its version) — any signed-in role")
async def get_project(project_id: str, response: Response, session: SessionDep,
                      _: CurrentPrincipal) -> ProjectPublic:
    return await _shown(session, await repository.get_project(session, project_id), response)


@router.get("/projects/{project_id}/status-changes",
            summary="Every status change of a project, with its note — any signed-in role")
async def list_status_changes(project_id: str, session: SessionDep, _: CurrentPrincipal,
                              limit: Limit = 50, cursor: Cursor = None
                              ) -> Page[StatusChangePublic]:
    page = await repository.status_changes_page(session, project_id, limit=limit,
                                                cursor=cursor)
    return page_of(page, presenters.status_change_public)


@router.post("/projects/{project_id}/approve", summary="Approve a draft — district_bureau")
async def approve(project_id: str, response: Response, session: SessionDep, clock: ClockDep,
                  principal: Bureau, body: Note = None, if_match: IfMatch = None
                  ) -> ProjectPublic:
    project = await projects.approve_project(session, project_id, principal,
                                             if_match=if_match, now=clock.now(),
                                             note=_note(body))
    return await _shown(session, project, response)


@router.post("/projects/{project_id}/start",
             summary="Start construction (gates: approved, construction plan, site board, "
                     "heritage review) — the project's builder or contractor")
async def start(project_id: str, response: Response, session: SessionDep, clock: ClockDep,
                principal: CurrentPrincipal, body: Note = None, if_match: IfMatch = None
                ) -> ProjectPublic:
    project = await projects.start_project(session, project_id, principal,
                                           if_match=if_match, now=clock.now(),
                                           note=_note(body))
    return await _shown(session, project, response)


@router.post("/projects/{project_id}/suspend",
             summary="Suspend construction (a note says why) — the project's builder or "
                     "contractor, district_bureau")
async def suspend(project_id: str, response: Response, session: SessionDep, clock: ClockDep,
                  principal: CurrentPrincipal, body: Note = None, if_match: IfMatch = None
                  ) -> ProjectPublic:
    project = await projects.suspend_project(session, project_id, principal,
                                             if_match=if_match, now=clock.now(),
                                             note=_note(body))
    return await _shown(session, project, response)


@router.post("/projects/{project_id}/resume",
             summary="Resume construction — the project's builder or contractor, district_bureau")
async def resume(project_id: str, response: Response, session: SessionDep, clock: ClockDep,
                 principal: CurrentPrincipal, body: Note = None, if_match: IfMatch = None
                 ) -> ProjectPublic:
    project = await projects.resume_project(session, project_id, principal,
                                            if_match=if_match, now=clock.now(),
                                            note=_note(body))
    return await _shown(session, project, response)


@router.post("/projects/{project_id}/complete",
             summary="Declare the works complete (progress 100, hidden works passed) — "
                     "the project's builder or contractor")
async def complete(project_id: str, response: Response, session: SessionDep, clock: ClockDep,
                   principal: CurrentPrincipal, body: Note = None, if_match: IfMatch = None
                   ) -> ProjectPublic:
    project = await projects.complete_project(session, project_id, principal,
                                              if_match=if_match, now=clock.now(),
                                              note=_note(body))
    return await _shown(session, project, response)


@router.post("/projects/{project_id}/cancel",
             summary="Cancel a draft or approved project — the project's builder, subdistrict, "
                     "district_bureau")
async def cancel(project_id: str, response: Response, session: SessionDep, clock: ClockDep,
                 principal: CurrentPrincipal, body: Note = None, if_match: IfMatch = None
                 ) -> ProjectPublic:
    project = await projects.cancel_project(session, project_id, principal,
                                            if_match=if_match, now=clock.now(),
                                            note=_note(body))
    return await _shown(session, project, response)


@router.post("/projects/{project_id}/rectified",
             summary="Declare the acceptance defects rectified (a note says what was done) — "
                     "the project's contractor")
async def rectified(project_id: str, response: Response, session: SessionDep,
                    clock: ClockDep, principal: CurrentPrincipal, body: Note = None,
                    if_match: IfMatch = None) -> ProjectPublic:
    project = await projects.rectify_project(session, project_id, principal,
                                             if_match=if_match, now=clock.now(),
                                             note=_note(body))
    return await _shown(session, project, response)


@router.post("/projects/{project_id}/operate",
             summary="Put an accepted project into operation — the project's builder")
async def operate(project_id: str, response: Response, session: SessionDep, clock: ClockDep,
                  principal: CurrentPrincipal, body: Note = None, if_match: IfMatch = None
                  ) -> ProjectPublic:
    project = await projects.operate_project(session, project_id, principal,
                                             if_match=if_match, now=clock.now(),
                                             note=_note(body))
    return await _shown(session, project, response)


@router.post("/projects/{project_id}/construction-plan", status_code=201,
             summary="Submit the construction plan (施工方案) — the project's contractor")
async def submit_construction_plan(project_id: str, body: ConstructionPlanIn,
                                   response: Response, session: SessionDep, clock: ClockDep,
                                   principal: CurrentPrincipal, if_match: IfMatch = None
                                   ) -> ConstructionPlanPublic:
    plan, project = await preparation.submit_construction_plan(
        session, project_id, body, principal, if_match=if_match, now=clock.now())
    set_etag(response, project.version)
    return presenters.construction_plan_public(plan, project)


@router.get("/projects/{project_id}/construction-plan",
            summary="The project's current construction plan (`ETag`: the project's version, "
                    "which a resubmission's If-Match names) — any signed-in role")
async def get_construction_plan(project_id: str, response: Response, session: SessionDep,
                                _: CurrentPrincipal) -> ConstructionPlanPublic:
    plan, project = await repository.get_construction_plan(session, project_id)
    set_etag(response, project.version)
    return presenters.construction_plan_public(plan, project)


@router.post("/projects/{project_id}/heritage-review", status_code=201,
             summary="Record the heritage review — district_bureau")
async def review_heritage(project_id: str, body: HeritageReviewIn, response: Response,
                          session: SessionDep, clock: ClockDep, principal: Bureau,
                          if_match: IfMatch = None) -> HeritageReviewPublic:
    review, project = await preparation.review_heritage(
        session, project_id, body, principal, if_match=if_match, now=clock.now())
    set_etag(response, project.version)
    return presenters.heritage_review_public(review, project)


@router.get("/projects/{project_id}/heritage-review",
            summary="The project's heritage review (`ETag`: the project's version) — any "
                    "signed-in role")
async def get_heritage_review(project_id: str, response: Response, session: SessionDep,
                              _: CurrentPrincipal) -> HeritageReviewPublic:
    review, project = await repository.get_heritage_review(session, project_id)
    set_etag(response, project.version)
    return presenters.heritage_review_public(review, project)
