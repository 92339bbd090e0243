"""`kadmin groups` against a 3-broker cluster (chroot /kb-kadmin-groups, __consumer_offsets
with 6 partitions and replication factor 3, group.initial.rebalance.delay.ms=0), with
confluent-kafka consumers making the groups and librdkafka's own ListGroups view
(AdminClient.list_groups) and Consumer.committed() as independent witnesses:

* list: groups spread over several coordinators are all listed once, with protocol type and
  state; --state filters (case-insensitively); --zookeeper finds the brokers in ZooKeeper;
* describe: state, protocol, each member (id, client id, host, decoded assignment) as
  librdkafka sees them, and per partition the committed offset, the log end and the lag,
  which grows when more is produced;
* reset-offsets: refused while members are active (nothing committed); dry runs print the
  plan (clamped to the log's range, --shift-by from the commits, --to-datetime from record
  timestamps) and change nothing; --execute changes where a new consumer starts;
* delete-offsets: refused (GROUP_SUBSCRIBED_TO_TOPIC) while a member consumes the topic,
  removes the commit once the group is empty;
* delete: NON_EMPTY_GROUP while members are active, then deleted, then GROUP_ID_NOT_FOUND;
* topics describe: each topic's cleanup.policy, in both connection modes.

KB_GROUPS_PEER=kafka runs the same module against Apache Kafka 3.9 (scripts/fetch-kafka.sh's
jars), to check the tool and these expectations against the reference broker.
"""

import os
import subprocess
import sys
import time

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient

import harness
from conftest import start_cluster

IDS = [71, 72, 73]
CHROOT = "/kb-kadmin-groups"
TOPIC = "kg-orders"
PER_PARTITION = 10
CONFIG = {"offsets.topic.num.partitions": "6", "offsets.topic.replication.factor": "3",
          "group.initial.rebalance.delay.ms": "0", "group.min.session.timeout.ms": "1000",
          "auto.create.topics.enable": "false"}
PEER = os.environ.get("KB_GROUPS_PEER", "")


def _kafka_peer(zk, workdir):
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    sys.path.insert(0, os.path.join(root, "bench", "peer"))
    import kafka as peer   # bench/peer/kafka.py
    peer.JVM_FLAGS[0:2] = ["-Xmx384M", "-Xms384M"]
    _, libs = peer.fetch(root)
    c = peer.KafkaCluster(workdir, libs, zk, CHROOT + "-kafka", IDS, CONFIG)
    c.start()
    return c


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("kgroups")
    if PEER == "kafka":
        c = _kafka_peer(zk_server, workdir)
        c.zk_connect = zk_server.connect + CHROOT + "-kafka"
        yield c
        c.stop()
        return
    for c in start_cluster(workdir, zk=zk_server, ids=IDS, chroot=CHROOT, config=CONFIG):
        c.wait_controller_known()
        c.zk_connect = zk_server.connect + CHROOT
        yield c


def kadmin(cluster, *args, zk=False, expect=0, timeout=90):
    mode = ["--zookeeper", cluster.zk_connect] if zk else ["--bootstrap-server",
                                                            cluster.bootstrap()]
    p = subprocess.run([os.path.join(harness.bin_dir(), "kadmin"), "--timeout-ms", "30000"] +
                       mode + list(args), capture_output=True, text=True, timeout=timeout)
    if expect is not None and p.returncode != expect:
        raise AssertionError("kadmin %s: exit %d, wanted %d\nstdout:\n%s\nstderr:\n%s" %
                             (" ".join(args), p.returncode, expect, p.stdout, p.stderr))
    return p


def table(text, first):
    """Rows (lists of cells) of the table whose header row starts with `first`."""
    rows, inside = [], False
    for line in text.splitlines():
        cells = line.split()
        if cells and cells[0] == first:
            inside = True
            continue
        if inside and not cells:
            break
        if inside:
            rows.append(cells)
    return rows


def fields(text):
    """'Key: value' lines of a describe output."""
    out = {}
    for line in text.splitlines():
        if ": " in line and not line.startswith(" "):
            k, v = line.split(": ", 1)
            out[k] = v
    return out


def produce(cluster, partition, n, timestamp=None):
    p = Producer({"bootstrap.servers": cluster.bootstrap(), "acks": "all"})
    for i in range(n):
        kw = {"timestamp": timestamp + i * 1000} if timestamp is not None else {}
        p.produce(TOPIC, value=b"v%d" % i, partition=partition, **kw)
    assert p.flush(30) == 0


def consumer(cluster, group, client_id):
    return Consumer({"bootstrap.servers": cluster.bootstrap(), "group.id": group,
                     "client.id": client_id, "enable.auto.commit": False,
                     "auto.offset.reset": "earliest", "session.timeout.ms": 6000,
                     "heartbeat.interval.ms": 500, "topic.metadata.refresh.interval.ms": 2000})


def committed(cluster, group, partitions):
    c = Consumer({"bootstrap.servers": cluster.bootstrap(), "group.id": group,
                  "enable.auto.commit": False})
    try:
        got = c.committed([TopicPartition(TOPIC, p) for p in partitions], timeout=30)
        return {tp.partition: tp.offset for tp in got}
    finally:
        c.close()


def group_info(cluster, group):
    """librdkafka's ListGroups/DescribeGroups view of one group."""
    a = AdminClient({"bootstrap.servers": cluster.bootstrap()})
    got = a.list_groups(group, timeout=30)
    assert len(got) == 1, got
    return got[0]


@pytest.fixture(scope="module")
def active(cluster):
    """The topic (3 partitions, 10 records each) and group 'kg-active': two consumers that
    have read and committed everything (offset 10 everywhere), kept polling in the tests."""
    kadmin(cluster, "topics", "create", TOPIC, "--partitions", "3", "--replication-factor", "2")
    a = AdminClient({"bootstrap.servers": cluster.bootstrap()})

    def led():
        parts = a.list_topics(TOPIC, timeout=10).topics[TOPIC].partitions
        return len(parts) == 3 and all(p.leader >= 0 for p in parts.values())
    harness.wait_until(led, 30, what="every partition of %s led" % TOPIC)
    for p in range(3):
        produce(cluster, p, PER_PARTITION)
    cs = [consumer(cluster, "kg-active", "kg-c%d" % i) for i in (1, 2)]
    for c in cs:
        c.subscribe([TOPIC])

    def settled():
        for c in cs:
            c.poll(0.2)
        owned = [c.assignment() for c in cs]
        if not all(owned) or sorted(tp.partition for a in owned for tp in a) != [0, 1, 2]:
            return False
        return all(c.position(c.assignment())[i].offset == PER_PARTITION
                   for c in cs for i in range(len(c.assignment())))
    harness.wait_until(settled, 60, interval=0, what="both consumers own and read everything")
    for c in cs:
        c.commit(asynchronous=False)
    st = State(cs)
    yield st
    st.close()


class State:
    def __init__(self, consumers):
        self.consumers = consumers

    def pump(self):
        for c in self.consumers:
            c.poll(0.1)

    def close(self):
        for c in self.consumers:
            c.close()
        self.consumers = []


def wait_state(cluster, group, state, pump=None):
    def ok():
        if pump:
            pump()
        out = kadmin(cluster, "groups", "describe", group, expect=None)
        return out.returncode == 0 and fields(out.stdout).get("State") == state
    harness.wait_until(ok, 60, interval=0.3, what="group %s %s" % (group, state))


# ---- describe / list ---------------------------------------------------------------------------


def test_first_request_waits_for_the_coordinator(cluster):
    """First in the module: __consumer_offsets does not exist yet, so the first FindCoordinator
    creates it and is answered COORDINATOR_NOT_AVAILABLE (then the partition loads): kadmin
    retries until the coordinator answers."""
    p = kadmin(cluster, "groups", "describe", "kg-never-was", expect=1)
    assert "does not exist" in p.stderr and "COORDINATOR" not in p.stderr, p.stderr
    rows = table(kadmin(cluster, "groups", "list").stdout, "GROUP")
    assert rows == []



def test_describe_members_offsets_and_lag(cluster, active):
    wait_state(cluster, "kg-active", "Stable", active.pump)
    info = group_info(cluster, "kg-active")
    out = kadmin(cluster, "groups", "describe", "kg-active").stdout
    f = fields(out)
    assert (f["State"], f["ProtocolType"], f["Protocol"], f["Members"]) == \
        ("Stable", "consumer", info.protocol, "2"), out
    assert f["Coordinator"] == str(info.broker.id)
    members = table(out, "MEMBER-ID")
    assert sorted(m[0] for m in members) == sorted(m.id for m in info.members), out
    owner = {}
    for m in members:
        mid, inst, client, host, assignment = m
        lib = next(x for x in info.members if x.id == mid)
        assert (inst, client, host) == ("-", lib.client_id, lib.client_host)
        assert client in ("kg-c1", "kg-c2")
        c = active.consumers[int(client[-1]) - 1]
        mine = sorted(tp.partition for tp in c.assignment())
        assert assignment == "%s:%s" % (TOPIC, ",".join(map(str, mine))), out
        for p in mine:
            owner[p] = mid
    rows = table(out, "TOPIC")
    assert rows == [[TOPIC, str(p), "10", "10", "0", owner[p]] for p in range(3)], out

    produce(cluster, 0, 5)          # lag grows on partition 0 only
    out = kadmin(cluster, "groups", "describe", "kg-active").stdout
    assert table(out, "TOPIC")[0] == [TOPIC, "0", "10", "15", "5", owner[0]], out
    assert table(out, "TOPIC")[1][2:5] == ["10", "10", "0"]


def test_list_every_coordinator(cluster, active):
    # groups with commits and no members (state Empty, no protocol type), on many partitions
    names = ["kg-simple-%d" % i for i in range(12)]
    for n in names:
        c = Consumer({"bootstrap.servers": cluster.bootstrap(), "group.id": n,
                      "enable.auto.commit": False})
        c.commit(offsets=[TopicPartition(TOPIC, 1, 3)], asynchronous=False)
        c.close()
    a = AdminClient({"bootstrap.servers": cluster.bootstrap()})
    coordinators = {g.id: g.broker.id for g in a.list_groups(timeout=30)}
    assert set(names) <= set(coordinators)
    assert len({coordinators[n] for n in names + ["kg-active"]}) >= 2, coordinators

    active.pump()
    rows = table(kadmin(cluster, "groups", "list").stdout, "GROUP")
    ids = [r[0] for r in rows]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert set(ids) == set(coordinators), (ids, coordinators)
    by_id = {r[0]: r[1:] for r in rows}
    assert by_id["kg-active"] == ["consumer", "Stable"]
    for n in names:
        assert by_id[n] == ["-", "Empty"], rows

    empty = table(kadmin(cluster, "groups", "list", "--state", "empty").stdout, "GROUP")
    assert {r[0] for r in empty} >= set(names) and "kg-active" not in {r[0] for r in empty}
    stable = table(kadmin(cluster, "groups", "list", "--state", "Stable,Dead").stdout, "GROUP")
    assert [r[0] for r in stable] == ["kg-active"]
    assert kadmin(cluster, "groups", "list", "--state", "Sleepy", expect=2).stderr
    # --zookeeper: brokers from ZooKeeper, groups from the brokers
    zrows = table(kadmin(cluster, "groups", "list", zk=True).stdout, "GROUP")
    assert {r[0] for r in zrows} == set(ids)


# ---- reset-offsets / delete-offsets / delete -----------------------------------------------------


def test_refused_while_members_active(cluster, active):
    active.pump()
    p = kadmin(cluster, "groups", "reset-offsets", "kg-active", "--topic", TOPIC,
               "--to-earliest", "--execute", expect=1)
    assert "Stable" in p.stderr and "members" in p.stderr, p.stderr
    assert p.stdout == ""
    p = kadmin(cluster, "groups", "delete", "kg-active", expect=1)
    assert "NON_EMPTY_GROUP" in p.stderr
    p = kadmin(cluster, "groups", "delete-offsets", "kg-active", "--topic", TOPIC, expect=1)
    assert "GROUP_SUBSCRIBED_TO_TOPIC" in p.stdout + p.stderr
    active.pump()
    assert committed(cluster, "kg-active", range(3)) == {0: 10, 1: 10, 2: 10}


def plan(p):
    return {int(r[1]): int(r[2]) for r in table(p.stdout, "TOPIC") if r[0] == TOPIC}


def test_reset_offsets(cluster, active):
    active.close()                 # both members leave
    wait_state(cluster, "kg-active", "Empty")
    # the log: partition 0 holds 15 records, 1 and 2 hold 10; every commit is 10
    g = "kg-active"
    p = kadmin(cluster, "groups", "reset-offsets", g, "--topic", TOPIC + ":0", "--to-offset", "3")
    assert plan(p) == {0: 3} and "Dry run" in p.stderr
    p = kadmin(cluster, "groups", "reset-offsets", g, "--topic", TOPIC, "--to-offset", "1000")
    assert plan(p) == {0: 15, 1: 10, 2: 10}       # clamped to the log end
    p = kadmin(cluster, "groups", "reset-offsets", g, "--topic", TOPIC, "--shift-by", "-4")
    assert plan(p) == {0: 6, 1: 6, 2: 6}
    p = kadmin(cluster, "groups", "reset-offsets", g, "--topic", TOPIC + ":2", "--shift-by", "-99")
    assert plan(p) == {2: 0}                      # clamped to the log start
    p = kadmin(cluster, "groups", "reset-offsets", g, "--topic", TOPIC + ":1",
               "--topic", TOPIC + ":0", "--to-latest")
    assert plan(p) == {0: 15, 1: 10}
    assert committed(cluster, g, range(3)) == {0: 10, 1: 10, 2: 10}    # dry runs commit nothing

    # --to-datetime: records on partition 2 stamped T, T+1s, ..., T+4s (offsets 10..14)
    t0 = (int(time.time()) + 3600) * 1000
    produce(cluster, 2, 5, timestamp=t0)
    iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime((t0 + 2500) // 1000)) + ".%03dZ" % \
        ((t0 + 2500) % 1000)
    p = kadmin(cluster, "groups", "reset-offsets", g, "--topic", TOPIC + ":2", "--to-datetime", iso)
    assert plan(p) == {2: 13}                     # first record at or after T+2.5s
    p = kadmin(cluster, "groups", "reset-offsets", g, "--topic", TOPIC + ":2",
               "--to-datetime", "2999-01-01T00:00:00Z")
    assert plan(p) == {2: 15}                     # none that late: the log end
    p = kadmin(cluster, "groups", "reset-offsets", g, "--topic", TOPIC + ":2",
               "--to-datetime", "2000-01-01T00:00:00+01:00")
    assert plan(p) == {2: 0}

    # --execute: partition 1 back to 0, partition 0 to 12; a new member starts there
    kadmin(cluster, "groups", "reset-offsets", g, "--topic", TOPIC + ":1", "--to-earliest",
           "--execute")
    p = kadmin(cluster, "groups", "reset-offsets", g, "--topic", TOPIC + ":0", "--to-offset", "12",
               "--execute")
    assert plan(p) == {0: 12} and "Dry run" not in p.stderr
    assert committed(cluster, g, range(3)) == {0: 12, 1: 0, 2: 10}
    c = consumer(cluster, g, "kg-c3")
    c.subscribe([TOPIC])
    first = {}
    try:
        def got_all():
            m = c.poll(0.5)
            if m is not None and not m.error():
                first.setdefault(m.partition(), m.offset())
            return len(first) == 3
        harness.wait_until(got_all, 60, interval=0, what="records from every partition")
    finally:
        c.close()
    assert first == {0: 12, 1: 0, 2: 10}


def test_delete_offsets_then_group(cluster, active):
    active.close()
    g = "kg-active"
    wait_state(cluster, g, "Empty")
    p = kadmin(cluster, "groups", "delete-offsets", g, "--topic", TOPIC + ":2")
    assert table(p.stdout, "TOPIC") == [[TOPIC, "2", "Successful"]]
    assert committed(cluster, g, range(3))[2] < 0                    # no commit any more
    rows = table(kadmin(cluster, "groups", "describe", g).stdout, "TOPIC")
    assert [r[1] for r in rows] == ["0", "1"]                        # and no row for it
    p = kadmin(cluster, "groups", "delete-offsets", "kg-never-was", "--topic", TOPIC, expect=1)
    assert "GROUP_ID_NOT_FOUND" in p.stderr

    p = kadmin(cluster, "groups", "delete", g)
    assert "Deleted group %s" % g in p.stdout
    assert g not in [r[0] for r in table(kadmin(cluster, "groups", "list").stdout, "GROUP")]
    assert committed(cluster, g, range(3)) == {0: -1001, 1: -1001, 2: -1001}
    p = kadmin(cluster, "groups", "delete", g, expect=1)
    assert "GROUP_ID_NOT_FOUND" in p.stderr


def test_usage_errors(cluster):
    for args in (["groups", "reset-offsets", "g", "--topic", TOPIC],                 # no mode
                 ["groups", "reset-offsets", "g", "--to-earliest"],                  # no topic
                 ["groups", "reset-offsets", "g", "--topic", TOPIC, "--to-earliest",
                  "--to-latest"],
                 ["groups", "reset-offsets", "g", "--topic", TOPIC + ":x", "--to-latest"],
                 ["groups", "reset-offsets", "g", "--topic", TOPIC, "--to-datetime", "yesterday"],
                 ["groups", "describe"], ["groups", "frobnicate"]):
        kadmin(cluster, *args, expect=2)
    p = kadmin(cluster, "groups", "reset-offsets", "g", "--topic", "kg-no-such-topic",
               "--to-latest", expect=1)
    assert "does not exist" in p.stderr
    p = kadmin(cluster, "groups", "reset-offsets", "g", "--topic", TOPIC + ":7",
               "--to-latest", expect=1)
    assert "no partition 7" in p.stderr


# ---- topics describe ------------------------------------------------------------------------------


@pytest.mark.parametrize("zk", [False, True], ids=["bootstrap", "zookeeper"])
def test_topics_describe_cleanup_policy(cluster, zk):
    if not zk:
        kadmin(cluster, "topics", "create", "kg-compacted", "--partitions", "1",
               "--replication-factor", "1", "--config", "cleanup.policy=compact")
        kadmin(cluster, "topics", "create", "kg-plain", "--partitions", "1",
               "--replication-factor", "1")
    for topic, policy in (("kg-compacted", "compact"), ("kg-plain", "delete")):
        def shown():
            p = kadmin(cluster, "topics", "describe", topic, zk=zk, expect=None)
            return p.returncode == 0 and p.stdout.splitlines()[0]
        head = harness.wait_until(shown, 30, what="topic %s described" % topic)
        assert "\tCleanupPolicy: %s" % policy in head, head


# ---- coordinator failover -------------------------------------------------------------------------


@pytest.mark.skipif(PEER == "kafka", reason="kills kbroker processes")
def test_coordinator_moves(cluster, active):
    """kill -9 the coordinator of a group (which also leads a partition of the topic):
    kadmin keeps re-finding the coordinator (a dead broker, then NOT_COORDINATOR /
    COORDINATOR_LOAD_IN_PROGRESS while the new one loads) until the new leader of its
    __consumer_offsets partition answers with the commits, and asks the topic's new leaders
    for the log ends."""
    g = "kg-failover"
    c = Consumer({"bootstrap.servers": cluster.bootstrap(), "group.id": g,
                  "enable.auto.commit": False})
    c.commit(offsets=[TopicPartition(TOPIC, p, 4 + p) for p in range(3)], asynchronous=False)
    c.close()
    victim = cluster.broker(group_info(cluster, g).broker.id)
    probe = consumer(cluster, g, "kg-probe")
    ends = {q: probe.get_watermark_offsets(TopicPartition(TOPIC, q), timeout=10)[1]
            for q in range(3)}
    probe.close()
    leaders = {q: pm.leader for q, pm in AdminClient({"bootstrap.servers": cluster.bootstrap()})
               .list_topics(TOPIC, timeout=10).topics[TOPIC].partitions.items()}
    assert victim.broker_id in leaders.values(), leaders
    survivors = [b for b in cluster.brokers if b is not victim]
    victim.kill9()
    try:
        t0 = time.monotonic()
        p = subprocess.run([os.path.join(harness.bin_dir(), "kadmin"), "--timeout-ms", "40000",
                            "--bootstrap-server", cluster.bootstrap(survivors), "groups",
                            "describe", g], capture_output=True, text=True, timeout=90)
        assert p.returncode == 0, p.stderr
        rows = table(p.stdout, "TOPIC")
        assert rows == [[TOPIC, str(q), str(4 + q), str(ends[q]), str(ends[q] - 4 - q), "-"]
                        for q in range(3)], p.stdout
        harness.report_figure("kadmin groups describe through a coordinator kill -9: %.1f s"
                              % (time.monotonic() - t0))
    finally:
        victim.restart(cluster.kz)
