"""The `community` command."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import timedelta
from pathlib import Path
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
    from shared.app import create_service_app, freeze_startup_objects
    from shared.observability import configure_logging
    from suite.catalog import definition

    configure_logging(log_level)
    spec = definition(service)
    service_app = create_service_app(spec)
    freeze_startup_objects()
    uvicorn.run(service_app, host=host, port=port or spec.port, log_level=log_level,
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


BootstrapOption = Annotated[
    str | None, typer.Option(help="Kafka bootstrap servers [default: KAFKA_BOOTSTRAP_SERVERS]")]
NamespaceOption = Annotated[
    str | None, typer.Option(help="topic and group prefix [default: KAFKA_NAMESPACE]")]


@app.command()
def distributed(
    base_port: Annotated[int, typer.Option(help="services listen on base_port..+3")] = 8101,
    bootstrap: BootstrapOption = None,
    namespace: NamespaceOption = None,
) -> None:
    """Run the four services as separate processes over PostgreSQL and Kafka.

    Fresh databases and a fresh namespace, dropped on Ctrl-C; AUTH_JWT_SECRET is shared, so
    `community token` mints tokens they accept.
    """
    from suite.catalog import SERVICE_NAMES
    from suite.distributed import DistributedSuite

    settings = SuiteSettings()
    ports = {name: base_port + i for i, name in enumerate(SERVICE_NAMES)}

    async def run() -> None:
        async with DistributedSuite(
            bootstrap=bootstrap or settings.kafka_bootstrap_servers, namespace=namespace,
            secret=settings.auth_jwt_secret, ports=ports,
        ) as suite:
            typer.echo(json.dumps({"urls": suite.urls(), "namespace": suite.namespace,
                                   "logs": str(suite.log_dir)}))
            await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


events_app = typer.Typer(help="The suite's event stream on Kafka (dashboards' view)",
                         no_args_is_help=True)
app.add_typer(events_app, name="events")


def _stream_source(bootstrap: str | None, namespace: str | None) -> tuple[str, str]:
    settings = SuiteSettings()
    return (bootstrap or settings.kafka_bootstrap_servers,
            settings.kafka_namespace if namespace is None else namespace)


@events_app.command("tail")
def events_tail(
    topic: Annotated[list[str] | None, typer.Option(
        "--topic", help="repeat for several; default: the four event topics")] = None,
    from_beginning: Annotated[bool, typer.Option(
        help="rewind the consumer group to the start of every partition")] = False,
    group: Annotated[str, typer.Option(help="consumer group")] = "community-events-tail",
    timeout: Annotated[float | None, typer.Option(
        help="stop after this many seconds without an event [default: never]")] = None,
    bootstrap: BootstrapOption = None,
    namespace: NamespaceOption = None,
) -> None:
    """Print every event, one JSON line each (a reference consumer with its own group)."""
    from shared.events.topics import TOPICS, dead_letter_topic
    from suite.events import stream

    topics = topic or list(TOPICS)
    known = {*TOPICS, *map(dead_letter_topic, TOPICS)}
    if unknown := sorted(set(topics) - known):
        raise typer.BadParameter(f"unknown topic(s): {', '.join(unknown)}", param_hint="--topic")
    servers, prefix = _stream_source(bootstrap, namespace)

    async def tail() -> None:
        async for record in stream(servers, topics, namespace=prefix, group=group,
                                   from_beginning=from_beginning, idle_timeout=timeout):
            typer.echo(record.to_json_line())

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(tail())


@app.command()
def dashboard(
    from_beginning: Annotated[bool, typer.Option(
        help="fold the whole history, not only events arriving from now on")] = False,
    timeout: Annotated[float, typer.Option(
        help="print once no event arrived for this many seconds")] = 10.0,
    bootstrap: BootstrapOption = None,
    namespace: NamespaceOption = None,
) -> None:
    """Fold the four event topics into city KPIs and print them as JSON."""
    from suite.dashboard import CityDashboard
    from suite.events import stream

    servers, prefix = _stream_source(bootstrap, namespace)
    board = CityDashboard()

    async def fold() -> None:
        async for record in stream(servers, namespace=prefix, from_beginning=from_beginning,
                                   idle_timeout=timeout):
            event = record.event()
            if event is not None:
                board.apply(event)

    asyncio.run(fold())
    typer.echo(json.dumps(board.kpis(), ensure_ascii=False, indent=2))


@app.command()
def asyncapi(
    output: Annotated[Path, typer.Option(help="where to write the document")] = Path(
        "deploy/asyncapi.yaml"
    ),
) -> None:
    """Write the AsyncAPI document and each event type's JSON Schema (beside it, in schemas/)."""
    from shared.asyncapi import write_artifacts

    for path in write_artifacts(output):
        typer.echo(path)


def main() -> None:
    app()
