"""Routing by location: a report that names no place goes to the nearest published site within
the radius, else to the community whose boundary contains it, else it is refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.complaints.domain.routing import (
    CommunityArea,
    SitePoint,
    community_named_in,
    route_by_location,
)
from shared.consumer import Outcome
from shared.contracts.projects import CommunityBoundarySet
from shared.errors import Invalid
from shared.geo import DEMO_BOUNDARIES, PILOT_NAMES, LatLng, area_of, offset
from tests.complaints.conftest import board_body, known_project, report_body
from tests.support import ServiceHarness

SITE = LatLng(24.478, 118.096)  # inside shentian's demo boundary
SEA = LatLng(24.30, 118.00)  # south of Xiamen island: no community


def _centre(community: str) -> LatLng:
    centroid = area_of(DEMO_BOUNDARIES[community]).centroid
    return LatLng(centroid.y, centroid.x)


def _located(point: LatLng, **overrides: Any) -> dict[str, Any]:
    """A report that names no project, community or compound: only where it is."""
    return report_body(project_id=None, location={"lat": point.lat, "lng": point.lng},
                       **overrides)


async def _file(svc: ServiceHarness, body: dict[str, Any]) -> dict[str, Any]:
    response = await svc.client.post("/complaints", json=body)
    assert response.status_code == 201, response.text
    report = await svc.client.get(f"/complaints/{response.json()['id']}",
                                  headers=svc.auth("admin"))
    found: dict[str, Any] = report.json()
    return found


async def _site(svc: ServiceHarness, project_id: str = "p-1", where: LatLng = SITE,
                contractor: str = "acme") -> None:
    await known_project(svc, project_id=project_id, contractor=contractor)
    response = await svc.client.put(
        f"/sites/{project_id}/board", headers=svc.auth("contractor", org=contractor),
        json=board_body(location={"lat": where.lat, "lng": where.lng}))
    assert response.is_success, response.text


# Through the API

@pytest.mark.parametrize("community", sorted(DEMO_BOUNDARIES))
async def test_a_point_inside_each_seeded_boundary_goes_to_that_community(
    svc: ServiceHarness, community: str,
) -> None:
    report = await _file(svc, _located(_centre(community)))
    assert report["community_id"] == community
    assert report["project_id"] is None and report["routed_org"] is None


async def test_a_point_near_a_published_site_goes_to_its_contractor(svc: ServiceHarness) -> None:
    await _site(svc)
    report = await _file(svc, _located(offset(SITE, north_m=150, east_m=150)))
    assert (report["project_id"], report["routed_org"]) == ("p-1", "acme")
    assert report["community_id"] == "shentian"


async def test_the_nearest_of_two_sites_takes_the_report(svc: ServiceHarness) -> None:
    await _site(svc, "p-1", SITE, "acme")
    await _site(svc, "p-2", offset(SITE, east_m=400), "builders-inc")
    report = await _file(svc, _located(offset(SITE, east_m=250)))
    assert (report["project_id"], report["routed_org"]) == ("p-2", "builders-inc")


async def test_a_site_beyond_the_radius_leaves_the_report_to_the_community(
    svc: ServiceHarness,
) -> None:
    await _site(svc)
    at_radius = await _file(svc, _located(offset(SITE, north_m=299.9)))
    beyond = await _file(svc, _located(offset(SITE, north_m=300.1)))
    assert at_radius["project_id"] == "p-1"
    assert (beyond["project_id"], beyond["community_id"]) == (None, "shentian")


async def test_a_property_service_report_goes_to_the_community_not_a_nearby_site(
    svc: ServiceHarness,
) -> None:
    await _site(svc)
    report = await _file(svc, _located(SITE, category="property_service"))
    assert (report["project_id"], report["community_id"]) == (None, "shentian")


async def test_a_point_on_a_boundary_edge_belongs_to_the_community(svc: ServiceHarness) -> None:
    on_the_edge = LatLng(24.472, 118.096)  # shentian's southern edge runs along 24.472
    report = await _file(svc, _located(on_the_edge))
    assert report["community_id"] == "shentian"
    just_outside = offset(on_the_edge, north_m=-1)
    response = await svc.client.post("/complaints", json=_located(just_outside))
    assert response.status_code == 422


async def test_a_point_outside_every_community_is_refused_and_nothing_is_stored(
    svc: ServiceHarness,
) -> None:
    response = await svc.client.post("/complaints", json=_located(SEA))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "outside the service area" in response.json()["detail"]
    assert response.json()["errors"][0]["field"] == "location"
    assert (await svc.client.get("/complaints", headers=svc.auth("admin"))).json()["items"] == []
    assert await svc.published("complaint.received") == []


async def test_a_named_place_wins_over_the_location(svc: ServiceHarness) -> None:
    report = await _file(svc, report_body(project_id=None, community_id="xinxing",
                                          location={"lat": SEA.lat, "lng": SEA.lng}))
    assert report["community_id"] == "xinxing"


async def test_an_address_naming_one_community_places_the_report_there(
    svc: ServiceHarness,
) -> None:
    report = await _file(svc, report_body(project_id=None,
                                          location={"address": "湖里区东渡路 88 号"}))
    assert report["community_id"] == "dongdu"
    unplaced = await svc.client.post("/complaints", json=report_body(
        project_id=None, location={"address": "厦门市某某路 1 号"}))
    assert unplaced.status_code == 422
    assert unplaced.json()["errors"][0]["field"] == "location"


async def test_a_published_boundary_replaces_the_demo_one_and_an_older_one_changes_nothing(
    svc: ServiceHarness,
) -> None:
    moved = {"type": "Polygon", "coordinates": [[[118.30, 24.30], [118.31, 24.30],
                                                 [118.31, 24.31], [118.30, 24.31],
                                                 [118.30, 24.30]]]}
    now = svc.clock.now()
    await svc.deliver(CommunityBoundarySet(community_id="shentian", boundary=moved, set_at=now),
                      subject="shentian")
    stale = {"type": "Polygon", "coordinates": [[[118.0, 24.0], [118.01, 24.0], [118.01, 24.01],
                                                 [118.0, 24.0]]]}
    await svc.deliver(CommunityBoundarySet(community_id="shentian", boundary=stale,
                                           set_at=now - timedelta(days=1)), subject="shentian")
    gone = await svc.client.post("/complaints", json=_located(_centre("shentian")))
    assert gone.status_code == 422
    report = await _file(svc, _located(LatLng(24.305, 118.305)))
    assert report["community_id"] == "shentian"


async def test_a_new_community_is_routed_to_once_its_boundary_arrives(
    svc: ServiceHarness,
) -> None:
    square = {"type": "MultiPolygon", "coordinates": [[[[118.20, 24.50], [118.21, 24.50],
                                                        [118.21, 24.51], [118.20, 24.51],
                                                        [118.20, 24.50]]]]}
    await svc.deliver(CommunityBoundarySet(community_id="gaolin", boundary=square,
                                           set_at=svc.clock.now()), subject="gaolin")
    report = await _file(svc, _located(LatLng(24.505, 118.205)))
    assert report["community_id"] == "gaolin"


async def test_a_boundary_that_is_not_a_polygon_is_dead_lettered(svc: ServiceHarness) -> None:
    line = {"type": "LineString", "coordinates": [[118.0, 24.0], [118.1, 24.1]]}
    outcome = await svc.deliver(CommunityBoundarySet(community_id="shentian", boundary=line,
                                                     set_at=svc.clock.now()),
                                subject="shentian")
    assert outcome is Outcome.DEAD_LETTERED
    report = await _file(svc, _located(_centre("shentian")))  # the demo boundary still holds
    assert report["community_id"] == "shentian"


# The rule itself

def _communities() -> list[CommunityArea]:
    return [CommunityArea(c, area_of(b)) for c, b in DEMO_BOUNDARIES.items()]


def test_a_site_with_no_known_community_takes_the_containing_one() -> None:
    site = SitePoint(project_id="p-9", community_id=None, contractor_org="acme", point=SITE)
    routing = route_by_location(SITE, category="noise", sites=[site],
                                communities=_communities(), site_radius_m=300)
    assert (routing.project_id, routing.community_id, routing.routed_org) == \
        ("p-9", "shentian", "acme")


def test_the_radius_is_a_setting() -> None:
    site = SitePoint(project_id="p-9", community_id="shentian", contractor_org="acme",
                     point=SITE)
    near = offset(SITE, north_m=120)
    assert route_by_location(near, category="noise", sites=[site], communities=_communities(),
                             site_radius_m=100).project_id is None
    assert route_by_location(near, category="noise", sites=[site], communities=_communities(),
                             site_radius_m=150).project_id == "p-9"


def test_outside_the_service_area_names_the_location() -> None:
    with pytest.raises(Invalid) as refused:
        route_by_location(SEA, category="noise", sites=[], communities=_communities(),
                          site_radius_m=300)
    assert refused.value.extensions["errors"][0]["field"] == "location"


def test_an_address_naming_two_communities_places_it_nowhere() -> None:
    assert community_named_in("城西 or 新兴?", PILOT_NAMES) is None
    assert community_named_in("翔安区新兴街", PILOT_NAMES) == "xinxing"
