"""Reading envelopes: what the suite writes reads back; anything else is an invalid envelope."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from shared.events import Event, InvalidEnvelope

AT = datetime(2026, 5, 1, 8, 30, 0, 123456, tzinfo=UTC)


def _event(**changes: Any) -> Event:
    event = Event(id="e-1", source="/community-suite/tests", type="test.note_recorded",
                  subject="n-1", time=AT, data={"note_id": "n-1", "nested": {"a": [1, None]}},
                  dataschema="https://schemas.example/test.json",
                  traceparent="00-0123456789abcdef0123456789abcdef-0123456789abcdef-01")
    return event.model_copy(update=changes)


def _wire(**changes: Any) -> bytes:
    document = json.loads(_event().to_bytes())
    for name, value in changes.items():
        if value is ...:
            document.pop(name)
        else:
            document[name] = value
    return json.dumps(document).encode()


def test_what_the_suite_writes_reads_back_the_same() -> None:
    event = _event()
    assert Event.from_bytes(event.to_bytes()) == event


def test_other_offsets_and_extensions_are_kept() -> None:
    event = Event.from_bytes(_wire(time="2026-05-01T16:30:00+08:00", partitionkey="k1"))
    assert event.time == AT.replace(microsecond=0)
    assert event.time.utcoffset() == timezone(timedelta(hours=8)).utcoffset(None)
    assert event.extensions == {"partitionkey": "k1"}


def test_optional_attributes_may_be_left_out() -> None:
    event = Event.from_bytes(_wire(specversion=..., datacontenttype=..., dataschema=...,
                                   traceparent=...))
    assert (event.specversion, event.datacontenttype) == ("1.0", "application/json")
    assert (event.dataschema, event.traceparent) == (None, None)


@pytest.mark.parametrize("raw", [
    b"\xff not a cloud event",
    b"[1, 2]",
    _wire(specversion="0.3"),
    _wire(id=...), _wire(id=""), _wire(id=7),
    _wire(source=...), _wire(type=""),
    _wire(subject=...), _wire(subject=""),
    _wire(time=...), _wire(time="2026-05-01T08:30:00"), _wire(time="yesterday"), _wire(time=0),
    _wire(data=...), _wire(data=[1]), _wire(data="text"),
    _wire(data=..., data_base64="eyJhIjogMX0="),
    _wire(datacontenttype=""), _wire(dataschema=""),
    _wire(traceparent=12),
    _wire(Trace_Id="x"),
])
def test_anything_else_is_an_invalid_envelope(raw: bytes) -> None:
    with pytest.raises(InvalidEnvelope):
        Event.from_bytes(raw)
