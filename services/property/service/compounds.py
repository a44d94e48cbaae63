"""Use cases for compounds, owner registers, providers, candidates and coverage, and what
consumed events record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.property import access, repository
from services.property.events import publish_fact
from services.property.models import Candidate, ComplaintRecord, Compound, OwnerUnit, Provider
from services.property.repository import PageRows
from services.property.schemas import CompoundCreate, OwnerEntry, ProviderCreate
from shared.auth import Principal
from shared.clock import Clock
from shared.contracts.property import PropertyCompoundRegistered
from shared.db import new_id
from shared.errors import Conflict
from shared.repository import bump_version

__all__ = [
    "candidates_of",
    "coverage_of",
    "create_compound",
    "create_provider",
    "record_candidates",
    "record_complaint",
    "register_of",
    "replace_register",
]


async def create_compound(session: AsyncSession, body: CompoundCreate, principal: Principal,
                          clock: Clock) -> Compound:
    """Register a compound of a community the caller's office serves."""
    await access.ensure_in_area(session, principal, body.community_id, access.REGISTRARS)
    now = clock.now()
    compound = Compound(
        id=new_id(), community_id=body.community_id, name=body.name, households=body.households,
        total_area_m2=body.total_area_m2,
        managed_at_registration=body.has_property_management,
        has_property_management=body.has_property_management, created_at=now,
    )
    session.add(compound)
    await session.flush()
    await publish_fact(session, PropertyCompoundRegistered(
        compound_id=compound.id, community_id=compound.community_id,
        households=compound.households,
        has_property_management=compound.has_property_management), subject=compound.id, at=now)
    return compound


async def register_of(session: AsyncSession, compound_id: str, principal: Principal
                      ) -> tuple[Compound, list[OwnerUnit]]:
    """The compound and its owner register, one row per unit."""
    compound = await repository.get_compound(session, compound_id)
    await access.ensure_in_area(session, principal, compound.community_id,
                                access.ROSTER_READERS)
    return compound, await repository.units_of(session, compound_id)


async def replace_register(session: AsyncSession, compound_id: str,
                           entries: Sequence[OwnerEntry], principal: Principal,
                           if_match: str | None) -> tuple[Compound, list[OwnerUnit]]:
    """Replace the compound's owner register; votes already open keep their snapshot.

    The compound stays locked until commit, so concurrent replacements apply one after the
    other, each on the register the previous one left (and its version).
    """
    compound = await repository.lock_compound(session, compound_id, if_match=if_match)
    await access.ensure_in_area(session, principal, compound.community_id, access.REGISTRARS)
    await session.execute(delete(OwnerUnit).where(col(OwnerUnit.compound_id) == compound_id))
    units = [OwnerUnit(id=new_id(), compound_id=compound_id, position=position,
                       owner_id=entry.owner_id, area_m2=entry.area_m2)
             for position, entry in enumerate(entries)]
    session.add_all(units)
    bump_version(compound)
    await session.flush()
    return compound, units


async def create_provider(session: AsyncSession, body: ProviderCreate, clock: Clock) -> Provider:
    """Register a provider; a licence is registered once.

    The look-up only names the provider already holding the licence; the unique constraint
    on the licence decides between concurrent registrations (the loser's insert is a 409).
    """
    taken = await repository.provider_id_with_licence(session, body.license_no)
    if taken is not None:
        raise Conflict(f"a provider with licence {body.license_no} is already registered",
                       provider_id=taken)
    provider = Provider(id=new_id(), org=body.org, name=body.name, license_no=body.license_no,
                        created_at=clock.now())
    session.add(provider)
    await session.flush()
    return provider


async def candidates_of(session: AsyncSession, community_id: str, principal: Principal, *,
                        limit: int, cursor: str | None
                        ) -> PageRows[tuple[Compound, list[Candidate]]]:
    """The community's compounds offered for a trial, to an office serving it (or any
    overseer bound to no area)."""
    await access.ensure_in_area(session, principal, community_id, access.OVERSEERS)
    return await repository.candidates_page(session, community_id, limit=limit, cursor=cursor)


async def coverage_of(session: AsyncSession, community_id: str, principal: Principal
                      ) -> list[tuple[Compound, bool]]:
    """The community's compounds for its coverage figures, to an office serving it (or any
    overseer bound to no area)."""
    await access.ensure_in_area(session, principal, community_id, access.OVERSEERS)
    return await repository.coverage_rows(session, community_id)


async def record_candidates(session: AsyncSession, *, event_id: str, community_id: str,
                            acceptance_id: str, project_id: str, at: datetime) -> int:
    """Offer every unmanaged compound without a running trial; returns how many."""
    compounds = await repository.unmanaged_without_running_trial(session, community_id)
    session.add_all([
        Candidate(id=new_id(), event_id=event_id, community_id=community_id,
                  compound_id=compound.id, acceptance_id=acceptance_id, project_id=project_id,
                  recorded_at=at)
        for compound in compounds
    ])
    await session.flush()
    return len(compounds)


async def record_complaint(session: AsyncSession, *, complaint_id: str, compound_id: str,
                           occurred_at: datetime) -> None:
    """Count a property-service complaint about a compound once, however often it arrives."""
    if await repository.complaint_recorded(session, complaint_id):
        return
    session.add(ComplaintRecord(complaint_id=complaint_id, compound_id=compound_id,
                                occurred_at=occurred_at))
