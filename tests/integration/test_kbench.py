"""Smoke test of tools/kbench (the benchmark client of `make bench`), so it cannot rot:
all three modes against one real kbroker for a second or two, plus the mock cluster and
argument errors. Checks what the numbers must satisfy, not how large they are."""
import json
import os
import subprocess

import pytest

import harness
from conftest import start_cluster


def kbench_path():
    return os.path.join(harness.bin_dir(), "kbench")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, zk_server):
    yield from start_cluster(tmp_path_factory.mktemp("kbench"), zk=zk_server, chroot="/kbench",
                             ids=[1])


def kbench(tmp_path, name, args, timeout=120):
    out = tmp_path / (name + ".json")
    p = subprocess.run([kbench_path(), "--json", str(out), "--label", name] + args,
                       capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, "kbench %s failed (%d):\n%s\n%s" % (name, p.returncode,
                                                                 p.stdout, p.stderr[-3000:])
    with open(out) as f:
        return json.load(f), p


def check_hist(h, count_min=1):
    assert h["count"] >= count_min
    assert 0 <= h["min_ms"] <= h["p50_ms"] <= h["p99_ms"] <= h["p999_ms"] <= h["p9999_ms"]
    assert h["p9999_ms"] <= h["max_ms"]


def test_produce_then_consume_everything(cluster, tmp_path):
    b = cluster.brokers[0]
    common = ["--bootstrap", b.bootstrap, "--topic", "kb-smoke", "--broker-pid", str(b.pid)]
    res, p = kbench(tmp_path, "produce", common + [
        "--mode", "produce", "--create", "--partitions", "3", "--size", "200", "--warmup",
        "0.5", "--duration", "1.5", "--keys", "random", "--linger-ms", "2"])
    assert "kbench" in p.stderr and "acked" in p.stderr          # the progress line
    tot = res["totals"]
    assert tot["errors"] == 0 and tot["acked"] == tot["sent"] > 0
    assert 0 < res["produced"]["messages"] <= tot["acked"]
    assert res["produced"]["bytes"] == 200 * res["produced"]["messages"]
    check_hist(res["publish_latency"])
    [broker] = res["brokers"]
    assert broker["pid"] == b.pid and broker["alive"] and broker["rss_peak_kib"] > 0
    assert res["broker_cpu_s"] >= 0 and res["broker_cpu_s_per_gib"] is not None
    assert res["workload"]["partitions"] == 3 and res["timeline"]

    # consume mode reads exactly what was acknowledged, every partition to its end
    res2, _ = kbench(tmp_path, "consume", common + [
        "--mode", "consume", "--from-beginning", "--until-eof", "--consumers", "2",
        "--warmup", "0", "--duration", "60"])
    assert res2["totals"]["received"] == tot["acked"]
    assert res2["consumed"]["bytes"] == 200 * res2["consumed"]["messages"]
    assert res2["window_s"] < 60


def test_e2e_at_a_target_rate(cluster, tmp_path):
    b = cluster.brokers[0]
    res, _ = kbench(tmp_path, "e2e", [
        "--bootstrap", b.bootstrap, "--mode", "e2e", "--topic", "kb-smoke-e2e", "--create",
        "--partitions", "2", "--size", "64", "--rate", "400", "--warmup", "1", "--duration",
        "2", "--linger-ms", "1", "--acks", "all"])
    assert res["totals"]["errors"] == 0
    # 400 msg/s for 2 s, counted by intended send time: 800 latencies of each kind
    check_hist(res["publish_latency"], 780)
    check_hist(res["e2e_latency"], 780)
    assert res["publish_latency"]["count"] <= 801 and res["e2e_latency"]["count"] <= 801
    assert 300 <= res["produced"]["msg_per_s"] <= 500
    # a message is received after it was acknowledged... give or take the clocks of two
    # threads: end-to-end p50 cannot be far below publish p50
    assert res["e2e_latency"]["p99_ms"] > 0


def test_mock_cluster(tmp_path):
    res, _ = kbench(tmp_path, "mock", ["--mock", "1", "--mode", "produce", "--partitions", "2",
                                       "--size", "100", "--warmup", "0", "--duration", "1"])
    assert res["produced"]["messages"] > 0 and res["totals"]["errors"] == 0
    assert res["brokers"] == []


@pytest.mark.parametrize("args", [
    ["--mode", "produce"],                                        # no target
    ["--mode", "produce", "--mock", "1", "--bootstrap", "x:1"],   # two targets
    ["--mode", "sideways", "--mock", "1"],
    ["--mode", "produce", "--mock", "1", "--size", "8"],          # below the stamp
    ["--mode", "produce", "--mock", "1", "--rate", "-1"],
    ["--mode", "produce", "--mock", "1", "-X", "no-equals-sign"],
])
def test_bad_arguments(args):
    p = subprocess.run([kbench_path()] + args, capture_output=True, text=True, timeout=30)
    assert p.returncode != 0 and "kbench" in p.stderr
