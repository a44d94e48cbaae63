"""Settings of the acceptance service (environment, prefix `ACCEPTANCE_`), and its NAME."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

__all__ = ["NAME", "AcceptanceSettings"]

NAME = "acceptance"


class AcceptanceSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ACCEPTANCE_", extra="ignore", frozen=True)
