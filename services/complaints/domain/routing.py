"""Where a report belongs: its community, and the organisation it is routed to.

A report that names its place (project, community or compound): the projections (sites from
`project.created`, boards, compounds' providers) are what this service knows; the report's
own `community_id` only fills a gap and must not contradict them. A construction report goes
to the site's contractor; a property-service report to the compound's provider when it has
one.

A report that names no place is routed by its location (`route_by_location`):

1. the nearest published site within the radius (`COMPLAINTS_SITE_RADIUS_M`, default 300 m)
   takes it: the report is on that project, routed to its contractor. Property-service
   reports skip this step: a site's contractor does not serve a compound;
2. else the community whose boundary contains the point (a point on the boundary line
   counts as inside; where two boundaries share a line, the first community id in
   alphabetical order) takes it, routed to no organisation: the community office assigns it;
3. else it is outside the service area, and refused.

Without coordinates, an address naming exactly one community (深田, 东渡, ...) places the
report in that community; any other address cannot be placed and is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shared.errors import Invalid
from shared.geo import Area, LatLng, covers, distance_m

__all__ = [
    "OUTSIDE_THE_SERVICE_AREA",
    "CommunityArea",
    "KnownPlace",
    "Routing",
    "SitePoint",
    "community_named_in",
    "route_by_location",
    "route_report",
]

OUTSIDE_THE_SERVICE_AREA = "the location is outside the service area"


@dataclass(frozen=True)
class KnownPlace:
    """What the projections say about a report's project and compound (None: unknown)."""

    site_community: str | None = None
    contractor_org: str | None = None
    board_published: bool = False
    board_community: str | None = None
    compound_community: str | None = None
    provider_org: str | None = None


@dataclass(frozen=True)
class Routing:
    community_id: str | None
    routed_org: str | None
    project_id: str | None = None


@dataclass(frozen=True)
class SitePoint:
    """A published site board with a location, and who builds the site."""

    project_id: str
    community_id: str | None
    contractor_org: str | None
    point: LatLng


@dataclass(frozen=True)
class CommunityArea:
    community_id: str
    area: Area


def route_report(known: KnownPlace, *, category: str, project_id: str | None,
                 compound_id: str | None, community_id: str | None) -> Routing:
    """The report's community and routed org; Invalid when the place cannot be placed."""
    found = known.site_community or known.board_community or known.compound_community
    if community_id and found and community_id != found:
        raise Invalid(f"the project or compound belongs to community {found}",
                      field="community_id")
    community = found or community_id
    if project_id and not (known.site_community or known.board_published) and community is None:
        raise Invalid("unknown project: give community_id as well", field="project_id")
    if compound_id and known.compound_community is None and community is None:
        raise Invalid("unknown compound: give community_id as well", field="compound_id")
    routed = known.contractor_org
    if category == "property_service" and known.provider_org:
        routed = known.provider_org
    return Routing(community_id=community, routed_org=routed, project_id=project_id)


def _containing(point: LatLng, communities: Sequence[CommunityArea]) -> str | None:
    for community in sorted(communities, key=lambda c: c.community_id):
        if covers(community.area, point):
            return community.community_id
    return None


def route_by_location(point: LatLng, *, category: str, sites: Sequence[SitePoint],
                      communities: Sequence[CommunityArea], site_radius_m: float) -> Routing:
    """The nearest site within `site_radius_m`, else the containing community (see the
    module docstring); Invalid (field `location`) outside every community."""
    if category != "property_service" and sites:
        distance, site = min(((distance_m(point, s.point), s) for s in sites),
                             key=lambda pair: (pair[0], pair[1].project_id))
        if distance <= site_radius_m:
            return Routing(community_id=site.community_id or _containing(point, communities),
                           routed_org=site.contractor_org, project_id=site.project_id)
    community = _containing(point, communities)
    if community is None:
        # The point is not echoed: it may be where the resident lives, and errors are logged.
        raise Invalid(f"{OUTSIDE_THE_SERVICE_AREA}: no community's boundary contains the "
                      f"point and no site is within {site_radius_m:g} m of it",
                      field="location")
    return Routing(community_id=community, routed_org=None)


def community_named_in(address: str, names: Mapping[str, str]) -> str | None:
    """The one community whose name (`names`: id ⇒ name) the address contains, else None."""
    named = [community for community, name in names.items() if name in address]
    return named[0] if len(named) == 1 else None
