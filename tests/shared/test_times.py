"""Time on the wire (UTC, offset required) and time for people (Beijing, to the minute)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, ValidationError

from shared.times import UtcDateTime, beijing_minutes


class _Body(BaseModel):
    at: UtcDateTime


def test_a_time_sent_in_beijing_time_is_kept_as_the_same_instant_in_utc() -> None:
    assert _Body(at="2026-12-01T10:00:00+08:00").at == datetime(2026, 12, 1, 2, tzinfo=UTC)
    assert _Body(at="2026-12-01T10:00:00+08:00").model_dump_json() == (
        '{"at":"2026-12-01T02:00:00Z"}')


@pytest.mark.parametrize("value", ["2026-12-01T10:00:00", "0001-01-01T00:00:00+14:00",
                                   "9999-12-31T23:59:59-14:00"])
def test_a_time_without_an_offset_or_without_a_utc_equivalent_is_refused(value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _Body(at=value)
    assert refused.value.errors()[0]["loc"] == ("at",)


def test_people_read_beijing_time_to_the_minute() -> None:
    assert beijing_minutes(datetime(2026, 12, 2, 19, 33, 7, 606207, tzinfo=UTC)) == (
        "2026-12-03 03:33")
