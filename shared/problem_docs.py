"""Document the errors the suite really returns: RFC 9457 problem+json on every 4xx.

FastAPI documents a 422 `HTTPValidationError` body as `application/json`, but every error
here is rendered by `shared.errors` as `application/problem+json` with `errors[]` naming the
fields. Clients (Open311 apps, dashboards, generated SDKs) read the OpenAPI, so it must say so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from shared.errors import PROBLEM_JSON

__all__ = ["PROBLEM_SCHEMA", "document_problem_responses"]

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}
_REF = {"$ref": "#/components/schemas/Problem"}
_FASTAPI_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError")
_EDGE_REFUSALS = {
    "413": "Payload too large (`max_bytes`)",
    "415": "Unsupported media type (`accepted`)",
    "422": "Invalid request: `errors` names the fields",
}


def _problem_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": _REF}}}


def _rewrite(spec: dict[str, Any]) -> dict[str, Any]:
    for operations in spec.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            generated = responses.get("422", {}).get("content", {}).get("application/json", {})
            if generated.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError"):
                del responses["422"]
            if "4XX" not in responses:  # a route with its own error format declares its 4XX
                responses["422"] = _problem_response("Invalid request: `errors` names the fields")
                responses["4XX"] = _problem_response("Client error")
            for status, description in _EDGE_REFUSALS.items():  # shared.limits, before any route
                if status == "422" or method in ("post", "put", "patch"):
                    responses.setdefault(status, _problem_response(description))
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_ERROR_SCHEMAS:
        schemas.pop(name, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    return spec


def document_problem_responses(app: FastAPI) -> None:
    """Wrap `app.openapi` so the cached document declares problem+json for client errors."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _rewrite(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
