"""API models of the contact audit: one recorded display of a reporter's unmasked contact."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

__all__ = ["ContactViewPublic"]


class ContactViewPublic(BaseModel):
    """Who saw the reporter's contact in full, when, on which report (readable by admin)."""

    id: str
    complaint_id: str
    viewer_sub: str
    viewer_org: str | None
    viewer_roles: list[str]
    via: str
    viewed_at: datetime
