"""Keyset pagination: `?limit=&cursor=` ⇒ `{"items": [...], "next_cursor": ...}`.

The cursor is an opaque token encoding the sort key of the last item returned; pages stay
stable while rows are inserted and cost the same at any depth.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from shared.errors import Invalid

__all__ = [
    "Cursor",
    "Limit",
    "Page",
    "decode_cursor",
    "encode_cursor",
    "keyset_page",
    "page_of",
]

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=200, description="page size")]
Cursor = Annotated[
    str | None, Query(max_length=500, description="next_cursor of the previous page")
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


R = TypeVar("R")


def page_of(page: tuple[Sequence[R], str | None], present: Callable[[R], T]) -> Page[T]:
    """A page of rows (as `keyset_page` returns it) shown with `present`."""
    rows, next_cursor = page
    return Page(items=[present(row) for row in rows], next_cursor=next_cursor)


def encode_cursor(values: Sequence[Any]) -> str:
    encoded = [{"dt": v.isoformat()} if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(encoded).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != arity:
            raise ValueError("wrong arity")
        return [datetime.fromisoformat(v["dt"]) if isinstance(v, dict) else v for v in values]
    except (ValueError, TypeError, KeyError, binascii.Error) as exc:
        raise Invalid("cursor is not one this API issued", field="cursor") from exc


async def keyset_page(
    session: AsyncSession,
    statement: Select[Any],
    keys: Sequence[InstrumentedAttribute[Any]],
    *,
    limit: int,
    cursor: str | None,
) -> tuple[list[Any], str | None]:
    """One page of `statement` ordered ascending by `keys` (which must be unique together)."""
    if cursor:
        after = decode_cursor(cursor, len(keys))
        statement = statement.where(tuple_(*keys) > tuple_(*after))
    rows = list((await session.scalars(statement.order_by(*keys).limit(limit + 1))).all())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode_cursor([getattr(last, key.key) for key in keys])
