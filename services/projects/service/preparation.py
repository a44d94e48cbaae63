"""Use cases that prepare a site for construction: the construction plan and heritage review.

Both lock the project (its contractor, respectively the district bureau, may act; `If-Match`
checked on the locked row) and bump its version: starting construction decides on them.
Each is published (`project.construction_plan_submitted`, `project.heritage_review_recorded`:
ids, counts and the verdict, never the texts).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import access, domain, repository
from services.projects.events import project_ref, publish_fact
from services.projects.models import ConstructionPlan, HeritageReview, Project
from services.projects.schemas.projects import ConstructionPlanIn, HeritageReviewIn
from services.projects.service.projects import touch
from shared.auth import Principal
from shared.contracts import projects as contract
from shared.errors import Conflict

__all__ = ["review_heritage", "submit_construction_plan"]


async def submit_construction_plan(session: AsyncSession, project_id: str,
                                   body: ConstructionPlanIn, actor: Principal, *,
                                   if_match: str | None, now: datetime
                                   ) -> tuple[ConstructionPlan, Project]:
    """Record the 施工方案 (a resubmission replaces the previous one)."""
    project = await repository.project_for_update(
        session, project_id, admit=access.as_party(actor, "contractor"), if_match=if_match)
    domain.ensure_preparable(project.status, "construction plan")
    resubmission = await repository.find_construction_plan(session, project.id) is not None
    plan = await session.merge(ConstructionPlan(
        project_id=project.id, safety_measures=body.safety_measures,
        quiet_hours=[w.model_dump(mode="json") for w in body.quiet_hours],
        disturbance_measures=body.disturbance_measures,
        submitted_by_org=access.acting_org(actor), submitted_at=now,
    ))
    touch(project, now)
    await session.flush()
    await publish_fact(session, project, contract.ProjectConstructionPlanSubmitted(
        **project_ref(project), submitted_at=now, submitted_by_org=plan.submitted_by_org,
        quiet_windows=len(body.quiet_hours), resubmission=resubmission), at=now)
    return plan, project


async def review_heritage(session: AsyncSession, project_id: str, body: HeritageReviewIn,
                          actor: Principal, *, if_match: str | None, now: datetime
                          ) -> tuple[HeritageReview, Project]:
    """Record the heritage review (保护修缮要求) of a project touching historic fabric."""
    project = await repository.project_for_update(
        session, project_id, admit=access.as_party(actor, staff=("district_bureau",)),
        if_match=if_match)
    if not project.heritage:
        raise Conflict("the project is not flagged as touching heritage",
                       current_status=project.status)
    domain.ensure_preparable(project.status, "heritage review")
    review = await session.merge(HeritageReview(
        project_id=project.id, approved=body.approved, note=body.note, reviewed_at=now))
    touch(project, now)
    await session.flush()
    await publish_fact(session, project, contract.ProjectHeritageReviewRecorded(
        **project_ref(project), approved=body.approved, reviewed_at=now), at=now)
    return review, project
