"""A reporter's personal data over time (PIPL art. 19: kept no longer than needed; art. 47:
erased on request). Pure rules, no I/O.

A report holds its reporter's contact (name, phone, e-mail) from filing until it is erased:
at the reporter's request, or `retention_days` after the report was closed. The report
itself stays; its contact then reads `erased`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

__all__ = ["ContactStatus", "contact_status", "holds_contact", "retention_cutoff"]

ContactStatus = Literal["none", "held", "erased"]


def holds_contact(name: str | None, phone: str | None, email: str | None) -> bool:
    return bool(name or phone or email)


def contact_status(*, held: bool, erased_at: datetime | None) -> ContactStatus:
    """`held` while a contact is stored, `erased` once it was, `none` if none was ever given."""
    if held:
        return "held"
    return "erased" if erased_at is not None else "none"


def retention_cutoff(now: datetime, retention_days: int) -> datetime:
    """Reports closed at or before this instant have kept their contact long enough."""
    return now - timedelta(days=retention_days)
