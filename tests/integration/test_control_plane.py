"""The ZooKeeper control plane on a dedicated 3-broker cluster (chroot /kb-control,
zookeeper.session.timeout.ms=6000, its own ZooKeeper with tickTime 500):

* topics created with kadmin in each mode (--zookeeper and --bootstrap-server): every broker's
  Metadata (raw, kcat, confluent-kafka) agrees on leaders, replicas and ISR; leaders spread
  evenly; the znodes have Kafka 2.x's layout and JSON;
* kill -9 of a broker: each partition it led gets a new leader from its ISR within the
  session timeout + 2 s; kill -9 of the controller: a new controller with a higher epoch
  within the session timeout + 1 s;
* a "zombie" controller (SIGSTOP past the session timeout, then SIGCONT) changes nothing:
  writes fenced by its old epoch fail, and every partition state stays consistent;
* confluent-kafka's and kafkajs's admin clients create, describe, alter and delete topics and
  configs; invalid requests get Kafka's error codes; non-controllers answer NOT_CONTROLLER.

Failover times are reported as figures.
"""

import json
import os
import signal
import struct
import subprocess
import time

import pytest
from kazoo.exceptions import BadVersionError

import harness
import kproto
from conftest import own_zookeeper, start_cluster

IDS = [201, 202, 203]
SESSION_MS = 6000
SESSION_S = SESSION_MS / 1000.0
JS_DIR = os.path.join(os.path.dirname(__file__), "..", "clients", "js")


@pytest.fixture(scope="module")
def fine_zk(tmp_path_factory):
    """A ZooKeeper of our own with a 500 ms tick: ZooKeeper checks session expiry once per
    tick, so with the shared 1 s tick a session could expire up to 1 s late, which is the
    whole margin the controller-failover bound allows."""
    yield from own_zookeeper(tmp_path_factory, "zk-control", tick_ms=500)


@pytest.fixture(scope="module")
def cluster(fine_zk, tmp_path_factory):
    yield from start_cluster(tmp_path_factory.mktemp("control"), zk=fine_zk, ids=IDS,
                             chroot="/kb-control", session_timeout_ms=SESSION_MS)


@pytest.fixture(autouse=True)
def all_brokers_up(cluster):
    """Tests kill brokers; each starts with all three running and registered."""
    for b in cluster.brokers:
        if not b.alive():
            b.restart(cluster.kz)
    harness.wait_until(lambda: cluster.registered_ids() == sorted(IDS), 30,
                       what="all brokers registered")


def kadmin(cluster, mode, *args, check=True, timeout=60):
    conn = (["--zookeeper", cluster.zk.connect + cluster.chroot] if mode == "zk"
            else ["--bootstrap-server", cluster.bootstrap()])
    p = subprocess.run([os.path.join(harness.bin_dir(), "kadmin"), "--timeout-ms", "20000"] +
                       conn + list(args), capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError("kadmin %s failed (%d): %s%s" % (args, p.returncode, p.stdout,
                                                                 p.stderr))
    return p


def zk_json(cluster, path):
    data, stat = cluster.kz.get(path)
    return json.loads(data.decode()), stat


def controller(cluster):
    return zk_json(cluster, "/controller")[0]["brokerid"]


def controller_epoch(cluster):
    data, stat = cluster.kz.get("/controller_epoch")
    return int(data.decode()), stat.version


def states(cluster, topic):
    n = len(zk_json(cluster, "/brokers/topics/" + topic)[0]["partitions"])
    return [zk_json(cluster, "/brokers/topics/%s/partitions/%d/state" % (topic, p))[0]
            for p in range(n)]


def topic_view(broker, topic, version=5):
    """Partition id -> (leader, replicas, isr) as this broker's Metadata reports it."""
    with broker.conn(10) as c:
        md = c.metadata(version, topics=[topic], allow_auto_topic_creation=False)
    t = md["topics"][0]
    assert t["error_code"] == 0, t
    return {p["partition_index"]: (p["leader_id"], p["replica_nodes"], p["isr_nodes"])
            for p in t["partitions"]}


def wait_leaders(cluster, topic, n, brokers=None, timeout=30):
    brokers = brokers or cluster.brokers

    def ok():
        try:
            views = [topic_view(b, topic) for b in brokers]
        except AssertionError:
            return False
        return all(len(v) == n and all(l >= 0 for l, _, _ in v.values()) for v in views)
    harness.wait_until(ok, timeout, what="leaders for every partition of %s" % topic)


@pytest.mark.parametrize("mode", ["zk", "bootstrap"])
def test_create_topic_consistent_everywhere(cluster, mode):
    topic = "orders-" + mode
    out = kadmin(cluster, mode, "topics", "create", topic, "--partitions", "12",
                 "--replication-factor", "3", "--config", "retention.ms=86400000")
    assert "Created topic %s." % topic in out.stdout
    wait_leaders(cluster, topic, 12)
    views = [topic_view(b, topic) for b in cluster.brokers]
    assert views[0] == views[1] == views[2]           # every broker says the same
    leaders = [l for l, _, _ in views[0].values()]
    assert sorted(leaders.count(i) for i in IDS) == [4, 4, 4]   # spread evenly
    for leader, replicas, isr in views[0].values():
        assert sorted(replicas) == sorted(IDS) and leader == replicas[0]
        assert sorted(isr) == sorted(IDS)
    # kcat (librdkafka) and confluent-kafka see the same assignment.
    kc = json.loads(subprocess.run(["kcat", "-b", cluster.bootstrap(), "-L", "-J", "-t", topic],
                                   capture_output=True, text=True, timeout=30, check=True).stdout)
    kt = [t for t in kc["topics"] if t["topic"] == topic][0]
    assert {p["partition"]: (p["leader"], [r["id"] for r in p["replicas"]],
                             [r["id"] for r in p["isrs"]]) for p in kt["partitions"]} == views[0]
    from confluent_kafka.admin import AdminClient
    md = AdminClient({"bootstrap.servers": cluster.bootstrap()}).list_topics(topic, timeout=20)
    cp = md.topics[topic].partitions
    assert {i: (p.leader, list(p.replicas), list(p.isrs)) for i, p in cp.items()} == views[0]
    check_znodes(cluster, topic, 12, 3)


def check_znodes(cluster, topic, n, rf):
    """Kafka 2.x's layout and JSON (kafka-protocol.md §6)."""
    a, _ = zk_json(cluster, "/brokers/topics/" + topic)
    assert a["version"] == 3 and a["adding_replicas"] == {} and a["removing_replicas"] == {}
    assert len(a["topic_id"]) == 22 and set(a["partitions"]) == {str(p) for p in range(n)}
    assert all(len(r) == rf and len(set(r)) == rf for r in a["partitions"].values())
    epoch, _ = controller_epoch(cluster)
    for p, s in enumerate(states(cluster, topic)):
        assert set(s) == {"controller_epoch", "leader", "version", "leader_epoch", "isr"}
        assert s["version"] == 1 and s["leader"] == a["partitions"][str(p)][0]
        assert 0 < s["controller_epoch"] <= epoch and s["leader_epoch"] >= 0
    cfg, _ = zk_json(cluster, "/config/topics/" + topic)
    assert cfg == {"version": 1, "config": {"retention.ms": "86400000"}}
    ctl, _ = zk_json(cluster, "/controller")
    assert ctl["version"] == 1 and ctl["brokerid"] in IDS and isinstance(ctl["timestamp"], str)


def test_invalid_topics_refused(cluster):
    for bad in ["has space", "x" * 250, ".", "..", "a/b"]:
        p = kadmin(cluster, "bootstrap", "topics", "create", bad, "--partitions", "1",
                   "--replication-factor", "1", check=False)
        assert p.returncode != 0 and bad not in cluster.kz.get_children("/brokers/topics")
    kadmin(cluster, "zk", "topics", "create", "dot.name", "--partitions", "1",
           "--replication-factor", "1")
    p = kadmin(cluster, "bootstrap", "topics", "create", "dot_name", "--partitions", "1",
               "--replication-factor", "1", check=False)
    assert p.returncode == 1 and "collides" in p.stderr
    p = kadmin(cluster, "bootstrap", "topics", "create", "too-many", "--partitions", "1",
               "--replication-factor", "4", check=False)
    assert p.returncode == 1 and "INVALID_REPLICATION_FACTOR" in p.stderr
    p = kadmin(cluster, "bootstrap", "topics", "create", "bad-config", "--partitions", "1",
               "--replication-factor", "1", "--config", "retention.ms=abc", check=False)
    assert p.returncode != 0 and "retention.ms" in p.stderr


def create_topics_v0(name, partitions, rf):
    body = struct.pack(">i", 1) + kproto.string(name) + struct.pack(">ih", partitions, rf)
    body += struct.pack(">ii", 0, 0) + struct.pack(">i", 10000)   # no assignments/configs
    return body


def test_non_controller_answers_not_controller(cluster):
    ctl = controller(cluster)
    other = [b for b in cluster.brokers if b.broker_id != ctl][0]
    with other.conn(10) as c:
        c.send(kproto.frame(kproto.encode_request(19, 0, 7, create_topics_v0("nc", 1, 1),
                                                  "kb-it")))
        payload = c.recv_frame(10)
    corr, n = struct.unpack(">ii", payload[:8])
    name_len = struct.unpack(">h", payload[8:10])[0]
    err = struct.unpack(">h", payload[10 + name_len:12 + name_len])[0]
    assert corr == 7 and n == 1 and err == 41          # NOT_CONTROLLER
    assert "nc" not in cluster.kz.get_children("/brokers/topics")


def test_kill_leader_elects_from_isr(cluster):
    topic = "failover"
    kadmin(cluster, "bootstrap", "topics", "create", topic, "--partitions", "12",
           "--replication-factor", "3")
    wait_leaders(cluster, topic, 12)
    ctl = controller(cluster)
    victim = [b for b in cluster.brokers if b.broker_id != ctl][0]
    before = states(cluster, topic)
    led = [p for p, s in enumerate(before) if s["leader"] == victim.broker_id]
    assert led, "the victim leads nothing"
    t0 = time.monotonic()
    victim.kill9()

    def moved():
        now = states(cluster, topic)
        return all(now[p]["leader"] not in (victim.broker_id, -1) for p in led)
    harness.wait_until(moved, SESSION_S + 10, interval=0.05, what="new leaders")
    took = time.monotonic() - t0
    harness.report_figure("control plane: %d partitions led by killed broker %d got new "
                          "leaders %.2f s after kill -9 (session timeout %.0f s)"
                          % (len(led), victim.broker_id, took, SESSION_S))
    assert took <= SESSION_S + 2
    after = states(cluster, topic)
    for p in led:
        assert after[p]["leader"] in before[p]["isr"]                 # from the ISR
        assert after[p]["leader_epoch"] == before[p]["leader_epoch"] + 1
        assert victim.broker_id not in after[p]["isr"]
    survivors = [b for b in cluster.brokers if b is not victim]
    harness.wait_until(lambda: all(all(l != victim.broker_id and l >= 0 for l, _, _ in
                                       topic_view(b, topic).values()) for b in survivors),
                       10, what="survivors' metadata shows the new leaders")
    victim.restart(cluster.kz)


def test_kill_controller_elects_new_one(cluster):
    old = controller(cluster)
    epoch, _ = controller_epoch(cluster)
    t0 = time.monotonic()
    cluster.broker(old).kill9()

    def new_controller():
        try:
            return controller(cluster) != old and controller_epoch(cluster)[0] > epoch
        except Exception:  # noqa: BLE001 (between the old one's expiry and the new write)
            return False
    harness.wait_until(new_controller, SESSION_S + 10, interval=0.05, what="a new controller")
    took = time.monotonic() - t0
    harness.report_figure("control plane: new controller %d (epoch %d -> %d) %.2f s after "
                          "kill -9 of controller %d" % (controller(cluster), epoch,
                                                        controller_epoch(cluster)[0], took, old))
    assert took <= SESSION_S + 1
    cluster.broker(old).restart(cluster.kz)


def consistent(cluster, topic, live):
    for s in states(cluster, topic):
        if s["leader"] >= 0:
            assert s["leader"] in live and s["leader"] in s["isr"], s
        assert s["isr"], s


def test_zombie_controller_is_fenced(cluster):
    topic = "zombie"
    kadmin(cluster, "bootstrap", "topics", "create", topic, "--partitions", "6",
           "--replication-factor", "3")
    wait_leaders(cluster, topic, 6)
    zombie = cluster.broker(controller(cluster))
    old_epoch, old_version = controller_epoch(cluster)
    os.kill(zombie.pid, signal.SIGSTOP)
    try:
        harness.wait_until(lambda: cluster.kz.exists("/controller") and
                           controller(cluster) != zombie.broker_id, SESSION_S + 15,
                           interval=0.1, what="a successor controller")
        new_epoch, new_version = controller_epoch(cluster)
        assert new_epoch > old_epoch
        harness.wait_until(lambda: all(s["leader"] != zombie.broker_id
                                       for s in states(cluster, topic)), 10,
                           what="the successor moved the zombie's leaderships")
        snapshot = states(cluster, topic)
        # A write fenced the way the zombie's are (check of /controller_epoch at the version
        # it won with) is refused, and changes nothing.
        t = cluster.kz.transaction()
        t.check("/controller_epoch", old_version)
        t.set_data("/brokers/topics/%s/partitions/0/state" % topic,
                   json.dumps({"controller_epoch": old_epoch, "leader": zombie.broker_id,
                               "version": 1, "leader_epoch": 99, "isr": [zombie.broker_id]})
                   .encode())
        results = t.commit()
        assert isinstance(results[0], BadVersionError), results
    finally:
        os.kill(zombie.pid, signal.SIGCONT)
    # The zombie wakes up, learns its session is gone, resigns and rejoins as a broker.
    harness.wait_until(lambda: zombie.broker_id in cluster.registered_ids(), 30,
                       what="the zombie re-registered")
    time.sleep(2)
    assert controller_epoch(cluster)[0] == new_epoch      # nobody bumped it again
    assert controller(cluster) != zombie.broker_id
    # Nothing the zombie decided was written: leaders, epochs and controller epochs are the
    # successor's. The only change allowed is the leaders' own: re-admitting the zombie to
    # the ISR once its follower replicas caught up again.
    after = states(cluster, topic)
    for old, new in zip(snapshot, after):
        assert {k: v for k, v in new.items() if k != "isr"} == \
            {k: v for k, v in old.items() if k != "isr"}
        assert set(new["isr"]) - set(old["isr"]) <= {zombie.broker_id}
        assert set(old["isr"]) <= set(new["isr"])
    assert all(s["controller_epoch"] <= new_epoch for s in states(cluster, topic))
    consistent(cluster, topic, cluster.registered_ids())
    log = zombie.log_text()
    assert "resigning as controller" in log or "session expired" in log
    harness.report_figure("control plane: zombie controller %d (epoch %d) paused past the "
                          "session; successor epoch %d; its stale writes refused; leaders and "
                          "epochs unchanged (ISRs changed only by the leaders re-admitting it)" % (zombie.broker_id, old_epoch, new_epoch))


def test_confluent_admin_client(cluster):
    from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic
    a = AdminClient({"bootstrap.servers": cluster.bootstrap()})
    topic = "ck-admin"
    fs = a.create_topics([NewTopic(topic, 4, 2, config={"retention.ms": "3600000"})],
                         operation_timeout=20)
    fs[topic].result(30)
    wait_leaders(cluster, topic, 4)
    res = ConfigResource("topic", topic)
    cfg = a.describe_configs([res])[res].result(30)
    assert cfg["retention.ms"].value == "3600000" and cfg["retention.ms"].source == 1
    assert cfg["cleanup.policy"].value == "delete" and cfg["cleanup.policy"].is_default
    res2 = ConfigResource("topic", topic, set_config={"retention.ms": "7200000",
                                                      "cleanup.policy": "compact"})
    a.alter_configs([res2])[res2].result(30)
    harness.wait_until(lambda: zk_json(cluster, "/config/topics/" + topic)[0]["config"] ==
                       {"retention.ms": "7200000", "cleanup.policy": "compact"}, 10,
                       what="configs in ZooKeeper")
    bad = ConfigResource("topic", topic, set_config={"retention.ms": "nope"})
    with pytest.raises(Exception) as e:
        a.alter_configs([bad])[bad].result(30)
    assert "INVALID_CONFIG" in str(e.value) or "nope" in str(e.value)
    a.create_partitions([NewPartitions(topic, 6)])[topic].result(30)
    wait_leaders(cluster, topic, 6)
    with pytest.raises(Exception) as e:
        a.create_partitions([NewPartitions(topic, 3)])[topic].result(30)
    assert "INVALID_PARTITIONS" in str(e.value)
    a.delete_topics([topic], operation_timeout=20)[topic].result(30)
    assert topic not in a.list_topics(timeout=10).topics
    assert not cluster.kz.exists("/brokers/topics/" + topic)
    assert not cluster.kz.exists("/config/topics/" + topic)
    with pytest.raises(Exception) as e:
        a.create_topics([NewTopic("ck-dup", 1, 1)])["ck-dup"].result(30)
        a.create_topics([NewTopic("ck-dup", 1, 1)])["ck-dup"].result(30)
    assert "TOPIC_ALREADY_EXISTS" in str(e.value)


def test_kafkajs_admin_client(cluster):
    topic = "js-admin"
    p = subprocess.run(["node", os.path.join(JS_DIR, "admin_topics.js"), cluster.bootstrap(),
                        topic, "60000"], capture_output=True, text=True, timeout=90)
    assert p.returncode == 0, p.stderr
    steps = {}
    for line in p.stdout.splitlines():
        s = json.loads(line)
        steps[s["step"]] = s["value"]
    assert steps["create"] is True
    assert len(steps["metadata"]) == 3
    assert all(len(x["replicas"]) == 2 and x["leader"] in x["replicas"]
               for x in steps["metadata"])
    assert steps["retention.ms"] == "3600000"
    assert steps["altered"] == {"retention.ms": "7200000", "cleanup.policy": "compact"}
    assert steps["partitions"] == 5
    assert steps["deleted"] is True
    assert not cluster.kz.exists("/brokers/topics/" + topic)


def test_auto_create_and_delete_in_zk_mode(cluster):
    b = cluster.brokers[0]
    with b.conn(10) as c:
        md = c.metadata(4, topics=["auto-made"], allow_auto_topic_creation=False)
        assert md["topics"][0]["error_code"] == 3            # UNKNOWN_TOPIC_OR_PARTITION
        md = c.metadata(4, topics=["auto-made"], allow_auto_topic_creation=True)
        assert md["topics"][0]["error_code"] in (0, 5)       # LEADER_NOT_AVAILABLE at first
    wait_leaders(cluster, "auto-made", 1)
    out = kadmin(cluster, "zk", "topics", "describe", "auto-made").stdout
    assert "PartitionCount: 1" in out
    kadmin(cluster, "zk", "topics", "delete", "auto-made")
    harness.wait_until(lambda: "auto-made" not in cluster.kz.get_children("/brokers/topics"),
                       20, what="topic deleted by the controller")
    assert not cluster.kz.exists("/admin/delete_topics/auto-made")


@pytest.mark.parametrize("mode", ["zk", "bootstrap"])
def test_kadmin_alters_configs_keeping_other_overrides(cluster, mode):
    """An incremental alter starts from the topic's current overrides: set one, delete one,
    and the others survive (through the broker this waits for its own cache to catch up while
    the cache replaces the entries the request started from)."""
    topic = "tuned-" + mode
    kadmin(cluster, mode, "topics", "create", topic, "--partitions", "1",
           "--replication-factor", "1", "--config", "retention.ms=86400000",
           "--config", "segment.bytes=1048576", "--config", "cleanup.policy=delete")
    wait_leaders(cluster, topic, 1)
    for _ in range(3):        # repeated: each alter replaces the cached entries again
        kadmin(cluster, mode, "configs", "alter", "--topic", topic,
               "--set", "max.message.bytes=2000000", "--delete", "cleanup.policy")
        kadmin(cluster, mode, "configs", "alter", "--topic", topic,
               "--set", "cleanup.policy=delete", "--set", "retention.ms=7200000")
    cfg, _ = zk_json(cluster, "/config/topics/" + topic)
    assert cfg["config"] == {"retention.ms": "7200000", "segment.bytes": "1048576",
                             "max.message.bytes": "2000000", "cleanup.policy": "delete"}
    def shows(b):
        out = subprocess.run([os.path.join(harness.bin_dir(), "kadmin"), "--bootstrap-server",
                              b.bootstrap, "configs", "describe", "--topic", topic],
                             capture_output=True, text=True, timeout=30).stdout
        return "retention.ms=7200000" in out and "max.message.bytes=2000000" in out
    for b in cluster.brokers:                          # every broker's cache applies them
        harness.wait_until(lambda: shows(b), 20, what="broker %d to show the configs" % b.broker_id)
    assert all(b.alive() for b in cluster.brokers)
