"""The transport-neutral bus interface."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

__all__ = [
    "Bus",
    "Consumer",
    "Headers",
    "IncomingMessage",
    "OutgoingMessage",
    "PipeliningProducer",
    "Producer",
    "SendResults",
]

Headers = tuple[tuple[str, bytes], ...]
SendResults = list[BaseException | None]
"""One entry per message sent, in order: None when acknowledged, else why it was not."""


@dataclass(frozen=True)
class OutgoingMessage:
    topic: str
    key: str
    value: bytes
    headers: Headers = field(default_factory=tuple)


@dataclass(frozen=True)
class IncomingMessage:
    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes
    headers: Headers = field(default_factory=tuple)


class Producer(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send_batch(self, messages: Sequence[OutgoingMessage]) -> SendResults:
        """Send in order; one result per message, None when it was acknowledged."""
        ...


@runtime_checkable
class PipeliningProducer(Producer, Protocol):
    """A producer that can take the next batch while the acks of earlier ones are pending."""

    async def enqueue(self, messages: Sequence[OutgoingMessage]) -> asyncio.Future[SendResults]:
        """Queue `messages` behind those of earlier calls and return without their acks.

        The future gives what `send_batch` would have returned. When a message cannot even
        be queued, nothing after it is, and the future is already done when this returns
        (so the caller can see it before queueing anything more).
        """
        ...


class Consumer(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def fetch(self, timeout: float, max_records: int) -> list[IncomingMessage]:
        """The next messages after the committed (or last fetched) positions."""
        ...

    async def commit(self, positions: Mapping[tuple[str, int], int]) -> None:
        """Commit, per (topic, partition), the offset of the next message to read."""
        ...


class Bus(Protocol):
    def producer(self) -> Producer: ...

    def consumer(self, group: str, topics: Sequence[str]) -> Consumer: ...

    async def ensure_topics(self, topics: Sequence[str]) -> None: ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...
