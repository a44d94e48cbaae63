#!/usr/bin/env bash
# Local PostgreSQL (Debian cluster "main") for tests and CI, no Docker. Needs root.
# Usage: postgres.sh start|stop|status|restart|url <service>
set -euo pipefail

HOST=127.0.0.1
PORT=5432
USER_NAME=community
PASSWORD=community
DATABASES=(community_projects community_acceptance community_complaints community_property community_test)

log() { echo "postgres: $*" >&2; }
die() { log "$*"; exit 1; }

installed() { command -v pg_ctlcluster >/dev/null && compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; }

install() {
  installed && return
  # Another apt run (e.g. a provisioning step) may hold the dpkg lock; `check` waits for it.
  apt-get -qq -o DPkg::Lock::Timeout=600 check >/dev/null
  installed && return
  log "installing PostgreSQL from Debian packages"
  # apt-get update does not honour DPkg::Lock::Timeout, so retry while the lists lock is busy.
  local tries=0
  until apt-get -qq update; do
    ((++tries < 60)) || die "apt-get update kept failing"
    sleep 5
  done
  DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=600 install -y postgresql >/dev/null
}

as_postgres() { (cd / && runuser -u postgres -- "$@"); }
psql_admin() { as_postgres psql -p "$PORT" -X -q -v ON_ERROR_STOP=1 "$@"; }

# Prints the version of cluster "main", creating the cluster if there is none.
cluster_version() {
  local ver
  ver=$(pg_lsclusters -h | awk '$2 == "main" { print $1; exit }')
  if [[ -z $ver ]]; then
    ver=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -n | tail -n 1)
    as_postgres true # fail early if the postgres user is missing
    pg_createcluster --port "$PORT" "$ver" main >/dev/null
  fi
  echo "$ver"
}

ctl() { pg_ctlcluster --skip-systemctl-redirect "$(cluster_version)" main "$@"; }

online() { pg_lsclusters -h | awk '$2 == "main" && $4 == "online" { found = 1 } END { exit !found }'; }

wait_ready() {
  local deadline=$((SECONDS + 60))
  until pg_isready -q -h "$HOST" -p "$PORT"; do
    ((SECONDS < deadline)) || die "not accepting connections on $HOST:$PORT after 60s (see /var/log/postgresql/)"
    sleep 0.3
  done
}

ensure_hba() {
  local hba
  hba=$(psql_admin -Atc 'show hba_file')
  if ! grep -Eq "^\s*host\s+all\s+all\s+$HOST/32\s+(scram-sha-256|md5)" "$hba"; then
    echo "host all all $HOST/32 scram-sha-256" >>"$hba"
    psql_admin -c 'select pg_reload_conf()' >/dev/null
  fi
}

ensure_schema() {
  psql_admin <<EOF
SELECT 'CREATE ROLE $USER_NAME LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$USER_NAME') \gexec
ALTER ROLE $USER_NAME WITH LOGIN SUPERUSER PASSWORD '$PASSWORD';
SELECT format('CREATE DATABASE %I OWNER $USER_NAME', d)
  FROM unnest(string_to_array('${DATABASES[*]}', ' ')) AS d
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = d) \gexec
EOF
}

start() {
  install
  online || ctl start
  wait_ready
  ensure_hba
  ensure_schema
  log "running on $HOST:$PORT"
}

case ${1:-} in
  start) start ;;
  stop)
    if installed && online; then ctl stop; fi
    log "stopped"
    ;;
  restart)
    install
    ctl restart
    wait_ready
    log "restarted"
    ;;
  status)
    if pg_isready -q -h "$HOST" -p "$PORT" 2>/dev/null; then
      log "running on $HOST:$PORT"
    else
      log "not running"
      exit 1
    fi
    ;;
  url)
    [[ -n ${2:-} ]] || die "usage: $0 url <service>"
    echo "postgresql+asyncpg://$USER_NAME:$PASSWORD@$HOST:$PORT/community_${2#community_}"
    ;;
  *) die "usage: $0 start|stop|status|restart|url <service>" ;;
esac
