"""Contacts: mainland China phone numbers (validation, normalisation), names, masking.

Accepted personal numbers (reporters, liaisons):
- mobile `1[3-9]` + 9 digits, optionally prefixed `+86`/`86`; stored as the 11 digits;
- landline `0` + 2-3 digit area code + 7-8 digit number, optional `-` and an extension
  (`-123`, `#123` or `转123`); stored as `AREA-NUMBER[-EXT]`. Without a hyphen the area code is
  3 digits for 010/02x (Beijing, Shanghai, ...) and 4 digits otherwise, as in the national plan.
A site hotline may also be a 5-digit public service number (12345 city hotline, 95598, ...)
or a `400`/`800` enterprise number.
"""

from __future__ import annotations

import re

__all__ = [
    "contact_name",
    "mask_email",
    "mask_name",
    "mask_phone",
    "normalise_hotline",
    "normalise_phone",
]

_SEPARATORS = re.compile(r"[\s()\uff08\uff09]")  # also full-width brackets
_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
_LANDLINE = re.compile(r"(0\d{2,3})-?(\d{7,8})(?:(?:-|#|转)(\d{1,6}))?")
_SERVICE = re.compile(r"(?:1|9)\d{4}")
_ENTERPRISE = re.compile(r"([48]00)-?(\d{3})-?(\d{4})")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _landline(raw: str) -> str | None:
    if "-" not in raw[:5]:
        # no hyphen after the area code: split by the national area-code rule
        match = re.fullmatch(r"(01\d|02\d|0[3-9]\d{2})(\d{7,8})(?:(?:-|#|转)(\d{1,6}))?", raw)
    else:
        match = _LANDLINE.fullmatch(raw)
    if match is None:
        return None
    area, number, extension = match.groups()
    return f"{area}-{number}" + (f"-{extension}" if extension else "")


def normalise_phone(value: str) -> str:
    """A reporter's or liaison's number in canonical form; ValueError if it is not one."""
    raw = _SEPARATORS.sub("", value)
    mobile = _MOBILE.fullmatch(raw)
    if mobile:
        return mobile.group(1)
    landline = _landline(raw)
    if landline:
        return landline
    raise ValueError("not a mainland mobile (1[3-9]xxxxxxxxx) or landline (0xxx-xxxxxxx) number")


def normalise_hotline(value: str) -> str:
    """A site hotline: a personal-format number, a 5-digit service number or 400/800."""
    raw = _SEPARATORS.sub("", value)
    if _SERVICE.fullmatch(raw):
        return raw
    enterprise = _ENTERPRISE.fullmatch(raw)
    if enterprise:
        return "-".join(enterprise.groups())
    try:
        return normalise_phone(raw)
    except ValueError:
        raise ValueError(
            "not a mobile, landline, 5-digit service (12345) or 400/800 number"
        ) from None


def mask_phone(phone: str) -> str:
    """`13812345678` ⇒ `138****5678`; `0592-1234567` ⇒ `0592-****4567` (extension dropped)."""
    if "-" in phone and phone.startswith("0"):
        area, number = phone.split("-")[:2]
        return f"{area}-{'*' * (len(number) - 4)}{number[-4:]}"
    if len(phone) == 11:
        return f"{phone[:3]}****{phone[-4:]}"
    return "*" * max(len(phone) - 4, 0) + phone[-4:]


def mask_name(name: str) -> str:
    """`张三丰` ⇒ `张*`: the first character only."""
    return f"{name[:1]}*" if name else name


def mask_email(email: str) -> str:
    """`resident@example.com` ⇒ `r***@example.com`."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def contact_name(first: str | None, last: str | None) -> str | None:
    """Chinese names read family name first (张三); others `first last`."""
    parts = [p for p in (first, last) if p]
    if not parts:
        return None
    if _CJK.search("".join(parts)):
        return "".join(p for p in (last, first) if p)
    return " ".join(parts)
