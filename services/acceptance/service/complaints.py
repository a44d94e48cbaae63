"""The projection of the complaints service's facts: each project's complaints at their
latest status, so the committee sees what is still unresolved."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.acceptance import repository
from shared.contracts.complaints import ComplaintFact

__all__ = ["project_complaints"]


async def project_complaints(session: AsyncSession, facts: Sequence[ComplaintFact]) -> None:
    """Keep each project's complaints at their latest status; an older fact never wins.

    The facts (in delivery order) are first folded into one row per complaint, as the view
    would take them one by one, then upserted together.
    """
    rows: dict[str, dict[str, Any]] = {}
    for fact in facts:
        if fact.project_id is None:
            continue  # a compound's or community's report: not on a project under acceptance
        row = rows.get(fact.complaint_id)
        if row is None:
            rows[fact.complaint_id] = {
                "complaint_id": fact.complaint_id, "project_id": fact.project_id,
                "kind": fact.kind, "category": fact.category, "status": fact.status,
                "occurred_at": fact.occurred_at,
            }
        elif fact.occurred_at >= row["occurred_at"]:
            row.update(status=fact.status, category=fact.category, occurred_at=fact.occurred_at)
    await repository.save_complaint_views(session, list(rows.values()))
