"""Settings of the complaints service (environment, prefix `COMPLAINTS_`).

`OPEN311_API_KEYS` is unprefixed (the suite-wide name in DESIGN.md): comma-separated keys of
the third-party Open311 clients allowed to file reports. Out of the box no key is configured, so
outside production `DEV_OPEN311_API_KEY` is accepted as well (documented in the README for
`make run`); production never accepts it, even when listed.

SLA per category (`COMPLAINTS_SLA`, JSON): clock hours (`"4h"`) or working days (`"3wd"`) by
the State Council's calendar; the categories it leaves out keep `DEFAULT_SLA`. The older
`COMPLAINTS_SLA_HOURS` (`{"noise": 12}`) is still read, each number as hours; where both
name a category, `COMPLAINTS_SLA` wins. `COMPLAINTS_WORKDAYS_FILE` is the operator's
working-day file for the years the holiday library does not cover yet (`shared.workdays`),
checked at start-up. `COMPLAINTS_SITE_RADIUS_M`: how near a published site a report must be
to be routed to it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import get_args

from limits import parse
from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import SettingsConfigDict

from shared.contracts.complaints import ComplaintCategory
from shared.settings import ServiceSettings
from shared.workdays import Period, WorkingCalendar, parse_operator_file

__all__ = ["DEFAULT_SLA", "DEV_OPEN311_API_KEY", "NAME", "ComplaintsSettings"]

NAME = "complaints"
DEV_OPEN311_API_KEY = "open311-dev-key"  # not in production: see access.open311_keys

# Time from filing (or reopening) to resolution; safety is fastest. Same for every kind.
DEFAULT_SLA: dict[str, str] = {
    "safety": "4h", "utility_outage": "12h", "noise": "24h", "dust": "24h", "access": "24h",
    "quality": "3wd", "property_service": "3wd", "other": "3wd",
}
_CATEGORIES = frozenset(get_args(ComplaintCategory))


def _known_categories(value: dict[str, object]) -> None:
    unknown = set(value) - _CATEGORIES
    if unknown:
        raise ValueError(f"unknown categories: {', '.join(sorted(unknown))}")


@lru_cache(maxsize=8)
def _calendar(path: Path | None) -> WorkingCalendar:
    return WorkingCalendar.from_file(path)


class ComplaintsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COMPLAINTS_", extra="ignore", frozen=True)

    rate_limit: str = "20/minute"
    open311_rate_limit: str = "120/minute"
    trust_forwarded_for: bool = False
    sla: dict[str, str] = Field(default_factory=dict)
    sla_hours: dict[str, int] = Field(default_factory=dict)  # the older form: numbers of hours
    workdays_file: Path | None = None
    site_radius_m: float = Field(default=300.0, gt=0, le=5000)
    sla_scan_seconds: float = Field(default=30.0, gt=0)
    report_token_days: int = Field(default=365, ge=1)
    # PIPL arts. 19, 47: a reporter's contact is erased this many days after the report is
    # closed (0: at the first scan after closing); the scan runs every `..._scan_seconds`.
    contact_retention_days: int = Field(default=180, ge=0, le=3650)
    contact_retention_scan_seconds: float = Field(default=3600.0, gt=0)
    open311_api_keys: str = Field(
        default="", validation_alias=AliasChoices("OPEN311_API_KEYS", "open311_api_keys")
    )
    # GeoReport v2: the one jurisdiction this endpoint serves (`jurisdiction_id` is optional;
    # another one is a 404), and what service discovery tells clients.
    open311_jurisdiction_id: str = Field(default="xm.gov.cn", min_length=1, max_length=100)
    open311_contact: str = Field(
        default="Xiamen complete-community renewal, complaints office: call 12345 or the "
                "hotline on the site board", min_length=1, max_length=500)
    open311_key_service: str = Field(
        default="Ask the city's complaints office for an api_key for your application",
        min_length=1, max_length=500)
    # Photos uploaded with a request (multipart `media`): bytes per file before decoding,
    # longest edge kept after re-encoding.
    open311_media_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    open311_media_max_edge_px: int = Field(default=2560, ge=64, le=16384)

    @field_validator("rate_limit", "open311_rate_limit")
    @classmethod
    def _parseable_limit(cls, value: str) -> str:
        parse(value)  # raises ValueError on "twenty a minute"
        return value

    @field_validator("sla")
    @classmethod
    def _periods(cls, value: dict[str, str]) -> dict[str, str]:
        _known_categories(dict(value))
        return {category: str(Period.parse(text)) for category, text in value.items()}

    @field_validator("sla_hours")
    @classmethod
    def _positive_hours(cls, value: dict[str, int]) -> dict[str, int]:
        _known_categories(dict(value))
        if any(hours <= 0 for hours in value.values()):
            raise ValueError("SLA hours must be positive")
        return value

    @field_validator("workdays_file")
    @classmethod
    def _readable_schedule(cls, path: Path | None) -> Path | None:
        if path is not None:
            try:
                parse_operator_file(path.read_text(encoding="utf-8"))
            except OSError as exc:
                raise ValueError(f"cannot read the working-day file {path}: {exc}") from exc
        return path

    def sla_of(self, category: str) -> str:
        """The category's period as text (`"4h"`, `"3wd"`): COMPLAINTS_SLA, else the older
        COMPLAINTS_SLA_HOURS, else the default."""
        if category in self.sla:
            return self.sla[category]
        if category in self.sla_hours:
            return f"{self.sla_hours[category]}h"
        return DEFAULT_SLA[category]

    def calendar(self) -> WorkingCalendar:
        """The working-day calendar: the holiday library plus the operator's file."""
        return _calendar(self.workdays_file)

    @property
    def open311_keys(self) -> frozenset[str]:
        return frozenset(k.strip() for k in self.open311_api_keys.split(",") if k.strip())
