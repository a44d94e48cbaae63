"""Production auth as the deploy docs recommend: RS256 staff tokens verified against a JWKS
served over HTTP, with residents' report tokens working beside them.

A test identity provider holds a real RSA key pair and serves its JWKS document from a local
HTTP server; staff tokens are signed with its private key. Report tokens are the suite's own
credential (AUTH_REPORT_TOKEN_SECRET) and must keep working under it.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.complaints.conftest import project_created, report_body
from tests.reliability.conftest import service_named
from tests.support import ServiceHarness

REPORT_SECRET = "report-credential-secret-0123456789abcdef01"
STAFF_SECRET = "staff-hs256-secret-0123456789abcdef0123456789"


class IdentityProvider:
    """An RSA key pair and its JWKS document, served on 127.0.0.1."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        self.jwks = {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}
        self.requests = 0

    def public_pem(self) -> str:
        return self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def token(self, *roles: str, org: str | None = None, sub: str = "staff",
              issuer: str = "community-suite") -> str:
        now = datetime.now(UTC)
        claims: dict[str, Any] = {"sub": sub, "roles": list(roles), "iss": issuer,
                                  "iat": now, "exp": now + timedelta(minutes=10)}
        if org is not None:
            claims["org"] = org
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})

    def serve(self) -> Iterator[str]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider.requests += 1
                body = json.dumps(provider.jwks).encode()
                self.send_response(200 if self.path == "/jwks.json" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
        finally:
            server.shutdown()
            server.server_close()


@pytest.fixture
def idp() -> IdentityProvider:
    return IdentityProvider()


@pytest.fixture
def jwks_url(idp: IdentityProvider) -> Iterator[str]:
    yield from idp.serve()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _production(**auth: str) -> dict[str, Any]:
    return {"environment": "production", "auth_jwt_secret": STAFF_SECRET,
            "auth_report_token_secret": REPORT_SECRET, **auth}


async def _walk_a_report(svc: ServiceHarness, idp: IdentityProvider) -> None:
    """Staff act with identity-provider tokens; the resident with the report's own token."""
    staff = _bearer(idp.token("subdistrict", org="shentian-street"))
    await svc.deliver(project_created("p-1", contractor="acme"), subject="p-1")
    filed = await svc.client.post("/complaints", json=report_body(project_id="p-1"))
    assert filed.status_code == 201, filed.text
    report, reporter = filed.json()["id"], _bearer(filed.json()["access_token"])
    own = await svc.client.get(f"/complaints/{report}", headers=reporter)
    assert own.status_code == 200, own.text

    async def step(action: str, headers: dict[str, str], body: dict[str, Any]) -> None:
        response = await svc.client.post(f"/complaints/{report}/{action}", json=body,
                                         headers=headers)
        assert response.status_code == 200, (action, response.text)

    await step("acknowledge", staff, {})
    await step("assign", staff, {"assignee_org": "acme"})
    await step("resolve", staff, {"resolution": "work moved to daytime"})
    await step("reopen", reporter, {"reason": "still drilling at night"})
    await step("resolve", staff, {"resolution": "night work stopped"})
    await step("confirm", reporter, {"satisfaction": 4})
    assert (await svc.client.get(f"/complaints/{report}", headers=reporter)).json()[
        "status"] == "closed"
    # The report token opens its own report and nothing else.
    assert (await svc.client.get("/complaints", headers=reporter)).status_code == 403
    other = (await svc.client.post("/complaints", json=report_body(project_id="p-1"))).json()
    assert (await svc.client.get(f"/complaints/{other['id']}",
                                 headers=reporter)).status_code in (403, 404)


async def test_jwks_staff_tokens_and_report_tokens_work_end_to_end(
        tmp_path: Path, idp: IdentityProvider, jwks_url: str) -> None:
    async with service_named("complaints", tmp_path,
                             **_production(auth_jwks_url=jwks_url)) as svc:
        await _walk_a_report(svc, idp)
    assert idp.requests >= 1  # the keys really came over HTTP


async def test_an_rs256_public_key_verifies_staff_tokens_and_report_tokens_still_work(
        tmp_path: Path, idp: IdentityProvider) -> None:
    async with service_named("complaints", tmp_path,
                             **_production(auth_jwt_public_key=idp.public_pem())) as svc:
        await _walk_a_report(svc, idp)


async def test_once_rs256_is_set_hs256_staff_tokens_are_refused(
        tmp_path: Path, idp: IdentityProvider, jwks_url: str) -> None:
    async with service_named("projects", tmp_path,
                             **_production(auth_jwks_url=jwks_url)) as svc:
        hs256 = jwt.encode({"sub": "x", "roles": ["admin"], "iss": "community-suite",
                            "exp": datetime.now(UTC) + timedelta(minutes=5)},
                           STAFF_SECRET, algorithm="HS256")
        refused = await svc.client.get("/projects", headers=_bearer(hs256))
        assert refused.status_code == 401
        admitted = await svc.client.get("/projects", headers=_bearer(idp.token("admin")))
        assert admitted.status_code == 200, admitted.text
        # A token signed by a key the JWKS does not list is refused, not a 500.
        stranger = IdentityProvider()
        assert (await svc.client.get("/projects", headers=_bearer(
            stranger.token("admin")))).status_code == 401


async def test_a_report_token_is_refused_by_every_other_service(
        tmp_path: Path, idp: IdentityProvider, jwks_url: str) -> None:
    async with service_named("complaints", tmp_path / "c",
                             **_production(auth_jwks_url=jwks_url)) as complaints:
        await complaints.deliver(project_created("p-1"), subject="p-1")
        receipt = (await complaints.client.post("/complaints", json=report_body())).json()
    reporter = _bearer(receipt["access_token"])
    for service, path in (("projects", "/projects"), ("property", "/compounds"),
                          ("acceptance", "/acceptances")):
        async with service_named(service, tmp_path / service,
                                 **_production(auth_jwks_url=jwks_url)) as svc:
            response = await svc.client.get(path, headers=reporter)
            assert response.status_code == 403, (service, response.text)


async def test_a_staff_token_cannot_pose_as_a_report_credential(tmp_path: Path) -> None:
    """Signed with the staff secret, a token claiming a report scope is not a reporter."""
    async with service_named("complaints", tmp_path) as svc:
        await svc.deliver(project_created("p-1"), subject="p-1")
        receipt = (await svc.client.post("/complaints", json=report_body())).json()
        forged = jwt.encode({"sub": f"report:{receipt['id']}",
                             "scope": f"report:{receipt['id']}", "iss": "community-suite",
                             "exp": datetime.now(UTC) + timedelta(minutes=5)},
                            svc.suite.auth_jwt_secret, algorithm="HS256")
        response = await svc.client.get(f"/complaints/{receipt['id']}", headers=_bearer(forged))
        assert response.status_code == 401


def test_production_refuses_a_missing_or_shared_report_secret() -> None:
    from shared.settings import SuiteSettings

    with pytest.raises(ValueError, match="AUTH_REPORT_TOKEN_SECRET"):
        SuiteSettings(environment="production", auth_jwt_secret=STAFF_SECRET)
    with pytest.raises(ValueError, match="AUTH_REPORT_TOKEN_SECRET"):
        SuiteSettings(environment="production", auth_jwt_secret=STAFF_SECRET,
                      auth_report_token_secret=STAFF_SECRET)
