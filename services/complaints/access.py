"""Who may file, see and act on what.

Reports:
- staff (`subdistrict`, `community`, `district_bureau`, `admin`): every report, every step
  except the reporter's own `confirm`/`reopen`;
- an organisation (`contractor`, `property_provider`): reports routed or assigned to its org;
  it may resolve those assigned to it;
- the reporter: one report, through the access token scoped `report:<id>`; may read, confirm
  and reopen it. Another report answers 404, so tokens cannot probe ids.

Site boards: `subdistrict` staff (and admin) publish for any project, even one this service
has not heard of yet; a `contractor` only for a project known from `project.created` whose
contractor is its org (unknown project ⇒ 404, another contractor's ⇒ 403). Staff and the
site's own contractor read the phone numbers in full; everyone else masked.

Filing: anyone may file, limited per client (moving window, `limits` library, one limiter per
app). Reports are limited per client IP (`COMPLAINTS_RATE_LIMIT`); the ASGI peer address is
used unless `COMPLAINTS_TRUST_FORWARDED_FOR` says a trusted proxy sets `X-Forwarded-For`, in
which case its first address counts. Open311 clients need an API key (`OPEN311_API_KEYS`)
and are limited per key (`COMPLAINTS_OPEN311_RATE_LIMIT`), as one key serves many residents.
"""

from __future__ import annotations

import math
import time
from typing import Annotated

from fastapi import Depends, Request
from limits import RateLimitItem, parse
from limits.aio import storage, strategies

from services.complaints.config import ComplaintsSettings
from services.complaints.models import Complaint, ProjectSite
from shared.auth import STAFF_ROLES, Principal, require_roles
from shared.errors import Forbidden, Invalid, NotFound, TooManyRequests
from shared.service import ServiceContext

__all__ = [
    "NO_SUCH_REPORT",
    "ORG_ROLES",
    "BoardPublisher",
    "ReportLister",
    "ReportRateLimit",
    "StatsReader",
    "actor_role",
    "admit_open311_client",
    "client_ip",
    "ensure_may",
    "ensure_may_publish",
    "ensure_visible",
    "is_open311_client",
    "is_reporter",
    "may_see_board_in_full",
    "org_of",
]

ORG_ROLES = frozenset({"contractor", "property_provider"})
_STAFF_ACTIONS = frozenset({"acknowledge", "assign", "close"})
_REPORTER_ACTIONS = frozenset({"confirm", "reopen"})
_BOARD_PUBLISHERS = frozenset({"subdistrict", "admin"})
NO_SUCH_REPORT = "no such report"  # the same for a missing and a hidden report

ReportLister = Annotated[Principal, Depends(require_roles(*STAFF_ROLES, *ORG_ROLES))]
StatsReader = Annotated[Principal, Depends(require_roles(*STAFF_ROLES, "dashboard"))]
BoardPublisher = Annotated[Principal, Depends(require_roles("contractor", "subdistrict"))]


# Reports

def is_reporter(principal: Principal, complaint_id: str) -> bool:
    return principal.scope == f"report:{complaint_id}"


def org_of(principal: Principal) -> str | None:
    """The org whose reports `principal` may see, when it acts for an organisation."""
    return principal.org if principal.has_any(ORG_ROLES) else None


def ensure_visible(principal: Principal, complaint: Complaint) -> None:
    """404 for a report the caller may not see, worded as for one that does not exist."""
    if principal.is_staff or is_reporter(principal, complaint.id):
        return
    org = org_of(principal)
    if org is None:
        if principal.scope is not None:
            raise NotFound(NO_SUCH_REPORT)
        raise Forbidden("requires a staff or organisation role, or the report's access token")
    if org not in (complaint.routed_org, complaint.assignee_org):
        raise NotFound(NO_SUCH_REPORT)


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


# Site boards

def ensure_may_publish(principal: Principal, site: ProjectSite | None) -> None:
    """May `principal` publish the board of the project `site` (None: not known yet)?"""
    if principal.has_any(_BOARD_PUBLISHERS):
        return
    if site is None:
        raise NotFound("no such project known to the complaints service yet")
    if principal.org != site.contractor_org:
        raise Forbidden("only the project's contractor may publish its site board")


def may_see_board_in_full(principal: Principal | None, site: ProjectSite | None) -> bool:
    if principal is None:
        return False
    if principal.is_staff:
        return True
    return bool(site and principal.has_any({"contractor"}) and principal.org == site.contractor_org)


# Filing: Open311 keys and rate limits

def is_open311_client(settings: ComplaintsSettings, api_key: str | None) -> bool:
    return bool(api_key) and api_key in settings.open311_keys


async def admit_open311_client(ctx: ServiceContext, api_key: str | None) -> None:
    """An Open311 client may file with a known key, within its key's rate limit."""
    if not api_key:
        raise Invalid("api_key is required")
    if not is_open311_client(ctx.settings, api_key):
        raise Forbidden("invalid api_key")
    await _enforce_rate_limit(ctx, ctx.settings.open311_rate_limit, "open311", api_key)


class _Limiter:
    """Moving windows in process memory, expired by an asyncio task (no timer threads)."""

    def __init__(self) -> None:
        self._strategy = strategies.MovingWindowRateLimiter(storage.MemoryStorage())
        self._items: dict[str, RateLimitItem] = {}

    async def retry_after(self, limit: str, *key: str) -> int | None:
        """None if the hit is allowed, else seconds until the window has room."""
        item = self._items.get(limit)
        if item is None:
            item = self._items[limit] = parse(limit)
        if await self._strategy.hit(item, *key):
            return None
        reset = (await self._strategy.get_window_stats(item, *key)).reset_time
        return max(1, math.ceil(reset - time.time()))


def _limiter(ctx: ServiceContext) -> _Limiter:
    limiter = ctx.extras.get("rate_limiter")
    if limiter is None:
        limiter = ctx.extras["rate_limiter"] = _Limiter()
    assert isinstance(limiter, _Limiter)
    return limiter


def client_ip(request: Request, *, trust_forwarded_for: bool) -> str:
    if trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "").split(",")[0].strip()
        if forwarded:
            return forwarded
    return request.client.host if request.client else "unknown"


async def _enforce_rate_limit(ctx: ServiceContext, limit: str, *key: str) -> None:
    wait = await _limiter(ctx).retry_after(limit, *key)
    if wait is not None:
        raise TooManyRequests(f"rate limit of {limit} exceeded; retry later", retry_after=wait)


async def _limit_reports(request: Request) -> None:
    ctx = ServiceContext.of(request)
    ip = client_ip(request, trust_forwarded_for=ctx.settings.trust_forwarded_for)
    await _enforce_rate_limit(ctx, ctx.settings.rate_limit, "reports", ip)


ReportRateLimit = Annotated[None, Depends(_limit_reports)]
