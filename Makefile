# One entry point per action; each is a one-liner over scripts in the repo.
.PHONY: run test lint bench servers stop-servers

run:           ## the four services in one process (embedded: SQLite, in-process bus)
	scripts/bootstrap.sh && .venv/bin/community up

test:          ## every test, with real Kafka and PostgreSQL started by deploy/local/
	scripts/test.sh

lint:          ## ruff and mypy --strict
	scripts/bootstrap.sh && .venv/bin/ruff check . && .venv/bin/mypy

bench:         ## benchmarks against real PostgreSQL and Kafka; writes bench/results.json
	scripts/bootstrap.sh && deploy/local/postgres.sh start && deploy/local/kafka.sh start && .venv/bin/python -m bench

servers:       ## start Kafka and PostgreSQL for distributed mode on this machine
	deploy/local/postgres.sh start && deploy/local/kafka.sh start

stop-servers:
	deploy/local/kafka.sh stop; deploy/local/postgres.sh stop
