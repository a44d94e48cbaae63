"""Settings of the complaints service (environment, prefix `COMPLAINTS_`).

`OPEN311_API_KEYS` is unprefixed (the suite-wide name in DESIGN.md): comma-separated keys of
the third-party Open311 clients allowed to file reports.
"""

from __future__ import annotations

from typing import Any

from limits import parse
from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

__all__ = ["DEFAULT_SLA_HOURS", "NAME", "ComplaintsSettings"]

NAME = "complaints"

# Hours from filing (or reopening) to resolution; safety is fastest. Same for every kind.
DEFAULT_SLA_HOURS: dict[str, int] = {
    "safety": 4, "utility_outage": 12, "noise": 24, "dust": 24, "access": 24,
    "quality": 72, "property_service": 72, "other": 72,
}


class ComplaintsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COMPLAINTS_", extra="ignore", frozen=True)

    rate_limit: str = "20/minute"
    open311_rate_limit: str = "120/minute"
    trust_forwarded_for: bool = False
    sla_hours: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_SLA_HOURS))
    sla_scan_seconds: float = Field(default=30.0, gt=0)
    report_token_days: int = Field(default=365, ge=1)
    open311_api_keys: str = Field(
        default="", validation_alias=AliasChoices("OPEN311_API_KEYS", "open311_api_keys")
    )

    @field_validator("rate_limit", "open311_rate_limit")
    @classmethod
    def _parseable_limit(cls, value: str) -> str:
        parse(value)  # raises ValueError on "twenty a minute"
        return value

    @field_validator("sla_hours", mode="before")
    @classmethod
    def _merge_sla_defaults(cls, value: Any) -> dict[str, int]:
        merged = {**DEFAULT_SLA_HOURS, **dict(value)}
        unknown = set(merged) - set(DEFAULT_SLA_HOURS)
        if unknown:
            raise ValueError(f"unknown categories: {', '.join(sorted(unknown))}")
        if any(int(hours) <= 0 for hours in merged.values()):
            raise ValueError("SLA hours must be positive")
        return {category: int(hours) for category, hours in merged.items()}

    @property
    def open311_keys(self) -> frozenset[str]:
        return frozenset(k.strip() for k in self.open311_api_keys.split(",") if k.strip())
