"""Settings read from the environment only (pydantic-settings).

`SuiteSettings` holds what every service shares (mode, bus, auth); each service adds its
own knobs in a subclass with an env prefix, e.g. `PROJECTS_DATABASE_URL`.
"""

from __future__ import annotations

from ipaddress import ip_network
from pathlib import Path
from typing import Literal

from pydantic import Field, IPvAnyNetwork, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = [
    "DEFAULT_JWT_SECRET",
    "DEFAULT_REPORT_TOKEN_SECRET",
    "ServiceSettings",
    "SuiteSettings",
]

DEFAULT_JWT_SECRET = "dev-only-secret-change-me-0123456789abcdef"  # noqa: S105 - refused in production
DEFAULT_REPORT_TOKEN_SECRET = "dev-only-report-secret-change-me-0123456789"  # noqa: S105 - refused in production


class SuiteSettings(BaseSettings):
    """Suite-wide configuration, unprefixed environment variables."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    environment: Literal["dev", "test", "production"] = "dev"
    bus: Literal["local", "kafka"] = "local"
    var_dir: Path = Path("var")
    database_url: str | None = None
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_topic_partitions: int = 3
    kafka_replication_factor: int = 1
    kafka_namespace: str = ""
    auth_jwt_secret: str = DEFAULT_JWT_SECRET
    auth_jwt_public_key: str | None = None
    auth_jwks_url: str | None = None
    auth_issuer: str = "community-suite"
    auth_token_ttl_seconds: int = 3600
    # The suite's own credential for residents (report and supporter access tokens), signed
    # with a key of its own whatever the staff identity provider is.
    auth_report_token_secret: str = DEFAULT_REPORT_TOKEN_SECRET
    auth_report_token_ttl_days: int = Field(default=400, ge=1, le=3650)
    cors_allow_origins: list[str] = Field(default_factory=list)
    # `/metrics` on a service's own port answers only these client networks (not the public
    # internet); a `<SERVICE>_METRICS_PORT` serves it on a port of its own for scrapers.
    metrics_allow: list[IPvAnyNetwork] = Field(
        default_factory=lambda: [ip_network("127.0.0.0/8"), ip_network("::1/128")])
    metrics_host: str = "127.0.0.1"
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> SuiteSettings:
        uses_hs256 = not (self.auth_jwt_public_key or self.auth_jwks_url)
        weak = self.auth_jwt_secret == DEFAULT_JWT_SECRET or len(self.auth_jwt_secret) < 32
        if self.environment == "production" and uses_hs256 and weak:
            raise ValueError(
                "AUTH_JWT_SECRET must be set to a secret of 32+ characters in production "
                "(or use AUTH_JWT_PUBLIC_KEY / AUTH_JWKS_URL)"
            )
        report_weak = (self.auth_report_token_secret == DEFAULT_REPORT_TOKEN_SECRET
                       or len(self.auth_report_token_secret) < 32
                       or self.auth_report_token_secret == self.auth_jwt_secret)
        if self.environment == "production" and report_weak:
            raise ValueError(
                "AUTH_REPORT_TOKEN_SECRET must be set in production: 32+ characters, not the "
                "staff AUTH_JWT_SECRET"
            )
        return self


class ServiceSettings(BaseSettings):
    """Base of each service's own settings; a subclass sets ``env_prefix`` (e.g. ``PROJECTS_``).

    The database URL is ``<PREFIX>DATABASE_URL``, else the suite's ``DATABASE_URL``, else a
    SQLite file under ``VAR_DIR`` named after the service (embedded mode).
    """

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: str | None = None
    database_pool_size: int = Field(default=16, ge=1, le=200)
    auto_migrate: bool = True
    relay_batch_size: int = 500
    relay_poll_seconds: float = 0.2
    consumer_stall_seconds: float = 60.0
    metrics_port: int | None = Field(default=None, ge=1, le=65535)

    def resolved_database_url(self, service: str, suite: SuiteSettings) -> str:
        """The database this service uses."""
        if self.database_url:
            return self.database_url
        if suite.database_url:
            return suite.database_url
        suite.var_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{suite.var_dir / f'{service}.db'}"
