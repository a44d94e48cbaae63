"""Who may act where: each community's jurisdiction, as every service keeps it.

The projects service owns communities and publishes `community.jurisdiction_set` (org ids
only); every service keeps the projection (`jurisdiction_table`) and checks it with
`may_act_in`/`ensure_in_jurisdiction`. Until the city sets real org ids, the seeded defaults
of DESIGN.md hold for the six pilot communities, in every service from its first start:
`district_bureau_org` = `<district>-bureau`, `subdistrict_org` = `<community id>-street`,
`community_org` = the community id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, MetaData, String, Table, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal
from shared.contracts.projects import CommunityJurisdictionSet
from shared.db import UTCDateTime, insert_skipping_conflicts
from shared.errors import Forbidden, NotFound

__all__ = [
    "JURISDICTION_ROLES",
    "PILOT_COMMUNITY_NAMES",
    "PILOT_DISTRICTS",
    "Jurisdiction",
    "communities_served",
    "ensure_in_jurisdiction",
    "jurisdiction_of",
    "jurisdiction_table",
    "may_act_in",
    "record_jurisdiction",
    "record_published_jurisdiction",
    "seeded_jurisdiction",
]

# The offices whose tokens act only in their own area (the token's `org` must match).
JURISDICTION_ROLES = ("district_bureau", "subdistrict", "community")

# The pilot communities and their districts (pinyin, as in the seeded org ids).
PILOT_DISTRICTS = {
    "shentian": "siming",
    "dongdu": "huli",
    "shengguang": "jimei",
    "future-coast": "haicang",
    "chengxi": "tongan",
    "xinxing": "xiangan",
}
# Their names as people read them (the projects service seeds its communities with these).
PILOT_COMMUNITY_NAMES = {
    "shentian": "深田社区",
    "dongdu": "东渡社区",
    "shengguang": "盛光社区",
    "future-coast": "未来海岸社区",
    "chengxi": "城西社区",
    "xinxing": "新兴社区",
}


@dataclass(frozen=True)
class Jurisdiction:
    """The offices responsible for one community (org ids)."""

    community_id: str
    district: str
    district_bureau_org: str
    subdistrict_org: str
    community_org: str

    def org_for(self, role: str) -> str | None:
        """The org a token of `role` must carry to act here (None: not an area-bound role)."""
        return {
            "district_bureau": self.district_bureau_org,
            "subdistrict": self.subdistrict_org,
            "community": self.community_org,
        }.get(role)


def _from_row(row: RowMapping) -> Jurisdiction:
    return Jurisdiction(community_id=row["community_id"], district=row["district"],
                        district_bureau_org=row["district_bureau_org"],
                        subdistrict_org=row["subdistrict_org"],
                        community_org=row["community_org"])


def seeded_jurisdiction(community_id: str) -> Jurisdiction | None:
    """The documented default of a pilot community, or None for any other id."""
    district = PILOT_DISTRICTS.get(community_id)
    if district is None:
        return None
    return Jurisdiction(community_id=community_id, district=district,
                        district_bureau_org=f"{district}-bureau",
                        subdistrict_org=f"{community_id}-street", community_org=community_id)


def may_act_in(principal: Principal, jurisdiction: Jurisdiction | None,
               roles: Iterable[str]) -> bool:
    """Whether `principal` may act in the community through one of `roles`.

    Admin always may. A role that is not area-bound (a contractor, a provider) passes here;
    its own checks (party org, provider org) are the caller's. An area-bound role passes only
    when the token's org is that role's org of the community; an unknown community (no
    jurisdiction) admits no area-bound role.
    """
    if "admin" in principal.roles:
        return True
    for role in principal.roles & frozenset(roles):
        if role not in JURISDICTION_ROLES:
            return True
        if jurisdiction is not None and principal.org == jurisdiction.org_for(role):
            return True
    return False


def ensure_in_jurisdiction(principal: Principal, jurisdiction: Jurisdiction | None,
                           roles: Iterable[str], *, what: str | None = None) -> None:
    """403 unless `may_act_in`; with `what` (existence is private) a 404 naming it instead."""
    if may_act_in(principal, jurisdiction, roles):
        return
    if what is not None:
        raise NotFound(f"no {what}")
    community = jurisdiction.community_id if jurisdiction else "this community"
    raise Forbidden(f"the caller's organisation has no jurisdiction over {community}")


def jurisdiction_table(metadata: MetaData) -> Table:
    """The projection table `community_jurisdictions` on a service's own metadata."""
    return Table(
        "community_jurisdictions", metadata,
        Column("community_id", String(64), primary_key=True),
        Column("district", String(64), nullable=False),
        Column("district_bureau_org", String(64), nullable=False),
        Column("subdistrict_org", String(64), nullable=False),
        Column("community_org", String(64), nullable=False),
        Column("set_at", UTCDateTime, nullable=False),
    )


async def jurisdiction_of(session: AsyncSession, table: Table,
                          community_id: str) -> Jurisdiction | None:
    """The community's jurisdiction as last published, else its seeded default."""
    row = (await session.execute(
        select(table).where(table.c.community_id == community_id))).mappings().one_or_none()
    if row is None:
        return seeded_jurisdiction(community_id)
    return _from_row(row)


async def communities_served(session: AsyncSession, table: Table, principal: Principal,
                             roles: Iterable[str] = JURISDICTION_ROLES) -> frozenset[str]:
    """The communities where one of `principal`'s office roles is the office of record: the
    published jurisdictions, and the seeded defaults of pilot communities never published
    (for listings filtered to the caller's area)."""
    known = {row["community_id"]: _from_row(row)
             for row in (await session.execute(select(table))).mappings().all()}
    for community_id in PILOT_DISTRICTS:
        seeded = seeded_jurisdiction(community_id)
        if community_id not in known and seeded is not None:
            known[community_id] = seeded
    offices = frozenset(roles) & frozenset(JURISDICTION_ROLES) & principal.roles
    return frozenset(community_id for community_id, area in known.items()
                     if any(area.org_for(role) == principal.org for role in offices))


async def record_published_jurisdiction(session: AsyncSession, table: Table,
                                        data: CommunityJurisdictionSet) -> None:
    """Apply a `community.jurisdiction_set` fact to a service's projection."""
    await record_jurisdiction(session, table, Jurisdiction(
        community_id=data.community_id, district=data.district,
        district_bureau_org=data.district_bureau_org, subdistrict_org=data.subdistrict_org,
        community_org=data.community_org), data.set_at)


async def record_jurisdiction(session: AsyncSession, table: Table, jurisdiction: Jurisdiction,
                              set_at: datetime) -> None:
    """Keep the newest jurisdiction of a community; an older event changes nothing.

    Two settings made at the same instant are applied in delivery order (the events of one
    community share a key, so they arrive in the order they were published)."""
    values = {"community_id": jurisdiction.community_id, "district": jurisdiction.district,
              "district_bureau_org": jurisdiction.district_bureau_org,
              "subdistrict_org": jurisdiction.subdistrict_org,
              "community_org": jurisdiction.community_org, "set_at": set_at}
    await session.execute(insert_skipping_conflicts(session, table, "community_id")
                          .values(values))
    await session.execute(
        table.update()
        .where(table.c.community_id == jurisdiction.community_id, table.c.set_at <= set_at)
        .values(values))
