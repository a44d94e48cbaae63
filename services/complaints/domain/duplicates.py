"""Duplicates (FixMyStreet's "nearby", the 12345 hotline's 并单处理): which reports a resident
is shown before filing, which may be supported, and which merges are allowed (pure, no I/O).

- Nearby: up to `NEARBY_LIMIT` open reports of the same category within `NEARBY_RADIUS_M`
  of the point, filed in the last `NEARBY_WINDOW`, nearest first.
- A "me too" (supporter) goes to an open report only; a duplicate sends the resident to the
  report it was merged into.
- A merge turns an open report into a `duplicate` of another report that is neither closed
  nor itself a duplicate (chains would leave followers two steps away).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TypeVar

from services.complaints.domain.workflow import OPEN_STATUSES
from shared.errors import Conflict, Invalid
from shared.geo import LatLng, distance_m

__all__ = [
    "NEARBY_LIMIT",
    "NEARBY_RADIUS_M",
    "NEARBY_WINDOW",
    "ensure_may_merge",
    "ensure_supportable",
    "nearest",
]

NEARBY_RADIUS_M = 250.0
NEARBY_WINDOW = timedelta(days=30)
NEARBY_LIMIT = 5

T = TypeVar("T")


def nearest(point: LatLng, candidates: Iterable[tuple[T, LatLng]], *, radius_m: float,
            limit: int) -> list[tuple[T, float]]:
    """The candidates within `radius_m` of `point` with their distance, nearest first."""
    measured = [(item, distance_m(point, where)) for item, where in candidates]
    within = [pair for pair in measured if pair[1] <= radius_m]
    return sorted(within, key=lambda pair: pair[1])[:limit]


def ensure_supportable(status: str, duplicate_of: str | None) -> None:
    """Conflict (409) unless a report in `status` may gain a supporter."""
    if duplicate_of is not None:
        raise Conflict(f"this report was merged into {duplicate_of}: support that one",
                       duplicate_of=duplicate_of)
    if status not in OPEN_STATUSES:
        raise Conflict(f"a report that is {status} cannot be supported; file a new one")


def ensure_may_merge(duplicate_id: str, survivor_id: str, *, survivor_status: str,
                     survivor_duplicate_of: str | None) -> None:
    """Invalid (422) or Conflict (409) unless the survivor may take the duplicate in; the
    duplicate's own status is the workflow's `merge` transition."""
    if duplicate_id == survivor_id:
        raise Invalid("a report cannot be merged into itself", field="into")
    if survivor_duplicate_of is not None:
        raise Conflict(f"report {survivor_id} was itself merged into {survivor_duplicate_of}: "
                       "merge into that one", duplicate_of=survivor_duplicate_of)
    if survivor_status == "closed":
        raise Conflict(f"report {survivor_id} is closed: a closed report takes no duplicates")
