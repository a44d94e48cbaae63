"""The HTTP API: who may sign, read and schedule; round outcomes and their events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.acceptance.factories import (
    COMMUNITY,
    EIGHT_PARTIES,
    ORGS,
    START,
    completed,
    open_acceptance,
    party_auth,
    sign,
    signature,
)
from tests.support import ServiceHarness


@pytest.fixture
async def opened(acceptance: ServiceHarness) -> dict[str, Any]:
    return await open_acceptance(acceptance, completed(pipeline=["gas-co"]))


ALL_PARTIES = [*EIGHT_PARTIES, "pipeline:gas-co"]


async def sign_all(harness: ServiceHarness, acceptance_id: str, *,
                   rejecting: tuple[str, ...] = ()) -> Any:
    response = None
    for party in ALL_PARTIES:
        response = await sign(harness, acceptance_id, party,
                              "reject" if party in rejecting else "approve")
        assert response.status_code == 201, response.text
    return response


class TestSigning:
    async def test_a_party_signs_for_itself_and_the_round_stays_open(
        self, acceptance: ServiceHarness, opened: dict[str, Any],
    ) -> None:
        response = await sign(acceptance, opened["id"], "contractor", comment="完工 done")
        assert response.status_code == 201
        body = response.json()
        assert (body["status"], body["version"]) == ("open", opened["version"] + 1)
        contractor = next(p for p in body["parties"] if p["party"] == "contractor")
        assert contractor["signed"] and contractor["verdict"] == "approve"
        assert contractor["signer"] == "member-contractor"
        [signed] = await acceptance.published("acceptance.signed")
        assert signed.data == {"acceptance_id": opened["id"], "project_id": opened["project_id"],
                               "community_id": COMMUNITY, "round": 1, "party": "contractor",
                               "verdict": "approve", "defect_count": 0}

    async def test_all_parties_approving_passes_the_round(
        self, acceptance: ServiceHarness, opened: dict[str, Any],
    ) -> None:
        last = await sign_all(acceptance, opened["id"])
        assert last.json()["status"] == "passed"
        assert last.json()["rounds"][0]["decided_at"] is not None
        types = [e.type for e in await acceptance.published()]
        assert types.count("acceptance.signed") == len(ALL_PARTIES)
        assert types[-2:] == ["acceptance.signed", "acceptance.passed"]

    async def test_one_rejection_fails_the_round_with_its_defects(
        self, acceptance: ServiceHarness, opened: dict[str, Any],
    ) -> None:
        last = await sign_all(acceptance, opened["id"], rejecting=("owners", "pipeline:gas-co"))
        body = last.json()
        assert body["status"] == "failed"
        assert {d["party"] for d in body["defects"]} == {"owners", "pipeline:gas-co"}
        [failed] = await acceptance.published("acceptance.failed")
        assert failed.data["rejecting_parties"] == ["owners", "pipeline:gas-co"]
        assert failed.data["defect_count"] == 2
        assert "cracked" not in str(failed.data)  # free text stays out of events

    async def test_a_second_signature_of_a_party_in_a_round_is_409(
        self, acceptance: ServiceHarness, opened: dict[str, Any],
    ) -> None:
        await sign(acceptance, opened["id"], "owners")
        again = await sign(acceptance, opened["id"], "owners", "reject")
        assert again.status_code == 409
        assert again.headers["content-type"] == "application/problem+json"

    async def test_no_signature_once_the_round_is_decided(
        self, acceptance: ServiceHarness,
    ) -> None:
        view = await open_acceptance(acceptance)
        for party in EIGHT_PARTIES[:-1]:
            await sign(acceptance, view["id"], party)
        await sign(acceptance, view["id"], "supervisor", "reject")
        late = await sign(acceptance, view["id"], "owners")
        assert late.status_code == 409
        assert late.json()["round_status"] == "failed"

    async def test_a_project_without_designer_or_supervisor_passes_without_them(
        self, acceptance: ServiceHarness,
    ) -> None:
        view = await open_acceptance(acceptance, completed(designer=None, supervisor=None))
        for party in ["builder", "district_bureau", "subdistrict", "community", "owners",
                      "contractor"]:
            response = await sign(acceptance, view["id"], party)
        assert response.json()["status"] == "passed"


class TestSigningAuthorisation:
    async def test_without_a_token_it_is_401(self, acceptance: ServiceHarness,
                                             opened: dict[str, Any]) -> None:
        response = await acceptance.client.post(f"/acceptances/{opened['id']}/signatures",
                                                json=signature("owners"))
        assert response.status_code == 401

    async def test_a_role_that_holds_no_party_is_403(self, acceptance: ServiceHarness,
                                                     opened: dict[str, Any]) -> None:
        response = await acceptance.client.post(
            f"/acceptances/{opened['id']}/signatures", json=signature("owners"),
            headers=acceptance.auth("owner"))
        assert response.status_code == 403

    @pytest.mark.parametrize(("party", "roles", "org"), [
        ("owners", ("contractor",), ORGS["contractor"]),  # someone else's party
        ("contractor", ("contractor",), "another-contractor"),  # right role, wrong org
        ("pipeline:gas-co", ("pipeline",), "power-co"),
        ("supervisor", ("admin",), ORGS["supervisor"]),  # admin never signs
        ("community", ("community",), "dongdu"),  # another community's staff
    ])
    async def test_a_token_not_holding_the_party_is_403_and_writes_nothing(
        self, acceptance: ServiceHarness, opened: dict[str, Any], party: str,
        roles: tuple[str, ...], org: str,
    ) -> None:
        response = await acceptance.client.post(
            f"/acceptances/{opened['id']}/signatures", json=signature(party),
            headers=acceptance.auth(*roles, org=org))
        assert response.status_code == 403
        assert await acceptance.published("acceptance.signed") == []

    async def test_an_unknown_acceptance_is_404(self, acceptance: ServiceHarness) -> None:
        response = await acceptance.client.post("/acceptances/nope/signatures",
                                                json=signature("owners"),
                                                headers=party_auth(acceptance, "owners"))
        assert response.status_code == 404


class TestSignatureValidation:
    @pytest.mark.parametrize(("overrides", "field"), [
        ({"verdict": "maybe"}, "verdict"),
        ({"party": ""}, "party"),
        ({"defects": [{"description": "x", "severity": "fatal"}]}, "defects.0.severity"),
        ({"defects": [{"description": "  ", "severity": "minor"}]}, "defects.0.description"),
        ({"comment": "x" * 2001}, "comment"),
        ({"signer": "someone-else"}, "signer"),
    ])
    async def test_bad_input_is_422_naming_the_field(
        self, acceptance: ServiceHarness, opened: dict[str, Any], overrides: dict[str, Any],
        field: str,
    ) -> None:
        response = await acceptance.client.post(
            f"/acceptances/{opened['id']}/signatures",
            json={**signature("owners"), **overrides}, headers=party_auth(acceptance, "owners"))
        assert response.status_code == 422
        assert field in [e["field"] for e in response.json()["errors"]]

    async def test_a_rejection_without_defects_is_422(
        self, acceptance: ServiceHarness, opened: dict[str, Any],
    ) -> None:
        response = await sign(acceptance, opened["id"], "owners", "reject", defects=[])
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "defects"
        view = await acceptance.client.get(f"/acceptances/{opened['id']}",
                                           headers=acceptance.auth("admin"))
        assert view.json()["version"] == opened["version"]

    async def test_a_party_not_required_on_this_project_is_422(
        self, acceptance: ServiceHarness, opened: dict[str, Any],
    ) -> None:
        response = await sign(acceptance, opened["id"], "pipeline:power-co")
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "party"

    async def test_a_stale_if_match_is_412(
        self, acceptance: ServiceHarness, opened: dict[str, Any],
    ) -> None:
        await sign(acceptance, opened["id"], "builder")
        response = await acceptance.client.post(
            f"/acceptances/{opened['id']}/signatures", json=signature("owners"),
            headers={**party_auth(acceptance, "owners"), "If-Match": str(opened["version"])})
        assert response.status_code == 412

    async def test_a_retried_signature_with_the_same_idempotency_key_is_replayed(
        self, acceptance: ServiceHarness, opened: dict[str, Any],
    ) -> None:
        headers = {**party_auth(acceptance, "owners"), "Idempotency-Key": "sig-1"}
        url = f"/acceptances/{opened['id']}/signatures"
        first = await acceptance.client.post(url, json=signature("owners"), headers=headers)
        retry = await acceptance.client.post(url, json=signature("owners"), headers=headers)
        assert first.status_code == retry.status_code == 201
        assert retry.headers["idempotent-replayed"] == "true"
        assert len(await acceptance.published("acceptance.signed")) == 1


class TestSchedule:
    def body(self, **overrides: Any) -> dict[str, Any]:
        return {"scheduled_at": (START + timedelta(days=3)).isoformat(),
                "place": "社区服务中心 2F", **overrides}

    async def test_the_builder_schedules_the_round(
        self, acceptance: ServiceHarness, opened: dict[str, Any],
    ) -> None:
        response = await acceptance.client.post(
            f"/acceptances/{opened['id']}/schedule", json=self.body(),
            headers=party_auth(acceptance, "builder"))
        assert response.status_code == 200
        assert response.json()["place"] == "社区服务中心 2F"
        [scheduled] = await acceptance.published("acceptance.scheduled")
        assert "place" not in scheduled.data
        assert scheduled.data["round"] == 1

    @pytest.mark.parametrize(("roles", "org"), [
        (("builder",), "another-builder"), (("admin",), None), (("contractor",), "org-build")])
    async def test_only_the_builder_of_the_project_schedules(
        self, acceptance: ServiceHarness, opened: dict[str, Any], roles: tuple[str, ...],
        org: str | None,
    ) -> None:
        response = await acceptance.client.post(
            f"/acceptances/{opened['id']}/schedule", json=self.body(),
            headers=acceptance.auth(*roles, org=org))
        assert response.status_code == 403

    @pytest.mark.parametrize(("overrides", "field"), [
        ({"scheduled_at": "2025-06-05T09:00:00"}, "scheduled_at"),  # no time zone
        ({"scheduled_at": "2025-06-05 09:30"}, "scheduled_at"),
        ({"scheduled_at": (START - timedelta(hours=1)).isoformat()}, "scheduled_at"),
        ({"place": ""}, "place"),
    ])
    async def test_a_bad_schedule_is_422(
        self, acceptance: ServiceHarness, opened: dict[str, Any], overrides: dict[str, Any],
        field: str,
    ) -> None:
        response = await acceptance.client.post(
            f"/acceptances/{opened['id']}/schedule", json=self.body(**overrides),
            headers=party_auth(acceptance, "builder"))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field

    async def test_a_time_sent_in_beijing_time_comes_back_in_utc_from_every_read(
        self, acceptance: ServiceHarness, opened: dict[str, Any],
    ) -> None:
        response = await acceptance.client.post(
            f"/acceptances/{opened['id']}/schedule",
            json=self.body(scheduled_at="2025-06-05T09:30:00+08:00"),
            headers=party_auth(acceptance, "builder"))
        shown = await acceptance.client.get(f"/acceptances/{opened['id']}",
                                            headers=acceptance.auth("admin"))
        for view in (response.json(), shown.json()):
            assert view["scheduled_at"] == view["rounds"][0]["scheduled_at"] \
                == "2025-06-05T01:30:00Z"
        [scheduled] = await acceptance.published("acceptance.scheduled")
        assert scheduled.data["scheduled_at"] == "2025-06-05T01:30:00Z"

    async def test_a_decided_round_cannot_be_scheduled(
        self, acceptance: ServiceHarness, opened: dict[str, Any],
    ) -> None:
        await sign_all(acceptance, opened["id"])
        response = await acceptance.client.post(
            f"/acceptances/{opened['id']}/schedule", json=self.body(),
            headers=party_auth(acceptance, "builder"))
        assert response.status_code == 409


class TestReading:
    async def test_reading_needs_a_token(self, acceptance: ServiceHarness,
                                         opened: dict[str, Any]) -> None:
        assert (await acceptance.client.get(f"/acceptances/{opened['id']}")).status_code == 401

    async def test_a_role_outside_the_committee_cannot_read(
        self, acceptance: ServiceHarness, opened: dict[str, Any],
    ) -> None:
        response = await acceptance.client.get(f"/acceptances/{opened['id']}",
                                               headers=acceptance.auth("owner"))
        assert response.status_code == 403

    async def test_a_unit_of_another_project_sees_neither_the_acceptance_nor_it_listed(
        self, acceptance: ServiceHarness, opened: dict[str, Any],
    ) -> None:
        stranger = acceptance.auth("contractor", org="another-contractor")
        assert (await acceptance.client.get(f"/acceptances/{opened['id']}",
                                            headers=stranger)).status_code == 404
        page = await acceptance.client.get("/acceptances", headers=stranger)
        assert page.json()["items"] == []

    async def test_a_party_unit_reads_and_lists_its_projects_acceptance(
        self, acceptance: ServiceHarness, opened: dict[str, Any],
    ) -> None:
        headers = party_auth(acceptance, "pipeline:gas-co")
        assert (await acceptance.client.get(f"/acceptances/{opened['id']}",
                                            headers=headers)).status_code == 200
        page = await acceptance.client.get("/acceptances", headers=headers)
        assert [item["id"] for item in page.json()["items"]] == [opened["id"]]

    async def test_the_list_pages_and_filters_by_project(
        self, acceptance: ServiceHarness,
    ) -> None:
        for index in range(5):
            await acceptance.deliver(completed(f"p-{index}"), subject=f"p-{index}")
            acceptance.clock.advance(timedelta(minutes=1))
        seen: list[str] = []
        cursor = None
        office = party_auth(acceptance, "subdistrict")
        while True:
            params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            page = (await acceptance.client.get("/acceptances", params=params,
                                                headers=office)).json()
            seen += [item["project_id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == [f"p-{index}" for index in range(5)]
        only = await acceptance.client.get("/acceptances", params={"project_id": "p-3"},
                                           headers=party_auth(acceptance, "district_bureau"))
        assert [item["project_id"] for item in only.json()["items"]] == ["p-3"]

    async def test_the_acceptance_is_sent_with_its_version_as_etag_for_if_match(
        self, acceptance: ServiceHarness, opened: dict[str, Any],
    ) -> None:
        url = f"/acceptances/{opened['id']}"
        shown = await acceptance.client.get(url, headers=acceptance.auth("admin"))
        assert shown.headers["etag"] == f'"{opened["version"]}"'
        signed = await acceptance.client.post(
            f"{url}/signatures", json=signature("owners"),
            headers={**party_auth(acceptance, "owners"), "If-Match": shown.headers["etag"]})
        assert signed.status_code == 201
        assert signed.headers["etag"] == f'"{opened["version"] + 1}"'
        again = await acceptance.client.get(url, headers=acceptance.auth("admin"))
        assert again.headers["etag"] == signed.headers["etag"]
        stale = await acceptance.client.post(
            f"{url}/signatures", json=signature("builder"),
            headers={**party_auth(acceptance, "builder"), "If-Match": shown.headers["etag"]})
        assert stale.status_code == 412

    async def test_an_unknown_acceptance_is_404(self, acceptance: ServiceHarness) -> None:
        response = await acceptance.client.get("/acceptances/nope",
                                               headers=acceptance.auth("admin"))
        assert response.status_code == 404


async def test_the_openapi_document_lists_every_route(acceptance: ServiceHarness) -> None:
    paths = (await acceptance.client.get("/openapi.json")).json()["paths"]
    assert {"/acceptances", "/acceptances/{acceptance_id}",
            "/acceptances/{acceptance_id}/schedule", "/acceptances/{acceptance_id}/signatures",
            "/acceptances/{acceptance_id}/verify", "/acceptances/{acceptance_id}/record",
            "/acceptances/{acceptance_id}/record.html",
            "/acceptances/{acceptance_id}/record-link"} <= set(paths)
