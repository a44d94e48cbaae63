"""Use cases that prepare a site for construction: the construction plan and heritage review."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.models import ConstructionPlan, HeritageReview, Project
from services.projects.schemas import (
    ConstructionPlanIn,
    ConstructionPlanPublic,
    HeritageReviewIn,
    HeritageReviewPublic,
    QuietWindow,
)
from services.projects.service import touch
from shared.clock import Clock
from shared.errors import Conflict

__all__ = ["review_heritage", "submit_construction_plan"]

# Once construction is over there is nothing left to plan or to review.
_PREPARABLE = frozenset({"draft", "approved", "under_construction", "suspended"})


def _ensure_preparable(project: Project, what: str) -> None:
    if project.status not in _PREPARABLE:
        raise Conflict(f"a {project.status} project takes no {what}",
                       current_status=project.status)


async def submit_construction_plan(session: AsyncSession, project: Project,
                                   body: ConstructionPlanIn, org: str, clock: Clock
                                   ) -> ConstructionPlanPublic:
    """Record the 施工方案 (a resubmission replaces the previous one)."""
    _ensure_preparable(project, "construction plan")
    plan = ConstructionPlan(
        project_id=project.id, safety_measures=body.safety_measures,
        quiet_hours=[w.model_dump(mode="json") for w in body.quiet_hours],
        disturbance_measures=body.disturbance_measures, submitted_by_org=org,
        submitted_at=clock.now(),
    )
    plan = await session.merge(plan)
    touch(project, clock.now())
    session.add(project)
    await session.flush()
    return ConstructionPlanPublic(
        project_id=project.id, safety_measures=plan.safety_measures,
        quiet_hours=[QuietWindow.model_validate(w) for w in plan.quiet_hours],
        disturbance_measures=plan.disturbance_measures, submitted_at=plan.submitted_at,
        project_version=project.version,
    )


async def review_heritage(session: AsyncSession, project: Project, body: HeritageReviewIn,
                          clock: Clock) -> HeritageReviewPublic:
    """Record the heritage review (保护修缮要求) of a project touching historic fabric."""
    if not project.heritage:
        raise Conflict("the project is not flagged as touching heritage",
                       current_status=project.status)
    _ensure_preparable(project, "heritage review")
    review = await session.merge(HeritageReview(
        project_id=project.id, approved=body.approved, note=body.note,
        reviewed_at=clock.now()))
    touch(project, clock.now())
    session.add(project)
    await session.flush()
    return HeritageReviewPublic(project_id=project.id, approved=review.approved,
                                note=review.note, reviewed_at=review.reviewed_at,
                                project_version=project.version)
