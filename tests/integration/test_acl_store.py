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


def wait_all_logged(cluster, text, timeout=30.0, brokers=None):
    brokers = brokers or cluster.brokers
    harness.wait_until(lambda: all(text in b.log_text() for b in brokers), timeout,
                       what="every broker logging %r" % text)


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
    notify_literal(kz, "Topic", "orders")
    wait_all_logged(cluster, "Topic:LITERAL:orders now 1 entries")

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
