"""Events staged in a transaction and written to the outbox table when it commits.

`add_event` only stages: the rows are inserted by `write_staged_events`, which the one commit
of a transaction (`shared.db.Database.commit`) runs just before COMMIT. A session committed
any other way with events still staged is refused (`_refuse_unwritten_events`), so an event
can never be silently lost by a commit that bypassed the owner of the transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import BigInteger, Column, Index, Integer, LargeBinary, String, Text, event, text
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlmodel import Field

from shared.clock import utcnow
from shared.events.envelope import Event
from shared.tables import InfraTable, UTCDateTime

__all__ = ["OUTBOX_TABLE", "OutboxMessage", "add_event", "write_staged_events"]

class OutboxMessage(InfraTable, table=True):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_unsent", "id", postgresql_where=text("sent_at IS NULL"),
              sqlite_where=text("sent_at IS NULL")),
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                         autoincrement=True),
    )
    event_id: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    topic: str = Field(sa_column=Column(String(200), nullable=False))
    key: str = Field(sa_column=Column(String(200), nullable=False))
    event_type: str = Field(sa_column=Column(String(200), nullable=False))
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


OUTBOX_TABLE = OutboxMessage.__table__  # type: ignore[attr-defined]
_PENDING = "outbox.pending"


async def add_event(session: AsyncSession, topic: str, event: Event) -> None:
    """Stage `event` for `topic` in the caller's transaction; the key is the event subject.

    The row is written when the transaction commits (see `write_staged_events`).
    """
    session.info.setdefault(_PENDING, []).append((topic, event))


# The per-key advisory locks ride in the INSERT itself: one round trip per publishing
# transaction instead of one per key plus the insert.
#
# Why every lock is held before any row gets its id: the WHERE clause is an uncorrelated
# scalar subquery, so PostgreSQL runs it once as an InitPlan behind a one-time filter, before
# the scan below yields its first row; the ids come from the column default (nextval), which
# is evaluated in the projection of each row that scan yields, so after the filter passed.
# Why the locks are taken in key order: the subquery sorts the keys and the lock call is a
# volatile expression, which PostgreSQL evaluates after the sort (in sorted order, as
# `EXPLAIN VERBOSE` shows). COLLATE "C" is code-point order, the order of Python's `sorted`,
# so the keys also arrive sorted and every writer agrees on one order (no deadlock).
# WITH ORDINALITY / ORDER BY e.n keeps the ids in staging order.
_LOCKED_INSERT = text(
    "INSERT INTO outbox (event_id, topic, key, event_type, payload, created_at, attempts) "
    "SELECT e.event_id, e.topic, e.key, e.event_type, e.payload, "
    "CAST(:created_at AS timestamptz), 0 "
    "FROM unnest(CAST(:event_ids AS text[]), CAST(:topics AS text[]), CAST(:keys AS text[]), "
    "CAST(:event_types AS text[]), CAST(:payloads AS bytea[])) "
    "WITH ORDINALITY AS e(event_id, topic, key, event_type, payload, n) "
    "WHERE (SELECT count(*) FROM ("
    "SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) "
    'FROM unnest(CAST(:lock_keys AS text[])) AS k ORDER BY k COLLATE "C") AS locks) >= 0 '
    "ORDER BY e.n"
)


async def write_staged_events(session: AsyncSession) -> None:
    """Insert the staged events last, under per-key locks taken in key order.

    Taking the locks at the very end, sorted, means writers of one key are serialised from
    the moment they get their ids until they commit (so ids of a key become visible in id
    order) and two transactions can never wait on each other's keys (no deadlock). The
    caller's own changes are flushed before, so a holder of key locks never waits for
    anything else (a row lock, say) before it commits.
    """
    staged: list[tuple[str, Event]] = session.info.pop(_PENDING, [])
    if not staged:
        return
    await session.flush()  # the caller's own changes first, so the events stay the last write
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        inserted = await session.execute(_LOCKED_INSERT, {
            "created_at": now,
            "event_ids": [e.id for _, e in staged],
            "topics": [topic for topic, _ in staged],
            "keys": [e.subject for _, e in staged],
            "event_types": [e.type for _, e in staged],
            "payloads": [e.to_bytes() for _, e in staged],
            "lock_keys": sorted({e.subject for _, e in staged}),
        })
        written = cast("CursorResult[Any]", inserted).rowcount
        if written != len(staged):  # the lock subquery must never filter rows out
            raise RuntimeError(f"outbox insert wrote {written} of {len(staged)} events")
        return
    # SQLite has a single writer, so no locks. A Core INSERT: the rows are never read back in
    # this session, so the ORM unit of work (identity map, flush plan) would be pure overhead.
    await session.execute(
        OUTBOX_TABLE.insert(),
        [{"event_id": e.id, "topic": topic, "key": e.subject, "event_type": e.type,
          "payload": e.to_bytes(), "created_at": now, "attempts": 0}
         for topic, e in staged],
    )


@event.listens_for(Session, "before_commit")
def _refuse_unwritten_events(session: Session) -> None:
    if session.info.get(_PENDING):
        raise RuntimeError("events were staged in a transaction committed without "
                           "shared.db.Database.commit: they would be lost")


@event.listens_for(Session, "after_rollback")
def _drop_staged_events(session: Session) -> None:
    session.info.pop(_PENDING, None)
