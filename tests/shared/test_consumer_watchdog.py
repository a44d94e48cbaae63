"""A consumer whose fetch stops returning is noticed by readiness and replaced."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from pathlib import Path

from shared.bus import LocalBus
from shared.bus.base import IncomingMessage
from shared.consumer import EventConsumer
from shared.db import INFRA_METADATA, Database
from tests.shared.notes_service import CONSUMES


class _HangsOnce:
    """A consumer that hangs on its first fetch, as aiokafka can after a broker restart."""

    hung = 0

    def __init__(self, inner: object) -> None:
        self._inner = inner

    async def start(self) -> None:
        await self._inner.start()  # type: ignore[attr-defined]

    async def stop(self) -> None:
        await self._inner.stop()  # type: ignore[attr-defined]

    async def fetch(self, timeout: float, max_records: int) -> list[IncomingMessage]:
        if _HangsOnce.hung == 0:
            _HangsOnce.hung += 1
            await asyncio.Event().wait()
        return await self._inner.fetch(timeout, max_records)  # type: ignore[attr-defined,no-any-return]

    async def commit(self, positions: Mapping[tuple[str, int], int]) -> None:
        await self._inner.commit(positions)  # type: ignore[attr-defined]


class _BusWithHangingConsumer(LocalBus):
    def consumer(self, group: str, topics: Sequence[str]) -> _HangsOnce:  # type: ignore[override]
        return _HangsOnce(super().consumer(group, topics))


async def test_a_stalled_consumer_turns_unready_and_is_replaced(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'n.db'}")
    async with db.engine.begin() as conn:
        await conn.run_sync(INFRA_METADATA.create_all)
    bus = _BusWithHangingConsumer(f"sqlite+aiosqlite:///{tmp_path / 'bus.db'}")
    consumer = EventConsumer(db, bus, group="g", topics=["notes.events"],
                             handlers=CONSUMES.handlers, stall_seconds=1.5)
    task = asyncio.create_task(consumer.run())
    try:
        await asyncio.sleep(1.7)
        assert not consumer.healthy()  # readiness would now report the consumer
        async with asyncio.timeout(10):
            while not (consumer.stats.restarts == 1 and consumer.healthy()):
                await asyncio.sleep(0.05)
    finally:
        consumer.stop()
        await task
        await bus.close()
        await db.dispose()
