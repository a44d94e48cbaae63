"""Progress, offline batches, schedule risk, hidden works and attachments through the API."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from tests.projects.factories import (
    CONTRACTOR,
    JPEG,
    PDF,
    PNG,
    START,
    contractor,
    post,
    progress_body,
    supervisor,
    under_construction,
)
from tests.support import ServiceHarness


async def upload(svc: ServiceHarness, content: bytes, name: str = "photo.bin") -> Any:
    return await svc.client.post("/attachments", files={"file": (name, content)},
                                 headers=contractor(svc))


def item(key: str, percent: int, **overrides: Any) -> dict[str, Any]:
    return {"idempotency_key": key, **progress_body(percent, **overrides)}


class TestProgress:
    async def test_progress_keeps_client_time_beside_server_time(self, svc: ServiceHarness
                                                               ) -> None:
        project_id = await under_construction(svc)
        svc.clock.advance(timedelta(hours=2))
        report = await post(svc, f"/projects/{project_id}/progress", contractor(svc),
                            progress_body(10))
        assert report["reported_at"].startswith("2022-03-01T08:00")
        assert report["received_at"].startswith("2022-03-01T10:00")
        [event] = await svc.published("project.progress_reported")
        assert event.data["percent"] == 10

    async def test_percent_never_decreases_409(self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        await post(svc, f"/projects/{project_id}/progress", contractor(svc), progress_body(40))
        response = await svc.client.post(f"/projects/{project_id}/progress",
                                         json=progress_body(30), headers=contractor(svc))
        assert response.status_code == 409
        assert response.json()["current_percent"] == 40

    async def test_percent_above_100_is_422(self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        response = await svc.client.post(f"/projects/{project_id}/progress",
                                         json=progress_body(101), headers=contractor(svc))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "percent"

    async def test_a_naive_client_time_is_422(self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        response = await svc.client.post(
            f"/projects/{project_id}/progress", headers=contractor(svc),
            json=progress_body(5, reported_at="2022-03-01T08:00:00"))
        assert response.status_code == 422

    async def test_only_the_projects_contractor_reports(self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        for headers in (contractor(svc, org="org-rival"), supervisor(svc)):
            response = await svc.client.post(f"/projects/{project_id}/progress",
                                             json=progress_body(5), headers=headers)
            assert response.status_code == 403

    async def test_progress_before_construction_is_409(self, svc: ServiceHarness) -> None:
        from tests.projects.factories import ready_to_start

        project_id = await ready_to_start(svc)
        response = await svc.client.post(f"/projects/{project_id}/progress",
                                         json=progress_body(5), headers=contractor(svc))
        assert response.status_code == 409

    async def test_photos_must_be_stored_attachments(self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        photo = (await upload(svc, PNG)).json()["id"]
        ok = await svc.client.post(f"/projects/{project_id}/progress", headers=contractor(svc),
                                   json=progress_body(5, photos=[photo]))
        assert ok.status_code == 201
        missing = await svc.client.post(f"/projects/{project_id}/progress",
                                        headers=contractor(svc),
                                        json=progress_body(6, photos=["0" * 64]))
        assert missing.status_code == 422
        assert missing.json()["errors"][0]["field"] == "photos"

    async def test_a_replayed_idempotency_key_is_not_applied_twice(self, svc: ServiceHarness
                                                                  ) -> None:
        project_id = await under_construction(svc)
        headers = {**contractor(svc), "Idempotency-Key": "phone-1"}
        first = await svc.client.post(f"/projects/{project_id}/progress",
                                      json=progress_body(10), headers=headers)
        second = await svc.client.post(f"/projects/{project_id}/progress",
                                       json=progress_body(10), headers=headers)
        assert second.json()["id"] == first.json()["id"]
        assert len(await svc.published("project.progress_reported")) == 1


    async def test_concurrent_reports_with_one_if_match_apply_once(self, svc: ServiceHarness
                                                                  ) -> None:
        project_id = await under_construction(svc)
        path = f"/projects/{project_id}/progress"
        version = (await svc.client.get(f"/projects/{project_id}",
                                        headers=contractor(svc))).json()["version"]
        headers = {**contractor(svc), "If-Match": f'"{version}"'}
        responses = await asyncio.gather(*(
            svc.client.post(path, json=progress_body(10 + i), headers=headers)
            for i in range(6)))
        assert sorted(r.status_code for r in responses) == [201] + [412] * 5
        assert len(await svc.published("project.progress_reported")) == 1


class TestBatch:
    async def test_an_offline_batch_applies_in_order_and_replays_as_duplicates(
            self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        body = {"items": [item("a", 10), item("b", 20), item("c", 30)]}
        first = await post(svc, f"/projects/{project_id}/progress:batch", contractor(svc), body)
        assert [i["outcome"] for i in first["items"]] == ["applied"] * 3
        assert first["progress_percent"] == 30
        body["items"].append(item("d", 35))
        second = await post(svc, f"/projects/{project_id}/progress:batch", contractor(svc), body)
        assert [i["outcome"] for i in second["items"]] == ["duplicate"] * 3 + ["applied"]
        assert len(await svc.published("project.progress_reported")) == 4

    async def test_a_decreasing_item_rejects_the_whole_batch(self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        body = {"items": [item("a", 20), item("b", 10)]}
        response = await svc.client.post(f"/projects/{project_id}/progress:batch", json=body,
                                         headers=contractor(svc))
        assert response.status_code == 409
        assert response.json()["field"] == "items.1.percent"
        project = (await svc.client.get(f"/projects/{project_id}",
                                        headers=contractor(svc))).json()
        assert project["progress_percent"] == 0

    async def test_batch_items_need_their_own_key(self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        response = await svc.client.post(f"/projects/{project_id}/progress:batch",
                                         json={"items": [progress_body(5)]},
                                         headers=contractor(svc))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "items.0.idempotency_key"

    async def test_a_rival_contractor_cannot_post_a_batch(self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        response = await svc.client.post(f"/projects/{project_id}/progress:batch",
                                         json={"items": [item("a", 5)]},
                                         headers=contractor(svc, org="org-rival"))
        assert response.status_code == 403


class TestScheduleRisk:
    async def test_falling_behind_is_reported_once_per_crossing(self, svc: ServiceHarness
                                                               ) -> None:
        project_id = await under_construction(svc)  # plan: 2022-03-01 .. 2022-11-30
        svc.clock.set(START + timedelta(days=137))  # about half-way
        path = f"/projects/{project_id}/progress"
        behind = await post(svc, path, contractor(svc), progress_body(10))
        await post(svc, path, contractor(svc), progress_body(12))
        assert len(await svc.published("project.schedule_at_risk")) == 1
        await post(svc, path, contractor(svc), progress_body(45))  # caught up
        await post(svc, path, contractor(svc), progress_body(46))
        svc.clock.advance(timedelta(days=90))
        await post(svc, path, contractor(svc), progress_body(47))  # behind again
        events = await svc.published("project.schedule_at_risk")
        assert len(events) == 2
        assert events[0].data["threshold_percent"] == 20
        assert events[0].data["expected_percent"] > 40
        assert behind["percent"] == 10
        [recovered] = await svc.published("project.schedule_recovered")
        assert recovered.data["percent"] == 45


class TestHiddenWorks:
    async def record(self, svc: ServiceHarness, project_id: str) -> dict[str, Any]:
        return await post(svc, f"/projects/{project_id}/hidden-works", contractor(svc),
                          {"name": "rebar", "location": "block 3", "description": "slab"})

    async def test_a_failed_work_can_be_reinspected_and_then_passes(self, svc: ServiceHarness
                                                                   ) -> None:
        project_id = await under_construction(svc)
        work = await self.record(svc, project_id)
        assert work["status"] == "pending"
        failed = await post(svc, f"/hidden-works/{work['id']}/inspect", supervisor(svc),
                            {"verdict": "fail", "note": "spacing too wide"})
        assert failed["status"] == "failed"
        passed = await post(svc, f"/hidden-works/{work['id']}/inspect", supervisor(svc),
                            {"verdict": "pass"})
        assert (passed["status"], passed["inspections"]) == ("passed", 2)
        events = await svc.published("project.hidden_work_inspected")
        assert [e.data["verdict"] for e in events] == ["fail", "pass"]

    async def test_a_passed_work_cannot_be_inspected_again(self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        work = await self.record(svc, project_id)
        await post(svc, f"/hidden-works/{work['id']}/inspect", supervisor(svc),
                   {"verdict": "pass"})
        response = await svc.client.post(f"/hidden-works/{work['id']}/inspect",
                                         json={"verdict": "fail", "note": "x"},
                                         headers=supervisor(svc))
        assert response.status_code == 409

    async def test_a_fail_without_a_note_is_422(self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        work = await self.record(svc, project_id)
        response = await svc.client.post(f"/hidden-works/{work['id']}/inspect",
                                         json={"verdict": "fail"}, headers=supervisor(svc))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "note"

    async def test_only_the_projects_supervisor_inspects(self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        work = await self.record(svc, project_id)
        for headers in (supervisor(svc, org="org-other"), contractor(svc)):
            response = await svc.client.post(f"/hidden-works/{work['id']}/inspect",
                                             json={"verdict": "pass"}, headers=headers)
            assert response.status_code == 403

    async def test_only_the_projects_contractor_records(self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        response = await svc.client.post(
            f"/projects/{project_id}/hidden-works", headers=supervisor(svc),
            json={"name": "rebar", "location": "b", "description": "d"})
        assert response.status_code == 403

    async def test_hidden_works_list_and_missing_ones_are_404(self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        work = await self.record(svc, project_id)
        page = (await svc.client.get(f"/projects/{project_id}/hidden-works",
                                     headers=svc.auth("dashboard"))).json()
        assert [w["id"] for w in page["items"]] == [work["id"]]
        missing = await svc.client.post("/hidden-works/nope/inspect", json={"verdict": "pass"},
                                        headers=supervisor(svc))
        assert missing.status_code == 404


class TestAttachments:
    async def test_content_is_addressed_by_sha256_and_deduplicated(self, svc: ServiceHarness
                                                                   ) -> None:
        import hashlib

        first = await upload(svc, JPEG, "a.jpg")
        second = await upload(svc, JPEG, "b.jpg")
        assert first.status_code == 201 and second.status_code == 200
        assert first.json() == second.json()
        stored = first.json()
        download = await svc.client.get(f"/attachments/{stored['id']}",
                                        headers=svc.auth("dashboard"))
        assert download.headers["content-type"] == "image/jpeg"
        assert stored["id"] == stored["sha256"] == hashlib.sha256(download.content).hexdigest()
        assert stored["size"] == len(download.content)

    async def test_the_type_comes_from_the_content_not_the_name(self, svc: ServiceHarness
                                                               ) -> None:
        assert (await upload(svc, PDF, "x.jpg")).json()["content_type"] == "application/pdf"
        response = await upload(svc, b"MZ\x90\x00 not an image", "photo.png")
        assert response.status_code == 415
        assert "application/pdf" in response.json()["accepted"]

    async def test_a_file_over_the_limit_is_413(self, svc: ServiceHarness) -> None:
        response = await upload(svc, PNG + b"\x00" * (64 * 1024))
        assert response.status_code == 413

    async def test_an_empty_file_is_422(self, svc: ServiceHarness) -> None:
        assert (await upload(svc, b"")).status_code == 422

    async def test_uploads_need_a_party_role(self, svc: ServiceHarness) -> None:
        response = await svc.client.post("/attachments", files={"file": ("a", PNG)},
                                         headers=svc.auth("owner"))
        assert response.status_code == 403
        assert (await svc.client.post("/attachments", files={"file": ("a", PNG)})
                ).status_code == 401

    async def test_an_unknown_attachment_is_404(self, svc: ServiceHarness) -> None:
        for attachment_id in ("0" * 64, "../../etc/passwd"):
            response = await svc.client.get(f"/attachments/{attachment_id}",
                                            headers=svc.auth("dashboard"))
            assert response.status_code == 404


# --- issue 14 -------------------------------------------------------------------------------

def jpeg_with_location() -> bytes:
    """A phone photo: EXIF with the maker and GPS position, and a comment."""
    import io

    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (24.0, 28.0, 48.0), 3: "E", 4: (118.0, 5.0, 24.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(buffer, "JPEG", exif=exif.tobytes(),
                                                    comment=b"taken at home")
    return buffer.getvalue()


class TestOfflineBatchKeys:
    """Item 1 (and 13): a key names one report; a conflict is never a silent duplicate."""

    async def test_a_key_recorded_before_with_another_report_is_a_conflict(
            self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        path = f"/projects/{project_id}/progress:batch"
        await post(svc, path, contractor(svc), {"items": [item("a", 20)]})
        response = await svc.client.post(path, json={"items": [item("b", 30), item("a", 99)]},
                                         headers=contractor(svc))
        assert response.status_code == 409, response.text
        problem = response.json()
        assert problem["field"] == "items.1.idempotency_key"
        assert problem["differing"] == ["percent"]
        project = (await svc.client.get(f"/projects/{project_id}",
                                        headers=contractor(svc))).json()
        assert project["progress_percent"] == 20  # all or nothing: b was not applied either

    async def test_two_items_sharing_a_key_with_different_reports_are_a_conflict(
            self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        response = await svc.client.post(f"/projects/{project_id}/progress:batch",
                                         json={"items": [item("a", 20), item("a", 30)]},
                                         headers=contractor(svc))
        assert response.status_code == 409, response.text
        assert response.json()["field"] == "items.1.idempotency_key"
        assert response.json()["batch_item"] == "items.0"
        assert await svc.published("project.progress_reported") == []

    async def test_the_same_report_twice_under_one_key_is_applied_once(
            self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        body = await post(svc, f"/projects/{project_id}/progress:batch", contractor(svc),
                          {"items": [item("a", 20), item("a", 20)]})
        assert [i["outcome"] for i in body["items"]] == ["applied", "duplicate"]
        assert len(await svc.published("project.progress_reported")) == 1

    async def test_a_replay_sent_with_another_offset_is_still_the_same_report(
            self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        path = f"/projects/{project_id}/progress:batch"
        await post(svc, path, contractor(svc), {"items": [item("a", 20)]})
        beijing = item("a", 20, reported_at="2022-03-01T16:00:00+08:00")  # = START
        replay = await post(svc, path, contractor(svc), {"items": [beijing]})
        assert replay["items"][0]["outcome"] == "duplicate"

    async def test_a_header_key_reused_with_another_report_is_409_naming_the_key(
            self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        path = f"/projects/{project_id}/progress"
        first_phone = {**contractor(svc), "Idempotency-Key": "report-7"}
        second_phone = {**svc.auth("contractor", org=CONTRACTOR, sub="phone-2"),
                        "Idempotency-Key": "report-7"}
        await post(svc, path, first_phone, progress_body(20))
        response = await svc.client.post(path, json=progress_body(99), headers=second_phone)
        assert response.status_code == 409, response.text
        assert response.json()["field"] == "Idempotency-Key"

    async def test_a_rolled_back_batch_reports_the_stored_percent(self, svc: ServiceHarness
                                                                  ) -> None:
        project_id = await under_construction(svc)
        await post(svc, f"/projects/{project_id}/progress", contractor(svc), progress_body(5))
        response = await svc.client.post(f"/projects/{project_id}/progress:batch",
                                         json={"items": [item("a", 20), item("b", 10)]},
                                         headers=contractor(svc))
        assert response.status_code == 409
        problem = response.json()
        assert (problem["field"], problem["current_percent"], problem["batch_percent"]) == (
            "items.1.percent", 5, 20)
        project = (await svc.client.get(f"/projects/{project_id}",
                                        headers=contractor(svc))).json()
        assert project["progress_percent"] == problem["current_percent"]


class TestOneRuleOnSite:
    """Item 2: a suspended site takes neither progress nor hidden works."""

    async def test_a_suspended_project_takes_neither_progress_nor_hidden_works(
            self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        await post(svc, f"/projects/{project_id}/suspend", contractor(svc))
        progress = await svc.client.post(f"/projects/{project_id}/progress",
                                         json=progress_body(10), headers=contractor(svc))
        batch = await svc.client.post(f"/projects/{project_id}/progress:batch",
                                      json={"items": [item("a", 10)]}, headers=contractor(svc))
        work = await svc.client.post(f"/projects/{project_id}/hidden-works",
                                     json={"name": "rebar", "location": "b", "description": "d"},
                                     headers=contractor(svc))
        assert [r.status_code for r in (progress, batch, work)] == [409, 409, 409]
        assert {r.json()["current_status"] for r in (progress, batch, work)} == {"suspended"}
        assert progress.json()["open_in"] == work.json()["open_in"]

    async def test_a_replayed_report_is_still_answered_while_suspended(
            self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        path = f"/projects/{project_id}/progress:batch"
        await post(svc, path, contractor(svc), {"items": [item("a", 10)]})
        await post(svc, f"/projects/{project_id}/suspend", contractor(svc))
        replay = await post(svc, path, contractor(svc), {"items": [item("a", 10)]})
        assert replay["items"][0]["outcome"] == "duplicate"


class TestTimes:
    """Item 10: request times need an offset; they come back in UTC."""

    async def test_a_naive_client_time_is_422_naming_the_field(self, svc: ServiceHarness
                                                               ) -> None:
        project_id = await under_construction(svc)
        single = await svc.client.post(
            f"/projects/{project_id}/progress", headers=contractor(svc),
            json=progress_body(5, reported_at="2022-03-01T08:00:00"))
        batch = await svc.client.post(
            f"/projects/{project_id}/progress:batch", headers=contractor(svc),
            json={"items": [item("a", 5, reported_at="2022-03-01T08:00:00")]})
        assert single.status_code == batch.status_code == 422
        assert single.json()["errors"][0]["field"] == "reported_at"
        assert batch.json()["errors"][0]["field"] == "items.0.reported_at"

    async def test_a_beijing_time_is_kept_as_the_same_instant_in_utc(self, svc: ServiceHarness
                                                                      ) -> None:
        project_id = await under_construction(svc)
        report = await post(svc, f"/projects/{project_id}/progress", contractor(svc),
                            progress_body(5, reported_at="2022-03-01T15:30:00+08:00"))
        assert report["reported_at"] == "2022-03-01T07:30:00Z"


class TestInspectionHistory:
    """Item 4 (and 15): every inspection is kept; recording a hidden work is published."""

    async def test_a_pass_keeps_the_failed_inspection_and_its_note(self, svc: ServiceHarness
                                                                   ) -> None:
        project_id = await under_construction(svc)
        work = await post(svc, f"/projects/{project_id}/hidden-works", contractor(svc),
                          {"name": "rebar", "location": "block 3", "description": "slab"})
        assert work["inspection_history"] == []
        await post(svc, f"/hidden-works/{work['id']}/inspect", supervisor(svc),
                   {"verdict": "fail", "note": "spacing too wide"})
        svc.clock.advance(timedelta(days=1))
        passed = await post(svc, f"/hidden-works/{work['id']}/inspect", supervisor(svc),
                            {"verdict": "pass", "note": "re-tied"})
        history = [(i["number"], i["verdict"], i["note"]) for i in passed["inspection_history"]]
        assert history == [(1, "fail", "spacing too wide"), (2, "pass", "re-tied")]
        read = (await svc.client.get(f"/hidden-works/{work['id']}",
                                     headers=svc.auth("dashboard"))).json()
        listed = (await svc.client.get(f"/projects/{project_id}/hidden-works",
                                       headers=svc.auth("dashboard"))).json()["items"]
        assert read == listed[0] == passed
        assert read["inspection_history"][0]["inspected_at"] < read["inspection_history"][1][
            "inspected_at"]

    async def test_recording_a_hidden_work_is_published(self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        work = await post(svc, f"/projects/{project_id}/hidden-works", contractor(svc),
                          {"name": "rebar", "location": "block 3", "description": "slab"})
        [event] = await svc.published("project.hidden_work_recorded")
        assert (event.subject, event.data["hidden_work_id"]) == (project_id, work["id"])
        assert "rebar" not in str(event.data)


class TestUploadsAreDecoded:
    """Item 3: uploads are proven by decoding, photos lose their location, only images are
    photos; item 12: an attachment's metadata can be read back."""

    @pytest.mark.parametrize("fake", [
        b"\xff\xd8\xff", b"%PDF-<script>alert(1)</script>",
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, JPEG[: len(JPEG) // 2], PDF[:-80],
    ], ids=["jpeg-magic-only", "pdf-script", "png-header-random", "truncated-jpeg",
            "truncated-pdf"])
    async def test_what_does_not_decode_is_refused_and_not_stored(
            self, svc: ServiceHarness, fake: bytes) -> None:
        response = await upload(svc, fake)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "file"
        assert not list((svc.ctx.settings.attachments_root).rglob("*"))

    async def test_a_photo_is_stored_without_its_location(self, svc: ServiceHarness) -> None:
        import io

        from PIL import Image

        raw = jpeg_with_location()
        stored = (await upload(svc, raw, "photo.jpg")).json()
        content = (await svc.client.get(f"/attachments/{stored['id']}",
                                        headers=svc.auth("dashboard"))).content
        assert b"PhoneMaker" not in content and b"taken at home" not in content
        image = Image.open(io.BytesIO(content))
        assert image.size == (64, 48)
        assert dict(image.getexif()) == {}

    async def test_a_pdf_is_stored_as_sent(self, svc: ServiceHarness) -> None:
        stored = (await upload(svc, PDF, "report.pdf")).json()
        content = (await svc.client.get(f"/attachments/{stored['id']}",
                                        headers=svc.auth("dashboard"))).content
        assert content == PDF

    async def test_a_pdf_is_not_a_photo(self, svc: ServiceHarness) -> None:
        project_id = await under_construction(svc)
        document = (await upload(svc, PDF)).json()["id"]
        photo = (await upload(svc, PNG)).json()["id"]
        refused = await svc.client.post(f"/projects/{project_id}/progress",
                                        headers=contractor(svc),
                                        json=progress_body(5, photos=[photo, document]))
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "photos"
        batch = await svc.client.post(f"/projects/{project_id}/progress:batch",
                                      headers=contractor(svc),
                                      json={"items": [item("a", 5, photos=[document])]})
        assert batch.status_code == 422
        assert batch.json()["errors"][0]["field"] == "items.0.photos"

    async def test_an_attachments_metadata_can_be_read_back(self, svc: ServiceHarness) -> None:
        stored = (await upload(svc, PDF, "report.pdf")).json()
        meta = await svc.client.get(f"/attachments/{stored['id']}/meta",
                                    headers=svc.auth("dashboard"))
        assert meta.status_code == 200, meta.text
        assert meta.json() == stored
        assert meta.json()["content_type"] == "application/pdf"
        assert meta.json()["created_at"] == "2022-03-01T08:00:00Z"
        missing = await svc.client.get(f"/attachments/{'0' * 64}/meta",
                                       headers=svc.auth("dashboard"))
        assert missing.status_code == 404
        assert (await svc.client.get(f"/attachments/{stored['id']}/meta")).status_code == 401
