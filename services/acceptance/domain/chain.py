"""The tamper-evident hash chain over an acceptance's signatures. Pure, no I/O.

Each link is `sha256(canonical JSON of {acceptance_id, round, party, verdict, comment,
defects, signed_at, signer, prev_hash})`, hex. Canonical JSON: sorted keys, no spaces,
`ensure_ascii=False`, UTF-8; `signed_at` in UTC ISO 8601 with microseconds. The chain runs
across rounds in signing order; the first link's `prev_hash` is `sha256(acceptance_id)`, so a
link cannot be moved into another acceptance. The acceptance row keeps the head hash and the
link count (head = genesis before the first signature), so removing the newest links is
detected too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = ["Break", "Link", "genesis_hash", "link_hash", "verify_chain"]


@dataclass(frozen=True)
class Link:
    """The hashed content of one signature, plus the hashes stored with it."""

    acceptance_id: str
    round: int
    party: str
    verdict: str
    comment: str | None
    defects: list[dict[str, Any]]
    signed_at: datetime
    signer: str
    prev_hash: str
    hash: str = ""
    position: int = 0


@dataclass(frozen=True)
class Break:
    """The first link that does not verify, and why."""

    position: int
    round: int | None
    party: str | None
    reason: Literal["content_altered", "prev_hash_mismatch", "missing_links"]


def genesis_hash(acceptance_id: str) -> str:
    return hashlib.sha256(acceptance_id.encode()).hexdigest()


def _canonical(link: Link) -> bytes:
    body = {
        "acceptance_id": link.acceptance_id,
        "round": link.round,
        "party": link.party,
        "verdict": link.verdict,
        "comment": link.comment,
        "defects": link.defects,
        "signed_at": link.signed_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "signer": link.signer,
        "prev_hash": link.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def link_hash(link: Link) -> str:
    return hashlib.sha256(_canonical(link)).hexdigest()


def verify_chain(
    acceptance_id: str, links: Sequence[Link], *, head: str, count: int
) -> Break | None:
    """Recompute the chain (links in position order); None when every link holds."""
    expected_prev = genesis_hash(acceptance_id)
    for link in links:
        if link.prev_hash != expected_prev:
            return Break(link.position, link.round, link.party, "prev_hash_mismatch")
        if link_hash(link) != link.hash:
            return Break(link.position, link.round, link.party, "content_altered")
        expected_prev = link.hash
    if len(links) != count or expected_prev != head:
        return Break(len(links) + 1, None, None, "missing_links")
    return None
