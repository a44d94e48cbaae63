"""Signed record links: one acceptance, one expiry, a key derived for this purpose only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.acceptance.domain.record_links import (
    SignedLink,
    check_link,
    derive_link_key,
    sign_link,
)
from shared.errors import Unauthorized

KEY = derive_link_key("a-secret-of-the-suite-0123456789abcdef")
NOW = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
DAY = timedelta(days=1)


def test_a_link_holds_until_it_expires_and_not_a_second_longer() -> None:
    link = sign_link(KEY, "acc-1", now=NOW, ttl=DAY)
    assert link.expires_at == NOW + DAY
    check_link(KEY, "acc-1", link, now=NOW + DAY - timedelta(seconds=1))
    with pytest.raises(Unauthorized, match="expired"):
        check_link(KEY, "acc-1", link, now=NOW + DAY)


@pytest.mark.parametrize(("key", "acceptance_id", "expires_shift"), [
    (derive_link_key("another-secret-of-the-suite-0123456789"), "acc-1", 0),
    (KEY, "acc-2", 0),
    (KEY, "acc-1", 3600),
])
def test_a_link_checked_under_another_key_acceptance_or_expiry_is_not_valid(
    key: bytes, acceptance_id: str, expires_shift: int,
) -> None:
    link = sign_link(KEY, "acc-1", now=NOW, ttl=DAY)
    moved = SignedLink(link.expires + expires_shift, link.signature)
    with pytest.raises(Unauthorized, match="not valid"):
        check_link(key, acceptance_id, moved, now=NOW)


def test_the_link_key_is_derived_and_never_the_secret_itself() -> None:
    secret = "a-secret-of-the-suite-0123456789abcdef"
    assert derive_link_key(secret) not in (secret.encode(), b"")
    assert derive_link_key(secret) == KEY and len(KEY) == 32
