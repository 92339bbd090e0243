#!/usr/bin/python3
"""The log cleaner: throughput, memory, and what it does to produce latency.

    /usr/bin/python3 tests/bench/compaction_bench.py [--bin-dir bin] [--mb 256] [--keys 1000000]
                                                     [--seconds 8]

Starts its own ZooKeeper and one broker (plain build) with log.cleaner.enable=false, produces
--mb MiB of records over --keys distinct keys (uniform random keys, values sized to fit) into
a 1-partition compacted topic (segment.bytes = an eighth of it) with kcat, then restarts the broker with the cleaner enabled.
Reports:
  * the first pass's figures from its log line (bytes before/after, duration, MB/s of dirty
    log read, throttle off);
  * the broker's peak RSS (VmHWM) before and after the pass: the growth is the cleaner's
    memory (key map pages touched, batch buffers);
  * produce latency (confluent-kafka, acks=1, one record every 2 ms, delivery-report latency)
    p50/p99 while the pass runs vs afterwards with the cleaner idle; the target is a p99 ratio
    of at most 1.5.
The temporary directory is removed at the end.
"""

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))

import harness  # noqa: E402


def vm_hwm_kb(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def payload(path, mb, keys):
    vsize = max(8, (mb << 20) // keys - 20)
    rnd = random.Random(1)
    n = (mb << 20) // (vsize + 20)
    v = "v" * vsize
    with open(path, "w") as f:
        for _ in range(n):
            f.write("k%09d:%s\n" % (rnd.randrange(keys), v))
    return n, vsize


def latencies(bootstrap, topic, stop, out):
    """One 100-byte record every 2 ms until stop(); appends each delivery latency (s)."""
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 0, "acks": 1})
    p.produce(topic, value=b"warm-up")  # metadata and connection first, not timed
    p.flush(30)

    def report(err, _msg, t0):
        if err is None:
            out.append(time.monotonic() - t0)
    while not stop():
        t0 = time.monotonic()
        p.produce(topic, value=b"x" * 100,
                  on_delivery=lambda e, m, t0=t0: report(e, m, t0))
        p.poll(0)
        time.sleep(0.002)
    p.flush(30)


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000 if xs else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--bin-dir", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                      "bin"))
    ap.add_argument("--mb", type=int, default=256)
    ap.add_argument("--keys", type=int, default=1000000)
    ap.add_argument("--seconds", type=float, default=8)
    args = ap.parse_args()
    os.environ["KB_BIN_DIR"] = os.path.abspath(args.bin_dir)
    work = tempfile.mkdtemp(prefix="kb-compaction-bench-")
    cluster = harness.Cluster(work, n=1, session_timeout_ms=6000,
                              config={"log.cleaner.enable": "false",
                                      "log.cleaner.backoff.ms": "500"})
    cluster.start()
    b = cluster.brokers[0]
    try:
        path = os.path.join(work, "payload.txt")
        n, vsize = payload(path, args.mb, args.keys)
        kadmin = os.path.join(os.environ["KB_BIN_DIR"], "kadmin")
        subprocess.run([kadmin, "--bootstrap-server", cluster.bootstrap(), "topics", "create",
                        "c", "--partitions", "1", "--replication-factor", "1", "--config",
                        "cleanup.policy=compact", "--config",
                        "segment.bytes=%d" % max(1 << 20, (args.mb << 20) // 8),
                        "--config", "min.cleanable.dirty.ratio=0.1"],
                       check=True, capture_output=True)
        time.sleep(1)
        t0 = time.monotonic()
        subprocess.run(["kcat", "-b", cluster.bootstrap(), "-P", "-t", "c", "-p", "0", "-K:",
                        "-X", "linger.ms=20", "-l", path], check=True)
        print("produced %d records of %d B over %d keys (%d MiB) in %.1f s"
              % (n, vsize, args.keys, args.mb, time.monotonic() - t0))
        # Idle baseline: the same broker with the cleaner off, after a restart.
        b.stop()
        b.start(cluster.kz)
        base_lat, done = [], [False]
        th = threading.Thread(target=latencies, args=(cluster.bootstrap(), "lat",
                                                      lambda: done[0], base_lat))
        th.start()
        time.sleep(args.seconds)
        done[0] = True
        th.join()
        hwm0 = vm_hwm_kb(b.pid)
        b.stop()
        b.extra_config["log.cleaner.enable"] = "true"
        b.start(cluster.kz)
        busy_lat, done = [], [False]
        th = threading.Thread(target=latencies, args=(cluster.bootstrap(), "lat",
                                                      lambda: done[0], busy_lat))
        th.start()
        harness.wait_until(lambda: "c-0: cleaned offsets" in b.log_text(), 600, interval=0.1,
                           what="the first pass")
        done[0] = True
        th.join()
        hwm1 = vm_hwm_kb(b.pid)
        line = [l for l in b.log_text().splitlines() if "c-0: cleaned offsets" in l][0]
        m = re.search(r"cleaned offsets (.*)", line)
        print("first pass: %s" % m.group(1))
        print("broker peak RSS: %d MiB before the cleaner ran, %d MiB after (+%d MiB)"
              % (hwm0 >> 10, hwm1 >> 10, (hwm1 - hwm0) >> 10))
        print("produce latency acks=1, idle: p50 %.2f ms p99 %.2f ms (%d records); during the "
              "pass: p50 %.2f ms p99 %.2f ms (%d records); p99 ratio %.2f"
              % (pct(base_lat, .5), pct(base_lat, .99), len(base_lat), pct(busy_lat, .5),
                 pct(busy_lat, .99), len(busy_lat), pct(busy_lat, .99) / pct(base_lat, .99)))
    finally:
        cluster.stop()
        if not os.environ.get("KB_BENCH_KEEP"):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
