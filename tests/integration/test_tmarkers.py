"""The transaction marker channel (server/coordsvc/tmarkers.c) end to end, one 3-broker
cluster (chroot /kb-tmark, ZooKeeper tick 500 ms, broker sessions 10 s, replica.lag.time.max.ms
4 s; __transaction_state with 5 partitions, RF 3, min.isr 2). Producers are confluent-kafka transactional producers;
what the markers did is read back with read_committed and read_uncommitted consumers and the
partitions' watermarks (each marker is one offset a consumer never returns), independently of
the coordinator.

1. Markers reach every leader: a topic whose 6 partitions are led by all 3 brokers, 4
   producers running 4 transactions each at once (commit, abort, commit, abort) over every
   partition: read_committed returns exactly the committed records, in each producer's order,
   read_uncommitted every record, and every partition holds exactly one marker per
   transaction (16).
2. A leader killed mid-transaction: records written to 3 partitions, then the leader of one
   of them (not the transaction coordinator) is killed with kill -9 and the transaction
   committed. The commit's state change is replicated once the ISR drops the dead broker
   (~4 s) while it stays the partition's leader until its session expires (10 s), so its
   markers fail (connection refused; kbroker's coordinator logs it) and are retried until
   the new leader takes them — read_committed
   returns every record, and the next transaction of the same producer commits (it could not
   while the first still waited for its markers: CONCURRENT_TRANSACTIONS).
3. A deleted topic: a transaction writes to two topics, one is deleted before the commit: its
   partitions are dropped and the transaction completes (records of the other topic
   visible to read_committed, the producer's next transaction commits).

KB_GROUPS_PEER=kafka runs the same tests against Apache Kafka 3.9.1 (see groups_util).
"""

import json
import threading
import time
import uuid

import pytest

import groups_util as gu
import harness
import kgroup
from conftest import own_zookeeper

IDS = [821, 822, 823]
SESSION_MS = 10000
TXN_CONFIG = {
    "transaction.state.log.num.partitions": "5",
    "transaction.state.log.replication.factor": "3",
    "transaction.state.log.min.isr": "2",
    "min.insync.replicas": "2",
    "delete.topic.enable": "true",
}


@pytest.fixture(scope="module")
def tmark_zk(tmp_path_factory):
    yield from own_zookeeper(tmp_path_factory, "zk-tmark", tick_ms=500)


@pytest.fixture(scope="module")
def cluster(tmark_zk, tmp_path_factory):
    yield from gu.group_cluster(tmp_path_factory, tmark_zk, "kb-tmark", IDS, config=TXN_CONFIG,
                                session_ms=SESSION_MS)


@pytest.fixture(autouse=True)
def all_up(cluster):
    for b in cluster.brokers:
        if not b.alive():
            b.restart(cluster.kz)
    harness.wait_until(lambda: cluster.registered_ids() == sorted(IDS), 60,
                       what="all brokers registered")


# ---- helpers ---------------------------------------------------------------------------------

def state(cluster, topic, partition):
    data, _ = cluster.kz.get("/brokers/topics/%s/partitions/%d/state" % (topic, partition))
    return json.loads(data.decode())


def leaders(cluster, topic, partitions):
    return [state(cluster, topic, p)["leader"] for p in range(partitions)]


def controller_id(cluster):
    data, _ = cluster.kz.get("/controller")
    return json.loads(data.decode())["brokerid"]


def txn_coordinator(cluster, txid, timeout=60):
    """The broker id coordinating txid (FindCoordinator v1, key type 1, retried)."""
    out = []

    def ask():
        for b in cluster.brokers:
            if not b.alive():
                continue
            try:
                with b.conn(10) as c:
                    r = kgroup.group_request(c, kgroup.FIND_COORDINATOR, 1,
                                             {"key": txid, "key_type": 1})
            except (OSError, harness.ConnClosed, harness.ConnTimeout):
                continue
            if r["error_code"] == kgroup.NONE:
                out.append(r["node_id"])
                return True
            assert r["error_code"] in gu.RETRIABLE, r
        return False
    harness.wait_until(ask, timeout, interval=0.3, what="the coordinator of %s" % txid)
    return out[0]


def txn_producer(cluster, txid):
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": cluster.bootstrap(), "transactional.id": txid,
                  "transaction.timeout.ms": 60000, "linger.ms": 5})
    p.init_transactions(90)
    return p


def produce_all(p, topic, partitions, values_of):
    """Produces values_of(partition) to each partition and waits for every acknowledgement."""
    errors = []

    def cb(err, msg):
        if err:
            errors.append(err)
    for part in range(partitions):
        for v in values_of(part):
            p.produce(topic, value=v, partition=part, on_delivery=cb)
    assert p.flush(60) == 0 and not errors, errors[:3]


def consume(cluster, topic, partitions, isolation, want, timeout=60):
    """{partition: [(offset, value)]} read from the start of every partition with the given
    isolation level, until want(records) is true (or the timeout: then what was read)."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": cluster.bootstrap(), "group.id": "tm-" + uuid.uuid4().hex,
                  "isolation.level": isolation, "enable.auto.commit": False,
                  "auto.offset.reset": "earliest"})
    out = {p: [] for p in range(partitions)}
    try:
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
        deadline = time.monotonic() + timeout
        while not want(out) and time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is None or m.error():
                continue
            out[m.partition()].append((m.offset(), m.value()))
        if want(out):   # anything extra (an aborted record shown) would come right behind
            end = time.monotonic() + 1.0
            while time.monotonic() < end:
                m = c.poll(0.2)
                if m is not None and not m.error():
                    out[m.partition()].append((m.offset(), m.value()))
        return out
    finally:
        c.close()


def values(recs):
    return {p: [v for _, v in rs] for p, rs in recs.items()}


def watermarks(cluster, topic, partitions):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": cluster.bootstrap(), "group.id": "tm-wm"})
    try:
        return [c.get_watermark_offsets(TopicPartition(topic, p), timeout=20)
                for p in range(partitions)]
    finally:
        c.close()


def wait_topic_gone(cluster, topic, timeout=90):
    def gone():
        if cluster.kz.exists("/brokers/topics/" + topic) is not None:
            return False
        for b in cluster.brokers:
            if not b.alive():
                continue
            with b.conn(10) as c:
                md = c.metadata(1, topics=[topic])
            t = [x for x in md["topics"] if x["name"] == topic]
            if t and t[0]["error_code"] == 0 and t[0]["partitions"]:
                return False
        return True
    harness.wait_until(gone, timeout, interval=0.5, what="topic %s deleted" % topic)


# ---- 1. every leader ---------------------------------------------------------------------------

def test_markers_reach_every_leader(cluster):
    topic, P, producers, txns, per = "tm-spread", 6, 4, 4, 3
    gu.create_topic(cluster, topic, P)
    assert set(leaders(cluster, topic, P)) == set(IDS), "leaders spread over every broker"

    committed = {p: [] for p in range(P)}
    written = {p: [] for p in range(P)}
    errors, lock = [], threading.Lock()

    def run(n):
        try:
            txid = "tm-spread-%d" % n
            prod = txn_producer(cluster, txid)
            for k in range(txns):
                prod.begin_transaction()
                vals = lambda part: [b"%s-%d-%d-%d" % (txid.encode(), k, part, i)  # noqa: E731
                                     for i in range(per)]
                produce_all(prod, topic, P, vals)
                if k % 2 == 0:
                    prod.commit_transaction(90)
                else:
                    prod.abort_transaction(90)
                with lock:
                    for part in range(P):
                        written[part] += vals(part)
                        if k % 2 == 0:
                            committed[part] += vals(part)
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            errors.append("producer %d: %r" % (n, e))
    threads = [threading.Thread(target=run, args=(n,)) for n in range(producers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)

    def have(expect):
        return lambda out: all(len(out[p]) >= len(expect[p]) for p in range(P))
    got = values(consume(cluster, topic, P, "read_committed", have(committed)))
    for p in range(P):
        assert sorted(got[p]) == sorted(committed[p]), "partition %d (read_committed)" % p
        for n in range(producers):   # each producer's records in its order
            mine = [v for v in got[p] if v.startswith(b"tm-spread-%d-" % n)]
            assert mine == [v for v in committed[p] if v.startswith(b"tm-spread-%d-" % n)]
    everything = consume(cluster, topic, P, "read_uncommitted", have(written))
    marks = watermarks(cluster, topic, P)
    for p in range(P):
        assert sorted(v for _, v in everything[p]) == sorted(written[p]), "partition %d" % p
        lo, hi = marks[p]
        assert lo == 0
        # Every offset the consumer skipped is a control batch: one marker per transaction.
        assert hi - len(everything[p]) == producers * txns, "markers on partition %d" % p


# ---- 2. a leader killed ------------------------------------------------------------------------

def test_leader_killed_mid_transaction(cluster):
    topic, P, per = "tm-fail", 3, 10
    gu.create_topic(cluster, topic, P)
    txid = "tm-fail-1"
    prod = txn_producer(cluster, txid)
    coord = txn_coordinator(cluster, txid)
    ls = leaders(cluster, topic, P)
    ctl = controller_id(cluster)
    cands = [p for p in range(P) if ls[p] != coord]
    assert cands, "some partition led by another broker than the coordinator %d" % coord
    cands.sort(key=lambda p: ls[p] == ctl)   # rather not the controller
    victim = cluster.broker(ls[cands[0]])

    prod.begin_transaction()
    produce_all(prod, topic, P, lambda part: [b"k-%d-%d" % (part, i) for i in range(per)])
    victim.kill9()
    t0 = time.monotonic()
    prod.commit_transaction(120)
    want = {p: [b"k-%d-%d" % (p, i) for i in range(per)] for p in range(P)}
    got = values(consume(cluster, topic, P, "read_committed",
                         lambda out: all(len(out[p]) >= per for p in range(P)), timeout=90))
    assert got == want
    harness.report_figure("tmarkers: leader killed before the commit: every partition "
                          "committed after %.1f s" % (time.monotonic() - t0))
    assert state(cluster, topic, cands[0])["leader"] != victim.broker_id
    if not gu.KAFKA_PEER:   # the markers did go to the dead leader first
        assert "markers to broker %d:" % victim.broker_id in cluster.broker(coord).log_text()

    # The transaction completed (CompleteCommit written): the next one goes through.
    prod.begin_transaction()
    produce_all(prod, topic, P, lambda part: [b"n-%d" % part])
    prod.commit_transaction(90)
    got = values(consume(cluster, topic, P, "read_committed",
                         lambda out: all(len(out[p]) >= per + 1 for p in range(P))))
    assert got == {p: want[p] + [b"n-%d" % p] for p in range(P)}
    victim.restart(cluster.kz)


# ---- 3. a deleted topic ------------------------------------------------------------------------

def test_deleted_topic_dropped(cluster):
    from confluent_kafka.admin import AdminClient
    keep, gone, P, per = "tm-keep", "tm-gone", 2, 5
    gu.create_topic(cluster, keep, P)
    gu.create_topic(cluster, gone, P)
    txid = "tm-gone-1"
    prod = txn_producer(cluster, txid)
    prod.begin_transaction()
    produce_all(prod, keep, P, lambda part: [b"keep-%d-%d" % (part, i) for i in range(per)])
    produce_all(prod, gone, P, lambda part: [b"gone-%d-%d" % (part, i) for i in range(per)])
    admin = AdminClient({"bootstrap.servers": cluster.bootstrap()})
    admin.delete_topics([gone], operation_timeout=30)[gone].result(60)
    wait_topic_gone(cluster, gone)
    prod.commit_transaction(120)
    want = {p: [b"keep-%d-%d" % (p, i) for i in range(per)] for p in range(P)}
    got = values(consume(cluster, keep, P, "read_committed",
                         lambda out: all(len(out[p]) >= per for p in range(P))))
    assert got == want

    prod.begin_transaction()
    produce_all(prod, keep, P, lambda part: [b"next-%d" % part])
    prod.commit_transaction(90)
    got = values(consume(cluster, keep, P, "read_committed",
                         lambda out: all(len(out[p]) >= per + 1 for p in range(P))))
    assert got == {p: want[p] + [b"next-%d" % p] for p in range(P)}
