"""A Metadata request pipelined behind a waiting Produce must describe the cluster as it is
when it is answered, not as it was when it arrived.

Kafka reads a connection's next request only after it has answered the previous one, so its
Metadata answers are never older than the answers that come before them. kbroker serves
pipelined requests at once and writes the answers in request order; an answer built at
arrival could leave the broker seconds later, after an election it does not reflect, and
librdkafka 2.0.2, which does not compare leader epochs, then moved partitions back to a dead
broker and stayed there (bench/results/2026-12-03/groups-notes.md). Requests that read such
state (api_entry.in_turn in server/core/dispatch.c) now run only when their turn comes.

The scenario: 3 brokers, topics of RF3. Broker F is frozen (SIGSTOP), and F leads topic B
and is in the ISR of topic A. On one connection to A's leader, a Produce acks=all to A and
then a Metadata request for B are sent together. The Produce is answered once ZooKeeper
expires F's session and the controller shrinks the ISR and elects a new leader for B. The
Metadata answer that follows it must not name F as B's leader.

Before the fix this failed with StaleAnswer (the answer named F).
"""
import os
import signal
import subprocess
import time

import pytest

import harness
import kproto
from conftest import start_cluster
from test_data_path import record_batch


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    yield from start_cluster(tmp_path_factory.mktemp("pipelined"), zk=zk_server,
                             ids=[471, 472, 473], chroot="/kb-pipelined",
                             config={"auto.create.topics.enable": "false"})


class StaleAnswer(AssertionError):
    """The defect this guards against: an answer older than the answers before it."""


def leaders(cluster, broker):
    md = cluster.metadata(broker, 1)
    return {t["name"]: t["partitions"][0]["leader_id"] for t in md["topics"]}, \
        md["controller_id"]


def test_metadata_behind_a_waiting_produce_is_current(cluster):
    kadmin = os.path.join(harness.bin_dir(), "kadmin")
    names = ["pa%d" % i for i in range(6)]
    for t in names:
        subprocess.run([kadmin, "--bootstrap-server", cluster.bootstrap(), "topics", "create",
                        t, "--partitions", "1", "--replication-factor", "3"], check=True,
                       capture_output=True, timeout=60)
    lead = harness.wait_until(
        lambda: (lambda m: m if all(m.get(t, -1) >= 0 for t in names) else None)(
            leaders(cluster, cluster.brokers[0])[0]), 30, 0.2, "leaders of the topics")
    a = names[0]
    b = next((t for t in names if lead[t] != lead[a]), None)
    assert b is not None, "every topic has the same leader: %s" % lead
    leader_a, frozen = cluster.broker(lead[a]), cluster.broker(lead[b])

    os.kill(frozen.pid, signal.SIGSTOP)
    try:
        batch = record_batch([b"x"])
        body = (kproto.nullable_string(None) + kproto.i16(-1) + kproto.i32(30000) +
                kproto.i32(1) + kproto.string(a) + kproto.i32(1) + kproto.i32(0) +
                kproto.i32(len(batch)) + batch)
        t0 = time.monotonic()
        with leader_a.conn(60) as cn:
            cn.send(kproto.frame(kproto.encode_request(0, 7, 1, body, "kb-it")) +
                    kproto.metadata_request(1, 2, [b]))
            cn.recv_frame(60)                       # the Produce, after the ISR shrink
            waited = time.monotonic() - t0
            late = kproto.decode_metadata_response(cn.recv_frame(60), 1)
        now, controller = leaders(cluster, leader_a)
    finally:
        os.kill(frozen.pid, signal.SIGCONT)
    assert waited > 2.0, "the Produce did not wait for the ISR shrink (%.1f s)" % waited
    assert now[b] != frozen.broker_id, "no new leader for %s yet: %s" % (b, now)
    got = late["topics"][0]["partitions"][0]["leader_id"]
    if got == frozen.broker_id:
        raise StaleAnswer(
            "Metadata answered %.1f s after it was sent names the frozen broker %d as the "
            "leader of %s (now %d) and %d as the controller (now %d)" % (
                waited, got, b, now[b], late["controller_id"], controller))
