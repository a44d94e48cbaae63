"""Open311 GeoReport v2 vocabulary, and its form and query arguments parsed into ours.

Service codes are our categories. Each service takes extension attributes (`metadata: true`):
`attribute[project_id]` (a construction site), `attribute[community_id]`,
`attribute[compound_id]` (property service) and `attribute[kind]`. A request must name a
project, a community or a compound: we cannot route it otherwise, so it is refused with a
spec-format 400 rather than parked in a default community.

Every refusal here is `Invalid`, which the Open311 routes render as the spec's 400 naming the
argument the client sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import ValidationError

from services.complaints.domain.contacts import contact_name
from services.complaints.schemas.reports import ComplaintCreate
from shared.contracts.complaints import ComplaintCategory
from shared.errors import Invalid

__all__ = [
    "ATTRIBUTES",
    "DEFAULT_WINDOW",
    "MAX_RESULTS",
    "SERVICES",
    "RequestQuery",
    "report_from_form",
    "request_query",
]

MAX_RESULTS = 1000
DEFAULT_WINDOW = timedelta(days=90)

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

ATTRIBUTES: list[dict[str, Any]] = [
    {"code": "project_id", "datatype": "string", "order": 1,
     "description": "Construction project (site) id, as shown on the site board",
     "datatype_description": "Give project_id, community_id or compound_id"},
    {"code": "community_id", "datatype": "string", "order": 2,
     "description": "Community id (e.g. shentian)",
     "datatype_description": "Give project_id, community_id or compound_id"},
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

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
# Our field path ⇒ the Open311 argument the client sent.
_SPEC_NAMES = {
    "location": "lat/long/address_string", "lat": "lat", "lng": "long",
    "address": "address_string", "project_id": "attribute[project_id]",
    "community_id": "attribute[community_id]", "compound_id": "attribute[compound_id]",
    "kind": "attribute[kind]", "photos": "media_url", "name": "first_name/last_name",
    "phone": "phone", "description": "description", "category": "service_code",
}


def _float(form: dict[str, str], name: str) -> float | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise Invalid(f"{name} must be a number") from None


def _spec_field(error: Any) -> str:
    loc = [str(part) for part in error.get("loc", ())]
    for part in reversed(loc):
        if part in _SPEC_NAMES:
            return _SPEC_NAMES[part]
    return loc[-1] if loc else "request"


def report_from_form(form: dict[str, str]) -> tuple[ComplaintCreate, str | None]:
    """The report and the optional e-mail of a `POST requests` form."""
    code = form.get("service_code", "")
    if code not in SERVICES:
        raise Invalid("service_code is required and must be one of: " + ", ".join(SERVICES))
    lat, long = _float(form, "lat"), _float(form, "long")
    address = form.get("address_string") or None
    if (lat is None or long is None) and address is None:
        raise Invalid("lat and long, or address_string, are required")
    email = form.get("email") or None
    if email is not None and (len(email) > 254 or not _EMAIL.match(email)):
        raise Invalid("email is not an e-mail address")
    name = contact_name(form.get("first_name"), form.get("last_name"))
    phone = form.get("phone") or None
    contact = {"name": name, "phone": phone} if name or phone else None
    raw: dict[str, Any] = {
        "kind": form.get("attribute[kind]") or "complaint", "category": code,
        "project_id": form.get("attribute[project_id]") or None,
        "community_id": form.get("attribute[community_id]") or None,
        "compound_id": form.get("attribute[compound_id]") or None,
        "description": form.get("description", ""),
        "location": {"lat": lat, "lng": long, "address": address},
        "photos": [form["media_url"]] if form.get("media_url") else [],
        "contact": contact, "anonymous": contact is None and email is None,
    }
    try:
        return ComplaintCreate.model_validate(raw), email
    except ValidationError as exc:
        fields = sorted({_spec_field(e) for e in exc.errors()})
        raise Invalid(f"invalid argument(s): {', '.join(fields)}") from None


@dataclass(frozen=True)
class RequestQuery:
    """`GET requests`: either ids (the spec: then every other argument is ignored) or filters
    over a creation window."""

    ids: list[str]
    codes: list[str]
    status: Literal["open", "closed"] | None
    start: datetime | None
    end: datetime | None


def _datetime(name: str, raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"{name} must be a W3C datetime with a timezone") from None
    if moment.tzinfo is None:
        raise Invalid(f"{name} must include a timezone (Z or ±HH:MM)")
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00 has no UTC equivalent
        raise Invalid(f"{name} is out of range") from None


def _csv(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def request_query(now: datetime, *, service_request_id: str | None, service_code: str | None,
                  start_date: str | None, end_date: str | None, status: str | None
                  ) -> RequestQuery:
    """The query's arguments; without dates the window is the `DEFAULT_WINDOW` before `now`."""
    ids = _csv(service_request_id)
    if ids:
        return RequestQuery(ids=ids, codes=[], status=None, start=None, end=None)
    start, end = _datetime("start_date", start_date), _datetime("end_date", end_date)
    if start is None and end is None:
        start = now - DEFAULT_WINDOW
    statuses = _csv(status)
    if set(statuses) - {"open", "closed"}:
        raise Invalid("status must be open and/or closed")
    only: Literal["open", "closed"] | None = None
    if statuses == ["open"]:
        only = "open"
    elif statuses == ["closed"]:
        only = "closed"
    return RequestQuery(ids=[], codes=_csv(service_code), status=only, start=start, end=end)
