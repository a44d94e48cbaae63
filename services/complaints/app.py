"""The complaints service: its definition, read from the package's shape (`define_service`)."""

from __future__ import annotations

from services.complaints.config import ComplaintsSettings
from services.complaints.presenters.reports import calendar_readiness
from services.complaints.service.contacts import contact_retention_scanner
from services.complaints.service.escalation import sla_scanner
from shared.events.topics import COMPLAINTS
from shared.service import define_service

__all__ = ["DEFINITION"]

DEFINITION = define_service(__package__, port=8003, title="Complaints service", topic=COMPLAINTS,
                            settings_class=ComplaintsSettings,
                            background=[sla_scanner, contact_retention_scanner],
                            readiness_notes=calendar_readiness)
