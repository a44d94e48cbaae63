"""The pure rules of a reporter's contact over time (`domain.personal_data`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.complaints.domain.personal_data import (
    contact_status,
    holds_contact,
    retention_cutoff,
)

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("name", "phone", "email", "held"), [
    ("陈小明", None, None, True), (None, "13712345678", None, True),
    (None, None, "chen@example.com", True), (None, None, None, False), ("", "", "", False),
])
def test_any_one_detail_is_a_contact(name: str | None, phone: str | None, email: str | None,
                                     held: bool) -> None:
    assert holds_contact(name, phone, email) is held


def test_a_contact_reads_held_then_erased_and_none_if_never_given() -> None:
    assert contact_status(held=True, erased_at=None) == "held"
    assert contact_status(held=False, erased_at=NOW) == "erased"
    assert contact_status(held=False, erased_at=None) == "none"


def test_the_retention_counts_whole_days_back_from_now() -> None:
    assert retention_cutoff(NOW, 180) == NOW - timedelta(days=180)
    assert retention_cutoff(NOW, 0) == NOW
