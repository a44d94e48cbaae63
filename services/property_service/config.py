"""Settings of the property service (environment, prefix `PROPERTY_`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

__all__ = ["PropertySettings"]


class PropertySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROPERTY_", extra="ignore", frozen=True)
