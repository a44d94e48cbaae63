"""What the acceptance service publishes: its source and the facts of each change.

Every fact is keyed by the acceptance id and carries no free text (comments and defect
descriptions stay in the record): counts and party codes only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.acceptance.config import NAME
from services.acceptance.domain.rounds import RoundStatus, Verdict, rejecting_parties, verdict
from services.acceptance.models import Acceptance, Signature
from shared.contracts.acceptance import (
    AcceptanceFailed,
    AcceptancePassed,
    AcceptanceRoundOpened,
    AcceptanceScheduled,
    AcceptanceSessionOpened,
    AcceptanceSigned,
)
from shared.events import EventData
from shared.service import publish, source_of

__all__ = ["SOURCE", "round_opened", "scheduled", "session_opened", "signed", "stage"]

SOURCE = source_of(NAME)


def _about(acceptance: Acceptance, round_: int) -> dict[str, Any]:
    return {"acceptance_id": acceptance.id, "project_id": acceptance.project_id,
            "community_id": acceptance.community_id, "round": round_}


def session_opened(acceptance: Acceptance, parties: Sequence[str]) -> AcceptanceSessionOpened:
    return AcceptanceSessionOpened(**_about(acceptance, 1), required_parties=list(parties))


def round_opened(acceptance: Acceptance, parties: Sequence[str]) -> AcceptanceRoundOpened:
    return AcceptanceRoundOpened(**_about(acceptance, acceptance.current_round),
                                 required_parties=list(parties))


def scheduled(acceptance: Acceptance, scheduled_at: datetime) -> AcceptanceScheduled:
    """The time only: the place is free text and stays in the record."""
    return AcceptanceScheduled(**_about(acceptance, acceptance.current_round),
                               scheduled_at=scheduled_at)


def signed(
    acceptance: Acceptance, signature: Signature, *, outcome: RoundStatus,
    round_signatures: Sequence[Signature], verdicts: Mapping[str, Verdict],
) -> list[EventData]:
    """`acceptance.signed`, then `passed` or `failed` when this signature decided the round."""
    about = _about(acceptance, signature.round)
    facts: list[EventData] = [AcceptanceSigned(
        **about, party=signature.party, verdict=verdict(signature.verdict),
        defect_count=len(signature.defects),
    )]
    if outcome == "passed":
        facts.append(AcceptancePassed(**about, decided_at=signature.signed_at))
    elif outcome == "failed":
        facts.append(AcceptanceFailed(
            **about, decided_at=signature.signed_at,
            defect_count=sum(len(s.defects) for s in round_signatures),
            rejecting_parties=rejecting_parties(verdicts),
        ))
    return facts


async def stage(session: AsyncSession, acceptance: Acceptance, facts: Iterable[EventData], *,
                at: datetime) -> None:
    """Stage `facts` in the caller's transaction, keyed by the acceptance, happened `at`."""
    for fact in facts:
        await publish(session, fact, subject=acceptance.id, source=SOURCE, at=at)
