"""Pure rules of joint acceptance (共同验收): who must sign, who may sign, how a round ends.

No I/O. Parties are role codes (`builder`, `pipeline:<org>`, ...), matched to the project's
organisations where the project names one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from shared.errors import Conflict, Invalid

__all__ = [
    "ORG_BOUND_ROLES",
    "PIPELINE_PREFIX",
    "Party",
    "RoundStatus",
    "Verdict",
    "check_signature",
    "decide_round",
    "ensure_can_schedule",
    "may_sign_as",
    "party_of",
    "rejecting_parties",
    "required_parties",
    "round_status",
    "verdict",
]

Verdict = Literal["approve", "reject"]
RoundStatus = Literal["open", "passed", "failed"]

PIPELINE_PREFIX = "pipeline:"
ORG_BOUND_ROLES = frozenset({"builder", "designer", "contractor", "supervisor", "pipeline"})
# The public bodies and the owners sign by role alone: the project event names no org for them.
_PUBLIC_PARTIES = ("district_bureau", "subdistrict", "community", "owners")


@dataclass(frozen=True)
class Party:
    """A required party: its code, the role a signer must hold, and the org it is bound to."""

    code: str
    role: str
    org: str | None = None


def required_parties(
    *, builder: str, contractor: str, designer: str | None = None,
    supervisor: str | None = None, pipeline: Sequence[str] = (),
) -> list[Party]:
    """The parties of a joint acceptance, in the order the policy lists them.

    A unit the project does not name (no designer, no supervisor) is not required.
    """
    parties = [Party("builder", "builder", builder)]
    parties += [Party(code, code) for code in _PUBLIC_PARTIES]
    for role, org in (("designer", designer), ("contractor", contractor),
                      ("supervisor", supervisor)):
        if org:
            parties.append(Party(role, role, org))
    for org in dict.fromkeys(pipeline):  # de-duplicated, order kept
        parties.append(Party(f"{PIPELINE_PREFIX}{org}", "pipeline", org))
    return parties


def party_of(required: Sequence[Party], code: str) -> Party:
    """The required party called `code`; a party the acceptance does not require is 422."""
    for party in required:
        if party.code == code:
            return party
    raise Invalid(f"{code} is not a required party of this acceptance", field="party",
                  required_parties=[p.code for p in required])


def may_sign_as(
    party: Party, *, roles: Collection[str], org: str | None, community_id: str
) -> bool:
    """Whether a caller may sign for `party`; signing is personal, so `admin` never may.

    An org-bound party needs its role and its org. The `community` party also needs the
    project's community when the token names an org (a token without org is trusted by role).
    """
    if party.role not in roles:
        return False
    if party.org is not None:
        return org == party.org
    if party.code == "community" and org is not None:
        return org == community_id
    return True


def check_signature(
    *, round_status: RoundStatus, required: Collection[str], signed: Collection[str],
    party: str, verdict: Verdict, defect_count: int,
) -> None:
    """Refuse a signature the round cannot take; raise the matching problem."""
    if party not in required:
        raise Invalid(f"{party} is not a required party of this acceptance", field="party",
                      required_parties=sorted(required))
    if round_status != "open":
        raise Conflict(f"the round is closed ({round_status}); no more signatures",
                       round_status=round_status)
    if party in signed:
        raise Conflict(f"{party} has already signed this round")
    if verdict == "reject" and defect_count == 0:
        raise Invalid("a rejection must list at least one defect", field="defects")
    if verdict == "approve" and defect_count > 0:
        raise Invalid("an approval carries no defects; reject to require rectification",
                      field="defects")


def decide_round(required: Collection[str], verdicts: Mapping[str, Verdict]) -> RoundStatus:
    """`open` until every required party signed; then `passed` iff all approved."""
    if any(party not in verdicts for party in required):
        return "open"
    if all(verdicts[party] == "approve" for party in required):
        return "passed"
    return "failed"


def rejecting_parties(verdicts: Mapping[str, Verdict]) -> list[str]:
    return sorted(party for party, verdict in verdicts.items() if verdict == "reject")


def ensure_can_schedule(round_status: RoundStatus) -> None:
    if round_status != "open":
        raise Conflict(f"the round is closed ({round_status}); it cannot be scheduled",
                       round_status=round_status)


_ROUND_STATUSES: dict[str, RoundStatus] = {"open": "open", "passed": "passed", "failed": "failed"}
_VERDICTS: dict[str, Verdict] = {"approve": "approve", "reject": "reject"}


def round_status(value: str) -> RoundStatus:
    """A stored round status, typed (a value outside the set is a bug: KeyError)."""
    return _ROUND_STATUSES[value]


def verdict(value: str) -> Verdict:
    return _VERDICTS[value]
