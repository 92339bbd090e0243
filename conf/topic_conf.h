/* topic_conf.h — the topic-level configs: every one Kafka 3.9 defines (LogConfig), with its
 * type, validation and default. Most are honoured; the rest (no_effect: tiered storage,
 * replication throttles, preallocate, compression levels, ...) are accepted, validated and
 * described like Kafka's, and documented as having no effect in kbroker.
 *
 * One table (conf/topic_conf.c), one row per config: name, type, bounds or valid values,
 * Kafka's default, documentation, and the broker keys it falls back on ("synonyms", most
 * specific first: retention.ms → log.retention.ms, log.retention.minutes, log.retention.hours).
 * A topic's effective value is its own override (from CreateTopics / AlterConfigs, kept in
 * ZooKeeper), else the broker's value of the synonyms (conf_log_retention_ms() etc.), which is
 * the broker key's default unless server.properties or --override set one of them.
 *
 * Values are validated with the rules of broker keys (conf_set_field): integers in decimal
 * within [min, max], booleans true/false (any case), strings and lists checked by the row's
 * validator; surrounding blanks are ignored.
 */
#ifndef KB_TOPIC_CONF_H
#define KB_TOPIC_CONF_H

#include "conf.h"

#define TOPIC_CONF_MAX_SYNONYMS 3

struct topic_conf_key {
	const char *name;
	enum conf_type type;
	int64_t min, max;     /* bounds for CONF_INT / CONF_LONG */
	const char *def;      /* Kafka's default as text (the broker keys' default, resolved) */
	const char *doc;
	/* A further rule: for strings and lists the whole check; for numbers and booleans run
	 * after the type and bounds (e.g. gzip levels: -1 or 1..9). */
	int (*validate)(const char *value, char *err, size_t errlen);
	const char *valid;    /* valid values in words; NULL: bounds or type */
	/* Broker keys this config falls back on, most specific first; NULL-terminated. */
	const char *synonyms[TOPIC_CONF_MAX_SYNONYMS + 1];
	/* Writes the broker-level value as text; NULL: the value of synonyms[0], or def when
	 * kbroker has no broker key behind the config (synonyms[0] NULL). */
	void (*broker_value)(const struct kb_config *cfg, char *buf, size_t len);
	/* Accepted, validated and described as Kafka does, but kbroker does not act on it (no
	 * tiered storage, no replication quotas, ...); its doc says so. */
	bool no_effect;
	int kafka_type;       /* DescribeConfigs config_type when not the type's (DOUBLE: 6) */
};

extern const struct topic_conf_key topic_conf_keys[]; /* sorted by name */
extern const size_t topic_conf_nkeys;

/* One config entry, as in a CreateTopics / AlterConfigs request or a topic's ZooKeeper node. */
struct conf_kv {
	const char *name;
	const char *value;
};

const struct topic_conf_key *topic_conf_find(const char *name);

/* Checks one topic config. Returns 0, or -1 with a message in err: "Unknown topic config
 * name: <name>", "Null value not supported for topic config <name>", or "Invalid value <v>
 * for configuration <name>: <reason> (valid values: <bounds or set>)". */
int topic_conf_validate(const char *name, const char *value, char *err, size_t errlen);

/* The effective value of topic config `name` as text in buf (blanks trimmed; truncated to
 * buflen), and its source in *source (if not NULL): the last valid override of that name in
 * overrides[0..n) (CONF_SRC_DYNAMIC_TOPIC; an invalid one is skipped), else the broker-level
 * value: the source of the first synonym with a value (CONF_SRC_DYNAMIC_BROKER or
 * CONF_SRC_DYNAMIC_DEFAULT for a dynamic broker config, CONF_SRC_STATIC_BROKER when the file
 * or an override set it), else
 * CONF_SRC_DEFAULT. bcfg may be NULL (Kafka's defaults). Returns buf, or NULL for an unknown
 * name. */
const char *topic_conf_value(const struct kb_config *bcfg, const struct conf_kv *overrides,
                             int n, const char *name, char *buf, size_t buflen, int *source);

/* Convenience getters of the effective value (see topic_conf_value). topic_conf_int gives
 * an integer config's value, 1/0 for a boolean, and 0 for a string or an unknown name. */
int64_t topic_conf_int(const struct kb_config *bcfg, const struct conf_kv *overrides, int n,
                       const char *name);
bool topic_conf_bool(const struct kb_config *bcfg, const struct conf_kv *overrides, int n,
                     const char *name);

/* Kafka's DescribeConfigs config_type of a topic config (CONF_KT_*; 0 for an unknown name). */
int topic_conf_type(const char *name);

/* Checks of a whole set of overrides that single values cannot show, as Kafka's
 * LogConfig.validateValues: min.compaction.lag.ms may not exceed max.compaction.lag.ms
 * (effective values, bcfg may be NULL). Returns 0, or -1 with the reason in err. */
int topic_conf_validate_set(const struct kb_config *bcfg, const struct conf_kv *kv, int n,
                            char *err, size_t errlen);

/* `kbroker --help-topic-config`: every topic config with its type, valid values, default,
 * the broker key it falls back on, and its documentation. */
void topic_conf_print_help(FILE *out);

#endif
