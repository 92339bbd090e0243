#!/usr/bin/env python3
"""A transactional consume-transform-produce worker for the integration tests
(tests/integration/test_transactions.py), confluent-kafka (librdkafka), /usr/bin/python3.

  txn_ctp.py --bootstrap B --input IN --output OUT --group G --txn-id ID
      [--batch 100] [--name CLIENT_ID] [--max-s 600] [--session-ms 6000]
      [--txn-timeout-ms 20000] [--abort-every 0]

Reads IN with a group consumer (isolation.level read_committed, no auto commit); every batch
of up to --batch records (or fewer when a poll comes back empty) goes out in ONE transaction:
each input record (partition P, offset O, value V) becomes one output record with key "P:O"
and value b"T:" + V, and the consumer's next offsets are added with
send_offsets_to_transaction before commit_transaction. An abortable error (or a retriable one
outside commit) aborts the transaction and rewinds the consumer to the group's committed
offsets, so the batch is processed again in a new transaction; a retriable commit error
retries the commit. With --abort-every K every K-th transaction is aborted on purpose after
its records were flushed to the log (a processing failure: they stay in the output log,
aborted) and its batch is redone the same way. A fatal error (e.g. fenced) ends the process
with exit code 2: a supervisor restarts it, and its init_transactions fences the old epoch
and aborts whatever the dead one left open.

Lines on stdout, unbuffered (os.write: nothing printed is lost to a kill -9):
  info start PID | assigned P,.. | revoked P,.. | txn-commit RECORDS TOTAL P:NEXT,..
  | txn-abort RECORDS ERROR | txn-abort RECORDS deliberate | retry WHAT ERROR | fatal ERROR
  | summary committed=N aborts=N
Exit 0 after SIGTERM or --max-s (clean close), 2 on a fatal client error.
"""

import argparse
import os
import signal
import sys
import time

STOP = []


def out(line):
    os.write(1, (line + "\n").encode())


def plist(parts):
    return ",".join(str(p) for p in sorted(parts)) or "-"


def errname(e):
    err = e.args[0] if e.args else None
    if hasattr(err, "name"):
        return "%s(%s)%s" % (err.name(), err.str().replace(" ", "_")[:120],
                             ",fatal" if err.fatal() else "")
    return repr(e).replace(" ", "_")[:160]


class Worker:
    def __init__(self, a):
        from confluent_kafka import Consumer, Producer
        self.a = a
        self.c = Consumer({
            "bootstrap.servers": a.bootstrap, "group.id": a.group, "client.id": a.name,
            "enable.auto.commit": False, "auto.offset.reset": "earliest",
            "isolation.level": "read_committed", "session.timeout.ms": a.session_ms,
            "heartbeat.interval.ms": 500, "max.poll.interval.ms": 60000,
            "topic.metadata.refresh.interval.ms": 2000})
        self.p = Producer({
            "bootstrap.servers": a.bootstrap, "client.id": a.name,
            "transactional.id": a.txn_id, "transaction.timeout.ms": a.txn_timeout_ms,
            "linger.ms": 5, "topic.metadata.refresh.interval.ms": 2000})
        self.batch = []
        self.total = self.aborts = self.attempts = 0

    def on_assign(self, _c, parts):
        out("assigned %s" % plist(p.partition for p in parts))

    def on_revoke(self, _c, parts):
        # No transaction is open inside consume(); the batch read so far is dropped: the
        # partitions' next owner (maybe us again) reads it from the committed offsets.
        self.batch = []
        out("revoked %s" % plist(p.partition for p in parts))

    def retrying(self, what, fn, timeout=120):
        """fn() retried while it raises a retriable error."""
        from confluent_kafka import KafkaException
        deadline = time.monotonic() + timeout
        while True:
            try:
                return fn()
            except KafkaException as e:
                err = e.args[0]
                if not err.retriable() or time.monotonic() > deadline:
                    raise
                out("retry %s %s" % (what, errname(e)))
                time.sleep(0.2)

    def rewind(self):
        """Seeks every assigned partition back to the group's committed offset."""
        from confluent_kafka import OFFSET_BEGINNING, TopicPartition
        parts = self.c.assignment()
        if not parts:
            return
        committed = self.retrying("committed", lambda: self.c.committed(parts, timeout=30))
        for tp in committed:
            off = tp.offset if tp.offset >= 0 else OFFSET_BEGINNING
            self.c.seek(TopicPartition(tp.topic, tp.partition, off))

    def transact(self):
        from confluent_kafka import KafkaException, TopicPartition
        nxt = {}
        for m in self.batch:
            nxt[m.partition()] = max(nxt.get(m.partition(), 0), m.offset() + 1)
        offsets = [TopicPartition(self.a.input, p, o) for p, o in sorted(nxt.items())]
        try:
            self.p.begin_transaction()
            for m in self.batch:
                key = b"%d:%d" % (m.partition(), m.offset())
                while True:
                    try:
                        self.p.produce(self.a.output, key=key, value=b"T:" + m.value())
                        break
                    except BufferError:
                        self.p.poll(0.1)
                self.p.poll(0)
            self.attempts += 1
            if self.a.abort_every and self.attempts % self.a.abort_every == 0:
                self.p.flush(60)
                out("txn-abort %d deliberate" % len(self.batch))
                self.aborts += 1
                self.retrying("abort", lambda: self.p.abort_transaction(60))
                self.batch = []
                self.rewind()
                return
            self.p.send_offsets_to_transaction(offsets, self.c.consumer_group_metadata(), 60)
            self.retrying("commit", lambda: self.p.commit_transaction(60))
        except KafkaException as e:
            err = e.args[0]
            if err.fatal() or not (err.txn_requires_abort() or err.retriable()):
                raise
            out("txn-abort %d %s" % (len(self.batch), errname(e)))
            self.aborts += 1
            self.retrying("abort", lambda: self.p.abort_transaction(60))
            self.batch = []
            self.rewind()
            return
        self.total += len(self.batch)
        out("txn-commit %d %d %s" % (len(self.batch), self.total,
                                     ",".join("%d:%d" % kv for kv in sorted(nxt.items()))))
        self.batch = []

    def run(self):
        a = self.a
        self.retrying("init", lambda: self.p.init_transactions(60))
        self.c.subscribe([a.input], on_assign=self.on_assign, on_revoke=self.on_revoke)
        deadline = time.monotonic() + a.max_s
        while not STOP and time.monotonic() < deadline:
            msgs = self.c.consume(num_messages=a.batch - len(self.batch), timeout=0.5)
            for m in msgs:
                if m.error():
                    if m.error().fatal():
                        raise RuntimeError("consumer: %s" % m.error())
                    continue
                self.batch.append(m)
            if self.batch and (len(self.batch) >= a.batch or not msgs):
                self.transact()
            self.p.poll(0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--group", required=True)
    ap.add_argument("--txn-id", required=True)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--name", default="txn-ctp")
    ap.add_argument("--max-s", type=float, default=600)
    ap.add_argument("--session-ms", type=int, default=6000)
    ap.add_argument("--txn-timeout-ms", type=int, default=20000)
    ap.add_argument("--abort-every", type=int, default=0)
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: STOP.append(1))
    out("info start %d" % os.getpid())
    w = Worker(a)
    rc = 0
    try:
        w.run()
    except Exception as e:  # noqa: BLE001 - reported, the supervisor restarts us
        out("fatal %s" % errname(e))
        rc = 2
    out("summary committed=%d aborts=%d" % (w.total, w.aborts))
    try:
        w.c.close()
    except Exception:  # noqa: BLE001
        pass
    sys.exit(rc)


if __name__ == "__main__":
    main()
