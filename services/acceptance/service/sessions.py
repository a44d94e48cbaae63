"""A session's lifecycle: opened by `project.completed`, scheduled by the builder, reopened
for a next round by `project.rectified`. Each change locks the acceptance row first."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.acceptance import access, events, repository
from services.acceptance.domain.chain import genesis_hash
from services.acceptance.domain.rounds import (
    ensure_can_schedule,
    party_of,
    required_parties,
    round_status,
)
from services.acceptance.models import Acceptance, AcceptanceParty, AcceptanceRound
from services.acceptance.repository import Dossier
from services.acceptance.schemas import ScheduleCreate
from shared.auth import Principal
from shared.clock import Clock
from shared.contracts.projects import ProjectCompleted, ProjectRectified
from shared.db import new_id
from shared.errors import Invalid
from shared.repository import bump_version

__all__ = ["open_next_round", "open_session", "schedule", "touch"]

log = logging.getLogger(__name__)


def touch(acceptance: Acceptance, now: datetime) -> None:
    """Count a change of the (locked) acceptance."""
    bump_version(acceptance)
    acceptance.updated_at = now


async def open_session(session: AsyncSession, data: ProjectCompleted, *, at: datetime
                       ) -> Acceptance | None:
    """Open the joint acceptance of a completed project; None if it already has one.

    A project completed again after rectification keeps its session: `project.rectified`
    opens the next round, so the two events may arrive in either order.
    """
    if await repository.lock_of_project(session, data.project_id) is not None:
        return None
    acceptance_id = new_id()
    acceptance = Acceptance(
        id=acceptance_id, project_id=data.project_id, community_id=data.community_id,
        project_title=data.title,
        current_round=1, status="open", chain_head=genesis_hash(acceptance_id),
        signature_count=0, version=1, created_at=at, updated_at=at,
    )
    parties = required_parties(
        builder=data.parties.builder, contractor=data.parties.contractor,
        designer=data.parties.designer, supervisor=data.parties.supervisor,
        pipeline=data.parties.pipeline,
        # the owners' representative org, where the project names one (`parties.owners`)
        owners=data.parties.owners,
    )
    session.add(acceptance)
    session.add_all(
        AcceptanceParty(acceptance_id=acceptance_id, code=p.code, role=p.role, org=p.org,
                        ordinal=ordinal)
        for ordinal, p in enumerate(parties)
    )
    session.add(AcceptanceRound(acceptance_id=acceptance_id, number=1, status="open",
                                opened_at=at))
    await session.flush()
    opened = events.session_opened(acceptance, [p.code for p in parties])
    await events.stage(session, acceptance, [opened], at=at)
    return acceptance


async def open_next_round(session: AsyncSession, data: ProjectRectified, *, at: datetime
                          ) -> AcceptanceRound | None:
    """After rectification, open the next round for the same parties; the earlier rounds,
    signatures and defects stay in the record. None unless the current round failed."""
    agg = await repository.lock_of_project(session, data.project_id)
    if agg is None or agg.acceptance.status != "failed":
        log.info("project.rectified for %s opens no round (no failed round)", data.project_id)
        return None
    acceptance = agg.acceptance
    row = AcceptanceRound(acceptance_id=acceptance.id, number=acceptance.current_round + 1,
                          status="open", opened_at=at)
    acceptance.current_round, acceptance.status = row.number, "open"
    touch(acceptance, at)
    session.add(row)
    await session.flush()
    opened = events.round_opened(acceptance, [p.code for p in agg.parties])
    await events.stage(session, acceptance, [opened], at=at)
    return row


async def schedule(
    session: AsyncSession, acceptance_id: str, body: ScheduleCreate, *, principal: Principal,
    clock: Clock, if_match: str | None,
) -> Dossier:
    """The builder (建设单位) sets the time and place of the current round."""
    agg = await repository.lock(session, acceptance_id, if_match=if_match)
    access.ensure_is_builder(principal, party_of(agg.required, "builder"))
    ensure_can_schedule(round_status(agg.acceptance.status))
    now = clock.now()
    if body.scheduled_at <= now:
        raise Invalid("scheduled_at must be in the future", field="scheduled_at")
    current = agg.current_round
    current.scheduled_at, current.place = body.scheduled_at, body.place
    touch(agg.acceptance, now)
    await session.flush()
    await events.stage(session, agg.acceptance,
                       [events.scheduled(agg.acceptance, body.scheduled_at)], at=now)
    return await repository.load_dossier(session, agg)
