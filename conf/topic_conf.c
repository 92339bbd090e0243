/* topic_conf.c — the table of topic-level configs and their resolution: topic override, else
 * the broker keys they fall back on, else the default. Names, types, bounds and defaults
 * follow Apache Kafka's topic configs; see topic_conf.h. */
#include "topic_conf.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define REASON_MAX 512
#define VALUE_MAX 128

static void bv_retention_ms(const struct kb_config *cfg, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRId64, conf_log_retention_ms(cfg));
}

static void bv_segment_ms(const struct kb_config *cfg, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRId64, conf_log_roll_ms(cfg));
}

static void bv_flush_ms(const struct kb_config *cfg, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRId64, conf_log_flush_ms(cfg));
}

#define INT_ATLEAST(lo) .type = CONF_INT, .min = (lo), .max = INT32_MAX
#define LONG_ATLEAST(lo) .type = CONF_LONG, .min = (lo), .max = INT64_MAX

const struct topic_conf_key topic_conf_keys[] = {
	{
		.name = "cleanup.policy", .type = CONF_LIST, .def = "delete",
		.validate = conf_check_cleanup_policy,
		.valid = "comma-separated list of compact, delete", .synonyms = {"log.cleanup.policy"},
		.doc = "What happens to old segments: delete removes them by retention time and size, "
		       "compact keeps the latest record of each key; both may be given.",
	},
	{
		.name = "compression.type", .type = CONF_STRING, .def = "producer",
		.validate = conf_check_compression_type,
		.valid = "uncompressed, zstd, lz4, snappy, gzip or producer",
		.synonyms = {"compression.type"},
		.doc = "Compression of the topic's stored batches: producer keeps the producer's, any "
		       "other value recompresses to it (uncompressed: none).",
	},
	{
		.name = "delete.retention.ms", LONG_ATLEAST(0), .def = "86400000",
		.synonyms = {"log.cleaner.delete.retention.ms"},
		.doc = "With compaction, how long a tombstone is kept, in milliseconds from its "
		       "timestamp, so consumers reading from the start see the delete.",
	},
	{
		.name = "file.delete.delay.ms", LONG_ATLEAST(0), .def = "60000",
		.synonyms = {"log.segment.delete.delay.ms"},
		.doc = "Milliseconds a removed segment stays on disk (renamed .deleted) before its "
		       "files are deleted.",
	},
	{
		.name = "flush.messages", LONG_ATLEAST(0), .def = "9223372036854775807",
		.synonyms = {"log.flush.interval.messages"},
		.doc = "Records appended to a partition before its log is forced to disk (fsync).",
	},
	{
		.name = "flush.ms", LONG_ATLEAST(0), .def = "9223372036854775807",
		.synonyms = {"log.flush.interval.ms", "log.flush.scheduler.interval.ms"},
		.broker_value = bv_flush_ms,
		.doc = "Longest time in milliseconds appended data stays unflushed before the log is "
		       "forced to disk.",
	},
	{
		.name = "index.interval.bytes", INT_ATLEAST(0), .def = "4096",
		.synonyms = {"log.index.interval.bytes"},
		.doc = "Bytes of log appended between two entries of a segment's offset and time "
		       "indexes.",
	},
	{
		.name = "max.compaction.lag.ms", .type = CONF_LONG, .min = 1, .max = INT64_MAX,
		.def = "9223372036854775807", .synonyms = {"log.cleaner.max.compaction.lag.ms"},
		.doc = "Longest time in milliseconds a record stays uncompacted: its segment is then "
		       "cleaned whatever the dirty ratio.",
	},
	{
		.name = "max.message.bytes", INT_ATLEAST(0), .def = "1048588",
		.synonyms = {"message.max.bytes"},
		.doc = "Largest record batch the topic accepts, in bytes, as the producer sent it.",
	},
	{
		.name = "message.timestamp.difference.max.ms", LONG_ATLEAST(0),
		.def = "9223372036854775807", .synonyms = {"log.message.timestamp.difference.max.ms"},
		.doc = "With CreateTime, how far in milliseconds a record's timestamp may be from the "
		       "broker's clock before its batch is refused.",
	},
	{
		.name = "message.timestamp.type", .type = CONF_STRING, .def = "CreateTime",
		.validate = conf_check_timestamp_type, .valid = "CreateTime or LogAppendTime",
		.synonyms = {"log.message.timestamp.type"},
		.doc = "Timestamp records are stored with: the producer's (CreateTime) or the broker's "
		       "clock at append (LogAppendTime).",
	},
	{
		.name = "min.cleanable.dirty.ratio", .type = CONF_STRING, .def = "0.5",
		.validate = conf_check_ratio, .valid = "a number in [0, 1]",
		.synonyms = {"log.cleaner.min.cleanable.ratio"},
		.doc = "Share of a compacted log's cleanable bytes that must be dirty before it is "
		       "cleaned.",
	},
	{
		.name = "min.compaction.lag.ms", LONG_ATLEAST(0), .def = "0",
		.synonyms = {"log.cleaner.min.compaction.lag.ms"},
		.doc = "Shortest time in milliseconds a record stays uncompacted.",
	},
	{
		.name = "min.insync.replicas", INT_ATLEAST(1), .def = "1",
		.synonyms = {"min.insync.replicas"},
		.doc = "Fewest in-sync replicas a partition needs to accept a produce with acks=all.",
	},
	{
		.name = "retention.bytes", LONG_ATLEAST(-1), .def = "-1",
		.synonyms = {"log.retention.bytes"},
		.doc = "Size a partition's log may reach before its oldest segments are deleted; -1: "
		       "no size limit.",
	},
	{
		.name = "retention.ms", LONG_ATLEAST(-1), .def = "604800000",
		.synonyms = {"log.retention.ms", "log.retention.minutes", "log.retention.hours"},
		.broker_value = bv_retention_ms,
		.doc = "How long a segment is kept, in milliseconds from its newest record timestamp, "
		       "before it is deleted; -1 keeps data forever.",
	},
	{
		.name = "segment.bytes", INT_ATLEAST(14), .def = "1073741824",
		.synonyms = {"log.segment.bytes"},
		.doc = "Largest size of one segment file of the topic's partitions, in bytes.",
	},
	{
		.name = "segment.index.bytes", INT_ATLEAST(0), .def = "10485760",
		.synonyms = {"log.index.size.max.bytes"},
		.doc = "Largest size of a segment's offset index (and time index), in bytes.",
	},
	{
		.name = "segment.ms", LONG_ATLEAST(1), .def = "604800000",
		.synonyms = {"log.roll.ms", "log.roll.hours"}, .broker_value = bv_segment_ms,
		.doc = "Age in milliseconds after which the next append rolls the active segment even "
		       "if it is not full.",
	},
	{
		.name = "unclean.leader.election.enable", .type = CONF_BOOL, .def = "false",
		.synonyms = {"unclean.leader.election.enable"},
		.doc = "Let a replica that is not in sync become leader when no in-sync replica is "
		       "alive, losing the messages it lacks.",
	},
};

const size_t topic_conf_nkeys = KB_ARRAY_LEN(topic_conf_keys);

const struct topic_conf_key *topic_conf_find(const char *name)
{
	for (size_t i = 0; i < topic_conf_nkeys; i++)
		if (strcmp(topic_conf_keys[i].name, name) == 0)
			return &topic_conf_keys[i];
	return NULL;
}

static void valid_text(const struct topic_conf_key *t, char *buf, size_t len)
{
	if (t->valid)
		snprintf(buf, len, "%s", t->valid);
	else if (t->type == CONF_INT || t->type == CONF_LONG)
		snprintf(buf, len, "[%" PRId64 ", %" PRId64 "]", t->min, t->max);
	else if (t->type == CONF_BOOL)
		snprintf(buf, len, "true or false");
	else
		snprintf(buf, len, "any");
}

/* Checks a value with conf_set_field's rules; writes only the reason into why. */
static int check_value(const struct topic_conf_key *t, const char *value, char *why,
                       size_t len)
{
	const struct conf_key k = {.name = t->name, .type = t->type, .offset = 0, .min = t->min,
	                           .max = t->max, .def = t->def, .validate = t->validate};
	union {
		int32_t i32;
		int64_t i64;
		bool b;
		char *s;
	} scratch = {0};
	int rc = conf_set_field(&scratch, &k, value, why, len);
	if (t->type == CONF_STRING || t->type == CONF_LIST)
		kb_free(scratch.s);
	return rc;
}

int topic_conf_validate(const char *name, const char *value, char *err, size_t errlen)
{
	const struct topic_conf_key *t = topic_conf_find(name);
	if (!t) {
		snprintf(err, errlen, "Unknown topic config name: %.200s", name);
		return -1;
	}
	if (!value) {
		snprintf(err, errlen, "Null value not supported for topic config %s", name);
		return -1;
	}
	char why[REASON_MAX], valid[REASON_MAX];
	if (check_value(t, value, why, sizeof(why)) == 0)
		return 0;
	valid_text(t, valid, sizeof(valid));
	snprintf(err, errlen, "Invalid value %.100s for configuration %s: %s (valid values: %s)",
	         value, name, why, valid);
	return -1;
}

static void copy_trimmed(const char *s, char *buf, size_t len)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	snprintf(buf, len, "%.*s", (int)KB_MIN(n, (size_t)INT32_MAX), s);
}

static bool any_synonym_set(const struct kb_config *bcfg, const struct topic_conf_key *t)
{
	for (int i = 0; t->synonyms[i]; i++)
		if (conf_is_set(bcfg, t->synonyms[i]))
			return true;
	return false;
}

const char *topic_conf_value(const struct kb_config *bcfg, const struct conf_kv *overrides,
                             int n, const char *name, char *buf, size_t buflen, int *source)
{
	const struct topic_conf_key *t = topic_conf_find(name);
	if (!t)
		return NULL;
	int src = CONF_SRC_DEFAULT;
	char why[REASON_MAX];
	int i = n - 1;
	/* An override too long for buf counts as invalid: cut short, "000...05" would read 0. */
	while (i >= 0 && (strcmp(overrides[i].name, name) != 0 || !overrides[i].value ||
	                  strlen(overrides[i].value) >= buflen ||
	                  check_value(t, overrides[i].value, why, sizeof(why)) != 0))
		i--;
	if (i >= 0) {
		copy_trimmed(overrides[i].value, buf, buflen);
		src = CONF_SRC_DYNAMIC_TOPIC;
	} else if (!bcfg) {
		snprintf(buf, buflen, "%s", t->def);
	} else {
		if (t->broker_value)
			t->broker_value(bcfg, buf, buflen);
		else
			conf_value_str(bcfg, conf_find(t->synonyms[0]), buf, buflen);
		if (any_synonym_set(bcfg, t))
			src = CONF_SRC_STATIC_BROKER;
	}
	if (source)
		*source = src;
	return buf;
}

int64_t topic_conf_int(const struct kb_config *bcfg, const struct conf_kv *overrides, int n,
                       const char *name)
{
	const struct topic_conf_key *t = topic_conf_find(name);
	char buf[VALUE_MAX];
	if (!t || !topic_conf_value(bcfg, overrides, n, name, buf, sizeof(buf), NULL))
		return 0;
	if (t->type == CONF_BOOL)
		return strcasecmp(buf, "true") == 0;
	if (t->type != CONF_INT && t->type != CONF_LONG)
		return 0;
	return (int64_t)strtoll(buf, NULL, 10);
}

bool topic_conf_bool(const struct kb_config *bcfg, const struct conf_kv *overrides, int n,
                     const char *name)
{
	char buf[VALUE_MAX];
	const char *v = topic_conf_value(bcfg, overrides, n, name, buf, sizeof(buf), NULL);
	return v && strcasecmp(v, "true") == 0;
}

int topic_conf_type(const char *name)
{
	const struct topic_conf_key *t = topic_conf_find(name);
	return t ? conf_kafka_type(t->type) : CONF_KT_UNKNOWN;
}
