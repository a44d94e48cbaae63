"""The transport-neutral bus interface."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["Bus", "Consumer", "IncomingMessage", "OutgoingMessage", "Producer"]

Headers = tuple[tuple[str, bytes], ...]


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

    async def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[BaseException | None]:
        """Send in order; one result per message, None when it was acknowledged."""
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
