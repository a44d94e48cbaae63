"""Who may act on a project: roles come from the token, party orgs from the project."""

from __future__ import annotations

from typing import Literal

from services.projects.models import Project
from shared.auth import Principal
from shared.errors import Forbidden

__all__ = ["PartyRole", "require_party"]

PartyRole = Literal["builder", "designer", "contractor", "supervisor"]


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


__all__ += ["is_party"]
