"""gproto — the consumer-group requests that bench/groups_bench.py and test_group_load.py send,
and a pipelined asyncio connection to carry them.

Only non-flexible versions (request header v1, response header v0), written from
/work/shared/reference/kafka-schemas.md with kproto's primitives (tests/integration/kproto.py):

  FindCoordinator v2   Key, KeyType                    -> ErrorCode, NodeId, Host, Port
  JoinGroup v5         dynamic member (GroupInstanceId null)
  SyncGroup v3         Assignments [(MemberId, bytes)]
  Heartbeat v3         GroupId, GenerationId, MemberId, GroupInstanceId null
  OffsetCommit v7      simple commits use generation -1 and member ""
  OffsetFetch v5       one group, [(topic, [partitions])] or null for all
  ApiVersions v0       (response decoded for its error code only)

AConn pipelines: send() writes a request at once and returns a future; responses arrive in
request order (conn.h guarantees it), so a FIFO of (correlation id, decoder, future) matches
them. The future's result is (decoded dict, monotonic receive time).
"""

import asyncio
import collections
import struct
import time

import kproto
from kproto import Reader, array, i16, i32, i8, nullable_string, string

API_OFFSET_COMMIT = 8
API_OFFSET_FETCH = 9
API_FIND_COORDINATOR = 10
API_JOIN_GROUP = 11
API_HEARTBEAT = 12
API_SYNC_GROUP = 14

# Kafka error codes used here (common/kerr.h has them all).
NONE = 0
COORDINATOR_LOAD_IN_PROGRESS = 14
COORDINATOR_NOT_AVAILABLE = 15
NOT_COORDINATOR = 16
REBALANCE_IN_PROGRESS = 27
MEMBER_ID_REQUIRED = 79

ERROR_NAMES = {0: "NONE", 3: "UNKNOWN_TOPIC_OR_PARTITION", 7: "REQUEST_TIMED_OUT",
               14: "COORDINATOR_LOAD_IN_PROGRESS", 15: "COORDINATOR_NOT_AVAILABLE",
               16: "NOT_COORDINATOR", 22: "ILLEGAL_GENERATION", 25: "UNKNOWN_MEMBER_ID",
               27: "REBALANCE_IN_PROGRESS", 79: "MEMBER_ID_REQUIRED"}


def err_name(code):
    return ERROR_NAMES.get(code, str(code))


def nbytes(b):
    return i32(-1) if b is None else i32(len(b)) + b


def read_bytes(r):
    n = r.i32()
    return None if n < 0 else r.take(n)


# ---- Consumer protocol payloads (ConsumerProtocolSubscription / Assignment v0) -------------

def subscription(topics):
    return i16(0) + array([string(t) for t in topics]) + nbytes(None)


def assignment(topic_partitions):
    """{topic: [partitions]} -> ConsumerProtocolAssignment v0."""
    return i16(0) + array([string(t) + array([i32(p) for p in ps])
                           for t, ps in topic_partitions.items()]) + nbytes(None)


# ---- Request bodies -------------------------------------------------------------------------

def find_coordinator_v2(key):
    return string(key) + i8(0)


def join_group_v5(group, member_id, session_ms, rebalance_ms, protocol_type, protocols):
    """protocols: [(name, metadata bytes)]."""
    return (string(group) + i32(session_ms) + i32(rebalance_ms) + string(member_id) +
            nullable_string(None) + string(protocol_type) +
            array([string(n) + nbytes(m) for n, m in protocols]))


def sync_group_v3(group, generation, member_id, assignments):
    """assignments: [(member id, bytes)] (the leader's), or [] (followers)."""
    return (string(group) + i32(generation) + string(member_id) + nullable_string(None) +
            array([string(m) + nbytes(a) for m, a in assignments]))


def heartbeat_v3(group, generation, member_id):
    return string(group) + i32(generation) + string(member_id) + nullable_string(None)


def commit_partitions_v7(offsets):
    """The encoded partition array of one topic: offsets = [(partition, offset)]; leader epoch
    -1, metadata null."""
    return i32(len(offsets)) + b"".join(struct.pack(">iqih", p, o, -1, -1) for p, o in offsets)


def offset_commit_v7(group, topics, generation=-1, member_id=""):
    """topics: [(name, encoded partition array from commit_partitions_v7)]."""
    return (string(group) + i32(generation) + string(member_id) + nullable_string(None) +
            i32(len(topics)) + b"".join(string(t) + parts for t, parts in topics))


def offset_fetch_v5(group, topics):
    """topics: [(name, [partitions])] or None (every committed offset of the group)."""
    if topics is None:
        return string(group) + i32(-1)
    return string(group) + array([string(t) + array([i32(p) for p in ps]) for t, ps in topics])


# ---- Response decoders (payload after the size; header v0 = correlation id) ----------------

def dec_find_coordinator_v2(r):
    out = {"throttle_time_ms": r.i32(), "error_code": r.i16()}
    out["error_message"] = r.string(nullable=True)
    out["node_id"], out["host"], out["port"] = r.i32(), r.string(), r.i32()
    return out


def dec_join_group_v5(r):
    out = {"throttle_time_ms": r.i32(), "error_code": r.i16(), "generation_id": r.i32()}
    out["protocol_name"] = r.string(nullable=True)
    out["leader"], out["member_id"] = r.string(), r.string()

    def member(rr):
        return (rr.string(), rr.string(nullable=True), read_bytes(rr))
    out["members"] = r.array(member)
    return out


def dec_sync_group_v3(r):
    return {"throttle_time_ms": r.i32(), "error_code": r.i16(), "assignment": read_bytes(r)}


def dec_heartbeat_v3(r):
    return {"throttle_time_ms": r.i32(), "error_code": r.i16()}


def dec_offset_commit_v7(r):
    """Per-partition errors counted, not listed (a response may carry 1,000 partitions)."""
    out = {"throttle_time_ms": r.i32(), "errors": collections.Counter(), "partitions": 0}
    for _ in range(r.array_len()):
        r.string()
        n = r.array_len()
        raw = r.take(6 * n)
        for _, e in struct.iter_unpack(">ih", raw):
            out["errors"][e] += 1
        out["partitions"] += n
    return out


def dec_offset_fetch_v5(r):
    out = {"throttle_time_ms": r.i32(), "offsets": {}, "partition_errors": collections.Counter()}
    for _ in range(r.array_len()):
        t = r.string()
        for _ in range(r.array_len()):
            p, off, _epoch = r.i32(), r.i64(), r.i32()
            r.string(nullable=True)
            e = r.i16()
            out["offsets"][(t, p)] = off
            out["partition_errors"][e] += 1
    out["error_code"] = r.i16()
    return out


def dec_api_versions_v0(r):
    out = {"error_code": r.i16()}
    r.take(6 * r.array_len())
    return out


DECODERS = {(kproto.API_API_VERSIONS, 0): dec_api_versions_v0,
            (API_FIND_COORDINATOR, 2): dec_find_coordinator_v2,
            (API_JOIN_GROUP, 5): dec_join_group_v5,
            (API_SYNC_GROUP, 3): dec_sync_group_v3,
            (API_HEARTBEAT, 3): dec_heartbeat_v3,
            (API_OFFSET_COMMIT, 7): dec_offset_commit_v7,
            (API_OFFSET_FETCH, 5): dec_offset_fetch_v5}


def decode(api, version, payload, expect_corr):
    r = Reader(payload)
    corr = r.i32()
    if corr != expect_corr:
        raise kproto.DecodeError("correlation id %d, expected %d" % (corr, expect_corr))
    out = DECODERS[(api, version)](r)
    r.end()
    return out


def request_bytes(api, version, corr, body, client_id="gbench"):
    return kproto.frame(kproto.encode_request(api, version, corr, body, client_id))


# ---- Blocking one-shot use (set-up, polling) -----------------------------------------------

def call(kconn, api, version, body, timeout=10.0):
    """One request on a harness.KConn; returns the decoded response."""
    corr = kconn.next_corr()
    kconn.send(request_bytes(api, version, corr, body))
    return decode(api, version, kconn.recv_frame(timeout), corr)


# ---- Pipelined asyncio connection -----------------------------------------------------------

class AConn:
    """One TCP connection with any number of requests in flight (the broker pauses reading
    past its own in-flight cap; TCP backpressure then holds our writes)."""

    def __init__(self, reader, writer, name=""):
        self.r, self.w, self.name = reader, writer, name
        self.fifo = collections.deque()
        self.corr = 0
        self.closed = None          # the exception that ended the reader, once it ended
        self.task = asyncio.ensure_future(self._read_loop())

    @classmethod
    async def open(cls, host, port, name=""):
        reader, writer = await asyncio.open_connection(host, port, limit=1 << 24)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            import socket
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(reader, writer, name)

    def send(self, api, version, body):
        """Writes the request now; returns a future of (decoded response, receive time)."""
        fut = asyncio.get_running_loop().create_future()
        if self.closed is not None:
            fut.set_exception(ConnectionError("connection %s closed: %r" % (self.name,
                                                                           self.closed)))
            return fut
        self.corr += 1
        self.fifo.append((self.corr, api, version, fut))
        self.w.write(request_bytes(api, version, self.corr, body))
        return fut

    async def request(self, api, version, body, timeout=30.0):
        resp, _ = await asyncio.wait_for(self.send(api, version, body), timeout)
        return resp

    async def drain(self):
        await self.w.drain()

    async def _read_loop(self):
        try:
            while True:
                head = await self.r.readexactly(4)
                size = struct.unpack(">i", head)[0]
                payload = await self.r.readexactly(size)
                now = time.monotonic()
                corr, api, version, fut = self.fifo.popleft()
                try:
                    resp = decode(api, version, payload, corr)
                except Exception as e:  # noqa: BLE001 - handed to the waiter
                    if not fut.done():
                        fut.set_exception(e)
                    continue
                if not fut.done():
                    fut.set_result((resp, now))
        except (Exception, asyncio.CancelledError) as e:  # noqa: BLE001 - fail every waiter
            self.closed = e
            while self.fifo:
                fut = self.fifo.popleft()[3]
                if not fut.done():
                    fut.set_exception(ConnectionError("connection %s closed: %r"
                                                      % (self.name, e)))

    async def close(self):
        self.task.cancel()
        try:
            self.w.close()
            await self.w.wait_closed()
        except Exception:  # noqa: BLE001
            pass
