#!/usr/bin/env bash
# Starts a local kbroker cluster in the foreground:
#   ZooKeeper on 127.0.0.1:2181 (data in ./run/zk), brokers 1,2,3 on 127.0.0.1:9092-9094
#   (config ./run/broker-N/server.properties, log ./run/broker-N/kbroker.log).
# Ctrl-C (SIGINT) or SIGTERM stops the brokers, then ZooKeeper, by PID, and exits.
#
# Environment (optional):
#   KB_ZK_PORT    ZooKeeper client port          (default 2181)
#   KB_BASE_PORT  port of broker 1; N uses +N-1  (default 9092)
#   KB_BROKERS    number of brokers              (default 3)
#   KB_BIN_DIR    directory holding kbroker      (default ./bin, built with `make` if stale)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

ZK_PORT=${KB_ZK_PORT:-2181}
BASE_PORT=${KB_BASE_PORT:-9092}
NBROKERS=${KB_BROKERS:-3}
BIN_DIR=${KB_BIN_DIR:-$root/bin}
RUN=$root/run
ZK_JAR=/usr/share/java/zookeeper.jar
HOST=127.0.0.1

say() { printf 'run-cluster: %s\n' "$*"; }
die() { printf 'run-cluster: error: %s\n' "$*" >&2; exit 1; }

for v in ZK_PORT BASE_PORT NBROKERS; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number, got '${!v}'"
done
(( NBROKERS >= 1 && NBROKERS <= 9 )) || die "KB_BROKERS must be 1..9"

# --- dependencies and build -------------------------------------------------------------------
need_deps=0
for c in java kcat make cc; do command -v "$c" >/dev/null 2>&1 || need_deps=1; done
[ -f "$ZK_JAR" ] || need_deps=1
if [ "$need_deps" = 1 ]; then
  say "installing missing dependencies (scripts/install-deps.sh)"
  bash "$root/scripts/install-deps.sh"
fi

if [ -z "${KB_BIN_DIR:-}" ]; then
  # `make -q` exits non-zero when bin/kbroker is missing or older than its sources.
  if ! make -q bin/kbroker >/dev/null 2>&1; then
    say "building bin/kbroker (make)"
    make
  fi
fi
[ -x "$BIN_DIR/kbroker" ] || die "no kbroker binary in $BIN_DIR"

# --- ports ------------------------------------------------------------------------------------
port_in_use() {
  # Something accepting on 127.0.0.1:$1 (a wildcard listener counts too), or any TCP listener
  # on that port according to ss.
  if (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; then return 0; fi
  if command -v ss >/dev/null 2>&1 && [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; then
    return 0
  fi
  return 1
}
ports=("$ZK_PORT")
for ((i = 1; i <= NBROKERS; i++)); do ports+=($((BASE_PORT + i - 1))); done
for p in "${ports[@]}"; do
  port_in_use "$p" && die "port $p is already in use (another cluster running?); stop it or set KB_ZK_PORT / KB_BASE_PORT"
done

# --- processes --------------------------------------------------------------------------------
ZK_PID=""
BROKER_PIDS=()
stopping=0

stop_pid() {  # stop_pid PID NAME TIMEOUT_S: SIGTERM, bounded wait, then SIGKILL
  local pid=$1 name=$2 t=$3 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < t * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  say "$name (pid $pid) did not stop within ${t}s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  [ "$stopping" = 1 ] && return
  stopping=1
  trap '' INT TERM
  local i pid
  for pid in "${BROKER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for i in "${!BROKER_PIDS[@]}"; do
    pid=${BROKER_PIDS[$i]}
    stop_pid "$pid" "broker $((i + 1))" 30
    say "broker $((i + 1)) (pid $pid) stopped"
  done
  if [ -n "$ZK_PID" ]; then
    stop_pid "$ZK_PID" zookeeper 20
    say "zookeeper (pid $ZK_PID) stopped"
  fi
}
on_signal() { echo; say "stopping"; cleanup; exit 0; }
trap on_signal INT TERM
trap cleanup EXIT

mkdir -p "$RUN/zk/data"
# Children get their own session (setsid) so that a terminal's Ctrl-C reaches only this
# script, which then stops the brokers before ZooKeeper (brokers deregister cleanly).
setsid java -Xmx256m -cp "$ZK_JAR" -Dzookeeper.admin.enableServer=false \
  org.apache.zookeeper.server.ZooKeeperServerMain "$ZK_PORT" "$RUN/zk/data" 2000 \
  </dev/null >"$RUN/zk/zookeeper.log" 2>&1 &
ZK_PID=$!
say "zookeeper pid $ZK_PID on $HOST:$ZK_PORT (log $RUN/zk/zookeeper.log)"

zk_ok() {  # the 'srvr' four-letter word is enabled by default
  local out
  out=$( (exec 3<>"/dev/tcp/$HOST/$ZK_PORT" && printf srvr >&3 && timeout 2 cat <&3) 2>/dev/null) || return 1
  [[ $out == *"Mode: standalone"* ]]
}
for ((i = 0; ; i++)); do
  kill -0 "$ZK_PID" 2>/dev/null || { tail -n 30 "$RUN/zk/zookeeper.log" >&2; die "zookeeper exited"; }
  zk_ok && break
  (( i < 300 )) || die "zookeeper not ready after 30s (log: $RUN/zk/zookeeper.log)"
  sleep 0.1
done

for ((n = 1; n <= NBROKERS; n++)); do
  dir=$RUN/broker-$n
  port=$((BASE_PORT + n - 1))
  mkdir -p "$dir"
  cat >"$dir/server.properties" <<EOF
# written by scripts/run-cluster.sh
broker.id=$n
listeners=PLAINTEXT://$HOST:$port
advertised.listeners=PLAINTEXT://$HOST:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT
zookeeper.connect=$HOST:$ZK_PORT
zookeeper.session.timeout.ms=18000
log.dirs=$dir/data
offsets.topic.replication.factor=$(( NBROKERS < 3 ? NBROKERS : 3 ))
transaction.state.log.replication.factor=$(( NBROKERS < 3 ? NBROKERS : 3 ))
transaction.state.log.min.isr=$(( NBROKERS < 2 ? NBROKERS : 2 ))
EOF
  setsid "$BIN_DIR/kbroker" "$dir/server.properties" </dev/null >>"$dir/kbroker.log" 2>&1 &
  BROKER_PIDS+=($!)
  say "broker $n pid $! on $HOST:$port (log $dir/kbroker.log)"
done

# A broker restarted after a crash may wait up to the session timeout (18 s) before it
# registers; give each one a little more than that to start listening.
for ((n = 1; n <= NBROKERS; n++)); do
  port=$((BASE_PORT + n - 1))
  pid=${BROKER_PIDS[$((n - 1))]}
  for ((i = 0; ; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$RUN/broker-$n/kbroker.log" >&2
      die "broker $n exited during startup (log: $RUN/broker-$n/kbroker.log)"
    fi
    (exec 3<>"/dev/tcp/$HOST/$port") 2>/dev/null && break
    (( i < 600 )) || die "broker $n not listening on $port after 60s"
    sleep 0.1
  done
done

bootstrap=$(for ((n = 1; n <= NBROKERS; n++)); do printf '%s:%d,' "$HOST" $((BASE_PORT + n - 1)); done)
bootstrap=${bootstrap%,}
cat <<EOF

kbroker cluster is up: ZooKeeper $HOST:$ZK_PORT, brokers ${bootstrap}
Connect with, for example:
  kcat -b $HOST:$BASE_PORT -L
  /usr/bin/python3 -c "from confluent_kafka.admin import AdminClient; print(AdminClient({'bootstrap.servers': '$bootstrap'}).list_topics(timeout=10).brokers)"
Logs: $RUN/broker-N/kbroker.log, $RUN/zk/zookeeper.log
Press Ctrl-C to stop.
EOF

# Foreground: wake up every second; if any process died, say so and shut everything down.
while :; do
  sleep 1 &
  wait $! || true
  for ((n = 1; n <= NBROKERS; n++)); do
    pid=${BROKER_PIDS[$((n - 1))]}
    if ! kill -0 "$pid" 2>/dev/null; then
      rc=0; wait "$pid" || rc=$?
      say "broker $n (pid $pid) exited with code $rc; last log lines:"
      tail -n 20 "$RUN/broker-$n/kbroker.log" >&2
      cleanup
      exit 1
    fi
  done
  if ! kill -0 "$ZK_PID" 2>/dev/null; then
    say "zookeeper exited unexpectedly; stopping"
    cleanup
    exit 1
  fi
done
