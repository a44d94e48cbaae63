"""Site boards through the API: who may publish, what the public sees, the event."""

from __future__ import annotations

from tests.complaints.conftest import board_body, full_width, known_project
from tests.support import ServiceHarness


async def test_the_projects_contractor_publishes_and_the_event_says_only_when(
    svc: ServiceHarness,
) -> None:
    await known_project(svc)
    response = await svc.client.put("/sites/p-1/board", json=board_body(),
                                    headers=svc.auth("contractor", org="acme"))
    assert response.status_code == 201, response.text
    assert response.json()["community_id"] == "shentian"
    [event] = await svc.published("site_board.published")
    assert event.subject == "p-1"
    assert event.data == {"project_id": "p-1", "community_id": "shentian",
                          "published_at": "2026-03-02T09:00:00Z", "lat": None, "lng": None}


async def test_a_board_may_say_where_the_site_is_and_the_event_carries_it(
    svc: ServiceHarness,
) -> None:
    await known_project(svc)
    location = {"lat": 24.478, "lng": 118.096}
    response = await svc.client.put("/sites/p-1/board", json=board_body(location=location),
                                    headers=svc.auth("contractor", org="acme"))
    assert response.json()["location"] == location
    assert (await svc.client.get("/sites/p-1/board")).json()["location"] == location
    [event] = await svc.published("site_board.published")
    assert (event.data["lat"], event.data["lng"]) == (24.478, 118.096)


async def test_a_site_location_off_the_globe_is_refused(svc: ServiceHarness) -> None:
    await known_project(svc)
    response = await svc.client.put("/sites/p-1/board",
                                    json=board_body(location={"lat": 124.0, "lng": 118.0}),
                                    headers=svc.auth("contractor", org="acme"))
    assert response.status_code == 422
    assert "lat" in response.text


async def test_an_update_is_published_again_and_bumps_the_version(svc: ServiceHarness) -> None:
    await known_project(svc)
    headers = svc.auth("contractor", org="acme")
    await svc.client.put("/sites/p-1/board", json=board_body(), headers=headers)
    again = await svc.client.put("/sites/p-1/board", json=board_body(hotline="12345"),
                                 headers={**headers, "If-Match": "1"})
    assert again.status_code == 200
    assert again.json()["version"] == 2 and again.json()["hotline"] == "12345"
    assert len(await svc.published("site_board.published")) == 2


async def test_a_stale_if_match_is_412(svc: ServiceHarness) -> None:
    await known_project(svc)
    headers = svc.auth("contractor", org="acme")
    await svc.client.put("/sites/p-1/board", json=board_body(), headers=headers)
    stale = await svc.client.put("/sites/p-1/board", json=board_body(),
                                 headers={**headers, "If-Match": "7"})
    assert stale.status_code == 412


async def test_another_contractor_is_403(svc: ServiceHarness) -> None:
    await known_project(svc)
    response = await svc.client.put("/sites/p-1/board", json=board_body(),
                                    headers=svc.auth("contractor", org="rival"))
    assert response.status_code == 403


async def test_a_contractor_cannot_publish_for_an_unknown_project(svc: ServiceHarness) -> None:
    response = await svc.client.put("/sites/p-9/board", json=board_body(),
                                    headers=svc.auth("contractor", org="acme"))
    assert response.status_code == 404
    assert await svc.published("site_board.published") == []


async def test_the_subdistrict_may_publish_before_the_project_is_known(
    svc: ServiceHarness,
) -> None:
    response = await svc.client.put("/sites/p-9/board",
                                    json=board_body(community_id="dongdu"),
                                    headers=svc.auth("subdistrict", org="dongdu-street"))
    assert response.status_code == 201
    [event] = await svc.published("site_board.published")
    assert event.data["community_id"] == "dongdu"


async def test_a_body_community_contradicting_the_project_is_422(svc: ServiceHarness) -> None:
    await known_project(svc)
    response = await svc.client.put("/sites/p-1/board", json=board_body(community_id="dongdu"),
                                    headers=svc.auth("subdistrict", org="shentian-street"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "community_id"


async def test_other_roles_and_anonymous_callers_cannot_publish(svc: ServiceHarness) -> None:
    assert (await svc.client.put("/sites/p-1/board", json=board_body())).status_code == 401
    owner = await svc.client.put("/sites/p-1/board", json=board_body(),
                                 headers=svc.auth("owner"))
    assert owner.status_code == 403


async def test_bad_phone_numbers_are_422_naming_the_field(svc: ServiceHarness) -> None:
    body = board_body(liaison={"name": "王建国", "phone": "12345"})
    response = await svc.client.put("/sites/p-1/board", json=body,
                                    headers=svc.auth("subdistrict"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "liaison.phone"
    bad_hotline = await svc.client.put("/sites/p-1/board", json=board_body(hotline="call us"),
                                       headers=svc.auth("subdistrict"))
    assert bad_hotline.json()["errors"][0]["field"] == "hotline"


async def test_the_public_board_shows_the_liaison_contractor_and_supervisor_in_full(
    svc: ServiceHarness,
) -> None:
    """施工现场要公布投诉热线电话、明确现场联络人: the board publishes these by their role."""
    await known_project(svc)
    await svc.client.put("/sites/p-1/board", json=board_body(),
                         headers=svc.auth("contractor", org="acme"))
    public = (await svc.client.get("/sites/p-1/board")).json()
    assert public["hotline"] == "0592-5551234"
    assert public["liaison"] == {"org": None, "name": "王建国", "phone": "13812345678",
                                 "email": None}
    assert public["contractor_contact"] == {"org": "acme", "name": "李工",
                                            "phone": "13900001111", "email": None}
    assert public["supervisor_contact"] == {"org": "watch", "name": None,
                                            "phone": "0592-5559876", "email": None}
    staff = (await svc.client.get("/sites/p-1/board", headers=svc.auth("community"))).json()
    assert staff == public


async def test_a_board_is_read_with_its_version_as_the_etag_for_the_next_put(
    svc: ServiceHarness,
) -> None:
    await known_project(svc)
    headers = svc.auth("contractor", org="acme")
    published = await svc.client.put("/sites/p-1/board", json=board_body(), headers=headers)
    assert published.headers["etag"] == '"1"'
    read = await svc.client.get("/sites/p-1/board")
    assert read.headers["etag"] == '"1"'
    again = await svc.client.put("/sites/p-1/board", json=board_body(hotline="12345"),
                                 headers={**headers, "If-Match": read.headers["etag"]})
    assert again.status_code == 200 and again.headers["etag"] == '"2"'
    assert (await svc.client.get("/sites/p-1/board")).headers["etag"] == '"2"'


async def test_board_numbers_are_taken_as_people_write_them(svc: ServiceHarness) -> None:
    await known_project(svc)
    body = board_body(hotline=full_width("400-123-4567"),
                      liaison={"name": "王建国", "phone": "+86 138-1234-5678"})
    response = await svc.client.put("/sites/p-1/board", json=body,
                                    headers=svc.auth("contractor", org="acme"))
    assert response.status_code == 201, response.text
    assert response.json()["hotline"] == "400-123-4567"
    assert response.json()["liaison"]["phone"] == "13812345678"


async def test_a_site_without_a_board_is_404(svc: ServiceHarness) -> None:
    assert (await svc.client.get("/sites/p-1/board")).status_code == 404


async def test_boards_are_listed_per_community(svc: ServiceHarness) -> None:
    await known_project(svc)
    await known_project(svc, project_id="p-2", community_id="dongdu")
    for project, office in (("p-1", "shentian-street"), ("p-2", "dongdu-street")):
        await svc.client.put(f"/sites/{project}/board", json=board_body(),
                             headers=svc.auth("subdistrict", org=office))
    listed = (await svc.client.get("/sites", params={"community_id": "shentian"})).json()
    assert [b["project_id"] for b in listed["items"]] == ["p-1"]
    assert listed["items"][0]["liaison"]["phone"] == "13812345678"  # published in full


async def test_an_if_match_on_the_first_publication_is_ignored(svc: ServiceHarness) -> None:
    await known_project(svc)
    response = await svc.client.put("/sites/p-1/board", json=board_body(),
                                    headers={**svc.auth("contractor", org="acme"),
                                             "If-Match": "3"})
    assert response.status_code == 201 and response.json()["version"] == 1


async def test_who_may_publish_is_decided_before_the_version(svc: ServiceHarness) -> None:
    await known_project(svc)
    await svc.client.put("/sites/p-1/board", json=board_body(),
                         headers=svc.auth("subdistrict", org="shentian-street"))
    rival = await svc.client.put("/sites/p-1/board", json=board_body(),
                                 headers={**svc.auth("contractor", org="rival"),
                                          "If-Match": "7"})
    assert rival.status_code == 403
