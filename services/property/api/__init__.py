"""HTTP routes of the property service, collected in `router`."""

from __future__ import annotations

from fastapi import APIRouter

from services.property.api import compounds, trials, votes

__all__ = ["router"]

router = APIRouter()
router.include_router(compounds.router)
router.include_router(trials.router)
router.include_router(votes.router)
