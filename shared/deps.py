"""FastAPI dependencies shared by every service: the request session, clock and context."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import Clock
from shared.errors import Invalid, PreconditionFailed
from shared.idempotency import claim_of
from shared.service import ServiceContext

__all__ = ["ClockDep", "ContextDep", "IfMatch", "SessionDep", "check_version"]


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request, committed before the response is sent.

    A request with an `Idempotency-Key` hands its open session to the idempotency middleware,
    which commits the writes together with the stored response (see `shared.idempotency`).
    """
    ctx = ServiceContext.of(request)
    claim = claim_of(request.scope)
    if claim is None:
        async with ctx.db.transaction() as session:
            yield session
        ctx.relay.wake()
        return
    session = ctx.db.sessions()
    try:
        yield session
    except BaseException:
        try:
            await session.rollback()
        finally:
            await session.close()
        raise
    claim.hand_over(session, after_commit=ctx.relay.wake)


async def _context(request: Request) -> ServiceContext:
    return ServiceContext.of(request)


async def _clock(request: Request) -> Clock:
    return ServiceContext.of(request).clock


SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]
ContextDep = Annotated[ServiceContext, Depends(_context)]
ClockDep = Annotated[Clock, Depends(_clock)]
IfMatch = Annotated[str | None, Header(alias="If-Match", description="expected version")]


def check_version(if_match: str | None, current: int) -> None:
    """Optimistic concurrency: `If-Match: <version>` (quotes and W/ allowed) must be current."""
    if if_match is None:
        return
    raw = if_match.strip().removeprefix("W/").strip('"')
    if not raw.isdigit():
        raise Invalid("If-Match must be the resource version number", field="If-Match")
    if int(raw) != current:
        raise PreconditionFailed(
            f"resource is at version {current}, not {raw}", current_version=current
        )
