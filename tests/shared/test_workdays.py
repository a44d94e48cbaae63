"""Working-day deadlines by the State Council's schedule, make-up working days included."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from shared.workdays import CITY_TZ, Period, WorkingCalendar, parse_operator_file

CALENDAR = WorkingCalendar()


def beijing(*args: int) -> datetime:
    return datetime(*args, tzinfo=CITY_TZ)  # type: ignore[misc]


def test_a_deadline_across_the_spring_festival_skips_the_holiday_and_counts_the_makeup_day(
) -> None:
    # Fri 13 Feb 2026: Sat 14 Feb is a make-up working day, 15-23 Feb the Spring Festival.
    deadline = CALENDAR.add_working_days(beijing(2026, 2, 13, 10, 0), 3)
    assert deadline.at == beijing(2026, 2, 26, 0, 0)  # end of Wed 25 Feb
    assert deadline.at.astimezone(UTC) == datetime(2026, 2, 25, 16, 0, tzinfo=UTC)
    assert not deadline.estimated


def test_a_makeup_saturday_counts_as_a_working_day() -> None:
    assert CALENDAR.is_working_day(date(2026, 2, 28))  # Saturday, worked for the festival
    deadline = CALENDAR.add_working_days(beijing(2026, 2, 26, 9, 0), 2)
    assert deadline.at == beijing(2026, 3, 1, 0, 0)  # end of Sat 28 Feb, not of Mon 2 Mar


def test_the_day_of_receipt_does_not_count_and_the_period_ends_at_midnight() -> None:
    # Received at 23:30 Beijing on Tue 3 Mar 2026 (15:30 UTC): one working day is Wed 4 Mar.
    deadline = CALENDAR.add_working_days(datetime(2026, 3, 3, 15, 30, tzinfo=UTC), 1)
    assert deadline.at == beijing(2026, 3, 5, 0, 0)


def test_clock_hours_ignore_the_calendar() -> None:
    start = beijing(2026, 2, 15, 22, 0)  # a holiday
    assert CALENDAR.add(start, Period.parse("4h")).at == beijing(2026, 2, 16, 2, 0)


def test_a_year_beyond_the_data_is_counted_on_weekdays_and_flagged() -> None:
    assert 2027 not in CALENDAR.covered_years()
    deadline = CALENDAR.add_working_days(beijing(2026, 12, 30, 9, 0), 3)
    # 31 Dec (Thu) = 1; 1 Jan 2027 (Fri) counted as a weekday = 2; Mon 4 Jan = 3.
    assert deadline.at == beijing(2027, 1, 5, 0, 0)
    assert deadline.estimated


def test_an_operator_file_supplies_the_next_year(tmp_path: Path) -> None:
    path = tmp_path / "workdays.json"
    path.write_text(json.dumps({"2027": {"holidays": ["2027-01-01"],
                                         "workdays": ["2027-01-09"]}}), encoding="utf-8")
    calendar = WorkingCalendar.from_file(path)
    assert 2027 in calendar.covered_years()
    deadline = calendar.add_working_days(beijing(2026, 12, 30, 9, 0), 3)
    # 31 Dec = 1; 1 Jan 2027 a holiday; Mon 4 Jan = 2; Tue 5 Jan = 3.
    assert deadline.at == beijing(2027, 1, 6, 0, 0)
    assert not deadline.estimated
    assert calendar.is_working_day(date(2027, 1, 9))  # a Saturday worked


@pytest.mark.parametrize("text, problem", [
    ("[]", "map years"),
    ('{"2027": {"holidays": ["2027-13-01"]}}', "not a date"),
    ('{"2027": {"holidays": ["2026-12-31"]}}', "not in 2027"),
    ('{"2027": {"holidays": ["2027-01-02"], "workdays": ["2027-01-02"]}}', "both"),
])
def test_a_bad_operator_file_is_refused_naming_the_entry(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_operator_file(text)


@pytest.mark.parametrize("text, parsed", [("4h", Period(4, "h")), ("3wd", Period(3, "wd"))])
def test_periods_are_hours_or_working_days(text: str, parsed: Period) -> None:
    assert Period.parse(text) == parsed
    assert str(parsed) == text


@pytest.mark.parametrize("text", ["", "0h", "3d", "h", "-1wd"])
def test_a_period_that_is_neither_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Period.parse(text)
