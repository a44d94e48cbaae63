"""What every scenario step builds on: the host interface, the run record, the actors'
tokens, one HTTP call with its expected status, and polling for event-driven steps."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

import httpx

from shared.jurisdiction import seeded_jurisdiction
from tests.support import eventually as poll_until

__all__ = ["BUILDER", "COMMUNITY", "CONTRACTOR", "LAGGING_COMMUNITY", "Actors", "Run", "SuiteHost",
           "call", "eventually"]

COMMUNITY = "shengguang"
LAGGING_COMMUNITY = "xinxing"
BUILDER, CONTRACTOR, SUPERVISOR = "org-builder", "org-contractor", "org-supervisor"
DESIGNER, PIPELINE = "org-designer", "org-power"
# Personal data the scenario sends; none of it may appear in an event or a log line.
LIAISON = ("王建国", "13800138000")
CONTRACTOR_CONTACT = ("赵工", "13700137000")
REPORTER = ("李秀英", "13912345678")
POLL_TIMEOUT = 45.0


class SuiteHost(Protocol):
    def client(self, service: str) -> httpx.AsyncClient: ...

    def token(self, *roles: str, org: str | None = None, sub: str = "e2e") -> str: ...

    async def advance_complaints_clock(self, delta: timedelta) -> None:
        """From now on the complaints service's clock reads `delta` later."""
        ...


@dataclass
class Run:
    project_id: str = ""
    lagging_project_id: str = ""
    acceptance_id: str = ""
    complaint_ids: list[str] = field(default_factory=list)
    trial_id: str = ""
    coverage_before: dict[str, Any] = field(default_factory=dict)
    coverage_after: dict[str, Any] = field(default_factory=dict)
    personal_data: list[str] = field(
        default_factory=lambda: [*LIAISON, *CONTRACTOR_CONTACT, *REPORTER])
    tokens: list[str] = field(default_factory=list)


class Actors:
    """Tokens for the people in the scenario; remembers every token handed out."""

    def __init__(self, host: SuiteHost, run: Run) -> None:
        self._host = host
        self._run = run

    def headers(self, role: str, org: str | None = None, **extra: str) -> dict[str, str]:
        """An office (district bureau, sub-district, community) is COMMUNITY's unless `org`
        names another: offices act only in their own area."""
        if org is None and (area := seeded_jurisdiction(COMMUNITY)) is not None:
            org = area.org_for(role)
        token = self._host.token(role, org=org, sub=f"{role}-{org or 'staff'}")
        self._run.tokens.append(token)
        return {"Authorization": f"Bearer {token}", **extra}

    def bearer(self, token: str) -> dict[str, str]:
        self._run.tokens.append(token)
        return {"Authorization": f"Bearer {token}"}


async def call(client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str],
               json: Any = None, expect: tuple[int, ...] = (200, 201), **kwargs: Any) -> Any:
    response = await client.request(method, path, headers=headers, json=json, **kwargs)
    assert response.status_code in expect, f"{method} {path}: {response.status_code} " \
                                           f"{response.text}"
    return response.json()


async def eventually(check: Callable[[], Awaitable[Any]], what: str,
                     timeout: float = POLL_TIMEOUT) -> Any:
    """Poll until `check` returns something truthy (event-driven steps)."""
    return await poll_until(check, timeout=timeout, interval=0.2, what=what)
