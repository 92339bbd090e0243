/* acl_any.c — authorization by resource type (see acl_any.h). */
#include "acl_any.h"

#include <string.h>

/* Does an entry of r with permission `perm` match principal, host and op (or ALL)? */
static bool entry_matches(const struct acl_resource *r, int8_t perm, const char *principal,
                          const char *host, int8_t op)
{
	for (int i = 0; i < r->naces; i++) {
		const struct acl_ace *a = &r->aces[i];
		if (a->perm == perm && (a->op == op || a->op == ACL_OP_ALL) &&
		    (strcmp(a->principal, principal) == 0 || strcmp(a->principal, "User:*") == 0) &&
		    (strcmp(a->host, host) == 0 || strcmp(a->host, ACL_WILDCARD) == 0))
			return true;
	}
	return false;
}

struct who {
	const struct acl_store *s;
	const char *principal, *host;
	int8_t op, type;
};

static bool has(const struct who *w, int8_t pattern, const char *name, int8_t perm)
{
	const struct acl_resource *r = acl_store_get(w->s, w->type, pattern, name);
	return r && entry_matches(r, perm, w->principal, w->host, w->op);
}

/* A PREFIXED DENY whose non-empty name is a prefix of `name`. */
static bool prefix_denied(const struct who *w, const char *name)
{
	for (int i = 0; i < w->s->nres; i++) {
		const struct acl_resource *r = &w->s->res[i];
		if (r->type == w->type && r->pattern == ACL_PAT_PREFIXED && r->name[0] &&
		    strncmp(name, r->name, strlen(r->name)) == 0 &&
		    entry_matches(r, ACL_PERM_DENY, w->principal, w->host, w->op))
			return true;
	}
	return false;
}

bool acl_authorize_any(const struct acl_store *s, const struct acl_policy *p,
                       const char *principal, const char *host, int8_t op, int8_t type)
{
	for (int i = 0; i < p->nsuper; i++)
		if (strcmp(p->super_users[i], principal) == 0)
			return true;
	struct who w = {s, principal, host, op, type};
	if (has(&w, ACL_PAT_LITERAL, ACL_WILDCARD, ACL_PERM_DENY))
		return false;
	if (p->allow_if_no_acl)
		return true;
	if (has(&w, ACL_PAT_LITERAL, ACL_WILDCARD, ACL_PERM_ALLOW))
		return true;
	for (int i = 0; i < s->nres; i++) {
		const struct acl_resource *r = &s->res[i];
		if (r->type != type || !entry_matches(r, ACL_PERM_ALLOW, principal, host, op))
			continue;
		if (r->pattern == ACL_PAT_LITERAL && has(&w, ACL_PAT_LITERAL, r->name, ACL_PERM_DENY))
			continue;
		if (!prefix_denied(&w, r->name))
			return true;
	}
	return false;
}
