"""Consumer groups with real clients (issue 10), one 3-broker cluster (chroot /kb-groups,
ZooKeeper tick 500 ms, broker sessions 4 s; offsets.topic.replication.factor 3,
group.initial.rebalance.delay.ms 100, group.min.session.timeout.ms 2000). Members run as
processes (tests/clients/group_consume.py for confluent-kafka and kafka-python,
tests/clients/js/group_consume.js for kafkajs, `kcat -G`), print every record they process
before committing it, and are checked over (partition, offset) by groups_util.check_delivery
(shown below to catch a gap and a duplicate on made-up lists). Assignments are read back
with raw DescribeGroups (kgroup codec), independently of the clients.

1. confluent-kafka, 6 partitions, enable.auto.commit off, commit after each record: 3 members
   split the partitions; a 4th joins, one leaves with close(): each rebalance completes, no
   record is skipped or processed twice. kill -9 of a member: its partitions move to the
   others only after its session timeout (6 s); the only records processed twice are the
   killed member's uncommitted ones.
2. kafka-python, kafkajs and kcat -G: two members of each split the partitions, a third
   joins, the first leaves; together they read everything, once.
3. cooperative-sticky: a joining member takes partitions incrementally; the partitions an old
   member keeps are never revoked and keep being consumed through the rebalance.
4. a static member (group.instance.id) restarted within its session timeout keeps its
   partitions: the generation (probed with Heartbeat) is unchanged, the other member sees no
   revoke.
5. committed offsets survive kill -9 of the coordinator's broker (OffsetFetch at the new
   coordinator returns them; the group keeps its members, assignments and generation; members
   resume without a gap) and a restart of the whole cluster; under load, no commit a member
   saw confirmed before the kill is lost.

KB_GROUPS_PEER=kafka runs the same tests against Apache Kafka 3.9.1 (see groups_util).
"""

import os
import time

import pytest

import groups_util as gu
import harness
from conftest import own_zookeeper

IDS = [701, 702, 703]
SESSION_MS = 6000       # consumers' session.timeout.ms


@pytest.fixture(scope="module")
def groups_zk(tmp_path_factory):
    yield from own_zookeeper(tmp_path_factory, "zk-groups", tick_ms=500)


@pytest.fixture(scope="module")
def cluster(groups_zk, tmp_path_factory):
    yield from gu.group_cluster(tmp_path_factory, groups_zk, "kb-groups", IDS)


@pytest.fixture(autouse=True)
def all_up(request):
    if "cluster" not in request.fixturenames:
        return
    cluster = request.getfixturevalue("cluster")
    for b in cluster.brokers:
        if not b.alive():
            b.restart(cluster.kz)
    harness.wait_until(lambda: cluster.registered_ids() == sorted(IDS), 60,
                       what="all brokers registered")


@pytest.fixture
def members():
    """Member processes started by a test; whatever still runs at its end is killed."""
    procs = []
    yield procs
    for p in procs:
        if p.alive():
            p.kill9()


def start(members, kind, name, tmp_path, cluster, topic, group, **kw):
    p = gu.start_member(kind, name, tmp_path, cluster.bootstrap(), topic, group, **kw)
    members.append(p)
    return p


def all_recs(procs):
    return [r for p in procs for r in gu.recs(p)]


def wait_processed(procs, expected, timeout=45):
    """Until the members together processed every expected (partition, offset)."""
    want = set(expected)

    def done():
        for p in procs:
            bad = [ln for ln in p.lines() if ln.startswith("info fatal")]
            assert not bad, "%s: %s\n%s" % (p.name, bad, p.log_tail(20))
        return want <= set(all_recs(procs))
    try:
        harness.wait_until(done, timeout, interval=0.3, what="every record processed")
    except TimeoutError:
        missing = sorted(want - set(all_recs(procs)))
        raise AssertionError("%d records never processed, first %s; members:\n%s" % (
            len(missing), missing[:10], "\n".join(
                "%s: %s ... %s" % (p.name, gu.events(p)[-4:], p.lines()[-3:])
                for p in procs))) from None


def wait_clients_agree(cluster, group, topic, procs, timeout=30):
    """Until each member's own view of its assignment (its assigned/revoked lines) equals
    what DescribeGroups says it owns (matched by client id)."""
    def agree():
        owners = gu.owner_map(gu.describe(cluster, group), topic)
        return all(gu.current_assignment(p) == owners.get(p.name) for p in procs)
    harness.wait_until(agree, timeout, interval=0.3, what="clients agreeing with DescribeGroups")


def ends_of(delivered, partitions):
    return {p: max([o for q, o in delivered if q == p], default=-1) + 1
            for p in range(partitions)}


def test_checker_detects_gap_and_duplicate():
    expected = {(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)}
    good = [(0, 0), (1, 0), (0, 1), (0, 2), (1, 1)]
    assert gu.check_delivery(expected, good) == gu.CLEAN
    gap = [(0, 0), (0, 2), (1, 0), (1, 1)]
    assert gu.check_delivery(expected, gap)["missing"] == [(0, 1)]
    dup = good + [(1, 1)]
    assert gu.check_delivery(expected, dup)["duplicates"] == [(1, 1)]
    # A duplicate is excused only for the records named (a killed member's uncommitted ones),
    # and only once.
    assert gu.check_delivery(expected, dup, allowed_dups={(1, 1)}) == gu.CLEAN
    assert gu.check_delivery(expected, dup, allowed_dups={(0, 1)})["duplicates"] == [(1, 1)]
    assert gu.check_delivery(expected, dup + [(1, 1)], allowed_dups={(1, 1)})["duplicates"] \
        == [(1, 1)]
    assert gu.check_delivery(expected, good + [(2, 0)])["unexpected"] == [(2, 0)]


def test_uncommitted_parser():
    """uncommitted() names exactly the records printed after the last confirmed commit."""
    class Fake:
        def __init__(self, lines):
            self._l = lines

        def lines(self):
            return self._l
    f = Fake(["rec 0 0", "committed 0 1", "rec 0 1", "rec 1 5", "committed 1 6", "rec 1 6"])
    assert gu.uncommitted(f) == {(0, 1), (1, 6)}
    f = Fake(["protocol COOPERATIVE", "assigned 0,1", "assigned 4", "revoked 1"])
    assert gu.current_assignment(f) == [0, 4]
    f = Fake(["protocol EAGER", "assigned 0,1", "revoked 0,1", "assigned 2"])
    assert gu.current_assignment(f) == [2]


def test_confluent_join_and_leave(cluster, tmp_path, members):
    topic, group, n = "g-basic", "grp-basic", 6
    gu.create_topic(cluster, topic, n)
    feeder = gu.Feeder(cluster.bootstrap(), topic, n, rate=60).start()
    try:
        procs = [start(members, "confluent", "basic-%d" % i, tmp_path, cluster, topic, group,
                       session_ms=SESSION_MS) for i in range(3)]
        t0 = time.monotonic()
        d = gu.wait_balanced(cluster, group, topic, n, 3)
        assert d["protocol_type"] == "consumer" and d["protocol"] == "range", d
        wait_clients_agree(cluster, group, topic, procs)
        t_three = time.monotonic() - t0
        procs.append(start(members, "confluent", "basic-3", tmp_path, cluster, topic, group,
                           session_ms=SESSION_MS))
        t0 = time.monotonic()
        d = gu.wait_balanced(cluster, group, topic, n, 4)
        assert all(m["parts"].get(topic) for m in d["members"]), d   # range: 6 over 4
        wait_clients_agree(cluster, group, topic, procs)
        t_join = time.monotonic() - t0
        leaver = procs.pop(1)
        t0 = time.monotonic()
        gu.stop_member(leaver)
        d = gu.wait_balanced(cluster, group, topic, n, 3)
        assert leaver.name not in gu.owner_map(d, topic)
        wait_clients_agree(cluster, group, topic, procs)
        t_leave = time.monotonic() - t0
        time.sleep(1.0)
    finally:
        delivered = feeder.stop()
    everyone = procs + [leaver]
    wait_processed(everyone, delivered)
    for p in procs:
        gu.stop_member(p)
    failed = [ln for p in everyone for ln in p.lines() if ln.startswith("commit-failed")]
    r = gu.check_delivery(delivered, all_recs(everyone))
    harness.report_figure("groups confluent: %d records; rebalance to 3 members %.1f s, a 4th "
                          "joins %.1f s, one leaves %.1f s; %d failed commits"
                          % (len(delivered), t_three, t_join, t_leave, len(failed)))
    assert r == gu.CLEAN, ({k: v[:10] for k, v in r.items()}, failed[:5])
    assert gu.committed(cluster, group, topic, n) == ends_of(delivered, n)


def test_confluent_kill9_member(cluster, tmp_path, members):
    topic, group, n = "g-kill", "grp-kill", 6
    gu.create_topic(cluster, topic, n)
    feeder = gu.Feeder(cluster.bootstrap(), topic, n, rate=60).start()
    try:
        procs = [start(members, "confluent", "kill-%d" % i, tmp_path, cluster, topic, group,
                       session_ms=SESSION_MS, delay_ms=20) for i in range(3)]
        d = gu.wait_balanced(cluster, group, topic, n, 3)
        wait_clients_agree(cluster, group, topic, procs)
        harness.wait_until(lambda: all(gu.recs(p) for p in procs), 30,
                           what="every member processing")
        victim = procs[0]
        victim_parts = gu.owner_map(d, topic)[victim.name]
        victim.kill9()
        t_kill = time.monotonic()
        # Until its session times out, the dead member keeps its place and its partitions.
        time.sleep(2.0)
        d = gu.describe(cluster, group)
        assert gu.owner_map(d, topic).get(victim.name) == victim_parts, d
        d = gu.wait_balanced(cluster, group, topic, n, 2, timeout=SESSION_MS / 1000 + 30)
        moved = time.monotonic() - t_kill
        assert victim.name not in gu.owner_map(d, topic)
        wait_clients_agree(cluster, group, topic, procs[1:])
    finally:
        delivered = feeder.stop()
    survivors = procs[1:]
    wait_processed(survivors + [victim], delivered)
    for p in survivors:
        gu.stop_member(p)
    allowed = gu.uncommitted(victim)
    processed = all_recs(procs)
    r = gu.check_delivery(delivered, processed, allowed_dups=allowed)
    twice = sum(1 for k in allowed if processed.count(k) == 2)
    harness.report_figure("groups kill -9: partitions %s moved %.1f s after the kill "
                          "(session %d ms); %d records, %d uncommitted by the victim, %d of "
                          "them processed again" % (victim_parts, moved, SESSION_MS,
                                                    len(delivered), len(allowed), twice))
    assert moved >= SESSION_MS / 1000 - 1.5, moved
    assert r == gu.CLEAN, {k: v[:10] for k, v in r.items()}


@pytest.mark.parametrize("kind", ["kafkapython", "kafkajs", "kcat"])
def test_other_clients_split_and_read_everything(cluster, tmp_path, members, kind):
    if kind == "kafkajs" and not os.path.isdir(os.path.join(gu.CLIENTS, "js", "node_modules",
                                                              "kafkajs")):
        pytest.fail("kafkajs is not installed: run `bash scripts/install-deps.sh`")
    topic, group, n = "g-" + kind, "grp-" + kind, 4
    gu.create_topic(cluster, topic, n)
    procs = [start(members, kind, "%s-%d" % (kind, i), tmp_path, cluster, topic, group,
                   session_ms=SESSION_MS) for i in range(2)]
    d = gu.wait_balanced(cluster, group, topic, n, 2, timeout=60)
    owners = gu.owner_map(d, topic)
    assert sorted(owners) == sorted(p.name for p in procs), owners
    assert all(owners.values()), owners
    delivered = gu.produce(cluster.bootstrap(), topic, n, 25, tag=kind + "-a")
    wait_processed(procs, delivered)
    for p in procs:   # each read only the partitions the coordinator says it owns
        assert {q for q, _ in gu.recs(p)} == set(owners[p.name]), (p.name, owners)
    # A third member joins, then the first leaves (close / disconnect / SIGTERM).
    procs.append(start(members, kind, "%s-2" % kind, tmp_path, cluster, topic, group,
                       session_ms=SESSION_MS))
    gu.wait_balanced(cluster, group, topic, n, 3, timeout=60)
    delivered |= gu.produce(cluster.bootstrap(), topic, n, 10, tag=kind + "-b")
    wait_processed(procs, delivered)
    gu.stop_member(procs[0])
    gu.wait_balanced(cluster, group, topic, n, 2, timeout=60)
    delivered |= gu.produce(cluster.bootstrap(), topic, n, 10, tag=kind + "-c")
    wait_processed(procs, delivered)
    upto = {p.name: len(p.lines()) for p in procs}   # before the last two leave in turn
    for p in procs[1:]:
        gu.stop_member(p)
    r = gu.check_delivery(delivered, [x for p in procs for x in gu.recs(p, upto[p.name])])
    assert r == gu.CLEAN, {k: v[:10] for k, v in r.items()}


def test_cooperative_sticky_incremental(cluster, tmp_path, members):
    topic, group, n = "g-coop", "grp-coop", 6
    gu.create_topic(cluster, topic, n)
    # No commits here: librdkafka 2.0.2 pipelines its OffsetCommits behind its parked
    # JoinGroup; Kafka answers them ILLEGAL_GENERATION once the round completes (a new
    # generation), and librdkafka then drops its whole assignment as lost (seen against
    # Apache Kafka 3.9.1). Without commits a moved partition is re-read from the start by its
    # new owner, which the delivery check allows for exactly those partitions.
    kw = dict(session_ms=SESSION_MS, strategy="cooperative-sticky", no_commit=True)
    old = [start(members, "confluent", "coop-%d" % i, tmp_path, cluster, topic, group, **kw)
           for i in range(2)]
    d = gu.wait_balanced(cluster, group, topic, n, 2)
    assert d["protocol"] == "cooperative-sticky", d
    wait_clients_agree(cluster, group, topic, old)
    before = gu.owner_map(d, topic)
    # Records only from here on: whatever moved while the first two members settled held
    # nothing, so only the newcomer's partitions are read twice.
    feeder = gu.Feeder(cluster.bootstrap(), topic, n, rate=60).start()
    try:
        time.sleep(1.0)
        marks = {p.name: len(p.lines()) for p in old}
        t0 = time.monotonic()
        newcomer = start(members, "confluent", "coop-2", tmp_path, cluster, topic, group, **kw)
        d = gu.wait_balanced(cluster, group, topic, n, 3)
        procs = old + [newcomer]
        wait_clients_agree(cluster, group, topic, procs)
        after = gu.owner_map(d, topic)
        took = time.monotonic() - t0
        time.sleep(2.0)
    finally:
        delivered = feeder.stop()
    lost = []
    for p in old:
        assert "protocol COOPERATIVE" in p.lines(), p.lines()[:5]
        since = p.lines()[marks[p.name]:]
        evs = [(i, ln.split()) for i, ln in enumerate(since)
               if ln.split(" ", 1)[0] in ("assigned", "revoked", "lost")]
        assert evs, (p.name, "no rebalance event after the newcomer joined")
        i0, (kind, first) = evs[0]
        # The first step of the incremental rebalance revokes only what is to move to the
        # newcomer (possibly nothing), never the whole assignment, and loses nothing.
        assert kind in ("revoked", "assigned"), (p.name, since[i0])
        gone = set() if kind == "assigned" or first == "-" else \
            {int(x) for x in first.split(",")}
        assert gone < set(before[p.name]), (p.name, gone, before)
        kept = set(before[p.name]) - gone
        # ... and the partitions it keeps go on being consumed: records of them processed
        # after that first step, before any later revoke of them.
        nxt = [i for i, (k, f) in evs[1:] if k in ("revoked", "lost") and f != "-" and
               kept & {int(x) for x in f.split(",")}]
        window = since[i0 + 1:nxt[0] if nxt else len(since)]
        consumed = [ln for ln in window if ln.startswith("rec ") and int(ln.split()[1]) in kept]
        assert consumed, (p.name, kept, window[:20])
        lost += [ln for ln in since if ln.startswith("lost ")]
        harness.report_figure("groups cooperative-sticky: %s kept %s, gave up %s in the first "
                              "step, processed %d records of the kept ones after it; final %s "
                              "(%.1f s)" % (p.name, sorted(kept), sorted(gone), len(consumed),
                                            after[p.name], took))
    assert not lost, lost
    wait_processed(procs, delivered)
    # Judged on what was processed up to here: as the members stop one by one, the last ones
    # take over the partitions of the first and, with nothing committed, read them again.
    upto = {p.name: len(p.lines()) for p in procs}
    for p in procs:
        gu.stop_member(p)
    # The old owners' records of the partitions that moved are read again by the newcomer
    # (nothing was committed); every other record exactly once.
    allowed = {(q, o) for p in old for q, o in gu.recs(p, upto[p.name])
               if q not in after[p.name]}
    processed = [r for p in procs for r in gu.recs(p, upto[p.name])]
    r = gu.check_delivery(delivered, processed, allowed_dups=allowed)
    assert r == gu.CLEAN, {k: v[:10] for k, v in r.items()}


def test_static_member_restart_keeps_partitions(cluster, tmp_path, members):
    topic, group, n = "g-static", "grp-static", 4
    gu.create_topic(cluster, topic, n)
    kw = dict(session_ms=SESSION_MS)
    # The leader joins first; the restarted member is the follower (a restarted static leader
    # needs JoinGroup v9's skip_assignment, which librdkafka 2.0.2 does not send).
    a = start(members, "confluent", "static-a", tmp_path, cluster, topic, group,
              instance_id="inst-a", **kw)
    gu.wait_balanced(cluster, group, topic, n, 1)
    b = start(members, "confluent", "static-b", tmp_path, cluster, topic, group,
              instance_id="inst-b", **kw)
    d = gu.wait_balanced(cluster, group, topic, n, 2)
    wait_clients_agree(cluster, group, topic, [a, b])
    ids = {m["client_id"]: m for m in d["members"]}
    assert ids["static-a"]["instance_id"] == "inst-a", d
    before = gu.owner_map(d, topic)
    gen = gu.generation_of(cluster, group, ids["static-a"]["member_id"])
    a_events = gu.events(a)
    gu.stop_member(b)
    t0 = time.monotonic()
    # A static member's close() does not leave the group: it is still listed, with its
    # partitions, and nothing rebalances.
    d = gu.describe(cluster, group)
    assert d["state"] == "Stable" and gu.owner_map(d, topic) == before, d
    b2 = start(members, "confluent", "static-b", tmp_path / "again", cluster, topic, group,
               instance_id="inst-b", **kw)
    harness.wait_until(lambda: gu.current_assignment(b2) == before["static-b"], 30,
                       what="the restarted static member assigned")
    took = time.monotonic() - t0
    assert took < SESSION_MS / 1000, took
    d = gu.describe(cluster, group)
    new_ids = {m["client_id"]: m for m in d["members"]}
    assert d["state"] == "Stable" and gu.owner_map(d, topic) == before, d
    assert new_ids["static-b"]["instance_id"] == "inst-b"
    assert new_ids["static-b"]["member_id"] != ids["static-b"]["member_id"], d
    assert new_ids["static-a"]["member_id"] == ids["static-a"]["member_id"], d
    assert gu.generation_of(cluster, group, new_ids["static-a"]["member_id"]) == gen
    time.sleep(1.5)   # a rebalance would reach the other member at its next heartbeat
    assert gu.events(a) == a_events, gu.events(a)
    harness.report_figure("groups static member: restarted and reassigned in %.1f s at "
                          "generation %d" % (took, gen))
    delivered = gu.produce(cluster.bootstrap(), topic, n, 10)
    wait_processed([a, b, b2], delivered)
    for p in (a, b2):
        gu.stop_member(p)
    r = gu.check_delivery(delivered, all_recs([a, b, b2]))
    assert r == gu.CLEAN, r


def test_offsets_survive_coordinator_kill_and_cluster_restart(cluster, tmp_path, members):
    topic, group, n = "g-dur", "grp-dur", 3
    gu.create_topic(cluster, topic, n)
    first = gu.produce(cluster.bootstrap(), topic, n, 30, tag="a")
    procs = [start(members, "confluent", "dur-%d" % i, tmp_path, cluster, topic, group,
                   session_ms=SESSION_MS) for i in range(2)]
    wait_processed(procs, first)
    ends = ends_of(first, n)
    harness.wait_until(lambda: gu.committed(cluster, group, topic, n) == ends, 30,
                       what="every record committed")
    d0 = gu.wait_balanced(cluster, group, topic, n, 2)
    gen0 = gu.generation_of(cluster, group, d0["members"][0]["member_id"])
    ev0 = [gu.events(p) for p in procs]
    coord = gu.find_coordinator(cluster, group)
    coord.kill9()
    t0 = time.monotonic()
    new = gu.find_coordinator(cluster, group, timeout=60)
    assert new.broker_id != coord.broker_id
    assert gu.committed(cluster, group, topic, n, version=5) == ends
    took = time.monotonic() - t0
    # The new coordinator replayed the group itself too: the same members with the same
    # assignments at the same generation, and the members saw no rebalance.
    d1 = gu.describe(cluster, group)
    assert (d1["state"], sorted((m["member_id"], str(m["parts"])) for m in d1["members"])) == \
        ("Stable", sorted((m["member_id"], str(m["parts"])) for m in d0["members"])), (d0, d1)
    assert gu.generation_of(cluster, group, d0["members"][0]["member_id"]) == gen0
    second = gu.produce(cluster.bootstrap(), topic, n, 20, tag="b")
    wait_processed(procs, first | second, timeout=60)
    ends = ends_of(first | second, n)
    harness.wait_until(lambda: gu.committed(cluster, group, topic, n) == ends, 30,
                       what="the new records committed")
    assert [gu.events(p) for p in procs] == ev0
    for p in procs:
        gu.stop_member(p)
    r = gu.check_delivery(first | second, all_recs(procs))
    assert r == gu.CLEAN, {k: v[:10] for k, v in r.items()}
    coord.restart(cluster.kz)
    # The whole cluster down (clean stops) and up again: the offsets are read back from
    # __consumer_offsets.
    for b in cluster.brokers:
        b.send_sigterm()
    for b in cluster.brokers:
        b.stop()
    t1 = time.monotonic()
    for b in cluster.brokers:
        b.restart(cluster.kz, after_kill=False)
    assert gu.committed(cluster, group, topic, n) == ends
    took_restart = time.monotonic() - t1
    # A new member resumes where the group left off: it reads only what comes next.
    third = gu.produce(cluster.bootstrap(), topic, n, 5, tag="c")
    late = start(members, "confluent", "dur-late", tmp_path, cluster, topic, group,
                 session_ms=SESSION_MS)
    wait_processed([late], third, timeout=60)
    time.sleep(1.0)
    gu.stop_member(late)
    assert gu.check_delivery(third, gu.recs(late)) == gu.CLEAN
    harness.report_figure("groups coordinator kill -9: broker %d -> %d, offsets served again "
                          "%.1f s after the kill; after a full cluster restart, %.1f s after "
                          "every broker was registered again"
                          % (coord.broker_id, new.broker_id, took, took_restart))


def confirmed_commits(lines):
    """{partition: highest offset whose commit a member confirmed} from its lines."""
    out = {}
    for ln in lines:
        f = ln.split()
        if len(f) == 3 and f[0] == "committed":
            out[int(f[1])] = max(out.get(int(f[1]), -1), int(f[2]))
    return out


def test_commits_through_coordinator_kill_under_load(cluster, tmp_path, members):
    """kill -9 of the coordinator while members consume and commit: no commit confirmed before
    the kill is lost (acks=all on __consumer_offsets), the members carry on, and only records
    whose commit was not confirmed may be processed twice."""
    topic, group, n = "g-load", "grp-load", 3
    gu.create_topic(cluster, topic, n)
    feeder = gu.Feeder(cluster.bootstrap(), topic, n, rate=60).start()
    try:
        procs = [start(members, "confluent", "load-%d" % i, tmp_path, cluster, topic, group,
                       session_ms=SESSION_MS) for i in range(2)]
        gu.wait_balanced(cluster, group, topic, n, 2)
        harness.wait_until(lambda: len(all_recs(procs)) >= 60, 30, what="60 records processed")
        coord = gu.find_coordinator(cluster, group)
        coord.kill9()
        at_kill = {}
        for p in procs:   # what the members had confirmed when the coordinator died
            for q, o in confirmed_commits(p.lines()).items():
                at_kill[q] = max(at_kill.get(q, -1), o)
        t0 = time.monotonic()
        first = gu.committed(cluster, group, topic, n)
        took = time.monotonic() - t0
        lost = {q: (o, first.get(q)) for q, o in at_kill.items() if first.get(q, -1) < o}
        assert not lost, "confirmed commits lost: {partition: (confirmed, fetched)} %s" % lost
        time.sleep(3.0)
    finally:
        acked = feeder.stop()
    # The killed broker led some of the topic's partitions too: a produce retry may have
    # written a record twice, so the log (a superset of what was acknowledged) is the reference.
    delivered = gu.log_records(cluster.bootstrap(), topic, n)
    assert acked <= delivered
    wait_processed(procs, delivered, timeout=60)
    ends = ends_of(delivered, n)
    harness.wait_until(lambda: gu.committed(cluster, group, topic, n) == ends, 30,
                       what="every record committed")
    for p in procs:
        gu.stop_member(p)
    allowed = set().union(*(gu.unconfirmed(p) for p in procs))
    failed = [ln for p in procs for ln in p.lines() if ln.startswith("commit-failed")]
    r = gu.check_delivery(delivered, all_recs(procs), allowed_dups=allowed)
    harness.report_figure("groups coordinator kill -9 under load: %d records, %d commits failed "
                          "meanwhile, offsets served by the new coordinator %.1f s after the "
                          "kill (none confirmed lost)" % (len(delivered), len(failed), took))
    assert r == gu.CLEAN, {k: v[:10] for k, v in r.items()}
