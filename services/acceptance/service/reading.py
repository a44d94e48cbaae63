"""What a reader may see of an acceptance, and its record with the hash chain recomputed.

The record is read with a reader's token, or by a browser through a signed, expiring link
(`record_link`, then `printable_record`): the link, checked before anything is loaded, opens
that one acceptance's printable record and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.acceptance import access, repository
from services.acceptance.domain.chain import Break, Link, verify_chain
from services.acceptance.domain.record_links import SignedLink, check_link, sign_link
from services.acceptance.models import ComplaintView, Signature
from services.acceptance.repository import AcceptanceAggregate, Dossier
from shared.auth import Principal

__all__ = ["CheckedRecord", "checked_record", "dossier", "printable_record", "record_link"]


@dataclass(frozen=True)
class CheckedRecord:
    """An acceptance with the verdict of its hash chain (the first break, or None) and the
    project's unresolved complaints."""

    aggregate: AcceptanceAggregate
    first_break: Break | None
    unresolved_complaints: list[ComplaintView]


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


async def _checked(session: AsyncSession, agg: AcceptanceAggregate) -> CheckedRecord:
    """The stored signatures' chain recomputed against the head and count on the row."""
    row = agg.acceptance
    broken = verify_chain(row.id, [_link_of(s) for s in agg.signatures], head=row.chain_head,
                          count=row.signature_count)
    complaints = (await repository.load_dossier(session, agg)).unresolved_complaints
    return CheckedRecord(agg, broken, complaints)


async def checked_record(session: AsyncSession, acceptance_id: str, principal: Principal
                         ) -> CheckedRecord:
    return await _checked(session, await _readable(session, acceptance_id, principal))


async def record_link(
    session: AsyncSession, acceptance_id: str, principal: Principal, *, key: bytes,
    ttl: timedelta, now: datetime,
) -> SignedLink:
    """A link a browser opens the printable record with, for a reader of the acceptance."""
    await _readable(session, acceptance_id, principal)
    return sign_link(key, acceptance_id, now=now, ttl=ttl)


async def printable_record(
    session: AsyncSession, acceptance_id: str, *, principal: Principal | None,
    link: SignedLink | None, key: bytes, now: datetime,
) -> CheckedRecord:
    """The record opened by a signed link (checked first: a forged one learns nothing, not
    even whether the acceptance exists), else by a reader's token."""
    if link is not None:
        check_link(key, acceptance_id, link, now=now)
        return await _checked(session, await repository.read(session, acceptance_id))
    return await checked_record(session, acceptance_id, access.ensure_reader(principal))
