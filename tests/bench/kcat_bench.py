#!/usr/bin/python3
"""Produce/consume throughput with kcat: kbroker vs librdkafka's in-memory mock cluster.

    /usr/bin/python3 tests/bench/kcat_bench.py [--bin-dir bin] [--count-100 1000000]
                                               [--count-1k 300000] [--runs 3]

For 100-byte and 1 KiB messages it times, in the same session on the same machine:
  produce  `kcat -P` of N messages (process start to exit, which waits for every ack)
  consume  `kcat -C -e` of the same N messages from offset 0
against (a) a single kbroker (plain build, its own ZooKeeper) and (b) librdkafka's mock
cluster (`-X test.mock.num.brokers=1`, inside a kcat producer process that stays alive while
a second kcat consumes from it). It reports msg/s, MB/s and CPU seconds: kbroker's own CPU
for (a); for (b) the mock broker shares the producer process, so its CPU is not separable and
the producer process's total is shown. Ratios are kbroker / mock, from the median of --runs.

The mock's Fetch handling is quadratic in librdkafka 2.0.2 (consuming 44,000 messages took
96 s here), so consumption is compared on --consume-count messages (from offset 0) for both
targets; kbroker's consumption of all N is reported on its own line.
"""

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))

import harness  # noqa: E402

CLK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


# Messages written after the measured ones: kcat keeps the last few input lines until EOF,
# and the mock cluster must stay alive (stdin open) while it is consumed from.
FILLER = 1000
CONSUME = 20000


def payload_file(d, size, count):
    path = os.path.join(d, "msgs-%d-%d" % (size, count))
    rnd = random.Random(size)
    line = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(size - 1))
    with open(path, "w") as f:
        for i in range(count + FILLER):
            s = "%d-" % i
            f.write(s + line[len(s):] + "\n")
    return path


def timed(argv, stdin_path=None):
    t0 = time.monotonic()
    with open(stdin_path or os.devnull) as inp:
        p = subprocess.run(argv, stdin=inp, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=600)
    if p.returncode != 0:
        raise RuntimeError("%s failed: %s" % (argv[:3], p.stderr.decode()[-500:]))
    return time.monotonic() - t0, p.stdout


def kbroker_run(broker, topic, path, count):
    bs = broker.bootstrap
    cpu0 = cpu_seconds(broker.pid)
    tp, _ = timed(["kcat", "-b", bs, "-P", "-t", topic, "-p", "0", "-X", "linger.ms=5"], path)
    cpu1 = cpu_seconds(broker.pid)
    tc, out = timed(["kcat", "-b", bs, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-c",
                     str(CONSUME), "-q"])
    cpu2 = cpu_seconds(broker.pid)
    assert out.count(b"\n") == CONSUME, "consumed %d of %d" % (out.count(b"\n"), CONSUME)
    ta, out = timed(["kcat", "-b", bs, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-c",
                     str(count), "-q"])
    cpu3 = cpu_seconds(broker.pid)
    assert out.count(b"\n") == count, "consumed %d of %d" % (out.count(b"\n"), count)
    return tp, cpu1 - cpu0, tc, cpu2 - cpu1, ta, cpu3 - cpu2


def mock_run(path, count):
    """The producer kcat hosts the mock cluster; it stays alive (stdin open) while a second
    kcat consumes from the port the mock listens on."""
    prod = subprocess.Popen(["kcat", "-b", "mock:1", "-X", "test.mock.num.brokers=1", "-P",
                             "-t", "bench", "-p", "0", "-X", "linger.ms=5"],
                            stdin=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    t0 = time.monotonic()
    with open(path, "rb") as f:
        prod.stdin.write(f.read())
    prod.stdin.flush()
    port = None
    while port is None:
        line = prod.stderr.readline().decode()
        m = re.search(r"replaced with 127\.0\.0\.1:(\d+)", line)
        port = m and int(m.group(1))
    bs = "127.0.0.1:%d" % port
    # Wait until every message is in the mock log (its high watermark), like kcat -P's exit.
    harness.wait_until(lambda: high_watermark(bs) >= count, 300, interval=0.01,
                       what="mock high watermark")
    tp = time.monotonic() - t0
    cpu1 = cpu_seconds(prod.pid)
    tc, out = timed(["kcat", "-b", bs, "-C", "-t", "bench", "-p", "0", "-o", "beginning",
                     "-c", str(CONSUME), "-q"])
    cpu2 = cpu_seconds(prod.pid)
    prod.stdin.close()
    prod.wait(60)
    assert out.count(b"\n") == CONSUME, "mock consumed %d" % out.count(b"\n")
    return tp, cpu1, tc, cpu2 - cpu1


def high_watermark(bs):
    p = subprocess.run(["kcat", "-b", bs, "-Q", "-t", "bench:0:-1"], capture_output=True,
                       text=True, timeout=30)
    m = re.search(r"offset (\d+)", p.stdout)
    return int(m.group(1)) if m else -1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--bin-dir", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                      "bin"))
    ap.add_argument("--count-100", type=int, default=1000000)
    ap.add_argument("--count-1k", type=int, default=300000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--consume-count", type=int, default=20000)
    args = ap.parse_args()
    global CONSUME
    CONSUME = args.consume_count
    os.environ["KB_BIN_DIR"] = os.path.abspath(args.bin_dir)
    work = tempfile.mkdtemp(prefix="kb-kcat-bench-")
    cluster = harness.Cluster(work, ids=[1], session_timeout_ms=18000,
                              config={"log.segment.bytes": str(1 << 30)})
    cluster.start()
    try:
        for size, count in ((100, args.count_100), (1024, args.count_1k)):
            path = payload_file(work, size, count)
            report(cluster, size, count, path, args.runs)
    finally:
        problems = cluster.stop()
        if problems:
            print("\n".join(problems))


def report(cluster, size, count, path, runs):
    kb, mk = [], []
    for i in range(runs):
        topic = "bench-%d-%d" % (size, i)
        subprocess.run([os.path.join(os.environ["KB_BIN_DIR"], "kadmin"), "--bootstrap-server",
                        cluster.bootstrap(), "topics", "create", topic, "--partitions", "1",
                        "--replication-factor", "1"], check=True, capture_output=True)
        kb.append(kbroker_run(cluster.brokers[0], topic, path, count))
        mk.append(mock_run(path, count))
    mb = size * count / 1e6
    mbc = size * CONSUME / 1e6
    for name, rows, who in (("kbroker", kb, "broker"), ("mock", mk, "producer process")):
        tp = statistics.median(r[0] for r in rows)
        tc = statistics.median(r[2] for r in rows)
        print("%-8s %5d B: produce %d: %8.0f msg/s %6.1f MB/s (%s CPU %.2f s) | consume %d: "
              "%8.0f msg/s %6.1f MB/s (%s CPU %.2f s)"
              % (name, size, count, count / tp, mb / tp, who,
                 statistics.median(r[1] for r in rows), CONSUME, CONSUME / tc, mbc / tc, who,
                 statistics.median(r[3] for r in rows)))
    ta = statistics.median(r[4] for r in kb)
    print("kbroker  %5d B: consume all %d: %8.0f msg/s %6.1f MB/s (broker CPU %.2f s)"
          % (size, count, count / ta, mb / ta, statistics.median(r[5] for r in kb)))
    tpk = statistics.median(r[0] for r in kb)
    tpm = statistics.median(r[0] for r in mk)
    tck = statistics.median(r[2] for r in kb)
    tcm = statistics.median(r[2] for r in mk)
    print("ratio    %5d B: produce throughput kbroker/mock = %.2f, consume = %.2f"
          % (size, tpm / tpk, tcm / tck))


if __name__ == "__main__":
    main()
