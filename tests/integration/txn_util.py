"""Shared pieces of the transaction tests (test_transactions.py, test_streams_eos.py).

* TXN_CONFIG: the broker settings transactions need on a 3-broker cluster (started through
  groups_util.group_cluster, so KB_GROUPS_PEER=kafka runs the same tests on Apache Kafka 3.9.1).
* read_topic(): every record of a topic up to its end as a read_committed consumer (the end is
  the last stable offset) or a read_uncommitted one (the high watermark), confluent-kafka.
* check_exactly_once(): the consume-transform-produce checker (loss, duplicates, records
  never consumed, wrong transformation).
* Supervisor: keeps one tests/clients/txn_ctp.py worker running (a fresh process, with its
  own stdout file, each time the previous one exited), and sums their progress lines.
"""

import collections
import os
import time

import clients_jvm_go as cj
import groups_util as gu
import harness

TXN_CONFIG = {
    "transaction.state.log.replication.factor": "3",
    "transaction.state.log.min.isr": "2",
    "transaction.state.log.num.partitions": "10",
    "transaction.abort.timed.out.transaction.cleanup.interval.ms": "1000",
    "default.replication.factor": "3",     # Kafka Streams' own topics
    "min.insync.replicas": "2",
}
PY = gu.PY
CTP = os.path.join(gu.CLIENTS, "txn_ctp.py")
TXN_PRODUCER = os.path.join(gu.CLIENTS, "txn_producer.py")
PARTITION_EOF = -191     # librdkafka's _PARTITION_EOF


def read_topic(bootstrap, topic, partitions, committed=True, timeout=60):
    """[(partition, offset, key, value)] of every record of `topic` from the beginning to the
    end of each partition (the LSO for read_committed, else the high watermark), in order."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "kb-txn-reader",
                  "enable.auto.commit": False, "enable.partition.eof": True,
                  "isolation.level": "read_committed" if committed else "read_uncommitted"})
    c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    out, eof = [], set()
    deadline = time.monotonic() + timeout
    try:
        while len(eof) < partitions:
            assert time.monotonic() < deadline, "%s: end of partitions %s not reached in %ss" \
                % (topic, sorted(set(range(partitions)) - eof), timeout)
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                if m.error().code() == PARTITION_EOF:
                    eof.add(m.partition())
                    continue
                raise AssertionError("reading %s: %s" % (topic, m.error()))
            eof.discard(m.partition())
            out.append((m.partition(), m.offset(), m.key(), m.value()))
    finally:
        c.close()
    return out


def values(recs):
    return [r[3] for r in recs]


def check_exactly_once(inputs, outputs):
    """inputs: {(partition, offset): value} of the input topic; outputs: [(key, value)] read
    from the output topic (repeats kept), keys b"P:O" as txn_ctp.py writes them. Returns
    {"missing": input records with no output, "duplicates": input records output more than
    once, "unexpected": outputs for no input record, "wrong_value": (P, O) whose output value
    is not b"T:" + the input value}."""
    seen, wrong = collections.Counter(), []
    for key, value in outputs:
        p, o = (int(x) for x in key.split(b":"))
        seen[(p, o)] += 1
        if (p, o) in inputs and value != b"T:" + inputs[(p, o)]:
            wrong.append((p, o))
    return {"missing": sorted(set(inputs) - set(seen)),
            "duplicates": sorted(k for k, n in seen.items() if n > 1),
            "unexpected": sorted(set(seen) - set(inputs)),
            "wrong_value": sorted(set(wrong))}


CLEAN = {"missing": [], "duplicates": [], "unexpected": [], "wrong_value": []}


class Supervisor:
    """Keeps one consume-transform-produce worker running; check() restarts it when it has
    exited (exit 2: a fatal client error, e.g. fenced), as a deployment's supervisor would."""

    def __init__(self, tmp_path, bootstrap, src, dst, group, txn_id, batch=50, **extra):
        self.tmp_path, self.procs = tmp_path, []
        self.argv = [PY, CTP, "--bootstrap", bootstrap, "--input", src, "--output", dst,
                     "--group", group, "--txn-id", txn_id, "--batch", str(batch)]
        for k, v in extra.items():
            self.argv += ["--" + k.replace("_", "-"), str(v)]

    def start(self):
        name = "ctp-%d" % len(self.procs)
        self.procs.append(cj.start_client(name, self.argv + ["--name", name], self.tmp_path))
        return self

    @property
    def current(self):
        return self.procs[-1]

    def check(self):
        if not self.current.alive():
            self.start()

    def lines(self, prefix):
        return [ln for p in self.procs for ln in p.lines() if ln.startswith(prefix)]

    def commits(self):
        return len(self.lines("txn-commit "))

    def wait_commits(self, n, timeout, what):
        """Until n more transactions than now were committed (restarting the worker)."""
        want = self.commits() + n

        def ok():
            self.check()
            return self.commits() >= want
        try:
            harness.wait_until(ok, timeout, interval=0.3, what=what)
        except TimeoutError:
            raise AssertionError("%s: %d of %d commits; worker's last lines %s\n%s" % (
                what, self.commits(), want, self.current.lines()[-5:],
                self.current.log_tail(20))) from None

    def stop(self):
        res = self.current.stop(timeout=60)
        assert res.rc in (0, -15, 143), cj.describe(res)
        return res
