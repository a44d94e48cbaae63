"""The callers of the authorization matrix: every role with the right organisation, the
org-bound roles from another organisation, and the tokens that must never get in.

The offices (`district_bureau`, `subdistrict`, `community`) carry the seeded jurisdiction of
the world's community (shentian, Siming district: `siming-bureau`, `shentian-street`,
`shentian`); their `@other` columns are the same role from another area."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import jwt

from shared.auth import ROLES
from tests.support import ServiceHarness

COMMUNITY = "shentian"
ORGS = {"builder": "org-builder", "designer": "org-designer", "contractor": "org-contractor",
        "supervisor": "org-supervisor", "pipeline": "org-power",
        "property_provider": "org-provider", "community": COMMUNITY,
        "subdistrict": "shentian-street", "district_bureau": "siming-bureau"}
OWNER_ID = "R-1"  # the `owner` caller is this unit owner on the register
ORG_BOUND = ("district_bureau", "subdistrict", "community", "builder", "designer", "contractor",
             "supervisor", "pipeline")
ROLE_ORDER = ("admin", "district_bureau", "subdistrict", "community", "owners", "builder",
              "designer", "contractor", "supervisor", "pipeline", "property_provider", "owner",
              "dashboard")
assert set(ROLE_ORDER) == ROLES, "a new role needs a column in the matrix"
WRONG_ORG = tuple(f"{role}@other" for role in ORG_BOUND)
BAD_TOKENS = ("anonymous", "expired", "foreign-key", "other-report")
REPORTER = "reporter"
COLUMNS = (*ROLE_ORDER, *WRONG_ORG, REPORTER, *BAD_TOKENS)
FOREIGN_SECRET = "another-service-secret-0123456789abcdef0123"


@dataclass(frozen=True)
class Tokens:
    """Report tokens of the world: `own` for the report in the path, `other` for another."""

    own: str | None = None
    other: str | None = None


def caller_headers(svc: ServiceHarness, column: str, tokens: Tokens) -> dict[str, str]:
    """The Authorization header for a column of the matrix (none for `anonymous`)."""
    if column == "anonymous":
        return {}
    if column == "expired":
        token = svc.token("admin", ttl=timedelta(seconds=-120))
    elif column == "foreign-key":
        claims = {"sub": "intruder", "roles": ["admin"], "iss": svc.suite.auth_issuer,
                  "exp": 4_102_444_800}
        token = jwt.encode(claims, FOREIGN_SECRET, algorithm="HS256")
    elif column == REPORTER:
        token = tokens.own or svc.report_token("none")
    elif column == "other-report":
        token = tokens.other or svc.report_token("none")
    elif column.endswith("@other"):
        role = column.removesuffix("@other")
        token = svc.token(role, org="org-elsewhere", sub=f"{role}-elsewhere")
    else:
        sub = OWNER_ID if column == "owner" else f"{column}-user"
        token = svc.token(column, org=ORGS.get(column), sub=sub)
    return {"Authorization": f"Bearer {token}"}
