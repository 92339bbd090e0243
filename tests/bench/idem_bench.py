#!/usr/bin/python3
"""Idempotent producers: restart time with many producer ids, and produce throughput.

    /usr/bin/python3 tests/bench/idem_bench.py [--bin-dir bin] [--producers 10000]
        [--batches 10] [--count-100 1000000] [--count-1k 300000] [--runs 3] [--skip-restart]
        [--skip-throughput] [--partitions 1]

Restart (one broker, plain build, its own ZooKeeper): --producers producer ids (InitProducerId)
each write --batches idempotent batches of 5 records x 100 B into one partition (segment.bytes
8 MiB, so segments roll and producer snapshots are written at their bases). Then:
  1. kill -9 and restart: time to load the logs (the broker's "loaded ... in N ms") and to
     be serving, then every producer's last batch is sent again: each must come back as a
     duplicate with its original offset, nothing appended;
  2. kill -9, every *.snapshot file deleted, restart: the same, now rebuilt by replaying the
     headers of the whole log;
  3. SIGTERM (clean shutdown: a snapshot at the log end) and restart.
Throughput: kcat -P (into --partitions partitions, kcat's default partitioner when > 1) of
--count-100 messages of 100 B and --count-1k of 1 KiB (linger.ms=5),
three ways, alternating, --runs each: plain (librdkafka defaults: up to 1,000,000 requests in
flight), plain with max.in.flight=5, and -X enable.idempotence=true (which librdkafka limits to
5 in flight), in an order that rotates from run to run. Reports msg/s, the broker's CPU microseconds per message, and the median
idempotent/plain ratios. Note: with enable.idempotence=true, librdkafka 2.0 keeps ONE Produce
request per partition in flight (kcat -d protocol: max 1 in flight, against kbroker and
against librdkafka's own mock broker alike; 17 in flight without idempotence), so on one
partition the idempotent throughput is bounded by batch size / round trip; the broker's cost
is the CPU per message, which the bench prints for each mode.
"""

import argparse
import glob
import os
import re
import statistics
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
sys.path.insert(0, os.path.dirname(__file__))

import harness  # noqa: E402
import kproto  # noqa: E402
from kcat_bench import cpu_seconds, payload_file, timed  # noqa: E402

WINDOW = 500   # requests in flight per connection


def pbatch(pid, epoch, seq, n, size):
    from kafka.record.default_records import DefaultRecordBatchBuilder
    b = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=False,
                                  producer_id=pid, producer_epoch=epoch, base_sequence=seq,
                                  batch_size=1 << 20)
    ts = int(time.time() * 1000)
    for i in range(n):
        b.append(i, timestamp=ts, key=None, value=b"v" * size, headers=[])
    return bytes(b.build())


def produce_body(topic, batch, acks=1):
    return (kproto.nullable_string(None) + struct.pack(">hi", acks, 30000) +
            struct.pack(">i", 1) + kproto.string(topic) + struct.pack(">i", 1) +
            struct.pack(">ii", 0, len(batch)) + batch)


def pipelined(conn, api, version, bodies, decode):
    """Sends bodies with WINDOW requests in flight; returns decode(reader) per response."""
    out, sent, corrs = [], 0, []
    while len(out) < len(bodies):
        while sent < len(bodies) and len(corrs) < WINDOW:
            c = conn.next_corr()
            corrs.append(c)
            conn.send(kproto.frame(kproto.encode_request(api, version, c, bodies[sent],
                                                         "idem-bench")))
            sent += 1
        r = kproto.Reader(conn.recv_frame(120))
        assert r.i32() == corrs.pop(0)
        out.append(decode(r))
    return out


def decode_produce(r):
    r.i32()
    r.string()
    r.i32()
    _idx, err, base, _lat, _lso = struct.unpack(">ihqqq", r.take(30))
    return err, base


def decode_init(r):
    r.tags()   # InitProducerId v4 is flexible: response header v1
    _thr, err, pid, epoch = struct.unpack(">ihqh", r.take(16))
    assert err == 0
    return pid


def log_end(conn, topic):
    body = struct.pack(">i", -1) + struct.pack(">i", 1) + kproto.string(topic) + \
        struct.pack(">i", 1) + struct.pack(">iq", 0, -1)
    c = conn.next_corr()
    conn.send(kproto.frame(kproto.encode_request(2, 1, c, body, "idem-bench")))
    r = kproto.Reader(conn.recv_frame(30))
    assert r.i32() == c
    r.i32()
    r.string()
    r.i32()
    return struct.unpack(">ihqq", r.take(22))[3]


def kadmin_create(bootstrap, topic, *extra):
    extra = list(extra) if "--partitions" in extra else ["--partitions", "1"] + list(extra)
    deadline = time.monotonic() + 30
    while True:   # the controller may not be known right after start
        p = subprocess.run([os.path.join(os.environ["KB_BIN_DIR"], "kadmin"),
                            "--bootstrap-server", bootstrap, "topics", "create", topic,
                            "--replication-factor", "1"] + extra,
                           capture_output=True, text=True)
        if p.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(p.stderr)
        time.sleep(0.3)


def restart_timed(cluster, broker, how):
    if how == "term":
        broker.stop()
    else:
        broker.kill9()
    if how == "nosnap":
        for f in glob.glob(os.path.join(broker.workdir, "data", "*", "*.snapshot")):
            os.unlink(f)
    t0 = time.monotonic()
    broker.restart(cluster.kz, after_kill=how != "term")
    took = time.monotonic() - t0
    m = re.findall(r"loaded \d+ partition logs from \d+ log dirs in (\d+) ms", broker.log_text())
    return int(m[-1]), took


def check_duplicates(broker, topic, last, end):
    with broker.conn(60) as c:
        res = pipelined(c, 0, 7, [produce_body(topic, b) for b, _ in last], decode_produce)
        bad = [(r, base) for r, (_, base) in zip(res, last) if r != (0, base)]
        assert not bad, "%d of %d replays not recognised, e.g. %s" % (len(bad), len(last),
                                                                       bad[:3])
        assert log_end(c, topic) == end


def bench_restart(args, work):
    cluster = harness.Cluster(os.path.join(work, "restart"), n=1, session_timeout_ms=6000,
                              config={"auto.create.topics.enable": "false"})
    cluster.start()
    try:
        b = cluster.brokers[0]
        topic = "pids"
        kadmin_create(b.bootstrap, topic, "--config", "segment.bytes=8388608")
        time.sleep(1)
        t0 = time.monotonic()
        with b.conn(60) as c:
            pids = pipelined(c, kproto.API_INIT_PRODUCER_ID, 4,
                             [kproto.encode_init_producer_id_body(4)] * args.producers,
                             decode_init)
            assert len(set(pids)) == args.producers
            last = [None] * len(pids)
            for k in range(args.batches):
                batches = [pbatch(pid, 0, 5 * k, 5, 100) for pid in pids]
                res = pipelined(c, 0, 7, [produce_body(topic, x) for x in batches],
                                decode_produce)
                assert all(e == 0 for e, _ in res), res[:3]
                last = [(x, base) for x, (_, base) in zip(batches, res)]
            end = log_end(c, topic)
        wrote = time.monotonic() - t0
        size = sum(os.path.getsize(f) for f in glob.glob(
            os.path.join(b.workdir, "data", topic + "-0", "*.log")))
        print("wrote %d producers x %d batches (%d records, %.1f MB) in %.1f s"
              % (args.producers, args.batches, end, size / 1e6, wrote))
        check_duplicates(b, topic, last, end)
        for how, what in (("kill", "kill -9, snapshots kept"),
                          ("nosnap", "kill -9, snapshots deleted"),
                          ("term", "clean shutdown")):
            snaps = len(glob.glob(os.path.join(b.workdir, "data", topic + "-0", "*.snapshot")))
            load_ms, took = restart_timed(cluster, b, how)
            check_duplicates(b, topic, last, end)
            print("%-28s (%d snapshot files before): logs loaded in %5d ms, broker ready in "
                  "%.2f s; %d duplicates recognised" % (what, snaps, load_ms, took, len(last)))
    finally:
        for p in cluster.stop():
            print("problem:", p)


def bench_throughput(args, work):
    cluster = harness.Cluster(os.path.join(work, "tp"), n=1, session_timeout_ms=6000)
    cluster.start()
    try:
        b = cluster.brokers[0]
        for size, count in ((100, args.count_100), (1024, args.count_1k)):
            path = payload_file(work, size, count)
            modes = {"plain": [], "plain-inflight5": ["-X", "max.in.flight=5"],
                     "idempotent": ["-X", "enable.idempotence=true"]}
            rates = {m: [] for m in modes}
            cpu = {m: [] for m in modes}
            names = list(modes)
            for run in range(args.runs):
                # The order rotates: a later run in a row pays for the dirty pages the
                # earlier ones left (writeback throttling), so no mode is always last.
                for mode in names[run % 3:] + names[:run % 3]:
                    extra = modes[mode]
                    topic = "tp-%d-%s-%d" % (size, mode, run)
                    kadmin_create(b.bootstrap, topic, "--partitions", str(args.partitions))
                    time.sleep(1)   # leadership applied: no metadata retries in the timing
                    c0 = cpu_seconds(b.pid)
                    part = ["-p", "0"] if args.partitions == 1 else []
                    t, _ = timed(["kcat", "-b", b.bootstrap, "-P", "-t", topic] + part +
                                 ["-X", "linger.ms=5"] + extra, path)
                    cpu[mode].append((cpu_seconds(b.pid) - c0) / count * 1e6)
                    rates[mode].append(count / t)
            for mode in modes:
                print("%4d B %-16s %s msg/s, broker %s us/msg" % (
                    size, mode, [int(x) for x in rates[mode]],
                    [round(x, 2) for x in cpu[mode]]))
            for base in ("plain", "plain-inflight5"):
                ratio = statistics.median(i / p for i, p in zip(rates["idempotent"],
                                                                 rates[base]))
                print("%4d B idempotent / %s: median throughput ratio %.3f" % (size, base, ratio))
    finally:
        for p in cluster.stop():
            print("problem:", p)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--bin-dir", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                      "bin"))
    ap.add_argument("--producers", type=int, default=10000)
    ap.add_argument("--batches", type=int, default=10)
    ap.add_argument("--count-100", type=int, default=1000000)
    ap.add_argument("--count-1k", type=int, default=300000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-restart", action="store_true")
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--partitions", type=int, default=1)
    args = ap.parse_args()
    os.environ["KB_BIN_DIR"] = os.path.abspath(args.bin_dir)
    with tempfile.TemporaryDirectory(prefix="kb-idem-bench-") as work:
        if not args.skip_restart:
            bench_restart(args, work)
        if not args.skip_throughput:
            bench_throughput(args, work)


if __name__ == "__main__":
    main()
