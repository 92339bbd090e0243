/* test_limits.c — hostile numbers and refused ZooKeeper calls: checked integer parsing
 * (controller epoch, log dir names, topic config values, endpoint ports) and coord/'s
 * `pending` count when the ZooKeeper client refuses a call. */
#include "../../common/kb.h"
#include "../../conf/topic_conf.h"
#include "../../coord/controller.h"
#include "../../coord/election.h"
#include "../../server/replica/logdirs.h"

#include <CUnit/CUnit.h>
#include <string.h>

static void test_parse_i64(void)
{
	int64_t v = 0;
	CU_ASSERT_TRUE(kb_parse_i64("42", 0, 100, &v));
	CU_ASSERT_EQUAL(v, 42);
	CU_ASSERT_TRUE(kb_parse_i64("-7", -10, 10, &v));
	CU_ASSERT_EQUAL(v, -7);
	CU_ASSERT_TRUE(kb_parse_i64("9223372036854775807", 0, INT64_MAX, &v));
	CU_ASSERT_EQUAL(v, INT64_MAX);
	const char *bad[] = {"", "-", " 1", "1 ", "+1", "1x", "0x10", "abc",
	                     "9223372036854775808", "-9223372036854775809",
	                     "99999999999999999999999999"};
	for (size_t i = 0; i < KB_ARRAY_LEN(bad); i++) {
		v = 12345;
		CU_ASSERT_FALSE(kb_parse_i64(bad[i], INT64_MIN, INT64_MAX, &v));
		CU_ASSERT_EQUAL(v, 12345); /* untouched on failure */
	}
	CU_ASSERT_FALSE(kb_parse_i64("101", 0, 100, &v));
	CU_ASSERT_FALSE(kb_parse_i64("-1", 0, 100, &v));
}

static void test_controller_epoch(void)
{
	int32_t next = -5;
	CU_ASSERT_EQUAL(election_next_epoch("0", 1, &next), 0);
	CU_ASSERT_EQUAL(next, 1);
	CU_ASSERT_EQUAL(election_next_epoch("41", 2, &next), 0);
	CU_ASSERT_EQUAL(next, 42);
	/* The last epoch there is has no successor (and must not overflow into a negative one). */
	const char *bad[] = {"2147483647", "99999999999", "-1", "abc", "", "1x", " 1",
	                     "18446744073709551617"};
	for (size_t i = 0; i < KB_ARRAY_LEN(bad); i++)
		CU_ASSERT_EQUAL(election_next_epoch(bad[i], (int)strlen(bad[i]), &next), -1);
	/* The length bounds the read: "12" of "123". */
	CU_ASSERT_EQUAL(election_next_epoch("123", 2, &next), 0);
	CU_ASSERT_EQUAL(next, 13);
}

static void test_logdir_names(void)
{
	char topic[256];
	int32_t p = -1;
	CU_ASSERT_TRUE(logdirs_parse_name("orders-7", topic, sizeof(topic), &p));
	CU_ASSERT_STRING_EQUAL(topic, "orders");
	CU_ASSERT_EQUAL(p, 7);
	CU_ASSERT_TRUE(logdirs_parse_name("a-b-2147483647", topic, sizeof(topic), &p));
	CU_ASSERT_STRING_EQUAL(topic, "a-b");
	CU_ASSERT_EQUAL(p, 2147483647);
	/* Two spellings of one partition would be two logs of it: only canonical numbers. */
	const char *bad[] = {"t-2147483648", "t-99999999999999999999", "t-+5", "t- 5",
	                     "t-05", "t-5x", "t-", "-5", "t"};
	for (size_t i = 0; i < KB_ARRAY_LEN(bad); i++)
		CU_ASSERT_FALSE(logdirs_parse_name(bad[i], topic, sizeof(topic), &p));
	/* The number is after the LAST '-': topic "t-", partition 1. */
	CU_ASSERT_TRUE(logdirs_parse_name("t--1", topic, sizeof(topic), &p));
	CU_ASSERT_STRING_EQUAL(topic, "t-");
	CU_ASSERT_EQUAL(p, 1);
}

static void test_topic_config_long_values(void)
{
	/* A value too long for the resolver's buffer is refused whole, never truncated: 300
	 * zeros then 5 is "5" to a parser but "000...0" once cut, and retention.ms=0 deletes. */
	char v[400];
	memset(v, '0', 300);
	snprintf(v + 300, sizeof(v) - 300, "5");
	struct conf_kv ov[] = {{"retention.ms", v}};
	CU_ASSERT_EQUAL(topic_conf_int(NULL, ov, 1, "retention.ms"), 604800000);
	struct conf_kv ok[] = {{"retention.ms", "5"}};
	CU_ASSERT_EQUAL(topic_conf_int(NULL, ok, 1, "retention.ms"), 5);
}

static void test_endpoint_ports(void)
{
	struct md_endpoint e;
	const char *bad[] = {"X://h: 80", "X://h:+80", "X://h:99999999999999999999999",
	                     "X://h:080x"};
	for (size_t i = 0; i < KB_ARRAY_LEN(bad); i++)
		CU_ASSERT_EQUAL(endpoint_parse(bad[i], &e), -1);
}

static void ignore_event(enum coord_event ev, const char *msg, void *arg)
{
	KB_UNUSED(ev);
	KB_UNUSED(msg);
	KB_UNUSED(arg);
}

/* The real ZooKeeper client refuses a call at once (ZBADARGUMENTS) when its path is not a
 * valid znode path; an expired or auth-failed handle refuses every call the same way
 * (ZINVALIDSTATE). A chroot with an empty component makes every path of this coord invalid
 * (config validation would refuse it; coord_start does not look), so each read a new
 * session starts is refused, deterministically and without a server. Nothing may stay
 * counted in `pending` (coord_loaded would stay false for good), and an election whose read
 * was refused must not leave the controller "electing" forever. */
static void test_refused_calls(void)
{
	struct event_base *base = event_base_new();
	struct coord_config cc = {.zookeeper_connect = "127.0.0.1:1/bad//chroot",
	                          .session_timeout_ms = 10000, .connection_timeout_ms = 10000,
	                          .broker_id = 1, .protocol_map = ""};
	struct coord *c = coord_start(base, &cc, ignore_event, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	coord_session_begin(c);
	CU_ASSERT_EQUAL(c->pending, 0);
	c->registered = true;
	ctl_maybe_elect(c->ctl);
	CU_ASSERT_FALSE(ctl_electing(c->ctl));
	coord_stop(c);
	event_base_free(base);
}

void suite_limits(void);
void suite_limits(void)
{
	CU_pSuite s = CU_add_suite("limits", NULL, NULL);
	CU_add_test(s, "checked integer parsing", test_parse_i64);
	CU_add_test(s, "controller epoch from ZooKeeper", test_controller_epoch);
	CU_add_test(s, "log dir names", test_logdir_names);
	CU_add_test(s, "topic config values longer than the buffer", test_topic_config_long_values);
	CU_add_test(s, "endpoint ports", test_endpoint_ports);
	CU_add_test(s, "refused ZooKeeper calls leave nothing pending", test_refused_calls);
}
