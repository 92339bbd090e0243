/* acl.c — the ACL store, Kafka's authorization rules, filters, validation and ZooKeeper
 * names (contract in acl.h). The JSON of the znodes is acl_json.c.
 *
 * The store is one array sorted by (type, pattern, name), so a LITERAL name and the wildcard
 * "*" are found by bsearch and the PREFIXED patterns of a type are one contiguous run. A
 * stored resource always has at least one entry (a put of 0 entries removes it), which makes
 * "some ACL applies" the same as "some stored resource pattern applies". acl_authorize
 * allocates nothing. */
#include "acl.h"

#include "../common/kb.h"
#include "../common/limits.h"

#include <string.h>
#include <strings.h>

/* ---- Store --------------------------------------------------------------------------------- */

void acl_store_init(struct acl_store *s)
{
	memset(s, 0, sizeof(*s));
}

void acl_aces_free(struct acl_ace *aces, int n)
{
	for (int i = 0; i < n; i++) {
		kb_free(aces[i].principal);
		kb_free(aces[i].host);
	}
	kb_free(aces);
}

void acl_store_free(struct acl_store *s)
{
	for (int i = 0; i < s->nres; i++) {
		kb_free(s->res[i].name);
		acl_aces_free(s->res[i].aces, s->res[i].naces);
	}
	kb_free(s->res);
	memset(s, 0, sizeof(*s));
}

static int key_cmp(int8_t t1, int8_t p1, const char *n1, int8_t t2, int8_t p2, const char *n2)
{
	if (t1 != t2)
		return t1 < t2 ? -1 : 1;
	if (p1 != p2)
		return p1 < p2 ? -1 : 1;
	return strcmp(n1, n2);
}

/* The index of the first resource >= (type, pattern, name); *found when it is equal. */
static int lower_bound(const struct acl_store *s, int8_t type, int8_t pattern, const char *name,
                       bool *found)
{
	int lo = 0, hi = s->nres;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		const struct acl_resource *r = &s->res[mid];
		if (key_cmp(r->type, r->pattern, r->name, type, pattern, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < s->nres &&
	         key_cmp(s->res[lo].type, s->res[lo].pattern, s->res[lo].name, type, pattern,
	                 name) == 0;
	return lo;
}

const struct acl_resource *acl_store_get(const struct acl_store *s, int8_t type,
                                         int8_t pattern, const char *name)
{
	bool found;
	int i = lower_bound(s, type, pattern, name, &found);
	return found ? &s->res[i] : NULL;
}

static bool aces_equal(const struct acl_ace *a, int na, const struct acl_ace *b, int nb)
{
	if (na != nb)
		return false;
	for (int i = 0; i < na; i++)
		if (a[i].op != b[i].op || a[i].perm != b[i].perm ||
		    strcmp(a[i].principal, b[i].principal) != 0 || strcmp(a[i].host, b[i].host) != 0)
			return false;
	return true;
}

bool acl_store_put(struct acl_store *s, int8_t type, int8_t pattern, const char *name,
                   struct acl_ace *aces, int naces, int32_t zk_version)
{
	bool found;
	int i = lower_bound(s, type, pattern, name, &found);
	if (naces == 0) {
		acl_aces_free(aces, 0);
		if (!found)
			return false;
		struct acl_resource *r = &s->res[i];
		kb_free(r->name);
		acl_aces_free(r->aces, r->naces);
		memmove(r, r + 1, sizeof(*r) * (size_t)(s->nres - i - 1));
		s->nres--;
		s->gen++;
		return true;
	}
	if (found) {
		struct acl_resource *r = &s->res[i];
		if (r->zk_version > zk_version ||
		    (r->zk_version == zk_version && aces_equal(r->aces, r->naces, aces, naces))) {
			acl_aces_free(aces, naces);
			return false;
		}
		acl_aces_free(r->aces, r->naces);
		r->aces = aces;
		r->naces = naces;
		r->zk_version = zk_version;
		s->gen++;
		return true;
	}
	KB_GROW(s->res, s->cap, s->nres + 1, 16);
	memmove(&s->res[i + 1], &s->res[i], sizeof(s->res[0]) * (size_t)(s->nres - i));
	s->res[i] = (struct acl_resource){.type = type, .pattern = pattern, .name = kb_strdup(name),
	                                  .zk_version = zk_version, .aces = aces, .naces = naces};
	s->nres++;
	s->gen++;
	return true;
}

/* ---- Policy -------------------------------------------------------------------------------- */

/* Kafka's SecurityUtils.parseKafkaPrincipal: "Type:name", split at the first ':'. */
static bool principal_ok(const char *p)
{
	const char *colon = strchr(p, ':');
	return colon && colon != p;
}

void acl_policy_free(struct acl_policy *p)
{
	for (int i = 0; i < p->nsuper; i++)
		kb_free(p->super_users[i]);
	kb_free(p->super_users);
	memset(p, 0, sizeof(*p));
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

int acl_policy_parse(struct acl_policy *p, const char *super_users, bool allow_if_no_acl)
{
	memset(p, 0, sizeof(*p));
	p->allow_if_no_acl = allow_if_no_acl;
	if (!super_users || !*super_users)
		return 0;
	/* Java's String.split(";") drops trailing empty pieces; any other empty piece fails. */
	size_t len = strlen(super_users);
	while (len > 0 && super_users[len - 1] == ';')
		len--;
	int cap = 0;
	const char *s = super_users, *end = super_users + len;
	while (s <= end) {
		const char *semi = memchr(s, ';', (size_t)(end - s));
		const char *e = semi ? semi : end;
		const char *a = s, *b = e;
		while (a < b && is_blank(*a))
			a++;
		while (b > a && is_blank(b[-1]))
			b--;
		char *one = kb_strndup(a, (size_t)(b - a));
		if (!principal_ok(one)) {
			kb_free(one);
			acl_policy_free(p);
			return -1;
		}
		KB_GROW(p->super_users, cap, p->nsuper + 1, 4);
		p->super_users[p->nsuper++] = one;
		if (!semi)
			break;
		s = semi + 1;
	}
	return 0;
}

/* ---- Authorization ------------------------------------------------------------------------- */

/* Does some entry of r with permission `perm` match principal, host and one of `ops` (a
 * bitfield of operations; ALL in an entry matches any)? */
static bool res_has(const struct acl_resource *r, int8_t perm, const char *principal,
                    const char *host, uint32_t ops)
{
	for (int i = 0; i < r->naces; i++) {
		const struct acl_ace *a = &r->aces[i];
		if (a->perm != perm)
			continue;
		if (a->op != ACL_OP_ALL && (a->op < 0 || a->op > 31 || !(ops & (1u << a->op))))
			continue;
		if (strcmp(a->principal, principal) != 0 && strcmp(a->principal, "User:*") != 0)
			continue;
		if (strcmp(a->host, host) != 0 && strcmp(a->host, ACL_WILDCARD) != 0)
			continue;
		return true;
	}
	return false;
}

/* Runs res_has over every resource pattern that applies to (type, name); *any tells
 * whether at least one applies. */
static bool applicable_has(const struct acl_store *s, int8_t type, const char *name,
                           int8_t perm, const char *principal, const char *host, uint32_t ops,
                           bool *any)
{
	const struct acl_resource *lit = acl_store_get(s, type, ACL_PAT_LITERAL, name);
	if (lit) {
		*any = true;
		if (res_has(lit, perm, principal, host, ops))
			return true;
	}
	if (strcmp(name, ACL_WILDCARD) != 0) {
		const struct acl_resource *w = acl_store_get(s, type, ACL_PAT_LITERAL, ACL_WILDCARD);
		if (w) {
			*any = true;
			if (res_has(w, perm, principal, host, ops))
				return true;
		}
	}
	bool found;
	for (int i = lower_bound(s, type, ACL_PAT_PREFIXED, "", &found);
	     i < s->nres && s->res[i].type == type && s->res[i].pattern == ACL_PAT_PREFIXED; i++) {
		const struct acl_resource *r = &s->res[i];
		if (strncmp(name, r->name, strlen(r->name)) != 0)
			continue;
		*any = true;
		if (res_has(r, perm, principal, host, ops))
			return true;
	}
	return false;
}

bool acl_authorize(const struct acl_store *s, const struct acl_policy *p, const char *principal,
                   const char *host, int8_t op, int8_t type, const char *name)
{
	for (int i = 0; i < p->nsuper; i++)
		if (strcmp(p->super_users[i], principal) == 0)
			return true;
	if (op < 0 || op > 31)
		return false;
	bool any = false;
	if (applicable_has(s, type, name, ACL_PERM_DENY, principal, host, 1u << op, &any))
		return false;
	if (!any)
		return p->allow_if_no_acl;
	uint32_t allow = 1u << op;
	if (op == ACL_OP_DESCRIBE)
		allow |= 1u << ACL_OP_READ | 1u << ACL_OP_WRITE | 1u << ACL_OP_DELETE |
		         1u << ACL_OP_ALTER;
	else if (op == ACL_OP_DESCRIBE_CONFIGS)
		allow |= 1u << ACL_OP_ALTER_CONFIGS;
	bool dummy = false;
	return applicable_has(s, type, name, ACL_PERM_ALLOW, principal, host, allow, &dummy);
}

#define OPBIT(o) (1u << ACL_OP_##o)

uint32_t acl_supported_ops(int8_t type)
{
	switch (type) {
	case ACL_RES_TOPIC:
		return OPBIT(READ) | OPBIT(WRITE) | OPBIT(CREATE) | OPBIT(DESCRIBE) | OPBIT(DELETE) |
		       OPBIT(ALTER) | OPBIT(DESCRIBE_CONFIGS) | OPBIT(ALTER_CONFIGS);
	case ACL_RES_GROUP:
		return OPBIT(READ) | OPBIT(DESCRIBE) | OPBIT(DELETE);
	case ACL_RES_CLUSTER:
		return OPBIT(CREATE) | OPBIT(CLUSTER_ACTION) | OPBIT(DESCRIBE_CONFIGS) |
		       OPBIT(ALTER_CONFIGS) | OPBIT(IDEMPOTENT_WRITE) | OPBIT(ALTER) | OPBIT(DESCRIBE);
	case ACL_RES_TXN_ID:
		return OPBIT(DESCRIBE) | OPBIT(WRITE);
	case ACL_RES_TOKEN:
		return OPBIT(DESCRIBE);
	case ACL_RES_USER:
		return OPBIT(CREATE_TOKENS) | OPBIT(DESCRIBE_TOKENS);
	default:
		return 0;
	}
}

int32_t acl_authorized_ops(const struct acl_store *s, const struct acl_policy *p,
                           const char *principal, const char *host, int8_t type, const char *name)
{
	uint32_t sup = acl_supported_ops(type), out = 0;
	for (int8_t op = ACL_OP_READ; op <= ACL_OP_DESCRIBE_TOKENS; op++)
		if ((sup & (1u << op)) && acl_authorize(s, p, principal, host, op, type, name))
			out |= 1u << op;
	return (int32_t)out;
}

/* ---- Filters ------------------------------------------------------------------------------- */

/* Kafka's ResourcePatternFilter.matches. */
bool acl_filter_matches_resource(const struct acl_filter *f, const struct acl_resource *r)
{
	if (f->type != ACL_RES_ANY && f->type != r->type)
		return false;
	if (f->pattern != ACL_PAT_ANY && f->pattern != ACL_PAT_MATCH && f->pattern != r->pattern)
		return false;
	if (!f->name)
		return true;
	if (f->pattern == ACL_PAT_ANY || f->pattern == r->pattern)
		return strcmp(f->name, r->name) == 0;
	/* MATCH: the patterns that apply to the name. */
	if (r->pattern == ACL_PAT_LITERAL)
		return strcmp(f->name, r->name) == 0 || strcmp(r->name, ACL_WILDCARD) == 0;
	if (r->pattern == ACL_PAT_PREFIXED)
		return strncmp(f->name, r->name, strlen(r->name)) == 0;
	return false;
}

/* Kafka's AccessControlEntryFilter.matches: exact strings, no wildcard expansion. */
bool acl_filter_matches_ace(const struct acl_filter *f, const struct acl_ace *a)
{
	if (f->principal && strcmp(f->principal, a->principal) != 0)
		return false;
	if (f->host && strcmp(f->host, a->host) != 0)
		return false;
	if (f->op != ACL_OP_ANY && f->op != a->op)
		return false;
	return f->perm == ACL_PERM_ANY || f->perm == a->perm;
}

/* ---- Validation ---------------------------------------------------------------------------- */

/* Well-formed UTF-8 (shortest forms, no surrogates); with `zk_path`, also none of the
 * characters ZooKeeper's PathUtils.validatePath refuses in a path (controls, U+007F-U+009F,
 * U+D800-U+F8FF, U+FFF0-U+FFFF, and anything above U+FFFF, which Java holds as surrogates). */
static bool utf8_ok(const char *str, bool zk_path)
{
	const unsigned char *s = (const unsigned char *)str;
	while (*s) {
		uint32_t c;
		int more;
		if (s[0] < 0x80) {
			c = s[0];
			more = 0;
		} else if ((s[0] & 0xE0) == 0xC0) {
			c = s[0] & 0x1Fu;
			more = 1;
		} else if ((s[0] & 0xF0) == 0xE0) {
			c = s[0] & 0x0Fu;
			more = 2;
		} else if ((s[0] & 0xF8) == 0xF0) {
			c = s[0] & 0x07u;
			more = 3;
		} else {
			return false;
		}
		for (int k = 1; k <= more; k++) {
			if ((s[k] & 0xC0) != 0x80)
				return false;
			c = c << 6 | (s[k] & 0x3Fu);
		}
		static const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
		if (c < min[more] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			return false;
		if (zk_path && (c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0xD800 && c <= 0xF8FF) ||
		                c >= 0xFFF0))
			return false;
		s += 1 + more;
	}
	return true;
}

const char *acl_binding_invalid(int8_t type, int8_t pattern, const char *name,
                                const char *principal, const char *host, int8_t op, int8_t perm)
{
	if (!acl_restype_zk(type) || acl_op_zk(op) == NULL || acl_perm_zk(perm) == NULL ||
	    (pattern != ACL_PAT_LITERAL && pattern != ACL_PAT_PREFIXED)) {
		if (type == ACL_RES_ANY)
			return "resourceType must not be ANY";
		if (pattern == ACL_PAT_ANY || pattern == ACL_PAT_MATCH)
			return pattern == ACL_PAT_ANY ? "patternType must not be ANY"
			                              : "patternType must not be MATCH";
		if (op == ACL_OP_ANY)
			return "operation must not be ANY";
		if (perm == ACL_PERM_ANY)
			return "permissionType must not be ANY";
		return "ACL binding contains unknown elements";
	}
	if (!name || !*name)
		return "Invalid empty resource name";
	if (strlen(name) > KB_ACL_NAME_MAX_BYTES)
		return "Resource name too long";
	if (type == ACL_RES_CLUSTER && strcmp(name, ACL_CLUSTER_NAME) != 0)
		return "The only valid name for the CLUSTER resource is " ACL_CLUSTER_NAME;
	if (strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    !utf8_ok(name, true))
		return "ACL binding contains invalid resource name";
	if (!principal || !principal_ok(principal) || !utf8_ok(principal, false))
		return "Could not parse principal: expected a string in format principalType:principalName";
	if (!host || !*host || !utf8_ok(host, false))
		return "Invalid host";
	if (op != ACL_OP_ALL && !(acl_supported_ops(type) & (1u << op)))
		return "The operation is not supported by the resource type";
	return NULL;
}

/* ---- ZooKeeper names ----------------------------------------------------------------------- */

static const char *const restype_names[] = {
	[ACL_RES_TOPIC] = "Topic",
	[ACL_RES_GROUP] = "Group",
	[ACL_RES_CLUSTER] = "Cluster",
	[ACL_RES_TXN_ID] = "TransactionalId",
	[ACL_RES_TOKEN] = "DelegationToken",
	[ACL_RES_USER] = "User",
};
static const char *const op_names[] = {
	[ACL_OP_ALL] = "All",
	[ACL_OP_READ] = "Read",
	[ACL_OP_WRITE] = "Write",
	[ACL_OP_CREATE] = "Create",
	[ACL_OP_DELETE] = "Delete",
	[ACL_OP_ALTER] = "Alter",
	[ACL_OP_DESCRIBE] = "Describe",
	[ACL_OP_CLUSTER_ACTION] = "ClusterAction",
	[ACL_OP_DESCRIBE_CONFIGS] = "DescribeConfigs",
	[ACL_OP_ALTER_CONFIGS] = "AlterConfigs",
	[ACL_OP_IDEMPOTENT_WRITE] = "IdempotentWrite",
	[ACL_OP_CREATE_TOKENS] = "CreateTokens",
	[ACL_OP_DESCRIBE_TOKENS] = "DescribeTokens",
};
static const char *const perm_names[] = {
	[ACL_PERM_DENY] = "Deny",
	[ACL_PERM_ALLOW] = "Allow",
};

static const char *name_of(const char *const *names, size_t n, int8_t code)
{
	return code >= 0 && (size_t)code < n ? names[code] : NULL;
}

static int8_t code_of(const char *const *names, size_t n, const char *s, bool nocase)
{
	if (!s)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (names[i] && (nocase ? strcasecmp(names[i], s) : strcmp(names[i], s)) == 0)
			return (int8_t)i;
	return 0; /* every UNKNOWN is 0 */
}

const char *acl_restype_zk(int8_t type)
{
	return name_of(restype_names, KB_ARRAY_LEN(restype_names), type);
}

/* Kafka's ZkAclStore matches the type name exactly (it is a path element). */
int8_t acl_restype_from_zk(const char *s)
{
	return code_of(restype_names, KB_ARRAY_LEN(restype_names), s, false);
}

const char *acl_op_zk(int8_t op)
{
	return name_of(op_names, KB_ARRAY_LEN(op_names), op);
}

/* Kafka's SecurityUtils.operation upper-cases the name, so the case does not matter. */
int8_t acl_op_from_zk(const char *s)
{
	return code_of(op_names, KB_ARRAY_LEN(op_names), s, true);
}

const char *acl_perm_zk(int8_t perm)
{
	return name_of(perm_names, KB_ARRAY_LEN(perm_names), perm);
}

int8_t acl_perm_from_zk(const char *s)
{
	return code_of(perm_names, KB_ARRAY_LEN(perm_names), s, true);
}
