"""Per-client rate limits (moving window, `limits` library), one limiter per app.

Reports are limited per client IP (`COMPLAINTS_RATE_LIMIT`); the ASGI peer address is used
unless `COMPLAINTS_TRUST_FORWARDED_FOR` says a trusted proxy sets `X-Forwarded-For`, in which
case its first address counts. Open311 clients are limited per API key
(`COMPLAINTS_OPEN311_RATE_LIMIT`), as one key serves many residents.
"""

from __future__ import annotations

import math
import time
from typing import Annotated

from fastapi import Depends, Request
from limits import RateLimitItem, parse
from limits.aio import storage, strategies

from shared.errors import TooManyRequests
from shared.service import ServiceContext

__all__ = ["ReportRateLimit", "client_ip", "enforce_rate_limit"]


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


async def enforce_rate_limit(ctx: ServiceContext, limit: str, *key: str) -> None:
    wait = await _limiter(ctx).retry_after(limit, *key)
    if wait is not None:
        raise TooManyRequests(f"rate limit of {limit} exceeded; retry later", retry_after=wait)


async def _limit_reports(request: Request) -> None:
    ctx = ServiceContext.of(request)
    ip = client_ip(request, trust_forwarded_for=ctx.settings.trust_forwarded_for)
    await enforce_rate_limit(ctx, ctx.settings.rate_limit, "reports", ip)


ReportRateLimit = Annotated[None, Depends(_limit_reports)]
