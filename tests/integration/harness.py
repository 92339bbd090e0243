"""Integration-test harness for kbroker: real ZooKeeper, real broker processes, raw sockets.

Rules this module enforces for every test:
* ports are found free at run time, everything listens on 127.0.0.1;
* every wait loop is bounded in time (and so in count);
* every process is started by this module, tracked, and stopped by PID (SIGTERM, then SIGKILL
  after a bounded wait), also when a test fails (fixtures + an atexit/session safety net);
* broker logs are scanned for sanitizer reports, and a non-zero exit on a clean stop is a
  failure (reported at fixture teardown).

Environment: KB_BIN_DIR = directory holding kbroker (default: <repo>/bin).
"""

import atexit
import json
import os
import random
import signal
import socket
import subprocess
import threading
import time

from kazoo.client import KazooClient

import kproto

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ZK_JAR = "/usr/share/java/zookeeper.jar"
HOST = "127.0.0.1"

SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "runtime error:",
    "SUMMARY: UndefinedBehaviorSanitizer",
)


FIGURES = []   # measured figures, printed in the pytest terminal summary


def report_figure(text):
    """Records a measured figure (printed now, and again in the terminal summary)."""
    print(text)
    FIGURES.append(text)


def bin_dir():
    return os.path.abspath(os.environ.get("KB_BIN_DIR") or os.path.join(REPO, "bin"))


def kbroker_path():
    return os.path.join(bin_dir(), "kbroker")


_PORT_RNG = random.Random()   # seeded from the OS: parallel test sessions pick differently
_HANDED_OUT = set()


def _ephemeral_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo, hi = (int(x) for x in f.read().split())
            return lo, hi
    except (OSError, ValueError):
        return 32768, 60999


def _bindable(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
        return True


def free_port():
    """A TCP port on 127.0.0.1 that is free right now (checked by binding it).

    Ports are taken from *below* the kernel's ephemeral range when possible: a broker that is
    killed and restarted on the same port must not lose that port in between to the source
    port of one of the test's own outgoing connections (the kernel only hands out ephemeral
    ports for those). Falls back to binding port 0 and reading the port."""
    lo, _ = _ephemeral_range()
    if lo > 12000:
        for _ in range(200):
            p = _PORT_RNG.randint(10000, lo - 1)
            if p not in _HANDED_OUT and _bindable(p):
                _HANDED_OUT.add(p)
                return p
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        p = s.getsockname()[1]
    _HANDED_OUT.add(p)
    return p


def port_accepts(port, host=HOST, timeout=0.5):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def consume_partition(bootstrap, topic, partition=0, start=0, reset="earliest", timeout=30):
    """(offset, value) of every message of one partition from `start` up to its end (the
    partition EOF), read with confluent-kafka; raises if the end is not reached in time."""
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "kb-it-check",
                  "enable.auto.commit": False, "auto.offset.reset": reset,
                  "enable.partition.eof": True})
    c.assign([TopicPartition(topic, partition, start)])
    out, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            m = c.poll(1.0)
            if m is None:
                continue
            if m.error():
                if m.error().code() == -191:   # _PARTITION_EOF
                    break
                raise AssertionError(m.error())
            out.append((m.offset(), m.value()))
        else:
            raise AssertionError("no partition EOF within %ss" % timeout)
    finally:
        c.close()
    return out


def wait_until(pred, timeout, interval=0.1, what="condition"):
    """Polls pred() until it returns a truthy value (returned) or `timeout` seconds pass
    (raises TimeoutError). Bounded in time and therefore in count."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while True:
        try:
            v = pred()
            if v:
                return v
        except Exception as e:  # noqa: BLE001 - report the last one on timeout
            last_exc = e
        if time.monotonic() >= deadline:
            raise TimeoutError("timed out after %.1fs waiting for %s%s" % (
                timeout, what, "" if last_exc is None else " (last error: %r)" % (last_exc,)))
        time.sleep(interval)


def wait_serving(broker, topic, partition=0, timeout=30):
    """Waits until `broker`'s own Metadata names it the leader of topic's `partition`.
    ZooKeeper names a leader a moment before that broker has taken the partition over (its
    LeaderAndIsr); a broker names itself only once it can serve. Tests sending raw requests
    (which, unlike a client, do not retry NOT_LEADER_OR_FOLLOWER) wait here first."""
    def leads():
        with broker.conn(10) as c:
            md = c.metadata(5, topics=[topic], allow_auto_topic_creation=False)
        return any(p["partition_index"] == partition and p["leader_id"] == broker.broker_id
                   for p in md["topics"][0]["partitions"])
    wait_until(leads, timeout, interval=0.05,
               what="broker %d serving %s-%d" % (broker.broker_id, topic, partition))


def tail(path, lines=60, max_bytes=64 * 1024):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - max_bytes))
            data = f.read().decode("utf-8", "replace")
    except OSError as e:
        return "<cannot read %s: %s>" % (path, e)
    return "\n".join(data.splitlines()[-lines:])


# ---------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------

_LIVE = {}          # pid -> ManagedProcess, every child currently running
_LIVE_LOCK = threading.Lock()


def live_processes():
    with _LIVE_LOCK:
        return list(_LIVE.values())


def kill_all_children():
    """Safety net (atexit / session end): SIGKILL whatever this harness started and still runs."""
    for p in live_processes():
        p.kill9()


atexit.register(kill_all_children)


class ManagedProcess:
    """One child process with its output appended to a log file (kept across restarts)."""

    def __init__(self, name, argv, log_path, env=None, cwd=None):
        self.name = name
        self.argv = list(argv)
        self.log_path = str(log_path)
        self.env = env
        self.cwd = cwd
        self.proc = None
        self.killed = False          # last exit was caused by our SIGKILL
        self.starts = 0

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def start(self):
        assert not self.alive(), "%s already running" % self.name
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        with open(self.log_path, "ab") as log:
            log.write(("\n===== %s start #%d: %s =====\n" % (
                time.strftime("%H:%M:%S"), self.starts + 1, " ".join(self.argv))).encode())
            log.flush()
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, env=self.env, cwd=self.cwd)
        self.killed = False
        self.starts += 1
        with _LIVE_LOCK:
            _LIVE[self.proc.pid] = self

    def _forget(self):
        if self.proc is not None:
            with _LIVE_LOCK:
                _LIVE.pop(self.proc.pid, None)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def returncode(self):
        return None if self.proc is None else self.proc.poll()

    def wait(self, timeout):
        """Waits up to `timeout` s for the process to exit; returns its code or None."""
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        self._forget()
        return rc

    def terminate(self, timeout=30.0, sig=signal.SIGTERM):
        """Sends `sig` (SIGTERM) by PID, waits up to `timeout` s, then SIGKILLs.
        Returns (exit code, True if it had to be SIGKILLed)."""
        if self.proc is None:
            return None, False
        if self.proc.poll() is not None:
            self._forget()
            return self.proc.returncode, False
        try:
            self.proc.send_signal(sig)
        except ProcessLookupError:
            pass
        rc = self.wait(timeout)
        if rc is not None:
            return rc, False
        self.kill9()
        return self.proc.returncode, True

    def kill9(self):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.killed = True
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # pragma: no cover - a D-state process
                pass
        self._forget()
        return self.proc.returncode

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, lines=60):
        return tail(self.log_path, lines)


# ---------------------------------------------------------------------------------------------
# ZooKeeper
# ---------------------------------------------------------------------------------------------

class ZooKeeper:
    """A standalone ZooKeeper server (Debian's zookeeper.jar) on a free port."""

    def __init__(self, workdir, port=None, tick_ms=1000):
        self.workdir = str(workdir)
        self.port = port or free_port()
        self.tick_ms = tick_ms
        self.data_dir = os.path.join(self.workdir, "zk-data")
        self.log_path = os.path.join(self.workdir, "zookeeper.log")
        self._clients = []
        argv = ["java", "-Xmx256m", "-cp", ZK_JAR, "-Dzookeeper.admin.enableServer=false",
                "org.apache.zookeeper.server.ZooKeeperServerMain",
                str(self.port), self.data_dir, str(self.tick_ms)]
        self.proc = ManagedProcess("zookeeper:%d" % self.port, argv, self.log_path)

    @property
    def connect(self):
        return "%s:%d" % (HOST, self.port)

    def start(self, timeout=60.0):
        os.makedirs(self.data_dir, exist_ok=True)
        self.proc.start()
        deadline = time.monotonic() + timeout
        while True:
            if not self.proc.alive():
                raise RuntimeError("ZooKeeper exited with %s during startup; log tail:\n%s"
                                   % (self.proc.returncode(), self.proc.log_tail()))
            c = KazooClient(hosts=self.connect, timeout=2.0)
            try:
                c.start(timeout=2.0)
                c.get("/")
                c.stop()
                c.close()
                return self
            except Exception:  # noqa: BLE001 - not up yet
                try:
                    c.stop()
                    c.close()
                except Exception:  # noqa: BLE001
                    pass
            if time.monotonic() >= deadline:
                self.stop()
                raise TimeoutError("ZooKeeper on port %d not ready within %.0fs; log tail:\n%s"
                                   % (self.port, timeout, self.proc.log_tail()))
            time.sleep(0.2)

    def client(self, chroot=None, timeout=15.0):
        """A started KazooClient (closed at stop()). chroot like "/kb-x" or None."""
        hosts = self.connect + (chroot or "")
        c = KazooClient(hosts=hosts, timeout=10.0)
        c.start(timeout=timeout)
        self._clients.append(c)
        return c

    def close_clients(self):
        for c in self._clients:
            try:
                c.stop()
                c.close()
            except Exception:  # noqa: BLE001
                pass
        self._clients = []

    def stop(self, timeout=20.0):
        self.close_clients()
        return self.proc.terminate(timeout)[0]

    def kill(self):
        self.close_clients()
        return self.proc.kill9()


# ---------------------------------------------------------------------------------------------
# Broker
# ---------------------------------------------------------------------------------------------


class ZooKeeperRelay:
    """A TCP relay to ZooKeeper for tests that disturb a broker's session: `latency` delays
    every chunk ZooKeeper sends; hold() swallows what the client sends from then on (answers
    and notifications from ZooKeeper still pass); cut() drops every connection (later ones
    relay normally again)."""

    def __init__(self, target_port, latency=0.0):
        self.target = ("127.0.0.1", target_port)
        self.latency = latency
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(16)
        self.port = self.lsock.getsockname()[1]
        self.lock = threading.Lock()
        self.holding = False
        self.held = 0          # bytes swallowed since hold()
        self.pairs = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.lsock.accept()
                u = socket.create_connection(self.target, timeout=5)
            except OSError:
                return
            u.settimeout(None)
            with self.lock:
                self.pairs.append((c, u))
            threading.Thread(target=self._pump, args=(c, u, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(u, c, False), daemon=True).start()

    def _pump(self, a, b, from_client):
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                if not from_client and self.latency:
                    time.sleep(self.latency)
                with self.lock:
                    if from_client and self.holding:
                        self.held += len(data)
                        continue
                b.sendall(data)
        except OSError:
            pass
        for x in (a, b):
            try:
                x.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def hold(self):
        with self.lock:
            self.holding, self.held = True, 0

    def cut(self):
        with self.lock:
            pairs, self.pairs = self.pairs, []
            self.holding = False
        for c, u in pairs:
            for x in (c, u):
                try:
                    x.shutdown(socket.SHUT_RDWR)
                    x.close()
                except OSError:
                    pass

    def close(self):
        self.cut()
        self.lsock.close()


class BrokerDied(RuntimeError):
    pass


class Broker:
    """One kbroker process: properties file, log, readiness, stop/kill/restart, RSS."""

    def __init__(self, workdir, broker_id, zk_connect, port=None, rack=None,
                 session_timeout_ms=6000, config=None, overrides=None, env=None,
                 advertised_host=HOST, name=None):
        self.broker_id = broker_id
        self.port = port or free_port()
        self.rack = rack
        self.zk_connect = zk_connect
        self.session_timeout_ms = session_timeout_ms
        self.extra_config = dict(config or {})
        self.overrides = list(overrides or [])
        self.advertised_host = advertised_host
        self.name = name or "broker-%d" % broker_id
        self.workdir = os.path.join(str(workdir), self.name)
        os.makedirs(self.workdir, exist_ok=True)
        self.config_path = os.path.join(self.workdir, "server.properties")
        self.log_path = os.path.join(self.workdir, "kbroker.log")
        self.expect_failure = False   # set by tests that expect this broker to refuse to run
        self.session_owner = None     # ephemeralOwner of our /brokers/ids/<id> when last ready
        self.problems = []            # unexpected exits, found at stop/teardown
        self._proc = None
        self._rc_seen = False         # the current incarnation's exit code was accounted for
        self._term_sent = False       # send_sigterm() signalled the current incarnation
        run_env = dict(os.environ if env is None else env)
        run_env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        run_env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
        self.env = run_env

    # -- configuration -------------------------------------------------------------------

    def config_dict(self):
        cfg = {
            "broker.id": str(self.broker_id),
            "listeners": "PLAINTEXT://%s:%d" % (HOST, self.port),
            "advertised.listeners": "PLAINTEXT://%s:%d" % (self.advertised_host, self.port),
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT",
            "zookeeper.connect": self.zk_connect,
            "zookeeper.session.timeout.ms": str(self.session_timeout_ms),
            "zookeeper.connection.timeout.ms": "10000",
            "log.dirs": os.path.join(self.workdir, "data"),
        }
        if self.rack is not None:
            cfg["broker.rack"] = self.rack
        cfg.update({k: str(v) for k, v in self.extra_config.items()})
        return cfg

    def write_config(self):
        with open(self.config_path, "w") as f:
            f.write("# written by tests/integration/harness.py\n")
            for k, v in self.config_dict().items():
                f.write("%s=%s\n" % (k, v))

    def argv(self):
        out = [kbroker_path(), self.config_path]
        for o in self.overrides:
            out += ["--override", o]
        return out

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def pid(self):
        return self._proc.pid if self._proc else None

    @property
    def bootstrap(self):
        return "%s:%d" % (HOST, self.port)

    def alive(self):
        return self._proc is not None and self._proc.alive()

    def spawn(self):
        """Writes the config and starts the process without waiting for readiness."""
        if not os.access(kbroker_path(), os.X_OK):
            raise RuntimeError("no kbroker binary at %s (set KB_BIN_DIR)" % kbroker_path())
        self._note_unexpected_exit()
        self._rc_seen = False
        self._term_sent = False
        self.write_config()
        if self._proc is None:
            self._proc = ManagedProcess(self.name, self.argv(), self.log_path, env=self.env)
        else:
            self._proc.argv = self.argv()
        self._proc.start()

    def start(self, zk, timeout=None, stale_owner=None):
        """Starts and waits until ready (see wait_ready). zk: a KazooClient with the same
        chroot the broker uses."""
        self.spawn()
        self.wait_ready(zk, timeout=timeout, stale_owner=stale_owner)
        return self

    def default_ready_timeout(self):
        # A restarted broker may wait a whole session timeout for its old registration to
        # expire; sanitizer builds start slowly on a busy 2-core machine.
        return self.session_timeout_ms / 1000.0 + 45.0

    def wait_ready(self, zk, timeout=None, stale_owner=None):
        """Ready = the TCP port accepts AND /brokers/ids/<id> exists, owned by a ZooKeeper
        session other than `stale_owner` (a registration left by a killed predecessor)."""
        timeout = self.default_ready_timeout() if timeout is None else timeout
        deadline = time.monotonic() + timeout
        path = "/brokers/ids/%d" % self.broker_id
        while True:
            if not self.alive():
                raise BrokerDied("%s exited with code %s before becoming ready; log tail:\n%s"
                                 % (self.name, self._proc.returncode(), self.log_tail()))
            if port_accepts(self.port):
                st = zk.exists(path)
                if st is not None and st.ephemeralOwner != 0 and \
                        st.ephemeralOwner != stale_owner:
                    self.session_owner = st.ephemeralOwner
                    return self
            if time.monotonic() >= deadline:
                raise TimeoutError("%s (pid %s) not ready within %.0fs (port %d accepts: %s, "
                                   "%s: %s); log tail:\n%s" % (
                                       self.name, self.pid, timeout, self.port,
                                       port_accepts(self.port), path, zk.exists(path),
                                       self.log_tail()))
            time.sleep(0.1)

    def _note_unexpected_exit(self):
        """Records a process that exited on its own (crash) since we last looked."""
        if self._proc is None or self._proc.proc is None:
            return
        rc = self._proc.returncode()
        if rc is not None and not self._proc.killed and not self._rc_seen:
            self._rc_seen = True
            if not self.expect_failure:   # nobody asked it to stop: a crash or a bug
                self.problems.append("%s (pid %s) exited on its own with code %s"
                                     % (self.name, self.pid, rc))

    def send_sigterm(self):
        """Sends SIGTERM by PID without waiting (stop() then collects the exit code)."""
        if self.alive():
            try:
                self._proc.proc.send_signal(signal.SIGTERM)
                self._term_sent = True
            except ProcessLookupError:
                pass

    def stop(self, timeout=30.0):
        """Clean shutdown: SIGTERM by PID, wait up to `timeout` s (then SIGKILL). Returns the
        exit code. A non-zero code (or a needed SIGKILL) is recorded in self.problems unless
        expect_failure is set; tests that assert on the code themselves can still do so."""
        if self._proc is None or self._proc.proc is None:
            return None
        was_running = self._proc.alive() or (self._term_sent and not self._rc_seen)
        self._term_sent = False
        if not was_running:
            self._note_unexpected_exit()
        rc, forced = self._proc.terminate(timeout)
        if was_running:
            self._rc_seen = True
            if forced:
                self.problems.append("%s (pid %s) ignored SIGTERM for %.0fs and was SIGKILLed"
                                     % (self.name, self.pid, timeout))
            elif rc != 0 and not self.expect_failure:
                self.problems.append("%s (pid %s) exited with code %s after SIGTERM"
                                     % (self.name, self.pid, rc))
        return rc

    def kill9(self):
        """SIGKILL by PID: no clean shutdown, the ZooKeeper registration stays until the
        session expires."""
        if self._proc is None:
            return None
        if not self._proc.alive():
            self._note_unexpected_exit()
        rc = self._proc.kill9()
        self._rc_seen = True
        return rc

    def restart(self, zk, timeout=None, after_kill=True):
        """Starts again with the same id, port and config; waits for a fresh registration."""
        stale = self.session_owner if after_kill else None
        self.spawn()
        self.wait_ready(zk, timeout=timeout, stale_owner=stale)
        return self

    def wait_exit(self, timeout):
        """Waits for the process to exit on its own; returns the code or None."""
        rc = self._proc.wait(timeout)
        if rc is not None:
            self._rc_seen = True
        return rc

    # -- observation ---------------------------------------------------------------------

    def rss_kb(self):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS for pid %d" % self.pid)

    def log_text(self):
        return self._proc.log_text() if self._proc else ""

    def log_tail(self, lines=60):
        return tail(self.log_path, lines)

    def sanitizer_findings(self):
        found = []
        for line in self.log_text().splitlines():
            if any(m in line for m in SANITIZER_MARKERS):
                found.append(line.strip())
        return found

    def check(self):
        """Problems found so far: unexpected exits and sanitizer reports in the log."""
        self._note_unexpected_exit()
        probs = list(self.problems)
        san = self.sanitizer_findings()
        if san:
            probs.append("%s: sanitizer report(s) in %s:\n  %s" % (
                self.name, self.log_path, "\n  ".join(san[:20])))
        return probs

    def conn(self, timeout=10.0):
        return KConn(HOST, self.port, timeout=timeout)


# ---------------------------------------------------------------------------------------------
# Cluster: ZooKeeper (own or shared) + N brokers
# ---------------------------------------------------------------------------------------------

class Cluster:
    def __init__(self, workdir, n=3, zk=None, chroot=None, ids=None, racks=None,
                 session_timeout_ms=6000, overrides=None, config=None, env=None):
        self.workdir = str(workdir)
        os.makedirs(self.workdir, exist_ok=True)
        self.own_zk = zk is None
        self.zk = zk or ZooKeeper(os.path.join(self.workdir, "zk"))
        self.chroot = chroot
        self.session_timeout_ms = session_timeout_ms
        ids = list(ids or range(1, n + 1))
        racks = racks or {}
        config = dict(config or {})
        # As scripts/run-cluster.sh: __consumer_offsets needs that many live brokers.
        config.setdefault("offsets.topic.replication.factor", str(min(len(ids), 3)))
        # Likewise __transaction_state (replication factor 3 and min.isr 2 by default).
        config.setdefault("transaction.state.log.replication.factor", str(min(len(ids), 3)))
        config.setdefault("transaction.state.log.min.isr", str(min(len(ids), 2)))
        self.brokers = [Broker(self.workdir, i, self.zk.connect + (chroot or ""),
                               rack=racks.get(i), session_timeout_ms=session_timeout_ms,
                               overrides=overrides, config=config, env=env)
                        for i in ids]
        self.extra_brokers = []   # started by tests (e.g. duplicate-id attempts)
        self.kz = None

    @property
    def ids(self):
        return [b.broker_id for b in self.brokers]

    def broker(self, broker_id):
        for b in self.brokers:
            if b.broker_id == broker_id:
                return b
        raise KeyError(broker_id)

    def bootstrap(self, brokers=None):
        return ",".join(b.bootstrap for b in (brokers or self.brokers))

    def start(self):
        self.started_ms = int(time.time() * 1000)
        if self.own_zk:
            self.zk.start()
        if self.chroot:
            root = KazooClient(hosts=self.zk.connect, timeout=10.0)
            root.start(timeout=15.0)
            try:
                root.ensure_path(self.chroot)
            finally:
                root.stop()
                root.close()
        self.kz = KazooClient(hosts=self.zk.connect + (self.chroot or ""), timeout=10.0)
        self.kz.start(timeout=15.0)
        for b in self.brokers:         # spawn all first: they start up in parallel
            b.spawn()
        for b in self.brokers:
            b.wait_ready(self.kz)
        self.wait_controller_known()
        return self

    def wait_controller_known(self, timeout=30.0):
        """Waits until every broker's Metadata names a controller: right after start-up a
        broker may not have seen the election yet, and controller-bound requests sent then
        get NOT_CONTROLLER (clients retry; fixtures should not have to)."""
        deadline = time.time() + timeout
        pending = list(self.brokers)
        while pending:
            b = pending[0]
            try:
                if self.metadata(b, 1, timeout=5.0).get("controller_id", -1) >= 0:
                    pending.pop(0)
                    continue
            except (OSError, ValueError):
                pass
            if time.time() > deadline:
                raise TimeoutError("broker %d names no controller after %.0f s" %
                                   (b.broker_id, timeout))
            time.sleep(0.05)

    def new_broker(self, broker_id, **kw):
        """An extra broker in this cluster's ZooKeeper namespace (stopped at teardown)."""
        kw.setdefault("session_timeout_ms", self.session_timeout_ms)
        kw.setdefault("name", "extra-%d-%d" % (broker_id, len(self.extra_brokers)))
        b = Broker(self.workdir, broker_id, self.zk.connect + (self.chroot or ""), **kw)
        self.extra_brokers.append(b)
        return b

    def cluster_id(self):
        data, _ = self.kz.get("/cluster/id")
        return json.loads(data.decode())["id"]

    def registered_ids(self):
        return sorted(int(x) for x in self.kz.get_children("/brokers/ids"))

    def metadata(self, broker, version=1, timeout=10.0):
        with broker.conn(timeout) as c:
            return c.metadata(version, timeout=timeout)

    def metadata_ids(self, broker, version=1, timeout=10.0):
        return sorted(b["node_id"] for b in self.metadata(broker, version, timeout)["brokers"])

    def stop(self):
        """Stops every broker (SIGTERM to all, then bounded waits), then ZooKeeper if owned.
        Returns the list of problems found (exit codes, sanitizer reports)."""
        everyone = self.brokers + self.extra_brokers
        for b in everyone:            # signal all first so they shut down in parallel
            b.send_sigterm()
        for b in everyone:
            b.stop(timeout=30.0)
        problems = []
        for b in everyone:
            problems += b.check()
        if self.kz is not None:
            self._close_kz()
        if self.own_zk:
            self.zk.stop()
        return problems

    def _close_kz(self):
        try:
            self.kz.stop()
            self.kz.close()
        except Exception:  # noqa: BLE001
            pass

    def log_paths(self):
        out = [(b.name, b.log_path) for b in self.brokers + self.extra_brokers]
        if self.own_zk:
            out.append(("zookeeper", self.zk.log_path))
        return out


# ---------------------------------------------------------------------------------------------
# Raw Kafka connection
# ---------------------------------------------------------------------------------------------

class ConnClosed(Exception):
    """The broker closed the connection (EOF or reset)."""


class ConnTimeout(Exception):
    """Nothing (or not enough) arrived in time."""


class KConn:
    """A raw TCP connection to a broker speaking the Kafka framing."""

    def __init__(self, host, port, timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buf = b""
        self._corr = 1000

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def next_corr(self):
        self._corr += 1
        return self._corr

    def send(self, data):
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError) as e:
            raise ConnClosed("send failed: %s" % e) from e

    def _fill(self, n, deadline):
        while len(self._buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ConnTimeout("have %d of %d bytes" % (len(self._buf), n))
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(max(65536, n - len(self._buf)))
            except socket.timeout as e:
                raise ConnTimeout("have %d of %d bytes" % (len(self._buf), n)) from e
            except ConnectionResetError as e:
                raise ConnClosed("reset after %d of %d bytes" % (len(self._buf), n)) from e
            if not chunk:
                raise ConnClosed("EOF after %d of %d bytes" % (len(self._buf), n))
            self._buf += chunk

    def recv_frame(self, timeout=10.0, max_size=256 * 1024 * 1024):
        """One response payload (without its size). Raises ConnClosed / ConnTimeout."""
        deadline = time.monotonic() + timeout
        self._fill(4, deadline)
        size = int.from_bytes(self._buf[:4], "big", signed=True)
        if size < 4 or size > max_size:
            raise AssertionError("broker sent an impossible response size %d" % size)
        self._fill(4 + size, deadline)
        payload = self._buf[4:4 + size]
        self._buf = self._buf[4 + size:]
        return payload

    def request(self, api_key, version, body, timeout=10.0, corr=None, client_id="kb-it"):
        """Sends one request and decodes its response with kproto; checks the correlation id."""
        corr = self.next_corr() if corr is None else corr
        self.send(kproto.frame(kproto.encode_request(api_key, version, corr, body, client_id)))
        resp = kproto.decode_response(api_key, version, self.recv_frame(timeout))
        if resp["correlation_id"] != corr:
            raise AssertionError("correlation id %d in the response, %d sent"
                                 % (resp["correlation_id"], corr))
        return resp

    def api_versions(self, version=0, timeout=10.0, **kw):
        return self.request(kproto.API_API_VERSIONS, version,
                            kproto.encode_api_versions_body(version, **kw), timeout)

    def metadata(self, version=1, timeout=10.0, **kw):
        return self.request(kproto.API_METADATA, version,
                            kproto.encode_metadata_body(version, **kw), timeout)

    def wait_closed(self, timeout):
        """Reads until the peer closes or `timeout` s pass.
        Returns (closed, data received meanwhile, seconds waited)."""
        t0 = time.monotonic()
        deadline = t0 + timeout
        data = self._buf
        self._buf = b""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False, data, time.monotonic() - t0
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return False, data, time.monotonic() - t0
            except ConnectionResetError:
                return True, data, time.monotonic() - t0
            if not chunk:
                return True, data, time.monotonic() - t0
            data += chunk


def raw_request(port, payload, timeout=10.0):
    """Sends one already-framed byte string on a fresh connection and returns the first
    response payload."""
    with KConn(HOST, port, timeout) as c:
        c.send(payload)
        return c.recv_frame(timeout)
