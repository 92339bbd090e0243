"""Broker failure and recovery on a dedicated 3-broker cluster (ZooKeeper chroot /kb-failure,
zookeeper.session.timeout.ms=6000 with ZooKeeper tickTime 1000).

* kill -9 of a broker: it leaves every other broker's Metadata within the session timeout
  (+ a bounded margin) while the survivors keep answering; restarted with the same id and
  port it comes back everywhere.
* a broker restarted right after kill -9 waits for its stale registration to expire, then
  registers;
* SIGTERM deregisters at once and exits 0;
* a second broker claiming a live broker's id refuses with a message naming the id and exits
  non-zero, without disturbing the live one.

These tests change the cluster, so each starts by making sure all three brokers run.
"""

import json
import re
import subprocess
import time

import pytest

import harness
from conftest import start_cluster

IDS = [101, 102, 103]
SESSION_MS = 6000
SESSION_S = SESSION_MS / 1000.0
MARGIN_S = 10.0          # ZooKeeper expiry granularity + watch delivery + a noisy machine
POLL_TIMEOUT_S = 5.0     # each Metadata request to a live broker must be answered this fast


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    yield from start_cluster(tmp_path_factory.mktemp("failure"), zk=zk_server, ids=IDS,
                             chroot="/kb-failure", session_timeout_ms=SESSION_MS)


def metadata_ids(broker, version=1):
    with broker.conn(POLL_TIMEOUT_S) as c:
        r = c.metadata(version, timeout=POLL_TIMEOUT_S)
    return sorted(b["node_id"] for b in r["brokers"])


def wait_all_see(cluster, want_ids, brokers=None, timeout=30.0, version=1):
    """Polls every broker in `brokers` until each lists exactly want_ids. Each poll must be
    answered (a live broker that stops answering fails the test). Returns seconds waited."""
    brokers = brokers or [b for b in cluster.brokers if b.alive()]
    want = sorted(want_ids)
    t0 = time.monotonic()
    last = {}
    while True:
        for b in brokers:
            last[b.broker_id] = metadata_ids(b, version)
        if all(v == want for v in last.values()):
            return time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            raise AssertionError("after %.1fs brokers still list %r, want %r"
                                 % (timeout, last, want))
        time.sleep(0.1)


def ensure_all_running(cluster):
    for b in cluster.brokers:
        if not b.alive():
            b.restart(cluster.kz, after_kill=True)
    wait_all_see(cluster, IDS)


def test_kill9_leaves_metadata_within_session_timeout_and_restart_returns(cluster):
    ensure_all_running(cluster)
    victim = cluster.broker(103)
    survivors = [b for b in cluster.brokers if b is not victim]
    # Long-lived connections: the survivors must keep answering on them throughout.
    conns = {b.broker_id: b.conn(POLL_TIMEOUT_S) for b in survivors}
    try:
        t0 = time.monotonic()
        victim.kill9()
        gone_at = {}
        polls = 0
        deadline = t0 + SESSION_S + MARGIN_S
        while len(gone_at) < len(survivors) and time.monotonic() < deadline:
            for b in survivors:
                r = conns[b.broker_id].metadata(1, timeout=POLL_TIMEOUT_S)
                polls += 1
                ids = sorted(x["node_id"] for x in r["brokers"])
                if 103 not in ids and b.broker_id not in gone_at:
                    gone_at[b.broker_id] = time.monotonic() - t0
                    assert ids == [101, 102], "broker %d lists %r" % (b.broker_id, ids)
            time.sleep(0.05)
    finally:
        for c in conns.values():
            c.close()
    harness.report_figure("failover: killed broker 103 left Metadata of brokers %s after %s s "
                          "(session timeout %.0f s, %d polls all answered)" % (
                              sorted(gone_at), ["%.2f" % gone_at[k] for k in sorted(gone_at)],
                              SESSION_S, polls))
    assert len(gone_at) == len(survivors), \
        "broker 103 still listed by %s %.0fs after kill -9 (session timeout %.0fs)" % (
            [b.broker_id for b in survivors if b.broker_id not in gone_at],
            SESSION_S + MARGIN_S, SESSION_S)
    assert cluster.kz.exists("/brokers/ids/103") is None
    assert cluster.registered_ids() == [101, 102]

    t1 = time.monotonic()
    victim.restart(cluster.kz, after_kill=True)      # same id, same port, same config
    waited = wait_all_see(cluster, IDS, timeout=30.0)
    harness.report_figure("failover: restarted broker 103 back in every broker's Metadata "
                          "%.2f s after restart" % (time.monotonic() - t1))
    assert waited >= 0
    out = subprocess.run(["kcat", "-L", "-J", "-m", "15", "-b", cluster.bootstrap()],
                         capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stderr
    md = json.loads(out.stdout.strip().splitlines()[-1])
    assert sorted(x["id"] for x in md["brokers"]) == IDS, md


def test_restart_right_after_kill9_waits_for_stale_registration(cluster):
    ensure_all_running(cluster)
    victim = cluster.broker(101)
    old_owner = victim.session_owner
    victim.kill9()
    assert cluster.kz.exists("/brokers/ids/101").ephemeralOwner == old_owner  # still stale
    t0 = time.monotonic()
    # Ready = listening and registered under a new ZooKeeper session; the broker may wait up
    # to the session timeout for the old znode to expire first.
    victim.restart(cluster.kz, after_kill=True, timeout=SESSION_S + 45.0)
    harness.report_figure("restart right after kill -9: re-registered after %.2f s "
                          "(session timeout %.0f s)" % (time.monotonic() - t0, SESSION_S))
    st = cluster.kz.exists("/brokers/ids/101")
    assert st is not None and st.ephemeralOwner not in (0, old_owner)
    reg = json.loads(cluster.kz.get("/brokers/ids/101")[0].decode())
    assert reg["port"] == victim.port and reg["endpoints"] == [
        "PLAINTEXT://127.0.0.1:%d" % victim.port]
    wait_all_see(cluster, IDS, timeout=SESSION_S + MARGIN_S)


def test_sigterm_deregisters_and_exits_zero(cluster):
    ensure_all_running(cluster)
    victim = cluster.broker(102)
    rc = victim.stop(timeout=30)
    assert rc == 0, "clean shutdown exited %s; log tail:\n%s" % (rc, victim.log_tail())
    # A clean shutdown closes the ZooKeeper session, which deletes the ephemeral znode now,
    # not a session timeout later.
    harness.wait_until(lambda: cluster.kz.exists("/brokers/ids/102") is None,
                       timeout=SESSION_S / 2, what="/brokers/ids/102 to be deleted")
    wait_all_see(cluster, [101, 103], timeout=MARGIN_S)
    victim.restart(cluster.kz, after_kill=False)
    wait_all_see(cluster, IDS, timeout=30.0)


def test_duplicate_broker_id_is_refused(cluster):
    ensure_all_running(cluster)
    holder = cluster.broker(102)
    owner_before = cluster.kz.exists("/brokers/ids/102").ephemeralOwner
    dup = cluster.new_broker(102)            # same id, its own free port
    dup.expect_failure = True
    dup.spawn()
    t0 = time.monotonic()
    rc = None
    # It may wait up to the session timeout for the registration to go away before refusing.
    # Meanwhile the real cluster must keep answering.
    while rc is None and time.monotonic() - t0 < SESSION_S + 45.0:
        rc = dup.wait_exit(0.5)
        for b in cluster.brokers:
            assert metadata_ids(b) == IDS
    if rc is None:
        dup.kill9()
        pytest.fail("a second broker with live id 102 was still running %.0fs later; log tail:"
                    "\n%s" % (time.monotonic() - t0, dup.log_tail()))
    harness.report_figure("duplicate id 102 refused after %.2f s with exit code %d"
                          % (time.monotonic() - t0, rc))
    assert rc != 0, "duplicate broker exited 0; log tail:\n%s" % dup.log_tail()
    lines = [ln for ln in dup.log_text().splitlines() if re.search(r"\b102\b", ln)
             and re.search(r"(?i)refus|already|in use|another|conflict|duplicate|taken",
                           ln)]
    assert lines, "no log line names id 102 and says why; log tail:\n%s" % dup.log_tail()
    print("refusal message: %s" % lines[-1])
    # The live holder is untouched.
    assert holder.alive()
    assert cluster.kz.exists("/brokers/ids/102").ephemeralOwner == owner_before
    reg = json.loads(cluster.kz.get("/brokers/ids/102")[0].decode())
    assert reg["port"] == holder.port, "the refused broker overwrote the registration: %r" % reg
    wait_all_see(cluster, IDS, timeout=5.0)


def test_cluster_still_serves_clients(cluster):
    ensure_all_running(cluster)
    from confluent_kafka.admin import AdminClient
    md = AdminClient({"bootstrap.servers": cluster.bootstrap()}).list_topics(timeout=20)
    assert sorted(md.brokers) == IDS
    assert {i: (m.host, m.port) for i, m in md.brokers.items()} == {
        b.broker_id: ("127.0.0.1", b.port) for b in cluster.brokers}
    for v in (0, 4, 9, 12):
        wait_all_see(cluster, IDS, timeout=5.0, version=v)
