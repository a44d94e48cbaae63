"""The event contract: CloudEvents envelope, topics and the catalog of event types."""

from shared.events.catalog import (
    CATALOG,
    EventData,
    EventType,
    UnknownEventType,
    event_type,
    load_catalog,
    make_event,
    parse_data,
)
from shared.events.envelope import Event, InvalidEnvelope
from shared.events.topics import (
    ACCEPTANCE,
    COMPLAINTS,
    PROJECTS,
    PROPERTY,
    TOPICS,
    dead_letter_topic,
)

__all__ = [
    "ACCEPTANCE",
    "CATALOG",
    "COMPLAINTS",
    "PROJECTS",
    "PROPERTY",
    "TOPICS",
    "Event",
    "EventData",
    "EventType",
    "InvalidEnvelope",
    "UnknownEventType",
    "dead_letter_topic",
    "event_type",
    "load_catalog",
    "make_event",
    "parse_data",
]
