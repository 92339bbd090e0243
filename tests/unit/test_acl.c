/* test_acl.c — auth/: the store (put, version order, removal), acl_authorize's rules one by
 * one, authorized-operations bitfields, filters, binding validation, super.users parsing,
 * ZooKeeper names and the znode JSON (round trip and malformed inputs); coord/acls.c with
 * ZooKeeper refusing every call (nothing left pending, every write answered once). */
#include "../../auth/acl.h"
#include "../../common/kb.h"
#include "../../common/kerr.h"
#include "../../common/limits.h"
#include "../../coord/acls.h"
#include "../../coord/coord_int.h"
#include "../../conf/conf.h"
#include "../../server/core/authz.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#define ANON ACL_ANONYMOUS
#define IP "10.0.0.1"

static struct acl_ace *aces1(const char *principal, const char *host, int8_t op, int8_t perm)
{
	struct acl_ace *a = kb_calloc(1, sizeof(*a));
	*a = (struct acl_ace){kb_strdup(principal), kb_strdup(host), op, perm};
	return a;
}

/* Adds one entry to (type, pattern, name), keeping those there. */
static void add(struct acl_store *s, int8_t type, int8_t pattern, const char *name,
                const char *principal, const char *host, int8_t op, int8_t perm)
{
	const struct acl_resource *r = acl_store_get(s, type, pattern, name);
	int n = r ? r->naces : 0;
	int32_t ver = r ? r->zk_version + 1 : 0;
	struct acl_ace *a = kb_calloc((size_t)n + 1, sizeof(*a));
	for (int i = 0; i < n; i++)
		a[i] = (struct acl_ace){kb_strdup(r->aces[i].principal), kb_strdup(r->aces[i].host),
		                        r->aces[i].op, r->aces[i].perm};
	a[n] = (struct acl_ace){kb_strdup(principal), kb_strdup(host), op, perm};
	CU_ASSERT_TRUE(acl_store_put(s, type, pattern, name, a, n + 1, ver));
}

static bool authz(const struct acl_store *s, const struct acl_policy *p, int8_t op, int8_t type,
                  const char *name)
{
	return acl_authorize(s, p, ANON, IP, op, type, name);
}

static void test_store(void)
{
	struct acl_store s;
	acl_store_init(&s);
	CU_ASSERT_PTR_NULL(acl_store_get(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "t"));
	const char *names[] = {"m", "a", "z", "b", "*"};
	for (size_t i = 0; i < KB_ARRAY_LEN(names); i++)
		CU_ASSERT_TRUE(acl_store_put(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, names[i],
		                             aces1(ANON, "*", ACL_OP_READ, ACL_PERM_ALLOW), 1, 3));
	CU_ASSERT_TRUE(acl_store_put(&s, ACL_RES_GROUP, ACL_PAT_LITERAL, "a",
	                             aces1(ANON, "*", ACL_OP_READ, ACL_PERM_ALLOW), 1, 0));
	CU_ASSERT_TRUE(acl_store_put(&s, ACL_RES_TOPIC, ACL_PAT_PREFIXED, "a",
	                             aces1(ANON, "*", ACL_OP_READ, ACL_PERM_ALLOW), 1, 0));
	CU_ASSERT_EQUAL(s.nres, 7);
	for (int i = 1; i < s.nres; i++) { /* sorted by (type, pattern, name) */
		const struct acl_resource *a = &s.res[i - 1], *b = &s.res[i];
		CU_ASSERT_TRUE(a->type < b->type ||
		               (a->type == b->type && (a->pattern < b->pattern ||
		                                       (a->pattern == b->pattern &&
		                                        strcmp(a->name, b->name) < 0))));
	}
	const struct acl_resource *r = acl_store_get(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "b");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->zk_version, 3);
	CU_ASSERT_PTR_NULL(acl_store_get(&s, ACL_RES_TOPIC, ACL_PAT_PREFIXED, "b"));
	CU_ASSERT_PTR_NULL(acl_store_get(&s, ACL_RES_GROUP, ACL_PAT_LITERAL, "b"));

	/* An older version does not replace a newer one; the same data at the same version is
	 * no change; a newer version replaces. */
	uint64_t gen = s.gen;
	CU_ASSERT_FALSE(acl_store_put(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "b",
	                              aces1("User:x", "*", ACL_OP_WRITE, ACL_PERM_ALLOW), 1, 2));
	CU_ASSERT_FALSE(acl_store_put(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "b",
	                              aces1(ANON, "*", ACL_OP_READ, ACL_PERM_ALLOW), 1, 3));
	CU_ASSERT_EQUAL(s.gen, gen);
	r = acl_store_get(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "b");
	CU_ASSERT_STRING_EQUAL(r->aces[0].principal, ANON);
	CU_ASSERT_TRUE(acl_store_put(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "b",
	                             aces1("User:x", "*", ACL_OP_WRITE, ACL_PERM_ALLOW), 1, 4));
	CU_ASSERT_NOT_EQUAL(s.gen, gen);
	r = acl_store_get(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "b");
	CU_ASSERT_STRING_EQUAL(r->aces[0].principal, "User:x");
	CU_ASSERT_EQUAL(r->zk_version, 4);

	/* Removal applies whatever the version; removing what is absent is no change. */
	gen = s.gen;
	CU_ASSERT_TRUE(acl_store_put(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "b", NULL, 0, 0));
	CU_ASSERT_PTR_NULL(acl_store_get(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "b"));
	CU_ASSERT_FALSE(acl_store_put(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "b", NULL, 0, 9));
	CU_ASSERT_EQUAL(s.nres, 6);
	CU_ASSERT_EQUAL(s.gen, gen + 1);
	CU_ASSERT_PTR_NOT_NULL(acl_store_get(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "m"));
	CU_ASSERT_PTR_NOT_NULL(acl_store_get(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "z"));
	acl_store_free(&s);
	CU_ASSERT_EQUAL(s.nres, 0);
}

static void test_policy(void)
{
	struct acl_policy p;
	CU_ASSERT_EQUAL(acl_policy_parse(&p, "", true), 0);
	CU_ASSERT_EQUAL(p.nsuper, 0);
	CU_ASSERT_TRUE(p.allow_if_no_acl);
	acl_policy_free(&p);
	CU_ASSERT_EQUAL(acl_policy_parse(&p, " User:admin ; User:ops;", false), 0);
	CU_ASSERT_EQUAL_FATAL(p.nsuper, 2);
	CU_ASSERT_STRING_EQUAL(p.super_users[0], "User:admin");
	CU_ASSERT_STRING_EQUAL(p.super_users[1], "User:ops");
	CU_ASSERT_FALSE(p.allow_if_no_acl);
	acl_policy_free(&p);
	const char *bad[] = {"admin", "User:a;;User:b", "User:a;bob", ":x", " ; User:a"};
	for (size_t i = 0; i < KB_ARRAY_LEN(bad); i++) {
		CU_ASSERT_EQUAL(acl_policy_parse(&p, bad[i], false), -1);
		CU_ASSERT_EQUAL(p.nsuper, 0);
	}
}

static void test_super_and_no_acl(void)
{
	struct acl_store s;
	acl_store_init(&s);
	struct acl_policy deny, allow, su;
	CU_ASSERT_EQUAL(acl_policy_parse(&deny, "", false), 0);
	CU_ASSERT_EQUAL(acl_policy_parse(&allow, "", true), 0);
	CU_ASSERT_EQUAL(acl_policy_parse(&su, "User:bob;" ANON, false), 0);
	/* No ACL on the resource: allow.everyone.if.no.acl.found decides. */
	CU_ASSERT_FALSE(authz(&s, &deny, ACL_OP_READ, ACL_RES_TOPIC, "t"));
	CU_ASSERT_TRUE(authz(&s, &allow, ACL_OP_READ, ACL_RES_TOPIC, "t"));
	/* A super user is allowed everything, even against a DENY. */
	add(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "t", ANON, "*", ACL_OP_ALL, ACL_PERM_DENY);
	CU_ASSERT_TRUE(authz(&s, &su, ACL_OP_WRITE, ACL_RES_TOPIC, "t"));
	CU_ASSERT_TRUE(authz(&s, &su, ACL_OP_CLUSTER_ACTION, ACL_RES_CLUSTER, ACL_CLUSTER_NAME));
	CU_ASSERT_FALSE(acl_authorize(&s, &su, "User:eve", IP, ACL_OP_WRITE, ACL_RES_TOPIC, "t"));
	/* Once an ACL applies, allow_if_no_acl no longer matters: someone else's ALLOW. */
	add(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "u", "User:alice", "*", ACL_OP_READ,
	    ACL_PERM_ALLOW);
	CU_ASSERT_FALSE(authz(&s, &allow, ACL_OP_READ, ACL_RES_TOPIC, "u"));
	CU_ASSERT_TRUE(acl_authorize(&s, &deny, "User:alice", IP, ACL_OP_READ, ACL_RES_TOPIC, "u"));
	/* ... and a resource of another type or name has none. */
	CU_ASSERT_TRUE(authz(&s, &allow, ACL_OP_READ, ACL_RES_GROUP, "u"));
	CU_ASSERT_TRUE(authz(&s, &allow, ACL_OP_READ, ACL_RES_TOPIC, "uu"));
	acl_policy_free(&deny);
	acl_policy_free(&allow);
	acl_policy_free(&su);
	acl_store_free(&s);
}

static void test_deny_wildcards(void)
{
	struct acl_store s;
	acl_store_init(&s);
	struct acl_policy p;
	CU_ASSERT_EQUAL(acl_policy_parse(&p, "", true), 0);
	/* Deny beats allow, on the same resource and across patterns. */
	add(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "t", ANON, "*", ACL_OP_ALL, ACL_PERM_ALLOW);
	CU_ASSERT_TRUE(authz(&s, &p, ACL_OP_WRITE, ACL_RES_TOPIC, "t"));
	add(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "t", ANON, "*", ACL_OP_WRITE, ACL_PERM_DENY);
	CU_ASSERT_FALSE(authz(&s, &p, ACL_OP_WRITE, ACL_RES_TOPIC, "t"));
	CU_ASSERT_TRUE(authz(&s, &p, ACL_OP_READ, ACL_RES_TOPIC, "t"));
	/* A DENY of WRITE does not deny DESCRIBE (implication is for ALLOW only). */
	CU_ASSERT_TRUE(authz(&s, &p, ACL_OP_DESCRIBE, ACL_RES_TOPIC, "t"));

	/* Wildcard resource "*": applies to every topic, and its DENY wins over a literal ALLOW. */
	add(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "*", ANON, "*", ACL_OP_READ, ACL_PERM_ALLOW);
	CU_ASSERT_TRUE(authz(&s, &p, ACL_OP_READ, ACL_RES_TOPIC, "other"));
	CU_ASSERT_FALSE(authz(&s, &p, ACL_OP_WRITE, ACL_RES_TOPIC, "other")); /* ACLs apply now */
	add(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "*", "User:*", "*", ACL_OP_READ, ACL_PERM_DENY);
	CU_ASSERT_FALSE(authz(&s, &p, ACL_OP_READ, ACL_RES_TOPIC, "t"));
	CU_ASSERT_FALSE(authz(&s, &p, ACL_OP_READ, ACL_RES_TOPIC, "other"));
	/* Not for another type. */
	CU_ASSERT_TRUE(authz(&s, &p, ACL_OP_READ, ACL_RES_GROUP, "t"));
	acl_store_free(&s);

	/* Prefixed patterns: apply to names starting with them, only those. */
	acl_store_init(&s);
	add(&s, ACL_RES_TOPIC, ACL_PAT_PREFIXED, "orders-", ANON, "*", ACL_OP_WRITE, ACL_PERM_ALLOW);
	add(&s, ACL_RES_TOPIC, ACL_PAT_PREFIXED, "a", "User:x", "*", ACL_OP_WRITE, ACL_PERM_ALLOW);
	add(&s, ACL_RES_TOPIC, ACL_PAT_PREFIXED, "z", "User:x", "*", ACL_OP_WRITE, ACL_PERM_ALLOW);
	CU_ASSERT_TRUE(authz(&s, &p, ACL_OP_WRITE, ACL_RES_TOPIC, "orders-eu"));
	CU_ASSERT_TRUE(authz(&s, &p, ACL_OP_WRITE, ACL_RES_TOPIC, "orders-"));
	CU_ASSERT_TRUE(authz(&s, &p, ACL_OP_WRITE, ACL_RES_TOPIC, "orders")); /* no ACL applies */
	CU_ASSERT_FALSE(authz(&s, &p, ACL_OP_READ, ACL_RES_TOPIC, "orders-eu"));
	CU_ASSERT_FALSE(authz(&s, &p, ACL_OP_WRITE, ACL_RES_TOPIC, "abc")); /* User:x's only */
	add(&s, ACL_RES_TOPIC, ACL_PAT_PREFIXED, "orders-e", ANON, "*", ACL_OP_WRITE, ACL_PERM_DENY);
	CU_ASSERT_FALSE(authz(&s, &p, ACL_OP_WRITE, ACL_RES_TOPIC, "orders-eu"));
	CU_ASSERT_TRUE(authz(&s, &p, ACL_OP_WRITE, ACL_RES_TOPIC, "orders-us"));
	CU_ASSERT_TRUE(authz(&s, &p, ACL_OP_WRITE, ACL_RES_GROUP, "orders-eu"));

	/* User:* as principal; host match. */
	add(&s, ACL_RES_GROUP, ACL_PAT_LITERAL, "g", "User:*", "10.0.0.2", ACL_OP_READ,
	    ACL_PERM_ALLOW);
	CU_ASSERT_FALSE(authz(&s, &p, ACL_OP_READ, ACL_RES_GROUP, "g")); /* from 10.0.0.1 */
	CU_ASSERT_TRUE(acl_authorize(&s, &p, "User:bob", "10.0.0.2", ACL_OP_READ, ACL_RES_GROUP,
	                             "g"));
	CU_ASSERT_TRUE(acl_authorize(&s, &p, ANON, "10.0.0.2", ACL_OP_READ, ACL_RES_GROUP, "g"));
	add(&s, ACL_RES_GROUP, ACL_PAT_LITERAL, "g", ANON, IP, ACL_OP_READ, ACL_PERM_ALLOW);
	CU_ASSERT_TRUE(authz(&s, &p, ACL_OP_READ, ACL_RES_GROUP, "g"));
	add(&s, ACL_RES_GROUP, ACL_PAT_LITERAL, "g", "User:*", "10.0.0.2", ACL_OP_ALL,
	    ACL_PERM_DENY);
	CU_ASSERT_FALSE(acl_authorize(&s, &p, "User:bob", "10.0.0.2", ACL_OP_READ, ACL_RES_GROUP,
	                              "g"));
	CU_ASSERT_TRUE(authz(&s, &p, ACL_OP_READ, ACL_RES_GROUP, "g"));
	acl_policy_free(&p);
	acl_store_free(&s);
}

static void test_implied(void)
{
	struct acl_store s;
	acl_store_init(&s);
	struct acl_policy p;
	CU_ASSERT_EQUAL(acl_policy_parse(&p, "", false), 0);
	const int8_t implies_describe[] = {ACL_OP_READ, ACL_OP_WRITE, ACL_OP_DELETE, ACL_OP_ALTER};
	char name[16];
	for (size_t i = 0; i < KB_ARRAY_LEN(implies_describe); i++) {
		snprintf(name, sizeof(name), "t%zu", i);
		add(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, name, ANON, "*", implies_describe[i],
		    ACL_PERM_ALLOW);
		CU_ASSERT_TRUE(authz(&s, &p, ACL_OP_DESCRIBE, ACL_RES_TOPIC, name));
		CU_ASSERT_FALSE(authz(&s, &p, ACL_OP_DESCRIBE_CONFIGS, ACL_RES_TOPIC, name));
		CU_ASSERT_FALSE(authz(&s, &p, ACL_OP_CREATE, ACL_RES_TOPIC, name));
	}
	/* READ does not imply WRITE, DESCRIBE implies nothing. */
	CU_ASSERT_FALSE(authz(&s, &p, ACL_OP_WRITE, ACL_RES_TOPIC, "t0"));
	add(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "d", ANON, "*", ACL_OP_DESCRIBE, ACL_PERM_ALLOW);
	CU_ASSERT_FALSE(authz(&s, &p, ACL_OP_READ, ACL_RES_TOPIC, "d"));
	add(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "c", ANON, "*", ACL_OP_ALTER_CONFIGS,
	    ACL_PERM_ALLOW);
	CU_ASSERT_TRUE(authz(&s, &p, ACL_OP_DESCRIBE_CONFIGS, ACL_RES_TOPIC, "c"));
	CU_ASSERT_FALSE(authz(&s, &p, ACL_OP_DESCRIBE, ACL_RES_TOPIC, "c"));
	/* ALL allows every operation. */
	add(&s, ACL_RES_CLUSTER, ACL_PAT_LITERAL, ACL_CLUSTER_NAME, ANON, "*", ACL_OP_ALL,
	    ACL_PERM_ALLOW);
	for (int8_t op = ACL_OP_READ; op <= ACL_OP_DESCRIBE_TOKENS; op++)
		CU_ASSERT_TRUE(authz(&s, &p, op, ACL_RES_CLUSTER, ACL_CLUSTER_NAME));

	/* Authorized-operations bitfields. */
	CU_ASSERT_EQUAL(acl_authorized_ops(&s, &p, ANON, IP, ACL_RES_CLUSTER, ACL_CLUSTER_NAME),
	                (int32_t)acl_supported_ops(ACL_RES_CLUSTER));
	CU_ASSERT_EQUAL(acl_authorized_ops(&s, &p, ANON, IP, ACL_RES_TOPIC, "t0"),
	                (1 << ACL_OP_READ) | (1 << ACL_OP_DESCRIBE));
	CU_ASSERT_EQUAL(acl_authorized_ops(&s, &p, ANON, IP, ACL_RES_TOPIC, "c"),
	                (1 << ACL_OP_ALTER_CONFIGS) | (1 << ACL_OP_DESCRIBE_CONFIGS));
	CU_ASSERT_EQUAL(acl_authorized_ops(&s, &p, ANON, IP, ACL_RES_TOPIC, "none"), 0);
	CU_ASSERT_EQUAL(acl_supported_ops(ACL_RES_GROUP),
	                (1u << ACL_OP_READ) | (1u << ACL_OP_DESCRIBE) | (1u << ACL_OP_DELETE));
	CU_ASSERT_EQUAL(acl_supported_ops(ACL_RES_ANY), 0);
	CU_ASSERT_EQUAL(acl_supported_ops(ACL_RES_TOPIC) & (1u << ACL_OP_ALL), 0);
	acl_policy_free(&p);
	acl_store_free(&s);
}

static void test_filters(void)
{
	struct acl_ace ace = {"User:a", "1.2.3.4", ACL_OP_READ, ACL_PERM_ALLOW};
	struct acl_resource lit = {ACL_RES_TOPIC, ACL_PAT_LITERAL, "orders", 0, &ace, 1};
	struct acl_resource wild = {ACL_RES_TOPIC, ACL_PAT_LITERAL, "*", 0, &ace, 1};
	struct acl_resource pre = {ACL_RES_TOPIC, ACL_PAT_PREFIXED, "ord", 0, &ace, 1};
	struct acl_resource grp = {ACL_RES_GROUP, ACL_PAT_LITERAL, "orders", 0, &ace, 1};
	struct acl_filter f = {ACL_RES_ANY, ACL_PAT_ANY, NULL, NULL, NULL, ACL_OP_ANY, ACL_PERM_ANY};
	/* ANY everything, NULL name: all. */
	CU_ASSERT_TRUE(acl_filter_matches_resource(&f, &lit));
	CU_ASSERT_TRUE(acl_filter_matches_resource(&f, &pre));
	CU_ASSERT_TRUE(acl_filter_matches_resource(&f, &grp));
	CU_ASSERT_TRUE(acl_filter_matches_ace(&f, &ace));
	/* Type. */
	f.type = ACL_RES_GROUP;
	CU_ASSERT_FALSE(acl_filter_matches_resource(&f, &lit));
	CU_ASSERT_TRUE(acl_filter_matches_resource(&f, &grp));
	f.type = ACL_RES_TOPIC;
	/* ANY with a name: exactly that name, either pattern. */
	f.name = "orders";
	CU_ASSERT_TRUE(acl_filter_matches_resource(&f, &lit));
	CU_ASSERT_FALSE(acl_filter_matches_resource(&f, &wild));
	CU_ASSERT_FALSE(acl_filter_matches_resource(&f, &pre));
	f.name = "ord";
	CU_ASSERT_TRUE(acl_filter_matches_resource(&f, &pre));
	/* LITERAL / PREFIXED: that pattern type and exactly that name. */
	f.pattern = ACL_PAT_LITERAL;
	CU_ASSERT_FALSE(acl_filter_matches_resource(&f, &pre));
	f.name = "orders";
	CU_ASSERT_TRUE(acl_filter_matches_resource(&f, &lit));
	CU_ASSERT_FALSE(acl_filter_matches_resource(&f, &wild));
	f.name = NULL;
	CU_ASSERT_TRUE(acl_filter_matches_resource(&f, &wild));
	CU_ASSERT_FALSE(acl_filter_matches_resource(&f, &pre));
	f.pattern = ACL_PAT_PREFIXED;
	CU_ASSERT_TRUE(acl_filter_matches_resource(&f, &pre));
	CU_ASSERT_FALSE(acl_filter_matches_resource(&f, &lit));
	f.name = "orders";
	CU_ASSERT_FALSE(acl_filter_matches_resource(&f, &pre));
	/* MATCH: every pattern that applies to the name. */
	f.pattern = ACL_PAT_MATCH;
	CU_ASSERT_TRUE(acl_filter_matches_resource(&f, &lit));
	CU_ASSERT_TRUE(acl_filter_matches_resource(&f, &wild));
	CU_ASSERT_TRUE(acl_filter_matches_resource(&f, &pre));
	CU_ASSERT_FALSE(acl_filter_matches_resource(&f, &grp));
	f.name = "or";
	CU_ASSERT_FALSE(acl_filter_matches_resource(&f, &lit));
	CU_ASSERT_TRUE(acl_filter_matches_resource(&f, &wild));
	CU_ASSERT_FALSE(acl_filter_matches_resource(&f, &pre));
	f.name = NULL;
	CU_ASSERT_TRUE(acl_filter_matches_resource(&f, &pre));
	/* Entry part: exact strings, no wildcard expansion. */
	struct acl_filter e = {ACL_RES_ANY, ACL_PAT_ANY, NULL, "User:a", NULL, ACL_OP_ANY,
	                       ACL_PERM_ANY};
	CU_ASSERT_TRUE(acl_filter_matches_ace(&e, &ace));
	e.principal = "User:*";
	CU_ASSERT_FALSE(acl_filter_matches_ace(&e, &ace));
	e.principal = NULL;
	e.host = "*";
	CU_ASSERT_FALSE(acl_filter_matches_ace(&e, &ace));
	e.host = "1.2.3.4";
	e.op = ACL_OP_READ;
	CU_ASSERT_TRUE(acl_filter_matches_ace(&e, &ace));
	e.op = ACL_OP_ALL;
	CU_ASSERT_FALSE(acl_filter_matches_ace(&e, &ace));
	e.op = ACL_OP_ANY;
	e.perm = ACL_PERM_DENY;
	CU_ASSERT_FALSE(acl_filter_matches_ace(&e, &ace));
	e.perm = ACL_PERM_ALLOW;
	CU_ASSERT_TRUE(acl_filter_matches_ace(&e, &ace));
}

#define INVALID(type, pat, name, pr, host, op, perm)                                          \
	acl_binding_invalid(ACL_RES_##type, ACL_PAT_##pat, name, pr, host, ACL_OP_##op,          \
	                    ACL_PERM_##perm)

static void expect_msg(const char *got, const char *want)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	if (!strstr(got, want))
		fprintf(stderr, "\n  message \"%s\" lacks \"%s\"\n", got, want);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, want));
}

static void test_validation(void)
{
	CU_ASSERT_PTR_NULL(INVALID(TOPIC, LITERAL, "t", "User:a", "*", READ, ALLOW));
	CU_ASSERT_PTR_NULL(INVALID(TOPIC, PREFIXED, "t", "User:*", "1.2.3.4", ALL, DENY));
	CU_ASSERT_PTR_NULL(INVALID(CLUSTER, LITERAL, "kafka-cluster", "User:a", "*", ALTER, ALLOW));
	CU_ASSERT_PTR_NULL(INVALID(TXN_ID, LITERAL, "tx", "User:a", "*", WRITE, ALLOW));
	CU_ASSERT_PTR_NULL(INVALID(TOPIC, LITERAL, "*", "User:a", "*", READ, ALLOW));
	CU_ASSERT_PTR_NULL(INVALID(GROUP, LITERAL, "grp\xc3\xa9", "User:a", "*", READ, ALLOW));
	expect_msg(INVALID(ANY, LITERAL, "t", "User:a", "*", READ, ALLOW), "resourceType");
	expect_msg(INVALID(UNKNOWN, LITERAL, "t", "User:a", "*", READ, ALLOW), "unknown");
	expect_msg(INVALID(TOPIC, ANY, "t", "User:a", "*", READ, ALLOW), "patternType");
	expect_msg(INVALID(TOPIC, MATCH, "t", "User:a", "*", READ, ALLOW), "MATCH");
	expect_msg(INVALID(TOPIC, UNKNOWN, "t", "User:a", "*", READ, ALLOW), "unknown");
	expect_msg(INVALID(TOPIC, LITERAL, "t", "User:a", "*", ANY, ALLOW), "operation");
	expect_msg(INVALID(TOPIC, LITERAL, "t", "User:a", "*", UNKNOWN, ALLOW), "unknown");
	expect_msg(INVALID(TOPIC, LITERAL, "t", "User:a", "*", READ, ANY), "permissionType");
	expect_msg(INVALID(TOPIC, LITERAL, "t", "User:a", "*", READ, UNKNOWN), "unknown");
	CU_ASSERT_PTR_NOT_NULL(acl_binding_invalid(ACL_RES_TOPIC, ACL_PAT_LITERAL, "t", "User:a",
	                                           "*", 99, ACL_PERM_ALLOW));
	CU_ASSERT_PTR_NOT_NULL(acl_binding_invalid(42, ACL_PAT_LITERAL, "t", "User:a", "*",
	                                           ACL_OP_READ, ACL_PERM_ALLOW));
	expect_msg(INVALID(TOPIC, LITERAL, "", "User:a", "*", READ, ALLOW), "empty resource name");
	expect_msg(INVALID(TOPIC, LITERAL, NULL, "User:a", "*", READ, ALLOW), "empty resource name");
	expect_msg(INVALID(CLUSTER, LITERAL, "c", "User:a", "*", ALTER, ALLOW), "kafka-cluster");
	char *longname = kb_malloc(KB_ACL_NAME_MAX_BYTES + 2);
	memset(longname, 'x', KB_ACL_NAME_MAX_BYTES + 1);
	longname[KB_ACL_NAME_MAX_BYTES + 1] = 0;
	expect_msg(INVALID(GROUP, LITERAL, longname, "User:a", "*", READ, ALLOW), "too long");
	longname[KB_ACL_NAME_MAX_BYTES] = 0;
	CU_ASSERT_PTR_NULL(INVALID(GROUP, LITERAL, longname, "User:a", "*", READ, ALLOW));
	kb_free(longname);
	const char *bad_names[] = {"a/b", ".", "..", "a\x01", "bad\xff", "\xed\xa0\x80",
	                           "\xf0\x9f\x98\x80", "\xc2\x85"};
	for (size_t i = 0; i < KB_ARRAY_LEN(bad_names); i++)
		expect_msg(INVALID(TOPIC, LITERAL, bad_names[i], "User:a", "*", READ, ALLOW),
		           "invalid resource name");
	expect_msg(INVALID(TOPIC, LITERAL, "t", "alice", "*", READ, ALLOW), "principal");
	expect_msg(INVALID(TOPIC, LITERAL, "t", ":alice", "*", READ, ALLOW), "principal");
	expect_msg(INVALID(TOPIC, LITERAL, "t", NULL, "*", READ, ALLOW), "principal");
	expect_msg(INVALID(TOPIC, LITERAL, "t", "User:\xff", "*", READ, ALLOW), "principal");
	expect_msg(INVALID(TOPIC, LITERAL, "t", "User:a", "", READ, ALLOW), "host");
	expect_msg(INVALID(TOPIC, LITERAL, "t", "User:a", NULL, READ, ALLOW), "host");
	expect_msg(INVALID(GROUP, LITERAL, "g", "User:a", "*", WRITE, ALLOW), "not supported");
	expect_msg(INVALID(TOPIC, LITERAL, "t", "User:a", "*", CLUSTER_ACTION, ALLOW),
	           "not supported");
	CU_ASSERT_PTR_NULL(INVALID(GROUP, LITERAL, "g", "User:a", "*", ALL, ALLOW));
}

static void test_names(void)
{
	for (int8_t t = ACL_RES_TOPIC; t <= ACL_RES_USER; t++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(acl_restype_zk(t));
		CU_ASSERT_EQUAL(acl_restype_from_zk(acl_restype_zk(t)), t);
	}
	CU_ASSERT_STRING_EQUAL(acl_restype_zk(ACL_RES_TXN_ID), "TransactionalId");
	CU_ASSERT_STRING_EQUAL(acl_restype_zk(ACL_RES_TOKEN), "DelegationToken");
	CU_ASSERT_PTR_NULL(acl_restype_zk(ACL_RES_ANY));
	CU_ASSERT_PTR_NULL(acl_restype_zk(-1));
	CU_ASSERT_PTR_NULL(acl_restype_zk(100));
	CU_ASSERT_EQUAL(acl_restype_from_zk("topic"), ACL_RES_UNKNOWN);
	CU_ASSERT_EQUAL(acl_restype_from_zk(NULL), ACL_RES_UNKNOWN);
	for (int8_t op = ACL_OP_ALL; op <= ACL_OP_DESCRIBE_TOKENS; op++)
		CU_ASSERT_EQUAL(acl_op_from_zk(acl_op_zk(op)), op);
	CU_ASSERT_STRING_EQUAL(acl_op_zk(ACL_OP_IDEMPOTENT_WRITE), "IdempotentWrite");
	CU_ASSERT_STRING_EQUAL(acl_op_zk(ACL_OP_ALL), "All");
	CU_ASSERT_PTR_NULL(acl_op_zk(ACL_OP_ANY));
	CU_ASSERT_EQUAL(acl_op_from_zk("describeconfigs"), ACL_OP_DESCRIBE_CONFIGS);
	CU_ASSERT_EQUAL(acl_op_from_zk("Any"), ACL_OP_UNKNOWN);
	CU_ASSERT_STRING_EQUAL(acl_perm_zk(ACL_PERM_ALLOW), "Allow");
	CU_ASSERT_STRING_EQUAL(acl_perm_zk(ACL_PERM_DENY), "Deny");
	CU_ASSERT_PTR_NULL(acl_perm_zk(ACL_PERM_ANY));
	CU_ASSERT_EQUAL(acl_perm_from_zk("Deny"), ACL_PERM_DENY);
	CU_ASSERT_EQUAL(acl_perm_from_zk("Maybe"), ACL_PERM_UNKNOWN);
}

static void test_json(void)
{
	/* What Kafka's kafka-acls.sh writes. */
	const char *kafka = "{\"version\":1,\"acls\":[{\"principal\":\"User:alice\","
	                    "\"permissionType\":\"Allow\",\"operation\":\"Read\",\"host\":\"*\"},"
	                    "{\"principal\":\"User:*\",\"permissionType\":\"Deny\","
	                    "\"operation\":\"AlterConfigs\",\"host\":\"10.1.2.3\"}]}";
	struct acl_ace *a = NULL;
	int n = -1;
	CU_ASSERT_EQUAL_FATAL(acl_json_decode(kafka, strlen(kafka), 10, &a, &n), 0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(a[0].principal, "User:alice");
	CU_ASSERT_STRING_EQUAL(a[0].host, "*");
	CU_ASSERT_EQUAL(a[0].op, ACL_OP_READ);
	CU_ASSERT_EQUAL(a[0].perm, ACL_PERM_ALLOW);
	CU_ASSERT_EQUAL(a[1].op, ACL_OP_ALTER_CONFIGS);
	CU_ASSERT_EQUAL(a[1].perm, ACL_PERM_DENY);
	char *enc = acl_json_encode(a, n);
	CU_ASSERT_STRING_EQUAL(enc, kafka); /* same bytes as Kafka's */
	kb_free(enc);
	/* The limit on entries. */
	struct acl_ace *b = NULL;
	CU_ASSERT_EQUAL(acl_json_decode(kafka, strlen(kafka), 1, &b, &n), -1);
	CU_ASSERT_PTR_NULL(b);
	acl_aces_free(a, 2);
	/* Every operation round trips; empty data and an empty list are no entries. */
	struct acl_ace all[13];
	for (int i = 0; i < 13; i++)
		all[i] = (struct acl_ace){"User:x", "::1", (int8_t)(ACL_OP_ALL + i),
		                          i % 2 ? ACL_PERM_DENY : ACL_PERM_ALLOW};
	enc = acl_json_encode(all, 13);
	CU_ASSERT_EQUAL_FATAL(acl_json_decode(enc, strlen(enc), KB_ACLS_PER_RESOURCE_MAX, &a, &n),
	                      0);
	CU_ASSERT_EQUAL_FATAL(n, 13);
	for (int i = 0; i < 13; i++)
		CU_ASSERT_TRUE(a[i].op == all[i].op && a[i].perm == all[i].perm &&
		               strcmp(a[i].host, "::1") == 0);
	acl_aces_free(a, n);
	kb_free(enc);
	CU_ASSERT_EQUAL(acl_json_decode("", 0, 10, &a, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	enc = acl_json_encode(NULL, 0);
	CU_ASSERT_STRING_EQUAL(enc, "{\"version\":1,\"acls\":[]}");
	CU_ASSERT_EQUAL(acl_json_decode(enc, strlen(enc), 10, &a, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	acl_aces_free(a, n);
	kb_free(enc);
	/* A string that is not UTF-8 (validation should have refused it) still encodes. */
	struct acl_ace odd = {"User:\xff", "*", ACL_OP_READ, ACL_PERM_ALLOW};
	enc = acl_json_encode(&odd, 1);
	CU_ASSERT_EQUAL(acl_json_decode(enc, strlen(enc), 10, &a, &n), 0);
	CU_ASSERT_STRING_EQUAL(a[0].principal, "User:?");
	acl_aces_free(a, n);
	kb_free(enc);

	const char *bad[] = {
		"{",
		"null",
		"[]",
		"{\"version\":2,\"acls\":[]}",
		"{\"version\":\"1\",\"acls\":[]}",
		"{\"acls\":[]}",
		"{\"version\":1}",
		"{\"version\":1,\"acls\":{}}",
		"{\"version\":1,\"acls\":[1]}",
		"{\"version\":1,\"acls\":[{}]}",
		"{\"version\":1,\"acls\":[{\"principal\":\"User:a\",\"permissionType\":\"Allow\","
		"\"operation\":\"Read\"}]}",
		"{\"version\":1,\"acls\":[{\"principal\":\"User:a\",\"permissionType\":\"Allow\","
		"\"host\":\"*\"}]}",
		"{\"version\":1,\"acls\":[{\"principal\":\"User:a\",\"operation\":\"Read\","
		"\"host\":\"*\"}]}",
		"{\"version\":1,\"acls\":[{\"permissionType\":\"Allow\",\"operation\":\"Read\","
		"\"host\":\"*\"}]}",
		"{\"version\":1,\"acls\":[{\"principal\":\"alice\",\"permissionType\":\"Allow\","
		"\"operation\":\"Read\",\"host\":\"*\"}]}",
		"{\"version\":1,\"acls\":[{\"principal\":\"User:a\",\"permissionType\":\"Any\","
		"\"operation\":\"Read\",\"host\":\"*\"}]}",
		"{\"version\":1,\"acls\":[{\"principal\":\"User:a\",\"permissionType\":\"Allow\","
		"\"operation\":\"Any\",\"host\":\"*\"}]}",
		"{\"version\":1,\"acls\":[{\"principal\":\"User:a\",\"permissionType\":\"Allow\","
		"\"operation\":\"Fly\",\"host\":\"*\"}]}",
		"{\"version\":1,\"acls\":[{\"principal\":\"User:a\",\"permissionType\":\"Allow\","
		"\"operation\":\"Read\",\"host\":7}]}",
		"{\"version\":1,\"acls\":[{\"principal\":\"User:a\\u0000b\",\"permissionType\":"
		"\"Allow\",\"operation\":\"Read\",\"host\":\"*\"}]}",
		"{\"version\":1,\"version\":1,\"acls\":[]}",
		"{\"version\":1,\"acls\":[{\"principal\":\"User:a\",\"permissionType\":\"Allow\","
		"\"operation\":\"Read\",\"host\":\"*\"},{\"principal\":\"User:b\"}]}",
	};
	for (size_t i = 0; i < KB_ARRAY_LEN(bad); i++) {
		a = (struct acl_ace *)1;
		n = 7;
		int rc = acl_json_decode(bad[i], strlen(bad[i]), 10, &a, &n);
		if (rc != -1)
			fprintf(stderr, "\n  accepted: %s\n", bad[i]);
		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_PTR_NULL(a);
		CU_ASSERT_EQUAL(n, 0);
	}
}

/* The per-resource limit: a znode with KB_ACLS_PER_RESOURCE_MAX entries reads, one more
 * does not. */
static void test_json_limit(void)
{
	int max = KB_ACLS_PER_RESOURCE_MAX;
	struct acl_ace *many = kb_calloc((size_t)max + 1, sizeof(*many));
	char buf[32];
	for (int i = 0; i <= max; i++) {
		snprintf(buf, sizeof(buf), "User:u%d", i);
		many[i] = (struct acl_ace){kb_strdup(buf), kb_strdup("*"), ACL_OP_READ, ACL_PERM_ALLOW};
	}
	char *ok = acl_json_encode(many, max), *over = acl_json_encode(many, max + 1);
	struct acl_ace *a = NULL;
	int n = 0;
	CU_ASSERT_EQUAL(acl_json_decode(ok, strlen(ok), max, &a, &n), 0);
	CU_ASSERT_EQUAL(n, max);
	acl_aces_free(a, n);
	CU_ASSERT_EQUAL(acl_json_decode(over, strlen(over), max, &a, &n), -1);
	kb_free(ok);
	kb_free(over);
	acl_aces_free(many, max + 1);
}

static void ignore_event(enum coord_event ev, const char *msg, void *arg)
{
	KB_UNUSED(ev);
	KB_UNUSED(msg);
	KB_UNUSED(arg);
}

struct answers {
	int calls;
	int16_t last;
};

static void added(void *arg, int16_t error, const char *message)
{
	struct answers *a = arg;
	a->calls++;
	a->last = error;
	CU_ASSERT_PTR_NOT_NULL(message);
}

static void removed(void *arg, int16_t error, const char *message,
                    const struct acl_ace *aces, int n)
{
	struct answers *a = arg;
	a->calls++;
	a->last = error;
	CU_ASSERT_PTR_NOT_NULL(message);
	CU_ASSERT_EQUAL(n, 0);
	KB_UNUSED(aces);
}

/* As test_limits.c's refused calls: a chroot with an empty component makes every path of the
 * coord invalid, so the client refuses each call at once. The ACL reads of a session must
 * leave nothing in `pending` (coord_loaded), the copy stays not loaded, and each write is
 * answered exactly once: INVALID_REQUEST for a bad binding (checked before ZooKeeper), an
 * error for the refused call. coord_stop frees the retry timer and everything else. */
static void test_coord_refused(void)
{
	struct event_base *base = event_base_new();
	struct coord_config cc = {.zookeeper_connect = "127.0.0.1:1/bad//chroot",
	                          .session_timeout_ms = 10000, .connection_timeout_ms = 10000,
	                          .broker_id = 1, .protocol_map = ""};
	struct coord *c = coord_start(base, &cc, ignore_event, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(coord_acls(c)->nres, 0);
	coord_acls_enable(c);
	coord_session_begin(c);
	CU_ASSERT_EQUAL(c->pending, 0);
	CU_ASSERT_FALSE(coord_acls_loaded(c));
	struct acl_ace ace = {"User:a", "*", ACL_OP_READ, ACL_PERM_ALLOW};
	struct answers a = {0, -1};
	coord_acls_add(c, ACL_RES_TOPIC, ACL_PAT_LITERAL, "t", &ace, 1, added, &a);
	CU_ASSERT_EQUAL(a.calls, 1);
	CU_ASSERT_EQUAL(a.last, KERR_UNKNOWN_SERVER_ERROR);
	coord_acls_add(c, ACL_RES_TOPIC, ACL_PAT_LITERAL, "a/b", &ace, 1, added, &a);
	CU_ASSERT_EQUAL(a.calls, 2);
	CU_ASSERT_EQUAL(a.last, KERR_INVALID_REQUEST);
	struct acl_ace bad = {"nocolon", "*", ACL_OP_READ, ACL_PERM_ALLOW};
	coord_acls_add(c, ACL_RES_TOPIC, ACL_PAT_LITERAL, "t", &bad, 1, added, &a);
	CU_ASSERT_EQUAL(a.calls, 3);
	CU_ASSERT_EQUAL(a.last, KERR_INVALID_REQUEST);
	struct acl_ace null_host = {"User:a", NULL, ACL_OP_READ, ACL_PERM_ALLOW};
	coord_acls_add(c, ACL_RES_TOPIC, ACL_PAT_LITERAL, "t", &null_host, 1, added, &a);
	CU_ASSERT_EQUAL(a.calls, 4);
	CU_ASSERT_EQUAL(a.last, KERR_INVALID_REQUEST);
	struct acl_filter f = {ACL_RES_ANY, ACL_PAT_ANY, NULL, NULL, NULL, ACL_OP_ANY, ACL_PERM_ANY};
	struct answers r = {0, -1};
	coord_acls_remove(c, ACL_RES_GROUP, ACL_PAT_PREFIXED, "g", &f, 1, removed, &r);
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(r.last, KERR_UNKNOWN_SERVER_ERROR);
	coord_acls_remove(c, ACL_RES_CLUSTER, ACL_PAT_LITERAL, "other", &f, 1, removed, &r);
	CU_ASSERT_EQUAL(r.calls, 2);
	CU_ASSERT_EQUAL(r.last, KERR_INVALID_REQUEST);
	CU_ASSERT_EQUAL(c->pending, 0);
	coord_stop(c);
	event_base_free(base);
}

/* The host an ACL is matched against: the IP part of conn_peer(). */
static void test_peer_host(void)
{
	char h[72];
	authz_peer_host("10.1.2.3:5555", h, sizeof(h));
	CU_ASSERT_STRING_EQUAL(h, "10.1.2.3");
	/* IPv6 as Java's getHostAddress() prints it: the text Kafka's authorizer compares. */
	authz_peer_host("::1:40000", h, sizeof(h)); /* conn.c prints IPv6 without brackets */
	CU_ASSERT_STRING_EQUAL(h, "0:0:0:0:0:0:0:1");
	authz_peer_host("[fe80::1]:9092", h, sizeof(h));
	CU_ASSERT_STRING_EQUAL(h, "fe80:0:0:0:0:0:0:1");
	authz_peer_host("2001:db8:0:0:1:0:ab:cdef:1", h, sizeof(h));
	CU_ASSERT_STRING_EQUAL(h, "2001:db8:0:0:1:0:ab:cdef");
	authz_peer_host("::ffff:10.0.0.7:1234", h, sizeof(h)); /* IPv4-mapped: the IPv4 client */
	CU_ASSERT_STRING_EQUAL(h, "10.0.0.7");
	authz_peer_host("?:0", h, sizeof(h));
	CU_ASSERT_STRING_EQUAL(h, "?");
	authz_peer_host("nocolon", h, sizeof(h));
	CU_ASSERT_STRING_EQUAL(h, "nocolon");
}

/* The authorizer keys: defaults, the two accepted class names, anything else refused. */
static void test_conf_keys(void)
{
	struct kb_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	char err[256];
	const struct conf_key *k = conf_find("authorizer.class.name");
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_STRING_EQUAL(k->def, "");
	CU_ASSERT_EQUAL(conf_set_field(&cfg, k, "kafka.security.authorizer.AclAuthorizer", err,
	                               sizeof(err)), 0);
	CU_ASSERT_TRUE(conf_authorizer_on(&cfg));
	CU_ASSERT_EQUAL(conf_set_field(&cfg, k, "kafka.security.auth.SimpleAclAuthorizer", err,
	                               sizeof(err)), 0);
	CU_ASSERT_EQUAL(conf_set_field(&cfg, k, "", err, sizeof(err)), 0);
	CU_ASSERT_FALSE(conf_authorizer_on(&cfg));
	CU_ASSERT_NOT_EQUAL(conf_set_field(&cfg, k, "org.example.MyAuthorizer", err, sizeof(err)),
	                    0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "org.example.MyAuthorizer"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "kafka.security.authorizer.AclAuthorizer"));
	k = conf_find("allow.everyone.if.no.acl.found");
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_STRING_EQUAL(k->def, "false");
	k = conf_find("super.users");
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL(conf_set_field(&cfg, k, "User:a;User:b", err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(cfg.super_users, "User:a;User:b");
	kb_free(cfg.super_users);
	kb_free(cfg.authorizer_class_name);
}

void suite_acl(void);
void suite_acl(void)
{
	CU_pSuite s = CU_add_suite("acl", NULL, NULL);
	CU_add_test(s, "store: put, version order, removal", test_store);
	CU_add_test(s, "policy: super.users parsing", test_policy);
	CU_add_test(s, "authorize: super user, no ACL found", test_super_and_no_acl);
	CU_add_test(s, "authorize: deny, wildcard, prefixed, User:*, host", test_deny_wildcards);
	CU_add_test(s, "authorize: implied operations, ALL, authorized ops", test_implied);
	CU_add_test(s, "filters: ANY, MATCH, LITERAL, PREFIXED, entries", test_filters);
	CU_add_test(s, "validation messages", test_validation);
	CU_add_test(s, "ZooKeeper names", test_names);
	CU_add_test(s, "znode JSON: Kafka's bytes, round trip, malformed", test_json);
	CU_add_test(s, "znode JSON: entries per resource limit", test_json_limit);
	CU_add_test(s, "coord: refused ZooKeeper calls", test_coord_refused);
	CU_add_test(s, "authz: peer host", test_peer_host);
	CU_add_test(s, "conf: authorizer keys", test_conf_keys);
}
