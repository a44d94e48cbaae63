"""Routes for the owners' conversion vote: open, ballots, close."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.property import presenters
from services.property.access import BallotCaster, Subdistrict, VoteOrganiser
from services.property.schemas import BallotCreate, BallotPublic, VoteCreate, VotePublic
from services.property.service import votes
from shared.auth import CurrentPrincipal
from shared.deps import ClockDep, IfMatch, SessionDep, set_etag
from shared.pagination import Cursor, Limit, Page, page_of

__all__ = ["router"]

router = APIRouter(tags=["property"])


@router.post("/trials/{trial_id}/votes", status_code=201,
             summary="Open the owners' conversion vote (snapshots the register)")
async def open_vote(trial_id: str, body: VoteCreate, session: SessionDep, clock: ClockDep,
                    principal: VoteOrganiser) -> VotePublic:
    vote = await votes.open_vote(session, trial_id, body, principal, clock)
    return presenters.vote_public((vote, 0))


@router.get("/trials/{trial_id}/votes", summary="Votes of a trial")
async def list_votes(trial_id: str, session: SessionDep, principal: CurrentPrincipal,
                     limit: Limit = 50, cursor: Cursor = None) -> Page[VotePublic]:
    page = await votes.votes_of(session, trial_id, principal, limit=limit, cursor=cursor)
    return page_of(page, presenters.vote_public)


@router.get("/votes/{vote_id}",
            summary="One vote; the count is shown once it is closed (ETag: its version)")
async def get_vote(vote_id: str, session: SessionDep, response: Response,
                   principal: CurrentPrincipal) -> VotePublic:
    shown = await votes.vote_seen_by(session, vote_id, principal)
    set_etag(response, shown[0].version)
    return presenters.vote_public(shown)


@router.post("/votes/{vote_id}/ballots", status_code=201,
             summary="Cast a ballot; a later ballot by the same owner replaces it until close")
async def cast_ballot(vote_id: str, body: BallotCreate, session: SessionDep, clock: ClockDep,
                      principal: BallotCaster) -> BallotPublic:
    return presenters.ballot_public(
        await votes.cast_ballot(session, vote_id, body, principal, clock))


@router.post("/votes/{vote_id}/close",
             summary="Close and count the vote (after closes_at, or once everyone voted)")
async def close_vote(vote_id: str, session: SessionDep, clock: ClockDep,
                     principal: Subdistrict, if_match: IfMatch = None) -> VotePublic:
    return presenters.vote_public(await votes.close_vote(session, vote_id, principal,
                                                         if_match, clock))
