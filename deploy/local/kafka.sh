#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft, broker+controller) for tests and CI, no Docker.
# Usage: kafka.sh start|stop|status|restart|kill|reset
set -euo pipefail

KAFKA_VERSION=${KAFKA_VERSION:-4.4.0}
LOG4J_VERSION=2.24.3
CACHE_DIR=${KAFKA_CACHE_DIR:-$HOME/.cache/community-suite/kafka}
DATA_DIR=${KAFKA_DATA_DIR:-/tmp/community-kafka}
PORT=${KAFKA_PORT:-9092}
CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
START_TIMEOUT=${KAFKA_START_TIMEOUT:-60}

LIBS=$CACHE_DIR/libs
PID_FILE=$DATA_DIR/kafka.pid
LOG_FILE=$DATA_DIR/kafka.out
CONFIG=$DATA_DIR/server.properties

log() { echo "kafka: $*" >&2; }
die() { log "$*"; exit 1; }

resolve_libs() {
  local marker=$LIBS/.resolved-$KAFKA_VERSION
  [[ -f $marker ]] && return
  log "resolving Kafka $KAFKA_VERSION from Maven Central into $LIBS"
  rm -rf "$LIBS"
  mkdir -p "$LIBS"
  # kafka-tools brings connect-runtime (and Jetty/Jersey) only for connect-plugin-path; not needed here.
  # slf4j-api is pinned to 2.x because Kafka declares 1.7.x, which the slf4j2 log4j binding can't serve.
  cat >"$CACHE_DIR/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.community</groupId><artifactId>kafka-runtime</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version>
      <exclusions><exclusion><groupId>org.apache.kafka</groupId><artifactId>connect-runtime</artifactId></exclusion></exclusions>
    </dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.17</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
EOF
  # Maven 3.8 prints stray ANSI codes even with -q -B, so show its output only on failure.
  local out
  if ! out=$(mvn -q -B -f "$CACHE_DIR/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS" 2>&1); then
    echo "$out" >&2
    die "dependency resolution failed"
  fi
  touch "$marker"
}

kafka_java() { java -cp "$LIBS/*" "$@"; }

pid() { [[ -f $PID_FILE ]] && cat "$PID_FILE"; }

# The pid file may be stale after a reboot or kill -9, so check that it is really our broker.
alive() {
  local p
  p=$(pid) || return 1
  [[ -n $p ]] && grep -qa 'kafka.Kafka' "/proc/$p/cmdline" 2>/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

write_config() {
  mkdir -p "$DATA_DIR"
  cat >"$CONFIG" <<EOF
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT
log.dirs=$DATA_DIR/data
num.partitions=3
auto.create.topics.enable=true
group.initial.rebalance.delay.ms=0
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# After kill -9 the new broker can't register until the old one's session expires (default 9s).
broker.heartbeat.interval.ms=500
broker.session.timeout.ms=4000
EOF
  # Root logger at WARN keeps the log small; KafkaRaftServer at INFO prints "Kafka Server started".
  cat >"$DATA_DIR/log4j2.properties" <<'EOF'
appender.out.type=Console
appender.out.name=out
appender.out.layout.type=PatternLayout
appender.out.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=WARN
rootLogger.appenderRef.out.ref=out
logger.server.name=kafka.server.KafkaRaftServer
logger.server.level=INFO
EOF
}

format_storage() {
  [[ -f $DATA_DIR/data/meta.properties ]] && return
  [[ -s $DATA_DIR/cluster.id ]] || kafka_java kafka.tools.StorageTool random-uuid >"$DATA_DIR/cluster.id"
  kafka_java kafka.tools.StorageTool format --standalone --ignore-formatted \
    -t "$(cat "$DATA_DIR/cluster.id")" -c "$CONFIG" >/dev/null
}

wait_ready() {
  local deadline=$((SECONDS + START_TIMEOUT))
  until port_open && grep -q 'Kafka Server started' "$LOG_FILE" 2>/dev/null; do
    # The process, not its cmdline: while nohup/setsid/the java launcher exec one another,
    # /proc/<pid>/cmdline can read empty for an instant although the broker is starting.
    if ! kill -0 "$(pid)" 2>/dev/null; then
      tail -n 40 "$LOG_FILE" >&2 || true
      die "broker exited during startup (log: $LOG_FILE)"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 40 "$LOG_FILE" >&2 || true
      die "broker not ready on 127.0.0.1:$PORT after ${START_TIMEOUT}s (log: $LOG_FILE)"
    fi
    sleep 0.3
  done
}

start() {
  if alive; then
    wait_ready
    log "already running (pid $(pid)) on 127.0.0.1:$PORT"
    return
  fi
  port_open && die "port $PORT is in use by another process"
  resolve_libs
  write_config
  format_storage
  [[ -f $LOG_FILE ]] && mv "$LOG_FILE" "$LOG_FILE.prev"
  # setsid: the broker must outlive the calling shell's process group (CI steps, test harnesses).
  nohup setsid java -cp "$LIBS/*" -Xmx512m -Xms512m \
    -Dlog4j2.configurationFile="$DATA_DIR/log4j2.properties" \
    kafka.Kafka "$CONFIG" </dev/null >"$LOG_FILE" 2>&1 9>&- &
  echo $! >"$PID_FILE"
  wait_ready
  log "started (pid $(pid)) on 127.0.0.1:$PORT"
}

# The JVM loses its cmdline before its sockets close, so wait for the port too.
wait_gone() {
  local deadline=$((SECONDS + ${1:-10}))
  while alive || port_open; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

stop() {
  if ! alive; then
    rm -f "$PID_FILE"
    log "not running"
    return
  fi
  local p
  p=$(pid)
  kill -TERM "$p"
  wait_gone 30 || {
    log "graceful stop timed out, sending SIGKILL"
    kill -KILL "$p"
    wait_gone || die "broker still running or port $PORT still open"
  }
  rm -f "$PID_FILE"
  log "stopped"
}

# Serialise concurrent callers (e.g. parallel test workers); status needs no lock.
if [[ ${1:-} != status ]]; then
  mkdir -p "$(dirname "$DATA_DIR")"
  exec 9>"$DATA_DIR.lock"
  flock 9
fi

case ${1:-} in
  start) start ;;
  stop) stop ;;
  restart) stop && start ;;
  status)
    if alive && port_open; then
      log "running (pid $(pid)) on 127.0.0.1:$PORT"
    else
      log "not running"
      exit 1
    fi
    ;;
  kill)
    if alive; then kill -KILL "$(pid)"; fi
    wait_gone || die "broker still running or port $PORT still open"
    rm -f "$PID_FILE"
    log "killed"
    ;;
  reset) stop && rm -rf "$DATA_DIR" && log "wiped $DATA_DIR" ;;
  *) die "usage: $0 start|stop|status|restart|kill|reset" ;;
esac
