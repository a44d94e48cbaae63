"""Transactional outbox: events are rows written in the same transaction as the change.

`add_event` stages the envelope (written at commit, see `shared.staging`); `OutboxRelay`
publishes unsent rows in id order and marks them sent. Order per aggregate (the Kafka key) holds
because writers of one key are serialised from taking an id to committing (transaction-scoped
advisory locks on PostgreSQL, taken in key order by the outbox INSERT itself at commit; SQLite
has a single writer), so ids of one key become visible in id order, and the relay always
re-reads every unsent row (but those in flight) instead of remembering "the last id seen". The
relay hands batches to the producer strictly in id order, one after another, and the idempotent
producer never acknowledges a later record of a partition after failing an earlier one, also
across the batches in flight, so a failed row and everything after it on its partition are
simply sent again; a message that cannot even be queued stops the relay from handing over
anything more. One relay per database: a session-level advisory lock on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    all_,
    any_,
    bindparam,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.bus.base import (
    Headers,
    OutgoingMessage,
    PipeliningProducer,
    Producer,
    SendResults,
)
from shared.clock import utcnow
from shared.db import Database
from shared.events.envelope import CONTENT_TYPE
from shared.staging import OUTBOX_TABLE, OutboxMessage, add_event

__all__ = ["OutboxMessage", "OutboxRelay", "add_event"]

log = logging.getLogger(__name__)
# Session lock of the relay, in the two-int advisory lock space (apart from the per-key locks).
_RELAY_LOCK = {"a": 0x636F, "b": 0x6D6D}


class OutboxRelay:
    """Publishes the outbox to the bus, forever, with backoff while the bus is away.

    On PostgreSQL batches are pipelined: while one batch is being handed to the producer,
    the relay marks the batches whose acks are in (one UPDATE per batch) and reads the next
    rows, so the bus does not wait for the database. At most `batches_in_flight` batches are
    read and not yet marked. A producer that is not a `PipeliningProducer` gets one batch at
    a time, the next one still being read meanwhile. On SQLite (embedded mode) each batch
    is read, sent and marked in one write transaction, one after another.

    Order per key across the batches in flight rests on the idempotent producer retrying a
    partition's records in order until they succeed. The one failure it does not retry is a
    record still waiting for a partition leader after the request timeout (40 s): if the
    broker comes back in the few ms between the expiry of two batches in flight, the later
    one can land before the earlier one is sent again. A consumer whose state depends on
    order should also check event time, as acceptance's complaint projection does.
    """

    def __init__(
        self,
        db: Database,
        producer: Producer,
        *,
        batch_size: int = 500,
        poll_seconds: float = 0.2,
        max_backoff_seconds: float = 5.0,
        batches_in_flight: int = 4,
    ) -> None:
        self._db = db
        self._producer = producer
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._max_backoff = max_backoff_seconds
        self._in_flight = max(1, batches_in_flight)
        self._queue = producer.enqueue if isinstance(producer, PipeliningProducer) else None
        self._wakeup = asyncio.Event()
        self._stopping = asyncio.Event()
        self.published_total = 0
        self.last_error: str | None = None
        self._headers: dict[str, Headers] = {}  # per event type
        if db.is_postgres:
            ids = bindparam("ids", type_=ARRAY(BigInteger))
            self._read_query = _unsent(OUTBOX_TABLE.c.id != all_(ids))
            among = OUTBOX_TABLE.c.id == any_(ids)
        else:
            ids = bindparam("ids", expanding=True)
            self._read_query = _unsent(OUTBOX_TABLE.c.id.not_in(ids))
            among = OUTBOX_TABLE.c.id.in_(ids)
        self._mark_sent = update(OUTBOX_TABLE).where(among).values(sent_at=bindparam("now"))
        self._mark_failed = update(OUTBOX_TABLE).where(among).values(
            attempts=OUTBOX_TABLE.c.attempts + 1, last_error=bindparam("error"))

    def wake(self) -> None:
        """Called after a commit that added events, so they go out without waiting a poll."""
        self._wakeup.set()

    def stop(self) -> None:
        """Finish the batches in flight and return from `run` (never cancel mid-batch)."""
        self._stopping.set()
        self._wakeup.set()

    async def run(self) -> None:
        await self._producer.start()
        backoff = self._poll_seconds
        try:
            while not self._stopping.is_set():
                try:
                    _, complete = await self.relay_once()
                except Exception as exc:
                    self.last_error = str(exc)
                    log.warning("outbox relay failed: %s", exc)
                    complete = False
                # `relay_once` took every row visible at its last read; rows committed since
                # then have called `wake` (so `_sleep` returns at once) or, when another
                # process wrote them, are found by the next poll.
                backoff = self._poll_seconds if complete else min(backoff * 2, self._max_backoff)
                await self._sleep(backoff)
        finally:
            await self._producer.stop()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wakeup.wait()
        self._wakeup.clear()

    async def backlog(self) -> int:
        """How many events wait to be published (those in flight included)."""
        async with self._db.sessions() as session:
            count = await session.scalar(
                text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
            )
        return int(count or 0)

    async def relay_once(self) -> tuple[int, bool]:
        """Publish every unsent row, batch after batch, until a read comes back short.

        Returns (rows published, whether every row sent went out). Stops reading early on a
        failure or `stop()`, but always waits for the batches already in flight.
        """
        if not self._db.is_postgres:
            return await self._publish_in_transactions()
        async with self._db.engine.connect() as conn:
            # One relay per database: a session-level lock, held by the very connection that
            # reads and marks the rows, so the relay cannot lose it and carry on unaware (a
            # broken connection fails the next read or mark). AUTOCOMMIT: each statement
            # commits on its own, a read sees every row committed before it, a mark is one
            # UPDATE.
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            if not await conn.scalar(_TRY_LOCK, _RELAY_LOCK):
                return 0, True  # another replica is relaying this database
            try:
                return await self._publish(conn)
            finally:
                await _unlock(conn)

    async def _publish(self, conn: AsyncConnection) -> tuple[int, bool]:
        """Read, queue and mark batches until a read comes back short.

        Batches are handed to the producer strictly one after another, in id order. While
        one is being handed over, this marks the batches whose acks are in and reads the
        next rows: every unsent row but those in flight, so a row committed late (a lower
        id) goes out before any later row of its key, which its writer could only take
        after that commit.
        """
        queued: deque[_Batch] = deque()  # handed to the producer, not yet marked
        queueing: asyncio.Task[_Batch] | None = None  # the newest batch, being handed over
        queueing_ids: list[int] = []
        published, complete, more = 0, True, True
        try:
            while more or queueing is not None:
                # Mark what is acknowledged; wait for acks only to keep `batches_in_flight`
                # (read and not yet marked, the next one included).
                while queued and (queued[0].results.done() or len(queued)
                                  + (queueing is not None) + 1 > self._in_flight):
                    sent, failed = await self._settle(conn, queued.popleft())
                    published += sent
                    if failed:
                        complete = more = False
                rows: Sequence[_Row] = ()
                if more:
                    rows = await self._read(
                        conn, queueing_ids + [i for batch in queued for i in batch.ids])
                    more = len(rows) == self._batch_size
                if queueing is not None:
                    queued.append(await queueing)
                    queueing = None
                    if queued[-1].failed_early():
                        # A message could not even be queued: nothing may overtake it.
                        rows, more = (), False
                if self._stopping.is_set():
                    rows, more = (), False  # hand nothing more over; settle what was
                if rows:
                    queueing_ids = [row[0] for row in rows]
                    queueing = asyncio.ensure_future(self._queue_batch(queueing_ids, rows))
            while queued:
                sent, failed = await self._settle(conn, queued.popleft())
                published += sent
                complete = complete and not failed
        except Exception:
            # Let no batch go half-way: finish handing it over and wait for the acks of those
            # in flight. Their rows stay unsent and go out again later (the inbox drops the
            # copies).
            if queueing is not None:
                with contextlib.suppress(Exception):
                    queued.append(await queueing)
            for batch in queued:
                with contextlib.suppress(Exception):
                    await batch.results
            raise
        except BaseException:
            if queueing is not None:  # cancelled: stop handing messages over
                queueing.cancel()
            raise
        return published, complete

    async def _publish_in_transactions(self) -> tuple[int, bool]:
        """SQLite: each batch read, sent and marked in one write transaction, no pipelining.

        SQLite has no advisory locks: its single writer lock, held from the read to the mark,
        is what keeps one relay per database.
        """
        published = 0
        while True:
            async with self._db.engine.begin() as conn:
                rows = await self._read(conn, [])
                if not rows:
                    return published, True
                ids = [row[0] for row in rows]
                sent, failed = await self._settle(conn, await self._queue_batch(ids, rows))
            published += sent
            if failed or len(rows) < self._batch_size or self._stopping.is_set():
                return published, not failed

    async def _queue_batch(self, ids: list[int], rows: Sequence[_Row]) -> _Batch:
        return _Batch(ids, await self._send(self._messages(rows)))

    def _messages(self, rows: Sequence[_Row]) -> list[OutgoingMessage]:
        messages = []
        for _, topic, key, event_type, payload in rows:  # unpacking: far cheaper than row.attr
            headers = self._headers.get(event_type)
            if headers is None:
                headers = self._headers[event_type] = (
                    _CONTENT_TYPE_HEADER, ("ce_type", event_type.encode()))
            messages.append(OutgoingMessage(topic, key, payload, headers))
        return messages

    async def _read(self, conn: AsyncConnection, in_flight: list[int]) -> Sequence[_Row]:
        # Plain rows, not ORM objects: the relay only reads them and marks them sent.
        result = await conn.execute(self._read_query,
                                    {"ids": in_flight, "limit": self._batch_size})
        return cast(Sequence[_Row], result.all())

    async def _send(self, messages: list[OutgoingMessage]) -> asyncio.Future[SendResults]:
        if self._queue is not None:
            return await self._queue(messages)
        settled = asyncio.get_running_loop().create_future()
        settled.set_result(await self._producer.send_batch(messages))
        return settled

    async def _settle(self, conn: AsyncConnection, batch: _Batch) -> tuple[int, bool]:
        """Wait for the acks of `batch`, then mark its rows sent (or count the failure)."""
        results = await batch.results
        sent = [i for i, error in zip(batch.ids, results, strict=True) if error is None]
        failed = [(i, error) for i, error in zip(batch.ids, results, strict=True)
                  if error is not None]
        errors: dict[str, list[int]] = {}  # usually one error for the whole batch
        for row_id, error in failed:
            errors.setdefault(str(error)[:2000], []).append(row_id)
        if sent:
            await conn.execute(self._mark_sent, {"ids": sent, "now": utcnow()})
        for error_text, ids in errors.items():
            await conn.execute(self._mark_failed, {"ids": ids, "error": error_text})
        self.published_total += len(sent)
        if failed:
            self.last_error = str(failed[0][1])
            log.warning("outbox relay: %d of %d events not delivered, will retry: %s",
                        len(failed), len(batch.ids), self.last_error[:300])
        return len(sent), bool(failed)


class _Batch:
    """Ids of the rows handed to the producer, and the future of their acks."""

    __slots__ = ("ids", "results")

    def __init__(self, ids: list[int], results: asyncio.Future[SendResults]) -> None:
        self.ids = ids
        self.results = results

    def failed_early(self) -> bool:
        if not self.results.done():
            return False
        if self.results.cancelled() or self.results.exception() is not None:
            return True
        return any(r is not None for r in self.results.result())


_Row = tuple[int, str, str, str, bytes]  # id, topic, key, event_type, payload
_CONTENT_TYPE_HEADER = ("content-type", CONTENT_TYPE.encode())
_c = OUTBOX_TABLE.c
_TRY_LOCK = text("SELECT pg_try_advisory_lock(:a, :b)")
_UNLOCK = text("SELECT pg_advisory_unlock(:a, :b)")


def _unsent(not_in_flight: ColumnElement[bool]) -> Select[Any]:
    return (
        select(_c.id, _c.topic, _c.key, _c.event_type, _c.payload)
        .where(_c.sent_at.is_(None), not_in_flight)
        .order_by(_c.id)
        .limit(bindparam("limit"))
    )


async def _unlock(conn: AsyncConnection) -> None:
    try:
        await conn.execute(_UNLOCK, _RELAY_LOCK)
    except BaseException as exc:
        # A connection that may still hold the lock must not go back to the pool: it would
        # keep every relay of this database out until it is closed. Closed, it holds nothing.
        await conn.invalidate()
        if not isinstance(exc, Exception):
            raise
        log.warning("outbox relay: lock not released, connection closed instead: %s", exc)
