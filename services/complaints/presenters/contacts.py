"""A report as shown to one caller (`service.contacts.Shown`), and the contact audit."""

from __future__ import annotations

from services.complaints.models import ContactView
from services.complaints.presenters.reports import complaint_view
from services.complaints.schemas.contacts import ContactViewPublic
from services.complaints.schemas.reports import ComplaintPublic
from services.complaints.service.contacts import Shown

__all__ = ["contact_view_record", "shown_view"]


def shown_view(shown: Shown) -> ComplaintPublic:
    return complaint_view(shown.complaint, staff=shown.staff, steps=shown.steps,
                          contact=shown.contact, actions=shown.actions)


def contact_view_record(view: ContactView) -> ContactViewPublic:
    return ContactViewPublic(id=view.id, complaint_id=view.complaint_id,
                             viewer_sub=view.viewer_sub, viewer_org=view.viewer_org,
                             viewer_roles=list(view.viewer_roles), via=view.via,
                             viewed_at=view.viewed_at)
