"""Who may read an acceptance.

The public bodies (admin, district bureau, sub-district, community) and the owners' side read
every acceptance; a unit (builder, designer, contractor, supervisor, pipeline) reads only the
acceptances where its org is one of the parties. Signing rules live in `domain`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import Select, exists, false, select
from sqlmodel import col

from services.acceptance.domain import ORG_BOUND_ROLES
from services.acceptance.models import Acceptance, AcceptanceParty
from shared.auth import Principal, require_roles
from shared.errors import NotFound

__all__ = ["BROAD_READERS", "Reader", "ensure_may_read", "visible_acceptances"]

BROAD_READERS = frozenset({"admin", "district_bureau", "subdistrict", "community", "owners"})
Reader = Annotated[Principal, Depends(require_roles(*BROAD_READERS, *ORG_BOUND_ROLES))]


def _unit_roles(principal: Principal) -> list[str]:
    return sorted(principal.roles & ORG_BOUND_ROLES)


def ensure_may_read(principal: Principal, parties: Sequence[AcceptanceParty]) -> None:
    """404 (not 403) for another org's acceptance: its existence is not disclosed."""
    if principal.has_any(BROAD_READERS):
        return
    roles = set(_unit_roles(principal))
    if any(p.org is not None and p.org == principal.org and p.role in roles for p in parties):
        return
    raise NotFound("acceptance not found")


def visible_acceptances(principal: Principal) -> Select[Any]:
    statement = select(Acceptance)
    if principal.has_any(BROAD_READERS):
        return statement
    own_party = (
        exists()
        .where(col(AcceptanceParty.acceptance_id) == col(Acceptance.id))
        .where(col(AcceptanceParty.org) == principal.org)
        .where(col(AcceptanceParty.role).in_(_unit_roles(principal)))
    )
    return statement.where(own_party if principal.org is not None else false())
