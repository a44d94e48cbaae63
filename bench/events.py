"""Realistic event payloads: the complaints service's own `complaint.received` envelopes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.bus.base import OutgoingMessage
from shared.events.catalog import load_catalog, make_event
from shared.events.envelope import CONTENT_TYPE


def complaint_events(count: int, topic: str, *, projects: int = 1000) -> list[OutgoingMessage]:
    """`count` envelopes as the complaints service stages them, keyed by complaint id."""
    from shared.contracts.complaints import ComplaintReceived

    load_catalog()
    start = datetime(2026, 5, 1, tzinfo=UTC)
    messages = []
    for i in range(count):
        at = start + timedelta(seconds=i)
        complaint_id = f"bench{i:010d}"
        data = ComplaintReceived(
            complaint_id=complaint_id, kind="complaint", category="noise", status="received",
            project_id=f"p-{i % projects:06d}", community_id=f"c-{i % 50:03d}",
            occurred_at=at,
        )
        event = make_event(data, subject=complaint_id, source="/community-suite/complaints",
                           time=at)
        messages.append(OutgoingMessage(
            topic=topic, key=complaint_id, value=event.to_bytes(),
            headers=(("content-type", CONTENT_TYPE.encode()), ("ce_type", event.type.encode())),
        ))
    return messages
