"""Rows ⇒ API responses."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from decimal import Decimal

from services.projects import access, domain
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
    Survey,
)
from services.projects.schemas.planning import (
    FINDING_KINDS,
    CommunityPublic,
    Finding,
    JurisdictionPublic,
    PlanPublic,
    ResidentOpinion,
    SurveyPublic,
)
from services.projects.schemas.projects import (
    BudgetPublic,
    ConstructionPlanPublic,
    FundingPublic,
    GatesPublic,
    HeritageReviewPublic,
    PartiesPublic,
    ProjectPublic,
    QuietWindow,
    StatusChangePublic,
)
from services.projects.schemas.site import (
    AttachmentPublic,
    HiddenWorkPublic,
    InspectionPublic,
    Location,
    ProgressBatchOut,
    ProgressOutcome,
    ProgressPublic,
)

__all__ = [
    "attachment_public",
    "community_public",
    "construction_plan_public",
    "heritage_review_public",
    "hidden_work_public",
    "plan_public",
    "progress_batch_out",
    "progress_public",
    "project_public",
    "status_change_public",
    "survey_public",
]

CENT = Decimal("0.01")


def community_public(community: Community) -> CommunityPublic:
    jurisdiction = access.jurisdiction_of(community)
    return CommunityPublic(
        id=community.id, name=community.name, district=community.district,
        district_code=jurisdiction.district if jurisdiction else community.district_code,
        batch_deadline=community.batch_deadline, version=community.version,
        jurisdiction=None if jurisdiction is None else JurisdictionPublic(
            district_bureau_org=jurisdiction.district_bureau_org,
            subdistrict_org=jurisdiction.subdistrict_org,
            community_org=jurisdiction.community_org),
        jurisdiction_set_at=community.jurisdiction_set_at, boundary=community.boundary,
        boundary_set_at=community.boundary_set_at,
    )


def survey_public(survey: Survey) -> SurveyPublic:
    findings = [Finding.model_validate(f) for f in survey.findings]
    counted = Counter(str(f.kind) for f in findings)
    return SurveyPublic(
        id=survey.id, community_id=survey.community_id, title=survey.title,
        surveyed_on=survey.surveyed_on, findings=findings,
        resident_opinions=[ResidentOpinion.model_validate(o) for o in survey.resident_opinions],
        counts={kind: counted[kind] for kind in FINDING_KINDS},
        created_at=survey.created_at,
    )


def plan_public(plan: Plan) -> PlanPublic:
    return PlanPublic.model_validate(plan, from_attributes=True)


def _cny(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT)


def project_public(project: Project, gates: domain.Gates) -> ProjectPublic:
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
        status_note=project.status_note, gates=GatesPublic(**asdict(gates)),
    )


def status_change_public(change: ProjectStatusChange) -> StatusChangePublic:
    return StatusChangePublic.model_validate(change, from_attributes=True)


def construction_plan_public(plan: ConstructionPlan, project: Project) -> ConstructionPlanPublic:
    return ConstructionPlanPublic(
        project_id=project.id, safety_measures=plan.safety_measures,
        quiet_hours=[QuietWindow.model_validate(w) for w in plan.quiet_hours],
        disturbance_measures=plan.disturbance_measures,
        submitted_by_org=plan.submitted_by_org, submitted_at=plan.submitted_at,
        project_version=project.version,
    )


def heritage_review_public(review: HeritageReview, project: Project) -> HeritageReviewPublic:
    return HeritageReviewPublic(project_id=project.id, approved=review.approved,
                                note=review.note, reviewed_at=review.reviewed_at,
                                project_version=project.version)


def progress_public(report: ProgressReport) -> ProgressPublic:
    return ProgressPublic(
        id=report.id, project_id=report.project_id, percent=report.percent,
        milestone=report.milestone, note=report.note, photos=list(report.photos),
        location=Location.model_validate(report.location) if report.location else None,
        reported_at=report.reported_at, received_at=report.received_at,
    )


def progress_batch_out(outcomes: Sequence[tuple[str, ProgressReport, bool]], project: Project
                       ) -> ProgressBatchOut:
    """Each item's report and whether it was applied now (else a replayed key)."""
    return ProgressBatchOut(
        items=[ProgressOutcome(idempotency_key=key,
                               outcome="applied" if applied else "duplicate",
                               report=progress_public(report))
               for key, report, applied in outcomes],
        progress_percent=project.progress_percent, schedule_at_risk=project.schedule_at_risk,
        project_version=project.version,
    )


def hidden_work_public(work: HiddenWork, inspections: Sequence[HiddenWorkInspection]
                       ) -> HiddenWorkPublic:
    return HiddenWorkPublic(
        id=work.id, project_id=work.project_id, name=work.name, location=work.location,
        description=work.description, status=work.status, inspections=work.inspections,
        inspection_note=work.inspection_note, inspected_at=work.inspected_at,
        created_at=work.created_at,
        inspection_history=[InspectionPublic.model_validate(i, from_attributes=True)
                            for i in inspections])


def attachment_public(attachment: Attachment) -> AttachmentPublic:
    return AttachmentPublic(id=attachment.id, sha256=attachment.id,
                            content_type=attachment.content_type, size=attachment.size,
                            created_at=attachment.created_at)
