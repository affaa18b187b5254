#!/usr/bin/env bash
# Runs a real single-node Apache ZooKeeper on loopback, where embedded ClickHouse keeps the Kafka engine's offsets
# (exactly-once ingestion). The server jars come from Maven Central via scripts/zookeeper/pom.xml into
# .cache/zookeeper (git-ignored), as scripts/kafka.sh does for the broker.
#   scripts/zookeeper.sh start   fetch if needed, start, wait until the server serves (idempotent)
#   scripts/zookeeper.sh stop    stop the server started here (idempotent)
#   scripts/zookeeper.sh status  exit 0 when the server answers
#   scripts/zookeeper.sh cli ...  ZooKeeper's command-line client on it, e.g. `cli ls -R /viewrank` (the Kafka offsets)
# Environment: ZOOKEEPER_PORT (default 2181), ZOOKEEPER_HOME_DIR (default <repo>/.cache/zookeeper),
#              ZOOKEEPER_HEAP (default 256m).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="${ZOOKEEPER_HOME_DIR:-$root/.cache/zookeeper}"
port="${ZOOKEEPER_PORT:-2181}"
libs="$home/libs"
data="$home/data-$port"
logs="$home/logs-$port"
pidfile="$home/server-$port.pid"
conf="$home/zoo-$port.cfg"

answers() { # The four-letter word `srvr` (whitelisted below) names the mode only once the server serves requests
  # (`ruok` answers `imok` as soon as the port is open, even when the server then fails to load its data).
  { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
  printf srvr >&3
  local reply
  reply=$(timeout 2 cat <&3 2>/dev/null || true)
  exec 3<&- 3>&-
  [[ "$reply" == *"Mode: "* ]]
}
running_pid() { [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null && cat "$pidfile"; }

fetch() {
  if [[ ! -f "$libs/.complete" ]]; then
    echo "zookeeper: fetching server jars from Maven Central into $libs"
    mvn -q -B -f "$root/scripts/zookeeper/pom.xml" package -Dlibs.dir="$libs"
    touch "$libs/.complete"
  fi
}

write_config() {
  mkdir -p "$data" "$logs"
  # tickTime 1000 allows sessions from 2 s (ClickHouse asks for 6 s, clickhouse/embedded-config.xml).
  cat >"$conf" <<CONF
tickTime=1000
initLimit=10
syncLimit=5
dataDir=$data
clientPort=$port
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=srvr,stat,ruok
autopurge.snapRetainCount=3
autopurge.purgeInterval=1
CONF
}

start() {
  if pid=$(running_pid) && answers; then echo "zookeeper: already running on 127.0.0.1:$port (pid $pid)"; return 0; fi
  if answers; then echo "zookeeper: something already answers on 127.0.0.1:$port; using it"; return 0; fi
  fetch
  write_config
  java "-Xmx${ZOOKEEPER_HEAP:-256m}" "-Xms${ZOOKEEPER_HEAP:-256m}" "-Dzookeeper.log.dir=$logs" -cp "$libs/*" \
    org.apache.zookeeper.server.quorum.QuorumPeerMain "$conf" >"$logs/stdout.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 1 120); do
    if answers; then echo "zookeeper: up on 127.0.0.1:$port (pid $(cat "$pidfile"), logs in $logs)"; return 0; fi
    kill -0 "$(cat "$pidfile")" 2>/dev/null || { echo "zookeeper: server exited"; tail -50 "$logs/stdout.log" 2>/dev/null; exit 1; }
    sleep 0.5
  done
  echo "zookeeper: server did not answer within 60 s"; tail -50 "$logs/stdout.log" 2>/dev/null; exit 1
}

stop() {
  if pid=$(running_pid); then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    echo "zookeeper: stopped (pid $pid)"
  else
    echo "zookeeper: not running"
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) answers && echo "zookeeper: up on 127.0.0.1:$port" || { echo "zookeeper: down"; exit 1; } ;;
  cli)
    fetch >&2
    shift
    java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$libs/*" org.apache.zookeeper.ZooKeeperMain -server "127.0.0.1:$port" "$@" ;;
  *) echo "usage: $0 start|stop|status|cli ..." >&2; exit 2 ;;
esac
