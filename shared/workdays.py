"""Working days by the State Council's holiday schedule (调休 make-up working days included).

Time limits of the 12345 hotline and of the acceptance notice are counted in working days.
Which days are worked comes from `chinesecalendar` (MIT licence, the State Council's notices
since 2004) plus an operator's file for the years the library does not cover yet: each
November the State Council publishes the next year's schedule, long before a library release.

The operator file is JSON, one entry per year, listing the days that differ from a plain
Monday-to-Friday week:

    {"2027": {"holidays": ["2027-01-01", "2027-02-05", ...],
              "workdays": ["2027-02-14", ...]}}

A day of a year neither source covers is judged by the weekday alone, and any deadline that
touches such a day is flagged `estimated`.

Counting follows the Civil Code (arts. 201, 203): the day a period starts does not count, and
the period ends at 24:00 (Beijing time) of its last day.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import chinese_calendar

__all__ = ["CITY_TZ", "Deadline", "Period", "WorkingCalendar", "YearSchedule"]

CITY_TZ = ZoneInfo("Asia/Shanghai")
_PERIOD = re.compile(r"^\s*(\d{1,4})\s*(h|wd)\s*$")


@dataclass(frozen=True)
class YearSchedule:
    """The days of one year that differ from a Monday-to-Friday week."""

    holidays: frozenset[date]
    workdays: frozenset[date]


@dataclass(frozen=True)
class Deadline:
    at: datetime
    estimated: bool  # a day of a year no calendar covers was judged by its weekday


@dataclass(frozen=True)
class Period:
    """A time limit: clock hours (`"4h"`) or working days (`"3wd"`)."""

    amount: int
    unit: Literal["h", "wd"]

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match(text)
        if match is None or int(match.group(1)) == 0:
            raise ValueError(f"{text!r} is not a period such as '4h' or '3wd'")
        unit: Literal["h", "wd"] = "h" if match.group(2) == "h" else "wd"
        return cls(int(match.group(1)), unit)

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


class WorkingCalendar:
    """Which days are worked, and deadlines counted in working days."""

    def __init__(self, operator_years: Mapping[int, YearSchedule] | None = None) -> None:
        self._operator = dict(operator_years or {})
        first = min(chinese_calendar.holidays).year
        last = max(chinese_calendar.holidays).year
        self._library_years = range(first, last + 1)

    @classmethod
    def from_file(cls, path: Path | None) -> WorkingCalendar:
        """The library's years plus those of the operator file at `path` (if any)."""
        if path is None:
            return cls()
        return cls(parse_operator_file(path.read_text(encoding="utf-8")))

    def covered_years(self) -> list[int]:
        return sorted(set(self._library_years) | set(self._operator))

    def covers(self, year: int) -> bool:
        return year in self._operator or year in self._library_years

    def is_working_day(self, day: date) -> bool:
        schedule = self._operator.get(day.year)
        if schedule is not None:
            if day in schedule.workdays:
                return True
            return day.weekday() < 5 and day not in schedule.holidays
        if day.year in self._library_years:
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5

    def add(self, start: datetime, period: Period) -> Deadline:
        """The moment `period` after `start` ends."""
        if period.unit == "h":
            return Deadline(start + timedelta(hours=period.amount), estimated=False)
        return self.add_working_days(start, period.amount)

    def add_working_days(self, start: datetime, days: int) -> Deadline:
        """24:00 Beijing time of the `days`-th working day after the day of `start`."""
        day = start.astimezone(CITY_TZ).date()
        estimated = False
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            estimated = estimated or not self.covers(day.year)
            if self.is_working_day(day):
                counted += 1
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=CITY_TZ)
        return Deadline(end, estimated=estimated)

    def working_days_between(self, first: date, last: date) -> tuple[int, bool]:
        """Working days after `first` up to and including `last`, and whether estimated."""
        count, estimated, day = 0, False, first
        while day < last:
            day += timedelta(days=1)
            estimated = estimated or not self.covers(day.year)
            count += self.is_working_day(day)
        return count, estimated


def parse_operator_file(text: str) -> dict[int, YearSchedule]:
    """Parse the operator's JSON schedule; `ValueError` naming what is wrong."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the working-day file is not JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise ValueError("the working-day file must map years to schedules")
    years: dict[int, YearSchedule] = {}
    for key, entry in raw.items():
        if not (isinstance(key, str) and key.isdigit() and isinstance(entry, dict)):
            raise ValueError(f"entry {key!r}: expected \"YYYY\": {{holidays, workdays}}")
        year = int(key)
        holidays = _days(year, entry.get("holidays", []), f"{key}.holidays")
        workdays = _days(year, entry.get("workdays", []), f"{key}.workdays")
        if holidays & workdays:
            raise ValueError(f"{key}: {sorted(holidays & workdays)[0]} is both a holiday "
                             "and a working day")
        years[year] = YearSchedule(holidays, workdays)
    return years


def _days(year: int, values: Iterable[object], where: str) -> frozenset[date]:
    days = set()
    for value in values:
        try:
            day = date.fromisoformat(str(value))
        except ValueError as exc:
            raise ValueError(f"{where}: {value!r} is not a date YYYY-MM-DD") from exc
        if day.year != year:
            raise ValueError(f"{where}: {day} is not in {year}")
        days.add(day)
    return frozenset(days)
