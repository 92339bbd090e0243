"""KIP-890 part 1 on kbroker (fact sheet §B9; server/api/api_produce_verify.c,
server/coordsvc/tverify.c): before a producer's first transactional batch on a partition is
appended, the partition leader asks the transaction coordinator whether the partition is in
the producer's transaction.

* the coordinator on the partition leader's own broker (asked directly) and on another
  broker (AddPartitionsToTxn v4 VerifyOnly over the verification channel): a partition not
  added gets INVALID_TXN_STATE and nothing is appended; once added the batch is appended;
* Produce v11 gets TRANSACTION_ABORTABLE, v10 INVALID_TXN_STATE;
* two transactional producer ids in one request: INVALID_PRODUCER_ID_MAPPING, nothing
  appended;
* an abort marker arriving while the verification is parked (the coordinator's broker
  stopped with SIGSTOP meanwhile): the guard no longer matches, INVALID_TXN_STATE, only the
  marker in the log;
* kbroker.txn.verification.max.entries.per.partition crossed: NOT_ENOUGH_REPLICAS;
* transaction.partition.verification.enable=false: the batch is accepted unverified and the
  partition's last stable offset hangs on it, also after the coordinator aborted the
  transaction on timeout (it never knew the partition): Kafka's hanging transaction before
  KIP-890.
"""
import os
import signal
import threading
import time

import pytest

import harness
import kproto
import ktxn as kt
from conftest import start_cluster

NOT_ENOUGH_REPLICAS = 19
IDS = [851, 852, 853]
CONFIG = {
    "transaction.state.log.num.partitions": "3",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "transaction.abort.timed.out.transaction.cleanup.interval.ms": "300",
    "offsets.topic.num.partitions": "3",
    "offsets.topic.replication.factor": "1",
    "auto.create.topics.enable": "false",
    "auto.leader.rebalance.enable": "false",
    "kbroker.txn.verification.max.entries.per.partition": "2",
}
RETRIABLE = (kt.COORDINATOR_NOT_AVAILABLE, kt.COORDINATOR_LOAD_IN_PROGRESS, kt.NOT_COORDINATOR)


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    yield from start_cluster(tmp_path_factory.mktemp("tv"), zk=zk_server, ids=IDS,
                             chroot="/kb-tv", config=CONFIG, session_timeout_ms=10000)


def make_topic(cluster, name, leaders):
    """A topic whose partition i has the one replica leaders[i] (so its leader is known)."""
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": cluster.bootstrap()})
    fut = admin.create_topics([NewTopic(name, len(leaders), replica_assignment=[[x] for x in leaders])],
                              operation_timeout=20)
    fut[name].result(30)
    for i, want in enumerate(leaders):
        harness.wait_until(lambda i=i, want=want:
                           kt.partition_leader(cluster, name, i).broker_id == want,
                           30, 0.2, "leader of %s-%d" % (name, i))
        kt.latest_offset(cluster, name, i, kt.READ_UNCOMMITTED)  # the leader itself knows


def coordinator_of(cluster, txn_id):
    out = {}

    def ask():
        err, node = kt.find_coordinator(cluster.brokers[0], txn_id)
        if err in RETRIABLE:
            return False
        assert err == kt.NONE, err
        out["b"] = cluster.broker(node)
        return True
    harness.wait_until(ask, 60, 0.2, "the coordinator of %s" % txn_id)
    return out["b"]


def init(cluster, txn_id, timeout_ms=60000):
    out = {}

    def go():
        b = coordinator_of(cluster, txn_id)
        r = kt.call(b, kt.INIT_PRODUCER_ID, 4, {"transactional_id": txn_id,
                                                "transaction_timeout_ms": timeout_ms})
        if r["error_code"] in RETRIABLE + (kt.CONCURRENT_TRANSACTIONS,):
            return False
        assert r["error_code"] == kt.NONE, r
        out["r"] = (b, r["producer_id"], r["producer_epoch"])
        return True
    harness.wait_until(go, 60, 0.2, "InitProducerId(%s)" % txn_id)
    return out["r"]


def add(coord, txn_id, pid, epoch, topic, parts):
    r = kt.call(coord, kt.ADD_PARTITIONS_TO_TXN, 3, {
        "v3_and_below_transactional_id": txn_id, "v3_and_below_producer_id": pid,
        "v3_and_below_producer_epoch": epoch,
        "v3_and_below_topics": [{"name": topic, "partitions": list(parts)}]})
    return {p["partition_index"]: p["partition_error_code"]
            for t in r["results_by_topic_v3_and_below"] for p in t["results_by_partition"]}


def produce_flex(conn, version, txn_id, topic, batches, acks=-1, timeout=30):
    """Produce v9-11 (flexible) of {partition: batch} on one topic: {partition: error}."""
    parts = [kproto.i32(p) + kproto.uvarint(len(b) + 1) + b + kproto.tags()
             for p, b in batches.items()]
    body = (kproto.compact_nullable_string(txn_id) + kproto.i16(acks) + kproto.i32(10000) +
            kproto.compact_array([kproto.compact_string(topic) + kproto.compact_array(parts) +
                                  kproto.tags()]) + kproto.tags())
    corr = conn.next_corr()
    conn.send(kproto.frame(kproto.encode_request(0, version, corr, body, "kb-tv-it",
                                                 header_version=2)))
    r = kproto.Reader(conn.recv_frame(timeout))
    assert r.i32() == corr
    r.tags()
    out = {}

    def part(rr):
        idx, err = rr.i32(), rr.i16()
        rr.i64(), rr.i64(), rr.i64()
        rr.array(lambda x: (x.i32(), x.string(nullable=True, compact=True), x.tags()),
                 compact=True)
        rr.string(nullable=True, compact=True)
        rr.tags()
        out[idx] = err

    def top(rr):
        assert rr.string(compact=True) == topic
        rr.array(part, compact=True)
        rr.tags()
    r.array(top, compact=True)
    return out


def offsets(cluster, topic, part):
    return (kt.latest_offset(cluster, topic, part, kt.READ_COMMITTED),
            kt.latest_offset(cluster, topic, part, kt.READ_UNCOMMITTED))


def test_coordinator_here_and_elsewhere(cluster):
    """The same answers whether the coordinator is the leader's own broker or another."""
    tid = "tv-where"
    coord, pid, epoch = init(cluster, tid)
    other = next(b for b in cluster.brokers if b is not coord)
    topic = "tv-where"
    make_topic(cluster, topic, [coord.broker_id, other.broker_id])
    batch = kt.txn_batch(pid, epoch, 0, [b"a", b"b"])
    for part, leader in ((0, coord), (1, other)):
        with leader.conn(20) as c:
            assert kt.produce_v7(c, tid, topic, part, batch)[0] == kt.INVALID_TXN_STATE
        assert offsets(cluster, topic, part) == (0, 0)
    assert add(coord, tid, pid, epoch, topic, [0, 1]) == {0: kt.NONE, 1: kt.NONE}
    for part, leader in ((0, coord), (1, other)):
        with leader.conn(20) as c:
            assert kt.produce_v7(c, tid, topic, part, batch) == (kt.NONE, 0)
        assert offsets(cluster, topic, part) == (0, 2)   # held back by the open transaction
        # a second batch of the open transaction is not verified again
        with leader.conn(20) as c:
            assert kt.produce_v7(c, tid, topic, part,
                                 kt.txn_batch(pid, epoch, 2, [b"c"])) == (kt.NONE, 2)
    r = kt.call(coord, kt.END_TXN, 3, {"transactional_id": tid, "producer_id": pid,
                                       "producer_epoch": epoch, "committed": True})
    assert r["error_code"] == kt.NONE
    for part in (0, 1):
        harness.wait_until(lambda part=part: offsets(cluster, topic, part) == (4, 4), 20, 0.1,
                           "commit marker on %d" % part)


def test_produce_v10_v11_and_pid_mapping(cluster):
    tid = "tv-versions"
    coord, pid, epoch = init(cluster, tid)
    other = next(b for b in cluster.brokers if b is not coord)
    topic = "tv-versions"
    make_topic(cluster, topic, [other.broker_id, other.broker_id])
    batch = kt.txn_batch(pid, epoch, 0, [b"v"])
    with other.conn(20) as c:
        assert produce_flex(c, 11, tid, topic, {0: batch}) == {0: kt.TRANSACTION_ABORTABLE}
        assert produce_flex(c, 10, tid, topic, {0: batch}) == {0: kt.INVALID_TXN_STATE}
        # two producer ids in one request
        two = {0: batch, 1: kt.txn_batch(pid + 1, 0, 0, [b"w"])}
        assert produce_flex(c, 11, tid, topic, two) == {
            0: kt.INVALID_PRODUCER_ID_MAPPING, 1: kt.INVALID_PRODUCER_ID_MAPPING}
    assert offsets(cluster, topic, 0) == (0, 0) and offsets(cluster, topic, 1) == (0, 0)
    assert add(coord, tid, pid, epoch, topic, [0]) == {0: kt.NONE}
    with other.conn(20) as c:
        assert produce_flex(c, 11, tid, topic, {0: batch}) == {0: kt.NONE}
    assert offsets(cluster, topic, 0) == (0, 1)


def write_marker_v0(conn, pid, epoch, commit, topic, part, coord_epoch):
    """WriteTxnMarkers v0 of one marker, as a coordinator sends it: the partition's error."""
    body = (kproto.i32(1) + kproto.i64(pid) + kproto.i16(epoch) + kproto.boolean(commit) +
            kproto.i32(1) + kproto.string(topic) + kproto.i32(1) + kproto.i32(part) +
            kproto.i32(coord_epoch))
    corr = conn.next_corr()
    conn.send(kproto.frame(kproto.encode_request(27, 0, corr, body, "kb-tv-it")))
    r = kproto.Reader(conn.recv_frame(30))
    assert r.i32() == corr
    assert r.i32() == 1 and r.i64() == pid and r.i32() == 1 and r.string() == topic
    assert r.i32() == 1 and r.i32() == part
    return r.i16()


def test_abort_marker_races_parked_verification(cluster):
    tid = "tv-race"
    coord, pid, epoch = init(cluster, tid)
    other = next(b for b in cluster.brokers if b is not coord)
    topic = "tv-race"
    make_topic(cluster, topic, [other.broker_id])
    assert add(coord, tid, pid, epoch, topic, [0]) == {0: kt.NONE}
    result = {}

    def produce():
        with other.conn(40) as c:
            result["r"] = kt.produce_v7(c, tid, topic, 0, kt.txn_batch(pid, epoch, 0, [b"late"]))
    os.kill(coord.pid, signal.SIGSTOP)   # the verification cannot be answered
    try:
        t = threading.Thread(target=produce)
        t.start()
        time.sleep(1.0)
        assert "r" not in result            # parked
        with other.conn(20) as c:           # the coordinator's abort reaches the leader first
            assert write_marker_v0(c, pid, epoch, False, topic, 0, 0) == kt.NONE
    finally:
        os.kill(coord.pid, signal.SIGCONT)
    t.join(40)
    assert result["r"][0] == kt.INVALID_TXN_STATE, result
    harness.wait_until(lambda: offsets(cluster, topic, 0) == (1, 1), 20, 0.1, "marker only")


def test_entries_limit(cluster):
    """Each refused producer keeps its entry (until a marker or producer.id.expiration.ms);
    the third producer on the partition crosses the limit of 2."""
    topic = "tv-limit"
    coords = []
    for i in range(3):
        coords.append(init(cluster, "tv-limit-%d" % i))
    leader = cluster.brokers[0]
    make_topic(cluster, topic, [leader.broker_id])
    errs = []
    with leader.conn(20) as c:
        for i, (_, pid, epoch) in enumerate(coords):
            errs.append(kt.produce_v7(c, "tv-limit-%d" % i, topic, 0,
                                      kt.txn_batch(pid, epoch, 0, [b"x"]))[0])
    assert errs == [kt.INVALID_TXN_STATE, kt.INVALID_TXN_STATE, NOT_ENOUGH_REPLICAS]
    # a marker for the first producer frees its entry: the third is verified again
    with leader.conn(20) as c:
        assert write_marker_v0(c, coords[0][1], coords[0][2], False, topic, 0, 0) == kt.NONE
        assert kt.produce_v7(c, "tv-limit-2", topic, 0,
                             kt.txn_batch(coords[2][1], coords[2][2], 0, [b"x"]))[0] == \
            kt.INVALID_TXN_STATE


@pytest.fixture(scope="module")
def cluster_off(zk_server, tmp_path_factory):
    cfg = dict(CONFIG, **{"transaction.partition.verification.enable": "false"})
    yield from start_cluster(tmp_path_factory.mktemp("tvoff"), zk=zk_server, ids=[861],
                             chroot="/kb-tvoff", config=cfg, session_timeout_ms=10000)


def test_verification_off_hangs_lso(cluster_off):
    """The batch for partition 0 (never added) is accepted; the transaction (Ongoing with
    partition 1 only) times out and is aborted: partition 1 gets its marker, partition 0
    none, and its last stable offset stays on the batch."""
    c = cluster_off
    tid = "tv-off"
    coord, pid, epoch = init(c, tid, timeout_ms=1000)
    topic = "tv-off"
    make_topic(c, topic, [coord.broker_id, coord.broker_id])
    assert add(coord, tid, pid, epoch, topic, [1]) == {1: kt.NONE}
    with coord.conn(20) as conn:
        assert kt.produce_v7(conn, tid, topic, 0, kt.txn_batch(pid, epoch, 0, [b"h"])) == \
            (kt.NONE, 0)
    assert offsets(c, topic, 0) == (0, 1)
    harness.wait_until(lambda: kt.describe_transaction(c, tid)["transaction_state"] ==
                       "CompleteAbort", 30, 0.2, "the transaction aborted on timeout")
    harness.wait_until(lambda: offsets(c, topic, 1) == (1, 1), 20, 0.1, "abort marker on 1")
    time.sleep(1.0)
    assert offsets(c, topic, 0) == (0, 1)   # still hanging: no marker ever comes


def test_same_id_queued_for_the_coordinator(cluster):
    """§B9 step 3 while the coordinator's broker is stopped: a second question for the same
    transactional id and epoch answers the queued one NETWORK_EXCEPTION (the Produce gets
    NOT_ENOUGH_REPLICAS); a lower epoch gets INVALID_PRODUCER_EPOCH at once; the last one
    queued is answered once the coordinator runs again."""
    tid = "tv-queue"
    init(cluster, tid)
    coord, pid, epoch = init(cluster, tid)      # epoch 1: epoch 0 is now lower
    assert epoch >= 1
    other = next(b for b in cluster.brokers if b is not coord)
    topic = "tv-queue"
    make_topic(cluster, topic, [other.broker_id])
    results = {}

    def produce(name, ep):
        with other.conn(40) as c:
            results[name] = kt.produce_v7(c, tid, topic, 0, kt.txn_batch(pid, ep, 0, [b"q"]))[0]
    threads = []
    os.kill(coord.pid, signal.SIGSTOP)
    try:
        for name in ("p1", "p2", "p3"):
            t = threading.Thread(target=produce, args=(name, epoch))
            t.start()
            threads.append(t)
            time.sleep(0.5)
        produce("low", epoch - 1)               # answered while the coordinator is stopped
        assert results["low"] == kt.INVALID_PRODUCER_EPOCH, results
        assert results.get("p2") == NOT_ENOUGH_REPLICAS, results
        assert "p3" not in results, results
    finally:
        os.kill(coord.pid, signal.SIGCONT)
    for t in threads:
        t.join(40)
    # p1 was in flight (answered by the coordinator) or queued (replaced by p2)
    assert results["p1"] in (kt.INVALID_TXN_STATE, NOT_ENOUGH_REPLICAS), results
    assert results["p3"] == kt.INVALID_TXN_STATE, results
    assert offsets(cluster, topic, 0) == (0, 0)


def test_parked_request_outlives_its_connection(cluster):
    """A Produce parked for its verification whose connection closes: no crash or leak
    (sanitizer build), nothing appended, and the leader keeps serving."""
    tid = "tv-close"
    coord, pid, epoch = init(cluster, tid)
    other = next(b for b in cluster.brokers if b is not coord)
    topic = "tv-close"
    make_topic(cluster, topic, [other.broker_id])
    assert add(coord, tid, pid, epoch, topic, [0]) == {0: kt.NONE}
    batch = kt.txn_batch(pid, epoch, 0, [b"gone"])
    os.kill(coord.pid, signal.SIGSTOP)
    try:
        c = other.conn(20).__enter__()
        body = (kproto.nullable_string(tid) + kproto.i16(-1) + kproto.i32(10000) +
                kproto.i32(1) + kproto.string(topic) + kproto.i32(1) + kproto.i32(0) +
                kproto.i32(len(batch)) + batch)
        c.send(kproto.frame(kproto.encode_request(0, 7, c.next_corr(), body, "kb-tv-it")))
        time.sleep(0.5)
        c.__exit__(None, None, None)            # closed while parked
        time.sleep(0.5)
    finally:
        os.kill(coord.pid, signal.SIGCONT)
    time.sleep(1.0)
    assert offsets(cluster, topic, 0) == (0, 0)
    with other.conn(20) as c:                   # the same write, verified now
        assert kt.produce_v7(c, tid, topic, 0, batch) == (kt.NONE, 0)
    assert offsets(cluster, topic, 0) == (0, 1)
    assert all(b.alive() for b in cluster.brokers)


def test_txn_offset_commit_versions(cluster):
    """TxnOffsetCommit for a group the transaction did not add: v4 keeps
    TRANSACTION_ABORTABLE, v3 gets INVALID_TXN_STATE; nothing pending afterwards (the group
    added, the commit goes through)."""
    import groups_util as gu
    tid, group, topic = "tv-offsets", "tv-offsets-grp", "tv-offsets"
    coord, pid, epoch = init(cluster, tid)
    make_topic(cluster, topic, [coord.broker_id])

    def commit(version):
        r = gu.coord_request(cluster, group, kt.TXN_OFFSET_COMMIT, version, {
            "transactional_id": tid, "group_id": group, "producer_id": pid,
            "producer_epoch": epoch, "topics": [{"name": topic, "partitions": [
                {"partition_index": 0, "committed_offset": 5}]}]})
        return r["topics"][0]["partitions"][0]["error_code"]
    assert commit(4) == kt.TRANSACTION_ABORTABLE
    assert commit(3) == kt.INVALID_TXN_STATE
    r = kt.call(coord, kt.ADD_OFFSETS_TO_TXN, 3, {"transactional_id": tid, "producer_id": pid,
                                                  "producer_epoch": epoch, "group_id": group})
    assert r["error_code"] == kt.NONE, r
    assert commit(4) == kt.NONE
