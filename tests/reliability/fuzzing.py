"""Schemathesis against a running service: every operation, generated requests, checked replies.

Hypothesis is synchronous and the service lives on the test's event loop, so the generator
runs in a worker thread and sends each request back to the loop through the harness's
httpx client (ASGI, lifespan running). Failures are collected per operation, not raised on
the first one, so one run reports everything it found.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import hypothesis
import hypothesis.errors
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import Case, CheckContext, GenerationMode, Response
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
)

from tests.support import ServiceHarness

PROBLEM_JSON = "application/problem+json"
_REQUEST_KEYS = ("method", "url", "headers", "params", "json", "data", "files", "cookies")


def problem_json_on_4xx(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every 4xx is RFC 9457 problem+json with a title, status and detail.

    Open311 routes answer in the GeoReport v2 error format instead, as that spec requires (their
    OpenAPI declares it, and `response_schema_conformance` holds them to it).
    """
    if not 400 <= response.status_code < 500 or case.path.startswith("/open311/"):
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith(PROBLEM_JSON), f"4xx without problem+json: {content_type}"
    body = response.json()
    assert body.get("status") == response.status_code, "problem status differs from HTTP"
    assert body.get("title") and isinstance(body.get("detail"), str), "problem lacks title/detail"
    return True


def body_rejected_when_invalid(ctx: CheckContext, response: Response, case: Case
                               ) -> bool | None:
    """Schema-violating bodies get a 4xx. Unknown or repeated query parameters are ignored
    (as HTTP APIs commonly do), so GETs are left out of this check on purpose."""
    if case.method.upper() not in ("POST", "PUT", "PATCH") or response.status_code == 413:
        return None  # 413 (body over the limit) is a rejection schemathesis does not list
    return negative_data_rejection(ctx, response, case)


@dataclass
class FuzzReport:
    requests: int = 0
    operations: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)


def _send(harness: ServiceHarness, loop: asyncio.AbstractEventLoop, case: Case,
          headers: dict[str, str]) -> httpx.Response:
    kwargs = case.as_transport_kwargs(base_url="http://test", headers=headers)
    prepared = requests.Request(**{k: v for k, v in kwargs.items() if k in _REQUEST_KEYS}
                                ).prepare()
    body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
    request = harness.client.request(str(prepared.method), str(prepared.url), content=body,
                                     headers=dict(prepared.headers))
    return asyncio.run_coroutine_threadsafe(request, loop).result(timeout=60)


def _fuzz_operation(harness: ServiceHarness, loop: asyncio.AbstractEventLoop, operation: Any,
                    mode: GenerationMode, headers: dict[str, str], max_examples: int,
                    report: FuzzReport) -> None:
    checks = [not_a_server_error, response_schema_conformance, problem_json_on_4xx]
    if mode is GenerationMode.NEGATIVE:
        checks.append(body_rejected_when_invalid)
    else:
        checks.append(content_type_conformance)

    @hypothesis.settings(max_examples=max_examples, deadline=None, database=None,
                         derandomize=True, suppress_health_check=list(HealthCheck),
                         phases=[Phase.explicit, Phase.generate, Phase.shrink])
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Case) -> None:
        response = _send(harness, loop, case, headers)
        report.requests += 1
        report.statuses[response.status_code] = report.statuses.get(response.status_code, 0) + 1
        case.validate_response(response, checks=checks)

    try:
        run()
    except hypothesis.errors.Unsatisfiable:
        pass  # nothing to negate: the operation takes no input
    except (Exception, BaseExceptionGroup) as exc:  # collected and asserted by the caller
        report.failures[f"{mode.value} {operation.label}"] = str(exc)[:3000]


async def fuzz_service(harness: ServiceHarness, *, headers: dict[str, str],
                       max_examples: int,
                       modes: tuple[GenerationMode, ...] = (GenerationMode.POSITIVE,
                                                             GenerationMode.NEGATIVE),
                       keep: Callable[[str, str], bool] = lambda method, path: True
                       ) -> FuzzReport:
    """Fuzz every operation of the running service; returns counts and failures."""
    spec = harness.app.openapi()
    schema = schemathesis.openapi.from_dict(spec)
    loop = asyncio.get_running_loop()
    report = FuzzReport()

    def work() -> None:
        for result in schema.get_all_operations():
            operation = result.ok()
            if not keep(operation.method.upper(), operation.path):
                continue
            report.operations += 1
            for mode in modes:
                _fuzz_operation(harness, loop, operation, mode, headers, max_examples, report)

    await asyncio.to_thread(work)
    return report
