"""Pure rules: funding split, lifecycle transitions, start and completion gates, schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from services.projects import domain
from services.projects.domain import Budget, BudgetError, StartFacts
from shared.errors import Conflict, Invalid

D = Decimal


def split(budget: Budget, category: str = "basic", community: str = "dongdu",
          project_domain: str = "elderly_care") -> domain.Funding:
    return domain.split_fiscal_funding(budget, category=category, community_id=community,
                                       domain=project_domain)


class TestFundingSplit:
    def test_basic_fiscal_money_is_shared_city_and_district_half_and_half(self) -> None:
        funding = split(Budget(D("1000"), D("200"), D("100")))
        assert funding == domain.Funding(D("350.00"), D("350.00"), D("200.00"), D("100.00"))

    def test_an_odd_cent_goes_to_the_district_so_the_halves_add_up(self) -> None:
        funding = split(Budget(D("100.01")))
        assert (funding.city_fiscal_cny, funding.district_fiscal_cny) == (D("50.00"), D("50.01"))

    @pytest.mark.parametrize("category", ["improvement", "enhancement"])
    def test_non_basic_fiscal_money_is_booked_to_the_district(self, category: str) -> None:
        funding = split(Budget(D("1000"), D("600")), category=category)
        assert (funding.city_fiscal_cny, funding.district_fiscal_cny) == (D("0.00"), D("400.00"))

    @pytest.mark.parametrize("community", ["shentian", "shengguang", "xinxing"])
    @pytest.mark.parametrize("pipeline", ["power", "telecom", "water_supply_drainage"])
    def test_pipeline_works_in_the_three_communities_are_fully_fiscal(
            self, community: str, pipeline: str) -> None:
        funding = split(Budget(D("800")), community=community, project_domain=pipeline)
        assert funding.city_fiscal_cny + funding.district_fiscal_cny == D("800")

    @pytest.mark.parametrize("field,budget", [
        ("budget.residents_cny", Budget(D("800"), residents_cny=D("10"))),
        ("budget.social_capital_cny", Budget(D("800"), social_capital_cny=D("10"))),
    ])
    def test_pipeline_works_there_refuse_residents_or_social_money(
            self, field: str, budget: Budget) -> None:
        with pytest.raises(BudgetError) as caught:
            split(budget, community="shentian", project_domain="power")
        assert caught.value.field == field

    def test_gas_in_the_three_communities_charges_residents_only_the_opening_fee(self) -> None:
        budget = Budget(D("500"), residents_cny=D("30"), gas_account_opening_fee_cny=D("30"))
        funding = split(budget, community="xinxing", project_domain="gas")
        assert funding.residents_cny == D("30.00")
        assert funding.city_fiscal_cny + funding.district_fiscal_cny == D("470")

    def test_gas_there_refuses_a_residents_share_above_the_opening_fee(self) -> None:
        budget = Budget(D("500"), residents_cny=D("50"), gas_account_opening_fee_cny=D("30"))
        with pytest.raises(BudgetError, match="only the gas account-opening fee"):
            split(budget, community="xinxing", project_domain="gas")

    def test_pipeline_works_elsewhere_may_take_residents_and_social_money(self) -> None:
        funding = split(Budget(D("800"), D("100"), D("100")), community="dongdu",
                        project_domain="power")
        assert funding.city_fiscal_cny == D("300.00")

    def test_only_gas_projects_carry_a_gas_opening_fee(self) -> None:
        with pytest.raises(BudgetError) as caught:
            split(Budget(D("800"), gas_account_opening_fee_cny=D("1")))
        assert caught.value.field == "budget.gas_account_opening_fee_cny"

    def test_sources_may_not_exceed_the_total(self) -> None:
        with pytest.raises(BudgetError, match="exceed the total"):
            split(Budget(D("100"), D("60"), D("50")))

    def test_negative_money_is_refused(self) -> None:
        with pytest.raises(BudgetError) as caught:
            split(Budget(D("100"), D("-1")))
        assert caught.value.field == "budget.social_capital_cny"


LEGAL = {(source, target) for source, targets in domain.TRANSITIONS.items() for target in targets}
ALL = list(domain.TRANSITIONS)


class TestTransitions:
    @pytest.mark.parametrize("source,target", sorted(LEGAL))
    def test_legal_transitions_are_allowed(self, source: str, target: str) -> None:
        assert domain.can_transition(source, target)

    @pytest.mark.parametrize("source,target", sorted(
        (s, t) for s in ALL for t in ALL if (s, t) not in LEGAL))
    def test_every_other_transition_is_refused(self, source: str, target: str) -> None:
        assert not domain.can_transition(source, target)

    def test_the_lifecycle_matches_the_design(self) -> None:
        assert domain.allowed_transitions("under_construction") == ["completed", "suspended"]
        assert domain.allowed_transitions("completed") == ["accepted", "rectifying"]
        assert domain.allowed_transitions("draft") == ["approved", "cancelled"]
        assert domain.allowed_transitions("in_operation") == []

    def test_a_refused_transition_is_409_listing_the_allowed_ones(self) -> None:
        with pytest.raises(Conflict) as refused:
            domain.ensure_can("under_construction", "cancelled")
        assert refused.value.extensions["allowed"] == ["completed", "suspended"]


def facts(**overrides: object) -> StartFacts:
    values: dict[str, object] = {"status": "approved", "has_construction_plan": True,
                                 "site_board_published": True, "heritage": False,
                                 "heritage_review_approved": False}
    values.update(overrides)
    return StartFacts(**values)  # type: ignore[arg-type]


class TestStartGate:
    def test_an_approved_project_with_plan_and_board_may_start(self) -> None:
        assert domain.start_unmet(facts()) == []

    @pytest.mark.parametrize("override,unmet", [
        ({"status": "draft"}, "project_approved"),
        ({"has_construction_plan": False}, "construction_plan_submitted"),
        ({"site_board_published": False}, "site_board_published"),
        ({"heritage": True}, "heritage_review_approved"),
    ])
    def test_each_missing_condition_is_listed(self, override: dict[str, object], unmet: str
                                              ) -> None:
        assert domain.start_unmet(facts(**override)) == [unmet]

    def test_a_heritage_project_with_an_approved_review_may_start(self) -> None:
        assert domain.start_unmet(facts(heritage=True, heritage_review_approved=True)) == []

    def test_all_unmet_conditions_are_listed_together(self) -> None:
        unmet = domain.start_unmet(StartFacts("draft", False, False, True, False))
        assert len(unmet) == 4


class TestCompletionGate:
    def test_progress_100_and_all_hidden_works_passed_completes(self) -> None:
        assert domain.completion_unmet(100, ["passed", "passed"]) == []

    def test_progress_below_100_is_unmet(self) -> None:
        assert domain.completion_unmet(99, []) == ["progress_100"]

    @pytest.mark.parametrize("status", ["pending", "failed"])
    def test_a_hidden_work_not_passed_is_unmet(self, status: str) -> None:
        assert domain.completion_unmet(100, ["passed", status]) == ["hidden_works_passed"]


class TestSchedule:
    start, end = date(2022, 1, 1), date(2022, 1, 11)

    @pytest.mark.parametrize("moment,expected", [
        (datetime(2021, 12, 1, tzinfo=UTC), 0),
        (datetime(2022, 1, 1, tzinfo=UTC), 0),
        (datetime(2022, 1, 6, tzinfo=UTC), 50),
        (datetime(2022, 1, 11, tzinfo=UTC), 100),
        (datetime(2023, 1, 1, tzinfo=UTC), 100),
    ])
    def test_expected_percent_follows_a_linear_plan(self, moment: datetime, expected: int
                                                    ) -> None:
        assert domain.expected_percent(self.start, self.end, moment) == expected

    def test_behind_means_more_than_the_threshold(self) -> None:
        assert not domain.is_behind_schedule(30, 50, 20)
        assert domain.is_behind_schedule(29, 50, 20)


class TestSiteWork:
    now = datetime(2022, 3, 1, 8, 0, tzinfo=UTC)

    def test_progress_never_goes_back(self) -> None:
        domain.ensure_progress_forward(40, 40, "percent")
        with pytest.raises(Conflict) as refused:
            domain.ensure_progress_forward(40, 39, "items.2.percent")
        assert refused.value.extensions["current_percent"] == 40

    def test_a_fast_phone_clock_is_tolerated_but_a_report_from_the_future_is_not(self) -> None:
        domain.ensure_reported_in_the_past(self.now + timedelta(minutes=10), self.now, "f")
        with pytest.raises(Invalid):
            domain.ensure_reported_in_the_past(self.now + timedelta(minutes=11), self.now, "f")

    @pytest.mark.parametrize("status", ["pending", "failed"])
    def test_a_pending_or_failed_hidden_work_takes_a_verdict(self, status: str) -> None:
        assert domain.inspection_outcome(status, "pass", None) == "passed"
        assert domain.inspection_outcome(status, "fail", "gaps") == "failed"

    def test_a_pass_is_final(self) -> None:
        with pytest.raises(Conflict):
            domain.inspection_outcome("passed", "pass", None)

    def test_a_fail_must_say_what_is_wrong(self) -> None:
        with pytest.raises(Invalid):
            domain.inspection_outcome("pending", "fail", None)


class TestIssue14Rules:
    def test_every_status_is_named_with_the_right_article(self) -> None:
        assert domain.project_in("approved") == "an approved project"
        assert domain.project_in("accepted") == "an accepted project"
        assert domain.project_in("under_construction") == "a project under construction"
        assert all(not domain.project_in(s).startswith("a a") for s in domain.TRANSITIONS)

    @pytest.mark.parametrize("status", ["draft", "approved", "suspended", "completed",
                                        "accepted", "in_operation", "cancelled"])
    def test_work_on_site_needs_an_open_site(self, status: str) -> None:
        with pytest.raises(Conflict):
            domain.ensure_site_open(status, "progress reports")

    @pytest.mark.parametrize("status", ["under_construction", "rectifying"])
    def test_an_open_site_takes_work(self, status: str) -> None:
        domain.ensure_site_open(status, "new hidden works")

    def test_a_batch_item_below_an_earlier_item_reports_the_stored_percent(self) -> None:
        with pytest.raises(Conflict) as caught:
            domain.ensure_progress_forward(5, 10, "items.1.percent", batch_percent=20)
        assert caught.value.extensions["current_percent"] == 5
        assert caught.value.extensions["batch_percent"] == 20
        domain.ensure_progress_forward(5, 20, "items.1.percent", batch_percent=20)

    def test_one_key_with_another_report_is_a_conflict_naming_what_differs(self) -> None:
        at = datetime(2022, 3, 1, tzinfo=UTC)
        recorded = domain.ReportFacts(20, "slab", None, (), None, at)
        domain.ensure_same_report(recorded, recorded, "items.0.idempotency_key")
        other = domain.ReportFacts(99, "slab", None, (), (24.5, 118.1), at)
        with pytest.raises(Conflict) as caught:
            domain.ensure_same_report(recorded, other, "items.0.idempotency_key",
                                      report_id="r-1")
        assert caught.value.extensions["differing"] == ["percent", "location"]
        assert caught.value.extensions["report_id"] == "r-1"

    def test_gates_need_no_heritage_review_for_a_plain_project(self) -> None:
        gates = domain.gates(plan_status="approved", construction_plan=True, site_board=False,
                             heritage=False, heritage_review_approved=False,
                             hidden_work_unpassed=False, progress_percent=100)
        assert gates == domain.Gates(True, True, False, None, True, True)
