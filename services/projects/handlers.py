"""Events the projects service consumes: one function per type, registered in HANDLERS.

- `site_board.published` (complaints) ⇒ the `site_boards` projection (gate to start works).
- `acceptance.passed` ⇒ completed project becomes `accepted`, publishing `project.accepted`.
- `acceptance.failed` ⇒ completed project becomes `rectifying`.
An acceptance verdict for a project not awaiting one (unknown, or already moved on) changes
nothing: it is logged, not dead-lettered, since replaying it could never apply.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.models import Project, SiteBoard
from services.projects.service import move, publish_fact
from shared.clock import FrozenClock
from shared.consumer import Handler
from shared.contracts import projects as contract
from shared.contracts.acceptance import AcceptanceFailed, AcceptancePassed
from shared.contracts.complaints import SiteBoardPublished
from shared.events.catalog import EventData
from shared.events.envelope import Event
from shared.events.topics import ACCEPTANCE, COMPLAINTS

__all__ = ["HANDLERS", "SUBSCRIPTIONS"]

log = logging.getLogger(__name__)


async def on_site_board_published(session: AsyncSession, data: EventData, event: Event) -> None:
    assert isinstance(data, SiteBoardPublished)
    board = await session.get(SiteBoard, data.project_id)
    if board is None:
        board = SiteBoard(project_id=data.project_id, published_at=data.published_at)
    board.community_id = data.community_id or board.community_id
    board.published_at = max(board.published_at, data.published_at)
    session.add(board)


async def _awaiting_verdict(session: AsyncSession, project_id: str, event: Event
                            ) -> Project | None:
    project = await session.get(Project, project_id, with_for_update=True)
    if project is None or project.status != "completed":
        log.warning("ignoring %s for project %s (status %s)", event.type, project_id,
                    project.status if project else "unknown")
        return None
    return project


async def on_acceptance_passed(session: AsyncSession, data: EventData, event: Event) -> None:
    assert isinstance(data, AcceptancePassed)
    project = await _awaiting_verdict(session, data.project_id, event)
    if project is None:
        return
    move(project, "accepted", event.time)
    session.add(project)
    await publish_fact(session, project, FrozenClock(event.time), contract.ProjectAccepted(
        project_id=project.id, community_id=project.community_id,
        acceptance_id=data.acceptance_id))


async def on_acceptance_failed(session: AsyncSession, data: EventData, event: Event) -> None:
    assert isinstance(data, AcceptanceFailed)
    project = await _awaiting_verdict(session, data.project_id, event)
    if project is None:
        return
    move(project, "rectifying", event.time)
    session.add(project)


SUBSCRIPTIONS: tuple[str, ...] = (COMPLAINTS, ACCEPTANCE)
HANDLERS: Mapping[str, Handler] = {
    "site_board.published": on_site_board_published,
    "acceptance.passed": on_acceptance_passed,
    "acceptance.failed": on_acceptance_failed,
}
