"""Who may act on an acceptance.

Reading: admin and the owners' side read every acceptance; the community's offices
(`district_bureau`, `subdistrict`, `community`) read the acceptances of the communities whose
jurisdiction names their org; a unit (builder, designer, contractor, supervisor, pipeline)
reads only the acceptances where its org is one of the parties. Anyone else gets 404: an
acceptance's existence is not disclosed (`repository.page_visible` lists by the same rule).
Signing and scheduling: only a token holding the party (role, and org where bound: the
project's org for a unit and for the owners' representative it names, the jurisdiction's org
for an office); `admin` may read but never sign or schedule, because a signature is personal
to its party. Which party a token holds is decided by `domain.rounds.may_sign_as`. The
jurisdiction (`area`) is the community's as the repository loaded it with the acceptance
(`shared.jurisdiction.jurisdiction_of`: last published, else the seeded default).
The printable record also opens by a signed, expiring link (`domain.record_links`): a reader
asks for one (`RecordLinks` holds the key and lifetime) and a browser brings it back as
`?expires=&signature=` (`LinkParams`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Query

from services.acceptance.config import AcceptanceSettings
from services.acceptance.domain.record_links import SignedLink, derive_link_key
from services.acceptance.domain.rounds import ORG_BOUND_ROLES, Party, may_sign_as
from services.acceptance.models import AcceptanceParty
from shared.auth import Principal, require_roles
from shared.deps import ContextDep
from shared.errors import Forbidden, Invalid, NotFound, Unauthorized
from shared.jurisdiction import JURISDICTION_ROLES, Jurisdiction, may_act_in

__all__ = [
    "BROAD_READERS",
    "Builder",
    "LinkParams",
    "Reader",
    "RecordLinkSettings",
    "RecordLinks",
    "Signer",
    "ensure_is_builder",
    "ensure_may_read",
    "ensure_may_sign",
    "ensure_reader",
    "office_roles",
    "unit_roles",
]

# Read every acceptance, wherever it is.
BROAD_READERS = frozenset({"admin", "owners"})
_READ_ROLES = frozenset({*BROAD_READERS, *JURISDICTION_ROLES, *ORG_BOUND_ROLES})
Reader = Annotated[Principal, Depends(require_roles(*_READ_ROLES))]
# The roles that can hold a party; which party a token holds is checked per acceptance.
Signer = Annotated[Principal, Depends(require_roles(
    *JURISDICTION_ROLES, "owners", *ORG_BOUND_ROLES))]
Builder = Annotated[Principal, Depends(require_roles("builder"))]


def unit_roles(principal: Principal) -> list[str]:
    """The org-bound roles the token holds: a unit reads only where its org is a party."""
    return sorted(principal.roles & ORG_BOUND_ROLES)


def office_roles(principal: Principal) -> list[str]:
    """The area-bound roles the token holds: an office reads only in its communities."""
    return sorted(principal.roles & frozenset(JURISDICTION_ROLES))


def ensure_may_read(principal: Principal, parties: Sequence[AcceptanceParty],
                    area: Jurisdiction | None) -> None:
    """404 (not 403) for an acceptance outside the caller's org or area: its existence is
    not disclosed."""
    if principal.has_any(BROAD_READERS):
        return
    offices = office_roles(principal)
    if offices and may_act_in(principal, area, offices):
        return
    roles = set(unit_roles(principal))
    if any(p.org is not None and p.org == principal.org and p.role in roles for p in parties):
        return
    raise NotFound("acceptance not found")


def ensure_may_sign(principal: Principal, party: Party, area: Jurisdiction | None) -> None:
    office = area.org_for(party.role) if area is not None else None
    if not may_sign_as(party, roles=principal.roles, org=principal.org, office=office):
        raise Forbidden(f"this token may not sign for {party.code}")


def ensure_is_builder(principal: Principal, builder: Party) -> None:
    if not may_sign_as(builder, roles=principal.roles, org=principal.org):
        raise Forbidden("only the builder (建设单位) of this project organises the acceptance")


def ensure_reader(principal: Principal | None) -> Principal:
    """What `Reader` admits, for the route a signed link opens too (so its token is optional)."""
    if principal is None:
        raise Unauthorized("a bearer token or a signed record link is required")
    if principal.scope is not None or not principal.has_any(_READ_ROLES):
        raise Forbidden(f"requires one of the roles: {', '.join(sorted(_READ_ROLES))}")
    return principal


@dataclass(frozen=True)
class RecordLinkSettings:
    """The key record links are signed with, and how long a new one lasts."""

    key: bytes
    ttl: timedelta


async def _record_links(ctx: ContextDep) -> RecordLinkSettings:
    settings: AcceptanceSettings = ctx.settings
    return RecordLinkSettings(derive_link_key(settings.record_link_secret_of(ctx.suite)),
                              timedelta(seconds=settings.record_link_ttl_seconds))


async def _signed_link(
    expires: Annotated[int | None, Query(ge=0, le=2**40, description=(
        "a signed link's expiry (Unix seconds), from POST /acceptances/{id}/record-link"))] = None,
    signature: Annotated[str | None, Query(pattern="^[0-9a-f]{64}$", description=(
        "a signed link's signature, from POST /acceptances/{id}/record-link"))] = None,
) -> SignedLink | None:
    if expires is None and signature is None:
        return None
    if expires is None:
        raise Invalid("a signed record link carries its expires", field="expires")
    if signature is None:
        raise Invalid("a signed record link carries its signature", field="signature")
    return SignedLink(expires, signature)


RecordLinks = Annotated[RecordLinkSettings, Depends(_record_links)]
LinkParams = Annotated[SignedLink | None, Depends(_signed_link)]
