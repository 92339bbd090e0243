/* test_topic_conf.c — topic-level configs (conf/topic_conf.c): the table against the broker
 * keys it falls back on, validation (bounds, value sets, unknown names), resolution of the
 * effective value and its source, and the broker's log keys: fallbacks (retention, roll,
 * flush), log.dirs / log.dir, bounds and value sets, set tracking and conf_describe. Configs
 * are loaded from --override strings only, so no file is needed. */
#include "conf/topic_conf.h"

#include <CUnit/Basic.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* ---- Helpers ---------------------------------------------------------------------------- */

/* Loads broker.id, zookeeper.connect and up to 8 more overrides; must succeed. */
static void load_cfg(struct kb_config *c, const char *const *extra, int n)
{
	char *ov[10] = {"broker.id=1", "zookeeper.connect=zk:2181"};
	CU_ASSERT_FATAL(n <= 8);
	for (int i = 0; i < n; i++)
		ov[2 + i] = (char *)extra[i];
	char err[512] = "";
	int rc = conf_load(c, NULL, 2 + n, ov, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "\n  unexpected error: %s\n", err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
}

/* Loading with one more override must fail with an error containing `want`. */
static void expect_load_error(const char *extra, const char *want)
{
	char *ov[] = {"broker.id=1", "zookeeper.connect=zk:2181", (char *)extra};
	struct kb_config c;
	char err[512] = "";
	int rc = conf_load(&c, NULL, 3, ov, err, sizeof(err));
	CU_ASSERT_EQUAL(rc, -1);
	if (rc == 0)
		conf_free(&c);
	if (!strstr(err, want)) {
		fprintf(stderr, "\n  %s: expected error containing \"%s\", got \"%s\"\n", extra, want,
		        err);
		CU_FAIL("wrong error message");
	}
}

static void expect_valid(const char *name, const char *value)
{
	char err[512] = "";
	int rc = topic_conf_validate(name, value, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "\n  %s=%s refused: %s\n", name, value, err);
	CU_ASSERT_EQUAL(rc, 0);
}

static void expect_invalid(const char *name, const char *value, const char *want)
{
	char err[512] = "";
	CU_ASSERT_EQUAL(topic_conf_validate(name, value, err, sizeof(err)), -1);
	if (!strstr(err, want)) {
		fprintf(stderr, "\n  %s=%s: expected error containing \"%s\", got \"%s\"\n", name,
		        value ? value : "(null)", want, err);
		CU_FAIL("wrong error message");
	}
}

/* The effective value and source of `name`; checks both. */
static void expect_resolved(const struct kb_config *c, const struct conf_kv *ov, int n,
                            const char *name, const char *want, int want_source)
{
	char buf[128];
	int source = -1;
	const char *v = topic_conf_value(c, ov, n, name, buf, sizeof(buf), &source);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	if (strcmp(v, want) != 0 || source != want_source) {
		fprintf(stderr, "\n  %s: expected %s (source %d), got %s (source %d)\n", name, want,
		        want_source, v, source);
		CU_FAIL("wrong effective value");
	}
}

/* ---- The table -------------------------------------------------------------------------- */

static void test_table(void)
{
	/* Every topic config of Kafka 3.9.1 (LogConfig.configNames()), and no other. */
	static const char *const kafka39[] = {
		"cleanup.policy", "compression.gzip.level", "compression.lz4.level",
		"compression.type", "compression.zstd.level", "delete.retention.ms",
		"file.delete.delay.ms", "flush.messages", "flush.ms",
		"follower.replication.throttled.replicas", "index.interval.bytes",
		"leader.replication.throttled.replicas", "local.retention.bytes", "local.retention.ms",
		"max.compaction.lag.ms", "max.message.bytes", "message.downconversion.enable",
		"message.format.version", "message.timestamp.after.max.ms",
		"message.timestamp.before.max.ms", "message.timestamp.difference.max.ms",
		"message.timestamp.type", "min.cleanable.dirty.ratio", "min.compaction.lag.ms",
		"min.insync.replicas", "preallocate", "remote.log.copy.disable",
		"remote.log.delete.on.disable", "remote.storage.enable", "retention.bytes",
		"retention.ms", "segment.bytes", "segment.index.bytes", "segment.jitter.ms",
		"segment.ms", "unclean.leader.election.enable",
	};
	CU_ASSERT_EQUAL(topic_conf_nkeys, KB_ARRAY_LEN(kafka39));
	for (size_t i = 0; i < KB_ARRAY_LEN(kafka39); i++)
		if (!topic_conf_find(kafka39[i])) {
			fprintf(stderr, "\n  missing topic config %s\n", kafka39[i]);
			CU_FAIL("a Kafka 3.9 topic config is missing");
		}
	for (size_t i = 0; i < topic_conf_nkeys; i++) {
		const struct topic_conf_key *t = &topic_conf_keys[i];
		if (i > 0)
			CU_ASSERT_TRUE(strcmp(topic_conf_keys[i - 1].name, t->name) < 0);
		CU_ASSERT_PTR_EQUAL(topic_conf_find(t->name), t);
		CU_ASSERT_TRUE(t->doc && strlen(t->doc) > 30);
		CU_ASSERT_PTR_NOT_NULL(t->def);
		expect_valid(t->name, t->def);
		/* Configs kbroker does not act on say so; a config with no broker key behind it in
		 * kbroker falls back on its own default. */
		CU_ASSERT_EQUAL(t->no_effect, strstr(t->doc, "no effect in kbroker") != NULL);
		for (int j = 0; t->synonyms[j]; j++) {
			const struct conf_key *k = conf_find(t->synonyms[j]);
			CU_ASSERT_PTR_NOT_NULL(k);
			/* A single synonym has the topic config's type. */
			if (k && j == 0 && !t->synonyms[1])
				CU_ASSERT_EQUAL(k->type, t->type);
		}
		CU_ASSERT_NOT_EQUAL(topic_conf_type(t->name), CONF_KT_UNKNOWN);
	}
	CU_ASSERT_PTR_NULL(topic_conf_find("log.retention.ms"));
	CU_ASSERT_EQUAL(topic_conf_type("unclean.leader.election.enable"), 1);
	CU_ASSERT_EQUAL(topic_conf_type("compression.type"), 2);
	CU_ASSERT_EQUAL(topic_conf_type("segment.bytes"), 3);
	CU_ASSERT_EQUAL(topic_conf_type("retention.ms"), 5);
	CU_ASSERT_EQUAL(topic_conf_type("cleanup.policy"), 7);
	CU_ASSERT_EQUAL(topic_conf_type("min.cleanable.dirty.ratio"), 6);
	CU_ASSERT_EQUAL(topic_conf_type("nope"), 0);
}

/* With a default broker config every topic config resolves to its own default. */
static void test_defaults_agree(void)
{
	struct kb_config c;
	load_cfg(&c, NULL, 0);
	for (size_t i = 0; i < topic_conf_nkeys; i++) {
		expect_resolved(&c, NULL, 0, topic_conf_keys[i].name, topic_conf_keys[i].def,
		                CONF_SRC_DEFAULT);
		expect_resolved(NULL, NULL, 0, topic_conf_keys[i].name, topic_conf_keys[i].def,
		                CONF_SRC_DEFAULT);
	}
	conf_free(&c);
}

/* ---- Validation ------------------------------------------------------------------------- */

static void test_bounds(void)
{
	for (size_t i = 0; i < topic_conf_nkeys; i++) {
		const struct topic_conf_key *t = &topic_conf_keys[i];
		if (t->type != CONF_INT && t->type != CONF_LONG)
			continue;
		char v[32], want[320];
		snprintf(v, sizeof(v), "%" PRId64, t->min);
		expect_valid(t->name, v);
		snprintf(v, sizeof(v), "%" PRId64, t->min + 1);
		if (!t->validate) /* gzip levels: -1, then 1 */
			expect_valid(t->name, v);
		snprintf(v, sizeof(v), "%" PRId64, t->max);
		expect_valid(t->name, v);
		if (t->min == INT64_MIN) { /* retention.bytes: any long, as in Kafka */
			expect_invalid(t->name, "-9223372036854775809", "out of range");
			continue;
		}
		snprintf(v, sizeof(v), "%" PRId64, t->min - 1);
		snprintf(want, sizeof(want), "Invalid value %s for configuration %s: value %s is below "
		         "the minimum %" PRId64, v, t->name, v, t->min);
		expect_invalid(t->name, v, want);
		snprintf(want, sizeof(want), "(valid values: [%" PRId64 ", %" PRId64 "])", t->min,
		         t->max);
		if (!t->valid)
			expect_invalid(t->name, v, want);
		if (t->max == INT64_MAX) {
			expect_invalid(t->name, "9223372036854775808", "out of range");
		} else {
			snprintf(v, sizeof(v), "%" PRId64, t->max + 1);
			expect_invalid(t->name, v, "is above the maximum");
		}
		expect_invalid(t->name, "12x", "not an integer");
		expect_invalid(t->name, "", "not an integer");
	}
	expect_invalid("segment.bytes", "13", "value 13 is below the minimum 14");
	expect_valid("segment.bytes", " 14 ");
	expect_valid("retention.ms", "-1");
	expect_invalid("retention.ms", "-2", "below the minimum -1");
	expect_invalid("segment.ms", "0", "below the minimum 1");
	expect_invalid("min.insync.replicas", "0", "below the minimum 1");
	/* Kafka 3.9's bounds where kbroker's were looser or tighter. */
	expect_invalid("flush.messages", "0", "below the minimum 1");
	expect_invalid("segment.index.bytes", "3", "below the minimum 4");
	expect_valid("retention.bytes", "-5");
	expect_valid("local.retention.ms", "-2");
	expect_invalid("local.retention.bytes", "-3", "below the minimum -2");
	expect_valid("compression.zstd.level", "-131072");
	expect_invalid("compression.zstd.level", "23", "above the maximum 22");
	expect_invalid("compression.lz4.level", "0", "below the minimum 1");
	expect_valid("compression.gzip.level", "-1");
	expect_valid("compression.gzip.level", "9");
	expect_invalid("compression.gzip.level", "0", "(valid values: [1, 9] or -1)");
	expect_invalid("compression.gzip.level", "10", "above the maximum 9");
}

/* Configs accepted for Kafka's sake: validated as Kafka validates them. */
static void test_kafka_only_configs(void)
{
	const char *throttled[] = {"leader.replication.throttled.replicas",
	                           "follower.replication.throttled.replicas"};
	for (int i = 0; i < 2; i++) {
		expect_valid(throttled[i], "");
		expect_valid(throttled[i], "*");
		expect_valid(throttled[i], " * ");
		expect_valid(throttled[i], "0:1");
		expect_valid(throttled[i], "0:1, 1:2 ,12:103");
		expect_invalid(throttled[i], "0:1,*", "not partitionId:brokerId");
		expect_invalid(throttled[i], "0-1", "not partitionId:brokerId");
		expect_invalid(throttled[i], "0:", "not partitionId:brokerId");
		expect_invalid(throttled[i], ":1", "not partitionId:brokerId");
		expect_invalid(throttled[i], "a:1", "not partitionId:brokerId");
	}
	const char *versions[] = {"0.8.0", "0.10.0", "0.10.0-IV1", "0.10.2.1", "0.11.0", "1.0",
	                          "2.8", "2.8.1", "2.8-IV1", "3.0-IV1", "3.9", "3.9-IV0", "4.0"};
	for (size_t i = 0; i < KB_ARRAY_LEN(versions); i++)
		expect_valid("message.format.version", versions[i]);
	const char *bad[] = {"", "3", "0.10", "2.9-IV0", "2.9", "3.0-IV9", "4.1", "x", "3.0-iv1"};
	for (size_t i = 0; i < KB_ARRAY_LEN(bad); i++)
		expect_invalid("message.format.version", bad[i], "message.format.version");
	expect_valid("remote.storage.enable", "false");
	expect_invalid("remote.storage.enable", "true", "Tiered Storage functionality is disabled");
	expect_invalid("remote.storage.enable", "TRUE", "Tiered Storage functionality is disabled");
	expect_invalid("remote.storage.enable", "maybe", "true or false");
	expect_valid("preallocate", "true");
	expect_valid("message.downconversion.enable", "false");
	expect_valid("segment.jitter.ms", "1000");
	expect_invalid("segment.jitter.ms", "-1", "below the minimum 0");
	/* Kafka's check of the whole set: min.compaction.lag.ms <= max.compaction.lag.ms. */
	char err[256] = "";
	const struct conf_kv lags[] = {{"min.compaction.lag.ms", "10"},
	                               {"max.compaction.lag.ms", "5"}};
	CU_ASSERT_EQUAL(topic_conf_validate_set(NULL, lags, 2, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "min.compaction.lag.ms (10) > max.compaction.lag.ms (5)"));
	CU_ASSERT_EQUAL(topic_conf_validate_set(NULL, lags, 1, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(topic_conf_validate_set(NULL, &lags[1], 1, err, sizeof(err)), 0);
	struct kb_config c;
	const char *bro[] = {"log.cleaner.min.compaction.lag.ms=100"};
	load_cfg(&c, bro, 1);
	CU_ASSERT_EQUAL(topic_conf_validate_set(&c, &lags[1], 1, err, sizeof(err)), -1);
	conf_free(&c);
}

static void test_value_sets(void)
{
	expect_valid("cleanup.policy", "delete");
	expect_valid("cleanup.policy", "compact");
	expect_valid("cleanup.policy", "compact,delete");
	expect_valid("cleanup.policy", "delete, compact");
	expect_invalid("cleanup.policy", "bogus",
	               "Invalid value bogus for configuration cleanup.policy: 'bogus' is not one of "
	               "compact, delete");
	expect_invalid("cleanup.policy", "Delete", "not one of");
	expect_invalid("cleanup.policy", "delete,", "empty item");
	expect_invalid("cleanup.policy", "", "must not be empty");
	const char *codecs[] = {"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"};
	for (size_t i = 0; i < KB_ARRAY_LEN(codecs); i++)
		expect_valid("compression.type", codecs[i]);
	expect_invalid("compression.type", "LZ4", "'LZ4' is not one of uncompressed, zstd, lz4");
	expect_invalid("compression.type", "none", "not one of");
	expect_valid("message.timestamp.type", "CreateTime");
	expect_valid("message.timestamp.type", "LogAppendTime");
	expect_invalid("message.timestamp.type", "createtime", "not one of CreateTime, LogAppendTime");
	expect_valid("unclean.leader.election.enable", "true");
	expect_valid("unclean.leader.election.enable", "FALSE");
	expect_invalid("unclean.leader.election.enable", "yes", "(valid values: true or false)");
	/* Compaction (Kafka's DOUBLE kept as text, checked as a number in range). */
	expect_valid("min.cleanable.dirty.ratio", "0.01");
	expect_valid("min.cleanable.dirty.ratio", " 1 ");
	expect_invalid("min.cleanable.dirty.ratio", "1.5", "not a number in [0, 1]");
	expect_invalid("min.cleanable.dirty.ratio", "0.5x", "not a number in [0, 1]");
	expect_invalid("min.cleanable.dirty.ratio", "nan", "not a number in [0, 1]");
	expect_valid("delete.retention.ms", "0");
	expect_invalid("delete.retention.ms", "-1", "delete.retention.ms");
	expect_valid("min.compaction.lag.ms", "1000");
	expect_invalid("max.compaction.lag.ms", "0", "max.compaction.lag.ms");
}

static void test_unknown(void)
{
	expect_invalid("retention.minutes", "5", "Unknown topic config name: retention.minutes");
	expect_invalid("log.segment.bytes", "1", "Unknown topic config name: log.segment.bytes");
	expect_invalid("log.retention.ms", "1", "Unknown topic config name");
	expect_invalid("", "1", "Unknown topic config name: ");
	expect_invalid("retention.ms", NULL, "Null value not supported for topic config retention.ms");
	char buf[64];
	int source = -1;
	CU_ASSERT_PTR_NULL(topic_conf_value(NULL, NULL, 0, "nope", buf, sizeof(buf), &source));
	CU_ASSERT_EQUAL(source, -1);
	CU_ASSERT_EQUAL(topic_conf_int(NULL, NULL, 0, "nope"), 0);
	CU_ASSERT_FALSE(topic_conf_bool(NULL, NULL, 0, "nope"));
}

/* ---- Resolution ------------------------------------------------------------------------- */

static void test_precedence(void)
{
	struct kb_config c;
	const char *bro[] = {"log.retention.bytes=1000", "unclean.leader.election.enable=true",
	                     "log.cleanup.policy=compact"};
	load_cfg(&c, bro, 3);
	const struct conf_kv ov[] = {
		{"retention.bytes", "5"},
		{"segment.bytes", " 2048 "},
		{"segment.bytes", "4096"},          /* the last one wins */
		{"min.insync.replicas", "0"},       /* invalid: skipped */
		{"max.message.bytes", NULL},        /* null: skipped */
	};
	int n = (int)KB_ARRAY_LEN(ov);
	expect_resolved(&c, ov, n, "retention.bytes", "5", CONF_SRC_DYNAMIC_TOPIC);
	expect_resolved(&c, ov, 1, "retention.bytes", "5", CONF_SRC_DYNAMIC_TOPIC);
	expect_resolved(&c, ov, 0, "retention.bytes", "1000", CONF_SRC_STATIC_BROKER);
	expect_resolved(&c, ov, n, "segment.bytes", "4096", CONF_SRC_DYNAMIC_TOPIC);
	expect_resolved(&c, ov, 2, "segment.bytes", "2048", CONF_SRC_DYNAMIC_TOPIC);
	expect_resolved(&c, ov, n, "min.insync.replicas", "1", CONF_SRC_DEFAULT);
	expect_resolved(&c, ov, n, "max.message.bytes", "1048588", CONF_SRC_DEFAULT);
	expect_resolved(&c, ov, n, "unclean.leader.election.enable", "true",
	                CONF_SRC_STATIC_BROKER);
	expect_resolved(&c, ov, n, "cleanup.policy", "compact", CONF_SRC_STATIC_BROKER);
	expect_resolved(&c, ov, n, "compression.type", "producer", CONF_SRC_DEFAULT);
	expect_resolved(NULL, ov, n, "retention.bytes", "5", CONF_SRC_DYNAMIC_TOPIC);

	CU_ASSERT_EQUAL(topic_conf_int(&c, ov, n, "retention.bytes"), 5);
	CU_ASSERT_EQUAL(topic_conf_int(&c, NULL, 0, "retention.bytes"), 1000);
	CU_ASSERT_EQUAL(topic_conf_int(&c, ov, n, "segment.bytes"), 4096);
	CU_ASSERT_EQUAL(topic_conf_int(&c, NULL, 0, "flush.messages"), INT64_MAX);
	CU_ASSERT_EQUAL(topic_conf_int(&c, NULL, 0, "unclean.leader.election.enable"), 1);
	CU_ASSERT_EQUAL(topic_conf_int(&c, NULL, 0, "compression.type"), 0);
	CU_ASSERT_TRUE(topic_conf_bool(&c, NULL, 0, "unclean.leader.election.enable"));
	const struct conf_kv off[] = {{"unclean.leader.election.enable", "False"}};
	CU_ASSERT_FALSE(topic_conf_bool(&c, off, 1, "unclean.leader.election.enable"));
	CU_ASSERT_FALSE(topic_conf_bool(NULL, NULL, 0, "unclean.leader.election.enable"));

	/* A short buffer truncates; the source is still reported. */
	char small[4];
	int source = 0;
	CU_ASSERT_STRING_EQUAL(topic_conf_value(&c, NULL, 0, "max.message.bytes", small,
	                                        sizeof(small), &source), "104");
	CU_ASSERT_EQUAL(source, CONF_SRC_DEFAULT);
	conf_free(&c);
}

static void test_retention_fallback(void)
{
	struct kb_config c;
	load_cfg(&c, NULL, 0);
	CU_ASSERT_EQUAL(conf_log_retention_ms(&c), 168LL * 3600 * 1000);
	conf_free(&c);

	const char *hours[] = {"log.retention.hours=2"};
	load_cfg(&c, hours, 1);
	expect_resolved(&c, NULL, 0, "retention.ms", "7200000", CONF_SRC_STATIC_BROKER);
	conf_free(&c);

	const char *minutes[] = {"log.retention.hours=2", "log.retention.minutes=5"};
	load_cfg(&c, minutes, 2);
	expect_resolved(&c, NULL, 0, "retention.ms", "300000", CONF_SRC_STATIC_BROKER);
	CU_ASSERT_EQUAL(topic_conf_int(&c, NULL, 0, "retention.ms"), 300000);
	conf_free(&c);

	const char *ms[] = {"log.retention.minutes=5", "log.retention.ms=1234"};
	load_cfg(&c, ms, 2);
	expect_resolved(&c, NULL, 0, "retention.ms", "1234", CONF_SRC_STATIC_BROKER);
	const struct conf_kv ov[] = {{"retention.ms", "-1"}};
	expect_resolved(&c, ov, 1, "retention.ms", "-1", CONF_SRC_DYNAMIC_TOPIC);
	conf_free(&c);

	const char *unlimited[] = {"log.retention.minutes=-1"};
	load_cfg(&c, unlimited, 1);
	CU_ASSERT_EQUAL(conf_log_retention_ms(&c), -1);
	conf_free(&c);
	const char *big[] = {"log.retention.hours=2147483647"};
	load_cfg(&c, big, 1);
	CU_ASSERT_EQUAL(conf_log_retention_ms(&c), 2147483647LL * 3600 * 1000);
	conf_free(&c);

	/* An empty value unsets an optional key again: the fallback applies. */
	const char *unset[] = {"log.retention.ms=10", "log.retention.ms="};
	load_cfg(&c, unset, 2);
	CU_ASSERT_FALSE(conf_is_set(&c, "log.retention.ms"));
	CU_ASSERT_EQUAL(conf_log_retention_ms(&c), 168LL * 3600 * 1000);
	conf_free(&c);

	expect_load_error("log.retention.ms=0",
	                  "--override: log.retention.ms: retention must be -1 (unlimited) or at "
	                  "least 1 ms");
	expect_load_error("log.retention.minutes=0", "log.retention.minutes: retention must be");
	expect_load_error("log.retention.hours=0", "log.retention.hours: retention must be");
	expect_load_error("log.retention.ms=-2", "value -2 is below the minimum -1");
}

static void test_roll_and_flush(void)
{
	struct kb_config c;
	load_cfg(&c, NULL, 0);
	CU_ASSERT_EQUAL(conf_log_roll_ms(&c), 604800000);
	CU_ASSERT_EQUAL(conf_log_flush_ms(&c), INT64_MAX);
	conf_free(&c);

	const char *hours[] = {"log.roll.hours=2"};
	load_cfg(&c, hours, 1);
	expect_resolved(&c, NULL, 0, "segment.ms", "7200000", CONF_SRC_STATIC_BROKER);
	CU_ASSERT_EQUAL(topic_conf_int(&c, NULL, 0, "segment.ms"), 7200000);
	conf_free(&c);

	const char *ms[] = {"log.roll.hours=2", "log.roll.ms=60000"};
	load_cfg(&c, ms, 2);
	expect_resolved(&c, NULL, 0, "segment.ms", "60000", CONF_SRC_STATIC_BROKER);
	conf_free(&c);

	const char *sched[] = {"log.flush.scheduler.interval.ms=3000"};
	load_cfg(&c, sched, 1);
	expect_resolved(&c, NULL, 0, "flush.ms", "3000", CONF_SRC_STATIC_BROKER);
	conf_free(&c);
	const char *flush[] = {"log.flush.scheduler.interval.ms=3000", "log.flush.interval.ms=0"};
	load_cfg(&c, flush, 2);
	expect_resolved(&c, NULL, 0, "flush.ms", "0", CONF_SRC_STATIC_BROKER);
	conf_free(&c);
}

/* ---- Broker keys of the log ------------------------------------------------------------- */

static void expect_dirs(const char *const *extra, int n, const char *const *want, int nwant)
{
	struct kb_config c;
	load_cfg(&c, extra, n);
	char **dirs = NULL;
	int count = -1;
	CU_ASSERT_EQUAL_FATAL(conf_log_dirs(&c, &dirs, &count), 0);
	CU_ASSERT_EQUAL(count, nwant);
	for (int i = 0; i < count && i < nwant; i++)
		CU_ASSERT_STRING_EQUAL(dirs[i], want[i]);
	conf_free_log_dirs(dirs, count);
	conf_free(&c);
}

static void test_log_dirs(void)
{
	const char *def[] = {"/tmp/kafka-logs"};
	expect_dirs(NULL, 0, def, 1);
	const char *two[] = {"log.dirs= /data/a , /data/b/ ,/"};
	const char *two_want[] = {"/data/a", "/data/b", "/"};
	expect_dirs(two, 1, two_want, 3);
	const char *dir[] = {"log.dir=/x"};
	const char *dir_want[] = {"/x"};
	expect_dirs(dir, 1, dir_want, 1);
	const char *both[] = {"log.dir=/x", "log.dirs=/y,/z"};
	const char *both_want[] = {"/y", "/z"};
	expect_dirs(both, 2, both_want, 2);
	const char *cleared[] = {"log.dirs=/y", "log.dirs=", "log.dir=rel/dir"};
	const char *cleared_want[] = {"rel/dir"};
	expect_dirs(cleared, 3, cleared_want, 1);

	expect_load_error("log.dirs=/a,/b,/a/", "log.dirs: directory '/a' is listed twice");
	expect_load_error("log.dirs=/a,,/b", "log.dirs: '/a,,/b' has an empty directory");
	expect_load_error("log.dirs=/a,", "has an empty directory");
	expect_load_error("log.dir=", "log.dir: must not be empty");
	expect_load_error("log.dir=/q, /q", "listed twice");

	/* A config changed after loading is still checked. */
	struct kb_config c;
	load_cfg(&c, NULL, 0);
	kb_free(c.log_dir);
	c.log_dir = kb_strdup("/d,/d");
	char *dummy[1];
	char **dirs = dummy;
	int n = 7;
	CU_ASSERT_EQUAL(conf_log_dirs(&c, &dirs, &n), -1);
	CU_ASSERT_PTR_NULL(dirs);
	CU_ASSERT_EQUAL(n, 0);
	conf_free(&c);
}

static void test_broker_keys(void)
{
	struct kb_config c;
	load_cfg(&c, NULL, 0);
	CU_ASSERT_PTR_NULL(c.log_dirs);
	CU_ASSERT_STRING_EQUAL(c.log_dir, "/tmp/kafka-logs");
	CU_ASSERT_EQUAL(c.log_segment_bytes, 1073741824);
	CU_ASSERT_EQUAL(c.log_roll_hours, 168);
	CU_ASSERT_EQUAL(c.log_retention_hours, 168);
	CU_ASSERT_EQUAL(c.log_retention_bytes, -1);
	CU_ASSERT_EQUAL(c.log_retention_check_interval_ms, 300000);
	CU_ASSERT_EQUAL(c.log_index_interval_bytes, 4096);
	CU_ASSERT_EQUAL(c.log_index_size_max_bytes, 10485760);
	CU_ASSERT_EQUAL(c.message_max_bytes, 1048588);
	CU_ASSERT_EQUAL(c.log_flush_interval_messages, INT64_MAX);
	CU_ASSERT_EQUAL(c.log_flush_scheduler_interval_ms, INT64_MAX);
	CU_ASSERT_EQUAL(c.log_flush_offset_checkpoint_interval_ms, 60000);
	CU_ASSERT_STRING_EQUAL(c.log_message_timestamp_type, "CreateTime");
	CU_ASSERT_EQUAL(c.log_message_timestamp_difference_max_ms, INT64_MAX);
	CU_ASSERT_STRING_EQUAL(c.log_cleanup_policy, "delete");
	CU_ASSERT_STRING_EQUAL(c.compression_type, "producer");
	CU_ASSERT_EQUAL(c.min_insync_replicas, 1);
	CU_ASSERT_EQUAL(c.num_recovery_threads_per_data_dir, 1);
	CU_ASSERT_EQUAL(c.log_segment_delete_delay_ms, 60000);
	CU_ASSERT_EQUAL(c.offsets_topic_num_partitions, 50);
	CU_ASSERT_EQUAL(c.offsets_topic_replication_factor, 3);
	CU_ASSERT_EQUAL(c.offsets_retention_minutes, 10080);
	CU_ASSERT_EQUAL(c.group_initial_rebalance_delay_ms, 3000);
	CU_ASSERT_EQUAL(c.group_min_session_timeout_ms, 6000);
	CU_ASSERT_EQUAL(c.group_max_session_timeout_ms, 1800000);
	CU_ASSERT_EQUAL(c.group_max_size, INT32_MAX);
	CU_ASSERT_EQUAL(c.offset_metadata_max_bytes, 4096);
	CU_ASSERT_EQUAL(c.replica_lag_time_max_ms, 30000);
	CU_ASSERT_EQUAL(c.replica_fetch_max_bytes, 1048576);
	CU_ASSERT_EQUAL(c.replica_fetch_wait_max_ms, 500);
	CU_ASSERT_EQUAL(c.replica_fetch_min_bytes, 1);
	CU_ASSERT_EQUAL(c.num_replica_fetchers, 1);
	CU_ASSERT_EQUAL(c.replica_high_watermark_checkpoint_interval_ms, 5000);
	CU_ASSERT_EQUAL(c.replica_socket_timeout_ms, 30000);
	for (size_t i = 0; i < conf_nkeys; i++)
		CU_ASSERT_EQUAL(c.set[i], strcmp(conf_keys[i].name, "broker.id") == 0 ||
		                              strcmp(conf_keys[i].name, "zookeeper.connect") == 0);
	CU_ASSERT_TRUE(conf_is_set(&c, "broker.id"));
	CU_ASSERT_FALSE(conf_is_set(&c, "no.such.key"));
	CU_ASSERT_TRUE(conf_list_has(c.log_cleanup_policy, "delete"));
	CU_ASSERT_FALSE(conf_list_has(c.log_cleanup_policy, "compact"));
	CU_ASSERT_TRUE(conf_list_has(" compact , delete ", "delete"));
	CU_ASSERT_TRUE(conf_list_has("compact,delete", "compact"));
	CU_ASSERT_FALSE(conf_list_has("compacted", "compact"));
	CU_ASSERT_FALSE(conf_list_has(NULL, "delete"));
	conf_free(&c);

	expect_load_error("log.segment.bytes=13",
	                  "log.segment.bytes: value 13 is below the minimum 14");
	expect_load_error("log.index.size.max.bytes=3", "value 3 is below the minimum 4");
	expect_load_error("log.roll.hours=0", "value 0 is below the minimum 1");
	expect_load_error("log.roll.ms=0", "value 0 is below the minimum 1");
	expect_load_error("min.insync.replicas=0", "value 0 is below the minimum 1");
	expect_load_error("offsets.topic.replication.factor=32768", "above the maximum 32767");
	expect_load_error("num.replica.fetchers=0", "below the minimum 1");
	expect_load_error("log.flush.interval.messages=0", "below the minimum 1");
	expect_load_error("group.max.size=0", "below the minimum 1");
	expect_load_error("log.message.timestamp.type=NoTime",
	                  "log.message.timestamp.type: 'NoTime' is not one of CreateTime, "
	                  "LogAppendTime");
	expect_load_error("compression.type=brotli", "compression.type: 'brotli' is not one of");
	expect_load_error("log.cleanup.policy=delete,bogus", "'bogus' is not one of compact, delete");
	expect_load_error("log.cleanup.policy=", "must not be empty");
	expect_load_error("log.retention.minutes=x", "not an integer: 'x'");

	const char *ok[] = {"log.segment.bytes=14", "log.index.size.max.bytes=4",
	                    "offsets.topic.replication.factor=1", "log.cleanup.policy=compact,delete",
	                    "compression.type=zstd", "log.message.timestamp.type=LogAppendTime"};
	load_cfg(&c, ok, 6);
	CU_ASSERT_EQUAL(c.log_segment_bytes, 14);
	CU_ASSERT_EQUAL(c.offsets_topic_replication_factor, 1);
	CU_ASSERT_STRING_EQUAL(c.log_cleanup_policy, "compact,delete");
	CU_ASSERT_TRUE(conf_is_set(&c, "log.segment.bytes"));
	conf_free(&c);
}

static void test_describe(void)
{
	const char *extra[] = {"log.retention.minutes=5", "broker.rack=r1"};
	struct kb_config c;
	load_cfg(&c, extra, 2);
	char buf[64];
	int source = 0;
	CU_ASSERT_EQUAL(conf_describe(&c, conf_find("log.retention.ms"), buf, sizeof(buf), &source),
	                0);
	CU_ASSERT_STRING_EQUAL(buf, "");
	CU_ASSERT_EQUAL(source, CONF_SRC_DEFAULT);
	conf_value_str(&c, conf_find("log.retention.ms"), buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "null");
	CU_ASSERT_EQUAL(conf_describe(&c, conf_find("log.retention.minutes"), buf, sizeof(buf),
	                              &source), 1);
	CU_ASSERT_STRING_EQUAL(buf, "5");
	CU_ASSERT_EQUAL(source, CONF_SRC_STATIC_BROKER);
	CU_ASSERT_EQUAL(conf_describe(&c, conf_find("log.retention.hours"), buf, sizeof(buf),
	                              &source), 1);
	CU_ASSERT_STRING_EQUAL(buf, "168");
	CU_ASSERT_EQUAL(source, CONF_SRC_DEFAULT);
	CU_ASSERT_EQUAL(conf_describe(&c, conf_find("log.dirs"), buf, sizeof(buf), &source), 0);
	CU_ASSERT_EQUAL(source, CONF_SRC_DEFAULT);
	CU_ASSERT_EQUAL(conf_describe(&c, conf_find("log.dir"), buf, sizeof(buf), &source), 1);
	CU_ASSERT_STRING_EQUAL(buf, "/tmp/kafka-logs");
	CU_ASSERT_EQUAL(conf_describe(&c, conf_find("broker.rack"), buf, sizeof(buf), &source), 1);
	CU_ASSERT_STRING_EQUAL(buf, "r1");
	CU_ASSERT_EQUAL(source, CONF_SRC_STATIC_BROKER);
	CU_ASSERT_EQUAL(conf_describe(&c, conf_find("broker.id"), buf, sizeof(buf), &source), 1);
	CU_ASSERT_STRING_EQUAL(buf, "1");
	CU_ASSERT_EQUAL(source, CONF_SRC_STATIC_BROKER);
	CU_ASSERT_EQUAL(conf_describe(&c, conf_find("delete.topic.enable"), buf, sizeof(buf),
	                              &source), 1);
	CU_ASSERT_STRING_EQUAL(buf, "true");
	CU_ASSERT_EQUAL(source, CONF_SRC_DEFAULT);
	CU_ASSERT_EQUAL(conf_kafka_type(conf_find("log.dirs")->type), CONF_KT_LIST);
	CU_ASSERT_EQUAL(conf_kafka_type(conf_find("log.retention.ms")->type), CONF_KT_LONG);
	conf_free(&c);
}

void suite_topic_conf(void);

void suite_topic_conf(void)
{
	CU_pSuite s = CU_add_suite("topic_conf", NULL, NULL);
	CU_add_test(s, "table and synonyms", test_table);
	CU_add_test(s, "defaults agree with the broker keys", test_defaults_agree);
	CU_add_test(s, "bounds", test_bounds);
	CU_add_test(s, "value sets", test_value_sets);
	CU_add_test(s, "Kafka's configs without effect in kbroker", test_kafka_only_configs);
	CU_add_test(s, "unknown names and null values", test_unknown);
	CU_add_test(s, "override > broker key > default", test_precedence);
	CU_add_test(s, "retention.ms fallback", test_retention_fallback);
	CU_add_test(s, "segment.ms and flush.ms fallback", test_roll_and_flush);
	CU_add_test(s, "log.dirs and log.dir", test_log_dirs);
	CU_add_test(s, "broker log keys", test_broker_keys);
	CU_add_test(s, "conf_describe", test_describe);
}
