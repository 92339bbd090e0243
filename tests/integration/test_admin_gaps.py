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


def test_create_partitions_of_many_topics_right_after_creating_them(cluster):
    """One CreatePartitions naming 40 topics just created (more than the reads one request
    keeps in flight, KB_ADMIN_READS_PER_REQUEST = 16): every topic grows."""
    from confluent_kafka.admin import NewPartitions, NewTopic
    a = admin(cluster)
    names = ["many-%d" % i for i in range(40)]
    for f in a.create_topics([NewTopic(t, 1, 1) for t in names], operation_timeout=0).values():
        f.result(30)
    fs = a.create_partitions([NewPartitions(t, 3) for t in names], operation_timeout=0)
    for t in names:
        fs[t].result(30)
    for t in names:
        data, _ = cluster.kz.get("/brokers/topics/" + t)
        assert len(json.loads(data.decode())["partitions"]) == 3, t


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


def send_create_partitions_v0(conn, items, timeout_ms=10000):
    body = kproto.array([kproto.string(t) + kproto.i32(n) + kproto.i32(-1) for t, n in items])
    body += kproto.i32(timeout_ms) + kproto.boolean(False)
    corr = conn.next_corr()
    conn.send(kproto.frame(kproto.encode_request(API_CREATE_PARTITIONS, 0, corr, body)))
    return corr


def recv_create_partitions_v0(conn, corr, timeout=20):
    r = kproto.Reader(conn.recv_frame(timeout))
    assert r.i32() == corr
    r.i32()
    out = r.array(lambda rr: (rr.string(), rr.i16(), rr.string(nullable=True)))
    r.end()
    return out


def test_concurrent_create_partitions_lose_nothing(cluster):
    """Two CreatePartitions for one topic at once (to 4 and to 6 partitions, in either
    order): the second write is conditional on the version its computation read, so it never
    overwrites the first with a stale partition count (6 then 4 would leave 4 partitions),
    and partition 0 keeps its replicas."""
    from confluent_kafka.admin import NewTopic
    a = admin(cluster)
    ctl = controller_broker(cluster)
    outcomes = set()
    for i in range(15):
        topic = "conc-%d" % i
        a.create_topics([NewTopic(topic, 1, 2)], operation_timeout=20)[topic].result(30)
        before = json.loads(cluster.kz.get("/brokers/topics/" + topic)[0].decode())
        with ctl.conn(20) as c4, ctl.conn(20) as c6:
            if i % 2:     # either order: the larger count first, or the smaller
                k6 = send_create_partitions_v0(c6, [(topic, 6)], timeout_ms=0)
                k4 = send_create_partitions_v0(c4, [(topic, 4)], timeout_ms=0)
            else:
                k4 = send_create_partitions_v0(c4, [(topic, 4)], timeout_ms=0)
                k6 = send_create_partitions_v0(c6, [(topic, 6)], timeout_ms=0)
            r4 = recv_create_partitions_v0(c4, k4)[0][1]
            r6 = recv_create_partitions_v0(c6, k6)[0][1]
        after = json.loads(cluster.kz.get("/brokers/topics/" + topic)[0].decode())
        assert r6 == 0 and r4 in (0, 37), (topic, r4, r6)    # 37: INVALID_PARTITIONS
        assert len(after["partitions"]) == 6, (topic, r4, after)
        assert after["partitions"]["0"] == before["partitions"]["0"]
        assert after["topic_id"] == before["topic_id"]
        outcomes.add(r4)
    harness.report_figure("concurrent CreatePartitions (to 4 and to 6): outcomes of the "
                          "smaller one %s, final count always 6" % sorted(outcomes))


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
    """A broker answers Metadata from its registration on, before its ZooKeeper view is
    loaded (here slowed by a relay adding 100 ms to ZooKeeper's answers). Auto-creating
    then must get
    LEADER_NOT_AVAILABLE (retriable) with nothing written, never a replication-factor error
    counting no live brokers; once loaded, auto-creation works."""
    b = [x for x in cluster.brokers if x is not controller_broker(cluster)][0]
    proxy = None
    original = b.zk_connect
    try:
        b.stop()
        # Every ZooKeeper answer 100 ms late: the start-up window lasts several round trips, so it
        # is observed every time, not by luck.
        proxy = harness.ZooKeeperRelay(cluster.zk.port, latency=0.1)
        b.zk_connect = "127.0.0.1:%d%s" % (proxy.port, original[original.index("/"):])
        b.spawn()
        # Connections are accepted from the broker's registration on (as in Kafka).
        harness.wait_until(lambda: harness.port_accepts(b.port, timeout=0.05), 60,
                           interval=0.005, what="the restarted broker's port")
        answers = []     # (topic, error, broker ids listed)
        deadline = time.monotonic() + 30
        with b.conn(10) as c:
            while time.monotonic() < deadline:
                topic = "boot-%d" % len(answers)
                md = c.metadata(4, topics=[topic], allow_auto_topic_creation=True)
                ids = sorted(x["node_id"] for x in md["brokers"])
                answers.append((topic, md["topics"][0]["error_code"], ids))
                if ids == sorted(IDS):
                    break
                time.sleep(0.02)
        b.wait_ready(cluster.kz)
        early = [(t, e) for t, e, ids in answers if b.broker_id not in ids]
        assert len(early) >= 3, answers[:5]           # the relay slowed the loading
        assert all(e == 5 for _, e in early), early   # LEADER_NOT_AVAILABLE, never 38
        assert all(e in (0, 5) for _, e, _ in answers), answers
        time.sleep(1)
        made = set(cluster.kz.get_children("/brokers/topics"))
        assert not made & {t for t, _ in early}, sorted(made & {t for t, _ in early})[:5]

        def created():
            with b.conn(10) as c:
                md = c.metadata(4, topics=["boot-final"], allow_auto_topic_creation=True)
            return md["topics"][0]["error_code"] == 0
        harness.wait_until(created, 30, interval=0.2, what="boot-final to be auto-created")
        harness.report_figure("start-up window: %d Metadata auto-create answers before the "
                              "cache was loaded, all LEADER_NOT_AVAILABLE, nothing written"
                              % len(early))
    finally:
        if b.zk_connect != original:      # back on ZooKeeper itself for the other tests
            b.stop()
            b.zk_connect = original
            b.start(cluster.kz)
        if proxy:
            proxy.close()


# ---- Every topic config of Kafka 3.9 ------------------------------------------------------------

# Kafka 3.9.1's topic configs (LogConfig.configNames()) with their defaults, and a valid
# non-default value of each.
KAFKA39_DEFAULTS = {
    "cleanup.policy": "delete", "compression.gzip.level": "-1", "compression.lz4.level": "9",
    "compression.type": "producer", "compression.zstd.level": "3",
    "delete.retention.ms": "86400000", "file.delete.delay.ms": "60000",
    "flush.messages": "9223372036854775807", "flush.ms": "9223372036854775807",
    "follower.replication.throttled.replicas": "", "index.interval.bytes": "4096",
    "leader.replication.throttled.replicas": "", "local.retention.bytes": "-2",
    "local.retention.ms": "-2", "max.compaction.lag.ms": "9223372036854775807",
    "max.message.bytes": "1048588", "message.downconversion.enable": "true",
    "message.format.version": "3.0-IV1",
    "message.timestamp.after.max.ms": "9223372036854775807",
    "message.timestamp.before.max.ms": "9223372036854775807",
    "message.timestamp.difference.max.ms": "9223372036854775807",
    "message.timestamp.type": "CreateTime", "min.cleanable.dirty.ratio": "0.5",
    "min.compaction.lag.ms": "0", "min.insync.replicas": "1", "preallocate": "false",
    "remote.log.copy.disable": "false", "remote.log.delete.on.disable": "false",
    "remote.storage.enable": "false", "retention.bytes": "-1", "retention.ms": "604800000",
    "segment.bytes": "1073741824", "segment.index.bytes": "10485760",
    "segment.jitter.ms": "0", "segment.ms": "604800000",
    "unclean.leader.election.enable": "false",
}
VALID = {
    "cleanup.policy": "compact,delete", "compression.gzip.level": "5",
    "compression.lz4.level": "10", "compression.type": "lz4", "compression.zstd.level": "7",
    "delete.retention.ms": "3600000", "file.delete.delay.ms": "30000",
    "flush.messages": "100000", "flush.ms": "60000",
    "follower.replication.throttled.replicas": "0:301,1:302", "index.interval.bytes": "8192",
    "leader.replication.throttled.replicas": "*", "local.retention.bytes": "1000000",
    "local.retention.ms": "3600000", "max.compaction.lag.ms": "86400000",
    "max.message.bytes": "2000000", "message.downconversion.enable": "false",
    "message.format.version": "2.8", "message.timestamp.after.max.ms": "3600000",
    "message.timestamp.before.max.ms": "86400000",
    "message.timestamp.difference.max.ms": "86400000",
    "message.timestamp.type": "CreateTime", "min.cleanable.dirty.ratio": "0.3",
    "min.compaction.lag.ms": "1000", "min.insync.replicas": "2", "preallocate": "true",
    "remote.log.copy.disable": "true", "remote.log.delete.on.disable": "true",
    "remote.storage.enable": "false", "retention.bytes": "100000000",
    "retention.ms": "86400000", "segment.bytes": "10485760",
    "segment.index.bytes": "1048576", "segment.jitter.ms": "1000", "segment.ms": "3600000",
    "unclean.leader.election.enable": "true",
}
INVALID = [
    {"compression.gzip.level": "0"}, {"compression.lz4.level": "18"},
    {"compression.zstd.level": "23"}, {"follower.replication.throttled.replicas": "0-1"},
    {"leader.replication.throttled.replicas": "*,0:1"}, {"local.retention.ms": "-3"},
    {"local.retention.bytes": "x"}, {"message.downconversion.enable": "yes"},
    {"message.format.version": "2.9"}, {"message.timestamp.after.max.ms": "-1"},
    {"message.timestamp.before.max.ms": "soon"}, {"preallocate": "1"},
    {"remote.storage.enable": "true"}, {"remote.log.copy.disable": "no"},
    {"remote.log.delete.on.disable": ""}, {"segment.jitter.ms": "-1"},
    {"flush.messages": "0"}, {"segment.index.bytes": "3"}, {"delete.retention.ms": "-1"},
    {"min.compaction.lag.ms": "10000", "max.compaction.lag.ms": "5000"},
]
DEFAULT_CONFIG = 5
DYNAMIC_TOPIC_CONFIG = 1


def describe(a, topic):
    from confluent_kafka.admin import ConfigResource
    res = ConfigResource("topic", topic)
    return a.describe_configs([res])[res].result(30)


def test_every_kafka_topic_config_described_with_defaults(cluster):
    from confluent_kafka.admin import NewTopic
    assert len(KAFKA39_DEFAULTS) == 36 and set(VALID) == set(KAFKA39_DEFAULTS)
    a = admin(cluster)
    a.create_topics([NewTopic("cfg-plain", 1, 1)], operation_timeout=20)["cfg-plain"].result(30)
    cfg = describe(a, "cfg-plain")
    assert set(cfg) == set(KAFKA39_DEFAULTS)
    got = {k: (cfg[k].value or "", cfg[k].source) for k in cfg}
    assert got == {k: (v, DEFAULT_CONFIG) for k, v in KAFKA39_DEFAULTS.items()}
    # Synonyms as Kafka lists them: the broker key's default, none without a broker key.
    assert [(s.name, s.value) for s in cfg["segment.bytes"].synonyms.values()] == \
        [("log.segment.bytes", "1073741824")]
    assert cfg["remote.storage.enable"].synonyms == {}


def test_create_topics_accepts_every_kafka_topic_config(cluster):
    from confluent_kafka.admin import NewTopic
    a = admin(cluster)
    a.create_topics([NewTopic("cfg-all", 2, 3, config=VALID)],
                    operation_timeout=20)["cfg-all"].result(30)
    data, _ = cluster.kz.get("/config/topics/cfg-all")
    assert json.loads(data.decode())["config"] == VALID
    cfg = describe(a, "cfg-all")
    assert {k: (cfg[k].value, cfg[k].source) for k in cfg} == \
        {k: (v, DYNAMIC_TOPIC_CONFIG) for k, v in VALID.items()}


def test_alter_configs_accepts_every_kafka_topic_config(cluster):
    from confluent_kafka.admin import ConfigResource, NewTopic
    a = admin(cluster)
    a.create_topics([NewTopic("cfg-alt", 1, 3)], operation_timeout=20)["cfg-alt"].result(30)
    for name, value in sorted(VALID.items()):       # one at a time: each name on its own
        res = ConfigResource("topic", "cfg-alt", set_config={name: value})
        a.alter_configs([res])[res].result(30)
        harness.wait_until(lambda: describe(a, "cfg-alt")[name].value == value, 10,
                           what="%s=%s described" % (name, value))
    res = ConfigResource("topic", "cfg-alt", set_config=VALID)   # all at once
    a.alter_configs([res])[res].result(30)
    data, _ = cluster.kz.get("/config/topics/cfg-alt")
    assert json.loads(data.decode())["config"] == VALID


def test_invalid_topic_config_values_refused(cluster):
    from confluent_kafka.admin import ConfigResource, NewTopic
    a = admin(cluster)
    topics = [NewTopic("cfg-bad-%d" % i, 1, 1, config=c) for i, c in enumerate(INVALID)]
    fs = a.create_topics(topics, operation_timeout=20)
    for i, c in enumerate(INVALID):
        with pytest.raises(Exception) as e:
            fs["cfg-bad-%d" % i].result(30)
        assert "INVALID_CONFIG" in str(e.value), (c, str(e.value))
    assert not any(t.startswith("cfg-bad-") for t in cluster.kz.get_children("/brokers/topics"))
    a.create_topics([NewTopic("cfg-bad-alt", 1, 1)], operation_timeout=20)["cfg-bad-alt"].result(30)
    for c in INVALID:
        res = ConfigResource("topic", "cfg-bad-alt", set_config=c)
        with pytest.raises(Exception) as e:
            a.alter_configs([res])[res].result(30)
        assert "INVALID_CONFIG" in str(e.value), (c, str(e.value))
    data, _ = cluster.kz.get("/config/topics/cfg-bad-alt")
    assert json.loads(data.decode())["config"] == {}


def produce_ts(cluster, topic, ts_ms):
    """Produces one record with a CreateTime timestamp; returns the delivery error or None."""
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": cluster.bootstrap(), "message.send.max.retries": 0})
    out = []
    p.produce(topic, b"v", timestamp=ts_ms, on_delivery=lambda err, msg: out.append(err))
    p.flush(30)
    assert len(out) == 1
    return out[0]


def test_timestamp_before_and_after_bounds_are_honoured(cluster):
    from confluent_kafka.admin import NewTopic
    a = admin(cluster)
    fs = a.create_topics([
        NewTopic("ts-before", 1, 1, config={"message.timestamp.before.max.ms": "60000"}),
        NewTopic("ts-after", 1, 1, config={"message.timestamp.after.max.ms": "60000"})],
        operation_timeout=20)
    for f in fs.values():
        f.result(30)
    now = int(time.time() * 1000)
    hour = 3600 * 1000
    assert "INVALID_TIMESTAMP" in str(produce_ts(cluster, "ts-before", now - hour))
    assert produce_ts(cluster, "ts-before", now + hour) is None
    assert produce_ts(cluster, "ts-after", now - hour) is None
    assert "INVALID_TIMESTAMP" in str(produce_ts(cluster, "ts-after", now + hour))
