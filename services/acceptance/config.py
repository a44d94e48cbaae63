"""Settings of the acceptance service (environment, prefix `ACCEPTANCE_`), and its NAME."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings, SuiteSettings

__all__ = ["NAME", "AcceptanceSettings"]

NAME = "acceptance"


class AcceptanceSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ACCEPTANCE_", extra="ignore", frozen=True)

    # The printable record's signed links (`POST /acceptances/{id}/record-link`): their key is
    # derived from this secret, else from AUTH_REPORT_TOKEN_SECRET (the suite's own credential
    # key, required strong and apart from AUTH_JWT_SECRET in production), never from the staff
    # AUTH_JWT_SECRET; changing it voids every link given out.
    record_link_secret: SecretStr | None = Field(default=None, min_length=32)
    record_link_ttl_seconds: int = Field(default=24 * 3600, ge=60, le=30 * 24 * 3600)

    def record_link_secret_of(self, suite: SuiteSettings) -> str:
        """The secret the record links' key is derived from."""
        if self.record_link_secret is not None:
            return self.record_link_secret.get_secret_value()
        return suite.auth_report_token_secret
