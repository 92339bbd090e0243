"""Consumer-group requests a client should not send, raw (kgroup codec), against one 3-broker
cluster (chroot /kb-groups-hostile; brokers run with ASAN_OPTIONS quarantine_size_mb=16 so
that freed memory leaves the RSS and a leak-like growth shows):

* group ids: empty → INVALID_GROUP_ID from every broker for JoinGroup, SyncGroup, Heartbeat
  and LeaveGroup (Kafka checks the id before asking whether it coordinates the group), while
  OffsetCommit, OffsetFetch and DescribeGroups take "" like any id; longer than
  KB_GROUP_ID_MAX_BYTES (kbroker's own limit, 4096 bytes) → INVALID_GROUP_ID for JoinGroup,
  SyncGroup, Heartbeat, LeaveGroup, OffsetCommit and OffsetFetch at every broker; exactly
  4096 bytes works;
* unknown member ids → UNKNOWN_MEMBER_ID (Heartbeat, SyncGroup, OffsetCommit, JoinGroup with
  a made-up id, LeaveGroup v1 and v3), wrong generations → ILLEGAL_GENERATION (Heartbeat,
  SyncGroup, OffsetCommit; a commit with a generation for a group that does not exist),
  Heartbeat and SyncGroup before any join → UNKNOWN_MEMBER_ID;
* a leader's SyncGroup carrying assignments for members that do not exist: ignored, the real
  members get theirs; while the group waits for that SyncGroup (CompletingRebalance) a
  Heartbeat is fine and an OffsetCommit gets REBALANCE_IN_PROGRESS;
* session timeouts out of range → INVALID_SESSION_TIMEOUT; no protocols, no protocol type,
  a protocol or protocol type the group does not share → INCONSISTENT_GROUP_PROTOCOL; a
  static member replaced by a new join with its instance id: no rebalance, and the old
  member id is FENCED_INSTANCE_ID for Heartbeat, SyncGroup and OffsetCommit; commit metadata
  of 4097 bytes → OFFSET_METADATA_TOO_LARGE; ListGroups (v4, state filter) at every broker,
  DeleteGroups: NON_EMPTY_GROUP, NONE (offsets gone), GROUP_ID_NOT_FOUND;
* OffsetCommit for an unknown topic and an out-of-range partition →
  UNKNOWN_TOPIC_OR_PARTITION per partition, the valid partition of the same request stored;
* KIP-814: a restarted static leader (JoinGroup v9) keeps the generation, gets the members and
  skip_assignment, and keeps its assignment; KIP-345: LeaveGroup by instance id alone;
  OffsetCommit v8 stores leader epoch and metadata (null → ""), OffsetFetch v5 and v8 return
  them;
* commits compacted in __consumer_offsets (16 KiB segments, eager cleaner) and replayed by a
  new coordinator after a kill -9 of the old one: the last commit is served;
* a member without heartbeats is removed after its session timeout, one that does not
  rejoin a rebalance after the rebalance timeout (the round completes without it);
* 40 members joining one group with 1 MiB of protocol metadata each, twice: bounded by
  kbroker's per-group metadata budget (KB_GROUP_META_MAX_BYTES, 32 MiB: the members past it
  get GROUP_MAX_SIZE_REACHED), a member with more than KB_GROUP_PROTOCOL_META_MAX_BYTES gets
  INVALID_REQUEST; the leader receives every accepted member's metadata intact; the broker
  answers Metadata meanwhile; its RSS is measured before, at the peak and after everyone left,
  and the second round does not grow it further.

KB_GROUPS_PEER=kafka runs this against Apache Kafka 3.9.1; kbroker's own limits are skipped
there (Kafka has none).
"""

import os
import time

import pytest

import groups_util as gu
import harness
import kgroup as kg

IDS = [711, 712, 713]
BIG = (1 << 20) - 64          # protocol metadata per member in the big-join test
BIG_MEMBERS = 40
GROUP_ID_MAX = 4096           # KB_GROUP_ID_MAX_BYTES (common/limits.h)
GROUP_META_MAX = 32 << 20     # KB_GROUP_META_MAX_BYTES
kbroker_only = pytest.mark.skipif(gu.KAFKA_PEER, reason="kbroker's own limit; Kafka has none")


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = "detect_leaks=1:quarantine_size_mb=16"
    # Small __consumer_offsets segments and an eager cleaner: the compaction test below.
    cfg = {"offsets.topic.segment.bytes": "16384", "log.cleaner.backoff.ms": "200",
           "log.cleaner.min.cleanable.ratio": "0.01"}
    yield from gu.group_cluster(tmp_path_factory, zk_server, "kb-groups-hostile", IDS,
                                config=cfg, env=env)


def meta(topics=("t",), tag=b""):
    return kg.subscription(list(topics), user_data=tag or None)


def join(c, group, member_id="", version=5, metadata=None, session=10000, rebalance=10000,
         instance=None, protocols=None):
    vals = {"group_id": group, "session_timeout_ms": session, "rebalance_timeout_ms": rebalance,
            "member_id": member_id, "group_instance_id": instance, "protocol_type": "consumer",
            "protocols": protocols if protocols is not None else [
                {"name": "range", "metadata": meta() if metadata is None else metadata}]}
    return kg.group_request(c, kg.JOIN_GROUP, version, vals, timeout=60)


def join_new(c, group, **kw):
    """KIP-394's two steps: MEMBER_ID_REQUIRED with an id, then the real join (parked until
    the round completes). Returns the second answer."""
    r = join(c, group, **kw)
    assert r["error_code"] == kg.MEMBER_ID_REQUIRED and r["member_id"], r
    return join(c, group, member_id=r["member_id"], **kw)


def sync(c, group, gen, member_id, assignments=(), version=3):
    return kg.group_request(c, kg.SYNC_GROUP, version, {
        "group_id": group, "generation_id": gen, "member_id": member_id,
        "assignments": [{"member_id": m, "assignment": a} for m, a in assignments]}, timeout=60)


def heartbeat(c, group, gen, member_id, version=3, instance=None):
    return kg.group_request(c, kg.HEARTBEAT, version, {
        "group_id": group, "generation_id": gen, "member_id": member_id,
        "group_instance_id": instance})["error_code"]


def commit(c, group, gen, member_id, parts, version=7, instance=None, metadata=""):
    """parts: [(topic, partition, offset)]; returns {(topic, partition): error}."""
    topics = {}
    for t, p, o in parts:
        topics.setdefault(t, []).append({"partition_index": p, "committed_offset": o,
                                         "committed_metadata": metadata})
    r = kg.group_request(c, kg.OFFSET_COMMIT, version, {
        "group_id": group, "generation_id": gen, "member_id": member_id,
        "group_instance_id": instance,
        "topics": [{"name": t, "partitions": ps} for t, ps in topics.items()]})
    return {(t["name"], p["partition_index"]): p["error_code"]
            for t in r["topics"] for p in t["partitions"]}


def stable_member(cluster, group, assignment=b"", **kw):
    """A one-member Stable group: (coordinator connection, member id, generation)."""
    def first():
        c = gu.find_coordinator(cluster, group).conn(60)
        r = join(c, group, **kw)
        if r["error_code"] in gu.RETRIABLE:   # the coordinator is still loading / moving
            c.close()
            return None
        return c, r
    c, r = harness.wait_until(first, 60, interval=0.3, what="a coordinator taking joins")
    assert r["error_code"] == kg.MEMBER_ID_REQUIRED and r["member_id"], r
    r = join(c, group, member_id=r["member_id"], **kw)
    assert r["error_code"] == kg.NONE and r["leader"] == r["member_id"], r
    s = sync(c, group, r["generation_id"], r["member_id"], [(r["member_id"], assignment)])
    assert s["error_code"] == kg.NONE and s["assignment"] == assignment, s
    return c, r["member_id"], r["generation_id"]


def test_kgroup_selftest():
    """The codec these tests use: vectors, and byte equality with kafka-python's classes."""
    assert kg.selftest() is True


def invalid_group_id_answers(c, gid):
    """{request: error} for every group request naming `gid` (all should be
    INVALID_GROUP_ID)."""
    out = {}
    for v in (1, 5, 6):
        out["JoinGroup v%d" % v] = join(c, gid, version=v)["error_code"]
    out["Heartbeat v3"] = heartbeat(c, gid, 0, "m")
    out["SyncGroup v3"] = sync(c, gid, 0, "m")["error_code"]
    r = kg.group_request(c, kg.LEAVE_GROUP, 3, {"group_id": gid, "members": [{"member_id": "m"}]})
    out["LeaveGroup v3"] = r["error_code"]
    return out


def test_empty_group_id(cluster):
    """Kafka checks the group id before whether it coordinates the group, so every broker
    answers INVALID_GROUP_ID (GroupCoordinator.validateGroupStatus)."""
    gu.find_coordinator(cluster, "gh-any")   # __consumer_offsets exists from here on
    wrong = []
    for b in cluster.brokers:
        with b.conn(20) as c:
            for req, err in invalid_group_id_answers(c, "").items():
                if err != kg.INVALID_GROUP_ID:
                    wrong.append("broker %d %s: %d" % (b.broker_id, req, err))
    assert not wrong, "\n".join(wrong)


@kbroker_only
def test_oversized_group_id(cluster):
    wrong = []
    for gid in ("g" * (GROUP_ID_MAX + 1), "h" * 32767):
        for b in cluster.brokers:
            with b.conn(20) as c:
                got = invalid_group_id_answers(c, gid)
                got["OffsetCommit v7"] = list(commit(c, gid, -1, "", [("t", 0, 1)]).values())[0]
                r = kg.group_request(c, kg.OFFSET_FETCH, 8, {"groups": [
                    {"group_id": gid, "topics": None}]})
                got["OffsetFetch v8"] = r["groups"][0]["error_code"]
                # No coordinator to find: kbroker's FindCoordinator calls the key invalid.
                r = kg.group_request(c, kg.FIND_COORDINATOR, 1, {"key": gid})
                if r["error_code"] not in (kg.INVALID_GROUP_ID, kg.INVALID_REQUEST):
                    wrong.append("id of %d bytes, broker %d FindCoordinator v1: %d"
                                 % (len(gid), b.broker_id, r["error_code"]))
            for req, err in got.items():
                if err != kg.INVALID_GROUP_ID:
                    wrong.append("id of %d bytes, broker %d %s: %d" % (len(gid), b.broker_id,
                                                                       req, err))
    assert not wrong, "\n".join(wrong)
    # The longest valid id works.
    c, member, gen = stable_member(cluster, "x" * GROUP_ID_MAX)
    with c:
        assert heartbeat(c, "x" * GROUP_ID_MAX, gen, member) == kg.NONE


def test_unknown_members_and_wrong_generations(cluster):
    group, topic = "gh-members", "gh-members-t"
    gu.create_topic(cluster, topic, 1)
    c, member, gen = stable_member(cluster, group)
    with c:
        assert heartbeat(c, group, gen, member) == kg.NONE
        # Unknown member ids.
        assert heartbeat(c, group, gen, "nobody") == kg.UNKNOWN_MEMBER_ID
        assert heartbeat(c, group, gen, "") == kg.UNKNOWN_MEMBER_ID
        assert sync(c, group, gen, "nobody")["error_code"] == kg.UNKNOWN_MEMBER_ID
        assert commit(c, group, gen, "nobody", [(topic, 0, 5)]) == \
            {(topic, 0): kg.UNKNOWN_MEMBER_ID}
        assert join(c, group, member_id="nobody")["error_code"] == kg.UNKNOWN_MEMBER_ID
        r = kg.group_request(c, kg.LEAVE_GROUP, 1, {"group_id": group, "member_id": "nobody"})
        assert r["error_code"] == kg.UNKNOWN_MEMBER_ID, r
        r = kg.group_request(c, kg.LEAVE_GROUP, 4, {"group_id": group, "members": [
            {"member_id": "nobody"}]})
        assert r["error_code"] == kg.NONE and \
            [m["error_code"] for m in r["members"]] == [kg.UNKNOWN_MEMBER_ID], r
        # Wrong generations of the real member.
        for g in (gen + 1, gen - 1, 12345):
            assert heartbeat(c, group, g, member) == kg.ILLEGAL_GENERATION, g
            assert sync(c, group, g, member)["error_code"] == kg.ILLEGAL_GENERATION, g
            assert commit(c, group, g, member, [(topic, 0, 5)]) == \
                {(topic, 0): kg.ILLEGAL_GENERATION}, g
        # Nothing of that disturbed the member.
        assert heartbeat(c, group, gen, member, version=4) == kg.NONE
        assert commit(c, group, gen, member, [(topic, 0, 7)], version=8) == {(topic, 0): kg.NONE}
        assert gu.committed(cluster, group, topic, 1) == {0: 7}
        d = gu.describe(cluster, group)
        assert d["state"] == "Stable" and [m["member_id"] for m in d["members"]] == [member], d
    # Before any join: the group does not exist.
    fresh = "gh-never-joined"
    with gu.find_coordinator(cluster, fresh).conn(20) as c:
        assert heartbeat(c, fresh, 0, "m") == kg.UNKNOWN_MEMBER_ID
        assert heartbeat(c, fresh, -1, "") == kg.UNKNOWN_MEMBER_ID
        assert sync(c, fresh, 1, "m")["error_code"] == kg.UNKNOWN_MEMBER_ID
        # A commit of generation >= 0 to a group nobody joined: ILLEGAL_GENERATION; the
        # standalone form (generation -1, no member) is stored.
        assert commit(c, fresh, 3, "m", [(topic, 0, 1)]) == {(topic, 0): kg.ILLEGAL_GENERATION}
        assert commit(c, fresh, -1, "", [(topic, 0, 2)]) == {(topic, 0): kg.NONE}
    assert gu.committed(cluster, fresh, topic, 1) == {0: 2}


def test_sync_assignments_for_unknown_members(cluster):
    group, topic = "gh-sync", "gh-sync-t"
    gu.create_topic(cluster, topic, 1)
    coord = gu.find_coordinator(cluster, group)
    a, member_a, gen = stable_member(cluster, group)
    with a, coord.conn(60) as b:
        # B joins: the group rebalances, A rejoins, both get the next generation.
        r = join(b, group)
        assert r["error_code"] == kg.MEMBER_ID_REQUIRED, r
        member_b = r["member_id"]
        corr_b = kg.send(b, kg.JOIN_GROUP, 5, {
            "group_id": group, "session_timeout_ms": 10000, "rebalance_timeout_ms": 10000,
            "member_id": member_b, "protocol_type": "consumer",
            "protocols": [{"name": "range", "metadata": meta()}]})
        harness.wait_until(lambda: heartbeat(a, group, gen, member_a) ==
                           kg.REBALANCE_IN_PROGRESS, 20, what="a rebalance announced")
        ra = join(a, group, member_id=member_a)
        rb = kg.receive(b, kg.JOIN_GROUP, 5, corr_b, timeout=30)
        assert ra["error_code"] == rb["error_code"] == kg.NONE, (ra, rb)
        gen2 = ra["generation_id"]
        assert gen2 == rb["generation_id"] > gen and ra["leader"] == member_a, (ra, rb)
        assert sorted(m["member_id"] for m in ra["members"]) == sorted([member_a, member_b])
        assert rb["members"] == []
        # CompletingRebalance (the leader has not synced yet): heartbeats are fine, commits
        # wait for the assignment.
        assert heartbeat(b, group, gen2, member_b) == kg.NONE
        assert commit(b, group, gen2, member_b, [(topic, 0, 1)]) == \
            {(topic, 0): kg.REBALANCE_IN_PROGRESS}
        # The leader assigns to A, B and two members that do not exist.
        asg = {member_a: kg.assignment({"t": [0]}), member_b: kg.assignment({"t": [1]}),
               "ghost-1": kg.assignment({"t": [2]}), "": kg.assignment({"t": [3]})}
        corr = kg.send(b, kg.SYNC_GROUP, 3, {"group_id": group, "generation_id": gen2,
                                             "member_id": member_b, "assignments": []})
        sa = sync(a, group, gen2, member_a, sorted(asg.items()))
        sb = kg.receive(b, kg.SYNC_GROUP, 3, corr, timeout=30)
        assert (sa["error_code"], sa["assignment"]) == (kg.NONE, asg[member_a]), sa
        assert (sb["error_code"], sb["assignment"]) == (kg.NONE, asg[member_b]), sb
        d = gu.describe(cluster, group)
        assert d["state"] == "Stable", d
        assert {m["member_id"]: m["parts"] for m in d["members"]} == {
            member_a: {"t": [0]}, member_b: {"t": [1]}}, d
        assert heartbeat(b, group, gen2, member_b) == kg.NONE
        assert heartbeat(b, group, gen2, "ghost-1") == kg.UNKNOWN_MEMBER_ID


def test_offset_commit_unknown_topic_or_partition(cluster):
    group, topic = "gh-commit", "gh-commit-t"
    gu.create_topic(cluster, topic, 2)
    with gu.find_coordinator(cluster, group).conn(20) as c:
        for v in (2, 5, 8):
            got = commit(c, group, -1, "", [(topic, 0, 10 + v), (topic, 1, 20 + v),
                                            (topic, 7, 1), ("gh-no-such-topic", 0, 1)],
                         version=v)
            assert got == {(topic, 0): kg.NONE, (topic, 1): kg.NONE,
                           (topic, 7): kg.UNKNOWN_TOPIC_OR_PARTITION,
                           ("gh-no-such-topic", 0): kg.UNKNOWN_TOPIC_OR_PARTITION}, (v, got)
    assert gu.committed(cluster, group, topic, 2) == {0: 18, 1: 28}
    r = gu.coord_request(cluster, group, kg.OFFSET_FETCH, 5, {
        "group_id": group, "topics": [{"name": "gh-no-such-topic", "partition_indexes": [0]}]})
    assert [p["committed_offset"] for p in r["topics"][0]["partitions"]] == [-1], r


def _try_frame(c, timeout=0.05):
    try:
        return c.recv_frame(timeout)
    except harness.ConnTimeout:
        return None


def big_round(cluster, coord, group, lc, leader, gen, tag):
    """One round of BIG_MEMBERS members joining with BIG bytes of metadata each; the leader
    rejoins last. Returns (accepted member ids, rejected count, leader's join answer, peak RSS
    in KiB)."""
    conns = [coord.conn(120) for _ in range(BIG_MEMBERS)]
    try:
        ids, metas = [], []
        for i, c in enumerate(conns):
            m = meta(tag=(b"%s-%03d-" % (tag, i)).ljust(BIG - 32, b"\xa5"))
            metas.append(m)
            r = join(c, group, metadata=m)
            assert r["error_code"] == kg.MEMBER_ID_REQUIRED, r
            ids.append(r["member_id"])
        corrs = [kg.send(c, kg.JOIN_GROUP, 5, {
            "group_id": group, "session_timeout_ms": 10000, "rebalance_timeout_ms": 60000,
            "member_id": ids[i], "protocol_type": "consumer",
            "protocols": [{"name": "range", "metadata": metas[i]}]})
            for i, c in enumerate(conns)]
        # The broker keeps serving while the joins are parked.
        with coord.conn(10) as mc:
            t0 = time.monotonic()
            assert mc.metadata(1, timeout=10)["brokers"]
            md_s = time.monotonic() - t0
        answers = {}

        def settled():
            for i, c in enumerate(conns):
                if i not in answers:
                    f = _try_frame(c)
                    if f is not None:
                        answers[i] = kg.decode_response(kg.JOIN_GROUP, 5, f)
            assert heartbeat(lc, group, gen, leader) == kg.REBALANCE_IN_PROGRESS
            d = gu.describe(cluster, group)
            return len(d["members"]) - 1 + len(answers) == BIG_MEMBERS
        harness.wait_until(settled, 60, interval=0.2, what="every big join parked or refused")
        rejected = {i for i, r in answers.items() if r["error_code"] != kg.NONE}
        for i in rejected:
            assert answers[i]["error_code"] == kg.GROUP_MAX_SIZE_REACHED, answers[i]
        # The leader rejoins: the round completes.
        lr = join(lc, group, member_id=leader, rebalance=60000)
        assert lr["error_code"] == kg.NONE and lr["leader"] == leader, \
            {k: v for k, v in lr.items() if k != "members"}
        rss_peak = coord.rss_kb()
        accepted = [i for i in range(BIG_MEMBERS) if i not in rejected]
        got = {m["member_id"]: m["metadata"] for m in lr["members"]}
        assert set(got) == {leader} | {ids[i] for i in accepted}
        for i in accepted:
            assert got[ids[i]] == metas[i], "member %d's metadata changed" % i
        for i in accepted:
            if i not in answers:
                answers[i] = kg.receive(conns[i], kg.JOIN_GROUP, 5, corrs[i], timeout=60)
            assert answers[i]["error_code"] == kg.NONE and \
                answers[i]["generation_id"] == lr["generation_id"], answers[i]
        # Kafka cannot store this group's metadata record (~40 MiB, past max.message.bytes)
        # and answers UNKNOWN_SERVER_ERROR (its mapping of MESSAGE_TOO_LARGE) and rebalances.
        s = sync(lc, group, lr["generation_id"], leader, [(leader, b"")])
        assert s["error_code"] in (kg.NONE, kg.UNKNOWN_SERVER_ERROR), s
        r = kg.group_request(lc, kg.LEAVE_GROUP, 3, {"group_id": group, "members": [
            {"member_id": ids[i]} for i in accepted]})
        assert r["error_code"] == kg.NONE, r
        return [ids[i] for i in accepted], len(rejected), lr, rss_peak, md_s, s["error_code"]
    finally:
        for c in conns:
            c.close()


def test_big_protocol_metadata_is_bounded(cluster):
    group = "gh-big"
    coord = gu.find_coordinator(cluster, group)
    lc, leader, gen = stable_member(cluster, group, rebalance=60000)
    with lc:
        if not gu.KAFKA_PEER:   # one member's metadata past KB_GROUP_PROTOCOL_META_MAX_BYTES
            with coord.conn(60) as c:
                r = join(c, group, metadata=b"\x00" * ((1 << 20) + 1))
                assert r["error_code"] == kg.INVALID_REQUEST, r
        rss = [coord.rss_kb()]
        figures = []
        for rnd in (1, 2):
            accepted, rejected, lr, peak, md_s, sync_err = big_round(
                cluster, coord, group, lc, leader, gen, b"r%d" % rnd)
            gen = lr["generation_id"]
            harness.wait_until(lambda: len(gu.describe(cluster, group)["members"]) == 1, 30,
                               what="the big members gone")
            # The leader settles the group again (its next join completes a lone round).
            harness.wait_until(lambda: heartbeat(lc, group, gen, leader) ==
                               kg.REBALANCE_IN_PROGRESS, 20, what="a rebalance after leaving")
            r = join(lc, group, member_id=leader, rebalance=60000)
            assert r["error_code"] == kg.NONE and len(r["members"]) == 1, r
            gen = r["generation_id"]
            assert sync(lc, group, gen, leader, [(leader, b"")])["error_code"] == kg.NONE
            time.sleep(1.0)
            rss.append(coord.rss_kb())
            figures.append("round %d: %d accepted, %d refused, leader's SyncGroup error %d, RSS "
                           "peak %d MiB, after %d MiB, Metadata answered in %.2f s meanwhile"
                           % (rnd, len(accepted), rejected, sync_err, peak // 1024,
                              rss[-1] // 1024, md_s))
            if not gu.KAFKA_PEER:
                # Bounded by the per-group budget: at most 32 MiB of metadata accepted.
                assert len(accepted) * BIG <= GROUP_META_MAX, len(accepted)
                assert rejected == BIG_MEMBERS - len(accepted) and rejected > 0
                assert (peak - rss[0]) < 5 * (GROUP_META_MAX >> 10), (peak, rss)
        harness.report_figure("groups hostile, %d joins of %d KiB metadata: RSS before %d MiB; "
                              "%s" % (BIG_MEMBERS, BIG >> 10, rss[0] // 1024,
                                      "; ".join(figures)))
        if not gu.KAFKA_PEER:
            # The second round leaves the broker no bigger than the first did.
            assert rss[2] - rss[1] < 48 * 1024, rss
        with coord.conn(10) as c:
            assert c.metadata(1)["brokers"]


def test_join_and_commit_rules(cluster):
    """Session timeouts out of range, protocols the group does not share, a replaced static
    member, commit metadata past offset.metadata.max.bytes."""
    group, topic = "gh-rules", "gh-rules-t"
    gu.create_topic(cluster, topic, 1)
    coord = gu.find_coordinator(cluster, group)
    with coord.conn(30) as c:
        # group.min.session.timeout.ms is 2000 here, group.max.session.timeout.ms 1800000.
        for ms in (1999, 1800001):
            assert join(c, group, session=ms)["error_code"] == kg.INVALID_SESSION_TIMEOUT, ms
        # A new group needs a protocol type and at least one protocol.
        assert join(c, group, protocols=[])["error_code"] == kg.INCONSISTENT_GROUP_PROTOCOL
        r = kg.group_request(c, kg.JOIN_GROUP, 5, {
            "group_id": group, "session_timeout_ms": 10000, "member_id": "",
            "protocol_type": "", "protocols": [{"name": "range", "metadata": meta()}]})
        assert r["error_code"] == kg.INCONSISTENT_GROUP_PROTOCOL, r
    # A static member, then the same instance id joining again (a restarted process).
    a, b = coord.conn(30), coord.conn(30)
    with a, b:
        ra = join(a, group, instance="inst-1")   # static members skip MEMBER_ID_REQUIRED
        assert ra["error_code"] == kg.NONE and ra["leader"] == ra["member_id"], ra
        gen, old_id = ra["generation_id"], ra["member_id"]
        s = sync(a, group, gen, old_id, [(old_id, kg.assignment({topic: [0]}))])
        assert s["error_code"] == kg.NONE, s
        # Members speaking another protocol, or another protocol type, cannot join.
        r = join(b, group, protocols=[{"name": "roundrobin", "metadata": meta()}])
        assert r["error_code"] == kg.INCONSISTENT_GROUP_PROTOCOL, r
        r = kg.group_request(b, kg.JOIN_GROUP, 5, {
            "group_id": group, "session_timeout_ms": 10000, "member_id": "",
            "protocol_type": "connect", "protocols": [{"name": "range", "metadata": meta()}]})
        assert r["error_code"] == kg.INCONSISTENT_GROUP_PROTOCOL, r
        rb = join(b, group, instance="inst-1")
        assert rb["error_code"] == kg.NONE and rb["member_id"] != old_id, rb
        assert rb["generation_id"] == gen, (gen, rb)     # no rebalance
        new_id = rb["member_id"]
        # The replaced member id is fenced wherever it names its instance.
        assert heartbeat(a, group, gen, old_id, instance="inst-1") == kg.FENCED_INSTANCE_ID
        assert commit(a, group, gen, old_id, [(topic, 0, 3)], instance="inst-1") == \
            {(topic, 0): kg.FENCED_INSTANCE_ID}
        r = kg.group_request(a, kg.SYNC_GROUP, 3, {
            "group_id": group, "generation_id": gen, "member_id": old_id,
            "group_instance_id": "inst-1", "assignments": []})
        assert r["error_code"] == kg.FENCED_INSTANCE_ID, r
        assert heartbeat(b, group, gen, new_id, instance="inst-1") == kg.NONE
        d = gu.describe(cluster, group)
        assert d["state"] == "Stable" and [(m["member_id"], m["instance_id"], m["parts"])
                                           for m in d["members"]] == \
            [(new_id, "inst-1", {topic: [0]})], d
        # Commit metadata: offset.metadata.max.bytes (4096) fits, one more byte does not.
        assert commit(b, group, gen, new_id, [(topic, 0, 4)], instance="inst-1",
                      metadata="m" * 4096) == {(topic, 0): kg.NONE}
        assert commit(b, group, gen, new_id, [(topic, 0, 5)], instance="inst-1",
                      metadata="m" * 4097) == {(topic, 0): kg.OFFSET_METADATA_TOO_LARGE}
        assert gu.committed(cluster, group, topic, 1) == {0: 4}
        # A static member's LeaveGroup names its instance.
        r = kg.group_request(b, kg.LEAVE_GROUP, 3, {"group_id": group, "members": [
            {"member_id": new_id, "group_instance_id": "inst-1"}]})
        assert r["error_code"] == kg.NONE and r["members"][0]["error_code"] == kg.NONE, r
        harness.wait_until(lambda: gu.describe(cluster, group)["state"] == "Empty", 10,
                           what="the group Empty")


def test_list_and_delete_groups(cluster):
    """ListGroups at every broker lists the groups it coordinates; DeleteGroups removes an
    Empty group with its offsets and refuses one with members."""
    busy, idle, topic = "gh-del-busy", "gh-del-idle", "gh-del-t"
    gu.create_topic(cluster, topic, 1)
    with gu.find_coordinator(cluster, idle).conn(20) as c:
        assert commit(c, idle, -1, "", [(topic, 0, 9)]) == {(topic, 0): kg.NONE}
    bc, member, _gen = stable_member(cluster, busy)
    with bc:
        listed = {}
        for b in cluster.brokers:
            with b.conn(20) as c:
                r = kg.group_request(c, kg.LIST_GROUPS, 4, {"states_filter": []})
                assert r["error_code"] == kg.NONE, r
                for g in r["groups"]:
                    assert g["group_id"] not in listed, "%s listed twice" % g["group_id"]
                    listed[g["group_id"]] = (g["protocol_type"], g["group_state"])
                r = kg.group_request(c, kg.LIST_GROUPS, 4, {"states_filter": ["Stable"]})
                assert all(g["group_state"] == "Stable" for g in r["groups"]), r
        assert listed[busy] == ("consumer", "Stable") and listed[idle] == ("", "Empty"), listed

        def delete(group):
            r = gu.coord_request(cluster, group, kg.DELETE_GROUPS, 2, {"groups_names": [group]})
            return r["results"][0]["error_code"]
        assert delete(busy) == kg.NON_EMPTY_GROUP
        assert delete(idle) == kg.NONE
        assert delete(idle) == kg.GROUP_ID_NOT_FOUND
        assert gu.committed(cluster, idle, topic, 1) == {0: -1}
        assert heartbeat(bc, busy, _gen, member) == kg.NONE


def test_session_and_rebalance_timeouts(cluster):
    """A member that stops heartbeating is removed after its session timeout; a member that
    does not rejoin a rebalance is removed after the rebalance timeout, and the round completes
    without it."""
    group = "gh-expire"
    c, member, gen = stable_member(cluster, group, session=2500)
    with c:
        t0 = time.monotonic()
        harness.wait_until(lambda: gu.describe(cluster, group)["state"] == "Empty", 20,
                           interval=0.1, what="the silent member expired")
        took = time.monotonic() - t0
        assert heartbeat(c, group, gen, member) == kg.UNKNOWN_MEMBER_ID
    assert 1.5 <= took <= 2.5 + 5, took
    group = "gh-rebalance-timeout"
    coord = gu.find_coordinator(cluster, group)
    a, member_a, gen = stable_member(cluster, group, session=10000, rebalance=3000)
    with a, coord.conn(30) as b:
        r = join(b, group, session=10000, rebalance=3000)
        assert r["error_code"] == kg.MEMBER_ID_REQUIRED, r
        t1 = time.monotonic()
        corr = kg.send(b, kg.JOIN_GROUP, 5, {
            "group_id": group, "session_timeout_ms": 10000, "rebalance_timeout_ms": 3000,
            "member_id": r["member_id"], "protocol_type": "consumer",
            "protocols": [{"name": "range", "metadata": meta()}]})
        # A keeps its session alive but never rejoins.
        harness.wait_until(lambda: heartbeat(a, group, gen, member_a) ==
                           kg.REBALANCE_IN_PROGRESS, 10, what="the rebalance announced")
        rb = kg.receive(b, kg.JOIN_GROUP, 5, corr, timeout=30)
        waited = time.monotonic() - t1
        assert rb["error_code"] == kg.NONE and rb["leader"] == rb["member_id"], rb
        assert [m["member_id"] for m in rb["members"]] == [rb["member_id"]], rb
        assert rb["generation_id"] > gen
        assert heartbeat(a, group, gen, member_a) == kg.UNKNOWN_MEMBER_ID
    assert 2.0 <= waited <= 3.0 + 5, waited
    harness.report_figure("groups hostile: a silent member (session 2.5 s) removed after "
                          "%.1f s; a member not rejoining (rebalance timeout 3 s) dropped "
                          "after %.1f s" % (took, waited))


def test_empty_group_id_where_kafka_takes_it(cluster):
    """OffsetCommit, OffsetFetch and DescribeGroups take an empty group id in Kafka
    (isValidGroupId: kept for old clients): the coordinator of "" stores and returns its
    offsets and describes it like any group."""
    topic = "gh-empty-id-t"
    gu.create_topic(cluster, topic, 1)
    with gu.find_coordinator(cluster, "").conn(20) as c:
        assert commit(c, "", -1, "", [(topic, 0, 42)], version=2) == {(topic, 0): kg.NONE}
    assert gu.committed(cluster, "", topic, 1, version=5) == {0: 42}
    d = gu.describe(cluster, "")
    assert d["state"] == "Empty" and d["members"] == [], d


def test_static_leader_rejoin_and_leave_by_instance(cluster):
    """KIP-814: a static leader that rejoins (JoinGroup v9) keeps the generation and is told
    to skip the assignment; KIP-345: LeaveGroup names a static member by instance id alone."""
    group = "gh-static-leader"
    coord = gu.find_coordinator(cluster, group)
    a, b, a2 = coord.conn(30), coord.conn(30), coord.conn(30)
    with a, b, a2:
        ra = join(a, group, version=9, instance="lead")
        assert ra["error_code"] == kg.NONE and ra["leader"] == ra["member_id"], ra
        assert sync(a, group, ra["generation_id"], ra["member_id"],
                    [(ra["member_id"], b"A")])["error_code"] == kg.NONE
        # A follower joins: the leader rejoins the round it starts.
        corr = kg.send(b, kg.JOIN_GROUP, 9, {
            "group_id": group, "session_timeout_ms": 10000, "rebalance_timeout_ms": 10000,
            "member_id": "", "group_instance_id": "follow", "protocol_type": "consumer",
            "protocols": [{"name": "range", "metadata": meta()}]})
        harness.wait_until(lambda: heartbeat(a, group, ra["generation_id"], ra["member_id"]) ==
                           kg.REBALANCE_IN_PROGRESS, 10, what="the rebalance announced")
        ra = join(a, group, member_id=ra["member_id"], version=9, instance="lead")
        rb = kg.receive(b, kg.JOIN_GROUP, 9, corr, timeout=30)
        gen = ra["generation_id"]
        assert ra["error_code"] == rb["error_code"] == kg.NONE and rb["generation_id"] == gen
        assert ra["leader"] == ra["member_id"] and not ra["skip_assignment"], ra
        corr = kg.send(b, kg.SYNC_GROUP, 5, {
            "group_id": group, "generation_id": gen, "member_id": rb["member_id"],
            "group_instance_id": "follow", "protocol_type": "consumer",
            "protocol_name": "range", "assignments": []})
        s = kg.group_request(a, kg.SYNC_GROUP, 5, {
            "group_id": group, "generation_id": gen, "member_id": ra["member_id"],
            "group_instance_id": "lead", "protocol_type": "consumer", "protocol_name": "range",
            "assignments": [{"member_id": ra["member_id"], "assignment": b"A"},
                            {"member_id": rb["member_id"], "assignment": b"B"}]})
        sb = kg.receive(b, kg.SYNC_GROUP, 5, corr)
        assert (s["error_code"], s["assignment"], s["protocol_name"]) == (kg.NONE, b"A", "range")
        assert (sb["error_code"], sb["assignment"]) == (kg.NONE, b"B"), sb
        # The leader's process restarts: same instance id, no member id.
        r2 = join(a2, group, version=9, instance="lead")
        assert r2["error_code"] == kg.NONE and r2["generation_id"] == gen, r2
        assert r2["member_id"] != ra["member_id"] and r2["leader"] == r2["member_id"], r2
        assert r2["skip_assignment"] is True, r2
        assert sorted(m["group_instance_id"] for m in r2["members"]) == ["follow", "lead"], r2
        assert heartbeat(b, group, gen, rb["member_id"], instance="follow") == kg.NONE
        s = sync(a2, group, gen, r2["member_id"])   # it keeps its assignment
        assert (s["error_code"], s["assignment"]) == (kg.NONE, b"A"), s
        # An administrator removes the follower by its instance id.
        r = kg.group_request(a2, kg.LEAVE_GROUP, 4, {"group_id": group, "members": [
            {"member_id": "", "group_instance_id": "follow"},
            {"member_id": "", "group_instance_id": "nobody"}]})
        assert r["error_code"] == kg.NONE, r
        assert [(m["group_instance_id"], m["error_code"]) for m in r["members"]] == \
            [("follow", kg.NONE), ("nobody", kg.UNKNOWN_MEMBER_ID)], r
        assert heartbeat(b, group, gen, rb["member_id"], instance="follow") == \
            kg.UNKNOWN_MEMBER_ID
        d = gu.describe(cluster, group)
        assert [m["instance_id"] for m in d["members"]] == ["lead"], d


def test_commit_leader_epoch_and_metadata(cluster):
    """OffsetCommit v6+ stores the leader epoch and the metadata string; OffsetFetch v5+ gives
    them back (null metadata comes back as "")."""
    group, topic = "gh-epoch", "gh-epoch-t"
    gu.create_topic(cluster, topic, 2)
    with gu.find_coordinator(cluster, group).conn(20) as c:
        r = kg.group_request(c, kg.OFFSET_COMMIT, 8, {
            "group_id": group, "generation_id": -1, "member_id": "",
            "topics": [{"name": topic, "partitions": [
                {"partition_index": 0, "committed_offset": 11, "committed_leader_epoch": 7,
                 "committed_metadata": "hello"},
                {"partition_index": 1, "committed_offset": 12, "committed_metadata": None}]}]})
        assert [p["error_code"] for p in r["topics"][0]["partitions"]] == [kg.NONE, kg.NONE]
    for v in (5, 8):
        vals = ({"groups": [{"group_id": group, "topics": None}]} if v >= 8 else
                {"group_id": group, "topics": None})
        r = gu.coord_request(cluster, group, kg.OFFSET_FETCH, v, vals)
        topics = r["groups"][0]["topics"] if v >= 8 else r["topics"]
        got = {(t["name"], p["partition_index"]): (p["committed_offset"],
                                                   p["committed_leader_epoch"], p["metadata"])
               for t in topics for p in t["partitions"]}
        assert got == {(topic, 0): (11, 7, "hello"), (topic, 1): (12, -1, "")}, (v, got)


def offsets_log_bytes(broker, partition):
    d = os.path.join(broker.workdir, "data", "__consumer_offsets-%d" % partition)
    return sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d) if f.endswith(".log"))


def test_offsets_replayed_from_a_compacted_log(cluster):
    """3,000 commits of one partition (~150 bytes each) fill __consumer_offsets segments of
    16 KiB; the cleaner compacts them; a kill -9 of the coordinator makes another broker
    replay the compacted partition: OffsetFetch returns the last commit."""
    group, topic, n = "gh-compact", "gh-compact-t", 3000
    gu.create_topic(cluster, topic, 1)
    part = kg.offsets_partition(group, gu.OFFSETS_PARTITIONS)
    coord = gu.find_coordinator(cluster, group)
    with coord.conn(30) as c:
        for start in range(0, n, 100):   # pipelined, 100 at a time
            corrs = [kg.send(c, kg.OFFSET_COMMIT, 2, {
                "group_id": group, "generation_id": -1, "member_id": "",
                "topics": [{"name": topic, "partitions": [{
                    "partition_index": 0, "committed_offset": i,
                    "committed_metadata": "m%06d" % i + "." * 80}]}]})
                for i in range(start + 1, start + 101)]
            for corr in corrs:
                r = kg.receive(c, kg.OFFSET_COMMIT, 2, corr)
                assert r["topics"][0]["partitions"][0]["error_code"] == kg.NONE, r
    # Each commit is a batch of > 100 bytes (61 of header, 87 of metadata): uncompacted, the
    # partition holds more than n * 100 bytes; the cleaner may have started meanwhile.
    written = n * 100
    harness.wait_until(lambda: offsets_log_bytes(coord, part) < written / 4, 60, interval=0.5,
                       what="__consumer_offsets-%d compacted below %d bytes" % (part, written / 4))
    compacted = offsets_log_bytes(coord, part)
    coord.kill9()
    t0 = time.monotonic()
    r = gu.coord_request(cluster, group, kg.OFFSET_FETCH, 5, {
        "group_id": group, "topics": [{"name": topic, "partition_indexes": [0]}]})
    p = r["topics"][0]["partitions"][0]
    assert (p["error_code"], p["committed_offset"], p["metadata"]) == \
        (kg.NONE, n, "m%06d" % n + "." * 80), p
    harness.report_figure("groups hostile: %d commits (> %d bytes), __consumer_offsets-%d "
                          "compacted to %d bytes, replayed by a new coordinator in %.1f s"
                          % (n, written, part, compacted, time.monotonic() - t0))
    coord.restart(cluster.kz)
