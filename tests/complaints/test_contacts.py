"""A reporter's contact: who sees it how, the record of every unmasked display, erasure at the
reporter's request (PIPL art. 47), and revoking a report's access tokens."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from services.complaints.app import DEFINITION
from services.complaints.repository.reports import lock_report
from services.complaints.service.contacts import erase_expired_contacts, revoke_report_tokens
from shared.auth import mint_report_token
from shared.clock import FrozenClock
from tests.complaints.conftest import START, bearer, file, known_project, settings
from tests.complaints.privacy import REPORTER_NAME, REPORTER_PHONE, close_report, office, ok
from tests.support import ServiceHarness, running_service

MASKED = {"org": None, "name": "陈*", "phone": "137****5678", "email": None}
FULL = {"org": None, "name": REPORTER_NAME, "phone": REPORTER_PHONE, "email": None}


async def _views(svc: ServiceHarness, complaint_id: str) -> list[dict[str, Any]]:
    page = await ok(svc, "GET", f"/complaints/{complaint_id}/contact-views", svc.auth("admin"))
    items: list[dict[str, Any]] = page["items"]
    return items


async def _report(svc: ServiceHarness, **overrides: Any) -> dict[str, Any]:
    await known_project(svc)
    return await file(svc, **overrides)


class TestWhoSeesTheContact:
    async def test_staff_of_the_area_see_it_in_full_and_each_display_is_recorded(
        self, svc: ServiceHarness,
    ) -> None:
        receipt = await _report(svc)
        path = f"/complaints/{receipt['id']}"
        shown = await ok(svc, "GET", path, office(svc, sub="officer-wang"))
        assert shown["contact"] == FULL and shown["contact_status"] == "held"
        svc.clock.advance(timedelta(minutes=5))
        await ok(svc, "GET", path, svc.auth("admin", sub="auditor-li"))
        views = await _views(svc, receipt["id"])
        assert [(v["viewer_sub"], v["viewer_org"], v["viewer_roles"], v["via"])
                for v in views] == [("officer-wang", "shentian-street", ["subdistrict"], "report"),
                                    ("auditor-li", None, ["admin"], "report")]
        assert [v["viewed_at"] for v in views] == ["2026-03-02T09:00:00Z",
                                                  "2026-03-02T09:05:00Z"]

    async def test_only_unmasked_displays_are_recorded(self, svc: ServiceHarness) -> None:
        receipt = await _report(svc)
        path = f"/complaints/{receipt['id']}"
        mine = await ok(svc, "GET", path, bearer(receipt["access_token"]))
        assert mine["contact"] == MASKED
        listed = await ok(svc, "GET", "/complaints", office(svc))
        assert listed["items"][0]["contact"] == MASKED  # listings mask, even for staff
        stepped = await ok(svc, "POST", f"{path}/acknowledge", office(svc))
        assert stepped["contact"] is None and stepped["contact_status"] == "held"
        await ok(svc, "GET", path, svc.auth("contractor", org="acme"))
        assert await _views(svc, receipt["id"]) == []
        await ok(svc, "GET", path, office(svc, "community"))
        assert len(await _views(svc, receipt["id"])) == 1

    async def test_a_report_without_a_contact_records_no_display(self, svc: ServiceHarness
                                                                  ) -> None:
        receipt = await _report(svc, anonymous=True)
        shown = await ok(svc, "GET", f"/complaints/{receipt['id']}", office(svc))
        assert shown["contact"] is None and shown["contact_status"] == "none"
        assert await _views(svc, receipt["id"]) == []

    async def test_the_reported_contractor_never_sees_the_reporters_identity(
        self, svc: ServiceHarness,
    ) -> None:
        receipt = await _report(svc)
        path = f"/complaints/{receipt['id']}"
        await ok(svc, "POST", f"{path}/acknowledge", office(svc))
        await ok(svc, "POST", f"{path}/assign", office(svc), {})
        contractor = svc.auth("contractor", org="acme")
        answers = [
            await svc.client.get(path, headers=contractor),
            await svc.client.get("/complaints", headers=contractor),
            await svc.client.post(f"{path}/resolve", json={"resolution": "done"},
                                  headers=contractor),
        ]
        for answer in answers:
            assert answer.is_success, answer.text
            assert "陈" not in answer.text and "5678" not in answer.text
            assert "****" not in answer.text  # not even masked
        assert answers[0].json()["contact"] is None

    async def test_a_supporters_token_sees_no_contact_and_cannot_erase_it(
        self, svc: ServiceHarness,
    ) -> None:
        receipt = await _report(svc)
        supporter = bearer(mint_report_token(svc.suite, report_id=receipt["id"],
                                             holder="supporter"))
        path = f"/complaints/{receipt['id']}"
        assert (await ok(svc, "GET", path, supporter))["contact"] is None
        erase = await svc.client.delete(f"{path}/contact", headers=supporter)
        assert erase.status_code == 403

    async def test_the_audit_is_readable_by_admin_only(self, svc: ServiceHarness) -> None:
        receipt = await _report(svc)
        await ok(svc, "GET", f"/complaints/{receipt['id']}", office(svc, sub="officer-wang"))
        path = f"/complaints/{receipt['id']}/contact-views"
        for headers in (office(svc), svc.auth("dashboard"), svc.auth("contractor", org="acme"),
                        bearer(receipt["access_token"])):
            assert (await svc.client.get(path, headers=headers)).status_code == 403
        assert (await svc.client.get(path)).status_code == 401
        missing = await svc.client.get("/complaints/nope/contact-views",
                                       headers=svc.auth("admin"))
        assert missing.status_code == 404
        by_viewer = await ok(svc, "GET", "/contact-views?viewer_sub=officer-wang",
                             svc.auth("admin"))
        assert [v["complaint_id"] for v in by_viewer["items"]] == [receipt["id"]]
        nobody = await ok(svc, "GET", "/contact-views?viewer_sub=someone-else", svc.auth("admin"))
        assert nobody["items"] == []


class TestErasureOnRequest:
    async def test_the_reporter_erases_the_contact_and_the_report_stays(
        self, svc: ServiceHarness,
    ) -> None:
        receipt = await _report(svc)
        path = f"/complaints/{receipt['id']}"
        before = await ok(svc, "GET", path, svc.auth("admin"))
        svc.clock.advance(timedelta(hours=1))
        erased = await svc.client.delete(f"{path}/contact",
                                          headers=bearer(receipt["access_token"]))
        assert erased.status_code == 204 and erased.content == b""
        after = await ok(svc, "GET", path, svc.auth("admin"))
        assert after["contact"] is None and after["contact_status"] == "erased"
        assert after["contact_erased_at"] == "2026-03-02T10:00:00Z"
        unchanged = {"contact", "contact_status", "contact_erased_at", "version"}
        assert {k: v for k, v in after.items() if k not in unchanged} == {
            k: v for k, v in before.items() if k not in unchanged}
        assert after["version"] == before["version"] + 1
        [event] = await svc.published("complaint.contact_erased")
        assert event.subject == receipt["id"]
        assert event.data == {"complaint_id": receipt["id"], "community_id": "shentian",
                              "reason": "reporter_request",
                              "erased_at": "2026-03-02T10:00:00Z"}

    async def test_erasing_revokes_every_token_of_the_report(self, svc: ServiceHarness) -> None:
        receipt, other = await _report(svc), await file(svc)
        path, token = f"/complaints/{receipt['id']}", bearer(receipt["access_token"])
        assert (await svc.client.delete(f"{path}/contact", headers=token)).status_code == 204
        refused = [
            await svc.client.get(path, headers=token),
            await svc.client.post(f"{path}/confirm", json={"satisfaction": 5}, headers=token),
            await svc.client.post(f"{path}/reopen", json={"reason": "again"}, headers=token),
            await svc.client.delete(f"{path}/contact", headers=token),
        ]
        assert [r.status_code for r in refused] == [401] * 4
        assert refused[0].json()["detail"] == "this report's access tokens were revoked"
        # a token of the report's current generation opens it; other reports are untouched
        current = bearer(svc.report_token(receipt["id"], generation=1))
        assert (await svc.client.get(path, headers=current)).status_code == 200
        mine = await svc.client.get(f"/complaints/{other['id']}",
                                    headers=bearer(other["access_token"]))
        assert mine.status_code == 200

    async def test_only_the_reporter_may_ask(self, svc: ServiceHarness) -> None:
        receipt, other = await _report(svc), await file(svc)
        path = f"/complaints/{receipt['id']}/contact"
        assert (await svc.client.delete(path)).status_code == 401
        assert (await svc.client.delete(path, headers=office(svc))).status_code == 403
        assert (await svc.client.delete(path, headers=svc.auth("admin"))).status_code == 403
        contractor = await svc.client.delete(path, headers=svc.auth("contractor", org="rival"))
        assert contractor.status_code == 404
        stranger = await svc.client.delete(path, headers=bearer(other["access_token"]))
        assert stranger.status_code == 404
        shown = await ok(svc, "GET", f"/complaints/{receipt['id']}", svc.auth("admin"))
        assert shown["contact"] == FULL

    async def test_a_stale_if_match_is_412_and_erases_nothing(self, svc: ServiceHarness
                                                                ) -> None:
        receipt = await _report(svc)
        token = bearer(receipt["access_token"])
        stale = await svc.client.delete(f"/complaints/{receipt['id']}/contact",
                                        headers={**token, "If-Match": '"7"'})
        assert stale.status_code == 412
        assert (await ok(svc, "GET", f"/complaints/{receipt['id']}", token))["contact"] == MASKED

    async def test_erasing_what_is_already_erased_changes_no_contact_twice(
        self, svc: ServiceHarness,
    ) -> None:
        receipt = await _report(svc)
        await close_report(svc, receipt["id"], receipt["access_token"])
        svc.clock.advance(timedelta(days=181))
        async with svc.ctx.db.transaction() as session:
            assert await erase_expired_contacts(session, svc.clock.now(), 180) == 1
        erase = await svc.client.delete(f"/complaints/{receipt['id']}/contact",
                                        headers=bearer(receipt["access_token"]))
        assert erase.status_code == 204
        [event] = await svc.published("complaint.contact_erased")
        assert event.data["reason"] == "retention"
        anonymous = await file(svc, anonymous=True)
        again = await svc.client.delete(f"/complaints/{anonymous['id']}/contact",
                                        headers=bearer(anonymous["access_token"]))
        assert again.status_code == 204
        assert len(await svc.published("complaint.contact_erased")) == 1


async def test_revoking_a_reports_tokens_refuses_them_with_401(svc: ServiceHarness) -> None:
    """What a merge does to the duplicate's tokens (`revoke_report_tokens`)."""
    receipt = await _report(svc)
    async with svc.ctx.db.transaction() as session:
        await revoke_report_tokens(session, await lock_report(session, receipt["id"]))
    read = await svc.client.get(f"/complaints/{receipt['id']}",
                                headers=bearer(receipt["access_token"]))
    assert read.status_code == 401
    shown = await ok(svc, "GET", f"/complaints/{receipt['id']}", svc.auth("admin"))
    assert shown["contact"] == FULL  # revoking touches no personal data


@pytest.mark.postgres
async def test_concurrent_erase_requests_erase_once_and_find_the_token_revoked(
    tmp_path: Path, pg_url: str,
) -> None:
    async with running_service(DEFINITION, tmp_path, clock=FrozenClock(START),
                               settings=settings(database_url=pg_url)) as svc:
        receipt = await _report(svc)
        path, token = f"/complaints/{receipt['id']}", bearer(receipt["access_token"])
        version = (await ok(svc, "GET", path, svc.auth("admin")))["version"]
        answers = await asyncio.gather(*(svc.client.delete(f"{path}/contact", headers=token)
                                         for _ in range(12)))
        assert sorted(a.status_code for a in answers) == [204] + [401] * 11
        assert len(await svc.published("complaint.contact_erased")) == 1
        assert (await ok(svc, "GET", path, svc.auth("admin")))["version"] == version + 1
