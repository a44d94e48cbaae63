"""What the acceptance service publishes: its source and a clock pinned to an event's time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["SOURCE", "PinnedClock"]

SOURCE = "/community-suite/acceptance"


@dataclass(frozen=True)
class PinnedClock:
    """A clock that always reads one instant: handlers date their effects by the event."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment
