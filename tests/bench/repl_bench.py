#!/usr/bin/python3
"""What replication costs: kcat acks=all produce into replication factor 3 vs 1.

    /usr/bin/python3 tests/bench/repl_bench.py [--bin-dir bin] [--count 300000] [--size 1024]
                                               [--runs 3]

Starts its own ZooKeeper and 3 brokers (plain build), then per run creates a 1-partition
topic with replication factor 1 and one with replication factor 3 (min.insync.replicas=2)
and times `kcat -P -X acks=all` of --count messages of --size bytes into each (process start
to exit, which waits for every acknowledgement: with RF 3 an ack means both followers have
fetched the batch). Reports msg/s, MB/s, the CPU seconds of all three brokers, the RF3/RF1
throughput ratio (median of --runs, measured in the same session), and checks that the
followers' logs are byte-identical to the leader's afterwards. On a 2-core machine the three
brokers and kcat share the CPUs, so RF 3 (three brokers writing every byte) is CPU-bound.
"""

import argparse
import glob
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
sys.path.insert(0, os.path.dirname(__file__))

import harness  # noqa: E402
from kcat_bench import cpu_seconds, payload_file, timed  # noqa: E402


def log_bytes(broker, topic):
    d = os.path.join(broker.workdir, "data", "%s-0" % topic)
    return b"".join(open(f, "rb").read() for f in sorted(glob.glob(os.path.join(d, "*.log"))))


def run_one(cluster, topic, rf, path):
    kadmin = os.path.join(os.environ["KB_BIN_DIR"], "kadmin")
    subprocess.run([kadmin, "--bootstrap-server", cluster.bootstrap(), "topics", "create", topic,
                    "--partitions", "1", "--replication-factor", str(rf), "--config",
                    "min.insync.replicas=%d" % min(rf, 2)], check=True, capture_output=True)
    time.sleep(1)   # leaders known everywhere, followers connected
    cpu0 = sum(cpu_seconds(b.pid) for b in cluster.brokers)
    tp, _ = timed(["kcat", "-b", cluster.bootstrap(), "-P", "-t", topic, "-p", "0",
                   "-X", "acks=all", "-X", "linger.ms=5"], path)
    cpu = sum(cpu_seconds(b.pid) for b in cluster.brokers) - cpu0
    if rf > 1:
        logs = lambda: [log_bytes(b, topic) for b in cluster.brokers]  # noqa: E731
        harness.wait_until(lambda: len(set(logs())) == 1, 120, interval=0.5,
                           what="identical replicas")
    return tp, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--bin-dir", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                      "bin"))
    ap.add_argument("--count", type=int, default=300000)
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    os.environ["KB_BIN_DIR"] = os.path.abspath(args.bin_dir)
    work = tempfile.mkdtemp(prefix="kb-repl-bench-")
    cluster = harness.Cluster(work, n=3, session_timeout_ms=18000,
                              config={"log.segment.bytes": str(1 << 30)})
    cluster.start()
    try:
        path = payload_file(work, args.size, args.count)
        rows = {1: [], 3: []}
        for i in range(args.runs):
            for rf in (1, 3):
                rows[rf].append(run_one(cluster, "bench-rf%d-%d" % (rf, i), rf, path))
        mb = args.size * args.count / 1e6
        for rf in (1, 3):
            tp = statistics.median(r[0] for r in rows[rf])
            print("RF %d, acks=all, %d x %d B: %8.0f msg/s %6.1f MB/s, CPU of the 3 brokers "
                  "%.2f s%s" % (rf, args.count, args.size, args.count / tp, mb / tp,
                                statistics.median(r[1] for r in rows[rf]),
                                "" if rf == 1 else ", replicas byte-identical"))
        print("ratio RF3/RF1 produce throughput: %.2f (runs: %s)" % (
            statistics.median(r[0] for r in rows[1]) / statistics.median(r[0] for r in rows[3]),
            ", ".join("%.2f" % (a[0] / b[0]) for a, b in zip(rows[1], rows[3]))))
    finally:
        problems = cluster.stop()
        if problems:
            print("\n".join(problems))


if __name__ == "__main__":
    main()
