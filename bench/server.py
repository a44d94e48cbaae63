"""`python -m bench.server <service> --port N [--baseline] [--group-suffix S]`.

Serves one service exactly as `community serve` does (one uvicorn worker, uvloop/httptools
when installed, no access log), built by `create_service_app`. Two bench-only changes:

- `--baseline` (complaints only) adds `POST /bench/baseline`, one raw INSERT through the
  service's own engine, so the baseline shares the process, the middleware stack, the pool
  and the database with the real endpoint;
- `--group-suffix` renames the definition (`complaints` -> `complaints-<suffix>`), which only
  changes the Kafka consumer group and client id: the bench never joins the groups of a
  running deployment and never replays the shared topics into a scratch database.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import uuid

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from shared.app import create_service_app, freeze_startup_objects
from shared.observability import configure_logging
from shared.service import ServiceContext, ServiceDefinition
from suite.catalog import definition

BASELINE_DDL = (
    "CREATE TABLE IF NOT EXISTS bench_baseline ("
    "id varchar(64) PRIMARY KEY, body jsonb NOT NULL, created_at timestamptz NOT NULL)"
)
_INSERT = text(
    "INSERT INTO bench_baseline (id, body, created_at) VALUES (:id, CAST(:body AS jsonb), now())"
)


def add_baseline_route(app: FastAPI) -> None:
    @app.post("/bench/baseline", status_code=201, include_in_schema=False)
    async def baseline(request: Request) -> JSONResponse:
        raw = await request.body()
        json.loads(raw)  # the suite parses the body too; a raw endpoint at least checks JSON
        row_id = uuid.uuid4().hex
        async with ServiceContext.of(request).db.engine.begin() as conn:
            await conn.execute(_INSERT, {"id": row_id, "body": raw.decode()})
        return JSONResponse({"id": row_id}, status_code=201)


def build(service: str, *, baseline: bool, group_suffix: str) -> FastAPI:
    spec: ServiceDefinition = definition(service)
    if group_suffix:
        spec = dataclasses.replace(spec, name=f"{spec.name}-{group_suffix}")
    app = create_service_app(spec)
    if baseline:
        add_baseline_route(app)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("service")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument("--group-suffix", default="")
    args = parser.parse_args()
    configure_logging("WARNING")
    app = build(args.service, baseline=args.baseline, group_suffix=args.group_suffix)
    freeze_startup_objects()
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
