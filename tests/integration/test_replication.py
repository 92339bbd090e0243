"""Replication across 3 brokers (chroot /kb-repl, ZooKeeper tick 500 ms, session 6 s,
replica.lag.time.max.ms 4 s so ISR shrinks happen within a test):

* followers copy the leader's log byte for byte; the ISR holds all three; acks=all waits
  for the followers (the HW is the ISR's smallest log end);
* kill -9 of a leader under acks=all produce: a new leader from the ISR, and every
  acknowledged message is there, once, offsets contiguous;
* the killed broker returns: it truncates what it had beyond the new leader's log, catches
  up, rejoins the ISR, and a preferred-leader election gives it its leadership back;
* a follower paused (SIGSTOP) past replica.lag.time.max.ms leaves the ISR, acks=all goes on
  without it; resumed, it catches up and rejoins;
* min.insync.replicas: with too few in-sync replicas acks=all is refused (19).
"""

import glob
import os
import signal
import struct
import subprocess
import time

import pytest

import harness
import kproto
from conftest import own_zookeeper, start_cluster

IDS = [501, 502, 503]
SESSION_MS = 6000
LAG_MS = 4000


@pytest.fixture(scope="module")
def repl_zk(tmp_path_factory):
    yield from own_zookeeper(tmp_path_factory, "zk-repl", tick_ms=500)


@pytest.fixture(scope="module")
def cluster(repl_zk, tmp_path_factory):
    yield from start_cluster(tmp_path_factory.mktemp("repl"), zk=repl_zk, ids=IDS,
                             chroot="/kb-repl", session_timeout_ms=SESSION_MS,
                             config={"replica.lag.time.max.ms": str(LAG_MS),
                                     "replica.fetch.backoff.ms": "200",
                                     "auto.create.topics.enable": "false",
                                     "auto.leader.rebalance.enable": "false"})


@pytest.fixture(autouse=True)
def all_up(cluster):
    for b in cluster.brokers:
        if not b.alive():
            b.restart(cluster.kz)
    harness.wait_until(lambda: cluster.registered_ids() == sorted(IDS), 30,
                       what="all brokers registered")


def kadmin(cluster, *args):
    p = subprocess.run([os.path.join(harness.bin_dir(), "kadmin"), "--bootstrap-server",
                        cluster.bootstrap()] + list(args), capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


def state(cluster, topic, partition=0):
    import json
    data, _ = cluster.kz.get("/brokers/topics/%s/partitions/%d/state" % (topic, partition))
    return json.loads(data.decode())


def replicas(cluster, topic, partition=0):
    import json
    data, _ = cluster.kz.get("/brokers/topics/%s" % topic)
    return json.loads(data.decode())["partitions"][str(partition)]


def create(cluster, topic, partitions=1, *config):
    args = ["topics", "create", topic, "--partitions", str(partitions),
            "--replication-factor", "3"]
    for c in config:
        args += ["--config", c]
    kadmin(cluster, *args)
    harness.wait_until(lambda: all(len(state(cluster, topic, p)["isr"]) == 3
                                   for p in range(partitions)), 30, what="states with ISR 3")


def log_bytes(broker, topic, partition=0):
    d = os.path.join(broker.workdir, "data", "%s-%d" % (topic, partition))
    return b"".join(open(f, "rb").read() for f in sorted(glob.glob(os.path.join(d, "*.log"))))


def wait_identical(cluster, topic, partition=0, brokers=None, timeout=30):
    brokers = brokers or cluster.brokers

    def same():
        logs = [log_bytes(b, topic, partition) for b in brokers]
        return len(logs[0]) > 0 and all(x == logs[0] for x in logs)
    try:
        harness.wait_until(same, timeout, what="identical replicas of %s-%d" % (topic, partition))
    except TimeoutError:
        raise AssertionError(replica_report(cluster, topic, partition, brokers)) from None
    return len(log_bytes(brokers[0], topic, partition))


def replica_report(cluster, topic, partition, brokers):
    """Why replicas differ: each one's log size, the partition state, and what each broker
    logged about the partition."""
    name = "%s-%d" % (topic, partition)
    lines = ["replicas of %s not identical; state %s" % (name, state(cluster, topic, partition))]
    for b in brokers:
        lines.append("broker %d: %d log bytes" % (b.broker_id, len(log_bytes(b, topic, partition))))
        with open(b.log_path, errors="replace") as f:
            lines += ["  " + x.rstrip() for x in f if name in x or "fetching from" in x][-15:]
    return "\n".join(lines)


def produce(cluster, topic, n, prefix, partition=0, acks="all", brokers=None, **extra):
    """Produces n messages; returns the (offset, value) of each acknowledged one."""
    from confluent_kafka import Producer
    conf = {"bootstrap.servers": cluster.bootstrap(brokers), "acks": acks, "linger.ms": 5}
    conf.update(extra)
    p = Producer(conf)
    acked, errors = [], []

    def cb(err, msg):
        if err is None:
            acked.append((msg.offset(), msg.value()))
        else:
            errors.append(err)
    for i in range(n):
        while True:
            try:
                p.produce(topic, value=b"%s-%06d" % (prefix, i), partition=partition,
                          on_delivery=cb)
                break
            except BufferError:
                p.poll(0.05)
        p.poll(0)
    p.flush(60)
    return acked, errors


def consume(cluster, topic, partition=0, timeout=60):
    return harness.consume_partition(cluster.bootstrap(), topic, partition, timeout=timeout)


class Stream:
    """A steady acks=all stream into partition 0 from a thread that retries through
    failovers. Every value is unique, so loss can be checked by value and by offset."""

    def __init__(self, cluster, topic, prefix, timeout_ms=60000):
        import threading
        self.acked, self.errors, self.sent = [], [], 0
        self._stop = threading.Event()
        self._args = (cluster, topic, prefix, timeout_ms)
        self._t = threading.Thread(target=self._run)
        self._t.start()

    def _run(self):
        from confluent_kafka import Producer
        cluster, topic, prefix, timeout_ms = self._args
        p = Producer({"bootstrap.servers": cluster.bootstrap(), "acks": "all",
                      "linger.ms": 2, "message.timeout.ms": timeout_ms, "retries": 1000000,
                      "retry.backoff.ms": 100})

        def cb(err, msg):
            (self.errors if err else self.acked).append(err or (msg.offset(), msg.value()))
        while not self._stop.is_set():
            for _ in range(100):
                p.produce(topic, value=b"%s-%07d" % (prefix, self.sent), partition=0,
                          on_delivery=cb)
                self.sent += 1
            p.poll(0.01)
        p.flush(90)

    def stop(self):
        self._stop.set()
        self._t.join(120)
        assert not self._t.is_alive()


def check_nothing_lost(acked, msgs):
    """Offsets contiguous; every acknowledged value present, at the offset it was given."""
    assert [o for o, _ in msgs] == list(range(len(msgs)))
    present = {v for _, v in msgs}
    lost = [v for _, v in acked if v not in present]
    assert not lost, "%d acknowledged messages lost, e.g. %r" % (len(lost), lost[:3])
    for o, v in acked:
        assert msgs[o][1] == v


def test_followers_copy_and_acks_all_waits_for_them(cluster):
    topic = "copied"
    create(cluster, topic, 3, "min.insync.replicas=2")
    for part in range(3):
        acked, errors = produce(cluster, topic, 3000, b"p%d" % part, partition=part)
        assert not errors and len(acked) == 3000
    sizes = [wait_identical(cluster, topic, part) for part in range(3)]
    for part in range(3):
        st = state(cluster, topic, part)
        assert sorted(st["isr"]) == sorted(IDS), st
        msgs = consume(cluster, topic, part)
        assert [o for o, _ in msgs] == list(range(3000))
    harness.report_figure("replication: 3 partitions x 3000 acks=all messages, replicas "
                          "byte-identical (%s bytes each)" % sizes)


def test_leader_killed_under_acks_all_keeps_acknowledged(cluster):
    topic = "failover"
    create(cluster, topic, 1, "min.insync.replicas=2")
    first = state(cluster, topic)
    victim = cluster.broker(first["leader"])
    stream = Stream(cluster, topic, b"f", timeout_ms=30000)
    time.sleep(2)
    before = len(stream.acked)
    t0 = time.monotonic()
    victim.kill9()
    harness.wait_until(lambda: state(cluster, topic)["leader"] not in (-1, victim.broker_id),
                       SESSION_MS / 1000 + 10, what="a new leader")
    failover = time.monotonic() - t0
    time.sleep(2)
    stream.stop()
    acked = stream.acked
    assert before > 0 and len(acked) > before, (before, len(acked), stream.errors[:3])
    st = state(cluster, topic)
    assert st["leader"] in first["isr"] and st["leader_epoch"] > first["leader_epoch"]
    msgs = consume(cluster, topic)
    check_nothing_lost(acked, msgs)
    # The victim returns: truncates, catches up, rejoins the ISR, and takes its leadership
    # back through a preferred election.
    t1 = time.monotonic()
    victim.restart(cluster.kz)
    harness.wait_until(lambda: victim.broker_id in state(cluster, topic)["isr"], 60,
                       what="the returning broker back in the ISR")
    rejoin = time.monotonic() - t1
    size = wait_identical(cluster, topic)
    preferred = first["leader"]
    kadmin(cluster, "leaders", "elect-preferred", "--topic", topic)
    harness.wait_until(lambda: state(cluster, topic)["leader"] == preferred, 30,
                       what="leadership back to the preferred replica")
    acked2, errors2 = produce(cluster, topic, 100, b"after")
    assert not errors2 and len(acked2) == 100
    msgs2 = consume(cluster, topic)
    assert [o for o, _ in msgs2] == list(range(len(msgs2)))
    assert msgs2[:len(msgs)] == msgs and [v for _, v in msgs2[-100:]] == [v for _, v in acked2]
    wait_identical(cluster, topic)
    harness.report_figure(
        "replication: leader %d killed under acks=all: new leader %d after %.2f s; %d sent, "
        "%d acked (%d before the kill), %d in the log, none lost; returning broker back in the "
        "ISR %.2f s after restart (%d bytes identical), preferred election restored leader %d"
        % (victim.broker_id, st["leader"], failover, stream.sent, len(acked), before, len(msgs),
           rejoin, size, preferred))


def test_paused_follower_leaves_and_rejoins_isr(cluster):
    topic = "laggard"
    create(cluster, topic, 1, "min.insync.replicas=2")
    st = state(cluster, topic)
    follower = cluster.broker([i for i in replicas(cluster, topic) if i != st["leader"]][0])
    os.kill(follower.pid, signal.SIGSTOP)
    try:
        t0 = time.monotonic()
        acked, errors = produce(cluster, topic, 500, b"l", **{"message.timeout.ms": 30000})
        harness.wait_until(lambda: follower.broker_id not in state(cluster, topic)["isr"],
                           LAG_MS / 1000 + 10, what="the paused follower out of the ISR")
        shrink = time.monotonic() - t0
        assert not errors and len(acked) == 500
        acked2, errors2 = produce(cluster, topic, 500, b"m")
        assert not errors2 and len(acked2) == 500                # acks=all without it
    finally:
        os.kill(follower.pid, signal.SIGCONT)
    t1 = time.monotonic()
    harness.wait_until(lambda: follower.broker_id in state(cluster, topic)["isr"], 30,
                       what="the resumed follower back in the ISR")
    rejoin = time.monotonic() - t1
    wait_identical(cluster, topic)
    harness.report_figure("replication: paused follower left the ISR %.2f s after its last "
                          "fetch window began (replica.lag.time.max.ms %d); rejoined %.2f s "
                          "after SIGCONT" % (shrink, LAG_MS, rejoin))


def test_min_insync_replicas_refuses_acks_all(cluster):
    topic = "strict"
    create(cluster, topic, 1, "min.insync.replicas=3")
    st = state(cluster, topic)
    follower = cluster.broker([i for i in replicas(cluster, topic) if i != st["leader"]][0])
    follower.kill9()
    harness.wait_until(lambda: follower.broker_id not in state(cluster, topic)["isr"],
                       SESSION_MS / 1000 + 10, what="the dead follower out of the ISR")
    # ZooKeeper shows the shrink a moment before the leader applies it (when its own ISR write
    # returns, as Kafka's ZK-mode leaders do): a batch arriving in between is appended, then
    # refused with 20 (NOT_ENOUGH_REPLICAS_AFTER_APPEND). Once applied, the refusal comes
    # before the append: 19 (NOT_ENOUGH_REPLICAS). Nothing is acknowledged either way.
    seen = []
    for _ in range(5):
        acked, errors = produce(cluster, topic, 5, b"s", **{"message.timeout.ms": 3000,
                                                            "retries": 0})
        assert not acked and errors
        codes = sorted({e.code() for e in errors})
        assert set(codes) <= {19, 20}, errors
        seen.append(codes)
        if codes == [19]:
            break
        time.sleep(0.2)
    assert seen[-1] == [19], seen                             # NOT_ENOUGH_REPLICAS
    acked1, errors1 = produce(cluster, topic, 5, b"one", acks="1")
    assert len(acked1) == 5 and not errors1                  # acks=1 is not bound by it


def test_follower_survives_a_misbehaving_leader(cluster):
    """A 'leader' that answers replica requests with an oversized frame, then garbage: the
    follower drops the connection each time (frame checked against
    replica.fetch.response.max.bytes + slack before any allocation), backs off, and keeps
    serving clients; nothing is appended."""
    import json
    import socket
    import struct
    import threading
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    port = srv.getsockname()[1]
    seen = {"conns": 0}
    done = threading.Event()

    def serve():
        srv.settimeout(0.2)
        while not done.is_set():
            try:
                s, _ = srv.accept()
            except socket.timeout:
                continue
            seen["conns"] += 1
            try:
                s.settimeout(5)
                size = struct.unpack(">i", s.recv(4))[0]
                body = b""
                while len(body) < size:
                    body += s.recv(size - len(body))
                corr = body[4:8]
                if seen["conns"] % 2:
                    s.sendall(struct.pack(">I", 0x7fffff00) + corr)   # far above the limit
                else:
                    s.sendall(struct.pack(">i", 40) + corr + b"\xff" * 36)  # garbage body
                time.sleep(0.2)
            except OSError:
                pass
            finally:
                s.close()
    t = threading.Thread(target=serve)
    t.start()
    fake = 999
    reg = {"listener_security_protocol_map": {"PLAINTEXT": "PLAINTEXT"},
           "endpoints": ["PLAINTEXT://127.0.0.1:%d" % port], "jmx_port": -1,
           "host": "127.0.0.1", "timestamp": str(int(time.time() * 1000)), "port": port,
           "version": 4}
    victim = cluster.brokers[0]
    try:
        cluster.kz.create("/brokers/ids/%d" % fake, json.dumps(reg).encode(), ephemeral=True)
        harness.wait_until(lambda: all(fake in cluster.metadata_ids(b) for b in cluster.brokers),
                           20, what="every broker to see the fake broker")
        from confluent_kafka.admin import AdminClient, NewTopic
        a = AdminClient({"bootstrap.servers": cluster.bootstrap()})
        a.create_topics([NewTopic("evil", 1, replica_assignment=[[fake, victim.broker_id]])]
                        )["evil"].result(30)
        harness.wait_until(lambda: seen["conns"] >= 4, 30, what="the follower to keep trying")
        log = victim.log_text()
        assert "response frame above the limit" in log and "malformed response" in log
        assert victim.alive()
        with victim.conn(10) as c:                          # still serving
            assert c.metadata(1)["brokers"]
        d = os.path.join(victim.workdir, "data", "evil-0")
        assert all(os.path.getsize(f) == 0 for f in glob.glob(os.path.join(d, "*.log")))
    finally:
        done.set()
        t.join(10)
        srv.close()
        if cluster.kz.exists("/brokers/ids/%d" % fake):
            cluster.kz.delete("/brokers/ids/%d" % fake)
    kadmin(cluster, "topics", "delete", "evil")


def test_back_to_back_leader_kills_replicas_agree(cluster):
    """KAFKA-1211/6361 (KIP-101/279): the leader is killed under acks=all, then its successor
    too; the last replica leads alone. Both dead brokers return holding tails the survivor
    may not have; truncating by leader epochs (not by their high watermarks) makes all three
    logs byte-identical, and nothing acknowledged is lost."""
    topic = "double"
    create(cluster, topic, 1, "min.insync.replicas=2")
    first = state(cluster, topic)
    stream = Stream(cluster, topic, b"d")
    time.sleep(1.5)
    a = cluster.broker(first["leader"])
    a.kill9()
    harness.wait_until(lambda: state(cluster, topic)["leader"] not in (-1, a.broker_id),
                       SESSION_MS / 1000 + 10, what="a second leader")
    time.sleep(1)
    b = cluster.broker(state(cluster, topic)["leader"])
    b.kill9()
    harness.wait_until(lambda: state(cluster, topic)["leader"] not in (-1, a.broker_id,
                                                                     b.broker_id),
                       SESSION_MS / 1000 + 10, what="a third leader")
    third = state(cluster, topic)
    a.restart(cluster.kz)
    b.restart(cluster.kz)
    harness.wait_until(lambda: len(state(cluster, topic)["isr"]) == 3, 60,
                       what="both returned brokers back in the ISR")
    stream.stop()
    size = wait_identical(cluster, topic)
    check_nothing_lost(stream.acked, consume(cluster, topic))
    harness.report_figure(
        "replication: leaders %d then %d killed, %d led at epoch %d; %d sent, %d acked, none "
        "lost; all 3 replicas byte-identical (%d bytes) after both returned"
        % (a.broker_id, b.broker_id, third["leader"], third["leader_epoch"], stream.sent,
           len(stream.acked), size))


def test_isr_of_leader_alone_then_leader_dies_stays_offline(cluster):
    """Jepsen 2013 / KAFKA-1028, KAFKA-1555: both followers stall, the ISR shrinks to the
    leader alone, and with min.insync.replicas=2 it refuses acks=all; then the leader dies.
    With unclean.leader.election.enable=false the partition goes offline (leader -1) rather
    than electing a replica without the acknowledged writes; when the leader returns it
    leads again, the followers catch up, and every acknowledged write is there."""
    topic = "lonely"
    create(cluster, topic, 1, "min.insync.replicas=2")
    acked, errors = produce(cluster, topic, 2000, b"before")
    assert len(acked) == 2000 and not errors
    st = state(cluster, topic)
    leader = cluster.broker(st["leader"])
    followers = [b for b in cluster.brokers if b is not leader]
    for f in followers:
        os.kill(f.pid, signal.SIGSTOP)
    try:
        harness.wait_until(lambda: state(cluster, topic)["isr"] == [leader.broker_id],
                           LAG_MS / 1000 + 1.5, interval=0.05, what="ISR of the leader alone")
        # Bootstrap from the leader only: a stopped broker accepts connections but never
        # answers, and the followers may be stopped past their sessions meanwhile (harmless:
        # they are out of the ISR either way).
        refused, errs = produce(cluster, topic, 3, b"refused", brokers=[leader],
                                **{"message.timeout.ms": 4000, "retries": 0})
        # 19 (NOT_ENOUGH_REPLICAS) is refused before the append; 20 (..._AFTER_APPEND) when
        # the leader's own ISR write was still completing as the batch arrived (ZooKeeper
        # already shows the shrink; the leader applies it when its write returns, as Kafka's
        # ZK-mode leaders do). Either way nothing is acknowledged.
        assert not refused and errs and all(e.code() in (19, 20) for e in errs), errs
        leader.kill9()
    finally:
        for f in followers:
            os.kill(f.pid, signal.SIGCONT)
    harness.wait_until(lambda: state(cluster, topic)["leader"] == -1, SESSION_MS / 1000 + 10,
                       what="the partition offline")
    time.sleep(2)
    assert state(cluster, topic)["leader"] == -1          # no unclean election
    leader.restart(cluster.kz)
    harness.wait_until(lambda: state(cluster, topic)["leader"] == leader.broker_id, 30,
                       what="the old leader back in charge")
    harness.wait_until(lambda: len(state(cluster, topic)["isr"]) == 3, 60,
                       what="followers back in the ISR")
    check_nothing_lost(acked, consume(cluster, topic))
    wait_identical(cluster, topic)


# sizeof(struct PartitionProduceResponse) and KB_RESPONSE_ARENA_BYTES (common/limits.h): a
# Produce whose response arrays need more than the arena's headroom is closed, not answered.
PRODUCE_RESPONSE_ELEM = 72
RESPONSE_ARENA_BYTES = 256 << 20


def one_record_batch(value):
    from kafka.record.default_records import DefaultRecordBatchBuilder
    b = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=False,
                                  producer_id=-1, producer_epoch=-1, base_sequence=-1,
                                  batch_size=1 << 20)
    b.append(0, timestamp=int(time.time() * 1000), key=None, value=value, headers=[])
    return bytes(b.build())


def test_acks_all_produce_closed_for_its_response_size_parks_nothing(cluster):
    """Issue 8: an acks=all Produce whose first partition is appended (and would wait for the
    followers) but whose later partitions' response arrays exceed the arena's headroom is
    closed (H_CLOSE). Nothing of it may stay parked: the followers' next fetches move the
    high watermark, and a parked request freed with the connection would be used after free
    (ASan aborts the leader). Since all response arrays are sized first, nothing is appended
    either."""
    topic = "closed-acks-all"
    create(cluster, topic, 1)
    leader = cluster.broker(state(cluster, topic)["leader"])
    batch = one_record_batch(b"never-acked")
    n = RESPONSE_ARENA_BYTES // PRODUCE_RESPONSE_ELEM + 100000
    body = (kproto.nullable_string(None) + struct.pack(">hi", -1, 10000) + struct.pack(">i", 2) +
            kproto.string(topic) + struct.pack(">i", 1) +
            struct.pack(">ii", 0, len(batch)) + batch +
            kproto.string("no-such-topic") + struct.pack(">i", n) + struct.pack(">ii", 0, -1) * n)
    with leader.conn(60) as c:
        c.send(kproto.frame(kproto.encode_request(0, 7, c.next_corr(), body, "kb-it")))
        closed, data, _ = c.wait_closed(60)
    assert closed and not data
    time.sleep(2)  # the followers fetch meanwhile: the HW would wake anything parked
    assert leader.alive() and not leader.sanitizer_findings(), leader.log_tail(40)
    acked, errors = produce(cluster, topic, 1, b"after")
    assert not errors and acked == [(0, b"after-000000")]
