"""Consumed events: project and property projections used for routing and permissions."""

from __future__ import annotations

from shared.consumer import Outcome
from shared.contracts.property import PropertyContractConverted, PropertyTrialEnded
from tests.complaints.conftest import file, known_project, project_created, trial_started
from tests.support import ServiceHarness


async def test_a_created_project_routes_its_reports_to_the_contractor(
    svc: ServiceHarness,
) -> None:
    await known_project(svc, contractor="builders-inc")
    receipt = await file(svc)
    report = await svc.client.get(f"/complaints/{receipt['id']}",
                                  headers=svc.auth("community", org="shentian"))
    assert report.json()["routed_org"] == "builders-inc"


async def test_a_redelivered_event_changes_nothing(svc: ServiceHarness) -> None:
    event = project_created()
    assert await svc.deliver(event, subject="p-1", event_id="e-1") is Outcome.APPLIED
    assert await svc.deliver(event, subject="p-1", event_id="e-1") is Outcome.DUPLICATE


async def test_an_ended_trial_stops_routing_to_the_provider(svc: ServiceHarness) -> None:
    await svc.deliver(trial_started(), subject="t-1")
    await svc.deliver(PropertyTrialEnded(trial_id="t-1", compound_id="cmp-1",
                                         community_id="dongdu", provider_id="prov-1",
                                         reason="vote failed"), subject="t-1")
    receipt = await file(svc, category="property_service", project_id=None,
                         compound_id="cmp-1")
    report = await svc.client.get(f"/complaints/{receipt['id']}",
                                  headers=svc.auth("community", org="dongdu"))
    assert report.json()["routed_org"] is None
    assert report.json()["community_id"] == "dongdu"


async def test_a_converted_contract_keeps_the_provider(svc: ServiceHarness) -> None:
    await svc.deliver(PropertyContractConverted(
        trial_id="t-1", compound_id="cmp-2", community_id="dongdu", provider_id="prov-2",
        fee_cny_per_m2="1.20", households=80), subject="t-1")
    receipt = await file(svc, category="property_service", project_id=None,
                         compound_id="cmp-2")
    report = await svc.client.get(f"/complaints/{receipt['id']}",
                                  headers=svc.auth("community", org="dongdu"))
    assert report.json()["routed_org"] == "prov-2"


async def test_a_late_trial_end_does_not_unseat_the_new_provider(svc: ServiceHarness) -> None:
    await svc.deliver(trial_started(provider="prov-new"), subject="t-2")
    await svc.deliver(PropertyTrialEnded(trial_id="t-1", compound_id="cmp-1",
                                         community_id="dongdu", provider_id="prov-old",
                                         reason="ended"), subject="t-1")
    receipt = await file(svc, category="property_service", project_id=None,
                         compound_id="cmp-1")
    report = await svc.client.get(f"/complaints/{receipt['id']}",
                                  headers=svc.auth("community", org="dongdu"))
    assert report.json()["routed_org"] == "prov-new"


