"""kcat (1.7.1, librdkafka 2.0.2) as a producer and consumer for the integration tests.

    import kcat
    kcat.produce(bootstrap, topic, messages, codec="lz4", acks=-1)   -> dict summary
    kcat.consume(bootstrap, topic, count, timeout=60)                -> ConsumeResult

messages: a list of (partition, key, value, headers) with key/value bytes or None and
headers a list of (name: str, value: bytes or None).

How exact the round trip is (checked against kcat 1.7.1's sources, json.c / kcat.c /
input.c, and on a broker):

* Consuming (-C -J) is byte-exact. kcat writes keys, values and header values with
  yajl_gen_string, which escapes only '"', '\\' and bytes below 0x20 and copies every other
  byte verbatim (no UTF-8 validation), and writes null keys/values/header values as JSON
  null. Decoding each output line as latin-1 before json.loads and encoding the strings back
  with latin-1 therefore gives the original bytes; empty and null stay distinct. Header
  names are C strings (no NUL).

* Producing (-P from stdin) cannot say everything a Kafka record can:
  - messages are split on a delimiter (-D) and keys on a key delimiter (-K). This module
    picks random 8-byte delimiters from bytes 0x80-0xff (kcat's -D/-K parser only
    interprets backslash escapes) that occur in no key and no value, so any bytes round-trip;
  - headers (-H name=value, -H name for a null value) apply to every message of one kcat
    run, header values cannot contain NUL and names cannot contain '=' or be empty; so
    messages are produced in runs of consecutive messages with equal headers and partition,
    one kcat process per run;
  - null keys/values: without -Z a record with no key delimiter has a null key and an empty
    part is an empty (non-null) key/value; with -Z every empty key/value becomes null. So
    (key empty, value null) and (key null, value empty) cannot be produced at all (and kcat
    skips an empty record): produce() raises Unrepresentable for them;
  - the partition is per run (-p); messages with partition None use librdkafka's
    partitioner and may not be mixed with explicit partitions in one call.
  Runs for different partitions go in parallel (one thread per partition, runs of one
  partition strictly one after another, so per-partition order is the input order). kcat
  reports no per-message offsets.
"""

import json
import os
import random
import subprocess
import threading
import time

KCAT = os.environ.get("KCAT", "kcat")


class KcatError(RuntimeError):
    pass


class Unrepresentable(ValueError):
    """A message kcat -P cannot produce exactly."""


def _delim_arg(d):
    return "".join("\\x%02x" % b for b in d)


def _pick_delims(messages, rng):
    """A message delimiter and a key delimiter that split every record where intended."""
    for _ in range(100):
        d = bytes(rng.randint(0x80, 0xFF) for _ in range(8))
        kd = bytes(rng.randint(0x80, 0xFF) for _ in range(8))
        if d in kd + d[:-1] or kd in d + kd[:-1] or d in kd + kd or kd in d + d:
            continue
        ok = True
        for i, (_, k, v, _) in enumerate(messages):
            if k and (k + kd).find(kd) != len(k):
                ok = False          # the key would be cut short
            else:
                for rec in _modes(i, k, v, kd).values():
                    if (rec + d).find(d) != len(rec):
                        ok = False  # the record would be cut short
            if not ok:
                break
        if ok:
            return d, kd
    raise Unrepresentable("no delimiter pair avoids the payloads")


def _modes(i, key, value, kd):
    """The kcat modes (False: plain, True: -Z) that can produce (key, value), each with the
    record bytes to write (before the message delimiter)."""
    out = {}
    # plain: a key delimiter present -> key (possibly empty) + value (possibly empty);
    #        absent -> key null, value = whole record (must be non-empty).
    if value is not None:
        if key is not None:
            out[False] = key + kd + value
        elif value and kd not in value:
            out[False] = value
    # -Z: empty key/value parts become null, so only null or non-empty ones are possible.
    if (key is None or key) and (value is None or value):
        out[True] = (key or b"") + kd + (value or b"")
    if not out:
        raise Unrepresentable(
            "message %d: key %s with value %s cannot be produced by kcat (-Z turns every "
            "empty key/value into null, without -Z a null value is impossible)" % (
                i, "null" if key is None else "empty" if not key else "set",
                "null" if value is None else "empty" if not value else "set"))
    return out


def _header_args(i, headers):
    args = []
    for name, value in headers:
        nb = name.encode("utf-8")
        if not nb or b"=" in nb or b"\0" in nb:
            raise Unrepresentable("message %d: header name %r cannot be given to kcat -H"
                                  % (i, name))
        if value is None:
            args += ["-H", nb]
        else:
            if b"\0" in value:
                raise Unrepresentable("message %d: header %r has a NUL byte (kcat -H takes "
                                      "a C string)" % (i, name))
            args += ["-H", nb + b"=" + value]
    return args


def plan_runs(messages, seed=0):
    """Splits messages into kcat runs. Returns (delim, key_delim, {partition: [run, ...]}),
    each run a dict(z=bool, headers=[args], records=[bytes], indexes=[int])."""
    msgs = [(p, k, v, list(h or [])) for p, k, v, h in messages]
    parts = {p for p, _, _, _ in msgs}
    if None in parts and len(parts) > 1:
        raise Unrepresentable("kcat.produce: partition None mixed with explicit partitions")
    d, kd = _pick_delims(msgs, random.Random(seed))
    seqs = {}
    for i, (p, k, v, h) in enumerate(msgs):
        seqs.setdefault(p, []).append((i, _modes(i, k, v, kd), h, _header_args(i, h)))
    by_part = {}
    for p, seq in seqs.items():
        # reach[j][z]: how many messages from j on can share one run in mode z (same headers)
        reach = [None] * len(seq)
        for j in range(len(seq) - 1, -1, -1):
            same = j + 1 < len(seq) and seq[j + 1][2] == seq[j][2]
            reach[j] = {z: (1 + (reach[j + 1][z] if same else 0)) if z in seq[j][1] else 0
                        for z in (False, True)}
        runs = by_part[p] = []
        cur = None
        for j, (i, modes, h, hargs) in enumerate(seq):
            if cur is None or cur["hkey"] != h or cur["z"] not in modes:
                z = reach[j][True] > reach[j][False]
                cur = {"z": z, "hkey": h, "headers": hargs, "records": [], "indexes": []}
                runs.append(cur)
            cur["records"].append(modes[cur["z"]])
            cur["indexes"].append(i)
    return d, kd, by_part


def produce(bootstrap, topic, messages, codec="none", acks=1, extra=None, timeout=300,
            seed=0):
    """Produces `messages` with kcat -P (see the module doc for what is representable).
    Raises Unrepresentable before starting anything, KcatError if a kcat run fails (non-zero
    exit: kcat exits 1 when a delivery report carried an error) or times out. Returns
    {"messages", "runs", "elapsed_s"}."""
    d, kd, by_part = plan_runs(messages, seed)
    deadline = time.monotonic() + timeout
    errors = []
    runs_done = [0]
    lock = threading.Lock()

    def run_partition(p, runs):
        for run in runs:
            argv = [KCAT, "-P", "-b", bootstrap, "-t", topic, "-z", codec,
                    "-D", _delim_arg(d), "-K", _delim_arg(kd),
                    "-X", "acks=%s" % acks, "-X", "enable.idempotence=false",
                    "-X", "max.in.flight.requests.per.connection=1",
                    "-X", "linger.ms=5", "-X", "message.timeout.ms=%d" % int(timeout * 1000)]
            if p is not None:
                argv += ["-p", str(p)]
            if run["z"]:
                argv.append("-Z")
            argv += run["headers"]
            for kv in extra or {}:
                argv += ["-X", "%s=%s" % (kv, extra[kv])]
            data = d.join(run["records"]) + d
            left = deadline - time.monotonic()
            if left <= 0:
                with lock:
                    errors.append("partition %s: out of time before run %d" % (p, run["indexes"][0]))
                return
            try:
                # librdkafka fails undeliverable messages after message.timeout.ms: give
                # kcat a little longer so that surfaces as its error, not as our timeout.
                r = subprocess.run(argv, input=data, capture_output=True, timeout=left + 15)
            except subprocess.TimeoutExpired:
                with lock:
                    errors.append("partition %s: kcat -P timed out (%d messages from #%d)"
                                  % (p, len(run["indexes"]), run["indexes"][0]))
                return
            if r.returncode != 0:
                with lock:
                    errors.append("partition %s: kcat -P exited %d (%d messages from #%d): %s"
                                  % (p, r.returncode, len(run["indexes"]), run["indexes"][0],
                                     r.stderr.decode("utf-8", "replace")[-2000:]))
                return
            with lock:
                runs_done[0] += 1

    t0 = time.monotonic()
    threads = [threading.Thread(target=run_partition, args=(p, runs), daemon=True)
               for p, runs in sorted(by_part.items(), key=lambda kv: -1 if kv[0] is None
                                     else kv[0])]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()) + 5)
    if any(t.is_alive() for t in threads):
        errors.append("kcat producer threads still running after %.0fs" % timeout)
    if errors:
        raise KcatError("; ".join(errors))
    return {"messages": len(messages), "runs": runs_done[0],
            "elapsed_s": round(time.monotonic() - t0, 3)}


class ConsumeResult:
    def __init__(self, messages, returncode, stderr, timed_out, elapsed):
        self.messages = messages      # [{"partition","offset","key","value","headers","timestamp"}]
        self.returncode = returncode
        self.stderr = stderr
        self.timed_out = timed_out
        self.elapsed = elapsed

    def __repr__(self):
        return "<kcat.ConsumeResult %d messages rc=%s timed_out=%s stderr=%r>" % (
            len(self.messages), self.returncode, self.timed_out, self.stderr[-500:])


def _unlatin(s):
    return None if s is None else s.encode("latin-1")


def parse_json_line(line):
    """One kcat -J line (bytes) -> dict with bytes key/value/header values."""
    d = json.loads(line.decode("latin-1"))
    hl = d.get("headers") or []
    headers = [(hl[j].encode("latin-1").decode("utf-8"), _unlatin(hl[j + 1]))
               for j in range(0, len(hl), 2)]
    return {"partition": d["partition"], "offset": d["offset"], "key": _unlatin(d["key"]),
            "value": _unlatin(d["payload"]), "headers": headers, "timestamp": d.get("ts")}


def consume(bootstrap, topic, count, timeout=60, from_beginning=True, partition=None,
            exit_at_eof=False, extra=None):
    """kcat -C -J -c count: every partition (or one) from the beginning (-o beginning: a
    ListOffsets(EARLIEST) first) or, with from_beginning=False, from the absolute offset 0.
    Waits for `count` messages (or, with exit_at_eof, until every partition is at its end)
    at most `timeout` s; on timeout kcat is killed and what it printed is returned with
    timed_out=True."""
    argv = [KCAT, "-C", "-q", "-J", "-b", bootstrap, "-t", topic, "-c", str(count),
            "-o", "beginning" if from_beginning else "0",
            "-X", "check.crcs=true", "-X", "fetch.wait.max.ms=100"]
    if partition is not None:
        argv += ["-p", str(partition)]
    if exit_at_eof:
        argv.append("-e")
    for k in extra or {}:
        argv += ["-X", "%s=%s" % (k, extra[k])]
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    timed_out = False
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        p.kill()
        out, err = p.communicate(timeout=30)
    msgs = [parse_json_line(line) for line in out.split(b"\n") if line.strip()]
    return ConsumeResult(msgs, p.returncode, err.decode("utf-8", "replace"), timed_out,
                         time.monotonic() - t0)
