"""ACLs in ZooKeeper (issue 14, coord/acls.c): a 3-broker cluster with
authorizer.class.name=kafka.security.authorizer.AclAuthorizer keeps a watched copy of the ACLs
Kafka's tools write, in Kafka's layout:

* at start every broker creates Kafka's ACL paths (/kafka-acl/<Type>,
  /kafka-acl-extended/prefixed/<Type>, both change roots);
* an ACL written with kazoo exactly as kafka-acls.sh (AclAuthorizer) writes it — the resource
  znode, then a sequential change notification — reaches every broker: LITERAL through
  /kafka-acl-changes ("Topic:name"), PREFIXED through /kafka-acl-extended-changes (JSON); a
  change and a deletion do too;
* a restarted broker loads every ACL there is, with no notification needed;
* a malformed znode is ignored (logged), the broker keeps serving;
* a broker with an unknown authorizer.class.name, or a malformed super.users, refuses to start
  and says why.

The ACL APIs and the enforcement come with other branches; here a broker's copy is observed
through its log line "acls: <Type>:<PATTERN>:<name> now N entries" (one per change of its copy)
and "loaded N ACL entries on M resource patterns" (one per complete load).
"""

import json
import os
import re
import signal
import subprocess
import time

import pytest

import harness
from conftest import start_cluster

IDS = [1, 2, 3]
AUTHORIZER = "kafka.security.authorizer.AclAuthorizer"


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    config = {"authorizer.class.name": AUTHORIZER,
              "allow.everyone.if.no.acl.found": "true",
              "super.users": "User:admin;User:ops"}
    yield from start_cluster(tmp_path_factory.mktemp("acls"), zk=zk_server, ids=IDS,
                             chroot="/kb-acls", config=config)


def acl_json(*entries):
    """Kafka's AclEntry JSON: entries are (principal, permission, operation, host)."""
    return json.dumps({"version": 1, "acls": [
        {"principal": p, "permissionType": perm, "operation": op, "host": h}
        for p, perm, op, h in entries]}, separators=(",", ":")).encode()


def notify_literal(kz, rtype, name):
    kz.create("/kafka-acl-changes/acl_changes_", ("%s:%s" % (rtype, name)).encode(),
              sequence=True)


def notify_prefixed(kz, enum_type, name):
    data = {"version": 1, "resourceType": enum_type, "name": name, "patternType": "PREFIXED"}
    kz.create("/kafka-acl-extended-changes/acl_changes_",
              json.dumps(data, separators=(",", ":")).encode(), sequence=True)


def wait_all_logged(cluster, text, timeout=30.0, brokers=None, interval=0.1):
    brokers = brokers or cluster.brokers
    harness.wait_until(lambda: all(text in b.log_text() for b in brokers), timeout,
                       interval=interval, what="every broker logging %r" % text)


def put(kz, path, data):
    if kz.exists(path):
        kz.set(path, data)
    else:
        kz.create(path, data, makepath=True)


def test_kafka_paths_exist(cluster):
    kz = cluster.kz
    for t in ["Topic", "Group", "Cluster", "TransactionalId", "DelegationToken", "User"]:
        assert kz.exists("/kafka-acl/%s" % t), t
        assert kz.exists("/kafka-acl-extended/prefixed/%s" % t), t
    assert kz.exists("/kafka-acl-changes")
    assert kz.exists("/kafka-acl-extended-changes")
    # Every broker loaded the (empty) ACLs before it served.
    wait_all_logged(cluster, "loaded 0 ACL entries on 0 resource patterns", timeout=5.0)


def test_literal_acl_reaches_every_broker(cluster):
    kz = cluster.kz
    path = "/kafka-acl/Topic/orders"
    put(kz, path, acl_json(("User:alice", "Allow", "Read", "*")))
    t0 = time.monotonic()
    notify_literal(kz, "Topic", "orders")
    wait_all_logged(cluster, "Topic:LITERAL:orders now 1 entries", interval=0.01)
    harness.report_figure("an ACL change notification reached all 3 brokers' copies in %.0f ms"
                          % ((time.monotonic() - t0) * 1000))

    # A change (what kafka-acls.sh --add does to an existing resource), then a deletion.
    kz.set(path, acl_json(("User:alice", "Allow", "Read", "*"),
                          ("User:*", "Deny", "Write", "10.0.0.9")))
    notify_literal(kz, "Topic", "orders")
    wait_all_logged(cluster, "Topic:LITERAL:orders now 2 entries")
    kz.delete(path)
    notify_literal(kz, "Topic", "orders")
    wait_all_logged(cluster, "Topic:LITERAL:orders now 0 entries")

    # Other types and the cluster resource, several notifications in a burst.
    put(kz, "/kafka-acl/Cluster/kafka-cluster", acl_json(("User:bob", "Allow", "Alter", "*")))
    put(kz, "/kafka-acl/TransactionalId/tx-1",
        acl_json(("User:bob", "Allow", "Write", "*"), ("User:bob", "Allow", "Describe", "*"),
                 ("User:carol", "Deny", "All", "*")))
    notify_literal(kz, "Cluster", "kafka-cluster")
    notify_literal(kz, "TransactionalId", "tx-1")
    wait_all_logged(cluster, "Cluster:LITERAL:kafka-cluster now 1 entries")
    wait_all_logged(cluster, "TransactionalId:LITERAL:tx-1 now 3 entries")


def test_prefixed_acl_reaches_every_broker(cluster):
    kz = cluster.kz
    path = "/kafka-acl-extended/prefixed/Group/app-"
    put(kz, path, acl_json(("User:alice", "Allow", "Read", "*"),
                           ("User:alice", "Allow", "Describe", "*")))
    notify_prefixed(kz, "GROUP", "app-")
    wait_all_logged(cluster, "Group:PREFIXED:app- now 2 entries")
    put(kz, "/kafka-acl-extended/prefixed/TransactionalId/tx-",
        acl_json(("User:bob", "Allow", "Write", "*")))
    notify_prefixed(kz, "TRANSACTIONAL_ID", "tx-")
    wait_all_logged(cluster, "TransactionalId:PREFIXED:tx- now 1 entries")


def test_malformed_znode_is_ignored(cluster):
    kz = cluster.kz
    put(kz, "/kafka-acl/Topic/bad", b'{"version":1,"acls":[{"principal":"alice"}]}')
    notify_literal(kz, "Topic", "bad")
    kz.create("/kafka-acl-changes/acl_changes_", b"NoSuchType:x", sequence=True)
    kz.create("/kafka-acl-extended-changes/acl_changes_", b"{not json", sequence=True)
    wait_all_logged(cluster, "Topic:LITERAL:bad: malformed ACL znode")
    # Still processing notifications after those, and still serving.
    put(kz, "/kafka-acl/Group/after-bad", acl_json(("User:a", "Allow", "Read", "*")))
    notify_literal(kz, "Group", "after-bad")
    wait_all_logged(cluster, "Group:LITERAL:after-bad now 1 entries")
    for b in cluster.brokers:
        assert cluster.metadata_ids(b) == IDS
    kz.delete("/kafka-acl/Topic/bad")


def count_entries(kz):
    """Entries and resource patterns in ZooKeeper that a broker loads (well-formed ones)."""
    entries = patterns = 0
    for root in ["/kafka-acl", "/kafka-acl-extended/prefixed"]:
        for t in kz.get_children(root):
            for name in kz.get_children("%s/%s" % (root, t)):
                data, _ = kz.get("%s/%s/%s" % (root, t, name))
                try:
                    n = len(json.loads(data.decode())["acls"])
                except (ValueError, KeyError):
                    continue
                entries += n
                patterns += 1 if n else 0
    return entries, patterns


def test_restart_loads_everything(cluster):
    kz = cluster.kz
    # Written with no notification: only a full load can see it.
    put(kz, "/kafka-acl/Topic/quiet", acl_json(("User:dave", "Allow", "Write", "*")))
    entries, patterns = count_entries(kz)
    assert entries >= 1
    b = cluster.broker(2)
    b.stop()
    b.start(kz)
    harness.wait_until(
        lambda: "loaded %d ACL entries on %d resource patterns" % (entries, patterns)
        in b.log_text(), 30, what="broker 2 loading %d entries" % entries)
    # And it follows notifications again.
    put(kz, "/kafka-acl/Topic/quiet", acl_json(("User:dave", "Allow", "Write", "*"),
                                               ("User:dave", "Allow", "Read", "*")))
    notify_literal(kz, "Topic", "quiet")
    harness.wait_until(lambda: "Topic:LITERAL:quiet now 2 entries" in b.log_text(), 30,
                       what="broker 2 seeing the change after its restart")


def test_new_session_reloads(cluster):
    """A broker whose ZooKeeper session expires (SIGSTOP past the session timeout) reads every
    ACL again in its new session: one added and one deleted meanwhile (their notifications
    arrived while it was not listening) are right in its copy afterwards."""
    kz = cluster.kz
    b = cluster.broker(3)
    put(kz, "/kafka-acl/Topic/doomed", acl_json(("User:e", "Allow", "Read", "*")))
    notify_literal(kz, "Topic", "doomed")
    wait_all_logged(cluster, "Topic:LITERAL:doomed now 1 entries")
    mark = len(b.log_text())
    os.kill(b.pid, signal.SIGSTOP)
    try:
        put(kz, "/kafka-acl/Group/while-away", acl_json(("User:f", "Allow", "Read", "*"),
                                                        ("User:g", "Allow", "Read", "*")))
        notify_literal(kz, "Group", "while-away")
        kz.delete("/kafka-acl/Topic/doomed")
        notify_literal(kz, "Topic", "doomed")
        entries, patterns = count_entries(kz)
        # The session is gone once ZooKeeper says so: the registration vanishes.
        harness.wait_until(lambda: kz.exists("/brokers/ids/3") is None,
                           b.session_timeout_ms / 1000.0 + 15, what="broker 3's session to end")
    finally:
        os.kill(b.pid, signal.SIGCONT)
    harness.wait_until(lambda: 3 in cluster.registered_ids(), 30, what="broker 3 back")
    want = "loaded %d ACL entries on %d resource patterns" % (entries, patterns)
    harness.wait_until(lambda: want in b.log_text()[mark:], 30,
                       what="broker 3 reloading: %s" % want)
    # And it follows notifications in its new session.
    put(kz, "/kafka-acl/Group/while-away", acl_json(("User:f", "Allow", "Read", "*")))
    notify_literal(kz, "Group", "while-away")
    harness.wait_until(lambda: "Group:LITERAL:while-away now 1 entries" in b.log_text()[mark:],
                       30, what="broker 3 following notifications again")


def refused_start(cluster, broker_id, override):
    b = cluster.new_broker(broker_id, overrides=[override])
    b.expect_failure = True
    b.spawn()
    rc = b.wait_exit(60)
    if rc is None:
        b.kill9()
        pytest.fail("broker with %s still running; log tail:\n%s" % (override, b.log_tail()))
    assert rc != 0
    assert not cluster.kz.exists("/brokers/ids/%d" % broker_id)
    return b.log_text()


def test_unknown_authorizer_refused(cluster):
    log = refused_start(cluster, 41, "authorizer.class.name=com.example.MyAuthorizer")
    assert "authorizer.class.name" in log and "com.example.MyAuthorizer" in log, log[-2000:]
    assert AUTHORIZER in log, log[-2000:]


def test_malformed_super_users_refused(cluster):
    log = refused_start(cluster, 42, "super.users=User:admin;bob")
    assert "super.users" in log and "User:admin;bob" in log, log[-2000:]


def test_old_name_accepted(cluster):
    """The older class name turns the same authorizer on."""
    b = cluster.new_broker(43, overrides=[
        "authorizer.class.name=kafka.security.auth.SimpleAclAuthorizer"])
    b.start(cluster.kz)
    try:
        entries, patterns = count_entries(cluster.kz)
        harness.wait_until(
            lambda: "loaded %d ACL entries" % entries in b.log_text(), 30,
            what="broker 43 loading the ACLs")
    finally:
        assert b.stop() == 0


def test_coord_writes(cluster):
    """coord_acls_add / coord_acls_remove against this ZooKeeper (the unit suite acl_zk, in an
    observer coord), then what Kafka's brokers and tools would see: the znodes, the change
    notifications, and every broker's copy following them."""
    kz = cluster.kz
    before = set(kz.get_children("/kafka-acl-changes"))
    before_ext = set(kz.get_children("/kafka-acl-extended-changes"))
    env = dict(os.environ, KB_TEST_ZK=cluster.zk.connect + "/kb-acls",
               ASAN_OPTIONS="detect_leaks=1")
    p = subprocess.run([os.path.join(harness.bin_dir(), "unit-tests"), "acl_zk"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    m = re.search(r"asserts\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", p.stdout)
    assert m and int(m.group(1)) > 20 and m.group(4) == "0", p.stdout[-2000:]

    # The znodes, in Kafka's JSON.
    assert kz.exists("/kafka-acl/Topic/zk-t") is None          # emptied: deleted
    data = json.loads(kz.get("/kafka-acl/Topic/zk-both")[0].decode())
    assert data["version"] == 1
    assert sorted((a["principal"], a["permissionType"], a["operation"], a["host"])
                  for a in data["acls"]) == [("User:x", "Allow", "Write", "*"),
                                             ("User:y", "Allow", "Read", "*")]
    data = json.loads(kz.get("/kafka-acl-extended/prefixed/Group/zk-g-")[0].decode())
    assert data["acls"] == [{"principal": "User:a", "permissionType": "Allow",
                             "operation": "Read", "host": "*"}]
    assert len(json.loads(kz.get("/kafka-acl/Topic/zk-many")[0].decode())["acls"]) == 1000
    assert kz.exists("/kafka-acl/Group/zk-g") is None          # refused binding

    # The notifications, as Kafka writes them.
    new = sorted(set(kz.get_children("/kafka-acl-changes")) - before)
    notes = [kz.get("/kafka-acl-changes/" + n)[0].decode() for n in new]
    assert notes.count("Topic:zk-t") == 4, notes   # 2 adds, 2 removals that changed it
    assert "Topic:zk-both" in notes and "Topic:zk-many" in notes, notes
    new_ext = sorted(set(kz.get_children("/kafka-acl-extended-changes")) - before_ext)
    ext = [json.loads(kz.get("/kafka-acl-extended-changes/" + n)[0].decode()) for n in new_ext]
    assert {"version": 1, "resourceType": "GROUP", "name": "zk-g-",
            "patternType": "PREFIXED"} in ext, ext

    # Every broker followed.
    wait_all_logged(cluster, "Topic:LITERAL:zk-both now 2 entries")
    wait_all_logged(cluster, "Group:PREFIXED:zk-g- now 1 entries")
    wait_all_logged(cluster, "Topic:LITERAL:zk-many now 1000 entries")
    wait_all_logged(cluster, "Topic:LITERAL:zk-t now 0 entries")
