#!/usr/bin/python3
"""Keyed produce driver for the idempotence tests (confluent-kafka / librdkafka), run with
Debian's /usr/bin/python3:

  idem_produce.py --bootstrap B --topic T --count N --keys K --out FILE
                  [--idempotence on|off] [--timeout S] [--progress FILE] [--rate R]

Record i has key "k<i % K>" and value "<i>" (decimal), sent in order i = 0..N-1 with
acks=all, max.in.flight 5, unlimited retries within delivery.timeout.ms. Every delivery
report that succeeded is written to FILE as "<partition> <offset> <i>" lines (in report
order); --progress FILE gets the number of acknowledged records rewritten as they come, so
a test can time its failures; --rate paces sending to R records/s (0: as fast as possible). Exit 0 when every record was acknowledged, 1 otherwise (the
acknowledged ones are still written), 2 on timeout. A summary JSON line goes to stdout.
"""

import argparse
import json
import os
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--keys", type=int, default=100)
    ap.add_argument("--out", required=True)
    ap.add_argument("--progress")
    ap.add_argument("--idempotence", choices=("on", "off"), default="on")
    ap.add_argument("--timeout", type=float, default=180)
    ap.add_argument("--rate", type=float, default=0)
    a = ap.parse_args()

    from confluent_kafka import Producer
    conf = {"bootstrap.servers": a.bootstrap, "acks": "all",
            "enable.idempotence": a.idempotence == "on",
            "max.in.flight.requests.per.connection": 5, "linger.ms": 5,
            "batch.num.messages": 500, "retries": 2147483647, "retry.backoff.ms": 100,
            "delivery.timeout.ms": int(a.timeout * 1000)}
    p = Producer(conf)
    acked, failed = [], []
    last_progress = [0.0]

    def progress(force=False):
        now = time.monotonic()
        if a.progress and (force or now - last_progress[0] > 0.2):
            last_progress[0] = now
            with open(a.progress + ".tmp", "w") as f:
                f.write(str(len(acked)))
            os.replace(a.progress + ".tmp", a.progress)

    def cb(err, msg):
        if err is None:
            acked.append((msg.partition(), msg.offset(), int(msg.value())))
        else:
            failed.append(str(err))

    t0 = time.monotonic()
    for i in range(a.count):
        while a.rate > 0 and i > a.rate * (time.monotonic() - t0):
            p.poll(0.01)
            progress()
        while True:
            try:
                p.produce(a.topic, key=b"k%d" % (i % a.keys), value=b"%d" % i, on_delivery=cb)
                break
            except BufferError:
                p.poll(0.05)
                progress()
        p.poll(0)
        progress()
    deadline = t0 + a.timeout
    while len(p) > 0 and time.monotonic() < deadline:
        p.poll(0.1)
        progress()
    progress(True)
    with open(a.out, "w") as f:
        for part, off, i in acked:
            f.write("%d %d %d\n" % (part, off, i))
    print(json.dumps({"acked": len(acked), "failed": len(failed),
                      "failed_samples": failed[:5], "left": len(p),
                      "elapsed_s": round(time.monotonic() - t0, 2)}))
    if len(p) > 0:
        return 2
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
