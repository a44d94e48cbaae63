"""Use cases on site boards (施工现场公布投诉热线、明确现场联络人): publish one, read one.

Who may publish is `access.ensure_may_publish`; every successful PUT publishes
`site_board.published`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.access import ensure_may_publish
from services.complaints.events import publish_board_published
from services.complaints.models import SiteBoard
from services.complaints.repository import boards as repository
from services.complaints.repository.jurisdictions import jurisdiction_for
from services.complaints.schemas.boards import BoardPut, PartyContact
from shared.auth import Principal
from shared.errors import Invalid
from shared.repository import bump_version

__all__ = ["publish_board", "read_board"]


async def publish_board(
    session: AsyncSession, project_id: str, body: BoardPut, principal: Principal,
    now: datetime, *, if_match: str | None,
) -> tuple[SiteBoard, bool]:
    """Create or replace the project's board, decided on the locked row; returns it and
    whether it is new."""
    site = await repository.site_of(session, project_id)
    community_id = site.community_id if site else body.community_id
    ensure_may_publish(principal, site, community_id,
                       await jurisdiction_for(session, principal, community_id))
    if site and body.community_id and body.community_id != site.community_id:
        raise Invalid(f"the project belongs to community {site.community_id}",
                      field="community_id")
    board, created = await repository.lock_or_create_board(session, project_id, now,
                                                           if_match=if_match)
    board.community_id = site.community_id if site else (body.community_id or board.community_id)
    board.hotline = body.hotline
    board.liaison_name = body.liaison.name
    board.liaison_phone = body.liaison.phone
    board.contractor_contact = _party(body.contractor_contact)
    board.supervisor_contact = _party(body.supervisor_contact)
    board.lat = body.location.lat if body.location else None
    board.lng = body.location.lng if body.location else None
    board.updated_at = now
    bump_version(board)
    await session.flush()
    await publish_board_published(session, board, now)
    return board, created


def _party(contact: PartyContact | None) -> dict[str, str | None] | None:
    return None if contact is None else contact.model_dump()


async def read_board(session: AsyncSession, project_id: str) -> SiteBoard:
    """The board, public as the one on the site's fence."""
    return await repository.board_or_404(session, project_id)
