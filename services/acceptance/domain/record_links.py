"""Signed, expiring links to the printable record, so a browser opens it without a bearer
header (a committee member following a link from a message or a notice). Pure, no I/O.

A link names one acceptance and the moment it expires (Unix seconds, UTC); its signature is
HMAC-SHA256, hex, over `acceptance-record.html`, the acceptance id and the expiry, one per
line, under the link key. The link key is derived from a secret of the suite's settings with
a purpose label (`derive_link_key`), so it is never a key used for anything else: a bearer
token's HS256 signing input (base64url, no `/`) can never equal the label.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from shared.errors import Unauthorized

__all__ = ["LINK_PURPOSE", "SignedLink", "check_link", "derive_link_key", "sign_link"]

LINK_PURPOSE = b"community-suite/acceptance/record-link/v1"
_RESOURCE = "acceptance-record.html"


@dataclass(frozen=True)
class SignedLink:
    """What a link carries besides the acceptance id: its expiry and signature."""

    expires: int
    signature: str

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, UTC)


def derive_link_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), LINK_PURPOSE, hashlib.sha256).digest()


def _signature(key: bytes, acceptance_id: str, expires: int) -> str:
    message = f"{_RESOURCE}\n{acceptance_id}\n{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sign_link(key: bytes, acceptance_id: str, *, now: datetime, ttl: timedelta) -> SignedLink:
    """A link to `acceptance_id`'s printable record, valid for `ttl` from `now`."""
    expires = int((now + ttl).timestamp())
    return SignedLink(expires, _signature(key, acceptance_id, expires))


def check_link(key: bytes, acceptance_id: str, link: SignedLink, *, now: datetime) -> None:
    """Refuse (401) a link not signed for this acceptance and expiry, or expired at `now`."""
    expected = _signature(key, acceptance_id, link.expires)
    if not hmac.compare_digest(expected, link.signature):
        raise Unauthorized("this record link is not valid: ask for a new one")
    if now.timestamp() >= link.expires:
        raise Unauthorized("this record link has expired: ask for a new one")
