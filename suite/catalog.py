"""The four services by name (see `shared.service.SERVICE_MODULES`)."""

from __future__ import annotations

from shared.service import SERVICE_MODULES, ServiceDefinition, definition_of

__all__ = ["SERVICE_NAMES", "definition"]

SERVICE_NAMES = tuple(SERVICE_MODULES)


def definition(name: str) -> ServiceDefinition:
    return definition_of(name)
