"""The `community` command."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Annotated

import typer
import uvicorn

from shared.auth import ROLES, mint_token
from shared.settings import SuiteSettings

app = typer.Typer(help="Complete-community renewal suite", no_args_is_help=True,
                  add_completion=False)


@app.command()
def up(host: str = "127.0.0.1", log_level: str = "info") -> None:
    """Run the four services in one process (embedded mode: SQLite, in-process bus)."""
    from shared.observability import configure_logging
    from suite.embedded import serve_embedded

    configure_logging(log_level)
    asyncio.run(serve_embedded(host=host, log_level=log_level))


@app.command()
def serve(service: str, host: str = "0.0.0.0", port: int | None = None,  # noqa: S104
          log_level: str = "info") -> None:
    """Run one service (distributed mode: its own database, Kafka when BUS=kafka)."""
    from shared.app import create_service_app
    from shared.observability import configure_logging
    from suite.catalog import definition

    configure_logging(log_level)
    spec = definition(service)
    uvicorn.run(create_service_app(spec), host=host, port=port or spec.port, log_level=log_level,
                access_log=False)


@app.command()
def token(
    role: Annotated[list[str], typer.Option("--role", help="repeat for several roles")],
    sub: Annotated[str, typer.Option(help="subject (user id)")] = "dev-user",
    org: Annotated[str | None, typer.Option(help="organisation id")] = None,
    ttl_minutes: int = 60,
) -> None:
    """Mint a development JWT signed with AUTH_JWT_SECRET."""
    unknown = set(role) - ROLES
    if unknown:
        raise typer.BadParameter(f"unknown role(s): {', '.join(sorted(unknown))}")
    typer.echo(mint_token(SuiteSettings(), sub=sub, roles=role, org=org,
                          ttl=timedelta(minutes=ttl_minutes)))


@app.command()
def migrate(
    service: str,
    revision: Annotated[
        str | None, typer.Option(help="autogenerate a revision with this message")
    ] = None,
) -> None:
    """Upgrade a service's database to head (or autogenerate a new revision)."""
    from alembic import command

    from shared.migrations import alembic_config
    from suite.catalog import definition

    spec = definition(service)
    assert spec.migrations is not None
    settings = spec.settings_class()
    url = settings.resolved_database_url(spec.name, SuiteSettings())
    config = alembic_config(spec.migrations, url)
    if revision:
        command.revision(config, message=revision, autogenerate=True)
    else:
        command.upgrade(config, "head")
    typer.echo(json.dumps({"service": service, "database": url.split("@")[-1], "ok": True}))


def main() -> None:
    app()
