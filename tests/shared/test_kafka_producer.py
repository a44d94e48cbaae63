"""The relay's side of the Kafka producer: queueing ahead of the acks, and queue failures."""

from __future__ import annotations

import asyncio
from typing import Any

from shared.bus.base import OutgoingMessage, PipeliningProducer
from shared.bus.kafka import KafkaBus


class _Aiokafka:
    """Stands in for AIOKafkaProducer.send: one ack future per record, resolved by the test."""

    def __init__(self, refuse_from: int | None = None) -> None:
        self.sent: list[tuple[str, bytes, bytes, list[tuple[str, bytes]]]] = []
        self.acks: list[asyncio.Future[Any]] = []
        self.refuse_from = refuse_from

    async def send(self, topic: str, value: bytes, *, key: bytes,
                   headers: list[tuple[str, bytes]]) -> asyncio.Future[Any]:
        if self.refuse_from is not None and len(self.sent) >= self.refuse_from:
            raise RuntimeError("no metadata")
        self.sent.append((topic, value, key, headers))
        self.acks.append(asyncio.get_running_loop().create_future())
        return self.acks[-1]


def _messages(count: int) -> list[OutgoingMessage]:
    return [OutgoingMessage(topic="t", key=f"k{i}", value=b"v", headers=(("h", b"x"),))
            for i in range(count)]


async def test_enqueue_returns_before_the_acks_and_the_future_gives_them() -> None:
    producer = KafkaBus("127.0.0.1:9092", namespace="ns-").producer()
    assert isinstance(producer, PipeliningProducer)
    fake = _Aiokafka()
    producer._producer = fake

    results = await producer.enqueue(_messages(3))
    assert not results.done()
    assert [s[0] for s in fake.sent] == ["ns-t"] * 3 and fake.sent[0][2:] == (b"k0", [("h", b"x")])

    failure = RuntimeError("broker said no")
    fake.acks[0].set_result(None)
    fake.acks[1].set_exception(failure)
    fake.acks[2].set_result(None)
    assert await results == [None, failure, None]


async def test_a_record_that_cannot_be_queued_fails_with_all_after_it_before_enqueue_returns(
) -> None:
    producer = KafkaBus("127.0.0.1:9092").producer()
    fake = _Aiokafka(refuse_from=2)
    producer._producer = fake

    async def ack_later() -> None:
        while len(fake.acks) < 2:
            await asyncio.sleep(0)
        for ack in fake.acks:
            ack.set_result(None)

    acker = asyncio.create_task(ack_later())
    results = await producer.enqueue(_messages(5))
    await acker
    assert results.done()  # known at once: the caller queues nothing more
    outcome = results.result()
    assert outcome[:2] == [None, None]
    assert all(isinstance(r, RuntimeError) for r in outcome[2:]) and len(outcome) == 5
    assert len(fake.sent) == 2
