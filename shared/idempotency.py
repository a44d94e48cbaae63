"""`Idempotency-Key` for every POST/PUT/PATCH: a retried request gets the first response.

Same key + same request (method, path, query, body) replays the stored response with
`Idempotent-Replayed: true`; same key + another request ⇒ 409; a retry while the first is
still running ⇒ 409 with `Retry-After`. Keys are scoped to the verified token subject (or to
anonymous callers), so one caller can never replay another's response. 5xx, 401, 403 and 429
are not stored: the client may retry those for real.

The stored response commits in the SAME transaction as the request's writes: the request
session (`shared.deps.SessionDep`) is handed over to this middleware, which writes the answer
and commits both, then sends it. So a crash or a lost database after the commit can never
leave a write whose key would let a retry run it again, and a crash before it leaves nothing
but the pending claim. A claim whose request died is taken over by a retry after
`_STALE_AFTER`; the takeover and the final write are both conditional on the claim's
`created_at`, so the request that lost its claim rolls back instead of writing twice. While
the database is unreachable the middleware answers 503 with `Retry-After`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    Column,
    ColumnElement,
    Executable,
    Integer,
    LargeBinary,
    String,
    and_,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import Authenticator
from shared.clock import utcnow
from shared.db import Database, InfraTable, UTCDateTime, database_unavailable
from shared.errors import PROBLEM_JSON, ProblemError
from shared.limits import read_body_at_most

__all__ = ["Claim", "IdempotencyMiddleware", "IdempotencyRecord", "claim_of"]

log = logging.getLogger(__name__)

HEADER = b"idempotency-key"
_METHODS = {"POST", "PUT", "PATCH"}
_NOT_STORED = {401, 403, 429}
# How long a pending claim protects a request that may still be running; after that a retry
# takes the key over (safe: the late request's own commit is refused, see `_store_with`).
_STALE_AFTER = timedelta(seconds=30)
_MAX_BODY = 32 * 1024 * 1024
_STATE_KEY = "idempotency_claim"

Response = tuple[int, list[tuple[bytes, bytes]], bytes]


class IdempotencyRecord(InfraTable, table=True):
    __tablename__ = "idempotency_keys"

    scope: str = Field(sa_column=Column(String(200), primary_key=True))
    key: str = Field(sa_column=Column(String(255), primary_key=True))
    fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
    status_code: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    content_type: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    body: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


_table = IdempotencyRecord.__table__  # type: ignore[attr-defined]


@dataclass
class Claim:
    """A running request's hold on its key (`created_at` of its pending record).

    `SessionDep` hands the request's open session over with `hand_over`; the middleware then
    commits it together with the stored response.
    """

    caller: str
    key: str
    created_at: datetime
    session: AsyncSession | None = None
    commit: Callable[[AsyncSession], Awaitable[None]] | None = None

    def hand_over(self, session: AsyncSession,
                  commit: Callable[[AsyncSession], Awaitable[None]]) -> None:
        """Take the request's open session; `commit` is the database's one commit."""
        self.session, self.commit = session, commit

    def mine(self) -> ColumnElement[bool]:
        """The pending record of this very claim (not a finished or a newer one)."""
        return and_(_table.c.scope == self.caller, _table.c.key == self.key,
                    _table.c.created_at == self.created_at, _table.c.status_code.is_(None))


def claim_of(scope: Scope) -> Claim | None:
    """The claim of the idempotent request being served, if it is one."""
    claim = scope.get("state", {}).get(_STATE_KEY)
    return claim if isinstance(claim, Claim) else None


def _problem(status: int, title: str, detail: str, extra_headers: list[tuple[bytes, bytes]]
             ) -> Response:
    body = json.dumps({"type": "about:blank", "title": title, "status": status,
                       "detail": detail}).encode()
    return status, [(b"content-type", PROBLEM_JSON.encode()), *extra_headers], body


def _with_instance(answer: Response, path: str) -> Response:
    """A problem this middleware wrote names the request path as its `instance`, as the
    app's own problems do (a stored answer from the app is left as it is)."""
    status, headers, body = answer
    if dict(headers).get(b"content-type") != PROBLEM_JSON.encode():
        return answer
    problem = json.loads(body)
    if not isinstance(problem, dict) or "instance" in problem:
        return answer
    return status, headers, json.dumps({**problem, "instance": path}).encode()


_IN_PROGRESS = ("Conflict", "a request with this Idempotency-Key is still in progress")
_UNAVAILABLE = ("Service unavailable", "the database is unavailable")
_RETRY_SOON = [(b"retry-after", b"1")]


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
            await _respond(send, *_with_instance(_problem(
                400, "Bad request", "Idempotency-Key must be 1 to 255 characters", []),
                scope["path"]))
            return
        caller = self._caller(headers.get(b"authorization"), scope)
        if caller is None:  # an invalid token: let the route answer 401
            await self.app(scope, receive, send)
            return
        body = await read_body_at_most(receive, _MAX_BODY)
        if body is None:
            await _respond(send, *_with_instance(
                _problem(413, "Payload too large", "request body too large", []), scope["path"]))
            return
        fingerprint = hashlib.sha256(
            b"\n".join([scope["method"].encode(), scope["path"].encode(),
                        scope.get("query_string", b""), body])
        ).hexdigest()
        db = self._database()
        try:
            claimed = await self._claim(db, caller, key, fingerprint)
        except (SQLAlchemyError, OSError) as exc:
            if not database_unavailable(exc):
                raise
            await _respond(send, *_with_instance(_problem(503, *_UNAVAILABLE, _RETRY_SOON),
                                                 scope["path"]))
            return
        if not isinstance(claimed, Claim):
            await _respond(send, *_with_instance(claimed, scope["path"]))
            return
        answer = await self._run_and_store(db, claimed, scope, body)
        await _respond(send, *_with_instance(answer, scope["path"]))

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
                     ) -> Claim | Response:
        """Insert a pending record, or return the response to give instead of running."""
        for _ in range(3):
            async with db.transaction() as session:
                record = (await session.execute(select(_table).where(
                    (_table.c.scope == caller) & (_table.c.key == key)))).one_or_none()
                if record is not None and record.fingerprint != fingerprint:
                    return _problem(409, "Conflict", "Idempotency-Key was already used for a "
                                    "different request", [])
                if record is not None and record.status_code is not None:
                    return record.status_code, [
                        (b"content-type", (record.content_type or "application/json").encode()),
                        (b"idempotent-replayed", b"true"),
                    ], record.body or b""
                if record is not None and utcnow() - record.created_at < _STALE_AFTER:
                    return _problem(409, *_IN_PROGRESS, _RETRY_SOON)
                if record is not None:  # its request died: take over, unless it just finished
                    stale = Claim(caller, key, record.created_at)
                    if await _affected(session, delete(_table).where(stale.mine())) != 1:
                        continue
                claim = Claim(caller, key, utcnow())
                try:
                    await session.execute(insert(_table).values(
                        scope=caller, key=key, fingerprint=fingerprint,
                        created_at=claim.created_at))
                except IntegrityError:
                    await session.rollback()
                    continue
            return claim
        return _problem(409, *_IN_PROGRESS, _RETRY_SOON)

    async def _run_and_store(self, db: Database, claim: Claim, scope: Scope, body: bytes
                             ) -> Response:
        sent_body = False

        async def replay_receive() -> Message:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        status = 500
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status, headers = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        scope.setdefault("state", {})[_STATE_KEY] = claim
        try:
            await self.app(scope, replay_receive, capture)
        except BaseException:
            await _close(claim)
            await self._forget(db, claim)
            raise
        # Held until stored: the client must not see an answer whose write may not commit.
        answer: Response = (status, headers, b"".join(chunks))
        try:
            if claim.session is not None:
                return await self._store_with(claim, answer)
            await self._store_alone(db, claim, answer)
        except (SQLAlchemyError, OSError) as exc:
            await _close(claim)  # first: its transaction may hold the record's row lock
            await self._forget(db, claim)
            if isinstance(exc, IntegrityError):  # a constraint checked only at commit
                return _problem(409, "Conflict", "the write conflicts with existing data", [])
            if not database_unavailable(exc):
                raise
            log.warning("database unavailable while storing an idempotent response")
            return _problem(503, *_UNAVAILABLE, _RETRY_SOON)
        finally:
            await _close(claim)
        return answer

    async def _store_with(self, claim: Claim, answer: Response) -> Response:
        """Commit the request's writes and its stored answer together."""
        session = claim.session
        assert session is not None
        status, headers, body = answer
        if status >= 500 or status in _NOT_STORED:
            await session.rollback()
            await self._forget_in(session, claim)
            return answer
        stored = await _affected(session, update(_table).where(claim.mine()).values(
            status_code=status, content_type=_content_type(headers), body=body))
        if stored != 1:  # a retry took the key over: its run is the one that counts
            await session.rollback()
            return _problem(409, *_IN_PROGRESS, _RETRY_SOON)
        assert claim.commit is not None
        await claim.commit(session)
        return answer

    async def _store_alone(self, db: Database, claim: Claim, answer: Response) -> None:
        """The request wrote nothing (it failed, or never opened a session): store its answer."""
        status, headers, body = answer
        async with db.transaction() as session:
            if status >= 500 or status in _NOT_STORED:
                await self._forget_in(session, claim)
                return
            await session.execute(update(_table).where(claim.mine()).values(
                status_code=status, content_type=_content_type(headers), body=body))

    @staticmethod
    async def _forget_in(session: AsyncSession, claim: Claim) -> None:
        await session.execute(delete(_table).where(claim.mine()))
        await session.commit()

    async def _forget(self, db: Database, claim: Claim) -> None:
        """Let the client retry for real; if the database is away, the claim goes stale."""
        try:
            async with db.transaction() as session:
                await session.execute(delete(_table).where(claim.mine()))
        except (SQLAlchemyError, OSError):
            log.warning("could not release an Idempotency-Key claim; it expires by itself")


async def _affected(session: AsyncSession, statement: Executable) -> int:
    result = await session.execute(statement)
    return int(getattr(result, "rowcount", 0))


async def _close(claim: Claim) -> None:
    session, claim.session = claim.session, None
    if session is not None:
        await session.close()


def _content_type(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name.lower() == b"content-type":
            return value.decode("latin-1")
    return "application/json"


async def _respond(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
                   ) -> None:
    present = {name.lower() for name, _ in headers}
    extra = [] if b"content-length" in present else [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": [*headers, *extra]})
    await send({"type": "http.response.body", "body": body})
