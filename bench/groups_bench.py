#!/usr/bin/python3
"""make bench-groups — consumer-group figures of kbroker (issue 10), plain build (bin/).

    /usr/bin/python3 bench/groups_bench.py [--bin-dir bin] [--out bench/results/DATE]
        [--only replay,heartbeats,commits,failover] [--runs 2] [--duration 30] [--perf]

1. replay      1 broker; 1,000 OffsetCommit v7 x 1,000 partitions (simple commits) = 1,000,000
               offset records in one __consumer_offsets partition; SIGTERM + start; the
               broker's "loaded: R records replayed in T ms" line, and the time until
               OffsetFetch answers without COORDINATOR_LOAD_IN_PROGRESS (target <= 1 s).
2. heartbeats  1 broker; 1,000 groups x 3 members (JoinGroup v5, SyncGroup v3), Heartbeat v3
               every 3 s per member pipelined over 30 connections; broker CPU (% of one core)
               and RSS before and during --duration s (targets < 2 %, < 50 MiB of RSS delta);
               the control: 10 s of ApiVersions v0 at the same rate before the groups exist.
3. commits     3 brokers (RF3 __consumer_offsets); 100 clients, each its own group on its own
               connection to its coordinator, one OffsetCommit v7 every 100 ms: commits/s and
               latency (p50/p99/max), errors.
4. failover    same 3-broker cluster, zookeeper.session.timeout.ms 6000; a 6-partition RF3
               topic (min.insync.replicas 2), a producer at ~200 msg/s, 3 confluent-kafka
               consumers in one group (bench/groups_consumer.py); kill -9 of the group's
               coordinator; time until the group consumes again.

Results: DIR/groups.json and DIR/groups.md (DIR = --out). Every process is started through
tests/integration/harness.py and stopped by PID.
"""
import argparse
import asyncio
import collections
import datetime
import json
import os
import re
import signal
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "bench"))

import harness  # noqa: E402
import gproto as gp  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
ZK_SESSION_MS = 6000
LOADED_RE = re.compile(r"__consumer_offsets-(\d+) loaded: (\d+) records replayed in (\d+) ms")


def log(msg):
    print(msg, flush=True)


# ---- Process observation ----------------------------------------------------------------

def cpu_seconds(pid):
    """utime + stime of a process, in seconds (/proc/PID/stat fields 14 and 15)."""
    with open("/proc/%d/stat" % pid) as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) / CLK_TCK


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmRSS for pid %d" % pid)


def cpu_percent(pid, seconds):
    c0, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return 100.0 * (cpu_seconds(pid) - c0) / (time.monotonic() - t0)


def pct(sorted_vals, q):
    if not sorted_vals:
        return None
    return sorted_vals[min(len(sorted_vals) - 1, int(q * len(sorted_vals)))]


def latency_summary(lat_s):
    v = sorted(lat_s)
    ms = lambda x: None if x is None else round(x * 1000.0, 3)  # noqa: E731
    return {"n": len(v), "p50_ms": ms(pct(v, 0.50)), "p99_ms": ms(pct(v, 0.99)),
            "p999_ms": ms(pct(v, 0.999)), "max_ms": ms(v[-1] if v else None),
            "over_50ms": sum(1 for x in v if x > 0.05)}


def offsets_partition(group, n=50):
    """Kafka's abs(String.hashCode()) % n (ASCII group ids)."""
    h = 0
    for ch in group:
        h = (31 * h + ord(ch)) & 0xFFFFFFFF
    if h >= 1 << 31:
        h -= 1 << 32
    return (0 if h == -(1 << 31) else abs(h)) % n


# ---- Cluster helpers ----------------------------------------------------------------------

def create_topic(bootstrap, name, partitions, rf, config=None, timeout=120):
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": bootstrap})
    fut = admin.create_topics([NewTopic(name, partitions, rf, config=config or {})],
                              operation_timeout=timeout)
    fut[name].result(timeout=timeout)

    def led():
        md = admin.list_topics(name, timeout=10).topics[name]
        return md.error is None and len(md.partitions) == partitions and all(
            p.leader >= 0 for p in md.partitions.values())
    harness.wait_until(led, timeout, 0.2, "leaders for every partition of %s" % name)
    return {p.id: p.leader for p in admin.list_topics(name, timeout=10)
            .topics[name].partitions.values()}


def find_coordinator(brokers, group, timeout=60.0):
    """(node id, port) of group's coordinator, asked of the first broker that answers;
    retries COORDINATOR_NOT_AVAILABLE (topic being created) and connection errors."""
    seen = collections.Counter()

    def ask():
        for b in brokers:
            if not b.alive():
                continue
            try:
                with b.conn(5.0) as c:
                    r = gp.call(c, gp.API_FIND_COORDINATOR, 2, gp.find_coordinator_v2(group))
            except (OSError, harness.ConnClosed, harness.ConnTimeout) as e:
                seen[type(e).__name__] += 1
                continue
            seen[gp.err_name(r["error_code"])] += 1
            if r["error_code"] == gp.NONE:
                return (r["node_id"], r["port"])
        return None
    return harness.wait_until(ask, timeout, 0.1, "a coordinator for %s (%s)" % (group, seen))


def new_cluster(ctx, name, n, config):
    c = harness.Cluster(os.path.join(ctx.work, name), zk=ctx.zk, chroot="/" + name,
                        ids=list(range(1, n + 1)), session_timeout_ms=ZK_SESSION_MS,
                        config=config)
    ctx.clusters.append(c)
    c.start()
    return c


def stop_cluster(ctx, c):
    problems = c.stop()
    ctx.clusters.remove(c)
    for p in problems:
        log("  PROBLEM: %s" % p)
    return problems


# ---- 1. Replay ----------------------------------------------------------------------------

REPLAY_PARTITIONS = 1000
REPLAY_COMMITS = 1000


async def commit_many(port, group, topic, nparts, ncommits, window=8):
    conn = await gp.AConn.open(harness.HOST, port, "replay")
    errors = collections.Counter()
    inflight = collections.deque()
    t0 = time.monotonic()
    for k in range(ncommits):
        parts = gp.commit_partitions_v7([(p, k) for p in range(nparts)])
        inflight.append(conn.send(gp.API_OFFSET_COMMIT, 7,
                                  gp.offset_commit_v7(group, [(topic, parts)])))
        if len(inflight) >= window:
            resp, _ = await inflight.popleft()
            errors.update(resp["errors"])
        await conn.drain()
    while inflight:
        resp, _ = await inflight.popleft()
        errors.update(resp["errors"])
    secs = time.monotonic() - t0
    await conn.close()
    return secs, errors


def poll_offset_fetch(b, group, topic, nparts, expect, t0, timeout=60.0):
    """Polls OffsetFetch on a (re)starting broker every 10 ms from monotonic time t0 (just
    before the spawn). Returns a dict: seconds until the port accepted and until a complete,
    correct answer; for each answer seen before, when it was first and last seen; the slowest
    single OffsetFetch (a long one means the event loop was busy)."""
    seen, out = {}, {"port_accepts_s": None, "slowest_call_ms": 0.0}
    body = gp.offset_fetch_v5(group, [(topic, list(range(nparts)))])

    def note(what):
        t = round(time.monotonic() - t0, 3)
        first_last = seen.setdefault(what, [t, t, 0])
        first_last[1] = t
        first_last[2] += 1
    while time.monotonic() - t0 < timeout:
        try:
            with b.conn(5.0) as c:
                if out["port_accepts_s"] is None:
                    out["port_accepts_s"] = round(time.monotonic() - t0, 3)
                while time.monotonic() - t0 < timeout:
                    t_call = time.monotonic()
                    r = gp.call(c, gp.API_OFFSET_FETCH, 5, body)
                    ms = 1000.0 * (time.monotonic() - t_call)
                    out["slowest_call_ms"] = round(max(out["slowest_call_ms"], ms), 1)
                    if ms > 50:
                        out.setdefault("slow_calls", []).append(
                            [round(t_call - t0, 3), round(ms, 1), gp.err_name(r["error_code"])])
                    if r["error_code"] != gp.NONE:
                        note(gp.err_name(r["error_code"]))
                        time.sleep(0.01)
                        continue
                    vals = set(r["offsets"].values())
                    ok = (len(r["offsets"]) == nparts and vals == {expect} and
                          set(r["partition_errors"]) == {0})
                    if not ok:
                        raise AssertionError("OffsetFetch after the load: %d partitions, "
                                             "offsets %s, errors %s" % (
                                                 len(r["offsets"]), sorted(vals)[:5],
                                                 dict(r["partition_errors"])))
                    out["offset_fetch_ok_s"] = round(time.monotonic() - t0, 3)
                    out["seen_before_ok"] = seen
                    return out
        except (OSError, harness.ConnClosed, harness.ConnTimeout) as e:
            note(type(e).__name__)
            time.sleep(0.01)
    raise TimeoutError("no OffsetFetch answer within %.0f s (%s)" % (timeout, seen))


def du_bytes(path):
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(dirpath, f))
            except OSError:
                pass
    return total


def bench_replay(ctx, run):
    log("[replay r%d] 1 broker, %d commits x %d partitions" % (run, REPLAY_COMMITS,
                                                             REPLAY_PARTITIONS))
    # One 1 GiB segment: the active segment is never compacted, so all 1,000,000 records stay.
    conf = {"offsets.topic.replication.factor": "1", "offsets.topic.segment.bytes":
            str(1 << 30), "group.initial.rebalance.delay.ms": "0"}
    c = new_cluster(ctx, "gb-replay-r%d" % run, 1, conf)
    b = c.brokers[0]
    topic, group = "gbench-replay", "gbench-replay-group"
    create_topic(b.bootstrap, topic, REPLAY_PARTITIONS, 1)
    find_coordinator([b], group)
    secs, errors = asyncio.run(commit_many(b.port, group, topic, REPLAY_PARTITIONS,
                                           REPLAY_COMMITS))
    records = REPLAY_COMMITS * REPLAY_PARTITIONS
    idx = offsets_partition(group)
    pdir = os.path.join(b.workdir, "data", "__consumer_offsets-%d" % idx)
    res = {"commits_s": round(secs, 3), "records_per_s": round(records / secs),
           "commit_errors": {gp.err_name(k): v for k, v in errors.items() if k},
           "offsets_partition": idx, "partition_bytes": du_bytes(pdir),
           "rss_mib_before_restart": round(rss_mib(b.pid), 1)}
    log("  commits: %d records in %.2f s (%.0f records/s), errors %s, partition %d = %.1f MB"
        % (records, secs, records / secs, res["commit_errors"] or "none", idx,
           res["partition_bytes"] / 1e6))
    b.stop()
    log_len = len(b.log_text())
    t0 = time.monotonic()
    res["spawn_wall"] = datetime.datetime.utcnow().isoformat(timespec="milliseconds") + "Z"
    b.spawn()
    res.update(poll_offset_fetch(b, group, topic, REPLAY_PARTITIONS, REPLAY_COMMITS - 1, t0))
    b.wait_ready(c.kz)
    res["rss_mib_after_load"] = round(rss_mib(b.pid), 1)
    lines = [m.groups() for m in LOADED_RE.finditer(b.log_text()[log_len:])]
    mine = [x for x in lines if int(x[0]) == idx]
    if mine:
        res["replayed_records"], res["replay_ms"] = int(mine[-1][1]), int(mine[-1][2])
    res["loaded_lines"] = ["__consumer_offsets-%s: %s records in %s ms" % x for x in lines]
    res["compaction_ran"] = res.get("replayed_records", 0) < records
    log("  restart: port accepts after %.3f s; OffsetFetch correct after %.3f s (before: %s "
        "[first s, last s, count]); slowest OffsetFetch %.1f ms %s" % (
            res["port_accepts_s"], res["offset_fetch_ok_s"], res["seen_before_ok"] or "nothing",
            res["slowest_call_ms"], res.get("slow_calls", "")))
    log("  log: %s%s" % ("; ".join(res["loaded_lines"]) or "NO 'loaded' LINE",
                         "  (R < %d: COMPACTED?)" % records if res["compaction_ran"] else ""))
    res["problems"] = stop_cluster(ctx, c)
    return res


# ---- 2. Heartbeats ------------------------------------------------------------------------

HB_GROUPS, HB_MEMBERS, HB_CONNS, HB_PERIOD = 1000, 3, 30, 3.0


async def gather_checked(futs, what, want=(gp.NONE,), timeout=120.0):
    done = await asyncio.wait_for(asyncio.gather(*futs), timeout)
    resps = [r for r, _ in done]
    bad = collections.Counter(gp.err_name(r["error_code"]) for r in resps
                              if r["error_code"] not in want)
    if bad:
        raise AssertionError("%s: unexpected errors %s" % (what, dict(bad)))
    return resps


async def control_run(b, conns, seconds):
    """The control: the request pipeline alone at the heartbeats' rate and spread (ApiVersions
    v0, which touches no group state). Returns the broker's CPU % of one core."""
    n = HB_GROUPS * HB_MEMBERS
    futs, sent, start, c0 = [], 0, time.monotonic(), cpu_seconds(b.pid)
    while time.monotonic() < start + seconds:
        while start + sent * (HB_PERIOD / n) <= time.monotonic():
            futs.append(conns[sent % HB_CONNS].send(gp.kproto.API_API_VERSIONS, 0, b""))
            sent += 1
        await asyncio.sleep(0.005)
    cpu, wall = cpu_seconds(b.pid) - c0, time.monotonic() - start
    bad = [r for r, _ in await asyncio.gather(*futs) if r["error_code"] != gp.NONE]
    if bad:
        raise AssertionError("ApiVersions errors: %d" % len(bad))
    return round(100.0 * cpu / wall, 2)


async def heartbeat_run(b, duration, stats):
    conns = [await gp.AConn.open(harness.HOST, b.port, "hb%d" % i) for i in range(HB_CONNS)]
    stats["cpu_pct_control"] = await control_run(b, conns, 10.0)
    log("  control: ApiVersions v0 at %d/s over the same connections: broker CPU %.2f %% of a "
        "core" % (HB_GROUPS * HB_MEMBERS / HB_PERIOD, stats["cpu_pct_control"]))
    proto = [("range", gp.subscription(["gbench-hb"]))]
    members = [{"group": "gbench-hb-%d" % g, "m": m, "conn": conns[(3 * g + m) % HB_CONNS]}
               for g in range(HB_GROUPS) for m in range(HB_MEMBERS)]

    def join(x):
        return x["conn"].send(gp.API_JOIN_GROUP, 5, gp.join_group_v5(
            x["group"], x.get("id", ""), 10000, 30000, "consumer", proto))
    t0 = time.monotonic()
    resps = await gather_checked([join(x) for x in members], "JoinGroup (no member id)",
                                 want=(gp.MEMBER_ID_REQUIRED, gp.NONE))
    for x, r in zip(members, resps):
        x["id"] = r["member_id"]
    resps = await gather_checked([join(x) for x in members], "JoinGroup")
    stats["join_s"] = round(time.monotonic() - t0, 3)
    syncs = []
    for x, r in zip(members, resps):
        x["gen"] = r["generation_id"]
        assign = []
        if r["leader"] == x["id"]:
            assign = [(mid, gp.assignment({"gbench-hb": [k]}))
                      for k, (mid, _, _) in enumerate(r["members"])]
            if len(assign) != HB_MEMBERS:
                raise AssertionError("%s: leader sees %d members" % (x["group"], len(assign)))
        syncs.append(x["conn"].send(gp.API_SYNC_GROUP, 3, gp.sync_group_v3(
            x["group"], x["gen"], x["id"], assign)))
    await gather_checked(syncs, "SyncGroup")
    stats["join_sync_s"] = round(time.monotonic() - t0, 3)
    log("  %d members joined in %.2f s, synced after %.2f s" % (
        len(members), stats["join_s"], stats["join_sync_s"]))

    errors, lat, window = collections.Counter(), [], {"on": False}
    bodies = [gp.heartbeat_v3(x["group"], x["gen"], x["id"]) for x in members]

    def done(fut, sent):
        if fut.exception() is not None:
            errors["connection: %r" % fut.exception()] += 1
            return
        r, t = fut.result()
        errors[gp.err_name(r["error_code"])] += 1
        if window["on"]:
            lat.append(t - sent)

    n, gap = len(members), HB_PERIOD / len(members)
    start, sent = time.monotonic(), 0
    warm_end, end = start + HB_PERIOD, start + HB_PERIOD + duration
    rss, cpu0 = [], None
    while True:
        now = time.monotonic()
        if cpu0 is None and now >= warm_end:
            errors.clear()
            cpu0, tc0, window["on"] = cpu_seconds(b.pid), now, True
            next_rss = now
            prof = start_perf(b.pid, stats.get("perf_data"), duration)
        if cpu0 is not None and now >= next_rss:
            rss.append(rss_mib(b.pid))
            next_rss += 1.0
        if now >= end:
            break
        while start + sent * gap <= now:
            x = members[sent % n]
            f = x["conn"].send(gp.API_HEARTBEAT, 3, bodies[sent % n])
            f.add_done_callback(lambda fut, s=time.monotonic(): done(fut, s))
            sent += 1
        await asyncio.sleep(0.005)
    cpu = cpu_seconds(b.pid) - cpu0
    wall = time.monotonic() - tc0
    stop_perf(prof)
    window["on"] = False
    await asyncio.sleep(1.0)           # the last heartbeats' answers
    for cn in conns:
        await cn.close()
    stats.update({"cpu_pct": round(100.0 * cpu / wall, 2), "window_s": round(wall, 1),
                  "rss_mib_max": round(max(rss), 1), "rss_mib_end": round(rss[-1], 1),
                  "heartbeats": sum(errors.values()), "hb_per_s": round(len(lat) / wall, 1),
                  "errors": {k: v for k, v in errors.items() if k != "NONE"},
                  "latency": latency_summary(lat)})


def start_perf(pid, data, seconds):
    """perf record of pid for `seconds` (user and kernel stacks of our own process; needs
    perf_event_paranoid <= 2), or None without --perf."""
    if not data:
        return None
    p = harness.ManagedProcess("perf", ["perf", "record", "-F", "999", "-g", "-p", str(pid),
                                        "-o", data, "--", "sleep", str(seconds)], data + ".log")
    p.start()
    return p


def stop_perf(p):
    if p is not None and p.wait(10) is None:
        p.terminate(10, sig=signal.SIGINT)


def perf_summary(data, lines=40):
    """The top of `perf report` (self time by symbol) as text."""
    import subprocess
    r = subprocess.run(["perf", "report", "-i", data, "--no-children", "--stdio",
                        "--sort", "symbol", "-g", "none", "--percent-limit", "0.7"],
                       capture_output=True, text=True, timeout=120)
    keep = [x for x in r.stdout.splitlines() if x.strip() and not x.startswith("#")]
    return keep[:lines]


def bench_heartbeats(ctx, run):
    log("[heartbeats r%d] 1 broker, %d groups x %d members, heartbeat every %.0f s, %d conns"
        % (run, HB_GROUPS, HB_MEMBERS, HB_PERIOD, HB_CONNS))
    conf = {"offsets.topic.replication.factor": "1", "group.initial.rebalance.delay.ms": "300"}
    c = new_cluster(ctx, "gb-hb-r%d" % run, 1, conf)
    b = c.brokers[0]
    find_coordinator([b], "gbench-hb-0")     # creates __consumer_offsets
    time.sleep(2.0)
    stats = {"rss_mib_before": round(rss_mib(b.pid), 1), "cpu_pct_idle": round(
        cpu_percent(b.pid, 5.0), 2)}
    if ctx.args.perf:
        stats["perf_data"] = os.path.join(ctx.work, "heartbeats-r%d.perf.data" % run)
    asyncio.run(heartbeat_run(b, ctx.args.duration, stats))
    if ctx.args.perf:
        stats["perf_top"] = perf_summary(stats["perf_data"])
        log("  perf (self time by symbol):\n    " + "\n    ".join(stats["perf_top"]))
    stats["rss_mib_delta"] = round(stats["rss_mib_max"] - stats["rss_mib_before"], 1)
    log("  broker CPU %.2f %% of a core (idle before: %.2f %%), RSS %.1f -> %.1f MiB "
        "(delta %.1f MiB); %d heartbeats (%.0f/s), errors %s, latency %s" % (
            stats["cpu_pct"], stats["cpu_pct_idle"], stats["rss_mib_before"],
            stats["rss_mib_max"], stats["rss_mib_delta"], stats["heartbeats"],
            stats["hb_per_s"], stats["errors"] or "none", stats["latency"]))
    stats["problems"] = stop_cluster(ctx, c)
    return stats


# ---- 3. Commit throughput -----------------------------------------------------------------

COMMIT_CLIENTS, COMMIT_INTERVAL = 100, 0.1


async def commit_one(conn, group, topic, partition, offset):
    body = gp.offset_commit_v7(group, [(topic, gp.commit_partitions_v7([(partition, offset)]))])
    sent = time.monotonic()
    resp, t = await asyncio.wait_for(conn.send(gp.API_OFFSET_COMMIT, 7, body), 30)
    return resp, t - sent, sent


async def commit_client(i, conn, topic, nparts, t0, duration, out):
    group = "gbench-commit-%d" % i
    for k in range(int(duration / COMMIT_INTERVAL)):
        wait = t0 + i * (COMMIT_INTERVAL / COMMIT_CLIENTS) + k * COMMIT_INTERVAL - \
            time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        try:
            resp, lat, sent = await commit_one(conn, group, topic, i % nparts, k)
        except (ConnectionError, asyncio.TimeoutError) as e:
            out["errors"]["connection: %s" % type(e).__name__] += 1
            return
        out["lat"].append(lat)
        if lat > 0.05:
            out["slow"].append((round(sent - t0, 2), round(1000 * lat), i))
        out["errors"].update(resp["errors"])


async def commit_run(coords, topic, nparts, duration):
    """coords[i] = (coordinator id, port) of client i's group. First one unmeasured commit
    per client (the first appends after the topic's creation; their latencies are kept
    apart), then the measured schedule."""
    conns = [await gp.AConn.open(harness.HOST, port, "commit%d" % i)
             for i, (_, port) in enumerate(coords)]
    first = await asyncio.gather(*[commit_one(cn, "gbench-commit-%d" % i, topic, i % nparts, 0)
                                   for i, cn in enumerate(conns)])
    out = {"lat": [], "errors": collections.Counter(), "slow": [],
           "first_ms": {}}
    for (node, _), (resp, lat, _) in zip(coords, first):
        out["first_ms"][node] = max(out["first_ms"].get(node, 0), round(1000 * lat))
    t0 = time.monotonic() + 0.2
    await asyncio.gather(*[commit_client(i, cn, topic, nparts, t0, duration, out)
                           for i, cn in enumerate(conns)])
    for cn in conns:
        await cn.close()
    return out


def bench_commits(ctx, c, run):
    log("[commits r%d] 3 brokers, %d clients x 1 commit / %.0f ms, %.0f s" % (
        run, COMMIT_CLIENTS, COMMIT_INTERVAL * 1000, ctx.args.duration))
    topic, nparts = "gbench-commits-r%d" % run, 10
    create_topic(c.bootstrap(), topic, nparts, 3)
    coords = [find_coordinator(c.brokers, "gbench-commit-%d" % i) for i in
              range(COMMIT_CLIENTS)]
    per_broker = collections.Counter(n for n, _ in coords)
    cpu0 = {b.broker_id: cpu_seconds(b.pid) for b in c.brokers}
    t0 = time.monotonic()
    data = os.path.join(ctx.work, "commits-r%d.perf.data" % run) if ctx.args.perf else None
    prof = start_perf(c.brokers[0].pid, data, ctx.args.duration)
    out = asyncio.run(commit_run(coords, topic, nparts, ctx.args.duration))
    wall = time.monotonic() - t0
    stop_perf(prof)
    ok = out["errors"].get(0, 0)
    res = {"commits_ok": ok, "commits_per_s": round(ok / ctx.args.duration, 1),
           "target_per_s": COMMIT_CLIENTS / COMMIT_INTERVAL,
           "errors": {gp.err_name(k) if isinstance(k, int) else k: v
                      for k, v in out["errors"].items() if k != 0},
           "latency": latency_summary(out["lat"]),
           "slow_commits": sorted(out["slow"])[:200],
           "first_commit_max_ms_by_coordinator": out["first_ms"],
           "coordinators_per_broker": dict(sorted(per_broker.items())),
           "broker_cpu_pct": {bid: round(100.0 * (cpu_seconds(b.pid) - cpu0[bid]) / wall, 1)
                              for b in c.brokers for bid in [b.broker_id]}}
    log("  %d commits ok = %.0f/s (target %.0f/s), errors %s, latency %s, coordinators %s, "
        "broker CPU %% %s; the unmeasured first commit of each client, slowest per "
        "coordinator: %s ms" % (ok, res["commits_per_s"], res["target_per_s"],
                                res["errors"] or "none", res["latency"],
                                res["coordinators_per_broker"], res["broker_cpu_pct"],
                                out["first_ms"]))
    if data:
        res["perf_top_broker1"] = perf_summary(data)
        log("  perf of broker 1 (self time by symbol):\n    " + "\n    ".join(
            res["perf_top_broker1"]))
    return res


# ---- 4. Coordinator failover --------------------------------------------------------------

FO_PARTITIONS, FO_RATE, FO_MEMBERS = 6, 200, 3


class Producer(threading.Thread):
    """~FO_RATE msg/s, round robin over the partitions, acks=all."""

    def __init__(self, bootstrap, topic, debug_log=None):
        super().__init__(daemon=True)
        from confluent_kafka import Producer as P
        conf = {"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5,
                "message.timeout.ms": 60000}
        if debug_log:               # librdkafka's debug log, for a stall that needs one
            import logging
            lg = logging.getLogger("gbench-producer-%s" % topic)
            lg.setLevel(logging.DEBUG)
            lg.addHandler(logging.FileHandler(debug_log))
            conf.update({"debug": "broker,topic,msg,metadata,protocol", "logger": lg})
        self.p = P(conf)
        self.topic, self.stop_ev = topic, threading.Event()
        self.sent, self.failed, self.delivered = 0, 0, 0
        self.unflushed = self.flush_s = None
        self.acked_at = []            # time.time() of every acknowledgement

    def _cb(self, err, msg):
        if err is None:
            self.delivered += 1
            self.acked_at.append(time.time())
        else:
            self.failed += 1

    def run(self):
        t0, gap = time.monotonic(), 1.0 / FO_RATE
        while not self.stop_ev.is_set():
            due = t0 + self.sent * gap
            wait = due - time.monotonic()
            if wait > 0:
                self.p.poll(min(wait, 0.05))
                continue
            self.p.produce(self.topic, b"%.6f" % time.time(),
                           partition=self.sent % FO_PARTITIONS, on_delivery=self._cb)
            self.sent += 1
            self.p.poll(0)
        t = time.monotonic()
        self.unflushed = self.p.flush(30)
        self.flush_s = round(time.monotonic() - t, 2)


def read_events(paths):
    """[(kind, ts, member, data)] from the consumers' output files, sorted by time."""
    ev = []
    for i, path in enumerate(paths):
        try:
            with open(path) as f:
                lines = f.read().splitlines()
        except OSError:
            continue
        for line in lines:
            parts = line.split(" ", 2)
            if len(parts) < 3 or parts[0] not in "MARE" or len(parts[0]) != 1:
                continue
            try:
                ts = float(parts[1])
            except ValueError:
                continue
            ev.append((parts[0], ts, i, parts[2]))
    ev.sort(key=lambda e: e[1])
    return ev


def first_after(events, t):
    """{partition: first message time > t}."""
    out = {}
    for kind, ts, _, data in events:
        if kind == "M" and ts > t:
            p = int(data.split()[0])
            out.setdefault(p, ts)
    return out


def stalls(events, t_kill):
    """Per partition, the longest pause between two consecutive messages received from half a
    second before the kill on: {partition: (pause s, seconds from the kill to the message that
    ended it)}. A message already in flight at the kill can arrive just after it; the pause
    that follows is the failover."""
    last, out = {}, {}
    for kind, ts, _, data in events:
        if kind != "M":
            continue
        p = int(data.split()[0])
        if p in last and ts > t_kill - 0.5:
            gap = ts - last[p]
            if gap > out.get(p, (0, 0))[0]:
                out[p] = (round(gap, 3), round(ts - t_kill, 3))
        last[p] = ts
    return out


def bench_failover(ctx, c, run):
    log("[failover r%d] 3 brokers, zookeeper.session.timeout.ms %d, %d-partition RF3 topic "
        "(min.insync.replicas 2), %d msg/s, %d confluent-kafka consumers; kill -9 coordinator"
        % (run, ZK_SESSION_MS, FO_PARTITIONS, FO_RATE, FO_MEMBERS))
    topic, group = "gbench-fo-r%d" % run, "gbench-fo-group-r%d" % run
    leaders = create_topic(c.bootstrap(), topic, FO_PARTITIONS, 3, {"min.insync.replicas": "2"})
    prod = Producer(c.bootstrap(), topic, os.path.join(ctx.work, "fo-r%d-producer.log" % run)
                    if ctx.args.producer_debug else None)
    prod.start()
    paths, procs = [], []
    for i in range(FO_MEMBERS):
        path = os.path.join(ctx.work, "fo-r%d-consumer-%d.log" % (run, i))
        argv = [sys.executable, os.path.join(ROOT, "bench", "groups_consumer.py"),
                c.bootstrap(), topic, group, "180"]
        p = harness.ManagedProcess("consumer-%d" % i, argv, path)
        p.start()
        paths.append(path)
        procs.append(p)
    res = {"partition_leaders_before": leaders}
    t_kill = time.time() + 3600
    try:
        def steady():
            ev = read_events(paths)
            now = time.time()
            assigned = [e for e in ev if e[0] == "A"]
            recent = first_after(ev, now - 1.0)
            return (len(recent) == FO_PARTITIONS and assigned and
                    now - assigned[-1][1] > 3.0 and len({e[2] for e in assigned}) ==
                    FO_MEMBERS)
        t_setup = time.monotonic()
        harness.wait_until(steady, 60, 0.2, "3 members consuming all %d partitions"
                           % FO_PARTITIONS)
        res["group_steady_after_s"] = round(time.monotonic() - t_setup, 1)
        coord_id, _ = find_coordinator(c.brokers, group)
        victim = c.broker(coord_id)
        res["coordinator"] = coord_id
        res["victim_led_partitions"] = sorted(p for p, l in leaders.items() if l == coord_id)
        time.sleep(2.0)
        t_kill = time.time()
        victim.kill9()
        m_kill = time.monotonic()
        log("  killed broker %d (coordinator of %s; leader of partitions %s)" % (
            coord_id, group, res["victim_led_partitions"]))
        zk_gone = coord_back = None
        others = [b for b in c.brokers if b is not victim]
        probe = gp.offset_fetch_v5(group, None)
        while time.monotonic() - m_kill < 45:
            if zk_gone is None and c.kz.exists("/brokers/ids/%d" % coord_id) is None:
                zk_gone = time.monotonic() - m_kill
            if coord_back is None:
                coord_back = probe_coordinator(others, group, probe, m_kill)
            after = first_after(read_events(paths), t_kill)
            if len(after) == FO_PARTITIONS and coord_back is not None and zk_gone is not None:
                break
            time.sleep(0.05)
        time.sleep(3.0)          # let rebalances (if any) show in the members' output
        ev = read_events(paths)
        t_end, last_msg = time.time(), {}
        for kind, ts, _, data in ev:
            if kind == "M":
                last_msg[int(data.split()[0])] = ts
        # At ~33 msg/s per partition, a partition silent for a second at the end stalled.
        res["stalled_at_end"] = {p: round(t_end - last_msg.get(p, t_kill), 2)
                                 for p in range(FO_PARTITIONS)
                                 if t_end - last_msg.get(p, t_kill) > 1.0}
        if res["stalled_at_end"]:
            from confluent_kafka.admin import AdminClient
            md = AdminClient({"bootstrap.servers": c.bootstrap(others)}).list_topics(
                topic, timeout=10).topics[topic].partitions
            res["metadata_at_end"] = {p: {"leader": m.leader, "isr": list(m.isrs)}
                                      for p, m in sorted(md.items())}
            log("  STALLED partitions at the end {partition: seconds without a message}: %s; "
                "metadata %s" % (res["stalled_at_end"], res["metadata_at_end"]))
        after = first_after(ev, t_kill)
        last_before = {}
        for kind, ts, _, data in ev:
            if kind == "M" and ts <= t_kill:
                last_before[int(data.split()[0])] = ts
        res.update({
            "zk_registration_gone_s": None if zk_gone is None else round(zk_gone, 2),
            "new_coordinator_answers_s": None if coord_back is None else round(coord_back[0], 2),
            "new_coordinator": None if coord_back is None else coord_back[1],
            "first_message_after_kill_s": round(min(after.values()) - t_kill, 3)
            if after else None,
            "all_partitions_consumed_s": round(max(after.values()) - t_kill, 3)
            if len(after) == FO_PARTITIONS else None,
            "per_partition_first_after_kill_s": {p: round(ts - t_kill, 3)
                                                 for p, ts in sorted(after.items())},
            "per_partition_gap_s": {p: round(after[p] - last_before[p], 3)
                                    for p in sorted(after) if p in last_before},
            "per_partition_stall": {p: v for p, v in sorted(stalls(ev, t_kill).items())},
            "rebalance_events_after_kill": [(k, round(ts - t_kill, 2), m, d) for k, ts, m, d
                                            in ev if k in "AR" and ts > t_kill],
            "client_errors_after_kill": collections.Counter(
                d[:80] for k, ts, _, d in ev if k == "E" and ts > t_kill).most_common(6)})
        log("  ZooKeeper registration gone after %s s; new coordinator %s answers OffsetFetch "
            "after %s s" % (res["zk_registration_gone_s"], res["new_coordinator"],
                            res["new_coordinator_answers_s"]))
        log("  first message after the kill: %s s; every partition consumed again: %s s; "
            "per partition %s; gaps %s" % (
                res["first_message_after_kill_s"], res["all_partitions_consumed_s"],
                res["per_partition_first_after_kill_s"], res["per_partition_gap_s"]))
        st = res["per_partition_stall"]
        if len(st) == FO_PARTITIONS:
            res["consuming_again_first_s"] = min(v[1] for v in st.values())
            res["consuming_again_all_s"] = max(v[1] for v in st.values())
        log("  longest pause per partition [s, ended s after the kill]: %s; consuming again "
            "after %s s (first partition), %s s (every partition)" % (
                st, res.get("consuming_again_first_s"), res.get("consuming_again_all_s")))
        log("  rebalance events after the kill: %s" % (res["rebalance_events_after_kill"]
                                                      or "none"))
    finally:
        prod.stop_ev.set()
        for p in procs:
            p.terminate(20)
        prod.join(40)
    acks_after = [t for t in prod.acked_at if t > t_kill]
    res["producer"] = {"sent": prod.sent, "delivered": prod.delivered, "failed": prod.failed,
                       "unflushed": prod.unflushed, "flush_s": prod.flush_s,
                       "first_ack_after_kill_s": round(acks_after[0] - t_kill, 3)
                       if acks_after else None}
    log("  producer: %s" % res["producer"])
    return res


def probe_coordinator(brokers, group, body, m0):
    """(seconds since m0, node id) once a surviving broker names a coordinator that answers
    OffsetFetch for the group with no error; else None."""
    try:
        node, port = find_coordinator(brokers, group, timeout=0.01)
    except TimeoutError:
        return None
    b = [x for x in brokers if x.broker_id == node]
    if not b:
        return None
    try:
        with b[0].conn(2.0) as cn:
            r = gp.call(cn, gp.API_OFFSET_FETCH, 5, body, timeout=2.0)
    except (OSError, harness.ConnClosed, harness.ConnTimeout):
        return None
    return (time.monotonic() - m0, node) if r["error_code"] == gp.NONE else None


# ---- Report -------------------------------------------------------------------------------

def write_md(path, results):
    m = results["meta"]
    L = ["# Consumer-group figures (%s)" % m["date"], "",
         "`%s` at commit %s, plain build; %d cores shared with other agents (load average "
         "%s at the start, %s at the end); %.0f s in all." % (
             m["command"], m["commit"], m["nproc"], m["loadavg_start"], m["loadavg_end"],
             m["seconds"]), ""]
    for r in results.get("replay", []):
        L.append("- **Replay** (1 broker, 1,000 x 1,000-partition OffsetCommit v7 = %s "
                 "records, one 1 GiB segment so no compaction): commits took %.1f s "
                 "(%s records/s); after SIGTERM + start the broker logged **%s records "
                 "replayed in %s ms** (target <= 1,000 ms); OffsetFetch answered correctly "
                 "%.3f s after the start (port accepting at %.3f s; before that: %s)." % (
                     "{:,}".format(REPLAY_COMMITS * REPLAY_PARTITIONS), r["commits_s"],
                     "{:,}".format(r["records_per_s"]),
                     "{:,}".format(r.get("replayed_records", -1)), r.get("replay_ms"),
                     r["offset_fetch_ok_s"], r["port_accepts_s"],
                     r["seen_before_ok"] or "nothing"))
    for r in results.get("heartbeats", []):
        L.append("- **Heartbeats** (1 broker, 1,000 groups x 3 members, every 3 s, 30 "
                 "connections): broker CPU **%.2f %%** of a core over %.0f s (idle before: "
                 "%.2f %%; target < 2 %%; the control, ApiVersions v0 at the same rate on the same "
                 "connections before the groups: %.2f %%), RSS %.1f -> %.1f MiB (**delta %.1f "
                 "MiB**, target < 50); %s heartbeats at %.0f/s, errors %s, latency p50 %s / p99 "
                 "%s / max %s ms; join + sync of 3,000 members %.2f s." % (
                     r["cpu_pct"], r["window_s"], r["cpu_pct_idle"], r["cpu_pct_control"],
                     r["rss_mib_before"],
                     r["rss_mib_max"], r["rss_mib_delta"], r["heartbeats"], r["hb_per_s"],
                     r["errors"] or "none", r["latency"]["p50_ms"], r["latency"]["p99_ms"],
                     r["latency"]["max_ms"], r["join_sync_s"]))
    for r in results.get("commits", []):
        L.append("- **Commits** (3 brokers, RF3 __consumer_offsets, 100 clients x 10/s): "
                 "**%.0f commits/s** (offered %.0f), latency p50 %s / p99 %s / p99.9 %s / max "
                 "%s ms, errors %s; coordinators per broker %s; broker CPU %% %s; before the "
                 "measurement, each client's first commit (right after __consumer_offsets was "
                 "created), slowest per coordinator: %s ms." % (
                     r["commits_per_s"], r["target_per_s"], r["latency"]["p50_ms"],
                     r["latency"]["p99_ms"], r["latency"]["p999_ms"], r["latency"]["max_ms"],
                     r["errors"] or "none", r["coordinators_per_broker"], r["broker_cpu_pct"],
                     r["first_commit_max_ms_by_coordinator"]))
    for r in results.get("failover", []):
        L.append("- **Coordinator failover** (zookeeper.session.timeout.ms %d; kill -9 of "
                 "broker %s, the coordinator, leader of partitions %s): consumption paused "
                 "and resumed **%s s after the kill on the first partition, %s s on every "
                 "partition** (longest pause per partition [pause s, resumed s after the "
                 "kill]: %s); the ZooKeeper registration went after %s s (the session "
                 "timeout: most of the pause), the new coordinator (broker %s) answered "
                 "OffsetFetch after %s s; rebalance events after the kill: %s; producer "
                 "(acks=all) %s; partitions stalled at the end: %s." % (
                     ZK_SESSION_MS, r.get("coordinator"), r.get("victim_led_partitions"),
                     r.get("consuming_again_first_s"), r.get("consuming_again_all_s"),
                     r.get("per_partition_stall"), r.get("zk_registration_gone_s"),
                     r.get("new_coordinator"), r.get("new_coordinator_answers_s"),
                     len(r.get("rebalance_events_after_kill", [])), r.get("producer"),
                     r.get("stalled_at_end") or "none"))
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")


def git_commit():
    try:
        import subprocess
        return subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception:  # noqa: BLE001
        return "?"


class Ctx:
    def __init__(self, args, work, zk):
        self.args, self.work, self.zk, self.clusters = args, work, zk, []


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin-dir", default=os.path.join(ROOT, "bin"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results",
                                                  datetime.datetime.utcnow().date().isoformat()))
    ap.add_argument("--only", default="replay,heartbeats,commits,failover")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--perf", action="store_true", help="perf record the broker during the "
                    "heartbeat window and broker 1 during the commits; the top symbols go in the JSON")
    ap.add_argument("--producer-debug", action="store_true", help="librdkafka debug log of "
                    "the failover scenario's producer, in the work dir (keep it: --workdir)")
    ap.add_argument("--workdir", default=None, help="broker data (default: a new temp dir)")
    args = ap.parse_args()
    only = set(args.only.split(","))
    os.environ["KB_BIN_DIR"] = os.path.abspath(args.bin_dir)
    os.makedirs(args.out, exist_ok=True)
    work = args.workdir or tempfile.mkdtemp(prefix="kb-gbench-")
    started = time.monotonic()
    meta = {"date": datetime.datetime.utcnow().isoformat(timespec="seconds") + "Z",
            "command": " ".join(["bench/groups_bench.py"] + sys.argv[1:]),
            "commit": git_commit(), "nproc": os.cpu_count(),
            "loadavg_start": [round(x, 2) for x in os.getloadavg()],
            "zookeeper_session_timeout_ms": ZK_SESSION_MS, "work": work}
    results = {"meta": meta}
    zk = harness.ZooKeeper(os.path.join(work, "zk"))
    zk.start()
    ctx = Ctx(args, work, zk)
    try:
        for run in range(args.runs):
            if "replay" in only:
                results.setdefault("replay", []).append(bench_replay(ctx, run))
            if "heartbeats" in only:
                results.setdefault("heartbeats", []).append(bench_heartbeats(ctx, run))
            if only & {"commits", "failover"}:
                c = new_cluster(ctx, "gb-three-r%d" % run, 3,
                                {"group.initial.rebalance.delay.ms": "300"})
                if "commits" in only:
                    results.setdefault("commits", []).append(bench_commits(ctx, c, run))
                if "failover" in only:
                    results.setdefault("failover", []).append(bench_failover(ctx, c, run))
                problems = stop_cluster(ctx, c)
                for key in ("commits", "failover"):
                    if key in only:
                        results[key][-1]["problems"] = problems
    finally:
        for c in list(ctx.clusters):
            stop_cluster(ctx, c)
        zk.stop()
        meta["seconds"] = round(time.monotonic() - started, 1)
        meta["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
        with open(os.path.join(args.out, "groups.json"), "w") as f:
            json.dump(results, f, indent=1, default=str)
        write_md(os.path.join(args.out, "groups.md"), results)
        if not args.workdir:
            import shutil
            shutil.rmtree(work, ignore_errors=True)
    log("bench-groups: %.0f s; %s/groups.md" % (meta["seconds"], args.out))


if __name__ == "__main__":
    main()
