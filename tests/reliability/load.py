"""A paced load of mixed writes over HTTP, sent as a mobile app sends them.

Every write carries an `Idempotency-Key`; on a connection error, a timeout, a 503 or a 409
"still in progress" (with `Retry-After`) the client sends the SAME request with the SAME key
again, with bounded exponential backoff. Every attempt is recorded (when, and its status or
error) so that the test can check afterwards what was accepted, what was retried and which
5xx answers came back when. A unique marker in each body lets the test count, in the
database, how many rows each logical write created.

Journeys (one worker runs one journey's writes in order): a resident's complaint on a project
site, sometimes taken through the workflow (acknowledge, assign, resolve, confirm); a
property-service complaint on a compound; a contractor's progress report; a hidden work,
sometimes inspected; a compound registered.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.e2e.basics import COMMUNITY, CONTRACTOR, SUPERVISOR, Actors, SuiteHost
from tests.e2e.residents import complaint_body
from tests.e2e.works import approved_project, progress_body, publish_board, start_construction

__all__ = ["Attempt", "Load", "LoadPlan", "World", "Write", "prepare_world", "run_load",
           "summary"]

# A client gives up on a write after this long (it outlasts an Idempotency-Key claim left by
# a crashed request, which a retry may take over after 30 s).
RETRY_BUDGET_SECONDS = 90.0
TIMEOUT_SECONDS = 20.0
STEPS = (("acknowledge", "subdistrict"), ("assign", "subdistrict"), ("resolve", "contractor"),
         ("confirm", "reporter"))
STEP_BODIES: dict[str, dict[str, Any]] = {
    "acknowledge": {}, "assign": {},
    "resolve": {"resolution": "night work stopped; schedule posted at the gate"},
    "confirm": {"satisfaction": 4},
}


@dataclass(frozen=True)
class Attempt:
    at: float  # seconds since the load started
    status: int | None
    error: str | None = None


@dataclass
class Write:
    """One logical write and every attempt the client made to get it through."""

    kind: str
    service: str
    path: str
    key: str
    marker: str
    attempts: list[Attempt] = field(default_factory=list)
    body: Any = None

    @property
    def status(self) -> int | None:
        return self.attempts[-1].status if self.attempts else None

    @property
    def accepted(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def resource_id(self) -> str | None:
        return str(self.body["id"]) if self.accepted and isinstance(self.body, dict) else None


@dataclass
class World:
    """What the load writes against: started project sites and registered compounds."""

    project_ids: list[str]
    compound_ids: list[str]


@dataclass(frozen=True)
class LoadPlan:
    writes: int  # at least this many logical writes
    rate: float  # writes started per second at most (the faults are timed against it)
    concurrency: int = 24
    seed: int = 20260310


def _retry_delay(attempt: int, response: httpx.Response | None) -> float:
    hinted = response.headers.get("retry-after") if response is not None else None
    if hinted and hinted.isdigit():
        return float(hinted)
    backoff: float = min(0.2 * 2 ** attempt, 3.0)
    return backoff * random.uniform(0.8, 1.2)


def _retryable(response: httpx.Response) -> bool:
    if response.status_code in (429, 503):
        return True
    return response.status_code == 409 and "retry-after" in response.headers


class Load:
    """The clients, the pacing and the record of every write."""

    def __init__(self, host: SuiteHost, who: Actors, plan: LoadPlan) -> None:
        self.host = host
        self.who = who
        self.plan = plan
        self.writes: list[Write] = []
        self.started = time.monotonic()
        self._tickets = 0
        self._tokens: dict[str, dict[str, str]] = {}

    def now(self) -> float:
        return time.monotonic() - self.started

    def auth(self, role: str, org: str | None = None) -> dict[str, str]:
        cached = self._tokens.get(f"{role}/{org}")
        if cached is None:
            cached = self._tokens[f"{role}/{org}"] = self.who.headers(role, org)
        return cached

    async def _paced(self) -> None:
        """Start at most `plan.rate` writes a second, so the run lasts long enough for the
        faults scheduled against it."""
        self._tickets += 1
        delay = self._tickets / self.plan.rate - self.now()
        if delay > 0:
            await asyncio.sleep(delay)

    async def write(self, kind: str, service: str, path: str, body: Any,
                    headers: dict[str, str], marker: str = "") -> Write:
        await self._paced()
        write = Write(kind=kind, service=service, path=path, key=uuid.uuid4().hex,
                      marker=marker)
        self.writes.append(write)
        client = self.host.client(service)
        deadline = self.now() + RETRY_BUDGET_SECONDS
        attempt = 0
        while self.now() < deadline:
            response: httpx.Response | None = None
            try:
                response = await client.post(path, json=body, timeout=TIMEOUT_SECONDS,
                                             headers={**headers, "Idempotency-Key": write.key})
            except httpx.TransportError as exc:
                write.attempts.append(Attempt(self.now(), None, type(exc).__name__))
            else:
                write.attempts.append(Attempt(self.now(), response.status_code))
                if not _retryable(response):
                    write.body = response.json() if response.content else None
                    return write
            await asyncio.sleep(_retry_delay(attempt, response))
            attempt += 1
        return write


# -- journeys -------------------------------------------------------------------------------

Journey = Callable[[Load, World, random.Random], Awaitable[None]]


def _marker(kind: str) -> str:
    return f"load-{kind}-{uuid.uuid4().hex}"


async def project_complaint(load: Load, world: World, rng: random.Random) -> None:
    """A resident reports a site; half the reports are then handled to the end."""
    marker = _marker("complaint")
    body = {**complaint_body(rng.choice(world.project_ids), rng.choice(["noise", "dust"]),
                             with_contact=False), "description": marker}
    filed = await load.write("complaint", "complaints", "/complaints", body, {}, marker)
    if not filed.accepted:
        return
    complaint_id, reporter = filed.body["id"], {
        "Authorization": f"Bearer {filed.body['access_token']}"}
    for action, role in STEPS[:rng.choice([0, 0, 1, 4, 4])]:
        headers = reporter if role == "reporter" else load.auth(
            role, CONTRACTOR if role == "contractor" else None)
        step = await load.write(f"step:{action}", "complaints",
                                f"/complaints/{complaint_id}/{action}", STEP_BODIES[action],
                                headers, marker)
        if not step.accepted:
            return


async def compound_complaint(load: Load, world: World, rng: random.Random) -> None:
    marker = _marker("property-complaint")
    body = {"kind": "complaint", "category": "property_service", "community_id": COMMUNITY,
            "compound_id": rng.choice(world.compound_ids), "description": marker,
            "anonymous": True}
    await load.write("complaint", "complaints", "/complaints", body, {}, marker)


async def progress_report(load: Load, world: World, rng: random.Random) -> None:
    # One percentage for every report: progress may not go back, and concurrent reports of
    # one site arrive in any order.
    body = {**progress_body(50, "structure"), "note": _marker("progress")}
    await load.write("progress", "projects", f"/projects/{rng.choice(world.project_ids)}/progress",
                     body, load.auth("contractor", CONTRACTOR), body["note"])


async def hidden_work(load: Load, world: World, rng: random.Random) -> None:
    marker = _marker("hidden-work")
    work = await load.write(
        "hidden_work", "projects", f"/projects/{rng.choice(world.project_ids)}/hidden-works",
        {"name": "drainage pipe", "location": "gate 2", "description": marker},
        load.auth("contractor", CONTRACTOR), marker)
    if work.accepted and rng.random() < 0.5:
        await load.write("inspection", "projects", f"/hidden-works/{work.resource_id}/inspect",
                         {"verdict": "pass", "note": "bedding and joints checked"},
                         load.auth("supervisor", SUPERVISOR), marker)


async def register_compound(load: Load, world: World, rng: random.Random) -> None:
    marker = _marker("compound")
    await load.write("compound", "property", "/compounds",
                     {"community_id": COMMUNITY, "name": marker,
                      "households": rng.randint(20, 400), "total_area_m2": "5000.00",
                      "has_property_management": rng.random() < 0.5},
                     load.auth("subdistrict"), marker)


JOURNEYS: list[tuple[Journey, int]] = [
    (project_complaint, 40), (compound_complaint, 15), (progress_report, 20), (hidden_work, 15),
    (register_compound, 10),
]


async def run_load(load: Load, world: World, busy: Callable[[], bool]) -> None:
    """Run journeys with bounded concurrency until at least `plan.writes` writes were made
    and `busy()` (the faults being injected) says to stop."""
    kinds, weights = [j for j, _ in JOURNEYS], [w for _, w in JOURNEYS]

    async def worker(seed: int) -> None:
        rng = random.Random(seed)
        while len(load.writes) < load.plan.writes or busy():
            await rng.choices(kinds, weights)[0](load, world, rng)

    seeds = random.Random(load.plan.seed)
    load.started = time.monotonic()
    await asyncio.gather(*(worker(seeds.randrange(2**32)) for _ in range(load.plan.concurrency)))


# -- the world the load writes against ------------------------------------------------------

async def prepare_world(host: SuiteHost, who: Actors, projects: int = 4,
                        compounds: int = 4) -> World:
    """Started project sites that complaints already knows, and registered compounds."""
    today = datetime.now(UTC).date()
    project_ids = []
    for _ in range(projects):
        project_id = await approved_project(host, who, COMMUNITY, today - timedelta(days=30),
                                            today + timedelta(days=60))
        await publish_board(host, who, project_id)
        await start_construction(host, who, project_id)
        project_ids.append(project_id)
    compound_ids = []
    for n in range(compounds):
        response = await host.client("property").post(
            "/compounds", headers=who.headers("subdistrict"),
            json={"community_id": COMMUNITY, "name": f"Compound {n}", "households": 100,
                  "total_area_m2": "9000.00", "has_property_management": False})
        assert response.status_code == 201, response.text
        compound_ids.append(response.json()["id"])
    return World(project_ids=project_ids, compound_ids=compound_ids)


def summary(writes: list[Write]) -> dict[str, Any]:
    """Figures of a run: writes, attempts, retries and final statuses."""
    attempts = [a for w in writes for a in w.attempts]
    return {
        "writes": len(writes),
        "accepted": sum(w.accepted for w in writes),
        "requests": len(attempts),
        "retried_writes": sum(len(w.attempts) > 1 for w in writes),
        "retries": len(attempts) - len(writes),
        "longest_retried_write_seconds": round(max(
            (w.attempts[-1].at - w.attempts[0].at for w in writes if len(w.attempts) > 1),
            default=0.0), 1),
        "attempt_outcomes": dict(Counter(str(a.status or a.error) for a in attempts)),
        "final_statuses": dict(Counter(str(w.status) for w in writes)),
        "by_kind": dict(Counter(w.kind for w in writes)),
    }

