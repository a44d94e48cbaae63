"""HTTP routes of the complaints service, collected in `router`."""

from __future__ import annotations

from fastapi import APIRouter

from services.complaints.api import boards, contacts, open311, photos, reports

__all__ = ["router"]

router = APIRouter()
router.include_router(boards.router)
router.include_router(photos.router)
router.include_router(reports.router)
router.include_router(contacts.router)
router.include_router(open311.router)
