"""Open311 GeoReport v2 at `/open311/v2/`, service discovery at `/open311/discovery`.

Every route answers in the format its path names: `.xml` (the spec's required format) or
`.json`. Errors are the spec's list of `{code, description}` in that format, with the HTTP
status the spec gives: 403 for a missing or bad `api_key`, 404 for an unknown request,
service, token or `jurisdiction_id`, 400 for anything else, each naming the argument.

`POST requests` takes a form (`application/x-www-form-urlencoded`, or `multipart/form-data`
with photos as `media` or, as FixMyStreet sends them, `photo1`, `photo2`, ...) and needs an
`api_key`; GETs are public. A request is answered with its `service_request_id` at once and a
`token` (the tracking code); we also return the reporter's `access_token` for our own API.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.complaints.access import admit_open311_client, is_open311_client
from services.complaints.config import DEV_OPEN311_API_KEY
from services.complaints.models import Complaint
from services.complaints.presenters.open311 import (
    MEDIA_PATH,
    discovery_view,
    error_document,
    open311_receipt,
    open311_response,
    request_view,
    service_definition,
    service_entry,
    token_view,
    update_view,
)
from services.complaints.repository import open311 as repository
from services.complaints.repository import photos as photos_repository
from services.complaints.schemas.open311 import (
    MAX_RESULTS,
    SERVICES,
    SPEC_NAMES,
    DiscoveryOut,
    ErrorOut,
    Format,
    Page,
    ReceiptOut,
    RequestOut,
    ServiceDefinitionOut,
    ServiceOut,
    TokenOut,
    UpdateOut,
    check_jurisdiction,
    report_from_form,
    request_query,
    updates_query,
)
from services.complaints.service import photos, reports
from shared.db import new_id
from shared.deps import ClockDep, ContextDep, SessionDep
from shared.errors import Invalid, NotFound, ProblemError
from shared.service import ServiceContext
from shared.uploads import CleanImage

__all__ = ["router"]

V2 = "/open311/v2"
_SPEC_STATUSES = frozenset({403, 404, 429})  # kept; every other client error is the spec's 400
_MEDIA_FIELD = re.compile(r"media(\[\d*\])?|photo\d+")
_MAX_PHOTOS = 10


def _format_of(request: Request) -> Format:
    return "json" if request.path_params.get("fmt") == "json" else "xml"


def spec_error(request: Request, status: int, description: str,
               headers: dict[str, str] | None = None) -> Response:
    status = status if status in _SPEC_STATUSES else 400
    return open311_response(_format_of(request), "errors", error_document(status, description),
                            status=status, headers=headers)


def _invalid_arguments(exc: RequestValidationError) -> str:
    problems = set()
    for error in exc.errors():
        name = str(error.get("loc", ("?",))[-1])
        if name == "fmt":
            problems.add("format must be xml or json (requests.xml, requests.json)")
        else:
            problems.add(f"{name}: {error.get('msg', 'invalid')}")
    return f"invalid argument(s): {'; '.join(sorted(problems))}"


def _described(exc: ProblemError) -> str:
    """The detail, led by the Open311 arguments of the fields it is about unless it starts
    with them already (routing's `location` is the client's `lat/long/address_string`)."""
    fields = [e.get("field", "") for e in exc.extensions.get("errors", [])
              if isinstance(e, dict)]
    names = [SPEC_NAMES.get(f, f) for f in fields if f]
    missing = [n for n in names if not exc.detail.startswith(tuple(n.split("/")))]
    return f"{', '.join(missing)}: {exc.detail}" if missing else exc.detail


class Open311Route(APIRoute):
    """Renders every error of these routes in the GeoReport format instead of problem+json.

    The request's session has already rolled back when an error gets here."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handle(request)
            except RequestValidationError as exc:
                return spec_error(request, 400, _invalid_arguments(exc))
            except ProblemError as exc:
                return spec_error(request, exc.status, _described(exc), exc.headers())
            except StarletteHTTPException as exc:  # the multipart parser's limits
                return spec_error(request, exc.status_code, str(exc.detail))

        return guarded


def _in_both_formats(model: Any, description: str) -> dict[str, Any]:
    """OpenAPI: an answer in JSON (its schema is `model`) or XML."""
    return {"model": model, "description": description, "content": {
        "application/json": {}, "text/xml": {"schema": {"type": "string"}}}}


_ERRORS = _in_both_formats(list[ErrorOut], "GeoReport v2 errors: `errors/error/{code,description}`")


def _documents(model: Any, description: str) -> dict[int | str, dict[str, Any]]:
    return {200: _in_both_formats(model, description), "4XX": _ERRORS}


router = APIRouter(tags=["open311"], route_class=Open311Route, default_response_class=Response)
Fmt = Annotated[Format, Path(description="`xml` (the spec's required format) or `json`")]
Jurisdiction = Annotated[str | None, Query(description="optional; this endpoint serves one")]
ApiKey = Annotated[str | None, Query(description="shows descriptions and photos")]
PageNumber = Annotated[int, Query(ge=1, le=1_000_000, description="1-based page")]
PageSize = Annotated[int, Query(ge=1, le=MAX_RESULTS, description="requests per page")]


def _base_url(request: Request) -> str:
    return str(request.base_url)


@router.get("/open311/discovery.{fmt}", summary="GeoReport v2: service discovery",
            responses=_documents(DiscoveryOut, "endpoints, formats, contact and keys"))
async def discover(fmt: Fmt, request: Request, ctx: ContextDep) -> Response:
    """Who: anyone. Outside production `key_service` also names the development key."""
    production = ctx.suite.environment == "production"
    key_service = ctx.settings.open311_key_service
    if not production:
        key_service += (f"; for development, api_key={DEV_OPEN311_API_KEY} (never accepted "
                        "in production)")
    view = discovery_view(base_url=_base_url(request), contact=ctx.settings.open311_contact,
                          key_service=key_service, production=production)
    return open311_response(fmt, "discovery", view)


@router.get(f"{V2}/services.{{fmt}}", summary="GeoReport v2: service list",
            responses=_documents(list[ServiceOut], "`services/service`"))
async def list_services(fmt: Fmt, ctx: ContextDep, jurisdiction_id: Jurisdiction = None
                        ) -> Response:
    """Who: anyone."""
    check_jurisdiction(ctx.settings.open311_jurisdiction_id, jurisdiction_id)
    return open311_response(fmt, "services", [service_entry(code) for code in SERVICES])


@router.get(f"{V2}/services/{{service_code}}.{{fmt}}", summary="GeoReport v2: service definition",
            responses=_documents(ServiceDefinitionOut, "`service_definition`"))
async def define_service(service_code: str, fmt: Fmt, ctx: ContextDep,
                         jurisdiction_id: Jurisdiction = None) -> Response:
    """Who: anyone."""
    check_jurisdiction(ctx.settings.open311_jurisdiction_id, jurisdiction_id)
    if service_code not in SERVICES:
        raise NotFound(f"service_code {service_code!r} not found")
    return open311_response(fmt, "service_definition", service_definition(service_code))


_FORM_FIELDS = {name: {"type": "string"} for name in (
    "api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string",
    "address_id", "email", "device_id", "account_id", "first_name", "last_name", "phone",
    "description", "media_url", "attribute[project_id]", "attribute[community_id]",
    "attribute[compound_id]", "attribute[kind]")}
_FORM_SCHEMA = {"type": "object", "required": ["api_key", "service_code"],
                "properties": _FORM_FIELDS}
_MULTIPART_SCHEMA = {"type": "object", "required": ["api_key", "service_code"], "properties": {
    **_FORM_FIELDS, "media": {"type": "array", "items": {"type": "string", "format": "binary"}}}}


@router.post(f"{V2}/requests.{{fmt}}", summary="GeoReport v2: create a service request",
             responses=_documents(list[ReceiptOut], "`service_requests/request`"),
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/x-www-form-urlencoded": {"schema": _FORM_SCHEMA},
                 "multipart/form-data": {"schema": _MULTIPART_SCHEMA}}}})
async def create_request(fmt: Fmt, request: Request, session: SessionDep, ctx: ContextDep,
                         clock: ClockDep) -> Response:
    """Who: a client holding an API key (form field `api_key`)."""
    async with request.form(max_files=_MAX_PHOTOS, max_fields=200) as form:
        api_key = form.get("api_key")  # the key first: the spec's 403 precedes every 400
        await admit_open311_client(ctx, api_key if isinstance(api_key, str) else None)
        fields, media_urls, uploads = _split_form(form.multi_items())
        check_jurisdiction(ctx.settings.open311_jurisdiction_id, fields.get("jurisdiction_id"))
        media_ids = [new_id() for _ in uploads]
        body, email = report_from_form(fields, media_urls=media_urls, uploaded=media_ids)
        photos = await _cleaned(ctx, uploads)
    filed = await reports.file_report(session, body, settings=ctx.settings, suite=ctx.suite,
                                      now=clock.now(), source="open311", email=email,
                                      uploads=list(zip(media_ids, photos, strict=True)),
                                      media_urls=media_urls)
    return open311_response(fmt, "service_requests", [open311_receipt(filed)])


def _split_form(items: Sequence[tuple[str, str | UploadFile]]
                ) -> tuple[dict[str, str], list[str], list[tuple[str, UploadFile]]]:
    """Text fields (first value of each), every `media_url`, and the photos sent."""
    fields: dict[str, str] = {}
    media_urls: list[str] = []
    uploads: list[tuple[str, UploadFile]] = []
    for name, value in items:
        if isinstance(value, str):
            if "\x00" in value:  # the edge guard reads form bodies, not multipart ones
                raise Invalid(f"{name} must not contain the NUL character", field=name)
            if name == "media_url":
                if value:
                    media_urls.append(value)
            else:
                fields.setdefault(name, value)
        elif value.filename or value.size:  # a browser sends an empty part for no file
            if not _MEDIA_FIELD.fullmatch(name):
                raise Invalid(f"{name} is not a photo field: send photos as media",
                              field=name)
            uploads.append((name, value))
    return fields, media_urls, uploads


async def _cleaned(ctx: ServiceContext, uploads: list[tuple[str, UploadFile]]
                   ) -> list[CleanImage]:
    """Each photo decoded and re-encoded without its metadata, off the event loop."""
    limit = ctx.settings.open311_media_max_bytes
    return [await photos.decode_photo(await upload.read(limit + 1), ctx.settings, field=name)
            for name, upload in uploads]


async def _request_views(session: AsyncSession, ctx: ServiceContext, request: Request,
                         rows: Sequence[Complaint], api_key: str | None) -> list[RequestOut]:
    latest = await repository.latest_steps(session, (row.id for row in rows))
    keyed = is_open311_client(ctx, api_key)
    return [request_view(row, latest_step=latest.get(row.id), with_resident_content=keyed,
                         base_url=_base_url(request)) for row in rows]


@router.get(f"{V2}/requests.{{fmt}}", summary="GeoReport v2: query service requests",
            responses=_documents(list[RequestOut], "`service_requests/request`"))
async def query_requests(
    fmt: Fmt, request: Request, session: SessionDep, ctx: ContextDep, clock: ClockDep,
    service_request_id: str | None = None, service_code: str | None = None,
    start_date: str | None = None, end_date: str | None = None, status: str | None = None,
    page: PageNumber = 1, page_size: PageSize = MAX_RESULTS,
    jurisdiction_id: Jurisdiction = None, api_key: ApiKey = None,
) -> Response:
    """Who: anyone. Without dates: the last 90 days; newest first, pages of at most 1000."""
    check_jurisdiction(ctx.settings.open311_jurisdiction_id, jurisdiction_id)
    query = request_query(clock.now(), service_request_id=service_request_id,
                          service_code=service_code, start_date=start_date,
                          end_date=end_date, status=status, page=Page(page, page_size))
    rows = await repository.requests_matching(session, query)
    views = await _request_views(session, ctx, request, rows, api_key)
    return open311_response(fmt, "service_requests", views)


@router.get(f"{V2}/requests/{{service_request_id}}.{{fmt}}",
            summary="GeoReport v2: one service request",
            responses=_documents(list[RequestOut], "`service_requests/request`"))
async def get_request(service_request_id: str, fmt: Fmt, request: Request,
                      session: SessionDep, ctx: ContextDep,
                      jurisdiction_id: Jurisdiction = None, api_key: ApiKey = None) -> Response:
    """Who: anyone."""
    check_jurisdiction(ctx.settings.open311_jurisdiction_id, jurisdiction_id)
    complaint = await repository.request_by_id(session, service_request_id)
    views = await _request_views(session, ctx, request, [complaint], api_key)
    return open311_response(fmt, "service_requests", views)


@router.get(f"{V2}/tokens/{{token}}.{{fmt}}",
            summary="GeoReport v2: service request id from a token",
            responses=_documents(list[TokenOut], "`service_requests/request`"))
async def resolve_token(token: str, fmt: Fmt, session: SessionDep, ctx: ContextDep,
                        jurisdiction_id: Jurisdiction = None) -> Response:
    """Who: anyone. The token is the report's tracking code."""
    check_jurisdiction(ctx.settings.open311_jurisdiction_id, jurisdiction_id)
    found = await repository.request_id_by_token(session, token)
    return open311_response(fmt, "service_requests", [token_view(found, token)])


@router.get(f"{V2}/servicerequestupdates.{{fmt}}",
            summary="Status changes since a time (mySociety's update extension)",
            responses=_documents(list[UpdateOut], "`service_request_updates/request_update`"))
async def list_updates(
    fmt: Fmt, session: SessionDep, ctx: ContextDep, clock: ClockDep,
    start_date: str | None = None, end_date: str | None = None,
    page: PageNumber = 1, page_size: PageSize = MAX_RESULTS,
    jurisdiction_id: Jurisdiction = None, api_key: ApiKey = None,
) -> Response:
    """Who: anyone. Without dates: the last 90 days; oldest first, pages of at most 1000."""
    check_jurisdiction(ctx.settings.open311_jurisdiction_id, jurisdiction_id)
    query = updates_query(clock.now(), start_date=start_date, end_date=end_date,
                          page=Page(page, page_size))
    steps = await repository.updates_matching(session, query)
    keyed = is_open311_client(ctx, api_key)
    views = [update_view(step, with_resident_content=keyed) for step in steps]
    return open311_response(fmt, "service_request_updates", views)


@router.get(f"{MEDIA_PATH}{{media_id}}", summary="A reporter's photo, once a report cites it",
            responses={200: {"content": {"image/jpeg": {}, "image/png": {}},
                             "description": "the photo, re-encoded without metadata"},
                       "4XX": _ERRORS})
async def get_media(media_id: str, session: SessionDep) -> Response:
    """Who: anyone holding its URL (a random id, shown to `api_key` holders, staff and the
    reporter). Photos uploaded with a request, through `POST /complaints/photos` or
    `POST /complaints/{id}/photos`; an upload no report cites yet is not served."""
    media = await photos_repository.photo_by_id(session, media_id)
    extension = "png" if media.content_type == "image/png" else "jpg"
    return Response(media.data, media_type=media.content_type, headers={
        "content-disposition": f'inline; filename="{media.id}.{extension}"'})
