"""What a service consumes: handlers registered by event type, with typed payloads.

    CONSUMES = Consumes()

    @CONSUMES.event(AcceptancePassed)
    async def on_acceptance_passed(session: AsyncSession, data: AcceptancePassed,
                                   event: Event) -> None: ...

A handler is registered by its payload model, so the key is the catalog's own name of the
type: a model that is not in the catalog fails at import, and a type cannot be registered
twice. The topics a service subscribes to (`subscriptions`) and the AsyncAPI `receive`
operations are derived from this one registry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncSession

from shared.consumer import BatchHandler, Handler
from shared.events.catalog import CATALOG, EventData, EventType, spec_of_model
from shared.events.envelope import Event

__all__ = ["Consumes"]

D = TypeVar("D", bound=EventData)
TypedHandler = Callable[[AsyncSession, D, Event], Awaitable[None]]
BatchApply = Callable[[AsyncSession, Sequence[tuple[Any, Event]]], Awaitable[None]]


class Consumes:
    """The handler table of one service, keyed by event type."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def event(self, model: type[D]) -> Callable[[TypedHandler[D]], TypedHandler[D]]:
        """Register the decorated function as the handler of `model`'s event type."""
        spec = spec_of_model(model)

        def register(handler: TypedHandler[D]) -> TypedHandler[D]:
            self._add(spec, cast(Handler, handler))
            return handler

        return register

    def batch(self, *models: type[EventData]) -> Callable[[BatchApply], BatchHandler]:
        """Register one `BatchHandler` for runs of the given event types (projections)."""
        specs = [spec_of_model(model) for model in models]

        def register(apply: BatchApply) -> BatchHandler:
            handler = BatchHandler(apply)
            for spec in specs:
                self._add(spec, handler)
            return handler

        return register

    def _add(self, spec: EventType, handler: Handler) -> None:
        if spec.name in self._handlers:
            raise ValueError(f"a handler for {spec.name} is already registered")
        self._handlers[spec.name] = handler

    @property
    def handlers(self) -> Mapping[str, Handler]:
        """Handler per event type, for the consumer runner."""
        return dict(self._handlers)

    @property
    def types(self) -> tuple[EventType, ...]:
        """The consumed event types, in catalog order."""
        return tuple(spec for name, spec in CATALOG.items() if name in self._handlers)

    @property
    def subscriptions(self) -> tuple[str, ...]:
        """The topics that carry the consumed types, sorted."""
        return tuple(sorted({spec.topic for spec in self.types}))
