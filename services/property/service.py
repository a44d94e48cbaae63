"""Use cases for compounds, owner registers, providers, candidates and coverage.

Trials and assessments are in `trial_service`, votes in `vote_service`. Services flush and
stage events; the request (or event) transaction commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import exists
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from services.property_service import domain
from services.property_service.events import publish_trial_fact
from services.property_service.models import Candidate, Compound, OwnerUnit, Provider, Trial
from services.property_service.schemas import (
    CandidatePublic,
    CandidateTrigger,
    CompoundCreate,
    CoverageFigures,
    CoveragePublic,
    OwnerEntry,
    ProviderCreate,
    RosterPublic,
)
from shared.clock import Clock
from shared.contracts.property_service import PropertyCompoundRegistered
from shared.db import get_or_404, new_id
from shared.deps import check_version
from shared.errors import Conflict
from shared.pagination import keyset_page

__all__ = [
    "candidates_page",
    "community_coverage",
    "compounds_page",
    "create_compound",
    "create_provider",
    "get_compound",
    "get_provider",
    "providers_page",
    "read_roster",
    "record_candidates",
    "replace_roster",
]


async def create_compound(session: AsyncSession, body: CompoundCreate, clock: Clock) -> Compound:
    compound = Compound(
        id=new_id(), community_id=body.community_id, name=body.name, households=body.households,
        total_area_m2=body.total_area_m2,
        managed_at_registration=body.has_property_management,
        has_property_management=body.has_property_management, created_at=clock.now(),
    )
    session.add(compound)
    await session.flush()
    await publish_trial_fact(session, PropertyCompoundRegistered(
        compound_id=compound.id, community_id=compound.community_id,
        households=compound.households,
        has_property_management=compound.has_property_management), subject=compound.id,
        clock=clock)
    return compound


async def get_compound(session: AsyncSession, compound_id: str) -> Compound:
    return await get_or_404(session, Compound, compound_id, "compound")


async def compounds_page(session: AsyncSession, community_id: str | None, *, limit: int,
                         cursor: str | None) -> tuple[list[Compound], str | None]:
    statement = select(Compound)
    if community_id is not None:
        statement = statement.where(Compound.community_id == community_id)
    return await keyset_page(session, statement, [Compound.created_at, Compound.id],  # type: ignore[list-item]
                             limit=limit, cursor=cursor)


async def replace_roster(session: AsyncSession, compound_id: str, entries: Sequence[OwnerEntry],
                         if_match: str | None) -> RosterPublic:
    """Replace the compound's owner register; votes already open keep their snapshot."""
    compound = await get_compound(session, compound_id)
    check_version(if_match, compound.version)
    for unit in await _units(session, compound_id):
        await session.delete(unit)
    await session.flush()
    for position, entry in enumerate(entries):
        session.add(OwnerUnit(id=new_id(), compound_id=compound_id, position=position,
                              owner_id=entry.owner_id, area_m2=entry.area_m2))
    compound.version += 1
    session.add(compound)
    await session.flush()
    return await read_roster(session, compound_id)


async def read_roster(session: AsyncSession, compound_id: str) -> RosterPublic:
    compound = await get_compound(session, compound_id)
    units = await _units(session, compound_id)
    owners = domain.register_by_owner((u.owner_id, u.area_m2) for u in units)
    return RosterPublic(
        compound_id=compound_id,
        units=[OwnerEntry(owner_id=u.owner_id, area_m2=u.area_m2) for u in units],
        owners=len(owners), total_area_m2=sum(owners.values(), Decimal(0)),
        version=compound.version,
    )


async def _units(session: AsyncSession, compound_id: str) -> list[OwnerUnit]:
    statement = (select(OwnerUnit).where(OwnerUnit.compound_id == compound_id)
                 .order_by(col(OwnerUnit.position)))
    return list((await session.scalars(statement)).all())


async def create_provider(session: AsyncSession, body: ProviderCreate, clock: Clock) -> Provider:
    taken = await session.scalar(select(Provider.id).where(Provider.license_no == body.license_no))
    if taken is not None:
        raise Conflict(f"a provider with licence {body.license_no} is already registered",
                       provider_id=taken)
    provider = Provider(id=new_id(), name=body.name, license_no=body.license_no,
                        created_at=clock.now())
    session.add(provider)
    await session.flush()
    return provider


async def get_provider(session: AsyncSession, provider_id: str) -> Provider:
    return await get_or_404(session, Provider, provider_id, "provider")


async def providers_page(session: AsyncSession, *, limit: int, cursor: str | None
                         ) -> tuple[list[Provider], str | None]:
    return await keyset_page(session, select(Provider), [Provider.created_at, Provider.id],  # type: ignore[list-item]
                             limit=limit, cursor=cursor)


def _unmanaged_without_running_trial(community_id: str) -> SelectOfScalar[Compound]:
    running = exists().where(col(Trial.running_compound_id) == col(Compound.id))
    return select(Compound).where(
        col(Compound.community_id) == community_id,
        col(Compound.has_property_management).is_(False),
        ~running,
    )


async def record_candidates(session: AsyncSession, *, event_id: str, community_id: str,
                            acceptance_id: str, project_id: str, at: datetime) -> int:
    """Offer every unmanaged compound without a running trial; returns how many."""
    compounds = (await session.scalars(_unmanaged_without_running_trial(community_id))).all()
    for compound in compounds:
        session.add(Candidate(
            id=new_id(), event_id=event_id, community_id=community_id, compound_id=compound.id,
            acceptance_id=acceptance_id, project_id=project_id, recorded_at=at,
        ))
    await session.flush()
    return len(compounds)


async def candidates_page(session: AsyncSession, community_id: str, *, limit: int,
                          cursor: str | None) -> tuple[list[CandidatePublic], str | None]:
    """Compounds still unmanaged and without a running trial that an acceptance offered."""
    offered = exists().where(col(Candidate.compound_id) == col(Compound.id))
    statement = _unmanaged_without_running_trial(community_id).where(offered)
    compounds, next_cursor = await keyset_page(
        session, statement, [Compound.created_at, Compound.id],  # type: ignore[list-item]
        limit=limit, cursor=cursor,
    )
    triggers = await _triggers(session, [c.id for c in compounds])
    items = [
        CandidatePublic(compound_id=c.id, community_id=c.community_id, name=c.name,
                        households=c.households, triggered_by=triggers.get(c.id, []))
        for c in compounds
    ]
    return items, next_cursor


async def _triggers(session: AsyncSession, compound_ids: list[str]
                    ) -> dict[str, list[CandidateTrigger]]:
    statement = (select(Candidate).where(col(Candidate.compound_id).in_(compound_ids))
                 .order_by(col(Candidate.recorded_at), col(Candidate.id)))
    found: dict[str, list[CandidateTrigger]] = {}
    for row in (await session.scalars(statement)).all():
        found.setdefault(row.compound_id, []).append(CandidateTrigger(
            acceptance_id=row.acceptance_id, project_id=row.project_id,
            recorded_at=row.recorded_at,
        ))
    return found


async def community_coverage(session: AsyncSession, community_id: str) -> CoveragePublic:
    """Coverage (物业管理覆盖率) before trials (own management) and after (plus conversions)."""
    compounds = (await session.scalars(
        select(Compound).where(Compound.community_id == community_id)
    )).all()
    running = set((await session.scalars(
        select(Trial.compound_id).where(Trial.community_id == community_id,
                                        col(Trial.running_compound_id).is_not(None))
    )).all())
    households = sum(c.households for c in compounds)
    before = [c for c in compounds if c.managed_at_registration]
    after = [c for c in compounds if c.has_property_management]
    trial = [c for c in compounds if c.id in running]
    return CoveragePublic(
        community_id=community_id, compounds_total=len(compounds), households_total=households,
        before_trials=_figures(before, len(compounds), households),
        after_trials=_figures(after, len(compounds), households),
        under_trial_compounds=len(trial),
        under_trial_households=sum(c.households for c in trial),
    )


def _figures(managed: Sequence[Compound], compounds: int, households: int) -> CoverageFigures:
    managed_households = sum(c.households for c in managed)
    return CoverageFigures(
        compounds_managed=len(managed), households_managed=managed_households,
        compounds_ratio=domain.coverage_ratio(len(managed), compounds),
        households_ratio=domain.coverage_ratio(managed_households, households),
    )
