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
 */
#ifndef KB_CONF_H
#define KB_CONF_H

#include "../common/kb.h"

#include <stdio.h>

enum conf_type { CONF_INT = 1, CONF_LONG, CONF_BOOL, CONF_STRING, CONF_LIST };

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
	/* Topics and the controller */
	bool auto_create_topics_enable;         /* auto.create.topics.enable */
	int32_t num_partitions;                 /* num.partitions */
	int32_t default_replication_factor;     /* default.replication.factor */
	bool delete_topic_enable;               /* delete.topic.enable */
	bool unclean_leader_election_enable;    /* unclean.leader.election.enable */
	bool auto_leader_rebalance_enable;      /* auto.leader.rebalance.enable */
	int64_t leader_imbalance_check_interval_seconds; /* leader.imbalance.check.interval.seconds */
	int32_t leader_imbalance_per_broker_percentage;  /* leader.imbalance.per.broker.percentage */
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

/* Sets one key from text (used by conf_load; `where` is "file:line" or "--override"). */
int conf_set(struct kb_config *cfg, const char *key, const char *value, const char *where,
             char *err, size_t errlen);

/* Parses `value` (surrounding blanks ignored) as k's type, checks its bounds and k->validate,
 * and stores it at (char *)base + k->offset (int32_t, int64_t, bool or char *; a string it
 * replaces is freed; an empty value of an optional key without default stores NULL). Writes
 * only the reason into err. conf_set uses it; it is exposed so every type can be tested, even
 * one no key uses yet (CONF_BOOL). */
int conf_set_field(void *base, const struct conf_key *k, const char *value, char *err,
                   size_t errlen);

/* Writes the value of a key as text into buf (for logging the effective config); an unset
 * string is written as "null". */
void conf_value_str(const struct kb_config *cfg, const struct conf_key *k, char *buf, size_t len);

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

#endif
