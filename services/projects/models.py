"""Tables of the projects service, on its own registry."""

from __future__ import annotations

from sqlmodel import SQLModel

from shared.db import service_registry

__all__ = ["METADATA", "Table"]


class Table(SQLModel, registry=service_registry()):
    """Base of this service's tables."""


METADATA = Table.metadata
