#!/usr/bin/env bash
# Run every test: unit, API, and integration against real Kafka and PostgreSQL, which this
# script starts (idempotently) through deploy/local/.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh
deploy/local/postgres.sh start
# CI starts from an empty broker: every test run leaves namespaced topics behind, and a broker
# with thousands of partitions restarts slowly in the fault tests.
if [[ ${CI:-} == true ]]; then deploy/local/kafka.sh reset; fi
deploy/local/kafka.sh start
exec .venv/bin/pytest "$@"
