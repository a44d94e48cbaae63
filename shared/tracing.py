"""W3C trace context: one `traceparent` per request, carried into the events it causes."""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["TraceMiddleware", "current_traceparent", "new_traceparent", "use_traceparent"]

_TRACEPARENT = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")
_current: ContextVar[str | None] = ContextVar("traceparent", default=None)


def new_traceparent() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def current_traceparent() -> str:
    """The trace of the work in progress, or a new one."""
    return _current.get() or new_traceparent()


def use_traceparent(value: str | None) -> None:
    """Continue a trace received from a client or an event (ignored when malformed)."""
    _current.set(value if value and _TRACEPARENT.match(value) else new_traceparent())


class TraceMiddleware:
    """Adopts the client's `traceparent` header, or starts a trace, for each request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            header = dict(scope.get("headers", [])).get(b"traceparent")
            use_traceparent(header.decode("latin-1") if header else None)
        await self.app(scope, receive, send)
