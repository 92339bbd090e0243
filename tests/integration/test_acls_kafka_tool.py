"""Apache Kafka's own ACL tool and kbroker share ACLs through ZooKeeper.

kafka.admin.AclCommand (what kafka-acls.sh runs) from Kafka 3.9.1's jars, in its ZooKeeper
mode (`--authorizer-properties zookeeper.connect=...`), writes a DENY of WRITE on topic t for
User:ANONYMOUS: kbroker lists it through DescribeAcls and refuses a produce to t (not to u).
An ACL kbroker writes through CreateAcls (`kadmin acls add`) is listed by AclCommand.

Needs the jars `scripts/fetch-kafka.sh` puts in ~/.cache/kbroker (`make bench` fetches them);
skipped, saying so, without them (CI does not fetch Kafka).
"""

import glob
import os
import subprocess

import pytest

import harness
from conftest import start_cluster

CHROOT = "/kb-acl-tool"
LIBS = sorted(glob.glob(os.path.expanduser("~/.cache/kbroker/kafka-3.9.*/libs")))


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    if not LIBS:
        pytest.skip("no Apache Kafka 3.9 jars in ~/.cache/kbroker (scripts/fetch-kafka.sh)")
    yield from start_cluster(tmp_path_factory.mktemp("acltool"), zk=zk_server, n=1, ids=[951],
                             chroot=CHROOT, config={
                                 "authorizer.class.name":
                                     "kafka.security.authorizer.AclAuthorizer",
                                 "allow.everyone.if.no.acl.found": "true",
                                 "auto.create.topics.enable": "true",
                                 "num.partitions": "1"})


def acl_command(cluster, *args):
    cp = ":".join(glob.glob(os.path.join(LIBS[-1], "*.jar")))
    p = subprocess.run(["java", "-cp", cp, "kafka.admin.AclCommand", "--authorizer-properties",
                        "zookeeper.connect=%s%s" % (cluster.zk.connect, CHROOT)] + list(args),
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    return p.stdout


def kadmin(cluster, *args):
    p = subprocess.run([os.path.join(harness.bin_dir(), "kadmin"), "--bootstrap-server",
                        cluster.bootstrap()] + list(args), capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout


def produce_errors(cluster, topics):
    from confluent_kafka import Producer
    pr = Producer({"bootstrap.servers": cluster.bootstrap(), "message.timeout.ms": 10000})
    out = {}
    for t in topics:
        pr.produce(t, b"x", on_delivery=lambda e, m, t=t: out.__setitem__(
            t, e.name() if e else None))
    pr.flush(20)
    return out


def test_kafka_acl_command_and_kbroker_share_acls(cluster):
    acl_command(cluster, "--add", "--deny-principal", "User:ANONYMOUS", "--operation", "Write",
                "--topic", "t")
    harness.wait_until(lambda: "name=t, patternType=LITERAL" in kadmin(cluster, "acls", "list"),
                       15, interval=0.2, what="kbroker to list the tool's ACL")
    assert produce_errors(cluster, ["t", "u"]) == {"t": "TOPIC_AUTHORIZATION_FAILED", "u": None}

    kadmin(cluster, "acls", "add", "--allow", "--principal", "User:bob", "--operation", "Read",
           "--group", "g1", "--prefixed")
    listed = acl_command(cluster, "--list")
    assert "resourceType=GROUP, name=g1, patternType=PREFIXED" in listed, listed
    assert "principal=User:bob, host=*, operation=READ, permissionType=ALLOW" in listed, listed

    acl_command(cluster, "--remove", "--force", "--deny-principal", "User:ANONYMOUS",
                "--operation", "Write", "--topic", "t")
    harness.wait_until(lambda: produce_errors(cluster, ["t"]) == {"t": None}, 30, interval=0.5,
                       what="produce to t allowed again after the tool removed the ACL")
