"""Apache Kafka as the benchmark's peer: server.properties, the JVM command line, start and
stop, readiness through ZooKeeper. Used by bench/run_bench.py; the jars come from
scripts/fetch-kafka.sh (a cache outside the repository).

The JVM is started the way kafka-server-start.sh / kafka-run-class.sh start it by default
(-Xmx1G -Xms1G, G1 with MaxGCPauseMillis=20 and InitiatingHeapOccupancyPercent=35,
ExplicitGCInvokesConcurrent, headless), main class kafka.Kafka, in ZooKeeper mode (3.9.x).
"""
import glob
import os
import subprocess
import time

import harness

JVM_FLAGS = ["-Xmx1G", "-Xms1G", "-server", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
             "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
             "-XX:MaxInlineLevel=15", "-Djava.awt.headless=true"]

LOG4J = """log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
"""


def fetch(repo_root):
    """Runs scripts/fetch-kafka.sh; returns (version, libs directory)."""
    out = subprocess.run(["bash", os.path.join(repo_root, "scripts", "fetch-kafka.sh")],
                         check=True, stdout=subprocess.PIPE, text=True).stdout.split()
    home = out[-1]
    jar = glob.glob(os.path.join(home, "libs", "kafka_2.13-*.jar"))[0]
    version = os.path.basename(jar)[len("kafka_2.13-"):-len(".jar")]
    return version, os.path.join(home, "libs")


class KafkaBroker:
    """One Kafka broker process in ZooKeeper mode."""

    def __init__(self, workdir, libs, broker_id, zk_connect, config=None):
        self.broker_id = broker_id
        self.port = harness.free_port()
        self.workdir = os.path.join(str(workdir), "kafka-%d" % broker_id)
        os.makedirs(self.workdir, exist_ok=True)
        self.zk_connect = zk_connect
        self.config = dict(config or {})
        self.libs = libs
        self.log_path = os.path.join(self.workdir, "server.log")
        self.proc = None

    @property
    def bootstrap(self):
        return "%s:%d" % (harness.HOST, self.port)

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def properties(self):
        cfg = {
            "broker.id": str(self.broker_id),
            "listeners": "PLAINTEXT://%s:%d" % (harness.HOST, self.port),
            "advertised.listeners": "PLAINTEXT://%s:%d" % (harness.HOST, self.port),
            "zookeeper.connect": self.zk_connect,
            "zookeeper.session.timeout.ms": "18000",
            "log.dirs": os.path.join(self.workdir, "data"),
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
        }
        cfg.update({k: str(v) for k, v in self.config.items()})
        return cfg

    def start(self):
        props = os.path.join(self.workdir, "server.properties")
        with open(props, "w") as f:
            f.write("# written by bench/peer/kafka.py\n")
            for k, v in self.properties().items():
                f.write("%s=%s\n" % (k, v))
        log4j = os.path.join(self.workdir, "log4j.properties")
        with open(log4j, "w") as f:
            f.write(LOG4J)
        cp = ":".join(sorted(glob.glob(os.path.join(self.libs, "*.jar"))))
        argv = (["java"] + JVM_FLAGS +
                ["-Dlog4j.configuration=file:" + log4j, "-Dkafka.logs.dir=" + self.workdir,
                 "-cp", cp, "kafka.Kafka", props])
        self.proc = harness.ManagedProcess("kafka-%d" % self.broker_id, argv, self.log_path)
        self.proc.start()
        return self

    def wait_ready(self, kz, timeout=120.0):
        """Ready once registered in ZooKeeper (kz has the cluster's chroot) and listening."""
        def ready():
            if not self.proc.alive():
                raise RuntimeError("kafka %d exited:\n%s" % (self.broker_id,
                                                             harness.tail(self.log_path)))
            return (kz.exists("/brokers/ids/%d" % self.broker_id) is not None and
                    harness.port_accepts(self.port))
        harness.wait_until(ready, timeout, interval=0.2, what="kafka %d ready" % self.broker_id)

    def stop(self, timeout=60.0):
        if self.proc and self.proc.alive():
            self.proc.terminate(timeout=timeout)


class KafkaCluster:
    """n Kafka brokers sharing one ZooKeeper under their own chroot."""

    def __init__(self, workdir, libs, zk, chroot, ids, config=None):
        self.zk, self.chroot = zk, chroot
        self.brokers = [KafkaBroker(workdir, libs, i, zk.connect + chroot, config) for i in ids]
        self.kz = None

    def bootstrap(self):
        return ",".join(b.bootstrap for b in self.brokers)

    def pids(self):
        return [b.pid for b in self.brokers]

    def start(self):
        root = self.zk.client()
        root.ensure_path(self.chroot)
        self.kz = self.zk.client(chroot=self.chroot)
        for b in self.brokers:
            b.start()
        for b in self.brokers:
            b.wait_ready(self.kz)
        time.sleep(1.0)  # the controller's first metadata push
        return self

    def stop(self):
        for b in self.brokers:
            if b.proc and b.proc.alive():
                os.kill(b.pid, 15)
        for b in self.brokers:
            b.stop()
        return []
