/* conf.h — broker configuration: Kafka's server.properties key names and meanings.
 *
 * One table (conf/conf_table.c) drives everything: each row names a key, its type, bounds,
 * default, documentation and the field of `struct kb_config` it fills. From it come parsing,
 * validation, `kbroker --help-config`, and the documented example file
 * config/server.properties (`kbroker --print-example-config`; a unit test checks the committed
 * file is identical, so the two cannot drift).
 *
 * Loading: defaults, then the properties file (Java .properties syntax: `key=value` or
 * `key: value`, `#`/`!` comments, backslash line continuation, surrounding blanks trimmed),
 * then `--override key=value` arguments in order. An invalid value fails the load with a
 * message naming the key and file:line (or "--override"). An unknown key is warned about with
 * its file:line and otherwise ignored. A required key with no value fails the load.
 *
 * A key is "set" when the file or an override gave it a value (struct kb_config.set); only
 * defaults apply otherwise. An optional key without default (a string, or an integer such as
 * log.retention.ms) has no value until set; an empty value unsets it again. Kafka reports such
 * a key as null, and falls back to another key for it (conf_log_retention_ms() and friends).
 */
#ifndef KB_CONF_H
#define KB_CONF_H

#include "../common/kb.h"

#include <stdio.h>

enum conf_type { CONF_INT = 1, CONF_LONG, CONF_BOOL, CONF_STRING, CONF_LIST };

/* Kafka's DescribeConfigs config_type and config_source codes for what kbroker reports. */
enum conf_kafka_type {
	CONF_KT_UNKNOWN = 0, CONF_KT_BOOLEAN = 1, CONF_KT_STRING = 2, CONF_KT_INT = 3,
	CONF_KT_LONG = 5, CONF_KT_LIST = 7
};
enum conf_source {
	CONF_SRC_DYNAMIC_TOPIC = 1,  /* DYNAMIC_TOPIC_CONFIG: a per-topic override */
	CONF_SRC_DYNAMIC_BROKER = 2, /* DYNAMIC_BROKER_CONFIG: /config/brokers/<id> */
	CONF_SRC_DYNAMIC_DEFAULT = 3,/* DYNAMIC_DEFAULT_BROKER_CONFIG: /config/brokers/<default> */
	CONF_SRC_STATIC_BROKER = 4,  /* STATIC_BROKER_CONFIG: server.properties or --override */
	CONF_SRC_DEFAULT = 5         /* DEFAULT_CONFIG */
};

/* Capacity of struct kb_config.set; conf_table.c checks the table fits at compile time. */
#define KB_CONF_MAX_KEYS 128

/* Every key the broker honours. Strings are heap-allocated (NULL = not set). */
struct kb_config {
	int32_t broker_id;                      /* broker.id */
	char *broker_rack;                      /* broker.rack */
	char *listeners;                        /* listeners */
	char *advertised_listeners;             /* advertised.listeners */
	char *listener_security_protocol_map;   /* listener.security.protocol.map */
	char *zookeeper_connect;                /* zookeeper.connect */
	int32_t zookeeper_session_timeout_ms;   /* zookeeper.session.timeout.ms */
	int32_t zookeeper_connection_timeout_ms;/* zookeeper.connection.timeout.ms (-1: = session) */
	int32_t socket_request_max_bytes;       /* socket.request.max.bytes */
	int64_t connections_max_idle_ms;        /* connections.max.idle.ms */
	int32_t max_connections;                /* max.connections */
	int32_t max_connections_per_ip;         /* max.connections.per.ip */
	char *max_connections_per_ip_overrides; /* max.connections.per.ip.overrides */
	/* Topics and the controller */
	bool auto_create_topics_enable;         /* auto.create.topics.enable */
	int32_t num_partitions;                 /* num.partitions */
	int32_t default_replication_factor;     /* default.replication.factor */
	bool delete_topic_enable;               /* delete.topic.enable */
	bool unclean_leader_election_enable;    /* unclean.leader.election.enable */
	bool auto_leader_rebalance_enable;      /* auto.leader.rebalance.enable */
	int64_t leader_imbalance_check_interval_seconds; /* leader.imbalance.check.interval.seconds */
	int32_t leader_imbalance_per_broker_percentage;  /* leader.imbalance.per.broker.percentage */
	int32_t max_partitions_per_cluster;     /* kbroker.max.partitions.per.cluster */
	/* The log (defaults of the topic configs; see conf/topic_conf.h) */
	char *log_dirs;                         /* log.dirs (NULL: log.dir is used) */
	char *log_dir;                          /* log.dir */
	int32_t log_segment_bytes;              /* log.segment.bytes */
	int64_t log_roll_ms;                    /* log.roll.ms (optional) */
	int32_t log_roll_hours;                 /* log.roll.hours */
	int64_t log_retention_ms;               /* log.retention.ms (optional) */
	int32_t log_retention_minutes;          /* log.retention.minutes (optional) */
	int32_t log_retention_hours;            /* log.retention.hours */
	int64_t log_retention_bytes;            /* log.retention.bytes */
	int64_t log_retention_check_interval_ms;/* log.retention.check.interval.ms */
	int64_t producer_id_expiration_ms;      /* producer.id.expiration.ms */
	int64_t producer_id_expiration_check_interval_ms; /* ...check.interval.ms */
	int32_t log_index_interval_bytes;       /* log.index.interval.bytes */
	int32_t log_index_size_max_bytes;       /* log.index.size.max.bytes */
	int32_t message_max_bytes;              /* message.max.bytes */
	int64_t log_flush_interval_messages;    /* log.flush.interval.messages */
	int64_t log_flush_interval_ms;          /* log.flush.interval.ms (optional) */
	int64_t log_flush_scheduler_interval_ms;/* log.flush.scheduler.interval.ms */
	int32_t log_flush_offset_checkpoint_interval_ms; /* log.flush.offset.checkpoint.interval.ms */
	char *log_message_timestamp_type;       /* log.message.timestamp.type */
	int64_t log_message_timestamp_difference_max_ms; /* log.message.timestamp.difference.max.ms */
	char *log_cleanup_policy;               /* log.cleanup.policy */
	bool log_cleaner_enable;                /* log.cleaner.enable */
	int32_t log_cleaner_threads;            /* log.cleaner.threads */
	int64_t log_cleaner_backoff_ms;         /* log.cleaner.backoff.ms */
	char *log_cleaner_min_cleanable_ratio;  /* log.cleaner.min.cleanable.ratio (a double) */
	int64_t log_cleaner_delete_retention_ms;/* log.cleaner.delete.retention.ms */
	int64_t log_cleaner_dedupe_buffer_size; /* log.cleaner.dedupe.buffer.size */
	char *log_cleaner_io_buffer_load_factor;/* log.cleaner.io.buffer.load.factor (a double) */
	char *log_cleaner_io_max_bytes_per_second; /* log.cleaner.io.max.bytes.per.second */
	int64_t log_cleaner_min_compaction_lag_ms; /* log.cleaner.min.compaction.lag.ms */
	int64_t log_cleaner_max_compaction_lag_ms; /* log.cleaner.max.compaction.lag.ms */
	char *compression_type;                 /* compression.type */
	int32_t min_insync_replicas;            /* min.insync.replicas */
	int32_t num_recovery_threads_per_data_dir; /* num.recovery.threads.per.data.dir */
	int64_t log_segment_delete_delay_ms;    /* log.segment.delete.delay.ms */
	/* Consumer groups and committed offsets */
	int32_t offsets_topic_num_partitions;   /* offsets.topic.num.partitions */
	int32_t offsets_topic_replication_factor; /* offsets.topic.replication.factor */
	int32_t offsets_retention_minutes;      /* offsets.retention.minutes */
	int32_t group_initial_rebalance_delay_ms; /* group.initial.rebalance.delay.ms */
	int32_t group_min_session_timeout_ms;   /* group.min.session.timeout.ms */
	int32_t group_max_session_timeout_ms;   /* group.max.session.timeout.ms */
	int32_t group_max_size;                 /* group.max.size */
	int32_t offset_metadata_max_bytes;      /* offset.metadata.max.bytes */
	int32_t offsets_topic_segment_bytes;    /* offsets.topic.segment.bytes */
	int32_t offsets_commit_timeout_ms;      /* offsets.commit.timeout.ms */
	int32_t offsets_commit_required_acks;   /* offsets.commit.required.acks */
	int64_t offsets_retention_check_interval_ms; /* offsets.retention.check.interval.ms */
	int32_t offsets_load_buffer_size;       /* offsets.load.buffer.size */
	/* Transactions */
	int32_t transaction_state_log_num_partitions; /* transaction.state.log.num.partitions */
	int32_t transaction_state_log_replication_factor; /* ...replication.factor */
	int32_t transaction_state_log_min_isr;  /* transaction.state.log.min.isr */
	int32_t transaction_state_log_segment_bytes; /* transaction.state.log.segment.bytes */
	int32_t transaction_state_log_load_buffer_size; /* ...load.buffer.size */
	int32_t transaction_max_timeout_ms;     /* transaction.max.timeout.ms */
	int32_t transactional_id_expiration_ms; /* transactional.id.expiration.ms */
	int32_t transaction_abort_interval_ms;  /* transaction.abort.timed.out.transaction.cleanup.interval.ms */
	int32_t transaction_expire_interval_ms; /* transaction.remove.expired.transaction.cleanup.interval.ms */
	bool transaction_partition_verification_enable; /* transaction.partition.verification.enable */
	int32_t txn_verification_max_entries;   /* kbroker.txn.verification.max.entries.per.partition */
	/* Replication */
	int64_t replica_lag_time_max_ms;        /* replica.lag.time.max.ms */
	int32_t replica_fetch_max_bytes;        /* replica.fetch.max.bytes */
	int32_t replica_fetch_wait_max_ms;      /* replica.fetch.wait.max.ms */
	int32_t replica_fetch_min_bytes;        /* replica.fetch.min.bytes */
	int32_t num_replica_fetchers;           /* num.replica.fetchers */
	int32_t replica_fetch_response_max_bytes; /* replica.fetch.response.max.bytes */
	int32_t replica_fetch_backoff_ms;       /* replica.fetch.backoff.ms */
	char *inter_broker_listener_name;       /* inter.broker.listener.name (NULL: first) */
	int64_t replica_high_watermark_checkpoint_interval_ms; /* replica.high.watermark... */
	int32_t replica_socket_timeout_ms;      /* replica.socket.timeout.ms */
	char *replica_selector_class;           /* replica.selector.class (NULL: leader only) */
	/* Authorization (server/core/authz.c) */
	char *authorizer_class_name;            /* authorizer.class.name ("" or NULL: none) */
	char *super_users;                      /* super.users */
	bool allow_everyone_if_no_acl_found;    /* allow.everyone.if.no.acl.found */
	/* set[i]: conf_keys[i] was given a value by the file or an override (conf_set). */
	bool set[KB_CONF_MAX_KEYS];
	/* dyn[i]: 0, or the CONF_SRC_DYNAMIC_* level that gave conf_keys[i] its value (a dynamic
	 * broker config, conf/dynconf.h; set[i] is then true too). */
	uint8_t dyn[KB_CONF_MAX_KEYS];
};

struct conf_key {
	const char *name;
	enum conf_type type;
	size_t offset;        /* offsetof(struct kb_config, field) */
	int64_t min, max;     /* bounds for CONF_INT / CONF_LONG */
	const char *def;      /* default as text; NULL = no default */
	bool required;        /* load fails when no value is given */
	const char *doc;      /* one-paragraph documentation */
	/* Optional extra validation of the final value; writes a reason into err. */
	int (*validate)(const char *value, char *err, size_t errlen);
	const char *valid;    /* valid values in words (help/example); NULL: bounds or type */
	const char *example;  /* example value for the example file when def is NULL */
};

extern const struct conf_key conf_keys[];
extern const size_t conf_nkeys;

const struct conf_key *conf_find(const char *name);

/* Loads defaults, then `path` (may be NULL), then overrides ("key=value" strings). Returns 0,
 * or -1 with a message in err ("<file>:<line>: <key>: <reason>"). On failure the config is
 * freed. */
int conf_load(struct kb_config *cfg, const char *path, int noverrides, char *const overrides[],
              char *err, size_t errlen);
void conf_free(struct kb_config *cfg);

/* Sets one key from text (used by conf_load; `where` is "file:line" or "--override") and
 * marks it set (unset again by an empty value of an optional key without default). */
int conf_set(struct kb_config *cfg, const char *key, const char *value, const char *where,
             char *err, size_t errlen);

/* Whether the file or an override gave key `name` a value (false for an unknown name). */
bool conf_is_set(const struct kb_config *cfg, const char *name);

/* Parses `value` (surrounding blanks ignored) as k's type, checks its bounds and k->validate,
 * and stores it at (char *)base + k->offset (int32_t, int64_t, bool or char *; a string it
 * replaces is freed; an empty value of an optional key without default stores NULL, or 0 for
 * an integer). Writes only the reason into err. conf_set uses it; it is exposed so every type
 * can be tested, and so topic configs (topic_conf.c) validate the same way. */
int conf_set_field(void *base, const struct conf_key *k, const char *value, char *err,
                   size_t errlen);

/* Writes the value of a key as text into buf (for logging the effective config); a key
 * without value (unset string, unset optional integer) is written as "null". */
void conf_value_str(const struct kb_config *cfg, const struct conf_key *k, char *buf, size_t len);

/* DescribeConfigs of a BROKER resource: writes k's value as text into buf and its source into
 * *source (cfg->dyn's level for a dynamic value, CONF_SRC_STATIC_BROKER when set by the file
 * or an override, else CONF_SRC_DEFAULT).
 * Returns 1, or 0 when the key has no value (Kafka reports null; buf is then ""). */
int conf_describe(const struct kb_config *cfg, const struct conf_key *k, char *buf, size_t len,
                  int *source);

/* Kafka's config_type for a key type (CONF_KT_*). */
int conf_kafka_type(enum conf_type t);

/* ---- The log: effective values of keys that fall back on others (Kafka's rules) ----------
 * conf_load also refuses an effective retention of 0 (it must be -1 or at least 1 ms). */

/* log.retention.ms if set, else log.retention.minutes * 60000 if set, else
 * log.retention.hours * 3600000; any negative result is -1 (unlimited). */
int64_t conf_log_retention_ms(const struct kb_config *cfg);
/* log.roll.ms if set, else log.roll.hours * 3600000. */
int64_t conf_log_roll_ms(const struct kb_config *cfg);
/* log.flush.interval.ms if set, else log.flush.scheduler.interval.ms. */
int64_t conf_log_flush_ms(const struct kb_config *cfg);

/* The data directories: log.dirs if it has a value, else log.dir, split at commas. Entries
 * are trimmed and lose trailing '/' ("/" stays); an empty entry or a duplicate (after that
 * normalisation) is an error. Returns 0 and a heap array (free with conf_free_log_dirs), or
 * -1 (conf_load has already refused such a value, so -1 means the config was changed). */
int conf_log_dirs(const struct kb_config *cfg, char ***dirs, int *n);
void conf_free_log_dirs(char **dirs, int n);

/* Validators of the table, shared with topic_conf.c. Each writes the reason into err. */
int conf_check_log_dirs(const char *v, char *err, size_t errlen);         /* dir[,dir...] */
int conf_check_cleanup_policy(const char *v, char *err, size_t errlen);   /* compact,delete */
/* Kafka's DOUBLE configs are kept as text (there is no double config type): a decimal number
 * (strtod syntax, nothing after it) in [0, 1], in (0, 1], or > 0. conf_double() reads one that
 * passed its check. */
int conf_check_ratio(const char *v, char *err, size_t errlen);
int conf_check_load_factor(const char *v, char *err, size_t errlen);
int conf_check_positive_double(const char *v, char *err, size_t errlen);
double conf_double(const char *v);
int conf_check_compression_type(const char *v, char *err, size_t errlen); /* producer, ... */
int conf_check_timestamp_type(const char *v, char *err, size_t errlen);   /* CreateTime, ... */
/* replica.selector.class: Kafka's two selectors (KIP-392), by their class names. */
#define CONF_LEADER_SELECTOR "org.apache.kafka.common.replica.LeaderSelector"
#define CONF_RACK_AWARE_SELECTOR "org.apache.kafka.common.replica.RackAwareReplicaSelector"
int conf_check_replica_selector(const char *v, char *err, size_t errlen);
/* Whether replica.selector.class is the rack-aware selector: the leader then names a replica
 * in the consumer's rack as its preferred read replica (server/api/api_fetch.c). */
bool conf_rack_aware_selector(const struct kb_config *cfg);

/* authorizer.class.name: empty, or Kafka's ZooKeeper ACL authorizer by either of its names. */
#define CONF_ACL_AUTHORIZER "kafka.security.authorizer.AclAuthorizer"
#define CONF_SIMPLE_ACL_AUTHORIZER "kafka.security.auth.SimpleAclAuthorizer"
int conf_check_authorizer_class(const char *v, char *err, size_t errlen);
/* Whether an authorizer is configured (authorizer.class.name not empty). */
bool conf_authorizer_on(const struct kb_config *cfg);

/* Whether comma-separated `list` has `item` (blanks around items ignored; exact case), e.g.
 * conf_list_has(cfg->log_cleanup_policy, "delete"). */
bool conf_list_has(const char *list, const char *item);

void conf_print_help(FILE *out);    /* table: name, type, bounds, default, doc */
void conf_print_example(FILE *out); /* the documented config/server.properties */

/* ---- Listeners --------------------------------------------------------------------------
 * `listeners` / `advertised.listeners` are comma-separated NAME://host:port entries. Host may
 * be empty (all interfaces; advertised as this machine's hostname) or an IPv6 literal in
 * brackets. Names are unique; each must map to a security protocol through
 * listener.security.protocol.map; only PLAINTEXT is implemented (others are refused).
 * conf_load also checks the lists together: ports in `listeners` are unique unless 0; every
 * advertised name is one of the listeners, with a host clients can reach (not empty, 0.0.0.0
 * or ::) and a non-zero port; with advertised.listeners unset, no listener may be on 0.0.0.0
 * or :: (that address cannot be advertised). */
struct kb_listener {
	char *name;      /* e.g. "PLAINTEXT", "INTERNAL" */
	char *host;      /* "" when empty */
	int port;        /* 0..65535 (0 = any free port, listeners only) */
	char *protocol;  /* security protocol from the map, e.g. "PLAINTEXT" */
};

/* Parses a listener list against a protocol map. Returns 0 and a heap array, or -1 with err. */
int conf_parse_listeners(const char *list, const char *protocol_map, struct kb_listener **out,
                         int *count, char *err, size_t errlen);
void conf_free_listeners(struct kb_listener *l, int count);

/* Checks a listener.security.protocol.map value (comma-separated NAME:PROTOCOL, names unique,
 * protocols among PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL); the key's validator. */
int conf_check_protocol_map(const char *map, char *err, size_t errlen);

/* ---- max.connections.per.ip.overrides ---------------------------------------------------
 * Comma-separated host:count entries (blanks around entries and around ':' allowed). host is
 * a host name, an IPv4 address or an IPv6 address (bracketed or bare: the count follows the
 * LAST ':'); count is 0..2147483647; a host may appear once. An empty value has no entries. */
struct conf_ip_override {
	char *host;
	int32_t max;
};
/* Returns 0 and a heap array (free with conf_free_ip_overrides; NULL when empty), or -1 with
 * a reason in err. */
int conf_parse_ip_overrides(const char *v, struct conf_ip_override **out, int *count, char *err,
                            size_t errlen);
void conf_free_ip_overrides(struct conf_ip_override *o, int count);
int conf_check_ip_overrides(const char *v, char *err, size_t errlen); /* the key's validator */

#endif
