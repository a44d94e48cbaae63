"""A service keeps consuming after the Kafka broker is killed and restarted."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from shared.clock import FrozenClock
from shared.db import new_id
from tests.integration.flows import eventually, on_kafka, produce
from tests.integration.servers import kafka, unique
from tests.shared.notes_service import DEFINITION, NoteRecorded, NoteSeen

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_the_consumer_recovers_by_itself_after_a_broker_kill(
    tmp_path: Path, pg_url: str, kafka_bootstrap: str
) -> None:
    namespace = unique("restart") + "."
    clock = FrozenClock()
    async with on_kafka(DEFINITION, tmp_path, database_url=pg_url, bootstrap=kafka_bootstrap,
                        namespace=namespace, clock=clock, consumer_stall_seconds=20) as h:

        async def applied(note_id: str) -> bool:
            async with h.ctx.db.sessions() as session:
                return await session.scalar(select(NoteSeen).where(NoteSeen.id == note_id)) \
                    is not None

        before, after = new_id(), new_id()
        await produce(kafka_bootstrap, namespace, NoteRecorded(note_id=before), subject="n",
                      clock=clock)
        await eventually(lambda: applied(before), timeout=30, interval=0.2)

        kafka("kill")
        kafka("start")
        await produce(kafka_bootstrap, namespace, NoteRecorded(note_id=after), subject="n",
                      clock=clock)
        await eventually(lambda: applied(after), timeout=90, interval=0.5)

        async def ready() -> bool:
            return (await h.client.get("/readyz")).status_code == 200

        await eventually(ready, timeout=30, interval=0.5)
