#!/usr/bin/env bash
# Runs a real single-node Apache Kafka broker (KRaft) on loopback for development, tests and CI.
# The broker jars come from Maven Central via scripts/kafka/pom.xml into .cache/kafka (git-ignored).
#   scripts/kafka.sh start   fetch if needed, format once, start, wait until the broker answers (idempotent)
#   scripts/kafka.sh stop    stop the broker started here (idempotent)
#   scripts/kafka.sh status  exit 0 when the broker answers
# Environment: KAFKA_PORT (default 9092), KAFKA_CONTROLLER_PORT (default 9093),
#              KAFKA_HOME_DIR (default <repo>/.cache/kafka), KAFKA_HEAP (default 512m).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="${KAFKA_HOME_DIR:-$root/.cache/kafka}"
port="${KAFKA_PORT:-9092}"
cport="${KAFKA_CONTROLLER_PORT:-9093}"
libs="$home/libs"
data="$home/data-$port"
logs="$home/logs-$port"
pidfile="$home/broker-$port.pid"
conf="$home/server-$port.properties"

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
running_pid() { [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null && cat "$pidfile"; }

fetch() {
  if [[ ! -f "$libs/.complete" ]]; then
    echo "kafka: fetching broker jars from Maven Central into $libs"
    mvn -q -B -f "$root/scripts/kafka/pom.xml" package -Dlibs.dir="$libs"
    touch "$libs/.complete"
  fi
}

java_cmd=(java "-Xmx${KAFKA_HEAP:-512m}" "-Xms${KAFKA_HEAP:-512m}" -XX:+UseG1GC
  "-Dkafka.logs.dir=$logs" "-Dlog4j2.configurationFile=$root/scripts/kafka/log4j2.properties"
  -cp "$libs/*")

write_config() {
  mkdir -p "$data" "$logs"
  cat >"$conf" <<CONF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data
num.partitions=4
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
message.max.bytes=10485760
log.retention.hours=168
CONF
}

start() {
  if pid=$(running_pid) && answers; then echo "kafka: already running on 127.0.0.1:$port (pid $pid)"; return 0; fi
  if answers; then echo "kafka: something already answers on 127.0.0.1:$port; using it"; return 0; fi
  fetch
  write_config
  if [[ ! -f "$data/meta.properties" ]]; then
    "${java_cmd[@]}" kafka.tools.StorageTool format -t "$("${java_cmd[@]}" kafka.tools.StorageTool random-uuid)" -c "$conf" >"$logs/format.log" 2>&1 \
      || { cat "$logs/format.log"; exit 1; }
  fi
  "${java_cmd[@]}" kafka.Kafka "$conf" >"$logs/stdout.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 1 120); do
    if answers && grep -q "Kafka Server started" "$logs/server.log" 2>/dev/null; then
      echo "kafka: broker up on 127.0.0.1:$port (pid $(cat "$pidfile"), logs in $logs)"; return 0
    fi
    kill -0 "$(cat "$pidfile")" 2>/dev/null || { echo "kafka: broker exited"; tail -50 "$logs/stdout.log" "$logs/server.log" 2>/dev/null; exit 1; }
    sleep 0.5
  done
  echo "kafka: broker did not answer within 60 s"; tail -50 "$logs/server.log" 2>/dev/null; exit 1
}

stop() {
  if pid=$(running_pid); then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    echo "kafka: stopped (pid $pid)"
  else
    echo "kafka: not running"
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) answers && echo "kafka: up on 127.0.0.1:$port" || { echo "kafka: down"; exit 1; } ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
