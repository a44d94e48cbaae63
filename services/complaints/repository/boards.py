"""Site boards and the sites they belong to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel import col

from services.complaints.domain.routing import SitePoint
from services.complaints.models import ProjectSite, SiteBoard
from shared.db import insert_skipping_conflicts
from shared.errors import NotFound
from shared.geo import LatLng, bounding_box
from shared.pagination import keyset_page
from shared.repository import load_for_update

__all__ = ["board_or_404", "board_page", "lock_or_create_board", "site_of", "sites_near"]

_PAGE_KEYS = cast(list[InstrumentedAttribute[Any]], [SiteBoard.published_at, SiteBoard.project_id])
_BOARDS = SiteBoard.__table__  # type: ignore[attr-defined]


async def lock_or_create_board(session: AsyncSession, project_id: str, now: datetime,
                               *, if_match: str | None) -> tuple[SiteBoard, bool]:
    """The project's board locked for a replacement, and whether it is new.

    A missing board is inserted blank (version 0) first, skipping a concurrent insert of the
    same project, so concurrent first PUTs make one board: one is the create, the others
    wait for its commit and replace it. `if_match` is checked on the locked row of a board
    that existed before (a new one has no version to match).
    """
    insert = insert_skipping_conflicts(session, _BOARDS, "project_id").returning(
        _BOARDS.c.project_id)
    created = await session.scalar(insert, {
        "project_id": project_id, "hotline": "", "liaison_name": "", "liaison_phone": "",
        "version": 0, "published_at": now, "updated_at": now,
    }) is not None
    board = await load_for_update(session, SiteBoard, project_id, "site board",
                                  if_match=None if created else if_match)
    return board, created


async def board_or_404(session: AsyncSession, project_id: str) -> SiteBoard:
    board = await session.get(SiteBoard, project_id)
    if board is None:
        raise NotFound("this site has not published a board")
    return board


async def board_page(session: AsyncSession, community_id: str | None, *, limit: int,
                     cursor: str | None) -> tuple[Sequence[SiteBoard], str | None]:
    statement: Select[Any] = select(SiteBoard)
    if community_id is not None:
        statement = statement.where(col(SiteBoard.community_id) == community_id)
    return await keyset_page(session, statement, _PAGE_KEYS, limit=limit, cursor=cursor)


async def site_of(session: AsyncSession, project_id: str) -> ProjectSite | None:
    """The project as known from `project.created` (None: not heard of yet)."""
    return await session.get(ProjectSite, project_id)


async def sites_near(session: AsyncSession, point: LatLng, radius_m: float) -> list[SitePoint]:
    """Published sites with a location in a box a little larger than `radius_m` around
    `point`, with their contractor where `project.created` named one."""
    south_west, north_east = bounding_box(point, radius_m)
    statement = (
        select(col(SiteBoard.project_id), col(SiteBoard.community_id),
               col(ProjectSite.community_id), col(ProjectSite.contractor_org),
               col(SiteBoard.lat), col(SiteBoard.lng))
        .outerjoin(ProjectSite, col(ProjectSite.project_id) == col(SiteBoard.project_id))
        .where(col(SiteBoard.lat).between(south_west.lat, north_east.lat),
               col(SiteBoard.lng).between(south_west.lng, north_east.lng))
    )
    rows = (await session.execute(statement)).all()
    return [SitePoint(project_id=project, community_id=site_community or board_community,
                      contractor_org=contractor, point=LatLng(lat, lng))
            for project, board_community, site_community, contractor, lat, lng in rows
            if lat is not None and lng is not None]
