"""Use cases for the owners' conversion vote (Civil Code art. 278) and the conversion.

Rules chosen here (see README of the service):
- the register snapshot is the `owners` list given when opening, else the compound's roster;
- a second ballot by the same owner replaces the first until the vote closes;
- a vote closes after `closes_at`, or earlier once every owner on the register has voted.
Opening and closing lock the trial, then the vote; a ballot locks its vote. So a vote closes
once (one outcome, one conversion), and two first ballots of one owner are one insert and one
replacement, never two inserts.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.property import access, domain, presenters, repository
from services.property.events import publish_fact, trial_fact
from services.property.models import Ballot, Trial, Vote, VoteOwner
from services.property.repository import PageRows
from services.property.schemas import BallotCreate, VoteCreate
from services.property.service.trials import refuse_unless, trial_seen_by
from shared.auth import Principal
from shared.clock import Clock
from shared.contracts.property import (
    PropertyContractConverted,
    PropertyVoteClosed,
    PropertyVoteOpened,
)
from shared.db import new_id
from shared.errors import Conflict, Invalid
from shared.repository import bump_version

__all__ = ["cast_ballot", "close_vote", "open_vote", "vote_seen_by", "votes_of"]


async def open_vote(session: AsyncSession, trial_id: str, body: VoteCreate,
                    principal: Principal, clock: Clock) -> Vote:
    """Open the trial's conversion vote on a snapshot of the owner register."""
    trial = await repository.lock_trial(session, trial_id)
    await access.ensure_in_area(session, principal, trial.community_id, access.VOTE_ORGANISERS)
    if trial.status not in domain.ACTIVE_TRIAL_STATUSES:
        raise Conflict(f"the trial is {trial.status}: no vote can open", trial_status=trial.status,
                       unmet=["trial active or extended"])
    now = clock.now()
    if body.closes_at <= now:
        raise Invalid("closes_at must be in the future", field="closes_at")
    if await repository.open_vote_id(session, trial.id) is not None:
        raise Conflict("the trial already has an open vote", unmet=["no open vote"])
    units = await _register_units(session, trial.compound_id, body)
    register = domain.register_by_owner(units)
    vote = Vote(
        id=new_id(), trial_id=trial.id, open_trial_id=trial.id, status="open",
        closes_at=body.closes_at, opened_at=now, eligible_owners=len(register),
        eligible_area_m2=sum(register.values(), Decimal(0)),
    )
    session.add(vote)
    await session.flush()
    units_per_owner = Counter(owner_id for owner_id, _ in units)
    session.add_all([VoteOwner(vote_id=vote.id, owner_id=owner_id, area_m2=area,
                               units=units_per_owner[owner_id])
                     for owner_id, area in register.items()])
    await session.flush()
    await publish_fact(session, PropertyVoteOpened(
        **trial_fact(trial), vote_id=vote.id, eligible_owners=vote.eligible_owners,
        eligible_area_m2=str(vote.eligible_area_m2), closes_at=vote.closes_at,
    ), subject=trial.id, at=now)
    return vote


async def _register_units(session: AsyncSession, compound_id: str, body: VoteCreate
                          ) -> list[tuple[str, Decimal]]:
    """The units the vote counts: those given when opening, else the compound's register."""
    if body.owners:
        return [(entry.owner_id, entry.area_m2) for entry in body.owners]
    units = [(unit.owner_id, unit.area_m2) for unit in await repository.units_of(session,
                                                                                  compound_id)]
    if not units:
        raise Conflict("no owner register: give owners or PUT /compounds/{id}/owners first",
                       unmet=["owner register"])
    return units


async def cast_ballot(session: AsyncSession, vote_id: str, body: BallotCreate,
                      principal: Principal, clock: Clock) -> tuple[Ballot, bool]:
    """Record (or replace) an owner's ballot; returns it and whether it replaced one."""
    vote = await repository.lock_vote(session, vote_id)
    trial = await repository.get_trial(session, vote.trial_id)
    access.ensure_may_cast_for(principal, body.owner_id,
                               await access.area_of(session, trial.community_id))
    if vote.status != "open":
        raise Conflict(f"the vote is {vote.status}", vote_status=vote.status)
    now = clock.now()
    if now >= vote.closes_at:
        raise Conflict("the voting period has ended", closes_at=vote.closes_at.isoformat())
    if not await repository.on_vote_register(session, vote.id, body.owner_id):
        raise Invalid("owner_id is not on the vote's register", field="owner_id")
    ballot = await repository.ballot_of(session, vote.id, body.owner_id)
    replaced = ballot is not None
    if ballot is None:
        ballot = Ballot(vote_id=vote.id, owner_id=body.owner_id, choice=body.choice,
                        cast_at=now, keyed_in_by=principal.sub)
        session.add(ballot)
    else:
        ballot.choice, ballot.cast_at, ballot.keyed_in_by = body.choice, now, principal.sub
        ballot.replaced += 1
    await session.flush()
    return ballot, replaced


async def close_vote(session: AsyncSession, vote_id: str, principal: Principal,
                     if_match: str | None, clock: Clock) -> tuple[Vote, int]:
    """Count the vote and close it; a passed vote converts the trial. Returns the vote and
    how many ballots were cast."""
    trial, vote = await repository.lock_vote_and_trial(session, vote_id, if_match=if_match)
    await access.ensure_in_area(session, principal, trial.community_id, access.ENTRUSTERS)
    if vote.status != "open":
        raise Conflict(f"the vote is already {vote.status}", vote_status=vote.status)
    choices = await repository.vote_choices(session, vote.id)
    now = clock.now()
    if now < vote.closes_at and len(choices) < vote.eligible_owners:
        raise Conflict("the vote closes at closes_at, or earlier once every owner has voted",
                       unmet=["closes_at passed or every owner voted"],
                       ballots_cast=len(choices), eligible_owners=vote.eligible_owners)
    tally = domain.tally_vote(await repository.vote_register(session, vote.id), choices)
    vote.status, vote.open_trial_id, vote.closed_at = tally.status, None, now
    vote.result = presenters.tally_result(tally)
    bump_version(vote)
    await session.flush()
    await publish_fact(session, PropertyVoteClosed(
        **trial_fact(trial), vote_id=vote.id, status=tally.status,
        participating_owners=tally.participating_owners,
        participating_area_m2=str(tally.participating_area),
        approving_owners=tally.approving_owners, approving_area_m2=str(tally.approving_area),
    ), subject=trial.id, at=now)
    if tally.status == "passed":
        await _convert(session, trial, now)
    return vote, len(choices)


async def _convert(session: AsyncSession, trial: Trial, now: datetime) -> None:
    """先尝后买 ⇒ 付费使用: the (locked) trial becomes a paid contract at the proposed fee."""
    refuse_unless(trial, "converted")
    compound = await repository.lock_compound(session, trial.compound_id)
    trial.status, trial.running_compound_id = "converted", None
    trial.contract_fee_cny_per_m2, trial.converted_at = trial.proposed_fee_cny_per_m2, now
    compound.has_property_management, compound.converted_trial_id = True, trial.id
    bump_version(trial, compound)
    await session.flush()
    await publish_fact(session, PropertyContractConverted(
        **trial_fact(trial), fee_cny_per_m2=str(trial.proposed_fee_cny_per_m2),
        households=compound.households,
    ), subject=trial.id, at=now)


async def votes_of(session: AsyncSession, trial_id: str, principal: Principal, *, limit: int,
                   cursor: str | None) -> PageRows[tuple[Vote, int]]:
    """The trial's votes, unless the caller is another provider (404)."""
    trial = await trial_seen_by(session, trial_id, principal)
    return await repository.votes_page(session, trial.id, limit=limit, cursor=cursor)


async def vote_seen_by(session: AsyncSession, vote_id: str, principal: Principal
                       ) -> tuple[Vote, int]:
    """The vote and its ballot count, unless the caller is another provider (404)."""
    shown = await repository.vote_shown(session, vote_id)
    access.ensure_may_see_trial(principal, await repository.get_trial(session,
                                                                      shown[0].trial_id))
    return shown
