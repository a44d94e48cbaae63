"""`Idempotency-Key` for every POST/PUT/PATCH: a retried request gets the first response.

Same key + same request (method, path, query, body) replays the stored response with
`Idempotent-Replayed: true`; same key + another request ⇒ 409; a retry while the first is
still running ⇒ 409 with `Retry-After`. Keys are scoped to the verified token subject (or to
anonymous callers), so one caller can never replay another's response. 5xx, 401, 403 and 429
are not stored: the client may retry those for real.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Column, Integer, LargeBinary, String
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import Authenticator
from shared.clock import utcnow
from shared.db import Database, InfraTable, UTCDateTime
from shared.errors import PROBLEM_JSON, ProblemError

__all__ = ["IdempotencyMiddleware", "IdempotencyRecord"]

HEADER = b"idempotency-key"
_METHODS = {"POST", "PUT", "PATCH"}
_NOT_STORED = {401, 403, 429}
_STALE_AFTER = timedelta(minutes=5)
_MAX_BODY = 32 * 1024 * 1024


class IdempotencyRecord(InfraTable, table=True):
    __tablename__ = "idempotency_keys"

    scope: str = Field(sa_column=Column(String(200), primary_key=True))
    key: str = Field(sa_column=Column(String(255), primary_key=True))
    fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
    status_code: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    content_type: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    body: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


def _problem(status: int, title: str, detail: str, extra_headers: list[tuple[bytes, bytes]]
             ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    body = json.dumps({"type": "about:blank", "title": title, "status": status,
                       "detail": detail}).encode()
    return status, [(b"content-type", PROBLEM_JSON.encode()), *extra_headers], body


class IdempotencyMiddleware:
    """ASGI middleware; needs the service database and the authenticator from `app.state`."""

    def __init__(self, app: ASGIApp, *, database: Callable[[], Database],
                 authenticator: Callable[[], Authenticator]) -> None:
        self.app = app
        self._database = database
        self._authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        raw_key = headers.get(HEADER)
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1").strip()
        if not 1 <= len(key) <= 255:
            await _respond(send, *_problem(400, "Bad request",
                                           "Idempotency-Key must be 1 to 255 characters", []))
            return
        caller = self._caller(headers.get(b"authorization"), scope)
        if caller is None:  # an invalid token: let the route answer 401
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            await _respond(send, *_problem(413, "Payload too large", "request body too large", []))
            return
        fingerprint = hashlib.sha256(
            b"\n".join([scope["method"].encode(), scope["path"].encode(),
                        scope.get("query_string", b""), body])
        ).hexdigest()
        db = self._database()
        replay = await self._claim(db, caller, key, fingerprint)
        if replay is not None:
            await _respond(send, *replay)
            return
        await self._run_and_store(db, caller, key, scope, body, send)

    def _caller(self, authorization: bytes | None, scope: Scope) -> str | None:
        if authorization is None:
            # Callers without an account are told apart by address as well, so that a
            # guessed key can never replay another resident's receipt (and its access token).
            client = scope.get("client")
            return f"anonymous:{client[0] if client else 'unknown'}"
        value = authorization.decode("latin-1")
        if not value.lower().startswith("bearer "):
            return None
        try:
            return "sub:" + self._authenticator().verify(value[7:].strip()).sub
        except ProblemError:
            return None

    async def _claim(self, db: Database, caller: str, key: str, fingerprint: str
                     ) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
        """Insert a pending record, or return the response to give instead of running."""
        for _ in range(2):
            async with db.transaction() as session:
                record = await session.get(IdempotencyRecord, (caller, key))
                if record is None:
                    session.add(IdempotencyRecord(scope=caller, key=key, fingerprint=fingerprint,
                                                  created_at=utcnow()))
                    try:
                        await session.flush()
                    except IntegrityError:
                        await session.rollback()
                        continue
                    return None
                if record.fingerprint != fingerprint:
                    return _problem(409, "Conflict", "Idempotency-Key was already used for a "
                                    "different request", [])
                if record.status_code is not None:
                    return record.status_code, [
                        (b"content-type", (record.content_type or "application/json").encode()),
                        (b"idempotent-replayed", b"true"),
                    ], record.body or b""
                if utcnow() - record.created_at < _STALE_AFTER:
                    return _problem(409, "Conflict", "a request with this Idempotency-Key is "
                                    "still in progress", [(b"retry-after", b"1")])
                await session.delete(record)  # its first attempt died: let this one run
                await session.flush()
                session.add(IdempotencyRecord(scope=caller, key=key, fingerprint=fingerprint,
                                              created_at=utcnow()))
                return None
        return _problem(409, "Conflict", "a request with this Idempotency-Key is still in "
                        "progress", [(b"retry-after", b"1")])

    async def _run_and_store(self, db: Database, caller: str, key: str, scope: Scope,
                             body: bytes, send: Send) -> None:
        sent_body = False

        async def replay_receive() -> Message:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        status = 500
        content_type = "application/json"
        chunks: list[bytes] = []
        settled = False

        async def settle() -> None:
            """Store the response (or forget the key) before the client can see its end,
            so that an immediate retry is replayed rather than told "in progress"."""
            nonlocal settled
            settled = True
            async with db.transaction() as session:
                record = await session.get(IdempotencyRecord, (caller, key))
                if record is None:
                    return
                if status >= 500 or status in _NOT_STORED:
                    await session.delete(record)
                    return
                record.status_code = status
                record.content_type = content_type
                record.body = b"".join(chunks)

        async def capture(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        content_type = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await settle()
            await send(message)

        try:
            await self.app(scope, replay_receive, capture)
        finally:
            if not settled:
                status = 500  # the app failed before answering: let the client retry
                await settle()


async def _read_body(receive: Receive) -> bytes | None:
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > _MAX_BODY:
            return None
        parts.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(parts)


async def _respond(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
                   ) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [*headers, (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
