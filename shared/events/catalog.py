"""The catalog of event types: the single source of their JSON Schemas and AsyncAPI.

Each type is a frozen pydantic model registered with `@event_type("project.completed",
topic=PROJECTS)`. Names are past-tense facts, `aggregate.verb_ed`; a breaking change bumps
the version. Payloads carry ids, codes and numbers, never names or phone numbers.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from shared.events.envelope import Event
from shared.tables import new_id
from shared.tracing import current_traceparent

__all__ = [
    "CATALOG",
    "EventData",
    "EventType",
    "UnknownEventType",
    "event_type",
    "load_catalog",
    "make_event",
    "parse_data",
]

SCHEMA_BASE = "https://schemas.community-suite.example/events"


class EventData(BaseModel):
    """Base of every event payload: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass(frozen=True)
class EventType:
    name: str
    version: int
    topic: str
    model: type[EventData]
    summary: str

    @property
    def schema_id(self) -> str:
        return f"{SCHEMA_BASE}/{self.name}/v{self.version}.json"

    def json_schema(self) -> dict[str, Any]:
        schema = self.model.model_json_schema()
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": self.schema_id,
            **schema,
            "title": self.name,
        }


class UnknownEventType(LookupError):
    pass


CATALOG: dict[str, EventType] = {}
_BY_MODEL: dict[type[EventData], EventType] = {}
M = TypeVar("M", bound=type[EventData])


def event_type(name: str, *, topic: str, version: int = 1) -> Callable[[M], M]:
    """Register a payload model as the schema of event type `name`."""

    def register(model: M) -> M:
        if name in CATALOG:
            raise ValueError(f"event type {name} registered twice")
        summary = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else name
        spec = EventType(name=name, version=version, topic=topic, model=model, summary=summary)
        CATALOG[name] = spec
        _BY_MODEL[model] = spec
        return model

    return register


def load_catalog() -> dict[str, EventType]:
    """Import every contract module so the catalog is complete."""
    importlib.import_module("shared.contracts")
    return CATALOG


def spec_of(data: EventData) -> EventType:
    return spec_of_model(type(data))


def spec_of_model(model: type[EventData]) -> EventType:
    """The catalog entry of a payload model; `UnknownEventType` if it was never registered."""
    try:
        return _BY_MODEL[model]
    except KeyError:
        raise UnknownEventType(model.__name__) from None


def make_event(data: EventData, *, subject: str, source: str, time: datetime) -> Event:
    """Wrap a payload in a new envelope, continuing the current trace."""
    spec = spec_of(data)
    return Event(
        id=new_id(),
        source=source,
        type=spec.name,
        subject=subject,
        time=time,
        data=data.model_dump(mode="json"),
        dataschema=spec.schema_id,
        traceparent=current_traceparent(),
    )


def parse_data(event: Event) -> EventData:
    """The typed payload of an event; raises UnknownEventType or pydantic's ValidationError."""
    spec = CATALOG.get(event.type)
    if spec is None:
        raise UnknownEventType(event.type)
    return spec.model.model_validate(event.data)


__all__ += ["ValidationError", "spec_of", "spec_of_model"]
