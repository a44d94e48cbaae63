"""The printable record (验收记录) as people read it (issue 14, item 6): Beijing time, the
project's title and the community's name, org ids as given, each round's defects and the
rejecting parties' comments, the complaints still open; every user string escaped."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import lxml.html
import pytest

from shared.contracts.complaints import ComplaintResolved
from tests.acceptance.factories import (
    EIGHT_PARTIES,
    ORGS,
    complaint,
    completed,
    open_acceptance,
    party_auth,
    rectified,
    sign,
)
from tests.support import ServiceHarness

TITLE = "深田社区立面改造 <b>一期</b> & 雨污分流"
COMMENT = "东门<script>alert(1)</script>路面开裂"
DEFECT = "2号门口地砖空鼓 <img src=x onerror=alert(1)>"
PARTIES = [*EIGHT_PARTIES, "pipeline:gas-co"]
# A 09:30 Beijing meeting is 01:30 UTC: the record must print 09:30.
MEETING = "2025-06-05T09:30:00+08:00"
SIGNING = datetime(2025, 6, 5, 2, 0, tzinfo=UTC)  # 10:00 Beijing
RECTIFIED = datetime(2025, 6, 10, 3, 15, tzinfo=UTC)  # 11:15 Beijing


@pytest.fixture
async def page(acceptance: ServiceHarness) -> str:
    """A record of two rounds: the owners reject the first (comment, defect), the second
    passes after rectification; one complaint is still open, one resolved."""
    view = await open_acceptance(acceptance, completed(pipeline=["gas-co"], title=TITLE))
    scheduled = await acceptance.client.post(
        f"/acceptances/{view['id']}/schedule",
        json={"scheduled_at": MEETING, "place": "社区服务中心 <2F>"},
        headers=party_auth(acceptance, "builder"))
    assert scheduled.status_code == 200, scheduled.text
    acceptance.clock.set(SIGNING)
    for party in PARTIES:
        extra: dict[str, Any] = {}
        if party == "owners":
            extra = {"comment": COMMENT,
                     "defects": [{"description": DEFECT, "severity": "critical"}]}
        verdict = "reject" if party == "owners" else "approve"
        assert (await sign(acceptance, view["id"], party, verdict, **extra)).status_code == 201
    acceptance.clock.set(RECTIFIED)
    await acceptance.deliver(rectified(), subject=view["project_id"])
    for party in PARTIES:
        assert (await sign(acceptance, view["id"], party)).status_code == 201
    await acceptance.deliver(complaint("c-open"), subject="c-open")
    await acceptance.deliver(complaint("c-done"), subject="c-done")
    await acceptance.deliver(complaint("c-done", status="resolved", occurred_at=RECTIFIED,
                                       event=ComplaintResolved), subject="c-done")
    response = await acceptance.client.get(f"/acceptances/{view['id']}/record.html",
                                           headers=party_auth(acceptance, "community"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def _document(page: str) -> Any:
    document = lxml.html.fromstring(page)
    breaks: list[Any] = document.xpath("//br")  # type: ignore[assignment]
    for br in breaks:
        br.tail = " " + (br.tail or "")
    return document


def _text(element: Any) -> str:
    return " ".join(element.text_content().split())


def text_of(page: str) -> str:
    return _text(_document(page).body)


def facts(page: str) -> dict[str, str]:
    """The record's heading facts: the first table, a label and a value per row."""
    [table] = _document(page).xpath("//h1/following-sibling::table[1]")
    return {_text(row.xpath("th")[0]): _text(row.xpath("td")[0]) for row in table.xpath("tr")}


def table_after(page: str, heading: str) -> list[list[str]]:
    """The rows (cell texts) of the first table after the heading containing `heading`."""
    [table] = _document(page).xpath(
        f"(//*[self::h2 or self::h3][contains(., '{heading}')])[1]"
        "/following-sibling::table[1]")
    return [[_text(cell) for cell in row.xpath("td")] for row in table.xpath("tr")[1:]]


def test_times_are_printed_in_beijing_time_to_the_minute(page: str) -> None:
    text = text_of(page)
    assert "验收时间 Scheduled: 2025-06-05 09:30" in text
    assert "01:30" not in text and "+00:00" not in text and "T0" not in text
    assert "北京时间" in text
    signed_at = {row[0]: row[-1] for row in table_after(page, "Parties and their signatures")}
    assert set(signed_at.values()) == {"2025-06-10 11:15"}


def test_the_project_is_shown_by_its_title_and_the_community_by_its_name(page: str) -> None:
    shown = facts(page)
    assert shown["项目 Project"] == f"{TITLE} (proj-1)"
    assert shown["社区 Community"] == "深田社区 (shentian)"
    assert "&lt;b&gt;一期&lt;/b&gt; &amp; 雨污分流" in page


def test_every_party_is_shown_with_its_org_id_and_its_verdict(page: str) -> None:
    rows = table_after(page, "Parties and their signatures")
    orgs = {row[0]: row[1] for row in rows}
    assert orgs == {
        "建设单位 builder": ORGS["builder"], "区建设局 district bureau": "siming-bureau",
        "街道/镇 sub-district": "shentian-street", "社区 community": "shentian",
        "业主代表 owners": "未指定, 任一业主代表 any owners' representative",
        "设计单位 designer": ORGS["designer"], "施工单位 contractor": ORGS["contractor"],
        "监理单位 supervisor": ORGS["supervisor"], "管线单位 pipeline pipeline:gas-co": "gas-co",
    }
    assert {row[2] for row in rows} == {"通过 approve"}
    assert {row[3] for row in rows} == {f"member-{p.replace(':', '-')}" for p in PARTIES}


def test_each_round_shows_its_defects_the_rejecting_comments_and_the_rectification(
    page: str,
) -> None:
    assert table_after(page, "Defects to rectify") == [
        ["业主代表 owners", COMMENT, f"【严重 critical】{DEFECT}"]]
    text = text_of(page)
    assert "第 1 轮 Round 1: 未通过 failed" in text
    assert "整改完成, 第 2 轮于 2025-06-10 11:15 开始" in text
    assert "第 2 轮 Round 2: 通过 passed" in text


def test_the_complaints_still_open_are_listed(page: str) -> None:
    rows = table_after(page, "Complaints still open")
    assert rows == [["c-open", "投诉 complaint", "噪音 noise", "已受理 received",
                     "2025-06-02 17:00"]]


def test_every_user_string_is_escaped(page: str) -> None:
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "社区服务中心 &lt;2F&gt;" in page


async def test_a_record_without_a_known_title_or_community_name_shows_their_ids(
    acceptance: ServiceHarness,
) -> None:
    view = await open_acceptance(acceptance, completed(community_id="elsewhere"))
    response = await acceptance.client.get(f"/acceptances/{view['id']}/record.html",
                                           headers=acceptance.auth("admin"))
    shown = facts(response.text)
    assert (shown["项目 Project"], shown["社区 Community"]) == ("proj-1", "elsewhere")
    text = text_of(response.text)
    assert "管辖未设定 no jurisdiction set" in text  # no office holds a non-pilot community
    assert "无 None." in text


async def test_the_printable_record_loads_nothing_from_elsewhere_and_is_not_cached(
    acceptance: ServiceHarness,
) -> None:
    view = await open_acceptance(acceptance)
    response = await acceptance.client.get(f"/acceptances/{view['id']}/record.html",
                                           headers=acceptance.auth("admin"))
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
