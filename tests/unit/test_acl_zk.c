/* test_acl_zk.c — coord/acls.c's writes against a real ZooKeeper: only when KB_TEST_ZK names
 * one ("host:port/chroot"); tests/integration/test_acl_store.py runs this suite against its
 * cluster's ZooKeeper and then checks, with kazoo and the brokers' logs, what it wrote. Without
 * KB_TEST_ZK the suite registers no test.
 *
 * An observer coord (no registration) with the ACL watch on: adds (a new resource, more entries
 * with a duplicate, over the per-resource limit), a prefixed resource, removals by filter down
 * to an empty resource (the znode goes), and two adds racing on one new resource (one creates,
 * the other retries on ZNODEEXISTS and sets). The local copy shows each change when `done`
 * runs. */
#include "../../auth/acl.h"
#include "../../common/kb.h"
#include "../../common/kerr.h"
#include "../../common/limits.h"
#include "../../coord/acls.h"
#include "../../coord/coord.h"

#include <CUnit/CUnit.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct event_base *base;
static struct coord *zc;

struct result {
	int calls;
	int16_t err;
	int nremoved;
};

static void on_event(enum coord_event ev, const char *msg, void *arg)
{
	KB_UNUSED(arg);
	if (ev == COORD_FATAL)
		fprintf(stderr, "coord fatal: %s\n", msg);
}

static bool wait_for(const int *calls, int want, bool (*pred)(void))
{
	int64_t deadline = kb_mono_ms() + 20000;
	while (kb_mono_ms() < deadline) {
		if ((calls && *calls >= want) || (pred && pred()))
			return true;
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(1000);
	}
	return false;
}

static bool loaded(void)
{
	return coord_acls_loaded(zc);
}

static int entries(int8_t type, int8_t pattern, const char *name)
{
	const struct acl_resource *r = acl_store_get(coord_acls(zc), type, pattern, name);
	return r ? r->naces : 0;
}

/* What `done` saw in the local copy. */
static int seen_entries;
static int8_t seen_type, seen_pattern;
static const char *seen_name;

static void added(void *arg, int16_t error, const char *message)
{
	struct result *r = arg;
	r->calls++;
	r->err = error;
	if (error)
		fprintf(stderr, "  add: %s: %s\n", kerr_name(error), message ? message : "");
	seen_entries = entries(seen_type, seen_pattern, seen_name);
}

static void removed(void *arg, int16_t error, const char *message, const struct acl_ace *aces,
                    int n)
{
	struct result *r = arg;
	r->calls++;
	r->err = error;
	r->nremoved = n;
	for (int i = 0; i < n; i++)
		CU_ASSERT_PTR_NOT_NULL(aces[i].principal);
	if (error)
		fprintf(stderr, "  remove: %s: %s\n", kerr_name(error), message ? message : "");
	seen_entries = entries(seen_type, seen_pattern, seen_name);
}

static void add(int8_t type, int8_t pattern, const char *name, const struct acl_ace *aces,
                int n, struct result *r)
{
	seen_type = type;
	seen_pattern = pattern;
	seen_name = name;
	*r = (struct result){0, -1, 0};
	coord_acls_add(zc, type, pattern, name, aces, n, added, r);
	CU_ASSERT_TRUE(wait_for(&r->calls, 1, NULL));
	CU_ASSERT_EQUAL(r->calls, 1);
}

static void test_writes(void)
{
	struct result r;
	CU_ASSERT_TRUE_FATAL(wait_for(NULL, 0, loaded));

	struct acl_ace two[] = {{"User:a", "*", ACL_OP_READ, ACL_PERM_ALLOW},
	                        {"User:b", "10.0.0.1", ACL_OP_WRITE, ACL_PERM_DENY}};
	add(ACL_RES_TOPIC, ACL_PAT_LITERAL, "zk-t", two, 2, &r);
	CU_ASSERT_EQUAL(r.err, KERR_NONE);
	CU_ASSERT_EQUAL(seen_entries, 2); /* the copy shows it when done runs */
	struct acl_ace more[] = {{"User:a", "*", ACL_OP_READ, ACL_PERM_ALLOW}, /* present */
	                         {"User:c", "*", ACL_OP_ALL, ACL_PERM_ALLOW}};
	add(ACL_RES_TOPIC, ACL_PAT_LITERAL, "zk-t", more, 2, &r);
	CU_ASSERT_EQUAL(r.err, KERR_NONE);
	CU_ASSERT_EQUAL(seen_entries, 3);

	/* Over the limit: INVALID_REQUEST and nothing created. */
	int n = KB_ACLS_PER_RESOURCE_MAX + 1;
	struct acl_ace *many = kb_calloc((size_t)n, sizeof(*many));
	char (*names)[32] = kb_calloc((size_t)n, sizeof(*names));
	for (int i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "User:u%d", i);
		many[i] = (struct acl_ace){names[i], "*", ACL_OP_READ, ACL_PERM_ALLOW};
	}
	add(ACL_RES_TOPIC, ACL_PAT_LITERAL, "zk-many", many, n, &r);
	CU_ASSERT_EQUAL(r.err, KERR_INVALID_REQUEST);
	/* The limit holds for what is already there plus the new entries too. */
	add(ACL_RES_TOPIC, ACL_PAT_LITERAL, "zk-many", many, n - 1, &r);
	CU_ASSERT_EQUAL(r.err, KERR_NONE);
	CU_ASSERT_EQUAL(seen_entries, n - 1);
	add(ACL_RES_TOPIC, ACL_PAT_LITERAL, "zk-many", many + 1, n - 1, &r);
	CU_ASSERT_EQUAL(r.err, KERR_INVALID_REQUEST);
	CU_ASSERT_EQUAL(entries(ACL_RES_TOPIC, ACL_PAT_LITERAL, "zk-many"), n - 1);
	kb_free(many);
	kb_free(names);

	/* A prefixed resource, and a bad binding refused before ZooKeeper. */
	struct acl_ace g = {"User:a", "*", ACL_OP_READ, ACL_PERM_ALLOW};
	add(ACL_RES_GROUP, ACL_PAT_PREFIXED, "zk-g-", &g, 1, &r);
	CU_ASSERT_EQUAL(r.err, KERR_NONE);
	CU_ASSERT_EQUAL(seen_entries, 1);
	add(ACL_RES_GROUP, ACL_PAT_LITERAL, "zk-g", (struct acl_ace[]){{"User:a", "*",
	                                             ACL_OP_WRITE, ACL_PERM_ALLOW}}, 1, &r);
	CU_ASSERT_EQUAL(r.err, KERR_INVALID_REQUEST); /* GROUP has no WRITE */

	/* Removals: by principal, then everything (the znode goes). */
	struct acl_filter by_a = {ACL_RES_ANY, ACL_PAT_ANY, NULL, "User:a", NULL, ACL_OP_ANY,
	                          ACL_PERM_ANY};
	struct acl_filter nothing = {ACL_RES_ANY, ACL_PAT_ANY, NULL, "User:nobody", NULL,
	                             ACL_OP_ANY, ACL_PERM_ANY};
	struct acl_filter all = {ACL_RES_ANY, ACL_PAT_ANY, NULL, NULL, NULL, ACL_OP_ANY,
	                         ACL_PERM_ANY};
	seen_type = ACL_RES_TOPIC;
	seen_pattern = ACL_PAT_LITERAL;
	seen_name = "zk-t";
	r = (struct result){0, -1, 0};
	coord_acls_remove(zc, ACL_RES_TOPIC, ACL_PAT_LITERAL, "zk-t", &nothing, 1, removed, &r);
	CU_ASSERT_TRUE(wait_for(&r.calls, 1, NULL));
	CU_ASSERT_EQUAL(r.err, KERR_NONE);
	CU_ASSERT_EQUAL(r.nremoved, 0);
	CU_ASSERT_EQUAL(seen_entries, 3);
	r = (struct result){0, -1, 0};
	coord_acls_remove(zc, ACL_RES_TOPIC, ACL_PAT_LITERAL, "zk-t", &by_a, 1, removed, &r);
	CU_ASSERT_TRUE(wait_for(&r.calls, 1, NULL));
	CU_ASSERT_EQUAL(r.err, KERR_NONE);
	CU_ASSERT_EQUAL(r.nremoved, 1);
	CU_ASSERT_EQUAL(seen_entries, 2);
	r = (struct result){0, -1, 0};
	struct acl_filter both[] = {by_a, all};
	coord_acls_remove(zc, ACL_RES_TOPIC, ACL_PAT_LITERAL, "zk-t", both, 2, removed, &r);
	CU_ASSERT_TRUE(wait_for(&r.calls, 1, NULL));
	CU_ASSERT_EQUAL(r.err, KERR_NONE);
	CU_ASSERT_EQUAL(r.nremoved, 2);
	CU_ASSERT_EQUAL(seen_entries, 0);
	CU_ASSERT_PTR_NULL(acl_store_get(coord_acls(zc), ACL_RES_TOPIC, ACL_PAT_LITERAL, "zk-t"));
	r = (struct result){0, -1, 0};
	coord_acls_remove(zc, ACL_RES_TOPIC, ACL_PAT_LITERAL, "zk-t", &all, 1, removed, &r);
	CU_ASSERT_TRUE(wait_for(&r.calls, 1, NULL));
	CU_ASSERT_EQUAL(r.err, KERR_NONE); /* absent: nothing to remove */
	CU_ASSERT_EQUAL(r.nremoved, 0);

	/* Two adds racing on one new resource: both land. */
	struct result r1 = {0, -1, 0}, r2 = {0, -1, 0};
	struct acl_ace x = {"User:x", "*", ACL_OP_WRITE, ACL_PERM_ALLOW};
	struct acl_ace y = {"User:y", "*", ACL_OP_READ, ACL_PERM_ALLOW};
	seen_type = ACL_RES_TOPIC;
	seen_pattern = ACL_PAT_LITERAL;
	seen_name = "zk-both";
	coord_acls_add(zc, ACL_RES_TOPIC, ACL_PAT_LITERAL, "zk-both", &x, 1, added, &r1);
	coord_acls_add(zc, ACL_RES_TOPIC, ACL_PAT_LITERAL, "zk-both", &y, 1, added, &r2);
	CU_ASSERT_TRUE(wait_for(&r2.calls, 1, NULL));
	CU_ASSERT_TRUE(wait_for(&r1.calls, 1, NULL));
	CU_ASSERT_EQUAL(r1.err, KERR_NONE);
	CU_ASSERT_EQUAL(r2.err, KERR_NONE);
	CU_ASSERT_EQUAL(entries(ACL_RES_TOPIC, ACL_PAT_LITERAL, "zk-both"), 2);
}

static int zk_setup(void)
{
	const char *zk = getenv("KB_TEST_ZK");
	base = event_base_new();
	struct coord_config cc = {.zookeeper_connect = zk, .session_timeout_ms = 10000,
	                          .connection_timeout_ms = 10000, .broker_id = -1,
	                          .protocol_map = ""};
	zc = coord_start(base, &cc, on_event, NULL);
	coord_acls_enable(zc);
	return 0;
}

static int zk_teardown(void)
{
	coord_stop(zc);
	event_base_free(base);
	return 0;
}

void suite_acl_zk(void);
void suite_acl_zk(void)
{
	if (!getenv("KB_TEST_ZK"))
		return; /* needs a ZooKeeper: test_acl_store.py provides one */
	CU_pSuite s = CU_add_suite("acl_zk", zk_setup, zk_teardown);
	CU_add_test(s, "coord: ACL writes against ZooKeeper", test_writes);
}
