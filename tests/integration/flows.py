"""A service running on real PostgreSQL and Kafka, and a way to put events on its topics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from shared.bus.base import OutgoingMessage
from shared.bus.kafka import KafkaBus
from shared.clock import FrozenClock
from shared.events import CATALOG, Event, EventData, make_event
from shared.service import ServiceDefinition
from tests.support import ServiceHarness, eventually, running_service

__all__ = ["eventually", "on_kafka", "produce"]


@asynccontextmanager
async def on_kafka(definition: ServiceDefinition, tmp_path: Path, *, database_url: str,
                   bootstrap: str, namespace: str, clock: FrozenClock | None = None,
                   **settings: Any) -> AsyncIterator[ServiceHarness]:
    """The service as distributed mode runs it: its own PostgreSQL database, Kafka as the bus."""
    service_settings = definition.settings_class(database_url=database_url, **settings)
    async with running_service(definition, tmp_path, settings=service_settings, clock=clock,
                               bus="kafka", kafka_bootstrap_servers=bootstrap,
                               kafka_namespace=namespace) as harness:
        yield harness


async def produce(bootstrap: str, namespace: str, data: EventData, *, subject: str,
                  clock: FrozenClock, event: Event | None = None) -> Event:
    """Publish an event on its topic as its owning service would (same envelope, same key)."""
    event = event or make_event(data, subject=subject, source="/tests/producer", time=clock.now())
    bus = KafkaBus(bootstrap, namespace=namespace)
    await bus.ensure_topics([CATALOG[event.type].topic])
    producer = bus.producer()
    await producer.start()
    try:
        [error] = await producer.send_batch([OutgoingMessage(
            topic=CATALOG[event.type].topic, key=subject, value=event.to_bytes())])
    finally:
        await producer.stop()
    assert error is None, error
    return event
