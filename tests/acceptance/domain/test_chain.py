"""The pure hash chain over the signatures: it verifies untouched, and names the first break."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from services.acceptance.domain.chain import Link, genesis_hash, link_hash, verify_chain
from tests.acceptance.factories import EIGHT_PARTIES as EIGHT


def chained(count: int, acceptance_id: str = "acc-1") -> list[Link]:
    links: list[Link] = []
    prev = genesis_hash(acceptance_id)
    for position in range(1, count + 1):
        link = Link(acceptance_id=acceptance_id, round=1, party=EIGHT[position - 1],
                    verdict="approve", comment="同意 ok", defects=[],
                    signed_at=datetime(2025, 6, 2, 9, position, tzinfo=UTC), signer="s",
                    prev_hash=prev, position=position)
        link = replace(link, hash=link_hash(link))
        links.append(link)
        prev = link.hash
    return links


class TestChain:
    def test_an_untouched_chain_verifies(self) -> None:
        links = chained(3)
        assert verify_chain("acc-1", links, head=links[-1].hash, count=3) is None

    def test_an_empty_chain_verifies_against_the_genesis_head(self) -> None:
        assert verify_chain("acc-1", [], head=genesis_hash("acc-1"), count=0) is None

    def test_an_altered_comment_breaks_that_link(self) -> None:
        links = chained(3)
        links[1] = replace(links[1], comment="altered")
        broken = verify_chain("acc-1", links, head=links[-1].hash, count=3)
        assert broken is not None
        assert (broken.position, broken.party, broken.reason) == (2, "district_bureau",
                                                                  "content_altered")

    def test_a_rehashed_forgery_breaks_the_next_link(self) -> None:
        links = chained(3)
        forged = replace(links[1], verdict="reject")
        links[1] = replace(forged, hash=link_hash(forged))
        broken = verify_chain("acc-1", links, head=links[-1].hash, count=3)
        assert broken is not None
        assert (broken.position, broken.reason) == (3, "prev_hash_mismatch")

    def test_a_removed_newest_link_is_detected(self) -> None:
        links = chained(3)
        broken = verify_chain("acc-1", links[:2], head=links[-1].hash, count=3)
        assert broken is not None
        assert (broken.position, broken.reason) == (3, "missing_links")

    def test_the_hash_depends_on_the_acceptance(self) -> None:
        assert chained(1, "acc-1")[0].hash != chained(1, "acc-2")[0].hash
