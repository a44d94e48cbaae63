"""Each service over real PostgreSQL and Kafka: its flow, its events on its topic."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.acceptance.app import DEFINITION as ACCEPTANCE
from services.complaints.app import DEFINITION as COMPLAINTS
from services.projects.app import DEFINITION as PROJECTS
from services.property.app import DEFINITION as PROPERTY
from shared.clock import FrozenClock
from shared.contracts.acceptance import AcceptancePassed
from shared.contracts.complaints import SiteBoardPublished
from shared.events import Event
from tests.acceptance import factories as af
from tests.integration.flows import eventually, on_kafka, produce
from tests.integration.servers import unique
from tests.projects import factories as pf
from tests.property.conftest import compound_body, provider_body, trial_body

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


@pytest.fixture
def namespace() -> str:
    return unique("it") + "."


async def test_a_project_walks_from_draft_to_accepted_with_its_events_on_kafka(
    tmp_path: Path, pg_url: str, kafka_bootstrap: str, namespace: str
) -> None:
    clock = FrozenClock(pf.START)
    async with on_kafka(PROJECTS, tmp_path, database_url=pg_url, bootstrap=kafka_bootstrap,
                        namespace=namespace, clock=clock,
                        attachments_root=tmp_path / "attachments") as h:
        project_id = (await pf.draft_project(h))["id"]
        await pf.post(h, f"/projects/{project_id}/approve", pf.bureau(h))
        await pf.post(h, f"/projects/{project_id}/construction-plan", pf.contractor(h),
                      pf.construction_plan_body())
        # The site board arrives as the complaints service publishes it: through Kafka.
        await produce(kafka_bootstrap, namespace, SiteBoardPublished(
            project_id=project_id, community_id="dongdu", published_at=clock.now()),
            subject=project_id, clock=clock)

        async def started() -> bool:
            response = await h.client.post(f"/projects/{project_id}/start",
                                           headers=pf.contractor(h))
            return response.status_code == 200

        await eventually(started, timeout=30, interval=0.2)
        await pf.post(h, f"/projects/{project_id}/progress", pf.contractor(h),
                      pf.progress_body(100))
        await pf.post(h, f"/projects/{project_id}/complete", pf.builder(h))
        await produce(kafka_bootstrap, namespace, AcceptancePassed(
            acceptance_id="acc-1", project_id=project_id, community_id="dongdu", round=1,
            decided_at=clock.now()), subject="acc-1", clock=clock)

        async def accepted() -> bool:
            view = await h.client.get(f"/projects/{project_id}", headers=pf.builder(h))
            return bool(view.json()["status"] == "accepted")

        await eventually(accepted, timeout=30, interval=0.2)
        events = [e for e in await h.published() if e.subject == project_id]

    assert [e.type for e in events] == [
        "project.created", "project.approved", "project.construction_plan_submitted",
        "project.construction_started",
        "project.progress_reported", "project.completed", "project.accepted",
    ]
    assert events[5].data["parties"]["contractor"] == pf.CONTRACTOR


async def test_complaint_events_on_kafka_carry_no_phone_number_or_name(
    tmp_path: Path, pg_url: str, kafka_bootstrap: str, namespace: str
) -> None:
    phone, liaison_phone, name, liaison = "13712345678", "13812345678", "陈小明", "王建国"
    async with on_kafka(COMPLAINTS, tmp_path, database_url=pg_url, bootstrap=kafka_bootstrap,
                        namespace=namespace, clock=FrozenClock(datetime(2026, 3, 2, tzinfo=UTC)),
                        rate_limit="1000/minute") as h:
        board = await h.client.put("/sites/p-9/board", headers=h.auth(
            "subdistrict", org="shentian-street"), json={
            "community_id": "shentian", "hotline": "0592-5551234",
            "liaison": {"name": liaison, "phone": liaison_phone}})
        assert board.status_code in (200, 201), board.text
        filed = await h.client.post("/complaints", json={
            "kind": "complaint", "category": "noise", "community_id": "shentian",
            "description": "Drilling after 22:00", "location": {"lat": 24.48, "lng": 118.09},
            "contact": {"name": name, "phone": phone}, "anonymous": False})
        assert filed.status_code == 201, filed.text
        complaint_id = filed.json()["id"]
        staff = h.auth("subdistrict", org="shentian-street")
        for step, body in [("acknowledge", None), ("assign", {"assignee_org": "acme"}),
                           ("resolve", {"resolution": "Night work stopped"})]:
            response = await h.client.post(f"/complaints/{complaint_id}/{step}", json=body,
                                           headers=staff)
            assert response.status_code == 200, response.text
        await h.published()
        raw = [m.value for m in await h.read_topic("complaints.events")]

    events = [Event.from_bytes(v) for v in raw]
    assert [e.type for e in events if e.subject == "p-9"] == ["site_board.published"]
    assert [e.type for e in events if e.subject == complaint_id] == [
        "complaint.received", "complaint.acknowledged", "complaint.assigned",
        "complaint.resolved",
    ]
    for value in raw:
        text = value.decode()
        for secret in (phone, liaison_phone, name, liaison, "Drilling", "Night work"):
            assert secret not in text and secret not in json.loads(text)["data"].values()


async def test_acceptance_passed_on_kafka_leads_to_a_trial_a_vote_and_higher_coverage(
    tmp_path: Path, pg_url: str, kafka_bootstrap: str, namespace: str
) -> None:
    clock = FrozenClock(datetime(2026, 3, 10, 2, 0, tzinfo=UTC))
    async with on_kafka(PROPERTY, tmp_path, database_url=pg_url, bootstrap=kafka_bootstrap,
                        namespace=namespace, clock=clock) as h:
        staff = h.auth("subdistrict", org="shentian-street")  # shentian's, as seeded
        compound = (await h.client.post("/compounds", json=compound_body(households=100),
                                        headers=staff)).json()
        await produce(kafka_bootstrap, namespace, AcceptancePassed(
            acceptance_id="acc-7", project_id="p-7", community_id="shentian", round=1,
            decided_at=clock.now()), subject="acc-7", clock=clock)

        async def candidates() -> list[str]:
            page = await h.client.get("/candidates?community_id=shentian", headers=staff)
            return [c["compound_id"] for c in page.json()["items"]]

        assert await eventually(candidates, timeout=30, interval=0.2) == [compound["id"]]
        before = (await h.client.get("/coverage?community_id=shentian", headers=staff)).json()
        provider = (await h.client.post("/providers", json=provider_body(), headers=staff)).json()
        trial = (await h.client.post("/trials", json=trial_body(compound["id"], provider["id"]),
                                     headers=staff)).json()
        units = [{"owner_id": f"R-{i}", "area_m2": "80"} for i in range(6)]
        vote = await h.client.post(f"/trials/{trial['id']}/votes",
                                   headers=h.auth("community", org="shentian"),
                                   json={"owners": units, "closes_at": "2026-03-24T00:00:00Z"})
        assert vote.status_code == 201, vote.text
        vote_id = vote.json()["id"]
        for i in range(6):
            cast = await h.client.post(f"/votes/{vote_id}/ballots", headers=h.auth("owners"),
                                       json={"owner_id": f"R-{i}",
                                             "choice": "yes" if i < 4 else "no"})
            assert cast.status_code == 201, cast.text
        closed = await h.client.post(f"/votes/{vote_id}/close", headers=staff)
        assert closed.json()["status"] == "passed", closed.text
        after = (await h.client.get("/coverage?community_id=shentian", headers=staff)).json()
        events = await h.published()

    assert before["after_trials"]["households_managed"] == 0
    assert after["after_trials"]["households_managed"] == 100
    # Order holds per key (aggregate): the compound's events, and the trial's.
    assert [e.data for e in events if e.subject == compound["id"]] == [
        {"compound_id": compound["id"], "community_id": "shentian", "households": 100,
         "has_property_management": False}]
    assert [e.type for e in events if e.subject == trial["id"]] == [
        "property.trial_started", "property.vote_opened", "property.vote_closed",
        "property.contract_converted",
    ]
    assert all("R-" not in json.dumps(e.data) for e in events)


async def test_project_completed_on_kafka_opens_a_session_eight_parties_pass_it_once(
    tmp_path: Path, pg_url: str, kafka_bootstrap: str, namespace: str
) -> None:
    clock = FrozenClock(af.START)
    async with on_kafka(ACCEPTANCE, tmp_path, database_url=pg_url, bootstrap=kafka_bootstrap,
                        namespace=namespace, clock=clock) as h:
        completed = await produce(kafka_bootstrap, namespace, af.completed(),
                                  subject=af.PROJECT, clock=clock)

        async def sessions() -> list[dict[str, str]]:
            page = await h.client.get("/acceptances", params={"project_id": af.PROJECT},
                                      headers=h.auth("admin"))
            items: list[dict[str, str]] = page.json()["items"]
            return items

        [session] = await eventually(sessions, timeout=30, interval=0.2)
        for party in af.EIGHT_PARTIES:
            signed = await af.sign(h, session["id"], party)
            assert signed.status_code == 201, signed.text
        # The same event delivered again (a producer retry, a rewound consumer) opens nothing.
        await produce(kafka_bootstrap, namespace, af.completed(), subject=af.PROJECT,
                      clock=clock, event=completed)
        consumer = h.ctx.consumer
        assert consumer is not None
        await eventually(lambda: _async(consumer.stats.duplicate >= 1), timeout=30, interval=0.2)
        assert len(await sessions()) == 1
        view = (await h.client.get(f"/acceptances/{session['id']}",
                                   headers=h.auth("admin"))).json()
        events = await h.published()

    assert view["status"] == "passed"
    types = [e.type for e in events]
    assert types == ["acceptance.session_opened", *["acceptance.signed"] * 8, "acceptance.passed"]
    assert events[-1].data["project_id"] == af.PROJECT


async def _async(value: bool) -> bool:
    return value
