"""Use cases on site boards (施工现场公布投诉热线、明确现场联络人). Never commits.

Who may publish: `subdistrict` staff (and admin) for any project, even one this service has
not heard of yet (the community then comes from the body, optionally); a `contractor` only for
a project known from `project.created` whose contractor is its org (unknown project ⇒ 404,
another contractor's ⇒ 403). Every successful PUT publishes `site_board.published`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.events import SOURCE, FixedClock
from services.complaints.models import ProjectSite, SiteBoard
from services.complaints.schemas import BoardPut
from shared.auth import Principal
from shared.contracts.complaints import SiteBoardPublished
from shared.errors import Forbidden, Invalid, NotFound
from shared.service import publish

__all__ = ["ensure_may_publish", "get_board", "may_see_board_in_full",
           "put_board"]

PUBLISHERS = frozenset({"subdistrict", "admin"})


async def ensure_may_publish(session: AsyncSession, principal: Principal, project_id: str
                             ) -> ProjectSite | None:
    site = await session.get(ProjectSite, project_id)
    if principal.has_any(PUBLISHERS):
        return site
    if site is None:
        raise NotFound("no such project known to the complaints service yet")
    if principal.org != site.contractor_org:
        raise Forbidden("only the project's contractor may publish its site board")
    return site


async def put_board(
    session: AsyncSession, project_id: str, body: BoardPut, principal: Principal, now: datetime,
) -> tuple[SiteBoard, bool]:
    """Create or replace a board; returns it and whether it is new."""
    site = await ensure_may_publish(session, principal, project_id)
    if site and body.community_id and body.community_id != site.community_id:
        raise Invalid(f"the project belongs to community {site.community_id}",
                      field="community_id")
    board = await session.get(SiteBoard, project_id, with_for_update=True)
    created = board is None
    if board is None:
        board = SiteBoard(project_id=project_id, hotline="", liaison_name="", liaison_phone="",
                          version=0, published_at=now, updated_at=now)
    board.community_id = site.community_id if site else (body.community_id or board.community_id)
    board.hotline = body.hotline
    board.liaison_name = body.liaison.name
    board.liaison_phone = body.liaison.phone
    board.contractor_contact = _party(body, "contractor_contact")
    board.supervisor_contact = _party(body, "supervisor_contact")
    board.version += 1
    board.updated_at = now
    session.add(board)
    await session.flush()
    event = SiteBoardPublished(project_id=project_id, community_id=board.community_id,
                               published_at=now)
    await publish(session, event, subject=project_id, source=SOURCE, clock=FixedClock(now))
    return board, created


def _party(body: BoardPut, name: str) -> dict[str, str | None] | None:
    contact = getattr(body, name)
    return None if contact is None else contact.model_dump()


async def get_board(session: AsyncSession, project_id: str) -> SiteBoard:
    board = await session.get(SiteBoard, project_id)
    if board is None:
        raise NotFound("this site has not published a board")
    return board


async def may_see_board_in_full(session: AsyncSession, principal: Principal | None,
                                project_id: str) -> bool:
    """Staff and the site's own contractor see phone numbers in full; everyone else masked."""
    if principal is None:
        return False
    if principal.is_staff:
        return True
    site = await session.get(ProjectSite, project_id)
    return bool(site and principal.has_any({"contractor"}) and principal.org == site.contractor_org)
