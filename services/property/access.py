"""Who may act on what in the property service.

Staff of the sub-district and the community register compounds and owner registers; only the
sub-district entrusts, ends, extends a trial and closes a vote. Each body scores a trial for
itself. An owner casts a ballot only for themselves, while the owners' committee and the
community key in paper ballots for any owner on the register.

Offices act only in their own area: a `district_bureau`, `subdistrict` or `community` token
acts on a compound, its register, trials, votes, candidates and coverage only when its `org`
is that office's org in the community's jurisdiction (`area_of`, as last published, else the
seeded default); elsewhere 403. Providers are registered city-wide, with no area.

A provider acts only on its own trials (and the contracts they convert into): a token whose
only role is `property_provider` sees a trial, its assessments and votes only when its `org`
is the trial's provider's org; any other trial does not exist for it (404).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from services.property.models import COMMUNITY_JURISDICTIONS, Trial
from shared.auth import ROLES, Principal, require_roles
from shared.errors import Forbidden, Invalid, NotFound
from shared.jurisdiction import Jurisdiction, ensure_in_jurisdiction, jurisdiction_of

__all__ = [
    "ASSESSING_BODIES",
    "BALLOT_CLERK_ROLES",
    "ENTRUSTERS",
    "OVERSEERS",
    "REGISTRARS",
    "ROSTER_READERS",
    "VOTE_ORGANISERS",
    "Assessor",
    "BallotCaster",
    "Overseer",
    "Registrar",
    "RosterReader",
    "Subdistrict",
    "VoteOrganiser",
    "area_of",
    "assessing_body",
    "ensure_in_area",
    "ensure_may_cast_for",
    "ensure_may_see_trial",
    "provider_org_filter",
]

ASSESSING_BODIES = ("subdistrict", "community", "owners")
# Staff keying in paper ballots may cast for any owner on the register (the community office
# only in its own area).
BALLOT_CLERK_ROLES = frozenset({"admin", "owners", "community"})
REGISTRARS = ("subdistrict", "community")
ROSTER_READERS = ("district_bureau", "subdistrict", "community", "owners")
OVERSEERS = ("district_bureau", "subdistrict", "community", "dashboard")
VOTE_ORGANISERS = ("subdistrict", "community")
# Entrust, end and extend trials, and close their votes.
ENTRUSTERS = ("subdistrict",)
_NOT_A_PROVIDER = ROLES - {"property_provider"}

Registrar = Annotated[Principal, Depends(require_roles(*REGISTRARS))]
RosterReader = Annotated[Principal, Depends(require_roles(*ROSTER_READERS))]
Overseer = Annotated[Principal, Depends(require_roles(*OVERSEERS))]
Subdistrict = Annotated[Principal, Depends(require_roles(*ENTRUSTERS))]
VoteOrganiser = Annotated[Principal, Depends(require_roles(*VOTE_ORGANISERS))]
Assessor = Annotated[Principal, Depends(require_roles(*ASSESSING_BODIES))]
BallotCaster = Annotated[Principal, Depends(require_roles("owners", "community", "owner"))]


async def area_of(session: AsyncSession, community_id: str) -> Jurisdiction | None:
    """The community's offices as last published (else the seeded default)."""
    return await jurisdiction_of(session, COMMUNITY_JURISDICTIONS, community_id)


async def ensure_in_area(session: AsyncSession, principal: Principal, community_id: str,
                         roles: tuple[str, ...]) -> None:
    """403 unless the caller acts in the community through one of `roles` (an office only
    where the jurisdiction names its org; admin and roles bound to no area anywhere)."""
    ensure_in_jurisdiction(principal, await area_of(session, community_id), roles)


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


def ensure_may_cast_for(principal: Principal, owner_id: str, area: Jurisdiction | None) -> None:
    """A clerk casts for any owner (the community office in its own area only); an owner
    only for themselves."""
    if principal.has_any(BALLOT_CLERK_ROLES - {"community"}):
        return
    if "owner" in principal.roles and principal.sub == owner_id:
        return
    if "community" in principal.roles:
        ensure_in_jurisdiction(principal, area, ("community",))
        return
    raise Forbidden("an owner votes only for themselves")


def provider_org_filter(principal: Principal) -> str | None:
    """The provider org a caller reading only as a provider is confined to, else None (sees
    every trial). A provider token without an org is confined to nothing: it sees none."""
    if "property_provider" not in principal.roles or principal.has_any(_NOT_A_PROVIDER):
        return None
    return principal.org or ""


def ensure_may_see_trial(principal: Principal, trial: Trial) -> None:
    """404 for another provider's trial: its existence is not disclosed to a competitor."""
    confined_to = provider_org_filter(principal)
    if confined_to is not None and trial.provider_org != confined_to:
        raise NotFound(f"no trial {trial.id}")
