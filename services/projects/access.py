"""Who may act on what: roles come from the token, party organisations from the project,
offices' areas from the community's jurisdiction.

Admin always may. Route-level roles are the `Annotated` aliases below; the party checks
(`this project's contractor`) and the jurisdiction checks (`the district bureau of this
project's community`) run on the row the use case has locked, before its `If-Match` is
checked: a caller who may not act gets 403 whatever version it names. Communities, plans
and projects are readable by every signed-in role, so a wrong office gets 403, not 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import Depends

from services.projects.models import Community, Project
from shared.auth import Principal, require_roles
from shared.errors import Forbidden
from shared.jurisdiction import Jurisdiction, ensure_in_jurisdiction, seeded_jurisdiction

__all__ = [
    "BUREAU",
    "CREATING_OFFICES",
    "PLANNERS",
    "Admin",
    "Admit",
    "Bureau",
    "Creator",
    "PartyRole",
    "Planner",
    "Uploader",
    "acting_org",
    "as_party",
    "ensure_may_create",
    "ensure_office",
    "is_party",
    "jurisdiction_of",
    "require_party",
]

PartyRole = Literal["builder", "designer", "contractor", "supervisor"]
# Runs on the locked project with its community's jurisdiction; raises when the caller may not.
Admit = Callable[[Project, Jurisdiction | None], None]

PLANNERS = ("subdistrict", "community")
BUREAU = ("district_bureau",)
CREATING_OFFICES = ("subdistrict", "district_bureau")

Admin = Annotated[Principal, Depends(require_roles())]
Planner = Annotated[Principal, Depends(require_roles(*PLANNERS))]
Bureau = Annotated[Principal, Depends(require_roles(*BUREAU))]
Creator = Annotated[Principal, Depends(require_roles("builder", *CREATING_OFFICES))]
Uploader = Annotated[Principal, Depends(require_roles(
    "contractor", "supervisor", "builder", "designer", "pipeline", "district_bureau",
    "subdistrict", "community"))]


def jurisdiction_of(community: Community) -> Jurisdiction | None:
    """The community's offices as set, else (a row from before they were stored) the default."""
    orgs = (community.district_bureau_org, community.subdistrict_org, community.community_org)
    if community.district_code is None or None in orgs:
        return seeded_jurisdiction(community.id)
    return Jurisdiction(community_id=community.id, district=community.district_code,
                        district_bureau_org=str(community.district_bureau_org),
                        subdistrict_org=str(community.subdistrict_org),
                        community_org=str(community.community_org))


def ensure_office(principal: Principal, jurisdiction: Jurisdiction | None,
                  offices: tuple[str, ...]) -> None:
    """403 unless the caller is admin or one of `offices` of this community (its token's org)."""
    ensure_in_jurisdiction(principal, jurisdiction, offices)


def is_party(principal: Principal, project: Project, role: PartyRole) -> bool:
    """True when the caller holds `role` and its org is that party on this project."""
    org = project.parties.get(role)
    return role in principal.roles and org is not None and principal.org == org


def require_party(principal: Principal, project: Project, jurisdiction: Jurisdiction | None,
                  *roles: PartyRole, staff: tuple[str, ...] = ()) -> None:
    """Admit admin, the project's own party for one of `roles`, or one of the `staff` offices
    of the project's community (an office of another area gets 403)."""
    if "admin" in principal.roles:
        return
    if any(is_party(principal, project, role) for role in roles):
        return
    if principal.has_any(staff):
        ensure_office(principal, jurisdiction, staff)
        return
    wanted = " or ".join(roles) or "offices"
    raise Forbidden(f"only this project's {wanted} organisation may do this")


def as_party(principal: Principal, *roles: PartyRole, staff: tuple[str, ...] = ()) -> Admit:
    """The check `require_party` makes, to run on the locked project."""
    return lambda project, jurisdiction: require_party(principal, project, jurisdiction,
                                                       *roles, staff=staff)


def ensure_may_create(principal: Principal, builder_org: str,
                      jurisdiction: Jurisdiction | None) -> None:
    """A builder drafts only the projects it builds; the community's sub-district or district
    bureau drafts for a named builder."""
    if "admin" in principal.roles:
        return
    if "builder" in principal.roles and principal.org == builder_org:
        return
    if principal.has_any(CREATING_OFFICES):
        ensure_office(principal, jurisdiction, CREATING_OFFICES)
        return
    raise Forbidden("a builder may only create projects it builds (parties.builder)")


def acting_org(principal: Principal) -> str:
    """The organisation recorded as having acted (the subject when the token has no org)."""
    return principal.org or principal.sub
