"""Routes for site boards: publish (contractor or sub-district), read (public)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from services.complaints.access import BoardPublisher
from services.complaints.presenters import board_view
from services.complaints.repository.boards import board_page
from services.complaints.schemas.boards import BoardPublic, BoardPut
from services.complaints.service import boards
from shared.deps import ClockDep, IfMatch, SessionDep, set_etag
from shared.pagination import Cursor, Limit, Page, page_of

__all__ = ["router"]

router = APIRouter(tags=["site boards"])

ProjectId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


@router.put("/sites/{project_id}/board", summary="Publish or update a site's board",
            responses={201: {"model": BoardPublic}})
async def publish_board(project_id: ProjectId, body: BoardPut, response: Response,
                        session: SessionDep, clock: ClockDep, principal: BoardPublisher,
                        if_match: IfMatch = None) -> BoardPublic:
    """Who: the project's contractor org, or `subdistrict` (see `access.py`). `If-Match`:
    the board's `version` (its `ETag`)."""
    board, created = await boards.publish_board(session, project_id, body, principal,
                                                clock.now(), if_match=if_match)
    if created:
        response.status_code = 201
    set_etag(response, board.version)
    return board_view(board)


@router.get("/sites/{project_id}/board", summary="A site's board (public)")
async def read_board(project_id: ProjectId, response: Response, session: SessionDep
                     ) -> BoardPublic:
    """Who: anyone. The hotline, the liaison and the contractor's and supervisor's contacts
    in full: the site publishes them by their role (施工现场要公布投诉热线电话、明确现场联络人).
    `ETag`: the board's version, for `If-Match` on `PUT`."""
    board = await boards.read_board(session, project_id)
    set_etag(response, board.version)
    return board_view(board)


@router.get("/sites", summary="Boards of a community's sites (public)")
async def list_boards(session: SessionDep,
                      community_id: Annotated[str | None, Query(max_length=64)] = None,
                      limit: Limit = 50, cursor: Cursor = None) -> Page[BoardPublic]:
    """Who: anyone; the boards as their sites publish them."""
    page = await board_page(session, community_id, limit=limit, cursor=cursor)
    return page_of(page, board_view)
