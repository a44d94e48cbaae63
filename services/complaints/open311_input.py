"""Open311 form fields ⇒ our report request, with spec-named errors."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from services.complaints.open311_format import SERVICES, contact_name
from services.complaints.schemas import ComplaintCreate
from shared.errors import Invalid

__all__ = ["report_from_form"]

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
    """The report and the optional e-mail; Invalid (rendered 400) names the spec argument."""
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
