"""The acceptance record (验收记录) as a printable HTML document.

Every value is escaped: comments and defect descriptions are free text from the signers.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from services.acceptance.schemas import RecordPublic, RoundPublic

__all__ = ["render_record_html"]

_VERDICTS = {"approve": "通过 approve", "reject": "不通过 reject"}
_STATUSES = {"open": "进行中 open", "passed": "通过 passed", "failed": "未通过 failed"}
_STYLE = (
    "body{font-family:serif;margin:2cm}table{border-collapse:collapse;width:100%;"
    "margin-bottom:1em}th,td{border:1px solid #000;padding:4px;text-align:left;"
    "vertical-align:top}code{font-size:8pt;word-break:break-all}"
    "@media print{section{page-break-inside:avoid}}"
)


def _e(value: object) -> str:
    return escape("" if value is None else str(value))


def _time(value: datetime | None) -> str:
    return "—" if value is None else _e(value.isoformat(timespec="seconds"))


def _row(*cells: str) -> str:
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _round(section: RoundPublic) -> str:
    signatures = "".join(
        _row(_e(s.party), _e(_VERDICTS[s.verdict]), _e(s.comment), _time(s.signed_at),
             _e(s.signer), f"<code>{_e(s.hash)}</code>")
        for s in section.signatures
    )
    defects = "".join(
        _row(_e(d.party), _e(d.severity), _e(d.description)) for d in section.defects
    ) or _row("—", "—", "—")
    return (
        f"<section><h2>第 {section.number} 轮 Round {section.number}: "
        f"{_e(_STATUSES[section.status])}</h2>"
        f"<p>开始 Opened: {_time(section.opened_at)} · 计划 Scheduled: "
        f"{_time(section.scheduled_at)} · 地点 Place: {_e(section.place or '—')} · "
        f"结论 Decided: {_time(section.decided_at)}</p>"
        "<table><tr><th>单位 Party</th><th>意见 Verdict</th><th>说明 Comment</th>"
        f"<th>时间 Signed at</th><th>签署人 Signer</th><th>哈希 Hash</th></tr>{signatures}"
        "</table><table><tr><th>提出单位 Party</th><th>程度 Severity</th>"
        f"<th>整改事项 Defect</th></tr>{defects}</table></section>"
    )


def render_record_html(record: RecordPublic) -> str:
    parties = "".join(_row(_e(p.party), _e(p.role), _e(p.org or "—"))
                      for p in record.required_parties)
    check = record.verification
    broken_at = check.first_broken.position if check.first_broken else None
    integrity = "完整 intact" if check.valid else f"已被篡改 ALTERED at position {_e(broken_at)}"
    return (
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        f"<title>验收记录 {_e(record.project_id)}</title><style>{_STYLE}</style></head><body>"
        "<h1>竣工联合验收记录 Joint acceptance record</h1>"
        f"<p>项目 Project: {_e(record.project_id)} · 社区 Community: "
        f"{_e(record.community_id)} · 验收编号 Acceptance: {_e(record.acceptance_id)}</p>"
        f"<p>结论 Status: <strong>{_e(_STATUSES[record.status])}</strong> · "
        f"签署链 Signature chain: {integrity} ({check.signatures_checked})</p>"
        "<h2>参加单位 Required parties</h2><table><tr><th>单位 Party</th><th>角色 Role</th>"
        f"<th>机构 Org</th></tr>{parties}</table>"
        + "".join(_round(r) for r in record.rounds)
        + f"<p>生成时间 Generated at: {_time(record.generated_at)}</p></body></html>"
    )
