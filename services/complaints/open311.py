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
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlmodel import col

from services.complaints import service
from services.complaints.models import Complaint
from services.complaints.open311_format import (
    SERVICES,
    request_view,
    service_definition,
    service_entry,
    service_notice,
)
from services.complaints.open311_input import report_from_form
from services.complaints.ratelimit import enforce_rate_limit
from shared.deps import ClockDep, ContextDep, SessionDep
from shared.errors import Forbidden, Invalid, NotFound, ProblemError
from shared.service import ServiceContext

__all__ = ["router"]

MAX_RESULTS = 1000
DEFAULT_WINDOW = timedelta(days=90)


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


def _has_key(ctx: ServiceContext, api_key: str | None) -> bool:
    return bool(api_key) and api_key in ctx.settings.open311_keys


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
    api_key = form.get("api_key")
    if not api_key:
        raise Invalid("api_key is required")
    if not _has_key(ctx, api_key):
        raise Forbidden("invalid api_key")
    await enforce_rate_limit(ctx, ctx.settings.open311_rate_limit, "open311", api_key)
    body, email = report_from_form(form)
    filed = await service.file_report(session, body, settings=ctx.settings, suite=ctx.suite,
                                      now=clock.now(), source="open311", email=email)
    return [{
        "service_request_id": filed.complaint.id,
        "token": filed.complaint.tracking_code,
        "service_notice": service_notice(filed.complaint.sla_hours),
        "account_id": None,
        "access_token": filed.access_token,
    }]


def _datetime(name: str, raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"{name} must be a W3C datetime with a timezone") from None
    if moment.tzinfo is None:
        raise Invalid(f"{name} must include a timezone (Z or ±HH:MM)")
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00 has no UTC equivalent
        raise Invalid(f"{name} is out of range") from None


def _csv(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


@router.get("/requests.{fmt}", summary="GeoReport v2: query service requests")
async def query_requests(
    fmt: str, session: SessionDep, ctx: ContextDep, clock: ClockDep,
    service_request_id: str | None = None, service_code: str | None = None,
    start_date: str | None = None, end_date: str | None = None, status: str | None = None,
    api_key: str | None = None,
) -> list[dict[str, Any]]:
    """Who: anyone. Without dates: the last 90 days; at most 1000 requests, newest first."""
    _json_only(fmt)
    statement = select(Complaint)
    ids = _csv(service_request_id)
    if ids:  # the spec: other arguments are ignored when ids are given
        statement = statement.where(col(Complaint.id).in_(ids))
    else:
        statement = _filtered(statement, clock.now(), _csv(service_code), _csv(status),
                              _datetime("start_date", start_date), _datetime("end_date", end_date))
    statement = statement.order_by(col(Complaint.created_at).desc()).limit(MAX_RESULTS)
    rows = (await session.scalars(statement)).all()
    with_description = _has_key(ctx, api_key)
    return [request_view(row, with_description=with_description) for row in rows]


def _filtered(statement: Any, now: datetime, codes: list[str], statuses: list[str],
              start: datetime | None, end: datetime | None) -> Any:
    unknown = set(statuses) - {"open", "closed"}
    if unknown:
        raise Invalid("status must be open and/or closed")
    if codes:
        statement = statement.where(col(Complaint.category).in_(codes))
    if statuses == ["closed"]:
        statement = statement.where(col(Complaint.status) == "closed")
    elif statuses == ["open"]:
        statement = statement.where(col(Complaint.status) != "closed")
    if start is None and end is None:
        start = now - DEFAULT_WINDOW
    if start is not None:
        statement = statement.where(col(Complaint.created_at) >= start)
    if end is not None:
        statement = statement.where(col(Complaint.created_at) <= end)
    return statement


@router.get("/requests/{service_request_id}.{fmt}", summary="GeoReport v2: one service request")
async def get_request(service_request_id: str, fmt: str, session: SessionDep, ctx: ContextDep,
                      api_key: str | None = None) -> list[dict[str, Any]]:
    """Who: anyone."""
    _json_only(fmt)
    complaint = await session.get(Complaint, service_request_id)
    if complaint is None:
        raise NotFound(f"service_request_id {service_request_id!r} not found")
    return [request_view(complaint, with_description=_has_key(ctx, api_key))]


@router.get("/tokens/{token}.{fmt}", summary="GeoReport v2: service request id from a token")
async def resolve_token(token: str, fmt: str, session: SessionDep) -> list[dict[str, Any]]:
    """Who: anyone. The token is the report's tracking code."""
    _json_only(fmt)
    statement = select(col(Complaint.id)).where(col(Complaint.tracking_code) == token)
    found = await session.scalar(statement)
    if found is None:
        raise NotFound(f"token {token!r} not found")
    return [{"service_request_id": found, "token": token}]


