"""Payloads this service publishes, built from its tables (ids and codes only)."""

from __future__ import annotations

from services.projects.models import Project
from shared.contracts.projects import ProjectParties

__all__ = ["SOURCE", "parties_of"]

SOURCE = "/community-suite/projects"


def parties_of(project: Project) -> ProjectParties:
    """The project's parties as organisation ids (never people)."""
    return ProjectParties.model_validate(project.parties)
