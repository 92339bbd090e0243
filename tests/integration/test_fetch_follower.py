"""Fetch from the closest replica (KIP-392): 3 brokers in racks r1, r2, r3 with
replica.selector.class=RackAwareReplicaSelector (ZooKeeper tick 500 ms, session 4 s,
replica.lag.time.max.ms 4 s).

* a raw Fetch v11 to the leader naming a follower's rack gets PreferredReadReplica = that
  follower, no records, the leader's HW; naming the leader's rack, no rack, an unknown rack or
  a RackId over KB_FETCH_RACK_ID_MAX gets records and -1; Fetch v10 (no RackId) too;
* a raw Fetch v11 to a follower is served from the follower's log up to ITS high watermark:
  with one follower stopped (SIGSTOP) the leader's HW stays while the other follower copies
  acks=1 records, and that follower answers with records only below its HW, an empty answer
  at its log end, OFFSET_OUT_OF_RANGE (with its HW) past it; a long poll parked at its HW is
  answered when the HW moves (SIGCONT); Fetch v10 there gets NOT_LEADER_OR_FOLLOWER, wrong
  leader epochs FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH, ListOffsets
  NOT_LEADER_OR_FOLLOWER;
* read_committed on a follower: its LSO holds at an open transaction's first offset (the
  follower keeps transaction state from the batches it copies); after an ABORT marker it
  lists the aborted transaction and serves up to the marker;
* confluent-kafka (librdkafka) with client.rack = a follower's rack reads every record
  produced with acks=all, and its statistics show the bytes came from the follower;
* kill -9 of that follower: the leader stops naming it, and a Java KafkaConsumer with
  client.rack on the follower's rack keeps reading from the leader with nothing lost
  (librdkafka 2.0.2 itself would stay on the dead replica until its 5-minute preferred-replica
  lease ends, so the Java client shows the failover);
* replica.selector.class other than Kafka's two selectors stops startup with a clear message.
"""

import json
import os
import signal
import struct
import subprocess
import threading
import time
import uuid

import pytest

import clients_jvm_go as cj
import harness
import kproto
from conftest import own_zookeeper, start_cluster
from test_txn_log import batch as txn_batch, mark, produce as raw_produce

IDS = [911, 912, 913]
RACKS = {911: "r1", 912: "r2", 913: "r3"}
RACK_AWARE = "org.apache.kafka.common.replica.RackAwareReplicaSelector"
SESSION_MS = 4000
RACK_ID_MAX = 1024      # common/limits.h KB_FETCH_RACK_ID_MAX

ERR_OFFSET_OUT_OF_RANGE = 1
ERR_NOT_LEADER_OR_FOLLOWER = 6
ERR_FENCED_LEADER_EPOCH = 74
ERR_UNKNOWN_LEADER_EPOCH = 75


@pytest.fixture(scope="module")
def ff_zk(tmp_path_factory):
    yield from own_zookeeper(tmp_path_factory, "zk-fetchfollower", tick_ms=500)


@pytest.fixture(scope="module")
def cluster(ff_zk, tmp_path_factory):
    yield from start_cluster(tmp_path_factory.mktemp("fetchfollower"), zk=ff_zk, ids=IDS,
                             racks=RACKS, chroot="/kb-ff", session_timeout_ms=SESSION_MS,
                             config={"replica.selector.class": RACK_AWARE,
                                     "replica.lag.time.max.ms": "4000",
                                     "replica.fetch.backoff.ms": "200",
                                     "auto.create.topics.enable": "false",
                                     "auto.leader.rebalance.enable": "false",
                                     # test_follower_read_committed plays the coordinator
                                     # with made-up producer ids: no KIP-890 verification
                                     "transaction.partition.verification.enable": "false"})


@pytest.fixture(autouse=True)
def all_up(cluster):
    for b in cluster.brokers:
        if not b.alive():
            b.restart(cluster.kz)
    harness.wait_until(lambda: cluster.registered_ids() == sorted(IDS), 30,
                       what="all brokers registered")


def state(cluster, topic):
    data, _ = cluster.kz.get("/brokers/topics/%s/partitions/0/state" % topic)
    return json.loads(data.decode())


def create(cluster, topic):
    args = ["topics", "create", topic, "--partitions", "1", "--replication-factor", "3"]
    deadline = time.monotonic() + 30
    while True:
        p = subprocess.run([os.path.join(harness.bin_dir(), "kadmin"), "--bootstrap-server",
                            cluster.bootstrap()] + args, capture_output=True, text=True,
                           timeout=60)
        if p.returncode == 0:
            break
        assert "no controller" in p.stderr and time.monotonic() < deadline, p.stdout + p.stderr
        time.sleep(0.3)
    harness.wait_until(lambda: len(state(cluster, topic)["isr"]) == 3, 30, what="ISR of 3")
    st = state(cluster, topic)
    leader = cluster.broker(st["leader"])
    followers = [cluster.broker(i) for i in IDS if i != st["leader"]]
    return leader, followers, st["leader_epoch"]


def produce(cluster, topic, values, acks="all", brokers=None):
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": cluster.bootstrap(brokers), "acks": acks,
                  "linger.ms": 5, "enable.idempotence": False})
    errors = []
    for v in values:
        p.produce(topic, value=v, partition=0,
                  on_delivery=lambda err, _m: errors.append(err) if err else None)
        p.poll(0)
    assert p.flush(30) == 0
    assert errors == []


# ---- raw requests ------------------------------------------------------------------------

def fetch(broker, topic, offset, version=11, rack="", epoch=-1, max_wait=0, isolation=0,
          timeout=20):
    """One partition-0 Fetch: {error, hw, lso, log_start, preferred, records (bytes)}."""
    body = struct.pack(">iiii", -1, max_wait, 1, 1 << 20)
    if version >= 4:
        body += struct.pack(">b", isolation)
    if version >= 7:
        body += struct.pack(">ii", 0, -1)
    part = struct.pack(">i", 0)
    if version >= 9:
        part += struct.pack(">i", epoch)
    part += struct.pack(">q", offset)
    if version >= 5:
        part += struct.pack(">q", -1)
    part += struct.pack(">i", 1 << 20)
    body += struct.pack(">i", 1) + kproto.string(topic) + struct.pack(">i", 1) + part
    if version >= 7:
        body += struct.pack(">i", 0)
    if version >= 11:
        body += kproto.string(rack)
    with harness.KConn(harness.HOST, broker.port) as conn:
        corr = conn.next_corr()
        conn.send(kproto.frame(kproto.encode_request(1, version, corr, body, "kb-ff")))
        r = kproto.Reader(conn.recv_frame(timeout))
    assert r.i32() == corr
    r.i32()                                   # throttle
    if version >= 7:
        assert r.i16() == 0 and r.i32() == 0  # error, session id
    assert r.i32() == 1
    assert r.string() == topic
    assert r.i32() == 1
    out = {}
    assert r.i32() == 0
    out["error"], out["hw"] = r.i16(), r.i64()
    out["lso"] = r.i64() if version >= 4 else None
    out["log_start"] = r.i64() if version >= 5 else None
    out["aborted"] = None
    if version >= 4:
        n = r.i32()
        out["aborted"] = None if n < 0 else [struct.unpack(">qq", r.take(16))
                                             for _ in range(n)]
    out["preferred"] = r.i32() if version >= 11 else None
    size = r.i32()
    out["records"] = r.take(size) if size > 0 else b""
    r.end()
    return out


def offsets_of(records):
    """[(base, last)] of the whole batches in a Records field."""
    out, pos = [], 0
    while pos + 61 <= len(records):
        base, length = struct.unpack_from(">qi", records, pos)
        if pos + 12 + length > len(records):
            break
        lod = struct.unpack_from(">i", records, pos + 23)[0]
        out.append((base, base + lod))
        pos += 12 + length
    return out


def list_offsets_error(broker, topic):
    body = struct.pack(">ib", -1, 0) + struct.pack(">i", 1) + kproto.string(topic) + \
        struct.pack(">i", 1) + struct.pack(">iiq", 0, -1, -1)
    with harness.KConn(harness.HOST, broker.port) as conn:
        corr = conn.next_corr()
        conn.send(kproto.frame(kproto.encode_request(2, 4, corr, body, "kb-ff")))
        r = kproto.Reader(conn.recv_frame(15))
    assert r.i32() == corr
    r.i32()
    assert r.i32() == 1
    r.string()
    assert r.i32() == 1
    _idx, err = struct.unpack(">ih", r.take(6))
    return err


# ---- the leader names the closest replica ------------------------------------------------

def test_leader_names_replica_in_client_rack(cluster):
    topic = "ff-pref-" + uuid.uuid4().hex[:8]
    leader, followers, _ = create(cluster, topic)
    produce(cluster, topic, [b"v%d" % i for i in range(50)])
    # The followers learn of their last fetch offsets with their next fetch.
    harness.wait_until(lambda: fetch(leader, topic, 50, rack=RACKS[followers[0].broker_id])
                       ["preferred"] == followers[0].broker_id, 15,
                       what="the leader names the follower at the log end")
    for f in followers:
        got = fetch(leader, topic, 0, rack=RACKS[f.broker_id])
        assert got["error"] == 0 and got["preferred"] == f.broker_id, got
        assert got["records"] == b"" and got["hw"] == 50 and got["log_start"] == 0, got
    # A long poll that would wait is answered at once with the preferred replica.
    t0 = time.monotonic()
    got = fetch(leader, topic, 50, rack=RACKS[followers[1].broker_id], max_wait=5000)
    assert got["preferred"] == followers[1].broker_id and time.monotonic() - t0 < 3
    # The leader serves: its own rack, no rack, a rack nobody is in, a RackId over the limit
    # (treated as no rack), and Fetch v10 (no RackId).
    for rack in (RACKS[leader.broker_id], "", "elsewhere", "r" * (RACK_ID_MAX + 1)):
        got = fetch(leader, topic, 0, rack=rack)
        assert got["error"] == 0 and got["preferred"] == -1, (rack[:16], got)
        assert offsets_of(got["records"])[0][0] == 0 and got["hw"] == 50
    got = fetch(leader, topic, 0, version=10)
    assert got["error"] == 0 and offsets_of(got["records"])[-1][1] == 49
    # An offset no follower holds yet (past every log end): the leader is the only candidate.
    got = fetch(leader, topic, 51, rack=RACKS[followers[0].broker_id])
    assert got["preferred"] == -1 and got["error"] == ERR_OFFSET_OUT_OF_RANGE, got


# ---- a follower serves consumers up to its own high watermark ----------------------------

def test_follower_serves_up_to_its_hw(cluster):
    topic = "ff-hw-" + uuid.uuid4().hex[:8]
    leader, (f1, f2), epoch = create(cluster, topic)
    produce(cluster, topic, [b"a%d" % i for i in range(20)])
    harness.wait_until(lambda: fetch(f1, topic, 0, rack="r-none")["hw"] == 20, 15,
                       what="follower HW 20")
    # Served from the follower's log, whatever the client's rack.
    got = fetch(f1, topic, 0, rack="r-none")
    assert got["error"] == 0 and got["preferred"] == -1 and got["hw"] == 20, got
    assert offsets_of(got["records"])[0][0] == 0 and offsets_of(got["records"])[-1][1] == 19
    # Only Fetch v11+ (client metadata) may read a follower; ListOffsets stays leader-only.
    assert fetch(f1, topic, 0, version=10)["error"] == ERR_NOT_LEADER_OR_FOLLOWER
    assert fetch(f1, topic, 0, version=4)["error"] == ERR_NOT_LEADER_OR_FOLLOWER
    assert list_offsets_error(f1, topic) == ERR_NOT_LEADER_OR_FOLLOWER
    # Leader epochs are checked against the epoch the follower knows.
    assert fetch(f1, topic, 0, epoch=epoch)["error"] == 0
    assert fetch(f1, topic, 0, epoch=epoch + 1)["error"] == ERR_UNKNOWN_LEADER_EPOCH
    if epoch > 0:
        assert fetch(f1, topic, 0, epoch=epoch - 1)["error"] == ERR_FENCED_LEADER_EPOCH

    # f2 stopped: the leader's HW stays at 20 while f1 copies 10 more acks=1 records.
    os.kill(f2.pid, signal.SIGSTOP)
    try:
        produce(cluster, topic, [b"b%d" % i for i in range(10)], acks="1",
                brokers=[leader])
        harness.wait_until(lambda: fetch(f1, topic, 30)["error"] == 0, 15,
                           what="f1 holds offset 29 (log end 30)")
        got = fetch(f1, topic, 0)
        assert got["hw"] == 20 and offsets_of(got["records"])[-1][1] == 19, got
        at_end = fetch(f1, topic, 30)          # within its log, above its HW: nothing
        assert at_end["error"] == 0 and at_end["records"] == b"", at_end
        past = fetch(f1, topic, 31)            # past its log end
        assert past["error"] == ERR_OFFSET_OUT_OF_RANGE and past["hw"] == 20, past
        # A long poll parked at f1's HW is answered when the HW moves.
        result = {}
        th = threading.Thread(target=lambda: result.update(
            fetch(f1, topic, 20, max_wait=20000, timeout=40)))
        th.start()
        time.sleep(1.0)
        assert "hw" not in result               # still parked
    finally:
        os.kill(f2.pid, signal.SIGCONT)
    t0 = time.monotonic()
    th.join(40)
    assert not th.is_alive()
    assert result["error"] == 0 and result["hw"] > 20, result
    assert offsets_of(result["records"])[0][0] == 20
    print("long poll on the follower answered %.2f s after SIGCONT" % (time.monotonic() - t0))


def test_follower_read_committed(cluster):
    topic = "ff-txn-" + uuid.uuid4().hex[:8]
    leader, (f1, _f2), _ = create(cluster, topic)
    A, B = 9101, 9102
    with leader.conn(20) as c:
        first = {}

        def appended():     # the leader named in ZooKeeper may not have applied it yet
            first["r"] = raw_produce(c, topic, txn_batch(A, 1, 0, [b"a0", b"a1"]), "ff-tx-a")
            return first["r"][0] != 6           # NOT_LEADER_OR_FOLLOWER: nothing appended
        harness.wait_until(appended, 15, 0.2, what="the leader taking the first batch")
        assert first["r"] == (0, 0)
        assert raw_produce(c, topic, txn_batch(B, 0, 0, [b"b0", b"b1"], txn=False)) == (0, 2)
    harness.wait_until(lambda: fetch(f1, topic, 0)["hw"] == 4, 15, what="follower HW 4")
    rc = fetch(f1, topic, 0, isolation=1)
    assert rc["error"] == 0 and rc["lso"] == 0 and rc["records"] == b"", rc
    ru = fetch(f1, topic, 0, isolation=0)
    assert ru["lso"] == 0 and [b for b, _ in offsets_of(ru["records"])] == [0, 2], ru
    with leader.conn(20) as c:
        assert mark(c, A, 1, False, 5, topic) == 0           # ABORT at offset 4
    harness.wait_until(lambda: fetch(f1, topic, 0, isolation=1)["lso"] == 5, 15,
                       what="follower LSO past the marker")
    rc = fetch(f1, topic, 0, isolation=1)
    assert [b for b, _ in offsets_of(rc["records"])] == [0, 2, 4], rc
    assert rc["aborted"] == [(A, 0)], rc


# ---- real clients ------------------------------------------------------------------------

def consume_with_rack(cluster, topic, rack, count, timeout=60):
    """confluent-kafka (librdkafka) with client.rack: (values, rxbytes per broker id)."""
    from confluent_kafka import Consumer, TopicPartition
    stats = {}

    def on_stats(js):
        for name, b in json.loads(js).get("brokers", {}).items():
            # logical brokers (GroupCoordinator) carry a real node id too: skip them, or
            # their few bytes overwrite that broker's count
            if b.get("nodeid", -1) >= 0 and b.get("source") not in ("logical", "internal"):
                stats[b["nodeid"]] = b.get("rxbytes", 0)

    c = Consumer({"bootstrap.servers": cluster.bootstrap(), "group.id": "ff-" + topic,
                  "enable.auto.commit": False, "auto.offset.reset": "earliest",
                  "client.rack": rack, "statistics.interval.ms": 500, "stats_cb": on_stats,
                  "fetch.wait.max.ms": 100})
    c.assign([TopicPartition(topic, 0, 0)])
    out, deadline = [], time.monotonic() + timeout
    try:
        while len(out) < count and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            assert not m.error(), m.error()
            out.append(m.value())
        time.sleep(1.2)                         # one more statistics interval
        c.poll(0.2)
    finally:
        c.close()
    return out, dict(stats)


def test_librdkafka_reads_from_follower_in_its_rack(cluster):
    topic = "ff-rdk-" + uuid.uuid4().hex[:8]
    leader, followers, _ = create(cluster, topic)
    values = [b"%06d-" % i + b"x" * 200 for i in range(2000)]
    produce(cluster, topic, values)
    f = followers[0]
    got, rx = consume_with_rack(cluster, topic, RACKS[f.broker_id], len(values))
    assert got == values
    print("rxbytes by broker (client.rack %s, follower %d, leader %d): %s"
          % (RACKS[f.broker_id], f.broker_id, leader.broker_id, rx))
    assert rx.get(f.broker_id, 0) > 300_000, rx
    assert rx.get(f.broker_id, 0) > 10 * rx.get(leader.broker_id, 0), rx


def test_follower_killed_java_consumer_goes_back_to_leader(cluster, tmp_path):
    topic = "ff-kill-" + uuid.uuid4().hex[:8]
    leader, followers, _ = create(cluster, topic)
    f = followers[0]
    first = [b"%06d" % i for i in range(500)]
    produce(cluster, topic, first)
    # The leader names f for its rack while f is in sync.
    harness.wait_until(lambda: fetch(leader, topic, 0, rack=RACKS[f.broker_id])
                       ["preferred"] == f.broker_id, 15, what="leader names f")
    why = cj.java_skip()
    proc = None
    if why is None:
        proc = cj.start_client("java-rack", cj.java_argv(
            "consume", {"client.rack": RACKS[f.broker_id], "metadata.max.age.ms": "2000",
                        "fetch.max.wait.ms": "200"},
            bootstrap=cluster.bootstrap(), topic=topic, count=1000, idle_ms=60000,
            max_ms=120000), str(tmp_path))
        harness.wait_until(lambda: len(cj.parse_recs(proc.lines())) >= 500, 60,
                           what="the Java consumer read the first 500")
    f.kill9()
    # Gone from the live brokers: the leader no longer names it (and leaves it out of the ISR
    # after replica.lag.time.max.ms).
    harness.wait_until(lambda: fetch(leader, topic, 500, rack=RACKS[f.broker_id])
                       ["preferred"] == -1, 20, what="the leader stops naming the dead f")
    produce(cluster, topic, [b"%06d" % i for i in range(500, 1000)],
            brokers=[b for b in cluster.brokers if b is not f])
    if proc is None:
        pytest.skip("Java consumer not run: " + why)
    harness.wait_until(lambda: len(cj.parse_recs(proc.lines())) >= 1000, 90,
                       what="the Java consumer read all 1000")
    proc.stop()
    recs = cj.parse_recs(proc.lines())
    assert sorted(r.offset for r in recs) == list(range(1000))


# ---- without the rack-aware selector ------------------------------------------------------

@pytest.fixture
def leader_selector_cluster(ff_zk, tmp_path):
    yield from start_cluster(tmp_path / "leadersel", zk=ff_zk, ids=[921, 922],
                             racks={921: "r1", 922: "r2"}, chroot="/kb-ff-leader",
                             session_timeout_ms=SESSION_MS,
                             config={"replica.selector.class":
                                     "org.apache.kafka.common.replica.LeaderSelector",
                                     "auto.create.topics.enable": "false"})


def test_leader_selector_no_preferred_replica_followers_serve(leader_selector_cluster):
    """Kafka's LeaderSelector (as with no selector): the leader never names another replica,
    and a follower still serves a consumer's Fetch v11 (Kafka's fetchOnlyLeader is false for
    every fetch with client metadata)."""
    c = leader_selector_cluster
    topic = "ff-ls-" + uuid.uuid4().hex[:8]
    p = subprocess.run([os.path.join(harness.bin_dir(), "kadmin"), "--bootstrap-server",
                        c.bootstrap(), "topics", "create", topic, "--partitions", "1",
                        "--replication-factor", "2"], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    harness.wait_until(lambda: len(state(c, topic)["isr"]) == 2, 30, what="ISR of 2")
    leader = c.broker(state(c, topic)["leader"])
    follower = next(b for b in c.brokers if b is not leader)
    produce(c, topic, [b"l%d" % i for i in range(10)])
    got = fetch(leader, topic, 0, rack={921: "r1", 922: "r2"}[follower.broker_id])
    assert got["preferred"] == -1 and offsets_of(got["records"])[-1][1] == 9, got
    harness.wait_until(lambda: fetch(follower, topic, 0)["hw"] == 10, 15, what="HW 10")
    got = fetch(follower, topic, 0, rack="r1")
    assert got["error"] == 0 and offsets_of(got["records"])[-1][1] == 9, got


# ---- configuration -----------------------------------------------------------------------

def test_unknown_selector_refused(tmp_path):
    cfg = tmp_path / "server.properties"
    cfg.write_text("broker.id=1\nzookeeper.connect=127.0.0.1:1\nlog.dirs=%s\n"
                   "replica.selector.class=com.example.NearestSelector\n" % (tmp_path / "d"))
    p = subprocess.run([harness.kbroker_path(), str(cfg)], capture_output=True, text=True,
                       timeout=30)
    assert p.returncode != 0
    err = p.stdout + p.stderr
    assert "replica.selector.class" in err and "com.example.NearestSelector" in err, err
    assert RACK_AWARE in err, err
