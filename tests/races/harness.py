"""Racing one request against itself on PostgreSQL, and judging how it ended.

A `Race` fires N copies of the same request at once (each with its own Idempotency-Key, so
the idempotency layer cannot hide anything) against a service running on real PostgreSQL:
SQLite serialises writers and would hide every race. The outcome is compared with the same
request sent once, alone, against an identical world: the outbox rows it added and the
version steps of the aggregate it changed.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import text

from tests.reliability.authz_callers import caller_headers
from tests.reliability.authz_worlds import World, request_for
from tests.support import ServiceHarness

__all__ = ["CONTENDERS", "Exempt", "Outcome", "Prepare", "Race", "judge", "run_once", "run_race"]

CONTENDERS = 12
Prepare = Callable[[ServiceHarness, World], Awaitable[None]]


async def _nothing(svc: ServiceHarness, world: World) -> None:
    return None


@dataclass(frozen=True)
class Race:
    """How N identical concurrent requests must end.

    - `one`: the precondition (the same `If-Match`, or the same prior state) admits one
      winner; the others get 409 or 412; one row change, one set of events.
    - `same`: the request is idempotent by nature (content-addressed upload, a batch item's
      own key): every copy succeeds with the same result, one effect, one set of events.
    - `each`: every copy is its own act (a new report, a new progress report, a replacing
      ballot): every copy succeeds and each adds exactly what one request alone adds.
    """

    kind: Literal["one", "same", "each"]
    prepare: Prepare = _nothing
    caller: str = "admin"
    # Path template of the resource whose `version` is sent as If-Match (and compared).
    version_of: str | None = None
    # A JSON body instead of the authorization matrix's (which need only pass the checks).
    json: dict[str, Any] | None = None
    why: str = ""


@dataclass(frozen=True)
class Exempt:
    """An operation left out of the race table, with the reason."""

    why: str


@dataclass
class Outcome:
    statuses: list[int]
    events: int
    version_step: int | None
    bodies: list[Any] = field(default_factory=list)


async def _outbox_rows(svc: ServiceHarness) -> int:
    async with svc.ctx.db.sessions() as session:
        return int((await session.execute(text("SELECT count(*) FROM outbox"))).scalar_one())


async def _version(svc: ServiceHarness, world: World, race: Race) -> int | None:
    if race.version_of is None:
        return None
    response = await svc.client.get(race.version_of.format(**world.ids),
                                    headers=svc.auth("admin"))
    assert response.status_code == 200, response.text
    return int(response.json()["version"])


async def _send(svc: ServiceHarness, operation: str, world: World, race: Race, copies: int
                ) -> Outcome:
    await race.prepare(svc, world)
    request = request_for(operation, world, race.caller)
    if race.json is not None:
        request["json"] = race.json
    headers = caller_headers(svc, race.caller, world.tokens)
    before_version = await _version(svc, world, race)
    if before_version is not None:
        headers["If-Match"] = f'"{before_version}"'
    before_events = await _outbox_rows(svc)

    async def one() -> Any:
        keyed = {**headers, "Idempotency-Key": uuid.uuid4().hex}
        return await svc.client.request(**request, headers=keyed)

    responses = await asyncio.gather(*(one() for _ in range(copies)))
    after_version = await _version(svc, world, race)
    step = None if before_version is None or after_version is None else (
        after_version - before_version)
    return Outcome(statuses=[r.status_code for r in responses],
                   events=await _outbox_rows(svc) - before_events, version_step=step,
                   bodies=[r.json() if r.content else None for r in responses])


async def run_once(svc: ServiceHarness, operation: str, world: World, race: Race) -> Outcome:
    return await _send(svc, operation, world, race, 1)


async def run_race(svc: ServiceHarness, operation: str, world: World, race: Race) -> Outcome:
    return await _send(svc, operation, world, race, CONTENDERS)


def judge(operation: str, race: Race, alone: Outcome, raced: Outcome) -> list[str]:
    """What is wrong with `raced`, measured against the request sent `alone`."""
    problems: list[str] = []
    if not all(200 <= s < 300 for s in alone.statuses):
        return [f"{operation}: the request alone did not succeed: {alone.statuses} "
                f"{alone.bodies}"]
    won = [s for s in raced.statuses if 200 <= s < 300]
    lost = [s for s in raced.statuses if not 200 <= s < 300]
    if race.kind == "one":
        if len(won) != 1 or any(s not in (409, 412) for s in lost):
            problems.append(f"{operation}: want one success and 409/412 for the rest, "
                            f"got {sorted(raced.statuses)}")
        expected_events, expected_step = alone.events, alone.version_step
    else:
        if lost:
            problems.append(f"{operation}: want every copy to succeed, got "
                            f"{sorted(raced.statuses)}")
        copies = len(raced.statuses) if race.kind == "each" else 1
        expected_events = alone.events * copies
        expected_step = None if alone.version_step is None else alone.version_step * copies
    if race.kind == "same" and len({_identity(b) for b in raced.bodies}) != 1:
        problems.append(f"{operation}: copies answered with different results")
    if raced.events != expected_events:
        problems.append(f"{operation}: {raced.events} events, want {expected_events}")
    if raced.version_step != expected_step:
        problems.append(f"{operation}: version moved {raced.version_step}, want {expected_step}")
    return problems


def _identity(body: Any) -> str:
    """What makes two answers the same result: the resource id, or a batch's report ids."""
    if isinstance(body, dict) and "id" in body:
        return str(body["id"])
    if isinstance(body, dict) and "items" in body:
        return str([item.get("report", item).get("id") for item in body["items"]])
    return str(body)
