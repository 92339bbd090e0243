"""Transactions end to end with real clients (issue 13), one 3-broker cluster (ids 741-743,
chroot /kb-txn, own ZooKeeper with tick 500 ms, broker sessions 4 s;
transaction.state.log.replication.factor 3, min.isr 2, 10 partitions, timed-out transactions
looked for every second; offsets.topic.replication.factor 3). Clients are confluent-kafka
(librdkafka); transaction state is checked from the outside with raw FindCoordinator
(key_type 1), DescribeTransactions, ListTransactions and ListOffsets (ktxn codec).

1. the exactly-once checker catches a lost, a duplicated, an unknown and a mis-transformed
   record (on doctored lists);
2. aborted transactions: their records are invisible to read_committed and visible to
   read_uncommitted; an open transaction holds the LSO (ListOffsets read_committed) at its
   first offset and read_committed readers stop there; committing moves the LSO to the end;
3. DescribeTransactions / ListTransactions show an Empty, then Ongoing (with its partitions),
   then CompleteCommit transaction; filters by state, producer id and duration; an unknown
   state filter is reported; an unknown id is TRANSACTIONAL_ID_NOT_FOUND;
4. zombie fencing: producer A (a process) opens a transaction and is SIGSTOPped; producer B
   initialises the same transactional id and commits; A, resumed, is fenced and nothing of A
   is visible to read_committed, nor is its post-fencing half in the log at all;
5. a hanging transaction (its producer killed -9, transaction.timeout.ms 5 s) is aborted by
   the coordinator and the LSO moves past it: time measured and bounded;
6. an open transaction survives kill -9 of its coordinator's broker: the new coordinator
   describes it unchanged and the producer's commit succeeds there;
7. the raw protocol (InitProducerId, AddPartitionsToTxn, Produce, EndTxn by hand): KIP-890
   part 1 verification, the LSO, retried and wrong EndTxn, fencing of an old epoch, with the
   error codes Kafka 3.9 answers;
8. transactional offset commits (by hand): pending until the commit marker (OffsetFetch shows
   the old offsets, UNSTABLE_OFFSET_COMMIT with require_stable), dropped by an abort;
9. consume-transform-produce (tests/clients/txn_ctp.py, supervised) with kill -9 of the
   transaction coordinator's broker, of an input partition leader and of an output partition
   leader (each restarted after 3 s) and of the worker itself (restarted), every 7th
   transaction aborted on purpose after its records reached the log: a read_committed reader
   of the output sees every input record transformed exactly once (the aborted copies are in
   the log, hidden), and the group's committed offsets reach the input's ends.

KB_GROUPS_PEER=kafka runs the same tests against Apache Kafka 3.9.1 (see groups_util).
"""

import os
import signal
import time

import pytest

import clients_jvm_go as cj
import groups_util as gu
import harness
import kgroup
import ktxn
import txn_util as tu
from conftest import own_zookeeper

IDS = [741, 742, 743]
FENCED = ("_FENCED", "PRODUCER_FENCED", "INVALID_PRODUCER_EPOCH")


@pytest.fixture(scope="module")
def txn_zk(tmp_path_factory):
    yield from own_zookeeper(tmp_path_factory, "zk-txn", tick_ms=500)


@pytest.fixture(scope="module")
def cluster(txn_zk, tmp_path_factory):
    yield from gu.group_cluster(tmp_path_factory, txn_zk, "kb-txn", IDS, config=tu.TXN_CONFIG)


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
    # Fails at once, naming the error, where transactions are not served at all.
    ktxn.find_txn_coordinator(cluster, "kb-txn-probe")


@pytest.fixture
def procs():
    """Client processes a test starts; whatever still runs at its end is killed."""
    out = []
    yield out
    for p in out:
        if p.alive():
            try:
                os.kill(p.pid, signal.SIGCONT)
            except OSError:
                pass
            p.kill9()


def txn_producer(cluster, tmp_path, name, topic, txn_id, **kw):
    argv = [tu.PY, tu.TXN_PRODUCER, "--bootstrap", cluster.bootstrap(), "--topic", topic,
            "--txn-id", txn_id]
    for k, v in kw.items():
        argv += ["--" + k.replace("_", "-"), str(v)]
    return cj.start_client(name, argv, tmp_path)


def wait_line(proc, prefix, timeout=60):
    def found():
        hit = [ln for ln in proc.lines() if ln.startswith(prefix)]
        if not hit:
            assert proc.alive(), "%s exited: %s" % (proc.name, cj.describe(proc.result()))
        return hit
    try:
        return harness.wait_until(found, timeout, interval=0.1, what=prefix)[0]
    except TimeoutError:
        raise AssertionError("%s: no %r line in %ss: %s\n%s" % (
            proc.name, prefix, timeout, proc.lines()[-5:], proc.log_tail(20))) from None


def txn_config(cluster, txn_id, **kw):
    cfg = {"bootstrap.servers": cluster.bootstrap(), "transactional.id": txn_id,
           "linger.ms": 0}
    cfg.update(kw)
    return cfg


def test_checker_detects_loss_duplicates_and_corruption():
    inputs = {(0, 0): b"a", (0, 1): b"b", (1, 0): b"c"}
    good = [(b"0:0", b"T:a"), (b"1:0", b"T:c"), (b"0:1", b"T:b")]
    assert tu.check_exactly_once(inputs, good) == tu.CLEAN
    assert tu.check_exactly_once(inputs, good[:2])["missing"] == [(0, 1)]
    assert tu.check_exactly_once(inputs, good + [good[1]])["duplicates"] == [(1, 0)]
    assert tu.check_exactly_once(inputs, good + [(b"2:0", b"T:x")])["unexpected"] == [(2, 0)]
    bad = [(b"0:0", b"T:a"), (b"1:0", b"T:b"), (b"0:1", b"T:b")]
    assert tu.check_exactly_once(inputs, bad)["wrong_value"] == [(1, 0)]


def test_aborted_invisible_to_read_committed(cluster):
    from confluent_kafka import Producer
    topic, n = "tx-abort", 2
    gu.create_topic(cluster, topic, n)
    p = Producer(txn_config(cluster, "tx-abort-1"))
    p.init_transactions(60)
    p.begin_transaction()
    for i in range(20):
        p.produce(topic, value=b"a-%d" % i, partition=i % n)
    assert p.flush(30) == 0
    p.abort_transaction(30)
    p.begin_transaction()
    for i in range(20):
        p.produce(topic, value=b"c-%d" % i, partition=i % n)
    p.commit_transaction(30)
    # Left open: its records are in the log, beyond the LSO.
    p.begin_transaction()
    for i in range(6):
        p.produce(topic, value=b"o-%d" % i, partition=i % n)
    assert p.flush(30) == 0

    rc = tu.read_topic(cluster.bootstrap(), topic, n, committed=True)
    ru = tu.read_topic(cluster.bootstrap(), topic, n, committed=False)
    assert sorted(tu.values(rc)) == sorted(b"c-%d" % i for i in range(20)), tu.values(rc)
    assert sorted(tu.values(ru)) == sorted([b"a-%d" % i for i in range(20)] +
                                           [b"c-%d" % i for i in range(20)] +
                                           [b"o-%d" % i for i in range(6)]), tu.values(ru)
    for part in range(n):
        first_open = min(o for q, o, _k, v in ru if q == part and v.startswith(b"o-"))
        last = max(o for q, o, _k, _v in ru if q == part)
        # Control batches (abort and commit markers) take offsets: the log is not dense.
        data = [o for q, o, _k, _v in ru if q == part]
        assert len(data) < last + 1, (part, data)
        assert ktxn.latest_offset(cluster, topic, part, ktxn.READ_COMMITTED) == first_open
        assert ktxn.latest_offset(cluster, topic, part, ktxn.READ_UNCOMMITTED) == last + 1
    p.commit_transaction(30)
    rc = tu.read_topic(cluster.bootstrap(), topic, n, committed=True)
    assert sorted(tu.values(rc)) == sorted([b"c-%d" % i for i in range(20)] +
                                           [b"o-%d" % i for i in range(6)])
    for part in range(n):
        hw = ktxn.latest_offset(cluster, topic, part, ktxn.READ_UNCOMMITTED)
        harness.wait_until(lambda: ktxn.latest_offset(cluster, topic, part,
                                                      ktxn.READ_COMMITTED) == hw, 20,
                           what="LSO of partition %d at the end after the commit" % part)


def test_describe_and_list_transactions(cluster):
    from confluent_kafka import Producer
    topic, tid = "tx-describe", "tx-describe-1"
    gu.create_topic(cluster, topic, 2)
    p = Producer(txn_config(cluster, tid, **{"transaction.timeout.ms": 45000}))
    p.init_transactions(60)
    d = ktxn.describe_transaction(cluster, tid)
    assert d["error_code"] == ktxn.NONE and d["transaction_state"] == "Empty", d
    assert d["transaction_timeout_ms"] == 45000 and d["topics"] == [], d
    pid, epoch = d["producer_id"], d["producer_epoch"]
    assert pid >= 0 and epoch >= 0, d
    t_begin = time.time() * 1000
    p.begin_transaction()
    for part in (0, 1):
        p.produce(topic, value=b"d", partition=part)
    assert p.flush(30) == 0
    d = ktxn.describe_transaction(cluster, tid)
    assert d["transaction_state"] == "Ongoing" and d["producer_id"] == pid, d
    assert d["producer_epoch"] == epoch, d
    assert [(t["topic"], sorted(t["partitions"])) for t in d["topics"]] == [(topic, [0, 1])]
    assert t_begin - 5000 <= d["transaction_start_time_ms"] <= time.time() * 1000 + 5000, d

    listed, unknown = ktxn.list_transactions(cluster)
    assert listed.get(tid) == (pid, "Ongoing") and unknown == [], listed
    assert tid in ktxn.list_transactions(cluster, states=["Ongoing"])[0]
    assert tid not in ktxn.list_transactions(cluster, states=["CompleteCommit"])[0]
    assert tid in ktxn.list_transactions(cluster, pids=[pid])[0]
    assert tid not in ktxn.list_transactions(cluster, pids=[pid + 100000])[0]
    # v1 DurationFilter: only transactions running longer than that.
    assert tid not in ktxn.list_transactions(cluster, duration_ms=3600 * 1000)[0]
    assert tid in ktxn.list_transactions(cluster, duration_ms=0)[0]
    _, unknown = ktxn.list_transactions(cluster, states=["Ongoing", "NoSuchState"])
    assert unknown == ["NoSuchState"], unknown
    assert tid in ktxn.list_transactions(cluster, version=0)[0]

    p.commit_transaction(30)

    def committed():
        d = ktxn.describe_transaction(cluster, tid)
        return d if d["transaction_state"] == "CompleteCommit" else None
    d = harness.wait_until(committed, 20, interval=0.2, what="CompleteCommit")
    assert d["topics"] == [] and d["producer_id"] == pid, d
    assert ktxn.list_transactions(cluster, states=["CompleteCommit"])[0].get(tid) == \
        (pid, "CompleteCommit")
    d = ktxn.describe_transaction(cluster, "tx-never-used")
    assert d["error_code"] == ktxn.TRANSACTIONAL_ID_NOT_FOUND, d


def test_zombie_producer_is_fenced(cluster, tmp_path, procs):
    from confluent_kafka import Producer
    topic, tid = "tx-zombie", "tx-zombie-1"
    gu.create_topic(cluster, topic, 1)
    go = str(tmp_path / "go")
    a = txn_producer(cluster, tmp_path, "zombie-a", topic, tid, count=10, tag="z", go_file=go)
    procs.append(a)
    assert wait_line(a, "produced") == "produced 10 left=0"
    epoch_a = ktxn.describe_transaction(cluster, tid)["producer_epoch"]
    os.kill(a.pid, signal.SIGSTOP)
    try:
        b = Producer(txn_config(cluster, tid))
        t0 = time.monotonic()
        b.init_transactions(60)     # bumps the epoch; A's open transaction is aborted
        t_init = time.monotonic() - t0
        b.begin_transaction()
        for i in range(10):
            b.produce(topic, value=b"b-%d" % i, partition=0)
        b.commit_transaction(30)
        d = ktxn.describe_transaction(cluster, tid)
        assert d["producer_epoch"] > epoch_a, (epoch_a, d)
    finally:
        os.kill(a.pid, signal.SIGCONT)
    with open(go, "w"):
        pass
    res = wait_line(a, "result", 90).split()
    assert res[:2] == ["result", "error"], res
    if res[2] == "_FATAL":
        # the fencing Produce answer came back before commit_transaction, which then reports
        # only that the instance is in a fatal state: the cause is in the error callback
        cause = [ln.split() for ln in a.lines() if ln.startswith("client-error ")]
        assert any(c[1] in FENCED and c[2] == "fatal=1" for c in cause), (res, cause)
    else:
        assert res[2] in FENCED and res[3] == "fatal=1", res
    harness.report_figure("txn: zombie fenced: InitProducerId of the new instance took %.1fs "
                          "(aborting the zombie's transaction); zombie got %s" %
                          (t_init, res[2]))
    rc = tu.values(tu.read_topic(cluster.bootstrap(), topic, 1, committed=True))
    assert rc == [b"b-%d" % i for i in range(10)], rc
    ru = tu.values(tu.read_topic(cluster.bootstrap(), topic, 1, committed=False))
    assert sorted(ru) == sorted([b"z-%d" % i for i in range(10)] +
                                [b"b-%d" % i for i in range(10)]), ru


def test_hanging_transaction_aborted_lso_advances(cluster, tmp_path, procs):
    from confluent_kafka import Producer
    topic, tid, timeout_ms = "tx-hang", "tx-hang-1", 5000
    gu.create_topic(cluster, topic, 1)
    h = txn_producer(cluster, tmp_path, "hanging", topic, tid, count=10, tag="h",
                     txn_timeout_ms=timeout_ms)
    procs.append(h)
    t_start = time.monotonic()   # the transaction starts with its first AddPartitionsToTxn
    assert wait_line(h, "produced") == "produced 10 left=0"
    plain = Producer({"bootstrap.servers": cluster.bootstrap(), "acks": "all"})
    for i in range(5):
        plain.produce(topic, value=b"p-%d" % i, partition=0)
    assert plain.flush(30) == 0
    h.kill9()
    t_kill = time.monotonic()
    hw = ktxn.latest_offset(cluster, topic, 0, ktxn.READ_UNCOMMITTED)
    assert hw in (15, 16), hw        # 16: already aborted (the abort marker), on a slow run
    lso = ktxn.latest_offset(cluster, topic, 0, ktxn.READ_COMMITTED)
    assert lso == 0 or time.monotonic() - t_start > timeout_ms / 1000.0, lso
    seen = []

    def advanced():
        seen.append(ktxn.latest_offset(cluster, topic, 0, ktxn.READ_COMMITTED))
        return seen[-1] > 15
    harness.wait_until(advanced, 60, interval=0.1, what="the LSO past the hanging transaction")
    t_adv = time.monotonic()
    harness.report_figure("txn: hanging transaction (transaction.timeout.ms %d, cleanup every "
                          "1 s): LSO advanced %.1fs after the transaction began, %.1fs after "
                          "its producer was killed -9" % (timeout_ms, t_adv - t_start,
                                                          t_adv - t_kill))
    assert t_adv - t_start < timeout_ms / 1000.0 + 15, (t_adv - t_start, seen[:3], seen[-3:])
    assert seen[0] == 0 or seen[0] > 15, seen[:3]      # never part-way into the transaction
    assert ktxn.latest_offset(cluster, topic, 0, ktxn.READ_UNCOMMITTED) == seen[-1]
    rc = tu.values(tu.read_topic(cluster.bootstrap(), topic, 1, committed=True))
    assert rc == [b"p-%d" % i for i in range(5)], rc
    d = ktxn.describe_transaction(cluster, tid)
    assert d["transaction_state"] == "CompleteAbort", d



def test_coordinator_failover_keeps_open_transaction(cluster):
    """An Ongoing transaction survives kill -9 of its coordinator's broker: the new
    coordinator (another broker, from the replicated __transaction_state) describes it with
    the same producer id, epoch, partitions, start time and timeout; the producer's commit
    then succeeds there and read_committed readers see the records."""
    from confluent_kafka import Producer
    topic, tid, n = "tx-failover", "tx-failover-1", 2
    gu.create_topic(cluster, topic, n)
    p = Producer(txn_config(cluster, tid, **{"transaction.timeout.ms": 60000}))
    p.init_transactions(60)
    p.begin_transaction()
    for i in range(10):
        p.produce(topic, value=b"f-%d" % i, partition=i % n)
    assert p.flush(30) == 0
    before = ktxn.describe_transaction(cluster, tid)
    assert before["transaction_state"] == "Ongoing", before
    coord = ktxn.find_txn_coordinator(cluster, tid)
    coord.kill9()
    t_kill = time.monotonic()
    new = ktxn.find_txn_coordinator(cluster, tid, timeout=90, avoid=coord.broker_id)
    after = ktxn.describe_transaction(cluster, tid, timeout=90)
    t_new = time.monotonic() - t_kill
    assert new.broker_id != coord.broker_id
    for k in ("transaction_state", "producer_id", "producer_epoch", "transaction_timeout_ms",
              "transaction_start_time_ms"):
        assert after[k] == before[k], (k, before, after)
    assert sorted((t["topic"], sorted(t["partitions"])) for t in after["topics"]) == \
        [(topic, list(range(n)))], after
    t0 = time.monotonic()
    p.commit_transaction(90)
    t_commit = time.monotonic() - t0
    harness.report_figure("txn: coordinator %d killed -9 with an open transaction: broker %d "
                          "described it %.1fs later; the producer's commit took %.1fs" %
                          (coord.broker_id, new.broker_id, t_new, t_commit))
    rc = tu.values(tu.read_topic(cluster.bootstrap(), topic, n, committed=True))
    assert sorted(rc) == sorted(b"f-%d" % i for i in range(10)), rc
    d = ktxn.describe_transaction(cluster, tid)
    assert d["transaction_state"] == "CompleteCommit" and d["producer_epoch"] == \
        before["producer_epoch"], d
    coord.restart(cluster.kz)

def test_raw_transaction_protocol(cluster):
    """InitProducerId v4, AddPartitionsToTxn v3, a transactional Produce v7 and EndTxn by
    hand, with Kafka 3.9's answers: a transactional batch for a partition not yet added to the
    transaction is INVALID_TXN_STATE and appends nothing (KIP-890 part 1 verification); once
    added it is appended and held back by the LSO until EndTxn commits (the marker takes one
    offset); EndTxn commit again is NONE, abort after the commit INVALID_TXN_STATE; after a new
    InitProducerId (same id, epoch + 1) the old epoch is fenced: EndTxn v0-1
    INVALID_PRODUCER_EPOCH, v2+ PRODUCER_FENCED, AddPartitionsToTxn PRODUCER_FENCED, Produce
    INVALID_PRODUCER_EPOCH."""
    topic, tid, part = "tx-raw", "tx-raw-1", 0
    gu.create_topic(cluster, topic, 1)
    retriable = ktxn.COORD_RETRIABLE + (ktxn.CONCURRENT_TRANSACTIONS,)

    def init():
        r = ktxn.coord_call(cluster, tid, ktxn.INIT_PRODUCER_ID, 4, {
            "transactional_id": tid, "transaction_timeout_ms": 30000}, retriable=retriable)
        assert r["error_code"] == ktxn.NONE and r["producer_id"] >= 0, r
        return r["producer_id"], r["producer_epoch"]

    def add(pid, epoch):
        r = ktxn.coord_call(cluster, tid, ktxn.ADD_PARTITIONS_TO_TXN, 3, {
            "v3_and_below_transactional_id": tid, "v3_and_below_producer_id": pid,
            "v3_and_below_producer_epoch": epoch,
            "v3_and_below_topics": [{"name": topic, "partitions": [part]}]})
        res = r["results_by_topic_v3_and_below"]
        assert [t["name"] for t in res] == [topic], r
        return [(p["partition_index"], p["partition_error_code"])
                for p in res[0]["results_by_partition"]]

    def end(pid, epoch, commit, version=3):
        return ktxn.coord_call(cluster, tid, ktxn.END_TXN, version, {
            "transactional_id": tid, "producer_id": pid, "producer_epoch": epoch,
            "committed": commit}, retriable=retriable)["error_code"]

    def offsets():
        return (ktxn.latest_offset(cluster, topic, part, ktxn.READ_COMMITTED),
                ktxn.latest_offset(cluster, topic, part, ktxn.READ_UNCOMMITTED))

    pid, epoch = init()
    batch = ktxn.txn_batch(pid, epoch, 0, [b"x0", b"x1"])
    leader = ktxn.partition_leader(cluster, topic, part)
    with leader.conn(20) as c:
        assert ktxn.produce_v7(c, tid, topic, part, batch)[0] == ktxn.INVALID_TXN_STATE
    assert offsets() == (0, 0)
    assert add(pid, epoch) == [(part, ktxn.NONE)]
    with leader.conn(20) as c:
        assert ktxn.produce_v7(c, tid, topic, part, batch) == (ktxn.NONE, 0)
    assert offsets() == (0, 2)
    d = ktxn.describe_transaction(cluster, tid)
    assert d["transaction_state"] == "Ongoing" and d["topics"] == [
        {"topic": topic, "partitions": [part]}], d
    assert end(pid, epoch, True) == ktxn.NONE
    harness.wait_until(lambda: offsets() == (3, 3), 20, interval=0.1,
                       what="LSO and high watermark past the commit marker")
    assert end(pid, epoch, True) == ktxn.NONE                 # a retried commit
    assert end(pid, epoch, False) == ktxn.INVALID_TXN_STATE   # abort after commit
    pid2, epoch2 = init()
    assert (pid2, epoch2) == (pid, epoch + 1)
    assert [end(pid, epoch, True, v) for v in range(4)] == [ktxn.INVALID_PRODUCER_EPOCH] * 2 + \
        [ktxn.PRODUCER_FENCED] * 2
    assert add(pid, epoch) == [(part, ktxn.PRODUCER_FENCED)]
    with leader.conn(20) as c:
        err, _ = ktxn.produce_v7(c, tid, topic, part, ktxn.txn_batch(pid, epoch, 2, [b"y"]))
    assert err == ktxn.INVALID_PRODUCER_EPOCH
    assert offsets() == (3, 3)
    assert tu.values(tu.read_topic(cluster.bootstrap(), topic, 1)) == [b"x0", b"x1"]



def test_txn_offset_commit_pending_until_commit(cluster):
    """Offsets committed in a transaction (AddOffsetsToTxn + TxnOffsetCommit v3, by hand) are
    pending: OffsetFetch shows the previous committed offsets, and with require_stable (v7+)
    the partitions answer UNSTABLE_OFFSET_COMMIT; a group the transaction did not add is
    INVALID_TXN_STATE; EndTxn commit makes the offsets visible; offsets of an aborted
    transaction never are."""
    topic, tid, group = "tx-offsets", "tx-offsets-1", "tx-offsets-grp"
    gu.create_topic(cluster, topic, 2)
    retriable = ktxn.COORD_RETRIABLE + (ktxn.CONCURRENT_TRANSACTIONS,)

    def txn_call(api, values):
        values = dict(values, transactional_id=tid)
        r = ktxn.coord_call(cluster, tid, api, 3, values, retriable=retriable)
        return r["error_code"]

    def txn_commit(grp, offsets, pid, epoch):
        r = gu.coord_request(cluster, grp, ktxn.TXN_OFFSET_COMMIT, 3, {
            "transactional_id": tid, "group_id": grp, "producer_id": pid,
            "producer_epoch": epoch, "topics": [{"name": topic, "partitions": [
                {"partition_index": p, "committed_offset": o} for p, o in offsets.items()]}]})
        return {x["partition_index"]: x["error_code"] for x in r["topics"][0]["partitions"]}

    def fetch(stable, version=8):
        want = [{"name": topic, "partition_indexes": [0, 1]}]
        if version >= 8:
            r = gu.coord_request(cluster, group, kgroup.OFFSET_FETCH, version, {
                "groups": [{"group_id": group, "topics": want}], "require_stable": stable})
            assert r["groups"][0]["error_code"] == ktxn.NONE, r
            parts = r["groups"][0]["topics"][0]["partitions"]
        else:
            r = gu.coord_request(cluster, group, kgroup.OFFSET_FETCH, version, {
                "group_id": group, "topics": want, "require_stable": stable})
            parts = r["topics"][0]["partitions"]
        return {x["partition_index"]: (x["committed_offset"], x["error_code"]) for x in parts}

    r = ktxn.coord_call(cluster, tid, ktxn.INIT_PRODUCER_ID, 4, {
        "transactional_id": tid, "transaction_timeout_ms": 30000}, retriable=retriable)
    pid, epoch = r["producer_id"], r["producer_epoch"]
    ids = {"producer_id": pid, "producer_epoch": epoch}
    r = gu.coord_request(cluster, group, kgroup.OFFSET_COMMIT, 8, {
        "group_id": group, "generation_id": -1, "member_id": "", "topics": [
            {"name": topic, "partitions": [{"partition_index": 0, "committed_offset": 3}]}]})
    assert r["topics"][0]["partitions"][0]["error_code"] == ktxn.NONE, r

    assert txn_call(ktxn.ADD_OFFSETS_TO_TXN, dict(ids, group_id=group)) == ktxn.NONE
    assert txn_commit(group, {0: 7, 1: 5}, pid, epoch) == {0: ktxn.NONE, 1: ktxn.NONE}
    assert txn_commit("tx-offsets-other", {0: 7}, pid, epoch) == {0: ktxn.INVALID_TXN_STATE}
    nothing_new = {0: (3, ktxn.NONE), 1: (-1, ktxn.NONE)}
    assert fetch(False) == nothing_new
    unstable = {0: (-1, ktxn.UNSTABLE_OFFSET_COMMIT), 1: (-1, ktxn.UNSTABLE_OFFSET_COMMIT)}
    assert fetch(True) == unstable and fetch(True, version=7) == unstable
    assert fetch(True, version=6) == nothing_new        # v6 has no RequireStable

    assert txn_call(ktxn.END_TXN, dict(ids, committed=True)) == ktxn.NONE
    harness.wait_until(lambda: fetch(True) == {0: (7, ktxn.NONE), 1: (5, ktxn.NONE)}, 20,
                       interval=0.1, what="the transaction's offsets committed")

    assert txn_call(ktxn.ADD_OFFSETS_TO_TXN, dict(ids, group_id=group)) == ktxn.NONE
    assert txn_commit(group, {0: 9}, pid, epoch) == {0: ktxn.NONE}
    assert txn_call(ktxn.END_TXN, dict(ids, committed=False)) == ktxn.NONE
    harness.wait_until(lambda: fetch(True)[0][1] == ktxn.NONE, 20, interval=0.1,
                       what="no offsets pending after the abort")
    assert fetch(True) == {0: (7, ktxn.NONE), 1: (5, ktxn.NONE)}

def test_ctp_exactly_once_with_kills(cluster, tmp_path, procs):
    src, dst, group, tid, n = "ctp-in", "ctp-out", "ctp-group", "ctp-txn", 3
    gu.create_topic(cluster, src, n)
    gu.create_topic(cluster, dst, n)
    feeder = gu.Feeder(cluster.bootstrap(), src, n, rate=100).start()
    sup = tu.Supervisor(tmp_path, cluster.bootstrap(), src, dst, group, tid, batch=50,
                        abort_every=7)
    kills = []
    try:
        sup.start()
        procs.extend(sup.procs)
        sup.wait_commits(3, 90, "first transactions")

        def cycle(what, broker):
            t0 = time.monotonic()
            broker.kill9()
            time.sleep(3)
            broker.restart(cluster.kz)
            sup.wait_commits(3, 120, "progress after killing the %s (%d)" %
                             (what, broker.broker_id))
            procs.extend(p for p in sup.procs if p not in procs)
            kills.append("%s %d: %.1fs" % (what, broker.broker_id, time.monotonic() - t0))
        cycle("txn coordinator", ktxn.find_txn_coordinator(cluster, tid))
        cycle("input leader", ktxn.partition_leader(cluster, src, 0))
        cycle("output leader", ktxn.partition_leader(cluster, dst, 1))
        harness.wait_until(lambda: len(feeder.delivered) >= 2000, 60,
                           what="2,000 input records")
        # The worker itself, mid-run: its successor's init_transactions aborts what it left.
        t0 = time.monotonic()
        sup.current.kill9()
        sup.wait_commits(3, 120, "progress after killing the worker")
        procs.extend(p for p in sup.procs if p not in procs)
        kills.append("worker: %.1fs" % (time.monotonic() - t0))
    finally:
        feeder.stop()
    inputs = {(p, o): v for p, o, _k, v in tu.read_topic(cluster.bootstrap(), src, n,
                                                         committed=False)}
    ends = {p: 1 + max([o for q, o in inputs if q == p], default=-1) for p in range(n)}

    def all_done():
        sup.check()
        return gu.committed(cluster, group, src, n) == ends
    harness.wait_until(all_done, 120, interval=0.5, what="the worker's offsets at the end")
    procs.extend(p for p in sup.procs if p not in procs)
    sup.stop()
    out = tu.read_topic(cluster.bootstrap(), dst, n, committed=True)
    raw = tu.read_topic(cluster.bootstrap(), dst, n, committed=False)
    aborts = sup.lines("txn-abort")
    harness.report_figure("txn: consume-transform-produce, %d input records, %d transactions "
                          "committed, %d aborted, %d worker starts, %d output records in "
                          "aborted transactions (hidden); kill -9 to 3 commits after: %s" %
                          (len(inputs), sup.commits(), len(aborts), len(sup.procs),
                           len(raw) - len(out), "; ".join(kills)))
    r = tu.check_exactly_once(inputs, [(k, v) for _p, _o, k, v in out])
    assert r == tu.CLEAN, ({k: v[:10] for k, v in r.items()}, aborts[:5])
    assert len(out) == len(inputs) >= 2000
    # Every 7th transaction was aborted after its records reached the log: they are there,
    # hidden from read_committed.
    assert len([a for a in aborts if a.endswith("deliberate")]) >= 3, aborts
    assert len(raw) > len(out), (len(raw), len(out))
