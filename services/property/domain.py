"""Pure rules of the property service: trial periods and transitions, the owners' vote
(Civil Code art. 278), complaint rates and coverage. No I/O.

Vote counting follows the Supreme People's Court's interpretation on building ownership
(最高人民法院关于审理建筑物区分所有权纠纷案件适用法律若干问题的解释, arts. 8 and 9): exclusive area
comes from the register, and an owner of several units counts once by number while all of
their area counts. Every threshold is compared in exact rational arithmetic.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Literal

__all__ = [
    "ACTIVE_TRIAL_STATUSES",
    "APPROVAL_THRESHOLD",
    "CITY_TZ",
    "PARTICIPATION_THRESHOLD",
    "TRIAL_TRANSITIONS",
    "Choice",
    "Month",
    "Ratio",
    "TrialStatus",
    "VoteOutcome",
    "VoteStatus",
    "VoteTally",
    "add_months",
    "can_transition",
    "city_today",
    "complaint_rate_per_100_households",
    "coverage_ratio",
    "mean_score",
    "parse_month",
    "register_by_owner",
    "tally_vote",
    "trial_period_problem",
]

TrialStatus = Literal["active", "extended", "converted", "ended"]
VoteStatus = Literal["open", "passed", "failed", "invalid", "cancelled"]
VoteOutcome = Literal["passed", "failed", "invalid"]
Choice = Literal["yes", "no", "abstain"]

ACTIVE_TRIAL_STATUSES: frozenset[str] = frozenset({"active", "extended"})
PARTICIPATION_THRESHOLD = Fraction(2, 3)  # at least (≥) two thirds take part
APPROVAL_THRESHOLD = Fraction(1, 2)  # more than (>) half of those taking part approve

_DISPLAY = Decimal("0.0001")
# Xiamen keeps China Standard Time all year (no DST), so a fixed offset is exact.
CITY_TZ = timezone(timedelta(hours=8), "CST")


def city_today(moment: datetime) -> date:
    """The calendar day in the city at `moment`."""
    return moment.astimezone(CITY_TZ).date()


# --- trial period ---------------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months, clamped to the last day (Jan 31 + 1 = Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def trial_period_problem(start: date, end: date, max_months: int) -> str | None:
    """Why `start..end` is not an allowed trial period, or None when it is."""
    if end <= start:
        return "end must be after start"
    if end > add_months(start, max_months):
        return f"a trial lasts at most {max_months} months"
    return None


# --- assessment -----------------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def next_first_day(self) -> date:
        return add_months(self.first_day, 1)

    @property
    def city_span(self) -> tuple[datetime, datetime]:
        """The month as the instants `[start, end)` of the city's calendar, not UTC's."""
        midnight = datetime.min.time()
        return (datetime.combine(self.first_day, midnight, tzinfo=CITY_TZ),
                datetime.combine(self.next_first_day, midnight, tzinfo=CITY_TZ))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def parse_month(text: str) -> Month | None:
    """`YYYY-MM` as a Month, or None when it is not one."""
    found = _MONTH.match(text)
    return Month(int(found.group(1)), int(found.group(2))) if found else None


def mean_score(scores: Mapping[str, int]) -> Decimal:
    """The overall score: the mean of the dimension scores, 2 dp."""
    total = Fraction(sum(scores.values()), len(scores))
    return _decimal(total, Decimal("0.01"))


def complaint_rate_per_100_households(complaints_in_month: int, households: int) -> Decimal:
    """Property-service complaints per 100 households in one month, 2 dp."""
    return _decimal(Fraction(complaints_in_month * 100, households), Decimal("0.01"))


# --- vote -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ratio:
    """An exact share `numerator / denominator` compared with a threshold."""

    numerator: Decimal
    denominator: Decimal
    met: bool

    @property
    def value(self) -> Fraction:
        if self.denominator == 0:
            return Fraction(0)
        return Fraction(self.numerator) / Fraction(self.denominator)

    @property
    def display(self) -> str:
        """The share rounded to 4 dp for people; `met` is decided on the exact value."""
        return str(_decimal(self.value, _DISPLAY))


@dataclass(frozen=True)
class VoteTally:
    status: VoteOutcome
    eligible_owners: int
    eligible_area: Decimal
    participating_owners: int
    participating_area: Decimal
    approving_owners: int
    approving_area: Decimal
    participation_owners: Ratio
    participation_area: Ratio
    approval_owners: Ratio
    approval_area: Ratio


def register_by_owner(units: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """Units of the register folded per owner: one owner, the sum of their units' area."""
    owners: dict[str, Decimal] = {}
    for owner_id, area in units:
        owners[owner_id] = owners.get(owner_id, Decimal(0)) + area
    return owners


def tally_vote(register: Mapping[str, Decimal], ballots: Mapping[str, Choice]) -> VoteTally:
    """Count a vote: `register` maps owner → exclusive area, `ballots` owner → choice.

    Valid only when owners holding ≥ 2/3 of the area AND ≥ 2/3 of the owners take part
    (abstaining is taking part); passed only when > 1/2 of the participating area AND > 1/2
    of the participating owners vote yes. Ballots of owners not on the register are ignored.
    """
    taking_part = [owner for owner in ballots if owner in register]
    approving = [owner for owner in taking_part if ballots[owner] == "yes"]
    eligible_area = sum(register.values(), Decimal(0))
    part_area = sum((register[o] for o in taking_part), Decimal(0))
    yes_area = sum((register[o] for o in approving), Decimal(0))
    p_owners = _at_least(len(taking_part), len(register), PARTICIPATION_THRESHOLD)
    p_area = _at_least(part_area, eligible_area, PARTICIPATION_THRESHOLD)
    a_owners = _more_than(len(approving), len(taking_part), APPROVAL_THRESHOLD)
    a_area = _more_than(yes_area, part_area, APPROVAL_THRESHOLD)
    status: VoteOutcome
    if not (p_owners.met and p_area.met):
        status = "invalid"
    elif a_owners.met and a_area.met:
        status = "passed"
    else:
        status = "failed"
    return VoteTally(
        status=status, eligible_owners=len(register), eligible_area=eligible_area,
        participating_owners=len(taking_part), participating_area=part_area,
        approving_owners=len(approving), approving_area=yes_area,
        participation_owners=p_owners, participation_area=p_area,
        approval_owners=a_owners, approval_area=a_area,
    )


def _at_least(part: Decimal | int, whole: Decimal | int, threshold: Fraction) -> Ratio:
    met = whole > 0 and Fraction(part) >= threshold * Fraction(whole)
    return Ratio(Decimal(part), Decimal(whole), met)


def _more_than(part: Decimal | int, whole: Decimal | int, threshold: Fraction) -> Ratio:
    met = whole > 0 and Fraction(part) > threshold * Fraction(whole)
    return Ratio(Decimal(part), Decimal(whole), met)


# --- coverage -------------------------------------------------------------------------------

def coverage_ratio(managed: int, total: int) -> str | None:
    """managed / total to 4 dp, None when there is nothing to cover."""
    if total == 0:
        return None
    return str(_decimal(Fraction(managed, total), _DISPLAY))


def _decimal(value: Fraction, places: Decimal) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(places, rounding=ROUND_HALF_UP)


# --- trial transitions ----------------------------------------------------------------------

TRIAL_TRANSITIONS: Mapping[str, tuple[TrialStatus, ...]] = {
    "active": ("converted", "ended", "extended"),
    "extended": ("converted", "ended", "extended"),
    "converted": (),
    "ended": (),
}


def can_transition(current: str, target: TrialStatus) -> bool:
    return target in TRIAL_TRANSITIONS.get(current, ())
