#!/usr/bin/python3
"""One confluent-kafka group member for bench/groups_bench.py's coordinator-failover figure.

    groups_consumer.py BOOTSTRAP TOPIC GROUP SECONDS

Prints one line per event on stdout, flushed at once (wall-clock seconds, time.time()):
    M <ts> <partition> <offset>      a message
    A <ts> <p,p,...>                 partitions assigned      R <ts> <p,...>  revoked
    E <ts> <text>                    an error reported by the client
and exits after SECONDS (closing the consumer, i.e. leaving the group).
"""
import sys
import time

from confluent_kafka import Consumer


def out(*parts):
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")
    sys.stdout.flush()


def main():
    bootstrap, topic, group, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])

    def on_assign(c, parts):
        out("A", "%.6f" % time.time(), ",".join(str(p.partition) for p in parts) or "-")

    def on_revoke(c, parts):
        out("R", "%.6f" % time.time(), ",".join(str(p.partition) for p in parts) or "-")

    def on_error(err):
        out("E", "%.6f" % time.time(), str(err).replace("\n", " "))

    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                  "auto.offset.reset": "earliest", "session.timeout.ms": 10000,
                  "heartbeat.interval.ms": 1000, "partition.assignment.strategy": "range",
                  "fetch.wait.max.ms": 100, "error_cb": on_error})
    c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            m = c.poll(0.1)
            if m is None:
                continue
            if m.error():
                out("E", "%.6f" % time.time(), str(m.error()).replace("\n", " "))
                continue
            out("M", "%.6f" % time.time(), m.partition(), m.offset())
    finally:
        c.close()


if __name__ == "__main__":
    main()
