"""Errors that carry their own HTTP status, rendered as RFC 9457 problem+json.

    ProblemError
    ├── Unauthorized (401)
    ├── Forbidden (403)
    ├── NotFound (404)
    ├── Conflict (409)          may list the allowed transitions / unmet conditions
    ├── PreconditionFailed (412)
    ├── PayloadTooLarge (413)
    ├── UnsupportedMediaType (415)
    ├── Invalid (422)           names the offending field
    └── TooManyRequests (429)   carries Retry-After

Services raise these; one set of handlers installed by `install_problem_handlers` renders them.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = [
    "PROBLEM_JSON",
    "Conflict",
    "Forbidden",
    "Invalid",
    "NotFound",
    "PayloadTooLarge",
    "PreconditionFailed",
    "ProblemError",
    "TooManyRequests",
    "Unauthorized",
    "UnsupportedMediaType",
    "install_problem_handlers",
    "problem_response",
]

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)


class ProblemError(Exception):
    """Base of all client-facing errors."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions

    def headers(self) -> dict[str, str]:
        return {}


class Unauthorized(ProblemError):
    status = 401
    title = "Unauthorized"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class Forbidden(ProblemError):
    status = 403
    title = "Forbidden"


class NotFound(ProblemError):
    status = 404
    title = "Not found"


class Conflict(ProblemError):
    status = 409
    title = "Conflict"


class PreconditionFailed(ProblemError):
    status = 412
    title = "Precondition failed"


class PayloadTooLarge(ProblemError):
    status = 413
    title = "Payload too large"


class UnsupportedMediaType(ProblemError):
    status = 415
    title = "Unsupported media type"


class Invalid(ProblemError):
    status = 422
    title = "Invalid request"

    def __init__(self, detail: str, field: str | None = None, **extensions: Any) -> None:
        if field is not None:
            extensions.setdefault("errors", [{"field": field, "message": detail}])
        super().__init__(detail, **extensions)


class TooManyRequests(ProblemError):
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """A problem+json response; `type` stays `about:blank` as RFC 9457 allows."""
    body: dict[str, Any] = {
        "type": "about:blank", "title": title, "status": status, "detail": detail,
    }
    if instance:
        body["instance"] = instance
    # Extension members never overwrite the standard ones.
    body.update({k: v for k, v in extensions.items() if k not in body and k != "instance"})
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(loc[0] if loc else "body")


def _validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    return [_validation_error(err) for err in exc.errors()]


def _validation_error(err: dict[str, Any]) -> dict[str, str]:
    if err.get("type") == "json_invalid":  # loc is ("body", offset): the field is the body
        offset = err.get("loc", ("body", "?"))[-1]
        return {"field": "body", "message": f"malformed JSON at offset {offset}"}
    return {"field": _field_name(tuple(err.get("loc", ()))), "message": str(err.get("msg", ""))}


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error the app can raise as problem+json; never leak internals."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return problem_response(
            exc.status,
            exc.title,
            exc.detail,
            instance=request.url.path,
            headers=exc.headers(),
            **exc.extensions,
        )

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = _validation_errors(exc)
        fields = ", ".join(sorted({e["field"] for e in errors}))
        return problem_response(
            422, "Invalid request", f"invalid field(s): {fields}", instance=request.url.path,
            errors=errors,
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        headers = dict(exc.headers) if exc.headers else None
        return problem_response(
            exc.status_code, _reason(exc.status_code), str(exc.detail), instance=request.url.path,
            headers=headers,
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            500, "Internal server error", "an unexpected error occurred", instance=request.url.path
        )

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
