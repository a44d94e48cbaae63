"""Who may file, see and act on what.

Reports:
- `admin`: every report; an office (`district_bureau`, `subdistrict`, `community`): the
  reports of its area only, i.e. whose community names the token's org for that role
  (`shared.jurisdiction`, the projection of `community.jurisdiction_set`, else the seeded
  defaults). Staff take every step except the reporter's own `confirm`/`reopen`. A report
  outside the caller's area answers 404, as one that does not exist: existence is private;
- an organisation (`contractor`, `property_provider`): reports routed or assigned to its org;
  it may resolve those assigned to it;
- the reporter: one report, through the access token scoped `report:<id>`; may read, confirm
  and reopen it. Another report answers 404, so tokens cannot probe ids. A token issued
  before the report's tokens were revoked (its `gen` is older) answers 401.

Photos: anyone uploads one for a report to cite (rate-limited per client); only the
reporter's own token adds one to a filed report.

Reporter's contact: in full on the report's page to admin and the offices of its area (every
such display is recorded in `contact_views`, readable by admin), masked to the reporter and
in listings, never shown to the reported contractor, a provider or a supporter. Only the
reporter's own token asks for its erasure.

Site boards: admin publishes for any project; a `subdistrict` office for a project of its own
area, even one this service has not heard of yet (then the body names its community); a
`contractor` only for a project known from `project.created` whose contractor is its org
(unknown project ⇒ 404, another contractor's ⇒ 403). Anyone reads a board, its contacts
in full: they are published by their role, as on the site's fence.

Filing: anyone may file, limited per client (moving window, `limits` library, one limiter per
app). Reports, and apart from them photo uploads, are limited per client IP
(`COMPLAINTS_RATE_LIMIT` each); the ASGI peer address is used unless
`COMPLAINTS_TRUST_FORWARDED_FOR` says a trusted proxy sets `X-Forwarded-For`, in which case
its first address counts. Open311 clients need an API key (`OPEN311_API_KEYS`;
outside production also the documented development key) and are limited per key
(`COMPLAINTS_OPEN311_RATE_LIMIT`), as one key serves many residents.
"""

from __future__ import annotations

import hmac
import math
import time
from typing import Annotated, Literal

from fastapi import Depends, Request
from limits import RateLimitItem, parse
from limits.aio import storage, strategies

from services.complaints.config import DEV_OPEN311_API_KEY
from services.complaints.models import Complaint, ProjectSite
from shared.auth import STAFF_ROLES, Principal, require_roles
from shared.errors import Forbidden, Invalid, NotFound, TooManyRequests, Unauthorized
from shared.jurisdiction import Jurisdiction, may_act_in
from shared.service import ServiceContext

__all__ = [
    "NO_SUCH_REPORT",
    "ORG_ROLES",
    "AuditReader",
    "BoardPublisher",
    "ContactDisplay",
    "PhotoRateLimit",
    "ReportLister",
    "ReportRateLimit",
    "StatsReader",
    "actions_of",
    "actor_role",
    "acts_for_area",
    "admit_open311_client",
    "client_ip",
    "contact_display",
    "ensure_current_token",
    "ensure_may",
    "ensure_may_add_photo",
    "ensure_may_erase_contact",
    "ensure_may_publish",
    "ensure_visible",
    "is_open311_client",
    "is_own_reporter",
    "is_reporter",
    "listing_contact_display",
    "open311_keys",
    "org_of",
]

ORG_ROLES = frozenset({"contractor", "property_provider"})
_STAFF_ACTIONS = frozenset({"acknowledge", "assign", "close"})
_REPORTER_ACTIONS = frozenset({"confirm", "reopen"})
NO_SUCH_REPORT = "no such report"  # the same for a missing and a hidden report

ReportLister = Annotated[Principal, Depends(require_roles(*STAFF_ROLES, *ORG_ROLES))]
StatsReader = Annotated[Principal, Depends(require_roles(*STAFF_ROLES, "dashboard"))]
BoardPublisher = Annotated[Principal, Depends(require_roles("contractor", "subdistrict"))]
AuditReader = Annotated[Principal, Depends(require_roles("admin"))]

ContactDisplay = Literal["full", "masked", "hidden"]


# Reports

def is_reporter(principal: Principal, complaint_id: str) -> bool:
    """A report credential of this report (its reporter's, or a supporter's)."""
    return principal.scope == f"report:{complaint_id}"


def is_own_reporter(principal: Principal, complaint_id: str) -> bool:
    """The reporter who filed the report (not a supporter following it)."""
    return is_reporter(principal, complaint_id) and principal.sub == f"reporter:{complaint_id}"


def org_of(principal: Principal) -> str | None:
    """The org whose reports `principal` may see, when it acts for an organisation."""
    return principal.org if principal.has_any(ORG_ROLES) else None


def acts_for_area(principal: Principal, jurisdiction: Jurisdiction | None) -> bool:
    """Admin, or an office (`district_bureau`, `subdistrict`, `community`) whose org is that
    role's org of the report's community."""
    return may_act_in(principal, jurisdiction, STAFF_ROLES)


def ensure_current_token(principal: Principal, complaint: Complaint) -> None:
    """401 for a report credential issued before the report's tokens were revoked."""
    if (principal.generation or 0) != complaint.token_generation:
        raise Unauthorized("this report's access tokens were revoked")


def ensure_visible(principal: Principal, complaint: Complaint,
                   jurisdiction: Jurisdiction | None) -> None:
    """404 for a report the caller may not see, worded as for one that does not exist (an
    office outside the report's area included); 401 for a revoked report token.

    `jurisdiction` is the report's community's (`repository.jurisdictions.jurisdiction_for`).
    """
    if is_reporter(principal, complaint.id):
        ensure_current_token(principal, complaint)
        return
    if acts_for_area(principal, jurisdiction):
        return
    org = org_of(principal)
    if org is not None and org in (complaint.routed_org, complaint.assignee_org):
        return
    if org is None and principal.scope is None and not principal.is_staff:
        raise Forbidden("requires a staff or organisation role, or the report's access token")
    raise NotFound(NO_SUCH_REPORT)


def ensure_may(principal: Principal, action: str, complaint: Complaint,
               jurisdiction: Jurisdiction | None) -> None:
    """Called after `ensure_visible`: may this caller take `action`?"""
    if action in _REPORTER_ACTIONS:
        if not is_own_reporter(principal, complaint.id):  # a supporter's token follows only
            raise Forbidden(f"only the reporter may {action} this report")
        return
    if acts_for_area(principal, jurisdiction):
        return
    if action == "resolve" and org_of(principal) == complaint.assignee_org is not None:
        return
    if action in _STAFF_ACTIONS:
        raise Forbidden(f"only staff may {action} a report")
    raise Forbidden(f"only staff or the assignee organisation may {action} this report")


def actions_of(principal: Principal, complaint: Complaint, *, staff_here: bool
               ) -> frozenset[str]:
    """The actions `principal` may take on `complaint` by who it is (`ensure_may`'s rule),
    whatever the report's status: the reporter confirms and reopens; staff of the report's
    area take every other step and merge; the assignee org resolves; a supporter, or
    another org that sees the report, nothing."""
    if is_reporter(principal, complaint.id):
        return _REPORTER_ACTIONS if is_own_reporter(principal, complaint.id) else frozenset()
    if staff_here:
        return _STAFF_ACTIONS | {"resolve", "merge"}
    if org_of(principal) == complaint.assignee_org is not None:
        return frozenset({"resolve"})
    return frozenset()


def actor_role(principal: Principal, complaint_id: str) -> str:
    """The role recorded on a history step (readable by the reporter: no personal names)."""
    if is_reporter(principal, complaint_id):
        return "reporter"
    held = sorted(principal.roles & (STAFF_ROLES | ORG_ROLES)) or sorted(principal.roles)
    return held[0] if held else "unknown"


def contact_display(principal: Principal, complaint: Complaint, *, staff_here: bool
                    ) -> ContactDisplay:
    """How a report's contact is shown to `principal` on the report's own page: in full to
    staff of its area (each such display is recorded), masked to its reporter, and not at
    all to anyone else: the reported contractor, a provider, a supporter."""
    if staff_here:
        return "full"
    return "masked" if is_own_reporter(principal, complaint.id) else "hidden"


def listing_contact_display(staff_here: bool) -> ContactDisplay:
    """In a listing, staff of the report's area see its contact masked (in full only on the
    report's own page, where the display is recorded); an organisation not at all."""
    return "masked" if staff_here else "hidden"


def ensure_may_erase_contact(principal: Principal, complaint: Complaint) -> None:
    """Called after `ensure_visible`: only the reporter's own token asks for erasure."""
    if not is_own_reporter(principal, complaint.id):
        raise Forbidden("only the reporter, with the report's access token, may have the "
                        "contact erased")


def ensure_may_add_photo(principal: Principal, complaint_id: str) -> None:
    """Only the reporter's own token adds a photo to a report: another report's token is
    404 (tokens cannot probe ids), anyone else 403. Decided before the upload is decoded;
    the report's checks (a revoked token is 401) follow on the locked row."""
    if is_own_reporter(principal, complaint_id):
        return
    if principal.scope is not None and not is_reporter(principal, complaint_id):
        raise NotFound(NO_SUCH_REPORT)
    raise Forbidden("only the reporter, with the report's access token, may add photos")


# Site boards

def ensure_may_publish(principal: Principal, site: ProjectSite | None,
                       community_id: str | None, jurisdiction: Jurisdiction | None) -> None:
    """May `principal` publish the board of the project `site` (None: not known yet), in
    `community_id` (the site's, else the one the body names), whose offices are
    `jurisdiction`? A sub-district office only in its own area."""
    if "admin" in principal.roles:
        return
    is_its_contractor = "contractor" in principal.roles and site is not None and (
        principal.org == site.contractor_org)
    if is_its_contractor:
        return
    if principal.has_any({"subdistrict"}):
        if community_id is None:
            raise Invalid("give community_id: a sub-district office publishes in its own area "
                          "only", field="community_id")
        if may_act_in(principal, jurisdiction, ("subdistrict",)):
            return
        raise Forbidden(f"the caller's organisation has no jurisdiction over {community_id}")
    if site is None:
        raise NotFound("no such project known to the complaints service yet")
    raise Forbidden("only the project's contractor may publish its site board")


# Filing: Open311 keys and rate limits

def open311_keys(ctx: ServiceContext) -> frozenset[str]:
    """`OPEN311_API_KEYS`, plus the development key anywhere but in production."""
    configured: frozenset[str] = ctx.settings.open311_keys
    if ctx.suite.environment == "production":
        return configured - {DEV_OPEN311_API_KEY}
    return configured | {DEV_OPEN311_API_KEY}


def is_open311_client(ctx: ServiceContext, api_key: str | None) -> bool:
    if not api_key:
        return False
    given = api_key.encode()
    return any(hmac.compare_digest(given, key.encode()) for key in open311_keys(ctx))


async def admit_open311_client(ctx: ServiceContext, api_key: str | None) -> None:
    """An Open311 client may file with a known key, within its key's rate limit (the spec:
    403 when the key is missing or invalid)."""
    if not api_key:
        raise Forbidden("api_key is required to create a service request")
    if not is_open311_client(ctx, api_key):
        raise Forbidden("api_key is not valid")
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


async def _limit_photos(request: Request) -> None:
    ctx = ServiceContext.of(request)
    ip = client_ip(request, trust_forwarded_for=ctx.settings.trust_forwarded_for)
    await _enforce_rate_limit(ctx, ctx.settings.rate_limit, "photos", ip)


ReportRateLimit = Annotated[None, Depends(_limit_reports)]
# Photo uploads: the same rate per client as filing, counted apart (a report cites up to 10).
PhotoRateLimit = Annotated[None, Depends(_limit_photos)]
