"""A durable in-process bus for embedded mode: an append-only log in one SQLite file.

One partition per topic (so order per key holds trivially), offsets per consumer group
committed explicitly, exactly like Kafka. Because the log is on disk, an event the relay
marked as sent survives a crash of the process before it was consumed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping, Sequence

from sqlalchemy import Column, Integer, LargeBinary, MetaData, String, Table, Text, select, text
from sqlalchemy.sql import func

from shared.bus.base import IncomingMessage, OutgoingMessage
from shared.db import Database

__all__ = ["LocalBus"]

_metadata = MetaData()
_messages = Table(
    "bus_messages",
    _metadata,
    Column("topic", String(200), primary_key=True),
    Column("offset", Integer, primary_key=True, autoincrement=False),
    Column("key", String(200)),
    Column("value", LargeBinary, nullable=False),
    Column("headers", Text, nullable=False),
)
_offsets = Table(
    "bus_offsets",
    _metadata,
    Column("group_id", String(200), primary_key=True),
    Column("topic", String(200), primary_key=True),
    Column("next_offset", Integer, nullable=False),
)


class LocalBus:
    """The bus of embedded mode, shared by the services running in one process."""

    def __init__(self, url: str) -> None:
        self._db = Database(url)
        self._prepared = False
        self._prepare_lock = asyncio.Lock()
        self._appended = asyncio.Event()

    async def _prepare(self) -> None:
        async with self._prepare_lock:
            if not self._prepared:
                async with self._db.engine.begin() as conn:
                    await conn.run_sync(_metadata.create_all)
                self._prepared = True

    def _notify(self) -> None:
        self._appended.set()
        self._appended = asyncio.Event()

    async def append(self, messages: Sequence[OutgoingMessage]) -> None:
        await self._prepare()
        async with self._db.transaction() as session:
            next_offsets: dict[str, int] = {}
            for message in messages:
                if message.topic not in next_offsets:
                    current = await session.scalar(
                        select(func.max(_messages.c.offset)).where(
                            _messages.c.topic == message.topic
                        )
                    )
                    next_offsets[message.topic] = -1 if current is None else current
                next_offsets[message.topic] += 1
                await session.execute(
                    _messages.insert().values(
                        topic=message.topic,
                        offset=next_offsets[message.topic],
                        key=message.key,
                        value=message.value,
                        headers=json.dumps([[k, v.decode("latin-1")] for k, v in message.headers]),
                    )
                )
        self._notify()

    async def read(
        self, positions: Mapping[str, int], max_records: int
    ) -> list[IncomingMessage]:
        await self._prepare()
        found: list[IncomingMessage] = []
        async with self._db.sessions() as session:
            for topic, position in positions.items():
                rows = await session.execute(
                    select(_messages)
                    .where(_messages.c.topic == topic, _messages.c.offset >= position)
                    .order_by(_messages.c.offset)
                    .limit(max_records - len(found))
                )
                found.extend(
                    IncomingMessage(
                        topic=row.topic,
                        partition=0,
                        offset=row.offset,
                        key=row.key,
                        value=row.value,
                        headers=tuple((k, v.encode("latin-1")) for k, v in json.loads(row.headers)),
                    )
                    for row in rows
                )
                if len(found) >= max_records:
                    break
        return found

    async def wait_for_append(self, timeout: float) -> None:
        waiter = self._appended
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await waiter.wait()

    async def committed(self, group: str, topics: Sequence[str]) -> dict[str, int]:
        await self._prepare()
        async with self._db.sessions() as session:
            rows = await session.execute(
                select(_offsets.c.topic, _offsets.c.next_offset).where(
                    _offsets.c.group_id == group, _offsets.c.topic.in_(topics)
                )
            )
            stored = {row.topic: row.next_offset for row in rows}
        return {topic: stored.get(topic, 0) for topic in topics}

    async def commit(self, group: str, positions: Mapping[str, int]) -> None:
        await self._prepare()
        async with self._db.transaction() as session:
            for topic, offset in positions.items():
                await session.execute(
                    text(
                        "INSERT INTO bus_offsets (group_id, topic, next_offset) "
                        "VALUES (:g, :t, :o) ON CONFLICT (group_id, topic) "
                        "DO UPDATE SET next_offset = excluded.next_offset"
                    ),
                    {"g": group, "t": topic, "o": offset},
                )

    def producer(self) -> LocalProducer:
        return LocalProducer(self)

    def consumer(self, group: str, topics: Sequence[str]) -> LocalConsumer:
        return LocalConsumer(self, group, topics)

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        await self._prepare()

    async def ping(self) -> bool:
        return await self._db.ping()

    async def close(self) -> None:
        await self._db.dispose()


class LocalProducer:
    def __init__(self, bus: LocalBus) -> None:
        self._bus = bus

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[BaseException | None]:
        try:
            await self._bus.append(messages)
        except Exception as exc:
            return [exc for _ in messages]
        return [None for _ in messages]


class LocalConsumer:
    def __init__(self, bus: LocalBus, group: str, topics: Sequence[str]) -> None:
        self._bus = bus
        self._group = group
        self._topics = list(topics)
        self._positions: dict[str, int] = {}

    async def start(self) -> None:
        self._positions = await self._bus.committed(self._group, self._topics)

    async def stop(self) -> None:
        return None

    async def fetch(self, timeout: float, max_records: int) -> list[IncomingMessage]:
        found = await self._bus.read(self._positions, max_records)
        if not found:
            await self._bus.wait_for_append(timeout)
            found = await self._bus.read(self._positions, max_records)
        for message in found:
            self._positions[message.topic] = message.offset + 1
        return found

    async def commit(self, positions: Mapping[tuple[str, int], int]) -> None:
        await self._bus.commit(self._group, {topic: o for (topic, _), o in positions.items()})
