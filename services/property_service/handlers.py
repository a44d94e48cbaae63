"""Events the property service consumes: one function per type, registered in HANDLERS."""

from __future__ import annotations

from collections.abc import Mapping

from shared.consumer import Handler

__all__ = ["HANDLERS", "SUBSCRIPTIONS"]

SUBSCRIPTIONS: tuple[str, ...] = ()
HANDLERS: Mapping[str, Handler] = {}
