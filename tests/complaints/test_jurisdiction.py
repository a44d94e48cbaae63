"""Offices act only in their own area: a `district_bureau`, `subdistrict` or `community`
token reads and handles the reports of the communities whose jurisdiction names its org;
elsewhere a report answers 404, as one that does not exist. Property-service reports go to
the organisation of the compound's provider."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shared.consumer import Outcome
from shared.contracts.projects import CommunityJurisdictionSet
from shared.contracts.property import PropertyTrialEnded, PropertyTrialStarted
from tests.complaints.conftest import START, board_body, file, known_project
from tests.complaints.privacy import office
from tests.support import ServiceHarness

OFFICES = ("district_bureau", "subdistrict", "community")


async def _report_in(svc: ServiceHarness, community: str) -> str:
    project = f"p-{community}"
    await known_project(svc, project_id=project, community_id=community)
    return str((await file(svc, project_id=project))["id"])


@pytest.mark.parametrize("role", OFFICES)
async def test_an_office_reads_and_handles_the_reports_of_its_area(
    svc: ServiceHarness, role: str,
) -> None:
    report = await _report_in(svc, "shentian")
    mine = office(svc, role, "shentian")
    assert (await svc.client.get(f"/complaints/{report}", headers=mine)).status_code == 200
    acknowledged = await svc.client.post(f"/complaints/{report}/acknowledge", headers=mine)
    assert acknowledged.status_code == 200, acknowledged.text


@pytest.mark.parametrize("role", OFFICES)
async def test_an_office_of_another_area_finds_no_such_report(
    svc: ServiceHarness, role: str,
) -> None:
    report = await _report_in(svc, "chengxi")  # Tong'an
    elsewhere = office(svc, role, "xinxing")  # Xiang'an
    missing = await svc.client.get("/complaints/no-such-id", headers=elsewhere)
    answers = [
        await svc.client.get(f"/complaints/{report}", headers=elsewhere),
        await svc.client.post(f"/complaints/{report}/acknowledge", headers=elsewhere),
        await svc.client.post(f"/complaints/{report}/assign", json={}, headers=elsewhere),
        await svc.client.post(f"/complaints/{report}/close", headers=elsewhere),
    ]
    for answer in answers:
        assert answer.status_code == 404
        assert answer.json()["detail"] == missing.json()["detail"]
    listed = await svc.client.get("/complaints", headers=elsewhere)
    assert listed.json()["items"] == []


async def test_an_office_token_without_an_org_acts_nowhere(svc: ServiceHarness) -> None:
    report = await _report_in(svc, "shentian")
    orgless = svc.auth("subdistrict")
    assert (await svc.client.get(f"/complaints/{report}", headers=orgless)).status_code == 404
    assert (await svc.client.get("/complaints", headers=orgless)).json()["items"] == []


async def test_listings_show_each_office_its_own_area(svc: ServiceHarness) -> None:
    shentian = await _report_in(svc, "shentian")  # Siming
    dongdu = await _report_in(svc, "dongdu")  # Huli

    async def listed(headers: dict[str, str]) -> list[str]:
        page = await svc.client.get("/complaints", headers=headers)
        assert page.status_code == 200, page.text
        return sorted(item["id"] for item in page.json()["items"])

    assert await listed(office(svc, "subdistrict", "shentian")) == [shentian]
    assert await listed(office(svc, "district_bureau", "dongdu")) == [dongdu]
    assert await listed(office(svc, "community", "dongdu")) == [dongdu]
    assert await listed(svc.auth("admin")) == sorted([shentian, dongdu])
    filtered = await svc.client.get("/complaints", params={"community_id": "dongdu"},
                                    headers=office(svc, "subdistrict", "shentian"))
    assert filtered.json()["items"] == []


def _jurisdiction_set(subdistrict_org: str, at_offset: timedelta = timedelta()
                      ) -> CommunityJurisdictionSet:
    return CommunityJurisdictionSet(
        community_id="shentian", district="siming", district_bureau_org="siming-bureau",
        subdistrict_org=subdistrict_org, community_org="shentian", set_at=START + at_offset)


async def test_a_jurisdiction_change_takes_effect_when_its_event_arrives(
    svc: ServiceHarness,
) -> None:
    report = await _report_in(svc, "shentian")
    path = f"/complaints/{report}"
    seeded, renamed = office(svc), svc.auth("subdistrict", org="xm-siming-binlang-street")
    assert (await svc.client.get(path, headers=seeded)).status_code == 200
    assert (await svc.client.get(path, headers=renamed)).status_code == 404
    event = _jurisdiction_set("xm-siming-binlang-street", timedelta(hours=1))
    assert await svc.deliver(event, subject="shentian", event_id="j-1") is Outcome.APPLIED
    assert await svc.deliver(event, subject="shentian", event_id="j-1") is Outcome.DUPLICATE
    assert (await svc.client.get(path, headers=seeded)).status_code == 404
    assert (await svc.client.get(path, headers=renamed)).status_code == 200
    assert [i["id"] for i in (await svc.client.get("/complaints", headers=renamed)
                              ).json()["items"]] == [report]


async def test_an_older_jurisdiction_arriving_late_changes_nothing(svc: ServiceHarness
                                                                    ) -> None:
    report = await _report_in(svc, "shentian")
    await svc.deliver(_jurisdiction_set("newer-street", timedelta(hours=2)), subject="shentian")
    await svc.deliver(_jurisdiction_set("older-street", timedelta(hours=1)), subject="shentian")
    newer = svc.auth("subdistrict", org="newer-street")
    older = svc.auth("subdistrict", org="older-street")
    assert (await svc.client.get(f"/complaints/{report}", headers=newer)).status_code == 200
    assert (await svc.client.get(f"/complaints/{report}", headers=older)).status_code == 404


class TestPropertyReportsGoToTheProvidersOrg:
    @staticmethod
    def _started(**overrides: str | None) -> PropertyTrialStarted:
        values: dict[str, object] = {
            "trial_id": "t-1", "compound_id": "cmp-1", "community_id": "dongdu",
            "provider_id": "7f3c2a", "provider_org": "xm-anju-property", "start": date(2026, 3, 1),
            "end": date(2026, 8, 31), "households": 120, **overrides}
        return PropertyTrialStarted.model_validate(values)

    async def _property_report(self, svc: ServiceHarness) -> str:
        receipt = await file(svc, category="property_service", project_id=None,
                             compound_id="cmp-1")
        return str(receipt["id"])

    async def test_the_providers_org_sees_and_resolves_them(self, svc: ServiceHarness) -> None:
        await svc.deliver(self._started(), subject="t-1")
        report = await self._property_report(svc)
        provider = svc.auth("property_provider", org="xm-anju-property")
        shown = await svc.client.get(f"/complaints/{report}", headers=provider)
        assert shown.status_code == 200 and shown.json()["routed_org"] == "xm-anju-property"
        by_row_id = svc.auth("property_provider", org="7f3c2a")
        assert (await svc.client.get(f"/complaints/{report}", headers=by_row_id)
                ).status_code == 404
        huli = office(svc, "subdistrict", "dongdu")
        for step, body in (("acknowledge", None), ("assign", {})):
            response = await svc.client.post(f"/complaints/{report}/{step}", json=body,
                                             headers=huli)
            assert response.status_code == 200, response.text
        resolved = await svc.client.post(f"/complaints/{report}/resolve",
                                         json={"resolution": "bins emptied"}, headers=provider)
        assert resolved.status_code == 200, resolved.text

    async def test_the_end_of_the_providers_trial_stops_the_routing(self, svc: ServiceHarness
                                                                     ) -> None:
        await svc.deliver(self._started(), subject="t-1")
        await svc.deliver(PropertyTrialEnded(
            trial_id="t-1", compound_id="cmp-1", community_id="dongdu", provider_id="7f3c2a",
            provider_org="xm-anju-property", reason="vote failed"), subject="t-1")
        report = await self._property_report(svc)
        shown = await svc.client.get(f"/complaints/{report}", headers=svc.auth("admin"))
        assert shown.json()["routed_org"] is None

    async def test_a_fact_from_before_providers_had_an_org_routes_by_provider_id(
        self, svc: ServiceHarness,
    ) -> None:
        await svc.deliver(self._started(provider_org=None), subject="t-1")
        report = await self._property_report(svc)
        shown = await svc.client.get(f"/complaints/{report}", headers=svc.auth("admin"))
        assert shown.json()["routed_org"] == "7f3c2a"


async def test_a_subdistrict_office_publishes_site_boards_in_its_own_area_only(
    svc: ServiceHarness,
) -> None:
    await known_project(svc, project_id="p-tongan", community_id="chengxi")
    board = board_body()
    foreign = await svc.client.put("/sites/p-tongan/board", json=board,
                                   headers=office(svc, "subdistrict", "xinxing"))
    assert foreign.status_code == 403
    own = await svc.client.put("/sites/p-tongan/board", json=board,
                               headers=office(svc, "subdistrict", "chengxi"))
    assert own.status_code == 201, own.text
    unknown = await svc.client.put("/sites/p-unknown/board", json=board,
                                   headers=office(svc, "subdistrict", "chengxi"))
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "community_id"
    elsewhere = await svc.client.put("/sites/p-unknown/board",
                                     json=board_body(community_id="xinxing"),
                                     headers=office(svc, "subdistrict", "chengxi"))
    assert elsewhere.status_code == 403
