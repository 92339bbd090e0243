#!/usr/bin/env python3
"""A transactional producer that stops half-way, for the zombie and hanging-transaction tests
(tests/integration/test_transactions.py); confluent-kafka, /usr/bin/python3.

  txn_producer.py --bootstrap B --topic T --txn-id ID [--partition 0] [--count 10]
      [--tag z] [--txn-timeout-ms 60000] [--go-file PATH]

init_transactions, begin_transaction, produces --count records (value TAG-I) to --partition
and flushes them (they are in the log, in an open transaction), prints `produced N`; then
* without --go-file: sleeps until killed (a hanging transaction: kill -9 it);
* with --go-file: waits until that file exists (the test SIGSTOPs us meanwhile, lets another
  producer take the same transactional id, SIGCONTs us and creates the file), produces
  --count more records and commits, printing what the client says:
  `delivery-error NAME`, then `result ok` or `result error NAME fatal=0|1 abortable=0|1`.
  A fatal error the client raises on its own (e.g. a Produce answer fencing it before
  commit_transaction runs, which then says only _FATAL) is printed by the error callback as
  `client-error NAME fatal=1` (confluent-kafka passes the underlying fatal error there).
Lines go to stdout unbuffered. Exit 0.
"""

import argparse
import os
import time


def out(line):
    os.write(1, (line + "\n").encode())


def main():
    from confluent_kafka import KafkaError, KafkaException, Producer
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--txn-id", required=True)
    ap.add_argument("--partition", type=int, default=0)
    ap.add_argument("--count", type=int, default=10)
    ap.add_argument("--tag", default="z")
    ap.add_argument("--txn-timeout-ms", type=int, default=60000)
    ap.add_argument("--go-file")
    a = ap.parse_args()
    def error_cb(err):
        out("client-error %s fatal=%d" % (err.name(), err.fatal()))

    p = Producer({"bootstrap.servers": a.bootstrap, "transactional.id": a.txn_id,
                  "transaction.timeout.ms": a.txn_timeout_ms, "linger.ms": 0,
                  "error_cb": error_cb})
    out("info start %d" % os.getpid())

    def cb(err, _msg):
        if err:
            out("delivery-error %s" % err.name())

    p.init_transactions(60)
    p.begin_transaction()
    for i in range(a.count):
        p.produce(a.topic, value=b"%s-%d" % (a.tag.encode(), i), partition=a.partition,
                  on_delivery=cb)
    left = p.flush(60)
    out("produced %d left=%d" % (a.count, left))
    if not a.go_file:
        while True:
            time.sleep(1)
    while not os.path.exists(a.go_file):
        time.sleep(0.05)
    out("resumed")
    try:
        for i in range(a.count, 2 * a.count):
            try:
                p.produce(a.topic, value=b"%s-%d" % (a.tag.encode(), i),
                          partition=a.partition, on_delivery=cb)
            except KafkaException as e:
                # _FATAL: an earlier batch's answer already raised the fatal error (with
                # KIP-890 it can come back before this loop ends); commit reports it.
                if e.args[0].code() != KafkaError._FATAL:
                    raise
                break
        p.flush(30)
        p.commit_transaction(30)
        out("result ok")
    except KafkaException as e:
        err = e.args[0]
        try:
            p.poll(0.5)     # serves the queued error and delivery callbacks first
        except KafkaException as e2:
            out("client-error %s fatal=%d" % (e2.args[0].name(), e2.args[0].fatal()))
        out("result error %s fatal=%d abortable=%d" % (err.name(), err.fatal(),
                                                       err.txn_requires_abort()))


if __name__ == "__main__":
    main()
