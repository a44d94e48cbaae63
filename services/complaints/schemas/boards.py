"""API models of site boards (施工现场公布投诉热线、明确现场联络人)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from services.complaints.schemas.fields import (
    ContactPublic,
    Hotline,
    Input,
    Latitude,
    Longitude,
    Name,
    OrgId,
    Phone,
    RefId,
)

__all__ = ["BoardPublic", "BoardPut", "Liaison", "PartyContact", "SiteLocation"]


class PartyContact(Input):
    org: OrgId | None = None
    name: Name | None = None
    phone: Phone


class Liaison(Input):
    name: Name
    phone: Phone


class SiteLocation(Input):
    """Where the site is (WGS84): reports filed near it are routed to it."""

    lat: Latitude
    lng: Longitude


class BoardPut(Input):
    hotline: Hotline
    liaison: Liaison
    contractor_contact: PartyContact | None = None
    supervisor_contact: PartyContact | None = None
    community_id: RefId | None = None
    location: SiteLocation | None = None


class BoardPublic(BaseModel):
    project_id: str
    community_id: str | None
    hotline: str
    liaison: ContactPublic
    contractor_contact: ContactPublic | None
    supervisor_contact: ContactPublic | None
    location: SiteLocation | None = None
    version: int
    published_at: datetime
    updated_at: datetime
