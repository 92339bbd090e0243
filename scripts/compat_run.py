#!/usr/bin/python3
"""Runs librdkafka's own broker tests (its tests/test-runner) against kbroker clusters.

Called by scripts/compat.sh (`make compat`) once librdkafka's source package is unpacked and
its test-runner built. What it does:
* reads the test list from librdkafka's tests/test.c (the `tests[]` table: name, flags,
  scenario) and keeps the broker tests: no TEST_F_LOCAL, no TEST_F_MANUAL;
* lists the tests that need what a kbroker cluster cannot give as skipped, with the reason
  (KAFKA_PATH: a real Kafka installation's shell scripts; SSL or SASL listeners);
* starts a 3-broker kbroker cluster per scenario with trivup-like settings (tests/integration/
  harness.py: real ZooKeeper, real brokers, stopped by PID): "default" (auto-create on, racks
  RACK<id> as trivup sets them for 0101) and "noautocreate" (auto-create off);
* runs every test number in its own test-runner process (-p1) with a wall-clock timeout, in
  quick mode (-Q) unless the test's source skips subtests in quick mode (SUB_TEST() sections
  or `if (test_quick)` returns), then it runs in full mode;
* prints a pass/fail/skip table plus totals, and writes it with the details (first failure
  line, byte ranges of the broker logs written during the test) under --out.

Exit status: 0 when the table was produced (failures are data, not an error of this script),
1 when a cluster could not be started or the test list could not be read.
"""

import argparse
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import traceback

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))

import harness  # noqa: E402  (after the sys.path change)

KAFKA_VERSION = "2.8.1"

# Tests that need something a kbroker cluster does not offer, and why.
STATIC_SKIPS = {
    "0052": "needs KAFKA_PATH (creates its topics with kafka-topics.sh)",
    "0077": "needs KAFKA_PATH (creates its topics with kafka-topics.sh)",
    "0098": "needs KAFKA_PATH (runs a Java transactional producer from it)",
    "0109": "needs KAFKA_PATH (kafka-acls.sh)",
    "0115": "needs KAFKA_PATH (kafka-acls.sh)",
    "0119": "needs KAFKA_PATH (kafka-acls.sh)",
    "0097": "needs an SSL listener (trivup's SSL_* certificates)",
    "0126": "needs SASL/OAUTHBEARER with an OIDC server (and Kafka >= 3.1)",
    "0135": "needs a SASL PLAIN or SCRAM listener",
}

# Tests whose failure is expected until a feature lands, and which feature.
EXPECTED = {}   # every feature a test needs is served: any failure counts

# Tests that fail the same way against Apache Kafka 3.9.1 (`--peer kafka`, measured): a client
# or test problem, not a kbroker one.
ALSO_FAILS_ON_KAFKA = {
    "0028": "fails the same against Apache Kafka 3.9.1: a 255-byte topic name, over Kafka's "
            "249 (librdkafka issue 529)",
    "0107": "fails the same against Apache Kafka 3.9.1: librdkafka 2.0.2's consumer destroy "
            "hangs after its subscribed topic was deleted and re-created",
    "0113": "fails the same against Apache Kafka 3.9.1 (subtest h_delete_topic): the consumer "
            "close/destroy hangs after a subscribed topic was deleted",
}

# Tests whose checks only log (librdkafka 2.0.2's 0101 defines test_assert() as Test::Say):
# a PASSED run that logged one of these lines is counted as FAILED.
LOGGED_ASSERTS = {
    "0101": ("rxbytes was not highest on broker corresponding to client.rack",
             "expecting rxbytes of client.rack broker to be at least"),
}

BASE_CONFIG = {
    "num.partitions": "4",
    "default.replication.factor": "3",
    "offsets.topic.replication.factor": "3",
    "group.initial.rebalance.delay.ms": "100",
    "delete.topic.enable": "true",
    # trivup sets it with the racks, for 0101 (fetch from follower)
    "replica.selector.class": "org.apache.kafka.common.replica.RackAwareReplicaSelector",
    # trivup's clusters run Kafka's ZooKeeper authorizer, open while no ACL applies (0081
    # creates, describes and deletes ACLs)
    "authorizer.class.name": "kafka.security.authorizer.AclAuthorizer",
    "allow.everyone.if.no.acl.found": "true",
}

SCENARIOS = {
    "default": {"auto.create.topics.enable": "true"},
    "noautocreate": {"auto.create.topics.enable": "false"},
}

ANSI = re.compile(r"\x1b\[[0-9;]*m")


# ---------------------------------------------------------------------------------------------
# The test list
# ---------------------------------------------------------------------------------------------

def _entries(text):
    """(name, body) of every _TEST(...) of the `tests[]` table, parentheses balanced."""
    start = text.index("struct test tests[] = {")
    end = text.index("{NULL}}", start)
    table = text[start:end]
    out, pos = [], 0
    while True:
        i = table.find("_TEST(", pos)
        if i < 0:
            return out
        depth, j = 0, i + len("_TEST")
        while j < len(table):
            if table[j] == "(":
                depth += 1
            elif table[j] == ")":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        body = table[i + len("_TEST("):j]
        out.append((body.split(",")[0].strip(), body))
        pos = j


def read_tests(src):
    """[{num, name, flags, scenario, full}] of the broker tests, in table order."""
    tdir = os.path.join(src, "tests")
    with open(os.path.join(tdir, "test.c")) as f:
        text = f.read()
    files = os.listdir(tdir)
    tests = []
    for name, body in _entries(text):
        parts = [p.strip() for p in body.split(",")]
        flags = parts[1] if len(parts) > 1 else "0"
        if "TEST_F_LOCAL" in flags or "TEST_F_MANUAL" in flags:
            continue
        m = re.search(r'\.scenario\s*=\s*"([^"]+)"', body)
        scen = m.group(1) if m else "default"
        num = name.split("_")[0]
        full = False
        for fn in files:
            if fn.startswith(num + "-") and fn.endswith((".c", ".cpp")):
                with open(os.path.join(tdir, fn), errors="replace") as f:
                    code = f.read()
                # SUB_TEST() (not SUB_TEST_QUICK()) sections and `if (test_quick)` early
                # returns are skipped in quick mode: such tests run in full mode.
                if re.search(r"if\s*\(\s*test_quick\s*\)|\bSUB_TEST\s*\(", code):
                    full = True
        tests.append({"num": num, "name": name, "flags": flags,
                      "scenario": "noautocreate" if "noautocreate" in scen else "default",
                      "known_issue": "TEST_F_KNOWN_ISSUE" in flags and
                                     "KNOWN_ISSUE_" not in flags,
                      "full": full})
    if not tests:
        raise RuntimeError("no broker tests found in %s/tests/test.c" % src)
    return tests


def groups(tests):
    """One run per (test number, scenario): the runner selects tests by number."""
    out = {}
    for t in tests:
        out.setdefault((t["num"], t["scenario"]), []).append(t)
    return out


# ---------------------------------------------------------------------------------------------
# Clusters
# ---------------------------------------------------------------------------------------------

class Scenario:
    def __init__(self, name, workdir):
        self.name = name
        self.workdir = os.path.join(workdir, "cluster-" + name)
        self.cluster = None
        self.starts = 0

    def start(self):
        cfg = dict(BASE_CONFIG)
        cfg.update(SCENARIOS[self.name])
        self.starts += 1
        wd = "%s-%d" % (self.workdir, self.starts)
        racks = {i: "RACK%d" % i for i in (1, 2, 3)}
        self.cluster = harness.Cluster(wd, n=3, racks=racks, config=cfg)
        self.cluster.start()
        return self

    def healthy(self):
        return all(b.alive() for b in self.cluster.brokers)

    def log_sizes(self):
        out = {}
        for b in self.cluster.brokers:
            try:
                out[b.name] = os.path.getsize(b.log_path)
            except OSError:
                out[b.name] = 0
        return out

    def stop(self):
        if self.cluster is not None:
            problems = self.cluster.stop()
            self.cluster = None
            return problems
        return []


class KafkaScenario(Scenario):
    """The same scenario on Apache Kafka (bench/peer/kafka.py, jars from scripts/fetch-kafka.sh)
    in ZooKeeper mode: a reference run, to tell kbroker gaps from test or client problems."""

    def start(self):
        sys.path.insert(0, os.path.join(REPO, "bench"))
        from peer import kafka as peer   # noqa: E402 - optional, only for --peer kafka
        _, libs = peer.fetch(REPO)
        self.starts += 1
        wd = "%s-kafka-%d" % (self.workdir, self.starts)
        self.zk = harness.ZooKeeper(os.path.join(wd, "zk")).start()
        cfg = dict(BASE_CONFIG)
        cfg.update(SCENARIOS[self.name])
        cfg["transaction.state.log.replication.factor"] = "3"
        cfg["transaction.state.log.min.isr"] = "2"
        self.cluster = peer.KafkaCluster(wd, libs, self.zk, "/kafka", [1, 2, 3], cfg)
        for b in self.cluster.brokers:
            b.config["broker.rack"] = "RACK%d" % b.broker_id
        self.cluster.start()
        for b in self.cluster.brokers:
            b.name, b.alive = "kafka-%d" % b.broker_id, b.proc.alive
        return self

    def stop(self):
        if self.cluster is not None:
            self.cluster.stop()
            self.cluster = None
            self.zk.stop()
        return []


def write_conf(path, bootstrap):
    with open(path, "w") as f:
        f.write("# written by scripts/compat_run.py\n")
        f.write("bootstrap.servers=%s\n" % bootstrap)
        f.write("test.topic.prefix=kbcompat\n")
        f.write("test.topic.random=true\n")


# ---------------------------------------------------------------------------------------------
# One test-runner process
# ---------------------------------------------------------------------------------------------

def failure_details(text):
    """{test name: first failure ("[subtest] message") or skip reason} from a runner log."""
    fails = {}
    lines = [ANSI.sub("", x) for x in text.splitlines()]
    for i, line in enumerate(lines):
        # The first failure of each test: '### Test "<name> (<subtest>)" failed at ...'
        # followed by the message.
        m = re.match(r'### Test "(\S+)(?: \((.*)\))?" failed at', line)
        if m and m.group(1) != "<MAIN>" and m.group(1) not in fails:
            msg = lines[i + 1].strip() if i + 1 < len(lines) else ""
            fails[m.group(1)] = ("[%s] " % m.group(2) if m.group(2) else "") + msg
        # Summary rows of skipped tests carry the reason.
        m = re.match(r"\|\s*(\S+)\s*\|\s*SKIPPED\s*\|\s*[\d.]+s\s*\|\s*(.*)$", line)
        if m and m.group(1) not in fails:
            fails[m.group(1)] = m.group(2).strip()
    return fails


def run_one(src, out, scen, num, entries, timeout):
    tdir = os.path.join(src, "tests")
    conf = os.path.join(out, "test-%s.conf" % scen.name)
    write_conf(conf, scen.cluster.bootstrap())
    tag = "%s-%s" % (num, scen.name)
    report = os.path.join(out, "reports", tag + ".json")
    logf = os.path.join(out, "logs", tag + ".log")
    full = any(e["full"] for e in entries)
    # -k: tests librdkafka marks as known issues are run too (its runner skips them by default).
    known = ["-k"] if any(e["known_issue"] for e in entries) else []
    argv = (["./test-runner", "-p1", "-L", "-s", scen.name] + ([] if full else ["-Q"]) + known +
            [num])
    env = dict(os.environ)
    env.update({"TEST_KAFKA_VERSION": KAFKA_VERSION, "RDKAFKA_TEST_CONF": conf,
                "TEST_REPORT": report, "BROKERS": scen.cluster.bootstrap(),
                "LD_LIBRARY_PATH": "../src:../src-cpp"})
    for k in ("KAFKA_PATH", "ZK_ADDRESS", "TESTS", "SUBTESTS", "TESTS_SKIP", "CI"):
        env.pop(k, None)
    before = scen.log_sizes()
    t0 = time.monotonic()
    timed_out = False
    with open(logf, "wb") as lf:
        lf.write(("$ %s\n" % " ".join(argv)).encode())
        lf.flush()
        p = subprocess.Popen(argv, cwd=tdir, env=env, stdout=lf, stderr=subprocess.STDOUT,
                             start_new_session=True)
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(p.pid, signal.SIGKILL)   # its own session: only what we started
            rc = p.wait()
    secs = time.monotonic() - t0
    after = scen.log_sizes()
    states = {}
    try:
        with open(report) as f:
            rep = json.load(f)
        for name, t in rep.get("tests", {}).items():
            states[name] = t.get("state")
    except (OSError, ValueError):
        pass
    with open(logf, "rb") as f:
        text = ANSI.sub("", f.read().decode("utf-8", "replace"))
    fails = failure_details(text)
    logged = [m for m in LOGGED_ASSERTS.get(num, ()) if m in text]
    rows = []
    for e in entries:
        st = states.get(e["name"])
        if st == "PASSED" and logged:
            st = "FAILED"
            fails[e["name"]] = "its checks only log, and it logged: " + "; ".join(logged)
        if st == "FAILED" and "KAFKA_PATH and ZK_ADDRESS must be set" in fails.get(e["name"], ""):
            st = "SKIPPED"   # ran until it called a Kafka shell script
            fails[e["name"]] = ("needs KAFKA_PATH (calls kafka-topics.sh mid-test; passed up to "
                                "there): " + fails[e["name"]])
        if timed_out:
            st = "TIMEOUT"
        elif st is None:
            st = "CRASH(rc=%s)" % rc
        elif st == "NOT_STARTED":
            st = "SKIPPED"
        rows.append({"num": num, "name": e["name"], "scenario": scen.name,
                     "mode": "full" if full else "quick", "state": st,
                     "secs": round(secs, 1), "detail": fails.get(e["name"], ""),
                     "known_issue": e["known_issue"], "log": os.path.relpath(logf, out),
                     "broker_logs": {k: [before.get(k, 0), v] for k, v in after.items()}})
    return rows


def classify(row):
    st = row["state"]
    if st == "PASSED":
        return "pass"
    if st.startswith("SKIP"):
        return "skip"
    return "fail"


def expected_failure(row):
    """Why a failure is expected (a feature kbroker does not serve yet), or None."""
    if classify(row) != "fail":
        return None
    if row["num"] in EXPECTED:
        return EXPECTED[row["num"]]
    if row["num"] in ALSO_FAILS_ON_KAFKA:
        return ALSO_FAILS_ON_KAFKA[row["num"]]
    return None


def print_table(rows, fh):
    w = max(len(r["name"]) for r in rows)
    fh.write("| %-*s | %-12s | %-5s | %-8s | %6s | %s\n" %
             (w, "test", "scenario", "mode", "result", "secs", "note"))
    fh.write("|%s|%s|%s|%s|%s|%s\n" % ("-" * (w + 2), "-" * 14, "-" * 7, "-" * 10, "-" * 8,
                                         "-" * 10))
    for r in rows:
        # A PASSED test may have logged failures its runner does not count (0068's
        # TEST_ASSERT_LATER in a callback): results.json keeps them, the table does not.
        note = r.get("reason") or ("" if r["state"] == "PASSED" else r["detail"])
        if r["known_issue"]:
            note = "(librdkafka marks it a known issue; run with -k) " + note
        why = expected_failure(r)
        if why:
            note = "expected: %s; %s" % (why, note)
        fh.write("| %-*s | %-12s | %-5s | %-8s | %6s | %s\n" %
                 (w, r["name"], r["scenario"], r["mode"], r["state"],
                  "" if r["secs"] is None else "%.1f" % r["secs"], note[:160]))
    tot = {"pass": 0, "fail": 0, "skip": 0}
    for r in rows:
        tot[classify(r)] += 1
    exp = sum(1 for r in rows if expected_failure(r))
    fh.write("\nTotal %d: %d passed, %d failed (%d of them expected: a feature not served yet, "
             "or failing against Apache Kafka too), %d skipped\n" %
             (len(rows), tot["pass"], tot["fail"], exp, tot["skip"]))
    return tot


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", help="unpacked librdkafka source (built)")
    ap.add_argument("--out", default=os.path.join(REPO, "build", "compat"))
    ap.add_argument("--timeout", type=float, default=240.0, help="per test-runner process")
    ap.add_argument("--only", default="", help="comma-separated test numbers (debugging)")
    ap.add_argument("--peer", choices=("kbroker", "kafka"), default="kbroker",
                    help="kafka: run against Apache Kafka instead (reference run)")
    ap.add_argument("--render", metavar="RESULTS_JSON",
                    help="only print the table of an earlier run's results.json")
    args = ap.parse_args()
    if args.render:
        with open(args.render) as f:
            print_table(json.load(f)["rows"], sys.stdout)
        return 0

    if not args.src:
        ap.error("--src is required")
    out = os.path.abspath(args.out)
    # A fresh start: the clusters must not find an earlier run's data (ZooKeeper, logs).
    for d in glob.glob(os.path.join(out, "cluster-*")) + [os.path.join(out, "reports"),
                                                          os.path.join(out, "logs")]:
        shutil.rmtree(d, ignore_errors=True)
    for d in ("reports", "logs"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    runner = os.path.join(args.src, "tests", "test-runner")
    if not os.access(runner, os.X_OK):
        print("compat: no test-runner at %s" % runner, file=sys.stderr)
        return 1
    try:
        tests = read_tests(args.src)
    except (OSError, ValueError, RuntimeError) as e:
        print("compat: cannot read the test list: %s" % e, file=sys.stderr)
        return 1
    only = set(x for x in args.only.split(",") if x)

    rows, todo = [], {}
    for (num, scen), entries in groups(tests).items():
        if only and num not in only:
            continue
        if num in STATIC_SKIPS:
            for e in entries:
                rows.append({"num": num, "name": e["name"], "scenario": scen,
                             "mode": "-", "state": "SKIPPED", "secs": None, "detail": "",
                             "reason": STATIC_SKIPS[num], "known_issue": e["known_issue"]})
            continue
        todo.setdefault(scen, []).append((num, entries))

    t_all = time.monotonic()
    problems = []
    for scen_name in ("default", "noautocreate"):
        if scen_name not in todo:
            continue
        scen = (KafkaScenario if args.peer == "kafka" else Scenario)(scen_name, out)
        try:
            print("compat: starting the %s cluster" % scen_name, flush=True)
            scen.start()
            for num, entries in todo[scen_name]:
                if not scen.healthy():
                    print("compat: a broker of the %s cluster died; restarting it" % scen_name,
                          flush=True)
                    problems += scen.stop()
                    scen.start()
                got = run_one(args.src, out, scen, num, entries, args.timeout)
                if not scen.healthy():
                    for r in got:
                        r["detail"] = "BROKER DIED during the test; " + r["detail"]
                rows += got
                for r in got:
                    print("compat: %-45s %-8s %6.1fs %s" % (r["name"], r["state"], r["secs"],
                                                          r["detail"][:100]), flush=True)
        except Exception:  # noqa: BLE001 - report, stop the cluster, give up
            print("compat: %s cluster:\n%s" % (scen_name, traceback.format_exc()),
                  file=sys.stderr)
            problems += scen.stop()
            return 1
        problems += scen.stop()

    order = {(t["name"], t["scenario"]): i for i, t in enumerate(tests)}
    rows.sort(key=lambda r: order.get((r["name"], r["scenario"]), 0))
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"kafka_version": KAFKA_VERSION, "seconds": round(time.monotonic() - t_all),
                   "rows": rows, "broker_problems": problems}, f, indent=1)
    print()
    print_table(rows, sys.stdout)
    with open(os.path.join(out, "table.md"), "w") as f:
        print_table(rows, f)
    print("Wall time %.0f s; details in %s (results.json, logs/, cluster-*/)" %
          (time.monotonic() - t_all, out))
    for p in problems:
        print("compat: broker problem: %s" % p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
