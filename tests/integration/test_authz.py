"""ACL enforcement (issue 14), as Kafka 3.9's AclAuthorizer in ZooKeeper mode enforces it.

ACLs are written straight into ZooKeeper in Kafka's layout with kazoo (acl_util.py: resource
znode + change notification); each test waits, with a bounded poll, until the brokers applied
them (the operation under test starts failing or succeeding), then shows the behaviour with
confluent-kafka and with raw requests where the client hides the error. Every client connects
from 127.0.0.1 as User:ANONYMOUS (PLAINTEXT).

* allow.everyone.if.no.acl.found=false (one broker): a topic with no ACL refuses a produce
  (TOPIC_AUTHORIZATION_FAILED in the producer's delivery report and in a raw Produce) and a
  consume (the consumer's error and a raw Fetch); with super.users=User:ANONYMOUS (another
  broker) everything goes through.
* allow.everyone.if.no.acl.found=true (two brokers, RF1 topics but one):
  - DENY WRITE on t stops produces to t, not to u; a DENY for another host does not apply,
    one for 127.0.0.1 does; a PREFIXED DENY covers the names under it only; deleting the ACL
    znode (plus its notification) restores access;
  - Metadata lists only the topics the principal may DESCRIBE; a requested one it may not
    gets TOPIC_AUTHORIZATION_FAILED; v8 authorized-operations bits (topic and cluster) match
    the ACLs;
  - DENY READ on a group: GROUP_AUTHORIZATION_FAILED at subscribe and at commit;
  - an idempotent producer without IDEMPOTENT_WRITE on the cluster nor WRITE on any topic:
    InitProducerId CLUSTER_AUTHORIZATION_FAILED; a transactional producer denied WRITE on its
    transactional id: TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  - a raw Fetch claiming to be replica 1022 without CLUSTER_ACTION (CVE-2018-1288) gets
    TOPIC_AUTHORIZATION_FAILED (Kafka 3.9's answer) and leaves the partition's ISR and high
    watermark alone, where the real follower (stopped) is out of the ISR;
  - AdminClient: CreateTopics without CREATE on the cluster nor the topic, DeleteTopics of a
    missing topic without DELETE (TOPIC_AUTHORIZATION_FAILED, not UNKNOWN_TOPIC_OR_PARTITION:
    nothing leaks), DescribeConfigs without DESCRIBE_CONFIGS;
  - WriteTxnMarkers and AddPartitionsToTxn v4 (broker requests) without CLUSTER_ACTION:
    CLUSTER_AUTHORIZATION_FAILED, nothing appended; OffsetForLeaderEpoch takes DESCRIBE on the
    topic instead (KIP-320), and neither gives TOPIC_AUTHORIZATION_FAILED;
  - raw group requests: OffsetFetch leaves out (all topics) or refuses (named) a topic without
    DESCRIBE, DescribeGroups v3 authorized operations, ListGroups lists every group with
    DESCRIBE on the cluster and only the DESCRIBE-able ones without it.
"""

import json
import os
import signal
import struct
import time

import pytest

import acl_util
import harness
import kproto
import ktxn
from acl_util import ANON, LITERAL, PREFIXED, delete_acls, put_acls
from conftest import start_cluster
from test_txn_log import batch as make_batch, produce as produce_v7

TOPIC_AUTHORIZATION_FAILED = 29
GROUP_AUTHORIZATION_FAILED = 30
CLUSTER_AUTHORIZATION_FAILED = 31
TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53

# AclOperation codes (the authorized-operations bits).
READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE = 3, 4, 5, 6, 7, 8
CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE = 9, 10, 11, 12
TOPIC_OPS = {READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS}
CLUSTER_OPS = {CREATE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE,
               ALTER, DESCRIBE}

AUTHORIZER = {"authorizer.class.name": "kafka.security.authorizer.AclAuthorizer",
              "offsets.topic.num.partitions": "3",
              "transaction.state.log.num.partitions": "3",
              "auto.create.topics.enable": "false"}
OPEN_IDS = [1021, 1022]
APPLY_S = 20    # longest wait for the brokers to apply an ACL change


def bits(ops):
    return sum(1 << o for o in ops)


# ---- clusters ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def open_cluster(zk_server, tmp_path_factory):
    cfg = dict(AUTHORIZER, **{"allow.everyone.if.no.acl.found": "true",
                              "replica.lag.time.max.ms": "3000",
                              "offsets.topic.replication.factor": "1",
                              "transaction.state.log.replication.factor": "1",
                              "transaction.state.log.min.isr": "1"})
    yield from start_cluster(tmp_path_factory.mktemp("authz-open"), zk=zk_server,
                             chroot="/authz-open", ids=OPEN_IDS, session_timeout_ms=10000,
                             config=cfg)


@pytest.fixture(scope="module")
def closed_cluster(zk_server, tmp_path_factory):
    cfg = dict(AUTHORIZER, **{"allow.everyone.if.no.acl.found": "false"})
    yield from start_cluster(tmp_path_factory.mktemp("authz-closed"), zk=zk_server,
                             chroot="/authz-closed", ids=[1031], config=cfg)


@pytest.fixture(scope="module")
def super_cluster(zk_server, tmp_path_factory):
    cfg = dict(AUTHORIZER, **{"allow.everyone.if.no.acl.found": "false",
                              "super.users": "User:nobody;" + ANON})
    yield from start_cluster(tmp_path_factory.mktemp("authz-super"), zk=zk_server,
                             chroot="/authz-super", ids=[1041], config=cfg)


# ---- helpers ---------------------------------------------------------------------------------

def eventually(fn, want, what, timeout=APPLY_S):
    """Polls fn() until it returns `want` (the brokers applied an ACL change)."""
    deadline = time.monotonic() + timeout
    got = None
    while time.monotonic() < deadline:
        got = fn()
        if got == want:
            return
        time.sleep(0.2)
    raise AssertionError("%s: %r after %d s, wanted %r" % (what, got, timeout, want))


def create_topic(cluster, name, replicas):
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": cluster.bootstrap()})
    fut = admin.create_topics([NewTopic(name, 1, replica_assignment=[replicas])],
                              operation_timeout=30)[name]
    fut.result(60)
    harness.wait_until(lambda: leader_of(cluster, name) == replicas[0], 30,
                       what="a leader for %s" % name)


def partition_state(cluster, topic):
    data, _ = cluster.kz.get("/brokers/topics/%s/partitions/0/state" % topic)
    return json.loads(data.decode())


def leader_of(cluster, topic):
    try:
        return partition_state(cluster, topic)["leader"]
    except Exception:
        return None


def raw_produce(broker, topic, values=(b"v",), acks=1):
    """Produce v7 of one plain batch to partition 0: the partition's error code."""
    with harness.KConn(harness.HOST, broker.port) as conn:
        return produce_v7(conn, topic, make_batch(-1, -1, -1, list(values), txn=False),
                          acks=acks)[0]


def raw_fetch(broker, topic, offset, replica_id=-1):
    """Fetch v4 of partition 0 (replica_id >= 0: as that follower): (error, high watermark)."""
    body = struct.pack(">iiiib", replica_id, 0, 1, 1 << 20, 0) + struct.pack(">i", 1) + \
        kproto.string(topic) + struct.pack(">i", 1) + struct.pack(">iqi", 0, offset, 1 << 20)
    with harness.KConn(harness.HOST, broker.port) as conn:
        corr = conn.next_corr()
        conn.send(kproto.frame(kproto.encode_request(1, 4, corr, body, "kb-authz")))
        r = kproto.Reader(conn.recv_frame(20))
    assert r.i32() == corr
    r.i32()                                   # throttle
    assert r.i32() == 1
    assert r.string() == topic
    assert r.i32() == 1
    idx, err, hw = struct.unpack(">ihq", r.take(14))
    assert idx == 0
    return err, hw


def metadata(broker, topics=kproto.ALL_TOPICS, version=8, **kw):
    with broker.conn(15) as c:
        return c.metadata(version, topics=topics, **kw)


def init_pid_error(broker, txn_id=None):
    return ktxn.call(broker, ktxn.INIT_PRODUCER_ID, 1,
                     {"transactional_id": txn_id, "transaction_timeout_ms": 60000})["error_code"]


def client_produce(cluster, topic, n=3, **conf):
    """Produces n records with confluent-kafka: (delivery error codes or None, error_cb list)."""
    from confluent_kafka import KafkaException, Producer
    results, errors = [], []
    cfg = {"bootstrap.servers": cluster.bootstrap(), "message.timeout.ms": 8000,
           "linger.ms": 1, "enable.idempotence": False, "error_cb": errors.append}
    cfg.update(conf)
    p = Producer(cfg)
    for i in range(n):
        p.produce(topic, value=b"m%d" % i, partition=0,
                  on_delivery=lambda err, _m: results.append(err.code() if err else None))
    try:
        p.flush(20)
    except KafkaException as e:   # a fatal error (idempotence) is raised here
        errors.append(e.args[0])
    return results, errors


def first_consumer_error(cluster, topic, group="authz-reader", timeout=20):
    """Subscribes to the topic and returns the first error code the consumer reports, or the
    values it read (up to 3)."""
    from confluent_kafka import Consumer
    c = Consumer({"bootstrap.servers": cluster.bootstrap(), "group.id": group,
                  "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    try:
        c.subscribe([topic])
        deadline = time.monotonic() + timeout
        values = []
        while time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                return m.error().code()
            values.append(m.value())
            if len(values) >= 3:
                return values
        return values
    finally:
        c.close()


# ---- allow.everyone.if.no.acl.found=false, and super.users -----------------------------------

def test_no_acl_denies_produce_and_consume(closed_cluster):
    from confluent_kafka import KafkaException
    c = closed_cluster
    b = c.brokers[0]
    put_acls(c.kz, "Cluster", "kafka-cluster", LITERAL, [(ANON, "*", "Create", "Allow")])
    try:
        deadline = time.monotonic() + APPLY_S
        while True:  # CreateTopics needs CREATE on the cluster: applied once it succeeds
            try:
                create_topic(c, "closed-t", [1031])
                break
            except KafkaException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
    finally:
        delete_acls(c.kz, "Cluster", "kafka-cluster", LITERAL)
    # No ACL on the topic: closed to everyone but super users.
    assert raw_produce(b, "closed-t") == TOPIC_AUTHORIZATION_FAILED
    assert raw_fetch(b, "closed-t", 0)[0] == TOPIC_AUTHORIZATION_FAILED
    results, _ = client_produce(c, "closed-t")
    assert results == [TOPIC_AUTHORIZATION_FAILED] * 3
    # The consumer's group is allowed: the topic is what it may not read.
    put_acls(c.kz, "Group", "authz-reader", LITERAL, [(ANON, "*", "Read", "Allow")])
    try:
        eventually(lambda: first_consumer_error(c, "closed-t", timeout=10),
                   TOPIC_AUTHORIZATION_FAILED, "a consumer of closed-t")
    finally:
        delete_acls(c.kz, "Group", "authz-reader", LITERAL)
    # Nor is the topic listed, and asking for it by name says why.
    assert "closed-t" not in [t["name"] for t in metadata(b)["topics"]]
    md = metadata(b, ["closed-t"])
    assert md["topics"][0]["error_code"] == TOPIC_AUTHORIZATION_FAILED
    assert md["topics"][0]["partitions"] == []
    # The log took nothing (ListOffsets needs DESCRIBE: granted, and only that).
    put_acls(c.kz, "Topic", "closed-t", LITERAL, [(ANON, "*", "Describe", "Allow")])
    try:
        eventually(lambda: metadata(b, ["closed-t"])["topics"][0]["error_code"], 0,
                   "DESCRIBE granted")
        assert raw_produce(b, "closed-t") == TOPIC_AUTHORIZATION_FAILED   # WRITE still not
        off = ktxn.latest_offset(c, "closed-t", 0, isolation=ktxn.READ_UNCOMMITTED)
        assert off == 0
    finally:
        delete_acls(c.kz, "Topic", "closed-t", LITERAL)


def test_super_user_passes(super_cluster):
    c = super_cluster
    create_topic(c, "super-t", [1041])   # CREATE with no ACL at all: a super user
    results, errors = client_produce(c, "super-t", acks="all")
    assert results == [None] * 3, errors
    assert first_consumer_error(c, "super-t") == [b"m0", b"m1", b"m2"]


# ---- allow.everyone.if.no.acl.found=true ------------------------------------------------------

@pytest.fixture(scope="module")
def open_topics(open_cluster):
    for t in ("w-t", "w-u", "pfx-a", "other-a", "md-open", "md-hidden", "md-read", "g-t",
              "cve-probe", "og-a", "og-b"):
        create_topic(open_cluster, t, [OPEN_IDS[0]])
    return open_cluster


def test_deny_write_topic_and_host(open_topics):
    c = open_topics
    b = c.broker(OPEN_IDS[0])
    assert raw_produce(b, "w-t") == 0    # no ACL: allow.everyone.if.no.acl.found
    # DESCRIBE allowed, WRITE denied from another host: does not apply to 127.0.0.1.
    put_acls(c.kz, "Topic", "w-t", LITERAL, [(ANON, "*", "Describe", "Allow"),
                                            (ANON, "*", "Write", "Allow"),
                                            (ANON, "10.9.8.7", "Write", "Deny")])
    try:
        eventually(lambda: metadata(b, ["w-t"], include_topic_authorized_operations=True)
                   ["topics"][0]["topic_authorized_operations"], bits({WRITE, DESCRIBE}),
                   "the ACLs of w-t applied")
        assert raw_produce(b, "w-t") == 0
        # The same DENY from 127.0.0.1 applies.
        put_acls(c.kz, "Topic", "w-t", LITERAL, [(ANON, "*", "Describe", "Allow"),
                                                (ANON, "*", "Write", "Allow"),
                                                (ANON, "127.0.0.1", "Write", "Deny")])
        eventually(lambda: raw_produce(b, "w-t"), TOPIC_AUTHORIZATION_FAILED, "DENY WRITE")
        assert raw_produce(b, "w-u") == 0
        results, _ = client_produce(c, "w-t")
        assert results == [TOPIC_AUTHORIZATION_FAILED] * 3
        results, _ = client_produce(c, "w-u")
        assert results == [None] * 3
    finally:
        delete_acls(c.kz, "Topic", "w-t", LITERAL)
    # The znode gone (and notified): allowed again.
    eventually(lambda: raw_produce(b, "w-t"), 0, "the ACL removed")
    results, _ = client_produce(c, "w-t")
    assert results == [None] * 3


def test_prefixed_deny(open_topics):
    c = open_topics
    b = c.broker(OPEN_IDS[0])
    put_acls(c.kz, "Topic", "pfx-", PREFIXED, [(ANON, "*", "Describe", "Allow"),
                                              (ANON, "*", "Write", "Deny")])
    try:
        eventually(lambda: raw_produce(b, "pfx-a"), TOPIC_AUTHORIZATION_FAILED,
                   "PREFIXED DENY WRITE")
        assert raw_produce(b, "other-a") == 0
        results, _ = client_produce(c, "pfx-a")
        assert results == [TOPIC_AUTHORIZATION_FAILED] * 3
        # The prefix's ACLs apply to pfx-a and none allows READ: denied too (as in Kafka,
        # allow.everyone.if.no.acl.found no longer speaks for it); other-a has no ACL.
        assert raw_fetch(b, "pfx-a", 0)[0] == TOPIC_AUTHORIZATION_FAILED
        assert raw_fetch(b, "other-a", 0)[0] == 0
    finally:
        delete_acls(c.kz, "Topic", "pfx-", PREFIXED)
    eventually(lambda: raw_produce(b, "pfx-a"), 0, "the PREFIXED ACL removed")


def test_metadata_filters_and_authorized_operations(open_topics):
    c = open_topics
    b = c.broker(OPEN_IDS[1])   # any broker answers Metadata
    put_acls(c.kz, "Topic", "md-hidden", LITERAL, [(ANON, "*", "Describe", "Deny")])
    put_acls(c.kz, "Topic", "md-read", LITERAL, [(ANON, "*", "Read", "Allow")])
    try:
        def listed():
            return sorted(t["name"] for t in metadata(b)["topics"] if t["name"].startswith("md-"))
        def read_ops():
            return metadata(b, ["md-read"], include_topic_authorized_operations=True)[
                "topics"][0]["topic_authorized_operations"]
        eventually(listed, ["md-open", "md-read"], "md-hidden left out of the listing")
        eventually(read_ops, bits({READ, DESCRIBE}), "ALLOW READ on md-read applied")
        md = metadata(b, ["md-hidden"])
        assert md["topics"][0]["error_code"] == TOPIC_AUTHORIZATION_FAILED
        assert md["topics"][0]["partitions"] == []
        md = metadata(b, ["md-open", "md-read"], include_topic_authorized_operations=True,
                      include_cluster_authorized_operations=True)
        ops = {t["name"]: t["topic_authorized_operations"] for t in md["topics"]}
        assert ops == {"md-open": bits(TOPIC_OPS), "md-read": bits({READ, DESCRIBE})}
        assert all(t["error_code"] == 0 and len(t["partitions"]) == 1 for t in md["topics"])
        assert md["cluster_authorized_operations"] == bits(CLUSTER_OPS)
        # Not asked: the schema default.
        md = metadata(b, ["md-open"])
        assert md["topics"][0]["topic_authorized_operations"] == -2147483648
        assert md["cluster_authorized_operations"] == -2147483648
        # confluent-kafka's view agrees.
        from confluent_kafka.admin import AdminClient
        names = AdminClient({"bootstrap.servers": c.bootstrap()}).list_topics(timeout=15).topics
        assert "md-open" in names and "md-read" in names and "md-hidden" not in names
    finally:
        delete_acls(c.kz, "Topic", "md-hidden", LITERAL)
        delete_acls(c.kz, "Topic", "md-read", LITERAL)
    eventually(listed, ["md-hidden", "md-open", "md-read"], "md-hidden listed again")


def test_group_read_denied(open_topics):
    from confluent_kafka import Consumer, KafkaException, TopicPartition
    c = open_topics
    put_acls(c.kz, "Group", "g-denied", LITERAL, [(ANON, "*", "Describe", "Allow"),
                                                 (ANON, "*", "Read", "Deny")])

    def commit(group):
        cons = Consumer({"bootstrap.servers": c.bootstrap(), "group.id": group,
                         "enable.auto.commit": False})
        try:
            cons.commit(offsets=[TopicPartition("g-t", 0, 0)], asynchronous=False)
            return 0
        except KafkaException as e:
            return e.args[0].code()
        finally:
            cons.close()
    try:
        eventually(lambda: commit("g-denied"), GROUP_AUTHORIZATION_FAILED, "DENY READ on group")
        assert commit("g-ok") == 0
        # Subscribing: JoinGroup is refused, and the consumer says so.
        cons = Consumer({"bootstrap.servers": c.bootstrap(), "group.id": "g-denied",
                         "enable.auto.commit": False})
        try:
            cons.subscribe(["g-t"])
            err, deadline = None, time.monotonic() + 20
            while err is None and time.monotonic() < deadline:
                m = cons.poll(0.5)
                if m is not None and m.error():
                    err = m.error().code()
            assert err == GROUP_AUTHORIZATION_FAILED
        finally:
            cons.close()
    finally:
        delete_acls(c.kz, "Group", "g-denied", LITERAL)
    eventually(lambda: commit("g-denied"), 0, "the group ACL removed")


def test_idempotent_and_transactional_producers(open_topics):
    c = open_topics
    b = c.broker(OPEN_IDS[0])
    assert init_pid_error(b) == 0
    # IDEMPOTENT_WRITE denied on the cluster (everything else allowed there), and WRITE
    # denied on every topic: no way to get a producer id.
    put_acls(c.kz, "Cluster", "kafka-cluster", LITERAL, [(ANON, "*", "All", "Allow"),
                                                        (ANON, "*", "IdempotentWrite", "Deny")])
    put_acls(c.kz, "Topic", "*", LITERAL, [(ANON, "*", "Describe", "Allow"),
                                          (ANON, "*", "Write", "Deny")])
    try:
        eventually(lambda: init_pid_error(b), CLUSTER_AUTHORIZATION_FAILED,
                   "no IDEMPOTENT_WRITE nor topic WRITE")
        results, errors = client_produce(c, "w-u", n=1, **{"enable.idempotence": True})
        assert CLUSTER_AUTHORIZATION_FAILED in [e.code() for e in errors], (results, errors)
        assert results != [None]
        # WRITE on some topic is enough (Kafka's authorizeByResourceType).
        delete_acls(c.kz, "Topic", "*", LITERAL)
        eventually(lambda: init_pid_error(b), 0, "WRITE on a topic again")
    finally:
        delete_acls(c.kz, "Topic", "*", LITERAL)
        delete_acls(c.kz, "Cluster", "kafka-cluster", LITERAL)

    from confluent_kafka import KafkaException, Producer
    put_acls(c.kz, "TransactionalId", "tx-denied", LITERAL, [(ANON, "*", "Describe", "Allow"),
                                                            (ANON, "*", "Write", "Deny")])
    try:
        eventually(lambda: init_pid_error(b, "tx-denied"), TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
                   "DENY WRITE on the transactional id")
        p = Producer({"bootstrap.servers": c.bootstrap(), "transactional.id": "tx-denied"})
        with pytest.raises(KafkaException) as e:
            p.init_transactions(30)
        assert e.value.args[0].code() == TRANSACTIONAL_ID_AUTHORIZATION_FAILED
        ok = Producer({"bootstrap.servers": c.bootstrap(), "transactional.id": "tx-ok"})
        ok.init_transactions(60)
        ok.begin_transaction()
        ok.produce("w-u", value=b"in a transaction", partition=0)
        ok.commit_transaction(30)
    finally:
        delete_acls(c.kz, "TransactionalId", "tx-denied", LITERAL)


def test_replica_fetch_needs_cluster_action(open_topics):
    """CVE-2018-1288: a client posing as a follower must not move the ISR or the HW."""
    c = open_topics
    leader, follower = c.broker(OPEN_IDS[0]), c.broker(OPEN_IDS[1])
    create_topic(c, "cve", [leader.broker_id, follower.broker_id])
    results, _ = client_produce(c, "cve", acks="all")
    assert results == [None] * 3
    harness.wait_until(lambda: len(partition_state(c, "cve")["isr"]) == 2, 30, what="ISR of 2")
    os.kill(follower.pid, signal.SIGSTOP)
    try:
        assert raw_produce(leader, "cve", [b"a", b"b", b"c"], acks=1) == 0
        harness.wait_until(lambda: partition_state(c, "cve")["isr"] == [leader.broker_id], 20,
                           what="the stopped follower out of the ISR")
        put_acls(c.kz, "Cluster", "kafka-cluster", LITERAL,
                 [(ANON, "*", "All", "Allow"), (ANON, "127.0.0.1", "ClusterAction", "Deny")])
        # Applied once a follower fetch of a topic the follower does not replicate is refused.
        eventually(lambda: raw_fetch(leader, "cve-probe", 0, replica_id=follower.broker_id)[0],
                   TOPIC_AUTHORIZATION_FAILED, "DENY CLUSTER_ACTION")
        state = partition_state(c, "cve")
        hw = ktxn.latest_offset(c, "cve", 0, isolation=ktxn.READ_UNCOMMITTED)
        assert hw == 6
        # Posing as the follower, caught up to the log end: refused, nothing learnt from it.
        for _ in range(3):
            assert raw_fetch(leader, "cve", hw, replica_id=follower.broker_id)[0] == \
                TOPIC_AUTHORIZATION_FAILED
        time.sleep(1.5)
        assert partition_state(c, "cve") == state
        assert partition_state(c, "cve")["isr"] == [leader.broker_id]
        assert ktxn.latest_offset(c, "cve", 0, isolation=ktxn.READ_UNCOMMITTED) == hw
        # A consumer is not a follower: READ on the topic is all it needs.
        assert raw_fetch(leader, "cve", 0) == (0, hw)
    finally:
        delete_acls(c.kz, "Cluster", "kafka-cluster", LITERAL)
        os.kill(follower.pid, signal.SIGCONT)
    harness.wait_until(lambda: len(partition_state(c, "cve")["isr"]) == 2, 40,
                       what="the follower back in the ISR")


def test_admin_requests(open_topics):
    """CreateTopics (CREATE on the cluster or the topic), DeleteTopics (DELETE, checked before
    existence so nothing leaks), DescribeConfigs (DESCRIBE_CONFIGS) through confluent-kafka's
    AdminClient."""
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic
    c = open_topics
    admin = AdminClient({"bootstrap.servers": c.bootstrap()})
    create_topic(c, "adm-cfg", [OPEN_IDS[0]])

    def code(fut):
        try:
            fut.result(30)
            return 0
        except KafkaException as e:
            return e.args[0].code()

    def create(name):
        return code(admin.create_topics([NewTopic(name, 1, 1)], operation_timeout=20)[name])

    put_acls(c.kz, "Cluster", "kafka-cluster", LITERAL, [(ANON, "*", "All", "Allow"),
                                                        (ANON, "*", "Create", "Deny")])
    put_acls(c.kz, "Topic", "adm-", PREFIXED, [(ANON, "*", "Create", "Deny"),
                                              (ANON, "*", "Delete", "Deny"),
                                              (ANON, "*", "DescribeConfigs", "Deny")])
    cfg = ConfigResource(ConfigResource.Type.TOPIC, "adm-cfg")
    try:
        # Applied (on every broker: the requests go to any of them) once DescribeConfigs of
        # adm-cfg is refused; nothing is created before that.
        for b in c.brokers:
            one = AdminClient({"bootstrap.servers": b.bootstrap})
            eventually(lambda: code(one.describe_configs([cfg])[cfg]),
                       TOPIC_AUTHORIZATION_FAILED, "DESCRIBE_CONFIGS denied on %d" % b.broker_id)
        res = ConfigResource(ConfigResource.Type.TOPIC, "w-u")
        assert code(admin.describe_configs([res])[res]) == 0
        assert create("adm-new") == TOPIC_AUTHORIZATION_FAILED
        assert create("free-new") == 0      # no ACL on the topic: CREATE on it is allowed
        deleted = admin.delete_topics(["adm-missing", "zz-missing"], operation_timeout=20)
        assert code(deleted["adm-missing"]) == TOPIC_AUTHORIZATION_FAILED
        assert code(deleted["zz-missing"]) == 3        # UNKNOWN_TOPIC_OR_PARTITION
        assert "adm-new" not in admin.list_topics(timeout=15).topics
    finally:
        delete_acls(c.kz, "Topic", "adm-", PREFIXED)
        delete_acls(c.kz, "Cluster", "kafka-cluster", LITERAL)
    eventually(lambda: create("adm-new"), 0, "CREATE allowed again")


def test_group_views_filtered(open_topics):
    """OffsetFetch leaves out the topics the principal may not DESCRIBE (when listing all) or
    answers TOPIC_AUTHORIZATION_FAILED for them; DescribeGroups v3+ reports the group's
    authorized operations; ListGroups lists only the groups it may DESCRIBE."""
    import groups_util
    import kgroup
    c = open_topics
    commit = [{"name": t, "partitions": [{"partition_index": 0, "committed_offset": 1}]}
              for t in ("og-a", "og-b")]
    for group in ("og", "og-hidden"):
        r = groups_util.coord_request(c, group, kgroup.OFFSET_COMMIT, 2,
                                      {"group_id": group, "topics": commit})
        assert [p["error_code"] for t in r["topics"] for p in t["partitions"]] == [0, 0]
    hidden_coord = groups_util.find_coordinator(c, "og-hidden")   # before DESCRIBE is denied
    put_acls(c.kz, "Topic", "og-b", LITERAL, [(ANON, "*", "Describe", "Deny")])
    put_acls(c.kz, "Group", "og", LITERAL, [(ANON, "*", "Describe", "Allow"),
                                           (ANON, "*", "Read", "Deny")])
    put_acls(c.kz, "Group", "og-hidden", LITERAL, [(ANON, "*", "Describe", "Deny")])

    def fetch_all():
        r = groups_util.coord_request(c, "og", kgroup.OFFSET_FETCH, 7,
                                      {"group_id": "og", "topics": None})
        assert r["error_code"] == 0, r
        return sorted(t["name"] for t in r["topics"])

    def listed():
        with hidden_coord.conn(10) as conn:
            r = kgroup.group_request(conn, kgroup.LIST_GROUPS, 3, {})
        assert r["error_code"] == 0, r
        return sorted(g["group_id"] for g in r["groups"] if g["group_id"].startswith("og"))
    same = groups_util.find_coordinator(c, "og") == hidden_coord
    try:
        eventually(fetch_all, ["og-a"], "og-b left out of OffsetFetch")
        # DESCRIBE on the cluster (allow.everyone.if.no.acl.found here) lists every group ...
        assert "og-hidden" in listed()
        # ... without it, only the groups the principal may DESCRIBE.
        put_acls(c.kz, "Cluster", "kafka-cluster", LITERAL, [(ANON, "*", "All", "Allow"),
                                                            (ANON, "*", "Describe", "Deny")])
        eventually(listed, ["og"] if same else [], "og-hidden left out of ListGroups")
        want = [{"name": t, "partition_indexes": [0]} for t in ("og-a", "og-b")]
        r = groups_util.coord_request(c, "og", kgroup.OFFSET_FETCH, 7,
                                      {"group_id": "og", "topics": want})
        got = {t["name"]: (t["partitions"][0]["error_code"], t["partitions"][0]["committed_offset"])
               for t in r["topics"]}
        assert got == {"og-a": (0, 1), "og-b": (TOPIC_AUTHORIZATION_FAILED, -1)}
        r = groups_util.coord_request(c, "og", kgroup.DESCRIBE_GROUPS, 3,
                                      {"groups": ["og"], "include_authorized_operations": True})
        assert r["groups"][0]["authorized_operations"] == bits({DESCRIBE})
        r = groups_util.coord_request(c, "og", kgroup.DESCRIBE_GROUPS, 3, {"groups": ["og"]})
        assert r["groups"][0]["authorized_operations"] == -2147483648
    finally:
        for rtype, name in (("Topic", "og-b"), ("Group", "og"), ("Group", "og-hidden"),
                            ("Cluster", "kafka-cluster")):
            delete_acls(c.kz, rtype, name, LITERAL)
    eventually(listed, ["og", "og-hidden"] if same else ["og-hidden"], "og-hidden listed again")


def offset_for_leader_epoch(broker, topic, replica_id=-1):
    """OffsetForLeaderEpoch v3 for partition 0 (epoch 0): its error code."""
    body = struct.pack(">i", replica_id) + kproto.array([kproto.string(topic) + kproto.array(
        [struct.pack(">iii", 0, -1, 0)])])
    with harness.KConn(harness.HOST, broker.port) as conn:
        corr = conn.next_corr()
        conn.send(kproto.frame(kproto.encode_request(23, 3, corr, body, "kb-authz")))
        r = kproto.Reader(conn.recv_frame(20))
    assert r.i32() == corr
    r.i32()                                   # throttle
    assert r.i32() == 1 and r.string() == topic and r.i32() == 1
    err, idx, _epoch, _end = struct.unpack(">hiiq", r.take(18))
    r.end()
    assert idx == 0
    return err


def test_broker_requests_need_cluster_action(open_topics):
    """WriteTxnMarkers and AddPartitionsToTxn v4+ come from brokers: CLUSTER_ACTION on the
    cluster; OffsetForLeaderEpoch takes CLUSTER_ACTION or (KIP-320 consumers) DESCRIBE on the
    topic."""
    from test_txn_log import write_markers
    c = open_topics
    b = c.broker(OPEN_IDS[0])
    follower = OPEN_IDS[1]
    put_acls(c.kz, "Cluster", "kafka-cluster", LITERAL,
             [(ANON, "*", "All", "Allow"), (ANON, "127.0.0.1", "ClusterAction", "Deny")])
    try:
        # Applied once a follower fetch is refused (it changes nothing either way).
        eventually(lambda: raw_fetch(b, "cve-probe", 0, replica_id=follower)[0],
                   TOPIC_AUTHORIZATION_FAILED, "DENY CLUSTER_ACTION")
        with harness.KConn(harness.HOST, b.port) as conn:
            errs = write_markers(conn, [(4242, 0, False, 0, [("cve-probe", [0])])])
        assert errs == {(4242, "cve-probe", 0): CLUSTER_AUTHORIZATION_FAILED}
        assert raw_fetch(b, "cve-probe", 0) == (0, 0)   # no marker was appended
        r = ktxn.call(b, ktxn.ADD_PARTITIONS_TO_TXN, 4, {"transactions": [
            {"transactional_id": "tx-verify", "producer_id": 4242, "producer_epoch": 0,
             "verify_only": True, "topics": [{"name": "cve-probe", "partitions": [0]}]}]})
        assert r["error_code"] == CLUSTER_AUTHORIZATION_FAILED
        assert offset_for_leader_epoch(b, "cve-probe", replica_id=follower) == 0
        put_acls(c.kz, "Topic", "cve-probe", LITERAL, [(ANON, "*", "Describe", "Deny")])
        eventually(lambda: offset_for_leader_epoch(b, "cve-probe", replica_id=follower),
                   TOPIC_AUTHORIZATION_FAILED, "neither CLUSTER_ACTION nor DESCRIBE")
    finally:
        delete_acls(c.kz, "Topic", "cve-probe", LITERAL)
        delete_acls(c.kz, "Cluster", "kafka-cluster", LITERAL)
    eventually(lambda: offset_for_leader_epoch(b, "cve-probe", replica_id=follower), 0,
               "the ACLs removed")
