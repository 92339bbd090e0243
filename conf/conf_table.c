/* conf_table.c — the table of every configuration key kbroker honours: name, type, bounds,
 * default, documentation and the struct kb_config field it fills. Parsing, validation,
 * `--help-config` and config/server.properties are all generated from it (conf.c). Key names
 * and meanings follow Apache Kafka's broker configuration (ZooKeeper mode). */
#include "conf_int.h"

#include <stdlib.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define INT32_BOUNDS(lo) .min = (lo), .max = INT32_MAX
#define FIELD(f) .offset = offsetof(struct kb_config, f)

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
		.required = true, .example = "127.0.0.1:2181", .validate = conf_check_zk_connect,
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
		.name = "max.connections.per.ip", .type = CONF_INT, FIELD(max_connections_per_ip),
		INT32_BOUNDS(0), .def = "2147483647",
		.doc = "Most connections the broker keeps open from one IP address, over all "
		       "listeners; a connection beyond it is closed as soon as it is accepted. An "
		       "IPv4 address reached over IPv6 (::ffff:a.b.c.d) counts as that IPv4 address. "
		       "0 is allowed only together with max.connections.per.ip.overrides: then only "
		       "the hosts listed there may connect.",
	},
	{
		.name = "max.connections.per.ip.overrides", .type = CONF_LIST,
		FIELD(max_connections_per_ip_overrides), .validate = conf_check_ip_overrides,
		.example = "127.0.0.1:200,broker-host:1000",
		.valid = "comma-separated host:count; host a name, an IPv4 or an IPv6 address, "
		         "count 0-2147483647",
		.doc = "Per-host exceptions to max.connections.per.ip, as comma-separated host:count "
		       "entries. A host name is resolved when the broker starts and the count applies "
		       "to each of its addresses. Unset: every address has the default limit.",
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
	{
		.name = "kbroker.max.partitions.per.cluster", .type = CONF_INT,
		FIELD(max_partitions_per_cluster), INT32_BOUNDS(1), .def = "200000",
		.doc = "kbroker-specific. Most partitions the cluster may hold: the controller refuses "
		       "a CreateTopics or CreatePartitions (validate_only too) that would take the "
		       "cluster past it, with POLICY_VIOLATION, instead of writing more partition "
		       "states than its ZooKeeper session can carry; automatic topic creation stops "
		       "there too. Partitions being created by requests still in flight are not "
		       "counted. Kafka has no such limit.",
	},
	/* ---- The log ---- */
	{
		.name = "log.dirs", .type = CONF_LIST, FIELD(log_dirs), .example = "/tmp/kafka-logs",
		.validate = conf_check_log_dirs,
		.valid = "comma-separated directories, no empty entry, no duplicate",
		.doc = "Directories the broker keeps partition data in, comma-separated; each "
		       "partition lives wholly in one of them. Unset: log.dir is used.",
	},
	{
		.name = "log.dir", .type = CONF_STRING, FIELD(log_dir), .def = "/tmp/kafka-logs",
		.validate = conf_check_log_dirs, .valid = "a directory (or a list, as log.dirs)",
		.doc = "Data directory used when log.dirs is unset; like log.dirs, it may list several "
		       "directories, comma-separated.",
	},
	{
		.name = "log.segment.bytes", .type = CONF_INT, FIELD(log_segment_bytes),
		INT32_BOUNDS(14), .def = "1073741824",
		.doc = "Largest size of one segment file of a partition's log, in bytes; a batch that "
		       "would make the active segment larger starts a new one. Topic config: "
		       "segment.bytes.",
	},
	{
		.name = "log.roll.ms", .type = CONF_LONG, FIELD(log_roll_ms), .min = 1,
		.max = INT64_MAX, .example = "604800000",
		.doc = "Age in milliseconds after which the next append rolls the active segment (starts "
		       "a new one) even if it is not full, so time-based retention can delete old data. "
		       "Unset: log.roll.hours is used. Topic config: segment.ms.",
	},
	{
		.name = "log.roll.hours", .type = CONF_INT, FIELD(log_roll_hours), INT32_BOUNDS(1),
		.def = "168",
		.doc = "The same as log.roll.ms in hours, used when log.roll.ms is unset.",
	},
	{
		.name = "log.retention.ms", .type = CONF_LONG, FIELD(log_retention_ms), .min = -1,
		.max = INT64_MAX, .example = "604800000",
		.doc = "How long a segment is kept, in milliseconds counted from its newest record "
		       "timestamp, before it is deleted (with cleanup policy delete). -1 keeps data "
		       "forever; 0 is refused. Unset: log.retention.minutes, else log.retention.hours "
		       "is used. Topic config: retention.ms.",
	},
	{
		.name = "log.retention.minutes", .type = CONF_INT, FIELD(log_retention_minutes),
		.min = -1, .max = INT32_MAX, .example = "10080",
		.doc = "The same as log.retention.ms in minutes, used when log.retention.ms is unset.",
	},
	{
		.name = "log.retention.hours", .type = CONF_INT, FIELD(log_retention_hours), .min = -1,
		.max = INT32_MAX, .def = "168",
		.doc = "The same as log.retention.ms in hours, used when neither log.retention.ms nor "
		       "log.retention.minutes is set.",
	},
	{
		.name = "log.retention.bytes", .type = CONF_LONG, FIELD(log_retention_bytes),
		.min = -1, .max = INT64_MAX, .def = "-1",
		.doc = "Size a partition's log may reach before its oldest segments are deleted (with "
		       "cleanup policy delete); the active segment is never deleted. -1: no size "
		       "limit. Topic config: retention.bytes.",
	},
	{
		.name = "log.retention.check.interval.ms", .type = CONF_LONG,
		FIELD(log_retention_check_interval_ms), .min = 1, .max = INT64_MAX, .def = "300000",
		.doc = "Milliseconds between the checks for segments that retention allows to "
		       "delete.",
	},
	{
		.name = "producer.id.expiration.ms", .type = CONF_LONG,
		FIELD(producer_id_expiration_ms), .min = 1, .max = INT64_MAX, .def = "86400000",
		.doc = "A partition forgets an idempotent producer once the newest max timestamp of "
		       "its batches there is this many milliseconds old (the producer's clock for "
		       "CreateTime); its retries are then no longer recognised as duplicates.",
	},
	{
		.name = "producer.id.expiration.check.interval.ms", .type = CONF_LONG,
		FIELD(producer_id_expiration_check_interval_ms), .min = 1, .max = INT64_MAX,
		.def = "600000",
		.doc = "Milliseconds between the checks for expired producer ids.",
	},
	{
		.name = "log.index.interval.bytes", .type = CONF_INT, FIELD(log_index_interval_bytes),
		INT32_BOUNDS(0), .def = "4096",
		.doc = "Bytes of log appended between two entries of a segment's offset and time "
		       "indexes. Smaller values make lookups read less but the indexes fill sooner. "
		       "Topic config: index.interval.bytes.",
	},
	{
		.name = "log.index.size.max.bytes", .type = CONF_INT, FIELD(log_index_size_max_bytes),
		INT32_BOUNDS(4), .def = "10485760",
		.doc = "Largest size of a segment's offset index (and time index), in bytes; a full "
		       "index rolls the segment. Topic config: segment.index.bytes.",
	},
	{
		.name = "message.max.bytes", .type = CONF_INT, FIELD(message_max_bytes),
		INT32_BOUNDS(0), .def = "1048588",
		.doc = "Largest record batch the broker accepts, in bytes, as the producer sent it "
		       "(after compression); a produce with a larger batch fails with "
		       "MESSAGE_TOO_LARGE. Topic config: max.message.bytes.",
	},
	{
		.name = "log.flush.interval.messages", .type = CONF_LONG,
		FIELD(log_flush_interval_messages), .min = 1, .max = INT64_MAX,
		.def = "9223372036854775807",
		.doc = "Records appended to a partition before its log is forced to disk (fsync); the "
		       "append that reaches the count is acknowledged only after that fsync (as in "
		       "Kafka). The default never forces by count and leaves durability to "
		       "replication. Topic config: flush.messages.",
	},
	{
		.name = "log.flush.interval.ms", .type = CONF_LONG, FIELD(log_flush_interval_ms),
		.min = 0, .max = INT64_MAX, .example = "1000",
		.doc = "Longest time in milliseconds appended data may stay unflushed before it is "
		       "forced to disk. Unset: log.flush.scheduler.interval.ms is used. Topic config: "
		       "flush.ms.",
	},
	{
		.name = "log.flush.scheduler.interval.ms", .type = CONF_LONG,
		FIELD(log_flush_scheduler_interval_ms), .min = 1, .max = INT64_MAX,
		.def = "9223372036854775807",
		.doc = "Milliseconds between the checks for logs due to be flushed by time; also the "
		       "flush interval when log.flush.interval.ms is unset.",
	},
	{
		.name = "log.flush.offset.checkpoint.interval.ms", .type = CONF_INT,
		FIELD(log_flush_offset_checkpoint_interval_ms), INT32_BOUNDS(0), .def = "60000",
		.doc = "Milliseconds between writes of each data directory's recovery-point "
		       "checkpoint, the offsets up to which logs are known to be on disk; recovery "
		       "after a crash starts from there.",
	},
	{
		.name = "log.message.timestamp.type", .type = CONF_STRING,
		FIELD(log_message_timestamp_type), .def = "CreateTime",
		.validate = conf_check_timestamp_type, .valid = "CreateTime or LogAppendTime",
		.doc = "Timestamp records are stored with: CreateTime keeps the producer's, "
		       "LogAppendTime replaces it with the broker's clock at append. Topic config: "
		       "message.timestamp.type.",
	},
	{
		.name = "log.message.timestamp.difference.max.ms", .type = CONF_LONG,
		FIELD(log_message_timestamp_difference_max_ms), .min = 0, .max = INT64_MAX,
		.def = "9223372036854775807",
		.doc = "With CreateTime, how far in milliseconds a record's timestamp may be from the "
		       "broker's clock; a batch with a record further off is refused. Ignored with "
		       "LogAppendTime. Topic config: message.timestamp.difference.max.ms.",
	},
	{
		.name = "log.cleanup.policy", .type = CONF_LIST, FIELD(log_cleanup_policy),
		.def = "delete", .validate = conf_check_cleanup_policy,
		.valid = "comma-separated list of compact, delete",
		.doc = "What happens to old segments: delete removes them by retention time and size, "
		       "compact keeps the latest record of each key; both can be given. Topic config: "
		       "cleanup.policy.",
	},
	{
		.name = "log.cleaner.enable", .type = CONF_BOOL, FIELD(log_cleaner_enable),
		.def = "true",
		.doc = "Run the log cleaner, which compacts the logs of topics whose cleanup.policy "
		       "has compact. Without it such logs grow without bound.",
	},
	{
		.name = "log.cleaner.threads", .type = CONF_INT, FIELD(log_cleaner_threads),
		.min = 0, .max = 64, .def = "1",
		.doc = "Cleaner threads; each cleans one log at a time (never on the event loop nor "
		       "on the fsync thread). 0: no cleaning.",
	},
	{
		.name = "log.cleaner.backoff.ms", .type = CONF_LONG, FIELD(log_cleaner_backoff_ms),
		.min = 0, .max = INT64_MAX, .def = "15000",
		.doc = "Milliseconds an idle cleaner waits before looking for a log to clean again.",
	},
	{
		.name = "log.cleaner.min.cleanable.ratio", .type = CONF_STRING,
		FIELD(log_cleaner_min_cleanable_ratio), .def = "0.5",
		.validate = conf_check_ratio, .valid = "a number in [0, 1]",
		.doc = "A log is cleaned when its dirty (not yet cleaned) bytes exceed this share of "
		       "its cleanable bytes. Topic config: min.cleanable.dirty.ratio.",
	},
	{
		.name = "log.cleaner.delete.retention.ms", .type = CONF_LONG,
		FIELD(log_cleaner_delete_retention_ms), .min = 0, .max = INT64_MAX,
		.def = "86400000",
		.doc = "How long a tombstone (a record with a key and a null value) is kept in a "
		       "compacted log, in milliseconds from its timestamp. Topic config: "
		       "delete.retention.ms.",
	},
	{
		.name = "log.cleaner.dedupe.buffer.size", .type = CONF_LONG,
		FIELD(log_cleaner_dedupe_buffer_size), .min = 0, .max = INT64_MAX,
		.def = "134217728",
		.doc = "Memory for the cleaners' key maps, in bytes, shared by all cleaner threads "
		       "(24 bytes per key); a log with more distinct dirty keys than fit is cleaned "
		       "in several passes.",
	},
	{
		.name = "log.cleaner.io.buffer.load.factor", .type = CONF_STRING,
		FIELD(log_cleaner_io_buffer_load_factor), .def = "0.9",
		.validate = conf_check_load_factor, .valid = "a number in (0, 1]",
		.doc = "How full a cleaner's key map may get (despite its name, not about I/O "
		       "buffers, as in Kafka).",
	},
	{
		.name = "log.cleaner.io.max.bytes.per.second", .type = CONF_STRING,
		FIELD(log_cleaner_io_max_bytes_per_second), .def = "1.7976931348623157E308",
		.validate = conf_check_positive_double, .valid = "a number > 0",
		.doc = "Throttle of each cleaner thread's reads plus writes, in bytes per second.",
	},
	{
		.name = "log.cleaner.min.compaction.lag.ms", .type = CONF_LONG,
		FIELD(log_cleaner_min_compaction_lag_ms), .min = 0, .max = INT64_MAX, .def = "0",
		.doc = "Milliseconds a record stays uncompacted at least (a segment is cleaned only "
		       "once its newest timestamp is older). Topic config: min.compaction.lag.ms.",
	},
	{
		.name = "log.cleaner.max.compaction.lag.ms", .type = CONF_LONG,
		FIELD(log_cleaner_max_compaction_lag_ms), .min = 1, .max = INT64_MAX,
		.def = "9223372036854775807",
		.doc = "Milliseconds after which a record's segment is cleaned whatever the dirty "
		       "ratio. Topic config: max.compaction.lag.ms.",
	},
	{
		.name = "compression.type", .type = CONF_STRING, FIELD(compression_type),
		.def = "producer", .validate = conf_check_compression_type,
		.valid = "uncompressed, zstd, lz4, snappy, gzip or producer",
		.doc = "Compression of stored batches: producer keeps what the producer sent; any "
		       "other value makes the broker recompress batches to it (uncompressed: none). "
		       "Topic config: compression.type.",
	},
	{
		.name = "min.insync.replicas", .type = CONF_INT, FIELD(min_insync_replicas),
		INT32_BOUNDS(1), .def = "1",
		.doc = "Fewest in-sync replicas a partition needs to accept a produce with acks=all; "
		       "with fewer, such produces fail with NOT_ENOUGH_REPLICAS. Topic config: "
		       "min.insync.replicas.",
	},
	{
		.name = "num.recovery.threads.per.data.dir", .type = CONF_INT,
		FIELD(num_recovery_threads_per_data_dir), .min = 1, .max = 1024, .def = "1",
		.doc = "Threads per data directory that check and recover logs at startup (after an "
		       "unclean shutdown) and flush them at shutdown.",
	},
	{
		.name = "log.segment.delete.delay.ms", .type = CONF_LONG,
		FIELD(log_segment_delete_delay_ms), .min = 0, .max = INT64_MAX, .def = "60000",
		.doc = "Milliseconds a segment removed from a log (by retention, for instance) stays "
		       "on disk, renamed with a .deleted suffix, before its files are deleted, so "
		       "reads in progress can finish. Topic config: file.delete.delay.ms.",
	},
	/* ---- Consumer groups and committed offsets ---- */
	{
		.name = "offsets.topic.num.partitions", .type = CONF_INT,
		FIELD(offsets_topic_num_partitions), .min = 1, .max = 100000, .def = "50",
		.doc = "Partitions of __consumer_offsets, the internal topic of committed offsets and "
		       "group metadata. Fixed once the topic exists.",
	},
	{
		.name = "offsets.topic.replication.factor", .type = CONF_INT,
		FIELD(offsets_topic_replication_factor), .min = 1, .max = 32767, .def = "3",
		.doc = "Replicas of each partition of __consumer_offsets. The topic is created when "
		       "first needed, and not until this many brokers are alive; use 1 on a single "
		       "broker.",
	},
	{
		.name = "offsets.retention.minutes", .type = CONF_INT, FIELD(offsets_retention_minutes),
		INT32_BOUNDS(1), .def = "10080",
		.doc = "Minutes a group's committed offsets are kept after the group became empty (or, "
		       "for a group without members, after the commit).",
	},
	{
		.name = "group.initial.rebalance.delay.ms", .type = CONF_INT,
		FIELD(group_initial_rebalance_delay_ms), INT32_BOUNDS(0), .def = "3000",
		.doc = "Milliseconds the coordinator waits for more members to join a new, empty group "
		       "before its first rebalance, so that members starting together do not cause a "
		       "rebalance each.",
	},
	{
		.name = "group.min.session.timeout.ms", .type = CONF_INT,
		FIELD(group_min_session_timeout_ms), INT32_BOUNDS(0), .def = "6000",
		.doc = "Shortest session timeout a group member may ask for; JoinGroup with a shorter "
		       "one fails with INVALID_SESSION_TIMEOUT.",
	},
	{
		.name = "group.max.session.timeout.ms", .type = CONF_INT,
		FIELD(group_max_session_timeout_ms), INT32_BOUNDS(0), .def = "1800000",
		.doc = "Longest session timeout a group member may ask for; JoinGroup with a longer "
		       "one fails with INVALID_SESSION_TIMEOUT.",
	},
	{
		.name = "group.max.size", .type = CONF_INT, FIELD(group_max_size), INT32_BOUNDS(1),
		.def = "2147483647",
		.doc = "Most members one consumer group may have; a member joining a full group is "
		       "refused with GROUP_MAX_SIZE_REACHED.",
	},
	{
		.name = "offset.metadata.max.bytes", .type = CONF_INT, FIELD(offset_metadata_max_bytes),
		INT32_BOUNDS(0), .def = "4096",
		.doc = "Longest metadata string a client may attach to a committed offset; a longer "
		       "one fails that partition's commit with OFFSET_METADATA_TOO_LARGE.",
	},
	{
		.name = "offsets.topic.segment.bytes", .type = CONF_INT,
		FIELD(offsets_topic_segment_bytes), INT32_BOUNDS(1), .def = "104857600",
		.doc = "segment.bytes of __consumer_offsets when the broker creates it; kept small so "
		       "that compaction and loading stay fast.",
	},
	{
		.name = "offsets.commit.timeout.ms", .type = CONF_INT, FIELD(offsets_commit_timeout_ms),
		INT32_BOUNDS(1), .def = "5000",
		.doc = "Longest time an offset commit (or group metadata write) waits for the replicas "
		       "of its __consumer_offsets partition; after it the commit fails with "
		       "REQUEST_TIMED_OUT.",
	},
	{
		.name = "offsets.commit.required.acks", .type = CONF_INT,
		FIELD(offsets_commit_required_acks), .min = -1, .max = 1, .def = "-1",
		.doc = "Acknowledgements a commit needs before it is answered: -1 waits for every "
		       "in-sync replica (and min.insync.replicas), 1 only for the coordinator's own "
		       "log (0 counts as 1: a commit always gets an answer). Kafka deprecated changing "
		       "it; -1 is what the durability of commits relies on.",
	},
	{
		.name = "offsets.retention.check.interval.ms", .type = CONF_LONG,
		FIELD(offsets_retention_check_interval_ms), .min = 1, .max = INT64_MAX,
		.def = "600000",
		.doc = "How often the coordinator looks for expired committed offsets (see "
		       "offsets.retention.minutes) and removes them, and empty groups without offsets.",
	},
	{
		.name = "offsets.load.buffer.size", .type = CONF_INT, FIELD(offsets_load_buffer_size),
		INT32_BOUNDS(1), .def = "5242880",
		.doc = "Bytes of __consumer_offsets read per step while a new coordinator replays a "
		       "partition (each step is one turn of the event loop, so other requests are "
		       "served between steps).",
	},
	/* ---- Transactions ---- */
	{
		.name = "transaction.state.log.num.partitions", .type = CONF_INT,
		FIELD(transaction_state_log_num_partitions), .min = 1, .max = 100000, .def = "50",
		.doc = "Partitions of __transaction_state, the internal topic of transaction states; "
		       "a transactional id is coordinated by the leader of partition "
		       "abs(hashCode(id)) % this. Fixed once the topic exists.",
	},
	{
		.name = "transaction.state.log.replication.factor", .type = CONF_INT,
		FIELD(transaction_state_log_replication_factor), .min = 1, .max = 32767, .def = "3",
		.doc = "Replicas of each partition of __transaction_state. The topic is created by the "
		       "first FindCoordinator for a transactional id, and not until this many brokers "
		       "are alive (COORDINATOR_NOT_AVAILABLE meanwhile); use 1 on a single broker.",
	},
	{
		.name = "transaction.state.log.min.isr", .type = CONF_INT,
		FIELD(transaction_state_log_min_isr), INT32_BOUNDS(1), .def = "2",
		.doc = "min.insync.replicas of __transaction_state when the broker creates it: a "
		       "transaction state change is acknowledged only once this many in-sync "
		       "replicas have it.",
	},
	{
		.name = "transaction.state.log.segment.bytes", .type = CONF_INT,
		FIELD(transaction_state_log_segment_bytes), INT32_BOUNDS(1), .def = "104857600",
		.doc = "segment.bytes of __transaction_state when the broker creates it; kept small so "
		       "that compaction and loading stay fast.",
	},
	{
		.name = "transaction.state.log.load.buffer.size", .type = CONF_INT,
		FIELD(transaction_state_log_load_buffer_size), INT32_BOUNDS(1), .def = "5242880",
		.doc = "Bytes of __transaction_state read per step while a new transaction coordinator "
		       "replays a partition (one step per turn of the event loop).",
	},
	{
		.name = "transaction.max.timeout.ms", .type = CONF_INT,
		FIELD(transaction_max_timeout_ms), INT32_BOUNDS(1), .def = "900000",
		.doc = "Longest transaction timeout a producer may ask for in InitProducerId; a longer "
		       "one fails with INVALID_TRANSACTION_TIMEOUT.",
	},
	{
		.name = "transactional.id.expiration.ms", .type = CONF_INT,
		FIELD(transactional_id_expiration_ms), INT32_BOUNDS(1), .def = "604800000",
		.doc = "Milliseconds after which a transactional id with no transaction in progress "
		       "and no update is forgotten (a tombstone is written to __transaction_state).",
	},
	{
		.name = "transaction.abort.timed.out.transaction.cleanup.interval.ms",
		.type = CONF_INT, FIELD(transaction_abort_interval_ms), INT32_BOUNDS(1),
		.def = "10000",
		.doc = "How often the coordinator aborts transactions that outlived their timeout "
		       "(the producer's epoch is bumped, so it is fenced).",
	},
	{
		.name = "transaction.remove.expired.transaction.cleanup.interval.ms",
		.type = CONF_INT, FIELD(transaction_expire_interval_ms), INT32_BOUNDS(1),
		.def = "3600000",
		.doc = "How often the coordinator removes transactional ids idle for "
		       "transactional.id.expiration.ms.",
	},
	{
		.name = "transaction.partition.verification.enable", .type = CONF_BOOL,
		FIELD(transaction_partition_verification_enable), .def = "true",
		.doc = "KIP-890 part 1: before a producer's first transactional batch on a partition "
		       "(and a transactional offset commit) is appended, the partition leader asks the "
		       "transaction coordinator (AddPartitionsToTxn VerifyOnly) whether the partition "
		       "is in the producer's open transaction; if not, the write is refused "
		       "(TRANSACTION_ABORTABLE, or INVALID_TXN_STATE for older clients). false: "
		       "appended unchecked, as Kafka before 3.6.",
	},
	{
		.name = "kbroker.txn.verification.max.entries.per.partition", .type = CONF_INT,
		FIELD(txn_verification_max_entries), INT32_BOUNDS(1), .def = "10000",
		.doc = "kbroker-specific. Most producers one partition keeps KIP-890 verification "
		       "state for (a producer's entry lives from its first transactional write until "
		       "that write is appended, a marker arrives, or producer.id.expiration.ms); a "
		       "write that would need one more is answered NOT_ENOUGH_REPLICAS (retriable). "
		       "Kafka has no such limit.",
	},
	/* ---- Replication ---- */
	{
		.name = "replica.lag.time.max.ms", .type = CONF_LONG, FIELD(replica_lag_time_max_ms),
		.min = 1, .max = INT64_MAX, .def = "30000",
		.doc = "A follower that has not fetched, or not caught up to the leader's log end, for "
		       "this many milliseconds is removed from the partition's in-sync replicas.",
	},
	{
		.name = "replica.fetch.max.bytes", .type = CONF_INT, FIELD(replica_fetch_max_bytes),
		INT32_BOUNDS(0), .def = "1048576",
		.doc = "Bytes a follower asks for per partition in each fetch. Not an absolute limit: "
		       "a larger first batch is still returned so fetching can progress.",
	},
	{
		.name = "replica.fetch.wait.max.ms", .type = CONF_INT, FIELD(replica_fetch_wait_max_ms),
		INT32_BOUNDS(0), .def = "500",
		.doc = "Longest time in milliseconds a follower's fetch waits at the leader for "
		       "replica.fetch.min.bytes of data. Keep it below replica.lag.time.max.ms and "
		       "replica.socket.timeout.ms.",
	},
	{
		.name = "replica.fetch.min.bytes", .type = CONF_INT, FIELD(replica_fetch_min_bytes),
		INT32_BOUNDS(0), .def = "1",
		.doc = "Bytes of data a follower's fetch waits for (up to replica.fetch.wait.max.ms) "
		       "before the leader answers.",
	},
	{
		.name = "replica.fetch.response.max.bytes", .type = CONF_INT,
		FIELD(replica_fetch_response_max_bytes), INT32_BOUNDS(1024), .def = "10485760",
		.doc = "Bytes a follower asks for in one fetch response over all its partitions. Not "
		       "an absolute limit: a larger first batch is still returned. It also bounds the "
		       "response frames a follower accepts from a leader (plus protocol overhead).",
	},
	{
		.name = "replica.fetch.backoff.ms", .type = CONF_INT, FIELD(replica_fetch_backoff_ms),
		INT32_BOUNDS(0), .def = "1000",
		.doc = "Milliseconds a follower waits before fetching again after a fetch failed "
		       "(leader unreachable, connection lost, error answer).",
	},
	{
		.name = "inter.broker.listener.name", .type = CONF_STRING,
		FIELD(inter_broker_listener_name), .example = "PLAINTEXT",
		.valid = "a listener name every broker registers",
		.doc = "The listener followers use to fetch from leaders: the endpoint of that name in "
		       "the leader's registration. Unset: the name of this broker's first listener.",
	},
	{
		.name = "num.replica.fetchers", .type = CONF_INT, FIELD(num_replica_fetchers),
		.min = 1, .max = 1024, .def = "1",
		.doc = "Fetchers per source broker that copy data from leaders to this broker's "
		       "follower replicas; more of them spread the partitions for more parallelism.",
	},
	{
		.name = "replica.high.watermark.checkpoint.interval.ms", .type = CONF_LONG,
		FIELD(replica_high_watermark_checkpoint_interval_ms), .min = 1, .max = INT64_MAX,
		.def = "5000",
		.doc = "Milliseconds between writes of each data directory's high-watermark "
		       "checkpoint, read back at startup.",
	},
	{
		.name = "replica.socket.timeout.ms", .type = CONF_INT, FIELD(replica_socket_timeout_ms),
		INT32_BOUNDS(1), .def = "30000",
		.doc = "Socket timeout in milliseconds of a follower's fetch requests to leaders; keep "
		       "it at least replica.fetch.wait.max.ms.",
	},
	{
		.name = "replica.selector.class", .type = CONF_STRING, FIELD(replica_selector_class),
		.validate = conf_check_replica_selector, .example = CONF_RACK_AWARE_SELECTOR,
		.valid = CONF_LEADER_SELECTOR " or " CONF_RACK_AWARE_SELECTOR,
		.doc = "Which replica consumers should read from (KIP-392). Unset or LeaderSelector: "
		       "the leader serves them. RackAwareReplicaSelector: a leader answers a consumer "
		       "whose Fetch (v11+) names its rack (client.rack) with the id of an in-sync "
		       "replica in that rack holding the fetch offset, the one with the largest log "
		       "end, when the leader itself is elsewhere; the consumer then fetches from it. "
		       "Followers serve such consumers up to their own high watermark either way.",
	},
	{
		.name = "authorizer.class.name", .type = CONF_STRING, FIELD(authorizer_class_name),
		.def = "", .validate = conf_check_authorizer_class,
		.valid = "empty, " CONF_ACL_AUTHORIZER " or " CONF_SIMPLE_ACL_AUTHORIZER,
		.doc = "The authorizer. Empty: none, every request is allowed and the ACL APIs answer "
		       "SECURITY_DISABLED. " CONF_ACL_AUTHORIZER " (or its old name "
		       CONF_SIMPLE_ACL_AUTHORIZER "): Kafka's ZooKeeper ACL authorizer; ACLs are kept "
		       "under /kafka-acl and /kafka-acl-extended in Kafka's layout, every broker "
		       "watches them, and every request is checked against them. The principal of "
		       "every connection is User:ANONYMOUS (PLAINTEXT listeners only); the host is the "
		       "peer's IP address.",
	},
	{
		.name = "super.users", .type = CONF_STRING, FIELD(super_users), .def = "",
		.valid = "principals separated by ';', each Type:name, e.g. User:admin;User:ops",
		.doc = "Principals allowed every operation on every resource, whatever the ACLs say "
		       "(with authorizer.class.name set).",
	},
	{
		.name = "allow.everyone.if.no.acl.found", .type = CONF_BOOL,
		FIELD(allow_everyone_if_no_acl_found), .def = "false",
		.doc = "With authorizer.class.name set: whether a request on a resource that no ACL "
		       "applies to is allowed (true) or denied (false, Kafka's default).",
	},
};

const size_t conf_nkeys = KB_ARRAY_LEN(conf_keys);

_Static_assert(KB_ARRAY_LEN(conf_keys) <= KB_CONF_MAX_KEYS, "raise KB_CONF_MAX_KEYS");
