"""HTTP routes of the projects service (each route's summary says who may call it)."""

from __future__ import annotations

from fastapi import APIRouter

from services.projects.api.planning import router as planning_router
from services.projects.api.projects import router as projects_router
from services.projects.api.site import router as site_router

__all__ = ["router"]

router = APIRouter()
router.include_router(planning_router)
router.include_router(projects_router)
router.include_router(site_router)
