"""Turns bench/run_bench.py's results.json into report.md and PNG plots (matplotlib).

    /usr/bin/python3 bench/report.py bench/results/DATE     (re-renders an existing run)

Each figure is the median over the repetitions of a scenario; the ratio is kbroker / Kafka
(above 1 is better for throughput, below 1 is better for latency, CPU and memory)."""
import json
import os
import statistics
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BROKERS = ("kbroker", "kafka")


def med(runs, label, target, get):
    vals = []
    for r in runs:
        if r["target"] == target and r["label"].rsplit("-r", 1)[0] == label and r["rc"] == 0:
            try:
                v = get(r)
            except (KeyError, TypeError):
                v = None
            if v is not None:
                vals.append(v)
    return statistics.median(vals) if vals else None


def f(v, digits=3):
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return "{:,.0f}".format(v)
    return "%.*g" % (digits, v)


def produce_metrics():
    return [
        ("msg/s", lambda r: r["produced"]["msg_per_s"]),
        ("MB/s", lambda r: r["produced"]["MB_per_s"]),
        ("publish p50 ms", lambda r: r["publish_latency"]["p50_ms"]),
        ("publish p99 ms", lambda r: r["publish_latency"]["p99_ms"]),
        ("publish p99.9 ms", lambda r: r["publish_latency"]["p999_ms"]),
        ("broker CPU s/GiB", lambda r: r["broker_cpu_s_per_gib"]),
        ("broker CPU s/M msgs", lambda r: r["broker_cpu_s_per_million_msgs"]),
        ("broker peak RSS MiB", lambda r: r["broker_rss_peak_kib"] / 1024),
        ("page-cache write of 1 GiB just before the run, CPU s/GiB",
         lambda r: r["page_cache_probe"]["cpu_s_per_gib"]),
        ("page-cache write of 1 GiB just before the run, MB/s",
         lambda r: r["page_cache_probe"]["MB_per_s"]),
    ]


def consume_metrics():
    return [
        ("msg/s", lambda r: r["consumed"]["msg_per_s"]),
        ("MB/s", lambda r: r["consumed"]["MB_per_s"]),
        ("broker CPU s/GiB", lambda r: r["broker_cpu_s_per_gib"]),
    ]


def e2e_metrics():
    return [
        ("achieved msg/s", lambda r: r["produced"]["msg_per_s"]),
        ("e2e p50 ms", lambda r: r["e2e_latency"]["p50_ms"]),
        ("e2e p99 ms", lambda r: r["e2e_latency"]["p99_ms"]),
        ("e2e p99.9 ms", lambda r: r["e2e_latency"]["p999_ms"]),
        ("e2e p99.99 ms", lambda r: r["e2e_latency"]["p9999_ms"]),
        ("e2e max ms", lambda r: r["e2e_latency"]["max_ms"]),
        ("publish p99 ms", lambda r: r["publish_latency"]["p99_ms"]),
        ("broker CPU s/GiB", lambda r: r["broker_cpu_s_per_gib"]),
    ]


SCENARIOS = [
    ("S1", "S1 produce 100 B, 6 partitions, RF1, acks=1", produce_metrics),
    ("S2", "S2 produce 1 KiB, 6 partitions, RF1, acks=1", produce_metrics),
    ("S3-10240", "S3 produce 10 KiB", produce_metrics),
    ("S3-102400", "S3 produce 100 KiB", produce_metrics),
    ("S4fresh", "S4 consume S2's data right after producing it", consume_metrics),
    ("S4old", "S4 consume S2's data again, over a minute old", consume_metrics),
    ("S5-10", "S5 end-to-end, 1 KiB, 10% of the saturating rate", e2e_metrics),
    ("S5-50", "S5 end-to-end, 1 KiB, 50% of the saturating rate", e2e_metrics),
    ("S5-u", "S5 end-to-end unloaded, 1 KiB, 200 msg/s, 1 partition, linger.ms=0", e2e_metrics),
    ("S6", "S6 RF3 acks=all, 3 brokers, 1 KiB", produce_metrics),
    ("S7", "S7 1,000 partitions, 1 KiB", produce_metrics),
    ("S8", "S8 flush.messages=1 (fsync per batch), 1 KiB", produce_metrics),
]


def tables(runs):
    out = []
    for label, title, metrics in SCENARIOS:
        if not any(r["label"].rsplit("-r", 1)[0] == label for r in runs):
            continue
        n = len([r for r in runs if r["label"].rsplit("-r", 1)[0] == label])
        bad = [r for r in runs if r["label"].rsplit("-r", 1)[0] == label and r["rc"] != 0]
        out.append("### %s\n" % title)
        if bad:
            out.append("kbench failed in %d of %d runs: %s\n" % (
                len(bad), n, "; ".join("%s %s: %s" % (r["label"], r["target"], r.get("error"))
                                       for r in bad)))
        out.append("| figure | kbroker | Kafka | kbroker / Kafka |\n|---|---:|---:|---:|")
        for name, get in metrics():
            a, b = (med(runs, label, t, get) for t in BROKERS)
            if a is None and b is None:
                continue
            ratio = a / b if a is not None and b else None
            out.append("| %s | %s | %s | %s |" % (name, f(a), f(b), f(ratio)))
        fl = floor(runs, label)
        if fl:
            out.append("\nClient floor: the same producer against librdkafka's in-process mock "
                       "cluster (no broker process, no network) had publish latency p50 %s ms, "
                       "p99 %s ms, p99.99 %s ms." % (f(fl["p50_ms"]), f(fl["p99_ms"]),
                                                     f(fl["p9999_ms"])))
        out.append("")
    return out


def floor(runs, label):
    """Publish latency of the S5 workload against the mock cluster (run_bench.client_floor)."""
    r = [x for x in runs if x["label"] == label + "-floor" and x["rc"] == 0]
    return r[0]["publish_latency"] if r and r[0]["publish_latency"].get("count") else None


def join(*parts):
    return "; ".join(p for p in parts if p)


def targets_md(meta, runs):
    """Issue 11's targets against this run's figures, each with the bound measured in the
    same run (client floor, page-cache floor, physical ceilings) where one applies."""
    def m(label, t, get):
        return med(runs, label, t, get)

    def ratio(label, get):
        a, b = m(label, "kbroker", get), m(label, "kafka", get)
        return a / b if a is not None and b else None

    mbs = lambda r: r["produced"]["MB_per_s"]  # noqa: E731
    cpu = lambda r: r["broker_cpu_s_per_gib"]  # noqa: E731
    c = meta.get("ceilings") or {}
    mock = {x["label"]: x["produced"]["MB_per_s"] for x in runs
            if x["label"].startswith("C-mock-") and x["rc"] == 0}
    rows = []

    def row(goal, value, ok, bound=""):
        rows.append("| %s | %s | %s | %s |" % (
            goal, value, "-" if ok is None else ("met" if ok else "missed"), bound))

    def cores(label):
        """broker and client CPU over kbroker's measured windows: how busy the machine was"""
        b = m(label, "kbroker", lambda r: r["broker_cpu_s"] / r["window_s"])
        k = m(label, "kbroker", lambda r: r["client_cpu_s"] / r["window_s"])
        if b is None or k is None:
            return ""
        return "in kbroker's runs the broker used %s cores and the client %s, of %d" % (
            f(b, 2), f(k, 2), meta.get("nproc", 0))

    for label, size in (("S1", 100), ("S2", 1024)):
        r = ratio(label, mbs)
        kf = m(label, "kafka", mbs)
        mk = mock.get("C-mock-%d" % size)
        row("%s throughput >= 1.5x Kafka" % label, f(r), None if r is None else r >= 1.5,
            join("the client alone (mock cluster) reaches %s x Kafka's figure" % f(mk / kf)
                 if mk and kf else "", cores(label)))
    r = ratio("S6", mbs)
    row("S6 throughput >= 1.5x Kafka", f(r), None if r is None else r >= 1.5)
    ceil = [v for v in (c.get("loopback_tcp", {}).get("MB_per_s"),
                        c.get("sequential_write", {}).get("MB_per_s")) if v]

    def probe_txt(label, key, unit):
        p = [m(label, t, lambda r: r["page_cache_probe"][key]) for t in BROKERS]
        if None in p:
            return ""
        return ("a 1 GiB write into the page cache just before the runs: %s %s before "
                "kbroker's, %s %s before Kafka's (memory given back to the host is faulted in "
                "again; both brokers pay this on every append)" % (f(p[0]), unit, f(p[1]), unit))
    for label in ("S3-10240", "S3-102400"):
        v = m(label, "kbroker", mbs)
        frac = v / min(ceil) if v is not None and ceil else None
        row("%s >= 0.8x min(loopback, write) ceiling" % label, f(frac),
            None if frac is None else frac >= 0.8,
            join(probe_txt(label, "MB_per_s", "MB/s"), cores(label)))
    r = ratio("S2", cpu)
    kb = m("S2", "kbroker", cpu)
    row("S2 broker CPU per GiB <= 0.33x Kafka", f(r), None if r is None else r <= 0.33,
        join(probe_txt("S2", "cpu_s_per_gib", "s/GiB"),
             "the copy into the page cache is 68-81% of a broker's CPU in perf here "
             "(bench/profiles/2026-12-03-floors.md)"))
    row("S2 broker CPU per GiB <= 0.5 s", f(kb), None if kb is None else kb <= 0.5,
        probe_txt("S2", "cpu_s_per_gib", "s/GiB"))
    for label in ("S5-10", "S5-50"):
        for q, goal in (("p99_ms", 0.25), ("p9999_ms", 0.2)):
            get = lambda r, q=q: r["e2e_latency"][q]  # noqa: E731
            r = ratio(label, get)
            fl5, kf5 = floor(runs, label), m(label, "kafka", get)
            row("%s e2e %s <= %gx Kafka" % (label, q[:-3].replace("p999", "p99.9"), goal),
                f(r),
                None if r is None else r <= goal,
                "client floor %s ms = %s x Kafka's figure" % (f(fl5[q]), f(fl5[q] / kf5))
                if fl5 and kf5 else "")
    v = m("S5-u", "kbroker", lambda r: r["e2e_latency"]["p99_ms"])
    fl5 = floor(runs, "S5-u")
    row("unloaded e2e p99 <= 0.25 ms (S5-u)", "%s ms" % f(v), None if v is None else v <= 0.25,
        "client floor publish p99 %s ms" % f(fl5["p99_ms"]) if fl5 else "")
    s6, s2 = m("S6", "kbroker", mbs), m("S2", "kbroker", mbs)
    row("S6 RF3 acks=all >= 0.7x S2", f(s6 / s2 if s6 and s2 else None),
        None if not (s6 and s2) else s6 / s2 >= 0.7)
    s8 = m("S8", "kbroker", mbs)
    row("S8 fsync per batch >= 0.9x S2", f(s8 / s2 if s8 and s2 else None),
        None if not (s8 and s2) else s8 / s2 >= 0.9)
    r = ratio("S7", lambda r: r["broker_rss_peak_kib"])
    row("S7 broker RSS <= 0.1x Kafka", f(r), None if r is None else r <= 0.1)
    return ["### Targets (issue 11) against this run\n",
            "| target | this run | | what bounds it, measured in this run |",
            "|---|---:|---|---|"] + rows + [""]


def ceilings_md(meta, runs):
    c = meta.get("ceilings")
    if not c:
        return []
    lines = ["### Physical ceilings (same run)\n", "| ceiling | figure |", "|---|---:|"]
    lines.append("| loopback TCP, one stream (Python socket pump) | %s MB/s |"
                 % f(c["loopback_tcp"]["MB_per_s"]))
    pc = c.get("page_cache_write")
    if pc:
        lines.append("| page-cache write of 1 GiB, CPU per GiB: %s / repeated at once "
                     "| %s s (%s MB/s) / %s s (%s MB/s) |" % ("first pass",
                         f(pc["first"]["cpu_s_per_gib"]), f(pc["first"]["MB_per_s"]),
                         f(pc["repeat"]["cpu_s_per_gib"]), f(pc["repeat"]["MB_per_s"])))
    lines.append("| sequential write 1 GiB + fdatasync | %s MB/s (%s MB/s before the sync) |"
                 % (f(c["sequential_write"]["MB_per_s"]),
                    f(c["sequential_write"]["MB_per_s_before_sync"])))
    fd = c["fdatasync"]
    lines.append("| fdatasync of a 4 KiB append | p50 %s ms, p99 %s ms, p99.9 %s ms (%s/s) |"
                 % (f(fd["p50_ms"]), f(fd["p99_ms"]), f(fd["p999_ms"]), f(fd["per_s"])))
    for size in (100, 1024):
        r = [x for x in runs if x["label"] == "C-mock-%d" % size]
        if r:
            lines.append("| librdkafka mock cluster, produce %d B (kbench --mock 1) | %s msg/s, "
                         "%s MB/s |" % (size, f(r[0]["produced"]["msg_per_s"]),
                                        f(r[0]["produced"]["MB_per_s"])))
    return lines + [""]


def plot_timelines(runs, out):
    labels = [l for l in ("S1-r0", "S2-r0", "S6-r0", "S8-r0")
              if any(r["label"] == l for r in runs)]
    if not labels:
        return None
    fig, axes = plt.subplots(len(labels), 1, figsize=(9, 2.6 * len(labels)), squeeze=False)
    for ax, label in zip(axes[:, 0], labels):
        for r in runs:
            if r["label"] == label and r["target"] in BROKERS:
                tl = r["timeline"]
                ax.plot([p["t"] for p in tl], [p["acked_MB_per_s"] for p in tl],
                        label=r["target"], marker=".")
        w = next(r for r in runs if r["label"] == label)["workload"]
        ax.axvline(w["warmup_s"], color="grey", linestyle=":", linewidth=1)
        ax.set_title("%s: %d B, %d partitions, RF%d, acks=%s" % (
            label.split("-")[0], w["size"], w["partitions"], w["replication"], w["acks"]))
        ax.set_ylabel("acked MB/s")
        ax.legend(loc="lower right")
        ax.grid(alpha=0.3)
    axes[-1, 0].set_xlabel("seconds since start (dotted: end of warm-up)")
    fig.tight_layout()
    path = os.path.join(out, "throughput_over_time.png")
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return os.path.basename(path)


def plot_latency(runs, out):
    qs = [("p50", "p50_ms"), ("p90", "p90_ms"), ("p99", "p99_ms"), ("p99.9", "p999_ms"),
          ("p99.99", "p9999_ms"), ("max", "max_ms")]
    labels = [l for l in ("S5-10", "S5-50", "S5-u")
              if any(r["label"].startswith(l + "-r") for r in runs)]
    if not labels:
        return None
    fig, axes = plt.subplots(1, len(labels), figsize=(5 * len(labels), 3.6), squeeze=False)
    for ax, label in zip(axes[0], labels):
        for t in BROKERS:
            ys = [med(runs, label, t, lambda r, k=k: r["e2e_latency"][k]) for _, k in qs]
            ax.plot([q for q, _ in qs], ys, marker="o", label=t)
        rate = next(r for r in runs if r["label"].startswith(label))["workload"]["rate"]
        ax.set_title("S5 e2e latency, unloaded (%.0f msg/s)" % rate if label == "S5-u" else
                     "S5 e2e latency at %s%% (%.0f msg/s)" % (label.split("-")[1], rate))
        ax.set_yscale("log")
        ax.set_ylabel("ms (median of repetitions)")
        ax.grid(alpha=0.3, which="both")
        ax.legend()
    fig.tight_layout()
    path = os.path.join(out, "latency_percentiles.png")
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return os.path.basename(path)


def plot_sizes(runs, out):
    sizes = [(100, "S1"), (1024, "S2"), (10240, "S3-10240"), (102400, "S3-102400")]
    fig, ax = plt.subplots(figsize=(6, 3.6))
    any_pts = False
    for t in BROKERS:
        pts = [(s, med(runs, l, t, lambda r: r["produced"]["MB_per_s"])) for s, l in sizes]
        pts = [(s, v) for s, v in pts if v is not None]
        any_pts |= bool(pts)
        ax.plot([s for s, _ in pts], [v for _, v in pts], marker="o", label=t)
    if not any_pts:
        plt.close(fig)
        return None
    ax.set_xscale("log")
    ax.set_xlabel("message size (bytes)")
    ax.set_ylabel("produce MB/s (acks=1)")
    ax.set_title("S3 size sweep")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    path = os.path.join(out, "size_sweep.png")
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return os.path.basename(path)


def write(out):
    with open(os.path.join(out, "results.json")) as fh:
        data = json.load(fh)
    meta, runs = data["meta"], data["runs"]
    lines = ["# kbroker vs Apache Kafka %s — `make bench`\n" % meta["kafka_version"],
             "Run %s on %d cores (load average %s at the start, %s at the end; other work "
             "shared the machine), %.0f s in all. Command: `%s`.\n" % (
                 meta["date"], meta["nproc"], "/".join("%.1f" % x for x in meta["loadavg_start"]),
                 "/".join("%.1f" % x for x in meta.get("loadavg_end", [])),
                 meta.get("seconds", 0), meta["command"]),
             "Client: tools/kbench (librdkafka) for both brokers, producer %s. Brokers: "
             "one ZooKeeper (own chroot each), same filesystem, same topic layout, %s; Kafka "
             "with -Xmx1G -Xms1G and kafka-run-class.sh's G1 flags. Each figure is the median "
             "of %d runs (%s for S2, S4 and S5) alternating kbroker, Kafka (ABAB); %g s warm-up "
             "then %g s measured. "
             "Latency counts from each message's intended send time. Broker CPU is user+system "
             "time of the broker processes over the measured window, per GiB or per million "
             "messages of client payload; RSS is the peak (VmHWM) over the broker's life. "
             "Ratios are kbroker / Kafka.\n" % (
                 " ".join(meta["producer"]),
                 ", ".join("%s=%s" % kv for kv in meta["broker_conf"].items()),
                 meta["args"]["reps"], meta["args"].get("reps_noisy", meta["args"]["reps"]),
                 meta["args"]["warmup"], meta["args"]["duration"])]
    lines += targets_md(meta, runs)
    lines += ceilings_md(meta, runs)
    lines += tables(runs)
    for name in (plot_timelines(runs, out), plot_latency(runs, out), plot_sizes(runs, out)):
        if name:
            lines.append("![%s](%s)\n" % (name[:-4].replace("_", " "), name))
    with open(os.path.join(out, "report.md"), "w") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    write(sys.argv[1])
