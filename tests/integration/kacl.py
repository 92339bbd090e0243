"""kacl.py — an independent codec of DescribeAcls (29), CreateAcls (30) and DeleteAcls (31),
v0-3 (flexible from v2), written from Kafka 3.9's message JSON, for raw requests to one chosen
broker (kafka-python's admin client covers v0-1 but sends to whichever broker it likes).

Filters and bindings are dicts: type, name, pattern, principal, host, op, perm (Kafka's codes;
None strings are null in filters). v0 has no pattern type (LITERAL on the broker)."""

import kproto as kp

DESCRIBE, CREATE, DELETE = 29, 30, 31
FLEX = 2

# Kafka's codes (org.apache.kafka.common.{resource,acl}).
ANY = 1
TOPIC, GROUP, CLUSTER, TXN_ID = 2, 3, 4, 5
MATCH, LITERAL, PREFIXED = 2, 3, 4
ALL, READ, WRITE, CREATE_OP, DELETE_OP, ALTER, DESCRIBE_OP = 2, 3, 4, 5, 6, 7, 8
DENY, ALLOW = 2, 3

ERR_NONE = 0
ERR_CLUSTER_AUTHORIZATION_FAILED = 31
ERR_INVALID_REQUEST = 42
ERR_SECURITY_DISABLED = 54


def _s(v, s, nullable=False):
    if v >= FLEX:
        return kp.compact_nullable_string(s) if nullable else kp.compact_string(s)
    return kp.nullable_string(s) if nullable else kp.string(s)


def _arr(v, items):
    return kp.compact_array(items) if v >= FLEX else kp.array(items)


def _tags(v):
    return kp.tags() if v >= FLEX else b""


def _filter(v, f):
    """A filter; unset fields match everything (pattern ANY; v0 has none: LITERAL)."""
    out = kp.i8(f.get("type", ANY)) + _s(v, f.get("name"), True)
    if v >= 1:
        out += kp.i8(f.get("pattern", ANY))
    return (out + _s(v, f.get("principal"), True) + _s(v, f.get("host"), True) +
            kp.i8(f.get("op", ANY)) + kp.i8(f.get("perm", ANY)))


def describe_body(v, f):
    return _filter(v, f) + _tags(v)


def create_body(v, creations):
    items = []
    for c in creations:
        out = kp.i8(c["type"]) + _s(v, c["name"])
        if v >= 1:
            out += kp.i8(c.get("pattern", LITERAL))
        out += (_s(v, c["principal"]) + _s(v, c.get("host", "*")) + kp.i8(c["op"]) +
                kp.i8(c.get("perm", ALLOW)) + _tags(v))
        items.append(out)
    return _arr(v, items) + _tags(v)


def delete_body(v, filters):
    return _arr(v, [_filter(v, f) + _tags(v) for f in filters]) + _tags(v)


def _read_str(r, v, nullable=False):
    return r.string(nullable=nullable, compact=v >= FLEX)


def _read_arr(r, v, elem):
    return r.array(elem, compact=v >= FLEX)


def _skip_tags(r, v):
    if v >= FLEX:
        r.tags()


def decode_describe(r, v):
    out = {"throttle_ms": r.i32(), "error": r.i16(), "message": _read_str(r, v, True)}

    def acl(r):
        a = {"principal": _read_str(r, v), "host": _read_str(r, v), "op": r.i8(),
             "perm": r.i8()}
        _skip_tags(r, v)
        return a

    def res(r):
        x = {"type": r.i8(), "name": _read_str(r, v)}
        x["pattern"] = r.i8() if v >= 1 else LITERAL
        x["acls"] = _read_arr(r, v, acl)
        _skip_tags(r, v)
        return x

    out["resources"] = _read_arr(r, v, res)
    _skip_tags(r, v)
    return out


def decode_create(r, v):
    out = {"throttle_ms": r.i32()}

    def result(r):
        x = {"error": r.i16(), "message": _read_str(r, v, True)}
        _skip_tags(r, v)
        return x

    out["results"] = _read_arr(r, v, result)
    _skip_tags(r, v)
    return out


def decode_delete(r, v):
    out = {"throttle_ms": r.i32()}

    def matching(r):
        x = {"error": r.i16(), "message": _read_str(r, v, True), "type": r.i8(),
             "name": _read_str(r, v)}
        x["pattern"] = r.i8() if v >= 1 else LITERAL
        x.update({"principal": _read_str(r, v), "host": _read_str(r, v), "op": r.i8(),
                  "perm": r.i8()})
        _skip_tags(r, v)
        return x

    def result(r):
        x = {"error": r.i16(), "message": _read_str(r, v, True),
             "matching": _read_arr(r, v, matching)}
        _skip_tags(r, v)
        return x

    out["results"] = _read_arr(r, v, result)
    _skip_tags(r, v)
    return out


_DECODE = {DESCRIBE: decode_describe, CREATE: decode_create, DELETE: decode_delete}


def request(api, v, body, corr):
    """A framed request (header v2 from v2, else v1)."""
    hdr = kp.encode_request_header(api, v, corr, "kb-acl-it", header_version=2 if v >= FLEX else 1)
    return kp.frame(hdr + body)


def decode(api, v, data, corr):
    r = kp.Reader(data)
    got = r.i32()
    if v >= FLEX:
        r.tags()
    assert got == corr, "correlation id %d, sent %d" % (got, corr)
    out = _DECODE[api](r, v)
    r.end()
    return out


def call(broker, api, v, body, timeout=30.0):
    """One request on a fresh connection to `broker` (a harness.Broker)."""
    with broker.conn(timeout) as c:
        corr = c.next_corr()
        c.send(request(api, v, body, corr))
        return decode(api, v, c.recv_frame(timeout), corr)


def describe(broker, v=3, **f):
    return call(broker, DESCRIBE, v, describe_body(v, f))


def create(broker, creations, v=3):
    return call(broker, CREATE, v, create_body(v, creations))


def delete(broker, filters, v=3):
    return call(broker, DELETE, v, delete_body(v, filters))


def bindings(resp):
    """A DescribeAcls answer as a set of (type, name, pattern, principal, host, op, perm)."""
    return {(res["type"], res["name"], res["pattern"], a["principal"], a["host"], a["op"],
             a["perm"]) for res in resp["resources"] for a in res["acls"]}


def selftest():
    """Hand-computed bytes for one request of each kind (independent of the encoders above)."""
    b = describe_body(1, {"type": TOPIC, "name": "t", "pattern": PREFIXED, "host": "*"})
    assert b == bytes([2, 0, 1, ord("t"), 4, 0xFF, 0xFF, 0, 1, ord("*"), 1, 1]), b.hex()
    b = create_body(2, [{"type": GROUP, "name": "g", "pattern": LITERAL, "principal": "U:x",
                         "op": READ}])
    assert b == bytes([2, 3, 2, ord("g"), 3, 4]) + b"U:x" + bytes([2, ord("*"), 3, 3, 0, 0]), \
        b.hex()
    b = describe_body(3, {})
    assert b == bytes([1, 0, 1, 0, 0, 1, 1, 0]), b.hex()
    b = delete_body(0, [{"type": TOPIC}])
    assert b == bytes([0, 0, 0, 1, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 1]), b.hex()
    resp = bytes([0, 0, 0, 0, 0, 0, 0]) + bytes([2, 2, 2, ord("t"), 4, 2, 4]) + b"U:a" + \
        bytes([2, ord("*"), 3, 3, 0, 0, 0])
    d = decode_describe(kp.Reader(resp), 3)
    assert d["error"] == 0 and d["message"] is None, d
    assert bindings(d) == {(TOPIC, "t", PREFIXED, "U:a", "*", READ, ALLOW)}, d


if __name__ == "__main__":
    selftest()
    print("kacl selftest ok")
