"""Malformed input (reliability-battery.md §4, the broker contract): one broker with low limits
(socket.request.max.bytes=1 MiB, connections.max.idle.ms=4000, given as --override).

Each case runs on a fresh connection and asserts the documented outcome: closed without a
response, or a specific error response. A separate long-lived "control" connection keeps
sending Metadata in the background the whole time; after every case it must still be answered
(and every answer must arrive within CONTROL_TIMEOUT_S). The module ends with a soak of 10,000
random and mutated frames, an RSS-growth bound, and a clean shutdown that must exit 0.
"""

import os
import random
import socket
import struct
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import harness
import kproto
from conftest import start_cluster
from kproto import boolean, compact_string, frame, i16, i32, tags, uvarint

LIMIT = 1048576                 # socket.request.max.bytes
IDLE_MS = 4000                  # connections.max.idle.ms
IDLE_S = IDLE_MS / 1000.0
IMMEDIATE_S = 2.0               # "closed immediately" must beat the idle timeout clearly
CONTROL_INTERVAL_S = 0.05
CONTROL_TIMEOUT_S = 5.0
BROKER_ID = 7
SOAK_FRAMES = 10_000
SOAK_SEED = 0x6B62726B          # "kbrk"
SOAK_WORKERS = 8
RSS_GROWTH_LIMIT_KB = 64 * 1024


class ControlClient(threading.Thread):
    """Sends Metadata (rotating v0..v12) on one long-lived connection every 50 ms and checks
    each answer lists exactly our broker."""

    def __init__(self, broker):
        super().__init__(daemon=True, name="control-client")
        self.broker = broker
        self.conn = broker.conn(CONTROL_TIMEOUT_S)
        self.count = 0
        self.max_latency = 0.0
        self.errors = []
        self.cond = threading.Condition()
        self.stopping = threading.Event()

    def run(self):
        v = 0
        while not self.stopping.is_set():
            t = time.monotonic()
            try:
                r = self.conn.metadata(v % 13, timeout=CONTROL_TIMEOUT_S)
                ids = [b["node_id"] for b in r["brokers"]]
                if ids != [BROKER_ID]:
                    raise AssertionError("Metadata v%d lists %r" % (v % 13, ids))
            except Exception as e:  # noqa: BLE001 - recorded, asserted by the tests
                with self.cond:
                    self.errors.append("control Metadata v%d after %d answers: %r"
                                       % (v % 13, self.count, e))
                    self.cond.notify_all()
                return
            lat = time.monotonic() - t
            with self.cond:
                self.count += 1
                self.max_latency = max(self.max_latency, lat)
                self.cond.notify_all()
            v += 1
            self.stopping.wait(CONTROL_INTERVAL_S)

    def answers_after(self, n_more, timeout=CONTROL_TIMEOUT_S * 2):
        """Waits until n_more further answers arrived; asserts there was no error."""
        with self.cond:
            target = self.count + n_more
            deadline = time.monotonic() + timeout
            while self.count < target and not self.errors:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            assert not self.errors, self.errors
            assert self.count >= target, "control connection: no answer for %.0fs" % timeout

    def stop(self):
        self.stopping.set()
        self.join(CONTROL_TIMEOUT_S + 2)
        self.conn.close()


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    env = dict(os.environ)
    # ASan's quarantine (256 MiB by default) keeps freed memory resident; the soak's RSS bound
    # is about the broker's own retention, so keep the quarantine small.
    env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "detect_leaks=1") +
                           ":quarantine_size_mb=16")
    yield from start_cluster(
        tmp_path_factory.mktemp("malformed"), zk=zk_server, ids=[BROKER_ID],
        chroot="/kb-malformed", env=env,
        overrides=["socket.request.max.bytes=%d" % LIMIT,
                   "connections.max.idle.ms=%d" % IDLE_MS])


@pytest.fixture(scope="module")
def broker(cluster):
    return cluster.brokers[0]


@pytest.fixture(scope="module")
def control(broker):
    c = ControlClient(broker)
    c.start()
    c.answers_after(1)
    yield c
    if not c.stopping.is_set():
        c.stop()


@pytest.fixture(autouse=True)
def control_still_answered(broker, control):
    """Before and after every case: the long-lived connection is answered, the broker runs."""
    if not control.stopping.is_set():
        control.answers_after(1)
    yield
    if not control.stopping.is_set():      # the soak stops it on purpose before shutdown
        assert broker.alive(), "broker died; log tail:\n%s" % broker.log_tail()
        control.answers_after(2)


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

def hdr(api_key, version, corr=1, client_id=b"kb-it", flexible=False, header_tags=b"\x00"):
    """Raw request header: v1 (or v2 with `flexible`), client_id given as raw bytes."""
    out = i16(api_key) + i16(version) + i32(corr)
    out += i16(-1) if client_id is None else i16(len(client_id)) + client_id
    if flexible:
        out += header_tags
    return out


def expect_closed_without_response(broker, payload, within=IMMEDIATE_S):
    """Sends payload on a fresh connection; the broker must close it within `within` s
    without sending a single byte."""
    with broker.conn() as c:
        t0 = time.monotonic()
        try:
            c.send(payload)
        except harness.ConnClosed:
            return time.monotonic() - t0
        closed, data, waited = c.wait_closed(within)
    assert data == b"", "broker answered a request it must drop: sent %s, got %s" % (
        payload[:64].hex(), data[:64].hex())
    assert closed, "connection still open %.1fs after sending %s (expected an immediate close)" \
        % (within, payload[:64].hex())
    return waited


def expect_answer(broker, payload, api_key, version, timeout=10.0):
    with broker.conn() as c:
        c.send(payload)
        return kproto.decode_response(api_key, version, c.recv_frame(timeout))


# ---------------------------------------------------------------------------------------------
# framing
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [-1, 0, 5, 9, -2**31], ids=lambda s: "size%d" % s)
def test_bad_frame_size_closed(broker, size):
    body = b"\x00" * max(0, size)   # for 5 and 9: a complete frame below the minimum of 10
    expect_closed_without_response(broker, i32(size) + body)


@pytest.mark.parametrize("size", [LIMIT + 1, 2**31 - 1], ids=["limit+1", "int32max"])
def test_oversized_frame_closed_without_waiting_for_body(broker, size):
    """Only the 4-byte size is sent: a broker that waited for the body would keep the
    connection until the idle timeout (4 s), far past IMMEDIATE_S."""
    rss0 = broker.rss_kb()
    expect_closed_without_response(broker, i32(size))
    assert broker.rss_kb() - rss0 < 64 * 1024, "RSS jumped after a bogus frame size"


def test_frame_exactly_at_limit_is_read(broker):
    """A frame of exactly socket.request.max.bytes is accepted for reading: it is a Metadata
    v1 request whose single topic name fills the frame, so it parses and is answered (or, if
    the broker rejects such names, at least it was read: any outcome but a close before the
    body was sent is fine)."""
    with broker.conn() as c:
        head = hdr(3, 1, corr=77)
        # A STRING is limited to int16: fill the frame with many long topic names.
        names = []
        room = LIMIT - len(head) - 4
        while room > 0:
            n = min(32767, room - 2)
            if n < 1:
                break
            names.append(b"t" * n)
            room -= 2 + n
        body = i32(len(names)) + b"".join(i16(len(n)) + n for n in names)
        payload = head + body
        assert len(payload) <= LIMIT
        c.send(i32(len(payload)) + payload[:-1])
        closed, data, _ = c.wait_closed(0.5)
        assert not closed, "closed before the last byte of a frame within the limit arrived"
        c.send(payload[-1:])
        try:
            r = kproto.decode_metadata_response(c.recv_frame(20), 1)
            assert r["correlation_id"] == 77
            print("frame of exactly %d bytes: answered, %d topics" % (LIMIT, len(r["topics"])))
        except harness.ConnClosed:
            # topic names that long may be refused; the frame was still read in full
            print("frame of exactly %d bytes: read, then closed" % LIMIT)


def test_truncated_frame_closed_by_idle_timeout(broker):
    """Declared 100 bytes, sent 20: the broker waits for the rest until connections.max.idle.ms
    closes the connection — not before about that long, and not much later."""
    payload = hdr(3, 1) + i32(-1)
    part = (i32(100) + payload + b"\x00" * 100)[:24]   # size + 20 bytes of the frame
    with broker.conn() as c:
        c.send(part)
        t0 = time.monotonic()
        closed, data, waited = c.wait_closed(IDLE_S + 15.0)
    harness.report_figure("truncated frame: closed after %.2f s (connections.max.idle.ms=%d)"
                          % (waited, IDLE_MS))
    assert data == b""
    assert closed, "truncated frame kept open for %.0fs (idle timeout %.0fs)" % (
        IDLE_S + 15, IDLE_S)
    assert waited >= 0.75 * IDLE_S, "closed after %.2fs, before the idle timeout of %.1fs" % (
        waited, IDLE_S)
    assert time.monotonic() - t0 >= 0.75 * IDLE_S


# ---------------------------------------------------------------------------------------------
# headers
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("payload", [
    # client_id claims 50 bytes, the 10-byte frame ends right after the length
    i16(3) + i16(1) + i32(1) + i16(50),
    # client_id claims 50 bytes, only 5 present
    i16(3) + i16(1) + i32(1) + i16(50) + b"abcde",
    # client_id length -2 (only -1 means null)
    i16(3) + i16(1) + i32(1) + i16(-2) + b"xx",
    # Metadata v9 = header v2: the tag section after client_id is missing
    i16(3) + i16(9) + i32(1) + i16(0),
    # ApiVersions v3 = header v2: tag count claims 1 field, nothing follows
    i16(18) + i16(3) + i32(1) + i16(0) + b"\x01",
    # header v2 with a tag whose size runs past the frame end
    i16(3) + i16(9) + i32(1) + i16(0) + b"\x01\x00\x7f" + b"ab",
], ids=["clientid-past-end-10B", "clientid-past-end", "clientid-len-minus2",
        "v2-missing-tags", "v2-tag-count-no-field", "v2-tag-size-past-end"])
def test_header_truncated_inside_complete_frame(broker, payload):
    expect_closed_without_response(broker, frame(payload))


@pytest.mark.parametrize("api_key", [32767, -1, 1000, 200], ids=lambda k: "key%d" % k)
def test_unknown_api_key_closed(broker, api_key):
    expect_closed_without_response(broker, frame(hdr(api_key, 0) + b"\x00" * 8))


@pytest.mark.parametrize("version", [13, 99, -1, 32767], ids=lambda v: "v%d" % v)
def test_unsupported_metadata_version_closed(broker, version):
    body = kproto.encode_metadata_body(12)
    expect_closed_without_response(broker, frame(hdr(3, version, flexible=version >= 9) + body))


@pytest.mark.parametrize("version", [5, 99, 32767], ids=lambda v: "v%d" % v)
def test_unsupported_api_versions_gets_v0_error_35(broker, version):
    """KIP-511: answered in the v0 format (header v0, error 35, api_keys with at least the
    ApiVersions entry), and the connection stays usable for the client's retry."""
    body = compact_string("kbroker-it") + compact_string("1.0") + tags()
    with broker.conn() as c:
        c.send(frame(hdr(18, version, corr=4242, flexible=True) + body))
        r = kproto.decode_api_versions_fallback(c.recv_frame(10))
        assert r["correlation_id"] == 4242
        assert r["error_code"] == kproto.ERR_UNSUPPORTED_VERSION, r
        assert r["api_keys"].get(18) == (0, 4), r
        # The client retries on the same connection at the advertised max.
        r = c.api_versions(4, software_name="kbroker-it", software_version="1.0")
        assert r["error_code"] == 0 and r["api_keys"].get(3) == (0, 12)
        assert len(c.metadata(1)["brokers"]) == 1


@pytest.mark.parametrize("version", [3, 4])
@pytest.mark.parametrize("name,ver", [
    ("bad name", "1.0"), ("kbroker-it", "1.0 beta"), ("-leading", "1"), ("trailing.", "1"),
    ("", "1"), ("ok", ""), ("caf\u00e9", "1"), ("x", "1/2"),
])
def test_api_versions_bad_software_name_error_42(broker, version, name, ver):
    with broker.conn() as c:
        r = c.api_versions(version, software_name=name, software_version=ver)
        assert r["error_code"] == kproto.ERR_INVALID_REQUEST, r
        # librdkafka then retries at v0 on the same connection.
        r = c.api_versions(0)
        assert r["error_code"] == 0 and r["api_keys"].get(18) == (0, 4)


@pytest.mark.parametrize("name,ver", [("a", "1"), ("kbroker.it-2", "1.0.0-rc1"),
                                      ("apache-kafka-java", "3.9.0"), ("9", "0")])
def test_api_versions_valid_software_name_accepted(broker, name, ver):
    """Positive control for the error-42 cases: names matching the pattern get error 0."""
    with broker.conn() as c:
        r = c.api_versions(3, software_name=name, software_version=ver)
        assert r["error_code"] == 0, r


# ---------------------------------------------------------------------------------------------
# bodies
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("version,body", [
    (1, i32(1) + i16(500) + b"abc"),                      # string past the frame end
    (4, i32(2) + i16(1) + b"a" + i16(300) + b"b" + b"\x01"),
    (9, uvarint(2) + uvarint(501) + b"abc"),              # compact string past the end
    (1, i32(1) + i16(-5)),                                 # negative string length
], ids=["v1-string-past-end", "v4-second-string-past-end", "v9-compact-string-past-end",
        "v1-negative-string-len"])
def test_metadata_string_past_frame_end_closed(broker, version, body):
    expect_closed_without_response(broker, frame(hdr(3, version, flexible=version >= 9) + body))


@pytest.mark.parametrize("version,body", [
    (1, i32(2**31 - 1)),
    (1, i32(2**31 - 1) + i16(1) + b"a"),
    (4, i32(2**31 - 1) + b"\x01"),
    (9, uvarint(2**32 - 1) + b"\x01\x00\x00\x00"),
    (1, i32(-2)),
], ids=["v1-count-max", "v1-count-max-one-elem", "v4-count-max", "v9-compact-count-max",
        "v1-count-minus2"])
def test_metadata_huge_array_count_closed(broker, version, body):
    rss0 = broker.rss_kb()
    expect_closed_without_response(broker, frame(hdr(3, version, flexible=version >= 9) + body))
    grew = broker.rss_kb() - rss0
    assert grew < 64 * 1024, "RSS grew %d KiB on a tiny frame with a huge count" % grew


def _v9_body(tag_section):
    # topics = null, allow_auto_topic_creation, include_cluster_ops, include_topic_ops, tags
    return b"\x00" + boolean(True) + boolean(False) + boolean(False) + tag_section


@pytest.mark.parametrize("tag_section", [
    uvarint(2) + uvarint(5) + uvarint(0) + uvarint(3) + uvarint(0),   # 5 then 3
    uvarint(2) + uvarint(3) + uvarint(0) + uvarint(3) + uvarint(0),   # 3 twice
    uvarint(1) + uvarint(3) + uvarint(100) + b"ab",                   # size past the end
    uvarint(3) + uvarint(1) + uvarint(0),                             # count past the end
], ids=["out-of-order", "duplicate", "size-past-end", "count-past-end"])
def test_metadata_v9_bad_tag_section_closed(broker, tag_section):
    expect_closed_without_response(broker, frame(hdr(3, 9, flexible=True) + _v9_body(tag_section)))


def test_metadata_v9_header_tags_out_of_order_closed(broker):
    bad = uvarint(2) + uvarint(7) + uvarint(0) + uvarint(2) + uvarint(0)
    expect_closed_without_response(
        broker, frame(hdr(3, 9, flexible=True, header_tags=bad) + _v9_body(uvarint(0))))


def test_metadata_v9_unknown_ascending_tags_answered(broker):
    """Positive control for the tag cases: unknown tags in ascending order are skipped."""
    good = uvarint(2) + uvarint(3) + uvarint(2) + b"xy" + uvarint(5) + uvarint(0)
    r = expect_answer(broker, frame(hdr(3, 9, corr=99, flexible=True, header_tags=good) +
                                    _v9_body(good)), 3, 9)
    assert r["correlation_id"] == 99 and [b["node_id"] for b in r["brokers"]] == [BROKER_ID]


@pytest.mark.parametrize("separate_writes", [False, True], ids=["one-write", "two-writes"])
@pytest.mark.parametrize("bad", [
    i32(-7),                                                   # bad frame size
    frame(hdr(32767, 0) + b"\x00" * 4),                        # unknown api key
    frame(hdr(3, 99, flexible=True) + b"\x00" * 4),            # unsupported Metadata version
], ids=["bad-size", "unknown-key", "metadata-v99"])
def test_valid_request_answered_before_close_on_later_bad_frame(broker, bad, separate_writes):
    """Pipelining: a complete, valid ApiVersions request followed by a bad frame. Requests on
    a connection are processed in order, so the valid one is answered first; then the
    connection is closed without answering the bad one (kafka-protocol.md §1 "Ordering")."""
    good = kproto.api_versions_request(0, 31)
    with broker.conn() as c:
        if separate_writes:
            c.send(good)
            time.sleep(0.3)
            c.send(bad)
        else:
            c.send(good + bad)
        closed, data, _ = c.wait_closed(IMMEDIATE_S)
    assert closed, "connection left open after a bad frame"
    assert len(data) >= 4, "the valid request sent before the bad frame got no response " \
        "(%d bytes received before the close)" % len(data)
    size = struct.unpack(">i", data[:4])[0]
    assert len(data) == 4 + size, "expected exactly one response frame, got %s" % data.hex()
    r = kproto.decode_api_versions_response(data[4:], 0)
    assert r["correlation_id"] == 31 and r["error_code"] == 0


# ---------------------------------------------------------------------------------------------
# soak
# ---------------------------------------------------------------------------------------------

def _random_size(rng):
    p = rng.random()
    if p < 0.70:
        return rng.randint(10, 200)
    if p < 0.90:
        return rng.randint(201, 4096)
    if p < 0.985:
        return rng.randint(4097, 65536)
    return rng.randint(65537, LIMIT)


def _valid_request(rng):
    """(header, body) of a well-formed ApiVersions or Metadata request, random version."""
    if rng.random() < 0.4:
        v = rng.randint(0, 4)
        name = rng.choice(["kbroker-soak", "librdkafka", "x", "a.b-c"])
        return (kproto.encode_request_header(18, v, rng.getrandbits(31), "soak"),
                kproto.encode_api_versions_body(v, name, "1.0"))
    v = rng.randint(0, 12)
    p = rng.random()
    if p < 0.4:
        topics = kproto.ALL_TOPICS
    elif p < 0.5 and v > 0:
        topics = []
    else:
        topics = ["t%d" % rng.randint(0, 99) for _ in range(rng.randint(1, 5))]
    return (kproto.encode_request_header(3, v, rng.getrandbits(31),
                                         rng.choice([None, "", "soak", "c" * 40])),
            kproto.encode_metadata_body(v, topics))


def _mutate_bytes(rng, payload):
    b = bytearray(payload)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        if op == 0 and b:
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        elif op == 1 and b:
            b[rng.randrange(len(b))] = rng.choice([0x00, 0xFF, 0x7F, 0x80, 0x01])
        elif op == 2 and b:
            del b[rng.randrange(0, len(b)):]
        elif op == 3:
            b += rng.randbytes(rng.randint(1, 64))
        elif op == 4:
            i = rng.randrange(len(b) + 1)
            b[i:i] = rng.randbytes(rng.randint(1, 16))
        elif op == 5 and len(b) >= 4:
            # lengths and counts are where decoders break: overwrite with extremes
            i = rng.randrange(len(b) - 3)
            pat = rng.choice([b"\x7f\xff\xff\xff", b"\xff\xff\xff\xff", b"\x80\x00\x00\x00",
                              b"\x00\x00\x7f\xff", b"\xff\xff\xff\x0f", b"\xfe\xff"])
            b[i:i + len(pat)] = pat
    return bytes(b)


def _mutated_request(rng):
    """A valid request with mutations, mostly in the body so the header still routes it to
    the ApiVersions/Metadata decoders."""
    head, body = _valid_request(rng)
    if rng.random() < 0.75:
        return head + _mutate_bytes(rng, body)
    return _mutate_bytes(rng, head + body)


def _random_frame(rng):
    """Returns the bytes of one frame (size prefix included)."""
    kind = rng.random()
    if kind < 0.10:                               # well-formed requests
        return frame(b"".join(_valid_request(rng)))
    if kind < 0.60:                               # mutated well-formed requests
        return frame(_mutated_request(rng))
    if kind < 0.63:                               # bad size prefixes
        return i32(rng.choice([-1, 0, rng.randint(1, 9), LIMIT + 1, -rng.getrandbits(31)]))
    # random header + random body
    key = rng.choice([3, 3, 18, 18, rng.randint(0, 70), rng.randint(-32768, 32767)])
    ver = rng.choice([rng.randint(0, 13), rng.randint(-1, 20), rng.randint(-32768, 32767)])
    cid = rng.choice([None, b"", b"soak", rng.randbytes(rng.randint(0, 30))])
    head = i16(key) + i16(ver) + i32(rng.getrandbits(31))
    head += i16(-1) if cid is None else i16(rng.choice([len(cid), len(cid),
                                                        rng.randint(-3, 200)])) + cid
    size = max(_random_size(rng), len(head))
    body = rng.randbytes(min(size, LIMIT) - len(head))
    return frame(head + body)


def _soak_plan(seed, total):
    """[(frames, cut)] per connection, deterministic for a seed. Most connections carry one
    frame (so every frame reaches a decoder); the rest pipeline 2-10 frames. `cut` > 0 cuts
    the last frame short before the client's EOF."""
    rng = random.Random(seed)
    plan = []
    n = 0
    while n < total:
        k = 1 if rng.random() < 0.6 else rng.randint(2, 10)
        k = min(k, total - n)
        frames = [_random_frame(rng) for _ in range(k)]
        cut = 0
        if rng.random() < 0.05 and len(frames[-1]) > 8:
            cut = rng.randint(1, len(frames[-1]) - 5)
        plan.append((frames, cut))
        n += k
    return plan


def _soak_connection(port, frames, cut, close_within):
    """Sends the frames, half-closes, reads until the broker closes. Returns a dict."""
    out = {"closed": False, "resp_frames": 0, "bad_frame": None}
    data = b"".join(frames)
    if cut:
        data = data[:-cut]
    try:
        s = socket.create_connection((harness.HOST, port), timeout=10)
    except OSError as e:
        out["connect_error"] = repr(e)
        return out
    try:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass   # the broker may close as soon as it sees the first bad frame
        buf = b""
        deadline = time.monotonic() + close_within
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            s.settimeout(left)
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except OSError:
                out["closed"] = True
                break
            if not chunk:
                out["closed"] = True
                break
            buf += chunk
        while len(buf) >= 4:      # response framing sanity: sizes are plausible
            size = struct.unpack(">i", buf[:4])[0]
            if size < 4 or size > 64 * 1024 * 1024:
                out["bad_frame"] = buf[:16].hex()
                break
            if len(buf) < 4 + size:
                break
            out["resp_frames"] += 1
            buf = buf[4 + size:]
    finally:
        s.close()
    return out


def test_soak_random_frames_then_clean_shutdown(broker, control):
    time.sleep(1.0)
    rss_before = broker.rss_kb()
    plan = _soak_plan(SOAK_SEED, SOAK_FRAMES)
    close_within = IDLE_S + 10.0   # EOF or, at worst, the idle timeout must close each one
    t0 = time.monotonic()
    control_before = control.count
    results = []
    with ThreadPoolExecutor(max_workers=SOAK_WORKERS) as pool:
        futs = [pool.submit(_soak_connection, broker.port, frames, cut, close_within)
                for frames, cut in plan]
        for f in futs:
            results.append(f.result(timeout=close_within + 120))
            if not broker.alive():
                break
    elapsed = time.monotonic() - t0
    control_during = control.count - control_before
    assert broker.alive(), "broker died during the soak; log tail:\n%s" % broker.log_tail()
    control.answers_after(2)
    time.sleep(2.0)                # let the last connections be torn down
    rss_after = broker.rss_kb()
    refused = [r["connect_error"] for r in results if "connect_error" in r]
    assert not refused, "%d soak connections could not connect, e.g. %s" % (
        len(refused), refused[0])
    lingering = sum(1 for r in results if not r["closed"])
    bad = [r["bad_frame"] for r in results if r["bad_frame"]]
    answered = sum(r["resp_frames"] for r in results)
    harness.report_figure(
        "soak: %d frames over %d connections (seed %#x, %d workers) in %.1f s; %d responses; "
        "control client: %d answers during the soak (%d in the module), max latency %.3f s; "
        "RSS %d KiB -> %d KiB (%+d KiB)" % (
            SOAK_FRAMES, len(plan), SOAK_SEED, SOAK_WORKERS, elapsed, answered, control_during,
            control.count, control.max_latency, rss_before, rss_after, rss_after - rss_before))
    assert control_during >= 1, "the control client got no answer while the soak ran"
    assert not bad, "responses with impossible frame sizes: %r" % bad[:5]
    assert lingering == 0, "%d connections not closed within %.0fs of the client's EOF" % (
        lingering, close_within)
    assert answered > 0, "not a single soak request was answered (valid ones are mixed in)"
    assert rss_after - rss_before < RSS_GROWTH_LIMIT_KB, \
        "RSS grew by %d KiB (limit %d KiB)" % (rss_after - rss_before, RSS_GROWTH_LIMIT_KB)

    control.stop()
    assert not control.errors, control.errors
    rc = broker.stop(timeout=30)
    assert rc == 0, "clean shutdown after the soak exited %s; log tail:\n%s" % (
        rc, broker.log_tail())
    assert not broker.sanitizer_findings(), broker.sanitizer_findings()
