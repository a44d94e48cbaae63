"""Loaded acceptances as their API responses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast
from urllib.parse import urlencode

from services.acceptance.domain.record_links import SignedLink
from services.acceptance.models import Acceptance, AcceptanceRound, ComplaintView, Signature
from services.acceptance.repository import AcceptanceAggregate, Dossier
from services.acceptance.schemas import (
    AcceptancePublic,
    AcceptanceSummary,
    ChainBreak,
    ComplaintPublic,
    Defect,
    DefectPublic,
    PartyPublic,
    RecordLinkPublic,
    RecordPublic,
    RoundPublic,
    RoundStatus,
    SignaturePublic,
    VerificationPublic,
)
from services.acceptance.service.reading import CheckedRecord
from shared.jurisdiction import PILOT_COMMUNITY_NAMES

__all__ = [
    "acceptance_view",
    "record_link_view",
    "record_view",
    "summary_view",
    "verification_view",
]


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


def _parties_view(agg: AcceptanceAggregate, round_number: int) -> list[PartyPublic]:
    """Every required party with its signature in round `round_number` (unsigned: none)."""
    by_party = {s.party: s for s in agg.signatures_of(round_number)}
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


def _complaints_view(complaints: Sequence[ComplaintView]) -> list[ComplaintPublic]:
    return [
        ComplaintPublic(complaint_id=c.complaint_id, kind=c.kind, category=c.category,
                        status=c.status, updated_at=c.occurred_at)
        for c in complaints
    ]


def acceptance_view(dossier: Dossier) -> AcceptancePublic:
    agg, complaints = dossier.aggregate, dossier.unresolved_complaints
    current = agg.current_round
    return AcceptancePublic(
        **summary_view(agg.acceptance).model_dump(),
        scheduled_at=current.scheduled_at, place=current.place,
        parties=_parties_view(agg, current.number),
        defects=_defects(agg.signatures_of(current.number)),
        rounds=[_round_view(r, agg.signatures_of(r.number)) for r in agg.rounds],
        unresolved_complaints=_complaints_view(complaints),
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
    """The record: the parties as they signed the current round, whose outcome is the
    acceptance's status, then every round."""
    agg = checked.aggregate
    row, current = agg.acceptance, agg.current_round
    return RecordPublic(
        acceptance_id=row.id, project_id=row.project_id, project_title=row.project_title,
        community_id=row.community_id,
        community_name=PILOT_COMMUNITY_NAMES.get(row.community_id),
        round=current.number, status=cast(RoundStatus, row.status),
        required_parties=_parties_view(agg, current.number),
        rounds=[_round_view(r, agg.signatures_of(r.number)) for r in agg.rounds],
        unresolved_complaints=_complaints_view(checked.unresolved_complaints),
        verification=verification_view(checked), generated_at=generated_at,
    )


def record_link_view(record_url: str, link: SignedLink) -> RecordLinkPublic:
    """`record_url` (the printable record's address) signed by `link`."""
    query = urlencode({"expires": link.expires, "signature": link.signature})
    return RecordLinkPublic(url=f"{record_url}?{query}", expires_at=link.expires_at)
