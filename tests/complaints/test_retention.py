"""Contacts are kept only as long as needed (PIPL art. 19): erased
`COMPLAINTS_CONTACT_RETENTION_DAYS` after the report is closed, by a background job.

With a frozen clock: the contacts of reports closed longer ago than the retention are erased,
younger ones kept, nothing else changes; the erased values are then in no table row, no event
and no log line, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from services.complaints.app import DEFINITION
from services.complaints.config import ComplaintsSettings
from services.complaints.models import Complaint
from services.complaints.service.contacts import erase_expired_contacts
from shared.clock import FrozenClock
from tests.complaints.conftest import START, bearer, known_project, report_body, settings
from tests.complaints.privacy import forms_of, office, published_text, stored_rows
from tests.support import ServiceHarness, eventually, running_service

RETENTION = 180
# Reporters, each with a contact of their own; the report's age at the scan is in the name.
CLOSED_200_DAYS_AGO = ("赵一鸣", "13600000001")
CLOSED_EXACTLY_180_DAYS_AGO = ("钱二宝", "13600000002")
CLOSED_179_DAYS_AGO = ("孙三元", "13600000003")
STILL_OPEN = ("李四海", "13600000004")
ERASED = (CLOSED_200_DAYS_AGO, CLOSED_EXACTLY_180_DAYS_AGO)
KEPT = (CLOSED_179_DAYS_AGO, STILL_OPEN)
SCAN_AT = START + timedelta(days=300)


def _keyed(headers: dict[str, str]) -> dict[str, str]:
    """Every write sent with an Idempotency-Key, so its answer is stored too."""
    return {**headers, "Idempotency-Key": uuid.uuid4().hex}


async def _post(svc: ServiceHarness, path: str, headers: dict[str, str],
                body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await svc.client.post(path, json=body, headers=_keyed(headers))
    assert response.is_success, response.text
    result: dict[str, Any] = response.json()
    return result


async def _file(svc: ServiceHarness, reporter: tuple[str, str]) -> dict[str, Any]:
    name, phone = reporter
    return await _post(svc, "/complaints", {},
                       report_body(contact={"name": name, "phone": phone}))


async def _close_at(svc: ServiceHarness, receipt: dict[str, Any], days_before_scan: int) -> None:
    """Take the report to `closed`, `days_before_scan` days before the scan, reading it (and
    its contact, recorded) on the way as staff do."""
    svc.clock.set(SCAN_AT - timedelta(days=days_before_scan))
    path, staff = f"/complaints/{receipt['id']}", office(svc)
    assert (await svc.client.get(path, headers=staff)).status_code == 200
    await _post(svc, f"{path}/acknowledge", staff)
    await _post(svc, f"{path}/assign", staff, {})
    await _post(svc, f"{path}/resolve", staff, {"resolution": "Stopped at 22:00."})
    await _post(svc, f"{path}/confirm", bearer(receipt["access_token"]), {"satisfaction": 4})


async def _reports(svc: ServiceHarness) -> dict[str, dict[str, Any]]:
    async with svc.ctx.db.sessions() as session:
        rows = (await session.execute(select(Complaint.__table__))).mappings().all()  # type: ignore[attr-defined]
    return {row["id"]: dict(row) for row in rows}


async def _four_reports(svc: ServiceHarness) -> dict[tuple[str, str], dict[str, Any]]:
    await known_project(svc)
    receipts = {reporter: await _file(svc, reporter) for reporter in (*ERASED, *KEPT)}
    await _close_at(svc, receipts[CLOSED_200_DAYS_AGO], 200)
    await _close_at(svc, receipts[CLOSED_EXACTLY_180_DAYS_AGO], 180)
    await _close_at(svc, receipts[CLOSED_179_DAYS_AGO], 179)
    svc.clock.set(SCAN_AT)
    return receipts


async def test_contacts_past_the_retention_are_erased_and_nothing_else_changes(
    svc: ServiceHarness, caplog: pytest.LogCaptureFixture,
) -> None:
    await _erase_the_expired_and_nothing_else(svc, caplog)


@pytest.mark.postgres
async def test_on_postgres_contacts_past_the_retention_are_erased_and_nothing_else_changes(
    tmp_path: Path, pg_url: str, caplog: pytest.LogCaptureFixture,
) -> None:
    async with running_service(DEFINITION, tmp_path, clock=FrozenClock(START),
                               settings=settings(database_url=pg_url)) as svc:
        await _erase_the_expired_and_nothing_else(svc, caplog)


async def _erase_the_expired_and_nothing_else(svc: ServiceHarness,
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for driver in ("sqlalchemy.engine", "aiosqlite", "asyncpg"):  # as production configures
        caplog.set_level(logging.WARNING, logger=driver)
    receipts = await _four_reports(svc)
    before, tables_before = await _reports(svc), await stored_rows(svc)
    events_before = len(await svc.published())

    async with svc.ctx.db.transaction() as session:
        assert await erase_expired_contacts(session, SCAN_AT, RETENTION) == 2

    after, tables_after = await _reports(svc), await stored_rows(svc)
    erased_ids = {receipts[reporter]["id"] for reporter in ERASED}
    for report_id, row in after.items():
        if report_id not in erased_ids:
            assert row == before[report_id]
            continue
        assert (row["contact_name"], row["contact_phone"], row["contact_email"]) == (
            None, None, None)
        assert row["contact_erased_at"] == SCAN_AT
        assert row["version"] == before[report_id]["version"] + 1
        changed = {"contact_name", "contact_phone", "contact_email", "contact_erased_at",
                   "version"}
        assert {k: v for k, v in row.items() if k not in changed} == {
            k: v for k, v in before[report_id].items() if k not in changed}
    for table in set(tables_before) - {"complaints", "outbox"}:
        assert tables_after[table] == tables_before[table], table
    published = await svc.published()
    assert len(published) == events_before + 2
    erasures = await svc.published("complaint.contact_erased")
    assert sorted(e.data["complaint_id"] for e in erasures) == sorted(erased_ids)
    assert {e.data["reason"] for e in erasures} == {"retention"}

    stored = "\n".join(line for rows in tables_after.values() for line in rows)
    events, logs = await published_text(svc), caplog.text
    for name, phone in ERASED:
        for value in (*forms_of(name), phone):
            assert value not in stored and value not in events and value not in logs, value
    for name, phone in KEPT:
        assert name in stored and phone in stored  # the check above can see a contact
    assert "contact_views" in tables_after and len(tables_after["contact_views"]) == 3


async def test_the_erased_contact_reads_erased_and_the_audit_stays(svc: ServiceHarness) -> None:
    receipts = await _four_reports(svc)
    async with svc.ctx.db.transaction() as session:
        await erase_expired_contacts(session, SCAN_AT, RETENTION)
    erased = receipts[CLOSED_200_DAYS_AGO]
    shown = (await svc.client.get(f"/complaints/{erased['id']}", headers=office(svc))).json()
    assert shown["status"] == "closed" and shown["description"]
    assert shown["contact"] is None and shown["contact_status"] == "erased"
    views = (await svc.client.get(f"/complaints/{erased['id']}/contact-views",
                                  headers=svc.auth("admin"))).json()["items"]
    assert len(views) == 1  # the display before the erasure; no display after it
    kept = receipts[CLOSED_179_DAYS_AGO]
    shown = (await svc.client.get(f"/complaints/{kept['id']}", headers=office(svc))).json()
    assert shown["contact"]["phone"] == CLOSED_179_DAYS_AGO[1]


async def test_a_second_scan_erases_nothing_more(svc: ServiceHarness) -> None:
    await _four_reports(svc)
    async with svc.ctx.db.transaction() as session:
        assert await erase_expired_contacts(session, SCAN_AT, RETENTION) == 2
    async with svc.ctx.db.transaction() as session:
        assert await erase_expired_contacts(session, SCAN_AT, RETENTION) == 0
    svc.clock.advance(timedelta(days=1))  # the 179-day-old one comes due
    async with svc.ctx.db.transaction() as session:
        assert await erase_expired_contacts(session, svc.clock.now(), RETENTION) == 1
    assert len(await svc.published("complaint.contact_erased")) == 3


async def test_the_background_job_erases_on_its_own(tmp_path: Path) -> None:
    fast = settings(contact_retention_scan_seconds=0.05, contact_retention_days=30)
    async with running_service(DEFINITION, tmp_path, clock=FrozenClock(START),
                               settings=fast) as svc:
        await known_project(svc)
        receipt = await _file(svc, CLOSED_200_DAYS_AGO)
        path, staff = f"/complaints/{receipt['id']}", office(svc)
        for step, body in (("acknowledge", None), ("assign", {}),
                           ("resolve", {"resolution": "done"})):
            await _post(svc, f"{path}/{step}", staff, body)
        await _post(svc, f"{path}/confirm", bearer(receipt["access_token"]),
                    {"satisfaction": 5})
        await asyncio.sleep(0.2)
        assert (await svc.client.get(path, headers=staff)).json()["contact_status"] == "held"
        svc.clock.advance(timedelta(days=30))

        async def erased() -> bool:
            shown = (await svc.client.get(path, headers=staff)).json()
            return bool(shown["contact_status"] == "erased")

        await eventually(erased, what="the retention job erases the contact")


@pytest.mark.postgres
async def test_two_scans_at_once_erase_each_contact_once(tmp_path: Path, pg_url: str) -> None:
    async with running_service(DEFINITION, tmp_path, clock=FrozenClock(START),
                               settings=settings(database_url=pg_url)) as svc:
        await _four_reports(svc)

        async def scan() -> int:
            async with svc.ctx.db.transaction() as session:
                return await erase_expired_contacts(session, SCAN_AT, RETENTION)

        assert sorted(await asyncio.gather(*(scan() for _ in range(4)))) == [0, 0, 0, 2]
        assert len(await svc.published("complaint.contact_erased")) == 2


class TestTheRetentionSetting:
    def test_it_defaults_to_180_days(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("COMPLAINTS_CONTACT_RETENTION_DAYS", raising=False)
        assert ComplaintsSettings().contact_retention_days == 180

    def test_it_is_read_from_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("COMPLAINTS_CONTACT_RETENTION_DAYS", "30")
        assert ComplaintsSettings().contact_retention_days == 30

    def test_a_negative_retention_is_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("COMPLAINTS_CONTACT_RETENTION_DAYS", "-1")
        with pytest.raises(ValidationError, match="contact_retention_days"):
            ComplaintsSettings()
