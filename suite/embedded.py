"""Embedded mode: the four apps in one process, each on its own port and SQLite file,
sharing one durable in-process bus. Same outbox, inbox and handlers as distributed mode."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator, Sequence

import uvicorn

from shared.app import create_service_app, freeze_startup_objects
from shared.bus import LocalBus
from shared.settings import SuiteSettings
from suite.catalog import SERVICE_NAMES, definition

__all__ = ["serve_embedded"]


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the embedded runner."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_embedded(host: str = "127.0.0.1", services: Sequence[str] = SERVICE_NAMES,
                         log_level: str = "info") -> None:
    suite = SuiteSettings()
    suite.var_dir.mkdir(parents=True, exist_ok=True)
    bus = LocalBus(f"sqlite+aiosqlite:///{suite.var_dir / 'bus.db'}")
    servers = []
    for name in services:
        spec = definition(name)
        app = create_service_app(spec, suite=suite, bus=bus)
        config = uvicorn.Config(app, host=host, port=spec.port, log_level=log_level,
                                lifespan="on", access_log=False)
        servers.append(_Server(config))
    freeze_startup_objects()

    def stop() -> None:
        for server in servers:
            server.should_exit = True

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    try:
        await asyncio.gather(*(server.serve() for server in servers))
    finally:
        await bus.close()
