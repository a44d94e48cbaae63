"""Open311 GeoReport v2 at `/open311/v2/` (JSON format only).

Spec behaviour: `POST requests.json` is form-encoded and needs an `api_key` (from
`OPEN311_API_KEYS`); GETs are public. Errors are the spec's `[{"code", "description"}]` with the
HTTP status (a bad argument is 400, a bad key 403, an unknown id 404). Requests are answered
with `service_request_id` at once and a `token` (the tracking code, resolvable through
`tokens/{token}.json`); we also return the reporter's `access_token` for our own API.
GETs never show contact details; the description is shown only to callers with an API key.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from services.complaints.access import admit_open311_client, is_open311_client
from services.complaints.presenters import (
    open311_receipt,
    request_view,
    service_definition,
    service_entry,
)
from services.complaints.repository import open311 as repository
from services.complaints.schemas.open311 import SERVICES, report_from_form, request_query
from services.complaints.service import reports
from shared.deps import ClockDep, ContextDep, SessionDep
from shared.errors import Invalid, NotFound, ProblemError

__all__ = ["router"]


def spec_error(status: int, description: str, headers: dict[str, str] | None = None
               ) -> JSONResponse:
    return JSONResponse([{"code": status, "description": description}], status_code=status,
                        headers=headers)


class Open311Route(APIRoute):
    """Renders every error of these routes in the GeoReport format instead of problem+json."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handle(request)
            except RequestValidationError as exc:
                fields = sorted({str(e.get("loc", ("?",))[-1]) for e in exc.errors()})
                return spec_error(400, f"invalid argument(s): {', '.join(fields)}")
            except ProblemError as exc:
                status = 400 if exc.status == 422 else exc.status
                return spec_error(status, exc.detail, exc.headers())

        return guarded


_SPEC_ERRORS: dict[int | str, dict[str, Any]] = {"4XX": {
    "description": "GeoReport v2 errors: a list of {code, description}",
    "content": {"application/json": {"schema": {"type": "array", "items": {
        "type": "object", "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    }}}},
}}
router = APIRouter(prefix="/open311/v2", tags=["open311"], route_class=Open311Route,
                   responses=_SPEC_ERRORS)


def _json_only(fmt: str) -> None:
    if fmt != "json":
        raise Invalid(f"format {fmt!r} is not supported: use .json")


@router.get("/services.{fmt}", summary="GeoReport v2: service list")
async def list_services(fmt: str) -> list[dict[str, Any]]:
    """Who: anyone."""
    _json_only(fmt)
    return [service_entry(code) for code in SERVICES]


@router.get("/services/{service_code}.{fmt}", summary="GeoReport v2: service definition")
async def define_service(service_code: str, fmt: str) -> dict[str, Any]:
    """Who: anyone."""
    _json_only(fmt)
    if service_code not in SERVICES:
        raise NotFound(f"service_code {service_code!r} not found")
    return service_definition(service_code)


@router.post("/requests.{fmt}", summary="GeoReport v2: create a service request")
async def create_request(fmt: str, request: Request, session: SessionDep, ctx: ContextDep,
                         clock: ClockDep) -> list[dict[str, Any]]:
    """Who: a client holding an API key (form field `api_key`)."""
    _json_only(fmt)
    form = {key: value for key, value in (await request.form()).items()
            if isinstance(value, str)}
    await admit_open311_client(ctx, form.get("api_key"))
    body, email = report_from_form(form)
    filed = await reports.file_report(session, body, settings=ctx.settings, suite=ctx.suite,
                                      now=clock.now(), source="open311", email=email)
    return [open311_receipt(filed)]


@router.get("/requests.{fmt}", summary="GeoReport v2: query service requests")
async def query_requests(
    fmt: str, session: SessionDep, ctx: ContextDep, clock: ClockDep,
    service_request_id: str | None = None, service_code: str | None = None,
    start_date: str | None = None, end_date: str | None = None, status: str | None = None,
    api_key: str | None = None,
) -> list[dict[str, Any]]:
    """Who: anyone. Without dates: the last 90 days; at most 1000 requests, newest first."""
    _json_only(fmt)
    query = request_query(clock.now(), service_request_id=service_request_id,
                          service_code=service_code, start_date=start_date,
                          end_date=end_date, status=status)
    rows = await repository.requests_matching(session, query)
    with_description = is_open311_client(ctx.settings, api_key)
    return [request_view(row, with_description=with_description) for row in rows]


@router.get("/requests/{service_request_id}.{fmt}", summary="GeoReport v2: one service request")
async def get_request(service_request_id: str, fmt: str, session: SessionDep, ctx: ContextDep,
                      api_key: str | None = None) -> list[dict[str, Any]]:
    """Who: anyone."""
    _json_only(fmt)
    complaint = await repository.request_by_id(session, service_request_id)
    return [request_view(complaint, with_description=is_open311_client(ctx.settings, api_key))]


@router.get("/tokens/{token}.{fmt}", summary="GeoReport v2: service request id from a token")
async def resolve_token(token: str, fmt: str, session: SessionDep) -> list[dict[str, Any]]:
    """Who: anyone. The token is the report's tracking code."""
    _json_only(fmt)
    found = await repository.request_id_by_token(session, token)
    return [{"service_request_id": found, "token": token}]
