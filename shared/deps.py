"""FastAPI dependencies shared by every service: the request session, clock and context."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import Clock
from shared.idempotency import claim_of
from shared.service import ServiceContext

__all__ = ["ClockDep", "ContextDep", "IfMatch", "SessionDep", "set_etag"]


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request, committed by `Database.commit` before the response is sent.

    A request with an `Idempotency-Key` hands its open session to the idempotency middleware,
    which stores the response in it and commits both through the same `Database.commit`
    (see `shared.idempotency`), so staged events and the relay's wake-up are handled alike.
    """
    ctx = ServiceContext.of(request)
    claim = claim_of(request.scope)
    if claim is None:
        async with ctx.db.transaction() as session:
            yield session
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
    claim.hand_over(session, commit=ctx.db.commit)


async def _context(request: Request) -> ServiceContext:
    return ServiceContext.of(request)


async def _clock(request: Request) -> Clock:
    return ServiceContext.of(request).clock


SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]
ContextDep = Annotated[ServiceContext, Depends(_context)]
ClockDep = Annotated[Clock, Depends(_clock)]
IfMatch = Annotated[str | None, Header(alias="If-Match", description="expected version")]


def set_etag(response: Response, version: int) -> None:
    """`ETag: "<version>"` on a resource that takes `If-Match: <version>` for its writes."""
    response.headers["ETag"] = f'"{version}"'
