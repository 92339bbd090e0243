"""kproto — a small, independent Kafka wire codec for the integration tests.

Written from /work/shared/reference/kafka-schemas.md and kafka-protocol.md §1-2, without looking
at the broker's C codec, so that the tests cross-check it from the outside. It covers:

* request header v1 / v2 (encode), response header v0 / v1 (decode);
* ApiVersions v0-4: request encode, response decode (incl. the v0-format fallback answer);
* Metadata v0-12: request encode, response decode;
* InitProducerId v0-5: request encode, response decode.

Decoders are strict: every byte of a response must be consumed, lengths must fit, tag sections
must be strictly ascending; any violation raises DecodeError. Requests can also be built with
deliberately wrong pieces (the raw primitives are public) for the malformed-input tests.

Run `python3 kproto.py` for the self-tests (also run by test_bootstrap.py::test_kproto_selftest).
"""

import struct

API_METADATA = 3
API_API_VERSIONS = 18
API_INIT_PRODUCER_ID = 22

# Highest version of each API this codec knows; the flexible-from version of each.
MAX_VERSION = {API_METADATA: 12, API_API_VERSIONS: 4, API_INIT_PRODUCER_ID: 5}
FLEXIBLE_FROM = {API_METADATA: 9, API_API_VERSIONS: 3, API_INIT_PRODUCER_ID: 2}

ERR_NONE = 0
ERR_UNSUPPORTED_VERSION = 35
ERR_INVALID_REQUEST = 42


class DecodeError(ValueError):
    pass


# --------------------------------------------------------------------------------------------
# Primitive encoders
# --------------------------------------------------------------------------------------------

def i8(v):
    return struct.pack(">b", v)


def i16(v):
    return struct.pack(">h", v)


def i32(v):
    return struct.pack(">i", v)


def i64(v):
    return struct.pack(">q", v)


def boolean(v):
    return b"\x01" if v else b"\x00"


def uvarint(v):
    """Unsigned varint: 7 bits per byte, low group first, MSB = continuation."""
    if v < 0:
        raise ValueError("uvarint of a negative number")
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def string(s):
    """STRING: int16 length, then UTF-8 bytes."""
    b = s.encode() if isinstance(s, str) else s
    return i16(len(b)) + b


def nullable_string(s):
    if s is None:
        return i16(-1)
    return string(s)


def compact_string(s):
    """COMPACT_STRING: uvarint N+1, then bytes."""
    b = s.encode() if isinstance(s, str) else s
    return uvarint(len(b) + 1) + b


def compact_nullable_string(s):
    if s is None:
        return uvarint(0)
    return compact_string(s)


def array(items):
    """ARRAY of already-encoded elements; None = null array (-1)."""
    if items is None:
        return i32(-1)
    return i32(len(items)) + b"".join(items)


def compact_array(items):
    if items is None:
        return uvarint(0)
    return uvarint(len(items) + 1) + b"".join(items)


def tags(fields=None):
    """Tagged-field section from {tag: bytes}; written in ascending tag order."""
    fields = fields or {}
    out = uvarint(len(fields))
    for t in sorted(fields):
        out += uvarint(t) + uvarint(len(fields[t])) + fields[t]
    return out


def frame(payload):
    """Prefix a request/response with its int32 size."""
    return i32(len(payload)) + payload


# --------------------------------------------------------------------------------------------
# Primitive decoder
# --------------------------------------------------------------------------------------------

class Reader:
    def __init__(self, data):
        self.data = bytes(data)
        self.pos = 0

    def remaining(self):
        return len(self.data) - self.pos

    def take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise DecodeError("need %d bytes at offset %d, only %d left"
                              % (n, self.pos, self.remaining()))
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def _unpack(self, fmt, n):
        return struct.unpack(fmt, self.take(n))[0]

    def i8(self):
        return self._unpack(">b", 1)

    def i16(self):
        return self._unpack(">h", 2)

    def i32(self):
        return self._unpack(">i", 4)

    def i64(self):
        return self._unpack(">q", 8)

    def boolean(self):
        return self.take(1) != b"\x00"

    def uvarint(self):
        v = 0
        for i in range(5):
            b = self.take(1)[0]
            v |= (b & 0x7F) << (7 * i)
            if not b & 0x80:
                if v > 0xFFFFFFFF:
                    raise DecodeError("uvarint overflows 32 bits")
                return v
        raise DecodeError("uvarint longer than 5 bytes")

    def string(self, nullable=False, compact=False):
        if compact:
            n = self.uvarint() - 1
        else:
            n = self.i16()
        if n == -1:
            if not nullable:
                raise DecodeError("null in a non-nullable string at offset %d" % self.pos)
            return None
        if n < -1:
            raise DecodeError("negative string length %d" % n)
        raw = self.take(n)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise DecodeError("string is not UTF-8: %r" % raw) from e

    def array_len(self, nullable=False, compact=False):
        if compact:
            n = self.uvarint() - 1
        else:
            n = self.i32()
        if n == -1:
            if not nullable:
                raise DecodeError("null in a non-nullable array")
            return None
        if n < -1:
            raise DecodeError("negative array length %d" % n)
        if n > self.remaining():  # every element is at least one byte
            raise DecodeError("array count %d exceeds the %d bytes left" % (n, self.remaining()))
        return n

    def array(self, elem, nullable=False, compact=False):
        n = self.array_len(nullable, compact)
        if n is None:
            return None
        return [elem(self) for _ in range(n)]

    def tags(self):
        """Reads a tag section; returns {tag: raw bytes}. Tags must be strictly ascending."""
        n = self.uvarint()
        out = {}
        last = -1
        for _ in range(n):
            t = self.uvarint()
            if t <= last:
                raise DecodeError("tag %d after tag %d: not strictly ascending" % (t, last))
            last = t
            size = self.uvarint()
            out[t] = self.take(size)
        return out

    def end(self):
        if self.remaining():
            raise DecodeError("%d unread trailing bytes at offset %d: %r"
                              % (self.remaining(), self.pos, self.data[self.pos:self.pos + 32]))


# --------------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------------

def is_flexible(api_key, version):
    return version >= FLEXIBLE_FROM[api_key]


def request_header_version(api_key, version):
    """2 for flexible request versions, else 1. ApiVersions >= 3 (any future one too) = 2."""
    if api_key in FLEXIBLE_FROM:
        return 2 if version >= FLEXIBLE_FROM[api_key] else 1
    return 1


def response_header_version(api_key, version):
    """ApiVersions responses always use header v0; others v1 when flexible."""
    if api_key == API_API_VERSIONS:
        return 0
    if api_key in FLEXIBLE_FROM and version >= FLEXIBLE_FROM[api_key]:
        return 1
    return 0


def encode_request_header(api_key, version, correlation_id, client_id="kproto",
                          header_version=None, header_tags=None):
    hv = request_header_version(api_key, version) if header_version is None else header_version
    out = i16(api_key) + i16(version) + i32(correlation_id)
    if hv >= 1:
        out += nullable_string(client_id)  # never compact, even in header v2
    if hv >= 2:
        out += tags(header_tags)
    return out


def decode_response_header(r, header_version):
    corr = r.i32()
    if header_version >= 1:
        r.tags()
    return corr


def encode_request(api_key, version, correlation_id, body, client_id="kproto",
                   header_version=None):
    """Header + body, without the size prefix."""
    return encode_request_header(api_key, version, correlation_id, client_id,
                                 header_version) + body


# --------------------------------------------------------------------------------------------
# ApiVersions (key 18)
# --------------------------------------------------------------------------------------------

def encode_api_versions_body(version, software_name="kproto", software_version="1.0"):
    if version <= 2:
        return b""
    return compact_string(software_name) + compact_string(software_version) + tags()


def api_versions_request(version, correlation_id, software_name="kproto",
                         software_version="1.0", client_id="kproto"):
    """A complete framed ApiVersions request."""
    body = encode_api_versions_body(version, software_name, software_version)
    return frame(encode_request(API_API_VERSIONS, version, correlation_id, body, client_id))


def decode_api_versions_response(data, version):
    """Decodes a response payload (after the size) for a request sent at `version`.

    Returns a dict: correlation_id, error_code, api_keys {key: (min, max)}, throttle_time_ms
    (None below v1), tags {tag: raw}, and for v3+ the decoded tag values
    supported_features / finalized_features_epoch / finalized_features / zk_migration_ready.
    """
    r = Reader(data)
    corr = decode_response_header(r, 0)
    flex = version >= 3
    out = {"correlation_id": corr, "version": version}
    out["error_code"] = r.i16()

    def entry(rr):
        k, mn, mx = rr.i16(), rr.i16(), rr.i16()
        if flex:
            rr.tags()
        return (k, mn, mx)

    entries = r.array(entry, compact=flex)
    keys = {}
    for k, mn, mx in entries:
        if k in keys:
            raise DecodeError("api key %d listed twice" % k)
        keys[k] = (mn, mx)
    out["api_keys"] = keys
    out["api_key_order"] = [e[0] for e in entries]
    out["throttle_time_ms"] = r.i32() if version >= 1 else None
    out["tags"] = {}
    if flex:
        t = r.tags()
        out["tags"] = t
        if 0 in t:
            tr = Reader(t[0])

            def feat(rr):
                name = rr.string(compact=True)
                mn, mx = rr.i16(), rr.i16()
                rr.tags()
                return (name, mn, mx)
            out["supported_features"] = tr.array(feat, compact=True)
            tr.end()
        if 1 in t:
            tr = Reader(t[1])
            out["finalized_features_epoch"] = tr.i64()
            tr.end()
        if 2 in t:
            tr = Reader(t[2])

            def ffeat(rr):
                name = rr.string(compact=True)
                mx, mn = rr.i16(), rr.i16()
                rr.tags()
                return (name, mx, mn)
            out["finalized_features"] = tr.array(ffeat, compact=True)
            tr.end()
        if 3 in t:
            tr = Reader(t[3])
            out["zk_migration_ready"] = tr.boolean()
            tr.end()
    r.end()
    return out


def decode_api_versions_fallback(data):
    """The v0-format answer to an unsupported ApiVersions version (KIP-511)."""
    return decode_api_versions_response(data, 0)


# --------------------------------------------------------------------------------------------
# Metadata (key 3)
# --------------------------------------------------------------------------------------------

ALL_TOPICS = object()


def encode_metadata_body(version, topics=ALL_TOPICS, allow_auto_topic_creation=True,
                         include_cluster_authorized_operations=False,
                         include_topic_authorized_operations=False):
    """topics: ALL_TOPICS (v0: empty array, v1+: null), or a list of names."""
    flex = version >= 9
    if topics is ALL_TOPICS:
        topics = [] if version == 0 else None

    def topic(name):
        t = b""
        if version >= 10:
            t += b"\x00" * 16  # topic_id: all zeros = by name
        if flex:
            t += compact_nullable_string(name) if version >= 10 else compact_string(name)
            t += tags()
        else:
            t += string(name)
        return t

    items = None if topics is None else [topic(n) for n in topics]
    out = compact_array(items) if flex else array(items)
    if version >= 4:
        out += boolean(allow_auto_topic_creation)
    if 8 <= version <= 10:
        out += boolean(include_cluster_authorized_operations)
    if version >= 8:
        out += boolean(include_topic_authorized_operations)
    if flex:
        out += tags()
    return out


def metadata_request(version, correlation_id, topics=ALL_TOPICS, client_id="kproto", **kw):
    body = encode_metadata_body(version, topics, **kw)
    return frame(encode_request(API_METADATA, version, correlation_id, body, client_id))


def decode_metadata_response(data, version):
    """Decodes a Metadata response payload (after the size) at `version`.

    Returns a dict with correlation_id, throttle_time_ms, brokers [{node_id, host, port, rack}],
    cluster_id, controller_id, topics [...], cluster_authorized_operations. Fields absent
    from `version` are None.
    """
    flex = version >= 9
    r = Reader(data)
    corr = decode_response_header(r, 1 if flex else 0)
    out = {"correlation_id": corr, "version": version}
    out["throttle_time_ms"] = r.i32() if version >= 3 else None

    def broker(rr):
        b = {"node_id": rr.i32(), "host": rr.string(compact=flex), "port": rr.i32(),
             "rack": None}
        if version >= 1:
            b["rack"] = rr.string(nullable=True, compact=flex)
        if flex:
            rr.tags()
        return b

    out["brokers"] = r.array(broker, compact=flex)
    out["cluster_id"] = r.string(nullable=True, compact=flex) if version >= 2 else None
    out["controller_id"] = r.i32() if version >= 1 else None

    def int32s(rr):
        return rr.array(lambda x: x.i32(), compact=flex)

    def partition(rr):
        p = {"error_code": rr.i16(), "partition_index": rr.i32(), "leader_id": rr.i32()}
        p["leader_epoch"] = rr.i32() if version >= 7 else None
        p["replica_nodes"] = int32s(rr)
        p["isr_nodes"] = int32s(rr)
        p["offline_replicas"] = int32s(rr) if version >= 5 else None
        if flex:
            rr.tags()
        return p

    def topic(rr):
        t = {"error_code": rr.i16()}
        t["name"] = rr.string(nullable=version >= 12, compact=flex)
        t["topic_id"] = rr.take(16) if version >= 10 else None
        t["is_internal"] = rr.boolean() if version >= 1 else None
        t["partitions"] = rr.array(partition, compact=flex)
        t["topic_authorized_operations"] = rr.i32() if version >= 8 else None
        if flex:
            rr.tags()
        return t

    out["topics"] = r.array(topic, compact=flex)
    out["cluster_authorized_operations"] = r.i32() if 8 <= version <= 10 else None
    out["tags"] = r.tags() if flex else {}
    r.end()
    return out


# --------------------------------------------------------------------------------------------
# InitProducerId (key 22): TransactionalId (nullable string), TransactionTimeoutMs int32,
# v3+ ProducerId int64 and ProducerEpoch int16; response ThrottleTimeMs, ErrorCode,
# ProducerId, ProducerEpoch. Flexible from v2.
# --------------------------------------------------------------------------------------------

def encode_init_producer_id_body(version, transactional_id=None, timeout_ms=60000,
                                 producer_id=-1, producer_epoch=-1):
    flex = version >= FLEXIBLE_FROM[API_INIT_PRODUCER_ID]
    out = (compact_nullable_string(transactional_id) if flex
           else nullable_string(transactional_id)) + i32(timeout_ms)
    if version >= 3:
        out += i64(producer_id) + i16(producer_epoch)
    return out + (tags() if flex else b"")


def decode_init_producer_id_response(data, version):
    r = Reader(data)
    flex = version >= FLEXIBLE_FROM[API_INIT_PRODUCER_ID]
    out = {"correlation_id": decode_response_header(r, 1 if flex else 0)}
    out["throttle_time_ms"] = r.i32()
    out["error_code"] = r.i16()
    out["producer_id"] = r.i64()
    out["producer_epoch"] = r.i16()
    if flex:
        r.tags()
    r.end()
    return out


def decode_response(api_key, version, data):
    if api_key == API_API_VERSIONS:
        return decode_api_versions_response(data, version)
    if api_key == API_METADATA:
        return decode_metadata_response(data, version)
    if api_key == API_INIT_PRODUCER_ID:
        return decode_init_producer_id_response(data, version)
    raise ValueError("kproto cannot decode api key %d" % api_key)


# --------------------------------------------------------------------------------------------
# Self-tests: hand-computed byte vectors (independent of any encoder here), plus a cross-check
# against kafka-python's own protocol classes for the versions it knows (Metadata v0-5,
# ApiVersions v0-2).
# --------------------------------------------------------------------------------------------

def _selftest_vectors():
    assert uvarint(0) == b"\x00"
    assert uvarint(1) == b"\x01"
    assert uvarint(127) == b"\x7f"
    assert uvarint(128) == b"\x80\x01"
    assert uvarint(300) == b"\xac\x02"
    assert uvarint(0xFFFFFFFF) == b"\xff\xff\xff\xff\x0f"
    for v in (0, 1, 127, 128, 300, 16383, 16384, 2**31 - 1, 2**32 - 1):
        assert Reader(uvarint(v)).uvarint() == v
    try:
        Reader(b"\xff\xff\xff\xff\xff\x01").uvarint()
        raise AssertionError("6-byte uvarint accepted")
    except DecodeError:
        pass

    # ApiVersions v0 request: size, key 18, version 0, corr 7, client_id "ab".
    req = api_versions_request(0, 7, client_id="ab")
    assert req == bytes.fromhex("0000000c" "0012" "0000" "00000007" "0002" "6162"), req.hex()
    # ApiVersions v3: header v2 (classic client_id + empty tags), compact strings + tags.
    req = api_versions_request(3, 1, software_name="x", software_version="1", client_id=None)
    assert req == bytes.fromhex("00000010" "0012" "0003" "00000001" "ffff" "00"
                                "02" "78" "02" "31" "00"), req.hex()
    # Metadata v0 all topics = empty array; v1 all topics = null array.
    assert encode_metadata_body(0) == bytes.fromhex("00000000")
    assert encode_metadata_body(1) == bytes.fromhex("ffffffff")
    assert encode_metadata_body(1, ["t"]) == bytes.fromhex("00000001" "0001" "74")
    assert encode_metadata_body(4) == bytes.fromhex("ffffffff" "01")
    assert encode_metadata_body(8) == bytes.fromhex("ffffffff" "01" "00" "00")
    # v9: compact null array (0), allow_auto, cluster ops, topic ops, empty tags.
    assert encode_metadata_body(9) == bytes.fromhex("00" "01" "00" "00" "00")
    assert encode_metadata_body(11) == bytes.fromhex("00" "01" "00" "00")
    assert encode_metadata_body(10, ["t"]) == bytes.fromhex(
        "02" + "00" * 16 + "02" "74" "00" "01" "00" "00" "00")
    hdr = encode_request_header(API_METADATA, 9, 5, "c")
    assert hdr == bytes.fromhex("0003" "0009" "00000005" "0001" "63" "00"), hdr.hex()

    # ApiVersions v0 response: corr 7, error 0, [(18,0,4), (3,0,12)].
    resp = bytes.fromhex("00000007" "0000" "00000002" "001200000004" "00030000000c")
    d = decode_api_versions_response(resp, 0)
    assert d["correlation_id"] == 7 and d["error_code"] == 0
    assert d["api_keys"] == {18: (0, 4), 3: (0, 12)} and d["throttle_time_ms"] is None
    # v3 response: header v0 (no tags!), compact array N+1 = 2, entry + tags, throttle, tags
    # with ZkMigrationReady (tag 3) = true.
    resp = bytes.fromhex("00000009" "0000" "02" "0012000000040" "0" "00000000"
                         "01" "03" "01" "01")
    d = decode_api_versions_response(resp, 3)
    assert d["api_keys"] == {18: (0, 4)} and d["throttle_time_ms"] == 0
    assert d["zk_migration_ready"] is True
    # Trailing garbage, truncation and out-of-order tags are all rejected.
    for bad in (resp + b"\x00", resp[:-1],
                bytes.fromhex("00000009" "0000" "01" "00000000" "02" "03" "00" "01" "00")):
        try:
            decode_api_versions_response(bad, 3)
            raise AssertionError("accepted bad response %s" % bad.hex())
        except DecodeError:
            pass

    # Metadata v1 response: corr 1, brokers [(1,"h",9,null)], controller 1, topics [].
    resp = bytes.fromhex("00000001" "00000001" "00000001" "0001" "68" "00000009" "ffff"
                         "00000001" "00000000")
    d = decode_metadata_response(resp, 1)
    assert d["brokers"] == [{"node_id": 1, "host": "h", "port": 9, "rack": None}]
    assert d["controller_id"] == 1 and d["topics"] == [] and d["cluster_id"] is None
    # Metadata v9 response: header v1 (corr + tags), throttle, compact brokers with rack "r",
    # cluster id "c", controller -1, empty topics, cluster ops, tags.
    resp = bytes.fromhex("00000002" "00" "00000000" "02" "00000002" "02" "68" "0000000a"
                         "02" "72" "00" "02" "63" "ffffffff" "01" "80000000" "00")
    d = decode_metadata_response(resp, 9)
    assert d["brokers"] == [{"node_id": 2, "host": "h", "port": 10, "rack": "r"}], d
    assert d["cluster_id"] == "c" and d["controller_id"] == -1
    assert d["cluster_authorized_operations"] == -2**31


def _selftest_kafka_python():
    """Cross-check against kafka-python 2.0.2's protocol classes (non-flexible versions)."""
    try:
        from kafka.protocol.metadata import MetadataRequest, MetadataResponse
        from kafka.protocol.admin import ApiVersionRequest, ApiVersionResponse
    except ImportError:  # pragma: no cover - the Debian package is a test dependency
        return False
    # Requests: kafka-python encodes the body; the header is ours.
    for v in range(0, 6):
        kw = {}
        if v >= 4:
            kw["allow_auto_topic_creation"] = True
        all_topics = [] if v == 0 else None
        mine = encode_metadata_body(v, ALL_TOPICS)
        req = MetadataRequest[v](topics=all_topics, **kw)  # kafka-python's encode() is a
        theirs = req.encode()                                # weak method: keep req alive
        assert mine == theirs, (v, mine.hex(), theirs.hex())
        mine = encode_metadata_body(v, ["a", "bc"])
        req = MetadataRequest[v](topics=["a", "bc"], **kw)
        theirs = req.encode()
        assert mine == theirs, (v, mine.hex(), theirs.hex())
    for v in range(0, 3):
        req = ApiVersionRequest[v]()
        assert encode_api_versions_body(v) == req.encode()
    # Responses: kafka-python encodes, we decode.
    brokers5 = [(1, "127.0.0.1", 9092, None), (2, "h2", 9093, "rack-b")]
    for v in range(0, 6):
        if v == 0:
            obj = MetadataResponse[0](brokers=[b[:3] for b in brokers5], topics=[])
        elif v == 1:
            obj = MetadataResponse[1](brokers=brokers5, controller_id=2, topics=[])
        elif v == 2:
            obj = MetadataResponse[2](brokers=brokers5, cluster_id="cid", controller_id=2,
                                      topics=[])
        else:
            topics = [(0, "t", False, [(0, 0, 1, [1, 2], [1], [2])] if v >= 5 else
                       [(0, 0, 1, [1, 2], [1])])]
            obj = MetadataResponse[v](throttle_time_ms=5, brokers=brokers5, cluster_id=None,
                                      controller_id=-1, topics=topics)
        data = i32(77) + obj.encode()
        d = decode_metadata_response(data, v)
        assert d["correlation_id"] == 77
        assert [b["node_id"] for b in d["brokers"]] == [1, 2]
        assert d["brokers"][1]["host"] == "h2" and d["brokers"][1]["port"] == 9093
        if v >= 1:
            assert d["brokers"][1]["rack"] == "rack-b" and d["brokers"][0]["rack"] is None
        if v == 2:
            assert d["cluster_id"] == "cid"
        if v >= 3:
            assert d["throttle_time_ms"] == 5 and d["topics"][0]["name"] == "t"
            assert d["topics"][0]["partitions"][0]["isr_nodes"] == [1]
    for v in range(0, 3):
        if v == 0:
            obj = ApiVersionResponse[0](error_code=0, api_versions=[(18, 0, 4), (3, 0, 12)])
        else:
            obj = ApiVersionResponse[v](error_code=0, api_versions=[(18, 0, 4), (3, 0, 12)],
                                        throttle_time_ms=3)
        d = decode_api_versions_response(i32(9) + obj.encode(), v)
        assert d["api_keys"] == {18: (0, 4), 3: (0, 12)}
        assert d["throttle_time_ms"] == (None if v == 0 else 3)
    return True


def selftest():
    """Runs every self-test; returns True when the kafka-python cross-check ran too."""
    _selftest_vectors()
    return _selftest_kafka_python()


if __name__ == "__main__":
    print("kproto self-test ok (kafka-python cross-check: %s)" % selftest())
