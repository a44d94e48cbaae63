"""Loaded acceptances as their API responses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from services.acceptance.models import Acceptance, AcceptanceRound, Signature
from services.acceptance.repository import AcceptanceAggregate, Dossier
from services.acceptance.schemas import (
    AcceptancePublic,
    AcceptanceSummary,
    ChainBreak,
    ComplaintPublic,
    Defect,
    DefectPublic,
    PartyPublic,
    RecordPublic,
    RoundPublic,
    RoundStatus,
    SignaturePublic,
    VerificationPublic,
)
from services.acceptance.service.reading import CheckedRecord

__all__ = ["acceptance_view", "record_view", "summary_view", "verification_view"]


def summary_view(row: Acceptance) -> AcceptanceSummary:
    return AcceptanceSummary(
        id=row.id, project_id=row.project_id, community_id=row.community_id,
        round=row.current_round, status=cast(RoundStatus, row.status), version=row.version,
        created_at=row.created_at, updated_at=row.updated_at,
    )


def _signature_view(signature: Signature) -> SignaturePublic:
    return SignaturePublic(
        round=signature.round, party=signature.party,
        verdict="approve" if signature.verdict == "approve" else "reject",
        comment=signature.comment,
        defects=[Defect.model_validate(d) for d in signature.defects],
        signer=signature.signer, signed_at=signature.signed_at, position=signature.position,
        hash=signature.hash,
    )


def _defects(signatures: Sequence[Signature]) -> list[DefectPublic]:
    return [DefectPublic(party=s.party, **d) for s in signatures for d in s.defects]


def _round_view(row: AcceptanceRound, signatures: Sequence[Signature]) -> RoundPublic:
    return RoundPublic(
        number=row.number, status=cast(RoundStatus, row.status), opened_at=row.opened_at,
        decided_at=row.decided_at, scheduled_at=row.scheduled_at, place=row.place,
        signatures=[_signature_view(s) for s in signatures], defects=_defects(signatures),
    )


def _parties_view(agg: AcceptanceAggregate, *, signed_in_round: int | None) -> list[PartyPublic]:
    by_party = {s.party: s for s in agg.signatures_of(signed_in_round or 0)}
    views = []
    for party in agg.parties:
        signature = by_party.get(party.code)
        views.append(PartyPublic(
            party=party.code, role=party.role, org=agg.org_of(party), signed=signature is not None,
            verdict=_signature_view(signature).verdict if signature else None,
            signed_at=signature.signed_at if signature else None,
            signer=signature.signer if signature else None,
        ))
    return views


def acceptance_view(dossier: Dossier) -> AcceptancePublic:
    agg, complaints = dossier.aggregate, dossier.unresolved_complaints
    current = agg.current_round
    return AcceptancePublic(
        **summary_view(agg.acceptance).model_dump(),
        scheduled_at=current.scheduled_at, place=current.place,
        parties=_parties_view(agg, signed_in_round=current.number),
        defects=_defects(agg.signatures_of(current.number)),
        rounds=[_round_view(r, agg.signatures_of(r.number)) for r in agg.rounds],
        unresolved_complaints=[
            ComplaintPublic(complaint_id=c.complaint_id, kind=c.kind, category=c.category,
                            status=c.status)
            for c in complaints
        ],
        unresolved_complaint_count=len(complaints),
    )


def verification_view(checked: CheckedRecord) -> VerificationPublic:
    broken = checked.first_break
    return VerificationPublic(
        valid=broken is None, signatures_checked=len(checked.aggregate.signatures),
        first_broken=None if broken is None else ChainBreak(
            round=broken.round, party=broken.party, position=broken.position,
            reason=broken.reason,
        ),
    )


def record_view(checked: CheckedRecord, generated_at: datetime) -> RecordPublic:
    agg = checked.aggregate
    return RecordPublic(
        acceptance_id=agg.acceptance.id, project_id=agg.acceptance.project_id,
        community_id=agg.acceptance.community_id,
        status=cast(RoundStatus, agg.acceptance.status),
        required_parties=_parties_view(agg, signed_in_round=None),
        rounds=[_round_view(r, agg.signatures_of(r.number)) for r in agg.rounds],
        verification=verification_view(checked), generated_at=generated_at,
    )
