"""Routes for site boards: publish (contractor or sub-district), read (public)."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel import col

from services.complaints.boards import get_board, may_see_board_in_full, put_board
from services.complaints.models import SiteBoard
from services.complaints.schemas import BoardPublic, BoardPut
from services.complaints.views import board_view
from shared.auth import OptionalPrincipal, Principal, require_roles
from shared.deps import ClockDep, IfMatch, SessionDep, check_version
from shared.pagination import Cursor, Limit, Page, keyset_page

__all__ = ["router"]

router = APIRouter(tags=["site boards"])

ProjectId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Publisher = Annotated[Principal, Depends(require_roles("contractor", "subdistrict"))]
_KEYS = cast(list[InstrumentedAttribute[Any]], [SiteBoard.published_at, SiteBoard.project_id])


@router.put("/sites/{project_id}/board", summary="Publish or update a site's board",
            responses={201: {"model": BoardPublic}})
async def publish_board(project_id: ProjectId, body: BoardPut, response: Response,
                        session: SessionDep, clock: ClockDep, principal: Publisher,
                        if_match: IfMatch = None) -> BoardPublic:
    """Who: the project's contractor org, or `subdistrict` (see `boards.py`)."""
    existing = await session.get(SiteBoard, project_id)
    if existing is not None:
        check_version(if_match, existing.version)
    board, created = await put_board(session, project_id, body, principal, clock.now())
    if created:
        response.status_code = 201
    return board_view(board, full=True)


@router.get("/sites/{project_id}/board", summary="A site's board (public)")
async def read_board(project_id: ProjectId, session: SessionDep,
                     principal: OptionalPrincipal) -> BoardPublic:
    """Who: anyone. Personal phone numbers are masked except for staff and the contractor."""
    board = await get_board(session, project_id)
    return board_view(board, full=await may_see_board_in_full(session, principal, project_id))


@router.get("/sites", summary="Boards of a community's sites (public)")
async def list_boards(session: SessionDep,
                      community_id: Annotated[str | None, Query(max_length=64)] = None,
                      limit: Limit = 50, cursor: Cursor = None) -> Page[BoardPublic]:
    """Who: anyone; phone numbers masked."""
    statement = select(SiteBoard)
    if community_id is not None:
        statement = statement.where(col(SiteBoard.community_id) == community_id)
    rows, next_cursor = await keyset_page(session, statement, _KEYS, limit=limit, cursor=cursor)
    return Page(items=[board_view(board, full=False) for board in rows], next_cursor=next_cursor)
