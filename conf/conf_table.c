/* conf_table.c — the table of every configuration key kbroker honours: name, type, bounds,
 * default, documentation and the struct kb_config field it fills. Parsing, validation,
 * `--help-config` and config/server.properties are all generated from it (conf.c). Key names
 * and meanings follow Apache Kafka's broker configuration (ZooKeeper mode). */
#include "conf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define INT32_BOUNDS(lo) .min = (lo), .max = INT32_MAX
#define FIELD(f) .offset = offsetof(struct kb_config, f)

static int zk_fail(char *err, size_t errlen, const char *fmt, ...) KB_PRINTF(3, 4);

static int zk_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Validates a "/a/b" chroot: no trailing '/', no empty, "." or ".." components. */
static int zk_check_chroot(const char *c, char *err, size_t errlen)
{
	size_t n = strlen(c);
	if (n == 1 || c[n - 1] == '/')
		return zk_fail(err, errlen, "chroot '%s' must not end with '/'", c);
	for (const char *p = c; *p; p++) {
		if (isspace((unsigned char)*p) || !isprint((unsigned char)*p))
			return zk_fail(err, errlen, "chroot '%s' contains a blank or control character",
			               c);
	}
	for (const char *p = c; p; p = strchr(p + 1, '/')) {
		const char *end = strchr(p + 1, '/');
		size_t len = end ? (size_t)(end - p - 1) : strlen(p + 1);
		if (len == 0 || (len == 1 && p[1] == '.') ||
		    (len == 2 && p[1] == '.' && p[2] == '.'))
			return zk_fail(err, errlen, "chroot '%s' has an empty, '.' or '..' component", c);
	}
	return 0;
}

static bool zk_host_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '-' || c == '_';
}

/* Validates one "host:port" or "[v6]:port" server of the ensemble ([s, s+n)). */
static int zk_check_server(const char *s, size_t n, char *err, size_t errlen)
{
	size_t i = 0;
	if (n > 0 && s[0] == '[') {
		while (i < n && s[i] != ']')
			i++;
		if (i == n || i < 3)
			goto bad;
		for (size_t j = 1; j < i; j++)
			if (!isxdigit((unsigned char)s[j]) && s[j] != ':' && s[j] != '.')
				goto bad;
		i++;
	} else {
		while (i < n && zk_host_char(s[i]))
			i++;
		if (i == 0)
			goto bad;
	}
	if (i >= n || s[i] != ':' || n - i - 1 == 0 || n - i - 1 > 5)
		goto bad;
	long port = 0;
	for (size_t j = i + 1; j < n; j++) {
		if (!isdigit((unsigned char)s[j]))
			goto bad;
		port = port * 10 + (s[j] - '0');
	}
	if (port < 1 || port > 65535)
		return zk_fail(err, errlen, "server '%.*s': port must be 1-65535", (int)n, s);
	return 0;
bad:
	return zk_fail(err, errlen, "server '%.*s' is not host:port", (int)n, s);
}

/* zookeeper.connect: host:port[,host:port...][/chroot]. */
static int zk_check_connect(const char *v, char *err, size_t errlen)
{
	const char *chroot = strchr(v, '/');
	size_t servers = chroot ? (size_t)(chroot - v) : strlen(v);
	if (servers == 0)
		return zk_fail(err, errlen, "'%s' has no host:port", v);
	const char *p = v;
	while (p < v + servers) {
		const char *comma = memchr(p, ',', (size_t)(v + servers - p));
		size_t len = comma ? (size_t)(comma - p) : (size_t)(v + servers - p);
		if (zk_check_server(p, len, err, errlen) != 0)
			return -1;
		if (!comma)
			break;
		p = comma + 1;
		if (p == v + servers)
			return zk_fail(err, errlen, "'%s' ends its server list with ','", v);
	}
	return chroot ? zk_check_chroot(chroot, err, errlen) : 0;
}

const struct conf_key conf_keys[] = {
	{
		.name = "broker.id", .type = CONF_INT, FIELD(broker_id), INT32_BOUNDS(0),
		.required = true, .example = "0",
		.doc = "Id of this broker, unique within the cluster. The broker registers under "
		       "/brokers/ids/<id> in ZooKeeper, clients see it as the node id in metadata, "
		       "and partition replica lists and leaders name brokers by it, so it must stay the "
		       "same for as long as the broker keeps its data. Kafka can generate an id when "
		       "none is configured; kbroker does not generate ids yet, so this key is required.",
	},
	{
		.name = "broker.rack", .type = CONF_STRING, FIELD(broker_rack), .example = "rack1",
		.valid = "any text",
		.doc = "Rack, room or availability zone this broker runs in. It is published with the "
		       "broker's registration and returned to clients in metadata, so rack-aware "
		       "replica placement can spread the replicas of a partition over different "
		       "racks. Unset: the broker reports no rack.",
	},
	{
		.name = "listeners", .type = CONF_LIST, FIELD(listeners), .def = "PLAINTEXT://:9092",
		.valid = "comma-separated NAME://host:port; host empty, a name, an IPv4 address or "
		         "an [IPv6] address; port 0-65535",
		.doc = "Addresses the broker accepts client and broker connections on, as a comma-"
		       "separated list of NAME://host:port. NAME is a listener name (case-insensitive) "
		       "whose security protocol comes from listener.security.protocol.map. An empty "
		       "host listens on all interfaces, a host name or IPv4 address listens on that "
		       "address only, and an IPv6 address is written in brackets, e.g. "
		       "PLAINTEXT://[::1]:9092. Port 0 takes any free port. Listener names must be "
		       "unique, and so must ports other than 0.",
	},
	{
		.name = "advertised.listeners", .type = CONF_LIST, FIELD(advertised_listeners),
		.example = "PLAINTEXT://your.host.name:9092",
		.valid = "comma-separated NAME://host:port, NAME among the listeners, a host clients "
		         "can reach (not empty, 0.0.0.0 or ::), port 1-65535",
		.doc = "Addresses published in ZooKeeper and handed to clients in metadata, when they "
		       "must differ from the addresses the broker listens on (NAT, containers, a "
		       "listener bound to all interfaces). Same NAME://host:port syntax as listeners; "
		       "each NAME must be one of the listeners, and each host must be one clients can "
		       "reach, so not empty, 0.0.0.0 or ::. Unset: the broker advertises listeners, "
		       "replacing an empty host with this machine's hostname (a listener on 0.0.0.0 "
		       "or :: then needs this key).",
	},
	{
		.name = "listener.security.protocol.map", .type = CONF_LIST,
		FIELD(listener_security_protocol_map),
		.def = "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
		.validate = conf_check_protocol_map,
		.valid = "comma-separated NAME:PROTOCOL, PROTOCOL one of PLAINTEXT, SSL, "
		         "SASL_PLAINTEXT, SASL_SSL",
		.doc = "Security protocol of each listener name, as comma-separated NAME:PROTOCOL "
		       "pairs. Add a pair to use your own listener names, e.g. "
		       "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT for two plaintext listeners. The "
		       "protocols are PLAINTEXT, SSL, SASL_PLAINTEXT and SASL_SSL, but kbroker only "
		       "implements PLAINTEXT so far: a listener whose name maps to any other protocol "
		       "is refused when the configuration is loaded.",
	},
	{
		.name = "zookeeper.connect", .type = CONF_STRING, FIELD(zookeeper_connect),
		.required = true, .example = "127.0.0.1:2181", .validate = zk_check_connect,
		.valid = "host:port[,host:port...][/chroot], port 1-65535, IPv6 host in brackets",
		.doc = "ZooKeeper ensemble that coordinates the cluster: the broker registers in it "
		       "and keeps the cluster's metadata there. Give several servers of the ensemble, "
		       "as host:port,host:port, so the broker can fail over between them. An optional "
		       "chroot suffix such as /kafka puts all of the cluster's znodes under that path, "
		       "so several clusters can share one ensemble; every broker and tool of a cluster "
		       "must then use the same chroot.",
	},
	{
		.name = "zookeeper.session.timeout.ms", .type = CONF_INT,
		FIELD(zookeeper_session_timeout_ms), INT32_BOUNDS(1000), .def = "18000",
		.doc = "ZooKeeper session timeout in milliseconds. When ZooKeeper hears nothing from "
		       "the broker for this long (the process stalled, the network failed), the "
		       "session expires, the broker's registration vanishes and the cluster treats "
		       "the broker as gone. Lower values detect dead brokers sooner but risk expiry "
		       "during short stalls. The ZooKeeper server may clamp the value to its own "
		       "minimum and maximum session timeouts.",
	},
	{
		.name = "zookeeper.connection.timeout.ms", .type = CONF_INT,
		FIELD(zookeeper_connection_timeout_ms), INT32_BOUNDS(-1), .def = "-1",
		.doc = "Longest time in milliseconds the broker waits for its ZooKeeper session to be "
		       "established before it gives up and fails to start. -1 uses the value of "
		       "zookeeper.session.timeout.ms.",
	},
	{
		.name = "socket.request.max.bytes", .type = CONF_INT, FIELD(socket_request_max_bytes),
		INT32_BOUNDS(1024), .def = "104857600",
		.doc = "Largest request the broker accepts, in bytes, as announced by the 4-byte size "
		       "that precedes every request (the size field itself not counted). A connection "
		       "announcing a larger request is closed before any memory is allocated for it. "
		       "This also caps produce requests, so keep it above the largest batch producers "
		       "send.",
	},
	{
		.name = "connections.max.idle.ms", .type = CONF_LONG, FIELD(connections_max_idle_ms),
		.min = -1, .max = INT64_MAX, .def = "600000",
		.doc = "Milliseconds a client connection may stay without any traffic before the "
		       "broker closes it; clients simply reconnect when they next need the broker. "
		       "-1 never closes idle connections.",
	},
	{
		.name = "max.connections", .type = CONF_INT, FIELD(max_connections), .min = 1,
		.max = 1000000, .def = "10000",
		.doc = "Most client connections the broker keeps open at once, over all listeners; "
		       "a connection accepted beyond it is closed straight away. Unlike Kafka, whose "
		       "default is unlimited, kbroker's default is finite so that a flood of "
		       "connections cannot exhaust file descriptors or memory. Keep it well below the "
		       "process's limit on open files, which log segments also draw on.",
	},
	{
		.name = "auto.create.topics.enable", .type = CONF_BOOL,
		FIELD(auto_create_topics_enable), .def = "true",
		.doc = "Create a topic when a client asks for metadata about a topic that does not "
		       "exist (and the request allows it), with num.partitions partitions and "
		       "default.replication.factor replicas. The client is told LEADER_NOT_AVAILABLE "
		       "until the new partitions have leaders, and retries.",
	},
	{
		.name = "num.partitions", .type = CONF_INT, FIELD(num_partitions), .min = 1,
		.max = 100000, .def = "1",
		.doc = "Partitions of a topic created automatically, or through CreateTopics with a "
		       "partition count of -1.",
	},
	{
		.name = "default.replication.factor", .type = CONF_INT,
		FIELD(default_replication_factor), .min = 1, .max = 32767, .def = "1",
		.doc = "Replicas of each partition of a topic created automatically, or through "
		       "CreateTopics with a replication factor of -1. It cannot exceed the number of "
		       "live brokers when the topic is created.",
	},
	{
		.name = "delete.topic.enable", .type = CONF_BOOL, FIELD(delete_topic_enable),
		.def = "true",
		.doc = "Allow topics to be deleted. When false, DeleteTopics answers "
		       "TOPIC_DELETION_DISABLED and the controller removes deletion markers written "
		       "straight into ZooKeeper without deleting anything.",
	},
	{
		.name = "unclean.leader.election.enable", .type = CONF_BOOL,
		FIELD(unclean_leader_election_enable), .def = "false",
		.doc = "When every in-sync replica of a partition is down, let a live replica that is "
		       "not in sync become leader. The partition becomes available again at the cost "
		       "of losing the messages the new leader never received. False keeps the "
		       "partition offline (leader -1) until an in-sync replica returns. The topic "
		       "config of the same name overrides it per topic.",
	},
	{
		.name = "auto.leader.rebalance.enable", .type = CONF_BOOL,
		FIELD(auto_leader_rebalance_enable), .def = "true",
		.doc = "Let the controller move leadership back to each partition's preferred replica "
		       "(the first in its replica list) when a broker leads too few of the partitions "
		       "it is preferred for; checked every leader.imbalance.check.interval.seconds.",
	},
	{
		.name = "leader.imbalance.check.interval.seconds", .type = CONF_LONG,
		FIELD(leader_imbalance_check_interval_seconds), .min = 1, .max = 86400 * 365,
		.def = "300",
		.doc = "Seconds between the controller's checks for leader imbalance (see "
		       "auto.leader.rebalance.enable).",
	},
	{
		.name = "leader.imbalance.per.broker.percentage", .type = CONF_INT,
		FIELD(leader_imbalance_per_broker_percentage), .min = 0, .max = 100, .def = "10",
		.doc = "Share of a broker's preferred partitions it may fail to lead, in percent, "
		       "before the controller runs preferred-leader elections for them.",
	},
};

const size_t conf_nkeys = KB_ARRAY_LEN(conf_keys);
