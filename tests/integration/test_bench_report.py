"""bench/report.py on a small results.json: the targets table computes its ratios, verdicts and
same-run bounds from the runs (medians per broker), so `make bench` cannot rot unnoticed."""
import json
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench"))

import report  # noqa: E402


def produce_run(label, target, mbs, cpu_gib, broker_cpu=4.0, client_cpu=6.0, probe=None):
    r = {"label": label, "target": target, "rc": 0, "window_s": 8.0,
         "produced": {"msg_per_s": mbs * 1e6 / 1024, "MB_per_s": mbs},
         "consumed": {"msg_per_s": 0, "MB_per_s": 0},
         "publish_latency": {"count": 10, "p50_ms": 1.0, "p99_ms": 2.0, "p999_ms": 3.0},
         "e2e_latency": {}, "broker_cpu_s_per_gib": cpu_gib,
         "broker_cpu_s_per_million_msgs": cpu_gib, "broker_rss_peak_kib": 8192,
         "broker_cpu_s": broker_cpu, "client_cpu_s": client_cpu, "timeline": [],
         "workload": {"warmup_s": 2, "size": 1024, "partitions": 6, "replication": 1,
                      "acks": "1", "rate": 0}}
    if probe is not None:
        r["page_cache_probe"] = {"cpu_s_per_gib": probe, "MB_per_s": 1000.0}
    return r


def e2e_run(label, target, p99, p9999):
    lat = {"count": 100, "p50_ms": p99 / 2, "p90_ms": p99 / 1.5, "p99_ms": p99,
           "p999_ms": p99, "p9999_ms": p9999, "max_ms": p9999}
    return {"label": label, "target": target, "rc": 0, "window_s": 8.0,
            "produced": {"msg_per_s": 200, "MB_per_s": 0.2},
            "consumed": {"msg_per_s": 200, "MB_per_s": 0.2},
            "publish_latency": lat, "e2e_latency": lat, "broker_cpu_s_per_gib": 100,
            "timeline": [], "workload": {"rate": 200}}


def render(tmp_path, runs, ceilings=None):
    meta = {"kafka_version": "3.9.1", "date": "2026-12-03T00:00:00Z", "command": "test",
            "args": {"reps": 2, "reps_noisy": 3, "warmup": 2, "duration": 8}, "nproc": 2,
            "loadavg_start": [0, 0, 0], "loadavg_end": [0, 0, 0], "seconds": 1,
            "broker_conf": {}, "producer": [], "ceilings": ceilings or {}}
    with open(os.path.join(tmp_path, "results.json"), "w") as fh:
        json.dump({"meta": meta, "runs": runs}, fh)
    report.write(str(tmp_path))
    with open(os.path.join(tmp_path, "report.md")) as fh:
        text = fh.read()
    return {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines()
            if line.startswith("| S") or line.startswith("| unloaded")}


def test_targets_use_medians_and_bounds(tmp_path):
    runs = [
        # S2: kbroker's median is 300 (100 is an outlier), Kafka's 150 -> 2.0, met
        produce_run("S2-r0", "kbroker", 300, 1.0, probe=0.2),
        produce_run("S2-r1", "kbroker", 100, 6.0, probe=0.2),
        produce_run("S2-r2", "kbroker", 310, 1.2, probe=0.3),
        produce_run("S2-r0", "kafka", 150, 3.0, probe=0.25),
        produce_run("S2-r1", "kafka", 140, 4.0, probe=0.25),
        produce_run("S2-r2", "kafka", 160, 5.0, probe=0.25),
        # S1: 1.2x, missed; the mock reaches 300 / 200 = 1.5x Kafka
        produce_run("S1-r0", "kbroker", 240, 2.0), produce_run("S1-r0", "kafka", 200, 2.0),
        produce_run("C-mock-100", "mock", 300, None),
        # S5-u: kbroker 0.6 ms, the client floor 0.5 ms
        e2e_run("S5-u-r0", "kbroker", 0.6, 1.0), e2e_run("S5-u-r0", "kafka", 2.0, 4.0),
        dict(e2e_run("S5-u-floor", "mock", 0.5, 0.9), e2e_latency={}),
    ]
    rows = render(tmp_path, runs)
    s2 = rows["S2 throughput >= 1.5x Kafka"]
    assert "| 2 | met |" in s2
    # cores: broker 4.0 s and client 6.0 s over 8 s windows
    assert "broker used 0.5 cores and the client 0.75, of 2" in s2
    s1 = rows["S1 throughput >= 1.5x Kafka"]
    assert "| 1.2 | missed |" in s1 and "reaches 1.5 x Kafka's figure" in s1
    cpu = rows["S2 broker CPU per GiB <= 0.33x Kafka"]
    assert "| 0.3 | met |" in cpu            # median 1.2 against median 4.0
    assert "0.2 s/GiB before kbroker's, 0.25 s/GiB before Kafka's" in cpu
    assert "| 1.2 | missed |" in rows["S2 broker CPU per GiB <= 0.5 s"]
    u = rows["unloaded e2e p99 <= 0.25 ms (S5-u)"]
    assert "| 0.6 ms | missed |" in u and "client floor publish p99 0.5 ms" in u
    # scenarios without runs have no verdict
    assert "| - | - |" in rows["S6 throughput >= 1.5x Kafka"]


def test_page_cache_ceiling_row(tmp_path):
    c = {"loopback_tcp": {"MB_per_s": 3000}, "sequential_write": {
        "MB_per_s": 1500, "MB_per_s_before_sync": 4000},
        "fdatasync": {"p50_ms": 0.2, "p99_ms": 0.3, "p999_ms": 0.6, "per_s": 4000},
        "page_cache_write": {"first": {"cpu_s_per_gib": 3.9, "MB_per_s": 260},
                             "repeat": {"cpu_s_per_gib": 1.3, "MB_per_s": 800}}}
    runs = [produce_run("S3-10240-r0", "kbroker", 600, 1.0, probe=0.2),
            produce_run("S3-10240-r0", "kafka", 500, 1.0, probe=0.2)]
    render(tmp_path, runs, c)
    with open(os.path.join(tmp_path, "report.md")) as fh:
        text = fh.read()
    assert "| 3.9 s (260 MB/s) / 1.3 s (800 MB/s) |" in text
    # 600 MB/s against min(3000, 1500): 0.4 of the ceiling
    assert "| S3-10240 >= 0.8x min(loopback, write) ceiling | 0.4 | missed |" in text
