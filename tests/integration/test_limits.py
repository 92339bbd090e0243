"""No client request can crash the controller: every quantity an admin request controls has a
named limit (common/limits.h, or the broker key kbroker.max.partitions.per.cluster), checked
before anything is allocated or written to ZooKeeper, and answered with Kafka's error code.

One broker (it is the controller) with kbroker.max.partitions.per.cluster=20, so the
cluster-wide cap can be crossed with a handful of real partitions. Every test ends by checking
the broker is still alive and answering, and that nothing was written to ZooKeeper for a
refused topic.
"""

import struct

import pytest

import harness
import kproto
from conftest import start_cluster

CLUSTER_MAX = 20
# The constants of common/limits.h this module crosses.
MAX_PARTITIONS_PER_TOPIC = 100000
MAX_PARTITIONS_PER_REQUEST = 100000
MAX_TOPICS_PER_ADMIN_REQUEST = 1000
MAX_CONFIGS_PER_RESOURCE = 1000
MAX_CONFIG_VALUE_BYTES = 4096

NONE, INVALID_PARTITIONS, INVALID_REPLICA_ASSIGNMENT, INVALID_REQUEST = 0, 37, 39, 42
INVALID_CONFIG, POLICY_VIOLATION = 40, 44


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    yield from start_cluster(tmp_path_factory.mktemp("limits"), zk=zk_server, ids=[1],
                             chroot="/kb-limits",
                             config={"kbroker.max.partitions.per.cluster": CLUSTER_MAX})


@pytest.fixture
def broker(cluster):
    b = cluster.brokers[0]
    yield b
    assert b.alive(), "the broker died:\n" + b.log_tail(30)
    with b.conn(10) as c:   # and still answers
        assert c.metadata(1)["brokers"]


# ---- raw requests -----------------------------------------------------------------------------

def topic_v2(name, partitions, rf, assignments=(), configs=()):
    """CreateTopics v2 CreatableTopic."""
    asg = [struct.pack(">i", i) + kproto.array([struct.pack(">i", b) for b in ids])
           for i, ids in assignments]
    cfg = [kproto.string(k) + kproto.nullable_string(v) for k, v in configs]
    return (kproto.string(name) + struct.pack(">ih", partitions, rf) + kproto.array(asg) +
            kproto.array(cfg))


def send(broker, api, version, body, timeout=30):
    with broker.conn(timeout) as c:
        corr = c.next_corr()
        c.send(kproto.frame(kproto.encode_request(api, version, corr, body, "kb-limits")))
        payload = c.recv_frame(timeout)
    r = kproto.Reader(payload)
    assert r.i32() == corr
    return r


def results(r):
    """(name, error) of a CreateTopics v2 / CreatePartitions v1 response (same layout)."""
    r.i32()   # throttle
    out = []
    for _ in range(r.i32()):
        name = r.string()
        err = r.i16()
        r.string(nullable=True)
        out.append((name, err))
    return out


def create_topics(broker, topics, validate_only, timeout_ms=10000):
    body = kproto.array(topics) + struct.pack(">i?", timeout_ms, validate_only)
    return results(send(broker, 19, 2, body))


def create_partitions(broker, items, validate_only, timeout_ms=10000):
    """items: (topic, count, assignments or None)."""
    enc = []
    for name, count, asg in items:
        a = None if asg is None else [kproto.array([struct.pack(">i", b) for b in ids])
                                      for ids in asg]
        enc.append(kproto.string(name) + struct.pack(">i", count) + kproto.array(a))
    body = kproto.array(enc) + struct.pack(">i?", timeout_ms, validate_only)
    return results(send(broker, 37, 1, body))


def topics_in_zk(cluster):
    return set(cluster.kz.get_children("/brokers/topics"))


def ensure_topic(cluster, broker, name, partitions):
    if name not in topics_in_zk(cluster):
        assert create_topics(broker, [topic_v2(name, partitions, 1)], False) == [(name, NONE)]


# ---- the crash ----------------------------------------------------------------------

@pytest.mark.parametrize("validate_only", [True, False])
def test_create_topics_int32_max_partitions(cluster, broker, validate_only):
    name = "huge-%d" % validate_only
    for n in (2147483647, MAX_PARTITIONS_PER_TOPIC + 1):
        assert create_topics(broker, [topic_v2(name, n, 1)], validate_only) == \
            [(name, INVALID_PARTITIONS)]
    assert name not in topics_in_zk(cluster)


def test_kafka_python_admin_client_huge_topic(cluster, broker):
    """The issue's reproduction: kafka-python sends it without complaint."""
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import InvalidPartitionsError
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap, request_timeout_ms=20000)
    try:
        with pytest.raises(InvalidPartitionsError):
            admin.create_topics([NewTopic("kp-huge", 2147483647, 1)], validate_only=True,
                                timeout_ms=10000)
    finally:
        admin.close()


@pytest.mark.parametrize("validate_only", [True, False])
def test_create_partitions_int32_max_count(cluster, broker, validate_only):
    ensure_topic(cluster, broker, "grow", 1)
    for n in (2147483647, MAX_PARTITIONS_PER_TOPIC + 1):
        assert create_partitions(broker, [("grow", n, None)], validate_only) == \
            [("grow", INVALID_PARTITIONS)]
        # with one explicit assignment per new partition claimed, but far too few sent
        assert create_partitions(broker, [("grow", n, [[1]])], validate_only)[0][1] in \
            (INVALID_PARTITIONS, INVALID_REPLICA_ASSIGNMENT)
    assert len(cluster.kz.get_children("/brokers/topics/grow/partitions")) == 1


# ---- named limits, each crossed -----------------------------------------------------------

def test_explicit_assignment_too_many_partitions(cluster, broker):
    n = MAX_PARTITIONS_PER_TOPIC + 1
    t = topic_v2("asg-many", -1, -1, assignments=[(i, [1]) for i in range(n)])
    assert create_topics(broker, [t], True) == [("asg-many", INVALID_PARTITIONS)]
    assert "asg-many" not in topics_in_zk(cluster)


def test_assignment_with_more_replicas_than_brokers(cluster, broker):
    t = topic_v2("asg-wide", -1, -1, assignments=[(0, [1] * 20000)])
    assert create_topics(broker, [t], False) == [("asg-wide", INVALID_REPLICA_ASSIGNMENT)]
    assert "asg-wide" not in topics_in_zk(cluster)


def test_partitions_per_request(cluster, broker):
    """Each topic fits the per-topic limit, together they cross the per-request one; the
    first is then refused by the cluster cap (20), the second by the request limit."""
    half = MAX_PARTITIONS_PER_REQUEST // 2 + 1
    got = create_topics(broker, [topic_v2("req-a", half, 1), topic_v2("req-b", half, 1)], True)
    assert got == [("req-a", POLICY_VIOLATION), ("req-b", INVALID_PARTITIONS)]


def test_topics_per_request(cluster, broker):
    n = MAX_TOPICS_PER_ADMIN_REQUEST + 1
    got = create_topics(broker, [topic_v2("many-%d" % i, 1, 1) for i in range(n)], True)
    assert len(got) == n and all(e == INVALID_REQUEST for _, e in got)
    # at the limit every topic is looked at (and validates; nothing is written)
    got = create_topics(broker, [topic_v2("many-%d" % i, 1, 1) for i in range(n - 1)], True)
    assert len(got) == n - 1
    assert not any(t.startswith("many-") for t in topics_in_zk(cluster))
    # CreatePartitions and DeleteTopics (v1): the same limit, every item refused
    ensure_topic(cluster, broker, "grow", 1)
    got = create_partitions(broker, [("grow", 2, None)] * n, True)
    assert len(got) == n and all(e == INVALID_REQUEST for _, e in got)
    body = kproto.array([kproto.string("grow")] * n) + struct.pack(">i", 5000)
    r = send(broker, 20, 1, body)
    r.i32()
    assert r.i32() == n
    for _ in range(n):
        assert r.string() == "grow" and r.i16() == INVALID_REQUEST
    assert "grow" in topics_in_zk(cluster)


def test_configs_per_resource_and_value_length(cluster, broker):
    many = [("retention.ms", str(1000 + i)) for i in range(MAX_CONFIGS_PER_RESOURCE + 1)]
    got = create_topics(broker, [topic_v2("cfg-many", 1, 1, configs=many)], True)
    assert got == [("cfg-many", INVALID_REQUEST)]
    long_value = "0" * MAX_CONFIG_VALUE_BYTES + "5"
    got = create_topics(broker, [topic_v2("cfg-long", 1, 1,
                                          configs=[("retention.ms", long_value)])], True)
    assert got == [("cfg-long", INVALID_CONFIG)]
    # AlterConfigs v0: the same limit per resource
    ensure_topic(cluster, broker, "cfg-alter", 1)
    cfg = [kproto.string(k) + kproto.nullable_string(v) for k, v in many]
    body = kproto.array([struct.pack(">b", 2) + kproto.string("cfg-alter") +
                         kproto.array(cfg)]) + struct.pack(">?", True)
    r = send(broker, 33, 0, body)
    r.i32()
    assert r.i32() == 1
    assert r.i16() == INVALID_REQUEST
    cfg = [kproto.string("retention.ms") + kproto.nullable_string(long_value)]
    body = kproto.array([struct.pack(">b", 2) + kproto.string("cfg-alter") +
                         kproto.array(cfg)]) + struct.pack(">?", True)
    r = send(broker, 33, 0, body)
    r.i32()
    assert r.i32() == 1
    assert r.i16() == INVALID_CONFIG


def test_cluster_partition_cap(cluster, broker):
    """kbroker.max.partitions.per.cluster: creating or growing past it is refused with
    POLICY_VIOLATION (validate_only too), up to it works."""
    ensure_topic(cluster, broker, "cap-a", 10)
    harness.wait_until(lambda: len(cluster.kz.get_children("/brokers/topics/cap-a/partitions"))
                       == 10, 20, what="cap-a's partitions")
    existing = sum(len(cluster.kz.get_children("/brokers/topics/%s/partitions" % t))
                   for t in topics_in_zk(cluster))
    room = CLUSTER_MAX - existing
    assert room > 1
    for validate_only in (True, False):
        assert create_topics(broker, [topic_v2("cap-b", room + 1, 1)], validate_only) == \
            [("cap-b", POLICY_VIOLATION)]
        assert create_partitions(broker, [("cap-a", 10 + room + 1, None)], validate_only) == \
            [("cap-a", POLICY_VIOLATION)]
    assert "cap-b" not in topics_in_zk(cluster)
    # two topics that fit alone but not together
    got = create_topics(broker, [topic_v2("cap-c", room, 1), topic_v2("cap-d", 1, 1)], True)
    assert got == [("cap-c", NONE), ("cap-d", POLICY_VIOLATION)]
    assert create_partitions(broker, [("cap-a", 10 + room, None)], False) == [("cap-a", NONE)]
    assert create_topics(broker, [topic_v2("cap-e", 1, 1)], False) == \
        [("cap-e", POLICY_VIOLATION)]


def test_elect_leaders_partitions_per_request(cluster, broker):
    """ElectLeaders v0 naming one partition MAX_PARTITIONS_PER_REQUEST + 1 times: every entry
    INVALID_REQUEST, none looked at; a short list is looked at (no election needed)."""
    ensure_topic(cluster, broker, "grow", 1)

    def elect(n):
        body = kproto.array([kproto.string("grow") +
                             kproto.array([struct.pack(">i", 0)] * n)]) + struct.pack(">i", 5000)
        r = send(broker, 43, 0, body)
        r.i32()   # throttle
        errors = []
        for _ in range(r.i32()):
            assert r.string() == "grow"
            for _ in range(r.i32()):
                assert r.i32() == 0
                errors.append(r.i16())
                r.string(nullable=True)
        return errors

    errors = elect(MAX_PARTITIONS_PER_REQUEST + 1)
    assert len(errors) == MAX_PARTITIONS_PER_REQUEST + 1
    assert set(errors) == {INVALID_REQUEST}
    assert set(elect(3)) == {84}   # ELECTION_NOT_NEEDED: its only replica leads


def test_auto_create_stops_at_cluster_cap(cluster, broker):
    """auto.create.topics.enable respects kbroker.max.partitions.per.cluster too: once the
    cluster is full (test_cluster_partition_cap filled it) a Metadata request for a new topic
    creates nothing."""
    ensure_topic(cluster, broker, "cap-a", 10)
    existing = sum(len(cluster.kz.get_children("/brokers/topics/%s/partitions" % t))
                   for t in topics_in_zk(cluster))
    if existing < CLUSTER_MAX:   # fill it, whatever ran before
        assert create_partitions(broker, [("cap-a", 10 + CLUSTER_MAX - existing, None)],
                                 False) == [("cap-a", NONE)]
    with broker.conn(10) as c:
        md = c.metadata(4, topics=["auto-over-cap"], allow_auto_topic_creation=True)
    assert [t["error_code"] for t in md["topics"]] == [3]   # UNKNOWN_TOPIC_OR_PARTITION
    assert "auto-over-cap" not in topics_in_zk(cluster)
