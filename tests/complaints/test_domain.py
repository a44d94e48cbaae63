"""Pure rules: phone numbers, masking, the workflow, SLA deadlines and escalation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.complaints.domain import workflow
from services.complaints.domain.contacts import (
    mask_email,
    mask_name,
    mask_phone,
    normalise_hotline,
    normalise_phone,
)
from shared.errors import Conflict
from shared.workdays import CITY_TZ, WorkingCalendar
from tests.complaints.conftest import full_width

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("raw", "canonical"), [
    ("13812345678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("8619912345678", "19912345678"),
    ("0592-1234567", "0592-1234567"),
    ("05921234567", "0592-1234567"),
    ("010-12345678", "010-12345678"),
    ("02112345678", "021-12345678"),
    ("\uff080592\uff091234567", "0592-1234567"),  # full-width brackets
    ("0592-1234567-808", "0592-1234567-808"),
    ("0592-1234567转808", "0592-1234567-808"),
])
def test_mainland_numbers_are_accepted_in_canonical_form(raw: str, canonical: str) -> None:
    assert normalise_phone(raw) == canonical


@pytest.mark.parametrize(("raw", "canonical"), [
    ("+86 138-1234-5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("0086 138 1234 5678", "13812345678"),
    (full_width("13812345678"), "13812345678"),
    (full_width("+86 138-1234-5678"), "13812345678"),
    ("0592 555 1234", "0592-5551234"),
    ("+86 592 555 1234", "0592-5551234"),
    ("+86 (0)592 5551234", "0592-5551234"),
    (full_width("0592-5551234"), "0592-5551234"),
    ("0592-5551234 ext. 12", "0592-5551234-12"),
    ("0592-5551234#12", "0592-5551234-12"),
])
def test_numbers_are_accepted_as_people_write_them(raw: str, canonical: str) -> None:
    assert normalise_phone(raw) == canonical


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "138123456789", "0592-123",
                                 "592-1234567", "12345", "hello", "", "400-123-4567",
                                 "13812345678-12", "+852 2123 4567", "13812345678 call me",
                                 "10012345678", "0592-12345678"])
def test_other_strings_are_not_personal_numbers(raw: str) -> None:
    with pytest.raises(ValueError):
        normalise_phone(raw)


@pytest.mark.parametrize(("raw", "canonical"), [
    ("12345", "12345"), ("95598", "95598"), ("4001234567", "400-123-4567"),
    ("800-123-4567", "800-123-4567"), ("0592-5551234", "0592-5551234"),
    ("13812345678", "13812345678"), (full_width("12345"), "12345"),
    (full_width("400-123-4567"), "400-123-4567"), ("+86 400 123 4567", "400-123-4567"),
])
def test_a_hotline_may_also_be_a_service_or_enterprise_number(raw: str, canonical: str) -> None:
    assert normalise_hotline(raw) == canonical


def test_a_hotline_still_refuses_garbage() -> None:
    with pytest.raises(ValueError):
        normalise_hotline("123")


@pytest.mark.parametrize(("phone", "masked"), [
    ("13812345678", "138****5678"),
    ("0592-1234567", "0592-***4567"),
    ("010-12345678", "010-****5678"),
    ("0592-1234567-808", "0592-***4567"),
])
def test_phones_are_masked_to_prefix_and_last_four(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_names_and_emails_keep_one_character() -> None:
    assert mask_name("陈小明") == "陈*"
    assert mask_name("Alice") == "A*"
    assert mask_email("resident@example.com") == "r***@example.com"


@pytest.mark.parametrize(("status", "action", "after"), [
    ("received", "acknowledge", "acknowledged"),
    ("acknowledged", "assign", "assigned"),
    ("assigned", "assign", "assigned"),
    ("assigned", "resolve", "resolved"),
    ("resolved", "confirm", "closed"),
    ("resolved", "close", "closed"),
    ("resolved", "reopen", "reopened"),
    ("reopened", "resolve", "resolved"),
    ("reopened", "assign", "assigned"),
])
def test_legal_steps_move_the_report_on(status: str, action: workflow.Action, after: str) -> None:
    assert workflow.next_status(status, action) == after


@pytest.mark.parametrize(("status", "action"), [
    ("received", "assign"), ("received", "resolve"), ("acknowledged", "resolve"),
    ("assigned", "confirm"), ("assigned", "reopen"), ("closed", "reopen"),
    ("closed", "acknowledge"), ("resolved", "resolve"), ("received", "confirm"),
])
def test_illegal_steps_conflict_and_name_the_allowed_ones(status: str,
                                                          action: workflow.Action) -> None:
    with pytest.raises(Conflict) as raised:
        workflow.next_status(status, action)
    assert raised.value.extensions["allowed"] == workflow.allowed_actions(status)


def test_a_closed_report_allows_nothing() -> None:
    assert workflow.allowed_actions("closed") == []


def test_an_hours_clock_ends_its_hours_after_it_starts_and_the_district_a_period_later(
) -> None:
    clock = workflow.start_sla_clock(WorkingCalendar(), T0, "4h")
    assert clock == workflow.SlaClock(due_at=T0 + timedelta(hours=4),
                                      district_due_at=T0 + timedelta(hours=8), estimated=False)


def test_a_working_day_clock_gives_the_district_twice_the_working_days() -> None:
    # Mon 2 Mar 2026 17:00 Beijing: 3 working days end with Thu 5 Mar, 6 with Tue 10 Mar.
    clock = workflow.start_sla_clock(WorkingCalendar(), T0, "3wd")
    assert clock.due_at == datetime(2026, 3, 6, tzinfo=CITY_TZ)
    assert clock.district_due_at == datetime(2026, 3, 11, tzinfo=CITY_TZ)
    assert not clock.estimated


@pytest.mark.parametrize(("sla", "text"), [("4h", "4 hours"), ("1h", "1 hour"),
                                           ("1wd", "1 working day"), ("3wd", "3 working days")])
def test_periods_read_as_residents_say_them(sla: str, text: str) -> None:
    assert workflow.describe_sla(sla) == text


def test_an_open_report_may_be_merged_as_a_duplicate_and_then_allows_nothing() -> None:
    assert workflow.next_status("assigned", "merge") == "duplicate"
    assert "merge" in workflow.allowed_actions("received")
    assert workflow.allowed_actions("duplicate") == []
    with pytest.raises(Conflict):
        workflow.next_status("closed", "merge")


def _due(now: datetime, level: str | None = None, status: str = "assigned"
         ) -> list[workflow.EscalationLevel]:
    return workflow.due_escalations(status=status, level=level, due_at=T0 + timedelta(hours=4),
                                    district_due_at=T0 + timedelta(hours=8), now=now)


def test_nothing_escalates_before_the_deadline() -> None:
    assert _due(T0 + timedelta(hours=3, minutes=59)) == []


def test_at_the_deadline_the_subdistrict_is_whistled_in() -> None:
    assert _due(T0 + timedelta(hours=4)) == ["subdistrict"]


def test_a_full_period_later_the_district_department_reports() -> None:
    assert _due(T0 + timedelta(hours=8), level="subdistrict") == ["district_department"]
    assert _due(T0 + timedelta(hours=7), level="subdistrict") == []


def test_a_missed_scan_catches_up_both_levels_in_order() -> None:
    assert _due(T0 + timedelta(hours=9)) == ["subdistrict", "district_department"]


def test_each_level_happens_once() -> None:
    assert _due(T0 + timedelta(days=9), level="district_department") == []


@pytest.mark.parametrize("status", ["resolved", "closed", "duplicate"])
def test_resolved_closed_or_merged_reports_never_escalate(status: str) -> None:
    assert _due(T0 + timedelta(days=9), status=status) == []


def test_next_escalation_follows_the_level() -> None:
    due, district = T0 + timedelta(hours=4), T0 + timedelta(hours=8)
    assert workflow.next_escalation_at(None, due, district) == due
    assert workflow.next_escalation_at("subdistrict", due, district) == district
    assert workflow.next_escalation_at("district_department", due, district) is None


def test_tracking_codes_are_short_and_unambiguous() -> None:
    codes = {workflow.new_tracking_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert code.startswith("CC-") and len(code) == 9
        assert not set(code[3:]) & set("01OIL")
