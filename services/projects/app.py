"""The projects service: its definition, read from the package's shape (`define_service`)."""

from __future__ import annotations

from services.projects.config import ProjectsSettings
from services.projects.service.communities import seed_communities
from shared.events.topics import PROJECTS
from shared.service import define_service

__all__ = ["DEFINITION"]

DEFINITION = define_service(__package__, port=8001, title="Projects service", topic=PROJECTS,
                            settings_class=ProjectsSettings, seed=seed_communities)
