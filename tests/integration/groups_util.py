"""Shared pieces of the consumer-group tests (test_groups.py, test_groups_hostile.py).

* group_cluster(): the module's 3-broker cluster with the group settings the tests need. With
  KB_GROUPS_PEER=kafka it is Apache Kafka 3.9.1 instead (ZooKeeper mode, jars from
  scripts/fetch-kafka.sh's cache; bench/peer/kafka.py starts them), behind the same small
  interface (brokers with kill9/restart/stop/rss_kb/conn, bootstrap(), kz): that is how these
  tests were checked to assert Kafka's own behaviour. Assertions about kbroker's own limits
  (no Kafka equivalent) are skipped in that mode (KAFKA_PEER).
* raw group requests through the coordinator (kgroup codec): find_coordinator, describe,
  committed, generation_of;
* members as processes: start_member (confluent-kafka / kafka-python via
  tests/clients/group_consume.py, kafkajs via tests/clients/js/group_consume.js, kcat -G),
  with parsers for their lines (recs, uncommitted, current_assignment);
* check_delivery: the (partition, offset) checker for skipped and twice-processed records.
"""

import collections
import glob
import os
import sys
import threading
import time

import clients_jvm_go as cj
import harness
import kgroup
from conftest import start_cluster

KAFKA_PEER = os.environ.get("KB_GROUPS_PEER") == "kafka"
PY = "/usr/bin/python3"
CLIENTS = os.path.join(harness.REPO, "tests", "clients")
PY_MEMBER = os.path.join(CLIENTS, "group_consume.py")
JS_MEMBER = os.path.join(CLIENTS, "js", "group_consume.js")
OFFSETS_PARTITIONS = 10

GROUP_CONFIG = {
    "offsets.topic.replication.factor": "3",
    "offsets.topic.num.partitions": str(OFFSETS_PARTITIONS),
    "group.initial.rebalance.delay.ms": "100",
    "group.min.session.timeout.ms": "2000",
    "auto.create.topics.enable": "false",
    "auto.leader.rebalance.enable": "false",
    "replica.lag.time.max.ms": "4000",
}
RETRIABLE = (kgroup.COORDINATOR_NOT_AVAILABLE, kgroup.COORDINATOR_LOAD_IN_PROGRESS,
             kgroup.NOT_COORDINATOR)


# ---------------------------------------------------------------------------------------------
# The cluster (kbroker, or Apache Kafka with KB_GROUPS_PEER=kafka)
# ---------------------------------------------------------------------------------------------

def group_cluster(tmp_path_factory, zk, name, ids, config=None, env=None, session_ms=4000):
    """Generator for a module fixture: the started cluster, stopped at teardown."""
    cfg = dict(GROUP_CONFIG)
    cfg.update(config or {})
    if KAFKA_PEER:
        yield from _peer_cluster(tmp_path_factory.mktemp(name), zk, "/" + name, ids, cfg,
                                 session_ms)
        return
    yield from start_cluster(tmp_path_factory.mktemp(name), zk=zk, ids=ids, chroot="/" + name,
                             session_timeout_ms=session_ms, config=cfg, env=env)


class PeerBroker:
    """A Kafka broker with the part of harness.Broker's interface the group tests use."""

    def __init__(self, kb, kz):
        self.kb, self.kz = kb, kz
        self.broker_id, self.port, self.bootstrap = kb.broker_id, kb.port, kb.bootstrap
        self.workdir = kb.workdir

    @property
    def pid(self):
        return self.kb.pid

    def alive(self):
        return self.kb.proc is not None and self.kb.proc.alive()

    def kill9(self):
        self.kb.proc.kill9()

    def send_sigterm(self):
        if self.alive():
            os.kill(self.pid, 15)

    def stop(self, timeout=60.0):
        self.kb.stop(timeout)

    def restart(self, kz, timeout=None, after_kill=True):
        # Kafka refuses to start while its previous session's registration is still there.
        harness.wait_until(lambda: kz.exists("/brokers/ids/%d" % self.broker_id) is None, 60,
                           what="the old registration of %d gone" % self.broker_id)
        self.kb.start()
        self.kb.wait_ready(kz, timeout=timeout or 120)
        return self

    def rss_kb(self):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def conn(self, timeout=10.0):
        return harness.KConn(harness.HOST, self.port, timeout=timeout)


class PeerCluster:
    def __init__(self, kc):
        self.kc, self.kz = kc, kc.kz
        self.brokers = [PeerBroker(b, kc.kz) for b in kc.brokers]

    def bootstrap(self, brokers=None):
        return ",".join(b.bootstrap for b in (brokers or self.brokers))

    def broker(self, broker_id):
        return next(b for b in self.brokers if b.broker_id == broker_id)

    def registered_ids(self):
        return sorted(int(x) for x in self.kz.get_children("/brokers/ids"))


def _peer_cluster(workdir, zk, chroot, ids, cfg, session_ms):
    sys.path.insert(0, os.path.join(harness.REPO, "bench"))
    from peer import kafka as kpeer
    libs = os.path.join(os.path.expanduser("~"), ".cache", "kbroker", "kafka-3.9.1", "libs")
    if not glob.glob(os.path.join(libs, "kafka_2.13-*.jar")):
        _, libs = kpeer.fetch(harness.REPO)
    kpeer.JVM_FLAGS = ["-Xmx512m", "-Xms128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                       "-Djava.awt.headless=true"]
    cfg = dict(cfg)
    cfg["zookeeper.session.timeout.ms"] = str(session_ms)
    kc = kpeer.KafkaCluster(str(workdir), libs, zk, chroot, ids, cfg)
    try:
        kc.start()
        yield PeerCluster(kc)
    finally:
        kc.stop()


# ---------------------------------------------------------------------------------------------
# Topics and records
# ---------------------------------------------------------------------------------------------

def create_topic(cluster, topic, partitions, rf=3):
    """Creates a topic with confluent-kafka's AdminClient; waits until every partition has a
    leader in the metadata of every live broker."""
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": cluster.bootstrap()})

    def created():
        fut = admin.create_topics([NewTopic(topic, partitions, rf)], operation_timeout=20)
        try:
            fut[topic].result(30)
        except Exception as e:  # noqa: BLE001 - retried while no controller is known
            if "TOPIC_ALREADY_EXISTS" not in str(e):
                raise
        return True
    harness.wait_until(created, 60, interval=0.5, what="topic %s created" % topic)

    def leaders():   # in every live broker's metadata (a coordinator checks its own)
        for b in cluster.brokers:
            if not b.alive():
                continue
            with b.conn(10) as c:
                md = c.metadata(1, topics=[topic])
            t = [x for x in md["topics"] if x["name"] == topic]
            if not t or t[0]["error_code"] != 0 or len(t[0]["partitions"]) != partitions or \
                    any(p["leader_id"] < 0 for p in t[0]["partitions"]):
                return False
        return True
    harness.wait_until(leaders, 60, interval=0.3, what="leaders of %s at every broker" % topic)


def produce(bootstrap, topic, partitions, per_partition, tag="r"):
    """per_partition records into each partition (explicit partition numbers); returns the set
    of (partition, offset) delivered."""
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5})
    delivered, errors = set(), []

    def cb(err, msg):
        if err:
            errors.append(err)
        else:
            delivered.add((msg.partition(), msg.offset()))
    for i in range(per_partition):
        for part in range(partitions):
            p.produce(topic, value=b"%s-%d-%d" % (tag.encode(), part, i), partition=part,
                      on_delivery=cb)
        p.poll(0)
    left = p.flush(60)
    assert left == 0 and not errors, "produce: %d undelivered, errors %s" % (left, errors[:3])
    return delivered


def log_records(bootstrap, topic, partitions):
    """Every (partition, offset) in the topic's log, from the watermarks (offsets are dense:
    no compaction, no transactions). After a leader failure this is what a consumer must read,
    including a record a producer's retry wrote twice (its first copy was never reported)."""
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "kb-it-watermarks"})
    try:
        out = set()
        for p in range(partitions):
            lo, hi = c.get_watermark_offsets(TopicPartition(topic, p), timeout=20)
            out |= {(p, o) for o in range(lo, hi)}
        return out
    finally:
        c.close()


class Feeder:
    """A background producer: `rate` records/s round-robin over the partitions until stop();
    .delivered is the set of (partition, offset) acknowledged."""

    def __init__(self, bootstrap, topic, partitions, rate=60):
        from confluent_kafka import Producer
        self.p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5,
                           "message.timeout.ms": 60000})
        self.topic, self.partitions, self.rate = topic, partitions, rate
        self.delivered, self.errors = set(), []
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _cb(self, err, msg):
        if err:
            self.errors.append(err)
        else:
            self.delivered.add((msg.partition(), msg.offset()))

    def _run(self):
        i = 0
        while not self._stop.is_set():
            self.p.produce(self.topic, value=b"f-%d" % i, partition=i % self.partitions,
                           on_delivery=self._cb)
            self.p.poll(0)
            i += 1
            time.sleep(1.0 / self.rate)

    def start(self):
        self._t.start()
        return self

    def stop(self):
        self._stop.set()
        self._t.join(10)
        left = self.p.flush(60)
        assert left == 0 and not self.errors, "feeder: %d undelivered, errors %s" % (
            left, self.errors[:3])
        return self.delivered


# ---------------------------------------------------------------------------------------------
# Raw group requests
# ---------------------------------------------------------------------------------------------

def _retry(fn, timeout, what):
    """fn() -> (done, value); retried on OSError / retriable coordinator errors."""
    out = []

    def attempt():
        try:
            done, v = fn()
        except (OSError, harness.ConnClosed, harness.ConnTimeout):
            return False
        if done:
            out.append(v)
        return done
    harness.wait_until(attempt, timeout, interval=0.2, what=what)
    return out[0]


def find_coordinator(cluster, group, timeout=60, version=1, via=None):
    """The broker object coordinating `group` (FindCoordinator, retried while the answer is
    COORDINATOR_NOT_AVAILABLE / a dead broker)."""
    def ask():
        b = via or next(x for x in cluster.brokers if x.alive())
        with b.conn(10) as c:
            if version >= 4:
                r = kgroup.group_request(c, kgroup.FIND_COORDINATOR, version,
                                         {"coordinator_keys": [group]})
                r = r["coordinators"][0]
            else:
                r = kgroup.group_request(c, kgroup.FIND_COORDINATOR, version, {"key": group})
        if r["error_code"] != kgroup.NONE:
            assert r["error_code"] in RETRIABLE, r
            return False, None
        node = [x for x in cluster.brokers if x.broker_id == r["node_id"]]
        assert node and (r["host"], r["port"]) == (harness.HOST, node[0].port), r
        return node[0].alive(), node[0]
    return _retry(ask, timeout, "a coordinator for %s" % group)


def coord_request(cluster, group, api, version, values, timeout=60):
    """Sends a request to the group's coordinator, retried while the answer's top-level
    error is a coordinator error (moving / loading). Returns the response."""
    def ask():
        b = find_coordinator(cluster, group, timeout)
        with b.conn(20) as c:
            r = kgroup.group_request(c, api, version, values)
        err = r.get("error_code")
        if err is None and api == kgroup.DESCRIBE_GROUPS:
            err = r["groups"][0]["error_code"]
        if err is None and api == kgroup.OFFSET_FETCH and version >= 8:
            err = r["groups"][0]["error_code"]
        return err not in RETRIABLE, r
    return _retry(ask, timeout, "api %d of %s answered by its coordinator" % (api, group))


def describe(cluster, group, version=5):
    """{state, protocol_type, protocol, members: [{member_id, instance_id, client_id,
    parts: {topic: [p]}}]} from DescribeGroups at the coordinator."""
    r = coord_request(cluster, group, kgroup.DESCRIBE_GROUPS, version, {"groups": [group]})
    g = r["groups"][0]
    assert g["error_code"] == kgroup.NONE and g["group_id"] == group, g
    return {"state": g["group_state"], "protocol_type": g["protocol_type"],
            "protocol": g["protocol_data"],
            "members": [{"member_id": m["member_id"],
                         "instance_id": m.get("group_instance_id"),
                         "client_id": m["client_id"],
                         "parts": kgroup.decode_assignment(m["member_assignment"])}
                        for m in g["members"]]}


def committed(cluster, group, topic, partitions, version=8):
    """{partition: committed offset (-1 = none)} from OffsetFetch at the coordinator."""
    want = [{"name": topic, "partition_indexes": list(range(partitions))}]
    if version >= 8:
        r = coord_request(cluster, group, kgroup.OFFSET_FETCH, version,
                          {"groups": [{"group_id": group, "topics": want}]})
        g = r["groups"][0]
        assert g["error_code"] == kgroup.NONE, g
        topics = g["topics"]
    else:
        r = coord_request(cluster, group, kgroup.OFFSET_FETCH, version,
                          {"group_id": group, "topics": want})
        assert r.get("error_code", 0) == kgroup.NONE, r
        topics = r["topics"]
    out = {}
    for t in topics:
        assert t["name"] == topic, t
        for p in t["partitions"]:
            assert p["error_code"] == kgroup.NONE, p
            out[p["partition_index"]] = p["committed_offset"]
    return out


def generation_of(cluster, group, member_id, limit=200):
    """The group's current generation, found with Heartbeats for a live member: Kafka answers
    ILLEGAL_GENERATION for every other generation (and NONE for the current one while the
    group is Stable). A heartbeat only refreshes that member's session."""
    b = find_coordinator(cluster, group)
    with b.conn(10) as c:
        for gen in range(0, limit):
            r = kgroup.group_request(c, kgroup.HEARTBEAT, 3, {
                "group_id": group, "generation_id": gen, "member_id": member_id})
            if r["error_code"] == kgroup.NONE:
                return gen
            assert r["error_code"] == kgroup.ILLEGAL_GENERATION, (gen, r)
    raise AssertionError("no generation below %d accepted for %s" % (limit, member_id))


def balanced(d, topic, partitions, members):
    """True when DescribeGroups `d` shows a Stable group of `members` members whose
    assignments of `topic` cover every partition exactly once."""
    if d["state"] != "Stable" or len(d["members"]) != members:
        return False
    owned = [p for m in d["members"] for p in m["parts"].get(topic, [])]
    return sorted(owned) == list(range(partitions))


def wait_balanced(cluster, group, topic, partitions, members, timeout=45):
    last = []

    def ok():
        d = describe(cluster, group)
        last[:] = [d]
        return balanced(d, topic, partitions, members)
    try:
        harness.wait_until(ok, timeout, interval=0.3, what="%d balanced members" % members)
    except TimeoutError as e:
        raise AssertionError("%s; last DescribeGroups: %s" % (e, last)) from None
    return last[0]


def owner_map(d, topic):
    """{client_id: sorted partitions of topic} of a DescribeGroups result."""
    return {m["client_id"]: sorted(m["parts"].get(topic, [])) for m in d["members"]}


# ---------------------------------------------------------------------------------------------
# Members as processes
# ---------------------------------------------------------------------------------------------

def start_member(kind, name, tmp_path, bootstrap, topic, group, **kw):
    """kind: confluent | kafkapython | kafkajs | kcat. kw: strategy, instance_id, session_ms,
    heartbeat_ms, delay_ms, no_commit (python members). `name` is also the client id."""
    session = kw.get("session_ms", 6000)
    if kind in ("confluent", "kafkapython"):
        argv = [PY, PY_MEMBER, "--client", kind, "--bootstrap", bootstrap, "--topic", topic,
                "--group", group, "--name", name, "--session-ms", str(session),
                "--heartbeat-ms", str(kw.get("heartbeat_ms", 500)),
                "--strategy", kw.get("strategy", "range"),
                "--delay-ms", str(kw.get("delay_ms", 0))]
        if kw.get("instance_id"):
            argv += ["--instance-id", kw["instance_id"]]
        if kw.get("no_commit"):
            argv.append("--no-commit")
    elif kind == "kafkajs":
        argv = ["node", JS_MEMBER, "--bootstrap", bootstrap, "--topic", topic, "--group", group,
                "--name", name, "--session-ms", str(session)]
    elif kind == "kcat":
        # Not `-o beginning`: kcat applies -o to every partition it is assigned, at every
        # rebalance, over the committed offsets.
        argv = ["kcat", "-b", bootstrap, "-G", group, "-X", "auto.offset.reset=earliest",
                "-u", "-q",
                "-f", "rec %p %o\\n", "-X", "client.id=" + name,
                "-X", "session.timeout.ms=%d" % session, "-X", "heartbeat.interval.ms=500",
                "-X", "topic.metadata.refresh.interval.ms=2000", topic]
    else:
        raise ValueError(kind)
    return cj.start_client(name, argv, tmp_path)


def recs(proc, upto=None):
    """[(partition, offset)] processed by a member, in order (in its first `upto` lines)."""
    out = []
    for ln in proc.lines()[:upto]:
        f = ln.split()
        if len(f) == 3 and f[0] == "rec":
            out.append((int(f[1]), int(f[2])))
    return out


def uncommitted(proc):
    """(partition, offset) a member processed without a confirmed commit covering it."""
    done = collections.defaultdict(lambda: -1)
    for ln in proc.lines():
        f = ln.split()
        if len(f) == 3 and f[0] == "committed":
            done[int(f[1])] = max(done[int(f[1])], int(f[2]))
    return {(p, o) for p, o in recs(proc) if o >= done[p]}


def unconfirmed(proc):
    """uncommitted(proc) plus every record whose commit failed (commit-failed lines)."""
    out = uncommitted(proc)
    for ln in proc.lines():
        f = ln.split()
        if len(f) >= 3 and f[0] == "commit-failed":
            out.add((int(f[1]), int(f[2]) - 1))
    return out


def current_assignment(proc):
    """The partitions a member holds by its own assigned/revoked/lost lines (eager protocol:
    every assigned line is the whole assignment; cooperative: increments)."""
    cur, coop = set(), False
    for ln in proc.lines():
        f = ln.split()
        if len(f) != 2:
            continue
        if f[0] == "protocol":
            coop = f[1] == "COOPERATIVE"
            continue
        if f[0] not in ("assigned", "revoked", "lost"):
            continue
        parts = set() if f[1] == "-" else {int(x) for x in f[1].split(",")}
        if f[0] == "assigned":
            cur = cur | parts if coop else parts
        elif f[0] in ("revoked", "lost"):
            cur = cur - parts
    return sorted(cur)


def events(proc, kinds=("assigned", "revoked", "lost")):
    return [ln for ln in proc.lines() if ln.split(" ", 1)[0] in kinds]


def stop_member(proc, timeout=30):
    res = proc.stop(timeout)
    assert res.rc in (0, -15, 143), "%s: %s" % (proc.name, cj.describe(res))
    return res


# ---------------------------------------------------------------------------------------------
# The delivery checker
# ---------------------------------------------------------------------------------------------

def check_delivery(expected, processed, allowed_dups=()):
    """expected: the (partition, offset) pairs produced; processed: every (partition, offset)
    processed by any member (concatenated, repeats kept); allowed_dups: pairs that may be
    processed twice (a killed member's uncommitted records). Returns {"missing": pairs never
    processed, "duplicates": pairs processed more than once and not allowed to be,
    "unexpected": pairs processed that were never produced}."""
    seen = collections.Counter(processed)
    allowed = set(allowed_dups)
    return {"missing": sorted(set(expected) - set(seen)),
            "duplicates": sorted(k for k, n in seen.items()
                                 if n > 1 and not (n == 2 and k in allowed)),
            "unexpected": sorted(set(seen) - set(expected))}


CLEAN = {"missing": [], "duplicates": [], "unexpected": []}
