"""`create_service_app`: one FastAPI app per service, all wired the same way.

The lifespan owns every resource: it migrates and seeds the database, starts the outbox
relay, the event consumer and the service's background tasks, and stops them in reverse.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Iterator
from ipaddress import ip_address
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    generate_latest,
    start_http_server,
)
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import InterfaceError as SAInterfaceError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.asyncapi import router as asyncapi_router
from shared.auth import Authenticator
from shared.bus import Bus, create_bus
from shared.clock import Clock, SystemClock
from shared.consumer import EventConsumer
from shared.db import INFRA_METADATA, Database, database_unavailable
from shared.errors import install_problem_handlers, problem_response
from shared.events.catalog import load_catalog
from shared.idempotency import IdempotencyMiddleware
from shared.limits import RequestLimits
from shared.migrations import upgrade_to_head
from shared.observability import HttpMetrics, RuntimeCollector
from shared.outbox import OutboxRelay
from shared.problem_docs import document_problem_responses
from shared.service import BackgroundTask, ServiceContext, ServiceDefinition
from shared.settings import ServiceSettings, SuiteSettings
from shared.tracing import TraceMiddleware

__all__ = ["create_service_app", "freeze_startup_objects"]

log = logging.getLogger(__name__)

_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((n, v) for n, v in _SECURITY_HEADERS if n not in present),
                ]
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


def freeze_startup_objects() -> None:
    """Hide every object alive now (modules, classes, the built apps) from the collector.

    Call once in a server process after its apps are built. Without it every full garbage
    collection walks the ~10^5 objects imports leave behind, tens of ms at a time on the
    request and consumer paths; frozen objects are simply never examined again.
    """
    gc.collect()
    gc.freeze()


def create_service_app(
    definition: ServiceDefinition,
    *,
    suite: SuiteSettings | None = None,
    settings: ServiceSettings | None = None,
    bus: Bus | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """Build the app; `bus` is shared (and not closed) when the caller passes one in."""
    suite = suite or SuiteSettings()
    settings = settings or definition.settings_class()
    load_catalog()
    authenticator = Authenticator(suite)
    registry = CollectorRegistry()
    owns_bus = bus is None

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings.resolved_database_url(definition.name, suite),
                      pool_size=settings.database_pool_size)
        the_bus = bus or create_bus(
            suite.bus,
            local_url=f"sqlite+aiosqlite:///{suite.var_dir / 'bus.db'}",
            kafka_bootstrap=suite.kafka_bootstrap_servers,
            partitions=suite.kafka_topic_partitions,
            replication_factor=suite.kafka_replication_factor,
            client_id=f"community-{definition.name}",
            namespace=suite.kafka_namespace,
        )
        if settings.auto_migrate:
            await prepare_schema(db, definition)
        relay = OutboxRelay(db, the_bus.producer(), batch_size=settings.relay_batch_size,
                            poll_seconds=settings.relay_poll_seconds)
        ctx = ServiceContext(definition=definition, suite=suite, settings=settings, db=db,
                             bus=the_bus, clock=clock or SystemClock(),
                             authenticator=authenticator, relay=relay)
        db.after_commit(relay.wake)
        consumes = definition.consumes
        if consumes is not None and consumes.subscriptions:
            ctx.consumer = EventConsumer(
                db, the_bus, group=f"{definition.name}-service",
                topics=consumes.subscriptions, handlers=consumes.handlers,
                stall_seconds=settings.consumer_stall_seconds,
            )
        app.state.ctx = ctx
        if definition.seed is not None:
            async with db.transaction() as session:
                await definition.seed(session, ctx)
        tasks: list[asyncio.Task[None]] = [
            asyncio.create_task(relay.run(), name=f"{definition.name}-relay")
        ]
        if ctx.consumer is not None:
            tasks.append(
                asyncio.create_task(ctx.consumer.run(), name=f"{definition.name}-consumer")
            )
        tasks += [asyncio.create_task(_run(task, ctx)) for task in definition.background]
        ctx.extras["tasks"] = tasks
        try:
            with metrics_listener(registry, suite.metrics_host, settings.metrics_port):
                yield
        finally:
            await _stop_gracefully(ctx, tasks)
            if owns_bus:
                await the_bus.close()
            await db.dispose()

    app = FastAPI(title=definition.title, version="1.0.0", lifespan=lifespan)
    app.state.authenticator = authenticator
    install_problem_handlers(app)
    _install_database_error_handlers(app)
    for router in definition.routers:
        app.include_router(router)
    _add_operational_routes(app, definition, registry)
    app.include_router(asyncapi_router)
    app.add_middleware(
        IdempotencyMiddleware,
        database=lambda: ServiceContext.of_app(app).db,
        authenticator=lambda: authenticator,
    )
    document_problem_responses(app)
    app.add_middleware(RequestLimits, openapi=app.openapi)
    if suite.cors_allow_origins:
        app.add_middleware(CORSMiddleware, allow_origins=suite.cors_allow_origins,
                           allow_methods=["*"], allow_headers=["*"])
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HttpMetrics, registry=registry)
    app.add_middleware(TraceMiddleware)
    return app


async def _stop_gracefully(ctx: ServiceContext, tasks: list[asyncio.Task[None]]) -> None:
    """Let the relay and consumer finish their batch; cancel what is still running after."""
    ctx.relay.stop()
    if ctx.consumer is not None:
        ctx.consumer.stop()
    await asyncio.wait(tasks[:2], timeout=10)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def prepare_schema(db: Database, definition: ServiceDefinition) -> None:
    if definition.migrations is not None:
        await upgrade_to_head(db, definition.migrations)
        return
    async with db.engine.begin() as conn:
        await conn.run_sync(INFRA_METADATA.create_all)
        await conn.run_sync(definition.metadata.create_all)


async def _run(task: BackgroundTask, ctx: ServiceContext) -> None:
    await task(ctx)


def _install_database_error_handlers(app: FastAPI) -> None:
    async def on_integrity(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(409, "Conflict", "the write conflicts with existing data",
                                instance=request.url.path)

    async def on_unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable: %s", type(exc).__name__)
        return problem_response(503, "Service unavailable", "the database is unavailable",
                                instance=request.url.path, headers={"Retry-After": "1"})

    async def on_database_error(request: Request, exc: Exception) -> JSONResponse:
        # A restarting PostgreSQL surfaces as a bare DBAPIError: tell it from a real bug.
        if database_unavailable(exc):
            return await on_unavailable(request, exc)
        log.error("database error on %s %s", request.method, request.url.path, exc_info=exc)
        return problem_response(500, "Internal server error", "an unexpected error occurred",
                                instance=request.url.path)

    app.add_exception_handler(IntegrityError, on_integrity)
    app.add_exception_handler(OperationalError, on_unavailable)
    app.add_exception_handler(SAInterfaceError, on_unavailable)
    app.add_exception_handler(DBAPIError, on_database_error)
    app.add_exception_handler(OSError, on_unavailable)


def _add_operational_routes(app: FastAPI, definition: ServiceDefinition,
                            registry: CollectorRegistry) -> None:
    def runtime_figures() -> dict[str, float]:
        ctx: ServiceContext | None = getattr(app.state, "ctx", None)
        if ctx is None:
            return {}
        figures = {"outbox_published_total": float(ctx.relay.published_total)}
        if ctx.consumer is not None:
            stats = ctx.consumer.stats
            figures.update(
                consumer_applied_total=stats.applied,
                consumer_duplicates_total=stats.duplicate,
                consumer_skipped_total=stats.skipped,
                consumer_dead_lettered_total=stats.dead_lettered,
                consumer_restarts_total=stats.restarts,
                consumer_healthy=1.0 if ctx.consumer.healthy() else 0.0,
            )
        return figures

    registry.register(RuntimeCollector(runtime_figures))

    @app.get("/healthz", tags=["operations"], summary="Liveness")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": definition.name}

    @app.get("/readyz", tags=["operations"], summary="Readiness: database, bus and consumer",
             responses={503: {"description": "not ready"}})
    async def readyz(request: Request) -> Any:
        ctx = ServiceContext.of(request)
        checks = {
            "database": await ctx.db.ping(),
            "bus": await ctx.bus.ping(),
            "relay": not ctx.extras["tasks"][0].done(),
            "consumer": ctx.consumer is None or ctx.consumer.healthy(),
        }
        notes = definition.readiness_notes(ctx) if definition.readiness_notes else {}
        if all(checks.values()):
            return {"status": "ready", "checks": checks, **({"notes": notes} if notes else {})}
        failing = ", ".join(name for name, ok in checks.items() if not ok)
        return problem_response(503, "Service unavailable", f"not ready: {failing}",
                                checks=checks)

    @app.get("/metrics", tags=["operations"], response_class=Response,
             summary="Prometheus metrics (to the METRICS_ALLOW networks only)")
    async def metrics(request: Request) -> Response:
        """Who: clients in `METRICS_ALLOW` (loopback by default); others get 404, so the public
        side of an ingress never sees it. Scrapers use `<SERVICE>_METRICS_PORT` instead."""
        if not _metrics_allowed(request, ServiceContext.of(request).suite):
            return problem_response(404, "Not Found", "not found", instance=request.url.path)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def _metrics_allowed(request: Request, suite: SuiteSettings) -> bool:
    if request.client is None:
        return False
    try:
        address = ip_address(request.client.host)
    except ValueError:
        return False
    return any(address in network for network in suite.metrics_allow)


@contextlib.contextmanager
def metrics_listener(registry: CollectorRegistry, host: str, port: int | None
                     ) -> Iterator[None]:
    """Serve `registry` at `http://host:port/metrics` (a thread) while the app runs."""
    if port is None:
        yield
        return
    server, thread = start_http_server(port, addr=host, registry=registry)
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
