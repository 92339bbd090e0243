"""flush.messages: an acknowledged append is on disk, as in Kafka (whose append flushes before
it returns). One broker started with KB_TEST_FLUSH_DELAY_MS (a test hook in
server/replica/partition.c that makes every fsync job sleep first, i.e. a slow disk):

* a topic with flush.messages=1: Produce acks=1 and acks=-1 are answered only after the flush
  (they take at least the delay);
* the same broker, a topic without flush.messages: answered at once (the control: the delay
  applies only where acknowledgements wait for the fsync);
* acks=0 is never held back (it gets no answer at all; a later request on the connection is
  answered).
"""
import os
import struct
import subprocess
import time

import pytest

import harness
import kproto
from conftest import start_cluster
from test_data_path import raw_produce_v7, record_batch

DELAY_MS = 1500


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    env = dict(os.environ, KB_TEST_FLUSH_DELAY_MS=str(DELAY_MS))
    yield from start_cluster(tmp_path_factory.mktemp("flushacks"), zk=zk_server, ids=[451],
                             chroot="/kb-flushacks", env=env,
                             config={"auto.create.topics.enable": "false"})


def create(cluster, topic, config):
    args = [os.path.join(harness.bin_dir(), "kadmin"), "--bootstrap-server", cluster.bootstrap(),
            "topics", "create", topic, "--partitions", "1", "--replication-factor", "1"]
    for k, v in config.items():
        args += ["--config", "%s=%s" % (k, v)]
    subprocess.run(args, check=True, capture_output=True, timeout=60)


def timed_produce(cluster, topic, acks):
    with cluster.brokers[0].conn(20) as c:
        t0 = time.monotonic()
        out = raw_produce_v7(c, topic, 0, record_batch([b"v1", b"v2"]), acks=acks,
                             timeout_ms=30000)
        return time.monotonic() - t0, out


def test_acks_wait_for_flush_messages(cluster):
    create(cluster, "fsynced", {"flush.messages": "1"})
    create(cluster, "cached", {})
    for acks in (1, -1):
        took, out = timed_produce(cluster, "fsynced", acks)
        assert out[0][2] == 0, out
        assert took >= DELAY_MS / 1000.0 * 0.9, \
            "acks=%d answered in %.2f s, before the %d ms flush" % (acks, took, DELAY_MS)
        took, out = timed_produce(cluster, "cached", acks)
        assert out[0][2] == 0, out
        assert took < DELAY_MS / 1000.0 * 0.9, \
            "acks=%d without flush.messages waited %.2f s" % (acks, took)


def test_acks0_not_held(cluster):
    create(cluster, "fsynced0", {"flush.messages": "1"})
    create(cluster, "cached0", {})
    batch = record_batch([b"x"])
    with cluster.brokers[0].conn(20) as c:
        body = (kproto.nullable_string(None) + struct.pack(">hi", 0, 30000) +
                struct.pack(">i", 1) + kproto.string("fsynced0") + struct.pack(">i", 1) +
                struct.pack(">ii", 0, len(batch)) + batch)
        c.send(kproto.frame(kproto.encode_request(0, 7, c.next_corr(), body, "kb-it")))
        t0 = time.monotonic()
        out = raw_produce_v7(c, "cached0", 0, batch, acks=1, timeout_ms=30000)
        assert out[0][2] == 0, out
        assert time.monotonic() - t0 < DELAY_MS / 1000.0 * 0.9
