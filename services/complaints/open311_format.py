"""Open311 GeoReport v2 vocabulary: the service list, and reports in the spec's field names.

Service codes are our categories. Each service takes extension attributes (`metadata: true`):
`attribute[project_id]` (a construction site), `attribute[community_id]`,
`attribute[compound_id]` (property service) and `attribute[kind]`. A request must name a
project, a community or a compound: we cannot route it otherwise, so it is refused with a
spec-format 400 rather than parked in a default community.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from services.complaints.models import Complaint
from shared.contracts.complaints import ComplaintCategory

__all__ = ["SERVICES", "contact_name", "request_view", "service_definition", "service_entry"]

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

_ATTRIBUTES: list[dict[str, Any]] = [
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


def service_entry(code: ComplaintCategory) -> dict[str, Any]:
    name, description, group, keywords = SERVICES[code]
    return {"service_code": code, "service_name": name, "description": description,
            "metadata": True, "type": "realtime", "keywords": keywords, "group": group}


def service_definition(code: ComplaintCategory) -> dict[str, Any]:
    attributes = [
        {"variable": True, "required": False, "values": [], **attribute}
        for attribute in _ATTRIBUTES
    ]
    return {"service_code": code, "attributes": attributes}


def _w3c(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def request_view(complaint: Complaint, *, with_description: bool) -> dict[str, Any]:
    """A report as a GeoReport v2 service request (public: no contact details ever)."""
    location = complaint.location or {}
    media = next((p for p in complaint.photos if p.startswith(("https://", "http://"))), None)
    return {
        "service_request_id": complaint.id,
        "status": "closed" if complaint.status == "closed" else "open",
        "status_notes": complaint.last_note,
        "service_name": SERVICES[complaint.category][0],  # type: ignore[index]
        "service_code": complaint.category,
        "description": complaint.description if with_description else None,
        "agency_responsible": complaint.assignee_org or complaint.routed_org,
        "service_notice": service_notice(complaint.sla_hours),
        "requested_datetime": _w3c(complaint.created_at),
        "updated_datetime": _w3c(complaint.updated_at),
        "expected_datetime": _w3c(complaint.due_at),
        "address": location.get("address"),
        "address_id": None,
        "zipcode": None,
        "lat": location.get("lat"),
        "long": location.get("lng"),
        "media_url": media,
        "tracking_code": complaint.tracking_code,
    }


def service_notice(sla_hours: int) -> str:
    return f"Expected to be resolved within {sla_hours} hours; overdue reports are escalated."


_CJK = re.compile(r"[\u4e00-\u9fff]")


def contact_name(first: str | None, last: str | None) -> str | None:
    """Chinese names read family name first (张三); others `first last`."""
    parts = [p for p in (first, last) if p]
    if not parts:
        return None
    if _CJK.search("".join(parts)):
        return "".join(p for p in (last, first) if p)
    return " ".join(parts)
