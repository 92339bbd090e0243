"""The transaction coordinator served by kbroker (server/coordsvc/tsvc.c, server/api/api_txn*.c)
on a 3-broker cluster, through raw requests (ktxn tables on kgroup's codec), confluent-kafka's
transactional producer and kadmin:

* FindCoordinator key_type 1 creates __transaction_state (compact, uncompressed,
  min.insync.replicas, the configured partitions) and names the leader of partition
  abs(javaHash(id)) % n; other brokers answer NOT_COORDINATOR;
* InitProducerId bumps the epoch, AddPartitionsToTxn/EndTxn with the older epoch are fenced
  (PRODUCER_FENCED, INVALID_PRODUCER_EPOCH before v2), state answers (INVALID_TXN_STATE,
  CONCURRENT_TRANSACTIONS, INVALID_PRODUCER_ID_MAPPING), pre-checks (UNKNOWN_TOPIC_OR_PARTITION
  and OPERATION_NOT_ATTEMPTED), v4+ batches with VerifyOnly;
* DescribeTransactions / ListTransactions show the states (filters, UnknownStateFilters);
* a transaction outliving its timeout is aborted by the coordinator (epoch bumped);
* kill -9 of the coordinator's broker: the new coordinator has loaded the state;
* every request limit of common/limits.h crossed.
"""
import os
import subprocess
import time

import pytest

import harness
import kgroup
import ktxn as kt
from conftest import start_cluster
from groups_util import create_topic

TXN_PARTS = 4
TOPIC = "txc"
CONFIG = {
    "transaction.state.log.num.partitions": str(TXN_PARTS),
    "transaction.abort.timed.out.transaction.cleanup.interval.ms": "300",
    "transaction.max.timeout.ms": "120000",
    "offsets.topic.num.partitions": "4",
    "auto.create.topics.enable": "false",
    "auto.leader.rebalance.enable": "false",
    "replica.lag.time.max.ms": "4000",
}
RETRIABLE = (kt.COORDINATOR_NOT_AVAILABLE, kt.COORDINATOR_LOAD_IN_PROGRESS, kt.NOT_COORDINATOR)


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    yield from start_cluster(tmp_path_factory.mktemp("txc"), zk=zk_server, ids=[831, 832, 833],
                             chroot="/kb-txc", config=CONFIG, session_timeout_ms=4000)


@pytest.fixture(scope="module")
def topic(cluster):
    create_topic(cluster, TOPIC, 3)
    return TOPIC


def coordinator(cluster, txn_id, timeout=60):
    """The broker FindCoordinator names for txn_id (retried while the topic is created or
    loading), checked to serve it (InitProducerId not refused as NOT_COORDINATOR)."""
    found = {}

    def ask():
        b = next(x for x in cluster.brokers if x.alive())
        err, node = kt.find_coordinator(b, txn_id)
        if err in RETRIABLE:
            return False
        assert err == kt.NONE, err
        found["b"] = cluster.broker(node)
        return True
    harness.wait_until(ask, timeout, 0.2, "a coordinator for %s" % txn_id)
    return found["b"]


def init_pid(b, txn_id, timeout_ms=60000, version=4, **kw):
    vals = {"transactional_id": txn_id, "transaction_timeout_ms": timeout_ms}
    vals.update(kw)
    return kt.call(b, kt.INIT_PRODUCER_ID, version, vals)


def init_retrying(cluster, txn_id, timeout_ms=60000, **kw):
    """InitProducerId at the coordinator, retried on retriable errors: (broker, pid, epoch)."""
    out = {}

    def go():
        b = coordinator(cluster, txn_id)
        r = init_pid(b, txn_id, timeout_ms, **kw)
        if r["error_code"] in RETRIABLE + (kt.CONCURRENT_TRANSACTIONS,):
            return False
        assert r["error_code"] == kt.NONE, r
        out["r"] = (b, r["producer_id"], r["producer_epoch"])
        return True
    harness.wait_until(go, 60, 0.2, "InitProducerId(%s)" % txn_id)
    return out["r"]


def add_parts(b, txn_id, pid, epoch, parts, version=3):
    """AddPartitionsToTxn v0-3: {(topic, partition): error}."""
    topics = {}
    for t, p in parts:
        topics.setdefault(t, []).append(p)
    r = kt.call(b, kt.ADD_PARTITIONS_TO_TXN, version, {
        "v3_and_below_transactional_id": txn_id, "v3_and_below_producer_id": pid,
        "v3_and_below_producer_epoch": epoch,
        "v3_and_below_topics": [{"name": t, "partitions": ps} for t, ps in topics.items()]})
    return {(t["name"], p["partition_index"]): p["partition_error_code"]
            for t in r["results_by_topic_v3_and_below"] for p in t["results_by_partition"]}


def end_txn(b, txn_id, pid, epoch, commit, version=3):
    return kt.call(b, kt.END_TXN, version, {"transactional_id": txn_id, "producer_id": pid,
                                            "producer_epoch": epoch,
                                            "committed": commit})["error_code"]


def describe(b, *ids):
    r = kt.call(b, kt.DESCRIBE_TRANSACTIONS, 0, {"transactional_ids": list(ids)})
    return r["transaction_states"]


def describe_one(b, txn_id):
    (s,) = describe(b, txn_id)
    assert s["transactional_id"] == txn_id
    return s


def list_txns(b, states=(), pids=(), duration=-1, version=1):
    return kt.call(b, kt.LIST_TRANSACTIONS, version, {"state_filters": list(states),
                                                      "producer_id_filters": list(pids),
                                                      "duration_filter": duration})


def wait_state(cluster, txn_id, states, timeout=30):
    seen = {}

    def check():
        b = coordinator(cluster, txn_id)
        s = describe_one(b, txn_id)
        seen["s"] = s
        return s["error_code"] == kt.NONE and s["transaction_state"] in states
    harness.wait_until(check, timeout, 0.2, "%s in %s (last: %r)" % (txn_id, states, seen))
    return seen["s"]


# ---- Placement and __transaction_state ---------------------------------------------------------

def test_find_coordinator_creates_the_topic(cluster):
    ids = ["place-%d" % i for i in range(8)]
    nodes = {i: coordinator(cluster, i).broker_id for i in ids}
    data, _ = cluster.kz.get("/config/topics/__transaction_state")
    import json
    cfg = json.loads(data.decode())["config"]
    assert cfg["cleanup.policy"] == "compact"
    assert cfg["compression.type"] == "uncompressed"
    assert cfg["min.insync.replicas"] == "2"
    parts = cluster.kz.get_children("/brokers/topics/__transaction_state/partitions")
    assert len(parts) == TXN_PARTS
    for txn_id, node in nodes.items():
        p = kt.partition_for(txn_id, TXN_PARTS)
        state, _ = cluster.kz.get("/brokers/topics/__transaction_state/partitions/%d/state" % p)
        assert json.loads(state.decode())["leader"] == node, txn_id
        # Every broker names the same coordinator, at v1 (single key) too.
        for b in cluster.brokers:
            assert kt.find_coordinator(b, txn_id, version=1) == (kt.NONE, node)
        # The others refuse the id's requests.
        for b in cluster.brokers:
            if b.broker_id != node:
                r = init_pid(b, txn_id)
                assert (r["error_code"], r["producer_id"]) == (kt.NOT_COORDINATOR, -1)
                assert describe_one(b, txn_id)["error_code"] == kt.NOT_COORDINATOR


def test_too_few_brokers_for_the_topic(zk_server, tmp_path_factory):
    """transaction.state.log.replication.factor above the live brokers: FindCoordinator
    answers COORDINATOR_NOT_AVAILABLE and nothing is created (as Kafka)."""
    gen = start_cluster(tmp_path_factory.mktemp("txc1"), zk=zk_server, ids=[841],
                        chroot="/kb-txc1",
                        config={"transaction.state.log.replication.factor": "2"})
    c = next(gen)
    try:
        for _ in range(5):
            assert kt.find_coordinator(c.brokers[0], "lonely") == \
                (kt.COORDINATOR_NOT_AVAILABLE, -1)
            time.sleep(0.2)
        assert not c.kz.exists("/brokers/topics/__transaction_state")
        r = init_pid(c.brokers[0], "lonely")
        assert (r["error_code"], r["producer_id"]) == (kt.NOT_COORDINATOR, -1)
    finally:
        next(gen, None)


# ---- InitProducerId, fencing, state answers ------------------------------------------------------

def test_epochs_and_fencing(cluster, topic):
    b, pid, e0 = init_retrying(cluster, "fence-1")
    assert e0 == 0 and pid >= 0
    r = init_pid(b, "fence-1")
    assert (r["error_code"], r["producer_id"], r["producer_epoch"]) == (kt.NONE, pid, 1)
    # The older epoch is fenced: PRODUCER_FENCED from v2, INVALID_PRODUCER_EPOCH before.
    assert add_parts(b, "fence-1", pid, 0, [(topic, 0)], version=3) == \
        {(topic, 0): kt.PRODUCER_FENCED}
    assert add_parts(b, "fence-1", pid, 0, [(topic, 0)], version=1) == \
        {(topic, 0): kt.INVALID_PRODUCER_EPOCH}
    assert end_txn(b, "fence-1", pid, 0, True, version=1) == kt.INVALID_PRODUCER_EPOCH
    assert end_txn(b, "fence-1", pid, 0, True, version=2) == kt.PRODUCER_FENCED
    # An unknown producer id for the transactional id.
    assert add_parts(b, "fence-1", pid + 1, 1, [(topic, 0)]) == \
        {(topic, 0): kt.INVALID_PRODUCER_ID_MAPPING}
    # Nothing to end in Empty.
    assert end_txn(b, "fence-1", pid, 1, True) == kt.INVALID_TXN_STATE
    # KIP-360: the current epoch as expected bumps it; a retry of that (the previous epoch
    # now) keeps the current one; an older one is fenced.
    r = init_pid(b, "fence-1", producer_id=pid, producer_epoch=1)
    assert (r["error_code"], r["producer_id"], r["producer_epoch"]) == (kt.NONE, pid, 2), r
    r = init_pid(b, "fence-1", producer_id=pid, producer_epoch=1)
    assert (r["error_code"], r["producer_id"], r["producer_epoch"]) == (kt.NONE, pid, 2), r
    r = init_pid(b, "fence-1", producer_id=pid, producer_epoch=0)
    assert (r["error_code"], r["producer_epoch"]) == (kt.PRODUCER_FENCED, -1), r
    r = init_pid(b, "fence-1", version=3, producer_id=pid, producer_epoch=0)
    assert r["error_code"] == kt.INVALID_PRODUCER_EPOCH, r
    # Bad requests before the coordinator.
    for kw, err in [({"transactional_id": ""}, kt.INVALID_REQUEST),
                    ({"transaction_timeout_ms": 0}, kt.INVALID_TRANSACTION_TIMEOUT),
                    ({"transaction_timeout_ms": 120001}, kt.INVALID_TRANSACTION_TIMEOUT)]:
        vals = {"transactional_id": "fence-1", "transaction_timeout_ms": 60000}
        vals.update(kw)
        r = kt.call(b, kt.INIT_PRODUCER_ID, 4, vals)
        assert (r["error_code"], r["producer_id"], r["producer_epoch"]) == (err, -1, -1), kw


def test_ongoing_states_and_answers(cluster, topic):
    b, pid, ep = init_retrying(cluster, "state-1")
    assert end_txn(b, "state-1", pid, ep, False) == kt.INVALID_TXN_STATE  # Empty
    s = describe_one(b, "state-1")
    assert (s["error_code"], s["transaction_state"], s["producer_id"]) == (kt.NONE, "Empty", pid)
    assert s["transaction_start_time_ms"] == -1 and s["topics"] == []
    # An unknown topic or partition: the others are not attempted, nothing is added.
    assert add_parts(b, "state-1", pid, ep, [(topic, 0), (topic, 7), ("nope", 0)]) == {
        (topic, 0): kt.OPERATION_NOT_ATTEMPTED, (topic, 7): kt.UNKNOWN_TOPIC_OR_PARTITION,
        ("nope", 0): kt.UNKNOWN_TOPIC_OR_PARTITION}
    assert describe_one(b, "state-1")["transaction_state"] == "Empty"
    before = int(time.time() * 1000)
    assert add_parts(b, "state-1", pid, ep, [(topic, 1), (topic, 0)]) == \
        {(topic, 0): kt.NONE, (topic, 1): kt.NONE}
    r = kt.call(b, kt.ADD_OFFSETS_TO_TXN, 3, {"transactional_id": "state-1",
                                              "producer_id": pid, "producer_epoch": ep,
                                              "group_id": "state-group"})
    assert r["error_code"] == kt.NONE
    s = describe_one(b, "state-1")
    assert s["transaction_state"] == "Ongoing" and s["producer_epoch"] == ep
    assert s["transaction_timeout_ms"] == 60000
    assert before - 5000 <= s["transaction_start_time_ms"] <= int(time.time() * 1000)
    topics = {t["topic"]: t["partitions"] for t in s["topics"]}
    assert topics[topic] == [0, 1]
    assert len(topics["__consumer_offsets"]) == 1
    # ListTransactions at every broker: only the coordinator lists it.
    for x in cluster.brokers:
        r = list_txns(x, states=["Ongoing", "Bogus"])
        assert r["error_code"] == kt.NONE and r["unknown_state_filters"] == ["Bogus"]
        listed = [t for t in r["transaction_states"] if t["transactional_id"] == "state-1"]
        assert listed == ([{"transactional_id": "state-1", "producer_id": pid,
                            "transaction_state": "Ongoing"}] if x is b else [])
    assert [t for t in list_txns(b, states=["Empty"])["transaction_states"]
            if t["transactional_id"] == "state-1"] == []
    assert [t["transactional_id"] for t in list_txns(b, pids=[pid])["transaction_states"]] == \
        ["state-1"]
    assert list_txns(b, states=["Bogus"])["transaction_states"] == []
    assert "state-1" in [t["transactional_id"] for t in
                         list_txns(b, duration=0)["transaction_states"]]
    assert "state-1" not in [t["transactional_id"] for t in
                             list_txns(b, duration=3600000)["transaction_states"]]
    # InitProducerId on an Ongoing transaction fences it: epoch bump, abort,
    # CONCURRENT_TRANSACTIONS to the caller; the old epoch is fenced.
    r = init_pid(b, "state-1")
    assert r["error_code"] == kt.CONCURRENT_TRANSACTIONS, r
    s = describe_one(b, "state-1")
    assert s["transaction_state"] in ("PrepareAbort", "CompleteAbort")
    assert s["producer_epoch"] == ep + 1
    assert end_txn(b, "state-1", pid, ep, True) == kt.PRODUCER_FENCED


def markers_served(cluster):
    """Whether the partition leaders serve WriteTxnMarkers (the partition side of
    transactions): only then can the coordinator complete a transaction."""
    with next(b for b in cluster.brokers if b.alive()).conn(10) as c:
        return 27 in c.api_versions(0)["api_keys"]


def test_end_txn_answers(cluster, topic):
    b, pid, ep = init_retrying(cluster, "end-1")
    assert add_parts(b, "end-1", pid, ep, [(topic, 2)]) == {(topic, 2): kt.NONE}
    assert end_txn(b, "end-1", pid, ep, True) == kt.NONE   # PrepareCommit replicated
    if not markers_served(cluster):
        # Markers outstanding for good: PrepareCommit with CompleteCommit pending (as Kafka
        # prepares it before sending the markers), so everything is concurrent.
        assert describe_one(b, "end-1")["transaction_state"] == "PrepareCommit"
        assert end_txn(b, "end-1", pid, ep, False) == kt.CONCURRENT_TRANSACTIONS
        assert end_txn(b, "end-1", pid, ep, True) == kt.CONCURRENT_TRANSACTIONS
        assert add_parts(b, "end-1", pid, ep, [(topic, 0)]) == \
            {(topic, 0): kt.CONCURRENT_TRANSACTIONS}
        return
    # The markers are written: CompleteCommit; a retried commit is NONE, an abort invalid.
    s = wait_state(cluster, "end-1", ("CompleteCommit",))
    assert s["topics"] == [] and s["producer_epoch"] == ep
    assert end_txn(b, "end-1", pid, ep, True) == kt.NONE
    assert end_txn(b, "end-1", pid, ep, False) == kt.INVALID_TXN_STATE
    # The next transaction of the same producer.
    assert add_parts(b, "end-1", pid, ep, [(topic, 0)]) == {(topic, 0): kt.NONE}
    assert end_txn(b, "end-1", pid, ep, False) == kt.NONE
    wait_state(cluster, "end-1", ("CompleteAbort",))


def test_verify_only_batches(cluster, topic):
    b, pid, ep = init_retrying(cluster, "verify-1")
    assert add_parts(b, "verify-1", pid, ep, [(topic, 0)]) == {(topic, 0): kt.NONE}

    def batch(version):
        return kt.call(b, kt.ADD_PARTITIONS_TO_TXN, version, {"transactions": [
            {"transactional_id": "verify-1", "producer_id": pid, "producer_epoch": ep,
             "verify_only": True, "topics": [{"name": topic, "partitions": [0, 1]}]},
            {"transactional_id": "verify-1", "producer_id": pid, "producer_epoch": ep + 5,
             "verify_only": True, "topics": [{"name": topic, "partitions": [0]}]},
            {"transactional_id": "verify-unknown", "producer_id": 1, "producer_epoch": 0,
             "verify_only": True, "topics": [{"name": "nope", "partitions": [0]}]},
        ]})

    def errors(res):
        return {(t["name"], p["partition_index"]): p["partition_error_code"]
                for t in res["topic_results"] for p in t["results_by_partition"]}
    for version, abortable in [(5, kt.TRANSACTION_ABORTABLE), (4, kt.INVALID_TXN_STATE)]:
        r = batch(version)
        assert r["error_code"] == kt.NONE
        res = r["results_by_transaction"]
        assert [x["transactional_id"] for x in res] == ["verify-1", "verify-1", "verify-unknown"]
        assert errors(res[0]) == {(topic, 0): kt.NONE, (topic, 1): abortable}
        assert errors(res[1]) == {(topic, 0): kt.PRODUCER_FENCED}
        assert errors(res[2]) == {("nope", 0): kt.UNKNOWN_TOPIC_OR_PARTITION}
    # VerifyOnly added nothing; a v4 add (VerifyOnly false) does.
    assert [t["partitions"] for t in describe_one(b, "verify-1")["topics"]] == [[0]]
    r = kt.call(b, kt.ADD_PARTITIONS_TO_TXN, 4, {"transactions": [
        {"transactional_id": "verify-1", "producer_id": pid, "producer_epoch": ep,
         "verify_only": False, "topics": [{"name": topic, "partitions": [2]}]}]})
    assert [p["partition_error_code"] for p in
            r["results_by_transaction"][0]["topic_results"][0]["results_by_partition"]] == [0]
    assert [t["partitions"] for t in describe_one(b, "verify-1")["topics"]] == [[0, 2]]


def test_describe_unknown_and_list_everywhere(cluster):
    b = coordinator(cluster, "never-seen")
    s = describe(b, "never-seen", "")
    assert [x["error_code"] for x in s] == [kt.TRANSACTIONAL_ID_NOT_FOUND, kt.INVALID_REQUEST]
    for x in cluster.brokers:
        assert list_txns(x, version=0)["error_code"] == kt.NONE


def test_timed_out_transaction_is_aborted(cluster, topic):
    b, pid, ep = init_retrying(cluster, "timeout-1", timeout_ms=1000)
    assert add_parts(b, "timeout-1", pid, ep, [(topic, 0)]) == {(topic, 0): kt.NONE}
    assert describe_one(b, "timeout-1")["transaction_state"] == "Ongoing"
    # transaction.abort.timed.out.transaction.cleanup.interval.ms is 300: the coordinator
    # aborts it by itself, bumping the epoch so the producer is fenced.
    s = wait_state(cluster, "timeout-1", ("PrepareAbort", "CompleteAbort"), timeout=15)
    assert (s["producer_id"], s["producer_epoch"]) == (pid, ep + 1)
    assert end_txn(b, "timeout-1", pid, ep, True) == kt.PRODUCER_FENCED


# ---- Limits --------------------------------------------------------------------------------------

def test_request_limits(cluster, topic):
    b, pid, ep = init_retrying(cluster, "limits-1")
    # Partitions per AddPartitionsToTxn (KB_TXN_REQ_MAX_PARTITIONS = 10000).
    errs = add_parts(b, "limits-1", pid, ep, [(topic, p) for p in range(10001)])
    assert len(errs) == 10001 and set(errs.values()) == {kt.INVALID_REQUEST}
    errs = add_parts(b, "limits-1", pid, ep, [(topic, p) for p in range(10000)])
    assert errs[(topic, 0)] == kt.OPERATION_NOT_ATTEMPTED      # checked, not refused
    assert errs[(topic, 9999)] == kt.UNKNOWN_TOPIC_OR_PARTITION
    assert describe_one(b, "limits-1")["transaction_state"] == "Empty"

    # Transactions per v4+ request (KB_TXN_REQ_MAX_TRANSACTIONS = 1000).
    def batch(n):
        return kt.call(b, kt.ADD_PARTITIONS_TO_TXN, 5, {"transactions": [
            {"transactional_id": "limits-v-%d" % i, "producer_id": 1, "producer_epoch": 0,
             "verify_only": True, "topics": []} for i in range(n)]})
    r = batch(1001)
    assert (r["error_code"], r["results_by_transaction"]) == (kt.INVALID_REQUEST, [])
    r = batch(1000)
    assert r["error_code"] == kt.NONE and len(r["results_by_transaction"]) == 1000
    # Ids per DescribeTransactions (KB_TXN_DESCRIBE_MAX_IDS = 1000).
    s = describe(b, *["limits-d-%d" % i for i in range(1001)])
    assert len(s) == 1001 and {x["error_code"] for x in s} == {kt.INVALID_REQUEST}
    s = describe(b, *["limits-d-%d" % i for i in range(1000)])
    assert {x["error_code"] for x in s} <= {kt.TRANSACTIONAL_ID_NOT_FOUND, kt.NOT_COORDINATOR}
    # Filters per ListTransactions (KB_TXN_LIST_MAX_FILTERS = 1000, states + producer ids).
    r = list_txns(b, states=["Ongoing"] * 500, pids=list(range(501)))
    assert (r["error_code"], r["transaction_states"]) == (kt.INVALID_REQUEST, [])
    r = list_txns(b, states=["Ongoing"] * 500, pids=list(range(500)))
    assert r["error_code"] == kt.NONE


DELETE_RECORDS = 21
kgroup.FLEX[DELETE_RECORDS] = 2
kgroup.REQ[DELETE_RECORDS] = [
    kt.F("topics", ("arr", [kt.F("name", "str"), kt.F("partitions", ("arr", [
        kt.F("partition_index", "i32"), kt.F("offset", "i64")]))])),
    kt.F("timeout_ms", "i32")]
kgroup.RESP[DELETE_RECORDS] = [
    kt.F("throttle_time_ms", "i32"),
    kt.F("topics", ("arr", [kt.F("name", "str"), kt.F("partitions", ("arr", [
        kt.F("partition_index", "i32"), kt.F("low_watermark", "i64"),
        kt.F("error_code", "i16")]))]))]


def test_internal_topics_refused_to_clients(cluster, topic):
    """As Kafka: clients may not append to an internal topic (INVALID_TOPIC_EXCEPTION, unless
    the client id is "__admin_client"), delete its records (INVALID_TOPIC_EXCEPTION) or add
    it to a transaction (AddPartitionsToTxn v0-3: TOPIC_AUTHORIZATION_FAILED, the other
    partitions OPERATION_NOT_ATTEMPTED), with no authorizer configured."""
    from confluent_kafka import KafkaError, Producer
    b, pid, ep = init_retrying(cluster, "internal-1")   # __transaction_state exists from here
    internal = "__transaction_state"

    def produce(client_id):
        out = []
        p = Producer({"bootstrap.servers": cluster.bootstrap(), "client.id": client_id,
                      "message.timeout.ms": 20000, "retries": 0})
        p.produce(internal, b"not a transaction record", key=b"k", partition=0,
                  on_delivery=lambda err, msg: out.append(err))
        p.flush(30)
        assert len(out) == 1
        return out[0]
    err = produce("kb-it")
    assert err is not None and err.code() == KafkaError.TOPIC_EXCEPTION, err
    assert produce("__admin_client") is None       # Kafka's own tools may (AdminUtils)

    leader = kt.partition_leader(cluster, internal, 0)
    r = kt.call(leader, DELETE_RECORDS, 1, {"topics": [{"name": internal, "partitions": [
        {"partition_index": 0, "offset": -1}]}], "timeout_ms": 5000})
    assert r["topics"][0]["partitions"][0]["error_code"] == 17, r   # INVALID_TOPIC_EXCEPTION

    res = add_parts(b, "internal-1", pid, ep, [(internal, 0), (topic, 0)])
    assert res[(internal, 0)] == 29, res            # TOPIC_AUTHORIZATION_FAILED
    assert res[(topic, 0)] == 55, res               # OPERATION_NOT_ATTEMPTED
    assert add_parts(b, "internal-1", pid, ep, [(topic, 1)]) == {(topic, 1): 0}
    assert all(x.alive() for x in cluster.brokers)


def test_closed_connections_leave_no_dangling_handle(cluster, topic):
    """Requests the coordinator answers later, on connections closed before the answer: the
    broker must neither crash nor leak (ASan checks at teardown)."""
    b, pid, ep = init_retrying(cluster, "closed-1")
    for i in range(30):
        c = b.conn(10)
        for api, version, vals in [
                (kt.INIT_PRODUCER_ID, 4, {"transactional_id": "closed-1",
                                          "transaction_timeout_ms": 60000}),
                (kt.ADD_PARTITIONS_TO_TXN, 3, {
                    "v3_and_below_transactional_id": "closed-1",
                    "v3_and_below_producer_id": pid, "v3_and_below_producer_epoch": ep + i,
                    "v3_and_below_topics": [{"name": topic, "partitions": [0]}]}),
                (kt.END_TXN, 3, {"transactional_id": "closed-1", "producer_id": pid,
                                 "producer_epoch": ep + i, "committed": False})]:
            kgroup.send(c, api, version, vals)
        c.close()
    wait_state(cluster, "closed-1", ("Empty", "Ongoing", "PrepareAbort", "CompleteAbort"))
    for x in cluster.brokers:
        assert x.alive()


# ---- A real client -------------------------------------------------------------------------------

def test_confluent_kafka_init_and_fencing(cluster, topic):
    from confluent_kafka import KafkaException, Producer
    conf = {"bootstrap.servers": cluster.bootstrap(), "transactional.id": "ck-fence",
            "transaction.timeout.ms": 30000}
    p1 = Producer(conf)
    p1.init_transactions(60)
    b = coordinator(cluster, "ck-fence")
    s1 = describe_one(b, "ck-fence")
    assert (s1["transaction_state"], s1["transaction_timeout_ms"]) == ("Empty", 30000)
    p2 = Producer(conf)
    p2.init_transactions(60)    # bumps the epoch: p1 is fenced
    s2 = describe_one(b, "ck-fence")
    assert (s2["producer_id"], s2["producer_epoch"]) == (s1["producer_id"],
                                                        s1["producer_epoch"] + 1)
    p1.begin_transaction()
    p1.produce(topic, key=b"k", value=b"v", partition=0)
    with pytest.raises(KafkaException) as e:
        p1.commit_transaction(30)
    assert e.value.args[0].fatal(), e.value.args[0]
    p2.begin_transaction()      # p2 still holds the id
    p2.abort_transaction(30)
    assert describe_one(b, "ck-fence")["producer_epoch"] == s2["producer_epoch"]


def test_confluent_kafka_commit_and_abort(cluster, topic):
    """A transactional producer's commit is visible to a read_committed consumer, its abort
    is not (needs the partition side: WriteTxnMarkers, LSO)."""
    if not markers_served(cluster):
        pytest.skip("the partition leaders do not serve WriteTxnMarkers yet")
    from confluent_kafka import Consumer, Producer, TopicPartition
    p = Producer({"bootstrap.servers": cluster.bootstrap(), "transactional.id": "ck-commit"})
    p.init_transactions(60)
    p.begin_transaction()
    for i in range(30):
        p.produce(topic, key=b"c%d" % i, value=b"committed-%d" % i, partition=i % 3)
    p.commit_transaction(60)
    wait_state(cluster, "ck-commit", ("CompleteCommit",))
    p.begin_transaction()
    for i in range(20):
        p.produce(topic, key=b"a%d" % i, value=b"aborted-%d" % i, partition=i % 3)
    p.flush(30)
    p.abort_transaction(60)
    wait_state(cluster, "ck-commit", ("CompleteAbort",))
    c = Consumer({"bootstrap.servers": cluster.bootstrap(), "group.id": "ck-read",
                  "isolation.level": "read_committed", "enable.auto.commit": False,
                  "enable.partition.eof": True})
    c.assign([TopicPartition(topic, i, 0) for i in range(3)])
    values, eofs, deadline = [], set(), time.time() + 60
    while len(eofs) < 3 and time.time() < deadline:
        m = c.poll(1.0)
        if m is None:
            continue
        if m.error():
            eofs.add(m.partition())
            continue
        values.append(m.value())
    c.close()
    assert len(eofs) == 3
    assert sorted(v for v in values if v.startswith(b"committed-")) == \
        sorted(b"committed-%d" % i for i in range(30))
    assert not [v for v in values if v.startswith(b"aborted-")]


# ---- kadmin -------------------------------------------------------------------------------------

def kadmin(cluster, *args, zk=False, expect=0):
    mode = ["--zookeeper", cluster.zk.connect + "/kb-txc"] if zk else \
        ["--bootstrap-server", cluster.bootstrap()]
    p = subprocess.run([os.path.join(harness.bin_dir(), "kadmin"), "--timeout-ms", "30000"] +
                       mode + list(args), capture_output=True, text=True, timeout=90)
    assert p.returncode == expect, (args, p.returncode, p.stdout, p.stderr)
    return p


def rows(text):
    lines = [line.split() for line in text.splitlines() if line.strip()]
    return lines[0], lines[1:]


def test_kadmin_transactions(cluster, topic):
    b, pid, ep = init_retrying(cluster, "kadmin-1")
    assert add_parts(b, "kadmin-1", pid, ep, [(topic, 1), (topic, 0)]) == \
        {(topic, 0): kt.NONE, (topic, 1): kt.NONE}
    _, pid2, _ = init_retrying(cluster, "kadmin-2")
    for zk in (False, True):
        head, body = rows(kadmin(cluster, "transactions", "list", zk=zk).stdout)
        assert head == ["TransactionalId", "Coordinator", "ProducerId", "TransactionState"]
        listed = {r[0]: r[1:] for r in body}
        assert listed["kadmin-1"] == [str(b.broker_id), str(pid), "Ongoing"]
        assert listed["kadmin-2"] == [str(coordinator(cluster, "kadmin-2").broker_id),
                                      str(pid2), "Empty"]
        head, body = rows(kadmin(cluster, "transactions", "describe", "kadmin-1", zk=zk).stdout)
        assert head == ["CoordinatorId", "TransactionalId", "ProducerId", "ProducerEpoch",
                        "TransactionState", "TransactionTimeoutMs",
                        "CurrentTransactionStartTimeMs", "TransactionDurationMs",
                        "TopicPartitions"]
        (row,) = body
        assert row[:6] == [str(b.broker_id), "kadmin-1", str(pid), str(ep), "Ongoing", "60000"]
        assert int(row[6]) > 0 and int(row[7]) >= 0
        assert row[8] == "%s-0,%s-1" % (topic, topic)
    p = kadmin(cluster, "transactions", "describe", "kadmin-none", expect=1)
    assert "TRANSACTIONAL_ID_NOT_FOUND" in p.stderr
    kadmin(cluster, "transactions", "frobnicate", expect=2)


def test_kadmin_transactions_abort(cluster):
    """kadmin transactions abort ends a hanging transaction on a partition (an ABORT marker
    written at the leader, as kafka-transactions.sh abort does): the LSO moves past it and a
    read_committed reader skips its records."""
    t = "tc-abort"
    create_topic(cluster, t, 1)
    init_retrying(cluster, "kadmin-abort")
    b, pid, ep = init_retrying(cluster, "kadmin-abort")      # epoch >= 1: an older one exists
    assert ep >= 1
    assert add_parts(b, "kadmin-abort", pid, ep, [(t, 0)]) == {(t, 0): kt.NONE}
    leader = kt.partition_leader(cluster, t, 0)
    with leader.conn(20) as c:
        err, base = kt.produce_v7(c, "kadmin-abort", t, 0,
                                  kt.txn_batch(pid, ep, 0, [b"a", b"b", b"c"]))
    assert (err, base) == (kt.NONE, 0)
    assert kt.latest_offset(cluster, t, 0, kt.READ_COMMITTED) == 0
    assert kt.latest_offset(cluster, t, 0, kt.READ_UNCOMMITTED) == 3
    p = kadmin(cluster, "transactions", "abort", "--topic", t, "--partition", "0",
               "--start-offset", "1", expect=1)
    assert "no open transaction starts at offset 1" in p.stderr
    kadmin(cluster, "transactions", "abort", "--topic", t, "--partition", "0", expect=2)
    p = kadmin(cluster, "transactions", "abort", "--topic", t, "--partition", "0",
               "--producer-id", str(pid), "--producer-epoch", str(ep - 1),
               "--coordinator-epoch", "0", expect=1)     # an older epoch: refused by the leader
    assert "INVALID_PRODUCER_EPOCH" in p.stderr
    assert kt.latest_offset(cluster, t, 0, kt.READ_COMMITTED) == 0
    p = kadmin(cluster, "transactions", "abort", "--topic", t, "--partition", "0",
               "--start-offset", "0")
    assert "Aborted the transaction of producer %d" % pid in p.stdout
    assert kt.latest_offset(cluster, t, 0, kt.READ_COMMITTED) == 4     # 3 records + marker
    assert kt.latest_offset(cluster, t, 0, kt.READ_UNCOMMITTED) == 4
    p = kadmin(cluster, "transactions", "abort", "--topic", t, "--partition", "0",
               "--start-offset", "0", expect=1)     # nothing open any more
    assert end_txn(b, "kadmin-abort", pid, ep, False) == kt.NONE


# ---- Failover (last: it kills a broker) -----------------------------------------------------------

def test_coordinator_failover_loads_the_state(cluster, topic):
    b, pid, ep = init_retrying(cluster, "fail-ongoing")
    assert add_parts(b, "fail-ongoing", pid, ep, [(topic, 0), (topic, 1)]) == \
        {(topic, 0): kt.NONE, (topic, 1): kt.NONE}
    # A second id on the same coordinator, committed (PrepareCommit until markers complete).
    other = next("fail-commit-%d" % i for i in range(1000)
                 if coordinator(cluster, "fail-commit-%d" % i).broker_id == b.broker_id)
    _, pid2, ep2 = init_retrying(cluster, other)
    assert add_parts(b, other, pid2, ep2, [(topic, 2)]) == {(topic, 2): kt.NONE}
    assert end_txn(b, other, pid2, ep2, True) == kt.NONE
    before = {x: describe_one(b, x) for x in ("fail-ongoing", other)}
    t0 = time.time()
    b.kill9()
    try:
        def moved():
            for x in cluster.brokers:
                if x is b:
                    continue
                err, node = kt.find_coordinator(x, "fail-ongoing")
                if err == kt.NONE and node != b.broker_id:
                    return describe_one(cluster.broker(node), "fail-ongoing")["error_code"] \
                        == kt.NONE
            return False
        harness.wait_until(moved, 60, 0.2, "a new coordinator for fail-ongoing")
        print("txn coordinator kill -9: state served by the new coordinator %.1f s after the "
              "kill" % (time.time() - t0))
        nb = coordinator(cluster, "fail-ongoing")
        assert nb is not b
        s = describe_one(nb, "fail-ongoing")
        for k in ("transaction_state", "producer_id", "producer_epoch", "topics",
                  "transaction_start_time_ms", "transaction_timeout_ms"):
            assert s[k] == before["fail-ongoing"][k], k
        s = wait_state(cluster, other, ("CompleteCommit",) if markers_served(cluster)
                       else ("PrepareCommit", "CompleteCommit"))
        assert (s["producer_id"], s["producer_epoch"]) == (pid2, ep2)
        assert s["transaction_state"] in ("PrepareCommit", "CompleteCommit")
        # The producer carries on with the new coordinator.
        assert end_txn(nb, "fail-ongoing", pid, ep, False) == kt.NONE
        assert describe_one(nb, "fail-ongoing")["transaction_state"] in ("PrepareAbort",
                                                                         "CompleteAbort")
    finally:
        b.restart(cluster.kz)
