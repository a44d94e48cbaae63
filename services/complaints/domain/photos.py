"""Reporters' photos: what a report may cite, how long an upload waits to be cited, and where
a photo is served (pure, no I/O).

A resident uploads a photo first (`POST /complaints/photos`, no account, rate-limited) and
cites the id it gets back in `photos` when filing; a reporter adds one to a filed report
with the report's access token (`POST /complaints/{id}/photos`). Each upload is decoded and
re-encoded without its metadata (`shared.uploads`). An uploaded photo is cited by one report
only, within `UNCITED_PHOTO_TTL`; one never cited is deleted after that (the retention scan).
Photos are served at `PHOTO_PATH` + id once a report cites them, and a report's `photos`
hold those paths (and, for Open311 clients, the `media_url` links they sent).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from shared.errors import Conflict

__all__ = [
    "MAX_PHOTOS",
    "PHOTO_ID",
    "PHOTO_PATH",
    "UNCITED_PHOTO_TTL",
    "ensure_room_for_photo",
    "photo_path",
    "uncited_cutoff",
]

MAX_PHOTOS = 10  # per report
PHOTO_PATH = "/open311/v2/media/"  # + the photo's id
PHOTO_ID = re.compile(r"[0-9a-f]{32}")  # `shared.db.new_id`: 122 random bits
UNCITED_PHOTO_TTL = timedelta(hours=24)
# Statuses a reporter may still add photos in: the report is not settled.
_OPEN_FOR_PHOTOS = frozenset({"received", "acknowledged", "assigned", "resolved", "reopened"})


def photo_path(photo_id: str) -> str:
    """What a report's `photos` hold for an uploaded photo: where it is served."""
    return PHOTO_PATH + photo_id


def uncited_cutoff(now: datetime) -> datetime:
    """Uploads older than this and cited by no report may no longer be cited (and go)."""
    return now - UNCITED_PHOTO_TTL


def ensure_room_for_photo(status: str, photos: int) -> None:
    """A reporter adds a photo to a report not yet closed or merged, up to `MAX_PHOTOS`."""
    if status not in _OPEN_FOR_PHOTOS:
        raise Conflict(f"a report that is {status} takes no more photos")
    if photos >= MAX_PHOTOS:
        raise Conflict(f"a report holds at most {MAX_PHOTOS} photos")
