"""Consumer groups with real Java and Go clients on one 3-broker cluster (ids 711-713, chroot
/kb-gjvm, own ZooKeeper with tick 500 ms, zookeeper.session.timeout.ms 4000,
offsets.topic.replication.factor 3, group.initial.rebalance.delay.ms 300).

* Java KafkaConsumer group of 2 (defaults apart from bootstrap, group and
  auto.offset.reset=earliest) on a 4-partition topic fed by a paced franz-go producer: the
  members split the partitions 2 + 2; the group coordinator's broker is killed with -9
  mid-run; the coordinator moves, the new one knows the group (no rebalance follows), reading
  goes on, every acknowledged record is read exactly once, and the offsets committed at close
  are the partitions' ends. Also with the coordinator killed as the group is forming: the
  group forms on the new coordinator, splits, and reads exactly once.
* Kafka Streams word count (at_least_once; its repartition and changelog topics created by
  Streams itself, replication factor 3): once the first half of the input is counted, the
  second half flows in and the broker coordinating the application's group is killed with -9
  meanwhile; the final count of every word equals its occurrences (never more, never less),
  and the application never enters ERROR.
* franz-go, sarama and kafka-go group consumers, 2 members per client in 3 groups on one
  4-partition topic (no kill): each group splits the partitions 2 + 2 (DescribeGroups),
  its members read disjoint partitions, together every record exactly once, and commit the
  partitions' ends.

Group state is checked from the outside with raw FindCoordinator v0, DescribeGroups v0 and
OffsetFetch v1 requests (decoded here from the schemas, independently of the broker's codec).
A killed broker is restarted before the next test, so each test starts with 3 brokers.
Skips only when the client build products are absent (scripts/install-deps.sh makes them).
"""

import collections
import os
import random
import subprocess
import threading
import time

import pytest

import clients_jvm_go as cj
import harness
import kproto
from conftest import own_zookeeper, start_cluster

IDS = [711, 712, 713]
SESSION_MS = 4000
PARTITIONS = 4
BIG = 1_000_000          # a record count no member reaches: members are stopped by SIGTERM
OFFSETS_PARTITIONS = 8   # __consumer_offsets partitions: fewer than the default 50, faster

API_FIND_COORDINATOR = 10
API_DESCRIBE_GROUPS = 15
API_OFFSET_FETCH = 9
ERR_COORDINATOR_LOAD_IN_PROGRESS = 14
ERR_COORDINATOR_NOT_AVAILABLE = 15
ERR_NOT_COORDINATOR = 16
RETRIABLE = (ERR_COORDINATOR_LOAD_IN_PROGRESS, ERR_COORDINATOR_NOT_AVAILABLE,
             ERR_NOT_COORDINATOR)

needs_java = pytest.mark.skipif(cj.java_skip() is not None, reason=str(cj.java_skip()))
needs_kgo = pytest.mark.skipif(cj.kgo_skip() is not None, reason=str(cj.kgo_skip()))


@pytest.fixture(scope="module")
def gzk(tmp_path_factory):
    yield from own_zookeeper(tmp_path_factory, "zk-gjvm", tick_ms=500)


@pytest.fixture(scope="module")
def cluster(gzk, tmp_path_factory):
    yield from start_cluster(tmp_path_factory.mktemp("gjvm"), zk=gzk, ids=IDS,
                             chroot="/kb-gjvm", session_timeout_ms=SESSION_MS, config={
                                 "auto.create.topics.enable": "false",
                                 "default.replication.factor": "3",   # Streams' own topics
                                 "offsets.topic.replication.factor": "3",
                                 "offsets.topic.num.partitions": str(OFFSETS_PARTITIONS),
                                 "group.initial.rebalance.delay.ms": "300"})


@pytest.fixture(autouse=True)
def all_brokers_up(cluster):
    """Each test starts with every broker running and registered (a killed one restarted)."""
    for b in cluster.brokers:
        if not b.alive():
            b.restart(cluster.kz, after_kill=True)
    harness.wait_until(lambda: cluster.registered_ids() == IDS, 30, what="3 brokers")
    yield


def live(cluster):
    return [b for b in cluster.brokers if b.alive()]


# ---------------------------------------------------------------------------------------------
# Raw group requests (FindCoordinator v0, DescribeGroups v0, OffsetFetch v1)
# ---------------------------------------------------------------------------------------------

def _call(broker, api_key, version, body, timeout=10.0):
    """One request on a fresh connection; returns a kproto.Reader past the correlation id."""
    with broker.conn(timeout) as c:
        corr = c.next_corr()
        c.send(kproto.frame(kproto.encode_request(api_key, version, corr, body, "kb-gjvm")))
        r = kproto.Reader(c.recv_frame(timeout))
    assert r.i32() == corr, "correlation id mismatch"
    return r


def _bytes(r):
    n = r.i32()
    return None if n < 0 else r.take(n)


def find_coordinator(cluster, group, timeout=30.0, not_=None):
    """Broker id of `group`'s coordinator, asking live brokers (retrying while the answer is
    COORDINATOR_NOT_AVAILABLE / LOAD_IN_PROGRESS / NOT_COORDINATOR, or names broker `not_`:
    a killed coordinator stays named until the controller moves its leaderships)."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        for b in live(cluster):
            try:
                r = _call(b, API_FIND_COORDINATOR, 0, kproto.string(group))
            except (OSError, harness.ConnClosed, harness.ConnTimeout) as e:
                last = "broker %d: %s" % (b.broker_id, e)
                continue
            err, node, host, port = r.i16(), r.i32(), r.string(), r.i32()
            r.end()
            if err == 0 and node != not_:
                assert node in IDS and port == cluster.broker(node).port, (node, host, port)
                return node
            assert err in RETRIABLE + (0,), "FindCoordinator(%s) from %d: error %d" % (
                group, b.broker_id, err)
            last = "broker %d: error %d node %d" % (b.broker_id, err, node)
        if time.monotonic() > deadline:
            raise AssertionError("no coordinator for %s after %.0fs (%s)" % (group, timeout,
                                                                             last))
        time.sleep(0.2)


def _assignment(data):
    """{topic: [partitions]} from a ConsumerProtocolAssignment (any version: the version
    and the topic list lead; what follows is ignored)."""
    if not data:
        return {}
    r = kproto.Reader(data)
    r.i16()
    return dict(r.array(lambda rr: (rr.string(), rr.array(lambda x: x.i32()))))


def describe_group(cluster, group):
    """(state, protocol_type, protocol, [(member_id, client_id, {topic: [partitions]})]) from
    the coordinator's DescribeGroups v0."""
    for _ in range(50):
        node = find_coordinator(cluster, group)
        try:
            r = _call(cluster.broker(node), API_DESCRIBE_GROUPS, 0,
                      kproto.array([kproto.string(group)]))
        except (OSError, harness.ConnClosed, harness.ConnTimeout):
            time.sleep(0.2)
            continue

        def member(rr):
            mid, cid, _host = rr.string(), rr.string(), rr.string()
            _bytes(rr)
            return mid, cid, _assignment(_bytes(rr))

        def grp(rr):
            return (rr.i16(), rr.string(), rr.string(), rr.string(), rr.string(),
                    rr.array(member))
        groups = r.array(grp)
        r.end()
        assert len(groups) == 1 and groups[0][1] == group, groups
        err, _, state, ptype, proto, members = groups[0]
        if err in RETRIABLE:
            time.sleep(0.2)
            continue
        assert err == 0, "DescribeGroups(%s): error %d" % (group, err)
        return state, ptype, proto, members
    raise AssertionError("DescribeGroups(%s) kept failing" % group)


def committed_offsets(cluster, group, topic, partitions=PARTITIONS):
    """{partition: committed offset (-1: none)} from the coordinator's OffsetFetch v1."""
    body = kproto.string(group) + kproto.array([
        kproto.string(topic) + kproto.array([kproto.i32(p) for p in range(partitions)])])
    for _ in range(50):
        node = find_coordinator(cluster, group)
        r = _call(cluster.broker(node), API_OFFSET_FETCH, 1, body)

        def part(rr):
            return rr.i32(), rr.i64(), rr.string(nullable=True), rr.i16()
        topics = r.array(lambda rr: (rr.string(), rr.array(part)))
        r.end()
        parts = [p for _, ps in topics for p in ps]
        if any(p[3] in RETRIABLE for p in parts):
            time.sleep(0.2)
            continue
        assert [t for t, _ in topics] == [topic] and all(p[3] == 0 for p in parts), topics
        return {p[0]: p[1] for p in parts}
    raise AssertionError("OffsetFetch(%s) kept failing" % group)


def wait_split(cluster, group, topic, members=2, timeout=60.0):
    """Waits until `group` is Stable with `members` members whose assignments of `topic`
    split its partitions evenly (disjoint, covering all). Returns the assignments."""
    seen = []

    def split():
        state, ptype, _, ms = describe_group(cluster, group)
        parts = [sorted(a.get(topic, [])) for _, _, a in ms]
        seen[:] = [(state, ptype, parts)]
        every = sorted(p for ps in parts for p in ps)
        return state == "Stable" and ptype == "consumer" and len(ms) == members and \
            every == list(range(PARTITIONS)) and \
            all(len(ps) == PARTITIONS // members for ps in parts)
    harness.wait_until(split, timeout, interval=0.25,
                       what="%s split over %d members (last: %s)" % (group, members, seen))
    return seen[0][2]


# ---------------------------------------------------------------------------------------------
# Topics, producers, checks
# ---------------------------------------------------------------------------------------------

def create_topic(cluster, topic, partitions=PARTITIONS, rf=3):
    """kadmin topics create (retrying while no controller is known); waits until every
    partition has a live leader and a full ISR."""
    deadline = time.monotonic() + 30
    while True:
        p = subprocess.run([os.path.join(harness.bin_dir(), "kadmin"), "--timeout-ms",
                            "20000", "--bootstrap-server", cluster.bootstrap(live(cluster)),
                            "topics", "create", topic, "--partitions", str(partitions),
                            "--replication-factor", str(rf)],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0 and "no controller" in p.stderr and time.monotonic() < deadline:
            time.sleep(0.5)
            continue
        assert p.returncode == 0, "kadmin topics create %s: %s%s" % (topic, p.stdout,
                                                                      p.stderr)
        break

    def ready():
        with live(cluster)[0].conn(10) as c:
            md = c.metadata(1, topics=[topic], allow_auto_topic_creation=False)
        t = md["topics"][0]
        return t["error_code"] == 0 and len(t["partitions"]) == partitions and all(
            p["leader_id"] in IDS and len(p["isr_nodes"]) == rf for p in t["partitions"])
    harness.wait_until(ready, 30, what="leaders and ISR for %s" % topic)


def produce(cluster, topic, count, tmp_path, name, rate=0, start=True):
    """franz-go producer (idempotent, acks=all) of records 0..count-1, 100 keys."""
    argv = cj.kgo_argv("produce", bootstrap=cluster.bootstrap(), topic=topic, count=count,
                       rate=rate or None, max_ms=90000)
    return cj.start_client(name, argv, tmp_path)


def acks_of(proc, count, timeout=90.0):
    """Waits for a producer to end and asserts it acknowledged records 0..count-1."""
    rc = proc.wait(timeout)
    res = proc.result()
    assert rc == 0, "producer: " + cj.describe(res)
    acks = cj.parse_acks(res.lines)
    problems = cj.check_acks(acks, count, 100)
    assert not problems, "\n".join(problems)
    return acks


def last_assigned(lines):
    """Partitions of the last `info assigned` line (None if none)."""
    got = [ln.split()[2] for ln in lines if ln.startswith("info assigned ")]
    if not got:
        return None
    return [] if got[-1] == "none" else sorted(int(x) for x in got[-1].split(","))


def rebalance_lines(lines):
    return [ln for ln in lines if ln.startswith(("info assigned ", "info revoked "))]


def read_count(procs):
    return sum(len(cj.parse_recs(p.lines())) for p in procs)


def check_group_read(member_recs, acks, count):
    """Asserts: per member, offsets increase within each partition; members read disjoint
    partitions; together they read every acknowledged record exactly once, intact."""
    for name, recs in member_recs.items():
        last = {}
        for r in recs:
            assert r.offset > last.get(r.partition, -1), \
                "%s read partition %d offset %d after %d" % (name, r.partition, r.offset,
                                                             last[r.partition])
            last[r.partition] = r.offset
    parts = {name: {r.partition for r in recs} for name, recs in member_recs.items()}
    names = sorted(parts)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not parts[a] & parts[b], "%s and %s both read partitions %s" % (
                a, b, sorted(parts[a] & parts[b]))
    every = sorted((r for recs in member_recs.values() for r in recs),
                   key=lambda r: (r.partition, r.offset))
    problems = cj.check_readback(acks, every, 100, 100)
    assert not problems, "\n".join(problems)
    dup, lost = cj.duplicates_and_losses(every, count)
    assert not dup and not lost, (dup[:10], lost[:10])
    return parts


def end_offsets(acks):
    out = {p: 0 for p in range(PARTITIONS)}
    for a in acks:
        out[a.partition] = max(out[a.partition], a.offset + 1)
    return out


def stop_members(procs):
    """SIGTERM by PID; each must exit 143 (stopped cleanly) with no fatal error."""
    results = {}
    for p in procs:
        res = p.stop()
        assert res.rc == 143, "%s: %s" % (p.name, cj.describe(res))
        assert not cj.errors(res.lines), "%s: %s" % (p.name, cj.errors(res.lines)[:5])
        results[p.name] = res
    return results


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------

@needs_java
@needs_kgo
def test_java_group_of_two_survives_coordinator_kill9(cluster, tmp_path):
    topic, group, count = "jg-data", "jg-java", 3000
    create_topic(cluster, topic)
    members = [cj.start_client("java-member-%d" % i, cj.group_consumer_argv(
        "java", cluster.bootstrap(), topic, group, BIG, idle_ms=120000, max_ms=150000),
        tmp_path) for i in range(2)]
    t0 = time.monotonic()
    split = wait_split(cluster, group, topic, timeout=60)
    harness.report_figure("groups/jvm: 2 Java members joined and split 4 partitions %.1fs "
                          "after their JVMs started" % (time.monotonic() - t0))
    coord = find_coordinator(cluster, group)
    victim = cluster.broker(coord)

    producer = produce(cluster, topic, count, tmp_path, "kgo-produce-jg", rate=500)
    harness.wait_until(lambda: read_count(members) >= count // 3, 40,
                       what="a third of the records read before the kill")
    rebalances_before = [rebalance_lines(m.lines()) for m in members]
    victim.kill9()
    t_kill = time.monotonic()
    read_at_kill = read_count(members)
    new_coord = find_coordinator(cluster, group, timeout=40, not_=coord)
    t_coord = time.monotonic() - t_kill
    acks = acks_of(producer, count)
    harness.wait_until(lambda: read_count(members) >= count, 60,
                       what="all %d records read after the kill (read %d at the kill)" % (
                           count, read_at_kill))
    t_all = time.monotonic() - t_kill
    results = stop_members(members)
    harness.report_figure("groups/jvm: coordinator %d killed -9: broker %d answered "
                          "FindCoordinator after %.1fs; all %d records read %.1fs after the "
                          "kill" % (coord, new_coord, t_coord, count, t_all))

    recs = {n: cj.parse_recs(r.lines) for n, r in results.items()}
    parts = check_group_read(recs, acks, count)
    for n, r in results.items():
        assert last_assigned(r.lines) == sorted(parts[n]), (
            "%s: last assigned %s, read %s" % (n, last_assigned(r.lines), sorted(parts[n])))
        assert len(parts[n]) == 2, parts
    assert sorted(map(sorted, parts.values())) == sorted(split)
    # The new coordinator loaded the group (members, generation, assignment) from
    # __consumer_offsets: the members' heartbeats went on in the same generation, so no
    # rebalance happened between the kill and the close (which revokes once per member).
    for m, before in zip(members, rebalances_before):
        after = rebalance_lines(results[m.name].lines)
        assert after[:len(before)] == before, (m.name, before, after)
        later = after[len(before):]
        assert len(later) == 1 and later[0].startswith("info revoked ") and \
            sorted(map(int, later[0].split()[2].split(","))) == sorted(parts[m.name]), \
            "%s rebalanced after the kill: %s" % (m.name, later)
    assert committed_offsets(cluster, group, topic) == end_offsets(acks)


@needs_java
@needs_kgo
def test_java_group_forms_when_coordinator_dies_during_join(cluster, tmp_path):
    """The coordinator's broker killed as the first member's JoinGroup arrives: the members
    find the new coordinator, the group forms there and splits, and reads exactly once."""
    topic, group, count = "jj-data", "jj-java", 2000
    create_topic(cluster, topic)
    members = [cj.start_client("java-joiner-%d" % i, cj.group_consumer_argv(
        "java", cluster.bootstrap(), topic, group, BIG, idle_ms=120000, max_ms=150000),
        tmp_path) for i in range(2)]
    seen = []

    def joining():
        state, _, _, ms = describe_group(cluster, group)
        seen[:] = [state]
        return state != "Dead" or ms   # Dead, no members: not known to the coordinator yet
    harness.wait_until(joining, 60, interval=0.02, what="a first JoinGroup")
    coord = find_coordinator(cluster, group)
    cluster.broker(coord).kill9()
    t_kill = time.monotonic()
    split = wait_split(cluster, group, topic, timeout=90)
    harness.report_figure("groups/jvm: coordinator %d killed -9 with the group %s: 2 Java "
                          "members split 4 partitions %.1fs later" % (coord, seen[0],
                                                                      time.monotonic() -
                                                                      t_kill))
    acks = acks_of(produce(cluster, topic, count, tmp_path, "kgo-produce-jj"), count)
    harness.wait_until(lambda: read_count(members) >= count, 60,
                       what="all %d records read" % count)
    results = stop_members(members)
    parts = check_group_read({n: cj.parse_recs(r.lines) for n, r in results.items()},
                             acks, count)
    assert sorted(map(sorted, parts.values())) == sorted(split)
    assert committed_offsets(cluster, group, topic) == end_offsets(acks)


@needs_java
def test_streams_word_count_survives_kill9(cluster, tmp_path):
    from confluent_kafka import Consumer, Producer, TopicPartition
    app, src, dst = "wc-app", "wc-in", "wc-out"
    create_topic(cluster, src)
    create_topic(cluster, dst)
    rnd = random.Random(10)
    words = ["w%02d" % i for i in range(40)] + ["Kafka", "kafka", "KB"]
    lines = [" ".join(rnd.choice(words) for _ in range(rnd.randint(1, 12))) +
             rnd.choice(["", ".", ", ok!"]) for _ in range(3000)]
    want = collections.Counter(w for ln in lines
                               for w in ln.lower().replace(".", " ").replace(",", " ")
                               .replace("!", " ").split())

    sender_problems = []

    def send(part, seconds=0.0):
        """Produces the lines (paced over `seconds`), idempotent with acks=all."""
        p = Producer({"bootstrap.servers": cluster.bootstrap(), "acks": "all",
                      "enable.idempotence": True})
        failed = []
        t_start = time.monotonic()
        for i, ln in enumerate(part):
            pause = t_start + seconds * i / len(part) - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            p.produce(src, ln.encode(), on_delivery=lambda e, m: e and failed.append(e))
            p.poll(0)
        left = p.flush(60)
        if left or failed:
            sender_problems.append("%d lines not delivered, errors %s" % (left, failed[:3]))

    streams = cj.start_client("wordcount", cj.wordcount_argv(
        cluster.bootstrap(), app, src, dst, "at_least_once", str(tmp_path / "state"),
        props={"commit.interval.ms": 500, "statestore.cache.max.bytes": 0}), tmp_path)
    t0 = time.monotonic()
    got = {}
    out = Consumer({"bootstrap.servers": cluster.bootstrap(), "group.id": "unused",
                    "enable.auto.commit": False})
    out.assign([TopicPartition(dst, p, 0) for p in range(PARTITIONS)])

    def poll_output(want_now, timeout):
        """Reads the output until the counts equal want_now; a count above it fails."""
        deadline = time.monotonic() + timeout
        while got != want_now:
            assert streams.alive(), "word count exited: " + cj.describe(streams.result())
            assert time.monotonic() < deadline, "counts after %.0fs differ: %s" % (
                timeout, {w: (got.get(w), want_now.get(w)) for w in set(got) | set(want_now)
                          if got.get(w) != want_now.get(w)})
            m = out.poll(0.5)
            if m is None or m.error():
                continue
            w, n = m.key().decode(), int.from_bytes(m.value(), "big", signed=True)
            got[w] = n
            assert n <= want_now.get(w, 0), "word %r counted %d times, %d occurrences " \
                "sent (records processed twice)" % (w, n, want_now.get(w, 0))

    try:
        half = len(lines) // 2
        send(lines[:half])
        first = collections.Counter(w for ln in lines[:half]
                                    for w in ln.lower().replace(".", " ").replace(",", " ")
                                    .replace("!", " ").split())
        poll_output(dict(first), 120)
        harness.report_figure("groups/jvm: Streams word count: first %d lines counted %.1fs "
                              "after the JVM started" % (half, time.monotonic() - t0))
        assert not sender_problems, sender_problems
        # The second half flows in over 3 s; the coordinator's broker dies 1 s into it.
        coord = find_coordinator(cluster, app)
        sender = threading.Thread(target=send, args=(lines[half:], 3.0))
        sender.start()
        time.sleep(1.0)
        cluster.broker(coord).kill9()
        t_kill = time.monotonic()
        sender.join(90)
        assert not sender.is_alive() and not sender_problems, sender_problems
        poll_output(dict(want), 120)
        harness.report_figure("groups/jvm: Streams word count: group coordinator %d killed "
                              "-9; all %d lines counted %.1fs later" % (coord, len(lines),
                                                                        time.monotonic() -
                                                                        t_kill))
    finally:
        out.close()
        res = streams.stop(timeout=40)
    states = cj.streams_states(res.lines)
    assert "ERROR" not in states and states.count("RUNNING") >= 1, cj.describe(res)
    assert res.rc == 143, cj.describe(res)
    # The repartition and changelog topics are Streams' own, created through CreateTopics.
    # (replication factor -1: the brokers' default.replication.factor, 3).
    with live(cluster)[0].conn(10) as c:
        topics = {t["name"]: t for t in c.metadata(1)["topics"]}
    internal = sorted(n for n in topics if n.startswith(app + "-"))
    assert any(n.endswith("-repartition") for n in internal) and \
        any(n.endswith("-changelog") for n in internal), internal
    for n in internal:
        assert all(len(p["replica_nodes"]) == 3 for p in topics[n]["partitions"]), topics[n]


@needs_kgo
def test_go_group_consumers_split_and_read_once(cluster, tmp_path):
    topic, count = "gg-data", 3000
    kinds = ("franz-go", "sarama", "kafka-go")
    create_topic(cluster, topic)
    members = {k: [cj.start_client("%s-member-%d" % (k, i), cj.group_consumer_argv(
        k, cluster.bootstrap(), topic, "gg-" + k, BIG, idle_ms=120000, max_ms=150000),
        tmp_path) for i in range(2)] for k in kinds}
    t0 = time.monotonic()
    splits = {k: wait_split(cluster, "gg-" + k, topic, timeout=60) for k in kinds}
    harness.report_figure("groups/go: 3 groups of 2 Go members (franz-go, sarama, kafka-go) "
                          "split 4 partitions within %.1fs" % (time.monotonic() - t0))
    acks = acks_of(produce(cluster, topic, count, tmp_path, "kgo-produce-gg"), count)
    for k in kinds:
        harness.wait_until(lambda: read_count(members[k]) >= count, 60,
                           what="%s members reading %d records" % (k, count))
    for k in kinds:
        results = stop_members(members[k])
        recs = {n: cj.parse_recs(r.lines) for n, r in results.items()}
        parts = check_group_read(recs, acks, count)
        assert sorted(map(sorted, parts.values())) == sorted(splits[k]), (k, parts,
                                                                           splits[k])
        assert committed_offsets(cluster, "gg-" + k, topic) == end_offsets(acks), k
