"""Places on the ground: the demo boundaries, points in areas, distances on the ellipsoid."""

from __future__ import annotations

import itertools

import pytest

from shared.geo import (
    DEMO_BOUNDARIES,
    PILOT_NAMES,
    LatLng,
    area_of,
    bounding_box,
    covers,
    distance_m,
    offset,
)
from shared.jurisdiction import PILOT_DISTRICTS


def test_the_six_pilot_communities_have_valid_demo_boundaries_that_do_not_overlap() -> None:
    assert set(DEMO_BOUNDARIES) == set(PILOT_DISTRICTS) == set(PILOT_NAMES)
    areas = {community: area_of(boundary) for community, boundary in DEMO_BOUNDARIES.items()}
    for (a, first), (b, second) in itertools.combinations(areas.items(), 2):
        assert not first.intersects(second), f"{a} and {b} overlap"


def test_the_demo_boundaries_lie_in_xiamen() -> None:
    for boundary in DEMO_BOUNDARIES.values():
        west, south, east, north = area_of(boundary).bounds
        assert 24.3 < south < north < 24.9 and 117.8 < west < east < 118.5


def test_a_point_on_the_boundary_line_is_inside() -> None:
    area = area_of(DEMO_BOUNDARIES["shentian"])
    assert covers(area, LatLng(24.472, 118.09))  # a corner
    assert covers(area, LatLng(24.472, 118.096))  # on the southern edge
    assert not covers(area, LatLng(24.4719, 118.096))


@pytest.mark.parametrize(("geojson", "problem"), [
    ({"type": "Point", "coordinates": [118.0, 24.0]}, "Polygon or MultiPolygon"),
    ({"type": "Polygon", "coordinates": [[[1, 1], [2, 2]]]}, "malformed"),
    ({"type": "Polygon", "coordinates": []}, "empty"),
    ({"type": "Polygon", "coordinates": [[[24.4, 118.0], [24.5, 118.0], [24.5, 118.1],
                                          [24.4, 118.0]]]}, "WGS84"),
    ({"type": "Polygon", "coordinates": [[[118.0, 24.0], [118.1, 24.1], [118.1, 24.0],
                                          [118.0, 24.1], [118.0, 24.0]]]}, "not a valid"),
])
def test_what_is_not_a_boundary_is_refused_saying_why(geojson: dict[str, object],
                                                      problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        area_of(geojson)


def test_distances_match_the_geodesic_on_the_wgs84_ellipsoid() -> None:
    # Along the equator the geodesic is an arc of the semi-major axis: 0.01° = 1113.1949 m.
    assert distance_m(LatLng(0, 0), LatLng(0, 0.01)) == pytest.approx(1113.19491, abs=1e-4)
    # Vincenty's inverse formula (WGS84) for two points in Siming district: 300.29860 m.
    assert distance_m(LatLng(24.48, 118.09), LatLng(24.482, 118.092)) == pytest.approx(
        300.29860, abs=1e-4)


def test_an_offset_point_is_that_far_away() -> None:
    origin = LatLng(24.478, 118.096)
    for north, east in ((249, 0), (0, 251), (-180, 180)):
        moved = offset(origin, north_m=north, east_m=east)
        assert distance_m(origin, moved) == pytest.approx((north**2 + east**2) ** 0.5, abs=1e-3)


def test_the_bounding_box_holds_every_point_within_the_radius() -> None:
    centre = LatLng(24.478, 118.096)
    south_west, north_east = bounding_box(centre, 300)
    for north, east in ((300, 0), (-300, 0), (0, 300), (0, -300), (212, 212)):
        point = offset(centre, north_m=north, east_m=east)
        assert south_west.lat < point.lat < north_east.lat
        assert south_west.lng < point.lng < north_east.lng
