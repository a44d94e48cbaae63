"""Who may act on what: roles come from the token, party organisations from the project.

Admin always may. Route-level roles are the `Annotated` aliases below; the party checks
(`this project's contractor`) run on the project row the use case has locked, before its
`If-Match` is checked: a caller who may not act gets 403 whatever version it names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import Depends

from services.projects.models import Project
from shared.auth import Principal, require_roles
from shared.errors import Forbidden

__all__ = [
    "Admit",
    "Bureau",
    "Creator",
    "PartyRole",
    "Planner",
    "Uploader",
    "acting_org",
    "as_party",
    "ensure_may_create",
    "is_party",
    "require_party",
]

PartyRole = Literal["builder", "designer", "contractor", "supervisor"]
Admit = Callable[[Project], None]

Planner = Annotated[Principal, Depends(require_roles("subdistrict", "community"))]
Bureau = Annotated[Principal, Depends(require_roles("district_bureau"))]
Creator = Annotated[Principal, Depends(require_roles("builder", "subdistrict", "district_bureau"))]
Uploader = Annotated[Principal, Depends(require_roles(
    "contractor", "supervisor", "builder", "designer", "pipeline", "district_bureau",
    "subdistrict", "community"))]


def is_party(principal: Principal, project: Project, role: PartyRole) -> bool:
    """True when the caller holds `role` and its org is that party on this project."""
    org = project.parties.get(role)
    return role in principal.roles and org is not None and principal.org == org


def require_party(principal: Principal, project: Project, *roles: PartyRole,
                  staff: tuple[str, ...] = ()) -> None:
    """Admit admin, the listed staff roles, or the project's own party for one of `roles`."""
    if "admin" in principal.roles or principal.has_any(staff):
        return
    if any(is_party(principal, project, role) for role in roles):
        return
    wanted = " or ".join(roles)
    raise Forbidden(f"only this project's {wanted} organisation may do this")


def as_party(principal: Principal, *roles: PartyRole, staff: tuple[str, ...] = ()) -> Admit:
    """The check `require_party` makes, to run on the locked project."""
    return lambda project: require_party(principal, project, *roles, staff=staff)


def ensure_may_create(principal: Principal, builder_org: str) -> None:
    """A builder drafts only the projects it builds; staff draft for a named builder."""
    if principal.has_any({"admin", "subdistrict", "district_bureau"}):
        return
    if principal.org != builder_org:
        raise Forbidden("a builder may only create projects it builds (parties.builder)")


def acting_org(principal: Principal) -> str:
    """The organisation recorded as having acted (the subject when the token has no org)."""
    return principal.org or principal.sub
