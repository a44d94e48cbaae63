"""Events the projects service consumes: one typed handler per event type.

- `site_board.published` (complaints) ⇒ the `site_boards` projection (gate to start works).
- `acceptance.passed` ⇒ completed project becomes `accepted`, publishing `project.accepted`.
- `acceptance.failed` ⇒ completed project becomes `rectifying`.
An acceptance verdict for a project not awaiting one (unknown, or already moved on) changes
nothing: it is logged, not dead-lettered, since replaying it could never apply. A verdict
locks the project, as every other change to it does.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import repository
from services.projects.models import SiteBoard
from services.projects.service import projects
from shared.contracts.acceptance import AcceptanceFailed, AcceptancePassed
from shared.contracts.complaints import SiteBoardPublished
from shared.events.envelope import Event
from shared.handlers import Consumes

__all__ = ["CONSUMES"]

CONSUMES = Consumes()


@CONSUMES.event(SiteBoardPublished)
async def on_site_board_published(session: AsyncSession, data: SiteBoardPublished,
                                  event: Event) -> None:
    board = await repository.site_board_for_update(session, data.project_id)
    if board is None:
        board = SiteBoard(project_id=data.project_id, published_at=data.published_at)
        session.add(board)
    board.community_id = data.community_id or board.community_id
    board.published_at = max(board.published_at, data.published_at)


@CONSUMES.event(AcceptancePassed)
async def on_acceptance_passed(session: AsyncSession, data: AcceptancePassed,
                               event: Event) -> None:
    await projects.accept_project(session, data.project_id, data.acceptance_id, at=event.time)


@CONSUMES.event(AcceptanceFailed)
async def on_acceptance_failed(session: AsyncSession, data: AcceptanceFailed,
                               event: Event) -> None:
    await projects.send_back_for_rectification(session, data.project_id, at=event.time)
