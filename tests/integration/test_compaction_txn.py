"""Log compaction of a topic written by transactional producers (one broker, chroot
/kb-compact-txn; fact sheet C3-C5), with confluent-kafka:

plain values for 50 keys, then committed and aborted transactions whose keys overlap them and
each other, more plain values, and unique-key fillers so that all of it lies in cleanable
segments (16 KiB segments, min.cleanable.dirty.ratio 0.01, delete.retention.ms 2 s,
producer.id.expiration.ms 3 s). After the cleaner's first pass over it:
* read_uncommitted and read_committed consumers both see, for every key, its latest committed
  value, and no aborted record at all (the aborted data is gone, not just skipped);
* the transactions' committed values compacted the older plain ones, and newer plain values
  compacted committed ones.
After the markers' delete horizon (and the producer's expiry), further passes leave no ABORT
marker, no aborted record and no .txnindex entry in the segment files; the COMMIT markers of
the two transactions whose values are still the latest stay (a replay of the log needs them)
until newer plain values replace those, after which they go too.
"""

import glob
import os
import struct
import subprocess
import time

import pytest

import harness
from conftest import start_cluster

BROKER = 511
TOPIC = "compacted-txn"
DELETE_RETENTION_MS = 2000
KEYS = 50


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    yield from start_cluster(tmp_path_factory.mktemp("compact-txn"), zk=zk_server, ids=[BROKER],
                             chroot="/kb-compact-txn",
                             config={"log.retention.check.interval.ms": "300",
                                     "log.cleaner.backoff.ms": "200",
                                     "auto.create.topics.enable": "false",
                                     "transaction.state.log.replication.factor": "1",
                                     "transaction.state.log.min.isr": "1",
                                     "transaction.state.log.num.partitions": "2",
                                     "producer.id.expiration.ms": "3000",
                                     "producer.id.expiration.check.interval.ms": "500"})


def create(cluster, topic):
    args = [os.path.join(harness.bin_dir(), "kadmin"), "--bootstrap-server", cluster.bootstrap(),
            "topics", "create", topic, "--partitions", "1", "--replication-factor", "1",
            "--config", "cleanup.policy=compact", "--config", "segment.bytes=16384",
            "--config", "min.cleanable.dirty.ratio=0.01",
            "--config", "delete.retention.ms=%d" % DELETE_RETENTION_MS]
    for attempt in range(50):       # right after startup the controller may not be known yet
        r = subprocess.run(args, capture_output=True, timeout=60)
        if r.returncode == 0:
            break
        assert b"no controller" in r.stderr, r.stderr
        time.sleep(0.2)
    assert r.returncode == 0, r.stderr


def plain_producer(cluster):
    from confluent_kafka import Producer
    return Producer({"bootstrap.servers": cluster.bootstrap(), "linger.ms": 5,
                     "enable.idempotence": False, "acks": "all", "compression.type": "none",
                     "batch.size": 4000})   # batches well under segment.bytes


def send_all(p, items):
    errors = []

    def cb(err, msg):
        if err is not None:
            errors.append(err)
    for k, v in items:
        while True:
            try:
                p.produce(TOPIC, key=k, value=v, on_delivery=cb)
                break
            except BufferError:
                p.poll(0.05)
    assert p.flush(60) == 0
    assert not errors, errors[:3]


def key(i):
    return b"k%02d" % i


def read(cluster, committed):
    """{key: [values in offset order]} of the whole partition, and the last offset read."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": cluster.bootstrap(), "group.id": "kb-ctx-reader",
                  "enable.auto.commit": False, "enable.partition.eof": True,
                  "isolation.level": "read_committed" if committed else "read_uncommitted"})
    c.assign([TopicPartition(TOPIC, 0, OFFSET_BEGINNING)])
    out, deadline = {}, time.monotonic() + 30
    try:
        while True:
            assert time.monotonic() < deadline, "partition end not reached"
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                if m.error().code() == -191:   # _PARTITION_EOF
                    break
                raise AssertionError(m.error())
            out.setdefault(m.key(), []).append(m.value())
    finally:
        c.close()
    return out


def part_dir(cluster):
    return os.path.join(cluster.brokers[0].workdir, "data", TOPIC + "-0")


def varint(data, pos):
    """(zigzag-decoded value, next position)."""
    shift = raw = 0
    while True:
        b = data[pos]
        pos += 1
        raw |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return (raw >> 1) ^ -(raw & 1), pos


def marker_type(data, pos):
    """The control record type (0 ABORT, 1 COMMIT) of the control batch at pos."""
    q = pos + 61
    _, q = varint(data, q)      # record length
    q += 1                      # attributes
    _, q = varint(data, q)      # timestamp delta
    _, q = varint(data, q)      # offset delta
    _, q = varint(data, q)      # key length
    return struct.unpack_from(">h", data, q + 2)[0]


def scan_logs(cluster):
    """([types of the marker records], .log bytes holding b"ABORTED", .txnindex bytes) over
    the partition's segment files."""
    markers, aborted = [], 0
    for path in glob.glob(os.path.join(part_dir(cluster), "*.log")):
        try:
            data = open(path, "rb").read()
        except FileNotFoundError:       # swapped out meanwhile
            continue
        aborted += data.count(b"ABORTED")
        pos = 0
        while pos + 61 <= len(data):
            blen = struct.unpack_from(">i", data, pos + 8)[0]
            attrs = struct.unpack_from(">h", data, pos + 21)[0]
            count = struct.unpack_from(">i", data, pos + 57)[0]
            if attrs & 0x20 and count > 0:
                markers.append(marker_type(data, pos))
            pos += 12 + blen
    txi = sum(os.path.getsize(p) for p in glob.glob(os.path.join(part_dir(cluster), "*.txnindex"))
              if os.path.exists(p))
    return markers, aborted, txi


def cleaner_checkpoint(cluster):
    path = os.path.join(cluster.brokers[0].workdir, "data", "cleaner-offset-checkpoint")
    try:
        lines = open(path).read().split("\n")
    except OSError:
        return -1
    for line in lines[2:]:
        f = line.split()
        if len(f) == 3 and f[0] == TOPIC and f[1] == "0":
            return int(f[2])
    return -1


def fillers(p, tag, n):
    send_all(p, [(b"f-%s-%d" % (tag, i), b"x" * 40) for i in range(n)])


def test_transactions_compacted(cluster):
    from confluent_kafka import Producer
    create(cluster, TOPIC)
    plain = plain_producer(cluster)
    send_all(plain, [(key(i), b"plain0") for i in range(KEYS)])
    tp = Producer({"bootstrap.servers": cluster.bootstrap(), "transactional.id": "ctx-1",
                   "linger.ms": 0, "compression.type": "none"})
    tp.init_transactions(30)

    def txn(items, commit):
        tp.begin_transaction()
        for k, v in items:
            tp.produce(TOPIC, key=k, value=v)
        assert tp.flush(30) == 0
        (tp.commit_transaction if commit else tp.abort_transaction)(30)

    txn([(key(i), b"c1") for i in range(0, 20)], True)
    txn([(key(i), b"ABORTED-B") for i in range(10, 40)], False)
    txn([(key(i), b"c2") for i in range(30, 35)], True)
    send_all(plain, [(key(i), b"plain1") for i in range(0, 5)])
    txn([(key(i), b"ABORTED-D") for i in range(45, 50)], False)
    del tp
    want = {}
    for i in range(KEYS):
        want[key(i)] = (b"plain1" if i < 5 else b"c1" if i < 20 else
                        b"c2" if 30 <= i < 35 else b"plain0")
    markers, aborted, _ = scan_logs(cluster)
    assert sorted(markers) == [0, 0, 1, 1] and aborted == 35   # before any cleaning

    # Fillers roll the transactions into cleanable segments; wait for a pass past them.
    fillers(plain, b"a", 1000)
    end = cleaner_checkpoint(cluster)
    t0 = time.monotonic()
    harness.wait_until(lambda: cleaner_checkpoint(cluster) > 400, 60, interval=0.2,
                       what="a cleaning pass over the transactions")
    took = time.monotonic() - t0
    for committed in (False, True):
        view = read(cluster, committed)
        for i in range(KEYS):
            vals = view[key(i)]
            assert vals[-1] == want[key(i)], (committed, i, vals)
            assert not any(v.startswith(b"ABORTED") for v in vals), (committed, i, vals)
            assert len(vals) == 1, (committed, i, vals)   # older values compacted away
    _, aborted, _ = scan_logs(cluster)
    assert aborted == 0

    # Past the horizon and the producer's expiry, later passes remove the ABORT markers and
    # their index entries; the COMMITs of live committed values stay.
    def settled(expect):
        fillers(plain, b"b%d" % int(time.monotonic() * 1000), 300)
        return scan_logs(cluster) == expect
    t1 = time.monotonic()
    harness.wait_until(lambda: settled(([1, 1], 0, 0)), 40, interval=0.5,
                       what="ABORT markers removed")
    gone = time.monotonic() - t1
    for committed in (False, True):
        view = read(cluster, committed)
        assert {k: v[-1] for k, v in view.items() if k in want} == want
    # Newer plain values for every key: the committed ones go, and then their COMMITs.
    send_all(plain, [(key(i), b"plain2") for i in range(KEYS)])
    harness.wait_until(lambda: settled(([], 0, 0)), 40, interval=0.5,
                       what="COMMIT markers removed")
    for committed in (False, True):
        view = read(cluster, committed)
        assert all(view[key(i)] == [b"plain2"] for i in range(KEYS)), view
    lines = [l for l in cluster.brokers[0].log_text().splitlines()
             if TOPIC + "-0: cleaned offsets" in l]
    harness.report_figure("compaction with transactions: aborted data gone %.1f s after the "
                          "last write, ABORT markers gone %.1f s later (delete.retention.ms %d, "
                          "producer.id.expiration.ms 3000); %d passes (checkpoint was %d)"
                          % (took, gone, DELETE_RETENTION_MS, len(lines), end))
