"""Rows ⇒ Open311 GeoReport v2 documents, rendered in the format the client asked for.

XML is the spec's required format: UTF-8 with the XML declaration, `text/xml; charset=utf-8`,
built with lxml under the spec's element names (a list is its root element holding one
element per item: `services/service`, `service_requests/request`, `errors/error`, ...). JSON
is the same documents (lists as arrays). Public views never show contact details; the
resident's own words and photos (`description`, `media_url`) only to `api_key` holders.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from fastapi import Response
from lxml import etree
from pydantic import BaseModel

from services.complaints.domain.photos import PHOTO_PATH
from services.complaints.models import Complaint, ComplaintStep
from services.complaints.schemas.open311 import (
    ATTRIBUTES,
    CLOSED_STATUSES,
    SERVICES,
    SERVICES_CHANGESET,
    SPECIFICATION,
    AttributeOut,
    DiscoveryOut,
    EndpointOut,
    ErrorOut,
    ExtendedAttributesOut,
    Format,
    ReceiptOut,
    RequestOut,
    ServiceDefinitionOut,
    ServiceOut,
    TokenOut,
    UpdateOut,
)
from services.complaints.service.reports import Filed
from shared.contracts.complaints import ComplaintCategory
from shared.times import beijing_minutes

__all__ = [
    "CONTENT_TYPES",
    "MEDIA_PATH",
    "discovery_view",
    "error_document",
    "open311_receipt",
    "open311_response",
    "request_view",
    "service_definition",
    "service_entry",
    "service_notice",
    "token_view",
    "update_view",
]

CONTENT_TYPES: dict[Format, str] = {"xml": "text/xml; charset=utf-8",
                                     "json": "application/json; charset=utf-8"}
MEDIA_PATH = PHOTO_PATH  # + the media id: a reporter's photo

# The element of each item of a list, by the list's element (as the spec's examples have it).
_ITEM_OF = {
    "services": "service", "service_requests": "request", "errors": "error",
    "service_request_updates": "request_update", "attributes": "attribute",
    "values": "value", "endpoints": "endpoint", "formats": "format",
}
# Characters XML 1.0 cannot carry at all; a report's text is stored as the client sent it.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

Document = BaseModel | Sequence[BaseModel]


def open311_response(fmt: Format, root: str, document: Document, *, status: int = 200,
                     headers: dict[str, str] | None = None) -> Response:
    """`document` as XML under `root` (a list's items under their spec element), or JSON."""
    data = _plain(document)
    if fmt == "json":
        body = Response(_json(data), status_code=status, headers=headers)
    else:
        tree = etree.Element(root)
        _fill(tree, root, data)
        body = Response(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"),
                        status_code=status, headers=headers)
    body.headers["content-type"] = CONTENT_TYPES[fmt]
    return body


def error_document(status: int, description: str) -> list[ErrorOut]:
    return [ErrorOut(code=status, description=description)]


def _plain(document: Document) -> Any:
    if isinstance(document, BaseModel):
        return document.model_dump(mode="json")
    return [item.model_dump(mode="json") for item in document]


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _fill(element: etree._Element, name: str, value: Any) -> None:
    if isinstance(value, list):
        item = _ITEM_OF[name]
        for entry in value:
            _fill(etree.SubElement(element, item), item, entry)
    elif isinstance(value, dict):
        for key, entry in value.items():
            _fill(etree.SubElement(element, key), key, entry)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("", str(value))


def _w3c(moment: datetime) -> str:
    """A W3C datetime in UTC with `Z`, as every API of the suite writes time
    (`shared.times`)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# Services

def service_entry(code: ComplaintCategory) -> ServiceOut:
    name, description, group, keywords = SERVICES[code]
    return ServiceOut(service_code=code, service_name=name, description=description,
                      metadata=True, type="realtime", keywords=keywords, group=group)


def service_definition(code: ComplaintCategory) -> ServiceDefinitionOut:
    attributes = [AttributeOut.model_validate({"variable": True, "required": False,
                                               "values": [], **attribute})
                  for attribute in ATTRIBUTES]
    return ServiceDefinitionOut(service_code=code, attributes=attributes)


# Requests

def service_notice(due_at: datetime) -> str:
    """Written for the resident: Beijing time, to the minute."""
    return (f"Expected to be resolved by {beijing_minutes(due_at)} Beijing time; overdue "
            "reports are escalated.")


def open311_receipt(filed: Filed) -> ReceiptOut:
    """The answer to `POST requests`; `access_token` is ours, for the reporter's own API."""
    return ReceiptOut(
        service_request_id=filed.complaint.id, token=filed.complaint.tracking_code,
        service_notice=service_notice(filed.complaint.due_at), account_id=None,
        access_token=filed.access_token,
    )


def token_view(service_request_id: str, token: str) -> TokenOut:
    return TokenOut(service_request_id=service_request_id, token=token)


def _media_url(photos: Sequence[str], base_url: str) -> str | None:
    """The first photo as a URL: an uploaded one on this server, or one the client gave."""
    for photo in photos:
        if photo.startswith(MEDIA_PATH):
            return base_url.rstrip("/") + photo
        if photo.startswith(("https://", "http://")):
            return photo
    return None


def _written_by_reporter(step: ComplaintStep | None) -> bool:
    """A step the reporter took carries their words (a reopen reason, a comment on
    confirming); only the filing's note is ours (the receipt)."""
    return step is not None and step.actor_role == "reporter" and step.action != "file"


def request_view(complaint: Complaint, *, latest_step: ComplaintStep | None,
                 with_resident_content: bool, base_url: str) -> RequestOut:
    """A report as a GeoReport v2 service request (public: no contact details ever).

    `status_notes` is the report's latest note; when the reporter wrote it (a reopen reason,
    a confirmation comment) it is the resident's own words, for `api_key` holders only."""
    location = complaint.location or {}
    own_words = _written_by_reporter(latest_step)
    return RequestOut(
        service_request_id=complaint.id,
        status="closed" if complaint.status in CLOSED_STATUSES else "open",
        status_notes=complaint.last_note if with_resident_content or not own_words else None,
        service_name=SERVICES[complaint.category][0],  # type: ignore[index]
        service_code=complaint.category,
        description=complaint.description if with_resident_content else None,
        agency_responsible=complaint.assignee_org or complaint.routed_org,
        service_notice=service_notice(complaint.due_at),
        requested_datetime=_w3c(complaint.created_at),
        updated_datetime=_w3c(complaint.updated_at),
        expected_datetime=_w3c(complaint.due_at),
        address=location.get("address"), address_id=None, zipcode=None,
        lat=location.get("lat"), long=location.get("lng"),
        media_url=(_media_url(complaint.photos, base_url) if with_resident_content else None),
        tracking_code=complaint.tracking_code,
        extended_attributes=ExtendedAttributesOut(
            supporters=complaint.supporters, duplicate_of=complaint.duplicate_of,
            calendar_estimated=complaint.calendar_estimated),
    )


# mySociety's update extension: our statuses in the words FixMyStreet maps (`map_state`).
_UPDATE_STATUS = {
    "received": "open", "acknowledged": "investigating", "assigned": "in_progress",
    "resolved": "fixed", "closed": "closed", "reopened": "open", "duplicate": "duplicate",
}


def update_view(step: ComplaintStep, *, with_resident_content: bool) -> UpdateOut:
    """One status change; a note the reporter wrote (a reopen reason) is the resident's own
    words, shown to `api_key` holders only."""
    own_words = _written_by_reporter(step)
    return UpdateOut(
        update_id=step.id, service_request_id=step.complaint_id,
        status=_UPDATE_STATUS.get(step.to_status, "open"), updated_datetime=_w3c(step.at),
        description=step.note if with_resident_content or not own_words else None,
        media_url=None, external_status_code=step.to_status,
    )


# Service discovery

def discovery_view(*, base_url: str, contact: str, key_service: str, production: bool
                   ) -> DiscoveryOut:
    endpoint = EndpointOut(specification=SPECIFICATION,
                           url=base_url.rstrip("/") + "/open311/v2", changeset=SERVICES_CHANGESET,
                           type="production" if production else "test",
                           formats=[CONTENT_TYPES["xml"].split(";")[0],
                                    CONTENT_TYPES["json"].split(";")[0]])
    return DiscoveryOut(changeset=SERVICES_CHANGESET, contact=contact, key_service=key_service,
                        endpoints=[endpoint])
