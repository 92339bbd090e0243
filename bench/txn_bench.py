#!/usr/bin/python3
"""make bench-txn — transactional vs idempotent produce (issue 13), same run, same cluster.

    /usr/bin/python3 bench/txn_bench.py [--broker kbroker|kafka] [--bin-dir bin]
        [--out bench/results/DATE] [--records 200000] [--size 100] [--txn-records 1000]
        [--runs 3] [--partitions 6]

One 3-broker cluster (kbroker from --bin-dir, or Apache Kafka 3.9.1 through bench/peer/kafka.py
with --broker kafka), zookeeper.session.timeout.ms 6000, __transaction_state RF 3 / min.isr 2,
topics RF 3 with min.insync.replicas 2. The client is confluent-kafka (librdkafka) in this
process for both modes, acks=all, linger.ms 5, values of --size random bytes, no keys
(librdkafka's sticky partitioner over --partitions partitions):
* idempotent: enable.idempotence; --records produce() calls, then flush();
* transactional: transactional.id; init_transactions() (not timed), then per --txn-records
  records begin_transaction(), produce() x N, commit_transaction() (which flushes).
The modes alternate, --runs times each, each on a fresh topic; a run is timed from the first
produce() to the last acknowledgement (flush / commit), and checked afterwards: every record
delivered (no error), the idempotent topic's high watermarks sum to --records, the
transactional one's last stable offsets equal its high watermarks (nothing left open).
Figures: records/s and MB/s (value bytes, 10^6) per run, the medians, and the ratio
transactional / idempotent of the medians.

Results: DIR/txn-<broker>.json and DIR/txn-<broker>.md (DIR = --out). Every process is
started through tests/integration/harness.py (or bench/peer/kafka.py) and stopped by PID.
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

import harness  # noqa: E402

ZK_SESSION_MS = 6000
IDS = [1, 2, 3]
CONFIG = {
    "transaction.state.log.replication.factor": "3",
    "transaction.state.log.min.isr": "2",
    "transaction.state.log.num.partitions": "10",
    "offsets.topic.replication.factor": "3",
    "min.insync.replicas": "2",
    "auto.create.topics.enable": "false",
}


def log(msg):
    print(msg, flush=True)


def start_cluster(args, work, zk):
    """(bootstrap, stop function, broker pids)."""
    if args.broker == "kafka":
        from peer import kafka as kpeer
        version, libs = kpeer.fetch(ROOT)
        cfg = dict(CONFIG, **{"zookeeper.session.timeout.ms": str(ZK_SESSION_MS)})
        kc = kpeer.KafkaCluster(os.path.join(work, "kafka"), libs, zk, "/txnbench", IDS, cfg)
        kc.start()
        return kc.bootstrap(), kc.stop, kc.pids(), "Apache Kafka %s" % version
    c = harness.Cluster(os.path.join(work, "kb"), zk=zk, chroot="/txnbench", ids=IDS,
                        session_timeout_ms=ZK_SESSION_MS, config=CONFIG)
    c.start()
    return c.bootstrap(), c.stop, [b.pid for b in c.brokers], "kbroker"


def create_topic(bootstrap, name, partitions):
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": bootstrap})
    fut = admin.create_topics([NewTopic(name, partitions, 3)], operation_timeout=60)
    fut[name].result(timeout=90)

    def led():
        md = admin.list_topics(name, timeout=10).topics[name]
        return md.error is None and len(md.partitions) == partitions and all(
            p.leader >= 0 for p in md.partitions.values())
    harness.wait_until(led, 90, 0.2, "leaders for every partition of %s" % name)


def ends(bootstrap, topic, partitions, committed):
    """Sum over partitions of the last stable offset (committed) or high watermark."""
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "kb-txn-bench",
                  "isolation.level": "read_committed" if committed else "read_uncommitted"})
    try:
        return sum(c.get_watermark_offsets(TopicPartition(topic, p), timeout=30)[1]
                   for p in range(partitions))
    finally:
        c.close()


def run_once(args, bootstrap, mode, topic):
    from confluent_kafka import Producer
    conf = {"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5,
            "queue.buffering.max.messages": 1000000, "queue.buffering.max.kbytes": 1048576}
    if mode == "transactional":
        conf["transactional.id"] = "txn-bench-" + topic
    else:
        conf["enable.idempotence"] = True
    p = Producer(conf)
    payload = os.urandom(args.size)
    errors, acked = [], [0]

    def cb(err, _msg):
        if err:
            errors.append(str(err))
        else:
            acked[0] += 1
    if mode == "transactional":
        p.init_transactions(60)
    n, per = args.records, args.txn_records
    t0 = time.monotonic()
    if mode == "transactional":
        for start in range(0, n, per):
            p.begin_transaction()
            for _ in range(min(per, n - start)):
                p.produce(topic, payload, on_delivery=cb)
            p.poll(0)
            p.commit_transaction(120)
    else:
        for i in range(n):
            p.produce(topic, payload, on_delivery=cb)
            if i % 1000 == 999:
                p.poll(0)
        left = p.flush(120)
        assert left == 0, "%d records unflushed" % left
    secs = time.monotonic() - t0
    p.poll(0)
    assert not errors and acked[0] == n, (mode, acked[0], errors[:3])
    hw = ends(bootstrap, topic, args.partitions, committed=False)
    lso = ends(bootstrap, topic, args.partitions, committed=True)
    if mode == "idempotent":
        assert hw == n and lso == n, (hw, lso, n)
    else:
        # Each commit adds one control record per partition the transaction wrote to.
        assert lso == hw and n < hw <= n + args.partitions * -(-n // per), (hw, lso, n)
    return {"mode": mode, "topic": topic, "seconds": round(secs, 3),
            "records_per_s": round(n / secs), "mb_per_s": round(n * args.size / secs / 1e6, 2),
            "log_end_offsets": hw}


def summarise(results):
    out = {}
    for mode in ("idempotent", "transactional"):
        rs = [r for r in results if r["mode"] == mode]
        out[mode] = {"records_per_s": statistics.median(r["records_per_s"] for r in rs),
                     "mb_per_s": statistics.median(r["mb_per_s"] for r in rs)}
    out["ratio"] = round(out["transactional"]["records_per_s"] /
                         out["idempotent"]["records_per_s"], 3)
    return out


def write_md(path, res):
    m, s = res["meta"], res["summary"]
    L = ["# Transactional vs idempotent produce, %s (%s)" % (m["broker"], m["date"]), "",
         "`%s` at commit %s; %d cores shared with other agents (load average %s at the "
         "start, %s at the end); %.0f s in all." % (
             m["command"], m["commit"], m["nproc"], m["loadavg_start"], m["loadavg_end"],
             m["seconds"]), "",
         "3 brokers, topics of %d partitions RF 3 (min.insync.replicas 2), "
         "__transaction_state RF 3 / min.isr 2; confluent-kafka %s (librdkafka %s), acks=all, "
         "linger.ms 5, %d records of %d bytes per run; transactions of %d records." % (
             m["partitions"], m["confluent_kafka"], m["librdkafka"], m["records"], m["size"],
             m["txn_records"]), "",
         "| mode | run | seconds | records/s | MB/s |", "|---|---|---|---|---|"]
    for i, r in enumerate(res["runs"]):
        L.append("| %s | %d | %.2f | %s | %.2f |" % (r["mode"], i // 2 + 1, r["seconds"],
                                                    "{:,}".format(r["records_per_s"]),
                                                    r["mb_per_s"]))
    L += ["", "Medians: idempotent **%s records/s (%.2f MB/s)**, transactional **%s records/s "
          "(%.2f MB/s)**: transactional / idempotent = **%.2f**." % (
              "{:,.0f}".format(s["idempotent"]["records_per_s"]), s["idempotent"]["mb_per_s"],
              "{:,.0f}".format(s["transactional"]["records_per_s"]),
              s["transactional"]["mb_per_s"], s["ratio"]),
          "", "Per 1,000 records (one transaction): %.1f ms transactional, %.1f ms idempotent "
          "(the difference: the transaction's own round trips, AddPartitionsToTxn and "
          "EndTxn with their __transaction_state writes, and its commit waiting for "
          "every record of it to be acknowledged)." % (
              1e6 / s["transactional"]["records_per_s"], 1e6 / s["idempotent"]["records_per_s"])]
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--broker", choices=("kbroker", "kafka"), default="kbroker")
    ap.add_argument("--bin-dir", default=os.path.join(ROOT, "bin"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results",
                                                  datetime.datetime.utcnow().date().isoformat()))
    ap.add_argument("--records", type=int, default=200000)
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--txn-records", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--partitions", type=int, default=6)
    args = ap.parse_args()
    import confluent_kafka
    os.environ["KB_BIN_DIR"] = os.path.abspath(args.bin_dir)
    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="kb-txnbench-")
    started = time.monotonic()
    meta = {"date": datetime.datetime.utcnow().isoformat(timespec="seconds") + "Z",
            "command": " ".join(["bench/txn_bench.py"] + sys.argv[1:]),
            "commit": subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                     capture_output=True, text=True).stdout.strip(),
            "nproc": os.cpu_count(), "loadavg_start": [round(x, 2) for x in os.getloadavg()],
            "records": args.records, "size": args.size, "txn_records": args.txn_records,
            "partitions": args.partitions, "confluent_kafka": confluent_kafka.version()[0],
            "librdkafka": confluent_kafka.libversion()[0]}
    res = {"meta": meta, "runs": []}
    zk = harness.ZooKeeper(os.path.join(work, "zk"))
    zk.start()
    stop = None
    try:
        bootstrap, stop, pids, meta["broker"] = start_cluster(args, work, zk)
        meta["broker_pids"] = pids
        for run in range(args.runs):
            for mode in ("idempotent", "transactional"):
                topic = "txnbench-%s-%d" % (mode[:3], run)
                create_topic(bootstrap, topic, args.partitions)
                r = run_once(args, bootstrap, mode, topic)
                log("%s run %d: %.2f s, %s records/s, %.2f MB/s" % (
                    mode, run + 1, r["seconds"], r["records_per_s"], r["mb_per_s"]))
                res["runs"].append(r)
        res["summary"] = summarise(res["runs"])
    finally:
        if stop:
            problems = stop()
            res["problems"] = problems or []
        zk.stop()
        meta["seconds"] = round(time.monotonic() - started, 1)
        meta["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    name = "txn-%s" % args.broker
    with open(os.path.join(args.out, name + ".json"), "w") as f:
        json.dump(res, f, indent=1, default=str)
    write_md(os.path.join(args.out, name + ".md"), res)
    log("bench-txn: %.0f s; ratio %.2f; %s/%s.md" % (meta["seconds"], res["summary"]["ratio"],
                                                     args.out, name))


if __name__ == "__main__":
    main()
