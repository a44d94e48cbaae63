"""A party signs the current round for itself; the last signature decides the round.

The acceptance row is locked before anything is read, so signatures of one acceptance are
taken one at a time: a party signing twice at once gets one 201 and 409s, and the last two
parties signing at once decide the round exactly once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.acceptance import access, events, repository
from services.acceptance.domain.chain import Link, link_hash
from services.acceptance.domain.rounds import (
    check_signature,
    decide_round,
    party_of,
    round_status,
    verdict,
)
from services.acceptance.models import Acceptance, Signature
from services.acceptance.repository import Dossier
from services.acceptance.schemas import SignatureCreate
from services.acceptance.service.sessions import touch
from shared.auth import Principal
from shared.clock import Clock
from shared.db import new_id

__all__ = ["sign"]


def _chain_signature(
    acceptance: Acceptance, body: SignatureCreate, signer: str, now: datetime
) -> Signature:
    """The signature as the next link of the acceptance's chain; moves the chain's head."""
    defects = [d.model_dump() for d in body.defects]
    link = Link(acceptance_id=acceptance.id, round=acceptance.current_round, party=body.party,
                verdict=body.verdict, comment=body.comment, defects=defects, signed_at=now,
                signer=signer, prev_hash=acceptance.chain_head)
    signature = Signature(
        id=new_id(), acceptance_id=acceptance.id, round=link.round, party=link.party,
        verdict=link.verdict, comment=link.comment, defects=defects, signer=signer,
        signed_at=now, position=acceptance.signature_count + 1, prev_hash=link.prev_hash,
        hash=link_hash(link),
    )
    acceptance.chain_head, acceptance.signature_count = signature.hash, signature.position
    return signature


async def sign(
    session: AsyncSession, acceptance_id: str, body: SignatureCreate, *, principal: Principal,
    clock: Clock, if_match: str | None,
) -> Dossier:
    agg = await repository.lock(session, acceptance_id, if_match=if_match)
    acceptance = agg.acceptance
    party = party_of(agg.required, body.party)
    access.ensure_may_sign(principal, party, agg.area)
    current = agg.current_round
    round_signatures = agg.signatures_of(current.number)
    verdicts = {s.party: verdict(s.verdict) for s in round_signatures}
    required = [p.code for p in agg.parties]
    check_signature(
        round_status=round_status(current.status), required=required, signed=verdicts,
        party=party.code, verdict=body.verdict, defect_count=len(body.defects),
    )
    now = clock.now()  # read under the lock: signing times follow the chain's order
    signature = _chain_signature(acceptance, body, principal.sub, now)
    agg.signatures.append(signature)
    session.add(signature)
    verdicts[party.code] = body.verdict
    outcome = decide_round(required, verdicts)
    if outcome != "open":
        current.status, current.decided_at, acceptance.status = outcome, now, outcome
    touch(acceptance, now)
    await session.flush()
    facts = events.signed(acceptance, signature, outcome=outcome,
                          round_signatures=[*round_signatures, signature], verdicts=verdicts)
    await events.stage(session, acceptance, facts, at=now)
    return await repository.load_dossier(session, agg)
