"""A watched ZooKeeper read lost to a connection drop (not a session expiry) must not leave the
broker blind.

ZooKeeper's client sets a watch only when the read that carries it succeeds. If the
connection drops while such a read is in flight, the read completes with ZCONNECTIONLOSS and
the watch is never set; the client reconnects within the same session and re-arms only the
watches it holds. Without care the broker then never hears of that znode again (here: the
topic set, so topics created later never appear in its metadata) until its session expires.

The broker talks to ZooKeeper through a relay this test controls. The relay holds the
broker's requests (not ZooKeeper's answers): creating a topic fires the broker's child watch
on /brokers/topics (the notification passes), the broker's re-listing is held, then the
relay cuts the connection, so that listing fails with ZCONNECTIONLOSS. The broker reconnects
within its session; a topic created afterwards must show up in its metadata.
"""

import time

import pytest

import harness
from conftest import start_cluster

SESSION_MS = 20000   # long enough that the cut never expires the session


@pytest.fixture(scope="module")
def relayed(zk_server, tmp_path_factory):
    relay = harness.ZooKeeperRelay(zk_server.port)
    gen = start_cluster(tmp_path_factory.mktemp("zkrelay"), zk=zk_server, n=1, ids=[61],
                        chroot="/kb-zkrelay", session_timeout_ms=SESSION_MS)
    cluster = next(gen)
    b = cluster.brokers[0]
    original = b.zk_connect
    b.stop()
    b.zk_connect = "127.0.0.1:%d%s" % (relay.port, original[original.index("/"):])
    b.start(cluster.kz)
    try:
        yield cluster, relay
    finally:
        relay.close()
        try:
            next(gen)
        except StopIteration:
            pass


def topic_names(broker):
    with broker.conn(10) as c:
        md = c.metadata(1)
    return {t["name"] for t in md["topics"] if t["error_code"] == 0}


def create_topic_znode(kz, name):
    """The topic as Kafka's admin tools write it (assignment znode; the controller does the
    rest). Replica list: the one broker."""
    kz.create("/brokers/topics/%s" % name,
              b'{"version":2,"partitions":{"0":[61]},"adding_replicas":{},"removing_replicas":{}}')


def test_lost_watched_read_is_redone_on_reconnect(relayed):
    cluster, relay = relayed
    b = cluster.brokers[0]
    cluster.wait_controller_known()
    create_topic_znode(cluster.kz, "before-cut")
    harness.wait_until(lambda: "before-cut" in topic_names(b), 30, what="before-cut listed")

    relay.hold()
    create_topic_znode(cluster.kz, "during-cut")
    # The notification reaches the broker, whose re-listing of /brokers/topics is held.
    harness.wait_until(lambda: relay.held > 0, 10, interval=0.02,
                       what="the broker's re-listing to be held")
    time.sleep(0.3)
    relay.cut()
    # Same session: the broker reconnects (its registration survives, same owner).
    owner = cluster.kz.exists("/brokers/ids/61").ephemeralOwner
    create_topic_znode(cluster.kz, "after-cut")
    harness.wait_until(lambda: {"during-cut", "after-cut"} <= topic_names(b), 30,
                       interval=0.2, what="topics created around the cut to be listed")
    assert cluster.kz.exists("/brokers/ids/61").ephemeralOwner == owner  # never expired
    assert "re-reading the watched state" in b.log_text()
