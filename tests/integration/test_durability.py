"""Durability and retention of the partition log, on one broker (chroot /kb-durable):

* kill -9 during heavy produce, then restart: every acknowledged message is present exactly
  once and offsets are contiguous (the producer does not retry, so nothing is duplicated);
* crafted damage after a crash (torn tail, garbage tail, a flipped byte in the last batch,
  missing or corrupt index): recovery keeps every complete CRC-valid batch before the damage,
  cuts the rest, rebuilds indexes, and the partition takes new writes at the right offset;
* retention: old segments go, the log start moves, a consumer positioned before it gets
  OFFSET_OUT_OF_RANGE and resets as configured; DeleteRecords moves the log start too.
"""

import glob
import os
import struct
import subprocess
import sys
import time

import pytest

import harness
import kproto
from conftest import start_cluster

CLIENTS = os.path.join(os.path.dirname(__file__), "..", "clients")


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    yield from start_cluster(tmp_path_factory.mktemp("durable"), zk=zk_server, ids=[401],
                             chroot="/kb-durable",
                             config={"log.retention.check.interval.ms": "300",
                                     "auto.create.topics.enable": "false"})


@pytest.fixture(autouse=True)
def broker_up(cluster):
    b = cluster.brokers[0]
    if not b.alive():
        b.restart(cluster.kz)


def create(cluster, topic, partitions=1, *config):
    args = [os.path.join(harness.bin_dir(), "kadmin"), "--bootstrap-server", cluster.bootstrap(),
            "topics", "create", topic, "--partitions", str(partitions),
            "--replication-factor", "1"]
    for c in config:
        args += ["--config", c]
    subprocess.run(args, check=True, capture_output=True, timeout=60)
    harness.wait_until(lambda: leader_ok(cluster, topic, partitions), 30, what="leaders")


def leader_ok(cluster, topic, n):
    with cluster.brokers[0].conn(10) as c:
        md = c.metadata(5, topics=[topic], allow_auto_topic_creation=False)
    t = md["topics"][0]
    return t["error_code"] == 0 and len(t["partitions"]) == n and \
        all(p["leader_id"] >= 0 for p in t["partitions"])


def consume_all(cluster, topic, partition=0, reset="earliest", start=0, timeout=30):
    """(offset, value) of every message from `start` until the end, with confluent-kafka."""
    return harness.consume_partition(cluster.bootstrap(), topic, partition, start, reset,
                                     timeout)


def log_files(cluster, topic, partition=0, ext=".log"):
    d = os.path.join(cluster.brokers[0].workdir, "data", "%s-%d" % (topic, partition))
    return sorted(glob.glob(os.path.join(d, "*" + ext)))


def batches(path):
    """(position, size, base offset, record count) of each complete batch in a segment."""
    data = open(path, "rb").read()
    out, pos = [], 0
    while pos + 61 <= len(data):
        base, length = struct.unpack(">qi", data[pos:pos + 12])
        if pos + 12 + length > len(data):
            break
        count = struct.unpack(">i", data[pos + 57:pos + 61])[0]
        out.append((pos, 12 + length, base, count))
        pos += 12 + length
    return out


# ---- kill -9 during heavy produce --------------------------------------------------------------

PRODUCER = r"""
import sys, time
from confluent_kafka import Producer
p = Producer({"bootstrap.servers": sys.argv[1], "acks": "all", "linger.ms": 2,
              "message.send.max.retries": 0, "message.timeout.ms": 5000,
              "queue.buffering.max.messages": 200000})
acked = open(sys.argv[3], "w")
def report(err, msg):
    if err is None:
        acked.write("%d %d %s\n" % (msg.partition(), msg.offset(), msg.value().decode()))
deadline = time.monotonic() + float(sys.argv[4])
i = 0
while time.monotonic() < deadline:
    try:
        p.produce(sys.argv[2], value=("m%09d" % i).encode(), partition=i % 3, on_delivery=report)
        i += 1
    except BufferError:
        p.poll(0.05)
    p.poll(0)
p.flush(15)
acked.close()
print(i)
"""


def test_kill9_during_heavy_produce_keeps_acked(cluster, tmp_path):
    topic = "heavy"
    create(cluster, topic, 3)
    acked_path = str(tmp_path / "acked.txt")
    prod = subprocess.Popen(["/usr/bin/python3", "-c", PRODUCER,
                             cluster.bootstrap(), topic, acked_path, "6"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(2.5)                       # mid-stream
    b = cluster.brokers[0]
    b.kill9()
    out, err = prod.communicate(timeout=60)
    sent = int(out.decode().strip() or 0)
    b.restart(cluster.kz)
    harness.wait_until(lambda: leader_ok(cluster, topic, 3), 30, what="leaders after restart")
    acked = [l.split() for l in open(acked_path)]
    assert len(acked) > 1000, "the producer got too few acks to prove anything"
    seen = {}
    for p in range(3):
        msgs = consume_all(cluster, topic, p)
        offsets = [o for o, _ in msgs]
        assert offsets == list(range(len(offsets))), "offsets not contiguous in %d" % p
        for o, v in msgs:
            assert v not in seen, "duplicate %s" % v
            seen[v] = (p, o)
    for p, o, v in acked:
        assert seen.get(v.encode()) == (int(p), int(o)), "acknowledged %s lost" % v
    harness.report_figure("durability: kill -9 mid-produce: %d sent, %d acknowledged, all %d "
                          "present after restart, %d messages in the log, no duplicates"
                          % (sent, len(acked), len(acked), len(seen)))


# ---- crafted damage after a crash ------------------------------------------------------------

def produce_batches(cluster, topic, n_batches, per_batch=10):
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": cluster.bootstrap(), "linger.ms": 0,
                  "batch.num.messages": per_batch})
    for i in range(n_batches):
        for k in range(per_batch):
            p.produce(topic, value=b"b%03d-%02d" % (i, k), partition=0)
        p.flush(10)                       # one batch per flush
    assert p.flush(10) == 0


def crash_damage_restart(cluster, topic, damage):
    """kill -9 (the log stays unflushed: the recovery point is 0), damage, restart."""
    b = cluster.brokers[0]
    b.kill9()
    seg = log_files(cluster, topic)[-1]
    before = batches(seg)
    damage(seg, before)
    b.restart(cluster.kz)
    harness.wait_until(lambda: leader_ok(cluster, topic, 1), 30, what="leader after restart")
    return before


def tear(seg, bs):
    with open(seg, "r+b") as f:
        f.truncate(bs[-1][0] + bs[-1][1] - 7)


def garbage(seg, bs):
    with open(seg, "ab") as f:
        f.write(os.urandom(333))


def flip_last(seg, bs):
    pos = bs[-1][0] + bs[-1][1] - 3       # inside the last batch's records: CRC mismatch
    with open(seg, "r+b") as f:
        f.seek(pos)
        v = f.read(1)
        f.seek(pos)
        f.write(bytes([v[0] ^ 0x5a]))


@pytest.mark.parametrize("name,damage,lost", [("torn", tear, 1), ("garbage", garbage, 0),
                                              ("flipped", flip_last, 1)])
def test_crafted_tail_damage_recovers(cluster, name, damage, lost):
    topic = "damage-" + name
    create(cluster, topic)
    produce_batches(cluster, topic, 20)
    before = crash_damage_restart(cluster, topic, damage)
    kept = before[:len(before) - lost]
    expect = sum(c for _, _, _, c in kept)
    msgs = consume_all(cluster, topic)
    assert [o for o, _ in msgs] == list(range(expect))
    last = expect - 1                    # messages were produced in order b000-00, b000-01...
    assert msgs[-1][1] == b"b%03d-%02d" % (last // 10, last % 10)
    assert batches(log_files(cluster, topic)[-1]) == kept        # cut at the damage, no more
    produce_batches(cluster, topic, 1)                            # new writes continue there
    assert [o for o, _ in consume_all(cluster, topic)] == list(range(expect + 10))


def test_missing_and_corrupt_index_rebuilt(cluster):
    topic = "damage-index"
    create(cluster, topic, 1, "index.interval.bytes=1")
    produce_batches(cluster, topic, 30)

    def wreck(seg, bs):
        idx = seg[:-4] + ".index"
        os.unlink(idx)
        tidx = seg[:-4] + ".timeindex"
        with open(tidx, "r+b") as f:
            f.write(os.urandom(24))
    crash_damage_restart(cluster, topic, wreck)
    assert len(consume_all(cluster, topic)) == 300
    # Reads from the middle use the rebuilt index.
    mid = consume_all(cluster, topic, start=155)
    assert mid[0][0] <= 155 < mid[0][0] + 10 and mid[-1][0] == 299
    assert os.path.getsize(log_files(cluster, topic, ext=".index")[0]) % 8 == 0


# ---- retention and DeleteRecords ------------------------------------------------------------

def list_offset(cluster, topic, ts):
    p = subprocess.run(["kcat", "-b", cluster.bootstrap(), "-Q", "-t", "%s:0:%d" % (topic, ts)],
                       capture_output=True, text=True, timeout=30, check=True)
    return int(p.stdout.split("offset")[1].split()[0])


def test_retention_removes_old_segments(cluster):
    """Old segments are written with retention off, then retention.ms is set live: the log
    start must land exactly on the first segment that holds a new message (no race with
    the 300 ms retention checks while producing)."""
    topic = "retained"
    create(cluster, topic, 1, "segment.bytes=2000", "retention.ms=-1")
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": cluster.bootstrap(), "linger.ms": 0})
    old = int(time.time() * 1000) - 3600 * 1000          # an hour ago: past retention.ms
    for i in range(60):
        p.produce(topic, value=b"old-%03d" % i + b"x" * 100, partition=0, timestamp=old)
        p.flush(10)
    for i in range(5):
        p.produce(topic, value=b"new-%03d" % i, partition=0)
        p.flush(10)
    assert list_offset(cluster, topic, -1) == 65
    bases = [int(os.path.basename(f)[:20]) for f in log_files(cluster, topic)]
    assert len(bases) > 2, bases                          # segment.bytes rolled the log
    expected = max(b for b in bases if b <= 60)           # segment holding the first new one
    assert expected > 0
    time.sleep(1)                                         # several retention checks: no-ops
    assert list_offset(cluster, topic, -2) == 0
    r = subprocess.run([os.path.join(harness.bin_dir(), "kadmin"), "--bootstrap-server",
                        cluster.bootstrap(), "configs", "alter", "--topic", topic,
                        "--set", "retention.ms=600000"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    harness.wait_until(lambda: list_offset(cluster, topic, -2) == expected, 20,
                       what="retention to move the log start to %d" % expected)
    harness.wait_until(lambda: int(os.path.basename(log_files(cluster, topic)[0])[:20]) ==
                       expected, 20, what="old segment files to be unlinked")
    assert list_offset(cluster, topic, -1) == 65
    # A raw Fetch below the log start: OFFSET_OUT_OF_RANGE.
    with cluster.brokers[0].conn(10) as c:
        body = fetch_v4_body(topic, 0, 0)
        c.send(kproto.frame(kproto.encode_request(1, 4, 9, body, "kb-it")))
        payload = c.recv_frame(10)
    assert fetch_v4_error(payload) == 1
    # A consumer at offset 0 resets as configured: earliest -> the log start.
    msgs = consume_all(cluster, topic, reset="earliest", start=0)
    assert msgs[0][0] == expected and msgs[-1][0] == 64
    assert msgs[-1][1] == b"new-004"
    harness.report_figure("retention: log start moved 0 -> %d, %d of %d segment files left"
                          % (expected, len(log_files(cluster, topic)), len(bases)))


def fetch_v4_body(topic, partition, offset):
    return (struct.pack(">iiii", -1, 100, 1, 1 << 20) + b"\x00" + struct.pack(">i", 1) +
            kproto.string(topic) + struct.pack(">iiqi", 1, partition, offset, 1 << 20))


def fetch_v4_error(payload):
    # correlation id, throttle, [topics] count, topic name, [partitions] count, index, error
    pos = 4 + 4 + 4
    n = struct.unpack(">h", payload[pos:pos + 2])[0]
    pos += 2 + n + 4 + 4
    return struct.unpack(">h", payload[pos:pos + 2])[0]


def test_delete_records_moves_log_start(cluster):
    topic = "trimmed"
    create(cluster, topic)
    produce_batches(cluster, topic, 5)
    body = struct.pack(">i", 1) + kproto.string(topic) + struct.pack(">iiqi", 1, 0, 23, 5000)
    with cluster.brokers[0].conn(10) as c:
        c.send(kproto.frame(kproto.encode_request(21, 0, 5, body, "kb-it")))
        payload = c.recv_frame(10)
    pos = 4 + 4 + 4
    n = struct.unpack(">h", payload[pos:pos + 2])[0]
    pos += 2 + n + 4
    part, low, err = struct.unpack(">iqh", payload[pos:pos + 14])
    assert (part, low, err) == (0, 23, 0)
    assert list_offset(cluster, topic, -2) == 23
    msgs = consume_all(cluster, topic, start=23)
    assert msgs[0][0] == 23 and len(msgs) == 27
