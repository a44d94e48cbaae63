"""Loads, locks, pages and lookups of the property service; the queries, not the rules.

Every row read for a write is loaded here with `load_for_update` (locked, `If-Match` checked
on the locked row). Writers take their locks in one order, trial ⇒ vote ⇒ compound, so two
writers never wait for each other in a cycle: closing a vote (and converting its trial) and
ending a trial lock the trial first; a ballot locks only its vote; a register replacement and
a new trial lock only the compound.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TypeAlias, TypeVar, cast

from sqlalchemy import exists, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from services.property.domain import Choice, TrialStatus
from services.property.models import (
    Assessment,
    Ballot,
    Candidate,
    ComplaintRecord,
    Compound,
    OwnerUnit,
    Provider,
    Trial,
    Vote,
    VoteOwner,
)
from shared.errors import NotFound
from shared.pagination import keyset_page
from shared.repository import get_or_404, load_for_update

__all__ = [
    "PageRows",
    "assessment_id_of",
    "assessments_page",
    "ballot_of",
    "candidates_page",
    "complaint_recorded",
    "complaints_between",
    "compounds_page",
    "coverage_rows",
    "get_compound",
    "get_provider",
    "get_trial",
    "get_vote",
    "latest_vote",
    "lock_compound",
    "lock_open_vote",
    "lock_trial",
    "lock_vote",
    "lock_vote_and_trial",
    "on_vote_register",
    "open_vote_id",
    "provider_id_with_licence",
    "providers_page",
    "running_trial_id",
    "trials_page",
    "units_of",
    "unmanaged_without_running_trial",
    "vote_choices",
    "vote_register",
    "vote_shown",
    "votes_page",
]

T = TypeVar("T")
# One page of rows and the cursor of the next page, as `keyset_page` returns it.
PageRows: TypeAlias = tuple[list[T], str | None]


# --- loads for a write (locked) -------------------------------------------------------------

async def lock_compound(session: AsyncSession, compound_id: str, *,
                        if_match: str | None = None) -> Compound:
    return await load_for_update(session, Compound, compound_id, "compound", if_match=if_match)


async def lock_trial(session: AsyncSession, trial_id: str, *,
                     if_match: str | None = None) -> Trial:
    return await load_for_update(session, Trial, trial_id, "trial", if_match=if_match)


async def lock_vote(session: AsyncSession, vote_id: str) -> Vote:
    return await load_for_update(session, Vote, vote_id, "vote")


async def lock_vote_and_trial(session: AsyncSession, vote_id: str, *,
                              if_match: str | None = None) -> tuple[Trial, Vote]:
    """The vote and its trial, locked trial first (a vote's trial never changes)."""
    trial_id = await session.scalar(select(Vote.trial_id).where(Vote.id == vote_id))
    if trial_id is None:
        raise NotFound(f"no vote {vote_id}")
    trial = await lock_trial(session, trial_id)
    vote = await load_for_update(session, Vote, vote_id, "vote", if_match=if_match)
    return trial, vote


async def lock_open_vote(session: AsyncSession, trial_id: str) -> Vote | None:
    """The trial's open vote, locked; call with the trial locked so it cannot change."""
    vote_id = await open_vote_id(session, trial_id)
    return None if vote_id is None else await lock_vote(session, vote_id)


# --- reads ----------------------------------------------------------------------------------

async def get_compound(session: AsyncSession, compound_id: str) -> Compound:
    return await get_or_404(session, Compound, compound_id, "compound")


async def get_provider(session: AsyncSession, provider_id: str) -> Provider:
    return await get_or_404(session, Provider, provider_id, "provider")


async def get_trial(session: AsyncSession, trial_id: str) -> Trial:
    return await get_or_404(session, Trial, trial_id, "trial")


async def get_vote(session: AsyncSession, vote_id: str) -> Vote:
    return await get_or_404(session, Vote, vote_id, "vote")


async def units_of(session: AsyncSession, compound_id: str) -> list[OwnerUnit]:
    """The compound's owner register, one row per unit, in register order."""
    statement = (select(OwnerUnit).where(OwnerUnit.compound_id == compound_id)
                 .order_by(col(OwnerUnit.position)))
    return list((await session.scalars(statement)).all())


async def provider_id_with_licence(session: AsyncSession, license_no: str) -> str | None:
    return await session.scalar(select(Provider.id).where(Provider.license_no == license_no))


async def running_trial_id(session: AsyncSession, compound_id: str) -> str | None:
    return await session.scalar(select(Trial.id).where(Trial.running_compound_id == compound_id))


async def open_vote_id(session: AsyncSession, trial_id: str) -> str | None:
    return await session.scalar(select(Vote.id).where(Vote.open_trial_id == trial_id))


async def latest_vote(session: AsyncSession, trial_id: str) -> Vote | None:
    return await session.scalar(
        select(Vote).where(Vote.trial_id == trial_id)
        .order_by(col(Vote.opened_at).desc(), col(Vote.id).desc()).limit(1)
    )


async def assessment_id_of(session: AsyncSession, trial_id: str, period: str,
                           body: str) -> str | None:
    """The assessment `body` already recorded for the trial's `period`, if any."""
    return await session.scalar(select(Assessment.id).where(
        col(Assessment.trial_id) == trial_id,
        col(Assessment.period) == period,
        col(Assessment.body) == body,
    ))


async def complaints_between(session: AsyncSession, compound_id: str, start: datetime,
                             end: datetime) -> int:
    """Property-service complaints about the compound received in `[start, end)`."""
    count = await session.scalar(select(func.count()).select_from(ComplaintRecord).where(
        col(ComplaintRecord.compound_id) == compound_id,
        col(ComplaintRecord.occurred_at) >= start,
        col(ComplaintRecord.occurred_at) < end,
    ))
    return int(count or 0)


async def complaint_recorded(session: AsyncSession, complaint_id: str) -> bool:
    return await session.get(ComplaintRecord, complaint_id) is not None


async def on_vote_register(session: AsyncSession, vote_id: str, owner_id: str) -> bool:
    return await session.get(VoteOwner, (vote_id, owner_id)) is not None


async def ballot_of(session: AsyncSession, vote_id: str, owner_id: str) -> Ballot | None:
    return await session.get(Ballot, (vote_id, owner_id))


async def vote_register(session: AsyncSession, vote_id: str) -> dict[str, Decimal]:
    """The vote's register snapshot: owner ⇒ exclusive area."""
    rows = (await session.scalars(select(VoteOwner).where(VoteOwner.vote_id == vote_id))).all()
    return {row.owner_id: row.area_m2 for row in rows}


async def vote_choices(session: AsyncSession, vote_id: str) -> dict[str, Choice]:
    """The vote's current ballots: owner ⇒ choice."""
    rows = (await session.scalars(select(Ballot).where(Ballot.vote_id == vote_id))).all()
    return {row.owner_id: cast(Choice, row.choice) for row in rows}


async def _ballots_cast(session: AsyncSession, vote_ids: Sequence[str]) -> dict[str, int]:
    statement = (select(Ballot.vote_id, func.count()).where(col(Ballot.vote_id).in_(vote_ids))
                 .group_by(col(Ballot.vote_id)))
    return {vote_id: int(count) for vote_id, count in (await session.execute(statement)).all()}


async def vote_shown(session: AsyncSession, vote_id: str) -> tuple[Vote, int]:
    """The vote and how many ballots it has."""
    vote = await get_vote(session, vote_id)
    return vote, (await _ballots_cast(session, [vote.id])).get(vote.id, 0)


def _unmanaged_without_running_trial(community_id: str) -> SelectOfScalar[Compound]:
    running = exists().where(col(Trial.running_compound_id) == col(Compound.id))
    return select(Compound).where(
        col(Compound.community_id) == community_id,
        col(Compound.has_property_management).is_(False),
        ~running,
    )


async def unmanaged_without_running_trial(session: AsyncSession,
                                          community_id: str) -> list[Compound]:
    statement = _unmanaged_without_running_trial(community_id)
    return list((await session.scalars(statement)).all())


async def _candidate_triggers(session: AsyncSession, compound_ids: Sequence[str]
                             ) -> dict[str, list[Candidate]]:
    """The acceptances that offered each compound, oldest first."""
    statement = (select(Candidate).where(col(Candidate.compound_id).in_(compound_ids))
                 .order_by(col(Candidate.recorded_at), col(Candidate.id)))
    found: dict[str, list[Candidate]] = {}
    for row in (await session.scalars(statement)).all():
        found.setdefault(row.compound_id, []).append(row)
    return found


async def coverage_rows(session: AsyncSession, community_id: str
                        ) -> list[tuple[Compound, bool]]:
    """Each compound of the community and whether a trial is running on it."""
    compounds = (await session.scalars(
        select(Compound).where(Compound.community_id == community_id)
    )).all()
    running = set((await session.scalars(
        select(Trial.compound_id).where(Trial.community_id == community_id,
                                        col(Trial.running_compound_id).is_not(None))
    )).all())
    return [(compound, compound.id in running) for compound in compounds]


# --- pages ----------------------------------------------------------------------------------

async def compounds_page(session: AsyncSession, community_id: str | None, *, limit: int,
                         cursor: str | None) -> PageRows[Compound]:
    statement = select(Compound)
    if community_id is not None:
        statement = statement.where(Compound.community_id == community_id)
    return await keyset_page(session, statement, [Compound.created_at, Compound.id],  # type: ignore[list-item]
                             limit=limit, cursor=cursor)


async def providers_page(session: AsyncSession, *, limit: int, cursor: str | None
                         ) -> PageRows[Provider]:
    return await keyset_page(session, select(Provider), [Provider.created_at, Provider.id],  # type: ignore[list-item]
                             limit=limit, cursor=cursor)


async def candidates_page(session: AsyncSession, community_id: str, *, limit: int,
                          cursor: str | None) -> PageRows[tuple[Compound, list[Candidate]]]:
    """Compounds still unmanaged and without a running trial that an acceptance offered,
    each with the acceptances that offered it."""
    offered = exists().where(col(Candidate.compound_id) == col(Compound.id))
    statement = _unmanaged_without_running_trial(community_id).where(offered)
    compounds, next_cursor = await keyset_page(
        session, statement, [Compound.created_at, Compound.id],  # type: ignore[list-item]
        limit=limit, cursor=cursor,
    )
    triggers = await _candidate_triggers(session, [c.id for c in compounds])
    return [(c, triggers.get(c.id, [])) for c in compounds], next_cursor


async def trials_page(session: AsyncSession, *, compound_id: str | None,
                      community_id: str | None, status: TrialStatus | None,
                      provider_org: str | None, limit: int, cursor: str | None
                      ) -> PageRows[Trial]:
    """One page of trials, filtered; `provider_org`: only the trials of that provider org."""
    statement = select(Trial)
    if provider_org is not None:
        statement = statement.where(Trial.provider_org == provider_org)
    if compound_id is not None:
        statement = statement.where(Trial.compound_id == compound_id)
    if community_id is not None:
        statement = statement.where(Trial.community_id == community_id)
    if status is not None:
        statement = statement.where(Trial.status == status)
    return await keyset_page(session, statement, [Trial.created_at, Trial.id],  # type: ignore[list-item]
                             limit=limit, cursor=cursor)


async def assessments_page(session: AsyncSession, trial_id: str, *, limit: int,
                           cursor: str | None) -> PageRows[Assessment]:
    statement = select(Assessment).where(Assessment.trial_id == trial_id)
    return await keyset_page(session, statement, [Assessment.created_at, Assessment.id],  # type: ignore[list-item]
                             limit=limit, cursor=cursor)


async def votes_page(session: AsyncSession, trial_id: str, *, limit: int, cursor: str | None
                     ) -> PageRows[tuple[Vote, int]]:
    """The trial's votes, each with how many ballots it has."""
    statement = select(Vote).where(Vote.trial_id == trial_id)
    votes, next_cursor = await keyset_page(session, statement, [Vote.opened_at, Vote.id],  # type: ignore[list-item]
                                           limit=limit, cursor=cursor)
    counts = await _ballots_cast(session, [v.id for v in votes])
    return [(v, counts.get(v.id, 0)) for v in votes], next_cursor
