"""Use cases for the owners' conversion vote (Civil Code art. 278) and the conversion.

Rules chosen here (see README of the service):
- the register snapshot is the `owners` list given when opening, else the compound's roster;
- a second ballot by the same owner replaces the first until the vote closes;
- a vote closes after `closes_at`, or earlier once every owner on the register has voted.
Events are keyed by the trial id so a trial's facts stay in order; they carry counts and
areas only, never owner ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import cast

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from services.property_service import domain
from services.property_service.events import publish_trial_fact, trial_fact
from services.property_service.models import Ballot, Compound, OwnerUnit, Trial, Vote, VoteOwner
from services.property_service.schemas import (
    BallotCreate,
    OwnerEntry,
    RatioPublic,
    ShareTestPublic,
    VoteCreate,
    VotePublic,
)
from services.property_service.trial_service import get_trial
from shared.auth import Principal
from shared.clock import Clock
from shared.contracts.property_service import (
    PropertyContractConverted,
    PropertyVoteClosed,
    PropertyVoteOpened,
)
from shared.db import get_or_404, new_id
from shared.deps import check_version
from shared.errors import Conflict, Forbidden, Invalid
from shared.pagination import keyset_page

__all__ = [
    "BALLOT_CLERK_ROLES",
    "cast_ballot",
    "close_vote",
    "get_vote",
    "open_vote",
    "vote_public",
    "votes_page",
]

# Staff keying in paper ballots may cast for any owner on the register.
BALLOT_CLERK_ROLES = frozenset({"admin", "owners", "community"})


async def open_vote(session: AsyncSession, trial_id: str, body: VoteCreate,
                    clock: Clock) -> Vote:
    trial = await get_trial(session, trial_id)
    if trial.status not in domain.ACTIVE_TRIAL_STATUSES:
        raise Conflict(f"the trial is {trial.status}: no vote can open", trial_status=trial.status,
                       unmet=["trial active or extended"])
    if body.closes_at <= clock.now():
        raise Invalid("closes_at must be in the future", field="closes_at")
    if await session.scalar(select(Vote.id).where(Vote.open_trial_id == trial.id)) is not None:
        raise Conflict("the trial already has an open vote", unmet=["no open vote"])
    register = await _register(session, trial.compound_id, body.owners)
    vote = Vote(
        id=new_id(), trial_id=trial.id, open_trial_id=trial.id, status="open",
        closes_at=body.closes_at, opened_at=clock.now(), eligible_owners=len(register),
        eligible_area_m2=sum(register.values(), Decimal(0)),
    )
    session.add(vote)
    await session.flush()
    units = _units_per_owner(body.owners, await _roster(session, trial.compound_id))
    for owner_id, area in register.items():
        session.add(VoteOwner(vote_id=vote.id, owner_id=owner_id, area_m2=area,
                              units=units[owner_id]))
    await session.flush()
    await publish_trial_fact(session, PropertyVoteOpened(
        **trial_fact(trial), vote_id=vote.id, eligible_owners=vote.eligible_owners,
        eligible_area_m2=str(vote.eligible_area_m2), closes_at=vote.closes_at,
    ), subject=trial.id, clock=clock)
    return vote


async def _roster(session: AsyncSession, compound_id: str) -> list[OwnerEntry]:
    units = (await session.scalars(
        select(OwnerUnit).where(OwnerUnit.compound_id == compound_id)
        .order_by(col(OwnerUnit.position))
    )).all()
    return [OwnerEntry(owner_id=u.owner_id, area_m2=u.area_m2) for u in units]


async def _register(session: AsyncSession, compound_id: str,
                    given: Sequence[OwnerEntry] | None) -> dict[str, Decimal]:
    entries = given if given else await _roster(session, compound_id)
    if not entries:
        raise Conflict("no owner register: give owners or PUT /compounds/{id}/owners first",
                       unmet=["owner register"])
    return domain.register_by_owner((e.owner_id, e.area_m2) for e in entries)


def _units_per_owner(given: Sequence[OwnerEntry] | None, roster: Sequence[OwnerEntry]
                     ) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in given or roster:
        counts[entry.owner_id] = counts.get(entry.owner_id, 0) + 1
    return counts


async def get_vote(session: AsyncSession, vote_id: str) -> Vote:
    return await get_or_404(session, Vote, vote_id, "vote")


async def votes_page(session: AsyncSession, trial_id: str, *, limit: int, cursor: str | None
                     ) -> tuple[list[Vote], str | None]:
    await get_trial(session, trial_id)
    statement = select(Vote).where(Vote.trial_id == trial_id)
    return await keyset_page(session, statement, [Vote.opened_at, Vote.id],  # type: ignore[list-item]
                             limit=limit, cursor=cursor)


def _may_cast_for(principal: Principal, owner_id: str) -> bool:
    if principal.has_any(BALLOT_CLERK_ROLES):
        return True
    return "owner" in principal.roles and principal.sub == owner_id


async def cast_ballot(session: AsyncSession, vote_id: str, body: BallotCreate,
                      principal: Principal, clock: Clock) -> tuple[Ballot, bool]:
    """Record (or replace) an owner's ballot; returns it and whether it replaced one."""
    if not _may_cast_for(principal, body.owner_id):
        raise Forbidden("an owner votes only for themselves")
    vote = await get_vote(session, vote_id)
    if vote.status != "open":
        raise Conflict(f"the vote is {vote.status}", vote_status=vote.status)
    if clock.now() >= vote.closes_at:
        raise Conflict("the voting period has ended", closes_at=vote.closes_at.isoformat())
    if await session.get(VoteOwner, (vote.id, body.owner_id)) is None:
        raise Invalid("owner_id is not on the vote's register", field="owner_id")
    ballot = await session.get(Ballot, (vote.id, body.owner_id))
    replaced = ballot is not None
    if ballot is None:
        ballot = Ballot(vote_id=vote.id, owner_id=body.owner_id, choice=body.choice,
                        cast_at=clock.now(), keyed_in_by=principal.sub)
    else:
        ballot.choice, ballot.cast_at, ballot.keyed_in_by = body.choice, clock.now(), principal.sub
        ballot.replaced += 1
    session.add(ballot)
    await session.flush()
    return ballot, replaced


async def ballots_cast(session: AsyncSession, vote_id: str) -> int:
    count = await session.scalar(
        select(func.count()).select_from(Ballot).where(Ballot.vote_id == vote_id)
    )
    return int(count or 0)


async def close_vote(session: AsyncSession, vote_id: str, if_match: str | None,
                     clock: Clock) -> Vote:
    vote = await get_vote(session, vote_id)
    check_version(if_match, vote.version)
    if vote.status != "open":
        raise Conflict(f"the vote is already {vote.status}", vote_status=vote.status)
    voted = await ballots_cast(session, vote.id)
    if clock.now() < vote.closes_at and voted < vote.eligible_owners:
        raise Conflict("the vote closes at closes_at, or earlier once every owner has voted",
                       unmet=["closes_at passed or every owner voted"],
                       ballots_cast=voted, eligible_owners=vote.eligible_owners)
    tally = domain.tally_vote(await _snapshot(session, vote.id), await _choices(session, vote.id))
    vote.status, vote.open_trial_id, vote.closed_at = tally.status, None, clock.now()
    vote.result = _result(tally)
    vote.version += 1
    session.add(vote)
    await session.flush()
    trial = await get_trial(session, vote.trial_id)
    await publish_trial_fact(session, PropertyVoteClosed(
        **trial_fact(trial), vote_id=vote.id, status=tally.status,
        participating_owners=tally.participating_owners,
        participating_area_m2=str(tally.participating_area),
        approving_owners=tally.approving_owners, approving_area_m2=str(tally.approving_area),
    ), subject=trial.id, clock=clock)
    if tally.status == "passed":
        await _convert(session, trial, clock)
    return vote


async def _snapshot(session: AsyncSession, vote_id: str) -> dict[str, Decimal]:
    rows = (await session.scalars(
        select(VoteOwner).where(VoteOwner.vote_id == vote_id)
    )).all()
    return {row.owner_id: row.area_m2 for row in rows}


async def _choices(session: AsyncSession, vote_id: str) -> dict[str, domain.Choice]:
    rows = (await session.scalars(
        select(Ballot).where(Ballot.vote_id == vote_id)
    )).all()
    return {row.owner_id: cast(domain.Choice, row.choice) for row in rows}


async def _convert(session: AsyncSession, trial: Trial, clock: Clock) -> None:
    """先尝后买 ⇒ 付费使用: the trial becomes a paid contract at the proposed fee."""
    compound = await session.get(Compound, trial.compound_id)
    assert compound is not None
    trial.status, trial.running_compound_id = "converted", None
    trial.contract_fee_cny_per_m2, trial.converted_at = trial.proposed_fee_cny_per_m2, clock.now()
    trial.version += 1
    compound.has_property_management, compound.converted_trial_id = True, trial.id
    compound.version += 1
    session.add_all([trial, compound])
    await session.flush()
    await publish_trial_fact(session, PropertyContractConverted(
        **trial_fact(trial), fee_cny_per_m2=str(trial.proposed_fee_cny_per_m2),
        households=compound.households,
    ), subject=trial.id, clock=clock)


def _ratio(ratio: domain.Ratio, threshold: str) -> RatioPublic:
    return RatioPublic(numerator=str(ratio.numerator), denominator=str(ratio.denominator),
                       ratio=ratio.display, threshold=threshold, met=ratio.met)


def _result(tally: domain.VoteTally) -> dict[str, object]:
    participation = ShareTestPublic(owners=_ratio(tally.participation_owners, ">= 2/3"),
                                    area=_ratio(tally.participation_area, ">= 2/3"))
    approval = ShareTestPublic(owners=_ratio(tally.approval_owners, "> 1/2"),
                               area=_ratio(tally.approval_area, "> 1/2"))
    return {"participation": participation.model_dump(mode="json"),
            "approval": approval.model_dump(mode="json")}


def vote_public(vote: Vote, ballots: int) -> VotePublic:
    """The vote as shown: running yes/no counts stay hidden until it closes."""
    result = vote.result or {}
    return VotePublic(
        id=vote.id, trial_id=vote.trial_id, status=cast(domain.VoteStatus, vote.status),
        closes_at=vote.closes_at, opened_at=vote.opened_at, closed_at=vote.closed_at,
        eligible_owners=vote.eligible_owners, eligible_area_m2=vote.eligible_area_m2,
        ballots_cast=ballots,
        participation=result.get("participation"), approval=result.get("approval"),
        version=vote.version,
    )
