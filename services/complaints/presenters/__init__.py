"""Rows ⇒ responses: `reports` (reports and site boards as our own API shows them),
`contacts` (a report as shown to one caller, the contact audit) and `open311` (GeoReport v2
documents in XML or JSON). Every name is importable from here."""

from services.complaints.presenters.contacts import contact_view_record, shown_view
from services.complaints.presenters.open311 import (
    discovery_view,
    error_document,
    open311_receipt,
    open311_response,
    request_view,
    service_definition,
    service_entry,
    service_notice,
    token_view,
    update_view,
)
from services.complaints.presenters.reports import (
    board_view,
    calendar_view,
    complaint_view,
    contact_view,
    nearby_view,
    photo_receipt_view,
    receipt_view,
    stats_view,
    supporter_receipt_view,
)

__all__ = [
    "board_view",
    "calendar_view",
    "complaint_view",
    "contact_view",
    "contact_view_record",
    "discovery_view",
    "error_document",
    "nearby_view",
    "open311_receipt",
    "open311_response",
    "photo_receipt_view",
    "receipt_view",
    "request_view",
    "service_definition",
    "service_entry",
    "service_notice",
    "shown_view",
    "stats_view",
    "supporter_receipt_view",
    "token_view",
    "update_view",
]
