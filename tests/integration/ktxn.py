"""ktxn — raw transaction requests for the integration tests (issue 13), on kgroup's table
codec: FindCoordinator with key_type 1 (transaction), DescribeTransactions (65) v0,
ListTransactions (66) v0-1 (AddPartitionsToTxn v4+ batched/VerifyOnly too), ListOffsets (2) v2-5 with an isolation level (the last stable
offset), InitProducerId (22) v0-4, AddPartitionsToTxn (24) v0-3, AddOffsetsToTxn (25) v0-4,
EndTxn (26) v0-3, TxnOffsetCommit (28) v0-4, and Produce v7 of one transactional batch
(txn_batch: kafka-python's record builder).
confluent-kafka 2.0.2 and kafka-python 2.0.2 have no transactions admin API.

Layouts from Kafka 3.9's DescribeTransactions/ListTransactions JSON (KIP-664; flexible from
v0; not in the reference sheet) and kafka-schemas.md (ListOffsets, FindCoordinator). Checked
against Apache Kafka 3.9.1 by tests/integration/test_transactions.py in KB_GROUPS_PEER=kafka
mode. `python3 ktxn.py` runs the self-test (hand-made vectors).

The helpers take a cluster with .brokers (each with .alive(), .broker_id, .port, .conn()),
so they serve both harness.Cluster and groups_util's Kafka peer.
"""

import time

import harness
import kgroup
import kproto
from kgroup import F

LIST_OFFSETS, DESCRIBE_TRANSACTIONS, LIST_TRANSACTIONS = 2, 65, 66
INIT_PRODUCER_ID, ADD_PARTITIONS_TO_TXN, ADD_OFFSETS_TO_TXN, END_TXN = 22, 24, 25, 26
TXN_OFFSET_COMMIT = 28
TXN_KEY_TYPE = 1
LATEST = -1
READ_UNCOMMITTED, READ_COMMITTED = 0, 1

# Kafka error codes these tests name (kafka-protocol.md §5).
NONE = 0
NOT_LEADER_OR_FOLLOWER = 6
COORDINATOR_LOAD_IN_PROGRESS = 14
COORDINATOR_NOT_AVAILABLE = 15
NOT_COORDINATOR = 16
LEADER_NOT_AVAILABLE = 5
UNKNOWN_TOPIC_OR_PARTITION = 3
INVALID_PRODUCER_EPOCH = 47
INVALID_TXN_STATE = 48
INVALID_PRODUCER_ID_MAPPING = 49
CONCURRENT_TRANSACTIONS = 51
PRODUCER_FENCED = 90
TRANSACTIONAL_ID_NOT_FOUND = 105
UNSTABLE_OFFSET_COMMIT = 88
INVALID_REQUEST = 42
INVALID_TRANSACTION_TIMEOUT = 50
OPERATION_NOT_ATTEMPTED = 55
TRANSACTION_ABORTABLE = 120
COORD_RETRIABLE = (COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR)
LEADER_RETRIABLE = (NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION)

kgroup.FLEX[DESCRIBE_TRANSACTIONS] = 0
kgroup.REQ[DESCRIBE_TRANSACTIONS] = [F("transactional_ids", ("arr", "str"))]
kgroup.RESP[DESCRIBE_TRANSACTIONS] = [
    F("throttle_time_ms", "i32"),
    F("transaction_states", ("arr", [
        F("error_code", "i16"), F("transactional_id", "str"), F("transaction_state", "str"),
        F("transaction_timeout_ms", "i32"), F("transaction_start_time_ms", "i64"),
        F("producer_id", "i64"), F("producer_epoch", "i16"),
        F("topics", ("arr", [F("topic", "str"), F("partitions", ("arr", "i32"))]))]))]

kgroup.FLEX[LIST_TRANSACTIONS] = 0
kgroup.REQ[LIST_TRANSACTIONS] = [F("state_filters", ("arr", "str"), default=[]),
                                 F("producer_id_filters", ("arr", "i64"), default=[]),
                                 F("duration_filter", "i64", 1, default=-1)]
kgroup.RESP[LIST_TRANSACTIONS] = [
    F("throttle_time_ms", "i32"), F("error_code", "i16"),
    F("unknown_state_filters", ("arr", "str")),
    F("transaction_states", ("arr", [F("transactional_id", "str"), F("producer_id", "i64"),
                                     F("transaction_state", "str")]))]

kgroup.FLEX[LIST_OFFSETS] = 6
kgroup.REQ[LIST_OFFSETS] = [
    F("replica_id", "i32", default=-1), F("isolation_level", "i8", 2, default=0),
    F("topics", ("arr", [F("name", "str"), F("partitions", ("arr", [
        F("partition_index", "i32"), F("current_leader_epoch", "i32", 4, default=-1),
        F("timestamp", "i64"), F("max_num_offsets", "i32", 0, 0, default=1)]))]))]
kgroup.RESP[LIST_OFFSETS] = [
    F("throttle_time_ms", "i32", 2),
    F("topics", ("arr", [F("name", "str"), F("partitions", ("arr", [
        F("partition_index", "i32"), F("error_code", "i16"),
        F("old_style_offsets", ("arr", "i64"), 0, 0),
        F("timestamp", "i64", 1), F("offset", "i64", 1),
        F("leader_epoch", "i32", 4)]))]))]

kgroup.FLEX[INIT_PRODUCER_ID] = 2
kgroup.REQ[INIT_PRODUCER_ID] = [
    F("transactional_id", "str", null_from=0), F("transaction_timeout_ms", "i32"),
    F("producer_id", "i64", 3, default=-1), F("producer_epoch", "i16", 3, default=-1)]
kgroup.RESP[INIT_PRODUCER_ID] = [F("throttle_time_ms", "i32"), F("error_code", "i16"),
                                 F("producer_id", "i64"), F("producer_epoch", "i16")]

_TOPIC_PARTS = [F("name", "str"), F("partitions", ("arr", "i32"))]
_PART_RESULTS = [F("name", "str"), F("results_by_partition", ("arr", [
    F("partition_index", "i32"), F("partition_error_code", "i16")]))]
kgroup.FLEX[ADD_PARTITIONS_TO_TXN] = 3
kgroup.REQ[ADD_PARTITIONS_TO_TXN] = [
    F("transactions", ("arr", [F("transactional_id", "str"), F("producer_id", "i64"),
                               F("producer_epoch", "i16"),
                               F("verify_only", "bool", default=False),
                               F("topics", ("arr", _TOPIC_PARTS))]), 4),
    F("v3_and_below_transactional_id", "str", 0, 3),
    F("v3_and_below_producer_id", "i64", 0, 3),
    F("v3_and_below_producer_epoch", "i16", 0, 3),
    F("v3_and_below_topics", ("arr", _TOPIC_PARTS), 0, 3)]
kgroup.RESP[ADD_PARTITIONS_TO_TXN] = [
    F("throttle_time_ms", "i32"), F("error_code", "i16", 4),
    F("results_by_transaction", ("arr", [F("transactional_id", "str"),
                                         F("topic_results", ("arr", _PART_RESULTS))]), 4),
    F("results_by_topic_v3_and_below", ("arr", _PART_RESULTS), 0, 3)]

kgroup.FLEX[END_TXN] = 3
kgroup.REQ[END_TXN] = [F("transactional_id", "str"), F("producer_id", "i64"),
                       F("producer_epoch", "i16"), F("committed", "bool")]
kgroup.RESP[END_TXN] = [F("throttle_time_ms", "i32"), F("error_code", "i16")]

kgroup.FLEX[ADD_OFFSETS_TO_TXN] = 3
kgroup.REQ[ADD_OFFSETS_TO_TXN] = [F("transactional_id", "str"), F("producer_id", "i64"),
                                  F("producer_epoch", "i16"), F("group_id", "str")]
kgroup.RESP[ADD_OFFSETS_TO_TXN] = [F("throttle_time_ms", "i32"), F("error_code", "i16")]

kgroup.FLEX[TXN_OFFSET_COMMIT] = 3
kgroup.REQ[TXN_OFFSET_COMMIT] = [
    F("transactional_id", "str"), F("group_id", "str"), F("producer_id", "i64"),
    F("producer_epoch", "i16"), F("generation_id", "i32", 3, default=-1),
    F("member_id", "str", 3, default=""),
    F("group_instance_id", "str", 3, null_from=3, default=None),
    F("topics", ("arr", [F("name", "str"), F("partitions", ("arr", [
        F("partition_index", "i32"), F("committed_offset", "i64"),
        F("committed_leader_epoch", "i32", 2, default=-1),
        F("committed_metadata", "str", null_from=0, default=None)]))]))]
kgroup.RESP[TXN_OFFSET_COMMIT] = [
    F("throttle_time_ms", "i32"),
    F("topics", ("arr", [F("name", "str"), F("partitions", ("arr", [
        F("partition_index", "i32"), F("error_code", "i16")]))]))]


# ---- single-broker calls (test_txn_coord.py) ----

def call(broker, api, version, values, timeout=20.0):
    with broker.conn(timeout) as c:
        return kgroup.group_request(c, api, version, values, timeout=timeout)


def find_coordinator(broker, txn_id, version=4, timeout=20.0):
    """(error, node_id) of FindCoordinator key_type 1 for one id."""
    if version >= 4:
        r = call(broker, kgroup.FIND_COORDINATOR, version,
                 {"key_type": 1, "coordinator_keys": [txn_id]}, timeout)
        c = r["coordinators"][0]
        assert c["key"] == txn_id
        return c["error_code"], c["node_id"]
    r = call(broker, kgroup.FIND_COORDINATOR, version, {"key": txn_id, "key_type": 1}, timeout)
    return r["error_code"], r["node_id"]


def java_hash(s):
    """Java String.hashCode over UTF-16 code units, as a signed 32-bit int."""
    h = 0
    data = s.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def partition_for(txn_id, n):
    h = java_hash(txn_id)
    return 0 if h == -(1 << 31) else abs(h) % n


def txn_batch(pid, epoch, seq, values):
    """A magic-2 transactional batch of `values` from producer pid/epoch at sequence seq."""
    from kafka.record.default_records import DefaultRecordBatchBuilder
    b = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=True,
                                  producer_id=pid, producer_epoch=epoch, base_sequence=seq,
                                  batch_size=1 << 20)
    ts = int(time.time() * 1000)
    for i, v in enumerate(values):
        b.append(i, timestamp=ts, key=None, value=v, headers=[])
    return bytes(b.build())


def produce_v7(conn, txn_id, topic, partition, batch, acks=-1):
    """Produce v7 (transactional_id, acks, one topic, one partition): (error, base offset)."""
    body = (kproto.nullable_string(txn_id) + kproto.i16(acks) + kproto.i32(10000) +
            kproto.i32(1) + kproto.string(topic) + kproto.i32(1) + kproto.i32(partition) +
            kproto.i32(len(batch)) + batch)
    corr = conn.next_corr()
    conn.send(kproto.frame(kproto.encode_request(0, 7, corr, body, "kb-txn-it")))
    r = kproto.Reader(conn.recv_frame(20))
    assert r.i32() == corr
    assert r.i32() == 1 and r.string() == topic and r.i32() == 1
    idx, err, base = r.i32(), r.i16(), r.i64()
    r.i64()   # log append time
    r.i64()   # log start offset
    r.i32()   # throttle
    r.end()
    assert idx == partition
    return err, base


def coord_call(cluster, txn_id, api, version, values, timeout=60, retriable=COORD_RETRIABLE):
    """One request to the transaction coordinator of `txn_id`, repeated while its error code
    (top level) is in `retriable`; returns the decoded response."""
    def ask():
        b = find_txn_coordinator(cluster, txn_id, timeout)
        r = _ask(b, api, version, values)
        return r.get("error_code") not in retriable, r
    return retry(ask, timeout, "api %d for %s" % (api, txn_id))


def _live(cluster):
    return [b for b in cluster.brokers if b.alive()]


def _ask(broker, api, version, values, timeout=15.0):
    with broker.conn(timeout) as c:
        return kgroup.group_request(c, api, version, values, timeout=timeout,
                                    client_id="kb-txn-it")


def retry(fn, timeout, what):
    """fn() -> (done, value), retried on connection errors (a broker going down) until done."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            done, value = fn()
            if done:
                return value
            last = value
        except (OSError, harness.ConnClosed, harness.ConnTimeout) as e:
            last = e
        if time.monotonic() > deadline:
            raise AssertionError("%s: not within %ss (last: %r)" % (what, timeout, last))
        time.sleep(0.2)


def find_txn_coordinator(cluster, txn_id, timeout=60, avoid=None):
    """The broker object coordinating transactional id `txn_id` (FindCoordinator v1,
    key_type 1), asking live brokers; retried while the answer is a coordinator error or
    names a dead broker (or broker id `avoid`)."""
    def ask():
        for b in _live(cluster):
            r = _ask(b, kgroup.FIND_COORDINATOR, 1, {"key": txn_id, "key_type": TXN_KEY_TYPE})
            if r["error_code"] != NONE:
                assert r["error_code"] in COORD_RETRIABLE, r
                return False, r
            node = [x for x in cluster.brokers if x.broker_id == r["node_id"]]
            assert node and r["port"] == node[0].port, r
            ok = node[0].alive() and node[0].broker_id != avoid
            return ok, (node[0] if ok else r)
        return False, "no live broker"
    return retry(ask, timeout, "the transaction coordinator of %s" % txn_id)


def describe_transaction(cluster, txn_id, timeout=60):
    """DescribeTransactions v0 at the coordinator: the entry of `txn_id` (a dict with
    error_code, transaction_state, producer_id, producer_epoch, transaction_timeout_ms,
    transaction_start_time_ms, topics [{topic, partitions}]). Retried on coordinator errors;
    other errors (e.g. TRANSACTIONAL_ID_NOT_FOUND) are returned."""
    def ask():
        b = find_txn_coordinator(cluster, txn_id, timeout)
        r = _ask(b, DESCRIBE_TRANSACTIONS, 0, {"transactional_ids": [txn_id]})
        st = r["transaction_states"]
        assert len(st) == 1 and st[0]["transactional_id"] == txn_id, r
        return st[0]["error_code"] not in COORD_RETRIABLE, st[0]
    return retry(ask, timeout, "DescribeTransactions %s" % txn_id)


def list_transactions(cluster, states=(), pids=(), version=1, duration_ms=-1):
    """ListTransactions at every live broker (each lists the transactions it coordinates):
    ({transactional_id: (producer_id, state)}, unknown_state_filters of the first answer).
    A broker answering with an error code fails the call."""
    out, unknown = {}, None
    for b in _live(cluster):
        values = {"state_filters": list(states), "producer_id_filters": list(pids)}
        if version >= 1:
            values["duration_filter"] = duration_ms
        r = _ask(b, LIST_TRANSACTIONS, version, values)
        assert r["error_code"] == NONE, (b.broker_id, r)
        if unknown is None:
            unknown = r["unknown_state_filters"]
        for t in r["transaction_states"]:
            out[t["transactional_id"]] = (t["producer_id"], t["transaction_state"])
    return out, unknown


def partition_leader(cluster, topic, partition, timeout=60):
    """The broker object leading topic-partition (from a live broker's metadata)."""
    def ask():
        b = _live(cluster)[0]
        with b.conn(10) as c:
            md = c.metadata(1, topics=[topic])
        t = [x for x in md["topics"] if x["name"] == topic]
        if not t or t[0]["error_code"] != 0:
            return False, t
        p = [x for x in t[0]["partitions"] if x["partition_index"] == partition]
        if not p or p[0]["leader_id"] < 0:
            return False, p
        node = [x for x in cluster.brokers if x.broker_id == p[0]["leader_id"]]
        return bool(node) and node[0].alive(), (node[0] if node else p)
    return retry(ask, timeout, "the leader of %s-%d" % (topic, partition))


def latest_offset(cluster, topic, partition, isolation=READ_COMMITTED, timeout=30):
    """ListOffsets v4 latest at the partition's leader: with READ_COMMITTED the last stable
    offset, with READ_UNCOMMITTED the high watermark."""
    def ask():
        b = partition_leader(cluster, topic, partition, timeout)
        r = _ask(b, LIST_OFFSETS, 4, {"isolation_level": isolation, "topics": [
            {"name": topic, "partitions": [{"partition_index": partition,
                                            "timestamp": LATEST}]}]})
        p = r["topics"][0]["partitions"][0]
        if p["error_code"] in LEADER_RETRIABLE:
            return False, p
        assert p["error_code"] == NONE, p
        return True, p["offset"]
    return retry(ask, timeout, "ListOffsets %s-%d" % (topic, partition))


def selftest():
    # ListTransactions v1: compact arrays ["Ongoing"], [7], duration -1, empty tags.
    body = kgroup.encode_body(LIST_TRANSACTIONS, 1, {"state_filters": ["Ongoing"],
                                                     "producer_id_filters": [7]})
    assert body == (bytes.fromhex("02") + kproto.compact_string("Ongoing") +
                    bytes.fromhex("02") + kproto.i64(7) + kproto.i64(-1) + b"\x00"), body.hex()
    assert kgroup.encode_body(LIST_TRANSACTIONS, 0, {}) == bytes.fromhex("010100")
    assert kgroup.encode_body(DESCRIBE_TRANSACTIONS, 0, {"transactional_ids": ["t"]}) == \
        bytes.fromhex("02" "0274" "00")
    resp = (kproto.i32(5) + b"\x00" + kproto.i32(0) + bytes.fromhex("02") +
            kproto.i16(0) + kproto.compact_string("t") + kproto.compact_string("Ongoing") +
            kproto.i32(60000) + kproto.i64(123) + kproto.i64(9) + kproto.i16(2) +
            bytes.fromhex("02") + kproto.compact_string("x") + bytes.fromhex("03") +
            kproto.i32(0) + kproto.i32(4) + b"\x00" + b"\x00" + b"\x00")
    d = kgroup.decode_response(DESCRIBE_TRANSACTIONS, 0, resp)
    st = d["transaction_states"][0]
    assert st["transaction_state"] == "Ongoing" and st["producer_epoch"] == 2 and \
        st["topics"] == [{"topic": "x", "partitions": [0, 4]}], d
    # ListOffsets v4: replica -1, isolation 1, one topic, one partition, epoch -1, latest.
    body = kgroup.encode_body(LIST_OFFSETS, 4, {"isolation_level": 1, "topics": [
        {"name": "t", "partitions": [{"partition_index": 3, "timestamp": -1}]}]})
    assert body == (kproto.i32(-1) + b"\x01" + kproto.i32(1) + kproto.string("t") +
                    kproto.i32(1) + kproto.i32(3) + kproto.i32(-1) + kproto.i64(-1)), body.hex()
    return True


if __name__ == "__main__":
    print("ktxn self-test ok: %s" % selftest())
