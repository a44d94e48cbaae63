"""Contacts: mainland China phone numbers (validation, normalisation), names, masking.

Numbers are read as people write them: spaces, dashes, dots or brackets anywhere, a `+86`,
`0086` or `86` prefix, full-width digits and signs as Chinese input methods type them (read
through NFKC). Whether a number exists in the national numbering plan is the verdict of the
`phonenumbers` library (libphonenumber's metadata), not a pattern of our own. Stored forms:
- mobile: the 11 digits (`13812345678`);
- landline: `AREA-NUMBER[-EXT]` (`0592-5551234`, `010-12345678-808`), the area code as the
  numbering plan has it; an extension follows `-`, `#`, `转`, `分机`, `ext` or `x`.
Personal numbers (reporters, liaisons, the parties on a board) are mobiles or landlines. A
site hotline may also be a 5-digit public service number (12345 city hotline, 95598, ...) or
a `400`/`800` enterprise number, stored `400-123-4567`.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberType

__all__ = [
    "contact_name",
    "mask_email",
    "mask_name",
    "mask_phone",
    "normalise_hotline",
    "normalise_phone",
]

_REGION = "CN"
# What may surround the digits of a number once read through NFKC.
_PLAIN = re.compile(r"\+?[\d\s().\-/]+")
_EXTENSION = re.compile(r"(.*\d)\s*(?:-|#|转|分机|ext\.?|x)\s*(\d{1,6})", re.IGNORECASE)
_SERVICE = re.compile(r"[19]\d{4}")
_SEPARATORS = re.compile(r"[\s().\-/]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PERSONAL = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE,
                       PhoneNumberType.FIXED_LINE_OR_MOBILE})
_ENTERPRISE = frozenset({PhoneNumberType.TOLL_FREE, PhoneNumberType.SHARED_COST,  # 800, 400
                         PhoneNumberType.UAN})


def _domestic_or_international(text: str) -> bool:
    """`+86 ...`, `0086 ...`, `86 1...` (13 digits), or a domestic number: a mobile (`1...`),
    a landline with its trunk `0`, a 400/800 number. A landline without its `0`
    (`592-1234567`) is ambiguous and refused, though the library would guess it."""
    digits = re.sub(r"\D", "", text)
    if text.startswith("+") or digits.startswith("0086"):
        return True
    if digits.startswith(("400", "800")) and len(digits) == 10:
        return True
    return digits.startswith(("0", "1")) or (digits.startswith("86") and len(digits) > 11)


def _parse(value: str) -> tuple[PhoneNumber, str | None] | None:
    """The mainland number `value` names, with its extension, or None."""
    text = unicodedata.normalize("NFKC", value).strip()
    candidates: list[tuple[str, str | None]] = [(text, None)]
    split = _EXTENSION.fullmatch(text)
    if split is not None:
        candidates.append((split.group(1).strip(), split.group(2)))
    for candidate, extension in candidates:
        if not _PLAIN.fullmatch(candidate) or not _domestic_or_international(candidate):
            continue
        try:
            number = phonenumbers.parse(candidate, _REGION)
        except NumberParseException:
            continue
        if (phonenumbers.region_code_for_number(number) == _REGION
                and phonenumbers.is_valid_number(number)):
            return number, extension
    return None


def _landline(number: PhoneNumber, extension: str | None) -> str | None:
    national = str(number.national_number)
    area = phonenumbers.length_of_geographical_area_code(number)
    if area == 0:
        return None
    return f"0{national[:area]}-{national[area:]}" + (f"-{extension}" if extension else "")


def _personal(number: PhoneNumber, extension: str | None) -> str | None:
    kind = phonenumbers.number_type(number)
    if kind not in _PERSONAL:
        return None
    if kind == PhoneNumberType.MOBILE:
        return None if extension else str(number.national_number)
    return _landline(number, extension)


def normalise_phone(value: str) -> str:
    """A reporter's, liaison's or party's number in canonical form; ValueError if it is not a
    mainland mobile or landline number."""
    parsed = _parse(value)
    canonical = _personal(*parsed) if parsed else None
    if canonical is None:
        raise ValueError("not a mainland mobile (138 1234 5678) or landline (0592-5551234) "
                         "number")
    return canonical


def normalise_hotline(value: str) -> str:
    """A site hotline: a personal-format number, a 5-digit service number or 400/800."""
    bare = _SEPARATORS.sub("", unicodedata.normalize("NFKC", value))
    if _SERVICE.fullmatch(bare):
        return bare
    parsed = _parse(value)
    if parsed is not None:
        number, extension = parsed
        if phonenumbers.number_type(number) in _ENTERPRISE and extension is None:
            national = str(number.national_number)
            return f"{national[:3]}-{national[3:6]}-{national[6:]}"
        personal = _personal(number, extension)
        if personal is not None:
            return personal
    raise ValueError("not a mobile, landline, 5-digit service (12345) or 400/800 number")


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
