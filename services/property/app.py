"""The property service: its definition, read from the package's shape (`define_service`)."""

from __future__ import annotations

from services.property.config import PropertySettings
from shared.events.topics import PROPERTY
from shared.service import define_service

__all__ = ["DEFINITION"]

DEFINITION = define_service(__package__, port=8004, title="Property service", topic=PROPERTY,
                            settings_class=PropertySettings)
