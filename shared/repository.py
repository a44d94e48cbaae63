"""The one way a row is read for a write, locked, and its version checked.

Every state change in the four services loads its aggregate with `load_for_update`: on
PostgreSQL a `SELECT … FOR UPDATE` that waits for a concurrent writer of the same row and then
sees its committed result (READ COMMITTED re-reads the locked row), so the rule that decides
the transition always runs on the current state and a race has exactly one winner; the
others then find the new state (409) or a newer version (412). SQLite takes its write lock at
BEGIN (`BEGIN IMMEDIATE`, see `shared.db`), which serialises writers the same way.

`If-Match` is checked on the locked row, never on an earlier unlocked read.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import Invalid, NotFound, PreconditionFailed

__all__ = ["bump_version", "check_version", "get_or_404", "load_for_update", "parse_if_match"]

_Row = TypeVar("_Row")


async def get_or_404(session: AsyncSession, model: type[_Row], key: Any, what: str) -> _Row:
    """The `model` row with primary key `key` for reading, or a 404 problem naming `what`."""
    row = await session.get(model, key)
    if row is None:
        raise NotFound(f"no {what} {key}")
    return row


async def load_for_update(session: AsyncSession, model: type[_Row], key: Any, what: str, *,
                          if_match: str | None = None) -> _Row:
    """The row locked until the transaction ends, with `If-Match` checked on it.

    Always reads from the database (`populate_existing`), so an object already in the
    session's identity map is refreshed to the state the lock protects.
    """
    row = await session.get(model, key, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFound(f"no {what} {key}")
    if if_match is not None:
        check_version(if_match, int(row.version))  # type: ignore[attr-defined]
    return row


def parse_if_match(if_match: str) -> int:
    """The version an `If-Match` names: `3`, `"3"` and `W/"3"` all name version 3."""
    raw = if_match.strip().removeprefix("W/").strip('"')
    if not raw.isdigit():
        raise Invalid("If-Match must be the resource version number", field="If-Match")
    return int(raw)


def check_version(if_match: str | None, current: int) -> None:
    """Optimistic concurrency: `If-Match: <version>` must name the current version (412)."""
    if if_match is None:
        return
    expected = parse_if_match(if_match)
    if expected != current:
        raise PreconditionFailed(
            f"resource is at version {current}, not {expected}", current_version=current
        )


def bump_version(*rows: Any) -> None:
    """Count a change of each locked row: its `version` goes up by one."""
    for row in rows:
        row.version += 1
