"""The acceptance record (验收记录) as a printable HTML document, for people.

Times are Beijing time to the minute (`shared.times.beijing_minutes`); the project shows its
title and the community its name where they are known, else their ids; orgs are shown by
the ids the project and the jurisdiction give (there is no registry of org names). Every
value is escaped: titles, places, comments, defect descriptions and org ids are free text.
The page loads nothing from elsewhere (`HEADERS` forbid it, and keep a signed link's address
out of caches and referrers).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from html import escape

from services.acceptance.domain.rounds import PIPELINE_PREFIX
from services.acceptance.schemas import (
    ComplaintPublic,
    PartyPublic,
    RecordPublic,
    RoundPublic,
    SignaturePublic,
)
from shared.times import beijing_minutes

__all__ = ["HEADERS", "render_record_html"]

HEADERS = {
    "Cache-Control": "private, no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

_ROLES = {
    "builder": "建设单位 builder", "district_bureau": "区建设局 district bureau",
    "subdistrict": "街道/镇 sub-district", "community": "社区 community",
    "owners": "业主代表 owners", "designer": "设计单位 designer",
    "contractor": "施工单位 contractor", "supervisor": "监理单位 supervisor",
    "pipeline": "管线单位 pipeline",
}
_VERDICTS = {"approve": "通过 approve", "reject": "不通过 reject"}
_STATUSES = {"open": "进行中 open", "passed": "通过 passed", "failed": "未通过 failed"}
_SEVERITIES = {"minor": "一般 minor", "major": "较重 major", "critical": "严重 critical"}
_KINDS = {"complaint": "投诉 complaint", "inquiry": "咨询 inquiry",
          "supervision": "监督 supervision"}
_CATEGORIES = {
    "noise": "噪音 noise", "dust": "扬尘 dust", "safety": "安全 safety",
    "quality": "质量 quality", "access": "出行 access", "utility_outage": "停水停电 outage",
    "property_service": "物业服务 property service", "other": "其他 other",
}
_COMPLAINT_STATUSES = {
    "received": "已受理 received", "acknowledged": "已确认 acknowledged",
    "assigned": "已派单 assigned", "reopened": "重新办理 reopened",
}
_NONE = "—"
_STYLE = (
    "body{font-family:'Noto Serif CJK SC','Source Han Serif SC','SimSun',serif;margin:2cm}"
    "table{border-collapse:collapse;width:100%;margin-bottom:1em}th,td{border:1px solid #000;"
    "padding:4px;text-align:left;vertical-align:top}code{font-size:8pt;word-break:break-all}"
    "ul{margin:0;padding-left:1.2em}@media print{section{page-break-inside:avoid}}"
)


def _e(value: object) -> str:
    return escape("" if value is None else str(value))


def _label(labels: Mapping[str, str], value: str) -> str:
    return _e(labels.get(value, value))


def _time(value: datetime | None) -> str:
    return _NONE if value is None else _e(beijing_minutes(value))


def _table(headings: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in headings)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _facts(rows: Iterable[tuple[str, str]]) -> str:
    return "<table>" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</table>"


def _party(code: str) -> str:
    """`建设单位 builder`; a pipeline unit by its code, which names its org."""
    if code.startswith(PIPELINE_PREFIX):
        return f"{_e(_ROLES['pipeline'])}<br><code>{_e(code)}</code>"
    return _label(_ROLES, code)


def _org(party: PartyPublic) -> str:
    if party.org is not None:
        return f"<code>{_e(party.org)}</code>"
    if party.role == "owners":
        return "未指定, 任一业主代表 any owners' representative"
    return "管辖未设定 no jurisdiction set"


def _parties(record: RecordPublic) -> str:
    rows = [
        (_party(p.party), _org(p),
         _label(_VERDICTS, p.verdict) if p.verdict else "未签署 not signed",
         _e(p.signer or _NONE), _time(p.signed_at))
        for p in record.required_parties
    ]
    return (f"<h2>参加单位及签署 (第 {record.round} 轮) Parties and their signatures "
            f"(round {record.round})</h2>"
            + _table(("单位 Party", "机构 Org", "意见 Verdict", "签署人 Signer",
                      "签署时间 Signed at"), rows))


def _signatures(section: RoundPublic, parties: list[PartyPublic]) -> str:
    signed = {s.party: s for s in section.signatures}
    rows = []
    for party in parties:
        s = signed.get(party.party)
        rows.append(
            (_party(party.party), "未签署 not signed", _NONE, _NONE, _NONE, _NONE) if s is None
            else (_party(s.party), _label(_VERDICTS, s.verdict), _e(s.comment or _NONE),
                  _e(s.signer), _time(s.signed_at), f"<code>{_e(s.hash)}</code>"))
    return _table(("单位 Party", "意见 Verdict", "说明 Comment", "签署人 Signer",
                   "签署时间 Signed at", "哈希 Hash"), rows)


def _rectification_required(rejections: list[SignaturePublic]) -> str:
    """Each rejecting party's comment and the defects it requires rectified."""
    if not rejections:
        return ""
    rows = [
        (_party(s.party), _e(s.comment or _NONE),
         "<ul>" + "".join(f"<li>【{_label(_SEVERITIES, d.severity)}】{_e(d.description)}</li>"
                          for d in s.defects) + "</ul>")
        for s in rejections
    ]
    return ("<h3>整改要求 Defects to rectify</h3>"
            + _table(("提出单位 Raised by", "不通过意见 Comment", "整改事项 Defects"), rows))


def _rectified(section: RoundPublic, following: RoundPublic | None) -> str:
    if section.status != "failed":
        return ""
    if following is None:
        return "<p>整改 Rectification: 待施工单位整改 awaiting rectification.</p>"
    return (f"<p>整改 Rectification: 整改完成, 第 {following.number} 轮于 "
            f"{_time(following.opened_at)} 开始 rectified; round {following.number} opened.</p>")


def _round(section: RoundPublic, following: RoundPublic | None,
           parties: list[PartyPublic]) -> str:
    rejections = [s for s in section.signatures if s.verdict == "reject"]
    return (
        f"<section><h2>第 {section.number} 轮 Round {section.number}: "
        f"{_label(_STATUSES, section.status)}</h2>"
        f"<p>开始 Opened: {_time(section.opened_at)} · 验收时间 Scheduled: "
        f"{_time(section.scheduled_at)} · 地点 Place: {_e(section.place or _NONE)} · "
        f"结论 Decided: {_time(section.decided_at)}</p>"
        + _signatures(section, parties) + _rectification_required(rejections)
        + _rectified(section, following) + "</section>"
    )


def _complaints(complaints: list[ComplaintPublic]) -> str:
    heading = "<h2>未办结的投诉 Complaints still open</h2>"
    if not complaints:
        return heading + "<p>无 None.</p>"
    rows = [
        (f"<code>{_e(c.complaint_id)}</code>", _label(_KINDS, c.kind),
         _label(_CATEGORIES, c.category), _label(_COMPLAINT_STATUSES, c.status),
         _time(c.updated_at))
        for c in complaints
    ]
    return heading + _table(("编号 Id", "类型 Kind", "类别 Category", "状态 Status",
                             "最近更新 Last change"), rows)


def _named(name: str | None, identifier: str) -> str:
    if name is None:
        return f"<code>{_e(identifier)}</code>"
    return f"{_e(name)} (<code>{_e(identifier)}</code>)"


def render_record_html(record: RecordPublic) -> str:
    check = record.verification
    broken_at = check.first_broken.position if check.first_broken else None
    integrity = "完整 intact" if check.valid else f"已被篡改 ALTERED at position {_e(broken_at)}"
    title = record.project_title or record.project_id
    following: list[RoundPublic | None] = [*record.rounds[1:], None]
    return (
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta name=\"referrer\" content=\"no-referrer\">"
        f"<title>验收记录 {_e(title)}</title><style>{_STYLE}</style></head><body>"
        "<h1>竣工联合验收记录 Joint acceptance record</h1>"
        + _facts([
            ("项目 Project", _named(record.project_title, record.project_id)),
            ("社区 Community", _named(record.community_name, record.community_id)),
            ("验收编号 Acceptance", f"<code>{_e(record.acceptance_id)}</code>"),
            ("结论 Outcome", f"<strong>{_label(_STATUSES, record.status)}</strong>"
                             f" (第 {record.round} 轮 round {record.round})"),
            ("签署链 Signature chain", f"{integrity} ({check.signatures_checked})"),
        ])
        + "<p>时间均为北京时间 All times are Beijing time (UTC+8).</p>"
        + _parties(record)
        + "".join(_round(r, after, record.required_parties)
                  for r, after in zip(record.rounds, following, strict=True))
        + _complaints(record.unresolved_complaints)
        + f"<p>生成时间 Generated at: {_time(record.generated_at)}</p></body></html>"
    )
