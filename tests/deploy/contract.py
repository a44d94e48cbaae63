"""The committed contract files and offline JSON Schema validators over them."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator, Draft202012Validator, FormatChecker
from referencing import Registry

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
ASYNCAPI = DEPLOY / "asyncapi.yaml"
SCHEMAS = DEPLOY / "schemas"
ASYNCAPI_META_SCHEMA = Path(__file__).with_name("asyncapi-3.0.0.schema.json")


def _no_network(uri: str) -> Any:
    # Every schema needed is vendored or embedded: a remote lookup is a bug, not a fetch.
    raise LookupError(f"refusing to fetch {uri}: schemas are resolved offline")


OFFLINE = Registry(retrieve=_no_network)  # type: ignore[call-arg]
FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _is_rfc3339(value: object) -> bool:
    # jsonschema checks date-time only with an optional extra; RFC 3339 requires an offset.
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_yaml_documents(path: Path) -> list[Any]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


@cache
def asyncapi_document() -> dict[str, Any]:
    document: dict[str, Any] = load_yaml(ASYNCAPI)
    return document


@cache
def asyncapi_validator() -> Draft7Validator:
    meta = json.loads(ASYNCAPI_META_SCHEMA.read_text(encoding="utf-8"))
    return Draft7Validator(meta, registry=OFFLINE)


@cache
def data_validator(file_name: str) -> Draft202012Validator:
    """Validates `data` against a published schema file, formats included."""
    schema = json.loads((SCHEMAS / file_name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=OFFLINE, format_checker=FORMATS)


@cache
def message_validator(message: str, part: str) -> Draft7Validator:
    """Validates a record's `payload` or `headers` against the AsyncAPI message."""
    schema = {"components": asyncapi_document()["components"],
              "$ref": f"#/components/messages/{message}/{part}"}
    return Draft7Validator(schema, registry=OFFLINE, format_checker=FORMATS)


def errors(validator: Draft7Validator | Draft202012Validator, instance: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
            for e in validator.iter_errors(instance)]
