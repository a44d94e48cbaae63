"""CloudEvents 1.0 envelope, structured JSON mode, encoded by the CloudEvents SDK."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from pydantic import BaseModel, ConfigDict, Field

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
        try:
            ce = _FORMAT.read(None, raw)
            attributes = dict(ce.get_attributes())
        except Exception as exc:
            raise InvalidEnvelope(f"not a CloudEvent: {exc}") from exc
        data = ce.get_data()
        if attributes.get("specversion") != "1.0":
            raise InvalidEnvelope("specversion must be 1.0")
        if not isinstance(data, dict):
            raise InvalidEnvelope("data must be a JSON object")
        if not attributes.get("subject") or not attributes.get("time"):
            raise InvalidEnvelope("subject and time are required by this suite")
        known = {"specversion", "id", "source", "type", "subject", "time", "datacontenttype",
                 "dataschema", "traceparent"}
        return cls(
            data=data,
            extensions={k: v for k, v in attributes.items() if k not in known},
            **{k: v for k, v in attributes.items() if k in known},
        )
