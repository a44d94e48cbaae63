"""Settings of the projects service (environment, prefix `PROJECTS_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

__all__ = ["NAME", "ProjectsSettings"]

NAME = "projects"


class ProjectsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROJECTS_", extra="ignore", frozen=True)

    # How far (percentage points) progress may lag a linear plan before it is "at risk".
    schedule_risk_threshold_percent: int = Field(default=20, ge=0, le=100)
    attachments_root: Path = Path("var/attachments")
    attachments_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
