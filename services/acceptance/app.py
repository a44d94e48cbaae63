"""The acceptance service: its definition, read from the package's shape (`define_service`)."""

from __future__ import annotations

from services.acceptance.config import AcceptanceSettings
from shared.events.topics import ACCEPTANCE
from shared.service import define_service

__all__ = ["DEFINITION"]

DEFINITION = define_service(__package__, port=8002, title="Acceptance service", topic=ACCEPTANCE,
                            settings_class=AcceptanceSettings)
