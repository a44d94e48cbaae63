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
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import Depends

from services.acceptance.domain.rounds import ORG_BOUND_ROLES, Party, may_sign_as
from services.acceptance.models import AcceptanceParty
from shared.auth import Principal, require_roles
from shared.errors import Forbidden, NotFound
from shared.jurisdiction import JURISDICTION_ROLES, Jurisdiction, may_act_in

__all__ = [
    "BROAD_READERS",
    "Builder",
    "Reader",
    "Signer",
    "ensure_is_builder",
    "ensure_may_read",
    "ensure_may_sign",
    "office_roles",
    "unit_roles",
]

# Read every acceptance, wherever it is.
BROAD_READERS = frozenset({"admin", "owners"})
Reader = Annotated[Principal, Depends(require_roles(
    *BROAD_READERS, *JURISDICTION_ROLES, *ORG_BOUND_ROLES))]
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
