"""Settings of the property service (environment, prefix `PROPERTY_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

__all__ = ["NAME", "PropertySettings"]

NAME = "property"


class PropertySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROPERTY_", extra="ignore", frozen=True)

    # The policy asks for a *short* interim service (短期托底); each trial and each extension
    # is capped at this many calendar months.
    max_trial_months: int = Field(default=12, ge=1, le=60)
