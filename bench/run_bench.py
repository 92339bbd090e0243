#!/usr/bin/python3
"""make bench — the standard scenarios against kbroker and Apache Kafka, interleaved.

    /usr/bin/python3 bench/run_bench.py [--bin-dir bin] [--out bench/results/DATE]
        [--reps 2] [--reps-noisy 3] [--warmup 2] [--duration 8] [--only S1,S2,...]

Every figure comes from tools/kbench (librdkafka, so the client is the same for both brokers).
Both brokers run side by side on this machine, each in its own ZooKeeper chroot of one
ZooKeeper, with their logs on the same filesystem and the same topic layout; runs alternate
kbroker, Kafka, kbroker, Kafka (ABAB) so drift in the machine's load hits both. The report
(report.md, results.json, PNG plots, one kbench JSON and progress log per run) goes under
--out. Physical ceilings are measured in the same run: loopback TCP, sequential write with
fdatasync, fdatasync latency, and librdkafka's mock cluster.

Scenarios (the numbering of issue 11):
  S1 produce 100 B, 6 partitions, RF1, acks=1      S2 the same at 1 KiB
  S3 size sweep 100 B / 1 KiB / 10 KiB / 100 KiB   S4 consume S2's data, fresh and > 1 min old
  S5 end-to-end latency at 10% and 50% of the smaller S2 saturating rate of the two brokers,
     and unloaded (S5-u: 200 msg/s, 1 partition, linger.ms=0, as a latency probe would run)
  S6 RF3 acks=all on 3-broker clusters             S7 1,000 partitions (1 KiB)
  S8 flush.messages=1 (fsync per batch) vs page cache (S2), 1 KiB
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
sys.path.insert(0, os.path.join(ROOT, "bench", "peer"))

import harness  # noqa: E402
import ceilings  # noqa: E402
import kafka as peer  # noqa: E402
import report  # noqa: E402

# Producer settings shared by every scenario (OMB-like: 1 MiB batches, a short linger).
PRODUCER = ["--linger-ms", "5", "--batch-size", str(1 << 20), "--compression", "none"]
# Identical on both brokers: 1 GiB segments, no flush by count or time (page cache).
BROKER_CONF = {"log.segment.bytes": str(1 << 30),
               "log.flush.interval.messages": "9223372036854775807",
               "num.partitions": "1", "auto.create.topics.enable": "false",
               "log.segment.delete.delay.ms": "1000"}


class Target:
    def __init__(self, name, cluster, bootstrap, pids):
        self.name, self.cluster, self.bootstrap, self.pids = name, cluster, bootstrap, pids


class Bench:
    def __init__(self, args):
        self.args = args
        self.kbench = os.path.join(os.path.abspath(args.bin_dir), "kbench")
        self.out = args.out
        self.runs = []          # every kbench result, with scenario tags
        self.workdir = None     # broker data directory (page-cache probes write there)
        os.makedirs(os.path.join(self.out, "runs"), exist_ok=True)

    def kb(self, target, label, mode, extra, warmup=None, duration=None, timeout=None):
        """One kbench run; returns its JSON (also kept in self.runs and under runs/)."""
        a = self.args
        warmup = a.warmup if warmup is None else warmup
        duration = a.duration if duration is None else duration
        path = os.path.join(self.out, "runs", "%s-%s.json" % (label, target.name))
        argv = [self.kbench, "--mode", mode, "--warmup", str(warmup), "--duration",
                str(duration), "--json", path, "--label", label] + extra
        if target.bootstrap:
            argv += ["--bootstrap", target.bootstrap]
        for p in target.pids:
            argv += ["--broker-pid", str(p)]
        log = os.path.join(self.out, "runs", "%s-%s.log" % (label, target.name))
        t0 = time.monotonic()
        with open(log, "w") as f:
            f.write(" ".join(argv) + "\n")
            f.flush()
            rc = subprocess.run(argv, stdout=f, stderr=subprocess.STDOUT,
                                timeout=timeout or warmup + duration + 240).returncode
        try:
            with open(path) as f:
                res = json.load(f)
        except (OSError, ValueError) as e:
            res = {"label": label, "error": "no result: %s" % e, "produced": {"msg_per_s": 0,
                   "MB_per_s": 0}, "consumed": {"msg_per_s": 0, "MB_per_s": 0},
                   "publish_latency": {}, "e2e_latency": {}, "timeline": []}
            rc = rc or 1
        res["target"], res["rc"], res["wall_s"] = target.name, rc, time.monotonic() - t0
        self.runs.append(res)
        pub, e2e = res["publish_latency"], res["e2e_latency"]
        print("  %-22s %-8s %9.0f msg/s %8.2f MB/s | consumed %9.0f msg/s | pub p99 %s | "
              "e2e p99 %s | cpu/GiB %s%s" % (
                  label, target.name, res["produced"]["msg_per_s"], res["produced"]["MB_per_s"],
                  res["consumed"]["msg_per_s"], fmt(pub.get("p99_ms")), fmt(e2e.get("p99_ms")),
                  fmt(res.get("broker_cpu_s_per_gib")),
                  "" if rc == 0 else "  (kbench exit %d: %s)" % (rc, res.get("error"))),
              flush=True)
        return res

    def abab(self, targets, label, mode, extra_fn, probe=False, reps=None, **kw):
        """reps x (kbroker, kafka): the same workload on a fresh topic each time, deleted
        after the run (the disk would not hold every run's data). With probe, each run is
        preceded by ceilings.page_cache_probe."""
        for rep in range(reps or self.args.reps):
            for t in targets:
                extra = extra_fn(rep)
                self.probed(probe, t, "%s-r%d" % (label, rep), mode, extra, **kw)
                delete_topic(t, extra[extra.index("--topic") + 1])

    def probed(self, probe, target, label, mode, extra, **kw):
        """One kbench run, preceded (with probe) by a 1 GiB page-cache write whose cost is
        kept in the result as page_cache_probe; the probe's file is removed after the run."""
        if not probe:
            return self.kb(target, label, mode, extra, **kw)
        figures, path = ceilings.page_cache_probe(self.workdir)
        try:
            res = self.kb(target, label, mode, extra, **kw)
        finally:
            os.unlink(path)
        res["page_cache_probe"] = figures
        print("    page-cache probe before it: %.2f s/GiB, %.0f MB/s" % (
            figures["cpu_s_per_gib"], figures["MB_per_s"]), flush=True)
        return res


def delete_topic(target, topic):
    """DeleteTopics through confluent-kafka's admin client; waits for the answer, not for
    the files (both brokers remove those shortly after)."""
    from confluent_kafka.admin import AdminClient
    try:
        admin = AdminClient({"bootstrap.servers": target.bootstrap})
        fut = admin.delete_topics([topic], operation_timeout=60)
        fut[topic].result(timeout=90)
        del admin
    except Exception as e:  # noqa: BLE001 - a leftover topic costs disk, not correctness
        print("  (could not delete %s on %s: %s)" % (topic, target.name, e), flush=True)


def fmt(v):
    return "-" if v is None else "%.3g" % v


def produce_args(topic, size, partitions=6, replication=1, acks="1", topic_conf=()):
    out = ["--topic", topic, "--create", "--partitions", str(partitions), "--replication",
           str(replication), "--size", str(size), "--acks", acks, "--producers", "1"] + PRODUCER
    for c in topic_conf:
        out += ["--topic-config", c]
    return out


MOCK = Target("mock", None, None, [])


def client_floor(b, label, extra):
    """The same producer workload against librdkafka's in-process mock cluster: no broker
    process and no network, so its publish latency is what the client alone adds (the mock
    cannot measure end-to-end: it holds fetches for fetch.wait.max.ms). No broker can give a
    publish or end-to-end latency below it with this client."""
    b.kb(MOCK, label + "-floor", "produce", ["--mock", "1"] + extra)


def single_broker_scenarios(b, targets, only):
    a = b.args
    s2_topics = []
    if "S1" in only or "S3" in only:
        print("S1 produce 100 B, 6 partitions, RF1, acks=1", flush=True)
        b.abab(targets, "S1", "produce", lambda r: produce_args("s1-r%d" % r, 100))
    if "S2" in only or "S3" in only or "S4" in only or "S5" in only:
        print("S2 produce 1 KiB (S4: each run's data consumed right after, fresh)", flush=True)
        for rep in range(a.reps_noisy):
            for t in targets:
                topic = "s2-r%d" % rep
                b.probed(True, t, "S2-r%d" % rep, "produce", produce_args(topic, 1024))
                if "S4" in only:
                    b.kb(t, "S4fresh-r%d" % rep, "consume",
                         ["--topic", topic, "--from-beginning", "--until-eof"],
                         warmup=0, duration=60)
                s2_topics.append((t, rep, topic))
        s2_done = time.monotonic()
    if "S3" in only:
        print("S3 size sweep (100 B and 1 KiB are S1 and S2)", flush=True)
        for size in (10240, 102400):
            b.abab(targets, "S3-%d" % size, "produce",
                   lambda r, s=size: produce_args("s3-%d-r%d" % (s, r), s), probe=True)
    if "S5" in only:
        sat = [statistics.median(r["produced"]["msg_per_s"] for r in b.runs
                                 if r["label"].startswith("S2-") and r["target"] == t.name)
               for t in targets]
        rate = min(sat)
        print("S5 end-to-end latency, 1 KiB, at 10%% and 50%% of %.0f msg/s" % rate, flush=True)
        for pct in (10, 50):
            args = lambda r, p=pct: produce_args("s5-%d-r%d" % (p, r), 1024) + [
                "--rate", "%.0f" % (rate * p / 100)]
            b.abab(targets, "S5-%d" % pct, "e2e", lambda r, fn=args: fn(r) + ["--consumers", "1"],
                   reps=a.reps_noisy)
            client_floor(b, "S5-%d" % pct, args(0))
        print("S5-u end-to-end latency unloaded: 200 msg/s, 1 partition, linger.ms=0", flush=True)
        args = lambda r: produce_args("s5-u-r%d" % r, 1024, partitions=1) + [
            "--rate", "200", "--linger-ms", "0"]
        b.abab(targets, "S5-u", "e2e", lambda r: args(r) + ["--consumers", "1"],
               reps=a.reps_noisy)
        client_floor(b, "S5-u", args(0))
    if "S7" in only:
        print("S7 1,000 partitions, 1 KiB", flush=True)
        b.abab(targets, "S7", "produce",
               lambda r: produce_args("s7-r%d" % r, 1024, partitions=1000), timeout=600)
    if "S8" in only:
        print("S8 flush.messages=1 (fsync per batch), 1 KiB; page cache is S2", flush=True)
        b.abab(targets, "S8", "produce",
               lambda r: produce_args("s8-r%d" % r, 1024, topic_conf=["flush.messages=1"]))
    if "S4" in only and s2_topics:
        wait = 61 - (time.monotonic() - s2_done)
        if wait > 0:
            print("S4 waiting %.0f s so the S2 data is over a minute old" % wait, flush=True)
            time.sleep(wait)
        print("S4 consume S2's data again (> 1 minute old)", flush=True)
        for t, rep, topic in s2_topics:
            b.kb(t, "S4old-r%d" % rep, "consume",
                 ["--topic", topic, "--from-beginning", "--until-eof"], warmup=0, duration=60)
    for t, rep, topic in s2_topics:
        delete_topic(t, topic)


def prewarm(b, targets, replication=1):
    """An unreported 1 KiB produce on each fresh cluster, so the JVM's JIT has compiled the
    hot paths before the first measured run (kbroker gets the same, for symmetry)."""
    for t in targets:
        b.kb(t, "prewarm-rf%d" % replication, "produce",
             produce_args("prewarm", 1024, replication=replication,
                          acks="all" if replication > 1 else "1"), warmup=0, duration=6)
        delete_topic(t, "prewarm")


def measure_ceilings(b, work):
    print("ceilings: loopback TCP, page-cache write CPU, sequential write + fdatasync, "
          "fdatasync latency, mock", flush=True)
    c = {"loopback_tcp": ceilings.loopback_tcp(),
         "page_cache_write": ceilings.page_cache_write(work),
         "sequential_write": ceilings.sequential_write(work),
         "fdatasync": ceilings.fdatasync_latency(work)}
    for k, v in c.items():
        print("  %s: %s" % (k, json.dumps(v)), flush=True)
    for label, size in (("C-mock-100", 100), ("C-mock-1024", 1024)):
        b.kb(MOCK, label, "produce", ["--mock", "1", "--topic", "mock", "--partitions", "6",
                                      "--size", str(size), "--acks", "1"] + PRODUCER)
    return c


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin-dir", default=os.path.join(ROOT, "bin"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results",
                                                  datetime.date.today().isoformat()))
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--reps-noisy", type=int, default=3,
                    help="repetitions of S2 (with S4) and S5, whose figures vary most on this "
                    "VM: the median of 3 drops one stalled run, the median of 2 averages it in")
    ap.add_argument("--warmup", type=float, default=2)
    ap.add_argument("--duration", type=float, default=8)
    ap.add_argument("--only", default="S1,S2,S3,S4,S5,S6,S7,S8,C")
    ap.add_argument("--workdir", default=None, help="broker data (default: a new temp dir)")
    args = ap.parse_args()
    only = set(args.only.split(","))
    os.environ["KB_BIN_DIR"] = os.path.abspath(args.bin_dir)
    version, libs = peer.fetch(ROOT)
    work = args.workdir or tempfile.mkdtemp(prefix="kb-bench-")
    b = Bench(args)
    b.workdir = work
    started = time.monotonic()
    meta = {"kafka_version": version, "date": datetime.datetime.utcnow().isoformat() + "Z",
            "command": " ".join(sys.argv), "args": vars(args), "nproc": os.cpu_count(),
            "loadavg_start": os.getloadavg(), "broker_conf": BROKER_CONF,
            "producer": PRODUCER, "kernel": os.uname().release}
    print("kbench bench: Kafka %s, work dir %s, results %s" % (version, work, args.out),
          flush=True)
    zk = harness.ZooKeeper(os.path.join(work, "zk"))
    zk.start()
    clusters = []
    try:
        if "C" in only:
            meta["ceilings"] = measure_ceilings(b, work)
        single = only & {"S1", "S2", "S3", "S4", "S5", "S7", "S8"}
        if single:
            kb = harness.Cluster(os.path.join(work, "kb1"), zk=zk, chroot="/kbroker1", ids=[1],
                                 session_timeout_ms=18000, config=BROKER_CONF)
            kf = peer.KafkaCluster(os.path.join(work, "kf1"), libs, zk, "/kafka1", [1],
                                   BROKER_CONF)
            clusters += [kb, kf]
            kb.start()
            kf.start()
            targets = [Target("kbroker", kb, kb.bootstrap(), [kb.brokers[0].pid]),
                       Target("kafka", kf, kf.bootstrap(), kf.pids())]
            prewarm(b, targets)
            single_broker_scenarios(b, targets, only)
            for c in (kb, kf):
                c.stop()
                clusters.remove(c)
        if "S6" in only:
            print("S6 RF3 acks=all, 1 KiB, 6 partitions, 3-broker clusters", flush=True)
            kb = harness.Cluster(os.path.join(work, "kb3"), zk=zk, chroot="/kbroker3",
                                 ids=[1, 2, 3], session_timeout_ms=18000, config=BROKER_CONF)
            kf = peer.KafkaCluster(os.path.join(work, "kf3"), libs, zk, "/kafka3", [1, 2, 3],
                                   BROKER_CONF)
            clusters += [kb, kf]
            kb.start()
            kf.start()
            targets = [Target("kbroker", kb, kb.bootstrap(), [x.pid for x in kb.brokers]),
                       Target("kafka", kf, kf.bootstrap(), kf.pids())]
            prewarm(b, targets, replication=3)
            b.abab(targets, "S6", "produce",
                   lambda r: produce_args("s6-r%d" % r, 1024, replication=3, acks="all"))
    finally:
        for c in clusters:
            c.stop()
        zk.stop()
        meta["seconds"] = time.monotonic() - started
        meta["loadavg_end"] = os.getloadavg()
        with open(os.path.join(args.out, "results.json"), "w") as f:
            json.dump({"meta": meta, "runs": b.runs}, f, indent=1)
        if not args.workdir:
            subprocess.run(["rm", "-rf", work])
    report.write(args.out)
    print("bench: %.0f s; report in %s/report.md" % (meta["seconds"], args.out))


if __name__ == "__main__":
    main()
