"""Inbox: the ids of events a consumer group has applied, written in the handler's transaction.

A redelivered event finds its id here and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Column, String, Table, bindparam, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert
from sqlmodel import Field

from shared.clock import utcnow
from shared.db import InfraTable, UTCDateTime, insert_skipping_conflicts

__all__ = ["InboxRecord", "record_first_delivery", "record_new_deliveries"]


class InboxRecord(InfraTable, table=True):
    __tablename__ = "inbox"

    event_id: str = Field(sa_column=Column(String(64), primary_key=True))
    consumer: str = Field(sa_column=Column(String(200), nullable=False))
    event_type: str = Field(sa_column=Column(String(200), nullable=False))
    processed_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


_table: Table = InboxRecord.__table__  # type: ignore[attr-defined]


async def record_new_deliveries(
    session: AsyncSession, deliveries: Sequence[tuple[str, str]], *, consumer: str
) -> set[str]:
    """Record `(event_id, event_type)` pairs as applied; return the ids that were new.

    One `INSERT ... ON CONFLICT DO NOTHING RETURNING` for all of them, in the caller's
    transaction. An id already recorded (a redelivery) is left out of the result, one that
    another transaction is recording waits for its outcome, and twins count once. No ORM
    objects are built: the rows are never read back in the session.
    """
    if not deliveries:
        return set()
    ids, types = zip(*dict(deliveries).items(), strict=True)
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        inserted = await session.scalars(_INSERT_UNNESTED, {
            "event_ids": list(ids), "event_types": list(types), "consumer": consumer,
            "processed_at": now,
        })
    else:
        statement = insert_skipping_conflicts(session, _table, "event_id")
        inserted = await session.scalars(
            statement.returning(_table.c.event_id),
            [{"event_id": event_id, "consumer": consumer, "event_type": event_type,
              "processed_at": now} for event_id, event_type in zip(ids, types, strict=True)],
        )
    return set(inserted)


def _insert_unnested() -> ReturningInsert[Any]:
    """PostgreSQL: the rows as two arrays, unnested, so the statement never changes."""
    rows = func.unnest(
        bindparam("event_ids", type_=postgresql.ARRAY(String)),
        bindparam("event_types", type_=postgresql.ARRAY(String)),
    ).table_valued("event_id", "event_type").render_derived(name="deliveries")
    source = select(
        rows.c.event_id, bindparam("consumer", type_=String), rows.c.event_type,
        bindparam("processed_at", type_=UTCDateTime),
    )
    return (
        postgresql.insert(_table)
        .from_select(["event_id", "consumer", "event_type", "processed_at"], source)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(_table.c.event_id)
    )


_INSERT_UNNESTED = _insert_unnested()


async def record_first_delivery(
    session: AsyncSession, *, event_id: str, event_type: str, consumer: str
) -> bool:
    """Record the event as applied; False when it already was (a redelivery)."""
    return bool(await record_new_deliveries(session, [(event_id, event_type)],
                                            consumer=consumer))
