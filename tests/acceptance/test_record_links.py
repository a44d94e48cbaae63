"""A browser opens the printable record through a signed, expiring link (issue 14, item 6):
a committee member following the link has no bearer header to send."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from services.acceptance.app import DEFINITION
from services.acceptance.config import AcceptanceSettings
from shared.clock import FrozenClock
from tests.acceptance.factories import START, completed, open_acceptance, party_auth
from tests.support import ServiceHarness, running_service


async def link_for(harness: ServiceHarness, acceptance_id: str,
                   headers: dict[str, str] | None = None) -> dict[str, Any]:
    response = await harness.client.post(
        f"/acceptances/{acceptance_id}/record-link",
        headers=headers or party_auth(harness, "community"))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def target(link: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The path and query a browser requests for `link`."""
    url = urlsplit(link["url"])
    return url.path, {k: v for k, [v] in parse_qs(url.query).items()}


@pytest.fixture
async def opened(acceptance: ServiceHarness) -> dict[str, Any]:
    return await open_acceptance(acceptance, completed(title="东门改造"))


async def test_a_browser_opens_the_printable_record_with_a_signed_link_and_no_token(
    acceptance: ServiceHarness, opened: dict[str, Any],
) -> None:
    link = await link_for(acceptance, opened["id"])
    assert link["url"].startswith(f"http://test/acceptances/{opened['id']}/record.html?")
    assert link["expires_at"] == "2025-06-03T09:00:00Z"  # a day after START by default
    path, query = target(link)
    response = await acceptance.client.get(path, params=query)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "东门改造" in response.text
    assert response.headers["cache-control"] == "private, no-store"


async def test_the_printable_record_without_a_token_or_a_link_is_401(
    acceptance: ServiceHarness, opened: dict[str, Any],
) -> None:
    response = await acceptance.client.get(f"/acceptances/{opened['id']}/record.html")
    assert response.status_code == 401


async def test_an_expired_link_is_refused(acceptance: ServiceHarness,
                                          opened: dict[str, Any]) -> None:
    path, query = target(await link_for(acceptance, opened["id"]))
    acceptance.clock.advance(timedelta(days=1))
    response = await acceptance.client.get(path, params=query)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


@pytest.mark.parametrize("change", ["signature", "expires", "acceptance"])
async def test_a_link_altered_in_any_part_is_refused(
    acceptance: ServiceHarness, opened: dict[str, Any], change: str,
) -> None:
    path, query = target(await link_for(acceptance, opened["id"]))
    if change == "signature":
        query["signature"] = ("0" if query["signature"][0] != "0" else "1") + \
            query["signature"][1:]
    elif change == "expires":
        query["expires"] = str(int(query["expires"]) + 30 * 24 * 3600)
    else:
        other = await open_acceptance(acceptance, completed("proj-2"))
        path = path.replace(opened["id"], other["id"])
    response = await acceptance.client.get(path, params=query)
    assert response.status_code == 401
    assert "not valid" in response.json()["detail"]


async def test_a_forged_link_to_an_unknown_acceptance_learns_nothing(
    acceptance: ServiceHarness, opened: dict[str, Any],
) -> None:
    _, query = target(await link_for(acceptance, opened["id"]))
    response = await acceptance.client.get("/acceptances/nope/record.html", params=query)
    assert response.status_code == 401


async def test_a_link_opens_the_printable_record_only(
    acceptance: ServiceHarness, opened: dict[str, Any],
) -> None:
    _, query = target(await link_for(acceptance, opened["id"]))
    for suffix in ("", "/record", "/verify"):
        response = await acceptance.client.get(f"/acceptances/{opened['id']}{suffix}",
                                               params=query)
        assert response.status_code == 401


@pytest.mark.parametrize("missing", ["expires", "signature"])
async def test_half_a_link_is_422_naming_the_missing_part(
    acceptance: ServiceHarness, opened: dict[str, Any], missing: str,
) -> None:
    _, query = target(await link_for(acceptance, opened["id"]))
    del query[missing]
    response = await acceptance.client.get(f"/acceptances/{opened['id']}/record.html",
                                           params=query)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == missing


async def test_only_a_reader_of_the_acceptance_is_given_a_link(
    acceptance: ServiceHarness, opened: dict[str, Any],
) -> None:
    url = f"/acceptances/{opened['id']}/record-link"
    assert (await acceptance.client.post(url)).status_code == 401
    stranger = acceptance.auth("contractor", org="someone-else")
    assert (await acceptance.client.post(url, headers=stranger)).status_code == 404
    assert (await acceptance.client.post(url, headers=acceptance.auth("owner"))
            ).status_code == 403


async def test_a_link_is_not_signed_with_the_staff_jwt_secret(
    acceptance: ServiceHarness, opened: dict[str, Any],
) -> None:
    _, query = target(await link_for(acceptance, opened["id"]))
    for secret in (acceptance.suite.auth_jwt_secret, acceptance.suite.auth_report_token_secret):
        message = f"acceptance-record.html\n{opened['id']}\n{query['expires']}".encode()
        assert hmac.new(secret.encode(), message, hashlib.sha256).hexdigest() \
            != query["signature"]


async def test_a_new_link_secret_voids_the_links_given_out(tmp_path: Path) -> None:
    async with running_service(DEFINITION, tmp_path / "a", clock=FrozenClock(START)) as before:
        opened = await open_acceptance(before)
        path, query = target(await link_for(before, opened["id"]))
    settings = AcceptanceSettings(record_link_secret="a-new-record-link-secret-0123456789abc",
                                  record_link_ttl_seconds=600)
    async with running_service(DEFINITION, tmp_path / "a", clock=FrozenClock(START),
                               settings=settings) as after:
        assert (await after.client.get(path, params=query)).status_code == 401
        fresh = await link_for(after, opened["id"])
        assert fresh["expires_at"] == "2025-06-02T09:10:00Z"
        new_path, new_query = target(fresh)
        assert (await after.client.get(new_path, params=new_query)).status_code == 200
