"""Run every operation of a service as every caller of the matrix; returns the statuses."""

from __future__ import annotations

from typing import Any

from tests.reliability.authz_callers import COLUMNS, caller_headers
from tests.reliability.authz_worlds import WORLDS, request_for
from tests.support import ServiceHarness

DENIED = frozenset({401, 403, 404})


def operations_of(svc: ServiceHarness) -> list[str]:
    """'METHOD /path' of every route the app serves (from the app's own OpenAPI document)."""
    app: Any = svc.app
    spec = app.openapi()
    return sorted(f"{method.upper()} {path}" for path, ops in spec["paths"].items()
                  for method in ops)


async def observe(svc: ServiceHarness, service: str, operation: str, *,
                  world_per_caller: bool = False) -> dict[str, int]:
    """Status per column for one operation: one fresh world for the operation (or, slower
    but independent of the order of the callers, one per caller)."""
    statuses: dict[str, int] = {}
    world = await WORLDS[service](svc)
    for column in COLUMNS:
        if world_per_caller and column != COLUMNS[0]:
            world = await WORLDS[service](svc)
        request = request_for(operation, world, column)
        headers = caller_headers(svc, column, world.tokens)
        response = await svc.client.request(**request, headers=headers)
        assert response.status_code < 500, f"{operation} as {column}: {response.text}"
        statuses[column] = response.status_code
    return statuses


def allowed(statuses: dict[str, int]) -> frozenset[str]:
    return frozenset(column for column, status in statuses.items() if status not in DENIED)
