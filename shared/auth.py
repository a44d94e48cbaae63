"""JWT bearer authentication and role checks.

Tokens carry `sub`, `roles`, `org` and `exp`. Dev/test sign with HS256 (`AUTH_JWT_SECRET`);
production verifies RS256 with `AUTH_JWT_PUBLIC_KEY` or a JWKS endpoint (`AUTH_JWKS_URL`).
A resident's report token additionally carries `scope: "report:<id>"` and no roles.
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
    "ROLES",
    "STAFF_ROLES",
    "Authenticator",
    "CurrentPrincipal",
    "OptionalPrincipal",
    "Principal",
    "PrincipalOrReporter",
    "mint_token",
    "require_roles",
]

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
            key, algorithms = self._key_and_algorithms(token)
            claims = jwt.decode(
                token, key, algorithms=algorithms, options={"require": ["sub", "exp"]},
                issuer=self._settings.auth_issuer,
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("token expired") from exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthorized("invalid token") from exc
        roles = claims.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise Unauthorized("invalid roles claim")
        org = claims.get("org")
        scope = claims.get("scope")
        return Principal(
            sub=str(claims["sub"]),
            roles=frozenset(roles) & ROLES,
            org=org if isinstance(org, str) else None,
            scope=scope if isinstance(scope, str) else None,
        )


def mint_token(
    settings: SuiteSettings,
    *,
    sub: str,
    roles: Iterable[str] = (),
    org: str | None = None,
    scope: str | None = None,
    ttl: timedelta | None = None,
) -> str:
    """Sign an HS256 token with the dev/test secret (and for report access tokens)."""
    now = utcnow()
    claims: dict[str, Any] = {
        "sub": sub,
        "roles": sorted(roles),
        "iss": settings.auth_issuer,
        "iat": int(now.timestamp()),
        "exp": int((now + (ttl or timedelta(seconds=settings.auth_token_ttl_seconds))).timestamp()),
    }
    if org is not None:
        claims["org"] = org
    if scope is not None:
        claims["scope"] = scope
    return jwt.encode(claims, settings.auth_jwt_secret, algorithm="HS256")


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
    # A resident's report token is signed with the same key: it must open its report only,
    # not every "any signed-in role" endpoint of every service.
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
