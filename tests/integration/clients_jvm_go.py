"""Runs the Java and Go client programs (tests/clients/java, tests/clients/go) for the
integration tests, and checks what they print.

Build products (made by scripts/install-deps.sh, never committed):
* JAVA_JAR  tests/clients/java/target/kb-java-clients.jar   (`java -cp JAR Main SUB ...`)
* KGO_BIN   build/clients/kgo-client                          (`kgo-client SUB ...`)
KB_JAVA_JAR / KB_KGO_CLIENT override the paths. When a product is absent, java_skip() /
kgo_skip() give the reason (install-deps writes build/clients/kgo-client.skip when it cannot
build the Go binary, e.g. a Go too old for the pinned modules) and tests skip with it.

Every program runs as a ClientProcess: tracked by the harness (so the session safety net
kills it), stdout and stderr in separate files under the test's directory, waited for with
a bound, stopped by PID. The programs flush their stdout every 200 ms (a test can watch
.lines() grow) and on SIGTERM stop, close their client, print their summary and exit 143. Line formats (see tests/clients/java/src/main/java/Main.java):
  ack P OFFSET KEY SEQ | err SEQ MSG | rec P OFFSET KEY LEN HASH SEQ [VALUE] | info ... |
  summary k=v
KEY (and VALUE, printed with print_value) is "-" (null) or "x" + hex; HASH the first 16 hex
digits of SHA-256 of the value.

Group consumers (used by test_groups_jvm_go.py): group_consumer_argv(kind, ...) for each
kind in GROUP_CONSUMERS, group_skip(kind); Kafka Streams: wordcount_argv(...) and
word_counts(recs) to decode its output read with print_value.
"""

import hashlib
import os
import shutil
import signal
import subprocess
import time
from collections import namedtuple

import harness

JAVA_JAR = os.environ.get("KB_JAVA_JAR") or os.path.join(
    harness.REPO, "tests", "clients", "java", "target", "kb-java-clients.jar")
KGO_BIN = os.environ.get("KB_KGO_CLIENT") or os.path.join(
    harness.REPO, "build", "clients", "kgo-client")
# Start-up over throughput: test runs are short. Serial GC and C1 only start the JVM and the
# Kafka classes faster; the heap cap keeps a runaway client bounded.
JVM_OPTS = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xms64m", "-Xmx512m",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"]

Ack = namedtuple("Ack", "partition offset key seq")
Rec = namedtuple("Rec", "partition offset key length hash seq value", defaults=(None,))


def java_skip():
    """None when the Java programs can run, else why not."""
    if shutil.which("java") is None:
        return "no `java` on PATH (scripts/install-deps.sh installs a JDK)"
    if not os.path.isfile(JAVA_JAR):
        return "%s absent: run scripts/install-deps.sh (builds it with Maven)" % JAVA_JAR
    return None


def kgo_skip():
    """None when kgo-client can run, else why not."""
    if os.access(KGO_BIN, os.X_OK):
        return None
    why = KGO_BIN + ".skip"
    if os.path.isfile(why):
        with open(why) as f:
            return "kgo-client not built: " + f.read().strip()
    return "%s absent: run scripts/install-deps.sh (builds it with Go)" % KGO_BIN


def _opts(kw, bare_true):
    """--name value pairs from keyword arguments (underscores become dashes; None and False
    skipped; True is a bare flag when bare_true (Go's booleans), else the value 1)."""
    out = []
    for k, v in kw.items():
        if v is None or v is False:
            continue
        name = "--" + k.replace("_", "-")
        if v is True:
            out += [name] if bare_true else [name, "1"]
        else:
            out += [name, str(v)]
    return out


def java_argv(sub, props=None, **kw):
    """argv for `java ... Main SUB --k v ... -X key=value ...`."""
    argv = ["java"] + JVM_OPTS + ["-cp", JAVA_JAR, "Main", sub] + _opts(kw, False)
    for k, v in (props or {}).items():
        argv += ["-X", "%s=%s" % (k, v)]
    return argv


def kgo_argv(sub, **kw):
    """argv for `kgo-client SUB --k v ...`."""
    return [KGO_BIN, sub] + _opts(kw, True)


# Group consumers, by kind: the Java consumer with subscribe(), franz-go's group consumer,
# sarama's ConsumerGroup and kafka-go's group Reader. Each reads until `count` records, `idle_ms`
# without one or `max_ms` in all, and prints info assigned/revoked lines where the client
# tells (Java, franz-go, sarama).
GROUP_CONSUMERS = ("java", "franz-go", "sarama", "kafka-go")


def group_skip(kind):
    return java_skip() if kind == "java" else kgo_skip()


def group_consumer_argv(kind, bootstrap, topic, group, count, idle_ms=10000, max_ms=60000,
                        props=None):
    """argv of a group consumer of `kind` (props: Java -X properties, java only)."""
    kw = dict(bootstrap=bootstrap, topic=topic, group=group, count=count, idle_ms=idle_ms,
              max_ms=max_ms)
    if kind == "java":
        return java_argv("consume", props=props, **kw)
    sub = {"franz-go": "consume", "sarama": "sarama-group", "kafka-go": "kafka-go-group"}[kind]
    assert not props, "props are for the java consumer"
    return kgo_argv(sub, **kw)


def wordcount_argv(bootstrap, app_id, input_topic, output_topic, guarantee, state_dir,
                   props=None):
    """argv of the Kafka Streams word count (runs until stopped; start it with start_client
    and stop it with .stop()). guarantee: at_least_once | exactly_once_v2. Prints `info state
    OLD NEW` lines; exits 1 by itself when the application dies (state ERROR), 143 when
    stopped by SIGTERM after closing cleanly."""
    return java_argv("streams-wordcount", props=props, bootstrap=bootstrap, app_id=app_id,
                     input=input_topic, output=output_topic, guarantee=guarantee,
                     state_dir=state_dir)


def word_counts(recs):
    """{word: last count} from the word count's output topic, read with print_value (values
    are 8-byte big-endian longs, keys UTF-8 words), in the order read."""
    out = {}
    for r in recs:
        if r.key != "-" and r.value is not None and len(r.value) == 8:
            out[field_bytes(r.key).decode("utf-8")] = int.from_bytes(r.value, "big",
                                                                      signed=True)
    return out


def streams_states(lines):
    """The states a Kafka Streams program went through (from its `info state` lines)."""
    return [ln.split()[3] for ln in lines if ln.startswith("info state ")]


# ---------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------

ClientResult = namedtuple("ClientResult", "rc lines stderr elapsed")


class ClientProcess(harness.ManagedProcess):
    """A client program with stdout (parsed) and stderr (diagnostics) in separate files."""

    def __init__(self, name, argv, workdir, env=None):
        workdir = str(workdir)
        super().__init__(name, argv, os.path.join(workdir, name + ".stderr"), env=env)
        self.out_path = os.path.join(workdir, name + ".stdout")
        self.t0 = None

    def start(self):
        assert not self.alive(), "%s already running" % self.name
        os.makedirs(os.path.dirname(self.out_path), exist_ok=True)
        with open(self.out_path, "wb") as out, open(self.log_path, "ab") as err:
            err.write(("===== %s: %s =====\n" % (time.strftime("%H:%M:%S"),
                                                 " ".join(self.argv))).encode())
            err.flush()
            self.t0 = time.monotonic()
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=err, env=self.env, cwd=self.cwd)
        self.killed = False
        self.starts += 1
        with harness._LIVE_LOCK:
            harness._LIVE[self.proc.pid] = self

    def lines(self):
        """Complete stdout lines so far (a partial last line is left out)."""
        try:
            with open(self.out_path, "rb") as f:
                data = f.read().decode("utf-8", "replace")
        except OSError:
            return []
        return data.split("\n")[:-1]

    def result(self):
        return ClientResult(self.returncode(), self.lines(), self.log_tail(40),
                            time.monotonic() - self.t0)

    def stop(self, timeout=30.0):
        """SIGTERM by PID, SIGKILL after `timeout` s; returns the result."""
        self.terminate(timeout=timeout, sig=signal.SIGTERM)
        return self.result()


def start_client(name, argv, workdir, env=None):
    """Starts a client in the background (stop it with .stop(); the harness kills it at the
    session's end otherwise)."""
    p = ClientProcess(name, argv, workdir, env=env)
    p.start()
    return p


def run_client(name, argv, workdir, timeout=60.0, env=None):
    """Runs a client to its end, at most `timeout` s (then SIGKILL and AssertionError with
    its stderr tail). Returns a ClientResult."""
    p = start_client(name, argv, workdir, env=env)
    rc = p.wait(timeout)
    if rc is None:
        p.kill9()
        raise AssertionError("%s still running after %.0fs; stderr:\n%s\nstdout tail:\n%s" % (
            name, timeout, p.log_tail(40), "\n".join(p.lines()[-20:])))
    return p.result()


def describe(res):
    """Human-readable tail of a result, for assertion messages."""
    return "rc=%s after %.1fs\nstdout tail:\n%s\nstderr tail:\n%s" % (
        res.rc, res.elapsed, "\n".join(res.lines[-15:]), res.stderr)


# ---------------------------------------------------------------------------------------------
# The records the programs produce, and their output
# ---------------------------------------------------------------------------------------------

def key_bytes(seq, keys):
    """Key of record `seq` (Common.key / recKey): b"k<seq % keys>", None when keys is 0."""
    return None if keys <= 0 else ("k%d" % (seq % keys)).encode()


def value_bytes(seq, size):
    """Value of record `seq` (Common.value / recValue)."""
    prefix = ("%d:" % seq).encode()
    n = max(size, len(prefix))
    return prefix + bytes(((seq * 131 + j * 7) & 0xff) for j in range(len(prefix), n))


def key_field(key):
    return "-" if key is None else "x" + key.hex()


def field_bytes(field):
    """Inverse of key_field: None for "-", else the bytes of "x" + hex."""
    return None if field == "-" else bytes.fromhex(field[1:])


def hash_field(value):
    return "-" if value is None else hashlib.sha256(value).hexdigest()[:16]


def parse_acks(lines):
    out = []
    for ln in lines:
        f = ln.split(" ")
        if f[0] == "ack" and len(f) == 5:
            out.append(Ack(int(f[1]), int(f[2]), f[3], int(f[4])))
    return out


def parse_recs(lines):
    out = []
    for ln in lines:
        f = ln.split(" ")
        if f[0] == "rec" and len(f) in (7, 8):
            out.append(Rec(int(f[1]), int(f[2]), f[3], int(f[4]), f[5],
                           None if f[6] == "-" else int(f[6]),
                           field_bytes(f[7]) if len(f) == 8 else None))
    return out


def errors(lines):
    return [ln for ln in lines if ln.startswith("err ") or ln.startswith("info fatal")]


def summary(lines):
    """The k=v pairs of the last summary line ({} if none)."""
    for ln in reversed(lines):
        if ln.startswith("summary "):
            return dict(kv.split("=", 1) for kv in ln.split(" ")[1:] if "=" in kv)
    return {}


def check_acks(acks, count, keys):
    """Problems with a producer's acks for records 0..count-1: every seq acknowledged once,
    with its key; no two records at one (partition, offset); within a partition, offsets
    increase with seq (produce order kept). Returns a list of strings (empty: fine)."""
    problems = []
    seqs = sorted(a.seq for a in acks)
    if seqs != list(range(count)):
        missing = sorted(set(range(count)) - set(seqs))
        problems.append("acked %d records for %d sent (missing %s, duplicate acks %d)" % (
            len(acks), count, missing[:10], len(seqs) - len(set(seqs))))
    at = {}
    for a in acks:
        if (a.partition, a.offset) in at:
            problems.append("seq %d and %d both at partition %d offset %d" % (
                at[(a.partition, a.offset)], a.seq, a.partition, a.offset))
        at[(a.partition, a.offset)] = a.seq
        if a.key != key_field(key_bytes(a.seq, keys)):
            problems.append("seq %d acked with key %s" % (a.seq, a.key))
    by_part = {}
    for a in sorted(acks, key=lambda a: a.seq):
        by_part.setdefault(a.partition, []).append(a.offset)
    for p, offs in by_part.items():
        if offs != sorted(offs):
            problems.append("partition %d: offsets not in produce order" % p)
    return problems[:20]


def check_readback(acks, recs, value_size, keys):
    """Problems with a consumer's records against a producer's acks: per partition, the
    records are exactly the acknowledged ones, at their offsets, in offset order, each with
    the key, value length, value hash and seq that record was made with (and the value bytes
    themselves when the consumer printed them), nothing else. Returns a list of strings (empty: fine)."""
    problems = []
    want = {(a.partition, a.offset): a.seq for a in acks}
    seen = set()
    last = {}
    for r in recs:
        where = "partition %d offset %d" % (r.partition, r.offset)
        if r.offset <= last.get(r.partition, -1):
            problems.append("%s: read after offset %d (out of order or repeated)" % (
                where, last[r.partition]))
        last[r.partition] = r.offset
        seq = want.get((r.partition, r.offset))
        if seq is None:
            problems.append("%s: not a record the producer acknowledged" % where)
            continue
        seen.add((r.partition, r.offset))
        v = value_bytes(seq, value_size)
        exp = (key_field(key_bytes(seq, keys)), len(v), hash_field(v), seq)
        got = (r.key, r.length, r.hash, r.seq)
        if got != exp:
            problems.append("%s: got (key, len, hash, seq) %s, want %s" % (where, got, exp))
        elif r.value is not None and r.value != v:
            problems.append("%s: value bytes differ from record %d's" % (where, seq))
    unread = sorted(set(want) - seen)
    if unread:
        problems.append("%d acknowledged records not read, first %s" % (len(unread),
                                                                         unread[:5]))
    return problems[:20]


def duplicates_and_losses(recs, count):
    """(seqs read more than once, seqs of 0..count-1 never read), from rec lines' SEQ: for
    exactly-once checks that do not trust the producer's acks."""
    seen, dup = set(), set()
    for r in recs:
        if r.seq is None:
            continue
        (dup if r.seq in seen else seen).add(r.seq)
    return sorted(dup), sorted(set(range(count)) - seen)
