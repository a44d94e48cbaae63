"""Transactional outbox: events are rows written in the same transaction as the change.

`add_event` stores the envelope; `OutboxRelay` publishes unsent rows in id order and marks
them sent. Order per aggregate (the Kafka key) holds because writers of one key are
serialised from taking an id to committing (transaction-scoped advisory locks on PostgreSQL,
taken in key order at commit; SQLite has a single writer), so ids of one key become visible
in id order, and the relay always
re-reads every unsent row instead of remembering "the last id seen". Within a batch the
idempotent producer never acknowledges a later record of a partition after failing an earlier
one, so a failed row and everything after it on its partition are simply sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    event,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlmodel import Field

from shared.bus.base import OutgoingMessage, Producer
from shared.clock import utcnow
from shared.db import Database, InfraTable, UTCDateTime
from shared.events.envelope import CONTENT_TYPE, Event

__all__ = ["OutboxMessage", "OutboxRelay", "add_event"]

log = logging.getLogger(__name__)
_RELAY_LOCK = (0x636F, 0x6D6D)  # two-int advisory lock space, apart from the per-key locks


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


_table = OutboxMessage.__table__  # type: ignore[attr-defined]
_PENDING = "outbox.pending"


async def add_event(session: AsyncSession, topic: str, event: Event) -> None:
    """Stage `event` for `topic` in the caller's transaction; the key is the event subject.

    The row is written when the transaction commits (see `_write_staged_events`).
    """
    session.info.setdefault(_PENDING, []).append((topic, event))


@event.listens_for(Session, "before_commit")
def _write_staged_events(session: Session) -> None:
    """Insert the staged events last, under per-key locks taken in key order.

    Taking the locks at the very end, sorted, means writers of one key are serialised from
    the moment they get their ids until they commit (so ids of a key become visible in id
    order) and two transactions can never wait on each other's keys (no deadlock).
    """
    staged: list[tuple[str, Event]] = session.info.pop(_PENDING, [])
    if not staged:
        return
    if session.get_bind().dialect.name == "postgresql":
        for key in sorted({e.subject for _, e in staged}):
            session.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
            )
    session.flush()  # the caller's own changes first, so the events stay the last write
    now = utcnow()
    # A Core INSERT: the rows are never read back in this session, so the ORM unit of work
    # (identity map, flush plan) would be pure overhead on every request that publishes.
    session.execute(
        _table.insert(),
        [{"event_id": e.id, "topic": topic, "key": e.subject, "event_type": e.type,
          "payload": e.to_bytes(), "created_at": now, "attempts": 0}
         for topic, e in staged],
    )


@event.listens_for(Session, "after_rollback")
def _drop_staged_events(session: Session) -> None:
    session.info.pop(_PENDING, None)


class OutboxRelay:
    """Publishes the outbox to the bus, forever, with backoff while the bus is away."""

    def __init__(
        self,
        db: Database,
        producer: Producer,
        *,
        batch_size: int = 500,
        poll_seconds: float = 0.2,
        max_backoff_seconds: float = 5.0,
    ) -> None:
        self._db = db
        self._producer = producer
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._max_backoff = max_backoff_seconds
        self._wakeup = asyncio.Event()
        self._stopping = asyncio.Event()
        self.published_total = 0
        self.last_error: str | None = None

    def wake(self) -> None:
        """Called after a commit that added events, so they go out without waiting a poll."""
        self._wakeup.set()

    def stop(self) -> None:
        """Finish the batch in hand and return from `run` (never cancel mid-transaction)."""
        self._stopping.set()
        self._wakeup.set()

    async def run(self) -> None:
        await self._producer.start()
        backoff = self._poll_seconds
        try:
            while not self._stopping.is_set():
                try:
                    published, complete = await self.relay_once()
                except Exception as exc:
                    self.last_error = str(exc)
                    log.warning("outbox relay failed: %s", exc)
                    published, complete = 0, False
                if complete and published >= self._batch_size:
                    backoff = self._poll_seconds
                    continue  # a full batch: more may be waiting
                # A short batch took every row visible at the read; rows committed since
                # then have called `wake` (so `_sleep` returns at once) or, when another
                # process wrote them, are found by the next poll.
                if not complete:
                    backoff = min(backoff * 2, self._max_backoff)
                else:
                    backoff = self._poll_seconds
                await self._sleep(backoff)
        finally:
            await self._producer.stop()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wakeup.wait()
        self._wakeup.clear()

    async def backlog(self) -> int:
        """How many events wait to be published."""
        async with self._db.sessions() as session:
            count = await session.scalar(
                text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
            )
        return int(count or 0)

    async def relay_once(self) -> tuple[int, bool]:
        """Publish one batch. Returns (rows published, whether every row in it went out)."""
        async with self._db.transaction() as session:
            if self._db.is_postgres and not await session.scalar(
                text("SELECT pg_try_advisory_xact_lock(:a, :b)"),
                {"a": _RELAY_LOCK[0], "b": _RELAY_LOCK[1]},
            ):
                return 0, True  # another replica is relaying this database
            # Plain rows, not ORM objects: the relay only reads them and marks them sent,
            # and loading 500 instances (then syncing them on UPDATE) cost more than Kafka.
            rows: Sequence[Any] = (
                await session.execute(
                    select(_table.c.id, _table.c.topic, _table.c.key, _table.c.event_type,
                           _table.c.payload)
                    .where(_table.c.sent_at.is_(None))
                    .order_by(_table.c.id)
                    .limit(self._batch_size)
                )
            ).all()
            if not rows:
                return 0, True
            results = await self._producer.send_batch([_message(row) for row in rows])
            sent, failed = _partition_results(rows, results)
            if sent:
                await session.execute(
                    update(_table).where(_table.c.id.in_(sent)).values(sent_at=utcnow())
                )
            errors: dict[str, list[int]] = {}  # usually one error for the whole batch
            for row, error in failed:
                errors.setdefault(str(error)[:2000], []).append(row.id)
            for error_text, ids in errors.items():
                await session.execute(
                    update(_table).where(_table.c.id.in_(ids)).values(
                        attempts=_table.c.attempts + 1, last_error=error_text)
                )
        self.published_total += len(sent)
        if failed:
            self.last_error = str(failed[0][1])
            log.warning("outbox relay: %d of %d events not delivered, will retry: %s",
                        len(failed), len(rows), self.last_error[:300])
        return len(sent), not failed


_CONTENT_TYPE_HEADER = ("content-type", CONTENT_TYPE.encode())


def _message(row: Any) -> OutgoingMessage:
    return OutgoingMessage(
        topic=row.topic,
        key=row.key,
        value=row.payload,
        headers=(_CONTENT_TYPE_HEADER, ("ce_type", row.event_type.encode())),
    )


def _partition_results(
    rows: Sequence[Any], results: Sequence[BaseException | None]
) -> tuple[list[int], list[tuple[Any, BaseException]]]:
    """Ids of rows to mark sent, and rows that failed and stay in the outbox."""
    sent = [row.id for row, error in zip(rows, results, strict=True) if error is None]
    failed = [(row, error) for row, error in zip(rows, results, strict=True) if error is not None]
    return sent, failed
