/* test_acl_any.c — auth/acl_any.h: authorization by resource type (Kafka's
 * authorizeByResourceType), each rule of the header crossed both ways. */
#include "../../auth/acl_any.h"
#include "../../common/kb.h"

#include <CUnit/CUnit.h>
#include <string.h>

#define ANON ACL_ANONYMOUS
#define IP "10.0.0.1"

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

static bool any_write(const struct acl_store *s, const struct acl_policy *p)
{
	return acl_authorize_any(s, p, ANON, IP, ACL_OP_WRITE, ACL_RES_TOPIC);
}

static void test_policy(void)
{
	struct acl_store s;
	struct acl_policy closed, open, super;
	acl_store_init(&s);
	CU_ASSERT_EQUAL(acl_policy_parse(&closed, "", false), 0);
	CU_ASSERT_EQUAL(acl_policy_parse(&open, "", true), 0);
	CU_ASSERT_EQUAL(acl_policy_parse(&super, "User:x;" ANON, false), 0);
	CU_ASSERT_FALSE(any_write(&s, &closed)); /* no ACL, closed by default */
	CU_ASSERT_TRUE(any_write(&s, &open));
	CU_ASSERT_TRUE(any_write(&s, &super));
	/* A literal wildcard DENY beats allow.everyone, not a super user. */
	add(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "*", "User:*", "*", ACL_OP_WRITE, ACL_PERM_DENY);
	CU_ASSERT_FALSE(any_write(&s, &open));
	CU_ASSERT_TRUE(any_write(&s, &super));
	/* ... for its operation only. */
	CU_ASSERT_TRUE(acl_authorize_any(&s, &open, ANON, IP, ACL_OP_READ, ACL_RES_TOPIC));
	acl_store_free(&s);
	acl_policy_free(&closed);
	acl_policy_free(&open);
	acl_policy_free(&super);
}

static void test_allow_and_deny(void)
{
	struct acl_store s;
	struct acl_policy p;
	acl_store_init(&s);
	CU_ASSERT_EQUAL(acl_policy_parse(&p, "", false), 0);
	/* An ALLOW for another principal, host, operation or type does not count. */
	add(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "t", "User:bob", "*", ACL_OP_WRITE, ACL_PERM_ALLOW);
	add(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "t", ANON, "10.9.9.9", ACL_OP_WRITE, ACL_PERM_ALLOW);
	add(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "t", ANON, "*", ACL_OP_READ, ACL_PERM_ALLOW);
	add(&s, ACL_RES_GROUP, ACL_PAT_LITERAL, "t", ANON, "*", ACL_OP_ALL, ACL_PERM_ALLOW);
	CU_ASSERT_FALSE(any_write(&s, &p));
	/* A literal ALLOW (ALL counts) ... */
	add(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "orders", ANON, IP, ACL_OP_ALL, ACL_PERM_ALLOW);
	CU_ASSERT_TRUE(any_write(&s, &p));
	/* ... shadowed by a literal DENY of the same name, or a covering prefix DENY. */
	add(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "orders", "User:*", "*", ACL_OP_WRITE,
	    ACL_PERM_DENY);
	CU_ASSERT_FALSE(any_write(&s, &p));
	add(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "payments", ANON, "*", ACL_OP_WRITE,
	    ACL_PERM_ALLOW);
	CU_ASSERT_TRUE(any_write(&s, &p));
	add(&s, ACL_RES_TOPIC, ACL_PAT_PREFIXED, "pay", ANON, "*", ACL_OP_WRITE, ACL_PERM_DENY);
	CU_ASSERT_FALSE(any_write(&s, &p));
	/* A prefixed ALLOW not under a prefixed DENY; then one under it. */
	add(&s, ACL_RES_TOPIC, ACL_PAT_PREFIXED, "logs-", ANON, "*", ACL_OP_WRITE, ACL_PERM_ALLOW);
	CU_ASSERT_TRUE(any_write(&s, &p));
	add(&s, ACL_RES_TOPIC, ACL_PAT_PREFIXED, "log", ANON, "*", ACL_OP_WRITE, ACL_PERM_DENY);
	CU_ASSERT_FALSE(any_write(&s, &p));
	/* The literal wildcard ALLOW wins over named DENYs. */
	add(&s, ACL_RES_TOPIC, ACL_PAT_LITERAL, "*", ANON, "*", ACL_OP_WRITE, ACL_PERM_ALLOW);
	CU_ASSERT_TRUE(any_write(&s, &p));
	acl_store_free(&s);
	acl_policy_free(&p);
}

void suite_acl_any(void);
void suite_acl_any(void)
{
	CU_pSuite s = CU_add_suite("acl_any", NULL, NULL);
	CU_add_test(s, "policy and the wildcard deny", test_policy);
	CU_add_test(s, "allows shadowed by denies", test_allow_and_deny);
}
