#!/usr/bin/python3
"""Produce/consume driver for the Python Kafka clients (confluent-kafka / librdkafka and
kafka-python), used by tests/integration/test_data_path.py. Run with Debian's /usr/bin/python3.

  produce --client {confluent,kafkapython} --bootstrap B --topic T --messages FILE.jsonl
          --compression {none,gzip,snappy,lz4,zstd} [--acks 1|-1|0] [--report FILE]
          [--timeout S]
      FILE.jsonl holds one message per line:
        {"partition": int or null, "key": base64 or null, "value": base64 or null,
         "headers": [[name, base64 or null], ...]}
      Messages are produced in file order; per-partition order is kept (one request in
      flight per connection, idempotence off, retries allowed). The driver waits for every
      delivery report and prints one JSON summary on stdout:
        {"client", "topic", "compression", "acks", "messages", "delivered", "errors",
         "error_samples", "partitions": {"P": {"count", "first_offset", "last_offset"}},
         "elapsed_s", "msgs_per_s", "bytes"}
      --report FILE writes one JSON line per message, in file order:
        [partition, offset, error-string-or-null]   (offset is -1 when unknown, e.g. acks=0)
      Exit: 0 all delivered, 1 some delivery failed, 2 not all delivery reports arrived in
      --timeout seconds, 3 the client cannot do what was asked (e.g. a codec it lacks).

  consume --client {confluent,kafkapython} --bootstrap B --topic T --count N --timeout S
          [--from-beginning]
      Assigns every partition of T (no consumer group: none is joined, nothing is
      committed) and prints exactly N messages as JSON lines, in the order received (per
      partition: offset order):
        {"partition", "offset", "key", "value", "headers": [[name, b64|null], ...]}
      (key/value base64 or null). Without --from-beginning every partition starts at the
      explicit offset 0 (no ListOffsets); with it, at the logical "beginning" offset, which
      makes the client ask the broker with ListOffsets(EARLIEST).
      Exit: 0 after N messages, 2 on timeout (what was consumed is printed first, the reason
      goes to stderr), 1 on an unrecoverable client error.
"""

import argparse
import base64
import ctypes
import json
import logging
import os
import sys
import time

EXIT_OK, EXIT_FAILED, EXIT_TIMEOUT, EXIT_UNSUPPORTED, EXIT_USAGE = 0, 1, 2, 3, 64
CODECS = ("none", "gzip", "snappy", "lz4", "zstd")


def b64e(b):
    return None if b is None else base64.b64encode(b).decode("ascii")


def b64d(s):
    return None if s is None else base64.b64decode(s, validate=True)


def log(msg):
    sys.stderr.write("produce_consume: %s\n" % msg)
    sys.stderr.flush()


def load_messages(path):
    """[(partition or None, key, value, [(name, value)])] in file order."""
    out = []
    with open(path, "rb") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                d = json.loads(line)
                headers = [(h[0], b64d(h[1])) for h in (d.get("headers") or [])]
                p = d.get("partition")
                out.append((None if p is None else int(p), b64d(d.get("key")),
                            b64d(d.get("value")), headers))
            except (ValueError, TypeError, KeyError, IndexError) as e:
                raise SystemExit("%s:%d: bad message line: %s" % (path, n, e))
    return out


class Deliveries:
    """Delivery reports by message index; summary and report file."""

    def __init__(self, n):
        self.n = n
        self.partition = [None] * n
        self.offset = [None] * n
        self.error = [None] * n
        self.done = [False] * n
        self.count_done = 0

    def record(self, i, partition, offset, error):
        if self.done[i]:
            log("message %d got a second delivery report (%s/%s/%s)" % (i, partition, offset,
                                                                          error))
            return
        self.done[i] = True
        self.count_done += 1
        self.partition[i] = partition
        self.offset[i] = -1 if offset is None or offset < 0 else offset
        self.error[i] = None if error is None else str(error)

    def summary(self, args, elapsed, nbytes):
        parts = {}
        errors = [e for e in self.error if e is not None]
        delivered = 0
        for i in range(self.n):
            if not self.done[i] or self.error[i] is not None:
                continue
            delivered += 1
            p = parts.setdefault(str(self.partition[i]), {"count": 0, "first_offset": None,
                                                           "last_offset": None})
            p["count"] += 1
            o = self.offset[i]
            if o >= 0:
                if p["first_offset"] is None:
                    p["first_offset"] = o
                p["last_offset"] = o
        samples = []
        for e in errors:
            if e not in samples:
                samples.append(e)
            if len(samples) >= 10:
                break
        return {"client": args.client, "topic": args.topic, "compression": args.compression,
                "acks": args.acks, "messages": self.n, "delivered": delivered,
                "errors": len(errors), "undelivered": self.n - self.count_done,
                "error_samples": samples, "partitions": parts,
                "elapsed_s": round(elapsed, 3),
                "msgs_per_s": round(self.n / elapsed, 1) if elapsed > 0 else None,
                "bytes": nbytes}

    def write_report(self, path):
        with open(path, "w") as f:
            for i in range(self.n):
                f.write(json.dumps([self.partition[i], self.offset[i] if self.done[i] else -1,
                                    self.error[i] if self.done[i] else "no delivery report"])
                        + "\n")


def payload_bytes(msgs):
    n = 0
    for _, k, v, hs in msgs:
        n += len(k or b"") + len(v or b"")
        for hk, hv in hs:
            n += len(hk.encode()) + len(hv or b"")
    return n


# ---------------------------------------------------------------------------------------------
# confluent-kafka (librdkafka)
# ---------------------------------------------------------------------------------------------

def produce_confluent(args, msgs, dl):
    from confluent_kafka import KafkaException, Producer
    conf = {
        "bootstrap.servers": args.bootstrap,
        "client.id": "kb-dp-confluent",
        "acks": str(args.acks),
        "compression.type": args.compression,
        "enable.idempotence": False,
        "max.in.flight.requests.per.connection": 1,   # keeps per-partition order on retries
        "retries": 5,
        "linger.ms": 5,
        "batch.num.messages": 10000,
        "queue.buffering.max.messages": 200000,
        "queue.buffering.max.kbytes": 256 * 1024,
        "message.timeout.ms": int(args.timeout * 1000),
        "socket.timeout.ms": 30000,
    }
    try:
        p = Producer(conf)
    except KafkaException as e:
        log("cannot create the confluent-kafka producer: %s" % e)
        return EXIT_UNSUPPORTED

    def cb(i):
        def on_delivery(err, msg):
            dl.record(i, msg.partition(), msg.offset(), None if err is None else err.str())
        return on_delivery

    # librdkafka fails a message after message.timeout.ms at the latest: wait a little
    # longer, so such failures arrive as delivery reports rather than as a timeout here.
    deadline = time.monotonic() + args.timeout + 10
    for i, (part, key, value, headers) in enumerate(msgs):
        kw = {"key": key, "value": value, "on_delivery": cb(i)}
        if headers:
            kw["headers"] = headers
        if part is not None:
            kw["partition"] = part
        while True:
            try:
                p.produce(args.topic, **kw)
                break
            except BufferError:           # local queue full: serve delivery reports
                p.poll(0.05)
                if time.monotonic() > deadline:
                    log("local queue still full after %.0fs" % args.timeout)
                    return EXIT_TIMEOUT
        if i % 1000 == 0:
            p.poll(0)
    while dl.count_done < dl.n and time.monotonic() < deadline:
        p.flush(min(1.0, max(0.01, deadline - time.monotonic())))
    p.poll(0)
    return EXIT_OK if dl.count_done == dl.n else EXIT_TIMEOUT


def _fix_none_ref():
    """confluent-kafka 1.7's Message.headers() puts None into the header tuple without taking
    a reference (fixed upstream in 1.8, confluent-kafka-python #1165), so every null header
    value consumed costs None one reference and the interpreter aborts at exit with
    "none_dealloc". Give that reference back (Message.headers() converts once per message)."""
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))


def consume_confluent(args, emit):
    from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition
    conf = {
        "bootstrap.servers": args.bootstrap,
        "client.id": "kb-dp-confluent",
        # confluent-kafka insists on a group.id, but with assign() (no subscribe) and no
        # commits the group is never joined.
        "group.id": "kb-dp-unused",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "error",     # an out-of-range answer is reported, not papered over
        "enable.partition.eof": False,
        "check.crcs": True,
        "fetch.wait.max.ms": 100,
        "socket.timeout.ms": 30000,
    }
    c = Consumer(conf)
    deadline = time.monotonic() + args.timeout
    try:
        parts = None
        while parts is None:
            md = c.list_topics(args.topic, timeout=max(0.5, min(5.0, deadline - time.monotonic())))
            t = md.topics.get(args.topic)
            if t is not None and t.error is None and t.partitions:
                parts = sorted(t.partitions)
            elif time.monotonic() > deadline:
                log("no metadata for %s: %s" % (args.topic, None if t is None else t.error))
                return EXIT_TIMEOUT
            else:
                time.sleep(0.2)
        start = OFFSET_BEGINNING if args.from_beginning else 0
        c.assign([TopicPartition(args.topic, p, start) for p in parts])
        got = 0
        reported = set()
        while got < args.count:
            left = deadline - time.monotonic()
            if left <= 0:
                log("timeout: %d of %d messages after %.0fs" % (got, args.count, args.timeout))
                return EXIT_TIMEOUT
            batch = c.consume(num_messages=min(10000, args.count - got),
                              timeout=min(0.5, left))
            out = []
            for m in batch:
                err = m.error()
                if err is not None:
                    if err.code() == KafkaError._PARTITION_EOF:
                        continue
                    s = "consumer error: %s" % err.str()
                    if s not in reported:          # each distinct error once
                        reported.add(s)
                        log(s)
                    if err.fatal():
                        return EXIT_FAILED
                    continue
                headers = m.headers() or []
                for _, hv in headers:
                    if hv is None:
                        _fix_none_ref()
                out.append((m.partition(), m.offset(), m.key(), m.value(), headers))
            got += len(out)
            emit(out)
        return EXIT_OK
    finally:
        c.close()


# ---------------------------------------------------------------------------------------------
# kafka-python
# ---------------------------------------------------------------------------------------------

def _kp_logging():
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING,
                        format="kafka-python %(levelname)s %(name)s: %(message)s")


def produce_kafkapython(args, msgs, dl):
    _kp_logging()
    from kafka import KafkaProducer
    from kafka.errors import KafkaError, UnsupportedCodecError
    acks = {"0": 0, "1": 1, "-1": "all", "all": "all"}[str(args.acks)]
    try:
        p = KafkaProducer(
            bootstrap_servers=args.bootstrap.split(","),
            client_id="kb-dp-kafkapython",
            acks=acks,
            compression_type=None if args.compression == "none" else args.compression,
            max_in_flight_requests_per_connection=1,   # keeps per-partition order on retries
            retries=5,
            linger_ms=5,
            batch_size=256 * 1024,
            buffer_memory=128 * 1024 * 1024,
            max_request_size=1048576,
            request_timeout_ms=30000,
            max_block_ms=int(args.timeout * 1000))
    except (UnsupportedCodecError, AssertionError) as e:
        log("kafka-python cannot produce with %s: %r" % (args.compression, e))
        return EXIT_UNSUPPORTED

    def ok(i):
        return lambda md: dl.record(i, md.partition, md.offset, None)

    def bad(i, part):
        return lambda exc: dl.record(i, part, -1, repr(exc))

    deadline = time.monotonic() + args.timeout
    try:
        for i, (part, key, value, headers) in enumerate(msgs):
            try:
                f = p.send(args.topic, value=value, key=key, headers=headers or None,
                           partition=part)
            except AssertionError as e:
                # send() asserts: key or value must be non-null, header values must be bytes
                dl.record(i, part, -1, "kafka-python refused the message: %s" % (
                    str(e) or "send() assertion (header values must be bytes, not None)"))
                continue
            except (KafkaError, ValueError) as e:
                dl.record(i, part, -1, repr(e))
                continue
            f.add_callback(ok(i))
            f.add_errback(bad(i, part))
        p.flush(timeout=max(0.1, deadline - time.monotonic()))
    finally:
        p.close(timeout=10)
    return EXIT_OK if dl.count_done == dl.n else EXIT_TIMEOUT


def consume_kafkapython(args, emit):
    _kp_logging()
    from kafka import KafkaConsumer, TopicPartition
    c = KafkaConsumer(
        bootstrap_servers=args.bootstrap.split(","),
        client_id="kb-dp-kafkapython",
        group_id=None,                      # no group: nothing joined, nothing committed
        enable_auto_commit=False,
        auto_offset_reset="none",           # out-of-range is raised, not reset
        check_crcs=True,
        fetch_max_wait_ms=100,
        max_partition_fetch_bytes=1048576,
        request_timeout_ms=40000)
    deadline = time.monotonic() + args.timeout
    try:
        parts = None
        while not parts:
            parts = c.partitions_for_topic(args.topic)
            if not parts:
                if time.monotonic() > deadline:
                    log("no metadata for %s" % args.topic)
                    return EXIT_TIMEOUT
                time.sleep(0.2)
        tps = [TopicPartition(args.topic, p) for p in sorted(parts)]
        c.assign(tps)
        if args.from_beginning:
            c.seek_to_beginning(*tps)
        else:
            for tp in tps:
                c.seek(tp, 0)
        got = 0
        reported = set()
        while got < args.count:
            left = deadline - time.monotonic()
            if left <= 0:
                log("timeout: %d of %d messages after %.0fs" % (got, args.count, args.timeout))
                return EXIT_TIMEOUT
            try:
                recs = c.poll(timeout_ms=int(min(0.5, left) * 1000),
                              max_records=min(5000, args.count - got))
            except Exception as e:  # noqa: BLE001 - report, then keep trying until timeout
                s = "consumer error: %r" % (e,)
                if s not in reported:
                    reported.add(s)
                    log(s)
                time.sleep(0.1)
                continue
            out = []
            for tp in sorted(recs, key=lambda t: t.partition):
                for r in recs[tp]:
                    out.append((r.partition, r.offset, r.key, r.value, list(r.headers or [])))
            got += len(out)
            emit(out)
        return EXIT_OK
    finally:
        c.close(autocommit=False)


# ---------------------------------------------------------------------------------------------

PRODUCERS = {"confluent": produce_confluent, "kafkapython": produce_kafkapython}
CONSUMERS = {"confluent": consume_confluent, "kafkapython": consume_kafkapython}


def cmd_produce(args):
    msgs = load_messages(args.messages)
    dl = Deliveries(len(msgs))
    t0 = time.monotonic()
    rc = PRODUCERS[args.client](args, msgs, dl)
    elapsed = time.monotonic() - t0
    if rc == EXIT_OK and any(e is not None for e in dl.error):
        rc = EXIT_FAILED
    if args.report:
        dl.write_report(args.report)
    summary = dl.summary(args, elapsed, payload_bytes(msgs))
    summary["exit"] = rc
    sys.stdout.write(json.dumps(summary) + "\n")
    sys.stdout.flush()
    return rc


def cmd_consume(args):
    out = sys.stdout
    state = {"n": 0}

    def emit(batch):
        lines = []
        for part, off, key, value, headers in batch:
            if state["n"] >= args.count:
                break
            state["n"] += 1
            lines.append(json.dumps({"partition": part, "offset": off, "key": b64e(key),
                                     "value": b64e(value),
                                     "headers": [[k, b64e(v)] for k, v in headers]}))
        if lines:
            out.write("\n".join(lines) + "\n")
    rc = CONSUMERS[args.client](args, emit)
    out.flush()
    return rc


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("produce")
    p.add_argument("--client", choices=sorted(PRODUCERS), required=True)
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--messages", required=True)
    p.add_argument("--compression", choices=CODECS, default="none")
    p.add_argument("--acks", choices=["1", "-1", "0", "all"], default="1")
    p.add_argument("--report")
    p.add_argument("--timeout", type=float, default=120.0)
    c = sub.add_parser("consume")
    c.add_argument("--client", choices=sorted(CONSUMERS), required=True)
    c.add_argument("--bootstrap", required=True)
    c.add_argument("--topic", required=True)
    c.add_argument("--count", type=int, required=True)
    c.add_argument("--timeout", type=float, required=True)
    c.add_argument("--from-beginning", action="store_true")
    args = ap.parse_args(argv)
    if args.cmd == "produce":
        if args.acks == "all":
            args.acks = "-1"
        return cmd_produce(args)
    return cmd_consume(args)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        os._exit(1)
