"""Routes for compounds, owner registers, providers, candidates and coverage."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.property import presenters, repository
from services.property.access import Overseer, Registrar, RosterReader
from services.property.schemas import (
    CandidatePublic,
    CompoundCreate,
    CompoundPublic,
    CoveragePublic,
    ProviderCreate,
    ProviderPublic,
    Roster,
    RosterPublic,
)
from services.property.service import compounds
from shared.auth import CurrentPrincipal
from shared.deps import ClockDep, IfMatch, SessionDep, set_etag
from shared.pagination import Cursor, Limit, Page, page_of

__all__ = ["router"]

router = APIRouter(tags=["property"])

CommunityId = Annotated[str, Query(min_length=1, max_length=64)]


@router.post("/compounds", status_code=201, summary="Register a compound (小区)")
async def create_compound(body: CompoundCreate, session: SessionDep, clock: ClockDep,
                          principal: Registrar) -> CompoundPublic:
    compound = await compounds.create_compound(session, body, principal, clock)
    return presenters.compound_public(compound)


@router.get("/compounds", summary="Compounds, optionally of one community")
async def list_compounds(session: SessionDep, _: CurrentPrincipal,
                         community_id: Annotated[str | None, Query(max_length=64)] = None,
                         limit: Limit = 50, cursor: Cursor = None) -> Page[CompoundPublic]:
    page = await repository.compounds_page(session, community_id, limit=limit, cursor=cursor)
    return page_of(page, presenters.compound_public)


@router.get("/compounds/{compound_id}", summary="One compound (ETag: its version)")
async def get_compound(compound_id: str, session: SessionDep, response: Response,
                       _: CurrentPrincipal) -> CompoundPublic:
    compound = await repository.get_compound(session, compound_id)
    set_etag(response, compound.version)
    return presenters.compound_public(compound)


@router.put("/compounds/{compound_id}/owners",
            summary="Replace the owner register: one entry per unit (If-Match: compound version)")
async def replace_owners(compound_id: str, units: Roster, session: SessionDep,
                         principal: Registrar, if_match: IfMatch = None) -> RosterPublic:
    register = await compounds.replace_register(session, compound_id, units, principal,
                                                if_match)
    return presenters.roster_public(register)


@router.get("/compounds/{compound_id}/owners",
            summary="The owner register of a compound (ETag: the compound version)")
async def read_owners(compound_id: str, session: SessionDep, response: Response,
                      principal: RosterReader) -> RosterPublic:
    register = await compounds.register_of(session, compound_id, principal)
    set_etag(response, register[0].version)
    return presenters.roster_public(register)


@router.post("/providers", status_code=201, summary="Register a property provider")
async def create_provider(body: ProviderCreate, session: SessionDep, clock: ClockDep,
                          _: Registrar) -> ProviderPublic:
    return presenters.provider_public(await compounds.create_provider(session, body, clock))


@router.get("/providers", summary="Property providers")
async def list_providers(session: SessionDep, _: CurrentPrincipal, limit: Limit = 50,
                         cursor: Cursor = None) -> Page[ProviderPublic]:
    page = await repository.providers_page(session, limit=limit, cursor=cursor)
    return page_of(page, presenters.provider_public)


@router.get("/providers/{provider_id}", summary="One property provider")
async def get_provider(provider_id: str, session: SessionDep,
                       _: CurrentPrincipal) -> ProviderPublic:
    return presenters.provider_public(await repository.get_provider(session, provider_id))


@router.get("/candidates",
            summary="Unmanaged compounds offered for a trial after an acceptance passed")
async def list_candidates(community_id: CommunityId, session: SessionDep, principal: Overseer,
                          limit: Limit = 50, cursor: Cursor = None) -> Page[CandidatePublic]:
    page = await compounds.candidates_of(session, community_id, principal, limit=limit,
                                         cursor=cursor)
    return page_of(page, presenters.candidate_public)


@router.get("/coverage", summary="Property-management coverage (物业管理覆盖率) of a community")
async def coverage(community_id: CommunityId, session: SessionDep,
                   principal: Overseer) -> CoveragePublic:
    rows = await compounds.coverage_of(session, community_id, principal)
    return presenters.coverage_public(community_id, rows)
