"""Duplicates: reports nearby before filing, "me too" supporters with their own token, and
staff merging a duplicate into the surviving report (并单处理)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.complaints.domain.duplicates import nearest
from shared.geo import LatLng, offset
from tests.complaints.conftest import bearer, report_body
from tests.complaints.privacy import office
from tests.support import ServiceHarness

HERE = LatLng(24.478, 118.096)  # inside shentian's demo boundary
NEARBY = "/complaints/nearby"


def _at(point: LatLng, **overrides: Any) -> dict[str, Any]:
    return report_body(project_id=None, community_id="shentian",
                       location={"lat": point.lat, "lng": point.lng, "address": "深田路 3 号"},
                       **overrides)


async def _file(svc: ServiceHarness, point: LatLng = HERE, **overrides: Any) -> dict[str, Any]:
    response = await svc.client.post("/complaints", json=_at(point, **overrides))
    assert response.status_code == 201, response.text
    receipt: dict[str, Any] = response.json()
    return receipt


async def _nearby(svc: ServiceHarness, point: LatLng = HERE, category: str = "noise"
                  ) -> list[dict[str, Any]]:
    response = await svc.client.get(NEARBY, params={"lat": point.lat, "lng": point.lng,
                                                    "category": category})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _ok(svc: ServiceHarness, path: str, headers: dict[str, str],
              body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await svc.client.post(path, headers=headers, json=body)
    assert response.is_success, f"{path}: {response.text}"
    found: dict[str, Any] = response.json()
    return found


async def _close(svc: ServiceHarness, receipt: dict[str, Any]) -> None:
    path = f"/complaints/{receipt['id']}"
    for step, body in (("acknowledge", None), ("assign", {"assignee_org": "acme"}),
                       ("resolve", {"resolution": "done"})):
        await _ok(svc, f"{path}/{step}", svc.auth("admin"), body)
    await _ok(svc, f"{path}/confirm", bearer(receipt["access_token"]), {"satisfaction": 4})


async def _read(svc: ServiceHarness, complaint_id: str, token: str) -> Any:
    return await svc.client.get(f"/complaints/{complaint_id}", headers=bearer(token))


# Nearby

async def test_a_report_249_m_away_is_nearby_and_one_251_m_away_is_not(
    svc: ServiceHarness,
) -> None:
    near = await _file(svc, offset(HERE, north_m=249))
    await _file(svc, offset(HERE, east_m=-251))
    [found] = await _nearby(svc)
    assert found["id"] == near["id"] and 248.9 <= found["distance_m"] <= 249.1


async def test_nearby_lists_only_the_same_category(svc: ServiceHarness) -> None:
    await _file(svc, category="dust")
    assert await _nearby(svc, category="noise") == []
    assert len(await _nearby(svc, category="dust")) == 1


async def test_a_closed_report_is_not_nearby(svc: ServiceHarness) -> None:
    receipt = await _file(svc)
    await _close(svc, receipt)
    assert await _nearby(svc) == []


async def test_a_report_older_than_30_days_is_not_nearby(svc: ServiceHarness) -> None:
    await _file(svc)
    svc.clock.advance(timedelta(days=30))
    assert len(await _nearby(svc)) == 1  # 30 days to the second: still recent
    svc.clock.advance(timedelta(seconds=1))
    assert await _nearby(svc) == []


async def test_nearby_shows_up_to_five_nearest_first_and_nobody_s_contact(
    svc: ServiceHarness,
) -> None:
    for metres in (200, 10, 150, 90, 240, 60, 120):
        await _file(svc, offset(HERE, north_m=metres))
    found = await _nearby(svc)
    assert [round(item["distance_m"]) for item in found] == [10, 60, 90, 120, 150]
    assert set(found[0]) == {"id", "kind", "category", "status", "description", "location",
                             "distance_m", "supporters", "created_at"}
    assert set(found[0]["location"]) == {"lat", "lng"}  # the point, not the address
    assert "13712345678" not in str(found) and "陈小明" not in str(found)


async def test_nearby_needs_a_point_and_a_known_category(svc: ServiceHarness) -> None:
    missing = await svc.client.get(NEARBY, params={"lat": 24.4, "category": "noise"})
    assert missing.status_code == 422 and "lng" in missing.text
    wrong = await svc.client.get(NEARBY, params={"lat": 24.4, "lng": 118.0,
                                                 "category": "graffiti"})
    assert wrong.status_code == 422 and "category" in wrong.text
    off = await svc.client.get(NEARBY, params={"lat": 91, "lng": 118.0, "category": "noise"})
    assert off.status_code == 422


def test_nearest_keeps_the_radius_inclusive() -> None:
    edge = offset(HERE, north_m=250)
    assert [item for item, _ in nearest(HERE, [("edge", edge)], radius_m=250.001,
                                        limit=5)] == ["edge"]


# Supporters ("me too")

async def test_a_supporter_is_counted_and_follows_the_report_without_seeing_the_reporter(
    svc: ServiceHarness,
) -> None:
    receipt = await _file(svc)
    first = await _ok(svc, f"/complaints/{receipt['id']}/supporters", {})
    second = await _ok(svc, f"/complaints/{receipt['id']}/supporters", {})
    assert (first["supporters"], second["supporters"]) == (1, 2)
    followed = await _read(svc, receipt["id"], second["access_token"])
    assert followed.status_code == 200
    assert followed.json()["supporters"] == 2 and followed.json()["contact"] is None
    [found] = await _nearby(svc)
    assert found["supporters"] == 2


async def test_a_supporter_cannot_confirm_or_reopen_for_the_reporter(
    svc: ServiceHarness,
) -> None:
    receipt = await _file(svc)
    supporter = await _ok(svc, f"/complaints/{receipt['id']}/supporters", {})
    path = f"/complaints/{receipt['id']}"
    for step, body in (("acknowledge", None), ("assign", {"assignee_org": "acme"}),
                       ("resolve", {"resolution": "done"})):
        await _ok(svc, f"{path}/{step}", svc.auth("admin"), body)
    confirm = await svc.client.post(f"{path}/confirm", json={"satisfaction": 1},
                                    headers=bearer(supporter["access_token"]))
    assert confirm.status_code == 403


async def test_supporting_leaves_the_version_as_staff_saw_it(svc: ServiceHarness) -> None:
    receipt = await _file(svc)
    await _ok(svc, f"/complaints/{receipt['id']}/supporters", {})
    acknowledged = await svc.client.post(f"/complaints/{receipt['id']}/acknowledge",
                                         headers={**svc.auth("admin"), "If-Match": "1"})
    assert acknowledged.status_code == 200


async def test_a_closed_report_takes_no_supporters(svc: ServiceHarness) -> None:
    receipt = await _file(svc)
    await _close(svc, receipt)
    refused = await svc.client.post(f"/complaints/{receipt['id']}/supporters")
    assert refused.status_code == 409


async def test_supporting_a_report_that_does_not_exist_is_404(svc: ServiceHarness) -> None:
    assert (await svc.client.post("/complaints/nope/supporters")).status_code == 404


async def test_support_is_published_as_a_count_only(svc: ServiceHarness) -> None:
    receipt = await _file(svc)
    await _ok(svc, f"/complaints/{receipt['id']}/supporters", {})
    [event] = await svc.published("complaint.supported")
    assert event.subject == receipt["id"]
    assert event.data["supporters"] == 1 and event.data["merged_from"] is None
    assert set(event.data) == {"complaint_id", "kind", "category", "status", "project_id",
                               "community_id", "compound_id", "occurred_at", "supporters",
                               "merged_from"}


# Merging a duplicate into the surviving report

async def _merge(svc: ServiceHarness, duplicate: str, into: str,
                 headers: dict[str, str] | None = None) -> Any:
    return await svc.client.post(f"/complaints/{duplicate}/merge", json={"into": into},
                                 headers=headers or office(svc))


async def test_a_merge_keeps_both_reporters_able_to_follow_the_survivor(
    svc: ServiceHarness,
) -> None:
    survivor, duplicate = await _file(svc), await _file(svc, offset(HERE, north_m=40))
    merged = await _merge(svc, duplicate["id"], survivor["id"])
    assert merged.status_code == 200, merged.text
    assert merged.json()["status"] == "duplicate"
    assert merged.json()["duplicate_of"] == survivor["id"]
    assert merged.json()["allowed_actions"] == []
    for token in (survivor["access_token"], duplicate["access_token"]):
        followed = await _read(svc, survivor["id"], token)
        assert followed.status_code == 200, followed.text
        assert followed.json()["supporters"] == 1
    by_duplicate = await _read(svc, survivor["id"], duplicate["access_token"])
    assert by_duplicate.json()["contact"] is None  # not the survivor's reporter's, even masked
    own = await _read(svc, duplicate["id"], duplicate["access_token"])
    assert own.json()["duplicate_of"] == survivor["id"]
    assert "follows that report" in own.json()["history"][-1]["note"]


async def test_a_merged_reporter_follows_but_takes_no_step_on_the_survivor(
    svc: ServiceHarness,
) -> None:
    survivor, duplicate = await _file(svc), await _file(svc)
    await _merge(svc, duplicate["id"], survivor["id"])
    path = f"/complaints/{survivor['id']}"
    for step, body in (("acknowledge", None), ("assign", {"assignee_org": "acme"}),
                       ("resolve", {"resolution": "done"})):
        await _ok(svc, f"{path}/{step}", svc.auth("admin"), body)
    reopen = await svc.client.post(f"{path}/reopen", json={"reason": "still loud"},
                                   headers=bearer(duplicate["access_token"]))
    assert reopen.status_code == 404
    other = await _file(svc)
    assert (await _read(svc, other["id"], duplicate["access_token"])).status_code == 404


async def test_the_duplicate_s_supporters_and_earlier_duplicates_follow_the_survivor(
    svc: ServiceHarness,
) -> None:
    survivor, middle, earliest = await _file(svc), await _file(svc), await _file(svc)
    supporter = await _ok(svc, f"/complaints/{middle['id']}/supporters", {})
    assert (await _merge(svc, earliest["id"], middle["id"])).status_code == 200
    assert (await _merge(svc, middle["id"], survivor["id"],
                         {**office(svc), "If-Match": "2"})).status_code == 200  # 1 merge in
    for token in (earliest["access_token"], supporter["access_token"], middle["access_token"]):
        assert (await _read(svc, survivor["id"], token)).status_code == 200
    report = await _read(svc, survivor["id"], survivor["access_token"])
    assert report.json()["supporters"] == 3  # middle's reporter, its supporter, earliest's


async def test_a_merge_publishes_a_fact_for_each_report(svc: ServiceHarness) -> None:
    survivor, duplicate = await _file(svc), await _file(svc)
    await _merge(svc, duplicate["id"], survivor["id"])
    [merged] = await svc.published("complaint.merged")
    [supported] = await svc.published("complaint.supported")
    assert merged.subject == duplicate["id"]
    assert (merged.data["status"], merged.data["duplicate_of"]) == ("duplicate", survivor["id"])
    assert supported.subject == survivor["id"]
    assert (supported.data["supporters"], supported.data["merged_from"]) == \
        (1, duplicate["id"])


async def test_a_merged_duplicate_is_never_escalated(svc: ServiceHarness) -> None:
    from services.complaints.service.escalation import escalate_overdue

    survivor, duplicate = await _file(svc, category="safety"), await _file(svc, category="safety")
    await _merge(svc, duplicate["id"], survivor["id"])
    svc.clock.advance(timedelta(hours=9))
    async with svc.ctx.db.transaction() as session:
        assert await escalate_overdue(session, svc.clock.now()) == 2  # the survivor's levels
    escalated = {e.subject for e in await svc.published("complaint.escalated")}
    assert escalated == {survivor["id"]}


async def test_merges_that_make_no_sense_are_refused(svc: ServiceHarness) -> None:
    a, b, closed = await _file(svc), await _file(svc), await _file(svc)
    await _close(svc, closed)
    assert (await _merge(svc, a["id"], a["id"])).status_code == 422
    assert (await _merge(svc, a["id"], closed["id"])).status_code == 409
    assert (await _merge(svc, closed["id"], a["id"])).status_code == 409
    assert (await _merge(svc, a["id"], "nope")).status_code == 404
    assert (await _merge(svc, a["id"], b["id"])).status_code == 200
    again = await _merge(svc, a["id"], b["id"])
    assert again.status_code == 409
    into_duplicate = await _merge(svc, b["id"], a["id"])
    assert into_duplicate.status_code == 409 and b["id"] in into_duplicate.text
    refused = await svc.client.post(f"/complaints/{a['id']}/supporters")
    assert refused.status_code == 409 and refused.json()["duplicate_of"] == b["id"]


async def test_only_staff_merge_and_a_stale_if_match_is_412(svc: ServiceHarness) -> None:
    a, b = await _file(svc), await _file(svc)
    assert (await _merge(svc, a["id"], b["id"], bearer(a["access_token"]))).status_code == 403
    contractor = svc.auth("contractor", org="acme")
    assert (await _merge(svc, a["id"], b["id"], contractor)).status_code == 403
    elsewhere = office(svc, community="dongdu")
    assert (await _merge(svc, a["id"], b["id"], elsewhere)).status_code == 404
    stale = await _merge(svc, a["id"], b["id"], {**office(svc), "If-Match": "9"})
    assert stale.status_code == 412
    assert (await _merge(svc, a["id"], b["id"], {**office(svc), "If-Match": "1"})
            ).status_code == 200
