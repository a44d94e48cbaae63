"""Table building blocks every service uses: its own registry, UTC datetimes, infra tables.

Each service owns its tables on its own registry (`service_registry()`), so the four services
never share metadata even in one process; the infrastructure tables (outbox, inbox,
idempotency keys) live on one more registry of their own and sit in every service database.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

__all__ = ["INFRA_METADATA", "InfraTable", "UTCDateTime", "new_id", "service_registry"]


def new_id() -> str:
    """A random, URL-safe identifier for new aggregates."""
    return uuid.uuid4().hex


def service_registry() -> registry:
    """A fresh SQLAlchemy registry: one per service, plus one for the shared infra tables."""
    return registry()


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class InfraTable(SQLModel, registry=registry()):
    """Base of the shared infrastructure tables (outbox, inbox, idempotency keys).

    Every service database holds them beside its own tables; migrations include both.
    """


INFRA_METADATA = InfraTable.metadata
