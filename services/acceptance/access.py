"""Who may act on an acceptance.

Reading: the public bodies (admin, district bureau, sub-district, community) and the owners'
side read every acceptance; a unit (builder, designer, contractor, supervisor, pipeline) reads
only the acceptances where its org is one of the parties (`repository.page_visible` lists them
by the same rule). Signing and scheduling: only a token holding the party (role, and org where
bound); `admin` may read but never sign or schedule, because a signature is personal to its
party. Which party a token holds is decided by `domain.rounds.may_sign_as`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import Depends

from services.acceptance.domain.rounds import ORG_BOUND_ROLES, Party, may_sign_as
from services.acceptance.models import AcceptanceParty
from shared.auth import Principal, require_roles
from shared.errors import Forbidden, NotFound

__all__ = [
    "BROAD_READERS",
    "Builder",
    "Reader",
    "Signer",
    "ensure_is_builder",
    "ensure_may_read",
    "ensure_may_sign",
    "unit_roles",
]

BROAD_READERS = frozenset({"admin", "district_bureau", "subdistrict", "community", "owners"})
Reader = Annotated[Principal, Depends(require_roles(*BROAD_READERS, *ORG_BOUND_ROLES))]
# The roles that can hold a party; which party a token holds is checked per acceptance.
Signer = Annotated[Principal, Depends(require_roles(
    "district_bureau", "subdistrict", "community", "owners", *ORG_BOUND_ROLES))]
Builder = Annotated[Principal, Depends(require_roles("builder"))]


def unit_roles(principal: Principal) -> list[str]:
    """The org-bound roles the token holds: a unit reads only where its org is a party."""
    return sorted(principal.roles & ORG_BOUND_ROLES)


def ensure_may_read(principal: Principal, parties: Sequence[AcceptanceParty]) -> None:
    """404 (not 403) for another org's acceptance: its existence is not disclosed."""
    if principal.has_any(BROAD_READERS):
        return
    roles = set(unit_roles(principal))
    if any(p.org is not None and p.org == principal.org and p.role in roles for p in parties):
        return
    raise NotFound("acceptance not found")


def ensure_may_sign(principal: Principal, party: Party, *, community_id: str) -> None:
    if not may_sign_as(party, roles=principal.roles, org=principal.org,
                       community_id=community_id):
        raise Forbidden(f"this token may not sign for {party.code}")


def ensure_is_builder(principal: Principal, builder: Party) -> None:
    if not may_sign_as(builder, roles=principal.roles, org=principal.org, community_id=""):
        raise Forbidden("only the builder (建设单位) of this project organises the acceptance")
