"""The four services by name, imported lazily (only the suite level knows them all)."""

from __future__ import annotations

import importlib

from shared.service import ServiceDefinition

__all__ = ["SERVICE_NAMES", "definition"]

SERVICE_NAMES = ("projects", "acceptance", "complaints", "property")
_MODULES = {
    "projects": "services.projects.app",
    "acceptance": "services.acceptance.app",
    "complaints": "services.complaints.app",
    "property": "services.property_service.app",
}


def definition(name: str) -> ServiceDefinition:
    if name not in _MODULES:
        raise KeyError(f"unknown service {name!r}; choose one of {', '.join(SERVICE_NAMES)}")
    module = importlib.import_module(_MODULES[name])
    result: ServiceDefinition = module.DEFINITION
    return result
