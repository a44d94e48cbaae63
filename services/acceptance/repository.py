"""Loading acceptances and their parts; the queries, not the rules."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.acceptance.domain import Party
from services.acceptance.models import (
    Acceptance,
    AcceptanceParty,
    AcceptanceRound,
    ComplaintView,
    Signature,
)
from shared.errors import NotFound

__all__ = ["AcceptanceAggregate", "load_acceptance", "load_aggregate", "unresolved_complaints"]

_RESOLVED = ("resolved", "closed")


@dataclass
class AcceptanceAggregate:
    """An acceptance with its parties, rounds and signatures (all in order)."""

    acceptance: Acceptance
    parties: list[AcceptanceParty]
    rounds: list[AcceptanceRound]
    signatures: list[Signature]

    @property
    def required(self) -> list[Party]:
        return [Party(p.code, p.role, p.org) for p in self.parties]

    @property
    def current_round(self) -> AcceptanceRound:
        return self.rounds[-1]

    def signatures_of(self, number: int) -> list[Signature]:
        return [s for s in self.signatures if s.round == number]


async def load_acceptance(
    session: AsyncSession, acceptance_id: str, *, for_update: bool = False
) -> Acceptance:
    """The acceptance row; `for_update` serialises writers (signing, scheduling, rounds)."""
    statement = select(Acceptance).where(col(Acceptance.id) == acceptance_id)
    if for_update:
        statement = statement.with_for_update()
    acceptance = (await session.scalars(statement)).one_or_none()
    if acceptance is None:
        raise NotFound(f"acceptance {acceptance_id} not found")
    return acceptance


async def load_aggregate(session: AsyncSession, acceptance: Acceptance) -> AcceptanceAggregate:
    parties = await session.scalars(
        select(AcceptanceParty)
        .where(col(AcceptanceParty.acceptance_id) == acceptance.id)
        .order_by(col(AcceptanceParty.ordinal))
    )
    rounds = await session.scalars(
        select(AcceptanceRound)
        .where(col(AcceptanceRound.acceptance_id) == acceptance.id)
        .order_by(col(AcceptanceRound.number))
    )
    signatures = await session.scalars(
        select(Signature)
        .where(col(Signature.acceptance_id) == acceptance.id)
        .order_by(col(Signature.position))
    )
    return AcceptanceAggregate(acceptance, list(parties), list(rounds), list(signatures))


async def unresolved_complaints(session: AsyncSession, project_id: str) -> list[ComplaintView]:
    rows = await session.scalars(
        select(ComplaintView)
        .where(col(ComplaintView.project_id) == project_id)
        .where(col(ComplaintView.status).not_in(_RESOLVED))
        .order_by(col(ComplaintView.occurred_at), col(ComplaintView.complaint_id))
    )
    return list(rows)
