"""What a reader may see of an acceptance, and its record with the hash chain recomputed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.acceptance import access, repository
from services.acceptance.domain.chain import Break, Link, verify_chain
from services.acceptance.models import Signature
from services.acceptance.repository import AcceptanceAggregate, Dossier
from shared.auth import Principal

__all__ = ["CheckedRecord", "checked_record", "dossier"]


@dataclass(frozen=True)
class CheckedRecord:
    """An acceptance with the verdict of its hash chain: the first break, or None."""

    aggregate: AcceptanceAggregate
    first_break: Break | None


async def _readable(session: AsyncSession, acceptance_id: str, principal: Principal
                    ) -> AcceptanceAggregate:
    agg = await repository.read(session, acceptance_id)
    access.ensure_may_read(principal, agg.parties, agg.area)
    return agg


async def dossier(session: AsyncSession, acceptance_id: str, principal: Principal) -> Dossier:
    """The committee's view: the acceptance and the project's unresolved complaints."""
    return await repository.load_dossier(session,
                                         await _readable(session, acceptance_id, principal))


def _link_of(signature: Signature) -> Link:
    return Link(
        acceptance_id=signature.acceptance_id, round=signature.round, party=signature.party,
        verdict=signature.verdict, comment=signature.comment, defects=signature.defects,
        signed_at=signature.signed_at, signer=signature.signer,
        prev_hash=signature.prev_hash, hash=signature.hash, position=signature.position,
    )


async def checked_record(session: AsyncSession, acceptance_id: str, principal: Principal
                         ) -> CheckedRecord:
    """The stored signatures' chain recomputed against the head and count on the row."""
    agg = await _readable(session, acceptance_id, principal)
    row = agg.acceptance
    broken = verify_chain(row.id, [_link_of(s) for s in agg.signatures], head=row.chain_head,
                          count=row.signature_count)
    return CheckedRecord(agg, broken)
