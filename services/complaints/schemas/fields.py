"""Field types shared by the request bodies, their base model, and a contact as shown."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.complaints.domain.contacts import normalise_hotline, normalise_phone
from services.complaints.domain.photos import PHOTO_ID

__all__ = [
    "ContactPublic",
    "Hotline",
    "Input",
    "Latitude",
    "Longitude",
    "Name",
    "Note",
    "OrgId",
    "Phone",
    "PhotoId",
    "RefId",
]

Phone = Annotated[str, Field(min_length=3, max_length=32), AfterValidator(normalise_phone)]
Hotline = Annotated[str, Field(min_length=3, max_length=32), AfterValidator(normalise_hotline)]
Name = Annotated[str, Field(min_length=1, max_length=100)]
OrgId = Annotated[str, Field(min_length=1, max_length=200)]
RefId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Note = Annotated[str, Field(min_length=1, max_length=2000)]


def _photo_id(value: str) -> str:
    if not PHOTO_ID.fullmatch(value):
        raise ValueError("not a photo id: upload the photo to POST /complaints/photos and "
                         "give the id it returns")
    return value


# A photo uploaded by the reporter (`POST /complaints/photos`): its id, nothing else.
PhotoId = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_photo_id)]
# WGS84 degrees; strict, so `true` is not taken for 1.0.
Latitude = Annotated[float, Field(ge=-90, le=90, strict=True)]
Longitude = Annotated[float, Field(ge=-180, le=180, strict=True)]


class Input(BaseModel):
    """Base of request bodies: unknown fields refused, text stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ContactPublic(BaseModel):
    org: str | None = None
    name: str | None = None
    phone: str | None = None
    email: str | None = None
