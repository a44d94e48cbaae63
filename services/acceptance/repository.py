"""Loading acceptances and their parts: the queries, not the rules.

The one place an acceptance is read for a write: `lock` and `lock_of_project` take the
acceptance row's lock first (and check `If-Match` on the locked row), then read its parties,
rounds and signatures, so every change to a round or its signatures is serialised by that one
row. An aggregate comes with its community's jurisdiction as it stands (who its offices are).
Also the reads behind the GET routes: the visible page, one acceptance, the complaints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Select, Table, exists, false, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel import col

from services.acceptance.access import BROAD_READERS, office_roles, unit_roles
from services.acceptance.domain.rounds import Party
from services.acceptance.models import (
    COMMUNITY_JURISDICTIONS,
    Acceptance,
    AcceptanceParty,
    AcceptanceRound,
    ComplaintView,
    Signature,
)
from shared.auth import Principal
from shared.jurisdiction import (
    Jurisdiction,
    communities_served,
    jurisdiction_of,
)
from shared.pagination import keyset_page
from shared.repository import get_or_404, load_for_update

__all__ = [
    "AcceptanceAggregate",
    "Dossier",
    "load_dossier",
    "lock",
    "lock_of_project",
    "page_visible",
    "read",
    "save_complaint_views",
]

_RESOLVED = ("resolved", "closed", "duplicate")  # a merged duplicate lives on in another
# keyset_page is typed for InstrumentedAttribute; SQLModel types its columns as plain values.
_PAGE_KEYS = cast(list[InstrumentedAttribute[Any]], [Acceptance.created_at, Acceptance.id])


@dataclass
class AcceptanceAggregate:
    """An acceptance with its parties, rounds and signatures (all in order), and the
    jurisdiction of its community (None: a community nobody has jurisdiction over)."""

    acceptance: Acceptance
    parties: list[AcceptanceParty]
    rounds: list[AcceptanceRound]
    signatures: list[Signature]
    area: Jurisdiction | None

    @property
    def required(self) -> list[Party]:
        return [Party(p.code, p.role, p.org) for p in self.parties]

    def org_of(self, party: AcceptanceParty) -> str | None:
        """The org that signs for `party`: the project's, or for an office the jurisdiction's."""
        if party.org is not None or self.area is None:
            return party.org
        return self.area.org_for(party.role)

    @property
    def current_round(self) -> AcceptanceRound:
        return self.rounds[-1]

    def signatures_of(self, number: int) -> list[Signature]:
        return [s for s in self.signatures if s.round == number]


@dataclass(frozen=True)
class Dossier:
    """What the committee sees: the acceptance and the project's unresolved complaints."""

    aggregate: AcceptanceAggregate
    unresolved_complaints: list[ComplaintView]


async def lock(session: AsyncSession, acceptance_id: str, *, if_match: str | None
               ) -> AcceptanceAggregate:
    """The acceptance locked until the transaction ends (`If-Match` checked on it), whole."""
    acceptance = await load_for_update(session, Acceptance, acceptance_id, "acceptance",
                                       if_match=if_match)
    return await _with_parts(session, acceptance, fresh=True)


async def lock_of_project(session: AsyncSession, project_id: str) -> AcceptanceAggregate | None:
    """The project's acceptance, locked and whole; None before `project.completed` opened one.

    A session that does not exist yet cannot be locked: the unique `project_id` refuses a
    second one (and a project's events arrive in order, on one partition).
    """
    statement = (select(Acceptance).where(col(Acceptance.project_id) == project_id)
                 .with_for_update().execution_options(populate_existing=True))
    acceptance = (await session.scalars(statement)).one_or_none()
    return None if acceptance is None else await _with_parts(session, acceptance, fresh=True)


async def read(session: AsyncSession, acceptance_id: str) -> AcceptanceAggregate:
    """The acceptance for reading (no lock), whole; 404 if there is none."""
    acceptance = await get_or_404(session, Acceptance, acceptance_id, "acceptance")
    return await _with_parts(session, acceptance, fresh=False)


async def _with_parts(session: AsyncSession, acceptance: Acceptance, *, fresh: bool
                      ) -> AcceptanceAggregate:
    """`fresh`: refresh rows already in the session, so a locked load sees committed state."""
    options = {"populate_existing": fresh}
    parties = await session.scalars(
        select(AcceptanceParty).execution_options(**options)
        .where(col(AcceptanceParty.acceptance_id) == acceptance.id)
        .order_by(col(AcceptanceParty.ordinal))
    )
    rounds = await session.scalars(
        select(AcceptanceRound).execution_options(**options)
        .where(col(AcceptanceRound.acceptance_id) == acceptance.id)
        .order_by(col(AcceptanceRound.number))
    )
    signatures = await session.scalars(
        select(Signature).execution_options(**options)
        .where(col(Signature.acceptance_id) == acceptance.id)
        .order_by(col(Signature.position))
    )
    area = await jurisdiction_of(session, COMMUNITY_JURISDICTIONS, acceptance.community_id)
    return AcceptanceAggregate(acceptance, list(parties), list(rounds), list(signatures), area)


async def _visible(session: AsyncSession, principal: Principal) -> Select[Any]:
    """The acceptances `principal` may read (the rule of `access.ensure_may_read`)."""
    statement = select(Acceptance)
    if principal.has_any(BROAD_READERS):
        return statement
    if principal.org is None:
        return statement.where(false())
    own_party = (
        exists()
        .where(col(AcceptanceParty.acceptance_id) == col(Acceptance.id))
        .where(col(AcceptanceParty.org) == principal.org)
        .where(col(AcceptanceParty.role).in_(unit_roles(principal)))
    )
    in_area = col(Acceptance.community_id).in_(sorted(await communities_served(
        session, COMMUNITY_JURISDICTIONS, principal, office_roles(principal))))
    return statement.where(or_(own_party, in_area))


async def page_visible(
    session: AsyncSession, principal: Principal, *, project_id: str | None, limit: int,
    cursor: str | None,
) -> tuple[list[Acceptance], str | None]:
    """One page of the acceptances `principal` may read, oldest first, optionally of one
    project."""
    statement = await _visible(session, principal)
    if project_id is not None:
        statement = statement.where(col(Acceptance.project_id) == project_id)
    return await keyset_page(session, statement, _PAGE_KEYS, limit=limit, cursor=cursor)


async def load_dossier(session: AsyncSession, aggregate: AcceptanceAggregate) -> Dossier:
    rows = await session.scalars(
        select(ComplaintView)
        .where(col(ComplaintView.project_id) == aggregate.acceptance.project_id)
        .where(col(ComplaintView.status).not_in(_RESOLVED))
        .order_by(col(ComplaintView.occurred_at), col(ComplaintView.complaint_id))
    )
    return Dossier(aggregate, list(rows))


_VIEWS: Table = ComplaintView.__table__  # type: ignore[attr-defined]
_Upsert = postgresql.Insert | sqlite.Insert


def _latest_wins(insert: _Upsert) -> _Upsert:
    """Insert a complaint's first fact; a later one moves status, category and time forward.

    `kind` and `project_id` keep their first values; a fact older than the row changes nothing.
    """
    return insert.on_conflict_do_update(
        index_elements=[_VIEWS.c.complaint_id],
        set_={name: insert.excluded[name] for name in ("status", "category", "occurred_at")},
        where=_VIEWS.c.occurred_at <= insert.excluded.occurred_at,
    )


_UPSERT = {
    "postgresql": _latest_wins(postgresql.insert(_VIEWS)),
    "sqlite": _latest_wins(sqlite.insert(_VIEWS)),
}


async def save_complaint_views(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Upsert complaint views, each kept at its latest fact; no row is read into the session."""
    if rows:
        await session.execute(_UPSERT[session.get_bind().dialect.name], list(rows))
