"""Communities through the HTTP API: seeded jurisdiction and boundary, and the admin's PUTs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from services.projects.app import DEFINITION
from services.projects.config import ProjectsSettings
from shared.clock import FrozenClock
from shared.geo import DEMO_BOUNDARIES
from tests.projects.factories import START
from tests.support import ServiceHarness, running_service

PILOT = {"shentian": "siming", "dongdu": "huli", "shengguang": "jimei",
         "future-coast": "haicang", "chengxi": "tongan", "xinxing": "xiangan"}
NEW_OFFICES = {"district_bureau_org": "xm-siming-jsj", "subdistrict_org": "xm-jialian-jd",
               "community_org": "xm-shentian-sq"}
SQUARE = {"type": "Polygon", "coordinates": [[[118.09, 24.47], [118.1, 24.47], [118.1, 24.48],
                                              [118.09, 24.48], [118.09, 24.47]]]}


def admin(h: ServiceHarness, **headers: str) -> dict[str, str]:
    return {**h.auth("admin"), **headers}


async def put(h: ServiceHarness, path: str, body: Any, headers: dict[str, str]) -> Any:
    return await h.client.put(path, json=body, headers=headers)


class TestSeededCommunities:
    async def test_every_pilot_community_shows_its_documented_default_offices(
            self, svc: ServiceHarness) -> None:
        items = (await svc.client.get("/communities")).json()["items"]
        assert {c["id"]: (c["district_code"], c["jurisdiction"]) for c in items} == {
            community: (district, {"district_bureau_org": f"{district}-bureau",
                                   "subdistrict_org": f"{community}-street",
                                   "community_org": community})
            for community, district in PILOT.items()}

    async def test_one_community_shows_its_jurisdiction_boundary_and_version(
            self, svc: ServiceHarness) -> None:
        body = (await svc.client.get("/communities/xinxing")).json()
        assert body["jurisdiction"] == {"district_bureau_org": "xiangan-bureau",
                                        "subdistrict_org": "xinxing-street",
                                        "community_org": "xinxing"}
        assert body["boundary"] == DEMO_BOUNDARIES["xinxing"]
        assert (body["version"], body["jurisdiction_set_at"]) == (1, START.isoformat()
                                                                  .replace("+00:00", "Z"))

    async def test_seeding_publishes_each_communitys_jurisdiction_and_boundary_once(
            self, svc: ServiceHarness) -> None:
        jurisdictions = await svc.published("community.jurisdiction_set")
        boundaries = await svc.published("community.boundary_set")
        assert sorted(e.subject for e in jurisdictions) == sorted(PILOT)
        assert sorted(e.subject for e in boundaries) == sorted(PILOT)
        shentian = next(e for e in jurisdictions if e.subject == "shentian")
        assert shentian.data == {"community_id": "shentian", "district": "siming",
                                 "district_bureau_org": "siming-bureau",
                                 "subdistrict_org": "shentian-street",
                                 "community_org": "shentian", "set_at": shentian.data["set_at"]}

    async def test_a_restart_publishes_nothing_again_and_keeps_what_the_admin_set(
            self, tmp_path: Path) -> None:
        settings = ProjectsSettings(attachments_root=tmp_path / "attachments")
        async with running_service(DEFINITION, tmp_path, settings=settings,
                                   clock=FrozenClock(START)) as first:
            changed = await put(first, "/communities/shentian/jurisdiction", NEW_OFFICES,
                                admin(first))
            assert changed.status_code == 200, changed.text
            await first.published()
        async with running_service(DEFINITION, tmp_path, settings=settings,
                                   clock=FrozenClock(START)) as again:
            events = await again.published("community.jurisdiction_set",
                                           "community.boundary_set")
            shown = (await again.client.get("/communities/shentian")).json()
        assert len(events) == 2 * len(PILOT) + 1  # the seed's twelve and the admin's one
        assert shown["jurisdiction"] == NEW_OFFICES


class TestSetJurisdiction:
    async def test_the_admin_replaces_the_offices_and_every_service_is_told(
            self, svc: ServiceHarness) -> None:
        response = await put(svc, "/communities/shentian/jurisdiction", NEW_OFFICES,
                             admin(svc, **{"If-Match": '"1"'}))
        assert response.status_code == 200, response.text
        assert (response.json()["jurisdiction"], response.json()["version"]) == (NEW_OFFICES, 2)
        assert (await svc.client.get("/communities/shentian")).json()["jurisdiction"] == (
            NEW_OFFICES)
        *_, event = await svc.published("community.jurisdiction_set")
        assert (event.subject, event.data["district"]) == ("shentian", "siming")
        assert {k: event.data[k] for k in NEW_OFFICES} == NEW_OFFICES

    @pytest.mark.parametrize("role", ["district_bureau", "subdistrict", "community", "builder",
                                      "dashboard"])
    async def test_only_the_admin_sets_a_jurisdiction(self, svc: ServiceHarness,
                                                      role: str) -> None:
        response = await put(svc, "/communities/shentian/jurisdiction", NEW_OFFICES,
                             svc.auth(role, org="shentian"))
        assert response.status_code == 403
        assert (await svc.client.put("/communities/shentian/jurisdiction",
                                     json=NEW_OFFICES)).status_code == 401

    async def test_a_stale_version_is_412_and_changes_nothing(self, svc: ServiceHarness
                                                             ) -> None:
        response = await put(svc, "/communities/shentian/jurisdiction", NEW_OFFICES,
                             admin(svc, **{"If-Match": '"7"'}))
        assert response.status_code == 412
        shown = (await svc.client.get("/communities/shentian")).json()
        assert shown["jurisdiction"]["district_bureau_org"] == "siming-bureau"

    @pytest.mark.parametrize(("field", "value"), [
        ("district_bureau_org", ""), ("subdistrict_org", "街道办"),
        ("community_org", "has spaces"), ("district_bureau_org", "x" * 65),
        ("subdistrict_org", None), ("community_org", 42)])
    async def test_a_bad_org_id_is_422_naming_it(self, svc: ServiceHarness, field: str,
                                                 value: Any) -> None:
        response = await put(svc, "/communities/shentian/jurisdiction",
                             {**NEW_OFFICES, field: value}, admin(svc))
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == [field]

    async def test_a_missing_office_or_an_unknown_field_is_422(self, svc: ServiceHarness
                                                               ) -> None:
        missing = {k: v for k, v in NEW_OFFICES.items() if k != "community_org"}
        extra = {**NEW_OFFICES, "district": "haicang"}
        for body in (missing, extra):
            response = await put(svc, "/communities/shentian/jurisdiction", body, admin(svc))
            assert response.status_code == 422, body

    async def test_an_unknown_community_is_404(self, svc: ServiceHarness) -> None:
        response = await put(svc, "/communities/atlantis/jurisdiction", NEW_OFFICES,
                             admin(svc))
        assert response.status_code == 404


class TestSetBoundary:
    async def test_the_admin_replaces_the_boundary_and_complaints_is_told(
            self, svc: ServiceHarness) -> None:
        response = await put(svc, "/communities/dongdu/boundary", SQUARE,
                             admin(svc, **{"If-Match": "1"}))
        assert response.status_code == 200, response.text
        assert (response.json()["boundary"], response.json()["version"]) == (SQUARE, 2)
        assert (await svc.client.get("/communities/dongdu")).json()["boundary"] == SQUARE
        *_, event = await svc.published("community.boundary_set")
        assert (event.subject, event.data["boundary"]) == ("dongdu", SQUARE)

    async def test_a_multipolygon_or_a_feature_of_one_is_taken(self, svc: ServiceHarness
                                                               ) -> None:
        east = [[[x + 0.02, y] for x, y in SQUARE["coordinates"][0]]]
        multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"], east]}
        feature = {"type": "Feature", "properties": {"name": "东渡"}, "geometry": multi}
        response = await put(svc, "/communities/dongdu/boundary", feature, admin(svc))
        assert response.status_code == 200, response.text
        assert response.json()["boundary"] == multi

    async def test_positions_keep_longitude_and_latitude_only(self, svc: ServiceHarness
                                                              ) -> None:
        with_altitude = {"type": "Polygon", "coordinates": [
            [[*p, 12.5] for p in SQUARE["coordinates"][0]]]}
        response = await put(svc, "/communities/dongdu/boundary", with_altitude, admin(svc))
        assert response.json()["boundary"] == SQUARE

    @pytest.mark.parametrize("boundary", [
        {"type": "Point", "coordinates": [118.09, 24.47]},
        {"type": "Polygon", "coordinates": [SQUARE["coordinates"][0][:-1]]},  # not closed
        {"type": "Polygon", "coordinates": [[[24.47, 118.09], [24.47, 118.1], [24.48, 118.1],
                                             [24.47, 118.09]]]},  # [lat, lng]
        {"type": "Polygon", "coordinates": [[[190, 24.47], [191, 24.47], [191, 24.48],
                                             [190, 24.47]]]},
        {"type": "Polygon", "coordinates": [[[118.09, 24.47], [118.1, 24.48], [118.1, 24.47],
                                             [118.09, 24.48], [118.09, 24.47]]]},  # a bow tie
        {"type": "Polygon", "coordinates": [[[118.09, 24.47], [118.1, 24.47],
                                             [118.09, 24.47]]]},  # too few positions
        {"type": "Polygon", "coordinates": [[["118.09", "24.47"], ["118.1", "24.47"],
                                             ["118.1", "24.48"], ["118.09", "24.47"]]]},
        {"type": "Polygon", "coordinates": []},
        {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"],
                                                 SQUARE["coordinates"]]},  # overlapping
        {"type": "Polygon"},
        ["not", "geojson"],
        "POLYGON((118.09 24.47, 118.1 24.47, 118.1 24.48, 118.09 24.47))",
    ])
    async def test_anything_but_a_valid_wgs84_area_is_422_naming_boundary(
            self, svc: ServiceHarness, boundary: Any) -> None:
        response = await put(svc, "/communities/dongdu/boundary", boundary, admin(svc))
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == ["boundary"]
        shown = (await svc.client.get("/communities/dongdu")).json()
        assert shown["boundary"] == DEMO_BOUNDARIES["dongdu"]

    async def test_only_the_admin_sets_a_boundary(self, svc: ServiceHarness) -> None:
        for role in ("district_bureau", "subdistrict", "community", "dashboard"):
            response = await put(svc, "/communities/dongdu/boundary", SQUARE,
                                 svc.auth(role, org="dongdu"))
            assert response.status_code == 403, role

    async def test_a_stale_version_is_412(self, svc: ServiceHarness) -> None:
        await put(svc, "/communities/dongdu/jurisdiction", NEW_OFFICES, admin(svc))
        response = await put(svc, "/communities/dongdu/boundary", SQUARE,
                             admin(svc, **{"If-Match": '"1"'}))
        assert response.status_code == 412
        assert response.json()["current_version"] == 2

    async def test_an_unknown_community_is_404(self, svc: ServiceHarness) -> None:
        response = await put(svc, "/communities/atlantis/boundary", SQUARE, admin(svc))
        assert response.status_code == 404


async def test_community_events_carry_org_ids_and_geometry_only(svc: ServiceHarness) -> None:
    await put(svc, "/communities/chengxi/jurisdiction", NEW_OFFICES,
              {"Authorization": svc.auth("admin", sub="Zhang Wei")["Authorization"]})
    await put(svc, "/communities/chengxi/boundary", SQUARE,
              {"Authorization": svc.auth("admin", sub="Zhang Wei")["Authorization"]})
    events = await svc.published("community.jurisdiction_set", "community.boundary_set")
    for event in events:
        raw = event.to_bytes().decode()
        assert "Zhang Wei" not in raw and "城西" not in raw and "同安区" not in raw
        assert set(event.data) <= {"community_id", "district", "district_bureau_org",
                                   "subdistrict_org", "community_org", "boundary", "set_at"}
    assert json.dumps(events[-1].data["boundary"]) == json.dumps(SQUARE)
