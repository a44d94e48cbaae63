"""Helpers for the personal-data and jurisdiction tests: office tokens of a community, a
report taken to `closed`, and everything the service stored or published, as text."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import inspect, text

from shared.jurisdiction import seeded_jurisdiction
from tests.complaints.conftest import bearer
from tests.support import ServiceHarness

# What the reporter of `report_body()` gave, in every form it could be stored in.
REPORTER_NAME, REPORTER_PHONE = "陈小明", "13712345678"


def office(svc: ServiceHarness, role: str = "subdistrict", community: str = "shentian",
           *, sub: str | None = None) -> dict[str, str]:
    """The Authorization header of an office (`district_bureau`, `subdistrict`,
    `community`) of `community`, by its seeded org."""
    jurisdiction = seeded_jurisdiction(community)
    assert jurisdiction is not None
    return svc.auth(role, org=jurisdiction.org_for(role), sub=sub or f"{role}-{community}")


async def ok(svc: ServiceHarness, method: str, path: str, headers: dict[str, str],
             body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await svc.client.request(method, path, headers=headers, json=body)
    assert response.is_success, f"{method} {path}: {response.text}"
    return response.json() if response.content else {}


async def close_report(svc: ServiceHarness, complaint_id: str, access_token: str) -> None:
    """Acknowledge, assign, resolve (staff of shentian), then the reporter confirms."""
    staff = office(svc)
    path = f"/complaints/{complaint_id}"
    await ok(svc, "POST", f"{path}/acknowledge", staff)
    await ok(svc, "POST", f"{path}/assign", staff, {})
    await ok(svc, "POST", f"{path}/resolve", staff, {"resolution": "Stopped at 22:00."})
    await ok(svc, "POST", f"{path}/confirm", bearer(access_token), {"satisfaction": 4})


def forms_of(value: str) -> list[str]:
    """`value` as stored raw, and as JSON escapes it (`\\u9648...`)."""
    return sorted({value, json.dumps(value)[1:-1]})


async def stored_rows(svc: ServiceHarness) -> dict[str, list[str]]:
    """Every row of every table of the service's database, as text, per table."""
    async with svc.ctx.db.sessions() as session:
        connection = await session.connection()
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        found: dict[str, list[str]] = {}
        for name in names:
            rows = (await session.execute(text(f'SELECT * FROM "{name}"'))).all()
            found[name] = [" | ".join(_as_text(value) for value in row) for row in rows]
    return found


def _as_text(value: object) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return value if isinstance(value, str) else repr(value)


async def published_text(svc: ServiceHarness) -> str:
    """Every event the service published, as the bytes on the bus."""
    await svc.published()  # relays what is still in the outbox first
    messages = await svc.read_topic(svc.ctx.definition.topic)
    return "\n".join(m.value.decode("utf-8") for m in messages)
