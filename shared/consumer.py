"""The consumer runner: typed handlers, inbox de-duplication, dead letters, self-healing.

For each message: parse the CloudEvent, look up its type (unknown types are skipped), validate
the payload against the catalog, then in ONE transaction record the event id in the inbox and
run the handler. A whole fetch normally goes in one such transaction (one inbox statement for
all its events; a `BatchHandler` applies each run of consecutive events in one call), and
offsets are committed only after it. A message that cannot be parsed or validated, or whose
handler keeps failing while the database is reachable, goes to `<topic>.dlq` with the error
and the partition moves on. If the database is unreachable the
runner does not commit and starts over, so the message is applied once the database is back.
A consumer that stops returning from fetches is replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from itertools import groupby
from operator import itemgetter

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.bus.base import Bus, Consumer, IncomingMessage, OutgoingMessage, Producer
from shared.db import Database
from shared.events.catalog import CATALOG, EventData
from shared.events.envelope import Event, InvalidEnvelope
from shared.events.topics import dead_letter_topic
from shared.inbox import record_first_delivery, record_new_deliveries
from shared.tracing import use_traceparent

__all__ = ["BatchHandler", "Delivery", "EventConsumer", "Handler", "Outcome"]

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, EventData, Event], Awaitable[None]]
Delivery = tuple[EventData, Event]


class BatchHandler:
    """A handler that applies a run of consecutive events in one call.

    Decorate `async def apply(session, deliveries)`; it must leave the database exactly as
    applying `deliveries` one by one, in order, would. The runner hands it every run of
    consecutive events of a fetch that map to this handler (already de-duplicated by the
    inbox), with the trace of the run's first event current; called as a plain `Handler` it
    applies one event. Suits projections: one statement for the run instead of one per event.
    """

    def __init__(self, apply: Callable[[AsyncSession, Sequence[Delivery]], Awaitable[None]]
                 ) -> None:
        self.apply = apply
        functools.update_wrapper(self, apply)

    async def __call__(self, session: AsyncSession, data: EventData, event: Event) -> None:
        await self.apply(session, ((data, event),))


class Outcome(Enum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    SKIPPED = "skipped"
    DEAD_LETTERED = "dead_lettered"


class DatabaseUnavailable(RuntimeError):
    pass


@dataclass
class ConsumerStats:
    applied: int = 0
    duplicate: int = 0
    skipped: int = 0
    dead_lettered: int = 0
    restarts: int = 0
    last_progress: float = field(default_factory=time.monotonic)


class EventConsumer:
    """Runs one consumer group over `topics`, dispatching by event type to `handlers`.

    `batch_size` caps the records fetched, and so applied in one transaction, at a time.
    """

    def __init__(
        self,
        db: Database,
        bus: Bus,
        *,
        group: str,
        topics: Sequence[str],
        handlers: Mapping[str, Handler],
        max_attempts: int = 3,
        batch_size: int = 500,
        stall_seconds: float = 60.0,
    ) -> None:
        self._db = db
        self._bus = bus
        self.group = group
        self.topics = list(topics)
        self._handlers = dict(handlers)
        self._max_attempts = max_attempts
        self._batch_size = batch_size
        self._stall_seconds = stall_seconds
        self._dead_letters: Producer = bus.producer()
        self._stopping = asyncio.Event()
        self.stats = ConsumerStats()

    def stop(self) -> None:
        """Finish the batch in hand, commit it and return from `run`."""
        self._stopping.set()

    def healthy(self) -> bool:
        """False when no fetch has completed for longer than the stall limit."""
        return time.monotonic() - self.stats.last_progress < self._stall_seconds

    async def run(self) -> None:
        """Consume forever; any failure restarts the consumer from the committed offsets."""
        await self._bus.ensure_topics([*self.topics, *map(dead_letter_topic, self.topics)])
        await self._dead_letters.start()
        backoff = 0.5
        try:
            while not self._stopping.is_set():
                consumer = self._bus.consumer(self.group, self.topics)
                try:
                    await consumer.start()
                    backoff = 0.5
                    await self._consume(consumer)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    self.stats.restarts += 1
                    log.warning("consumer %s restarting after: %s", self.group, exc)
                finally:
                    await _quietly(consumer.stop())
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(backoff):
                        await self._stopping.wait()
                backoff = min(backoff * 2, 10.0)
        finally:
            await _quietly(self._dead_letters.stop())

    async def _consume(self, consumer: Consumer) -> None:
        while not self._stopping.is_set():
            try:
                async with asyncio.timeout(self._stall_seconds):
                    messages = await consumer.fetch(timeout=1.0, max_records=self._batch_size)
            except TimeoutError as exc:
                raise RuntimeError("fetch stalled; replacing the consumer") from exc
            self.stats.last_progress = time.monotonic()
            if not messages:
                continue
            if not await self._apply_batch(messages):
                for message in messages:
                    await self.process(message)
            positions = {(m.topic, m.partition): m.offset + 1 for m in messages}
            await consumer.commit(positions)
            self.stats.last_progress = time.monotonic()

    async def _apply_batch(self, messages: Sequence[IncomingMessage]) -> bool:
        """Apply a whole fetch in one transaction (one inbox statement, one commit).

        Returns False, having changed nothing, when any message needs individual care (a
        poison message, a failing handler, the database away): the caller then takes the
        per-message path with its retries and dead letters.
        """
        prepared: list[tuple[Handler, EventData, Event]] = []
        skipped = 0
        for message in messages:
            try:
                event = Event.from_bytes(message.value)
            except InvalidEnvelope:
                return False
            handler, spec = self._handlers.get(event.type), CATALOG.get(event.type)
            if handler is None or spec is None:
                skipped += 1
                continue
            try:
                prepared.append((handler, spec.model.model_validate(event.data), event))
            except ValidationError:
                return False
        fresh: list[tuple[Handler, EventData, Event]] = []
        if not prepared:
            self.stats.skipped += skipped
            return True
        try:
            async with self._db.transaction() as session:
                new = await record_new_deliveries(
                    session, [(e.id, e.type) for _, _, e in prepared], consumer=self.group
                )
                for item in prepared:
                    if item[2].id in new:
                        new.discard(item[2].id)  # a twin later in the fetch is a duplicate
                        fresh.append(item)
                await _run_handlers(session, fresh)
        except Exception as exc:
            log.info("batch of %d not applied as one (%s); applying one by one",
                     len(messages), type(exc).__name__)
            return False
        self.stats.applied += len(fresh)
        self.stats.duplicate += len(prepared) - len(fresh)
        self.stats.skipped += skipped
        return True

    async def process(self, message: IncomingMessage) -> Outcome:
        """Apply one message at most once; never raises for a poison message."""
        try:
            event = Event.from_bytes(message.value)
        except InvalidEnvelope as exc:
            return await self._dead_letter(message, f"invalid envelope: {exc}")
        handler = self._handlers.get(event.type)
        spec = CATALOG.get(event.type)
        if handler is None or spec is None:
            self.stats.skipped += 1
            return Outcome.SKIPPED
        try:
            data = spec.model.model_validate(event.data)
        except ValidationError as exc:
            return await self._dead_letter(message, f"invalid {event.type} payload: {exc}")
        use_traceparent(event.traceparent)
        for attempt in range(1, self._max_attempts + 1):
            try:
                outcome = await self._apply(handler, data, event)
            except Exception as exc:
                if not await self._db.ping():
                    raise DatabaseUnavailable(str(exc)) from exc
                log.warning("handler for %s failed (attempt %d): %s", event.type, attempt, exc)
                last_error = f"{type(exc).__name__}: {exc}"
                await asyncio.sleep(0.1 * attempt)
            else:
                if outcome is Outcome.APPLIED:
                    self.stats.applied += 1
                else:
                    self.stats.duplicate += 1
                return outcome
        return await self._dead_letter(message, f"handler failed: {last_error}")

    async def _apply(self, handler: Handler, data: EventData, event: Event) -> Outcome:
        async with self._db.transaction() as session:
            first = await record_first_delivery(
                session, event_id=event.id, event_type=event.type, consumer=self.group
            )
            if not first:
                return Outcome.DUPLICATE
            await handler(session, data, event)
        return Outcome.APPLIED

    async def _dead_letter(self, message: IncomingMessage, error: str) -> Outcome:
        log.error("dead-lettering %s[%d]@%d: %s", message.topic, message.partition,
                  message.offset, error[:500])
        headers = (
            *message.headers,
            ("dlq-error", error[:4000].encode()),
            ("dlq-source", f"{message.topic}/{message.partition}/{message.offset}".encode()),
            ("dlq-consumer", self.group.encode()),
        )
        letter = OutgoingMessage(
            topic=dead_letter_topic(message.topic),
            key=message.key or "",
            value=message.value,
            headers=headers,
        )
        [result] = await self._dead_letters.send_batch([letter])
        if result is not None:
            raise RuntimeError(f"dead-letter topic unavailable: {result}")
        self.stats.dead_lettered += 1
        return Outcome.DEAD_LETTERED


async def _run_handlers(session: AsyncSession,
                        fresh: Sequence[tuple[Handler, EventData, Event]]) -> None:
    """Apply `fresh` in order: each run of one `BatchHandler` in one call, the rest singly."""
    for handler, items in groupby(fresh, key=itemgetter(0)):
        run = [(data, event) for _, data, event in items]
        if isinstance(handler, BatchHandler):
            use_traceparent(run[0][1].traceparent)
            await handler.apply(session, run)
            continue
        for data, event in run:
            use_traceparent(event.traceparent)
            await handler(session, data, event)


async def _quietly(awaitable: Awaitable[None]) -> None:
    try:
        await awaitable
    except Exception:
        log.debug("ignored error while stopping", exc_info=True)
