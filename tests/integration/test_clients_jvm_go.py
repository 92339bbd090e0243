"""The Java client (kafka-clients 3.9.1, tests/clients/java) and franz-go (tests/clients/go)
against one broker (id 701, chroot /kb-jvmgo): produce, then read everything back.

* Java KafkaProducer with enable.idempotence=false and acks=all: every record acknowledged
  once, per partition in produce order; the Java consumer (assign(), no group) reads exactly
  those records back, byte-identical (key, value length and SHA-256), at the acknowledged
  offsets, in order; franz-go's direct consumer reads the same topic identically.
* franz-go with kgo.DisableIdempotentWrite(): the same, read back by franz-go's direct
  partition consumer and by the Java consumer; keyed records land on the partition the Java
  producer chose for the same key (both use murmur2 by default).
* Null keys, minimal values, one partition chosen by the producer: each client's records
  read back by the other.
* Stopping by PID (SIGTERM) a paced Java/franz-go producer and Java/franz-go consumers
  that would go on waiting: exit 143 after flushing, with every acknowledged record printed
  and read back (group tests will stop members this way).
* Default settings (idempotent producers) of Java and franz-go: InitProducerId gives them a
  producer id and the broker checks their sequences.

Group consumers (Java, Kafka Streams, franz-go, sarama, kafka-go) are tested in
test_groups_jvm_go.py.
Skips only when the build products are absent (scripts/install-deps.sh makes them).
"""

import os
import subprocess
import time

import pytest

import clients_jvm_go as cj
import harness
from conftest import start_cluster

BROKER_ID = 701
PARTITIONS = 3
COUNT = 2000
KEYS = 50
VALUE_SIZE = 300

JAVA_KEY_PARTITION = {}   # key field -> partition, from the Java producer's acks

needs_java = pytest.mark.skipif(cj.java_skip() is not None, reason=str(cj.java_skip()))
needs_kgo = pytest.mark.skipif(cj.kgo_skip() is not None, reason=str(cj.kgo_skip()))


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    yield from start_cluster(tmp_path_factory.mktemp("jvmgo"), zk=zk_server,
                             ids=[BROKER_ID], chroot="/kb-jvmgo",
                             config={"auto.create.topics.enable": "false"})


@pytest.fixture(scope="module")
def bootstrap(cluster):
    return cluster.bootstrap()


def create_topic(cluster, topic, partitions=PARTITIONS):
    """Creates a topic with kadmin (retrying while a just-started broker is not yet the
    controller) and waits until the broker leads every partition."""
    deadline = time.monotonic() + 30
    while True:
        p = subprocess.run([os.path.join(harness.bin_dir(), "kadmin"), "--timeout-ms",
                            "20000", "--bootstrap-server", cluster.bootstrap(), "topics",
                            "create", topic, "--partitions", str(partitions),
                            "--replication-factor", "1"],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0 and "no controller" in p.stderr and time.monotonic() < deadline:
            time.sleep(0.5)
            continue
        assert p.returncode == 0, "kadmin topics create %s: %s%s" % (topic, p.stdout,
                                                                      p.stderr)
        break
    b = cluster.brokers[0]

    def ready():
        with b.conn(10) as c:
            md = c.metadata(5, topics=[topic], allow_auto_topic_creation=False)
        t = md["topics"][0]
        return t["error_code"] == 0 and len(t["partitions"]) == partitions and \
            all(p["leader_id"] == BROKER_ID for p in t["partitions"])
    harness.wait_until(ready, 30, what="leaders for %s" % topic)


def produced(res, count=COUNT, keys=KEYS):
    """Asserts a producer run acknowledged records 0..count-1 correctly; returns its acks."""
    assert res.rc == 0, "producer failed: " + cj.describe(res)
    assert not cj.errors(res.lines), cj.errors(res.lines)[:5]
    acks = cj.parse_acks(res.lines)
    problems = cj.check_acks(acks, count, keys)
    assert not problems, "\n".join(problems) + "\n" + cj.describe(res)
    assert cj.summary(res.lines).get("acked") == str(count)
    return acks


def read_back(res, acks, count=COUNT, keys=KEYS, value_size=VALUE_SIZE):
    """Asserts a consumer run read exactly the acknowledged records, byte-identical, in order."""
    assert res.rc == 0, "consumer failed: " + cj.describe(res)
    recs = cj.parse_recs(res.lines)
    problems = cj.check_readback(acks, recs, value_size, keys)
    assert not problems, "\n".join(problems) + "\n" + cj.describe(res)
    dup, lost = cj.duplicates_and_losses(recs, count)
    assert not dup and not lost, (dup[:10], lost[:10])
    return recs


def java_consume(bootstrap, topic, tmp_path, name, count=COUNT):
    """The Java consumer in assign() mode, printing whole values (compared byte for byte)."""
    return cj.run_client(name, cj.java_argv("consume", bootstrap=bootstrap, topic=topic,
                                            count=count, idle_ms=15000, max_ms=40000,
                                            print_value=True),
                         tmp_path, timeout=50)


def kgo_consume(bootstrap, topic, tmp_path, name, count=COUNT, partitions="0,1,2"):
    """franz-go's direct consumer (the listed partitions, or all through ConsumeTopics)."""
    return cj.run_client(name, cj.kgo_argv("consume", bootstrap=bootstrap, topic=topic,
                                           count=count, partitions=partitions,
                                           idle_ms=15000, max_ms=40000, print_value=True),
                         tmp_path, timeout=50)


def test_checker_catches_bad_readback():
    """The read-back checker itself: a duplicate, a wrong value, a gap and a reorder are
    each reported (so a passing read-back means something)."""
    acks = [cj.Ack(0, i, cj.key_field(cj.key_bytes(i, 5)), i) for i in range(4)]

    def rec(seq, off, size=20):
        v = cj.value_bytes(seq, size)
        return cj.Rec(0, off, cj.key_field(cj.key_bytes(seq, 5)), len(v), cj.hash_field(v), seq)
    good = [rec(i, i) for i in range(4)]
    assert cj.check_readback(acks, good, 20, 5) == []
    assert cj.check_readback(acks, good + [rec(3, 3)], 20, 5)             # repeated
    assert cj.check_readback(acks, good[:2] + [rec(9, 2), good[3]], 20, 5)  # wrong value
    assert cj.check_readback(acks, good[:2] + good[3:], 20, 5)             # lost one
    assert cj.check_readback(acks, [good[1], good[0]] + good[2:], 20, 5)   # reordered
    assert cj.duplicates_and_losses(good + [rec(1, 4)], 4) == ([1], [])
    assert cj.check_acks(acks[:3], 4, 5)                                   # one not acked
    # the value function mirrors Java's Common.value: prefix, filler, at least the prefix
    assert cj.value_bytes(7, 0) == b"7:" and len(cj.value_bytes(12345, 3)) == 6
    assert cj.value_bytes(1, 4) == b"1:" + bytes([(131 + 14) & 0xff, (131 + 21) & 0xff])
    # printed value bytes are compared too
    bad = good[0]._replace(value=b"0:" + b"\0" * 18)
    assert cj.check_readback(acks, [bad] + good[1:], 20, 5)
    assert cj.check_readback(acks, [good[0]._replace(value=cj.value_bytes(0, 20))] + good[1:],
                             20, 5) == []
    # rec lines as the programs print them, and the word count decoder
    recs = cj.parse_recs(["rec 2 7 x6869 8 0123456789abcdef - x0000000000000003",
                          "rec 2 9 x6869 8 0123456789abcdef - x0000000000000005",
                          "rec 1 0 - -1 - -", "info x"])
    assert recs[2] == cj.Rec(1, 0, "-", -1, "-", None, None)
    assert cj.word_counts(recs) == {"hi": 5}


@needs_java
def test_java_producer_acks_all_read_back(cluster, bootstrap, tmp_path):
    topic = "java-plain"
    create_topic(cluster, topic)
    res = cj.run_client("java-produce", cj.java_argv(
        "produce", bootstrap=bootstrap, topic=topic, count=COUNT, keys=KEYS,
        value_size=VALUE_SIZE, props={"enable.idempotence": "false", "acks": "all"}),
        tmp_path, timeout=60)
    acks = produced(res)
    harness.report_figure("jvm/go: Java producer (acks=all, no idempotence) %d x %d B in "
                          "%.1fs wall, JVM start included" % (COUNT, VALUE_SIZE, res.elapsed))
    assert len({a.partition for a in acks}) == PARTITIONS
    JAVA_KEY_PARTITION.update((a.key, a.partition) for a in acks)

    jres = java_consume(bootstrap, topic, tmp_path, "java-consume")
    read_back(jres, acks)
    harness.report_figure("jvm/go: Java consumer (assign) read %d records in %.1fs wall" % (
        COUNT, jres.elapsed))
    if cj.kgo_skip() is None:
        read_back(kgo_consume(bootstrap, topic, tmp_path, "kgo-consume-java-data"), acks)


@needs_kgo
def test_franz_go_producer_no_idempotence_read_back(cluster, bootstrap, tmp_path):
    topic = "kgo-plain"
    create_topic(cluster, topic)
    res = cj.run_client("kgo-produce", cj.kgo_argv(
        "produce", bootstrap=bootstrap, topic=topic, count=COUNT, keys=KEYS,
        value_size=VALUE_SIZE, no_idempotence=True), tmp_path, timeout=60)
    acks = produced(res)
    harness.report_figure("jvm/go: franz-go producer (no idempotence) %d x %d B in %.2fs "
                          "wall" % (COUNT, VALUE_SIZE, res.elapsed))
    read_back(kgo_consume(bootstrap, topic, tmp_path, "kgo-consume"), acks)
    # all partitions (no list) through ConsumeTopics without a group: same records
    read_back(kgo_consume(bootstrap, topic, tmp_path, "kgo-consume-all", partitions=None),
              acks)
    if cj.java_skip() is None:
        read_back(java_consume(bootstrap, topic, tmp_path, "java-consume-kgo-data"), acks)
    if JAVA_KEY_PARTITION:
        # Both clients' default partitioners hash keys with murmur2: same key, same partition.
        diff = [a for a in acks if JAVA_KEY_PARTITION.get(a.key, a.partition) != a.partition]
        assert not diff, diff[:5]


@needs_java
def test_java_producer_default_settings(cluster, bootstrap, tmp_path):
    topic = "java-default"
    create_topic(cluster, topic)
    res = cj.run_client("java-produce-default", cj.java_argv(
        "produce", bootstrap=bootstrap, topic=topic, count=COUNT, keys=KEYS,
        value_size=VALUE_SIZE), tmp_path, timeout=70)
    acks = produced(res)
    read_back(java_consume(bootstrap, topic, tmp_path, "java-consume-default"), acks)


@needs_kgo
def test_franz_go_producer_default_settings(cluster, bootstrap, tmp_path):
    topic = "kgo-default"
    create_topic(cluster, topic)
    res = cj.run_client("kgo-produce-default", cj.kgo_argv(
        "produce", bootstrap=bootstrap, topic=topic, count=COUNT, keys=KEYS,
        value_size=VALUE_SIZE, max_ms=20000), tmp_path, timeout=40)
    acks = produced(res)
    # franz-go falls back to plain produce when it gets no producer id: not idempotence
    pid = [ln.split() for ln in res.lines if ln.startswith("info producer-id ")]
    assert pid and int(pid[0][2]) >= 0, "franz-go got no producer id: " + cj.describe(res)
    read_back(kgo_consume(bootstrap, topic, tmp_path, "kgo-consume-default"), acks)


@needs_java
@needs_kgo
def test_null_keys_tiny_values_one_partition_across_clients(cluster, bootstrap, tmp_path):
    """Null keys, values of just their "<seq>:" prefix, every record to one chosen partition:
    Java's records read back by franz-go, franz-go's by Java, byte-identical and in order."""
    n = 300
    for producer, consumer, part in (("java", "kgo", 1), ("kgo", "java", 2)):
        topic = "nullkeys-%s" % producer
        create_topic(cluster, topic)
        kw = dict(bootstrap=bootstrap, topic=topic, count=n, keys=0, value_size=0,
                  partition=part)
        if producer == "java":
            argv = cj.java_argv("produce", props={"enable.idempotence": "false"}, **kw)
        else:
            argv = cj.kgo_argv("produce", no_idempotence=True, **kw)
        acks = produced(cj.run_client(producer + "-produce-nullkeys", argv, tmp_path),
                        count=n, keys=0)
        assert {a.partition for a in acks} == {part} and \
            sorted(a.offset for a in acks) == list(range(n))
        if consumer == "kgo":
            res = kgo_consume(bootstrap, topic, tmp_path, "kgo-consume-nullkeys", count=n)
        else:
            res = java_consume(bootstrap, topic, tmp_path, "java-consume-nullkeys", count=n)
        recs = read_back(res, acks, count=n, keys=0, value_size=0)
        assert all(r.key == "-" and r.value == ("%d:" % r.seq).encode() for r in recs)


def _wait_lines(proc, what, n, timeout=40):
    """Waits until a running client has printed `n` lines starting with `what`."""
    harness.wait_until(lambda: sum(ln.startswith(what) for ln in proc.lines()) >= n, timeout,
                       what="%d %s lines from %s" % (n, what, proc.name))


@needs_java
@needs_kgo
def test_stopped_by_pid_output_complete(cluster, bootstrap, tmp_path):
    """What group tests will rely on: a paced producer and consumers that would go on waiting,
    stopped by SIGTERM, flush their clients and print everything (exit 143 after a summary):
    the acks printed are every record sent, contiguous from seq 0 and all read back."""
    topic = "stopped"
    create_topic(cluster, topic)
    big = 1_000_000   # never reached: the programs are stopped
    producers = {
        "java": cj.start_client("java-produce-paced", cj.java_argv(
            "produce", bootstrap=bootstrap, topic=topic, count=big, keys=KEYS, rate=300,
            partition=0, props={"enable.idempotence": "false"}), tmp_path),
        "kgo": cj.start_client("kgo-produce-paced", cj.kgo_argv(
            "produce", bootstrap=bootstrap, topic=topic, count=big, keys=KEYS, rate=300,
            partition=1, no_idempotence=True), tmp_path)}
    for p in producers.values():
        _wait_lines(p, "ack ", 200)
    acks = []
    for name, p in producers.items():
        res = p.stop()
        assert res.rc == 143, "%s: %s" % (name, cj.describe(res))
        got = cj.parse_acks(res.lines)
        assert not cj.errors(res.lines) and cj.summary(res.lines).get("acked") == str(len(got))
        assert not cj.check_acks(got, len(got), KEYS), cj.check_acks(got, len(got), KEYS)
        assert len(got) < 300 * res.elapsed + 300, "not paced: %d in %.1fs" % (len(got),
                                                                                res.elapsed)
        acks.append(got)
    # The two producers' seqs overlap, so read back one partition (one producer) each.
    for (name, argv), part_acks in zip((
            ("java-consume-stopped", cj.java_argv(
                "consume", bootstrap=bootstrap, topic=topic, count=big, partitions=0,
                idle_ms=60000, max_ms=60000)),
            ("kgo-consume-stopped", cj.kgo_argv(
                "consume", bootstrap=bootstrap, topic=topic, count=big, partitions=1,
                idle_ms=60000, max_ms=60000))), acks):
        c = cj.start_client(name, argv, tmp_path)
        _wait_lines(c, "rec ", len(part_acks))
        res = c.stop()
        assert res.rc == 143, cj.describe(res)
        recs = cj.parse_recs(res.lines)
        assert cj.summary(res.lines).get("records") == str(len(recs))
        problems = cj.check_readback(part_acks, recs, 100, KEYS)
        assert not problems, "\n".join(problems)
