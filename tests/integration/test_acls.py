"""ACL APIs: DescribeAcls (29), CreateAcls (30), DeleteAcls (31) on a 3-broker cluster with
Kafka's ZooKeeper authorizer on (allow.everyone.if.no.acl.found=true), and on one without.

kafka-python's KafkaAdminClient (v0-1; the Debian confluent-kafka 1.7 has no ACL calls) creates,
describes and deletes; kacl.py (an independent codec, v0-3) asks one chosen broker, so every
broker is seen to answer from its own watched copy. The znodes are checked with kazoo against
Kafka's layout (/kafka-acl, /kafka-acl-extended/prefixed, both change-notification roots), and
a change written straight to ZooKeeper the way Kafka's tools write it reaches every broker.
Also: ACLs survive a broker restart, invalid bindings get INVALID_REQUEST with the reason, the
request limits (common/limits.h KB_ACL_*) are crossed, the ACL APIs' own cluster rights
(DESCRIBE / ALTER), a connection closed while its CreateAcls is in flight, kadmin acls.
"""

import json
import os
import subprocess
import time

import pytest

import harness
import kacl
from conftest import start_cluster

AUTHZ = {"authorizer.class.name": "kafka.security.authorizer.AclAuthorizer",
         "allow.everyone.if.no.acl.found": "true"}
CHROOT = "/kb-acl-api"
PROPAGATE_S = 20  # a change must reach every broker within this (watch + read)

# Limits from common/limits.h.
CREATIONS_MAX = 1000
FILTERS_MAX = 1000
STRING_MAX = 4096
DELETE_MAX_MATCHES = 100000


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    yield from start_cluster(tmp_path_factory.mktemp("acls"), zk=zk_server, ids=[871, 872, 873],
                             chroot=CHROOT, config=AUTHZ, session_timeout_ms=4000)


@pytest.fixture(scope="module")
def plain(zk_server, tmp_path_factory):
    yield from start_cluster(tmp_path_factory.mktemp("acls-off"), zk=zk_server, ids=[881],
                             chroot="/kb-acls-off")


def admin(cluster, brokers=None):
    from kafka import KafkaAdminClient
    return KafkaAdminClient(bootstrap_servers=cluster.bootstrap(brokers),
                            client_id="kb-acl-it", request_timeout_ms=30000,
                            api_version_auto_timeout_ms=15000)


def kp_acl(rtype, name, pattern, principal, op, perm, host="*"):
    from kafka.admin import (ACL, ACLOperation, ACLPermissionType, ACLResourcePatternType,
                             ResourcePattern, ResourceType)
    return ACL(principal=principal, host=host, operation=ACLOperation(op),
               permission_type=ACLPermissionType(perm),
               resource_pattern=ResourcePattern(ResourceType(rtype), name,
                                                ACLResourcePatternType(pattern)))


def kp_filter(rtype=kacl.ANY, name=None, pattern=kacl.ANY, principal=None, host=None,
              op=kacl.ANY, perm=kacl.ANY):
    from kafka.admin import (ACLFilter, ACLOperation, ACLPermissionType,
                             ACLResourcePatternType, ResourcePatternFilter, ResourceType)
    return ACLFilter(principal=principal, host=host, operation=ACLOperation(op),
                     permission_type=ACLPermissionType(perm),
                     resource_pattern=ResourcePatternFilter(ResourceType(rtype), name,
                                                            ACLResourcePatternType(pattern)))


def as_tuple(a):
    p = a.resource_pattern
    return (int(p.resource_type), p.resource_name, int(p.pattern_type), a.principal, a.host,
            int(a.operation), int(a.permission_type))


def describe_kp(cluster, **f):
    a = admin(cluster)
    try:
        acls, err = a.describe_acls(kp_filter(**f))
    finally:
        a.close()
    assert err.errno == 0, err
    return {as_tuple(x) for x in acls}


def on_every_broker(cluster, pred, what, brokers=None, **f):
    """Waits until DescribeAcls(filter f) on each broker (asked alone) satisfies pred."""
    for b in brokers or cluster.brokers:
        last = {}

        def ok():
            r = kacl.describe(b, **f)
            last["r"] = r
            return r["error"] == 0 and pred(kacl.bindings(r))
        try:
            harness.wait_until(ok, PROPAGATE_S, interval=0.2,
                               what="%s on broker %d" % (what, b.broker_id))
        except Exception:
            raise AssertionError("%s on broker %d: last answer %r" %
                                 (what, b.broker_id, last.get("r")))


ALICE_READ = (kacl.TOPIC, "acl-orders", kacl.LITERAL, "User:alice", "*", kacl.READ, kacl.ALLOW)
BOB_DENY = (kacl.TOPIC, "acl-ord", kacl.PREFIXED, "User:bob", "10.0.0.1", kacl.WRITE, kacl.DENY)


def test_create_and_describe_filters(cluster):
    a = admin(cluster)
    try:
        res = a.create_acls([kp_acl(*ALICE_READ[:3], "User:alice", kacl.READ, kacl.ALLOW),
                             kp_acl(*BOB_DENY[:3], "User:bob", kacl.WRITE, kacl.DENY,
                                    host="10.0.0.1")])
    finally:
        a.close()
    assert not res["failed"] and len(res["succeeded"]) == 2, res
    on_every_broker(cluster, lambda s: {ALICE_READ, BOB_DENY} <= s, "both bindings")
    assert {ALICE_READ, BOB_DENY} <= describe_kp(cluster)
    assert {x for x in describe_kp(cluster, rtype=kacl.TOPIC, pattern=kacl.LITERAL)
            if x[1].startswith("acl-ord")} == {ALICE_READ}
    assert {x for x in describe_kp(cluster, pattern=kacl.PREFIXED)
            if x[1].startswith("acl-ord")} == {BOB_DENY}
    # MATCH: every pattern that applies to the name (the prefix applies to acl-orders).
    assert describe_kp(cluster, rtype=kacl.TOPIC, name="acl-orders",
                       pattern=kacl.MATCH) == {ALICE_READ, BOB_DENY}
    assert describe_kp(cluster, rtype=kacl.TOPIC, name="acl-other", pattern=kacl.MATCH) == set()
    # ANY with a name: both pattern types, exactly that name.
    assert describe_kp(cluster, rtype=kacl.TOPIC, name="acl-ord") == {BOB_DENY}
    # Entry filters.
    assert describe_kp(cluster, principal="User:alice", rtype=kacl.TOPIC) == {ALICE_READ}
    assert describe_kp(cluster, host="10.0.0.1") == {BOB_DENY}
    assert describe_kp(cluster, op=kacl.WRITE, perm=kacl.ALLOW) & {ALICE_READ, BOB_DENY} == set()
    assert describe_kp(cluster, rtype=kacl.GROUP, name="acl-orders") == set()
    # Flexible versions and v0 (no pattern type: LITERAL only) through the raw codec.
    b = cluster.brokers[1]
    for v in (2, 3):
        r = kacl.describe(b, v, type=kacl.TOPIC, name="acl-orders", pattern=kacl.MATCH)
        assert r["error"] == 0 and r["message"] is None, r
        assert kacl.bindings(r) == {ALICE_READ, BOB_DENY}, r
    r = kacl.describe(b, 0, type=kacl.TOPIC)
    assert {x for x in kacl.bindings(r) if x[1].startswith("acl-ord")} == {ALICE_READ}, r


def test_znodes_in_kafka_layout(cluster):
    kz = cluster.kz
    data, _ = kz.get("/kafka-acl/Topic/acl-orders")
    assert json.loads(data) == {"version": 1, "acls": [
        {"principal": "User:alice", "permissionType": "Allow", "operation": "Read",
         "host": "*"}]}
    data, _ = kz.get("/kafka-acl-extended/prefixed/Topic/acl-ord")
    assert json.loads(data) == {"version": 1, "acls": [
        {"principal": "User:bob", "permissionType": "Deny", "operation": "Write",
         "host": "10.0.0.1"}]}
    literal = [kz.get("/kafka-acl-changes/" + c)[0] for c in kz.get_children("/kafka-acl-changes")]
    assert b"Topic:acl-orders" in literal, literal
    assert all(c.startswith("acl_changes_") and len(c) == len("acl_changes_") + 10
               for c in kz.get_children("/kafka-acl-changes"))
    ext = [json.loads(kz.get("/kafka-acl-extended-changes/" + c)[0])
           for c in kz.get_children("/kafka-acl-extended-changes")]
    assert {"version": 1, "resourceType": "TOPIC", "name": "acl-ord",
            "patternType": "PREFIXED"} in ext, ext


def test_change_written_by_kafka_tools_reaches_every_broker(cluster):
    """What Kafka's AclAuthorizer (or kafka-acls.sh --authorizer-properties) writes."""
    kz = cluster.kz
    acls = {"version": 1, "acls": [{"principal": "User:zk", "permissionType": "Allow",
                                    "operation": "Describe", "host": "*"}]}
    kz.create("/kafka-acl/Group/acl-zk-group", json.dumps(acls).encode(), makepath=True)
    kz.create("/kafka-acl-changes/acl_changes_", b"Group:acl-zk-group", sequence=True)
    want = (kacl.GROUP, "acl-zk-group", kacl.LITERAL, "User:zk", "*", kacl.DESCRIBE_OP,
            kacl.ALLOW)
    on_every_broker(cluster, lambda s: want in s, "the ZooKeeper-written ACL",
                    type=kacl.GROUP)
    kz.delete("/kafka-acl/Group/acl-zk-group")
    kz.create("/kafka-acl-changes/acl_changes_", b"Group:acl-zk-group", sequence=True)
    on_every_broker(cluster, lambda s: want not in s, "the ZooKeeper-deleted ACL",
                    type=kacl.GROUP)


def test_delete_with_filter(cluster):
    extra = (kacl.TOPIC, "acl-del-1", kacl.LITERAL, "User:carol", "*", kacl.DESCRIBE_OP,
             kacl.ALLOW)
    r = kacl.create(cluster.brokers[2], [
        {"type": kacl.TOPIC, "name": "acl-del-1", "principal": "User:carol",
         "op": kacl.DESCRIBE_OP},
        {"type": kacl.TOPIC, "name": "acl-del-2", "pattern": kacl.PREFIXED,
         "principal": "User:carol", "op": kacl.READ, "perm": kacl.DENY}], v=2)
    assert [x["error"] for x in r["results"]] == [0, 0], r
    prefixed = (kacl.TOPIC, "acl-del-2", kacl.PREFIXED, "User:carol", "*", kacl.READ, kacl.DENY)
    on_every_broker(cluster, lambda s: {extra, prefixed} <= s, "carol's bindings")
    a = admin(cluster)
    try:
        # Two filters matching the same binding, and one matching nothing.
        out = a.delete_acls([kp_filter(rtype=kacl.TOPIC, principal="User:carol"),
                             kp_filter(rtype=kacl.TOPIC, name="acl-del-2",
                                       pattern=kacl.PREFIXED),
                             kp_filter(rtype=kacl.GROUP, name="nothing-here")])
    finally:
        a.close()
    got = [({as_tuple(acl) for acl, err in matched}, [err.errno for _, err in matched],
            ferr.errno) for _f, matched, ferr in out]
    assert got[0] == ({extra, prefixed}, [0, 0], 0), got
    assert got[1] == ({prefixed}, [0], 0), got
    assert got[2] == (set(), [], 0), got
    on_every_broker(cluster, lambda s: not ({extra, prefixed} & s), "carol's bindings gone")
    assert not cluster.kz.exists("/kafka-acl/Topic/acl-del-1")
    assert not cluster.kz.exists("/kafka-acl-extended/prefixed/Topic/acl-del-2")
    # The earlier bindings are untouched, and v0/v3 deletes answer in their formats.
    assert {ALICE_READ, BOB_DENY} <= describe_kp(cluster)
    r = kacl.delete(cluster.brokers[0], [{"type": kacl.TOPIC, "name": "no-such"}], v=0)
    assert r["results"] == [{"error": 0, "message": None, "matching": []}], r
    r = kacl.delete(cluster.brokers[0], [{"type": kacl.TOPIC, "name": "no-such",
                                          "pattern": kacl.ANY}], v=3)
    assert r["results"] == [{"error": 0, "message": None, "matching": []}], r


def test_acls_survive_broker_restart(cluster):
    b = cluster.brokers[1]
    want = (kacl.TXN_ID, "acl-tx", kacl.LITERAL, "User:dave", "*", kacl.WRITE, kacl.ALLOW)
    r = kacl.create(cluster.brokers[0], [{"type": kacl.TXN_ID, "name": "acl-tx",
                                          "principal": "User:dave", "op": kacl.WRITE}])
    assert r["results"][0]["error"] == 0, r
    on_every_broker(cluster, lambda s: want in s, "dave's binding")
    b.stop()
    b.start(cluster.kz)
    on_every_broker(cluster, lambda s: {want, ALICE_READ, BOB_DENY} <= s,
                    "every binding after a restart", brokers=[b])


def test_invalid_bindings(cluster):
    b = cluster.brokers[0]
    creations = [
        {"type": kacl.CLUSTER, "name": "not-kafka-cluster", "principal": "User:x",
         "op": kacl.ALTER},
        {"type": kacl.TOPIC, "name": "acl-bad", "principal": "alice", "op": kacl.READ},
        {"type": kacl.GROUP, "name": "acl-bad", "principal": "User:x", "op": kacl.WRITE},
        {"type": kacl.TOPIC, "name": "", "principal": "User:x", "op": kacl.READ},
        {"type": kacl.ANY, "name": "acl-bad", "principal": "User:x", "op": kacl.READ},
        {"type": kacl.TOPIC, "name": "acl-bad", "pattern": kacl.MATCH, "principal": "User:x",
         "op": kacl.READ},
        {"type": kacl.TOPIC, "name": "acl-bad", "principal": "User:x", "op": kacl.ANY},
        {"type": kacl.TOPIC, "name": "acl-ok", "principal": "User:x", "op": kacl.READ},
    ]
    r = kacl.create(b, creations, v=1)
    errs = [x["error"] for x in r["results"]]
    assert errs == [kacl.ERR_INVALID_REQUEST] * 7 + [0], r
    msgs = [x["message"] for x in r["results"]]
    assert "kafka-cluster" in msgs[0] and "principal" in msgs[1].lower(), msgs
    assert "not supported" in msgs[2] and msgs[7] is None, msgs
    ok = (kacl.TOPIC, "acl-ok", kacl.LITERAL, "User:x", "*", kacl.READ, kacl.ALLOW)
    on_every_broker(cluster, lambda s: ok in s and not any(x[1] == "acl-bad" for x in s),
                    "only the valid creation")
    # A filter with an UNKNOWN (0) or out-of-range code.
    for f in ({"type": 0}, {"pattern": 0}, {"op": 0}, {"perm": 0}, {"type": 99}, {"op": 15}):
        r = kacl.describe(b, 1, **f)
        assert r["error"] == kacl.ERR_INVALID_REQUEST and r["message"], (f, r)
        r = kacl.delete(b, [f, {"type": kacl.TOPIC, "name": "none"}], v=1)
        assert [x["error"] for x in r["results"]] == [kacl.ERR_INVALID_REQUEST, 0], (f, r)


def test_request_limits(cluster):
    b = cluster.brokers[2]
    many = [{"type": kacl.TOPIC, "name": "acl-lim-%d" % i, "principal": "User:lim",
             "op": kacl.READ} for i in range(CREATIONS_MAX + 1)]
    r = kacl.create(b, many)
    assert len(r["results"]) == CREATIONS_MAX + 1, len(r["results"])
    assert {x["error"] for x in r["results"]} == {kacl.ERR_INVALID_REQUEST}, r["results"][0]
    assert kacl.bindings(kacl.describe(b, principal="User:lim")) == set()
    r = kacl.delete(b, [{"type": kacl.TOPIC}] * (FILTERS_MAX + 1))
    assert {x["error"] for x in r["results"]} == {kacl.ERR_INVALID_REQUEST}, r["results"][0]
    # Strings: at the limit accepted, one byte past refused.
    edge = "User:" + "p" * (STRING_MAX - 5)
    r = kacl.create(b, [{"type": kacl.TOPIC, "name": "acl-long", "principal": edge,
                         "op": kacl.READ},
                        {"type": kacl.TOPIC, "name": "acl-long", "principal": edge + "p",
                         "op": kacl.READ},
                        {"type": kacl.TOPIC, "name": "n" * (STRING_MAX + 1),
                         "principal": "User:x", "op": kacl.READ}])
    assert [x["error"] for x in r["results"]] == [0, kacl.ERR_INVALID_REQUEST,
                                                  kacl.ERR_INVALID_REQUEST], r
    r = kacl.describe(b, principal=edge + "p")
    assert r["error"] == kacl.ERR_INVALID_REQUEST, r
    r = kacl.delete(b, [{"type": kacl.TOPIC, "name": "acl-long", "principal": edge}])
    assert [len(x["matching"]) for x in r["results"]] == [1], r
    # (resource, filter) pairs: 101 resources x 1000 identical filters > 100,000.
    nres = DELETE_MAX_MATCHES // FILTERS_MAX + 1
    r = kacl.create(b, [{"type": kacl.TOPIC, "name": "acl-pairs-%d" % i,
                         "principal": "User:pairs", "op": kacl.READ} for i in range(nres)])
    assert {x["error"] for x in r["results"]} == {0}, r["results"][:3]
    on_every_broker(cluster, lambda s: len(s) == nres, "101 patterns", principal="User:pairs")
    f = {"type": kacl.TOPIC, "pattern": kacl.ANY, "principal": "User:pairs"}
    r = kacl.delete(b, [f] * FILTERS_MAX)
    assert {x["error"] for x in r["results"]} == {kacl.ERR_INVALID_REQUEST}, r["results"][0]
    assert len(kacl.bindings(kacl.describe(b, principal="User:pairs"))) == nres
    r = kacl.delete(b, [f])
    assert len(r["results"][0]["matching"]) == nres, r["results"][0]
    assert kacl.bindings(kacl.describe(b, principal="User:pairs")) == set()


def test_connection_closed_while_create_in_flight(cluster):
    """The CreateAcls answer has no connection left to go to; the write still happens and
    the broker stays well (its sanitizer report is checked at teardown)."""
    b = cluster.brokers[0]
    want = set()
    for i in range(20):
        body = kacl.create_body(3, [{"type": kacl.GROUP, "name": "acl-gone-%d" % i,
                                     "principal": "User:gone", "op": kacl.READ}])
        with b.conn() as c:
            c.send(kacl.request(kacl.CREATE, 3, body, c.next_corr()))
        want.add((kacl.GROUP, "acl-gone-%d" % i, kacl.LITERAL, "User:gone", "*", kacl.READ,
                  kacl.ALLOW))
    on_every_broker(cluster, lambda s: want <= s, "bindings whose requester left",
                    principal="User:gone")
    assert b.alive()


def test_broker_stops_with_creates_in_flight(cluster):
    """SIGTERM while a CreateAcls of 1,000 resource patterns has its ZooKeeper writes in
    flight: the broker exits cleanly (writes cut short answer TOPIC_ADMIN_CLOSING and the
    request is freed unanswered; sanitizers checked), every resource pattern that made it to
    ZooKeeper holds its one entry, and the restarted broker serves exactly those. (A write cut
    between its znode and its change notification is seen by the other brokers only at their
    next full load, as with Kafka's AclAuthorizer dying there.)"""
    b = cluster.brokers[2]
    n = CREATIONS_MAX
    body = kacl.create_body(3, [{"type": kacl.TOPIC, "name": "acl-stop-%d" % i,
                                 "principal": "User:stop", "op": kacl.READ} for i in range(n)])
    with b.conn() as c:
        c.send(kacl.request(kacl.CREATE, 3, body, c.next_corr()))
        time.sleep(0.2)
        assert b.stop() == 0
    assert b.check() == [], b.check()
    b.start(cluster.kz)
    kz = cluster.kz
    made = {c for c in kz.get_children("/kafka-acl/Topic") if c.startswith("acl-stop-")}
    told = {kz.get("/kafka-acl-changes/" + c)[0].decode()
            for c in kz.get_children("/kafka-acl-changes")}
    harness.report_figure("CreateAcls of %d patterns cut by SIGTERM after 0.2 s: %d written, "
                          "%d notified" % (n, len(made),
                                           len({m for m in made if "Topic:" + m in told})))
    on_every_broker(cluster, lambda s: {x[1] for x in s} == made, "the same patterns",
                    brokers=[b], principal="User:stop")
    for name in made:
        data, _ = cluster.kz.get("/kafka-acl/Topic/" + name)
        assert len(json.loads(data)["acls"]) == 1, (name, data)
    r = kacl.delete(b, [{"type": kacl.TOPIC, "principal": "User:stop"}])
    assert len(r["results"][0]["matching"]) == len(made), r["results"][0]["error"]


def test_kadmin_acls(cluster):
    kadmin = os.path.join(harness.bin_dir(), "kadmin")

    def run(*args, expect=0, zk=False):
        mode = (["--zookeeper", cluster.zk.connect + CHROOT] if zk else
                ["--bootstrap-server", cluster.bootstrap()])
        p = subprocess.run([kadmin] + mode + ["acls"] + list(args), capture_output=True,
                           text=True, timeout=60)
        assert p.returncode == expect, (args, p.returncode, p.stdout, p.stderr)
        return p.stdout
    # ALL for every PLAINTEXT client on the cluster keeps the ACL APIs allowed once the
    # cluster resource has ACLs (no more allow.everyone.if.no.acl.found there).
    run("add", "--allow", "--principal", "User:ANONYMOUS", "--operation", "All", "--cluster")
    run("add", "--deny", "--principal", "User:erin", "--host", "10.1.1.1", "--operation",
        "describe_configs", "--topic", "acl-kadmin", "--prefixed")
    run("add", "--allow", "--principal", "User:erin", "--operation", "Read", "--group", "g1")
    want = {(kacl.CLUSTER, "kafka-cluster", kacl.LITERAL, "User:ANONYMOUS", "*", kacl.ALL,
             kacl.ALLOW),
            (kacl.TOPIC, "acl-kadmin", kacl.PREFIXED, "User:erin", "10.1.1.1", 10, kacl.DENY),
            (kacl.GROUP, "g1", kacl.LITERAL, "User:erin", "*", kacl.READ, kacl.ALLOW)}
    on_every_broker(cluster, lambda s: want <= s, "kadmin's bindings")
    out = run("list")
    assert ("Current ACLs for resource `ResourcePattern(resourceType=CLUSTER, "
            "name=kafka-cluster, patternType=LITERAL)`:") in out, out
    assert "(principal=User:ANONYMOUS, host=*, operation=ALL, permissionType=ALLOW)" in out, out
    assert ("(principal=User:erin, host=10.1.1.1, operation=DESCRIBE_CONFIGS, "
            "permissionType=DENY)") in out, out
    out = run("list", "--resource-type", "topic", "--resource-name", "acl-kadmin-x",
              "--pattern-type", "match")
    assert "acl-kadmin" in out and "CLUSTER" not in out and "g1" not in out, out
    out = run("list", "--principal", "User:erin", "--operation", "read")
    assert "name=g1" in out and "acl-kadmin" not in out, out
    assert run("list", "--principal", "User:erin", "--operation", "read", zk=True) == out
    out = run("remove", "--topic", "acl-kadmin", "--prefixed", "--principal", "User:erin")
    assert "Removed 1 ACL(s)" in out and "acl-kadmin" in out, out
    out = run("remove", "--group", "g1", "--deny")
    assert "Removed 0 ACL(s)" in out, out
    out = run("remove", "--group", "g1")
    assert "Removed 1 ACL(s)" in out, out
    out = run("remove", "--cluster")
    assert "operation=ALL" in out, out
    on_every_broker(cluster, lambda s: not (want & s), "kadmin's bindings gone")
    err = run("add", "--allow", "--principal", "nocolon", "--operation", "Read", "--topic",
              "t", expect=1)
    assert err == ""
    run("add", "--allow", "--operation", "Read", "--topic", "t", expect=2)


def test_cluster_rights_of_the_acl_apis(cluster):
    """DescribeAcls needs DESCRIBE on the cluster, CreateAcls/DeleteAcls ALTER. ACLs on the
    cluster resource take away allow.everyone.if.no.acl.found there, so User:ANONYMOUS (every
    PLAINTEXT client) gets ALL, then a DENY of DESCRIBE; later a DENY of ALTER, removed
    through ZooKeeper as Kafka's tools would."""
    b = cluster.brokers[0]
    r = kacl.create(b, [{"type": kacl.CLUSTER, "name": "kafka-cluster",
                         "principal": "User:ANONYMOUS", "op": kacl.ALL},
                        {"type": kacl.CLUSTER, "name": "kafka-cluster",
                         "principal": "User:ANONYMOUS", "op": kacl.DESCRIBE_OP,
                         "perm": kacl.DENY}])
    assert [x["error"] for x in r["results"]] == [0, 0], r

    def denied(br):
        return kacl.describe(br)["error"] == kacl.ERR_CLUSTER_AUTHORIZATION_FAILED
    for br in cluster.brokers:
        harness.wait_until(lambda: denied(br), PROPAGATE_S, what="DESCRIBE denied")
    r = kacl.describe(b, 1)
    assert r["resources"] == [] and r["message"], r
    # ALTER is still allowed (ALL): remove the DENY.
    r = kacl.delete(b, [{"type": kacl.CLUSTER, "perm": kacl.DENY}])
    assert [len(x["matching"]) for x in r["results"]] == [1], r
    for br in cluster.brokers:
        harness.wait_until(lambda: not denied(br), PROPAGATE_S, what="DESCRIBE allowed")
    r = kacl.create(b, [{"type": kacl.CLUSTER, "name": "kafka-cluster",
                         "principal": "User:ANONYMOUS", "op": kacl.ALTER, "perm": kacl.DENY}])
    assert r["results"][0]["error"] == 0, r

    def alter_denied(br):  # (a delete of nothing: no change whatever the answer)
        r = kacl.delete(br, [{"type": kacl.TOPIC, "name": "acl-none-such"}])
        return r["results"][0]["error"] == kacl.ERR_CLUSTER_AUTHORIZATION_FAILED
    for br in cluster.brokers:
        harness.wait_until(lambda: alter_denied(br), PROPAGATE_S, what="ALTER denied")
    r = kacl.delete(b, [{"type": kacl.ANY}, {"type": kacl.TOPIC}])
    assert [x["error"] for x in r["results"]] == [kacl.ERR_CLUSTER_AUTHORIZATION_FAILED] * 2, r
    r = kacl.create(b, [{"type": kacl.TOPIC, "name": "acl-denied", "principal": "User:x",
                         "op": kacl.READ}] * 2, v=1)
    assert [x["error"] for x in r["results"]] == [kacl.ERR_CLUSTER_AUTHORIZATION_FAILED] * 2, r
    assert kacl.describe(b, type=kacl.TOPIC, name="acl-denied")["resources"] == []
    assert {ALICE_READ, BOB_DENY} <= kacl.bindings(kacl.describe(b))  # nothing deleted
    cluster.kz.delete("/kafka-acl/Cluster/kafka-cluster")
    cluster.kz.create("/kafka-acl-changes/acl_changes_", b"Cluster:kafka-cluster", sequence=True)
    for br in cluster.brokers:
        harness.wait_until(lambda: not alter_denied(br), PROPAGATE_S, what="ALTER allowed")


def test_security_disabled_without_authorizer(plain):
    b = plain.brokers[0]
    for v in range(4):
        r = kacl.describe(b, v)
        assert (r["error"], r["message"], r["resources"]) == (
            kacl.ERR_SECURITY_DISABLED, "No Authorizer is configured on the broker", []), r
        r = kacl.create(b, [{"type": kacl.TOPIC, "name": "t", "principal": "User:x",
                             "op": kacl.READ}] * 2, v=v)
        assert [(x["error"], x["message"]) for x in r["results"]] == [
            (kacl.ERR_SECURITY_DISABLED, "No Authorizer is configured.")] * 2, r
        r = kacl.delete(b, [{"type": kacl.ANY}], v=v)
        assert [x["error"] for x in r["results"]] == [kacl.ERR_SECURITY_DISABLED], r
    assert not plain.kz.exists("/kafka-acl/Topic/t")
    # kafka-python raises the error the broker names.
    from kafka.errors import SecurityDisabledError
    a = admin(plain)
    try:
        with pytest.raises(SecurityDisabledError):
            a.describe_acls(kp_filter())
    finally:
        a.close()


def test_mutated_acl_requests_with_authorizer_on(cluster):
    """kb-mutgen's structure-aware mutations of DescribeAcls/CreateAcls/DeleteAcls v0-3 (every
    field at some plausible value, then lengths, counts, codes and tags broken): each is
    answered or its connection closed, no broker dies (sanitizers checked at teardown), and
    the ACL APIs still work afterwards. Last in the module: mutated DeleteAcls filters may
    match anything."""
    import socket
    import struct
    gen = subprocess.Popen([os.path.join(harness.bin_dir(), "kb-mutgen"), "8101", "1500",
                            "29:0-3,30:0-3,31:0-3", "acl-orders,acl-ord,kafka-cluster"],
                           stdout=subprocess.PIPE)
    frames = []
    while True:
        hdr = gen.stdout.read(4)
        if len(hdr) < 4:
            break
        frames.append(hdr + gen.stdout.read(struct.unpack(">i", hdr)[0]))
    gen.stdout.close()
    assert gen.wait(60) == 0 and len(frames) == 1500
    answered = closed = 0
    for i in range(0, len(frames), 2):  # (a malformed frame closes its connection)
        b = cluster.brokers[(i // 2) % 3]
        s = socket.create_connection((b.bootstrap.split(":")[0], b.port), timeout=20)
        try:
            s.sendall(b"".join(frames[i:i + 2]))
            s.shutdown(socket.SHUT_WR)
            buf = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
            while len(buf) >= 4 and len(buf) >= 4 + struct.unpack(">i", buf[:4])[0]:
                buf = buf[4 + struct.unpack(">i", buf[:4])[0]:]
                answered += 1
            closed += 1
        except OSError:
            closed += 1
        finally:
            s.close()
    assert all(b.alive() for b in cluster.brokers)
    assert answered > 150, (answered, closed)   # ~1 in 16 is valid, and many survive mutation
    harness.report_figure("mutated ACL requests: %d sent, %d answered" % (len(frames), answered))
    want = (kacl.TOPIC, "acl-after-mut", kacl.LITERAL, "User:z", "*", kacl.READ, kacl.ALLOW)
    r = kacl.create(cluster.brokers[0], [{"type": kacl.TOPIC, "name": "acl-after-mut",
                                          "principal": "User:z", "op": kacl.READ}])
    assert r["results"][0]["error"] == 0, r
    on_every_broker(cluster, lambda s: want in s, "an ACL after the mutations")
