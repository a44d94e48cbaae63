#!/usr/bin/env bash
# Run every test: unit, API, and integration against real Kafka and PostgreSQL, which this
# script starts (idempotently) through deploy/local/.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh
deploy/local/postgres.sh start
deploy/local/kafka.sh start
exec .venv/bin/pytest "$@"
