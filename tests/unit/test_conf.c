/* test_conf.c — the configuration module: the .properties reader, typed values and their
 * bounds, defaults/file/override layering, required and unknown keys, the listener syntax and
 * cross-key checks, and the committed config/server.properties. Temporary files live in a
 * mkdtemp() directory removed by the suite's cleanup. */
#include "conf/conf.h"

#include "common/limits.h"

#include <CUnit/Basic.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BASE "broker.id=1\nzookeeper.connect=zk:2181\n"

static char tmpdir[PATH_MAX];
static char props_path[PATH_MAX + 32];

/* ---- Helpers ---------------------------------------------------------------------------- */

static int init_suite(void)
{
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof(tmpdir), "%s/kb-conf-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(props_path, sizeof(props_path), "%s/server.properties", tmpdir);
	return 0;
}

static int clean_suite(void)
{
	return rmdir(tmpdir);
}

static void write_bytes(const char *path, const char *text, size_t n)
{
	FILE *f = fopen(path, "wb");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_FATAL(fwrite(text, 1, n, f) == n);
	CU_ASSERT_FATAL(fclose(f) == 0);
}

/* Loads `text` as server.properties plus overrides; the temp file is removed again. */
static int load_ov(const char *text, int nov, char *const ov[], struct kb_config *c, char *err,
                   size_t errlen)
{
	write_bytes(props_path, text, strlen(text));
	int rc = conf_load(c, props_path, nov, ov, err, errlen);
	unlink(props_path);
	return rc;
}

static int load(const char *text, struct kb_config *c, char *err, size_t errlen)
{
	return load_ov(text, 0, NULL, c, err, errlen);
}

/* Loads text that must be accepted; returns the value of `key` in a static buffer. */
static const char *value_of(const char *text, const char *key)
{
	static char buf[KB_CONF_MAX_LINE + 1];
	struct kb_config c;
	char err[1024] = "";
	if (load(text, &c, err, sizeof(err)) != 0) {
		fprintf(stderr, "unexpected error: %s\n", err);
		CU_FAIL("load failed");
		return "";
	}
	conf_value_str(&c, conf_find(key), buf, sizeof(buf));
	conf_free(&c);
	return buf;
}

/* Checks that loading fails with a message containing `want`. */
static void expect_error(const char *text, int nov, char *const ov[], const char *want)
{
	struct kb_config c;
	char err[1024] = "";
	int rc = load_ov(text, nov, ov, &c, err, sizeof(err));
	CU_ASSERT_EQUAL(rc, -1);
	if (rc == 0)
		conf_free(&c);
	if (!strstr(err, want)) {
		fprintf(stderr, "\n  expected error containing \"%s\", got \"%s\"\n", want, err);
		CU_FAIL("wrong error message");
	}
}

static void expect_override_error(const char *ov, const char *want)
{
	char *v[] = {(char *)ov};
	expect_error(BASE, 1, v, want);
}

/* Loads BASE with one override; returns the value of the key it set (static buffer). */
static const char *override_value(const char *ov, const char *key)
{
	static char buf[1024];
	char *v[] = {(char *)ov};
	struct kb_config c;
	char err[1024] = "";
	if (load_ov(BASE, 1, v, &c, err, sizeof(err)) != 0) {
		fprintf(stderr, "\n  unexpected error for %s: %s\n", ov, err);
		CU_FAIL("override refused");
		return "";
	}
	conf_value_str(&c, conf_find(key), buf, sizeof(buf));
	conf_free(&c);
	return buf;
}

/* Captures what is written to stderr between begin and end. */
struct capture {
	int saved;
	char path[PATH_MAX + 32];
	char text[8192];
};

static void capture_begin(struct capture *cap)
{
	snprintf(cap->path, sizeof(cap->path), "%s/stderr.txt", tmpdir);
	fflush(stderr);
	cap->saved = dup(2);
	int fd = open(cap->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT_FATAL(fd >= 0 && cap->saved >= 0);
	dup2(fd, 2);
	close(fd);
}

static void capture_end(struct capture *cap)
{
	fflush(stderr);
	dup2(cap->saved, 2);
	close(cap->saved);
	FILE *f = fopen(cap->path, "r");
	size_t n = f ? fread(cap->text, 1, sizeof(cap->text) - 1, f) : 0;
	cap->text[n] = '\0';
	if (f)
		fclose(f);
	unlink(cap->path);
}

/* ---- The .properties reader ------------------------------------------------------------- */

static void test_separators(void)
{
	CU_ASSERT_STRING_EQUAL(value_of(BASE "broker.rack=r1\n", "broker.rack"), "r1");
	CU_ASSERT_STRING_EQUAL(value_of(BASE "broker.rack: r2\n", "broker.rack"), "r2");
	CU_ASSERT_STRING_EQUAL(value_of(BASE "broker.rack r3\n", "broker.rack"), "r3");
	CU_ASSERT_STRING_EQUAL(value_of(BASE "broker.rack \t = \t r4 \t \n", "broker.rack"), "r4");
	CU_ASSERT_STRING_EQUAL(value_of(BASE "   \tbroker.rack:r5\n", "broker.rack"), "r5");
	CU_ASSERT_STRING_EQUAL(value_of(BASE "broker.rack=a=b:c d\n", "broker.rack"), "a=b:c d");
	CU_ASSERT_STRING_EQUAL(value_of(BASE "broker.rack :=x\n", "broker.rack"), "=x");
	/* A key alone has an empty value: for an optional key that means unset. */
	CU_ASSERT_STRING_EQUAL(value_of(BASE "broker.rack\n", "broker.rack"), "null");
	CU_ASSERT_STRING_EQUAL(value_of("broker.id    =    42\nzookeeper.connect zk:1\n",
	                                "broker.id"),
	                       "42");
}

static void test_comments_and_blanks(void)
{
	const char *text = "# a comment\n! another\n\n   \n\t# indented comment\n"
	                   "#broker.rack=no\nbroker.id=7\nzookeeper.connect=zk:1\n";
	CU_ASSERT_STRING_EQUAL(value_of(text, "broker.id"), "7");
	CU_ASSERT_STRING_EQUAL(value_of(text, "broker.rack"), "null");
	/* A comment line is never continued. */
	CU_ASSERT_STRING_EQUAL(value_of("# comment \\\nbroker.id=8\nzookeeper.connect=zk:1\n",
	                                "broker.id"),
	                       "8");
	/* '#' inside a value is not a comment. */
	CU_ASSERT_STRING_EQUAL(value_of(BASE "broker.rack=a#b\n", "broker.rack"), "a#b");
}

static void test_continuation(void)
{
	CU_ASSERT_STRING_EQUAL(value_of(BASE "broker.rack=ab\\\n    cd\\\n\tef\n", "broker.rack"),
	                       "abcdef");
	CU_ASSERT_STRING_EQUAL(value_of("broker.id=1\nzookeeper.connect=a:1,\\\n   b:2\n",
	                                "zookeeper.connect"),
	                       "a:1,b:2");
	/* The key itself may be continued. */
	CU_ASSERT_STRING_EQUAL(value_of("broker.\\\n  id=9\nzookeeper.connect=zk:1\n", "broker.id"),
	                       "9");
	/* An even number of backslashes is an escaped backslash, not a continuation. */
	CU_ASSERT_STRING_EQUAL(value_of(BASE "broker.rack=x\\\\\nmax.connections=3\n", "broker.rack"),
	                       "x\\");
	CU_ASSERT_STRING_EQUAL(value_of(BASE "broker.rack=x\\\\\nmax.connections=3\n",
	                                "max.connections"),
	                       "3");
	/* A continued comment-looking line is part of the value. */
	CU_ASSERT_STRING_EQUAL(value_of(BASE "broker.rack=a\\\n  #b\n", "broker.rack"), "a#b");
	/* Continuation at end of file ends the line. */
	CU_ASSERT_STRING_EQUAL(value_of(BASE "broker.rack=end\\", "broker.rack"), "end");
}

static void test_escapes(void)
{
	CU_ASSERT_STRING_EQUAL(value_of(BASE "broker.rack=a\\=b\\:c\\\\d\\te\\nf\n", "broker.rack"),
	                       "a=b:c\\d\te\nf");
	CU_ASSERT_STRING_EQUAL(value_of(BASE "broker.rack=\\u0041b\\u00e9\n", "broker.rack"),
	                       "Ab\xc3\xa9");
	CU_ASSERT_STRING_EQUAL(value_of(BASE "broker.rack=\\#x\\ y\n", "broker.rack"), "#x y");
	/* Escaped characters in a key. */
	CU_ASSERT_STRING_EQUAL(value_of("broker\\.id=5\nzookeeper.connect=zk:1\n", "broker.id"),
	                       "5");
	expect_error(BASE "broker.rack=\\u00g1\n", 0, NULL, "server.properties:3: malformed");
	expect_error(BASE "broker.rack=\\u12\n", 0, NULL, "malformed \\uXXXX");
}

static void test_line_endings(void)
{
	const char *crlf = "broker.id=11\r\nzookeeper.connect=zk:2181\r\nbroker.rack=r1\r\n";
	CU_ASSERT_STRING_EQUAL(value_of(crlf, "broker.id"), "11");
	CU_ASSERT_STRING_EQUAL(value_of(crlf, "broker.rack"), "r1");
	CU_ASSERT_STRING_EQUAL(value_of(crlf, "zookeeper.connect"), "zk:2181");
	CU_ASSERT_STRING_EQUAL(value_of("broker.id=12\rzookeeper.connect=zk:1\rbroker.rack=r\r",
	                                "broker.id"),
	                       "12");
	CU_ASSERT_STRING_EQUAL(value_of(BASE "broker.rack=a\\\r\n   b\r\n", "broker.rack"), "ab");
	CU_ASSERT_STRING_EQUAL(value_of(BASE "broker.rack=last", "broker.rack"), "last");
	CU_ASSERT_STRING_EQUAL(value_of(BASE "# only a comment, no newline", "broker.id"), "1");
}

/* A line of exactly `len` bytes: "broker.rack=" and padding. */
static char *long_line_file(size_t len, const char *after)
{
	size_t n = strlen(BASE) + len + 1 + strlen(after) + 1;
	char *t = malloc(n);
	CU_ASSERT_FATAL(t != NULL);
	size_t o = (size_t)snprintf(t, n, "%sbroker.rack=", BASE);
	size_t end = strlen(BASE) + len;
	memset(t + o, 'x', end - o);
	snprintf(t + end, n - end, "\n%s", after);
	return t;
}

static void test_long_lines(void)
{
	char *ok = long_line_file(KB_CONF_MAX_LINE, "");
	CU_ASSERT_EQUAL(strlen(value_of(ok, "broker.rack")), KB_CONF_MAX_LINE - strlen("broker.rack="));
	free(ok);
	char *bad = long_line_file(KB_CONF_MAX_LINE + 1, "");
	expect_error(bad, 0, NULL, "server.properties:3: line longer than 65536 bytes");
	free(bad);
	/* The limit also holds for a logical line joined from continuations. */
	char *cont = long_line_file(KB_CONF_MAX_LINE - 10, "");
	cont[strlen(cont) - 1] = '\\';
	char *joined = malloc(strlen(cont) + 64);
	CU_ASSERT_FATAL(joined != NULL);
	snprintf(joined, strlen(cont) + 64, "%s\nmore-than-ten-bytes\n", cont);
	expect_error(joined, 0, NULL, "server.properties:3: line longer");
	free(cont);
	free(joined);
}

/* ---- Typed values ----------------------------------------------------------------------- */

static void expect_value(const char *key, const char *text, const char *want)
{
	char ov[256];
	snprintf(ov, sizeof(ov), "%s=%s", key, text);
	CU_ASSERT_STRING_EQUAL(override_value(ov, key), want);
}

static void expect_reject(const char *key, const char *text, const char *reason)
{
	char ov[256], want[512];
	snprintf(ov, sizeof(ov), "%s=%s", key, text);
	snprintf(want, sizeof(want), "--override: %s: %s", key, reason);
	expect_override_error(ov, want);
}

static void test_numeric_bounds(void)
{
	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];
		if (k->type != CONF_INT && k->type != CONF_LONG)
			continue;
		CU_ASSERT_TRUE(k->min <= k->max);
		if (k->type == CONF_INT)
			CU_ASSERT_TRUE(k->min >= INT32_MIN && k->max <= INT32_MAX);
		char min[32], max[32], below[32], above[32], reason[128];
		snprintf(min, sizeof(min), "%lld", (long long)k->min);
		snprintf(max, sizeof(max), "%lld", (long long)k->max);
		if (strcmp(k->name, "max.connections.per.ip") != 0) /* 0 needs overrides: see */
			expect_value(k->name, min, min);                  /* test_connlimit.c */
		expect_value(k->name, max, max);
		snprintf(below, sizeof(below), "%lld", (long long)k->min - 1);
		snprintf(reason, sizeof(reason), "value %s is below the minimum %s", below, min);
		expect_reject(k->name, below, reason);
		if (k->max == INT64_MAX) {
			expect_reject(k->name, "9223372036854775808", "out of range");
		} else {
			snprintf(above, sizeof(above), "%lld", (long long)k->max + 1);
			snprintf(reason, sizeof(reason), "value %s is above the maximum %s", above, max);
			expect_reject(k->name, above, reason);
		}
	}
}

static void test_numeric_garbage(void)
{
	const char *bad[] = {"abc", "12abc", "1.5", "0x10", "1e3", "--1", "1 2"};
	for (size_t i = 0; i < KB_ARRAY_LEN(bad); i++) {
		char reason[64];
		snprintf(reason, sizeof(reason), "not an integer: '%s'", bad[i]);
		expect_reject("max.connections", bad[i], reason);
		expect_reject("connections.max.idle.ms", bad[i], reason);
	}
	expect_reject("max.connections", "", "not an integer: ''");
	expect_reject("max.connections", "99999999999999999999", "out of range");
	expect_reject("connections.max.idle.ms", "99999999999999999999", "out of range");
	expect_reject("connections.max.idle.ms", "-99999999999999999999", "out of range");
	expect_reject("broker.id", "4294967296", "value 4294967296 is above the maximum 2147483647");
	expect_value("max.connections", " +77 ", "77");
	expect_value("broker.id", "007", "7");
}

struct bool_holder {
	int pad;
	bool flag;
};

static void test_booleans(void)
{
	const struct conf_key k = {.name = "test.flag", .type = CONF_BOOL,
	                           .offset = offsetof(struct bool_holder, flag)};
	struct bool_holder h = {0};
	char err[256];
	const char *yes[] = {"true", "TRUE", "True", " true "};
	const char *no[] = {"false", "FALSE", "fAlSe"};
	const char *bad[] = {"yes", "1", "", "truee", "on"};
	for (size_t i = 0; i < KB_ARRAY_LEN(yes); i++) {
		h.flag = false;
		CU_ASSERT_EQUAL(conf_set_field(&h, &k, yes[i], err, sizeof(err)), 0);
		CU_ASSERT_TRUE(h.flag);
	}
	for (size_t i = 0; i < KB_ARRAY_LEN(no); i++) {
		h.flag = true;
		CU_ASSERT_EQUAL(conf_set_field(&h, &k, no[i], err, sizeof(err)), 0);
		CU_ASSERT_FALSE(h.flag);
	}
	for (size_t i = 0; i < KB_ARRAY_LEN(bad); i++) {
		CU_ASSERT_EQUAL(conf_set_field(&h, &k, bad[i], err, sizeof(err)), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a boolean"));
	}
	CU_ASSERT_EQUAL(h.pad, 0);
}

static void test_strings(void)
{
	CU_ASSERT_STRING_EQUAL(value_of(BASE "broker.rack=\n", "broker.rack"), "null");
	CU_ASSERT_STRING_EQUAL(value_of(BASE "advertised.listeners= \n", "advertised.listeners"),
	                       "null");
	expect_error(BASE "listeners=\n", 0, NULL, "server.properties:3: listeners: must not be empty");
	expect_error(BASE "listener.security.protocol.map=\n", 0, NULL, "must not be empty");
	expect_override_error("zookeeper.connect=", "--override: zookeeper.connect: must not be empty");
	/* The inter-broker listener must be one of ours (followers connect to it on leaders). */
	expect_error(BASE "inter.broker.listener.name=INTERNAL\n", 0, NULL,
	             "inter.broker.listener.name: not one of the listeners");
	CU_ASSERT_STRING_EQUAL(value_of(BASE "listeners=PLAINTEXT://:1,INTERNAL://:2\n"
	                                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,"
	                                "INTERNAL:PLAINTEXT\ninter.broker.listener.name=INTERNAL\n",
	                                "inter.broker.listener.name"), "INTERNAL");
	CU_ASSERT_PTR_NULL(conf_find("no.such.key"));
	CU_ASSERT_PTR_NOT_NULL(conf_find("max.connections"));
}

/* ---- Layering, required and unknown keys ------------------------------------------------ */

static void test_defaults(void)
{
	struct kb_config c;
	char err[512];
	char *ov[] = {"broker.id=0", "zookeeper.connect=zk:2181"};
	CU_ASSERT_EQUAL_FATAL(conf_load(&c, NULL, 2, ov, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(c.listeners, "PLAINTEXT://:9092");
	CU_ASSERT_PTR_NULL(c.advertised_listeners);
	CU_ASSERT_PTR_NULL(c.broker_rack);
	CU_ASSERT_EQUAL(c.zookeeper_session_timeout_ms, 18000);
	CU_ASSERT_EQUAL(c.zookeeper_connection_timeout_ms, -1);
	CU_ASSERT_EQUAL(c.socket_request_max_bytes, 104857600);
	CU_ASSERT_EQUAL(c.connections_max_idle_ms, 600000);
	CU_ASSERT_EQUAL(c.max_connections, 10000);
	conf_free(&c);
	CU_ASSERT_PTR_NULL(c.listeners);
}

static void test_required(void)
{
	expect_error("zookeeper.connect=zk:1\n", 0, NULL, "broker.id: required");
	expect_error("broker.id=1\n", 0, NULL, "zookeeper.connect: required");
	expect_error("broker.id=\nzookeeper.connect=zk:1\n", 0, NULL,
	             "server.properties:1: broker.id: not an integer: ''");
	struct kb_config c;
	char err[256];
	CU_ASSERT_EQUAL(conf_load(&c, NULL, 0, NULL, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "broker.id: required"));
	char *ov[] = {"broker.id=1"};
	CU_ASSERT_EQUAL(conf_load(&c, NULL, 1, ov, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "zookeeper.connect: required"));
	CU_ASSERT_EQUAL(conf_load(&c, "/nonexistent/kb.properties", 0, NULL, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/kb.properties: cannot open"));
}

static void test_unknown_keys(void)
{
	struct capture cap;
	struct kb_config c;
	char err[512];
	char *ov[] = {"no.such.override=1"};
	capture_begin(&cap);
	int rc = load_ov(BASE "log.cleaner.io.buffer.size=2\nbroker.rack=r\n", 1, ov, &c, err,
	                 sizeof(err));
	capture_end(&cap);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(c.broker_rack, "r");
	conf_free(&c);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(cap.text, "server.properties:3: unknown key 'log.cleaner.io.buffer.size' ignored"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "--override: unknown key 'no.such.override' ignored"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "WARN"));
}

static void test_error_locations(void)
{
	expect_error(BASE "\nsocket.request.max.bytes=12\n", 0, NULL,
	             "server.properties:4: socket.request.max.bytes: value 12 is below the minimum "
	             "1024");
	expect_error(BASE "max.connections=abc\n", 0, NULL,
	             "server.properties:3: max.connections: not an integer: 'abc'");
	expect_error("# c\\\n\nbroker.rack=a\\\n  b\nbroker.id=x\n", 0, NULL,
	             "server.properties:5: broker.id:");
	expect_override_error("max.connections=0", "--override: max.connections: value 0 is below");
	expect_override_error("max.connections", "--override: 'max.connections': expected key=value");
}

static void test_overrides_win(void)
{
	char *ov[] = {"broker.id=2", " broker.rack = r2 ", "broker.id=3"};
	struct kb_config c;
	char err[512];
	CU_ASSERT_EQUAL_FATAL(load_ov(BASE "broker.rack=r1\n", 3, ov, &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.broker_id, 3);
	CU_ASSERT_STRING_EQUAL(c.broker_rack, "r2");
	conf_free(&c);
	/* An override may supply a required key the file lacks. */
	char *ov2[] = {"zookeeper.connect=zk:2/x"};
	CU_ASSERT_EQUAL_FATAL(load_ov("broker.id=1\n", 1, ov2, &c, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(c.zookeeper_connect, "zk:2/x");
	conf_free(&c);
	/* The value of an override may itself contain '='. */
	CU_ASSERT_STRING_EQUAL(override_value("broker.rack=a=b", "broker.rack"), "a=b");
}

/* replica.selector.class: Kafka's two class names, nothing else (KIP-392). */
static void test_replica_selector(void)
{
	struct kb_config c;
	char err[512];
	CU_ASSERT_EQUAL_FATAL(load_ov(BASE, 0, NULL, &c, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(c.replica_selector_class);
	CU_ASSERT_FALSE(conf_rack_aware_selector(&c));
	conf_free(&c);
	char *rack[] = {"replica.selector.class=" CONF_RACK_AWARE_SELECTOR};
	CU_ASSERT_EQUAL_FATAL(load_ov(BASE, 1, rack, &c, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(conf_rack_aware_selector(&c));
	conf_free(&c);
	char *leader[] = {"replica.selector.class=" CONF_LEADER_SELECTOR};
	CU_ASSERT_EQUAL_FATAL(load_ov(BASE, 1, leader, &c, err, sizeof(err)), 0);
	CU_ASSERT_FALSE(conf_rack_aware_selector(&c));
	conf_free(&c);
	expect_error(BASE "replica.selector.class=RackAwareReplicaSelector\n", 0, NULL,
	             "replica.selector.class: class 'RackAwareReplicaSelector' is not available");
}

static void test_duplicate_keys(void)
{
	struct capture cap;
	capture_begin(&cap);
	const char *v = value_of("broker.id=1\nzookeeper.connect=zk:1\nbroker.id=2\n", "broker.id");
	capture_end(&cap);
	CU_ASSERT_STRING_EQUAL(v, "2");
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "server.properties:3: broker.id is set again"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "line 1"));
}

static void test_zookeeper_connect(void)
{
	const char *good[] = {"h:1", "h:65535", "a:1,b:2,c:3/chroot/x", "[::1]:2181",
	                      "10.0.0.1:2181/k", "zk-1.example.com:2181,zk_2:2182/kafka"};
	const char *bad[] = {"h", "h:", "h:0", "h:65536", ":2181", "h:1,", "h:1,,h:2", "h:1/",
	                     "h:1/a/", "h:1/a//b", "/k", "h:1/a/../b", "h x:1", "h:1x", "[]:1",
	                     "h:1/a b", "h:123456"};
	for (size_t i = 0; i < KB_ARRAY_LEN(good); i++) {
		char ov[128];
		snprintf(ov, sizeof(ov), "zookeeper.connect=%s", good[i]);
		CU_ASSERT_STRING_EQUAL(override_value(ov, "zookeeper.connect"), good[i]);
	}
	for (size_t i = 0; i < KB_ARRAY_LEN(bad); i++) {
		char ov[128];
		snprintf(ov, sizeof(ov), "zookeeper.connect=%s", bad[i]);
		expect_override_error(ov, "--override: zookeeper.connect: ");
	}
}

/* ---- Listeners -------------------------------------------------------------------------- */

#define MAP2 "INTERNAL:PLAINTEXT,external:plaintext,SECURE:SSL"

static void test_listeners_valid(void)
{
	struct kb_listener *l;
	int n;
	char err[256];
	CU_ASSERT_EQUAL_FATAL(conf_parse_listeners("PLAINTEXT://:9092", "PLAINTEXT:PLAINTEXT", &l,
	                                           &n, err, sizeof(err)),
	                      0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_STRING_EQUAL(l[0].name, "PLAINTEXT");
	CU_ASSERT_STRING_EQUAL(l[0].host, "");
	CU_ASSERT_EQUAL(l[0].port, 9092);
	CU_ASSERT_STRING_EQUAL(l[0].protocol, "PLAINTEXT");
	conf_free_listeners(l, n);
	CU_ASSERT_EQUAL_FATAL(conf_parse_listeners(" internal://10.0.0.1:9093 , EXTERNAL://[::1]:0,"
	                                           "  ",
	                                           MAP2, &l, &n, err, sizeof(err)),
	                      0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(l[0].name, "INTERNAL");
	CU_ASSERT_STRING_EQUAL(l[0].host, "10.0.0.1");
	CU_ASSERT_EQUAL(l[0].port, 9093);
	CU_ASSERT_STRING_EQUAL(l[1].name, "EXTERNAL");
	CU_ASSERT_STRING_EQUAL(l[1].host, "::1");
	CU_ASSERT_EQUAL(l[1].port, 0);
	CU_ASSERT_STRING_EQUAL(l[1].protocol, "PLAINTEXT");
	conf_free_listeners(l, n);
	CU_ASSERT_EQUAL(conf_parse_listeners("INTERNAL://my_host-1.example.com:65535", MAP2, &l, &n,
	                                     err, sizeof(err)),
	                0);
	conf_free_listeners(l, n);
}

static void expect_listeners_error(const char *list, const char *map, const char *want)
{
	struct kb_listener *l = NULL;
	int n = 0;
	char err[256] = "";
	int rc = conf_parse_listeners(list, map, &l, &n, err, sizeof(err));
	CU_ASSERT_EQUAL(rc, -1);
	if (rc == 0)
		conf_free_listeners(l, n);
	if (!strstr(err, want)) {
		fprintf(stderr, "\n  '%s': expected \"%s\", got \"%s\"\n", list, want, err);
		CU_FAIL("wrong listener error");
	}
}

static void test_listeners_invalid(void)
{
	expect_listeners_error("", MAP2, "no listeners");
	expect_listeners_error(" , ", MAP2, "no listeners");
	expect_listeners_error("INTERNAL:9092", MAP2, "not NAME://host:port");
	expect_listeners_error("INTERNAL://host", MAP2, "not host:port");
	expect_listeners_error("INTERNAL://host:", MAP2, "port");
	expect_listeners_error("INTERNAL://host:65536", MAP2, "out of range");
	expect_listeners_error("INTERNAL://host:-1", MAP2, "port '-1'");
	expect_listeners_error("INTERNAL://host:12a", MAP2, "port '12a'");
	expect_listeners_error("INTERNAL://::1:9092", MAP2, "must be in brackets");
	expect_listeners_error("INTERNAL://[::1:9092", MAP2, "not [ipv6-address]:port");
	expect_listeners_error("INTERNAL://[zz::1]:1", MAP2, "not a valid IPv6");
	expect_listeners_error("INTERNAL://999.1.1.1:1", MAP2, "not a valid IPv4");
	expect_listeners_error("INTERNAL://ho/st:1", MAP2, "invalid character");
	expect_listeners_error("IN-TERNAL://:1", MAP2, "letters, digits and '_'");
	expect_listeners_error("://:1", MAP2, "letters, digits and '_'");
	expect_listeners_error("INTERNAL://:1,internal://:2", MAP2,
	                       "INTERNAL appears more than once");
	expect_listeners_error("OTHER://:1", MAP2,
	                       "OTHER has no entry in listener.security.protocol.map");
	expect_listeners_error("SECURE://:1", MAP2,
	                       "security protocol SSL is not supported by kbroker yet");
	expect_listeners_error("SSL://:1", "PLAINTEXT:PLAINTEXT,SSL:SSL",
	                       "security protocol SSL is not supported by kbroker yet");
	expect_listeners_error("A://:1", "A:SASL_SSL", "SASL_SSL is not supported");
	/* Broken maps. */
	expect_listeners_error("A://:1", "A", "not NAME:PROTOCOL");
	expect_listeners_error("A://:1", "A:FOO", "unknown security protocol 'FOO'");
	expect_listeners_error("A://:1", "A:PLAINTEXT,a:SSL", "mapped more than once");
	expect_listeners_error("A://:1", "", "no NAME:PROTOCOL");
	expect_listeners_error("A://:1", "A B:PLAINTEXT", "letters, digits and '_'");
	char err[128];
	CU_ASSERT_EQUAL(conf_check_protocol_map(MAP2, err, sizeof(err)), 0);
	expect_error(BASE "listener.security.protocol.map=PLAINTEXT:TLS\n", 0, NULL,
	             "server.properties:3: listener.security.protocol.map: entry 'PLAINTEXT:TLS'");
}

static void test_listener_cross_checks(void)
{
	const char *map = "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT\n";
	char text[1024];
	snprintf(text, sizeof(text), BASE "%slisteners=PLAINTEXT://:9092\n"
	                                  "advertised.listeners=INTERNAL://h:1\n", map);
	expect_error(text, 0, NULL,
	             "server.properties:5: advertised.listeners: listener name INTERNAL is not one "
	             "of listeners");
	expect_error(BASE "listeners=PLAINTEXT://:9092,\\\n INTERNAL://h:9092\n"
	                  "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT\n",
	             0, NULL,
	             "server.properties:3: listeners: listeners PLAINTEXT and INTERNAL both use "
	             "port 9092");
	expect_override_error("listeners=PLAINTEXT://0.0.0.0:9092",
	                      "--override: listeners: listener PLAINTEXT on 0.0.0.0 cannot be "
	                      "advertised");
	expect_override_error("listeners=PLAINTEXT://[::]:9092", "cannot be advertised");
	expect_override_error("advertised.listeners=PLAINTEXT://:9092", "empty host");
	expect_override_error("advertised.listeners=PLAINTEXT://0.0.0.0:9092", "0.0.0.0 is not");
	expect_override_error("advertised.listeners=PLAINTEXT://[::]:9092", ":: is not");
	expect_override_error("advertised.listeners=PLAINTEXT://h:0", "port 0 cannot be advertised");
	expect_override_error("advertised.listeners=PLAINTEXT://h:1,plaintext://h:2",
	                      "PLAINTEXT appears more than once");
	expect_override_error("advertised.listeners=PLAINTEXT://h", "advertised.listeners: ");
	expect_override_error("listeners=SSL://:9093", "security protocol SSL is not supported");
	expect_override_error("listener.security.protocol.map=SSL:SSL",
	                      "(default): listeners: listener name PLAINTEXT has no entry");
	/* Accepted forms: port 0 twice, 0.0.0.0 with advertised, duplicate advertised ports. */
	snprintf(text, sizeof(text), BASE "%slisteners=PLAINTEXT://:0,INTERNAL://:0\n", map);
	CU_ASSERT_STRING_EQUAL(value_of(text, "listeners"), "PLAINTEXT://:0,INTERNAL://:0");
	snprintf(text, sizeof(text),
	         BASE "%slisteners=PLAINTEXT://0.0.0.0:1,INTERNAL://[::]:2\n"
	              "advertised.listeners=PLAINTEXT://h.example:9,INTERNAL://[fe80::1]:9\n",
	         map);
	CU_ASSERT_STRING_EQUAL(value_of(text, "advertised.listeners"),
	                       "PLAINTEXT://h.example:9,INTERNAL://[fe80::1]:9");
	snprintf(text, sizeof(text), BASE "%slisteners=PLAINTEXT://:1,INTERNAL://:2\n"
	                                  "advertised.listeners=internal://h:2\n", map);
	CU_ASSERT_STRING_EQUAL(value_of(text, "advertised.listeners"), "internal://h:2");
}

/* ---- Generated documents ---------------------------------------------------------------- */

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0, got;
	do {
		cap += 65536;
		buf = realloc(buf, cap);
		CU_ASSERT_FATAL(buf != NULL);
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	*len = n;
	return buf;
}

static void test_example_file(void)
{
	char path[PATH_MAX];
	const char *src = getenv("KB_SRC_DIR");
	snprintf(path, sizeof(path), "config/server.properties");
	if (access(path, R_OK) != 0 && src)
		snprintf(path, sizeof(path), "%s/config/server.properties", src);
	size_t flen = 0, glen = 0;
	char *committed = read_all(path, &flen);
	if (!committed) {
		fprintf(stderr, "\n  cannot read %s (run from the repo root or set KB_SRC_DIR)\n", path);
		CU_FAIL_FATAL("config/server.properties missing");
	}
	char *generated = NULL;
	FILE *m = open_memstream(&generated, &glen);
	CU_ASSERT_FATAL(m != NULL);
	conf_print_example(m);
	fclose(m);
	CU_ASSERT_EQUAL(flen, glen);
	CU_ASSERT_TRUE(flen == glen && memcmp(committed, generated, flen) == 0);
	if (flen != glen || memcmp(committed, generated, flen) != 0)
		fprintf(stderr, "\n  %s differs from conf_print_example(): regenerate it\n", path);
	for (size_t i = 0; i < conf_nkeys; i++)
		CU_ASSERT_PTR_NOT_NULL(strstr(generated, conf_keys[i].name));
	CU_ASSERT_PTR_NOT_NULL(strstr(generated, "kbroker --print-example-config"));
	free(committed);
	free(generated);

	struct kb_config c;
	char err[512] = "";
	int rc = conf_load(&c, path, 0, NULL, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(c.broker_id, 0);
	CU_ASSERT_STRING_EQUAL(c.zookeeper_connect, "127.0.0.1:2181");
	CU_ASSERT_PTR_NULL(c.broker_rack);
	CU_ASSERT_PTR_NULL(c.advertised_listeners);
	conf_free(&c);
}

static void test_help(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	CU_ASSERT_FATAL(m != NULL);
	conf_print_help(m);
	fclose(m);
	for (size_t i = 0; i < conf_nkeys; i++) {
		char head[128];
		snprintf(head, sizeof(head), "\n%s\n", conf_keys[i].name);
		CU_ASSERT_PTR_NOT_NULL(strstr(text, head));
		CU_ASSERT_TRUE(conf_keys[i].doc && strlen(conf_keys[i].doc) > 40);
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "[1024, 2147483647]"));
	free(text);
}

static void test_value_str(void)
{
	struct kb_config c;
	char err[256], buf[64];
	char *ov[] = {"broker.id=5", "zookeeper.connect=zk:1", "connections.max.idle.ms=-1"};
	CU_ASSERT_EQUAL_FATAL(conf_load(&c, NULL, 3, ov, err, sizeof(err)), 0);
	conf_value_str(&c, conf_find("broker.id"), buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "5");
	conf_value_str(&c, conf_find("connections.max.idle.ms"), buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "-1");
	conf_value_str(&c, conf_find("broker.rack"), buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "null");
	conf_value_str(&c, conf_find("listener.security.protocol.map"), buf, 10);
	CU_ASSERT_STRING_EQUAL(buf, "PLAINTEXT");
	conf_free(&c);
}

static void test_conf_set(void)
{
	struct kb_config c;
	char err[256];
	char *ov[] = {"broker.id=5", "zookeeper.connect=zk:1"};
	CU_ASSERT_EQUAL_FATAL(conf_load(&c, NULL, 2, ov, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(conf_set(&c, "max.connections", " 12 ", "admin:1", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.max_connections, 12);
	CU_ASSERT_EQUAL(conf_set(&c, "broker.rack", "r9", "admin:2", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(conf_set(&c, "broker.rack", "r10", "admin:3", err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(c.broker_rack, "r10");
	CU_ASSERT_EQUAL(conf_set(&c, "max.connections", "0", "admin:4", err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "admin:4: max.connections: value 0 is below the minimum 1");
	CU_ASSERT_EQUAL(c.max_connections, 12);
	struct capture cap;
	capture_begin(&cap);
	CU_ASSERT_EQUAL(conf_set(&c, "nope", "1", "admin:5", err, sizeof(err)), 0);
	capture_end(&cap);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "admin:5: unknown key 'nope' ignored"));
	conf_free(&c);
}

void suite_conf(void);

void suite_conf(void)
{
	CU_pSuite s = CU_add_suite("conf", init_suite, clean_suite);
	CU_add_test(s, "separators", test_separators);
	CU_add_test(s, "comments and blank lines", test_comments_and_blanks);
	CU_add_test(s, "line continuation", test_continuation);
	CU_add_test(s, "escapes", test_escapes);
	CU_add_test(s, "line endings", test_line_endings);
	CU_add_test(s, "over-long lines", test_long_lines);
	CU_add_test(s, "numeric bounds of every key", test_numeric_bounds);
	CU_add_test(s, "non-numbers and overflow", test_numeric_garbage);
	CU_add_test(s, "booleans", test_booleans);
	CU_add_test(s, "strings and empty values", test_strings);
	CU_add_test(s, "defaults", test_defaults);
	CU_add_test(s, "required keys", test_required);
	CU_add_test(s, "unknown keys warn", test_unknown_keys);
	CU_add_test(s, "error locations", test_error_locations);
	CU_add_test(s, "overrides win", test_overrides_win);
	CU_add_test(s, "replica.selector.class", test_replica_selector);
	CU_add_test(s, "duplicate keys", test_duplicate_keys);
	CU_add_test(s, "zookeeper.connect", test_zookeeper_connect);
	CU_add_test(s, "listeners: valid", test_listeners_valid);
	CU_add_test(s, "listeners: invalid", test_listeners_invalid);
	CU_add_test(s, "listeners: cross-key checks", test_listener_cross_checks);
	CU_add_test(s, "config/server.properties", test_example_file);
	CU_add_test(s, "help", test_help);
	CU_add_test(s, "value_str", test_value_str);
	CU_add_test(s, "conf_set", test_conf_set);
}
