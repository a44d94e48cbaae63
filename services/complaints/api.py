"""HTTP routes of the complaints service."""

from __future__ import annotations

from fastapi import APIRouter

from services.complaints import api_boards, api_reports, open311

__all__ = ["router"]

router = APIRouter()
router.include_router(api_boards.router)
router.include_router(api_reports.router)
router.include_router(open311.router)
