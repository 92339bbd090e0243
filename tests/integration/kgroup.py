"""kgroup — a small, independent codec for the consumer-group APIs, for the integration tests.

Written from /work/shared/reference/kafka-schemas.md (Kafka 3.9 message layouts) without
looking at the broker's C codec. Each API is a table of fields with the versions they exist
in; one generic encoder/decoder walks the table, with the compact encodings and tag sections
of flexible versions. None of these APIs has tagged fields in 3.9, so tag sections are written
empty and read (and ignored) when present. Decoders are strict like kproto's: every byte must
be consumed, and null is refused where the schema does not allow it.

Covered: FindCoordinator (10) v0-4, JoinGroup (11) v0-9, Heartbeat (12) v0-4, LeaveGroup
(13) v0-5, SyncGroup (14) v0-5, OffsetCommit (8) v0-8, OffsetFetch (9) v0-8, DescribeGroups
(15) v0-5, ListGroups (16) v0-4, DeleteGroups (42) v0-2; plus the "consumer" protocol's
Subscription / Assignment blobs (classic encoding, version-prefixed) and __consumer_offsets
group-metadata values.

Usage: `group_request(conn, API, version, {field: value, ...})` on a harness.KConn returns the
decoded response dict. Field names are the schema's in snake_case. `python3 kgroup.py` runs
the self-test (vectors cross-checked with kafka-python's protocol classes).
"""

import struct

import kproto

OFFSET_COMMIT, OFFSET_FETCH, FIND_COORDINATOR = 8, 9, 10
JOIN_GROUP, HEARTBEAT, LEAVE_GROUP, SYNC_GROUP = 11, 12, 13, 14
DESCRIBE_GROUPS, LIST_GROUPS = 15, 16
DELETE_GROUPS = 42

# Kafka error codes the group tests name (kafka-protocol.md §5).
UNKNOWN_SERVER_ERROR = -1
NONE = 0
UNKNOWN_TOPIC_OR_PARTITION = 3
COORDINATOR_LOAD_IN_PROGRESS = 14
COORDINATOR_NOT_AVAILABLE = 15
NOT_COORDINATOR = 16
ILLEGAL_GENERATION = 22
INCONSISTENT_GROUP_PROTOCOL = 23
INVALID_GROUP_ID = 24
UNKNOWN_MEMBER_ID = 25
INVALID_SESSION_TIMEOUT = 26
REBALANCE_IN_PROGRESS = 27
INVALID_REQUEST = 42
MEMBER_ID_REQUIRED = 79
FENCED_INSTANCE_ID = 82
GROUP_MAX_SIZE_REACHED = 81
OFFSET_METADATA_TOO_LARGE = 12
NON_EMPTY_GROUP = 68
GROUP_ID_NOT_FOUND = 69

INF = 1 << 30   # "and every later version"


def F(name, typ, lo=0, hi=INF, null_from=None, default=None):
    """One field: present in versions lo..hi; nullable from version null_from on."""
    return (name, typ, lo, hi, null_from, default)


# typ: "i8" "i16" "i32" "i64" "bool" "str" "bytes", ("arr", "i32"|"str") for arrays of a
# primitive, ("arr", [fields]) for arrays of structs.
REQ, RESP, FLEX = {}, {}, {}

FLEX[FIND_COORDINATOR] = 3
REQ[FIND_COORDINATOR] = [F("key", "str", 0, 3), F("key_type", "i8", 1, default=0),
                         F("coordinator_keys", ("arr", "str"), 4)]
RESP[FIND_COORDINATOR] = [
    F("throttle_time_ms", "i32", 1), F("error_code", "i16", 0, 3),
    F("error_message", "str", 1, 3, null_from=1), F("node_id", "i32", 0, 3),
    F("host", "str", 0, 3), F("port", "i32", 0, 3),
    F("coordinators", ("arr", [F("key", "str"), F("node_id", "i32"), F("host", "str"),
                               F("port", "i32"), F("error_code", "i16"),
                               F("error_message", "str", null_from=0)]), 4)]

FLEX[JOIN_GROUP] = 6
REQ[JOIN_GROUP] = [
    F("group_id", "str"), F("session_timeout_ms", "i32"),
    F("rebalance_timeout_ms", "i32", 1, default=-1), F("member_id", "str"),
    F("group_instance_id", "str", 5, null_from=5, default=None), F("protocol_type", "str"),
    F("protocols", ("arr", [F("name", "str"), F("metadata", "bytes")])),
    F("reason", "str", 8, null_from=8, default=None)]
RESP[JOIN_GROUP] = [
    F("throttle_time_ms", "i32", 2), F("error_code", "i16"), F("generation_id", "i32"),
    F("protocol_type", "str", 7, null_from=7), F("protocol_name", "str", null_from=7),
    F("leader", "str"), F("skip_assignment", "bool", 9), F("member_id", "str"),
    F("members", ("arr", [F("member_id", "str"), F("group_instance_id", "str", 5, null_from=5),
                          F("metadata", "bytes")]))]

FLEX[HEARTBEAT] = 4
REQ[HEARTBEAT] = [F("group_id", "str"), F("generation_id", "i32"), F("member_id", "str"),
                  F("group_instance_id", "str", 3, null_from=3, default=None)]
RESP[HEARTBEAT] = [F("throttle_time_ms", "i32", 1), F("error_code", "i16")]

FLEX[LEAVE_GROUP] = 4
REQ[LEAVE_GROUP] = [
    F("group_id", "str"), F("member_id", "str", 0, 2),
    F("members", ("arr", [F("member_id", "str"),
                          F("group_instance_id", "str", null_from=0, default=None),
                          F("reason", "str", 5, null_from=5, default=None)]), 3)]
RESP[LEAVE_GROUP] = [
    F("throttle_time_ms", "i32", 1), F("error_code", "i16"),
    F("members", ("arr", [F("member_id", "str"), F("group_instance_id", "str", null_from=0),
                          F("error_code", "i16")]), 3)]

FLEX[SYNC_GROUP] = 4
REQ[SYNC_GROUP] = [
    F("group_id", "str"), F("generation_id", "i32"), F("member_id", "str"),
    F("group_instance_id", "str", 3, null_from=3, default=None),
    F("protocol_type", "str", 5, null_from=5, default=None),
    F("protocol_name", "str", 5, null_from=5, default=None),
    F("assignments", ("arr", [F("member_id", "str"), F("assignment", "bytes")]))]
RESP[SYNC_GROUP] = [
    F("throttle_time_ms", "i32", 1), F("error_code", "i16"),
    F("protocol_type", "str", 5, null_from=5), F("protocol_name", "str", 5, null_from=5),
    F("assignment", "bytes")]

FLEX[OFFSET_COMMIT] = 8
REQ[OFFSET_COMMIT] = [
    F("group_id", "str"), F("generation_id", "i32", 1, default=-1),
    F("member_id", "str", 1, default=""),
    F("group_instance_id", "str", 7, null_from=7, default=None),
    F("retention_time_ms", "i64", 2, 4, default=-1),
    F("topics", ("arr", [F("name", "str"), F("partitions", ("arr", [
        F("partition_index", "i32"), F("committed_offset", "i64"),
        F("committed_leader_epoch", "i32", 6, default=-1),
        F("commit_timestamp", "i64", 1, 1, default=-1),
        F("committed_metadata", "str", null_from=0, default="")]))]))]
RESP[OFFSET_COMMIT] = [
    F("throttle_time_ms", "i32", 3),
    F("topics", ("arr", [F("name", "str"), F("partitions", ("arr", [
        F("partition_index", "i32"), F("error_code", "i16")]))]))]

FLEX[OFFSET_FETCH] = 6
_FETCH_TOPICS = [F("name", "str"), F("partition_indexes", ("arr", "i32"))]
_FETCH_PARTS = [F("partition_index", "i32"), F("committed_offset", "i64"),
                F("committed_leader_epoch", "i32", 5), F("metadata", "str", null_from=0),
                F("error_code", "i16")]
REQ[OFFSET_FETCH] = [
    F("group_id", "str", 0, 7), F("topics", ("arr", _FETCH_TOPICS), 0, 7, null_from=2),
    F("groups", ("arr", [F("group_id", "str"),
                         F("member_id", "str", 9, null_from=9, default=None),
                         F("member_epoch", "i32", 9, default=-1),
                         F("topics", ("arr", _FETCH_TOPICS), null_from=8)]), 8),
    F("require_stable", "bool", 7, default=False)]
RESP[OFFSET_FETCH] = [
    F("throttle_time_ms", "i32", 3),
    F("topics", ("arr", [F("name", "str"), F("partitions", ("arr", _FETCH_PARTS))]), 0, 7),
    F("error_code", "i16", 2, 7),
    F("groups", ("arr", [F("group_id", "str"),
                         F("topics", ("arr", [F("name", "str"),
                                              F("partitions", ("arr", _FETCH_PARTS))])),
                         F("error_code", "i16")]), 8)]

FLEX[DESCRIBE_GROUPS] = 5
REQ[DESCRIBE_GROUPS] = [F("groups", ("arr", "str")),
                        F("include_authorized_operations", "bool", 3, default=False)]
RESP[DESCRIBE_GROUPS] = [
    F("throttle_time_ms", "i32", 1),
    F("groups", ("arr", [
        F("error_code", "i16"), F("group_id", "str"), F("group_state", "str"),
        F("protocol_type", "str"), F("protocol_data", "str"),
        F("members", ("arr", [F("member_id", "str"),
                              F("group_instance_id", "str", 4, null_from=4),
                              F("client_id", "str"), F("client_host", "str"),
                              F("member_metadata", "bytes"), F("member_assignment", "bytes")])),
        F("authorized_operations", "i32", 3)]))]

FLEX[LIST_GROUPS] = 3
REQ[LIST_GROUPS] = [F("states_filter", ("arr", "str"), 4, default=[])]
RESP[LIST_GROUPS] = [
    F("throttle_time_ms", "i32", 1), F("error_code", "i16"),
    F("groups", ("arr", [F("group_id", "str"), F("protocol_type", "str"),
                         F("group_state", "str", 4)]))]


# DeleteGroups: from Kafka 3.9's DeleteGroupsRequest/Response.json (not in the reference
# sheet): v0-2, flexible from 2.
FLEX[DELETE_GROUPS] = 2
REQ[DELETE_GROUPS] = [F("groups_names", ("arr", "str"))]
RESP[DELETE_GROUPS] = [
    F("throttle_time_ms", "i32"),
    F("results", ("arr", [F("group_id", "str"), F("error_code", "i16")]))]


# --------------------------------------------------------------------------------------------
# Generic encoder / decoder
# --------------------------------------------------------------------------------------------

def _enc_prim(typ, v, flex, nullable):
    if typ == "i8":
        return kproto.i8(v)
    if typ == "i16":
        return kproto.i16(v)
    if typ == "i32":
        return kproto.i32(v)
    if typ == "i64":
        return kproto.i64(v)
    if typ == "bool":
        return kproto.boolean(v)
    if typ in ("str", "bytes"):
        if v is None:
            if not nullable:
                raise ValueError("null in a non-nullable %s" % typ)
            return kproto.uvarint(0) if flex else (kproto.i16(-1) if typ == "str"
                                                    else kproto.i32(-1))
        b = v.encode() if isinstance(v, str) else bytes(v)
        if flex:
            return kproto.uvarint(len(b) + 1) + b
        return (kproto.i16(len(b)) if typ == "str" else kproto.i32(len(b))) + b
    raise ValueError("unknown type %r" % (typ,))


def encode_fields(fields, values, version, flex):
    out = b""
    for name, typ, lo, hi, null_from, default in fields:
        if not lo <= version <= hi:
            continue
        if name in values:
            v = values[name]
        elif default is not None or null_from is not None:
            v = default
        else:
            raise KeyError("field %s is needed at version %d" % (name, version))
        nullable = null_from is not None and version >= null_from
        if isinstance(typ, tuple):
            if v is None:
                if not nullable:
                    raise ValueError("null array %s" % name)
                out += kproto.uvarint(0) if flex else kproto.i32(-1)
                continue
            out += kproto.uvarint(len(v) + 1) if flex else kproto.i32(len(v))
            for item in v:
                if isinstance(typ[1], list):
                    out += encode_fields(typ[1], item, version, flex)
                else:
                    out += _enc_prim(typ[1], item, flex, False)
        else:
            out += _enc_prim(typ, v, flex, nullable)
    if flex:
        out += kproto.tags()
    return out


def _dec_prim(r, typ, flex, nullable):
    if typ == "i8":
        return r.i8()
    if typ == "i16":
        return r.i16()
    if typ == "i32":
        return r.i32()
    if typ == "i64":
        return r.i64()
    if typ == "bool":
        return r.boolean()
    if typ == "str":
        return r.string(nullable=nullable, compact=flex)
    if typ == "bytes":
        n = r.uvarint() - 1 if flex else r.i32()
        if n == -1:
            if not nullable:
                raise kproto.DecodeError("null in non-nullable bytes")
            return None
        if n < -1:
            raise kproto.DecodeError("negative bytes length %d" % n)
        return r.take(n)
    raise ValueError(typ)


def decode_fields(r, fields, version, flex):
    out = {}
    for name, typ, lo, hi, null_from, _default in fields:
        if not lo <= version <= hi:
            continue
        nullable = null_from is not None and version >= null_from
        if isinstance(typ, tuple):
            n = r.array_len(nullable=nullable, compact=flex)
            if n is None:
                out[name] = None
                continue
            if isinstance(typ[1], list):
                out[name] = [decode_fields(r, typ[1], version, flex) for _ in range(n)]
            else:
                out[name] = [_dec_prim(r, typ[1], flex, False) for _ in range(n)]
        else:
            out[name] = _dec_prim(r, typ, flex, nullable)
    if flex:
        r.tags()
    return out


def is_flexible(api, version):
    return version >= FLEX[api]


def encode_body(api, version, values):
    return encode_fields(REQ[api], values, version, is_flexible(api, version))


def request_bytes(api, version, corr, values, client_id="kb-group-it"):
    """A complete framed request (header v1, or v2 for flexible versions)."""
    flex = is_flexible(api, version)
    hdr = kproto.encode_request_header(api, version, corr, client_id,
                                       header_version=2 if flex else 1)
    return kproto.frame(hdr + encode_body(api, version, values))


def decode_response(api, version, payload):
    flex = is_flexible(api, version)
    r = kproto.Reader(payload)
    out = {"correlation_id": r.i32()}
    if flex:
        r.tags()
    out.update(decode_fields(r, RESP[api], version, flex))
    r.end()
    return out


def send(conn, api, version, values, client_id="kb-group-it"):
    """Sends one request without waiting; returns its correlation id."""
    corr = conn.next_corr()
    conn.send(request_bytes(api, version, corr, values, client_id))
    return corr


def receive(conn, api, version, corr, timeout=20.0):
    resp = decode_response(api, version, conn.recv_frame(timeout))
    if resp["correlation_id"] != corr:
        raise AssertionError("correlation id %d, %d expected" % (resp["correlation_id"], corr))
    return resp


def group_request(conn, api, version, values, timeout=20.0, client_id="kb-group-it"):
    return receive(conn, api, version, send(conn, api, version, values, client_id), timeout)


# --------------------------------------------------------------------------------------------
# The "consumer" protocol blobs and __consumer_offsets values (classic encoding)
# --------------------------------------------------------------------------------------------

def subscription(topics, user_data=None, version=0):
    out = kproto.i16(version) + kproto.array([kproto.string(t) for t in topics])
    out += kproto.i32(-1) if user_data is None else kproto.i32(len(user_data)) + user_data
    if version >= 1:
        out += kproto.array([])   # owned partitions
    return out


def assignment(parts, user_data=None, version=0):
    """parts: {topic: [partition, ...]}."""
    out = kproto.i16(version) + kproto.array(
        [kproto.string(t) + kproto.array([kproto.i32(p) for p in ps])
         for t, ps in sorted(parts.items())])
    out += kproto.i32(-1) if user_data is None else kproto.i32(len(user_data)) + user_data
    return out


def decode_assignment(blob):
    """{topic: sorted partitions} from an Assignment of any version (known prefix only);
    {} for an empty blob (a member that was assigned nothing yet)."""
    if not blob:
        return {}
    r = kproto.Reader(blob)
    r.i16()
    out = {}
    for _ in range(r.array_len()):
        t = r.string()
        out[t] = sorted(r.i32() for _ in range(r.array_len()))
    return out


def decode_group_metadata_value(value):
    """(version, protocol_type, generation) of a __consumer_offsets group-metadata value."""
    r = kproto.Reader(value)
    version = r.i16()
    flex = version >= 4
    return version, r.string(compact=flex), r.i32()


def decode_offsets_key(key):
    """('offset', group, topic, partition), ('group', group) or ('other', version)."""
    r = kproto.Reader(key)
    v = r.i16()
    if v in (0, 1):
        return ("offset", r.string(), r.string(), r.i32())
    if v == 2:
        return ("group", r.string())
    return ("other", v)


def java_hash(s):
    """Java's String.hashCode over UTF-16 code units, as a signed 32-bit int."""
    h = 0
    data = s.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def offsets_partition(group, n):
    """__consumer_offsets partition of a group: Utils.abs(hash) % n (abs(MIN_INT) = 0)."""
    h = java_hash(group)
    return (0 if h == -(1 << 31) else abs(h)) % n


# --------------------------------------------------------------------------------------------
# Self-test
# --------------------------------------------------------------------------------------------

def selftest():
    """Round trips at every version, hand-made vectors, and (non-flexible versions) byte
    equality with kafka-python 2.0.2's protocol classes. Returns True when those ran."""
    # Hand-made: Heartbeat v0 = group "g", generation 5, member "m".
    assert encode_body(HEARTBEAT, 0, {"group_id": "g", "generation_id": 5, "member_id": "m"}) \
        == bytes.fromhex("000167" "00000005" "00016d")
    # v4 is flexible: compact strings, null instance id (0), empty tags.
    assert encode_body(HEARTBEAT, 4, {"group_id": "g", "generation_id": 5, "member_id": "m"}) \
        == bytes.fromhex("0267" "00000005" "026d" "00" "00")
    # FindCoordinator v4: key_type then a compact array of keys.
    assert encode_body(FIND_COORDINATOR, 4, {"coordinator_keys": ["g"]}) == \
        bytes.fromhex("00" "02" "0267" "00")
    # Response decode: JoinGroup v6 (flexible) with one member.
    resp = (kproto.i32(9) + b"\x00" + kproto.i32(0) + kproto.i16(0) + kproto.i32(3) +
            kproto.compact_string("range") + kproto.compact_string("m1") +
            kproto.compact_string("m1") + kproto.uvarint(2) + kproto.compact_string("m1") +
            kproto.uvarint(0) + kproto.uvarint(3) + b"ab" + b"\x00" + b"\x00")
    d = decode_response(JOIN_GROUP, 6, resp)
    assert d["generation_id"] == 3 and d["members"] == [
        {"member_id": "m1", "group_instance_id": None, "metadata": b"ab"}], d
    try:
        decode_response(JOIN_GROUP, 6, resp + b"\x00")
        raise AssertionError("trailing byte accepted")
    except kproto.DecodeError:
        pass
    blob = assignment({"t": [2, 0]}, version=1)
    assert decode_assignment(blob) == {"t": [0, 2]}
    assert offsets_partition("", 50) == 0 and java_hash("ab") == 97 * 31 + 98
    # Java: "polygenelubricants".hashCode() == Integer.MIN_VALUE, and Utils.abs() makes it 0.
    assert java_hash("polygenelubricants") == -(1 << 31)
    assert offsets_partition("polygenelubricants", 50) == 0
    try:
        from kafka.protocol.group import (JoinGroupRequest, SyncGroupRequest,
                                          HeartbeatRequest, LeaveGroupRequest)
        from kafka.protocol.commit import (OffsetCommitRequest, OffsetFetchRequest,
                                           GroupCoordinatorRequest)
        from kafka.protocol.admin import DescribeGroupsRequest, ListGroupsRequest
    except ImportError:  # pragma: no cover
        return False
    cases = []
    for v in range(0, 3):
        kw = dict(group="grp", session_timeout=6000, member_id="m", protocol_type="consumer",
                  group_protocols=[("range", b"meta")])
        if v >= 1:
            kw["rebalance_timeout"] = 9000
        cases.append((JoinGroupRequest[v](**kw), JOIN_GROUP, v, {
            "group_id": "grp", "session_timeout_ms": 6000, "rebalance_timeout_ms": 9000,
            "member_id": "m", "protocol_type": "consumer",
            "protocols": [{"name": "range", "metadata": b"meta"}]}))
    for v in range(0, 2):
        cases.append((SyncGroupRequest[v]("grp", 4, "m", [("m", b"as")]), SYNC_GROUP, v,
                      {"group_id": "grp", "generation_id": 4, "member_id": "m",
                       "assignments": [{"member_id": "m", "assignment": b"as"}]}))
        cases.append((HeartbeatRequest[v]("grp", 4, "m"), HEARTBEAT, v,
                      {"group_id": "grp", "generation_id": 4, "member_id": "m"}))
        cases.append((LeaveGroupRequest[v]("grp", "m"), LEAVE_GROUP, v,
                      {"group_id": "grp", "member_id": "m"}))
        cases.append((DescribeGroupsRequest[v](["a", "b"]), DESCRIBE_GROUPS, v,
                      {"groups": ["a", "b"]}))
        cases.append((ListGroupsRequest[v](), LIST_GROUPS, v, {}))
        cases.append((OffsetFetchRequest[v]("grp", [("t", [0, 1])]), OFFSET_FETCH, v,
                      {"group_id": "grp", "topics": [{"name": "t", "partition_indexes": [0, 1]}]}))
    cases.append((GroupCoordinatorRequest[0]("grp"), FIND_COORDINATOR, 0, {"key": "grp"}))
    cases.append((OffsetCommitRequest[2]("grp", 4, "m", -1, [("t", [(0, 7, "md")])]),
                  OFFSET_COMMIT, 2,
                  {"group_id": "grp", "generation_id": 4, "member_id": "m",
                   "topics": [{"name": "t", "partitions": [
                       {"partition_index": 0, "committed_offset": 7,
                        "committed_metadata": "md"}]}]}))
    for theirs, api, v, values in cases:
        t = theirs.encode()
        mine = encode_body(api, v, values)
        assert mine == t, (api, v, mine.hex(), t.hex())
    return True


if __name__ == "__main__":
    print("kgroup self-test ok (kafka-python cross-check: %s)" % selftest())
