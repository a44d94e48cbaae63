"""Time on the wire and time for people.

On the wire (every API of the suite, every event) time is UTC in ISO 8601 with `Z`: a request
may send any offset (`+08:00`), the value is converted to UTC on the way in and comes back
as UTC from every later read. A time without an offset is refused (422 naming the field),
never guessed. Whatever is rendered for people (notes shown to residents, printed records)
is Beijing time (Asia/Shanghai) to the minute.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

from shared.workdays import CITY_TZ

__all__ = ["CITY_TZ", "UtcDateTime", "beijing_minutes"]


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+14:00 has no UTC equivalent
        raise ValueError("out of range once converted to UTC") from None


# A request field holding a moment: an offset is required, the value is kept in UTC.
UtcDateTime = Annotated[AwareDatetime, AfterValidator(_to_utc)]


def beijing_minutes(moment: datetime) -> str:
    """`moment` as people in the city read it: Beijing time to the minute (`2026-12-03 03:33`)."""
    return moment.astimezone(CITY_TZ).strftime("%Y-%m-%d %H:%M")
