"""Progress, offline batches, schedule risk, hidden works and attachments through the API."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from tests.projects.factories import (
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
        assert first.json() == second.json() == {
            "id": hashlib.sha256(JPEG).hexdigest(), "content_type": "image/jpeg",
            "size": len(JPEG)}
        download = await svc.client.get(f"/attachments/{first.json()['id']}",
                                        headers=svc.auth("dashboard"))
        assert download.content == JPEG
        assert download.headers["content-type"] == "image/jpeg"

    async def test_the_type_comes_from_the_content_not_the_name(self, svc: ServiceHarness
                                                               ) -> None:
        assert (await upload(svc, PDF, "x.jpg")).json()["content_type"] == "application/pdf"
        response = await upload(svc, b"MZ\x90\x00 not an image", "photo.png")
        assert response.status_code == 415

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
