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

#define NO_EFFECT "Accepted, no effect in kbroker"
#define THROTTLED_VALID "[partitionId]:[brokerId],[partitionId]:[brokerId],... or *"
#define TOPIC_CONF_KT_DOUBLE 6 /* Kafka's ConfigType DOUBLE */

/* gzip: 1..9, or -1 for the library's default (the type's bounds are [-1, 9]). */
static int check_gzip_level(const char *v, char *err, size_t errlen)
{
	if (strtol(v, NULL, 10) != 0)
		return 0;
	snprintf(err, errlen, "0 is not a gzip level");
	return -1;
}

/* Kafka's throttled-replica lists: "*" alone, or items "<partition>:<broker>" (digits),
 * each trimmed; empty items are allowed, as Kafka's pattern allows them. */
static int check_throttled_replicas(const char *v, char *err, size_t errlen)
{
	while (isspace((unsigned char)*v))
		v++;
	size_t n = strlen(v);
	while (n > 0 && isspace((unsigned char)v[n - 1]))
		n--;
	if (n == 1 && v[0] == '*')
		return 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && v[j] != ',')
			j++;
		size_t a = i, b = j;
		while (a < b && isspace((unsigned char)v[a]))
			a++;
		while (b > a && isspace((unsigned char)v[b - 1]))
			b--;
		size_t d1 = a, d2;
		while (d1 < b && isdigit((unsigned char)v[d1]))
			d1++;
		d2 = d1 < b && v[d1] == ':' ? d1 + 1 : d1;
		size_t e = d2;
		while (e < b && isdigit((unsigned char)v[e]))
			e++;
		bool ok = a == b || (d1 > a && v[d1] == ':' && e > d2 && e == b);
		if (!ok) {
			snprintf(err, errlen, "'%.*s' is not partitionId:brokerId (or the list is not *)",
			         (int)KB_MIN(b - a, (size_t)64), v + a);
			return -1;
		}
		i = j + 1;
	}
	return 0;
}

/* Kafka's version strings of the record format / protocol (MetadataVersion), long and short. */
static const char *const format_versions[] = {
	"0.8.0", "0.8.1", "0.8.2", "0.9.0", "0.10.0-IV0", "0.10.0-IV1", "0.10.1-IV0",
	"0.10.1-IV1", "0.10.1-IV2", "0.10.2-IV0", "0.11.0-IV0", "0.11.0-IV1", "0.11.0-IV2",
	"1.0-IV0", "1.1-IV0", "2.0-IV0", "2.0-IV1", "2.1-IV0", "2.1-IV1", "2.1-IV2", "2.2-IV0",
	"2.2-IV1", "2.3-IV0", "2.3-IV1", "2.4-IV0", "2.4-IV1", "2.5-IV0", "2.6-IV0", "2.7-IV0",
	"2.7-IV1", "2.7-IV2", "2.8-IV0", "2.8-IV1", "3.0-IV0", "3.0-IV1", "3.1-IV0", "3.2-IV0",
	"3.3-IV0", "3.3-IV1", "3.3-IV2", "3.3-IV3", "3.4-IV0", "3.5-IV0", "3.5-IV1", "3.5-IV2",
	"3.6-IV0", "3.6-IV1", "3.6-IV2", "3.7-IV0", "3.7-IV1", "3.7-IV2", "3.7-IV3", "3.7-IV4",
	"3.8-IV0", "3.9-IV0", "4.0-IV0", "4.0-IV1",
};

/* A known version, or its release without the "-IVn" suffix ("2.8", "0.10.0"). */
static bool known_version(const char *v, size_t n)
{
	for (size_t i = 0; i < KB_ARRAY_LEN(format_versions); i++) {
		const char *f = format_versions[i], *iv = strstr(f, "-IV");
		size_t flen = strlen(f), short_len = iv ? (size_t)(iv - f) : flen;
		if ((n == flen || n == short_len) && strncmp(v, f, n) == 0)
			return true;
	}
	return false;
}

/* As Kafka reads them: the first three dot-separated parts of a 0.x version, the first two
 * of any other, must name a known version ("2.8.1" is 2.8, "0.10.2.1" is 0.10.2). */
static int check_format_version(const char *v, char *err, size_t errlen)
{
	int keep = strncmp(v, "0.", 2) == 0 ? 3 : 2, dots = 0;
	size_t n = 0;
	while (v[n] && !(v[n] == '.' && ++dots == keep))
		n++;
	if (n > 0 && known_version(v, n) && strcmp(v, "2.9-IV0") != 0)
		return 0;
	snprintf(err, errlen, "'%.64s' is not a Kafka version", v);
	return -1;
}

/* Tiered storage is not offered: remote.storage.enable must stay false. */
static int check_remote_storage(const char *v, char *err, size_t errlen)
{
	if (strcasecmp(v, "true") != 0)
		return 0;
	snprintf(err, errlen, "Tiered Storage functionality is disabled in the broker. Topic "
	         "cannot be configured with remote log storage.");
	return -1;
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
		.name = "compression.gzip.level", .type = CONF_INT, .min = -1, .max = 9, .def = "-1",
		.validate = check_gzip_level, .valid = "[1, 9] or -1", .no_effect = true,
		.doc = "Level of gzip compression when compression.type is gzip: 1 (fastest) to 9 "
		       "(smallest), -1 for zlib's default. " NO_EFFECT ": gzip is recompressed at "
		       "zlib's default level.",
	},
	{
		.name = "compression.lz4.level", .type = CONF_INT, .min = 1, .max = 17, .def = "9",
		.no_effect = true,
		.doc = "Level of lz4 compression when compression.type is lz4, 1 to 17. " NO_EFFECT
		       ": lz4 is recompressed in the library's default (fast) mode.",
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
		.name = "compression.zstd.level", .type = CONF_INT, .min = -131072, .max = 22,
		.def = "3", .no_effect = true,
		.doc = "Level of zstd compression when compression.type is zstd, -131072 to 22. "
		       NO_EFFECT ": zstd is recompressed at level 3 (this default).",
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
		.name = "flush.messages", LONG_ATLEAST(1), .def = "9223372036854775807",
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
		.name = "follower.replication.throttled.replicas", .type = CONF_LIST, .def = "",
		.validate = check_throttled_replicas, .valid = THROTTLED_VALID, .no_effect = true,
		.doc = "Replicas whose replication is throttled on the follower side, as "
		       "partition:broker pairs, or * for all. " NO_EFFECT ": there are no replication "
		       "quotas.",
	},
	{
		.name = "index.interval.bytes", INT_ATLEAST(0), .def = "4096",
		.synonyms = {"log.index.interval.bytes"},
		.doc = "Bytes of log appended between two entries of a segment's offset and time "
		       "indexes.",
	},
	{
		.name = "leader.replication.throttled.replicas", .type = CONF_LIST, .def = "",
		.validate = check_throttled_replicas, .valid = THROTTLED_VALID, .no_effect = true,
		.doc = "Replicas whose replication is throttled on the leader side, as "
		       "partition:broker pairs, or * for all. " NO_EFFECT ": there are no replication "
		       "quotas.",
	},
	{
		.name = "local.retention.bytes", LONG_ATLEAST(-2), .def = "-2", .no_effect = true,
		.doc = "With tiered storage, the size a partition keeps locally before segments are "
		       "left only in remote storage; -2: retention.bytes. " NO_EFFECT ": there is no "
		       "tiered storage.",
	},
	{
		.name = "local.retention.ms", LONG_ATLEAST(-2), .def = "-2", .no_effect = true,
		.doc = "With tiered storage, how long segments are kept locally before they are left "
		       "only in remote storage; -2: retention.ms. " NO_EFFECT ": there is no tiered "
		       "storage.",
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
		.name = "message.downconversion.enable", .type = CONF_BOOL, .def = "true",
		.no_effect = true,
		.doc = "Whether batches are down-converted for consumers that fetch with an old "
		       "Fetch version (v0-3). " NO_EFFECT ": they always are.",
	},
	{
		.name = "message.format.version", .type = CONF_STRING, .def = "3.0-IV1",
		.validate = check_format_version, .no_effect = true,
		.valid = "a Kafka version such as 0.10.2, 2.8 or 3.0-IV1",
		.doc = "Record format for appends, by Kafka version. " NO_EFFECT ": as in Kafka 3.x "
		       "(inter.broker.protocol.version 3.0 or later) it is ignored and batches are "
		       "stored in format v2.",
	},
	{
		.name = "message.timestamp.after.max.ms", LONG_ATLEAST(0), .def = "9223372036854775807",
		.doc = "With CreateTime, how far in milliseconds a record's timestamp may be ahead of "
		       "the broker's clock before its batch is refused (the default: "
		       "message.timestamp.difference.max.ms).",
	},
	{
		.name = "message.timestamp.before.max.ms", LONG_ATLEAST(0),
		.def = "9223372036854775807",
		.doc = "With CreateTime, how far in milliseconds a record's timestamp may be behind "
		       "the broker's clock before its batch is refused (the default: "
		       "message.timestamp.difference.max.ms).",
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
		.kafka_type = TOPIC_CONF_KT_DOUBLE,
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
		.name = "preallocate", .type = CONF_BOOL, .def = "false", .no_effect = true,
		.doc = "Whether a new segment file is allocated at its full size when it is created. "
		       NO_EFFECT ": segments grow as they are written.",
	},
	{
		.name = "remote.log.copy.disable", .type = CONF_BOOL, .def = "false", .no_effect = true,
		.doc = "With tiered storage, stops copying segments to remote storage. " NO_EFFECT
		       ": there is no tiered storage.",
	},
	{
		.name = "remote.log.delete.on.disable", .type = CONF_BOOL, .def = "false",
		.no_effect = true,
		.doc = "With tiered storage, lets remote storage be turned off for the topic, deleting "
		       "its remote data. " NO_EFFECT ": there is no tiered storage.",
	},
	{
		.name = "remote.storage.enable", .type = CONF_BOOL, .def = "false",
		.validate = check_remote_storage, .valid = "false (tiered storage is disabled)",
		.no_effect = true,
		.doc = "Whether the topic's segments are copied to tiered (remote) storage. "
		       NO_EFFECT ": there is no tiered storage, and true is refused as by a Kafka "
		       "broker whose tiered storage is disabled.",
	},
	{
		.name = "retention.bytes", LONG_ATLEAST(INT64_MIN), .def = "-1",
		.synonyms = {"log.retention.bytes"},
		.doc = "Size a partition's log may reach before its oldest segments are deleted; a "
		       "negative value (-1): no size limit.",
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
		.name = "segment.index.bytes", INT_ATLEAST(4), .def = "10485760",
		.synonyms = {"log.index.size.max.bytes"},
		.doc = "Largest size of a segment's offset index (and time index), in bytes.",
	},
	{
		.name = "segment.jitter.ms", LONG_ATLEAST(0), .def = "0", .no_effect = true,
		.doc = "Largest random time in milliseconds subtracted from segment.ms so segments of "
		       "many partitions do not roll together. " NO_EFFECT ": segments roll at "
		       "segment.ms.",
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

static void copy_trimmed(const char *s, char *buf, size_t len)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	snprintf(buf, len, "%.*s", (int)KB_MIN(n, (size_t)INT32_MAX), s);
}

/* Checks a value with conf_set_field's rules; writes only the reason into why. */
static int check_value(const struct topic_conf_key *t, const char *value, char *why,
                       size_t len)
{
	/* An empty default (the throttled-replica lists) lets the value be empty too. */
	const struct conf_key k = {.name = t->name, .type = t->type, .offset = 0, .min = t->min,
	                           .max = t->max, .def = t->def[0] ? t->def : NULL,
	                           .validate = t->validate};
	union {
		int32_t i32;
		int64_t i64;
		bool b;
		char *s;
	} scratch = {0};
	int rc = conf_set_field(&scratch, &k, value, why, len);
	if (t->type == CONF_STRING || t->type == CONF_LIST)
		kb_free(scratch.s);
	else if (rc == 0 && t->validate) { /* a further rule on a number or boolean */
		char v[VALUE_MAX];
		copy_trimmed(value, v, sizeof(v));
		rc = t->validate(v, why, len);
	}
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


/* The source of the broker-level value: the first synonym with a value set (dynamic levels
 * as recorded in bcfg->dyn), else the default. */
static int synonym_source(const struct kb_config *bcfg, const struct topic_conf_key *t)
{
	for (int i = 0; t->synonyms[i]; i++) {
		const struct conf_key *k = conf_find(t->synonyms[i]);
		if (k && bcfg->set[k - conf_keys])
			return bcfg->dyn[k - conf_keys] ? bcfg->dyn[k - conf_keys]
			                                : CONF_SRC_STATIC_BROKER;
	}
	return CONF_SRC_DEFAULT;
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
		else if (t->synonyms[0] && conf_find(t->synonyms[0]))
			conf_value_str(bcfg, conf_find(t->synonyms[0]), buf, buflen);
		else /* no broker key behind it in kbroker */
			snprintf(buf, buflen, "%s", t->def);
		src = synonym_source(bcfg, t);
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
	if (!t)
		return CONF_KT_UNKNOWN;
	return t->kafka_type ? t->kafka_type : conf_kafka_type(t->type);
}

int topic_conf_validate_set(const struct kb_config *bcfg, const struct conf_kv *kv, int n,
                            char *err, size_t errlen)
{
	int64_t lo = topic_conf_int(bcfg, kv, n, "min.compaction.lag.ms");
	int64_t hi = topic_conf_int(bcfg, kv, n, "max.compaction.lag.ms");
	if (lo <= hi)
		return 0;
	snprintf(err, errlen, "conflict topic config setting min.compaction.lag.ms (%" PRId64
	         ") > max.compaction.lag.ms (%" PRId64 ")", lo, hi);
	return -1;
}

void topic_conf_print_help(FILE *out)
{
	fprintf(out, "Topic configs (CreateTopics, AlterConfigs, kadmin --config): every topic "
	        "config of Kafka 3.9.\n\n");
	for (size_t i = 0; i < topic_conf_nkeys; i++) {
		const struct topic_conf_key *t = &topic_conf_keys[i];
		char valid[REASON_MAX];
		valid_text(t, valid, sizeof(valid));
		static const char *const types[] = {"?", "int", "long", "boolean", "string", "list"};
		fprintf(out, "%s\n  type: %s; valid: %s; default: %s%s%s\n", t->name,
		        t->kafka_type == TOPIC_CONF_KT_DOUBLE ? "double" : types[t->type], valid,
		        t->def[0] ? t->def : "\"\"", t->synonyms[0] ? "; broker key: " : "",
		        t->synonyms[0] ? t->synonyms[0] : "");
		fprintf(out, "  %s\n\n", t->doc);
	}
}
