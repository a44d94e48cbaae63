"""Loads, locks, pages and visibility queries of the projects service.

Every row a use case changes, or decides on, is read here: locked with `load_for_update`
(`SELECT … FOR UPDATE`, so concurrent writers queue and the later ones decide on the
committed state) and its `If-Match` checked on the locked row. Lock order, the same in every
use case so two writers never wait on each other: a project before its plan and before its
hidden works; a plan before its community's currently approved plan. Who may act is decided
on the locked row with its community's jurisdiction, read as committed (a community is only
locked by the admin setting its jurisdiction or boundary).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, Table, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.projects import access, domain
from services.projects.access import Admit
from services.projects.models import (
    Attachment,
    Community,
    ConstructionPlan,
    HeritageReview,
    HiddenWork,
    HiddenWorkInspection,
    Plan,
    ProgressReport,
    Project,
    ProjectStatusChange,
    SiteBoard,
    Survey,
)
from shared.db import insert_skipping_conflicts
from shared.errors import NotFound
from shared.jurisdiction import Jurisdiction
from shared.pagination import keyset_page
from shared.repository import check_version, get_or_404, load_for_update

__all__ = [
    "RowsPage",
    "add_attachment_once",
    "add_missing_communities",
    "approved_plan_for_update",
    "attachment_types",
    "communities_page",
    "community_for_update",
    "community_jurisdiction",
    "find_attachment",
    "find_construction_plan",
    "find_plan_for_update",
    "find_project_for_update",
    "get_attachment",
    "get_community",
    "get_construction_plan",
    "get_heritage_review",
    "get_hidden_work",
    "get_plan",
    "get_project",
    "get_survey",
    "hidden_work_for_update",
    "hidden_work_statuses",
    "hidden_works_page",
    "inspections_of",
    "plan_for_update",
    "plans_page",
    "progress_by_client_key",
    "progress_page",
    "project_for_update",
    "project_gates",
    "projects_page",
    "site_board_for_update",
    "start_facts",
    "status_changes_page",
    "surveys_page",
]

_T = TypeVar("_T")
RowsPage = tuple[list[_T], str | None]
_ATTACHMENTS: Table = Attachment.__table__  # type: ignore[attr-defined]
_COMMUNITIES: Table = Community.__table__  # type: ignore[attr-defined]


# Reads.

async def get_community(session: AsyncSession, community_id: str) -> Community:
    return await get_or_404(session, Community, community_id, "community")


async def get_plan(session: AsyncSession, plan_id: str) -> Plan:
    return await get_or_404(session, Plan, plan_id, "plan")


async def get_project(session: AsyncSession, project_id: str) -> Project:
    return await get_or_404(session, Project, project_id, "project")


async def get_hidden_work(session: AsyncSession, hidden_work_id: str) -> HiddenWork:
    return await get_or_404(session, HiddenWork, hidden_work_id, "hidden work")


async def get_survey(session: AsyncSession, community_id: str, survey_id: str) -> Survey:
    """The survey of this community (404 for an unknown community, or another's survey)."""
    await get_community(session, community_id)
    survey = await session.get(Survey, survey_id)
    if survey is None or survey.community_id != community_id:
        raise NotFound(f"no survey {survey_id} in community {community_id}")
    return survey


async def get_construction_plan(session: AsyncSession, project_id: str
                                ) -> tuple[ConstructionPlan, Project]:
    """The project's current construction plan, with the project (404 for either missing)."""
    project = await get_project(session, project_id)
    plan = await session.get(ConstructionPlan, project_id)
    if plan is None:
        raise NotFound(f"project {project_id} has no construction plan yet")
    return plan, project


async def get_heritage_review(session: AsyncSession, project_id: str
                              ) -> tuple[HeritageReview, Project]:
    """The project's heritage review, with the project (404 for either missing)."""
    project = await get_project(session, project_id)
    review = await session.get(HeritageReview, project_id)
    if review is None:
        raise NotFound(f"project {project_id} has no heritage review"
                       + ("" if project.heritage else " (it does not touch heritage)"))
    return review, project


async def find_attachment(session: AsyncSession, attachment_id: str) -> Attachment | None:
    return await session.get(Attachment, attachment_id)


async def get_attachment(session: AsyncSession, attachment_id: str) -> Attachment:
    return await get_or_404(session, Attachment, attachment_id, "attachment")


async def inspections_of(session: AsyncSession, hidden_work_ids: Sequence[str]
                         ) -> dict[str, list[HiddenWorkInspection]]:
    """Every inspection of each hidden work, first to last."""
    found: dict[str, list[HiddenWorkInspection]] = {work_id: [] for work_id in hidden_work_ids}
    if not hidden_work_ids:
        return found
    statement = (select(HiddenWorkInspection)
                 .where(col(HiddenWorkInspection.hidden_work_id).in_(hidden_work_ids))
                 .order_by(col(HiddenWorkInspection.hidden_work_id),
                           col(HiddenWorkInspection.number)))
    for inspection in (await session.scalars(statement)).all():
        found[inspection.hidden_work_id].append(inspection)
    return found


async def project_gates(session: AsyncSession, projects: Sequence[Project]
                        ) -> dict[str, domain.Gates]:
    """The gate state of each project (five queries for a whole page)."""
    if not projects:
        return {}
    ids = [project.id for project in projects]
    plan_ids = sorted({project.plan_id for project in projects})
    plan_status: dict[str, str] = {
        row[0]: row[1] for row in (await session.execute(
            select(col(Plan.id), col(Plan.status)).where(col(Plan.id).in_(plan_ids)))).all()}
    with_plan = set((await session.scalars(select(col(ConstructionPlan.project_id)).where(
        col(ConstructionPlan.project_id).in_(ids)))).all())
    boards = set((await session.scalars(select(col(SiteBoard.project_id)).where(
        col(SiteBoard.project_id).in_(ids)))).all())
    approved_reviews = set((await session.scalars(select(col(HeritageReview.project_id)).where(
        col(HeritageReview.project_id).in_(ids), col(HeritageReview.approved)))).all())
    unpassed = set((await session.scalars(select(col(HiddenWork.project_id)).distinct().where(
        col(HiddenWork.project_id).in_(ids), col(HiddenWork.status) != "passed"))).all())
    return {project.id: domain.gates(
        plan_status=plan_status.get(project.plan_id),
        construction_plan=project.id in with_plan, site_board=project.id in boards,
        heritage=project.heritage, heritage_review_approved=project.id in approved_reviews,
        hidden_work_unpassed=project.id in unpassed, progress_percent=project.progress_percent)
        for project in projects}


async def community_jurisdiction(session: AsyncSession, community_id: str
                                 ) -> Jurisdiction | None:
    """The offices of a community (None for a community this service does not have)."""
    community = await session.get(Community, community_id)
    return None if community is None else access.jurisdiction_of(community)


# Loads for a write: locked, `If-Match` checked on the locked row.

async def community_for_update(session: AsyncSession, community_id: str, *,
                               if_match: str | None = None) -> Community:
    return await load_for_update(session, Community, community_id, "community",
                                 if_match=if_match)


async def project_for_update(session: AsyncSession, project_id: str, *,
                             admit: Admit | None = None, if_match: str | None = None
                             ) -> Project:
    """The project locked; `admit` (who may act, with the project's community's
    jurisdiction) runs before the version check (403, 412)."""
    project = await load_for_update(session, Project, project_id, "project")
    if admit is not None:
        admit(project, await community_jurisdiction(session, project.community_id))
    check_version(if_match, project.version)
    return project


async def find_project_for_update(session: AsyncSession, project_id: str) -> Project | None:
    """The project locked, or None: an event may name a project this service never had."""
    return await session.get(Project, project_id, with_for_update=True, populate_existing=True)


async def plan_for_update(session: AsyncSession, plan_id: str, *,
                          admit: Callable[[Jurisdiction | None], None] | None = None,
                          if_match: str | None = None) -> Plan:
    """The plan locked; `admit` (with its community's jurisdiction) runs before If-Match."""
    plan = await load_for_update(session, Plan, plan_id, "plan")
    if admit is not None:
        admit(await community_jurisdiction(session, plan.community_id))
    check_version(if_match, plan.version)
    return plan


async def find_plan_for_update(session: AsyncSession, plan_id: str) -> Plan | None:
    """The plan locked, or None (a project naming an unknown plan is invalid input, not 404)."""
    return await session.get(Plan, plan_id, with_for_update=True, populate_existing=True)


async def approved_plan_for_update(session: AsyncSession, community_id: str) -> Plan | None:
    """The community's approved plan, locked; the partial unique index allows one at most."""
    statement = select(Plan).where(col(Plan.community_id) == community_id,
                                   col(Plan.status) == "approved")
    return (await session.scalars(statement.with_for_update())).first()


async def hidden_work_for_update(session: AsyncSession, hidden_work_id: str, *, admit: Admit
                                 ) -> tuple[HiddenWork, Project]:
    """The hidden work and its project, both locked: the project first, as for every write."""
    project_id = (await get_hidden_work(session, hidden_work_id)).project_id  # never changes
    project = await project_for_update(session, project_id, admit=admit)
    work = await load_for_update(session, HiddenWork, hidden_work_id, "hidden work")
    return work, project


async def site_board_for_update(session: AsyncSession, project_id: str) -> SiteBoard | None:
    return await session.get(SiteBoard, project_id, with_for_update=True,
                             populate_existing=True)


async def add_attachment_once(session: AsyncSession, digest: str, content_type: str,
                              size: int, *, now: datetime) -> bool:
    """Insert the attachment row unless its content is stored already; True if inserted.

    `ON CONFLICT DO NOTHING` on the sha256: concurrent uploads of one content all succeed.
    """
    statement = insert_skipping_conflicts(session, _ATTACHMENTS, "id").returning(
        _ATTACHMENTS.c.id)
    inserted = await session.scalar(statement, {
        "id": digest, "content_type": content_type, "size": size, "created_at": now})
    return inserted is not None


async def add_missing_communities(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert the communities not there yet (`ON CONFLICT DO NOTHING`: replicas starting at
    once insert each one once); existing rows are left as they are."""
    await session.execute(insert_skipping_conflicts(session, _COMMUNITIES, "id"), rows)


# Facts a use case decides on, read under its project's lock.

async def progress_by_client_key(session: AsyncSession, project_id: str, key: str
                                 ) -> ProgressReport | None:
    statement = select(ProgressReport).where(col(ProgressReport.project_id) == project_id,
                                             col(ProgressReport.client_key) == key)
    return (await session.scalars(statement)).first()


async def attachment_types(session: AsyncSession, ids: Sequence[str]) -> dict[str, str]:
    """The content type of each stored attachment among `ids` (unknown ids are left out)."""
    if not ids:
        return {}
    statement = select(col(Attachment.id), col(Attachment.content_type)).where(
        col(Attachment.id).in_(sorted(set(ids))))
    return {row[0]: row[1] for row in (await session.execute(statement)).all()}


async def find_construction_plan(session: AsyncSession, project_id: str
                                 ) -> ConstructionPlan | None:
    """The current construction plan (read under the project's lock by its writers)."""
    return await session.get(ConstructionPlan, project_id)


async def hidden_work_statuses(session: AsyncSession, project_id: str) -> list[str]:
    statement = select(col(HiddenWork.status)).where(col(HiddenWork.project_id) == project_id)
    return list((await session.scalars(statement)).all())


async def start_facts(session: AsyncSession, project: Project) -> domain.StartFacts:
    review = await session.get(HeritageReview, project.id)
    return domain.StartFacts(
        status=project.status,
        has_construction_plan=await session.get(ConstructionPlan, project.id) is not None,
        site_board_published=await session.get(SiteBoard, project.id) is not None,
        heritage=project.heritage,
        heritage_review_approved=review is not None and review.approved,
    )


# Pages, ordered by a unique key so a cursor stays stable while rows are added.

async def _page(session: AsyncSession, statement: Select[Any], keys: list[Any], *, limit: int,
                cursor: str | None) -> RowsPage[Any]:
    return await keyset_page(session, statement, keys, limit=limit, cursor=cursor)


async def communities_page(session: AsyncSession, *, limit: int, cursor: str | None
                           ) -> RowsPage[Community]:
    return await _page(session, select(Community), [Community.id], limit=limit, cursor=cursor)


async def surveys_page(session: AsyncSession, community_id: str, *, limit: int,
                       cursor: str | None) -> RowsPage[Survey]:
    await get_community(session, community_id)
    statement = select(Survey).where(col(Survey.community_id) == community_id)
    return await _page(session, statement, [Survey.created_at, Survey.id], limit=limit,
                       cursor=cursor)


async def plans_page(session: AsyncSession, community_id: str, *, limit: int,
                     cursor: str | None) -> RowsPage[Plan]:
    await get_community(session, community_id)
    statement = select(Plan).where(col(Plan.community_id) == community_id)
    return await _page(session, statement, [Plan.created_at, Plan.id], limit=limit,
                       cursor=cursor)


async def projects_page(session: AsyncSession, *, community_id: str | None, status: str | None,
                        limit: int, cursor: str | None) -> RowsPage[Project]:
    statement = select(Project)
    if community_id is not None:
        statement = statement.where(col(Project.community_id) == community_id)
    if status is not None:
        statement = statement.where(col(Project.status) == status)
    return await _page(session, statement, [Project.created_at, Project.id], limit=limit,
                       cursor=cursor)


async def progress_page(session: AsyncSession, project_id: str, *, limit: int,
                        cursor: str | None) -> RowsPage[ProgressReport]:
    await get_project(session, project_id)
    statement = select(ProgressReport).where(col(ProgressReport.project_id) == project_id)
    return await _page(session, statement, [ProgressReport.received_at, ProgressReport.id],
                       limit=limit, cursor=cursor)


async def status_changes_page(session: AsyncSession, project_id: str, *, limit: int,
                              cursor: str | None) -> RowsPage[ProjectStatusChange]:
    await get_project(session, project_id)
    statement = select(ProjectStatusChange).where(
        col(ProjectStatusChange.project_id) == project_id)
    return await _page(session, statement, [ProjectStatusChange.version], limit=limit,
                       cursor=cursor)


async def hidden_works_page(session: AsyncSession, project_id: str, *, limit: int,
                            cursor: str | None) -> RowsPage[HiddenWork]:
    await get_project(session, project_id)
    statement = select(HiddenWork).where(col(HiddenWork.project_id) == project_id)
    return await _page(session, statement, [HiddenWork.created_at, HiddenWork.id],
                       limit=limit, cursor=cursor)
