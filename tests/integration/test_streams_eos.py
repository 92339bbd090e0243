"""Kafka Streams exactly_once_v2 (issue 13): the word count of tests/clients/java
(WordCount.java: flatMapValues -> groupBy word -> count() in a state store -> output topic,
through Streams' own repartition and changelog topics) on one 3-broker cluster (ids 751-753,
chroot /kb-seos, own ZooKeeper with tick 500 ms, broker sessions 4 s; the transaction and
offsets topics replicated 3 times, min.isr 2; default.replication.factor 3 for Streams' own
topics). Settings: processing.guarantee exactly_once_v2, commit.interval.ms 500, no record
cache (every count update is sent), session.timeout.ms 6000, transaction.timeout.ms 5000.

A known stream of 2,400 lines goes in, in three parts:
1. the first third; counted;
2. the second third over 4 s; 1 s into it the broker coordinating the application's group is
   killed -9 (restarted 3 s later);
3. the last third over 3 s; once an output partition has records past its LSO (a Streams
   transaction is open and has written there: ListOffsets read_uncommitted vs read_committed)
   the Streams JVM is killed -9 and started again (same application id and state directory):
   those records are aborted.
The output topic is read read_committed throughout: no count is ever above the truth, and at
the end, read from the beginning, every word's counts are exactly 1, 2, ..., its number of
occurrences, in order (a record processed twice would repeat or skip a count; a lost one
would stop short). The JVM starts twice in all.

KB_GROUPS_PEER=kafka runs the same test against Apache Kafka 3.9.1 (see groups_util).
"""

import collections
import random
import re
import threading
import time

import pytest

import clients_jvm_go as cj
import groups_util as gu
import harness
import kgroup
import ktxn
import txn_util as tu
from conftest import own_zookeeper

IDS = [751, 752, 753]
PARTITIONS = 4
needs_java = pytest.mark.skipif(cj.java_skip() is not None, reason=str(cj.java_skip()))


@pytest.fixture(scope="module")
def seos_zk(tmp_path_factory):
    yield from own_zookeeper(tmp_path_factory, "zk-seos", tick_ms=500)


@pytest.fixture(scope="module")
def cluster(seos_zk, tmp_path_factory):
    yield from gu.group_cluster(tmp_path_factory, seos_zk, "kb-seos", IDS, config=tu.TXN_CONFIG)


def words_of(line):
    return [w for w in re.split(r"\W+", line.lower()) if w]


class OutputReader:
    """A read_committed reader of the word count's output: every (word, count) in order."""

    def __init__(self, bootstrap, topic, truth):
        from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
        self.c = Consumer({"bootstrap.servers": bootstrap, "group.id": "kb-seos-reader",
                           "enable.auto.commit": False, "isolation.level": "read_committed"})
        self.c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(PARTITIONS)])
        self.truth = truth
        self.seq = collections.defaultdict(list)

    def latest(self):
        return {w: s[-1] for w, s in self.seq.items()}

    def poll_until(self, want, timeout, alive):
        deadline = time.monotonic() + timeout
        while self.latest() != want:
            alive()
            assert time.monotonic() < deadline, "counts after %.0fs differ: %s" % (
                timeout, {w: (self.latest().get(w), want.get(w))
                          for w in set(self.latest()) | set(want)
                          if self.latest().get(w) != want.get(w)})
            m = self.c.poll(0.3)
            if m is None or m.error():
                continue
            w, n = m.key().decode(), int.from_bytes(m.value(), "big", signed=True)
            assert n <= self.truth.get(w, 0), "word %r counted %d, only %d occurrences in " \
                "the whole input (records processed twice)" % (w, n, self.truth.get(w, 0))
            self.seq[w].append(n)

    def close(self):
        self.c.close()


def open_output_txn(cluster, topic, seconds):
    """Waits up to `seconds` until some output partition has records past its LSO (a
    transaction of the application is open and has written there); returns those
    partitions (or [] when none was seen). ListOffsets read_uncommitted and read_committed
    for all of a leader's partitions at once, on connections opened beforehand, so that the
    answer is a few milliseconds old when the caller acts on it."""
    by_leader = {}
    for p in range(PARTITIONS):
        by_leader.setdefault(ktxn.partition_leader(cluster, topic, p), []).append(p)
    conns = [(b.conn(10), parts) for b, parts in by_leader.items()]

    def ends(c, parts, isolation):
        r = kgroup.group_request(c, ktxn.LIST_OFFSETS, 4, {
            "isolation_level": isolation, "topics": [{"name": topic, "partitions": [
                {"partition_index": p, "timestamp": ktxn.LATEST} for p in parts]}]})
        out = {}
        for x in r["topics"][0]["partitions"]:
            assert x["error_code"] == 0, x
            out[x["partition_index"]] = x["offset"]
        return out
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            for c, parts in conns:
                lso = ends(c, parts, ktxn.READ_COMMITTED)
                hw = ends(c, parts, ktxn.READ_UNCOMMITTED)
                open_parts = [p for p in parts if hw[p] > lso[p]]
                if open_parts:
                    return open_parts
    finally:
        for c, _ in conns:
            c.close()
    return []


@needs_java
def test_streams_eos_word_count_survives_kill9(cluster, tmp_path):
    from confluent_kafka import Producer
    app, src, dst = "seos-app", "seos-in", "seos-out"
    # Fails at once, naming the error, where transactions are not served at all.
    ktxn.find_txn_coordinator(cluster, "kb-seos-probe")
    gu.create_topic(cluster, src, PARTITIONS)
    gu.create_topic(cluster, dst, PARTITIONS)
    rnd = random.Random(13)
    vocab = ["w%02d" % i for i in range(30)] + ["Kafka", "kafka", "EOS"]
    lines = [" ".join(rnd.choice(vocab) for _ in range(rnd.randint(1, 8))) +
             rnd.choice(["", ".", ", ok!"]) for _ in range(2400)]
    truth = collections.Counter(w for ln in lines for w in words_of(ln))
    thirds = [lines[:800], lines[800:1600], lines[1600:]]
    problems = []

    def send(part, seconds=0.0):
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
            problems.append("%d lines not delivered, errors %s" % (left, failed[:3]))

    def counts(parts):
        return dict(collections.Counter(w for part in parts for ln in part
                                        for w in words_of(ln)))

    props = {"commit.interval.ms": 500, "statestore.cache.max.bytes": 0,
             "session.timeout.ms": 6000, "producer.transaction.timeout.ms": 5000}
    argv = cj.wordcount_argv(cluster.bootstrap(), app, src, dst, "exactly_once_v2",
                             str(tmp_path / "state"), props=props)
    runs = [cj.start_client("wordcount-0", argv, tmp_path)]
    t0 = time.monotonic()
    out = OutputReader(cluster.bootstrap(), dst, truth)

    def alive():
        assert runs[-1].alive(), "word count exited: " + cj.describe(runs[-1].result())

    try:
        send(thirds[0])
        out.poll_until(counts(thirds[:1]), 180, alive)
        t_first = time.monotonic() - t0
        assert not problems, problems

        coord = gu.find_coordinator(cluster, app)
        sender = threading.Thread(target=send, args=(thirds[1], 4.0))
        sender.start()
        time.sleep(1.0)
        coord.kill9()
        t_kill = time.monotonic()
        time.sleep(3.0)
        coord.restart(cluster.kz)
        sender.join(120)
        assert not sender.is_alive() and not problems, problems
        out.poll_until(counts(thirds[:2]), 180, alive)
        t_broker = time.monotonic() - t_kill

        sender = threading.Thread(target=send, args=(thirds[2], 3.0))
        sender.start()
        time.sleep(0.5)
        open_txn = open_output_txn(cluster, dst, 3.0)
        runs[-1].kill9()
        t_kill = time.monotonic()
        runs.append(cj.start_client("wordcount-1", argv, tmp_path))
        sender.join(120)
        assert not sender.is_alive() and not problems, problems
        out.poll_until(dict(truth), 180, alive)
        t_jvm = time.monotonic() - t_kill
    finally:
        out.close()
        res = runs[-1].stop(timeout=40)
    harness.report_figure(
        "txn/streams: exactly_once_v2 word count, %d lines: first third counted %.1fs after "
        "the JVM started; all of the second %.1fs after its group coordinator %d was killed "
        "-9; all %.1fs after the Streams JVM was killed -9 (%s) and restarted" %
        (len(lines), t_first, t_broker, coord.broker_id, t_jvm,
         "with output records of an open transaction in partitions %s" % open_txn
         if open_txn else "no open transaction with output records seen"))
    states = cj.streams_states(res.lines)
    assert "ERROR" not in states and "RUNNING" in states, cj.describe(res)
    assert res.rc == 143, cj.describe(res)

    # From the beginning, read_committed: each word's counts are 1..N, in order, once each.
    final = collections.defaultdict(list)
    for _p, _o, k, v in tu.read_topic(cluster.bootstrap(), dst, PARTITIONS, committed=True):
        final[k.decode()].append(int.from_bytes(v, "big", signed=True))
    bad = {w: (s[:5], "...", s[-5:], truth[w]) for w, s in final.items()
           if s != list(range(1, truth[w] + 1))}
    assert not bad and set(final) == set(truth), (bad, set(truth) ^ set(final))
    raw = tu.read_topic(cluster.bootstrap(), dst, PARTITIONS, committed=False)
    # The JVM died inside a transaction that had written output: those records are in the
    # log, aborted (read_uncommitted sees them).
    assert len(raw) > sum(map(len, final.values())) or not open_txn, (len(raw), open_txn)
    harness.report_figure("txn/streams: output %d committed count updates, %d records in the "
                          "log (the rest aborted)" % (sum(map(len, final.values())), len(raw)))
