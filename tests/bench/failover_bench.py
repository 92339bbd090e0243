#!/usr/bin/python3
"""Failover at scale: how long the control plane takes to move N partitions' leadership.

    /usr/bin/python3 tests/bench/failover_bench.py [--partitions 10000] [--topics 10]
                                                   [--rf 3] [--bin-dir bin]

Starts its own ZooKeeper (tickTime 500) and 3 brokers (the plain build in bin/ unless
--bin-dir says otherwise), creates --topics topics holding --partitions partitions in all
with replication factor --rf (kadmin --zookeeper), waits until every partition has a
leader, then kill -9s one non-controller broker and measures:

  detect   kill -9 -> the controller logs the broker's departure (ZooKeeper session expiry)
  decide+write  departure -> the controller has written every changed partition state
  propagate     departure -> every survivor's Metadata shows a live leader everywhere

and reports ms per partition moved. Everything runs on 127.0.0.1 and is stopped by PID.
"""

import argparse
import os
import re
import sys
import time
from datetime import datetime, timezone

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))

import harness  # noqa: E402

SESSION_MS = 6000


def log_time(line):
    stamp = line.split(" ", 1)[0]
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=timezone.utc).timestamp()


def find_line(broker, pattern, after):
    for line in broker.log_text().splitlines():
        if re.search(pattern, line):
            try:
                t = log_time(line)
            except ValueError:
                continue
            if t >= after:
                return t, line
    return None


def leaderless(broker, topics, dead):
    """Partitions this broker's Metadata shows without a live leader."""
    with broker.conn(30) as c:
        md = c.metadata(5, topics=topics, allow_auto_topic_creation=False, timeout=30)
    return sum(1 for t in md["topics"] for p in t["partitions"]
               if p["leader_id"] < 0 or p["leader_id"] == dead)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--partitions", type=int, default=10000)
    ap.add_argument("--topics", type=int, default=10)
    ap.add_argument("--rf", type=int, default=3)
    ap.add_argument("--bin-dir", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                      "bin"))
    ap.add_argument("--workdir", default="/tmp/kb-failover-bench")
    args = ap.parse_args()
    os.environ["KB_BIN_DIR"] = os.path.abspath(args.bin_dir)
    os.makedirs(args.workdir, exist_ok=True)
    zk = harness.ZooKeeper(os.path.join(args.workdir, "zk"), tick_ms=500)
    zk.start()
    cluster = harness.Cluster(args.workdir, ids=[1, 2, 3], zk=zk, chroot="/bench",
                              session_timeout_ms=SESSION_MS)
    try:
        run(args, cluster)
    finally:
        problems = cluster.stop()
        zk.stop()
        if problems:
            print("problems at shutdown:\n" + "\n".join(problems))


def run(args, cluster):
    cluster.start()
    per = args.partitions // args.topics
    topics = ["bench-%02d" % i for i in range(args.topics)]
    kadmin = os.path.join(os.environ["KB_BIN_DIR"], "kadmin")
    t0 = time.monotonic()
    for t in topics:
        rc = os.system("%s --zookeeper %s topics create %s --partitions %d "
                       "--replication-factor %d > /dev/null"
                       % (kadmin, cluster.zk.connect + "/bench", t, per, args.rf))
        assert rc == 0, "kadmin failed"
    b0 = cluster.brokers[0]
    harness.wait_until(lambda: leaderless(b0, topics, -2) == 0, 600, interval=0.5,
                       what="leaders for every partition")
    print("created %d partitions (rf %d) with leaders in %.1f s"
          % (per * args.topics, args.rf, time.monotonic() - t0))
    ctl = int(__import__("json").loads(cluster.kz.get("/controller")[0])["brokerid"])
    victim = [b for b in cluster.brokers if b.broker_id != ctl][0]
    survivors = [b for b in cluster.brokers if b is not victim]
    ctl_broker = cluster.broker(ctl)
    wall0 = time.time()
    victim.kill9()
    left = None
    while left is None:
        left = find_line(ctl_broker, r"\[coord\] broker %d left" % victim.broker_id, wall0)
        time.sleep(0.05)
    t_left = left[0]

    def done():
        return all(leaderless(b, topics, victim.broker_id) == 0 for b in survivors)
    harness.wait_until(done, 300, interval=0.05, what="new leaders in every survivor")
    t_prop = time.time()
    applied = None
    for _ in range(100):
        applied = find_line(ctl_broker, r"applied \d+ partition state changes", t_left)
        if applied:
            break
        time.sleep(0.05)
    n_changed = int(re.search(r"applied (\d+)", applied[1]).group(1)) if applied else 0
    ms_write = (applied[0] - t_left) * 1000 if applied else float("nan")
    ms_prop = (t_prop - t_left) * 1000
    print("kill -9 of broker %d: departure seen %.2f s after the kill (session %d ms)"
          % (victim.broker_id, t_left - wall0, SESSION_MS))
    print("controller wrote %d partition states in %.0f ms (%.3f ms per partition)"
          % (n_changed, ms_write, ms_write / max(n_changed, 1)))
    print("every survivor's Metadata updated %.0f ms after the departure (%.3f ms per "
          "partition)" % (ms_prop, ms_prop / max(n_changed, 1)))


if __name__ == "__main__":
    main()
