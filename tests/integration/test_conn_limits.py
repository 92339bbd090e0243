"""max.connections, max.connections.per.ip and max.connections.per.ip.overrides, crossed from
several loopback source addresses (127.0.0.1, 127.0.0.2, 127.0.0.3 all reach a broker bound to
127.0.0.1 on Linux).

One broker: max.connections=20, max.connections.per.ip=8, overrides 127.0.0.2:12,127.0.0.4:0.
A connection over a limit is accepted by the kernel and then closed by the broker at once,
without a byte (Kafka does the same for the per-IP limit)."""

import socket
import time

import pytest

import harness
from conftest import start_cluster

MAX_CONN = 20
PER_IP = 8
OVERRIDE_IP, OVERRIDE_MAX = "127.0.0.2", 12
BANNED_IP = "127.0.0.4"


@pytest.fixture(scope="module")
def cluster(zk_server, tmp_path_factory):
    yield from start_cluster(
        tmp_path_factory.mktemp("connlimits"), zk=zk_server, ids=[1], chroot="/kb-connlimits",
        overrides=["max.connections=%d" % MAX_CONN, "max.connections.per.ip=%d" % PER_IP,
                   "max.connections.per.ip.overrides=%s:%d,%s:0" % (
                       OVERRIDE_IP, OVERRIDE_MAX, BANNED_IP)])


@pytest.fixture(scope="module")
def broker(cluster):
    return cluster.brokers[0]


def connect_from(broker, src):
    """A KConn whose source address is `src`."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(10)
    s.bind((src, 0))
    s.connect((harness.HOST, broker.port))
    c = harness.KConn.__new__(harness.KConn)
    c.sock, c._buf, c._corr = s, b"", 1000
    return c


def usable(c):
    """True if the broker answers Metadata on c, False if it closes c."""
    try:
        return len(c.metadata(1, timeout=10)["brokers"]) == 1
    except harness.ConnClosed:
        return False


def refused(c):
    closed, data, _ = c.wait_closed(3.0)
    return closed and data == b""


def wait_count_drops(broker, src, n_open):
    """Closed sockets are released by the broker asynchronously: retry until a new
    connection from src is accepted (bounded)."""
    def probe():
        c = connect_from(broker, src)
        if usable(c):
            return c
        c.close()
        return None
    return harness.wait_until(probe, 10, 0.2, "a free slot for %s" % src)


def test_per_ip_default_limit(broker):
    conns = [connect_from(broker, "127.0.0.1") for _ in range(PER_IP)]
    try:
        assert all(usable(c) for c in conns)
        extra = connect_from(broker, "127.0.0.1")
        assert refused(extra), "connection %d from 127.0.0.1 was kept" % (PER_IP + 1)
        extra.close()
        conns.pop().close()                       # one leaves: room for one more
        conns.append(wait_count_drops(broker, "127.0.0.1", PER_IP - 1))
        extra = connect_from(broker, "127.0.0.1")
        assert refused(extra)
        extra.close()
        other = connect_from(broker, "127.0.0.3")  # other addresses are not affected
        assert usable(other)
        other.close()
    finally:
        for c in conns:
            c.close()


def test_per_ip_override_and_zero(broker):
    conns = [connect_from(broker, OVERRIDE_IP) for _ in range(OVERRIDE_MAX)]
    try:
        assert all(usable(c) for c in conns), "override %d not honoured" % OVERRIDE_MAX
        extra = connect_from(broker, OVERRIDE_IP)
        assert refused(extra)
        extra.close()
        banned = connect_from(broker, BANNED_IP)
        assert refused(banned), "an address overridden to 0 got in"
        banned.close()
    finally:
        for c in conns:
            c.close()


def test_max_connections_over_all_addresses(broker):
    """8 from 127.0.0.1 + 12 from 127.0.0.2 = max.connections: 127.0.0.3, below its own
    per-IP limit, is refused by the broker-wide one; and admitted again once one closes."""
    time.sleep(1.0)   # earlier tests' sockets are gone
    conns = [connect_from(broker, "127.0.0.1") for _ in range(PER_IP)]
    conns += [connect_from(broker, OVERRIDE_IP) for _ in range(OVERRIDE_MAX)]
    try:
        assert all(usable(c) for c in conns)
        extra = connect_from(broker, "127.0.0.3")
        assert refused(extra), "connection %d was kept (max.connections=%d)" % (
            MAX_CONN + 1, MAX_CONN)
        extra.close()
        conns.pop(0).close()
        conns.append(wait_count_drops(broker, "127.0.0.3", MAX_CONN - 1))
    finally:
        for c in conns:
            c.close()
    assert "max.connections.per.ip (8) reached for 127.0.0.1" in broker.log_text()
    assert "max.connections (20) reached" in broker.log_text()
