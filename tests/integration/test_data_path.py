"""The data path seen by real clients: Produce, Fetch and ListOffsets across client pairs and
codecs, on one broker (id 301, chroot /kb-data, auto.create.topics.enable=false).

The matrix: every (producer, consumer, codec) where the producer and the consumer are
different clients and both can handle the codec. Clients: confluent-kafka and kcat (both
librdkafka 2.0.2), kafka-python 2.0.2 (through tests/clients/produce_consume.py) and kafkajs
2.2.4 (tests/clients/js/produce_consume.js; its consumer runs on kafkajs's cluster/broker
layer because consumer groups do not exist yet). For each pairing: a fresh topic (3
partitions, replication factor 1), messages from a seeded RNG (see gen_messages: sizes 0 B to
100 KiB, mostly small; keys random/empty/null; headers none/several/null values/repeated
names; tombstones), produced by one client and consumed by the other, and then:
* the consumer got exactly the messages produced: keys, values, header names and values
  byte for byte (null and empty kept apart), per partition in produce order;
* per partition, offsets are 0, 1, 2, ... with no gap (also for compressed batches), and
  equal the offsets the producer's delivery reports gave;
* ListOffsets (earliest/latest, via confluent-kafka) gives 0 and the per-partition count.

What a client cannot express is kept out of its messages, never sent reordered or altered
(see CLIENT_LIMITS). Pairings a client truly cannot do are skipped with the reason; nothing
is skipped because of the broker.

Also: acks=0 and acks=-1 produce with each producer; an unknown topic (auto-create off)
gives each producer an error within a bound, and raw Produce/Fetch get
UNKNOWN_TOPIC_OR_PARTITION.

Per-pairing counts and throughputs are reported as figures.
"""

import base64
import json
import os
import random
import struct
import subprocess
import sys
import time
import zlib

import pytest

import harness
import kproto
from conftest import start_cluster

CLIENTS_DIR = os.path.join(harness.REPO, "tests", "clients")
sys.path.insert(0, CLIENTS_DIR)
import kcat  # noqa: E402

PY = "/usr/bin/python3"
PY_DRIVER = os.path.join(CLIENTS_DIR, "produce_consume.py")
JS_DRIVER = os.path.join(CLIENTS_DIR, "js", "produce_consume.js")
BROKER_ID = 301
PARTITIONS = 3

# Messages across the whole matrix (all pairings and codecs that run). Spread by
# PAIR_WEIGHT so that the module stays under ~8 minutes against an ASan broker on a 2-core
# machine: most volume through the pairs where both ends are librdkafka (tens of thousands
# of messages/s), far less through kafka-python (pure Python: a few thousand/s) and kafkajs.
# KB_DP_SCALE (a float, default 1) scales it for quick runs.
TOTAL_MESSAGES = 1_000_000
SCALE = float(os.environ.get("KB_DP_SCALE", "1"))

PRODUCERS = ["confluent", "kcat", "kafkapython", "kafkajs"]
CONSUMERS = ["confluent", "kcat", "kafkapython", "kafkajs"]
CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]

# What each client cannot do with a codec (producing and consuming), and why.
CODEC_GAPS = {
    "kafkajs": {
        "lz4": "kafkajs 2.2.4 has no lz4 codec built in and no pure-JS plugin: kafkajs-lz4 "
               "needs the native `lz4` npm module (node-gyp build)",
        "zstd": "kafkajs 2.2.4 has no zstd codec built in and no pure-JS plugin: "
                "@kafkajs/zstd needs the native `cppzst` npm module",
    },
}

# What each client cannot express in a message (so the generator leaves it out when that
# client is an end of the pairing). Found in the clients' sources:
CLIENT_LIMITS = {
    # KafkaProducer.send() asserts header values are bytes, and that key or value is set.
    "kafkapython": {"null_header_values": False, "null_key_and_value": False},
    # kafkajs 2.2.4: headers are an object (a name's values must be adjacent, integer-like
    # names would be reordered), and its record encoder throws on a null header value.
    "kafkajs": {"null_header_values": False, "adjacent_duplicates": True},
    # kcat -P: headers and -Z are per process run (see tests/clients/kcat.py).
    "kcat": {"kcat_runs": True},
}
PRODUCER_ONLY_LIMITS = {"null_header_values", "null_key_and_value", "kcat_runs"}

# Relative volume per message for each (producer, consumer); the same for every codec.
PAIR_WEIGHT = {
    ("confluent", "kcat"): 30, ("kcat", "confluent"): 24,
    ("confluent", "kafkapython"): 4, ("kafkapython", "confluent"): 4,
    ("kcat", "kafkapython"): 4, ("kafkapython", "kcat"): 4,
    ("confluent", "kafkajs"): 5, ("kafkajs", "confluent"): 5,
    ("kcat", "kafkajs"): 5, ("kafkajs", "kcat"): 5,
    ("kafkapython", "kafkajs"): 2, ("kafkajs", "kafkapython"): 2,
}


def codec_gap(client, codec):
    return CODEC_GAPS.get(client, {}).get(codec)


def matrix():
    out = []
    for p in PRODUCERS:
        for c in CONSUMERS:
            if p == c:
                continue
            for z in CODECS:
                out.append((p, c, z))
    return out


def runnable(p, c, z):
    return codec_gap(p, z) is None and codec_gap(c, z) is None


def pair_counts():
    """(producer, consumer) -> messages per codec, so that the runnable tests add up to
    TOTAL_MESSAGES (times SCALE)."""
    units = sum(PAIR_WEIGHT[(p, c)] for p, c, z in matrix() if runnable(p, c, z))
    per_unit = TOTAL_MESSAGES * SCALE / units
    return {pc: max(50, int(round(w * per_unit))) for pc, w in PAIR_WEIGHT.items()}


COUNTS = pair_counts()


# ---------------------------------------------------------------------------------------------
# Cluster and helpers
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    yield from start_cluster(tmp_path_factory.mktemp("datapath"), zk=zk_server,
                             ids=[BROKER_ID], chroot="/kb-data",
                             config={"auto.create.topics.enable": "false"})


@pytest.fixture(scope="module")
def bootstrap(cluster):
    return cluster.bootstrap()


@pytest.fixture(scope="module", autouse=True)
def figures_header():
    harness.report_figure("data path: %d messages planned across the matrix (scale %g); "
                          "per (producer, consumer) and codec: %s" % (
                              sum(COUNTS[(p, c)] for p, c, z in matrix() if runnable(p, c, z)),
                              SCALE, ", ".join("%s->%s %d" % (p, c, n)
                                               for (p, c), n in sorted(COUNTS.items()))))
    yield


def kadmin(cluster, *args, timeout=60):
    p = subprocess.run([os.path.join(harness.bin_dir(), "kadmin"), "--timeout-ms", "20000",
                        "--bootstrap-server", cluster.bootstrap()] + list(args),
                       capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise AssertionError("kadmin %s failed (%d): %s%s" % (args, p.returncode, p.stdout,
                                                                 p.stderr))
    return p


def create_topic(cluster, topic, partitions=PARTITIONS):
    kadmin(cluster, "topics", "create", topic, "--partitions", str(partitions),
           "--replication-factor", "1")
    b = cluster.brokers[0]

    def ready():
        with b.conn(10) as c:
            md = c.metadata(5, topics=[topic], allow_auto_topic_creation=False)
        t = md["topics"][0]
        return t["error_code"] == 0 and len(t["partitions"]) == partitions and \
            all(p["leader_id"] == BROKER_ID for p in t["partitions"])
    harness.wait_until(ready, 30, what="leaders for %s" % topic)


def b64(b):
    return None if b is None else base64.b64encode(b).decode("ascii")


def unb64(s):
    return None if s is None else base64.b64decode(s)


def write_messages(path, msgs):
    with open(path, "w") as f:
        for p, k, v, hs in msgs:
            f.write(json.dumps({"partition": p, "key": b64(k), "value": b64(v),
                                "headers": [[hk, b64(hv)] for hk, hv in hs]}) + "\n")


# ---------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------

HEADER_NAMES = ["trace-id", "content-type", "x", "ünïcödé-名前", "dup", "empty-value", "k" * 40]


def limits_for(producer, consumer):
    lim = {}
    for client, role in ((producer, "p"), (consumer, "c")):
        for k, v in CLIENT_LIMITS.get(client, {}).items():
            if role == "c" and k in PRODUCER_ONLY_LIMITS:
                continue
            lim[k] = v
    return lim


def gen_size(rng):
    """Skewed: mostly tiny, a few large, up to 100 KiB."""
    r = rng.random()
    if r < 0.80:
        return rng.randint(1, 64)
    if r < 0.98:
        return rng.randint(65, 1024)
    if r < 0.998:
        return rng.randint(1025, 16 * 1024)
    return rng.randint(16 * 1024 + 1, 100 * 1024)


def gen_bytes(rng, n):
    if n == 0:
        return b""
    if rng.random() < 0.5:
        return rng.randbytes(n)                        # incompressible
    unit = rng.randbytes(rng.randint(1, 16))          # compressible
    return (unit * (n // len(unit) + 1))[:n]


def gen_headers(rng, lim):
    r = rng.random()
    if r < 0.5:
        return []
    n = rng.randint(1, 3) if r < 0.85 else rng.randint(4, 8)
    out = []
    for _ in range(n):
        name = rng.choice(HEADER_NAMES)
        if name == "empty-value":
            v = b""
        elif rng.random() < 0.1 and lim.get("null_header_values", True):
            v = None
        else:
            v = gen_bytes(rng, rng.choice([0, 1, 8, 36, 200]))
            if lim.get("kcat_runs"):
                v = v.replace(b"\0", b"\1")            # kcat -H takes C strings
        out.append((name, v))
    if lim.get("adjacent_duplicates"):
        order = []
        for name, _ in out:
            if name not in order:
                order.append(name)
        out = [h for name in order for h in out if h[0] == name]
    return out


def gen_key_value(rng, lim, z_mode=None):
    """z_mode: None (anything), True (kcat -Z run: null or non-empty keys and values),
    False (kcat plain run: no null value; a null key needs a non-empty value)."""
    while True:
        r = rng.random()
        key = None if r < 0.3 else b"" if r < 0.4 else gen_bytes(rng, rng.randint(1, 64))
        r = rng.random()
        value = None if r < 0.03 else b"" if r < 0.05 else gen_bytes(rng, gen_size(rng))
        if key is None and value is None and not lim.get("null_key_and_value", True):
            continue
        if z_mode is True and (key == b"" or value == b""):
            continue
        if z_mode is False and (value is None or (key is None and not value)):
            continue
        return key, value


def gen_messages(seed, n, lim):
    """[(partition, key, value, headers)]: partitions 0..2 at random; the first message has
    an empty value (where the producer can send one) and some message exactly 100 KiB. For
    kcat as the producer, headers and the -Z mode stay the same over runs of n/40..n/12
    messages (kcat.produce starts one kcat process per run and partition)."""
    rng = random.Random(seed)
    msgs = []
    zs = []
    run_left = 0
    z_mode = None
    headers = []
    for _ in range(n):
        if lim.get("kcat_runs"):
            if run_left == 0:
                run_left = rng.randint(max(1, n // 40), max(1, n // 12))
                z_mode = rng.random() < 0.3
                headers = gen_headers(rng, lim)
            run_left -= 1
            hs = headers
        else:
            hs = gen_headers(rng, lim)
        key, value = gen_key_value(rng, lim, z_mode)
        msgs.append((rng.randrange(PARTITIONS), key, value, hs))
        zs.append(z_mode)
    if n >= 2:
        p, k, v, hs = msgs[0]
        if not zs[0] and k is not None:
            msgs[0] = (p, k, b"", hs)
        j = rng.randrange(1, n)
        p, k, v, hs = msgs[j]
        msgs[j] = (p, k, gen_bytes(rng, 100 * 1024), hs)
    return msgs


# ---------------------------------------------------------------------------------------------
# Producing and consuming with each client
# ---------------------------------------------------------------------------------------------

def produce(client, bootstrap, topic, msgs, codec, tmp_path, acks=1, timeout=None):
    """Returns (reports, seconds): reports = [(partition, offset)] per message, offset -1
    when the producer cannot tell (kcat, acks=0); raises on any delivery failure."""
    timeout = timeout or 120 + len(msgs) / 500.0
    t0 = time.monotonic()
    if client == "kcat":
        kcat.produce(bootstrap, topic, msgs, codec=codec, acks=acks, timeout=timeout)
        return [(p, -1) for p, _, _, _ in msgs], time.monotonic() - t0
    mpath = os.path.join(str(tmp_path), "%s.jsonl" % topic)
    rpath = os.path.join(str(tmp_path), "%s.report" % topic)
    write_messages(mpath, msgs)
    argv = ([PY, PY_DRIVER, "produce", "--client", client] if client != "kafkajs"
            else ["node", JS_DRIVER, "produce"])
    argv += ["--bootstrap", bootstrap, "--topic", topic, "--messages", mpath,
             "--compression", codec, "--acks", str(acks), "--report", rpath,
             "--timeout", str(int(timeout))]
    t0 = time.monotonic()
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout + 60)
    took = time.monotonic() - t0
    summary = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else "<no summary>"
    assert r.returncode == 0, "%s produce exited %d: %s\nstderr: %s" % (
        client, r.returncode, summary, r.stderr[-3000:])
    s = json.loads(summary)
    assert s["delivered"] == len(msgs) and s["errors"] == 0, summary
    reports = []
    with open(rpath) as f:
        for line in f:
            p, o, e = json.loads(line)
            assert e is None, "delivery error: %s" % e
            reports.append((p, o))
    assert len(reports) == len(msgs)
    os.unlink(mpath)
    os.unlink(rpath)
    return reports, took


def consume(client, bootstrap, topic, count, from_beginning=False, timeout=None):
    """[(partition, offset, key, value, headers)] in the order received, and seconds."""
    timeout = timeout or 90 + count / 1000.0
    t0 = time.monotonic()
    if client == "kcat":
        res = kcat.consume(bootstrap, topic, count, timeout=timeout,
                           from_beginning=from_beginning)
        took = time.monotonic() - t0
        assert not res.timed_out and res.returncode == 0 and len(res.messages) == count, \
            "kcat -C: %d of %d messages (%r)" % (len(res.messages), count, res)
        return [(m["partition"], m["offset"], m["key"], m["value"], m["headers"])
                for m in res.messages], took
    argv = ([PY, PY_DRIVER, "consume", "--client", client] if client != "kafkajs"
            else ["node", JS_DRIVER, "consume"])
    argv += ["--bootstrap", bootstrap, "--topic", topic, "--count", str(count),
             "--timeout", str(int(timeout))]
    if from_beginning:
        argv.append("--from-beginning")
    r = subprocess.run(argv, capture_output=True, timeout=timeout + 60)
    took = time.monotonic() - t0
    lines = [json.loads(x) for x in r.stdout.split(b"\n") if x.strip()]
    assert r.returncode == 0 and len(lines) == count, \
        "%s consume exited %d with %d of %d messages; stderr: %s" % (
            client, r.returncode, len(lines), count,
            r.stderr.decode("utf-8", "replace")[-3000:])
    return [(d["partition"], d["offset"], unb64(d["key"]), unb64(d["value"]),
             [(hk, unb64(hv)) for hk, hv in d["headers"]]) for d in lines], took


def watermarks(bootstrap, topic, partitions=PARTITIONS):
    """{partition: (low, high)} by ListOffsets (confluent-kafka)."""
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "kb-dp-watermarks",
                  "enable.auto.commit": False})
    try:
        return {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=20)
                for p in range(partitions)}
    finally:
        c.close()


def describe(k, v, hs):
    def short(b):
        if b is None:
            return "null"
        return "%d B %s%s" % (len(b), b[:16].hex(), "..." if len(b) > 16 else "")
    return "key=%s value=%s headers=%s" % (short(k), short(v),
                                           [(n, short(x)) for n, x in hs])


def verify(msgs, reports, consumed, pairing):
    """Exact content, per-partition order, contiguous offsets from 0 matching the reports."""
    expected = {}
    for i, ((p, o), m) in enumerate(zip(reports, msgs)):
        expected.setdefault(p, []).append((i, o))
    got = {}
    for rec in consumed:
        got.setdefault(rec[0], []).append(rec)
    problems = []
    assert sum(len(v) for v in got.values()) == len(msgs)
    assert set(got) <= set(range(PARTITIONS)), "partitions %s" % sorted(got)
    for p in range(PARTITIONS):
        exp = expected.get(p, [])
        recs = got.get(p, [])
        offsets = [r[1] for r in recs]
        if offsets != list(range(len(offsets))):
            bad = next(j for j, o in enumerate(offsets) if o != j)
            problems.append("%s: partition %d offsets not 0,1,2,... : at position %d got %s "
                            "(around: %s)" % (pairing, p, bad, offsets[bad],
                                              offsets[max(0, bad - 3):bad + 4]))
        if len(recs) != len(exp):
            problems.append("%s: partition %d: %d messages consumed, %d produced"
                            % (pairing, p, len(recs), len(exp)))
        for j, (rec, (i, o)) in enumerate(zip(recs, exp)):
            _, off, k, v, hs = rec
            want = msgs[i]
            if o >= 0 and off != o:
                problems.append("%s: message #%d: delivery report said %d/%d, consumed at "
                                "%d/%d" % (pairing, i, p, o, p, off))
            if (k, v, list(hs)) != (want[1], want[2], list(want[3])):
                problems.append("%s: message #%d (partition %d, offset %d) differs:\n"
                                "  produced %s\n  consumed %s" % (
                                    pairing, i, p, off, describe(*want[1:]),
                                    describe(k, v, hs)))
            if len(problems) > 12:
                break
        if len(problems) > 12:
            break
    assert not problems, "\n".join(problems[:12])


def seed_of(*parts):
    return zlib.crc32("/".join(str(x) for x in parts).encode())


# ---------------------------------------------------------------------------------------------
# The matrix
# ---------------------------------------------------------------------------------------------

def _params():
    out = []
    for p, c, z in matrix():
        marks = []
        gap = codec_gap(p, z) or codec_gap(c, z)
        if gap:
            marks.append(pytest.mark.skip(reason=gap))
        out.append(pytest.param(p, c, z, id="%s-%s-%s" % (p, c, z), marks=marks))
    return out


@pytest.mark.parametrize("producer,consumer,codec", _params())
def test_pairing(bootstrap, cluster, tmp_path, producer, consumer, codec):
    n = COUNTS[(producer, consumer)]
    topic = "dp-%s-%s-%s" % (producer, consumer, codec)
    create_topic(cluster, topic)
    lim = limits_for(producer, consumer)
    msgs = gen_messages(seed_of(producer, consumer, codec), n, lim)
    nbytes = sum(len(k or b"") + len(v or b"") for _, k, v, _ in msgs)
    reports, t_prod = produce(producer, bootstrap, topic, msgs, codec, tmp_path)
    # Half the pairings start from the logical beginning (ListOffsets EARLIEST first).
    from_beginning = seed_of(producer, consumer, codec) % 2 == 1
    consumed, t_cons = consume(consumer, bootstrap, topic, n, from_beginning=from_beginning)
    verify(msgs, reports, consumed, "%s->%s/%s" % (producer, consumer, codec))
    per_part = {}
    for p, _ in reports:
        per_part[p] = per_part.get(p, 0) + 1
    assert watermarks(bootstrap, topic) == {p: (0, per_part.get(p, 0))
                                            for p in range(PARTITIONS)}
    mb = nbytes / 1e6
    harness.report_figure(
        "data path: %-11s -> %-11s %-6s %7d msgs %7.1f MB  produce %6.2f s (%7.0f msg/s, "
        "%5.1f MB/s)  consume %6.2f s (%7.0f msg/s, %5.1f MB/s)%s" % (
            producer, consumer, codec, n, mb, t_prod, n / t_prod, mb / t_prod, t_cons,
            n / t_cons, mb / t_cons, "  [from beginning]" if from_beginning else ""))


# ---------------------------------------------------------------------------------------------
# acks
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("acks", [0, -1])
@pytest.mark.parametrize("producer", PRODUCERS)
def test_acks(bootstrap, cluster, tmp_path, producer, acks):
    n = 2000
    topic = "acks-%s-%s" % (producer, "all" if acks == -1 else acks)
    create_topic(cluster, topic)
    lim = limits_for(producer, "confluent")
    msgs = gen_messages(seed_of("acks", producer, acks), n, lim)
    reports, _ = produce(producer, bootstrap, topic, msgs, "none", tmp_path, acks=acks)
    if acks == 0:
        assert all(o == -1 for _, o in reports)   # no response, so no offsets
        # acks=0 has no response: wait until the broker appended everything.
        harness.wait_until(lambda: sum(h for _, h in watermarks(bootstrap, topic).values())
                           >= n, 30, interval=0.2, what="all acks=0 messages appended")
    elif producer != "kcat":                      # kcat reports no offsets
        assert all(o >= 0 for _, o in reports)
    consumer = "kcat" if producer != "kcat" else "confluent"
    consumed, _ = consume(consumer, bootstrap, topic, n, from_beginning=True)
    verify(msgs, reports, consumed, "%s acks=%d" % (producer, acks))


# ---------------------------------------------------------------------------------------------
# Unknown topic, auto-create off
# ---------------------------------------------------------------------------------------------

def record_batch(values):
    from kafka.record.default_records import DefaultRecordBatchBuilder
    b = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=False,
                                  producer_id=-1, producer_epoch=-1, base_sequence=-1,
                                  batch_size=1 << 20)
    ts = int(time.time() * 1000)
    for i, v in enumerate(values):
        b.append(i, timestamp=ts, key=None, value=v, headers=[])
    return bytes(b.build())


def raw_produce_v7(conn, topic, partition, batch, acks=1, timeout_ms=5000):
    body = (kproto.nullable_string(None) + struct.pack(">hi", acks, timeout_ms) +
            struct.pack(">i", 1) + kproto.string(topic) + struct.pack(">i", 1) +
            struct.pack(">ii", partition, len(batch)) + batch)
    corr = conn.next_corr()
    conn.send(kproto.frame(kproto.encode_request(0, 7, corr, body, "kb-it")))
    r = kproto.Reader(conn.recv_frame(15))
    assert r.i32() == corr
    out = []
    for _ in range(r.i32()):
        name = r.string()
        for _ in range(r.i32()):
            idx, err, base, _lat, _lso = struct.unpack(">ihqqq", r.take(30))
            out.append((name, idx, err, base))
    r.i32()   # throttle
    r.end()
    return out


def raw_fetch_v4(conn, topic, partition, offset):
    body = struct.pack(">iiiib", -1, 100, 1, 1 << 20, 0) + struct.pack(">i", 1) + \
        kproto.string(topic) + struct.pack(">i", 1) + struct.pack(">iqi", partition, offset,
                                                                   1 << 20)
    corr = conn.next_corr()
    conn.send(kproto.frame(kproto.encode_request(1, 4, corr, body, "kb-it")))
    r = kproto.Reader(conn.recv_frame(15))
    assert r.i32() == corr
    r.i32()   # throttle
    out = []
    for _ in range(r.i32()):
        name = r.string()
        for _ in range(r.i32()):
            idx, err, hw, lso = struct.unpack(">ihqq", r.take(22))
            aborted = r.i32()
            for _ in range(max(0, aborted)):
                r.take(16)
            n = r.i32()
            r.take(max(0, n))
            out.append((name, idx, err, hw))
    r.end()
    return out


def test_raw_produce_fetch_roundtrip(bootstrap, cluster):
    """A hand-built v2 batch through Produce v7, back through Fetch v4 (offsets as assigned)."""
    topic = "raw-roundtrip"
    create_topic(cluster, topic, partitions=1)
    with cluster.brokers[0].conn(15) as c:
        assert raw_produce_v7(c, topic, 0, record_batch([b"a", b"bb", b"ccc"])) == \
            [(topic, 0, 0, 0)]
        assert raw_produce_v7(c, topic, 0, record_batch([b"dddd"])) == [(topic, 0, 0, 3)]
        assert raw_fetch_v4(c, topic, 0, 0) == [(topic, 0, 0, 4)]


def test_batch_larger_than_a_segment_is_refused(bootstrap, cluster):
    """Kafka refuses a partition's records larger than segment.bytes (RECORD_LIST_TOO_LARGE,
    18) even under max.message.bytes: no segment could hold them. Nothing is appended."""
    topic = "raw-small-segments"
    kadmin(cluster, "topics", "create", topic, "--partitions", "1", "--replication-factor",
           "1", "--config", "segment.bytes=1024")

    def led():
        with cluster.brokers[0].conn(10) as c:
            return raw_fetch_v4(c, topic, 0, 0)[0][2] == 0
    harness.wait_until(led, 30, what="leader for %s" % topic)
    big = record_batch([os.urandom(1500)])
    assert len(big) > 1024
    with cluster.brokers[0].conn(15) as c:
        assert raw_produce_v7(c, topic, 0, big) == [(topic, 0, 18, -1)]
        assert raw_fetch_v4(c, topic, 0, 0) == [(topic, 0, 0, 0)]        # nothing appended
        assert raw_produce_v7(c, topic, 0, record_batch([b"fits"])) == [(topic, 0, 0, 0)]


def test_unknown_topic_is_an_error_not_a_hang(bootstrap, cluster, tmp_path):
    topic = "no-such-topic"
    batch = record_batch([b"x"])
    t0 = time.monotonic()
    with cluster.brokers[0].conn(15) as c:
        assert raw_produce_v7(c, topic, 0, batch) == [(topic, 0, 3, -1)]  # UNKNOWN_TOPIC_OR_PARTITION
        assert raw_fetch_v4(c, topic, 0, 0)[0][2] == 3
        md = c.metadata(4, topics=[topic], allow_auto_topic_creation=True)
        assert md["topics"][0]["error_code"] == 3       # auto-create is off
    assert time.monotonic() - t0 < 10
    msgs = [(0, b"k", b"v", [])]
    write_messages(os.path.join(str(tmp_path), "one.jsonl"), msgs)
    for client in ("confluent", "kafkapython", "kafkajs"):
        argv = ([PY, PY_DRIVER, "produce", "--client", client] if client != "kafkajs"
                else ["node", JS_DRIVER, "produce"])
        argv += ["--bootstrap", bootstrap, "--topic", topic, "--messages",
                 os.path.join(str(tmp_path), "one.jsonl"), "--timeout", "6"]
        t0 = time.monotonic()
        r = subprocess.run(argv, capture_output=True, text=True, timeout=90)
        took = time.monotonic() - t0
        # 1 = the message failed with an error the client reported (not 2, our own timeout)
        assert r.returncode == 1, "%s producing to a topic that does not exist: exit %d: %s%s" % (
            client, r.returncode, r.stdout, r.stderr[-2000:])
        assert took < 60, "%s took %.0f s to give up" % (client, took)
        harness.report_figure("data path: %s producing to an unknown topic failed after "
                              "%.1f s (exit %d): %s" % (client, took, r.returncode,
                                                       (r.stdout.strip() or r.stderr.strip())
                                                       [-200:]))
    t0 = time.monotonic()
    with pytest.raises(kcat.KcatError) as e:
        kcat.produce(bootstrap, topic, msgs, timeout=8)
    took = time.monotonic() - t0
    assert took < 60 and "exited 1" in str(e.value), str(e.value)
    harness.report_figure("data path: kcat producing to an unknown topic failed after %.1f s: "
                          "%s" % (took, str(e.value).strip().splitlines()[-1][-200:]))
    assert topic not in cluster.kz.get_children("/brokers/topics")
