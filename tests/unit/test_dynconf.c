/* Unit tests: dynamic broker configs (conf/dynconf.c) — key classes, validation of a level's
 * set, and the precedence per-broker > cluster default > static > default, including what
 * topics without overrides then resolve to. */
#include "../../common/kerr.h"
#include "../../common/limits.h"
#include "../../conf/dynconf.h"
#include "../../conf/topic_conf.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

static void load(struct kb_config *c, const char *extra)
{
	char *ov[3] = {"broker.id=1", "zookeeper.connect=zk:2181", (char *)extra};
	char err[512] = "";
	int rc = conf_load(c, NULL, extra ? 3 : 2, ov, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "\n  unexpected error: %s\n", err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
}

static int validate1(const char *k, const char *v, char *err, size_t len)
{
	struct conf_kv kv = {k, v};
	return dynconf_validate(&kv, 1, err, len);
}

static void test_modes(void)
{
	CU_ASSERT_EQUAL(dynconf_mode("log.retention.ms"), DYNCONF_LIVE);
	CU_ASSERT_EQUAL(dynconf_mode("message.max.bytes"), DYNCONF_LIVE);
	CU_ASSERT_EQUAL(dynconf_mode("max.connections.per.ip"), DYNCONF_LIVE);
	/* Only the first broker synonym of a topic config is dynamic in Kafka. */
	CU_ASSERT_EQUAL(dynconf_mode("log.retention.hours"), DYNCONF_STATIC);
	CU_ASSERT_EQUAL(dynconf_mode("log.roll.hours"), DYNCONF_STATIC);
	CU_ASSERT_EQUAL(dynconf_mode("broker.id"), DYNCONF_STATIC);
	CU_ASSERT_EQUAL(dynconf_mode("log.dirs"), DYNCONF_STATIC);
	CU_ASSERT_EQUAL(dynconf_mode("log.cleaner.threads"), DYNCONF_RESTART);
	CU_ASSERT_EQUAL(dynconf_mode("listeners"), DYNCONF_RESTART);
	CU_ASSERT_EQUAL(dynconf_mode("no.such.key"), DYNCONF_STATIC);
	/* Every key the lists name exists in the table (a renamed key would vanish silently). */
	int live = 0;
	for (size_t i = 0; i < conf_nkeys; i++)
		live += dynconf_mode(conf_keys[i].name) == DYNCONF_LIVE;
	CU_ASSERT_EQUAL(live, 28);
}

static void test_validate(void)
{
	char err[512];
	CU_ASSERT_EQUAL(validate1("log.retention.ms", "3600000", err, sizeof(err)), KERR_NONE);
	CU_ASSERT_EQUAL(validate1("log.retention.ms", "-1", err, sizeof(err)), KERR_NONE);
	CU_ASSERT_EQUAL(validate1("broker.id", "2", err, sizeof(err)), KERR_INVALID_REQUEST);
	CU_ASSERT_STRING_EQUAL(err, "Cannot update these configs dynamically: [broker.id]");
	CU_ASSERT_EQUAL(validate1("log.cleaner.threads", "2", err, sizeof(err)),
	                KERR_INVALID_REQUEST);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "requires a restart in kbroker"));
	/* A custom (unknown) name is stored with no effect, as Kafka's ZooKeeper mode does. */
	CU_ASSERT_EQUAL(validate1("no.such", "1", err, sizeof(err)), KERR_NONE);
	CU_ASSERT_EQUAL(validate1("sasl.kerberos.min.time.before.relogin", "58000", err,
	                          sizeof(err)), KERR_NONE);
	CU_ASSERT_EQUAL(validate1("log.retention.ms", "x", err, sizeof(err)), KERR_INVALID_REQUEST);
	CU_ASSERT_EQUAL(validate1("log.retention.ms", "0", err, sizeof(err)), KERR_INVALID_REQUEST);
	CU_ASSERT_EQUAL(validate1("log.segment.bytes", "13", err, sizeof(err)),
	                KERR_INVALID_REQUEST);
	CU_ASSERT_EQUAL(validate1("log.cleanup.policy", "purge", err, sizeof(err)),
	                KERR_INVALID_REQUEST);
	CU_ASSERT_EQUAL(validate1("log.cleanup.policy", "compact,delete", err, sizeof(err)),
	                KERR_NONE);
	CU_ASSERT_EQUAL(validate1("max.connections.per.ip", "0", err, sizeof(err)),
	                KERR_INVALID_REQUEST);
	CU_ASSERT_EQUAL(validate1("message.max.bytes", NULL, err, sizeof(err)), KERR_INVALID_REQUEST);
	static char big[KB_MAX_CONFIG_VALUE_BYTES + 2];
	memset(big, '1', sizeof(big) - 1);
	CU_ASSERT_EQUAL(validate1("log.retention.ms", big, err, sizeof(err)), KERR_INVALID_REQUEST);
	/* Several read-only names are listed together; they win over bad values. */
	struct conf_kv kv[] = {{"log.retention.ms", "x"}, {"log.dirs", "/a"},
	                       {"zookeeper.connect", "z:1"}};
	CU_ASSERT_EQUAL(dynconf_validate(kv, 3, err, sizeof(err)), KERR_INVALID_REQUEST);
	CU_ASSERT_STRING_EQUAL(err,
	                       "Cannot update these configs dynamically: [log.dirs, zookeeper.connect]");
	CU_ASSERT_EQUAL(dynconf_validate(kv, 0, err, sizeof(err)), KERR_NONE);
}

static void test_precedence(void)
{
	struct kb_config stat, eff;
	load(&stat, "message.max.bytes=5000");
	conf_copy(&eff, &stat);
	char buf[64];
	int src;
	struct conf_kv dflt[] = {{"message.max.bytes", "7000"}, {"log.retention.ms", "60000"},
	                         {"log.cleanup.policy", "compact"}};
	struct conf_kv brk[] = {{"message.max.bytes", "9000"}};
	CU_ASSERT_EQUAL(dynconf_resolve(&eff, &stat, dflt, 3, brk, 1), 3);
	CU_ASSERT_EQUAL(eff.message_max_bytes, 9000);
	conf_describe(&eff, conf_find("message.max.bytes"), buf, sizeof(buf), &src);
	CU_ASSERT_EQUAL(src, CONF_SRC_DYNAMIC_BROKER);
	CU_ASSERT_EQUAL(conf_log_retention_ms(&eff), 60000);
	conf_describe(&eff, conf_find("log.retention.ms"), buf, sizeof(buf), &src);
	CU_ASSERT_EQUAL(src, CONF_SRC_DYNAMIC_DEFAULT);
	CU_ASSERT_STRING_EQUAL(eff.log_cleanup_policy, "compact");
	/* Topics without an override follow, with the dynamic source. */
	CU_ASSERT_EQUAL(topic_conf_int(&eff, NULL, 0, "retention.ms"), 60000);
	topic_conf_value(&eff, NULL, 0, "max.message.bytes", buf, sizeof(buf), &src);
	CU_ASSERT_STRING_EQUAL(buf, "9000");
	CU_ASSERT_EQUAL(src, CONF_SRC_DYNAMIC_BROKER);
	topic_conf_value(&eff, NULL, 0, "retention.ms", buf, sizeof(buf), &src);
	CU_ASSERT_EQUAL(src, CONF_SRC_DYNAMIC_DEFAULT);
	/* Same levels again: nothing changes. */
	CU_ASSERT_EQUAL(dynconf_resolve(&eff, &stat, dflt, 3, brk, 1), 0);
	/* The broker level deleted: the default shows; everything deleted: static and default. */
	CU_ASSERT_EQUAL(dynconf_resolve(&eff, &stat, dflt, 3, NULL, 0), 1);
	CU_ASSERT_EQUAL(eff.message_max_bytes, 7000);
	CU_ASSERT_EQUAL(dynconf_resolve(&eff, &stat, NULL, 0, NULL, 0), 3);
	CU_ASSERT_EQUAL(eff.message_max_bytes, 5000);
	conf_describe(&eff, conf_find("message.max.bytes"), buf, sizeof(buf), &src);
	CU_ASSERT_EQUAL(src, CONF_SRC_STATIC_BROKER);
	CU_ASSERT_EQUAL(conf_describe(&eff, conf_find("log.retention.ms"), buf, sizeof(buf), &src),
	                0); /* back to null: log.retention.hours decides */
	CU_ASSERT_EQUAL(src, CONF_SRC_DEFAULT);
	CU_ASSERT_EQUAL(conf_log_retention_ms(&eff), 168LL * 3600 * 1000);
	CU_ASSERT_STRING_EQUAL(eff.log_cleanup_policy, "delete");
	conf_free(&eff);
	conf_free(&stat);
}

static void test_resolve_skips_bad_and_static(void)
{
	struct kb_config stat, eff;
	load(&stat, NULL);
	conf_copy(&eff, &stat);
	/* A znode written by someone else: bad values and read-only keys are not applied. */
	struct conf_kv brk[] = {{"message.max.bytes", "lots"}, {"broker.id", "7"},
	                        {"log.cleaner.threads", "4"}, {"log.segment.bytes", "2048"}};
	CU_ASSERT_EQUAL(dynconf_resolve(&eff, &stat, NULL, 0, brk, 4), 1);
	CU_ASSERT_EQUAL(eff.message_max_bytes, 1048588);
	CU_ASSERT_EQUAL(eff.broker_id, 1);
	CU_ASSERT_EQUAL(eff.log_cleaner_threads, 1);
	CU_ASSERT_EQUAL(eff.log_segment_bytes, 2048);
	conf_free(&eff);
	conf_free(&stat);
}

void suite_dynconf(void);

void suite_dynconf(void)
{
	CU_pSuite s = CU_add_suite("dynconf", NULL, NULL);
	CU_add_test(s, "key classes", test_modes);
	CU_add_test(s, "validation of a level's set", test_validate);
	CU_add_test(s, "broker > default > static > default", test_precedence);
	CU_add_test(s, "stored values that do not apply", test_resolve_skips_bad_and_static);
}
