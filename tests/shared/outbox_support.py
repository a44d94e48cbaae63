"""Shared by the outbox tests: a scripted producer, and events written through `add_event`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy import select

from shared.bus.base import OutgoingMessage, SendResults
from shared.clock import utcnow
from shared.db import INFRA_METADATA, Database, new_id
from shared.events import Event
from shared.outbox import OutboxMessage, add_event

__all__ = [
    "KEYS",
    "ScriptedProducer",
    "SerialProducer",
    "infra_database",
    "per_key",
    "unsent",
    "write_events",
]

KEYS = ("k1", "k2", "k3")


class ScriptedProducer:
    """Acks each batch a little later, in order, like a broker; failures on demand.

    `fail_queue_at`: the n-th message handed over (0-based, once) cannot be queued.
    `failing_key`: while set, every message of that key is refused by the "broker".
    """

    def __init__(self, ack_delay: float = 0.003) -> None:
        self.ack_delay = ack_delay
        self.queued: list[str] = []  # event ids, in the order handed over
        self.acked: list[str] = []  # event ids acknowledged, in order
        self.outstanding = 0
        self.max_outstanding = 0
        self.fail_queue_at: int | None = None
        self.failing_key: str | None = None
        self.on_enqueue: Callable[[int], Awaitable[None]] | None = None
        self.calls = 0

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send_batch(self, messages: Sequence[OutgoingMessage]) -> SendResults:
        return await (await self.enqueue(messages))

    async def enqueue(self, messages: Sequence[OutgoingMessage]) -> asyncio.Future[SendResults]:
        self.calls += 1
        if self.on_enqueue is not None:
            await self.on_enqueue(self.calls)
        await asyncio.sleep(0.001)  # handing records over takes a moment
        loop = asyncio.get_running_loop()
        settled: asyncio.Future[SendResults] = loop.create_future()
        accepted: list[OutgoingMessage] = []
        for index, message in enumerate(messages):
            if self.fail_queue_at == len(self.queued):
                self.fail_queue_at = None
                error = RuntimeError("no metadata for the topic")
                await asyncio.sleep(self.ack_delay)  # the acks of what went before, first
                settled.set_result(self._ack(accepted) + [error] * (len(messages) - index))
                return settled
            self.queued.append(Event.from_bytes(message.value).id)
            accepted.append(message)
        self.outstanding += 1
        self.max_outstanding = max(self.max_outstanding, self.outstanding)

        def ack() -> None:
            self.outstanding -= 1
            settled.set_result(self._ack(accepted))

        loop.call_later(self.ack_delay, ack)
        return settled

    def _ack(self, messages: Sequence[OutgoingMessage]) -> SendResults:
        results: SendResults = []
        for message in messages:
            if message.key == self.failing_key:
                results.append(RuntimeError("partition leader not available"))
            else:
                self.acked.append(Event.from_bytes(message.value).id)
                results.append(None)
        return results


class SerialProducer:
    """A producer that can only send a whole batch and wait (like the local bus)."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.concurrent = 0
        self.max_concurrent = 0

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send_batch(self, messages: Sequence[OutgoingMessage]) -> SendResults:
        self.concurrent += 1
        self.max_concurrent = max(self.max_concurrent, self.concurrent)
        await asyncio.sleep(0.002)
        self.sent += [Event.from_bytes(m.value).id for m in messages]
        self.concurrent -= 1
        return [None for _ in messages]


async def infra_database(url: str) -> Database:
    """A database at `url` holding the shared tables (outbox, inbox...), nothing else."""
    database = Database(url)
    async with database.engine.begin() as conn:
        await conn.run_sync(INFRA_METADATA.create_all)
    return database


async def write_events(db: Database, count: int) -> list[tuple[str, str]]:
    """`count` events over KEYS, a few per transaction; returns (key, event id) in id order."""
    written: list[tuple[str, str]] = []
    while len(written) < count:
        async with db.transaction() as session:
            for _ in range(min(3, count - len(written))):
                key = KEYS[len(written) % len(KEYS)]
                event = Event(id=new_id(), source="/tests/outbox", type="test.outbox_checked",
                              subject=key, time=utcnow(), data={"n": len(written)})
                await add_event(session, "outbox-test", event)
                written.append((key, event.id))
    return written


async def unsent(db: Database) -> list[str]:
    async with db.sessions() as session:
        return list((await session.scalars(
            select(OutboxMessage.event_id).where(OutboxMessage.sent_at.is_(None))
            .order_by(OutboxMessage.id)
        )).all())


def per_key(order: Sequence[str], written: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    key_of = dict((event_id, key) for key, event_id in written)
    grouped: dict[str, list[str]] = {}
    for event_id in order:
        grouped.setdefault(key_of[event_id], []).append(event_id)
    return grouped
