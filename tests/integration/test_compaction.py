"""Log compaction on one broker (chroot /kb-compact), with real clients:

* 200,000 records over 2,000 keys, tombstones for 200 of them: after cleaning, a
  confluent-kafka consumer reading from the start sees exactly the latest value of every live
  key at the offset it was written at, no tombstone once delete.retention.ms has passed since
  a cleaning pass first kept it (KIP-534's delete horizon), and
  the partition's files shrink;
* kill -9 while the cleaner works: nothing is lost (every key's latest record is still there,
  every record read is the one written at its offset), and cleaning finishes after restart;
* a record without a key is refused with INVALID_RECORD on a compacted topic.
"""

import glob
import os
import subprocess
import time

import pytest

import harness
from conftest import start_cluster

BROKER = 501
DELETE_RETENTION_MS = 2000


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    yield from start_cluster(tmp_path_factory.mktemp("compact"), zk=zk_server, ids=[BROKER],
                             chroot="/kb-compact",
                             config={"log.retention.check.interval.ms": "300",
                                     "log.cleaner.backoff.ms": "200",
                                     "log.cleaner.io.max.bytes.per.second": "30000000",
                                     "auto.create.topics.enable": "false"})


@pytest.fixture(autouse=True)
def broker_up(cluster):
    b = cluster.brokers[0]
    if not b.alive():
        b.restart(cluster.kz)


def create(cluster, topic):
    args = [os.path.join(harness.bin_dir(), "kadmin"), "--bootstrap-server", cluster.bootstrap(),
            "topics", "create", topic, "--partitions", "1", "--replication-factor", "1",
            "--config", "cleanup.policy=compact", "--config", "segment.bytes=65536",
            "--config", "min.cleanable.dirty.ratio=0.01",
            "--config", "delete.retention.ms=%d" % DELETE_RETENTION_MS]
    for attempt in range(50):       # right after startup the controller may not be known yet
        r = subprocess.run(args, capture_output=True, timeout=60)
        if r.returncode == 0:
            break
        assert b"no controller" in r.stderr, r.stderr
        time.sleep(0.2)
    assert r.returncode == 0, r.stderr

    def ready():
        with cluster.brokers[0].conn(10) as c:
            md = c.metadata(5, topics=[topic], allow_auto_topic_creation=False)
        t = md["topics"][0]
        return t["error_code"] == 0 and t["partitions"] and t["partitions"][0]["leader_id"] >= 0
    harness.wait_until(ready, 30, what="leader of %s" % topic)


class Writer:
    """Produces keyed records; remembers what each acknowledged offset holds."""

    def __init__(self, bootstrap, topic):
        from confluent_kafka import Producer
        self.topic = topic
        self.p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5,
                           "batch.num.messages": 500, "compression.type": "lz4",
                           "enable.idempotence": False, "acks": "all"})
        self.at = {}       # offset -> (key, value or None)
        self.errors = []

    def _cb(self, err, msg):
        if err is not None:
            self.errors.append(err)
        else:
            self.at[msg.offset()] = (msg.key(), msg.value())

    def send(self, key, value):
        while True:
            try:
                self.p.produce(self.topic, key=key, value=value, on_delivery=self._cb)
                return
            except BufferError:
                self.p.poll(0.05)

    def flush(self):
        assert self.p.flush(60) == 0
        assert not self.errors, self.errors[:3]


def expected_view(at, below):
    """The (offset, value) a consumer of a fully compacted log below `below` reads: each key's
    latest record, unless that is a tombstone; everything from `below` on."""
    latest = {}
    for off in sorted(at):
        if off < below:
            latest[at[off][0]] = off
    keep = sorted(o for o in latest.values() if at[o][1] is not None)
    keep += sorted(o for o in at if o >= below)
    return [(o, at[o][1]) for o in keep]


def cleaner_checkpoint(cluster, topic):
    path = os.path.join(cluster.brokers[0].workdir, "data", "cleaner-offset-checkpoint")
    try:
        lines = open(path).read().split("\n")
    except OSError:
        return -1
    for line in lines[2:]:
        f = line.split()
        if len(f) == 3 and f[0] == topic and f[1] == "0":
            return int(f[2])
    return -1


def log_bytes(cluster, topic):
    d = os.path.join(cluster.brokers[0].workdir, "data", topic + "-0")
    return sum(os.path.getsize(f) for f in glob.glob(os.path.join(d, "*.log")))


def fill_and_roll(w, tag, n=3000):
    """Unique keys, enough to roll several 64 KiB segments past what came before."""
    first = None
    for i in range(n):
        w.send(b"%s-%d" % (tag, i), os.urandom(40))   # incompressible: lz4 must not
        #                                                 shrink the rolls away under load
    w.flush()
    first = min(o for o, (k, _) in w.at.items() if k.startswith(tag + b"-"))
    return first


def test_compaction_latest_per_key(cluster):
    topic = "compacted"
    create(cluster, topic)
    w = Writer(cluster.bootstrap(), topic)
    seq = 0
    for i in range(150000):
        w.send(b"k%04d" % (i % 2000), b"v%07d-%s" % (seq, b"x" * 20))
        seq += 1
    for k in range(200):                       # tombstones for keys 0-199
        w.send(b"k%04d" % k, None)
    for i in range(50000):                     # the other keys keep changing
        w.send(b"k%04d" % (200 + i % 1800), b"v%07d-%s" % (seq, b"x" * 20))
        seq += 1
    w.flush()
    assert len(w.at) == 200200
    produced = sum(len(k) + len(v or b"") for k, v in w.at.values())  # raw keys + values
    # KIP-534: the first pass over a tombstone stamps its batch's delete horizon (that pass's
    # start + delete.retention.ms); a pass after the horizon removes it.
    last_tomb = max(o for o, (_, v) in w.at.items() if v is None)
    harness.wait_until(lambda: cleaner_checkpoint(cluster, topic) > last_tomb, 120,
                       interval=0.2, what="a cleaning pass over the tombstones")
    time.sleep(DELETE_RETENTION_MS / 1000.0 + 0.5)   # their horizon passes
    first_filler = fill_and_roll(w, b"filler")
    t0 = time.monotonic()
    harness.wait_until(lambda: cleaner_checkpoint(cluster, topic) > first_filler, 120,
                       interval=0.2, what="a cleaning pass past the tombstones")
    took = time.monotonic() - t0
    view = harness.consume_partition(cluster.bootstrap(), topic, start=0, timeout=60)
    want = expected_view(w.at, cleaner_checkpoint(cluster, topic))
    assert view[:len(want)] == want[:len(view)]
    assert view == want
    live = [o for o, v in view if o < first_filler]
    assert len(live) == 1800                   # 2000 keys, 200 deleted
    harness.wait_until(lambda: log_bytes(cluster, topic) < produced / 10, 30,
                       what="old segment files removed")
    lines = [l for l in cluster.brokers[0].log_text().splitlines() if "cleaned offsets" in l]
    assert lines
    harness.report_figure("compaction: 200,200 records over 2,000 keys (200 tombstones) -> "
                          "%d live records read from the start, exact; %d bytes of keys and values "
                          "produced, %d bytes of .log files left; cleaned %.1f s after the last produce; %d passes; last: %s"
                          % (len(live), produced, log_bytes(cluster, topic), took,
                             len(lines), lines[-1].split("]", 1)[-1].strip()))


def test_kill9_during_cleaning_loses_nothing(cluster):
    topic = "compacted-kill"
    create(cluster, topic)
    w = Writer(cluster.bootstrap(), topic)
    for i in range(100000):
        w.send(b"k%04d" % (i % 1000), b"v%07d-%s" % (i, b"y" * 40))
    w.flush()
    b = cluster.brokers[0]
    harness.wait_until(lambda: "compacted-kill-0: cleaned" in b.log_text() or
                       cleaner_checkpoint(cluster, topic) >= 0, 60, interval=0.05,
                       what="cleaning under way")
    time.sleep(0.2)
    b.kill9()
    b.restart(cluster.kz)
    view = harness.consume_partition(cluster.bootstrap(), topic, start=0, timeout=60)
    for off, value in view:
        assert w.at[off][1] == value, "offset %d holds something else" % off
    have = {o for o, _ in view}
    latest = {}
    for off in sorted(w.at):
        latest[w.at[off][0]] = off
    assert all(o in have for o in latest.values()), "a latest value was lost"
    # Cleaning resumes and finishes after the restart.
    first_filler = fill_and_roll(Writer(cluster.bootstrap(), topic), b"filler")
    harness.wait_until(lambda: cleaner_checkpoint(cluster, topic) > first_filler, 120,
                       interval=0.2, what="cleaning after restart")
    view = harness.consume_partition(cluster.bootstrap(), topic, start=0, timeout=60)
    assert [o for o, _ in view if o < first_filler] == sorted(latest.values())


def test_keyless_record_refused(cluster):
    from confluent_kafka import KafkaError, Producer
    topic = "compacted-nokey"
    create(cluster, topic)
    errs = []
    p = Producer({"bootstrap.servers": cluster.bootstrap(), "retries": 0,
                  "enable.idempotence": False})
    p.produce(topic, value=b"no key", on_delivery=lambda e, m: errs.append(e))
    p.flush(30)
    p.produce(topic, key=b"k", value=b"keyed", on_delivery=lambda e, m: errs.append(e))
    p.flush(30)
    assert len(errs) == 2
    assert errs[0] is not None and errs[0].code() == KafkaError.INVALID_RECORD
    assert errs[1] is None
