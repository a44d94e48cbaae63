"""Open311 GeoReport v2: the vocabulary, the documents' JSON shapes, and the arguments clients
send, parsed into ours.

Service codes are our categories. Each service takes extension attributes (`metadata: true`),
all optional: `attribute[project_id]` (a construction site), `attribute[community_id]`,
`attribute[compound_id]` (property service) and `attribute[kind]`. A request with none of them
is placed by its location (`lat`/`long`, `address_string`) by the filing use case.

Refusals name the argument the client sent, in the spec's terms: `Forbidden` (403) for the
key, `NotFound` (404) for an unknown service_code or jurisdiction_id, `Invalid` (400 on these
routes) for everything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from services.complaints.domain.contacts import contact_name
from services.complaints.domain.photos import MAX_PHOTOS
from services.complaints.schemas.reports import ComplaintCreate
from shared.contracts.complaints import ComplaintCategory
from shared.errors import Invalid, NotFound

__all__ = [
    "ATTRIBUTES",
    "CLOSED_STATUSES",
    "DEFAULT_WINDOW",
    "MAX_RESULTS",
    "SERVICES",
    "SERVICES_CHANGESET",
    "SPECIFICATION",
    "SPEC_NAMES",
    "AttributeOut",
    "AttributeValueOut",
    "DiscoveryOut",
    "EndpointOut",
    "ErrorOut",
    "ExtendedAttributesOut",
    "Format",
    "Page",
    "ReceiptOut",
    "RequestOut",
    "RequestQuery",
    "ServiceDefinitionOut",
    "ServiceOut",
    "TokenOut",
    "UpdateOut",
    "UpdatesQuery",
    "check_jurisdiction",
    "check_media_urls",
    "report_from_form",
    "request_query",
    "updates_query",
]

Format = Literal["xml", "json"]
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
SERVICES_CHANGESET = "2026-12-01T00:00:00Z"  # bump when SERVICES or ATTRIBUTES change
MAX_RESULTS = 1000
DEFAULT_WINDOW = timedelta(days=90)
CLOSED_STATUSES = ("closed", "duplicate")

_CONSTRUCTION = "construction site"
SERVICES: dict[ComplaintCategory, tuple[str, str, str, str]] = {
    # code: (name, description, group, keywords)
    "noise": ("Construction noise", "Noise from a renewal site (施工噪声)", _CONSTRUCTION,
              "noise,噪声,扰民"),
    "dust": ("Dust", "Dust or debris from a renewal site (扬尘)", _CONSTRUCTION, "dust,扬尘"),
    "safety": ("Safety hazard", "A safety hazard on or near a site (安全隐患)", _CONSTRUCTION,
               "safety,安全"),
    "quality": ("Work quality", "Quality of the renovation work (工程质量)", _CONSTRUCTION,
                "quality,质量"),
    "access": ("Blocked access", "Blocked roads, entrances or paths (通行受阻)", _CONSTRUCTION,
               "access,通行"),
    "utility_outage": ("Utility outage", "Water, power, gas or telecom cut (停水停电)",
                       _CONSTRUCTION, "water,power,gas,停水,停电"),
    "property_service": ("Property service", "Interim property service of a compound (物业服务)",
                         "property", "property,物业"),
    "other": ("Other", "Anything else about the community renewal (其他)", "general", "other"),
}

_PLACE = "Optional: without it the report is placed by lat/long"
ATTRIBUTES: list[dict[str, Any]] = [
    {"code": "project_id", "datatype": "string", "order": 1,
     "description": "Construction project (site) id, as shown on the site board",
     "datatype_description": _PLACE},
    {"code": "community_id", "datatype": "string", "order": 2,
     "description": "Community id (e.g. shentian)", "datatype_description": _PLACE},
    {"code": "compound_id", "datatype": "string", "order": 3,
     "description": "Residential compound id (property service reports)",
     "datatype_description": "Routes the report to the compound's property provider"},
    {"code": "kind", "datatype": "singlevaluelist", "order": 4,
     "description": "Complaint, inquiry or supervision report",
     "datatype_description": "Defaults to complaint",
     "values": [{"key": "complaint", "name": "Complaint (投诉)"},
                {"key": "inquiry", "name": "Inquiry (咨询)"},
                {"key": "supervision", "name": "Supervision (监督)"}]},
]


# The documents, as JSON (the XML has the same fields under the spec's element names).

class ServiceOut(BaseModel):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class AttributeValueOut(BaseModel):
    key: str
    name: str


class AttributeOut(BaseModel):
    variable: bool
    code: str
    datatype: str
    required: bool
    datatype_description: str
    order: int
    description: str
    values: list[AttributeValueOut]


class ServiceDefinitionOut(BaseModel):
    service_code: str
    attributes: list[AttributeOut]


class ReceiptOut(BaseModel):
    service_request_id: str
    token: str
    service_notice: str
    account_id: str | None
    access_token: str  # ours: the reporter's bearer token for `GET /complaints/{id}`


class TokenOut(BaseModel):
    service_request_id: str
    token: str


class ExtendedAttributesOut(BaseModel):
    """Ours, beyond the spec (as the extended_attributes extension carries them)."""

    supporters: int  # residents who said "me too", merged duplicates included
    duplicate_of: str | None  # the surviving request, once staff merged this one into it
    calendar_estimated: bool  # expected_datetime falls in a year no holiday notice covers


class RequestOut(BaseModel):
    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None
    service_name: str
    service_code: str
    description: str | None  # api_key holders only
    agency_responsible: str | None
    service_notice: str
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None  # api_key holders only
    tracking_code: str
    extended_attributes: ExtendedAttributesOut


class UpdateOut(BaseModel):
    """mySociety's `servicerequestupdates` extension: one change of a request's status."""

    update_id: str
    service_request_id: str
    status: str
    updated_datetime: str
    description: str | None
    media_url: str | None
    external_status_code: str


class EndpointOut(BaseModel):
    specification: str
    url: str
    changeset: str
    type: Literal["production", "test"]
    formats: list[str]


class DiscoveryOut(BaseModel):
    changeset: str
    contact: str
    key_service: str
    endpoints: list[EndpointOut]


class ErrorOut(BaseModel):
    code: int
    description: str


# Arguments

def check_jurisdiction(configured: str, given: str | None) -> None:
    """`jurisdiction_id` is optional on this single-city endpoint; another one is a 404."""
    if given and given != configured:
        raise NotFound(f"jurisdiction_id {given!r} not found: this endpoint serves "
                       f"{configured!r}")


_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
# Our field ⇒ the Open311 argument the client sent.
SPEC_NAMES = {
    "location": "lat/long/address_string", "lat": "lat", "lng": "long",
    "address": "address_string", "project_id": "attribute[project_id]",
    "community_id": "attribute[community_id]", "compound_id": "attribute[compound_id]",
    "kind": "attribute[kind]", "photos": "media_url/media", "name": "first_name/last_name",
    "phone": "phone", "description": "description", "category": "service_code",
    "contact": "first_name/last_name/phone",
}


def _float(form: dict[str, str], name: str) -> float | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise Invalid(f"{name} must be a number", field=name) from None


def _spec_error(error: Any) -> str:
    loc = [str(part) for part in error.get("loc", ())]
    name = next((SPEC_NAMES[part] for part in reversed(loc) if part in SPEC_NAMES), None)
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    return f"{name}: {message}" if name else message


def check_media_urls(urls: list[str], uploaded: int) -> list[str]:
    """The `media_url` links of a request (http or https), with its `uploaded` photos at
    most `MAX_PHOTOS` in all."""
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
            raise Invalid("media_url must be an http or https URL", field="media_url")
    if len(urls) + uploaded > MAX_PHOTOS:
        raise Invalid(f"at most {MAX_PHOTOS} photos (media_url and media together)",
                      field="photos")
    return urls


def report_from_form(form: dict[str, str], *, media_urls: list[str], uploaded: list[str]
                     ) -> tuple[ComplaintCreate, str | None]:
    """The report and the optional e-mail of a `POST requests` form; `uploaded` are the ids
    of the photos sent with it (multipart `media`), which the report cites. The `media_url`
    links are checked here and stored apart (`service.reports.file_report`)."""
    code = form.get("service_code", "")
    if not code:
        raise Invalid("service_code is required", field="service_code")
    if code not in SERVICES:
        raise NotFound(f"service_code {code!r} not found")
    lat, long = _float(form, "lat"), _float(form, "long")
    address = form.get("address_string", "").strip() or None
    if (lat is None or long is None) and address is None:
        raise Invalid("lat and long, or address_string, are required", field="lat")
    email = form.get("email") or None
    if email is not None and (len(email) > 254 or not _EMAIL.match(email)):
        raise Invalid("email is not an e-mail address", field="email")
    name = contact_name(form.get("first_name"), form.get("last_name"))
    phone = form.get("phone") or None
    contact = {"name": name, "phone": phone} if name or phone else None
    check_media_urls(media_urls, len(uploaded))
    raw: dict[str, Any] = {
        "kind": form.get("attribute[kind]") or "complaint", "category": code,
        "project_id": form.get("attribute[project_id]") or None,
        "community_id": form.get("attribute[community_id]") or None,
        "compound_id": form.get("attribute[compound_id]") or None,
        "description": form.get("description", ""),
        "location": {"lat": lat, "lng": long, "address": address},
        "photos": uploaded,
        "contact": contact, "anonymous": contact is None and email is None,
    }
    try:
        return ComplaintCreate.model_validate(raw), email
    except ValidationError as exc:
        problems = sorted({_spec_error(e) for e in exc.errors()})
        raise Invalid(f"invalid argument(s): {'; '.join(problems)}") from None


@dataclass(frozen=True)
class Page:
    """The `page`/`page_size` extension: 1-based pages of at most `MAX_RESULTS`."""

    number: int = 1
    size: int = MAX_RESULTS

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


@dataclass(frozen=True)
class RequestQuery:
    """`GET requests`: either ids (the spec: then every other argument is ignored) or filters
    over a creation window."""

    ids: list[str]
    codes: list[str]
    status: Literal["open", "closed"] | None
    start: datetime | None
    end: datetime | None
    page: Page = Page()


def _datetime(name: str, raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"{name} must be a W3C datetime with a timezone", field=name) from None
    if moment.tzinfo is None:
        raise Invalid(f"{name} must include a timezone (Z or ±HH:MM)", field=name)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00 has no UTC equivalent
        raise Invalid(f"{name} is out of range", field=name) from None


def _csv(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def _window(now: datetime, start_date: str | None, end_date: str | None
            ) -> tuple[datetime | None, datetime | None]:
    """Without dates the window is the `DEFAULT_WINDOW` before `now`."""
    start, end = _datetime("start_date", start_date), _datetime("end_date", end_date)
    if start is None and end is None:
        start = now - DEFAULT_WINDOW
    return start, end


def request_query(now: datetime, *, service_request_id: str | None, service_code: str | None,
                  start_date: str | None, end_date: str | None, status: str | None,
                  page: Page = Page()) -> RequestQuery:
    ids = _csv(service_request_id)
    if ids:
        return RequestQuery(ids=ids, codes=[], status=None, start=None, end=None, page=page)
    start, end = _window(now, start_date, end_date)
    statuses = _csv(status)
    if set(statuses) - {"open", "closed"}:
        raise Invalid("status must be open and/or closed", field="status")
    only: Literal["open", "closed"] | None = None
    if statuses == ["open"]:
        only = "open"
    elif statuses == ["closed"]:
        only = "closed"
    return RequestQuery(ids=[], codes=_csv(service_code), status=only, start=start, end=end,
                        page=page)


@dataclass(frozen=True)
class UpdatesQuery:
    """`GET servicerequestupdates`: status changes in a window, oldest first."""

    start: datetime | None
    end: datetime | None
    page: Page = Page()


def updates_query(now: datetime, *, start_date: str | None, end_date: str | None,
                  page: Page = Page()) -> UpdatesQuery:
    start, end = _window(now, start_date, end_date)
    return UpdatesQuery(start=start, end=end, page=page)
