"""The hostile-client test (issue 8 item 5): a black-box attack on a running 3-broker cluster
while a well-behaved producer/consumer pair works on other connections.

Load, all at once, spread over the three brokers:
* PARTIAL connections that send a size prefix, a header and part of a body, and never finish;
* NOREAD connections that pipeline valid Metadata requests and never read a response;
* MAXFRAMES frames of exactly socket.request.max.bytes (a Produce header, then filler);
* MUTATED structure-aware mutated requests from build/.../kb-mutgen (tests/hostile/mutgen.c):
  every API and version the broker advertises in ApiVersions, valid header, body fields
  mutated (lengths, counts, varints, strings, nulls, tag sections, record batches,
  truncation), pipelined 1-8 per connection.

Asserted: no broker exits (and no sanitizer report, checked at teardown); every broker's RSS
stays below its idle RSS + RSS_BOUND_MIB throughout; the well-behaved pair delivers every
message in order. Its produce p99 latency under load, against its own unloaded p99 measured
just before (floored at P99_FLOOR_MS, so a sub-millisecond baseline does not turn scheduler
noise into a failure), is reported at CI size and asserted within P99_RATIO x by the full run
(a performance goal: release build, 10^6 requests).

    KB_BIN_DIR=$PWD/build/san/bin /usr/bin/python3 -m pytest -q -p no:cacheprovider \\
        tests/integration/test_hostile.py                 # CI size, ~1-2 min under ASan
    make && KB_BIN_DIR=$PWD/bin /usr/bin/python3 tests/integration/test_hostile.py --full
                                       # 1000+1000 conns, 10^6 requests, p99 asserted (~90 s)
"""

import os
import random
import socket
import struct
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import harness
import kproto
from conftest import start_cluster

FULL = os.environ.get("KB_HOSTILE_SCALE") == "full"
PARTIAL = 1000 if FULL else 200
NOREAD = 1000 if FULL else 200
NOREAD_REQUESTS = 400             # pipelined per no-read connection
MAXFRAMES = 50 if FULL else 6
MUTATED = 1_000_000 if FULL else 20_000
SEED = int(os.environ.get("KB_HOSTILE_SEED", "8005"))
MAX_FRAME = 4 * 1024 * 1024       # socket.request.max.bytes of the cluster under test
RSS_BOUND_MIB = 64
P99_RATIO = 5.0
P99_FLOOR_MS = 5.0
WB_RATE_HZ = 50
UNLOADED_S = 8.0
SENDERS = 8
POOL_TOPICS = ["hp0", "hp1", "hp2"]
WB_TOPIC = "wb-pair"


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    env = dict(os.environ)
    # ASan's quarantine keeps freed memory resident; the bound is about the broker's own.
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "detect_leaks=1") + ":quarantine_size_mb=16"
    yield from start_cluster(
        tmp_path_factory.mktemp("hostile"), zk=zk_server, n=3, chroot="/kb-hostile", env=env,
        config={"socket.request.max.bytes": MAX_FRAME,
                "auto.create.topics.enable": "false",
                "kbroker.max.partitions.per.cluster": 400,
                "max.connections": 5000})


def kadmin(cluster, *args):
    argv = [os.path.join(harness.bin_dir(), "kadmin"), "--bootstrap-server",
            cluster.bootstrap()] + list(args)
    deadline = time.monotonic() + 30
    while True:                             # a fresh cluster may not have elected a controller
        r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        if r.returncode == 0 or "try again" not in r.stderr or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert r.returncode == 0, "%s: %s %s" % (argv, r.stdout, r.stderr)


# ---------------------------------------------------------------------------------------------
# The well-behaved pair
# ---------------------------------------------------------------------------------------------

PHASES = [None, "unloaded", "loaded"]


class Pair:
    """A confluent-kafka producer (acks=all, one message per 1/WB_RATE_HZ s) and a consumer of
    the same partition, in a child process of their own (so that the load generator's threads
    do not delay them through the GIL); records produce latencies per phase and checks
    delivery order. Set .phase, then stop() and read .lat, .when, .errors, .sent, .received."""

    def __init__(self, bootstrap):
        import multiprocessing
        ctx = multiprocessing.get_context("fork")
        self._phase = ctx.Value("i", 0)
        self._stop = ctx.Event()
        self._results = ctx.Queue()
        self._proc = ctx.Process(target=_pair_main,
                                 args=(bootstrap, self._phase, self._stop, self._results),
                                 daemon=True)
        self.lat, self.when, self.errors, self.sent, self.received = {}, {}, [], 0, []

    @property
    def phase(self):
        return PHASES[self._phase.value]

    @phase.setter
    def phase(self, name):
        self._phase.value = PHASES.index(name)

    def start(self):
        self._proc.start()

    def stop(self, timeout=120):
        self._stop.set()
        r = self._results.get(timeout=timeout)
        self._proc.join(10)
        self.lat, self.when, self.errors, self.sent, self.received = r

    def p99_ms(self, phase):
        v = sorted(self.lat.get(phase, []))
        assert len(v) >= 50, "only %d deliveries in phase %s" % (len(v), phase)
        return 1000.0 * v[min(len(v) - 1, int(len(v) * 0.99))]


def _pair_main(bootstrap, phase, stop_ev, results):
    from confluent_kafka import Consumer, Producer, TopicPartition
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 0,
                         "socket.timeout.ms": 30000})
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "kb-hostile",
                         "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    consumer.assign([TopicPartition(WB_TOPIC, 0, 0)])
    lat, when, errors, received = {}, {}, [], []
    state = {"sent": 0, "deadline": None}

    def produce():
        period = 1.0 / WB_RATE_HZ
        nxt = time.monotonic()
        while not stop_ev.is_set():
            ph, t0, i = PHASES[phase.value], time.monotonic(), state["sent"]

            def done(err, msg, ph=ph, t0=t0, i=i):
                if err is not None:
                    errors.append("message %d: %s" % (i, err))
                elif ph is not None:
                    lat.setdefault(ph, []).append(time.monotonic() - t0)
                    when.setdefault(ph, []).append((t0, time.monotonic() - t0))
            producer.produce(WB_TOPIC, value=b"%d" % i, partition=0, on_delivery=done)
            state["sent"] += 1
            nxt += period
            while time.monotonic() < nxt:
                producer.poll(max(0.0, min(0.005, nxt - time.monotonic())))
        producer.flush(60)

    def consume():
        deadline = None
        while True:
            if stop_ev.is_set() and deadline is None:
                deadline = time.monotonic() + 90
            if stop_ev.is_set() and len(received) >= state["sent"] and not pt.is_alive():
                return
            m = consumer.poll(0.2)
            if m is None:
                if deadline is not None and time.monotonic() > deadline:
                    return
                continue
            if not m.error():
                received.append(int(m.value()))

    pt = threading.Thread(target=produce, daemon=True)
    pt.start()
    consume()
    pt.join(90)
    consumer.close()
    results.put((lat, when, errors, state["sent"], received))


# ---------------------------------------------------------------------------------------------
# Hostile connections
# ---------------------------------------------------------------------------------------------

def raw_socket(port, rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(10)
    s.connect((harness.HOST, port))
    return s


def open_partial(port, rng):
    """Declares a frame up to socket.request.max.bytes and sends only part of it."""
    s = raw_socket(port)
    size = rng.choice([100, 4096, MAX_FRAME])
    head = kproto.encode_request_header(rng.choice([0, 1, 3, 19]), 1, 7, "partial")
    s.sendall(struct.pack(">i", size) + head + b"\x00" * rng.randint(0, min(size, 8192) - 40))
    return s


NOREAD_PIPELINE = b"".join(kproto.metadata_request(1, i) for i in range(NOREAD_REQUESTS))


def open_noread(port):
    """Pipelines NOREAD_REQUESTS Metadata requests (all topics) and never reads. Sends what
    the broker takes without blocking; the rest is dropped."""
    s = raw_socket(port, rcvbuf=4096)
    req = NOREAD_PIPELINE
    s.setblocking(False)
    try:
        s.send(req)
    except OSError:
        pass
    return s


def send_maxframe(port):
    """One frame of exactly MAX_FRAME bytes: a Produce v3 (acks=1) to hp0/0 whose records
    field fills the frame with zeros, so the broker must read it whole and then answer (an
    error) or close. Returns True if it closed the connection, False if it answered, None if
    it did neither within 30 s."""
    s = raw_socket(port)
    try:
        head = kproto.encode_request_header(0, 3, 9, "maxframe")
        fixed = (kproto.i16(-1) + kproto.i16(1) + kproto.i32(5000) + kproto.i32(1) +
                 kproto.string(POOL_TOPICS[0]) + kproto.i32(1) + kproto.i32(0))
        n = MAX_FRAME - len(head) - len(fixed) - 4
        s.sendall(struct.pack(">i", MAX_FRAME) + head + fixed + kproto.i32(n))
        s.sendall(b"\x00" * n)
        s.settimeout(30)
        return s.recv(65536) == b""
    except socket.timeout:
        return None
    except OSError:
        return True
    finally:
        s.close()


def mutated_frames(versions, count, seed):
    """Runs kb-mutgen; yields each frame (size prefix included)."""
    spec = ",".join("%d:%d-%d" % (k, lo, hi) for k, (lo, hi) in sorted(versions.items()))
    gen = subprocess.Popen([os.path.join(harness.bin_dir(), "kb-mutgen"), str(seed),
                            str(count), spec, ",".join(POOL_TOPICS)], stdout=subprocess.PIPE)
    try:
        while True:
            hdr = gen.stdout.read(4)
            if len(hdr) < 4:
                break
            size = struct.unpack(">i", hdr)[0]
            yield hdr + gen.stdout.read(size)
    finally:
        gen.stdout.close()
        assert gen.wait(60) == 0, "kb-mutgen failed"


def mutated_connection(port, frames):
    """Sends the frames pipelined, half-closes, reads until the broker closes (or 20 s).
    Returns (responses, closed)."""
    try:
        s = raw_socket(port)
    except OSError:
        return 0, False
    buf, n, closed = b"", 0, False
    try:
        try:
            s.sendall(b"".join(frames))
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            s.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except OSError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            buf += chunk
            while len(buf) >= 4 and len(buf) >= 4 + struct.unpack(">i", buf[:4])[0]:
                buf = buf[4 + struct.unpack(">i", buf[:4])[0]:]
                n += 1
    finally:
        s.close()
    return n, closed


class RssWatch(threading.Thread):
    """Samples every broker's RSS every 0.5 s; notes the peak and any broker that exits."""

    def __init__(self, brokers):
        super().__init__(daemon=True)
        self.brokers = brokers
        self.peak = {b.broker_id: 0 for b in brokers}
        self.dead = []
        self.stop_ev = threading.Event()

    def run(self):
        while not self.stop_ev.is_set():
            for b in self.brokers:
                if not b.alive():
                    if b.broker_id not in self.dead:
                        self.dead.append(b.broker_id)
                    continue
                try:
                    self.peak[b.broker_id] = max(self.peak[b.broker_id], b.rss_kb())
                except (OSError, RuntimeError):
                    pass
            self.stop_ev.wait(0.5)


def fetch_v4(corr, topic, offset, max_wait_ms):
    """A raw Fetch v4 request (one partition, MinBytes 1)."""
    part = struct.pack(">iqi", 0, offset, 1 << 20)
    body = (struct.pack(">iiiib", -1, max_wait_ms, 1, 1 << 20, 0) +
            kproto.array([kproto.string(topic) + kproto.array([part])]))
    return kproto.frame(kproto.encode_request(1, 4, corr, body, "parked"))


def test_parked_requests_end_with_their_connection(cluster):
    """Regression (found by this test): a Fetch parked for MaxWaitMs = 2^31-1 ms kept its
    closed connection, and the socket, for 24 days, so clients could pile up sockets past
    max.connections. Now the broker finishes such requests when the client goes: after a
    half-close the client sees the broker close within seconds."""
    kadmin(cluster, "topics", "create", "parked", "--partitions", "1",
           "--replication-factor", "1")
    leader = None
    def find_leader():
        nonlocal leader
        for b in cluster.brokers:
            with b.conn() as c:
                for t in c.metadata(1, topics=["parked"])["topics"]:
                    for p in t["partitions"]:
                        if p["error_code"] == 0 and p["leader_id"] >= 0:
                            leader = cluster.broker(p["leader_id"])
                            return True
        return False
    harness.wait_until(find_leader, 30, 0.2, "a leader for 'parked'")
    socks = []
    for i in range(20):
        s = raw_socket(leader.port)
        s.sendall(fetch_v4(i, "parked", 0, 2**31 - 1))
        socks.append(s)
    time.sleep(1.0)
    t0 = time.monotonic()
    for s in socks:
        s.shutdown(socket.SHUT_WR)
    for s in socks:
        s.settimeout(10)
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            pytest.fail("a parked Fetch kept its closed connection open for 10 s")
        finally:
            s.close()
    harness.report_figure("parked Fetch (MaxWaitMs 2^31-1) on 20 half-closed connections: "
                          "all closed by the broker within %.2f s" % (time.monotonic() - t0))
    assert leader.alive()


def test_hostile_clients(cluster):
    brokers = cluster.brokers
    for t in POOL_TOPICS:
        kadmin(cluster, "topics", "create", t, "--partitions", "2", "--replication-factor", "3")
    kadmin(cluster, "topics", "create", WB_TOPIC, "--partitions", "1",
           "--replication-factor", "3")
    with brokers[0].conn() as c:
        versions = c.api_versions(0)["api_keys"]
    assert len(versions) >= 10, versions

    pair = Pair(cluster.bootstrap())
    pair.start()
    time.sleep(3.0)                         # connected, metadata known, first batches out
    time.sleep(2.0)
    idle = {b.broker_id: b.rss_kb() for b in brokers}
    pair.phase = "unloaded"
    time.sleep(UNLOADED_S)
    pair.phase = "loaded"
    watch = RssWatch(brokers)
    watch.start()
    rng = random.Random(SEED)
    held = []
    t0 = time.monotonic()
    try:
        for i in range(PARTIAL):
            held.append(open_partial(brokers[i % 3].port, rng))
        for i in range(NOREAD):
            held.append(open_noread(brokers[i % 3].port))
        t_conns = time.monotonic() - t0
        with ThreadPoolExecutor(max_workers=2) as pool:
            maxf = list(pool.map(send_maxframe, [brokers[i % 3].port for i in range(MAXFRAMES)]))
        closed_max = maxf.count(True)
        t_maxf = time.monotonic() - t0
        stats = {"frames": 0, "answers": 0, "closed": 0, "conns": 0}
        t_mut = time.monotonic()
        t_mut_start = t_mut - t0
        with ThreadPoolExecutor(max_workers=SENDERS) as pool:
            futs, batch, k = [], [], 0
            for fr in mutated_frames(versions, MUTATED, SEED):
                batch.append(fr)
                stats["frames"] += 1
                if len(batch) >= rng.randint(1, 8):
                    futs.append(pool.submit(mutated_connection, brokers[k % 3].port, batch))
                    batch, k = [], k + 1
                if len(futs) >= 4 * SENDERS:
                    for f in futs:
                        n, closed = f.result()
                        stats["answers"] += n
                        stats["closed"] += closed
                        stats["conns"] += 1
                    futs = []
                    if watch.dead:
                        break
            if batch:
                futs.append(pool.submit(mutated_connection, brokers[k % 3].port, batch))
            for f in futs:
                n, closed = f.result()
                stats["answers"] += n
                stats["closed"] += closed
                stats["conns"] += 1
        t_mut = time.monotonic() - t_mut
        time.sleep(2.0)                     # the pair keeps going under the held connections
        assert not watch.dead, "broker(s) %s exited under load" % watch.dead
    finally:
        pair.phase = None
        watch.stop_ev.set()
        watch.join(5)
        for s in held:
            s.close()
        pair.stop()

    p99_un, p99_lo = pair.p99_ms("unloaded"), pair.p99_ms("loaded")
    after = {b.broker_id: b.rss_kb() for b in brokers if b.alive()}
    harness.report_figure(
        "hostile: %d partial + %d no-read connections opened in %.1f s; %d maximal frames "
        "(%d closed, %d answered); %d mutated requests on %d connections in %.1f s (%.0f req/s): %d answered, "
        "%d connections closed by the broker" % (
            PARTIAL, NOREAD, t_conns, MAXFRAMES, closed_max, maxf.count(False), stats["frames"], stats["conns"],
            t_mut, stats["frames"] / max(t_mut, 1e-3), stats["answers"], stats["closed"]))
    harness.report_figure("hostile: RSS KiB per broker idle -> peak -> after: %s" % ", ".join(
        "%d: %d -> %d -> %s" % (i, idle[i], watch.peak[i], after.get(i)) for i in idle))
    slow = sorted(pair.when.get("loaded", []), key=lambda x: -x[1])[:8]
    harness.report_figure(
        "hostile: load timeline (s): connections held by %.1f, maximal frames done by %.1f, "
        "mutated from %.1f to %.1f; slowest loaded deliveries (sent at s: ms): %s" % (
            t_conns, t_maxf, t_mut_start, t_mut_start + t_mut,
            ", ".join("%.1f: %.0f" % (a - t0, 1000 * l) for a, l in slow)))
    harness.report_figure("hostile: well-behaved produce p99 %.1f ms unloaded, %.1f ms loaded "
                          "(ratio %.2f, floor %.0f ms); %d sent, %d consumed" % (
                              p99_un, p99_lo, p99_lo / max(p99_un, P99_FLOOR_MS),
                              P99_FLOOR_MS, pair.sent, len(pair.received)))
    assert all(b.alive() for b in brokers), "a broker exited"
    assert None not in maxf, "a maximal frame was neither answered nor refused in 30 s"
    assert not pair.errors, pair.errors[:5]
    assert pair.received == list(range(pair.sent)), \
        "the consumer saw %d of %d messages, or out of order" % (len(pair.received), pair.sent)
    assert stats["answers"] > 0, "no mutated request was answered (the valid ones should be)"
    for i in idle:
        assert watch.peak[i] - idle[i] < RSS_BOUND_MIB * 1024, \
            "broker %d RSS grew %d KiB above idle (bound %d MiB)" % (
                i, watch.peak[i] - idle[i], RSS_BOUND_MIB)
    # The latency bound is a performance goal: asserted by the full run (the documented
    # command, a release build, 10^6 requests and ~4,000 loaded deliveries). At CI size the
    # loaded phase has ~250 deliveries (its p99 is the third slowest) and CI runs sanitizer
    # builds, whose cost per request and per allocation is several times a release build's,
    # so there the ratio is reported (above), not asserted.
    if FULL:
        assert p99_lo <= P99_RATIO * max(p99_un, P99_FLOOR_MS), \
            "p99 under load %.1f ms > %.0f x unloaded %.1f ms" % (p99_lo, P99_RATIO, p99_un)


if __name__ == "__main__":
    if "--full" in sys.argv:
        os.environ["KB_HOSTILE_SCALE"] = "full"
    sys.exit(pytest.main([os.path.abspath(__file__), "-q", "-s", "-p", "no:cacheprovider"]))
