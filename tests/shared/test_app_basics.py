"""Operational endpoints, problem+json, auth and idempotency through a real app."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import jwt
import pytest

from shared.settings import ServiceSettings
from tests.shared.notes_service import DEFINITION
from tests.support import ServiceHarness, running_service


@pytest.fixture
async def notes(tmp_path: Path) -> AsyncIterator[ServiceHarness]:
    async with running_service(DEFINITION, tmp_path) as harness:
        yield harness


async def test_health_ready_and_metrics_are_served(notes: ServiceHarness) -> None:
    assert (await notes.client.get("/healthz")).json()["status"] == "ok"
    ready = await notes.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": True, "bus": True, "relay": True,
                                      "consumer": True}
    metrics = await notes.client.get("/metrics")
    assert "http_requests_total" in metrics.text


async def test_unknown_route_is_a_problem_json_404(notes: ServiceHarness) -> None:
    response = await notes.client.get("/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


async def test_bad_input_is_422_naming_the_field_and_writes_nothing(notes: ServiceHarness) -> None:
    response = await notes.client.post("/notes", json={"text": ""}, headers=notes.auth("community"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "text"
    assert (await notes.client.get("/notes")).json()["items"] == []


async def test_missing_token_is_401(notes: ServiceHarness) -> None:
    response = await notes.client.post("/notes", json={"text": "x"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_token_signed_with_another_key_is_401(notes: ServiceHarness) -> None:
    forged = jwt.encode({"sub": "x", "roles": ["community"], "iss": "community-suite",
                         "exp": 4_000_000_000}, "another-key-0123456789abcdef0123456789",
                        algorithm="HS256")
    response = await notes.client.post("/notes", json={"text": "x"},
                                       headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert response.json()["detail"] == "invalid token"


async def test_expired_token_is_401(notes: ServiceHarness) -> None:
    expired = notes.token("community", ttl=timedelta(seconds=-5))
    response = await notes.client.post("/notes", json={"text": "x"},
                                       headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert response.json()["detail"] == "token expired"


async def test_wrong_role_is_403(notes: ServiceHarness) -> None:
    response = await notes.client.post("/notes", json={"text": "x"}, headers=notes.auth("owner"))
    assert response.status_code == 403


async def test_idempotent_replay_returns_the_first_response(notes: ServiceHarness) -> None:
    headers = {**notes.auth("community"), "Idempotency-Key": "k-1"}
    first = await notes.client.post("/notes", json={"text": "once"}, headers=headers)
    second = await notes.client.post("/notes", json={"text": "once"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert len((await notes.client.get("/notes")).json()["items"]) == 1


async def test_idempotency_key_reused_with_another_body_is_409(notes: ServiceHarness) -> None:
    headers = {**notes.auth("community"), "Idempotency-Key": "k-2"}
    await notes.client.post("/notes", json={"text": "one"}, headers=headers)
    other = await notes.client.post("/notes", json={"text": "two"}, headers=headers)
    assert other.status_code == 409
    assert len((await notes.client.get("/notes")).json()["items"]) == 1


async def test_the_idempotency_conflict_is_a_problem_naming_its_instance(
        notes: ServiceHarness) -> None:
    headers = {**notes.auth("community"), "Idempotency-Key": "k-3"}
    await notes.client.post("/notes", json={"text": "one"}, headers=headers)
    other = await notes.client.post("/notes", json={"text": "two"}, headers=headers)
    assert other.status_code == 409
    assert other.headers["content-type"] == "application/problem+json"
    problem = other.json()
    assert (problem["status"], problem["instance"]) == (409, "/notes")
    assert problem["title"] and problem["detail"]
    too_long = await notes.client.post("/notes", json={"text": "x"},
                                       headers={**headers, "Idempotency-Key": "k" * 256})
    assert (too_long.status_code, too_long.json()["instance"]) == (400, "/notes")


async def test_idempotency_keys_of_different_callers_do_not_collide(notes: ServiceHarness) -> None:
    alice = {**notes.auth("community", sub="alice"), "Idempotency-Key": "same"}
    bob = {**notes.auth("community", sub="bob"), "Idempotency-Key": "same"}
    a = await notes.client.post("/notes", json={"text": "a"}, headers=alice)
    b = await notes.client.post("/notes", json={"text": "b"}, headers=bob)
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


async def test_pages_follow_the_cursor_without_gaps_or_repeats(notes: ServiceHarness) -> None:
    for i in range(7):
        await notes.client.post("/notes", json={"text": f"n{i}"}, headers=notes.auth("community"))
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await notes.client.get("/notes", params=params)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7


async def test_a_forged_cursor_is_422(notes: ServiceHarness) -> None:
    response = await notes.client.get("/notes", params={"cursor": "not-a-cursor"})
    assert response.status_code == 422


async def test_metrics_are_refused_to_clients_outside_the_allow_list(
        notes: ServiceHarness) -> None:
    transport = httpx.ASGITransport(app=notes.app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as public:
        outside = await public.get("/metrics")
        assert outside.status_code == 404
        assert "http_requests_total" not in outside.text
        assert (await public.get("/healthz")).status_code == 200


async def test_metrics_are_served_on_their_own_port_for_scrapers(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = ServiceSettings(metrics_port=port)
    async with running_service(DEFINITION, tmp_path, settings=settings) as svc:
        await svc.client.post("/notes", json={"text": "hi"}, headers=svc.auth("community"))
        async with httpx.AsyncClient() as scraper:
            scraped = await scraper.get(f"http://127.0.0.1:{port}/metrics")
        assert scraped.status_code == 200
        assert "http_requests_total" in scraped.text
    with socket.socket() as again, pytest.raises(ConnectionRefusedError):
        again.connect(("127.0.0.1", port))  # the listener is closed with the app
