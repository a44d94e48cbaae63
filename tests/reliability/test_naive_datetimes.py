"""A time without an offset is refused naming its field, never guessed, never a 500 (issue 14).

Every operation of the four services' OpenAPI documents whose request body holds a
`date-time` field (at any depth: `items[].reported_at` too) is sent, against a fresh world and
by a caller the authorization matrix admits, the matrix's valid body
(`tests/reliability/authz_worlds.py`) with a naive datetime in that field: the answer is 422
naming the field. The same body with an offset is then sent as a control: it must pass
validation (any status but 422 and 5xx), so the naive value was the only thing wrong with it
and, had it been accepted, would have reached the service's own code (where comparing it with
an aware time is a TypeError).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.authz_callers import COLUMNS, caller_headers
from tests.reliability.authz_expected import EXPECTED
from tests.reliability.authz_worlds import BODIES, WORLDS, request_for
from tests.reliability.conftest import SERVICES, service_named
from tests.support import ServiceHarness

Field = tuple[str | int, ...]

# Naive values people (and apps) really send: the issue's, minute precision with a space,
# with microseconds, and a bare date (which a plain `datetime` field reads as naive midnight).
NAIVE_SHAPES = ("2026-12-01T10:00:00", "2026-12-01 10:00", "2026-12-01T10:00:00.123456",
                "2026-12-01")
AWARE_FALLBACK = "2026-12-01T10:00:00+08:00"


@dataclass(frozen=True)
class DateTimeField:
    """A `date-time` field of an operation's request body."""

    operation: str  # "POST /trials/{trial_id}/votes"
    path: Field  # ("items", 0, "reported_at")

    @property
    def name(self) -> str:
        """The field as the 422 names it (`shared.errors`: locations joined with dots)."""
        return ".".join(str(part) for part in self.path)


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _date_time_paths(spec: dict[str, Any], schema: dict[str, Any], path: Field = (),
                     depth: int = 0) -> Iterator[Field]:
    schema = _resolve(spec, schema)
    if depth > 8:
        return
    if schema.get("format") == "date-time":
        yield path
        return
    for combined in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(combined, []):
            yield from _date_time_paths(spec, part, path, depth + 1)
    for name, part in schema.get("properties", {}).items():
        yield from _date_time_paths(spec, part, (*path, name), depth + 1)
    if "items" in schema:
        yield from _date_time_paths(spec, schema["items"], (*path, 0), depth + 1)


def date_time_fields(svc: ServiceHarness) -> list[DateTimeField]:
    """Every `date-time` field of every request body the app's OpenAPI document declares."""
    app: Any = svc.app
    spec: dict[str, Any] = app.openapi()
    found: set[DateTimeField] = set()
    for route, operations in spec["paths"].items():
        for method, operation in operations.items():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                for path in _date_time_paths(spec, media.get("schema", {})):
                    found.add(DateTimeField(f"{method.upper()} {route}", path))
    return sorted(found, key=lambda f: (f.operation, f.name))


def _caller(service: str, operation: str) -> str:
    """Admin where the matrix admits it, else the first role column it admits."""
    admitted = EXPECTED[service][operation]
    return next(column for column in COLUMNS if column in admitted)


def _body_key(request: dict[str, Any]) -> str:
    return "json" if "json" in request else "data"


def _with_value(body: Any, path: Field, value: Any) -> Any:
    """A copy of `body` whose field at `path` holds `value` (created if the body lacks it)."""
    changed = copy.deepcopy(body)
    target = changed
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return changed


def _value_at(body: Any, path: Field) -> Any:
    try:
        for part in path:
            body = body[part]
    except (KeyError, IndexError, TypeError):
        return None
    return body


def _aware_values(valid: Any) -> list[str]:
    """Values with an offset: the matrix body's own, then one in the future of the worlds'
    clock (the matrix body only has to get past authorization, not be in the future)."""
    own = [valid] if isinstance(valid, str) else []
    return [*own, *(v for v in (AWARE_FALLBACK,) if v not in own)]


def _naive_values(aware: list[str]) -> list[str]:
    """The aware values without their offset first (so the body stays valid-looking in every
    other respect), then the usual naive shapes."""
    values: list[str] = []
    for value in [datetime.fromisoformat(v).replace(tzinfo=None).isoformat() for v in aware]:
        values += [] if value in values else [value]
    return [*values, *(shape for shape in NAIVE_SHAPES if shape not in values)]


@dataclass(frozen=True)
class Answer:
    status: int
    text: str
    fields: frozenset[str]

    def __str__(self) -> str:
        return f"{self.status} {self.text[:300]}"


async def _send(svc: ServiceHarness, request: dict[str, Any], headers: dict[str, str]
                ) -> Answer:
    """The answer; an exception the app raised (the test client re-raises them) is a 500."""
    try:
        response = await svc.client.request(**request, headers=headers)
    except Exception as error:  # any crash is the 500 this test looks for
        return Answer(500, f"{type(error).__name__}: {error}", frozenset())
    return Answer(response.status_code, response.text, frozenset(_named(response)))


def _named(response: Any) -> set[str]:
    try:
        errors = response.json().get("errors", [])
    except ValueError:
        return set()
    return {str(error.get("field")) for error in errors if isinstance(error, dict)}


async def _problems_of(svc: ServiceHarness, service: str, field: DateTimeField) -> list[str]:
    problems: list[str] = []
    column = _caller(service, field.operation)
    world = await WORLDS[service](svc)
    request = request_for(field.operation, world, column)
    key = _body_key(request)
    aware = _aware_values(_value_at(request[key], field.path))
    headers = caller_headers(svc, column, world.tokens)
    for naive in _naive_values(aware):
        sent = {**request, key: _with_value(request[key], field.path, naive)}
        answer = await _send(svc, sent, headers)
        if answer.status != 422 or field.name not in answer.fields:
            problems.append(f"{service}: {field.operation} with {field.name}={naive!r} as "
                            f"{column}: {answer}")
    controls = []
    for value in aware:
        sent = {**request, key: _with_value(request[key], field.path, value)}
        control = await _send(svc, sent, headers)
        controls.append(f"{value!r}: {control}")
        if control.status != 422 and control.status < 500:
            break
    else:
        problems.append(f"{service}: {field.operation}: no control with an offset passes "
                        f"validation (fix its body in authz_worlds.BODIES): {controls}")
    return problems


@pytest.mark.parametrize("service", SERVICES)
async def test_a_naive_datetime_in_any_request_body_is_a_422_naming_the_field(
        service: str, tmp_path: Path) -> None:
    async with service_named(service, tmp_path) as svc:
        fields = date_time_fields(svc)
        unbodied = sorted({f.operation for f in fields} - set(BODIES))
        assert not unbodied, f"add a valid body to authz_worlds.BODIES for {unbodied}"
        problems = [problem for field in fields
                    for problem in await _problems_of(svc, service, field)]
    assert not problems, "\n".join(problems)


async def test_the_date_time_fields_of_the_suite_are_all_found(tmp_path: Path) -> None:
    """The search reaches nested fields: the batch's `items[].reported_at` among them."""
    found: set[tuple[str, str, str]] = set()
    for service in SERVICES:
        async with service_named(service, tmp_path / service) as svc:
            found |= {(service, f.operation, f.name) for f in date_time_fields(svc)}
    assert {("projects", "POST /projects/{project_id}/progress:batch", "items.0.reported_at"),
            ("property", "POST /trials/{trial_id}/votes", "closes_at"),
            ("acceptance", "POST /acceptances/{acceptance_id}/schedule", "scheduled_at"),
            } <= found
