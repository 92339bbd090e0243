#!/usr/bin/env bash
# Restart time after kill -9 as the log grows: writes SIZE_GIB GiB of 1 KiB messages (kcat)
# into one partition with default 1 GiB segments, kill -9s the broker and reports how long
# the restarted broker took to load its logs. Rolled segments were flushed at their roll, so
# only the active segment's unflushed tail is scanned: the time follows unflushed data.
#   tests/bench/restart_bench.sh 1 10     (sizes in GiB; needs ~11 GiB free under /tmp)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${KB_BIN_DIR:-$here/bin}
work=$(mktemp -d /tmp/kb-restart-XXXX)
zkport=$(( 30000 + RANDOM % 2000 )); port=$(( 32000 + RANDOM % 2000 ))
java -cp /usr/share/java/zookeeper.jar -Dzookeeper.admin.enableServer=false \
  org.apache.zookeeper.server.ZooKeeperServerMain $zkport "$work/zk" 500 >"$work/zk.log" 2>&1 &
zkpid=$!
cleanup() { kill -9 ${bpid:-} 2>/dev/null || true; kill $zkpid 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cat >"$work/server.properties" <<CFG
broker.id=1
listeners=PLAINTEXT://127.0.0.1:$port
zookeeper.connect=127.0.0.1:$zkport
zookeeper.session.timeout.ms=6000
log.dirs=$work/data
CFG
start() { "$BIN/kbroker" "$work/server.properties" >>"$work/broker.log" 2>&1 & bpid=$!;
  for _ in $(seq 1 300); do grep -q "broker 1 started" "$work/broker.log" 2>/dev/null && return; sleep 0.1; done; }
sleep 3; start
"$BIN/kadmin" --bootstrap-server 127.0.0.1:$port topics create r --partitions 1 --replication-factor 1 >/dev/null
line=$(head -c 1023 /dev/zero | tr '\0' 'x')
written=0
for gib in "$@"; do
  n=$(( (gib - written) * 1024 * 1024 ))
  kcat -b 127.0.0.1:$port -P -t r -p 0 -X linger.ms=20 -X batch.num.messages=10000 \
    < <(yes "$line" | head -n $n)
  written=$gib
  sleep 1; kill -9 $bpid; wait $bpid 2>/dev/null || true
  : >"$work/broker.log"; sleep 7   # let the old ZooKeeper session expire
  t0=$(date +%s%N); start; t1=$(date +%s%N)
  echo "$(du -sh "$work/data/r-0" | cut -f1) on disk: $(grep -o 'loaded .* in [0-9]* ms' "$work/broker.log"); started in $(( (t1 - t0) / 1000000 )) ms (incl. waiting for ZooKeeper)"
done
