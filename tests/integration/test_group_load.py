"""Loading a __consumer_offsets partition: the new coordinator replays it in steps, and the
event loop serves requests between the steps — a request that arrives during the replay is
answered COORDINATOR_LOAD_IN_PROGRESS at once instead of waiting for the whole replay.

One broker with offsets.topic.num.partitions=1 and offsets.load.buffer.size=1, so each step
replays exactly one batch (one OffsetCommit): 5,000 commits make a replay of 5,000 steps.
After a clean restart, OffsetFetch is polled from the moment the broker starts until it
answers with every committed offset.
"""
import asyncio
import collections
import os
import re
import subprocess
import time

import pytest

import gproto as gp
import harness
from conftest import start_cluster

TOPIC, GROUP = "gload", "gload-group"
NPARTS, NCOMMITS = 20, 5000


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    yield from start_cluster(tmp_path_factory.mktemp("gload"), zk=zk_server, ids=[461],
                             chroot="/kb-gload",
                             config={"offsets.topic.replication.factor": "1",
                                     "offsets.topic.num.partitions": "1",
                                     "offsets.load.buffer.size": "1",
                                     "auto.create.topics.enable": "false"})


def find_coordinator(b):
    def ask():
        with b.conn(5.0) as c:
            r = gp.call(c, gp.API_FIND_COORDINATOR, 2, gp.find_coordinator_v2(GROUP))
        return r["error_code"] == gp.NONE and r["node_id"] == b.broker_id
    harness.wait_until(ask, 60, 0.1, "the broker to coordinate %s" % GROUP)


async def commit_all(port):
    conn = await gp.AConn.open(harness.HOST, port)
    errors, inflight = collections.Counter(), collections.deque()
    for k in range(NCOMMITS):
        parts = gp.commit_partitions_v7([(p, k) for p in range(NPARTS)])
        inflight.append(conn.send(gp.API_OFFSET_COMMIT, 7,
                                  gp.offset_commit_v7(GROUP, [(TOPIC, parts)])))
        if len(inflight) >= 16:
            errors.update((await inflight.popleft())[0]["errors"])
        await conn.drain()
    while inflight:
        errors.update((await inflight.popleft())[0]["errors"])
    await conn.close()
    return errors


def poll_until_loaded(b, timeout=90.0):
    """Every OffsetFetch answer from the start until the complete one; returns (Counter of
    error names seen before, the complete answer)."""
    body = gp.offset_fetch_v5(GROUP, [(TOPIC, list(range(NPARTS)))])
    seen, deadline = collections.Counter(), time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with b.conn(5.0) as c:
                while time.monotonic() < deadline:
                    r = gp.call(c, gp.API_OFFSET_FETCH, 5, body)
                    if r["error_code"] == gp.NONE:
                        return seen, r
                    seen[gp.err_name(r["error_code"])] += 1
                    time.sleep(0.001)
        except (OSError, harness.ConnClosed, harness.ConnTimeout):
            time.sleep(0.005)
    raise TimeoutError("OffsetFetch never answered without error; seen %s" % dict(seen))


def test_requests_answered_between_replay_steps(cluster):
    b = cluster.brokers[0]
    subprocess.run([os.path.join(harness.bin_dir(), "kadmin"), "--bootstrap-server",
                    b.bootstrap, "topics", "create", TOPIC, "--partitions", str(NPARTS),
                    "--replication-factor", "1"], check=True, capture_output=True, timeout=60)
    find_coordinator(b)
    errors = asyncio.run(commit_all(b.port))
    assert dict(errors) == {gp.NONE: NCOMMITS * NPARTS}

    assert b.stop() == 0
    log_len = len(b.log_text())
    b.spawn()
    seen, r = poll_until_loaded(b)
    b.wait_ready(cluster.kz)
    assert r["offsets"] == {(TOPIC, p): NCOMMITS - 1 for p in range(NPARTS)}
    assert set(r["partition_errors"]) == {gp.NONE}
    m = re.search(r"__consumer_offsets-0 loaded: (\d+) records replayed in (\d+) ms",
                  b.log_text()[log_len:])
    assert m and int(m.group(1)) == NCOMMITS * NPARTS, b.log_tail()
    harness.report_figure("replay of %d records in %d steps: %s ms; answers while it ran: %s"
                          % (NCOMMITS * NPARTS, NCOMMITS, m.group(2), dict(seen)))
    # The replay took NCOMMITS turns of the event loop; requests polled meanwhile were
    # answered, not held until the end.
    assert seen[gp.err_name(gp.COORDINATOR_LOAD_IN_PROGRESS)] >= 1, dict(seen)
