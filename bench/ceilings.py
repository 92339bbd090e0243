"""Physical ceilings measured in the same run as the brokers (bench/run_bench.py):
loopback TCP throughput, sequential write with fdatasync at the end, and fdatasync latency.
librdkafka's mock cluster ceiling is measured by run_bench.py with kbench --mock."""
import os
import socket
import threading
import time


def loopback_tcp(seconds=3.0, chunk=1 << 20):
    """A one-way socket pump over 127.0.0.1: bytes/s a receiver drains with recv_into."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    got = [0]

    def sink():
        c, _ = srv.accept()
        buf = bytearray(chunk)
        while True:
            n = c.recv_into(buf)
            if not n:
                break
            got[0] += n
        c.close()

    t = threading.Thread(target=sink)
    t.start()
    s = socket.create_connection(srv.getsockname())
    data = b"x" * chunk
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        s.sendall(data)
    s.close()
    t.join()
    el = time.monotonic() - t0
    srv.close()
    return {"MB_per_s": got[0] / el / 1e6, "bytes": got[0], "seconds": el}


def sequential_write(directory, total=1 << 30, block=1 << 20):
    """Writes `total` bytes in `block`-sized writes to a new file, then fdatasync: MB/s
    including the sync (what a broker flushing a segment could reach)."""
    path = os.path.join(directory, "ceiling-seqwrite")
    buf = os.urandom(block)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    t0 = time.monotonic()
    left = total
    while left > 0:
        left -= os.write(fd, buf)
    t1 = time.monotonic()
    os.fdatasync(fd)
    t2 = time.monotonic()
    os.close(fd)
    os.unlink(path)
    return {"MB_per_s": total / (t2 - t0) / 1e6, "MB_per_s_before_sync": total / (t1 - t0) / 1e6,
            "bytes": total, "seconds": t2 - t0}


def fdatasync_latency(directory, seconds=3.0, block=4096):
    """Appends `block` bytes and fdatasyncs, repeatedly: latency percentiles in ms."""
    path = os.path.join(directory, "ceiling-fdatasync")
    buf = os.urandom(block)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    lat = []
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds and len(lat) < 100000:
        os.write(fd, buf)
        a = time.monotonic()
        os.fdatasync(fd)
        lat.append((time.monotonic() - a) * 1e3)
    os.close(fd)
    os.unlink(path)
    lat.sort()

    def q(p):
        return lat[min(len(lat) - 1, int(p * len(lat)))]
    return {"count": len(lat), "p50_ms": q(0.5), "p99_ms": q(0.99), "p999_ms": q(0.999),
            "max_ms": lat[-1], "per_s": len(lat) / (time.monotonic() - t0)}
