/* test_connlimit.c — per-address connection counts (net/connlimit.c) and the configuration
 * keys that drive them (max.connections.per.ip, max.connections.per.ip.overrides). */
#include "conf/conf.h"
#include "net/connlimit.h"

#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static struct connlimit_addr v4(const char *s)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	CU_ASSERT_EQUAL_FATAL(inet_pton(AF_INET, s, &sin.sin_addr), 1);
	struct connlimit_addr a;
	CU_ASSERT_TRUE_FATAL(connlimit_addr_of((struct sockaddr *)&sin, &a));
	return a;
}

static struct connlimit_addr v6(const char *s)
{
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
	CU_ASSERT_EQUAL_FATAL(inet_pton(AF_INET6, s, &sin6.sin6_addr), 1);
	struct connlimit_addr a;
	CU_ASSERT_TRUE_FATAL(connlimit_addr_of((struct sockaddr *)&sin6, &a));
	return a;
}

static void test_default_limit(void)
{
	struct connlimit *cl = connlimit_new(3);
	struct connlimit_addr a = v4("10.0.0.1"), b = v4("10.0.0.2");
	for (int i = 0; i < 3; i++)
		CU_ASSERT_TRUE(connlimit_acquire(cl, &a));
	CU_ASSERT_FALSE(connlimit_acquire(cl, &a)); /* the 4th from one address */
	CU_ASSERT_EQUAL(connlimit_count(cl, &a), 3);
	CU_ASSERT_TRUE(connlimit_acquire(cl, &b));  /* another address has its own count */
	connlimit_release(cl, &a);
	CU_ASSERT_TRUE(connlimit_acquire(cl, &a));  /* room again after a close */
	CU_ASSERT_FALSE(connlimit_acquire(cl, &a));
	for (int i = 0; i < 3; i++)
		connlimit_release(cl, &a);
	connlimit_release(cl, &b);
	CU_ASSERT_EQUAL(connlimit_entries(cl), 0); /* nothing kept for closed addresses */
	connlimit_free(cl);
}

static void test_mapped_v4_is_v4(void)
{
	struct connlimit *cl = connlimit_new(1);
	struct connlimit_addr a = v4("192.0.2.7"), m = v6("::ffff:192.0.2.7"), o = v6("2001:db8::7");
	CU_ASSERT_TRUE(connlimit_acquire(cl, &a));
	CU_ASSERT_FALSE(connlimit_acquire(cl, &m));
	CU_ASSERT_TRUE(connlimit_acquire(cl, &o));
	char buf[64];
	CU_ASSERT_STRING_EQUAL(connlimit_addr_str(&m, buf, sizeof(buf)), "192.0.2.7");
	CU_ASSERT_STRING_EQUAL(connlimit_addr_str(&o, buf, sizeof(buf)), "2001:db8::7");
	connlimit_release(cl, &a);
	connlimit_release(cl, &o);
	connlimit_free(cl);
}

static void test_overrides(void)
{
	struct connlimit *cl = connlimit_new(0);
	char err[256];
	CU_ASSERT_EQUAL(connlimit_override(cl, "127.0.0.1", 2, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(connlimit_override(cl, "[::1]", 1, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(connlimit_override(cl, "no-such-host.invalid", 1, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no-such-host.invalid"));
	struct connlimit_addr lo = v4("127.0.0.1"), lo6 = v6("::1"), other = v4("127.0.0.2");
	CU_ASSERT_EQUAL(connlimit_max(cl, &lo), 2);
	CU_ASSERT_EQUAL(connlimit_max(cl, &other), 0);
	CU_ASSERT_FALSE(connlimit_acquire(cl, &other)); /* default 0: only overridden hosts */
	CU_ASSERT_TRUE(connlimit_acquire(cl, &lo));
	CU_ASSERT_TRUE(connlimit_acquire(cl, &lo));
	CU_ASSERT_FALSE(connlimit_acquire(cl, &lo));
	CU_ASSERT_TRUE(connlimit_acquire(cl, &lo6));
	CU_ASSERT_FALSE(connlimit_acquire(cl, &lo6));
	connlimit_release(cl, &lo);
	connlimit_release(cl, &lo);
	connlimit_release(cl, &lo6);
	CU_ASSERT_EQUAL(connlimit_entries(cl), 2); /* overrides stay */
	CU_ASSERT_EQUAL(connlimit_max(cl, &lo), 2);
	connlimit_free(cl);
}

/* Many addresses come and go: the table grows, deletions keep every probe run reachable. */
static void test_churn(void)
{
	struct connlimit *cl = connlimit_new(2);
	enum { N = 5000 };
	static struct connlimit_addr addrs[N];
	for (int i = 0; i < N; i++) {
		char s[32];
		snprintf(s, sizeof(s), "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		addrs[i] = v4(s);
		CU_ASSERT_TRUE(connlimit_acquire(cl, &addrs[i]));
		CU_ASSERT_TRUE(connlimit_acquire(cl, &addrs[i]));
	}
	CU_ASSERT_EQUAL(connlimit_entries(cl), N);
	for (int i = 0; i < N; i += 2) { /* every other address leaves */
		connlimit_release(cl, &addrs[i]);
		connlimit_release(cl, &addrs[i]);
	}
	CU_ASSERT_EQUAL(connlimit_entries(cl), N / 2);
	int wrong = 0;
	for (int i = 0; i < N; i++)
		wrong += connlimit_count(cl, &addrs[i]) != (i % 2 ? 2 : 0);
	CU_ASSERT_EQUAL(wrong, 0);
	for (int i = 1; i < N; i += 2)
		CU_ASSERT_FALSE(connlimit_acquire(cl, &addrs[i]));
	for (int i = 1; i < N; i += 2) {
		connlimit_release(cl, &addrs[i]);
		connlimit_release(cl, &addrs[i]);
	}
	CU_ASSERT_EQUAL(connlimit_entries(cl), 0);
	connlimit_free(cl);
}

/* ---- Configuration ---------------------------------------------------------------------- */

static int load(const char *per_ip, const char *overrides, struct kb_config *c, char *err,
                size_t errlen)
{
	char a[256], b[512];
	char *ov[4] = {"broker.id=1", "zookeeper.connect=zk:2181"};
	int n = 2;
	if (per_ip) {
		snprintf(a, sizeof(a), "max.connections.per.ip=%s", per_ip);
		ov[n++] = a;
	}
	if (overrides) {
		snprintf(b, sizeof(b), "max.connections.per.ip.overrides=%s", overrides);
		ov[n++] = b;
	}
	return conf_load(c, NULL, n, ov, err, errlen);
}

static void expect_refused(const char *per_ip, const char *overrides, const char *want)
{
	struct kb_config c;
	char err[512] = "";
	int rc = load(per_ip, overrides, &c, err, sizeof(err));
	CU_ASSERT_EQUAL(rc, -1);
	if (rc == 0)
		conf_free(&c);
	if (!strstr(err, want)) {
		fprintf(stderr, "\n  expected error containing \"%s\", got \"%s\"\n", want, err);
		CU_FAIL("wrong error message");
	}
}

static void test_conf_keys(void)
{
	struct kb_config c;
	char err[512];
	CU_ASSERT_EQUAL_FATAL(load(NULL, NULL, &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.max_connections_per_ip, INT32_MAX); /* Kafka's default */
	CU_ASSERT_PTR_NULL(c.max_connections_per_ip_overrides);
	conf_free(&c);

	CU_ASSERT_EQUAL_FATAL(load("0", " 127.0.0.1 : 5 , [::1]:0,host-a.example:2147483647,::2:7",
	                           &c, err, sizeof(err)), 0);
	struct conf_ip_override *o;
	int n;
	CU_ASSERT_EQUAL_FATAL(conf_parse_ip_overrides(c.max_connections_per_ip_overrides, &o, &n,
	                                              err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(n, 4);
	CU_ASSERT_STRING_EQUAL(o[0].host, "127.0.0.1");
	CU_ASSERT_EQUAL(o[0].max, 5);
	CU_ASSERT_STRING_EQUAL(o[1].host, "[::1]");
	CU_ASSERT_EQUAL(o[1].max, 0);
	CU_ASSERT_EQUAL(o[2].max, INT32_MAX);
	CU_ASSERT_STRING_EQUAL(o[3].host, "::2"); /* the count follows the last ':' */
	CU_ASSERT_EQUAL(o[3].max, 7);
	conf_free_ip_overrides(o, n);
	conf_free(&c);

	expect_refused("0", NULL, "max.connections.per.ip: can be 0 only if "
	                          "max.connections.per.ip.overrides is set");
	expect_refused("-1", NULL, "value -1 is below the minimum 0");
	expect_refused(NULL, "127.0.0.1", "entry '127.0.0.1' is not host:count");
	expect_refused(NULL, "127.0.0.1:-1", "count '-1' is not 0-2147483647");
	expect_refused(NULL, "127.0.0.1:2147483648", "is not 0-2147483647");
	expect_refused(NULL, "h:1x", "count '1x'");
	expect_refused(NULL, ":5", "'' is not a host name or address");
	expect_refused(NULL, "a b:5", "is not a host name or address");
	expect_refused(NULL, "h:1,h:2", "host 'h' is listed twice");
}

void suite_connlimit(void);
void suite_connlimit(void)
{
	CU_pSuite s = CU_add_suite("connlimit", NULL, NULL);
	CU_add_test(s, "default limit per address", test_default_limit);
	CU_add_test(s, "IPv4-mapped IPv6 counts as IPv4", test_mapped_v4_is_v4);
	CU_add_test(s, "overrides", test_overrides);
	CU_add_test(s, "churn of many addresses", test_churn);
	CU_add_test(s, "configuration keys", test_conf_keys);
}
