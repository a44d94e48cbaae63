"""The Kafka transport (aiokafka), configured for durability rather than aiokafka's defaults.

Producer: `acks=all` and idempotence, so retries inside the producer neither lose nor
duplicate nor reorder records of a partition. Consumer: no auto-commit, `read_committed`,
offsets committed by the runner only after the handler's transaction; a rebalance listener
commits whatever was processed but not yet committed before partitions move.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from aiokafka.structs import OffsetAndMetadata

from shared.bus.base import IncomingMessage, OutgoingMessage, SendResults

__all__ = ["KafkaBus"]

log = logging.getLogger(__name__)


class KafkaBus:
    def __init__(
        self,
        bootstrap_servers: str,
        *,
        client_id: str = "community-suite",
        partitions: int = 3,
        replication_factor: int = 1,
        request_timeout_ms: int = 30000,
        namespace: str = "",
    ) -> None:
        self.bootstrap_servers = bootstrap_servers
        # A namespace prefixes every topic and consumer group, so several environments (or
        # test runs) can share one cluster without seeing each other's events.
        self.namespace = namespace
        self.client_id = client_id
        self.partitions = partitions
        self.replication_factor = replication_factor
        self.request_timeout_ms = request_timeout_ms

    def producer(self) -> KafkaProducer:
        return KafkaProducer(self)

    def consumer(self, group: str, topics: Sequence[str]) -> KafkaConsumer:
        return KafkaConsumer(self, group, topics)

    def physical(self, topic: str) -> str:
        return f"{self.namespace}{topic}"

    def logical(self, topic: str) -> str:
        return topic.removeprefix(self.namespace)

    def _admin(self) -> AIOKafkaAdminClient:
        return AIOKafkaAdminClient(
            bootstrap_servers=self.bootstrap_servers,
            client_id=f"{self.client_id}-admin",
            request_timeout_ms=5000,
        )

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        admin = self._admin()
        await admin.start()
        try:
            existing = set(await admin.list_topics())
            missing = [
                NewTopic(name=self.physical(t), num_partitions=self.partitions,
                         replication_factor=self.replication_factor)
                for t in topics
                if self.physical(t) not in existing
            ]
            if missing:
                with contextlib.suppress(TopicAlreadyExistsError):
                    await admin.create_topics(missing)
        finally:
            await admin.close()

    async def ping(self) -> bool:
        admin = self._admin()
        try:
            async with asyncio.timeout(10):
                await admin.start()
                await admin.describe_cluster()
        except (KafkaError, OSError, TimeoutError):
            return False
        finally:
            await admin.close()
        return True

    async def close(self) -> None:
        return None


class KafkaProducer:
    def __init__(self, bus: KafkaBus) -> None:
        self._bus = bus
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bus.bootstrap_servers,
            client_id=f"{bus.client_id}-relay",
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
            request_timeout_ms=bus.request_timeout_ms,
            retry_backoff_ms=250,
            compression_type=None,
        )

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    async def enqueue(self, messages: Sequence[OutgoingMessage]) -> asyncio.Future[SendResults]:
        """Hand `messages` to aiokafka in order; the future settles with their acks.

        aiokafka's `send` waits whenever the open batch of a partition is full, so this
        returns once all but about the last batch of each partition have gone out: a caller
        that queues its next messages right away keeps every partition busy.
        """
        send, physical = self._producer.send, self._bus.physical
        acks: list[asyncio.Future[Any]] = []
        for index, message in enumerate(messages):
            try:
                acks.append(await send(physical(message.topic), message.value,
                                       key=message.key.encode(), headers=list(message.headers)))
            except Exception as exc:
                # The producer could not even queue it (e.g. no metadata): neither this
                # message nor any later one was sent, so order is kept by retrying them all.
                # The future is done before this returns, so the caller queues nothing more.
                settled = asyncio.get_running_loop().create_future()
                settled.set_result(await _settled(acks) + [exc] * (len(messages) - index))
                return settled
        return asyncio.ensure_future(_settled(acks))

    async def send_batch(self, messages: Sequence[OutgoingMessage]) -> SendResults:
        return await (await self.enqueue(messages))


async def _settled(acks: Sequence[asyncio.Future[Any]]) -> SendResults:
    """The outcome of every ack once all are in, without a callback on each of them.

    Records are acknowledged batch by batch, in order per partition, so the last one is
    nearly always among the last to complete: wait for it, then for any still pending.
    """
    pending = acks
    while pending:
        await asyncio.wait(pending[-1:])
        pending = [ack for ack in pending if not ack.done()]
    return [asyncio.CancelledError() if ack.cancelled() else ack.exception() for ack in acks]


class _CommitOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, owner: KafkaConsumer) -> None:
        self._owner = owner

    async def on_partitions_revoked(self, revoked: Any) -> None:
        await self._owner.commit_pending()

    async def on_partitions_assigned(self, assigned: Any) -> None:
        return None


class KafkaConsumer:
    def __init__(self, bus: KafkaBus, group: str, topics: Sequence[str]) -> None:
        self._bus = bus
        self._topics = [bus.physical(t) for t in topics]
        group = bus.physical(group)
        self._pending: dict[TopicPartition, OffsetAndMetadata] = {}
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bus.bootstrap_servers,
            client_id=f"{bus.client_id}-{group}",
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            session_timeout_ms=10000,
            heartbeat_interval_ms=2000,
            request_timeout_ms=bus.request_timeout_ms,
            retry_backoff_ms=250,
        )

    async def start(self) -> None:
        await self._consumer.start()
        self._consumer.subscribe(self._topics, listener=_CommitOnRevoke(self))

    async def stop(self) -> None:
        await self._consumer.stop()

    async def fetch(self, timeout: float, max_records: int) -> list[IncomingMessage]:
        batches = await self._consumer.getmany(
            timeout_ms=int(timeout * 1000), max_records=max_records
        )
        return [
            IncomingMessage(
                topic=self._bus.logical(record.topic),
                partition=record.partition,
                offset=record.offset,
                key=record.key.decode() if record.key is not None else None,
                value=record.value,
                headers=tuple(record.headers or ()),
            )
            for records in batches.values()
            for record in records
        ]

    async def commit(self, positions: Mapping[tuple[str, int], int]) -> None:
        for (topic, partition), offset in positions.items():
            self._pending[TopicPartition(self._bus.physical(topic), partition)] = (
                OffsetAndMetadata(offset, "")
            )
        await self.commit_pending()

    async def commit_pending(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        try:
            await self._consumer.commit(pending)
        except KafkaError:
            # Not lost: the records are delivered again and the inbox drops what was applied.
            log.warning("offset commit failed; records will be redelivered", exc_info=True)
