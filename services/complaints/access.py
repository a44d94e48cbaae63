"""Who may see and act on a report.

- staff (`subdistrict`, `community`, `district_bureau`, `admin`): every report, every step
  except the reporter's own `confirm`/`reopen`;
- an organisation (`contractor`, `property_provider`): reports routed or assigned to its org;
  it may resolve those assigned to it;
- the reporter: one report, through the access token scoped `report:<id>`; may read, confirm
  and reopen it. Another report answers 404, so tokens cannot probe ids.
"""

from __future__ import annotations

from services.complaints.models import Complaint
from shared.auth import STAFF_ROLES, Principal
from shared.errors import Forbidden, NotFound

__all__ = ["ORG_ROLES", "actor_role", "ensure_may", "ensure_visible", "is_reporter", "org_of"]

ORG_ROLES = frozenset({"contractor", "property_provider"})
_STAFF_ACTIONS = frozenset({"acknowledge", "assign", "close"})
_REPORTER_ACTIONS = frozenset({"confirm", "reopen"})


def is_reporter(principal: Principal, complaint_id: str) -> bool:
    return principal.scope == f"report:{complaint_id}"


def org_of(principal: Principal) -> str | None:
    """The org whose reports `principal` may see, when it acts for an organisation."""
    return principal.org if principal.has_any(ORG_ROLES) else None


def ensure_visible(principal: Principal, complaint: Complaint) -> None:
    if principal.is_staff or is_reporter(principal, complaint.id):
        return
    org = org_of(principal)
    if org is None:
        if principal.scope is not None:
            raise NotFound("no such report")
        raise Forbidden("requires a staff or organisation role, or the report's access token")
    if org not in (complaint.routed_org, complaint.assignee_org):
        raise NotFound("no such report")


def ensure_may(principal: Principal, action: str, complaint: Complaint) -> None:
    """Called after `ensure_visible`: may this caller take `action`?"""
    if action in _REPORTER_ACTIONS:
        if not is_reporter(principal, complaint.id):
            raise Forbidden(f"only the reporter may {action} this report")
        return
    if principal.is_staff:
        return
    if action == "resolve" and org_of(principal) == complaint.assignee_org is not None:
        return
    if action in _STAFF_ACTIONS:
        raise Forbidden(f"only staff may {action} a report")
    raise Forbidden(f"only staff or the assignee organisation may {action} this report")


def actor_role(principal: Principal, complaint_id: str) -> str:
    """The role recorded on a history step (readable by the reporter: no personal names)."""
    if is_reporter(principal, complaint_id):
        return "reporter"
    held = sorted(principal.roles & (STAFF_ROLES | ORG_ROLES)) or sorted(principal.roles)
    return held[0] if held else "unknown"
