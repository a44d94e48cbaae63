"""Pure rules: vote arithmetic at every threshold, trial periods, months, rates, coverage."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.property.domain import (
    Choice,
    Month,
    add_months,
    can_transition,
    complaint_rate_per_100_households,
    coverage_ratio,
    mean_score,
    parse_month,
    register_by_owner,
    tally_vote,
    trial_period_problem,
)


def register(*areas: str) -> dict[str, Decimal]:
    """Owners o0, o1, ... holding the given areas."""
    return {f"o{i}": Decimal(a) for i, a in enumerate(areas)}


def ballots(**choices: Choice) -> dict[str, Choice]:
    return dict(choices)


EQUAL_SIX = register("100", "100", "100", "100", "100", "100")


class TestParticipation:
    def test_exactly_two_thirds_of_owners_and_area_is_valid(self) -> None:
        tally = tally_vote(EQUAL_SIX, ballots(o0="yes", o1="yes", o2="yes", o3="no"))
        assert tally.participation_owners.met and tally.participation_area.met
        assert tally.status == "passed"
        assert tally.participation_owners.display == "0.6667"

    def test_just_below_two_thirds_of_owners_is_invalid(self) -> None:
        tally = tally_vote(EQUAL_SIX, ballots(o0="yes", o1="yes", o2="yes"))
        assert tally.status == "invalid"
        assert not tally.participation_owners.met

    def test_area_just_below_two_thirds_is_invalid_even_with_enough_owners(self) -> None:
        # 3 owners, total 300.00 m²: o0 and o1 take part with 199.99 m² < 200.
        reg = {"o0": Decimal("99.99"), "o1": Decimal("100.00"), "o2": Decimal("100.01")}
        tally = tally_vote(reg, ballots(o0="yes", o1="yes"))
        assert tally.participation_owners.met
        assert not tally.participation_area.met
        assert tally.status == "invalid"

    def test_area_exactly_two_thirds_in_cents_is_valid(self) -> None:
        # total 300.03, two thirds = 200.02 exactly.
        reg = {"o0": Decimal("100.01"), "o1": Decimal("100.01"), "o2": Decimal("100.01")}
        tally = tally_vote(reg, ballots(o0="yes", o1="yes"))
        assert tally.participation_area.met
        assert tally.status == "passed"

    def test_owners_below_two_thirds_is_invalid_even_with_most_area(self) -> None:
        reg = register("1000", "10", "10", "10", "10", "10")
        tally = tally_vote(reg, ballots(o0="yes", o1="yes", o2="yes"))
        assert tally.participation_area.met
        assert not tally.participation_owners.met
        assert tally.status == "invalid"

    def test_abstaining_counts_as_taking_part(self) -> None:
        tally = tally_vote(EQUAL_SIX, ballots(o0="yes", o1="yes", o2="yes", o3="abstain"))
        assert tally.participating_owners == 4
        assert tally.status == "passed"

    def test_ballots_of_owners_off_the_register_are_ignored(self) -> None:
        tally = tally_vote(register("100", "100", "100"), {"o0": "yes", "x": "yes", "y": "yes"})
        assert tally.participating_owners == 1
        assert tally.status == "invalid"

    def test_nobody_voting_is_invalid(self) -> None:
        tally = tally_vote(EQUAL_SIX, {})
        assert tally.status == "invalid"
        assert tally.participation_owners.display == "0.0000"


class TestApproval:
    def test_exactly_half_of_participating_owners_fails(self) -> None:
        tally = tally_vote(EQUAL_SIX, ballots(o0="yes", o1="yes", o2="no", o3="no"))
        assert not tally.approval_owners.met
        assert tally.status == "failed"

    def test_just_above_half_passes(self) -> None:
        tally = tally_vote(EQUAL_SIX, ballots(o0="yes", o1="yes", o2="yes", o3="no", o4="no"))
        assert tally.approval_owners.met and tally.approval_area.met
        assert tally.status == "passed"

    def test_half_of_area_exactly_fails_even_with_most_owners(self) -> None:
        reg = register("50", "25", "25", "100")
        tally = tally_vote(reg, ballots(o0="yes", o1="yes", o2="yes", o3="no"))
        assert tally.approval_owners.met
        assert tally.approving_area == Decimal("100")
        assert not tally.approval_area.met
        assert tally.status == "failed"

    def test_area_just_above_half_but_owners_only_half_fails(self) -> None:
        reg = register("100.01", "100", "50", "49.99")
        tally = tally_vote(reg, ballots(o0="yes", o1="yes", o2="no", o3="no"))
        assert tally.approval_area.met
        assert not tally.approval_owners.met
        assert tally.status == "failed"

    def test_area_one_cent_above_half_with_owner_majority_passes(self) -> None:
        reg = register("100.01", "50", "50", "99.99", "0.01")
        tally = tally_vote(reg, ballots(o0="yes", o1="no", o2="no", o3="yes", o4="yes"))
        # yes: 3 of 5 owners; 200.01 of 300.01 m² participating.
        assert tally.approval_owners.met and tally.approval_area.met
        assert tally.status == "passed"

    def test_approval_is_counted_over_participants_not_all_owners(self) -> None:
        # 4 of 6 take part; 3 approve: 3/4 > 1/2 although 3/6 of all owners is not.
        tally = tally_vote(EQUAL_SIX, ballots(o0="yes", o1="yes", o2="yes", o3="abstain"))
        assert tally.approval_owners.numerator == 3
        assert tally.approval_owners.denominator == 4

    def test_abstentions_make_approval_harder(self) -> None:
        tally = tally_vote(EQUAL_SIX, ballots(o0="yes", o1="yes", o2="abstain", o3="abstain"))
        assert tally.status == "failed"


class TestOwnersOfSeveralUnits:
    def test_units_of_one_owner_fold_into_one_owner_with_all_the_area(self) -> None:
        folded = register_by_owner([("a", Decimal("60")), ("b", Decimal("40")),
                                    ("a", Decimal("30.5"))])
        assert folded == {"a": Decimal("90.5"), "b": Decimal("40")}

    def test_an_owner_of_many_units_counts_once_by_number(self) -> None:
        reg = register_by_owner([("big", Decimal("100"))] * 5 + [("s1", Decimal("10")),
                                                               ("s2", Decimal("10"))])
        tally = tally_vote(reg, {"big": "yes"})
        assert tally.eligible_owners == 3
        assert tally.participation_area.met
        assert not tally.participation_owners.met
        assert tally.status == "invalid"


class TestTrialPeriod:
    def test_twelve_months_is_allowed(self) -> None:
        assert trial_period_problem(date(2026, 1, 15), date(2027, 1, 15), 12) is None

    def test_a_day_over_twelve_months_is_refused(self) -> None:
        assert trial_period_problem(date(2026, 1, 15), date(2027, 1, 16), 12) is not None

    @pytest.mark.parametrize("end", [date(2026, 1, 15), date(2026, 1, 1)])
    def test_end_must_be_after_start(self, end: date) -> None:
        assert trial_period_problem(date(2026, 1, 15), end, 12) == "end must be after start"

    def test_add_months_clamps_to_the_last_day(self) -> None:
        assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
        assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
        assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)

    def test_transitions_from_running_and_final_states(self) -> None:
        assert can_transition("active", "converted")
        assert can_transition("extended", "extended")
        assert not can_transition("converted", "ended")
        assert not can_transition("ended", "extended")


class TestAssessmentFigures:
    @pytest.mark.parametrize("text", ["2026-13", "2026-3", "26-03", "2026-03-01", "", "2026-00"])
    def test_invalid_months_are_refused(self, text: str) -> None:
        assert parse_month(text) is None

    def test_a_month_parses_and_orders(self) -> None:
        assert parse_month("2026-03") == Month(2026, 3)
        assert Month(2025, 12) < Month(2026, 1)
        assert str(Month(2026, 3)) == "2026-03"
        assert Month(2026, 12).next_first_day == date(2027, 1, 1)

    def test_complaint_rate_is_per_hundred_households(self) -> None:
        assert complaint_rate_per_100_households(3, 200) == Decimal("1.50")
        assert complaint_rate_per_100_households(1, 3) == Decimal("33.33")
        assert complaint_rate_per_100_households(0, 50) == Decimal("0.00")

    def test_overall_score_is_the_mean(self) -> None:
        assert mean_score({"cleaning": 90, "security": 85, "repairs": 80}) == Decimal("85.00")
        assert mean_score({"a": 1, "b": 2, "c": 2}) == Decimal("1.67")

    def test_coverage_ratio(self) -> None:
        assert coverage_ratio(1, 3) == "0.3333"
        assert coverage_ratio(0, 0) is None
