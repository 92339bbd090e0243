#!/usr/bin/env python3
"""A consumer-group member for the integration tests (tests/integration/test_groups.py):
confluent-kafka (librdkafka) or kafka-python, subscribed to one topic, enable.auto.commit off,
committing each record synchronously right after processing it.

  group_consume.py --client confluent|kafkapython --bootstrap B --topic T --group G
      [--name CLIENT_ID] [--strategy range|roundrobin|cooperative-sticky]
      [--instance-id ID] [--session-ms 6000] [--heartbeat-ms 500] [--delay-ms 0]
      [--max-s 120] [--no-commit]

Runs until SIGTERM (then close(): a dynamic member leaves the group, a static one does not)
or --max-s. Every line goes to stdout unbuffered (os.write), so a kill -9 loses none that was
printed; "processing" a record is printing its rec line, which happens before its commit:
  info start PID | protocol EAGER|COOPERATIVE (by the assignor asked for) | assigned P,P,..
  | revoked P,.. | lost P,..
  rec P OFFSET | committed P NEXT_OFFSET | commit-failed P NEXT_OFFSET ERROR | summary records=N
--no-commit: nothing is committed (a partition's next owner starts from the beginning).
(assigned/revoked list partitions of --topic; empty lists print as "-"; with the cooperative
protocol they are the increments). Exit 0 after a clean close, 1 on a client error.
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


def run_confluent(a):
    from confluent_kafka import Consumer, KafkaException, TopicPartition
    conf = {"bootstrap.servers": a.bootstrap, "group.id": a.group, "client.id": a.name,
            "enable.auto.commit": False, "auto.offset.reset": "earliest",
            "session.timeout.ms": a.session_ms, "heartbeat.interval.ms": a.heartbeat_ms,
            "max.poll.interval.ms": 30000, "partition.assignment.strategy": a.strategy,
            "topic.metadata.refresh.interval.ms": 2000}
    if a.instance_id:
        conf["group.instance.id"] = a.instance_id
    c = Consumer(conf)
    told = []

    def on_assign(_cons, parts):
        if not told:   # confluent-kafka 1.7 has no rebalance_protocol(): by the assignor
            told.append(1)
            out("protocol %s" % ("COOPERATIVE" if a.strategy == "cooperative-sticky"
                                 else "EAGER"))
        out("assigned %s" % plist(p.partition for p in parts))

    def on_revoke(_cons, parts):
        out("revoked %s" % plist(p.partition for p in parts))

    def on_lost(_cons, parts):
        out("lost %s" % plist(p.partition for p in parts))

    c.subscribe([a.topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_lost)
    n, deadline = 0, time.monotonic() + a.max_s
    try:
        while not STOP and time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is None:
                continue
            if m.error():
                out("info error %s" % m.error())
                continue
            out("rec %d %d" % (m.partition(), m.offset()))
            n += 1
            if a.delay_ms:
                time.sleep(a.delay_ms / 1000.0)
            if a.no_commit:
                continue
            try:
                c.commit(offsets=[TopicPartition(a.topic, m.partition(), m.offset() + 1)],
                         asynchronous=False)
                out("committed %d %d" % (m.partition(), m.offset() + 1))
            except KafkaException as e:
                out("commit-failed %d %d %s" % (m.partition(), m.offset() + 1,
                                                 e.args[0].name()))
    finally:
        c.close()
    out("summary records=%d" % n)


def run_kafkapython(a):
    from kafka import KafkaConsumer, TopicPartition
    from kafka.consumer.subscription_state import ConsumerRebalanceListener
    from kafka.errors import KafkaError
    from kafka.structs import OffsetAndMetadata
    import kafka.coordinator.assignors.range as rng
    import kafka.coordinator.assignors.roundrobin as rr
    assignor = {"range": rng.RangePartitionAssignor,
                "roundrobin": rr.RoundRobinPartitionAssignor}[a.strategy]
    c = KafkaConsumer(bootstrap_servers=a.bootstrap.split(","), group_id=a.group,
                      client_id=a.name, enable_auto_commit=False,
                      auto_offset_reset="earliest", session_timeout_ms=a.session_ms,
                      heartbeat_interval_ms=a.heartbeat_ms, max_poll_interval_ms=30000,
                      request_timeout_ms=31000, partition_assignment_strategy=[assignor],
                      metadata_max_age_ms=2000)

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            out("revoked %s" % plist(tp.partition for tp in revoked))

        def on_partitions_assigned(self, assigned):
            out("assigned %s" % plist(tp.partition for tp in assigned))

    out("protocol EAGER")
    c.subscribe([a.topic], listener=Listener())
    n, deadline = 0, time.monotonic() + a.max_s
    try:
        while not STOP and time.monotonic() < deadline:
            batches = c.poll(timeout_ms=200, max_records=20)
            for tp, recs in batches.items():
                for m in recs:
                    out("rec %d %d" % (m.partition, m.offset))
                    n += 1
                    if a.delay_ms:
                        time.sleep(a.delay_ms / 1000.0)
                    if a.no_commit:
                        continue
                    try:
                        c.commit({TopicPartition(a.topic, m.partition):
                                  OffsetAndMetadata(m.offset + 1, None)})
                        out("committed %d %d" % (m.partition, m.offset + 1))
                    except KafkaError as e:
                        out("commit-failed %d %d %s" % (m.partition, m.offset + 1,
                                                         type(e).__name__))
    finally:
        c.close()
    out("summary records=%d" % n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--client", choices=("confluent", "kafkapython"), required=True)
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--group", required=True)
    ap.add_argument("--name", default="kb-group-member")
    ap.add_argument("--strategy", default="range")
    ap.add_argument("--instance-id")
    ap.add_argument("--session-ms", type=int, default=6000)
    ap.add_argument("--heartbeat-ms", type=int, default=500)
    ap.add_argument("--delay-ms", type=int, default=0)
    ap.add_argument("--max-s", type=float, default=120)
    ap.add_argument("--no-commit", action="store_true")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: STOP.append(1))
    out("info start %d" % os.getpid())
    try:
        (run_confluent if a.client == "confluent" else run_kafkapython)(a)
    except Exception as e:  # noqa: BLE001 - reported, exit 1
        out("info fatal %r" % (e,))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
