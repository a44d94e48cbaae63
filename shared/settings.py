"""Settings read from the environment only (pydantic-settings).

`SuiteSettings` holds what every service shares (mode, bus, auth); each service adds its
own knobs in a subclass with an env prefix, e.g. `PROJECTS_DATABASE_URL`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_JWT_SECRET", "ServiceSettings", "SuiteSettings"]

DEFAULT_JWT_SECRET = "dev-only-secret-change-me-0123456789abcdef"  # noqa: S105 - refused in production


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
    cors_allow_origins: list[str] = Field(default_factory=list)
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

    def resolved_database_url(self, service: str, suite: SuiteSettings) -> str:
        """The database this service uses."""
        if self.database_url:
            return self.database_url
        if suite.database_url:
            return suite.database_url
        suite.var_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{suite.var_dir / f'{service}.db'}"
