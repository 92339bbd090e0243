"""Physical ceilings measured in the same run as the brokers (bench/run_bench.py):
loopback TCP throughput, the CPU cost of writing into the page cache, sequential write with
fdatasync at the end, and fdatasync latency. librdkafka's mock cluster ceilings (throughput,
and the client's own publish latency at the S5 rates) are measured by run_bench.py with
kbench --mock."""
import os
import resource
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


def _cpu_s():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _write_pass(path, total, block, buf):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    c0, t0 = _cpu_s(), time.monotonic()
    left = total
    while left > 0:
        left -= os.write(fd, buf)
    c1, t1 = _cpu_s(), time.monotonic()
    os.close(fd)
    os.unlink(path)
    return {"cpu_s_per_gib": (c1 - c0) / (total / (1 << 30)), "MB_per_s": total / (t1 - t0) / 1e6}


REPORTING = "/sys/module/page_reporting/parameters/"


def page_cache_write(directory, total=1 << 30, block=1 << 20):
    """What a broker pays to append into the page cache, as CPU seconds per GiB: two passes
    of `total` bytes (1 MiB writes, no sync, file removed after each), the second reusing
    the pages the first freed. See page_cache_probe for why one figure is not enough here."""
    path = os.path.join(directory, "ceiling-pagecache")
    buf = os.urandom(block)
    first = _write_pass(path, total, block, buf)
    repeat = _write_pass(path, total, block, buf)
    return {"first": first, "repeat": repeat, "bytes": total,
            "free_page_reporting_order": free_page_reporting()}


def page_cache_probe(directory, total=1 << 30, block=1 << 20):
    """The same write as page_cache_write, once, right before a measured broker run, in the
    memory state that run is about to get. This VM gives freed memory back to its host
    (virtio-balloon free page reporting, a few hundred MB/s), and memory given back is
    faulted in from the host on first touch, which the guest counts as CPU time of the copy
    into the page cache: the same write costs 0.2 s/GiB or 4 s/GiB depending on what the
    runs before freed, and when. Returns the figures and the file, which the caller removes
    after the run (removing it before would hand the run the pages the probe just warmed)."""
    path = os.path.join(directory, "probe-pagecache")
    buf = os.urandom(block)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    c0, t0 = _cpu_s(), time.monotonic()
    left = total
    while left > 0:
        left -= os.write(fd, buf)
    c1, t1 = _cpu_s(), time.monotonic()
    os.close(fd)
    return {"cpu_s_per_gib": (c1 - c0) / (total / (1 << 30)),
            "MB_per_s": total / (t1 - t0) / 1e6}, path


def free_page_reporting():
    """The kernel's free page reporting order (None when the kernel has none): when set,
    freed blocks of 2^order pages go back to the hypervisor."""
    try:
        with open(REPORTING + "page_reporting_order") as fh:
            return int(fh.read().strip())
    except (OSError, ValueError):
        return None


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
