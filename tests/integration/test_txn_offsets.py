"""Transactional offset commits (TxnOffsetCommit, key 28) at the group coordinator, with raw
requests (kgroup's codec, extended here with TxnOffsetCommit and WriteTxnMarkers from
/work/shared/reference/kafka-schemas.md).

* test_pending_until_marker_and_replayed: a TxnOffsetCommit is answered once replicated but
  its offsets stay invisible to OffsetFetch; RequireStable (OffsetFetch v7) gets
  UNSTABLE_OFFSET_COMMIT for them; unknown topics, fenced producer epochs, v3 member checks,
  NOT_COORDINATOR and INVALID_GROUP_ID; after kill -9 of the coordinator the new one replays
  __consumer_offsets and keeps the same offsets pending (transactional batches are not read
  as plain commits).
* test_markers_commit_and_abort: a COMMIT marker (WriteTxnMarkers on the __consumer_offsets
  partition) makes the producer's offsets visible — except where a later plain OffsetCommit
  is newer in the log — and an ABORT marker drops them. Needs the WriteTxnMarkers handler
  (skipped while the broker does not advertise key 27).

With KB_GROUPS_PEER=kafka the same assertions run against Apache Kafka 3.9.1. Both run with
transaction.partition.verification.enable=false: the producer ids are made up.
"""
import groups_util as gu
import harness
import kgroup as kg
import pytest

from kgroup import F

TXN_OFFSET_COMMIT, WRITE_TXN_MARKERS = 28, 27
INVALID_PRODUCER_EPOCH, UNSTABLE_OFFSET_COMMIT = 47, 88

# Kafka 3.9's TxnOffsetCommit v0-4 (flexible 3+) and WriteTxnMarkers v0-1 (flexible 1+).
kg.FLEX[TXN_OFFSET_COMMIT] = 3
kg.REQ[TXN_OFFSET_COMMIT] = [
    F("transactional_id", "str"), F("group_id", "str"), F("producer_id", "i64"),
    F("producer_epoch", "i16"), F("generation_id", "i32", 3, default=-1),
    F("member_id", "str", 3, default=""),
    F("group_instance_id", "str", 3, null_from=3, default=None),
    F("topics", ("arr", [F("name", "str"), F("partitions", ("arr", [
        F("partition_index", "i32"), F("committed_offset", "i64"),
        F("committed_leader_epoch", "i32", 2, default=-1),
        F("committed_metadata", "str", null_from=0, default="")]))]))]
kg.RESP[TXN_OFFSET_COMMIT] = [
    F("throttle_time_ms", "i32"),
    F("topics", ("arr", [F("name", "str"), F("partitions", ("arr", [
        F("partition_index", "i32"), F("error_code", "i16")]))]))]
kg.FLEX[WRITE_TXN_MARKERS] = 1
kg.REQ[WRITE_TXN_MARKERS] = [
    F("markers", ("arr", [F("producer_id", "i64"), F("producer_epoch", "i16"),
                          F("transaction_result", "bool"),
                          F("topics", ("arr", [F("name", "str"),
                                               F("partition_indexes", ("arr", "i32"))])),
                          F("coordinator_epoch", "i32")]))]
kg.RESP[WRITE_TXN_MARKERS] = [
    F("markers", ("arr", [F("producer_id", "i64"), F("topics", ("arr", [
        F("name", "str"), F("partitions", ("arr", [F("partition_index", "i32"),
                                                  F("error_code", "i16")]))]))]))]

TOPIC, GROUP = "txoff", "txoff-group"
PID, PID_ABORT = 4242, 4343


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    # Raw requests with producer ids no transaction coordinator knows: KIP-890 verification
    # off (kbroker verifies too since kip890; test_txn_verify.py covers it being on).
    config = {"offsets.topic.num.partitions": "1",
              "transaction.partition.verification.enable": "false"}
    yield from gu.group_cluster(tmp_path_factory, zk_server, "kb-txoff", [481, 482, 483],
                                config=config)


def txn_commit(c, version, pid, epoch, parts, group=GROUP, topic=TOPIC, **kw):
    """{(topic, partition): error} of one TxnOffsetCommit; parts = [(partition, offset)]."""
    r = kg.group_request(c, TXN_OFFSET_COMMIT, version, dict({
        "transactional_id": "txoff-tx", "group_id": group, "producer_id": pid,
        "producer_epoch": epoch,
        "topics": [{"name": topic, "partitions": [
            {"partition_index": p, "committed_offset": o, "committed_metadata": "md%d" % o}
            for p, o in parts]}]}, **kw))
    return {(t["name"], p["partition_index"]): p["error_code"]
            for t in r["topics"] for p in t["partitions"]}


def fetch(c, stable, topics=((TOPIC, (0, 1)),)):
    """{(topic, partition): (offset, error)} from OffsetFetch v7; topics None: all."""
    req = None if topics is None else [{"name": t, "partition_indexes": list(ps)}
                                       for t, ps in topics]
    r = kg.group_request(c, kg.OFFSET_FETCH, 7, {"group_id": GROUP, "topics": req,
                                                 "require_stable": stable})
    assert r["error_code"] == kg.NONE, r
    return {(t["name"], p["partition_index"]): (p["committed_offset"], p["error_code"])
            for t in r["topics"] for p in t["partitions"]}


def at_coordinator(cluster, fn, timeout=60):
    """fn(conn) at the group's coordinator, retried while the coordinator moves or loads."""
    out = []

    def attempt():
        b = gu.find_coordinator(cluster, GROUP, timeout)
        try:
            with b.conn(20) as c:
                out.append(fn(c))
            return True
        except RetryCoordinator:
            return False
    harness.wait_until(attempt, timeout, 0.2, "an answer from the coordinator of " + GROUP)
    return out[-1]


class RetryCoordinator(Exception):
    pass


def settled_fetch(stable):
    def fn(c):
        r = fetch(c, stable)
        if any(e in gu.RETRIABLE for _, e in r.values()):
            raise RetryCoordinator()
        return r
    return fn


def test_pending_until_marker_and_replayed(cluster):
    gu.create_topic(cluster, TOPIC, 3)
    coord = gu.find_coordinator(cluster, GROUP)
    with coord.conn(20) as c:
        r = txn_commit(c, 2, PID, 3, [(0, 10), (1, 11)])
        assert r == {(TOPIC, 0): kg.NONE, (TOPIC, 1): kg.NONE}
        assert txn_commit(c, 2, PID, 3, [(0, 1)], topic="txoff-nosuch") == \
            {("txoff-nosuch", 0): kg.UNKNOWN_TOPIC_OR_PARTITION}
        # Pending: invisible, and unstable for RequireStable.
        assert fetch(c, False) == {(TOPIC, 0): (-1, kg.NONE), (TOPIC, 1): (-1, kg.NONE)}
        assert fetch(c, True) == {(TOPIC, 0): (-1, UNSTABLE_OFFSET_COMMIT),
                                  (TOPIC, 1): (-1, UNSTABLE_OFFSET_COMMIT)}
        assert fetch(c, True, topics=None) == {}
        # A zombie with an older epoch of the same producer is fenced by the append.
        assert txn_commit(c, 2, PID, 2, [(2, 12)]) == {(TOPIC, 2): INVALID_PRODUCER_EPOCH}
        assert fetch(c, True, topics=((TOPIC, (2,)),)) == {(TOPIC, 2): (-1, kg.NONE)}
        # v3 with group metadata is checked like OffsetCommit (the group has no members).
        assert txn_commit(c, 3, PID, 3, [(0, 13)], generation_id=5, member_id="m") == \
            {(TOPIC, 0): kg.UNKNOWN_MEMBER_ID}
        # A plain commit of partition 1 after the transactional one: visible at once, and
        # still unstable while the transaction is open.
        r = kg.group_request(c, kg.OFFSET_COMMIT, 7, {
            "group_id": GROUP, "generation_id": -1, "member_id": "",
            "topics": [{"name": TOPIC, "partitions": [
                {"partition_index": 1, "committed_offset": 50}]}]})
        assert r["topics"][0]["partitions"][0]["error_code"] == kg.NONE, r
        assert fetch(c, False) == {(TOPIC, 0): (-1, kg.NONE), (TOPIC, 1): (50, kg.NONE)}
        assert fetch(c, True) == {(TOPIC, 0): (-1, UNSTABLE_OFFSET_COMMIT),
                                  (TOPIC, 1): (-1, UNSTABLE_OFFSET_COMMIT)}
        assert txn_commit(c, 2, PID, 3, [(0, 1)], group="") == {(TOPIC, 0): kg.INVALID_GROUP_ID}
    other = next(b for b in cluster.brokers if b is not coord)
    with other.conn(20) as c:
        assert txn_commit(c, 4, PID, 3, [(0, 1)]) == {(TOPIC, 0): kg.NOT_COORDINATOR}
        # Unknown topics are refused before the coordinator check, by any broker.
        assert txn_commit(c, 4, PID, 3, [(0, 1)], topic="txoff-nosuch") == \
            {("txoff-nosuch", 0): kg.UNKNOWN_TOPIC_OR_PARTITION}

    # A new coordinator replays the partition: the same offsets are pending there.
    coord.kill9()
    assert at_coordinator(cluster, settled_fetch(False)) == \
        {(TOPIC, 0): (-1, kg.NONE), (TOPIC, 1): (50, kg.NONE)}
    assert at_coordinator(cluster, settled_fetch(True)) == \
        {(TOPIC, 0): (-1, UNSTABLE_OFFSET_COMMIT), (TOPIC, 1): (-1, UNSTABLE_OFFSET_COMMIT)}
    coord.restart(cluster.kz)


def eventually(c, stable, want, timeout=10):
    """Kafka completes the offsets of a marker on its scheduler: allow it a moment."""
    seen = []
    harness.wait_until(lambda: seen.append(fetch(c, stable)) or seen[-1] == want, timeout,
                       0.05, "OffsetFetch answering %s (last: %s)" % (want, seen[-1:]))


def marker(c, pid, epoch, commit):
    r = kg.group_request(c, WRITE_TXN_MARKERS, 1, {"markers": [{
        "producer_id": pid, "producer_epoch": epoch, "transaction_result": commit,
        "topics": [{"name": "__consumer_offsets", "partition_indexes": [0]}],
        "coordinator_epoch": 0}]})
    return r["markers"][0]["topics"][0]["partitions"][0]["error_code"]


def test_markers_commit_and_abort(cluster):
    coord = gu.find_coordinator(cluster, GROUP)
    with coord.conn(20) as c:
        if WRITE_TXN_MARKERS not in c.api_versions(0)["api_keys"]:
            pytest.skip("WriteTxnMarkers is not served yet (helper txlog's handler)")
    with coord.conn(20) as c:
        # The open transaction of the first test: COMMIT. Partition 0 gets its offset;
        # partition 1 keeps the plain commit that came later in the log.
        assert marker(c, PID, 3, True) == kg.NONE
    assert at_coordinator(cluster, settled_fetch(True)) == \
        {(TOPIC, 0): (10, kg.NONE), (TOPIC, 1): (50, kg.NONE)}
    coord = gu.find_coordinator(cluster, GROUP)
    with coord.conn(20) as c:
        assert txn_commit(c, 3, PID_ABORT, 0, [(0, 70), (1, 71)]) == \
            {(TOPIC, 0): kg.NONE, (TOPIC, 1): kg.NONE}
        assert fetch(c, True)[(TOPIC, 0)] == (-1, UNSTABLE_OFFSET_COMMIT)
        assert marker(c, PID_ABORT, 0, False) == kg.NONE
        eventually(c, True, {(TOPIC, 0): (10, kg.NONE), (TOPIC, 1): (50, kg.NONE)})
        assert txn_commit(c, 3, PID_ABORT, 0, [(1, 72)]) == {(TOPIC, 1): kg.NONE}
        assert marker(c, PID_ABORT, 0, True) == kg.NONE
        eventually(c, True, {(TOPIC, 0): (10, kg.NONE), (TOPIC, 1): (72, kg.NONE)})
    # The same state after a replay.
    coord.kill9()
    assert at_coordinator(cluster, settled_fetch(True)) == \
        {(TOPIC, 0): (10, kg.NONE), (TOPIC, 1): (72, kg.NONE)}
    coord.restart(cluster.kz)
