"""Dynamic broker configs (issue 14), on a 3-broker cluster, as Kafka's ZooKeeper-mode brokers:

* IncrementalAlterConfigs / AlterConfigs on BROKER resources ("<id>": that broker, "": the
  cluster default) write /config/brokers/<id> or /config/brokers/<default> with Kafka's JSON
  and a /config/changes/config_change_N notification; validate_only writes nothing;
* DescribeConfigs reports each key's source (DYNAMIC_BROKER_CONFIG 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG 3, STATIC_BROKER_CONFIG 4, DEFAULT_CONFIG 5) on every broker,
  and the "" resource lists the dynamic defaults only;
* values apply live (retention deletes the segments of a topic without overrides, a lower
  message.max.bytes refuses a produce) and survive a restart; DELETE returns to the static
  or default value;
* read-only keys get INVALID_REQUEST "Cannot update these configs dynamically", keys kbroker
  cannot apply live "... requires a restart in kbroker", bad values INVALID_REQUEST (as Kafka),
  unknown names stored with no effect (Kafka's ZooKeeper mode allows custom broker configs,
  and librdkafka's 0081 sets a SASL key), and the request limits are checked;
* `kadmin configs alter --broker ID | --broker-default` and `describe --broker ID`.

KB_GROUPS_PEER=kafka runs the module against Apache Kafka 3.9.1 (ZooKeeper mode, as
groups_util.py does): that is how Kafka's answers were checked. Where kbroker deliberately
differs (keys kbroker cannot apply live), the assertion names the peer's answer.
"""

import json
import os
import socket
import subprocess
import time

import pytest

import harness
from conftest import own_zookeeper, start_cluster
from groups_util import KAFKA_PEER, _peer_cluster

IDS = [1, 2, 3]
CLUSTER = []   # the module's cluster, for helpers
DYNAMIC_BROKER = 2
DYNAMIC_DEFAULT = 3
STATIC = 4
DEFAULT = 5


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    config = {"log.retention.check.interval.ms": "300", "log.segment.bytes": "4096",
              "message.max.bytes": "200000", "offsets.topic.replication.factor": "3",
              "replica.lag.time.max.ms": "3000"}
    if KAFKA_PEER:
        yield from _peer_cluster(tmp_path_factory.mktemp("dynconf"), zk_server, "/kb-dynconf",
                                 IDS, config, 6000)
        return
    yield from start_cluster(tmp_path_factory.mktemp("dynconf"), zk=zk_server, ids=IDS,
                             chroot="/kb-dynconf", config=config)


@pytest.fixture(scope="module", autouse=True)
def remember(cluster):
    CLUSTER[:] = [cluster]


@pytest.fixture(autouse=True)
def clean_levels(cluster):
    for b in cluster.brokers:
        if not b.alive():
            b.restart(cluster.kz)
    harness.wait_until(lambda: cluster.registered_ids() == sorted(IDS), 60,
                       what="all brokers registered")
    yield
    # Every test starts and ends with no dynamic broker config.
    a = admin(cluster)
    for name in ["", "1", "2", "3"]:
        cur = dynamic_level(cluster, name)
        if cur:
            alter(a, name, {k: None for k in cur})


def admin(cluster):
    from confluent_kafka.admin import AdminClient
    return AdminClient({"bootstrap.servers": cluster.bootstrap()})


def dynamic_level(cluster, name):
    path = "/config/brokers/%s" % (name or "<default>")
    if not cluster.kz.exists(path):
        return {}
    data, _ = cluster.kz.get(path)
    doc = json.loads(data.decode())
    assert doc["version"] == 1
    return doc["config"]


def alter(a, name, changes, validate_only=False):
    """changes: key -> value (SET) or None (DELETE).

    Broker ids go through confluent-kafka (Debian's 1.7 has AlterConfigs only, which
    replaces a level's whole set: the set sent is the level's current one, read from
    ZooKeeper, with the changes applied). It refuses the "" (default) resource name, so the
    default level goes through kadmin, which sends IncrementalAlterConfigs (SET / DELETE)."""
    if name == "":
        assert not validate_only
        args = []
        for k, v in changes.items():
            args += ["--set", "%s=%s" % (k, v)] if v is not None else ["--delete", k]
        p = kadmin(CLUSTER[0], "configs", "alter", "--broker-default", *args, check=False)
        if p.returncode != 0:
            raise AlterFailed(p.stderr)
        return None
    from confluent_kafka.admin import ConfigResource
    want = dict(dynamic_level(CLUSTER[0], name))
    for k, v in changes.items():
        if v is None:
            want.pop(k, None)
        else:
            want[k] = v
    res = ConfigResource("broker", name, set_config=want)
    return a.alter_configs([res], validate_only=validate_only)[res].result(30)


class AlterFailed(Exception):
    pass


def alter_error(a, name, changes, validate_only=False):
    """(error name, message) of a refused alteration."""
    from confluent_kafka import KafkaException
    try:
        alter(a, name, changes, validate_only)
    except KafkaException as e:
        return e.args[0].name(), e.args[0].str()
    except AlterFailed as e:      # kadmin: "kadmin: NAME: message"
        text = str(e).strip().split("kadmin: ", 1)[-1]
        code, _, msg = text.partition(": ")
        return code, msg
    raise AssertionError("accepted: %s %r" % (name, changes))


def describe(cluster, name, keys=None):
    if name == "":               # confluent-kafka 1.7 refuses the name: kadmin
        out = kadmin(cluster, "configs", "describe", "--broker-default").stdout
        got = {}
        for line in out.splitlines()[1:]:
            kv, _, src = line.strip().rpartition(" (")
            k, _, v = kv.partition("=")
            got[k] = (v, SOURCES[src.rstrip(")")])
        return got
    from confluent_kafka.admin import ConfigResource
    a = admin(cluster)
    res = ConfigResource("broker", name)
    out = a.describe_configs([res])[res].result(30)
    return {k: v for k, v in out.items() if keys is None or k in keys}


SOURCES = {"DYNAMIC_BROKER_CONFIG": 2, "DYNAMIC_DEFAULT_BROKER_CONFIG": 3,
           "STATIC_BROKER_CONFIG": 4, "DEFAULT_CONFIG": 5}


def value_source(cluster, broker_id, key):
    e = describe(cluster, str(broker_id), [key])[key]
    return e.value, int(e.source)


def kadmin(cluster, *args, check=True):
    p = subprocess.run([os.path.join(harness.bin_dir(), "kadmin"), "--timeout-ms", "20000",
                        "--bootstrap-server", cluster.bootstrap()] + list(args),
                       capture_output=True, text=True, timeout=60)
    if check:
        assert p.returncode == 0, p.stderr
    return p


def wait_source(cluster, broker_id, key, want, timeout=15):
    harness.wait_until(lambda: value_source(cluster, broker_id, key) == want, timeout,
                       what="broker %d %s = %s" % (broker_id, key, want))


# ---- Sources and precedence -----------------------------------------------------------------

def test_per_broker_and_default_sources_on_every_broker(cluster):
    a = admin(cluster)
    alter(a, "", {"log.retention.ms": "7200000"})
    alter(a, "1", {"log.retention.ms": "3600000"})
    assert dynamic_level(cluster, "") == {"log.retention.ms": "7200000"}
    assert dynamic_level(cluster, "1") == {"log.retention.ms": "3600000"}
    notes = cluster.kz.get_children("/config/changes")
    entities = {json.loads(cluster.kz.get("/config/changes/" + n)[0].decode())["entity_path"]
                for n in notes}
    assert {"brokers/<default>", "brokers/1"} <= entities
    # The answer comes once the receiving broker shows it; the others follow their watches.
    assert value_source(cluster, 1, "log.retention.ms") == ("3600000", DYNAMIC_BROKER)
    wait_source(cluster, 2, "log.retention.ms", ("7200000", DYNAMIC_DEFAULT))
    wait_source(cluster, 3, "log.retention.ms", ("7200000", DYNAMIC_DEFAULT))
    # Static and default keys keep their sources; read_only follows what kbroker applies live.
    d = describe(cluster, "2", ["log.segment.bytes", "num.partitions", "broker.id",
                                "log.retention.ms"])
    assert int(d["log.segment.bytes"].source) == STATIC and d["log.segment.bytes"].value == "4096"
    assert int(d["num.partitions"].source) == DEFAULT
    assert d["broker.id"].is_read_only and not d["log.retention.ms"].is_read_only
    # The "" resource lists the dynamic defaults only.
    assert describe(cluster, "") == {"log.retention.ms": ("7200000", DYNAMIC_DEFAULT)}
    # A topic without overrides follows: its retention.ms comes from the dynamic default.
    from confluent_kafka.admin import ConfigResource, NewTopic
    a.create_topics([NewTopic("dyn-follow", 1, 1)])["dyn-follow"].result(30)
    res = ConfigResource("topic", "dyn-follow")

    def topic_retention():
        e = a.describe_configs([res])[res].result(30)["retention.ms"]
        return e.value, int(e.source)
    harness.wait_until(lambda: topic_retention()[1] in (DYNAMIC_BROKER, DYNAMIC_DEFAULT), 15,
                       what="topic retention.ms from a dynamic broker config")
    # DELETE returns to the next level: broker 1 to the default, then to the static/default.
    alter(a, "1", {"log.retention.ms": None})
    wait_source(cluster, 1, "log.retention.ms", ("7200000", DYNAMIC_DEFAULT))
    alter(a, "", {"log.retention.ms": None})
    wait_source(cluster, 1, "log.retention.ms", (None, DEFAULT))
    assert dynamic_level(cluster, "") == {} and dynamic_level(cluster, "1") == {}


def test_synonyms_list_every_level(cluster):
    # kafka-python: confluent-kafka 1.7 cannot ask for synonyms.
    from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient
    a = admin(cluster)
    alter(a, "", {"message.max.bytes": "300000"})
    alter(a, "2", {"message.max.bytes": "250000"})
    ka = KafkaAdminClient(bootstrap_servers=cluster.bootstrap(), request_timeout_ms=30000)
    try:
        resp = ka.describe_configs([ConfigResource(ConfigResourceType.BROKER, "2",
                                                   configs={"message.max.bytes": None})],
                                   include_synonyms=True)
    finally:
        ka.close()
    (err, _msg, _type, name, entries), = resp[0].resources
    assert err == 0 and name == "2"
    (key, value, read_only, source, _sensitive, synonyms), = entries
    assert (key, value, read_only, source) == ("message.max.bytes", "250000", False,
                                               DYNAMIC_BROKER)
    assert [(v, src) for _n, v, src in synonyms] == [
        ("250000", DYNAMIC_BROKER), ("300000", DYNAMIC_DEFAULT), ("200000", STATIC),
        ("1048588", DEFAULT)]


# ---- Applied live, and after a restart ------------------------------------------------------

def low_watermark(cluster, topic):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": cluster.bootstrap(), "group.id": "dyn-wm"})
    try:
        return c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)[0]
    finally:
        c.close()


def test_retention_default_applies_live_to_topics_without_overrides(cluster):
    from confluent_kafka import Producer
    from confluent_kafka.admin import NewTopic
    a = admin(cluster)
    topic = "dyn-retention"
    a.create_topics([NewTopic(topic, 1, 3)])[topic].result(30)
    # 4 KiB segments (static): many of them; batches below that (Kafka refuses a larger one).
    p = Producer({"bootstrap.servers": cluster.bootstrap(), "linger.ms": 0, "acks": "all",
                  "batch.size": 2000})
    for i in range(200):
        p.produce(topic, b"x" * 200, key=b"%d" % i)
        p.poll(0)
    assert p.flush(30) == 0
    time.sleep(1.0)
    assert low_watermark(cluster, topic) == 0     # 7 days by default: nothing deleted
    alter(a, "", {"log.retention.ms": "500"})
    harness.wait_until(lambda: low_watermark(cluster, topic) > 0, 30,
                       what="segments deleted by the dynamic retention")


def test_message_max_bytes_per_broker_live_and_after_restart(cluster):
    from confluent_kafka import KafkaError, Producer
    from confluent_kafka.admin import NewTopic
    a = admin(cluster)
    topic = "dyn-maxbytes"
    # Segments above the records' size (Kafka refuses a batch larger than a segment).
    a.create_topics([NewTopic(topic, 1, replica_assignment=[[2]],
                              config={"segment.bytes": "1048576"})])[topic].result(30)

    def produce(size):
        errs = []
        p = Producer({"bootstrap.servers": cluster.bootstrap(), "linger.ms": 0,
                      "message.max.bytes": 1000000, "retries": 0})
        p.produce(topic, b"y" * size, on_delivery=lambda e, m: errs.append(e))
        p.flush(30)
        return errs[0].code() if errs and errs[0] else KafkaError.NO_ERROR

    harness.wait_until(lambda: produce(50000) == KafkaError.NO_ERROR, 30, what="produce works")
    alter(a, "2", {"message.max.bytes": "10000"})
    # kbroker answers once its own cache shows the change; Kafka applies it asynchronously.
    harness.wait_until(lambda: produce(50000) == KafkaError.MSG_SIZE_TOO_LARGE, 15,
                       what="the lower message.max.bytes applied")
    assert produce(1000) == KafkaError.NO_ERROR
    b2 = cluster.broker(2)
    b2.stop()
    b2.restart(cluster.kz, after_kill=False)
    assert value_source(cluster, 2, "message.max.bytes") == ("10000", DYNAMIC_BROKER)
    harness.wait_until(lambda: produce(1000) == KafkaError.NO_ERROR, 30, what="leader back")
    assert produce(50000) == KafkaError.MSG_SIZE_TOO_LARGE   # applied before serving
    alter(a, "2", {"message.max.bytes": None})
    wait_source(cluster, 2, "message.max.bytes", ("200000", STATIC))
    harness.wait_until(lambda: produce(50000) == KafkaError.NO_ERROR, 15,
                       what="the static message.max.bytes again")


def connect_from(broker, src):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(10)
    s.bind((src, 0))
    s.connect((harness.HOST, broker.port))
    c = harness.KConn.__new__(harness.KConn)
    c.sock, c._buf, c._corr = s, b"", 1000
    return c


def usable(c):
    try:
        return len(c.metadata(1, timeout=10)["brokers"]) >= 1
    except harness.ConnClosed:
        return False


@pytest.mark.skipif(KAFKA_PEER, reason="raw kbroker connections (harness.KConn)")
def test_max_connections_per_ip_applies_live(cluster):
    a = admin(cluster)
    b3 = cluster.broker(3)
    src = "127.0.0.7"    # no client of the tests connects from there
    alter(a, "3", {"max.connections.per.ip": "4"})
    conns = [connect_from(b3, src) for _ in range(4)]
    try:
        assert all(usable(c) for c in conns)
        extra = connect_from(b3, src)
        closed, data, _ = extra.wait_closed(3.0)
        assert closed and data == b"", "a 5th connection from %s was kept" % src
        extra.close()
        alter(a, "3", {"max.connections.per.ip": None})   # back to the default (2^31-1)
        extra = connect_from(b3, src)
        assert usable(extra)
        conns.append(extra)
    finally:
        for c in conns:
            c.close()


def log_bytes(broker, topic, partition):
    d = os.path.join(broker.workdir, "data", "%s-%d" % (topic, partition))
    return sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d) if f.endswith(".log"))


@pytest.mark.skipif(KAFKA_PEER, reason="reads kbroker's log line and data directories")
def test_num_replica_fetchers_applies_live(cluster):
    from confluent_kafka import Producer
    from confluent_kafka.admin import NewTopic
    a = admin(cluster)
    topic = "dyn-fetchers"
    # 8 partitions led by brokers 2 and 3, each followed by broker 1.
    assign = [[2 + i % 2, 1, 3 - i % 2] for i in range(8)]
    a.create_topics([NewTopic(topic, 8, replica_assignment=assign)])[topic].result(30)

    def produce(n):
        p = Producer({"bootstrap.servers": cluster.bootstrap(), "linger.ms": 5, "acks": "all",
                      "batch.size": 2000})
        for i in range(n):
            p.produce(topic, b"z" * 100, partition=i % 8)
            p.poll(0)
        assert p.flush(30) == 0

    def replicated():
        return all(log_bytes(cluster.broker(1), topic, i) ==
                   log_bytes(cluster.broker(assign[i][0]), topic, i) > 0 for i in range(8))
    produce(400)
    harness.wait_until(replicated, 30, what="broker 1 caught up")
    b1 = cluster.broker(1)
    alter(a, "1", {"num.replica.fetchers": "4"})
    harness.wait_until(lambda: "num.replica.fetchers 1 -> 4:" in b1.log_text(), 15,
                       what="broker 1 resized its fetchers")
    line = [x for x in b1.log_text().splitlines() if "num.replica.fetchers 1 -> 4:" in x][-1]
    assert int(line.split(": ")[-1].split()[0]) > 0, line   # some followers moved
    produce(400)                                             # and they keep copying
    harness.wait_until(replicated, 30, what="broker 1 caught up on 4 fetchers per leader")
    alter(a, "1", {"num.replica.fetchers": None})
    harness.wait_until(lambda: "num.replica.fetchers 4 -> 1:" in b1.log_text(), 15,
                       what="broker 1 back to one fetcher per leader")
    produce(400)
    harness.wait_until(replicated, 30, what="broker 1 caught up on 1 fetcher per leader")


@pytest.mark.skipif(KAFKA_PEER, reason="reads kbroker's log line")
def test_cleaner_buffer_applies_to_next_passes(cluster):
    def key_map(b):   # the cleaner's latest settings line
        lines = [x for x in b.log_text().splitlines() if "-byte key map each" in x]
        return lines[-1].split("thread(s), ")[1] if lines else ""
    a = admin(cluster)
    for b in cluster.brokers:
        assert key_map(b) == "134217728-byte key map each"
    alter(a, "", {"log.cleaner.dedupe.buffer.size": "67108864"})
    for b in cluster.brokers:
        harness.wait_until(lambda: key_map(b) == "67108864-byte key map each", 15,
                           what="broker %d's cleaner resized" % b.broker_id)
    alter(a, "", {"log.cleaner.dedupe.buffer.size": None})
    for b in cluster.brokers:
        harness.wait_until(lambda: key_map(b) == "134217728-byte key map each", 15,
                           what="broker %d's cleaner back to the default" % b.broker_id)


def partition_state(cluster, topic, partition=0):
    data, _ = cluster.kz.get("/brokers/topics/%s/partitions/%d/state" % (topic, partition))
    return json.loads(data.decode())


def test_unclean_leader_election_default_applies_live(cluster):
    from confluent_kafka import Producer
    from confluent_kafka.admin import NewTopic
    a = admin(cluster)
    topic = "dyn-unclean"
    a.create_topics([NewTopic(topic, 1, replica_assignment=[[2, 3]])])[topic].result(30)
    p = Producer({"bootstrap.servers": cluster.bootstrap(), "acks": "all"})
    p.produce(topic, b"before")
    assert p.flush(30) == 0
    b2, b3 = cluster.broker(2), cluster.broker(3)
    harness.wait_until(lambda: partition_state(cluster, topic)["isr"] == [2, 3], 30,
                       what="both replicas in sync")
    b3.kill9()
    harness.wait_until(lambda: partition_state(cluster, topic)["isr"] == [2], 30,
                       what="3 dropped from the ISR")
    b2.kill9()
    harness.wait_until(lambda: partition_state(cluster, topic)["leader"] == -1, 30,
                       what="the partition offline")
    b3.restart(cluster.kz)
    time.sleep(3)
    assert partition_state(cluster, topic)["leader"] == -1   # unclean elections are off
    alter(a, "", {"unclean.leader.election.enable": "true"})
    harness.wait_until(lambda: partition_state(cluster, topic)["leader"] == 3, 30,
                       what="3 elected uncleanly once the default allows it")
    alter(a, "", {"unclean.leader.election.enable": None})
    b2.restart(cluster.kz)


def incremental_raw(broker, name, ops, validate_only=False):
    """IncrementalAlterConfigs v0 on one BROKER resource, sent to `broker` itself (no client
    here sends APPEND / SUBTRACT); ops: (key, op 0-3, value or None). (error, message)."""
    import struct
    import kproto
    body = kproto.i32(1) + kproto.i8(4) + kproto.string(name) + kproto.i32(len(ops))
    for k, op, v in ops:
        body += kproto.string(k) + kproto.i8(op) + kproto.nullable_string(v)
    body += kproto.boolean(validate_only)
    with broker.conn() as c:
        corr = c.next_corr()
        c.send(kproto.frame(kproto.encode_request(44, 0, corr, body)))
        data = c.recv_frame(30)
    got_corr, _throttle, n, err, mlen = struct.unpack(">iiihh", data[:16])
    assert got_corr == corr and n == 1
    msg = data[16:16 + mlen].decode() if mlen >= 0 else None
    return err, msg


INVALID_CONFIG, INVALID_REQUEST = 40, 42


def test_incremental_append_subtract_and_resource_names(cluster):
    b1 = cluster.broker(1)
    assert incremental_raw(b1, "1", [("log.cleanup.policy", 2, "compact")]) == (0, None)
    assert dynamic_level(cluster, "1") == {"log.cleanup.policy": "delete,compact"}
    assert incremental_raw(b1, "1", [("log.cleanup.policy", 3, "delete")]) == (0, None)
    assert dynamic_level(cluster, "1") == {"log.cleanup.policy": "compact"}
    assert value_source(cluster, 1, "log.cleanup.policy") == ("compact", DYNAMIC_BROKER)
    err, msg = incremental_raw(b1, "1", [("message.max.bytes", 2, "5")])
    assert err == INVALID_CONFIG, msg     # Kafka 3.9's code
    err, msg = incremental_raw(b1, "1", [("log.retention.ms", 0, "1"),
                                         ("log.retention.ms", 1, None)])
    assert err == INVALID_REQUEST and "duplicate" in msg
    err, msg = incremental_raw(b1, "1", [("log.retention.ms", 0, None)])
    assert err == INVALID_REQUEST and "Null value" in msg
    # A broker answers for itself and the default only, as Kafka's ZooKeeper-mode brokers.
    err, msg = incremental_raw(b1, "2", [("log.retention.ms", 0, "1000")])
    assert err == INVALID_REQUEST and msg == "Unexpected broker id, expected 1, but received 2"
    err, msg = incremental_raw(b1, "x", [("log.retention.ms", 0, "1000")])
    assert err == INVALID_REQUEST and "must be an integer" in msg
    assert incremental_raw(b1, "", [("log.retention.bytes", 0, "5000000")],
                           validate_only=True) == (0, None)
    assert dynamic_level(cluster, "") == {} and dynamic_level(cluster, "2") == {}
    assert incremental_raw(b1, "1", [("log.cleanup.policy", 1, None)]) == (0, None)
    assert dynamic_level(cluster, "1") == {}


# ---- Refusals -----------------------------------------------------------------------------

def test_read_only_restart_unknown_and_bad_values_refused(cluster):
    a = admin(cluster)
    code, msg = alter_error(a, "1", {"broker.id": "9"})
    assert code == "INVALID_REQUEST"
    assert "Cannot update these configs dynamically" in msg and "broker.id" in msg
    for name in ["", "2"]:
        for key in ["log.dirs", "zookeeper.connect", "log.retention.hours"]:
            code, msg = alter_error(a, name, {key: "1"})
            assert code == "INVALID_REQUEST", (name, key, msg)
            assert "Cannot update these configs dynamically" in msg
        if KAFKA_PEER:   # Kafka applies it and accepts unknown names
            for bad in [{"log.retention.ms": "soon"}, {"log.segment.bytes": "13"}]:
                code, msg = alter_error(a, name, bad)
                assert code == "INVALID_REQUEST", (name, bad, msg)
            continue
        code, msg = alter_error(a, name, {"log.cleaner.threads": "2"})
        assert code == "INVALID_REQUEST" and "requires a restart in kbroker" in msg
        for bad in [{"log.retention.ms": "soon"}, {"log.segment.bytes": "13"},
                    {"log.retention.ms": "0"}]:
            code, msg = alter_error(a, name, bad)
            assert code == "INVALID_REQUEST", (name, bad, msg)   # as Kafka 3.9 answers
    assert dynamic_level(cluster, "") == {} and dynamic_level(cluster, "1") == {}


def test_custom_and_sasl_names_stored_without_effect(cluster):
    """Kafka's ZooKeeper mode stores broker config names it does not know (custom configs
    for plugins); kbroker does the same, and with SASL/SSL keys it does not serve (librdkafka's
    0081 sets sasl.kerberos.min.time.before.relogin on a broker). They are described under
    the cluster default, change nothing, and can be deleted."""
    a = admin(cluster)
    custom = {"my.plugin.setting": "on", "sasl.kerberos.min.time.before.relogin": "58000"}
    alter(a, "", custom)
    assert dynamic_level(cluster, "") == custom
    got = describe(cluster, "")
    assert {k: got.get(k) for k in custom} == \
        {k: (v, SOURCES["DYNAMIC_DEFAULT_BROKER_CONFIG"]) for k, v in custom.items()}, got
    for k in custom:
        assert incremental_raw(cluster.brokers[0], "", [(k, 1, None)]) == (0, None)
    assert dynamic_level(cluster, "") == {}


def test_validate_only_writes_nothing(cluster):
    a = admin(cluster)
    before = len(cluster.kz.get_children("/config/changes"))
    alter(a, "3", {"message.max.bytes": "123456", "log.retention.bytes": "1000000"},
          validate_only=True)
    assert dynamic_level(cluster, "3") == {}
    assert len(cluster.kz.get_children("/config/changes")) == before
    assert value_source(cluster, 3, "message.max.bytes") == ("200000", STATIC)
    code, _ = alter_error(a, "3", {"broker.id": "4"}, validate_only=True)
    assert code == "INVALID_REQUEST"


@pytest.mark.skipif(KAFKA_PEER, reason="kbroker's own limits")
def test_limits(cluster):
    a = admin(cluster)
    code, _ = alter_error(a, "1", {"log.cleanup.policy": "delete" + "," * 5000})
    assert code == "INVALID_CONFIG"
    code, _ = alter_error(a, "1", {"k%d" % i: "1" for i in range(1001)})
    assert code == "INVALID_REQUEST"
    assert dynamic_level(cluster, "1") == {}


# ---- kadmin -----------------------------------------------------------------------------------

def test_kadmin_alter_and_describe(cluster):
    kadmin(cluster, "configs", "alter", "--broker", "3", "--set",
           "log.retention.ms=86400000,log.retention.bytes=1073741824")
    kadmin(cluster, "configs", "alter", "--broker-default", "--set", "log.retention.ms=43200000")
    out = kadmin(cluster, "configs", "describe", "--broker", "3").stdout
    assert "log.retention.ms=86400000 (DYNAMIC_BROKER_CONFIG)" in out
    assert "log.retention.bytes=1073741824 (DYNAMIC_BROKER_CONFIG)" in out
    assert "log.segment.bytes=4096 (STATIC_BROKER_CONFIG)" in out
    assert "num.partitions=1 (DEFAULT_CONFIG)" in out
    harness.wait_until(
        lambda: "log.retention.ms=43200000 (DYNAMIC_DEFAULT_BROKER_CONFIG)" in
        kadmin(cluster, "configs", "describe", "--broker", "1").stdout, 15,
        what="broker 1 follows the default")
    out = kadmin(cluster, "configs", "describe", "--broker-default").stdout
    assert "log.retention.ms=43200000 (DYNAMIC_DEFAULT_BROKER_CONFIG)" in out
    kadmin(cluster, "configs", "alter", "--broker", "3", "--delete",
           "log.retention.ms,log.retention.bytes")
    kadmin(cluster, "configs", "alter", "--broker-default", "--delete", "log.retention.ms")
    assert dynamic_level(cluster, "3") == {} and dynamic_level(cluster, "") == {}
    p = kadmin(cluster, "configs", "alter", "--broker", "1", "--set", "broker.id=7", check=False)
    assert p.returncode != 0 and "Cannot update these configs dynamically" in p.stderr


@pytest.fixture(scope="module")
def rootless(tmp_path_factory):
    """A broker whose zookeeper.connect has no chroot (a ZooKeeper of its own: everything at
    the root), as librdkafka's compat clusters and many real deployments run."""
    zk = own_zookeeper(tmp_path_factory, "zk-rootless")
    server = next(zk)
    gen = start_cluster(tmp_path_factory.mktemp("rootless"), zk=server, n=1, ids=[7])
    c = next(gen)
    yield c
    for g in (gen, zk):
        try:
            next(g)
        except StopIteration:
            pass


def test_broker_config_without_chroot(rootless):
    """The change notification's path was built in a buffer left unset when there is no
    chroot: every broker config write failed with ZooKeeper's 'bad arguments'."""
    p = kadmin(rootless, "configs", "alter", "--broker", "7", "--set", "log.retention.ms=3600000",
               check=False)
    assert p.returncode == 0, p.stderr
    assert json.loads(rootless.kz.get("/config/brokers/7")[0].decode())["config"] == \
        {"log.retention.ms": "3600000"}
    notes = rootless.kz.get_children("/config/changes")
    assert any(json.loads(rootless.kz.get("/config/changes/" + n)[0].decode()) ==
               {"version": 2, "entity_path": "brokers/7"} for n in notes), notes
