"""Transactions on the partition side, with raw requests (3 brokers, chroot /kb-txlog,
ZooKeeper tick 500 ms, session 4 s). The transaction coordinator is not involved: the test
plays it, producing transactional batches (hand-built, with a transactional_id on the
request) and sending WriteTxnMarkers itself.

* the last stable offset stays at an open transaction's first offset while another producer
  writes after it (ListOffsets read_committed latest, Fetch LastStableOffset); a
  read_committed Fetch at the LSO gets no records and an empty aborted list, read_uncommitted
  a null one;
* an ABORT marker moves the LSO past it; the aborted range comes back in AbortedTransactions,
  and confluent-kafka with isolation.level=read_committed does not deliver the aborted records
  while read_uncommitted does; a COMMIT makes its records visible;
* the .txnindex file holds Kafka's 34-byte entry, byte for byte, on the leader and on both
  followers (which built it from the batches they replicated);
* WriteTxnMarkers errors: NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION,
  INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED (nothing appended); Produce of a
  transactional batch without a transactional_id gets TRANSACTIONAL_ID_AUTHORIZATION_FAILED, a
  plain batch inside the producer's transaction INVALID_TXN_STATE, a client's control batch
  INVALID_RECORD; DescribeProducers shows CurrentTxnStartOffset and CoordinatorEpoch;
* the stored control batch: 78 bytes, attributes 0x30 (0x38 under LogAppendTime), the
  marker's producer id and epoch, baseSequence -1, the leader's clock;
* a read_committed long poll parked at the LSO is answered when a marker moves it;
* kill -9 of the leader: the new leader has the same open transaction (LSO) and aborted list,
  and ends it; the killed broker, restarted with its .txnindex files deleted, rebuilds them
  by recovery, byte for byte.
"""

import os
import struct
import subprocess
import threading
import time
import uuid

import pytest

import harness
import kproto
from conftest import own_zookeeper, start_cluster

IDS = [701, 702, 703]
SESSION_MS = 4000

ERR_NONE = 0
ERR_UNKNOWN_TOPIC_OR_PARTITION = 3
ERR_NOT_LEADER_OR_FOLLOWER = 6
ERR_INVALID_PRODUCER_EPOCH = 47
ERR_INVALID_TXN_STATE = 48
ERR_TRANSACTION_COORDINATOR_FENCED = 52
ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53
ERR_INVALID_RECORD = 87

API_WRITE_TXN_MARKERS = 27


@pytest.fixture(scope="module")
def txlog_zk(tmp_path_factory):
    yield from own_zookeeper(tmp_path_factory, "zk-txlog", tick_ms=500)


@pytest.fixture(scope="module")
def cluster(txlog_zk, tmp_path_factory):
    yield from start_cluster(tmp_path_factory.mktemp("txlog"), zk=txlog_zk, ids=IDS,
                             chroot="/kb-txlog", session_timeout_ms=SESSION_MS,
                             config={"replica.lag.time.max.ms": "4000",
                                     "replica.fetch.backoff.ms": "200",
                                     "auto.create.topics.enable": "false",
                                     "auto.leader.rebalance.enable": "false",
                                     # the test plays the coordinator: no KIP-890
                                     # verification with a real one
                                     "transaction.partition.verification.enable": "false"})


@pytest.fixture(autouse=True)
def all_up(cluster):
    for b in cluster.brokers:
        if not b.alive():
            b.restart(cluster.kz)
    harness.wait_until(lambda: cluster.registered_ids() == sorted(IDS), 30,
                       what="all brokers registered")


def state(cluster, topic, partition=0):
    import json
    data, _ = cluster.kz.get("/brokers/topics/%s/partitions/%d/state" % (topic, partition))
    return json.loads(data.decode())


def create(cluster, topic, *config):
    args = ["topics", "create", topic, "--partitions", "1", "--replication-factor", "3"]
    for c in config:
        args += ["--config", c]
    deadline = time.monotonic() + 30
    while True:
        p = subprocess.run([os.path.join(harness.bin_dir(), "kadmin"), "--bootstrap-server",
                            cluster.bootstrap()] + args, capture_output=True, text=True,
                           timeout=60)
        if p.returncode == 0:
            break
        assert "no controller" in p.stderr and time.monotonic() < deadline, p.stdout + p.stderr
        time.sleep(0.3)
    harness.wait_until(lambda: len(state(cluster, topic)["isr"]) == 3, 30,
                       what="ISR of 3")
    harness.wait_serving(leader_of(cluster, topic), topic)


def leader_of(cluster, topic):
    return cluster.broker(state(cluster, topic)["leader"])


# ---- raw requests ------------------------------------------------------------------------

def batch(pid, epoch, seq, values, txn=True):
    from kafka.record.default_records import DefaultRecordBatchBuilder
    b = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=txn,
                                  producer_id=pid, producer_epoch=epoch, base_sequence=seq,
                                  batch_size=1 << 20)
    ts = int(time.time() * 1000)
    for i, v in enumerate(values):
        b.append(i, timestamp=ts, key=None, value=v, headers=[])
    return bytes(b.build())


def control_batch(pid, epoch, commit, coord_epoch):
    """A client-built 78-byte marker (Produce must refuse it)."""
    from kafka.record.util import calc_crc32c
    rec = bytes([0x20, 0, 0, 0, 0x08]) + struct.pack(">hh", 0, 1 if commit else 0) + \
        bytes([0x0c]) + struct.pack(">hi", 0, coord_epoch) + bytes([0])
    after_crc = struct.pack(">hiqqqhii", 0x30, 0, 0, 0, pid, epoch, -1, 1) + rec
    head = struct.pack(">qiib", 0, 49 + len(rec), -1, 2)
    return head + struct.pack(">I", calc_crc32c(after_crc)) + after_crc


def produce(conn, topic, batch_bytes, txn_id=None, acks=-1):
    """Produce v7 of one batch: (error, base offset)."""
    body = (kproto.nullable_string(txn_id) + struct.pack(">hi", acks, 10000) +
            struct.pack(">i", 1) + kproto.string(topic) + struct.pack(">i", 1) +
            struct.pack(">ii", 0, len(batch_bytes)) + batch_bytes)
    corr = conn.next_corr()
    conn.send(kproto.frame(kproto.encode_request(0, 7, corr, body, "kb-txlog")))
    r = kproto.Reader(conn.recv_frame(20))
    assert r.i32() == corr
    assert r.i32() == 1
    r.string()
    assert r.i32() == 1
    _idx, err, base, _lat, _lso = struct.unpack(">ihqqq", r.take(30))
    r.i32()
    r.end()
    return err, base


def write_markers(conn, markers, version=0):
    """markers: [(pid, epoch, commit, coord_epoch, [(topic, [partitions])])] ->
    {(pid, topic, partition): error}."""
    flex = version >= 1
    arr = kproto.compact_array if flex else kproto.array
    s = kproto.compact_string if flex else kproto.string
    t = kproto.tags() if flex else b""
    body = arr([struct.pack(">qh?", pid, epoch, commit) +
                arr([s(topic) + arr([struct.pack(">i", p) for p in parts]) + t
                     for topic, parts in topics]) +
                struct.pack(">i", ce) + t
                for pid, epoch, commit, ce, topics in markers]) + t
    corr = conn.next_corr()
    hv = 2 if flex else 1
    conn.send(kproto.frame(kproto.encode_request(API_WRITE_TXN_MARKERS, version, corr, body,
                                                 "kb-txlog", header_version=hv)))
    r = kproto.Reader(conn.recv_frame(40))
    assert r.i32() == corr
    if flex:
        r.tags()
    out = {}
    for _ in range(r.array_len(compact=flex)):
        pid = r.i64()
        for _ in range(r.array_len(compact=flex)):
            topic = r.string(compact=flex)
            for _ in range(r.array_len(compact=flex)):
                p, err = r.i32(), r.i16()
                out[(pid, topic, p)] = err
                if flex:
                    r.tags()
            if flex:
                r.tags()
        if flex:
            r.tags()
    if flex:
        r.tags()
    r.end()
    return out


def mark(conn, pid, epoch, commit, coord_epoch, topic, version=0):
    return write_markers(conn, [(pid, epoch, commit, coord_epoch, [(topic, [0])])],
                         version)[(pid, topic, 0)]


def parse_batches(data):
    """[(base, last, attributes, pid, size, max timestamp, epoch, base sequence)] of the whole
    batches in a Records field."""
    out, pos = [], 0
    while data and pos + 61 <= len(data):
        base, length = struct.unpack_from(">qi", data, pos)
        if pos + 12 + length > len(data):
            break
        attrs, lod, _bts, mts, pid, epoch, seq = struct.unpack_from(">hiqqqhi", data, pos + 21)
        out.append((base, base + lod, attrs, pid, 12 + length, mts, epoch, seq))
        pos += 12 + length
    return out


def fetch(conn, topic, offset, isolation, max_wait=0):
    """Fetch v4 of partition 0: {error, hw, lso, aborted (None or [(pid, first)]), batches}."""
    body = struct.pack(">iiiib", -1, max_wait, 1, 1 << 20, isolation) + struct.pack(">i", 1) + \
        kproto.string(topic) + struct.pack(">i", 1) + struct.pack(">iqi", 0, offset, 1 << 20)
    corr = conn.next_corr()
    conn.send(kproto.frame(kproto.encode_request(1, 4, corr, body, "kb-txlog")))
    r = kproto.Reader(conn.recv_frame(max_wait / 1000 + 20))
    assert r.i32() == corr
    r.i32()                               # throttle
    assert r.i32() == 1
    r.string()
    assert r.i32() == 1
    _idx, err, hw, lso = struct.unpack(">ihqq", r.take(22))
    n = r.i32()
    aborted = None if n < 0 else [struct.unpack(">qq", r.take(16)) for _ in range(n)]
    size = r.i32()
    records = r.take(size) if size > 0 else b""
    r.end()
    return {"error": err, "hw": hw, "lso": lso, "aborted": aborted,
            "batches": parse_batches(records)}


def latest(conn, topic, isolation):
    """ListOffsets v2 latest (-1) with an isolation level."""
    body = struct.pack(">ib", -1, isolation) + struct.pack(">i", 1) + kproto.string(topic) + \
        struct.pack(">i", 1) + struct.pack(">iq", 0, -1)
    corr = conn.next_corr()
    conn.send(kproto.frame(kproto.encode_request(2, 2, corr, body, "kb-txlog")))
    r = kproto.Reader(conn.recv_frame(15))
    assert r.i32() == corr
    r.i32()
    assert r.i32() == 1
    r.string()
    assert r.i32() == 1
    _idx, err, _ts, off = struct.unpack(">ihqq", r.take(22))
    r.end()
    assert err == 0
    return off


def consume(bootstrap, topic, isolation, timeout=30):
    """Every value confluent-kafka delivers from partition 0 up to its end (EOF: the LSO for
    read_committed, the HW otherwise)."""
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "txlog-" + uuid.uuid4().hex,
                  "enable.auto.commit": False, "auto.offset.reset": "earliest",
                  "enable.partition.eof": True, "isolation.level": isolation})
    c.assign([TopicPartition(topic, 0, 0)])
    out, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            m = c.poll(1.0)
            if m is None:
                continue
            if m.error():
                if m.error().code() == -191:
                    return out
                raise AssertionError(m.error())
            out.append(m.value())
        raise AssertionError("no partition EOF within %ss" % timeout)
    finally:
        c.close()


def txnindex(broker, topic, base=0):
    path = os.path.join(broker.workdir, "data", "%s-0" % topic, "%020d.txnindex" % base)
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return f.read()


def entry(pid, first, last, lso):
    return struct.pack(">hqqqq", 0, pid, first, last, lso)


def describe_producers(cluster, topic):
    """{producer id: (coordinator epoch, current transaction start offset or None)}."""
    p = subprocess.run([os.path.join(harness.bin_dir(), "kadmin"), "--bootstrap-server",
                        cluster.bootstrap(), "producers", "describe", "--topic", topic,
                        "--partition", "0"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    out = {}
    for line in p.stdout.splitlines()[1:]:
        f = line.split()
        out[int(f[0])] = (int(f[2]), None if f[5] == "None" else int(f[5]))
    return out


# ---- tests -------------------------------------------------------------------------------

def test_lso_abort_commit_and_errors(cluster):
    topic = "txlog-a"
    create(cluster, topic, "min.insync.replicas=2")
    leader = leader_of(cluster, topic)
    follower = next(b for b in cluster.brokers if b is not leader)
    A, B, C = 9001, 9002, 9003
    with leader.conn(20) as c:
        # A's transaction opens at 0; B writes plainly after it.
        assert produce(c, topic, batch(A, 1, 0, [b"a0", b"a1", b"a2"]), "tx-a") == (0, 0)
        assert produce(c, topic, batch(B, 0, 0, [b"b0", b"b1", b"b2"], txn=False)) == (0, 3)
        assert latest(c, topic, 1) == 0
        assert latest(c, topic, 0) == 6
        assert describe_producers(cluster, topic) == {A: (-1, 0), B: (-1, None)}
        f = fetch(c, topic, 0, 1)
        assert (f["error"], f["hw"], f["lso"], f["aborted"], f["batches"]) == (0, 6, 0, [], [])
        f = fetch(c, topic, 0, 0)
        assert f["lso"] == 0 and f["aborted"] is None
        assert [b[0] for b in f["batches"]] == [0, 3]
        # A read_committed long poll at the LSO waits (nothing below it).
        t0 = time.monotonic()
        assert fetch(c, topic, 0, 1, max_wait=600)["batches"] == []
        assert time.monotonic() - t0 >= 0.5
        # Producer-side errors: a transactional batch without a transactional id, a plain
        # batch inside A's transaction, a client's control batch. Nothing is appended.
        assert produce(c, topic, batch(C, 0, 0, [b"x"]))[0] == \
            ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED
        assert produce(c, topic, batch(A, 1, 3, [b"x"], txn=False), "tx-a")[0] == \
            ERR_INVALID_TXN_STATE
        assert produce(c, topic, control_batch(A, 1, False, 5), "tx-a")[0] == ERR_INVALID_RECORD
        assert latest(c, topic, 0) == 6
        # Marker errors, nothing appended either.
        with follower.conn(20) as fc:
            assert mark(fc, A, 1, False, 5, topic) == ERR_NOT_LEADER_OR_FOLLOWER
        assert mark(c, A, 1, False, 5, "txlog-nope") == ERR_UNKNOWN_TOPIC_OR_PARTITION
        assert mark(c, A, 0, False, 5, topic) == ERR_INVALID_PRODUCER_EPOCH
        assert latest(c, topic, 0) == 6
        # ABORT of A at 6 (WriteTxnMarkers v1, flexible): answered once replicated.
        assert mark(c, A, 1, False, 5, topic, version=1) == ERR_NONE
        assert latest(c, topic, 0) == 7
        assert latest(c, topic, 1) == 7
        assert mark(c, A, 1, False, 4, topic) == ERR_TRANSACTION_COORDINATOR_FENCED
        assert latest(c, topic, 0) == 7
        f = fetch(c, topic, 0, 1)
        assert f["lso"] == 7 and f["aborted"] == [(A, 0)]
        assert [(b[0], b[2]) for b in f["batches"]] == [(0, 0x10), (3, 0), (6, 0x30)]
        assert fetch(c, topic, 3, 1)["aborted"] == [(A, 0)]   # overlaps from the middle
        assert fetch(c, topic, 7, 1)["aborted"] == []          # at the LSO
        # C commits at 9: visible to read_committed after the marker.
        assert produce(c, topic, batch(C, 0, 0, [b"c0", b"c1"]), "tx-c") == (0, 7)
        assert latest(c, topic, 1) == 7
        # A read_committed long poll parked at the LSO is woken when the LSO moves.
        result = {}

        def poll():
            with leader.conn(30) as pc:
                t = time.monotonic()
                result["f"] = fetch(pc, topic, 7, 1, max_wait=15000)
                result["s"] = time.monotonic() - t
        th = threading.Thread(target=poll)
        th.start()
        time.sleep(1.0)
        assert mark(c, C, 0, True, 5, topic) == ERR_NONE
        th.join(30)
        assert result["s"] < 10, result
        assert [b[0] for b in result["f"]["batches"]] == [7, 9]
        assert result["f"]["aborted"] == [] and result["f"]["lso"] == 10
        assert latest(c, topic, 1) == 10
        f = fetch(c, topic, 0, 1)
        assert f["lso"] == 10 and f["aborted"] == [(A, 0)]
    committed = consume(cluster.bootstrap(), topic, "read_committed")
    assert committed == [b"b0", b"b1", b"b2", b"c0", b"c1"]
    uncommitted = consume(cluster.bootstrap(), topic, "read_uncommitted")
    assert uncommitted == [b"a0", b"a1", b"a2", b"b0", b"b1", b"b2", b"c0", b"c1"]
    # .txnindex: one entry (A, first 0, marker 6, LSO 7) on every replica.
    want = entry(A, 0, 6, 7)
    for b in cluster.brokers:
        harness.wait_until(lambda: txnindex(b, topic) == want, 15,
                           what=".txnindex of broker %d" % b.broker_id)
    assert describe_producers(cluster, topic) == {A: (5, None), B: (-1, None), C: (5, None)}


def test_failover_and_recovery(cluster):
    topic = "txlog-b"
    create(cluster, topic, "min.insync.replicas=2")
    leader = leader_of(cluster, topic)
    A, D = 9101, 9104
    with leader.conn(20) as c:
        assert produce(c, topic, batch(A, 0, 0, [b"a0", b"a1"]), "tx-a") == (0, 0)
        assert mark(c, A, 0, False, 3, topic) == ERR_NONE                 # 2: ABORT
        assert produce(c, topic, batch(D, 0, 0, [b"d0"]), "tx-d") == (0, 3)   # D open at 3
        assert produce(c, topic, batch(D + 1, 0, 0, [b"p0"], txn=False)) == (0, 4)
        assert latest(c, topic, 1) == 3
        assert fetch(c, topic, 0, 1)["aborted"] == [(A, 0)]
    leader.kill9()
    harness.wait_until(lambda: state(cluster, topic)["leader"] not in (-1, leader.broker_id),
                       30, what="a new leader")
    new = leader_of(cluster, topic)
    with new.conn(20) as c:
        harness.wait_until(lambda: fetch(c, topic, 0, 1)["error"] == 0, 15,
                           what="the new leader serving")
        assert latest(c, topic, 1) == 3            # D's transaction is still open there
        f = fetch(c, topic, 0, 1)
        assert f["lso"] == 3 and f["aborted"] == [(A, 0)]
        # The new leader knows D's transaction: a plain batch of D is refused, its ABORT
        # closes it and is indexed.
        assert produce(c, topic, batch(D, 0, 1, [b"x"], txn=False), "tx-d")[0] == \
            ERR_INVALID_TXN_STATE
        assert mark(c, D, 0, False, 3, topic) == ERR_NONE                 # 5: ABORT
        assert latest(c, topic, 1) == 6
        f = fetch(c, topic, 0, 1)
        assert f["aborted"] == [(A, 0), (D, 3)]
    want = entry(A, 0, 2, 3) + entry(D, 3, 5, 6)
    survivors = [b for b in cluster.brokers if b is not leader]
    for b in survivors:
        harness.wait_until(lambda: txnindex(b, topic) == want, 15,
                           what=".txnindex of broker %d" % b.broker_id)
    # The killed broker's index files go; recovery at its restart rebuilds them from the
    # log, and replication brings the second entry.
    path = os.path.join(leader.workdir, "data", "%s-0" % topic)
    for name in os.listdir(path):
        if name.endswith(".txnindex"):
            os.unlink(os.path.join(path, name))
    leader.restart(cluster.kz)
    harness.wait_until(lambda: leader.broker_id in state(cluster, topic)["isr"], 60,
                       what="the restarted broker back in the ISR")
    harness.wait_until(lambda: txnindex(leader, topic) == want, 15,
                       what="the restarted broker's .txnindex")


def test_marker_batch_and_log_append_time(cluster):
    """The control batch as stored: 78 bytes, attributes 0x30 (0x38 on a LogAppendTime
    topic), the marker's producer id and epoch, baseSequence -1, the leader's clock."""
    for topic, attrs in (("txlog-ct", 0x30), ("txlog-lat", 0x38)):
        cfg = ["message.timestamp.type=LogAppendTime"] if attrs & 0x08 else []
        create(cluster, topic, *cfg)
        leader = leader_of(cluster, topic)
        with leader.conn(20) as c:
            assert produce(c, topic, batch(77, 3, 0, [b"x"]), "tx-77") == (0, 0)
            t0 = int(time.time() * 1000)
            assert mark(c, 77, 3, True, 9, topic) == ERR_NONE
            t1 = int(time.time() * 1000)
            f = fetch(c, topic, 0, 0)
        m = f["batches"][-1]
        assert m[:5] == (1, 1, attrs, 77, 78), m
        assert t0 - 5 <= m[5] <= t1 + 5 and m[6:] == (3, -1), m
