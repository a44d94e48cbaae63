"""Inbox: the ids of events a consumer group has applied, written in the handler's transaction.

A redelivered event finds its id here and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Column, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, col, select

from shared.clock import utcnow
from shared.db import InfraTable, UTCDateTime

__all__ = ["InboxRecord", "already_applied", "record_delivery", "record_first_delivery"]


class InboxRecord(InfraTable, table=True):
    __tablename__ = "inbox"

    event_id: str = Field(sa_column=Column(String(64), primary_key=True))
    consumer: str = Field(sa_column=Column(String(200), nullable=False))
    event_type: str = Field(sa_column=Column(String(200), nullable=False))
    processed_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


async def already_applied(session: AsyncSession, event_ids: Sequence[str]) -> set[str]:
    """Which of `event_ids` this database has already applied."""
    if not event_ids:
        return set()
    found = await session.scalars(
        select(InboxRecord.event_id).where(col(InboxRecord.event_id).in_(event_ids))
    )
    return set(found)


def record_delivery(session: AsyncSession, *, event_id: str, event_type: str,
                    consumer: str) -> None:
    """Record the event as applied, in the caller's transaction (written at flush)."""
    session.add(InboxRecord(event_id=event_id, event_type=event_type, consumer=consumer,
                            processed_at=utcnow()))


async def record_first_delivery(
    session: AsyncSession, *, event_id: str, event_type: str, consumer: str
) -> bool:
    """Record the event as applied; False when it already was (a redelivery)."""
    if await session.get(InboxRecord, event_id) is not None:
        return False
    session.add(
        InboxRecord(event_id=event_id, event_type=event_type, consumer=consumer,
                    processed_at=utcnow())
    )
    await session.flush()
    return True
