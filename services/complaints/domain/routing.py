"""Where a report belongs: its community, and the organisation it is routed to.

The projections (sites from `project.created`, boards, compounds' providers) are what this
service knows; the report's own `community_id` only fills a gap and must not contradict them.
A construction report goes to the site's contractor; a property-service report to the
compound's provider when it has one.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.errors import Invalid

__all__ = ["KnownPlace", "Routing", "route_report"]


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
    return Routing(community_id=community, routed_org=routed)
