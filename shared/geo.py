"""Places on the ground: community boundaries, points in them, and distances between points.

Boundaries are GeoJSON (RFC 7946) Polygons or MultiPolygons in WGS84, `[lng, lat]` order;
shapely does the geometry. Routing asks two questions of them:

- `covers(area, point)`: is the point inside the area? A point exactly on the boundary line
  counts as inside (a report on the street that forms the border is still served);
- `distance_m(a, b)`: metres between two points on the WGS84 ellipsoid.

`DEMO_BOUNDARIES` are **approximate demo data**, drawn by hand as simple octagons around the
six pilot communities' real neighbourhoods in Xiamen. They are not survey data: they stand in
until the city's GIS office sets the real ones (`PUT /communities/{id}/boundary` on projects).
The projects service seeds them, and complaints routes by them until an event replaces one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shapely import is_valid_reason
from shapely.geometry import Point, shape

__all__ = [
    "DEMO_BOUNDARIES",
    "PILOT_NAMES",
    "Area",
    "LatLng",
    "area_of",
    "bounding_box",
    "covers",
    "distance_m",
    "offset",
]

# WGS84 ellipsoid.
_A = 6_378_137.0
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)

Area = Any  # a shapely Polygon or MultiPolygon (shapely ships no type hints)


@dataclass(frozen=True)
class LatLng:
    lat: float
    lng: float


def _polygon(ring: list[list[float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [ring]}


# Approximate demo boundaries (see the module docstring), each about 1.2 x 1.5 km.
DEMO_BOUNDARIES: dict[str, dict[str, Any]] = {
    # 思明区 深田社区
    "shentian": _polygon([[118.09, 24.472], [118.102, 24.472], [118.104, 24.474],
                          [118.104, 24.482], [118.102, 24.484], [118.09, 24.484],
                          [118.088, 24.482], [118.088, 24.474], [118.09, 24.472]]),
    # 湖里区 东渡社区
    "dongdu": _polygon([[118.073, 24.491], [118.083, 24.491], [118.085, 24.493],
                        [118.085, 24.501], [118.083, 24.503], [118.073, 24.503],
                        [118.071, 24.501], [118.071, 24.493], [118.073, 24.491]]),
    # 集美区 盛光社区
    "shengguang": _polygon([[118.098, 24.591], [118.108, 24.591], [118.11, 24.593],
                            [118.11, 24.601], [118.108, 24.603], [118.098, 24.603],
                            [118.096, 24.601], [118.096, 24.593], [118.098, 24.591]]),
    # 海沧区 未来海岸社区
    "future-coast": _polygon([[118.039, 24.463], [118.051, 24.463], [118.053, 24.465],
                              [118.053, 24.475], [118.051, 24.477], [118.039, 24.477],
                              [118.037, 24.475], [118.037, 24.465], [118.039, 24.463]]),
    # 同安区 城西社区
    "chengxi": _polygon([[118.135, 24.731], [118.145, 24.731], [118.147, 24.733],
                         [118.147, 24.741], [118.145, 24.743], [118.135, 24.743],
                         [118.133, 24.741], [118.133, 24.733], [118.135, 24.731]]),
    # 翔安区 新兴社区
    "xinxing": _polygon([[118.236, 24.61], [118.248, 24.61], [118.25, 24.612],
                         [118.25, 24.622], [118.248, 24.624], [118.236, 24.624],
                         [118.234, 24.622], [118.234, 24.612], [118.236, 24.61]]),
}

# The communities' names as residents write them in an address.
PILOT_NAMES: dict[str, str] = {
    "shentian": "深田", "dongdu": "东渡", "shengguang": "盛光",
    "future-coast": "未来海岸", "chengxi": "城西", "xinxing": "新兴",
}


def area_of(geojson: Mapping[str, Any]) -> Area:
    """The shapely area of a GeoJSON Polygon/MultiPolygon; ValueError saying what is wrong."""
    kind = geojson.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise ValueError("a boundary is a GeoJSON Polygon or MultiPolygon")
    try:
        area = shape(geojson)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise ValueError(f"the {kind}'s coordinates are malformed") from exc
    if area.is_empty:
        raise ValueError(f"the {kind} is empty")
    west, south, east, north = area.bounds
    if west < -180 or east > 180 or south < -90 or north > 90:
        raise ValueError("coordinates must be WGS84 [lng, lat] (lng within ±180, lat ±90)")
    if not area.is_valid:
        raise ValueError(f"the {kind} is not a valid shape: {is_valid_reason(area)}")
    return area


def covers(area: Area, point: LatLng) -> bool:
    """Whether `point` lies in `area`, its boundary line included."""
    return bool(area.covers(Point(point.lng, point.lat)))


def _radii(lat: float) -> tuple[float, float]:
    """The ellipsoid's meridian and prime-vertical radii of curvature at `lat` (metres)."""
    sin = math.sin(math.radians(lat))
    w = 1 - _E2 * sin * sin
    return _A * (1 - _E2) / (w * math.sqrt(w)), _A / math.sqrt(w)


def distance_m(a: LatLng, b: LatLng) -> float:
    """Metres between `a` and `b` on the WGS84 ellipsoid.

    Both points go onto the plane tangent at their mid-latitude, scaled by the ellipsoid's
    radii of curvature there, and shapely measures the plane distance. Against the exact
    geodesic (Vincenty) this is within 0.001 mm at 250 m, 1.4 mm at 10 km and 0.2 m at 50 km:
    exact for routing and duplicates, which look a few hundred metres around a point; not
    for distances across a province.
    """
    mid = (a.lat + b.lat) / 2
    meridian, prime = _radii(mid)
    across = prime * math.cos(math.radians(mid))

    def on_plane(p: LatLng) -> Any:
        return Point(math.radians(p.lng) * across, math.radians(p.lat) * meridian)

    return float(on_plane(a).distance(on_plane(b)))


def offset(origin: LatLng, *, north_m: float = 0.0, east_m: float = 0.0) -> LatLng:
    """The point `north_m` north and `east_m` east of `origin` (negative: south, west)."""
    meridian, prime = _radii(origin.lat)
    lat = origin.lat + math.degrees(north_m / meridian)
    lng = origin.lng + math.degrees(east_m / (prime * math.cos(math.radians(origin.lat))))
    return LatLng(lat, lng)


def bounding_box(centre: LatLng, radius_m: float) -> tuple[LatLng, LatLng]:
    """South-west and north-east corners of a box holding every point within `radius_m` of
    `centre` (a little larger, so an index can narrow a search before `distance_m` decides)."""
    margin = radius_m * 1.01 + 1.0
    south_west = offset(centre, north_m=-margin, east_m=-margin)
    north_east = offset(centre, north_m=margin, east_m=margin)
    return south_west, north_east
