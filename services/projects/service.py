"""Use cases of the project lifecycle: create, approve, start, suspend, resume, complete..."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.projects import domain
from services.projects.events import SOURCE, parties_of
from services.projects.models import (
    ConstructionPlan,
    HeritageReview,
    HiddenWork,
    Plan,
    Project,
    SiteBoard,
)
from services.projects.planning import get_community, get_plan
from services.projects.schemas import (
    BudgetPublic,
    FundingPublic,
    PartiesPublic,
    ProjectCreate,
    ProjectPublic,
)
from shared.clock import Clock
from shared.contracts import projects as contract
from shared.db import new_id
from shared.errors import Conflict, Invalid, NotFound
from shared.events.catalog import EventData
from shared.service import publish

__all__ = [
    "approve_project",
    "cancel_project",
    "complete_project",
    "create_project",
    "get_project",
    "move",
    "operate_project",
    "project_public",
    "publish_fact",
    "rectify_project",
    "resume_project",
    "start_project",
    "suspend_project",
]

CENT = Decimal("0.01")


async def publish_fact(session: AsyncSession, project: Project, clock: Clock,
                       data: EventData) -> None:
    await publish(session, data, subject=project.id, source=SOURCE, clock=clock)


def _budget(body: ProjectCreate) -> domain.Budget:
    b = body.budget
    return domain.Budget(total_cny=b.total_cny, social_capital_cny=b.social_capital_cny,
                         residents_cny=b.residents_cny,
                         gas_account_opening_fee_cny=b.gas_account_opening_fee_cny)


async def _check_plan(session: AsyncSession, body: ProjectCreate) -> None:
    plan = await session.get(Plan, body.plan_id)
    if plan is None or plan.community_id != body.community_id:
        raise Invalid("no such plan in this community", field="plan_id")
    if plan.status != "approved":
        raise Invalid("the plan is not the community's approved plan", field="plan_id")


async def create_project(session: AsyncSession, body: ProjectCreate, clock: Clock) -> Project:
    """Draft a project under its community's currently approved plan."""
    try:
        await get_community(session, body.community_id)
    except NotFound as exc:
        raise Invalid("no such community", field="community_id") from exc
    await _check_plan(session, body)
    try:
        funding = domain.split_fiscal_funding(_budget(body), category=body.category,
                                              community_id=body.community_id, domain=body.domain)
    except domain.BudgetError as exc:
        raise Invalid(str(exc), field=exc.field) from exc
    now = clock.now()
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
    await session.flush()
    await publish_fact(session, project, clock, contract.ProjectCreated(
        project_id=project.id, community_id=project.community_id, plan_id=project.plan_id,
        category=body.category, domain=project.domain, heritage=project.heritage,
        parties=parties_of(project), planned_start=project.planned_start,
        planned_end=project.planned_end, budget_total_cny=f"{body.budget.total_cny:.2f}",
    ))
    return project


async def get_project(session: AsyncSession, project_id: str, *, lock: bool = False) -> Project:
    statement = select(Project).where(Project.id == project_id)  # type: ignore[arg-type]
    if lock:
        statement = statement.with_for_update()
    project = (await session.scalars(statement)).first()
    if project is None:
        raise NotFound(f"no project {project_id}")
    return project


def touch(project: Project, now: datetime) -> None:
    """Every write to a project bumps its version (for If-Match) and its update time."""
    project.version += 1
    project.updated_at = now


def ensure_can(project: Project, target: str) -> None:
    """Refuse an illegal transition with 409 listing the allowed ones."""
    if not domain.can_transition(project.status, target):
        raise Conflict(
            f"a {project.status} project cannot become {target}",
            current_status=project.status, allowed=domain.allowed_transitions(project.status),
        )


def _require_status(project: Project, status: str, action: str) -> None:
    if project.status != status:
        raise Conflict(
            f"only a {status} project can {action}; this one is {project.status}",
            current_status=project.status, allowed=domain.allowed_transitions(project.status),
        )


def move(project: Project, target: str, now: datetime) -> None:
    ensure_can(project, target)
    project.status = target
    touch(project, now)


def _fact(project: Project) -> dict[str, str]:
    return {"project_id": project.id, "community_id": project.community_id}


async def approve_project(session: AsyncSession, project: Project, clock: Clock) -> None:
    ensure_can(project, "approved")
    plan = await get_plan(session, project.plan_id)
    if plan.status != "approved":
        raise Conflict("the project's plan is no longer the approved plan",
                       unmet=["plan_approved"])
    move(project, "approved", clock.now())
    await publish_fact(session, project, clock, contract.ProjectApproved(**_fact(project)))


async def start_facts(session: AsyncSession, project: Project) -> domain.StartFacts:
    review = await session.get(HeritageReview, project.id)
    return domain.StartFacts(
        status=project.status,
        has_construction_plan=await session.get(ConstructionPlan, project.id) is not None,
        site_board_published=await session.get(SiteBoard, project.id) is not None,
        heritage=project.heritage,
        heritage_review_approved=review is not None and review.approved,
    )


async def start_project(session: AsyncSession, project: Project, clock: Clock) -> None:
    _require_status(project, "approved", "start")
    unmet = domain.start_unmet(await start_facts(session, project))
    if unmet:
        raise Conflict("construction cannot start yet", unmet=unmet)
    move(project, "under_construction", clock.now())
    project.started_at = clock.now()
    await publish_fact(session, project, clock, contract.ProjectConstructionStarted(
        **_fact(project), started_at=clock.now()))


async def suspend_project(session: AsyncSession, project: Project, clock: Clock) -> None:
    move(project, "suspended", clock.now())
    await publish_fact(session, project, clock, contract.ProjectSuspended(**_fact(project)))


async def resume_project(session: AsyncSession, project: Project, clock: Clock) -> None:
    _require_status(project, "suspended", "resume")
    move(project, "under_construction", clock.now())
    await publish_fact(session, project, clock, contract.ProjectResumed(**_fact(project)))


async def hidden_work_statuses(session: AsyncSession, project_id: str) -> list[str]:
    statement = select(col(HiddenWork.status)).where(col(HiddenWork.project_id) == project_id)
    return list((await session.scalars(statement)).all())


async def _check_completion(session: AsyncSession, project: Project) -> None:
    unmet = domain.completion_unmet(project.progress_percent,
                                    await hidden_work_statuses(session, project.id))
    if unmet:
        raise Conflict("the works cannot be declared complete yet", unmet=unmet)


async def complete_project(session: AsyncSession, project: Project, clock: Clock) -> None:
    ensure_can(project, "completed")
    await _check_completion(session, project)
    move(project, "completed", clock.now())
    project.completed_at = clock.now()
    await publish_fact(session, project, clock, contract.ProjectCompleted(
        **_fact(project), parties=parties_of(project), completed_at=clock.now()))


async def rectify_project(session: AsyncSession, project: Project, clock: Clock) -> None:
    """The contractor declares the defects of a failed acceptance rectified."""
    _require_status(project, "rectifying", "be rectified")
    await _check_completion(session, project)
    move(project, "completed", clock.now())
    await publish_fact(session, project, clock, contract.ProjectRectified(
        **_fact(project), rectified_at=clock.now()))


async def cancel_project(session: AsyncSession, project: Project, clock: Clock) -> None:
    move(project, "cancelled", clock.now())
    await publish_fact(session, project, clock, contract.ProjectCancelled(**_fact(project)))


async def operate_project(session: AsyncSession, project: Project, clock: Clock) -> None:
    move(project, "in_operation", clock.now())
    await publish_fact(session, project, clock, contract.ProjectPutIntoOperation(**_fact(project)))


def _cny(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT)


def project_public(project: Project) -> ProjectPublic:
    return ProjectPublic(
        id=project.id, community_id=project.community_id, plan_id=project.plan_id,
        title=project.title, category=project.category,
        domain=project.domain, heritage=project.heritage, delivery_mode=project.delivery_mode,
        budget=BudgetPublic(
            total_cny=_cny(project.total_cny),
            social_capital_cny=_cny(project.social_capital_cny),
            residents_cny=_cny(project.residents_cny),
            gas_account_opening_fee_cny=(None if project.gas_account_opening_fee_cny is None
                                         else _cny(project.gas_account_opening_fee_cny)),
        ),
        funding=FundingPublic(
            city_fiscal_cny=_cny(project.city_fiscal_cny),
            district_fiscal_cny=_cny(project.district_fiscal_cny),
            social_capital_cny=_cny(project.social_capital_cny),
            residents_cny=_cny(project.residents_cny),
        ),
        parties=PartiesPublic.model_validate(project.parties),
        planned_start=project.planned_start, planned_end=project.planned_end,
        status=project.status,
        version=project.version, progress_percent=project.progress_percent,
        schedule_at_risk=project.schedule_at_risk, created_at=project.created_at,
        updated_at=project.updated_at, started_at=project.started_at,
        completed_at=project.completed_at,
        allowed_transitions=domain.allowed_transitions(project.status),
    )


__all__ += ["hidden_work_statuses", "start_facts", "touch"]
