"""JWT bearer authentication and role checks.

Staff tokens carry `sub`, `roles`, `org` and `exp`. Dev/test sign them with HS256
(`AUTH_JWT_SECRET`); production verifies RS256 with `AUTH_JWT_PUBLIC_KEY` or a JWKS endpoint
(`AUTH_JWKS_URL`), and then refuses HS256 staff tokens.

Residents have no account: a report (or supporter) access token is the suite's own
credential, not the identity provider's. It is signed HS256 with `AUTH_REPORT_TOKEN_SECRET`
(a key of its own, never the staff secret), marked by its `kid` header and audience, and
carries `scope: "report:<id>"`, no roles, and `gen` (the report's token generation: the
complaints service bumps it to revoke every token of a report). So it keeps working whatever
staff auth is configured, and a staff token can never carry a report scope.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.clock import utcnow
from shared.errors import Forbidden, Unauthorized
from shared.settings import SuiteSettings

__all__ = [
    "REPORT_CREDENTIAL_KID",
    "ROLES",
    "STAFF_ROLES",
    "Authenticator",
    "CurrentPrincipal",
    "OptionalPrincipal",
    "Principal",
    "PrincipalOrReporter",
    "mint_report_token",
    "mint_token",
    "require_roles",
]

REPORT_CREDENTIAL_KID = "community-suite-report-v1"
REPORT_AUDIENCE = "community-suite:report"

ROLES = frozenset(
    {
        "admin", "district_bureau", "subdistrict", "community", "owners", "builder", "designer",
        "contractor", "supervisor", "pipeline", "property_provider", "owner", "dashboard",
    }
)
STAFF_ROLES = frozenset({"admin", "district_bureau", "subdistrict", "community"})


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user with roles in an organisation, or a reporter with a scope."""

    sub: str
    roles: frozenset[str]
    org: str | None = None
    scope: str | None = None
    generation: int | None = None  # a report credential's token generation

    def has_any(self, roles: Iterable[str]) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def is_staff(self) -> bool:
        return self.has_any(STAFF_ROLES)


class Authenticator:
    """Verifies bearer tokens according to the suite's settings."""

    def __init__(self, settings: SuiteSettings) -> None:
        self._settings = settings
        self._jwks = jwt.PyJWKClient(settings.auth_jwks_url) if settings.auth_jwks_url else None

    def _key_and_algorithms(self, token: str) -> tuple[Any, list[str]]:
        if self._jwks is not None:
            return self._jwks.get_signing_key_from_jwt(token).key, ["RS256"]
        if self._settings.auth_jwt_public_key:
            return self._settings.auth_jwt_public_key, ["RS256"]
        return self._settings.auth_jwt_secret, ["HS256"]

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized("invalid token") from exc
        if header.get("kid") == REPORT_CREDENTIAL_KID:
            return self._verify_report_credential(token)
        try:
            key, algorithms = self._key_and_algorithms(token)
        except jwt.PyJWTError as exc:  # e.g. a kid the JWKS does not list
            raise Unauthorized("invalid token") from exc
        claims = self._decode(token, key, algorithms)
        if "scope" in claims:
            raise Unauthorized("a staff token cannot carry a report scope")
        roles = claims.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise Unauthorized("invalid roles claim")
        org = claims.get("org")
        return Principal(sub=str(claims["sub"]), roles=frozenset(roles) & ROLES,
                         org=org if isinstance(org, str) else None)

    def _verify_report_credential(self, token: str) -> Principal:
        claims = self._decode(token, self._settings.auth_report_token_secret, ["HS256"],
                              audience=REPORT_AUDIENCE)
        scope, generation = claims.get("scope"), claims.get("gen", 0)
        if not isinstance(scope, str) or not scope.startswith("report:"):
            raise Unauthorized("invalid report token")
        if not isinstance(generation, int):
            raise Unauthorized("invalid report token")
        return Principal(sub=str(claims["sub"]), roles=frozenset(), scope=scope,
                         generation=generation)

    def _decode(self, token: str, key: Any, algorithms: list[str],
                audience: str | None = None) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key, algorithms=algorithms, options={"require": ["sub", "exp"]},
                issuer=self._settings.auth_issuer, audience=audience,
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("token expired") from exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthorized("invalid token") from exc
        return claims


def mint_token(
    settings: SuiteSettings,
    *,
    sub: str,
    roles: Iterable[str] = (),
    org: str | None = None,
    ttl: timedelta | None = None,
) -> str:
    """Sign an HS256 staff token with the dev/test secret (`community token`, tests)."""
    claims = _timed_claims(settings, sub, ttl or timedelta(seconds=settings.auth_token_ttl_seconds))
    claims["roles"] = sorted(roles)
    if org is not None:
        claims["org"] = org
    return jwt.encode(claims, settings.auth_jwt_secret, algorithm="HS256")


def mint_report_token(
    settings: SuiteSettings,
    *,
    report_id: str,
    generation: int = 0,
    holder: str = "reporter",
    ttl: timedelta | None = None,
) -> str:
    """The access token of a report's reporter (or a supporter, `holder`), scoped to it."""
    lifetime = ttl or timedelta(days=settings.auth_report_token_ttl_days)
    claims = _timed_claims(settings, f"{holder}:{report_id}", lifetime)
    claims.update(scope=f"report:{report_id}", gen=generation, aud=REPORT_AUDIENCE)
    return jwt.encode(claims, settings.auth_report_token_secret, algorithm="HS256",
                      headers={"kid": REPORT_CREDENTIAL_KID})


def _timed_claims(settings: SuiteSettings, sub: str, ttl: timedelta) -> dict[str, Any]:
    now = utcnow()
    return {"sub": sub, "iss": settings.auth_issuer, "iat": int(now.timestamp()),
            "exp": int((now + ttl).timestamp())}


_bearer = HTTPBearer(auto_error=False)


def _authenticator(request: Request) -> Authenticator:
    authenticator: Authenticator = request.app.state.authenticator
    return authenticator


async def _optional_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    if credentials is None:
        if request.headers.get("authorization"):
            raise Unauthorized("malformed Authorization header")
        return None
    return _authenticator(request).verify(credentials.credentials)


async def _principal_or_reporter(
    principal: Annotated[Principal | None, Depends(_optional_principal)],
) -> Principal:
    if principal is None:
        raise Unauthorized("a bearer token is required")
    return principal


async def _current_principal(
    principal: Annotated[Principal, Depends(_principal_or_reporter)],
) -> Principal:
    # A resident's report credential opens its report only, not every "any signed-in role"
    # endpoint of every service.
    if principal.scope is not None:
        raise Forbidden("this token is scoped to one report and opens nothing else")
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(_optional_principal)]
CurrentPrincipal = Annotated[Principal, Depends(_current_principal)]
# Routes that serve a resident's own report admit its scoped token; they check the scope.
PrincipalOrReporter = Annotated[Principal, Depends(_principal_or_reporter)]


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting tokens holding any of `roles` (admin always passes)."""
    allowed = frozenset(roles) | {"admin"}

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_any(allowed):
            raise Forbidden(f"requires one of the roles: {', '.join(sorted(allowed))}")
        return principal

    return check
