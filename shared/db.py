"""Async database access for PostgreSQL (asyncpg) and SQLite (aiosqlite).

Each service owns one database. Tables are SQLModel classes on the service's own registry
(`service_registry()`), so the four services never share metadata even in one process.
Sessions never commit inside services: `Database.transaction` / `Database.commit` do, for a
request, a keyed request, a consumed event and a background task alike.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Table, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from shared.staging import write_staged_events
from shared.tables import INFRA_METADATA, InfraTable, UTCDateTime, new_id, service_registry

__all__ = [
    "INFRA_METADATA",
    "Database",
    "InfraTable",
    "UTCDateTime",
    "database_unavailable",
    "insert_skipping_conflicts",
    "new_id",
    "service_registry",
]

# SQLSTATEs of a server that is away rather than of a bad statement: connection exceptions,
# shutting down / starting up / crash recovery, too many connections.
_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")


def insert_skipping_conflicts(
    session: AsyncSession, table: Table, *unique_columns: str
) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into `table` that skips rows clashing on the unique `unique_columns`.

    `ON CONFLICT (...) DO NOTHING` on PostgreSQL and SQLite alike: one statement where a
    "SELECT, then INSERT" would take two round trips and still race. Add `.returning(...)`
    to learn which rows went in.
    """
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=unique_columns)
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=unique_columns)


def database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` means the database cannot be reached now (answer 503), not a bug.

    asyncpg reports a restarting server as a plain `DBAPIError` ("the database system is
    shutting down", "terminating connection due to administrator command"), so the SQLSTATE
    is what tells.
    """
    if isinstance(exc, OperationalError | InterfaceError | OSError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    return exc.connection_invalidated or sqlstate.startswith(_UNAVAILABLE_SQLSTATES)


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys, and BEGIN IMMEDIATE: writers queue instead of failing with 'locked'."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """An engine and a session factory for one service's database."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 16) -> None:
        """`pool_size` connections stay open once used; a quarter more open under bursts.

        No pre-ping on checkout (it costs three round trips with asyncpg: BEGIN, ping,
        ROLLBACK). A pooled connection broken by a server restart fails its first statement
        with a disconnect error instead: SQLAlchemy then invalidates every connection of the
        pool opened before that moment, that one request answers 503, and the next checkouts
        open fresh connections.
        """
        self.url = url
        kwargs: dict[str, Any] = {"echo": echo}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs.update(pool_size=pool_size, max_overflow=max(1, pool_size // 4))
        self.engine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._after_commit: list[Callable[[], None]] = []

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def after_commit(self, hook: Callable[[], None]) -> None:
        """Run `hook` after every commit of this database (the relay's wake-up)."""
        self._after_commit.append(hook)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session committed by `commit` on success and rolled back on any error.

        Every transaction of a service goes through here or through `commit`: a plain
        request, a keyed (Idempotency-Key) request, a consumed event, a background task.
        """
        async with self.sessions() as session:
            try:
                yield session
                await self.commit(session)
            except BaseException:
                await session.rollback()
                raise

    async def commit(self, session: AsyncSession) -> None:
        """The one commit: staged events go into the outbox last, then the after-commit work."""
        await write_staged_events(session)
        await session.commit()
        for hook in self._after_commit:
            hook()

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()
