"""A 3-broker cluster boots, registers in ZooKeeper the way Kafka 2.x does, and every client
(kcat/librdkafka, confluent-kafka-python, kafka-python, kafkajs, and our own kproto codec at
every ApiVersions/Metadata version) sees the same three brokers and cluster id.

The cluster lives at the ZooKeeper root (the other modules use chroots) and is shared by all
tests of this module; none of them changes it.
"""

import json
import os
import re
import subprocess
import time

import pytest

import harness
import kproto
from conftest import start_cluster

RACK_BROKER = 2
RACK = "rack-b"
REPO = harness.REPO
JS_DIR = os.path.join(REPO, "tests", "clients", "js")
CLIENT_TIMEOUT = 60  # seconds, upper bound for each external client run

PERSISTENT_PATHS = [
    "/consumers", "/brokers/ids", "/brokers/topics", "/config/changes",
    "/admin/delete_topics", "/brokers/seqid", "/isr_change_notification",
    "/latest_producer_id_block", "/log_dir_event_notification",
    "/config/topics", "/config/clients", "/config/users", "/config/brokers", "/config/ips",
    "/cluster/id",
]


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    yield from start_cluster(tmp_path_factory.mktemp("bootstrap"), zk=zk_server, n=3,
                             racks={RACK_BROKER: RACK})


def expected_brokers(cluster):
    return {b.broker_id: ("127.0.0.1", b.port) for b in cluster.brokers}


def test_kproto_selftest():
    """The independent codec itself: byte vectors + cross-check with kafka-python classes."""
    assert kproto.selftest() is True


def test_zookeeper_registration_json(cluster):
    kz = cluster.kz
    assert sorted(kz.get_children("/brokers/ids")) == sorted(str(i) for i in cluster.ids)
    now_ms = int(time.time() * 1000)
    for b in cluster.brokers:
        data, stat = kz.get("/brokers/ids/%d" % b.broker_id)
        assert stat.ephemeralOwner != 0, "/brokers/ids/%d is not ephemeral" % b.broker_id
        reg = json.loads(data.decode("utf-8"))
        ctx = "broker %d registration %r" % (b.broker_id, reg)
        assert reg.get("version") in (4, 5) and isinstance(reg["version"], int), ctx
        assert reg.get("host") == "127.0.0.1", ctx
        assert reg.get("port") == b.port and isinstance(reg["port"], int), ctx
        assert isinstance(reg.get("jmx_port"), int) and not isinstance(reg["jmx_port"], bool), ctx
        ts = reg.get("timestamp")
        assert isinstance(ts, str) and ts.isdigit(), "timestamp must be a string: " + ctx
        assert cluster.started_ms - 120_000 <= int(ts) <= now_ms + 60_000, ctx
        assert reg.get("endpoints") == ["PLAINTEXT://127.0.0.1:%d" % b.port], ctx
        assert reg.get("listener_security_protocol_map") == {"PLAINTEXT": "PLAINTEXT"}, ctx
        if b.broker_id == RACK_BROKER:
            assert reg.get("rack") == RACK, ctx
        else:
            assert "rack" not in reg, "rack must be omitted when not set: " + ctx
        if reg["version"] == 5:
            assert isinstance(reg.get("features"), dict), ctx


def test_persistent_paths_and_cluster_id(cluster):
    kz = cluster.kz
    missing = [p for p in PERSISTENT_PATHS if kz.exists(p) is None]
    assert not missing, "persistent znodes missing: %s" % missing
    ephemeral = [p for p in PERSISTENT_PATHS if kz.exists(p).ephemeralOwner != 0]
    assert not ephemeral, "these must be persistent: %s" % ephemeral
    data, _ = kz.get("/cluster/id")
    cid = json.loads(data.decode())
    assert cid.get("version") == "1", "/cluster/id version must be the string \"1\": %r" % cid
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", cid.get("id", "")), \
        "cluster id must be 22 chars of URL-safe base64: %r" % cid


@pytest.mark.parametrize("version", range(0, 5))
def test_api_versions_every_version(cluster, version):
    seen = []
    for b in cluster.brokers:
        with b.conn() as c:
            r = c.api_versions(version, software_name="kbroker-it", software_version="1.0.0")
        assert r["error_code"] == 0, r
        keys = r["api_keys"]
        assert keys.get(18) == (0, 4), "ApiVersions range: %r" % keys
        assert keys.get(3) == (0, 12), "Metadata range: %r" % keys
        for k, (mn, mx) in keys.items():
            assert 0 <= mn <= mx, "api key %d has range %d..%d" % (k, mn, mx)
        if version >= 1:
            assert r["throttle_time_ms"] is not None and r["throttle_time_ms"] >= 0
        seen.append(keys)
    assert all(s == seen[0] for s in seen), "brokers advertise different APIs: %r" % seen


@pytest.mark.parametrize("version", range(0, 13))
def test_metadata_every_version_every_broker(cluster, version):
    want = expected_brokers(cluster)
    cluster_id = cluster.cluster_id()
    controller = None
    if cluster.kz.exists("/controller"):
        controller = json.loads(cluster.kz.get("/controller")[0].decode()).get("brokerid")
    for b in cluster.brokers:
        with b.conn() as c:
            r = c.metadata(version)
        ctx = "Metadata v%d from broker %d: %r" % (version, b.broker_id, r)
        got = {x["node_id"]: (x["host"], x["port"]) for x in r["brokers"]}
        assert len(r["brokers"]) == len(got), "duplicate broker ids: " + ctx
        assert got == want, ctx
        assert r["topics"] == [], "no topics exist in this cluster: " + ctx
        if version >= 1:
            racks = {x["node_id"]: x["rack"] for x in r["brokers"]}
            assert racks == {i: (RACK if i == RACK_BROKER else None) for i in want}, ctx
            assert r["controller_id"] == -1 or r["controller_id"] in want, ctx
            if controller is not None:
                assert r["controller_id"] == controller, "/controller says %r; %s" % (
                    controller, ctx)
        if version >= 2:
            assert r["cluster_id"] == cluster_id, "ZooKeeper /cluster/id is %r; %s" % (
                cluster_id, ctx)
        if version >= 3:
            assert r["throttle_time_ms"] >= 0, ctx


def test_pipelined_requests_answered_in_order(cluster):
    """All ApiVersions and Metadata versions written back-to-back on one connection: every
    response arrives, in request order, with its own correlation id."""
    b = cluster.brokers[0]
    reqs = [(kproto.API_API_VERSIONS, v) for v in range(5)] + \
           [(kproto.API_METADATA, v) for v in range(13)]
    with b.conn() as c:
        blob = b""
        for i, (key, v) in enumerate(reqs):
            body = (kproto.encode_api_versions_body(v) if key == kproto.API_API_VERSIONS
                    else kproto.encode_metadata_body(v))
            blob += kproto.frame(kproto.encode_request(key, v, 5000 + i, body))
        c.send(blob)
        for i, (key, v) in enumerate(reqs):
            r = kproto.decode_response(key, v, c.recv_frame(timeout=20))
            assert r["correlation_id"] == 5000 + i, (key, v, r)
            if key == kproto.API_METADATA:
                assert len(r["brokers"]) == 3
            else:
                assert r["error_code"] == 0


def _run(argv, cwd=None):
    p = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=CLIENT_TIMEOUT)
    assert p.returncode == 0, "%s exited %d\nstdout:\n%s\nstderr:\n%s" % (
        argv, p.returncode, p.stdout[-4000:], p.stderr[-4000:])
    return p.stdout


def test_kcat_lists_three_brokers(cluster):
    for b in cluster.brokers:   # bootstrap through each broker in turn
        out = _run(["kcat", "-L", "-J", "-m", "15", "-b", b.bootstrap])
        md = json.loads(out.strip().splitlines()[-1])
        got = sorted((x["id"], x["name"]) for x in md["brokers"])
        want = sorted((i, "%s:%d" % hp) for i, hp in expected_brokers(cluster).items())
        assert got == want, md
        assert md.get("topics") == [], md


def test_confluent_kafka_admin_sees_three_brokers(cluster):
    from confluent_kafka.admin import AdminClient
    admin = AdminClient({"bootstrap.servers": cluster.bootstrap(), "socket.timeout.ms": 10000})
    md = admin.list_topics(timeout=20)
    got = {i: (bm.host, bm.port) for i, bm in md.brokers.items()}
    assert got == expected_brokers(cluster)
    assert md.cluster_id == cluster.cluster_id()
    assert md.topics == {}


def test_kafka_python_sees_three_brokers(cluster):
    """kafka-python 2.0.2: KafkaClient bootstraps (version probe = ApiVersions v0 with a
    Metadata v0 right behind it), then refreshes cluster metadata (Metadata v1)."""
    from kafka.client_async import KafkaClient
    client = KafkaClient(bootstrap_servers=cluster.bootstrap(), client_id="kbroker-it-kp",
                         request_timeout_ms=15000, api_version_auto_timeout_ms=15000)
    try:
        # It needs >= 0.10 to negotiate through ApiVersions at all.
        assert client.config["api_version"] >= (0, 10, 0), client.config["api_version"]
        fut = client.cluster.request_update()
        client.poll(future=fut, timeout_ms=20000)
        assert fut.is_done and fut.succeeded(), "metadata refresh failed: %r" % (
            getattr(fut, "exception", None),)
        got = {b.nodeId: (b.host, b.port) for b in client.cluster.brokers()}
        racks = {b.nodeId: b.rack for b in client.cluster.brokers()}
    finally:
        client.close()
    assert got == expected_brokers(cluster)
    assert racks[RACK_BROKER] == RACK and all(
        r is None for i, r in racks.items() if i != RACK_BROKER), racks


def test_kafka_python_admin_describe_cluster(cluster):
    """KafkaAdminClient.describe_cluster(). kafka-python 2.0.2's admin client insists on a
    controller (its constructor asserts when Metadata's controller_id is -1), so this part
    only runs once the brokers elect one."""
    with cluster.brokers[0].conn() as c:
        controller = c.metadata(1)["controller_id"]
    if controller == -1:
        pytest.skip("Metadata controller_id is -1 (no controller yet): kafka-python's "
                    "KafkaAdminClient cannot start without one")
    from kafka import KafkaAdminClient
    admin = KafkaAdminClient(bootstrap_servers=cluster.bootstrap(), client_id="kbroker-it-kpa",
                             request_timeout_ms=15000, api_version_auto_timeout_ms=15000)
    try:
        desc = admin.describe_cluster()
    finally:
        admin.close()
    got = {x["node_id"]: (x["host"], x["port"]) for x in desc["brokers"]}
    assert got == expected_brokers(cluster), desc
    assert {x["node_id"]: x["rack"] for x in desc["brokers"]}[RACK_BROKER] == RACK, desc
    assert desc["cluster_id"] == cluster.cluster_id(), desc
    assert desc["controller_id"] == controller, desc


def test_kafkajs_describe_cluster(cluster):
    if not os.path.isdir(os.path.join(JS_DIR, "node_modules", "kafkajs")):
        pytest.fail("kafkajs is not installed in %s: run `bash scripts/install-deps.sh`" % JS_DIR)
    out = _run(["node", os.path.join(JS_DIR, "describe_cluster.js"), cluster.bootstrap(),
                str((CLIENT_TIMEOUT - 10) * 1000)], cwd=JS_DIR)
    desc = json.loads(out.strip().splitlines()[-1])
    got = {x["nodeId"]: (x["host"], x["port"]) for x in desc["brokers"]}
    assert got == expected_brokers(cluster), desc
    assert desc["clusterId"] == cluster.cluster_id(), desc


@pytest.mark.parametrize("lines,overrides,must_name", [
    (["listeners=PLAINTEXT://127.0.0.1:{port}", "zookeeper.connect={zk}"], [], "broker.id"),
    (["broker.id=9", "listeners=PLAINTEXT://127.0.0.1:{port}"], [], "zookeeper.connect"),
    (["broker.id=9", "listeners=PLAINTEXT://127.0.0.1:{port}", "zookeeper.connect={zk}"],
     ["socket.request.max.bytes=lots"], "socket.request.max.bytes"),
], ids=["no-broker-id", "no-zookeeper-connect", "bad-override-value"])
def test_bad_config_refused_with_message(zk_server, tmp_path, lines, overrides, must_name):
    """The contract: bad config -> non-zero exit with a message (naming the offending key)."""
    cfg = tmp_path / "bad.properties"
    cfg.write_text("\n".join(x.format(port=harness.free_port(), zk=zk_server.connect + "/kb-bad")
                             for x in lines) + "\n")
    argv = [harness.kbroker_path(), str(cfg)]
    for o in overrides:
        argv += ["--override", o]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    out = p.stdout + p.stderr
    assert p.returncode != 0, "kbroker accepted a bad config; output:\n" + out
    assert must_name in out, "the message does not name %s:\n%s" % (must_name, out)
    assert not any(m in out for m in harness.SANITIZER_MARKERS), out


def test_sigterm_flood_still_a_clean_stop(zk_server, tmp_path):
    """Supervisors send SIGTERM more than once (this harness's Cluster.stop does). Whenever
    one arrives during shutdown it must be ignored: a broker flooded with SIGTERMs from the
    first one until it exits still stops cleanly (exit 0, "stopped" logged). Before the fix
    a SIGTERM between freeing libevent's signal events and ignoring the signal killed it."""
    import signal as sig
    outcomes = []
    rounds = 3
    for i in range(rounds):
        # The broker holds its shutdown 200 ms right after freeing libevent's signal events,
        # where the flood is sure to land (a test hook; preemption made that window real).
        c = harness.Cluster(tmp_path / ("flood%d" % i), n=1, zk=zk_server,
                            chroot="/kb-sigflood%d" % i,
                            env={"KB_TEST_SHUTDOWN_PAUSE_MS": "200"})
        c.start()
        b = c.brokers[0]
        pid, deadline = b.pid, time.monotonic() + 30
        proc = b._proc.proc
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                os.kill(pid, sig.SIGTERM)
            except ProcessLookupError:
                break
        try:
            rc = proc.wait(timeout=30)
        finally:
            c.stop()
        outcomes.append((rc, "stopped (exit 0)" in b.log_text()))
    assert outcomes == [(0, True)] * rounds, outcomes
