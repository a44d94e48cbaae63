"""Who may act on what in the property service.

Staff of the sub-district and the community register compounds, providers and owner
registers; only the sub-district entrusts, ends, extends a trial and closes a vote. Each body
scores a trial for itself. An owner casts a ballot only for themselves, while the owners'
committee and the community key in paper ballots for any owner on the register.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, require_roles
from shared.errors import Forbidden, Invalid

__all__ = [
    "ASSESSING_BODIES",
    "BALLOT_CLERK_ROLES",
    "Assessor",
    "BallotCaster",
    "Overseer",
    "Registrar",
    "RosterReader",
    "Subdistrict",
    "VoteOrganiser",
    "assessing_body",
    "ensure_may_cast_for",
]

ASSESSING_BODIES = ("subdistrict", "community", "owners")
# Staff keying in paper ballots may cast for any owner on the register.
BALLOT_CLERK_ROLES = frozenset({"admin", "owners", "community"})

Registrar = Annotated[Principal, Depends(require_roles("subdistrict", "community"))]
RosterReader = Annotated[
    Principal, Depends(require_roles("district_bureau", "subdistrict", "community", "owners"))
]
Overseer = Annotated[
    Principal, Depends(require_roles("district_bureau", "subdistrict", "community", "dashboard"))
]
Subdistrict = Annotated[Principal, Depends(require_roles("subdistrict"))]
VoteOrganiser = Annotated[Principal, Depends(require_roles("subdistrict", "community"))]
Assessor = Annotated[Principal, Depends(require_roles(*ASSESSING_BODIES))]
BallotCaster = Annotated[Principal, Depends(require_roles("owners", "community", "owner"))]


def assessing_body(principal: Principal, requested: str | None) -> str:
    """Which body scores: the caller's own; admin (or a holder of several) must name it."""
    held = [b for b in ASSESSING_BODIES if b in principal.roles]
    if requested is not None:
        if requested not in held and "admin" not in principal.roles:
            raise Forbidden(f"the caller does not hold the role {requested}")
        return requested
    if len(held) != 1:
        raise Invalid("body is required when the caller may score for several bodies",
                      field="body")
    return held[0]


def ensure_may_cast_for(principal: Principal, owner_id: str) -> None:
    """A clerk casts for any owner; an owner only for themselves."""
    if principal.has_any(BALLOT_CLERK_ROLES):
        return
    if "owner" in principal.roles and principal.sub == owner_id:
        return
    raise Forbidden("an owner votes only for themselves")
