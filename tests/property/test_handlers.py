"""Consumed events: acceptance ⇒ trial candidates; complaints ⇒ the trial's complaint rate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from services.property.models import Candidate
from shared.consumer import Outcome
from shared.contracts.acceptance import AcceptancePassed
from shared.contracts.complaints import ComplaintCategory, ComplaintReceived
from tests.property.conftest import NOW, compound_body, create, office, running_trial
from tests.support import ServiceHarness


def acceptance_passed(community_id: str = "shentian", **overrides: Any) -> AcceptancePassed:
    fields: dict[str, Any] = {"acceptance_id": "acc-1", "project_id": "prj-1",
                              "community_id": community_id, "round": 1, "decided_at": NOW}
    return AcceptancePassed(**{**fields, **overrides})


def complaint(compound_id: str | None, occurred_at: datetime, *, complaint_id: str = "c-1",
              category: ComplaintCategory = "property_service") -> ComplaintReceived:
    return ComplaintReceived(complaint_id=complaint_id, kind="complaint", category=category,
                             status="received", community_id="shentian",
                             compound_id=compound_id, occurred_at=occurred_at)


async def candidates(prop: ServiceHarness, community_id: str = "shentian") -> list[Any]:
    response = await prop.client.get(f"/candidates?community_id={community_id}",
                                      headers=prop.auth("subdistrict"))
    assert response.status_code == 200
    items: list[Any] = response.json()["items"]
    return items


class TestAcceptancePassed:
    async def test_unmanaged_compounds_without_a_trial_become_candidates(
            self, prop: ServiceHarness) -> None:
        open_ = await create(prop, "/compounds", compound_body(name="open"))
        await create(prop, "/compounds", compound_body(name="managed",
                                                       has_property_management=True))
        await running_trial(prop)
        await create(prop, "/compounds", compound_body(community_id="dongdu"),
                     org=office("subdistrict", "dongdu"))
        outcome = await prop.deliver(acceptance_passed(), subject="acc-1")
        assert outcome is Outcome.APPLIED
        [only] = await candidates(prop)
        assert only["compound_id"] == open_["id"]
        assert only["triggered_by"][0]["acceptance_id"] == "acc-1"

    async def test_a_redelivered_event_records_nothing_more(self, prop: ServiceHarness) -> None:
        await create(prop, "/compounds", compound_body())
        first = await prop.deliver(acceptance_passed(), subject="acc-1", event_id="ev-1")
        again = await prop.deliver(acceptance_passed(), subject="acc-1", event_id="ev-1")
        assert (first, again) == (Outcome.APPLIED, Outcome.DUPLICATE)
        async with prop.ctx.db.transaction() as session:
            rows = (await session.scalars(select(Candidate))).all()
        assert len(rows) == 1

    async def test_each_acceptance_is_listed_as_a_trigger(self, prop: ServiceHarness) -> None:
        await create(prop, "/compounds", compound_body())
        await prop.deliver(acceptance_passed(), subject="acc-1")
        prop.clock.advance(timedelta(hours=1))
        await prop.deliver(acceptance_passed(acceptance_id="acc-2", project_id="prj-2"),
                           subject="acc-2")
        [only] = await candidates(prop)
        assert [t["acceptance_id"] for t in only["triggered_by"]] == ["acc-1", "acc-2"]

    async def test_a_compound_leaves_the_list_once_a_trial_starts(
            self, prop: ServiceHarness) -> None:
        c = await create(prop, "/compounds", compound_body())
        await prop.deliver(acceptance_passed(), subject="acc-1")
        p = await create(prop, "/providers", {"org": "p-org", "name": "P", "license_no": "L-1"})
        await create(prop, "/trials", {"compound_id": c["id"], "provider_id": p["id"],
                                       "start": "2026-03-01", "end": "2027-02-28",
                                       "scope": "cleaning", "monthly_subsidy_cny": "100",
                                       "proposed_fee_cny_per_m2": "0.5"})
        assert await candidates(prop) == []

    async def test_candidates_are_for_staff_and_dashboards(self, prop: ServiceHarness) -> None:
        response = await prop.client.get("/candidates?community_id=shentian",
                                          headers=prop.auth("owner"))
        assert response.status_code == 403
        missing = await prop.client.get("/candidates", headers=prop.auth("subdistrict"))
        assert missing.status_code == 422


class TestComplaintRate:
    async def test_property_complaints_in_the_month_set_the_rate(
            self, prop: ServiceHarness) -> None:
        trial = await running_trial(prop, households=200)
        compound_id = trial["compound_id"]
        feb = datetime(2026, 2, 10, tzinfo=UTC)
        await prop.deliver(complaint(compound_id, feb, complaint_id="c-1"), subject="c-1")
        await prop.deliver(complaint(compound_id, feb, complaint_id="c-2"), subject="c-2")
        # 2026-02-28 17:00 UTC is already 1 March in Xiamen.
        await prop.deliver(complaint(compound_id, datetime(2026, 2, 28, 17, tzinfo=UTC),
                                     complaint_id="c-3"), subject="c-3")
        await prop.deliver(complaint(compound_id, feb, complaint_id="c-4", category="noise"),
                           subject="c-4")
        await prop.deliver(complaint("other", feb, complaint_id="c-5"), subject="c-5")
        await prop.deliver(complaint(None, feb, complaint_id="c-6"), subject="c-6")
        made = await create(prop, f"/trials/{trial['id']}/assessments",
                            {"period": "2026-02", "scores": {"cleaning": 80}}, "community")
        assert made["complaint_count"] == 2
        assert made["complaint_rate_per_100_households"] == "1.00"
        march = await create(prop, f"/trials/{trial['id']}/assessments",
                             {"period": "2026-03", "scores": {"cleaning": 80}}, "community")
        assert march["complaint_count"] == 1
        [event, _] = await prop.published("property.assessment_recorded")
        assert event.data["complaint_rate_per_100_households"] == "1.00"

    async def test_the_same_complaint_counts_once(self, prop: ServiceHarness) -> None:
        trial = await running_trial(prop, households=100)
        feb = datetime(2026, 2, 10, tzinfo=UTC)
        for event_id in ("e-1", "e-2"):
            await prop.deliver(complaint(trial["compound_id"], feb), subject="c-1",
                               event_id=event_id)
        made = await create(prop, f"/trials/{trial['id']}/assessments",
                            {"period": "2026-02", "scores": {"cleaning": 80}}, "owners")
        assert made["complaint_count"] == 1
