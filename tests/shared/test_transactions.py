"""One owner of a transaction: `Database.commit` writes staged events, then after-commit work."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.clock import utcnow
from shared.db import Database, new_id
from shared.events import Event
from shared.outbox import add_event
from tests.shared.outbox_support import infra_database, unsent


def _event(key: str) -> Event:
    return Event(id=new_id(), source="/tests/tx", type="test.outbox_checked", subject=key,
                 time=utcnow(), data={})


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    return await infra_database(f"sqlite+aiosqlite:///{tmp_path / 'tx.db'}")


async def test_a_transaction_writes_its_staged_events_and_then_runs_the_after_commit_work(
        db: Database) -> None:
    woken: list[int] = []
    db.after_commit(lambda: woken.append(1))
    event = _event("k1")
    async with db.transaction() as session:
        await add_event(session, "tx-test", event)
        assert woken == []
    assert woken == [1]
    assert await unsent(db) == [event.id]
    await db.dispose()


async def test_a_rolled_back_transaction_writes_no_event_and_wakes_nobody(db: Database) -> None:
    woken: list[int] = []
    db.after_commit(lambda: woken.append(1))
    with pytest.raises(RuntimeError, match="boom"):
        async with db.transaction() as session:
            await add_event(session, "tx-test", _event("k1"))
            raise RuntimeError("boom")
    assert await unsent(db) == []
    assert woken == []
    await db.dispose()


async def test_a_commit_that_bypasses_the_owner_is_refused_rather_than_losing_events(
        db: Database) -> None:
    async with db.sessions() as session:
        await add_event(session, "tx-test", _event("k1"))
        with pytest.raises(RuntimeError, match="would be lost"):
            await session.commit()
        await session.rollback()
    assert await unsent(db) == []
    await db.dispose()


async def test_a_handed_over_session_commits_through_the_same_owner(db: Database) -> None:
    """What the Idempotency-Key middleware does with a keyed request's session."""
    woken: list[int] = []
    db.after_commit(lambda: woken.append(1))
    event = _event("k2")
    session = db.sessions()
    try:
        await add_event(session, "tx-test", event)
        await db.commit(session)
    finally:
        await session.close()
    assert await unsent(db) == [event.id]
    assert woken == [1]
    await db.dispose()
