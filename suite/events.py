"""Reading the suite's Kafka topics as a dashboard team would: raw CloudEvents, in order.

`read_all` returns everything on the topics up to their end at call time (deterministic, no
consumer group: tests and one-off reports); `stream` follows the topics, either with its own
consumer group (committing after each batch is handed over, so a restart resumes) or with no
group at all (nothing remembered), and stops after `idle_timeout` seconds without a record.
Topic names are the logical ones (`projects.events`); `namespace` is the `KAFKA_NAMESPACE`
prefix of the deployment read (as in `shared.bus.kafka`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.events.envelope import Event, InvalidEnvelope
from shared.events.topics import TOPICS

__all__ = ["RawEvent", "read_all", "stream"]


@dataclass(frozen=True)
class RawEvent:
    """One record as it is on the broker; `topic` is the logical name."""

    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes

    def event(self) -> Event | None:
        """The parsed envelope, or None for a record that is not a valid CloudEvent."""
        try:
            return Event.from_bytes(self.value)
        except InvalidEnvelope:
            return None

    def to_json_line(self) -> str:
        """One JSON line: where the record is, and the event (or why it is not one)."""
        line: dict[str, Any] = {"topic": self.topic, "partition": self.partition,
                                "offset": self.offset, "key": self.key}
        try:
            line["event"] = json.loads(self.value)
        except ValueError:
            line["error"] = "not JSON"
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


def _wire(topic: str, namespace: str) -> str:
    return f"{namespace}{topic}"


def _logical(topic: str, namespace: str) -> str:
    return topic.removeprefix(namespace)


def _raw(record: Any, namespace: str) -> RawEvent:
    return RawEvent(topic=_logical(record.topic, namespace), partition=record.partition,
                    offset=record.offset,
                    key=record.key.decode(errors="replace") if record.key is not None else None,
                    value=record.value)


def _consumer(bootstrap: str, group: str | None, from_beginning: bool) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
        auto_offset_reset="earliest" if from_beginning else "latest",
        isolation_level="read_committed", client_id="community-events",
    )


async def _partitions(bootstrap: str, wire_topics: Sequence[str]) -> list[TopicPartition]:
    """The partitions of the topics that exist (a missing topic has none yet)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="community-events")
    await admin.start()
    try:
        described = await admin.describe_topics(list(wire_topics))
    finally:
        await admin.close()
    return [TopicPartition(topic["topic"], part["partition"]) for topic in described
            if topic["error_code"] == 0 for part in topic["partitions"]]


async def read_all(bootstrap: str, topics: Sequence[str] = TOPICS, *, namespace: str = "",
                   timeout: float = 30.0) -> list[RawEvent]:
    """Every record on `topics` from the beginning to the end offsets at call time."""
    consumer = _consumer(bootstrap, None, from_beginning=True)
    await consumer.start()
    try:
        partitions = await _partitions(bootstrap, [_wire(t, namespace) for t in topics])
        if not partitions:
            return []
        consumer.assign(partitions)
        ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        found: list[RawEvent] = []
        async with asyncio.timeout(timeout):
            while any([await consumer.position(p) < ends[p] for p in partitions]):
                batches = await consumer.getmany(timeout_ms=500, max_records=1000)
                found += [_raw(r, namespace) for records in batches.values() for r in records]
        return found
    finally:
        await consumer.stop()


class _SeekToBeginningOnce(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, consumer: AIOKafkaConsumer) -> None:
        self._consumer = consumer
        self._done: set[TopicPartition] = set()

    async def on_partitions_revoked(self, revoked: Any) -> None:
        return None

    async def on_partitions_assigned(self, assigned: Any) -> None:
        fresh = [p for p in assigned if p not in self._done]
        if fresh:
            await self._consumer.seek_to_beginning(*fresh)
            self._done.update(fresh)


async def stream(bootstrap: str, topics: Sequence[str] = TOPICS, *, namespace: str = "",
                 group: str | None = None, from_beginning: bool = False,
                 idle_timeout: float | None = None) -> AsyncIterator[RawEvent]:
    """Follow `topics`; stops after `idle_timeout` seconds without a record (None: never).

    With a `group`, offsets are committed once a batch has been consumed by the caller and
    `from_beginning` rewinds the group; without one, nothing is remembered between runs.
    """
    wire = [_wire(t, namespace) for t in topics]
    consumer = _consumer(bootstrap, group, from_beginning)
    await consumer.start()
    try:
        if group is None:
            partitions = await _partitions(bootstrap, wire)
            consumer.assign(partitions)
            if from_beginning:
                await consumer.seek_to_beginning(*partitions)
            else:
                await consumer.seek_to_end(*partitions)
        else:
            listener = _SeekToBeginningOnce(consumer) if from_beginning else None
            consumer.subscribe(wire, listener=listener)
        async for batch in _batches(consumer, idle_timeout):
            for record in batch:
                yield _raw(record, namespace)
            if group is not None:
                await consumer.commit()
    finally:
        with contextlib.suppress(Exception):
            await consumer.stop()


async def _batches(consumer: AIOKafkaConsumer, idle_timeout: float | None
                   ) -> AsyncIterator[list[Any]]:
    loop = asyncio.get_running_loop()
    last_record = loop.time()
    while idle_timeout is None or loop.time() - last_record < idle_timeout:
        batches = await consumer.getmany(timeout_ms=500, max_records=500)
        records = [r for rs in batches.values() for r in rs]  # each partition in order
        if records:
            last_record = loop.time()
            yield records
