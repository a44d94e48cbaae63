"""Routes for reporters' personal data: erasure at the reporter's request, and the audit of
unmasked displays (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from services.complaints.access import AuditReader
from services.complaints.presenters import contact_view_record
from services.complaints.schemas.contacts import ContactViewPublic
from services.complaints.service import contacts
from shared.auth import PrincipalOrReporter
from shared.deps import ClockDep, IfMatch, SessionDep
from shared.pagination import Cursor, Limit, Page, page_of

__all__ = ["router"]

router = APIRouter(tags=["personal data"])

ComplaintId = Annotated[str, Path(min_length=1, max_length=64)]
IdQuery = Annotated[str | None, Query(min_length=1, max_length=200)]


@router.delete("/complaints/{complaint_id}/contact", status_code=204,
               summary="Erase the reporter's contact (reporter)")
async def erase_contact(complaint_id: ComplaintId, session: SessionDep, clock: ClockDep,
                        principal: PrincipalOrReporter, if_match: IfMatch = None) -> Response:
    """Who: the reporter, with the report's access token (PIPL art. 47). The report stays
    and its contact reads `erased`; every access token of the report is revoked with it
    (401 from then on), this one included."""
    await contacts.erase_contact_on_request(session, complaint_id, principal, clock.now(),
                                            if_match=if_match)
    return Response(status_code=204)


@router.get("/complaints/{complaint_id}/contact-views",
            summary="Who saw the reporter's contact in full (admin)")
async def report_contact_views(complaint_id: ComplaintId, session: SessionDep,
                               _: AuditReader, limit: Limit = 50,
                               cursor: Cursor = None) -> Page[ContactViewPublic]:
    """Who: admin. Every display of this report's unmasked contact to staff, oldest first."""
    page = await contacts.contact_views(session, complaint_id=complaint_id, viewer_sub=None,
                                        limit=limit, cursor=cursor)
    return page_of(page, contact_view_record)


@router.get("/contact-views", summary="Displays of reporters' contacts in full (admin)")
async def contact_views(session: SessionDep, _: AuditReader, complaint_id: IdQuery = None,
                        viewer_sub: IdQuery = None, limit: Limit = 50,
                        cursor: Cursor = None) -> Page[ContactViewPublic]:
    """Who: admin. Every recorded display, oldest first; by report and/or by staff member."""
    page = await contacts.contact_views(session, complaint_id=complaint_id,
                                        viewer_sub=viewer_sub, limit=limit, cursor=cursor)
    return page_of(page, contact_view_record)
