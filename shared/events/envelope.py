"""CloudEvents 1.0 envelope, structured JSON mode, encoded by the CloudEvents SDK.

Reading is the consumers' hot path, so it validates the JSON in one pydantic pass against
the attribute rules of CloudEvents 1.0 (and this suite's: `subject` and `time` required,
`data` a JSON object) rather than through the SDK's reader.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

__all__ = ["Event", "InvalidEnvelope"]

_FORMAT = JSONFormat()
CONTENT_TYPE = "application/cloudevents+json"


class InvalidEnvelope(ValueError):
    """The bytes are not a CloudEvents 1.0 structured JSON event."""


class Event(BaseModel):
    """One event as it travels: CloudEvents attributes plus `traceparent` and JSON `data`."""

    model_config = ConfigDict(frozen=True)

    id: str
    source: str
    type: str
    subject: str
    time: datetime
    data: dict[str, Any]
    dataschema: str | None = None
    traceparent: str | None = None
    specversion: str = "1.0"
    datacontenttype: str = "application/json"
    extensions: dict[str, Any] = Field(default_factory=dict)

    def to_bytes(self) -> bytes:
        attributes: dict[str, Any] = {
            "specversion": self.specversion,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "subject": self.subject,
            "time": self.time,
            "datacontenttype": self.datacontenttype,
        }
        if self.dataschema:
            attributes["dataschema"] = self.dataschema
        if self.traceparent:
            attributes["traceparent"] = self.traceparent
        result: bytes = _FORMAT.write(CloudEvent(attributes, self.data))
        return result

    @classmethod
    def from_bytes(cls, raw: bytes) -> Event:
        """Read a structured-mode CloudEvent; raises InvalidEnvelope for anything else."""
        try:
            wire = _Structured.model_validate_json(raw)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'document'}: {e['msg']}"
                                 for e in exc.errors(include_url=False))
            raise InvalidEnvelope(f"not a CloudEvent of this suite ({problems})") from exc
        extensions = wire.model_extra or {}
        bad = [name for name in extensions if not _EXTENSION_NAME.fullmatch(name)]
        if bad:
            raise InvalidEnvelope(f"extension attribute names must be [a-z0-9]+: {bad}")
        return cls(
            id=wire.id, source=wire.source, type=wire.type, subject=wire.subject,
            time=wire.time, data=wire.data, dataschema=wire.dataschema,
            traceparent=wire.traceparent, specversion=wire.specversion,
            datacontenttype=wire.datacontenttype, extensions=extensions,
        )


_Text = Annotated[str, StringConstraints(min_length=1)]
_EXTENSION_NAME = re.compile(r"[a-z0-9]+")


class _Structured(BaseModel):
    """The JSON form: attributes and extensions at the top level, `data` a JSON object."""

    model_config = ConfigDict(strict=True, extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: _Text
    source: _Text
    type: _Text
    subject: _Text
    time: AwareDatetime
    data: dict[str, Any]
    datacontenttype: _Text = "application/json"
    dataschema: _Text | None = None
    traceparent: str | None = None
