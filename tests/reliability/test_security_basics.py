"""Security basics: no personal data or tokens in logs, CORS closed by default, security
headers on every answer, secrets only from the environment, no access log by default."""

from __future__ import annotations

import ast
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.observability import configure_logging
from shared.settings import DEFAULT_JWT_SECRET, SuiteSettings
from tests.complaints.conftest import board_body, project_created, report_body
from tests.reliability.conftest import OPEN311_KEY, service_named

ROOT = Path(__file__).resolve().parents[2]
SECURITY_HEADERS = {"x-content-type-options": "nosniff", "x-frame-options": "DENY",
                    "referrer-policy": "no-referrer", "cache-control": "no-store"}
NAMES = ("陈小明", "王建国", "李工", "Zhang Wei")
PHONES = ("13712345678", "13812345678", "13900001111", "5559876", "13611112222")


@pytest.fixture
def production_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The production logging set-up at its most verbose, captured."""
    noisy = ("aiokafka", "sqlalchemy.engine", "aiosqlite", "asyncpg")
    before = {name: logging.getLogger(name).level for name in noisy}
    configure_logging("DEBUG")
    caplog.set_level(logging.DEBUG)
    yield caplog
    for name, level in before.items():
        logging.getLogger(name).setLevel(level)


async def test_logs_hold_no_name_phone_or_token(
        tmp_path: Path, production_logging: pytest.LogCaptureFixture) -> None:
    tokens: list[str] = []
    async with service_named("complaints", tmp_path) as svc:
        await svc.deliver(project_created("p-1"), subject="p-1")
        staff = svc.auth("subdistrict", org="shentian-street", sub="clerk")
        tokens.append(staff["Authorization"].removeprefix("Bearer "))
        assert (await svc.client.put("/sites/p-1/board", json=board_body(),
                                     headers=staff)).status_code in (200, 201)
        receipt = (await svc.client.post("/complaints", json=report_body())).json()
        tokens.append(receipt["access_token"])
        await svc.client.get(f"/complaints/{receipt['id']}", headers=staff)
        await svc.client.get(f"/complaints/{receipt['id']}",
                             headers={"Authorization": f"Bearer {receipt['access_token']}"})
        await svc.client.post("/complaints", json=report_body(
            contact={"name": "Zhang Wei", "phone": "not-a-phone-13611112222"}))
        await svc.client.post("/open311/v2/requests.json", data={
            "api_key": OPEN311_KEY, "service_code": "noise", "description": "loud",
            "lat": "24.48", "long": "118.09", "first_name": "Zhang", "last_name": "Wei",
            "phone": "13611112222"})
        await svc.client.get("/complaints", headers={"Authorization": "Bearer not.a.token"})
        await svc.published()
    logged = production_logging.text + "\n".join(
        f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in production_logging.records)
    assert production_logging.records, "the flow logged nothing: the capture is not working"
    leaked = [s for s in (*NAMES, *PHONES, *tokens, OPEN311_KEY) if s in logged]
    assert not leaked, f"found in logs: {leaked}"


def test_servers_run_without_an_access_log() -> None:
    """Access logs would carry paths with ids and query strings; every uvicorn start in
    suite/ passes access_log=False."""
    calls = 0
    for source in (ROOT / "suite").glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("run", "Config")
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "uvicorn"):
                calls += 1
                flags = {k.arg: k.value for k in node.keywords}
                assert isinstance(flags.get("access_log"), ast.Constant), source
                assert flags["access_log"].value is False, source  # type: ignore[attr-defined]
    assert calls >= 2


async def test_cors_is_closed_by_default(tmp_path: Path) -> None:
    async with service_named("complaints", tmp_path) as svc:
        preflight = await svc.client.options("/complaints", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        simple = await svc.client.get("/sites", params={"community_id": "shentian"},
                                      headers={"Origin": "https://evil.example"})
    for response in (preflight, simple):
        assert "access-control-allow-origin" not in response.headers
    assert preflight.status_code in (405, 404, 400)


async def test_cors_admits_only_the_configured_origins(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from services.complaints.app import DEFINITION
    from tests.support import running_service

    async with running_service(DEFINITION, tmp_path,
                               cors_allow_origins=["https://city.example"]) as svc:
        ok = await svc.client.options("/complaints", headers={
            "Origin": "https://city.example", "Access-Control-Request-Method": "POST"})
        other = await svc.client.options("/complaints", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert ok.headers.get("access-control-allow-origin") == "https://city.example"
    assert "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize(("method", "path", "kwargs"), [
    ("GET", "/healthz", {}),
    ("GET", "/complaints", {}),  # 401
    ("GET", "/nowhere", {}),  # 404
    ("POST", "/complaints", {"content": b"x", "headers": {"content-type": "text/plain"}}),
    ("POST", "/complaints", {"json": {}}),  # 422
    ("GET", "/docs", {}),
])
async def test_every_answer_carries_the_security_headers(
        tmp_path: Path, method: str, path: str, kwargs: dict[str, object]) -> None:
    async with service_named("complaints", tmp_path) as svc:
        response = await svc.client.request(method, path, **kwargs)  # type: ignore[arg-type]
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.status_code)


def test_the_jwt_secret_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_JWT_SECRET", "s" * 40)
    assert SuiteSettings().auth_jwt_secret == "s" * 40
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("AUTH_JWT_SECRET", DEFAULT_JWT_SECRET)
    with pytest.raises(ValueError, match="AUTH_JWT_SECRET"):
        SuiteSettings()
    monkeypatch.setenv("AUTH_JWT_SECRET", "short")
    with pytest.raises(ValueError, match="AUTH_JWT_SECRET"):
        SuiteSettings()


_DEV_DEFAULT = re.compile(r"^\s*(DEFAULT_(JWT|REPORT_TOKEN)_SECRET|DEV_OPEN311_API_KEY) = ")
_SECRET_LITERAL = re.compile(
    r"""(?i)\b\w*(secret|password|passwd|api_?key|token)\w*\s*[:=]\s*(str\s*=\s*)?["'][^"'\s]{8,}["']""")


def test_no_secret_is_written_into_the_code() -> None:
    """Only the dev defaults (refused in production) may appear as literals."""
    found = []
    for package in ("shared", "services", "suite"):
        for source in (ROOT / package).rglob("*.py"):
            for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
                if _SECRET_LITERAL.search(line) and not _DEV_DEFAULT.search(line):
                    found.append(f"{source.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


@pytest.mark.slow
def test_dependency_audit_finds_no_known_vulnerability(tmp_path: Path) -> None:
    """pip-audit over the virtualenv. Needs the PyPI JSON API (or OSV); a package it could not
    look up counts as a failure, so an offline run cannot pass for a clean one."""
    import json
    import subprocess
    import sys

    report = tmp_path / "audit.json"
    subprocess.run([sys.executable, "-m", "pip_audit", "--progress-spinner", "off",
                    "-f", "json", "-o", str(report)], check=False, timeout=600)
    dependencies = json.loads(report.read_text())["dependencies"]
    vulnerable = {d["name"]: [v["id"] for v in d["vulns"]] for d in dependencies if d.get("vulns")}
    unaudited = [d["name"] for d in dependencies
                 if d.get("skip_reason") and d["name"] != "community-suite"]
    assert not vulnerable, f"explain or upgrade (tests/RELIABILITY.md): {vulnerable}"
    assert not unaudited, f"not audited (no access to the vulnerability service?): {unaudited}"
