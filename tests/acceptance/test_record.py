"""The tamper-evident record: chain verification and the exported 验收记录."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from tests.acceptance.factories import (
    EIGHT_PARTIES,
    open_acceptance,
    party_auth,
    rectified,
    sign,
)
from tests.support import ServiceHarness

XSS = "<script>alert('x')</script> & 裂缝"


@pytest.fixture
async def failed_then_passed(acceptance: ServiceHarness) -> dict[str, Any]:
    """Round 1 fails on the owners' defect, round 2 passes: 16 signatures in the chain."""
    view = await open_acceptance(acceptance)
    for party in EIGHT_PARTIES:
        verdict = "reject" if party == "owners" else "approve"
        extra = {"defects": [{"description": XSS, "severity": "critical"}]} \
            if verdict == "reject" else {"comment": XSS}
        await sign(acceptance, view["id"], party, verdict, **extra)
    await acceptance.deliver(rectified(), subject=view["project_id"])
    for party in EIGHT_PARTIES:
        await sign(acceptance, view["id"], party)
    return view


async def verify(harness: ServiceHarness, acceptance_id: str) -> dict[str, Any]:
    response = await harness.client.get(f"/acceptances/{acceptance_id}/verify",
                                        headers=party_auth(harness, "district_bureau"))
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


async def test_an_untouched_record_verifies_across_rounds(
    acceptance: ServiceHarness, failed_then_passed: dict[str, Any],
) -> None:
    assert await verify(acceptance, failed_then_passed["id"]) == {
        "valid": True, "signatures_checked": 16, "first_broken": None}


async def test_a_fresh_session_verifies_with_no_signatures(acceptance: ServiceHarness) -> None:
    view = await open_acceptance(acceptance)
    assert (await verify(acceptance, view["id"]))["valid"] is True


async def test_a_row_edited_in_the_database_breaks_the_chain_at_that_signature(
    acceptance: ServiceHarness, failed_then_passed: dict[str, Any],
) -> None:
    async with acceptance.ctx.db.transaction() as session:
        await session.execute(
            text("UPDATE acceptance_signatures SET verdict = 'approve', defects = '[]' "
                 "WHERE acceptance_id = :id AND round = 1 AND party = 'owners'"),
            {"id": failed_then_passed["id"]})
    result = await verify(acceptance, failed_then_passed["id"])
    assert result["valid"] is False
    assert result["first_broken"] == {"round": 1, "party": "owners",
                                      "position": EIGHT_PARTIES.index("owners") + 1,
                                      "reason": "content_altered"}


async def test_a_deleted_newest_signature_is_detected(
    acceptance: ServiceHarness, failed_then_passed: dict[str, Any],
) -> None:
    async with acceptance.ctx.db.transaction() as session:
        await session.execute(text("DELETE FROM acceptance_signatures WHERE position = 16"))
    result = await verify(acceptance, failed_then_passed["id"])
    assert (result["valid"], result["first_broken"]["reason"]) == (False, "missing_links")


async def test_the_json_record_lists_parties_rounds_verdicts_and_defects(
    acceptance: ServiceHarness, failed_then_passed: dict[str, Any],
) -> None:
    response = await acceptance.client.get(f"/acceptances/{failed_then_passed['id']}/record",
                                           headers=acceptance.auth("owners"))
    record = response.json()
    assert [p["party"] for p in record["required_parties"]] == EIGHT_PARTIES
    assert [(r["number"], r["status"]) for r in record["rounds"]] == [(1, "failed"),
                                                                     (2, "passed")]
    assert record["rounds"][0]["defects"] == [
        {"party": "owners", "description": XSS, "severity": "critical"}]
    assert len(record["rounds"][1]["signatures"]) == 8
    assert record["verification"]["valid"] is True


async def test_the_printable_record_escapes_every_user_string(
    acceptance: ServiceHarness, failed_then_passed: dict[str, Any],
) -> None:
    response = await acceptance.client.get(
        f"/acceptances/{failed_then_passed['id']}/record.html",
        headers=party_auth(acceptance, "community"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; 裂缝" in page
    assert "第 2 轮" in page and "owners" in page and "完整 intact" in page


async def test_the_record_is_not_shown_to_a_stranger(
    acceptance: ServiceHarness, failed_then_passed: dict[str, Any],
) -> None:
    for suffix in ("record", "record.html", "verify"):
        response = await acceptance.client.get(
            f"/acceptances/{failed_then_passed['id']}/{suffix}",
            headers=acceptance.auth("designer", org="someone-else"))
        assert response.status_code == 404


# --- issue 14, item 5: the record is the document of the acceptance --------------------------

async def record_of(harness: ServiceHarness, acceptance_id: str) -> dict[str, Any]:
    response = await harness.client.get(f"/acceptances/{acceptance_id}/record",
                                        headers=harness.auth("owners"))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_the_record_of_a_passed_acceptance_shows_every_party_signed_with_its_verdict(
    acceptance: ServiceHarness,
) -> None:
    view = await open_acceptance(acceptance)
    for party in EIGHT_PARTIES:
        assert (await sign(acceptance, view["id"], party)).status_code == 201
    record = await record_of(acceptance, view["id"])
    assert (record["status"], record["round"]) == ("passed", 1)
    assert [(p["party"], p["signed"], p["verdict"], p["signer"])
            for p in record["required_parties"]] == [
        (party, True, "approve", f"member-{party}") for party in EIGHT_PARTIES]
    assert all(p["signed_at"] is not None for p in record["required_parties"])
    shown = (await acceptance.client.get(f"/acceptances/{view['id']}",
                                         headers=acceptance.auth("owners"))).json()
    assert record["required_parties"] == shown["parties"]


async def test_the_record_shows_the_parties_as_they_signed_the_deciding_round(
    acceptance: ServiceHarness, failed_then_passed: dict[str, Any],
) -> None:
    record = await record_of(acceptance, failed_then_passed["id"])
    assert (record["status"], record["round"]) == ("passed", 2)
    assert {(p["signed"], p["verdict"]) for p in record["required_parties"]} == {
        (True, "approve")}
    owners_first = next(s for s in record["rounds"][0]["signatures"] if s["party"] == "owners")
    assert owners_first["verdict"] == "reject"
