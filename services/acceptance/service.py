"""Use cases of the acceptance service: load, apply the rule, flush, stage the events."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.acceptance import domain
from services.acceptance.chain import Link, genesis_hash, link_hash
from services.acceptance.events import SOURCE
from services.acceptance.models import Acceptance, AcceptanceParty, AcceptanceRound, Signature
from services.acceptance.repository import AcceptanceAggregate, load_acceptance, load_aggregate
from services.acceptance.schemas import ScheduleCreate, SignatureCreate
from shared.auth import Principal
from shared.clock import Clock
from shared.contracts.acceptance import (
    AcceptanceFailed,
    AcceptancePassed,
    AcceptanceRoundOpened,
    AcceptanceScheduled,
    AcceptanceSessionOpened,
    AcceptanceSigned,
)
from shared.contracts.projects import ProjectCompleted, ProjectRectified
from shared.db import new_id
from shared.deps import check_version
from shared.errors import Forbidden, Invalid
from shared.service import publish

__all__ = ["open_next_round", "open_session", "schedule", "sign"]

log = logging.getLogger(__name__)


async def _by_project(session: AsyncSession, project_id: str) -> Acceptance | None:
    statement = (select(Acceptance).where(col(Acceptance.project_id) == project_id)
                 .with_for_update())
    return (await session.scalars(statement)).one_or_none()


def _touch(acceptance: Acceptance, now: datetime) -> None:
    acceptance.version += 1
    acceptance.updated_at = now


async def open_session(
    session: AsyncSession, data: ProjectCompleted, *, clock: Clock
) -> Acceptance | None:
    """Open the joint acceptance of a completed project; None if it already has one.

    A project completed again after rectification keeps its session: `project.rectified`
    opens the next round, so the two events may arrive in either order.
    """
    if await _by_project(session, data.project_id) is not None:
        return None
    now, acceptance_id = clock.now(), new_id()
    acceptance = Acceptance(
        id=acceptance_id, project_id=data.project_id, community_id=data.community_id,
        current_round=1, status="open", chain_head=genesis_hash(acceptance_id),
        signature_count=0, version=1, created_at=now, updated_at=now,
    )
    parties = domain.required_parties(
        builder=data.parties.builder, contractor=data.parties.contractor,
        designer=data.parties.designer, supervisor=data.parties.supervisor,
        pipeline=data.parties.pipeline,
    )
    session.add(acceptance)
    session.add_all(
        AcceptanceParty(acceptance_id=acceptance_id, code=p.code, role=p.role, org=p.org,
                        ordinal=ordinal)
        for ordinal, p in enumerate(parties)
    )
    session.add(AcceptanceRound(acceptance_id=acceptance_id, number=1, status="open",
                                opened_at=now))
    await session.flush()
    await publish(session, AcceptanceSessionOpened(
        acceptance_id=acceptance_id, project_id=data.project_id, community_id=data.community_id,
        round=1, required_parties=[p.code for p in parties],
    ), subject=acceptance_id, source=SOURCE, clock=clock)
    return acceptance


async def open_next_round(
    session: AsyncSession, data: ProjectRectified, *, clock: Clock
) -> AcceptanceRound | None:
    """After rectification, open the next round for the same parties; the earlier rounds,
    signatures and defects stay in the record. None unless the current round failed."""
    acceptance = await _by_project(session, data.project_id)
    if acceptance is None or acceptance.status != "failed":
        log.info("project.rectified for %s opens no round (no failed round)", data.project_id)
        return None
    agg = await load_aggregate(session, acceptance)
    now = clock.now()
    row = AcceptanceRound(acceptance_id=acceptance.id, number=acceptance.current_round + 1,
                          status="open", opened_at=now)
    acceptance.current_round, acceptance.status = row.number, "open"
    _touch(acceptance, now)
    session.add(row)
    await session.flush()
    await publish(session, AcceptanceRoundOpened(
        acceptance_id=acceptance.id, project_id=acceptance.project_id,
        community_id=acceptance.community_id, round=row.number,
        required_parties=[p.code for p in agg.parties],
    ), subject=acceptance.id, source=SOURCE, clock=clock)
    return row


def _party(agg: AcceptanceAggregate, code: str) -> domain.Party:
    for party in agg.required:
        if party.code == code:
            return party
    raise Invalid(f"{code} is not a required party of this acceptance", field="party",
                  required_parties=[p.code for p in agg.required])


async def schedule(
    session: AsyncSession, acceptance_id: str, body: ScheduleCreate, *, principal: Principal,
    clock: Clock, if_match: str | None,
) -> AcceptanceAggregate:
    """The builder (建设单位) sets the time and place of the current round."""
    acceptance = await load_acceptance(session, acceptance_id, for_update=True)
    agg = await load_aggregate(session, acceptance)
    domain.ensure_is_builder(_party(agg, "builder"), roles=principal.roles, org=principal.org)
    check_version(if_match, acceptance.version)
    domain.ensure_can_schedule(domain.round_status(acceptance.status))
    now = clock.now()
    if body.scheduled_at <= now:
        raise Invalid("scheduled_at must be in the future", field="scheduled_at")
    current = agg.current_round
    current.scheduled_at, current.place = body.scheduled_at, body.place
    _touch(acceptance, now)
    await session.flush()
    await publish(session, AcceptanceScheduled(
        acceptance_id=acceptance.id, project_id=acceptance.project_id,
        community_id=acceptance.community_id, round=current.number,
        scheduled_at=body.scheduled_at,
    ), subject=acceptance.id, source=SOURCE, clock=clock)
    return agg


def _chain_signature(
    acceptance: Acceptance, body: SignatureCreate, signer: str, now: datetime
) -> Signature:
    defects = [d.model_dump() for d in body.defects]
    link = Link(acceptance_id=acceptance.id, round=acceptance.current_round, party=body.party,
                verdict=body.verdict, comment=body.comment, defects=defects, signed_at=now,
                signer=signer, prev_hash=acceptance.chain_head)
    signature = Signature(
        id=new_id(), acceptance_id=acceptance.id, round=link.round, party=link.party,
        verdict=link.verdict, comment=link.comment, defects=defects, signer=signer,
        signed_at=now, position=acceptance.signature_count + 1, prev_hash=link.prev_hash,
        hash=link_hash(link),
    )
    acceptance.chain_head, acceptance.signature_count = signature.hash, signature.position
    return signature


async def sign(
    session: AsyncSession, acceptance_id: str, body: SignatureCreate, *, principal: Principal,
    clock: Clock, if_match: str | None,
) -> AcceptanceAggregate:
    """One party signs the current round for itself; the last signature decides the round."""
    acceptance = await load_acceptance(session, acceptance_id, for_update=True)
    agg = await load_aggregate(session, acceptance)
    party = _party(agg, body.party)
    if not domain.may_sign_as(party, roles=principal.roles, org=principal.org,
                              community_id=acceptance.community_id):
        raise Forbidden(f"this token may not sign for {party.code}")
    check_version(if_match, acceptance.version)
    current = agg.current_round
    verdicts = {s.party: domain.verdict(s.verdict) for s in agg.signatures_of(current.number)}
    domain.check_signature(
        round_status=domain.round_status(current.status), required=[p.code for p in agg.parties],
        signed=verdicts, party=party.code, verdict=body.verdict, defect_count=len(body.defects),
    )
    now = clock.now()
    signature = _chain_signature(acceptance, body, principal.sub, now)
    agg.signatures.append(signature)
    session.add(signature)
    verdicts[party.code] = body.verdict
    outcome = domain.decide_round([p.code for p in agg.parties], verdicts)
    if outcome != "open":
        current.status, current.decided_at, acceptance.status = outcome, now, outcome
    _touch(acceptance, now)
    await session.flush()
    await _publish_signing(session, agg, signature, outcome, verdicts, clock)
    return agg


async def _publish_signing(
    session: AsyncSession, agg: AcceptanceAggregate, signature: Signature,
    outcome: domain.RoundStatus, verdicts: dict[str, domain.Verdict], clock: Clock,
) -> None:
    row = agg.acceptance
    fact: dict[str, Any] = {"acceptance_id": row.id, "project_id": row.project_id,
            "community_id": row.community_id, "round": signature.round}
    events: list[AcceptanceSigned | AcceptancePassed | AcceptanceFailed] = [AcceptanceSigned(
        **fact, party=signature.party, verdict=domain.verdict(signature.verdict),
        defect_count=len(signature.defects),
    )]
    if outcome == "passed":
        events.append(AcceptancePassed(**fact, decided_at=signature.signed_at))
    elif outcome == "failed":
        events.append(AcceptanceFailed(
            **fact, decided_at=signature.signed_at,
            defect_count=sum(len(s.defects) for s in agg.signatures_of(signature.round)),
            rejecting_parties=domain.rejecting_parties(verdicts),
        ))
    for event in events:
        await publish(session, event, subject=row.id, source=SOURCE, clock=clock)
