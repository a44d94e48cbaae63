"""The bus: one interface, two transports.

`KafkaBus` (aiokafka, distributed mode) and `LocalBus` (a durable log in a SQLite file, for
embedded mode) both offer a producer that sends ordered batches and consumers that read
from the committed offset and commit explicitly. The outbox relay and the consumer runner
are written once against `Bus`.
"""

from shared.bus.base import Bus, Consumer, IncomingMessage, OutgoingMessage, Producer
from shared.bus.local import LocalBus

__all__ = ["Bus", "Consumer", "IncomingMessage", "LocalBus", "OutgoingMessage", "Producer"]


def create_bus(kind: str, *, local_url: str, kafka_bootstrap: str, partitions: int = 3,
               replication_factor: int = 1, client_id: str = "community-suite",
               namespace: str = "") -> Bus:
    """The transport chosen by settings (`BUS=local|kafka`)."""
    if kind == "kafka":
        from shared.bus.kafka import KafkaBus

        return KafkaBus(kafka_bootstrap, client_id=client_id, partitions=partitions,
                        replication_factor=replication_factor, namespace=namespace)
    return LocalBus(local_url)


__all__ += ["create_bus"]
