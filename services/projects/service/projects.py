"""Use cases of the project lifecycle: create, approve, start, suspend, resume, complete,
rectify, cancel, put into operation, and what an acceptance verdict does to a project.

Each transition locks the project (`repository.project_for_update`: who may act, then
`If-Match`, both on the locked row), decides on that state, moves it, bumps its version and
stages its fact: of concurrent identical requests one wins, and the others find the new
status (409) or a newer version (412).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import access, domain, repository
from services.projects.access import PartyRole
from services.projects.events import parties_of, project_ref, publish_fact
from services.projects.models import Project, ProjectStatusChange
from services.projects.schemas.projects import ProjectCreate
from shared.auth import Principal
from shared.contracts import projects as contract
from shared.db import new_id
from shared.errors import Conflict, Invalid, NotFound
from shared.events.catalog import EventData
from shared.repository import bump_version

__all__ = [
    "accept_project",
    "approve_project",
    "cancel_project",
    "complete_project",
    "create_project",
    "ensure_complete",
    "move",
    "operate_project",
    "record_status",
    "rectify_project",
    "resume_project",
    "send_back_for_rectification",
    "start_project",
    "suspend_project",
    "touch",
]

log = logging.getLogger(__name__)


def touch(project: Project, now: datetime) -> None:
    """Every write to a project bumps its version (for If-Match) and its update time."""
    bump_version(project)
    project.updated_at = now


def record_status(session: AsyncSession, project: Project, from_status: str | None, *,
                  by_org: str | None, note: str | None, now: datetime) -> None:
    """Keep the change into the project's current status, with its note (never replaced)."""
    project.status_note = note
    session.add(ProjectStatusChange(
        project_id=project.id, version=project.version, from_status=from_status,
        status=project.status, note=note, by_org=by_org, at=now))


def move(session: AsyncSession, project: Project, target: str, now: datetime, *,
         by_org: str | None, note: str | None = None) -> None:
    """The transition to `target` (409 when illegal), kept with who made it and its note."""
    domain.ensure_can(project.status, target)
    from_status, project.status = project.status, target
    touch(project, now)
    record_status(session, project, from_status, by_org=by_org, note=note, now=now)


async def _check_plan(session: AsyncSession, body: ProjectCreate) -> None:
    plan = await repository.find_plan_for_update(session, body.plan_id)
    if plan is None or plan.community_id != body.community_id:
        raise Invalid("no such plan in this community", field="plan_id")
    if plan.status != "approved":
        raise Invalid("the plan is not the community's approved plan", field="plan_id")


def _funding(body: ProjectCreate) -> domain.Funding:
    b = body.budget
    budget = domain.Budget(total_cny=b.total_cny, social_capital_cny=b.social_capital_cny,
                           residents_cny=b.residents_cny,
                           gas_account_opening_fee_cny=b.gas_account_opening_fee_cny)
    try:
        return domain.split_fiscal_funding(budget, category=body.category,
                                           community_id=body.community_id, domain=body.domain)
    except domain.BudgetError as exc:
        raise Invalid(str(exc), field=exc.field) from exc


async def create_project(session: AsyncSession, body: ProjectCreate, actor: Principal, *,
                         now: datetime) -> Project:
    """Draft a project under its community's currently approved plan (locked meanwhile)."""
    try:
        community = await repository.get_community(session, body.community_id)
    except NotFound as exc:
        raise Invalid("no such community", field="community_id") from exc
    access.ensure_may_create(actor, body.parties.builder, access.jurisdiction_of(community))
    await _check_plan(session, body)
    funding = _funding(body)
    project = Project(
        id=new_id(), community_id=body.community_id, plan_id=body.plan_id, title=body.title,
        category=body.category, domain=body.domain, heritage=body.heritage,
        delivery_mode=body.delivery_mode, total_cny=body.budget.total_cny,
        social_capital_cny=funding.social_capital_cny, residents_cny=funding.residents_cny,
        gas_account_opening_fee_cny=body.budget.gas_account_opening_fee_cny,
        city_fiscal_cny=funding.city_fiscal_cny, district_fiscal_cny=funding.district_fiscal_cny,
        parties=body.parties.model_dump(), planned_start=body.planned_start,
        planned_end=body.planned_end, status="draft", created_at=now, updated_at=now,
    )
    session.add(project)
    record_status(session, project, None, by_org=access.acting_org(actor), note=None, now=now)
    fee = body.budget.gas_account_opening_fee_cny
    await _settle(session, project, contract.ProjectCreated(
        **project_ref(project), plan_id=project.plan_id, category=body.category,
        domain=project.domain, heritage=project.heritage, parties=parties_of(project),
        planned_start=project.planned_start, planned_end=project.planned_end,
        budget_total_cny=f"{body.budget.total_cny:.2f}",
        funding=contract.ProjectFunding(
            city_fiscal_cny=f"{funding.city_fiscal_cny:.2f}",
            district_fiscal_cny=f"{funding.district_fiscal_cny:.2f}",
            social_capital_cny=f"{funding.social_capital_cny:.2f}",
            residents_cny=f"{funding.residents_cny:.2f}",
            gas_account_opening_fee_cny=None if fee is None else f"{fee:.2f}")), now)
    return project


async def _locked(session: AsyncSession, project_id: str, actor: Principal,
                  *roles: PartyRole, staff: tuple[str, ...] = (), if_match: str | None
                  ) -> Project:
    return await repository.project_for_update(
        session, project_id, admit=access.as_party(actor, *roles, staff=staff),
        if_match=if_match)


async def _settle(session: AsyncSession, project: Project, fact: EventData,
                  now: datetime) -> None:
    await session.flush()
    await publish_fact(session, project, fact, at=now)


async def approve_project(session: AsyncSession, project_id: str, actor: Principal, *,
                          if_match: str | None, now: datetime, note: str | None = None
                          ) -> Project:
    """The district bureau approves a draft whose plan is still the approved one."""
    project = await _locked(session, project_id, actor, staff=("district_bureau",),
                            if_match=if_match)
    domain.ensure_can(project.status, "approved")
    plan = await repository.plan_for_update(session, project.plan_id)
    if plan.status != "approved":
        raise Conflict("the project's plan is no longer the approved plan",
                       unmet=["plan_approved"])
    move(session, project, "approved", now, by_org=access.acting_org(actor), note=note)
    await _settle(session, project, contract.ProjectApproved(**project_ref(project)), now)
    return project


async def start_project(session: AsyncSession, project_id: str, actor: Principal, *,
                        if_match: str | None, now: datetime, note: str | None = None
                        ) -> Project:
    """Start construction once every gate is met (409 listing the unmet ones)."""
    project = await _locked(session, project_id, actor, "builder", "contractor",
                            if_match=if_match)
    domain.require_status(project.status, "approved", "start")
    unmet = domain.start_unmet(await repository.start_facts(session, project))
    if unmet:
        raise Conflict("construction cannot start yet", unmet=unmet)
    move(session, project, "under_construction", now, by_org=access.acting_org(actor), note=note)
    project.started_at = now
    await _settle(session, project, contract.ProjectConstructionStarted(
        **project_ref(project), started_at=now), now)
    return project


async def suspend_project(session: AsyncSession, project_id: str, actor: Principal, *,
                          if_match: str | None, now: datetime, note: str | None = None
                          ) -> Project:
    project = await _locked(session, project_id, actor, "builder", "contractor",
                            staff=("district_bureau",), if_match=if_match)
    move(session, project, "suspended", now, by_org=access.acting_org(actor), note=note)
    await _settle(session, project, contract.ProjectSuspended(**project_ref(project)), now)
    return project


async def resume_project(session: AsyncSession, project_id: str, actor: Principal, *,
                         if_match: str | None, now: datetime, note: str | None = None
                         ) -> Project:
    project = await _locked(session, project_id, actor, "builder", "contractor",
                            staff=("district_bureau",), if_match=if_match)
    domain.require_status(project.status, "suspended", "resume")
    move(session, project, "under_construction", now, by_org=access.acting_org(actor), note=note)
    await _settle(session, project, contract.ProjectResumed(**project_ref(project)), now)
    return project


async def ensure_complete(session: AsyncSession, project: Project) -> None:
    """Completion needs progress 100 and every hidden work passed (409 listing what is not)."""
    unmet = domain.completion_unmet(
        project.progress_percent, await repository.hidden_work_statuses(session, project.id))
    if unmet:
        raise Conflict("the works cannot be declared complete yet", unmet=unmet)


async def complete_project(session: AsyncSession, project_id: str, actor: Principal, *,
                           if_match: str | None, now: datetime, note: str | None = None
                           ) -> Project:
    project = await _locked(session, project_id, actor, "builder", "contractor",
                            if_match=if_match)
    domain.ensure_can(project.status, "completed")
    await ensure_complete(session, project)
    move(session, project, "completed", now, by_org=access.acting_org(actor), note=note)
    project.completed_at = now
    await _settle(session, project, contract.ProjectCompleted(
        **project_ref(project), parties=parties_of(project), completed_at=now,
        title=project.title), now)
    return project


async def rectify_project(session: AsyncSession, project_id: str, actor: Principal, *,
                          if_match: str | None, now: datetime, note: str | None = None
                          ) -> Project:
    """The contractor declares the defects of a failed acceptance rectified."""
    project = await _locked(session, project_id, actor, "contractor", if_match=if_match)
    domain.require_status(project.status, "rectifying", "be rectified")
    await ensure_complete(session, project)
    move(session, project, "completed", now, by_org=access.acting_org(actor), note=note)
    await _settle(session, project, contract.ProjectRectified(
        **project_ref(project), rectified_at=now), now)
    return project


async def cancel_project(session: AsyncSession, project_id: str, actor: Principal, *,
                         if_match: str | None, now: datetime, note: str | None = None
                         ) -> Project:
    project = await _locked(session, project_id, actor, "builder",
                            staff=("subdistrict", "district_bureau"), if_match=if_match)
    move(session, project, "cancelled", now, by_org=access.acting_org(actor), note=note)
    await _settle(session, project, contract.ProjectCancelled(**project_ref(project)), now)
    return project


async def operate_project(session: AsyncSession, project_id: str, actor: Principal, *,
                          if_match: str | None, now: datetime, note: str | None = None
                          ) -> Project:
    project = await _locked(session, project_id, actor, "builder", if_match=if_match)
    move(session, project, "in_operation", now, by_org=access.acting_org(actor), note=note)
    await _settle(session, project, contract.ProjectPutIntoOperation(**project_ref(project)),
                  now)
    return project


async def _awaiting_verdict(session: AsyncSession, project_id: str, verdict: str
                            ) -> Project | None:
    """The completed project, locked; None (logged) when it is unknown or has moved on."""
    project = await repository.find_project_for_update(session, project_id)
    if project is None or project.status != "completed":
        log.warning("ignoring %s for project %s (status %s)", verdict, project_id,
                    project.status if project else "unknown")
        return None
    return project


async def accept_project(session: AsyncSession, project_id: str, acceptance_id: str, *,
                         at: datetime) -> None:
    """The joint acceptance passed: the completed project becomes accepted."""
    project = await _awaiting_verdict(session, project_id, "acceptance.passed")
    if project is None:
        return
    move(session, project, "accepted", at, by_org=None)
    await _settle(session, project, contract.ProjectAccepted(
        **project_ref(project), acceptance_id=acceptance_id), at)


async def send_back_for_rectification(session: AsyncSession, project_id: str, *,
                                      at: datetime) -> None:
    """The joint acceptance failed: the completed project is rectified before the next round."""
    project = await _awaiting_verdict(session, project_id, "acceptance.failed")
    if project is None:
        return
    move(session, project, "rectifying", at, by_org=None)
    await session.flush()
