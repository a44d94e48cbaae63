"""HTTP routes of the property service: compounds, registers, providers, candidates, coverage.

Trials, assessments and votes are routed in `api_trials`; `router` carries both.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.property_service import service
from services.property_service.api_trials import router as trials_router
from services.property_service.schemas import (
    CandidatePublic,
    CompoundCreate,
    CompoundPublic,
    CoveragePublic,
    ProviderCreate,
    ProviderPublic,
    Roster,
    RosterPublic,
)
from shared.auth import CurrentPrincipal, Principal, require_roles
from shared.deps import ClockDep, IfMatch, SessionDep
from shared.pagination import Cursor, Limit, Page

__all__ = ["router"]

router = APIRouter(tags=["property"])

Registrar = Annotated[Principal, Depends(require_roles("subdistrict", "community"))]
RosterReader = Annotated[
    Principal, Depends(require_roles("district_bureau", "subdistrict", "community", "owners"))
]
Overseer = Annotated[
    Principal, Depends(require_roles("district_bureau", "subdistrict", "community", "dashboard"))
]
CommunityId = Annotated[str, Query(min_length=1, max_length=64)]


@router.post("/compounds", status_code=201, summary="Register a compound (小区)")
async def create_compound(body: CompoundCreate, session: SessionDep, clock: ClockDep,
                          _: Registrar) -> CompoundPublic:
    compound = await service.create_compound(session, body, clock)
    return CompoundPublic.model_validate(compound, from_attributes=True)


@router.get("/compounds", summary="Compounds, optionally of one community")
async def list_compounds(session: SessionDep, _: CurrentPrincipal,
                         community_id: Annotated[str | None, Query(max_length=64)] = None,
                         limit: Limit = 50, cursor: Cursor = None) -> Page[CompoundPublic]:
    rows, next_cursor = await service.compounds_page(session, community_id, limit=limit,
                                                     cursor=cursor)
    return Page(items=[CompoundPublic.model_validate(r, from_attributes=True) for r in rows],
                next_cursor=next_cursor)


@router.get("/compounds/{compound_id}", summary="One compound")
async def get_compound(compound_id: str, session: SessionDep,
                       _: CurrentPrincipal) -> CompoundPublic:
    compound = await service.get_compound(session, compound_id)
    return CompoundPublic.model_validate(compound, from_attributes=True)


@router.put("/compounds/{compound_id}/owners",
            summary="Replace the owner register: one entry per unit (If-Match: compound version)")
async def replace_owners(compound_id: str, units: Roster, session: SessionDep,
                         _: Registrar, if_match: IfMatch = None) -> RosterPublic:
    return await service.replace_roster(session, compound_id, units, if_match)


@router.get("/compounds/{compound_id}/owners", summary="The owner register of a compound")
async def read_owners(compound_id: str, session: SessionDep, _: RosterReader) -> RosterPublic:
    return await service.read_roster(session, compound_id)


@router.post("/providers", status_code=201, summary="Register a property provider")
async def create_provider(body: ProviderCreate, session: SessionDep, clock: ClockDep,
                          _: Registrar) -> ProviderPublic:
    provider = await service.create_provider(session, body, clock)
    return ProviderPublic.model_validate(provider, from_attributes=True)


@router.get("/providers", summary="Property providers")
async def list_providers(session: SessionDep, _: CurrentPrincipal, limit: Limit = 50,
                         cursor: Cursor = None) -> Page[ProviderPublic]:
    rows, next_cursor = await service.providers_page(session, limit=limit, cursor=cursor)
    return Page(items=[ProviderPublic.model_validate(r, from_attributes=True) for r in rows],
                next_cursor=next_cursor)


@router.get("/providers/{provider_id}", summary="One property provider")
async def get_provider(provider_id: str, session: SessionDep,
                       _: CurrentPrincipal) -> ProviderPublic:
    provider = await service.get_provider(session, provider_id)
    return ProviderPublic.model_validate(provider, from_attributes=True)


@router.get("/candidates",
            summary="Unmanaged compounds offered for a trial after an acceptance passed")
async def list_candidates(community_id: CommunityId, session: SessionDep, _: Overseer,
                          limit: Limit = 50, cursor: Cursor = None) -> Page[CandidatePublic]:
    items, next_cursor = await service.candidates_page(session, community_id, limit=limit,
                                                       cursor=cursor)
    return Page(items=items, next_cursor=next_cursor)


@router.get("/coverage", summary="Property-management coverage (物业管理覆盖率) of a community")
async def coverage(community_id: CommunityId, session: SessionDep,
                   _: Overseer) -> CoveragePublic:
    return await service.community_coverage(session, community_id)


router.include_router(trials_router)
