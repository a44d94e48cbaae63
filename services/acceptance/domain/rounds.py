"""Pure rules of joint acceptance (共同验收): who must sign, who may sign, how a round ends.

No I/O. Parties are role codes (`builder`, `pipeline:<org>`, ...), matched to the project's
organisations where the project names one; the offices of the community (`district_bureau`,
`subdistrict`, `community`) are matched to its jurisdiction as it stands when they sign.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from shared.errors import Conflict, Invalid
from shared.jurisdiction import JURISDICTION_ROLES

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


@dataclass(frozen=True)
class Party:
    """A required party: its code, the role a signer must hold, and the org it is bound to."""

    code: str
    role: str
    org: str | None = None


def required_parties(
    *, builder: str, contractor: str, designer: str | None = None,
    supervisor: str | None = None, pipeline: Sequence[str] = (), owners: str | None = None,
) -> list[Party]:
    """The parties of a joint acceptance, in the order the policy lists them.

    A unit the project does not name (no designer, no supervisor) is not required. The owners'
    party is bound to the representative org the project names, else to none (any `owners`).
    """
    parties = [Party("builder", "builder", builder)]
    # The community's offices sign for whoever holds its jurisdiction at the time.
    parties += [Party(code, code) for code in JURISDICTION_ROLES]
    parties.append(Party("owners", "owners", owners or None))
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
    party: Party, *, roles: Collection[str], org: str | None, office: str | None = None
) -> bool:
    """Whether a caller may sign for `party`; signing is personal, so `admin` never may.

    An org-bound party needs its role and its org. An office of the community needs its role
    and the org of that office in the community's jurisdiction (`office`; None when the
    community has no known jurisdiction, and then nobody signs for it).
    """
    if party.role not in roles:
        return False
    if party.role in JURISDICTION_ROLES:
        return office is not None and org == office
    if party.org is not None:
        return org == party.org
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
