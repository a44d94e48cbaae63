"""Request guards applied before any route runs: body size (413) and content type (415).

A JSON body larger than `MAX_JSON_BODY_BYTES` (1 MiB by default) or a multipart upload larger
than `MAX_UPLOAD_BYTES` is refused with 413 before it is read into memory. A POST/PUT/PATCH
whose body's media type is not one the operation declares in the OpenAPI document is refused
with 415 and the accepted types; routes that parse their own body and declare none (Open311's
form-encoded POST) are left alone. A NUL character (U+0000) in the path, the query or a JSON or
form body is refused with 422: PostgreSQL cannot store it in text and would fail the write with
a 500. Every answer is problem+json, and nothing is written.
"""

from __future__ import annotations

import email.message
import re
from collections.abc import Callable
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import problem_response

__all__ = ["RequestLimitSettings", "RequestLimits", "read_body_at_most"]

_METHODS = frozenset({"POST", "PUT", "PATCH"})
_MULTIPART = "multipart/form-data"
_FORM = "application/x-www-form-urlencoded"
# An escaped NUL in JSON (`\u0000`), not preceded by an escaped backslash (`\\u0000` is text).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


class RequestLimitSettings(BaseSettings):
    """Body-size limits, from the environment (`MAX_JSON_BODY_BYTES`, `MAX_UPLOAD_BYTES`)."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    max_json_body_bytes: int = Field(default=1024 * 1024, ge=1)
    max_upload_bytes: int = Field(default=16 * 1024 * 1024, ge=1)


def _media_type(raw: str | None) -> str | None:
    if not raw:
        return None
    message = email.message.Message()
    message["content-type"] = raw
    return message.get_content_type().lower()


def _accepts(declared: frozenset[str], media_type: str) -> bool:
    if media_type in declared:
        return True
    is_json = media_type.startswith("application/") and media_type.endswith("+json")
    return is_json and "application/json" in declared


class _BodyTypes:
    """Which request media types each (method, path) declares, read once from the OpenAPI."""

    def __init__(self, openapi: Callable[[], dict[str, Any]]) -> None:
        self._openapi = openapi
        self._table: list[tuple[re.Pattern[str], str, frozenset[str]]] | None = None

    def declared(self, method: str, path: str) -> frozenset[str] | None:
        if self._table is None:
            self._table = self._build()
        for pattern, op_method, types in self._table:
            if op_method == method and pattern.match(path):
                return types
        return None

    def _build(self) -> list[tuple[re.Pattern[str], str, frozenset[str]]]:
        table = []
        for template, operations in self._openapi().get("paths", {}).items():
            pattern = compile_path(template)[0]
            for method, operation in operations.items():
                content = operation.get("requestBody", {}).get("content", {})
                if content:
                    table.append((pattern, method.upper(), frozenset(map(str.lower, content))))
        return table


class RequestLimits:
    """ASGI middleware enforcing the body-size limits and the declared content types."""

    def __init__(self, app: ASGIApp, *, openapi: Callable[[], dict[str, Any]],
                 settings: RequestLimitSettings | None = None) -> None:
        self.app = app
        self._settings = settings or RequestLimitSettings()
        self._types = _BodyTypes(openapi)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b""):
            await _nul_refused(scope, receive, send, "query" if "\x00" not in scope["path"]
                               else "path")
            return
        if scope["method"] not in _METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        media_type = _media_type(headers.get(b"content-type"))
        limit = (self._settings.max_upload_bytes if media_type == _MULTIPART
                 else self._settings.max_json_body_bytes)
        length = headers.get(b"content-length")
        if length is not None and length.strip().isdigit() and int(length) > limit:
            await self._too_large(scope, receive, send, limit)
            return
        body: bytes | None = None
        if length is None or media_type != _MULTIPART:  # read it here, bounded, then replay it
            body = await read_body_at_most(receive, limit)
            if body is None:
                await self._too_large(scope, receive, send, limit)
                return
        has_body = bool(body) if body is not None else length not in (None, "", "0")
        declared = self._types.declared(scope["method"], scope["path"])
        if has_body and declared and (media_type is None or not _accepts(declared, media_type)):
            response = problem_response(
                415, "Unsupported media type",
                f"the body must be one of: {', '.join(sorted(declared))}",
                instance=scope["path"], accepted=sorted(declared),
            )
            await response(scope, receive, send)
            return
        if body is not None and _contains_nul(body, media_type):
            await _nul_refused(scope, receive, send, "body")
            return
        await self.app(scope, receive if body is None else _replay(body, receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem_response(413, "Payload too large",
                                    f"the request body is limited to {limit} bytes",
                                    instance=scope["path"], max_bytes=limit)
        await response(scope, receive, send)


def _contains_nul(body: bytes, media_type: str | None) -> bool:
    if media_type == _FORM:
        return b"%00" in body or b"\x00" in body
    return _JSON_NUL.search(body) is not None or b"\x00" in body


async def _nul_refused(scope: Scope, receive: Receive, send: Send, where: str) -> None:
    message = "text must not contain the NUL character (U+0000)"
    response = problem_response(422, "Invalid request", f"{where}: {message}",
                                instance=scope["path"], errors=[{"field": where,
                                                                 "message": message}])
    await response(scope, receive, send)


async def read_body_at_most(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None as soon as it grows past `limit` bytes."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, then the real channel (so a disconnect is still seen)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
