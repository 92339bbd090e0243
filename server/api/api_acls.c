/* api_acls.c — DescribeAcls (key 29), CreateAcls (30) and DeleteAcls (31), v0-3, as Kafka
 * 3.9's AclApis with the ZooKeeper AclAuthorizer answers them.
 *
 * Every request first needs its own right on the CLUSTER resource "kafka-cluster"
 * (DescribeAcls: DESCRIBE; CreateAcls and DeleteAcls: ALTER), else CLUSTER_AUTHORIZATION_FAILED
 * (the top-level error, or every result); then, without an authorizer, SECURITY_DISABLED
 * (Kafka's order: the cluster check passes when there is no authorizer).
 *
 * DescribeAcls answers at once from the broker's watched copy (coord_acls), the resources
 * the filter matches with the entries it matches, in the store's order; a filter with an
 * UNKNOWN (or out-of-range) code, or a string past KB_ACL_STRING_MAX: INVALID_REQUEST.
 * CreateAcls validates each creation (acl_binding_invalid: INVALID_REQUEST with its message),
 * groups the valid ones per resource pattern and makes one coord_acls_add per resource; the
 * answer goes out once every write has reported (H_ASYNC). DeleteAcls (api_acls_delete.c)
 * picks the resources its filters match from the local copy, makes one coord_acls_remove per
 * resource with the filters that match it, and lists what was removed under each filter.
 *
 * Waiting requests: all their state lives in r's arena; each write's callback counts down,
 * and the last one answers (kreq_finish, safe when the connection has closed meanwhile) or,
 * at shutdown (TOPIC_ADMIN_CLOSING), frees the request unanswered (kreq_drop). Nothing is
 * parked in the purgatory: coord guarantees each callback runs exactly once.
 */
#include "api_acls.h"

#include "../../common/limits.h"
#include "../../coord/acls.h"
#include "../../coord/topic_admin.h"
#include "../../net/kp_msgs.h"
#include "../core/authz.h"
#include "api_group.h"

#include <string.h>

const char ACLS_MSG_DISABLED[] = "No Authorizer is configured.";
const char ACLS_MSG_CLUSTER_DENIED[] = "Cluster authorization failed.";

/* ---- Strings and filters ------------------------------------------------------------------ */

int acls_cstr(struct kreq *r, struct kp_str s, char **out, const char **why)
{
	*out = NULL;
	if (s.len < 0 || !s.ptr) {
		if (s.len < 0)
			return 0; /* null: "any" in a filter */
		s.ptr = "";
	}
	if (s.len > KB_ACL_STRING_MAX) {
		*why = "ACL string longer than kbroker's limit (" ACLS_STR(KB_ACL_STRING_MAX) " bytes)";
		return 1;
	}
	if (memchr(s.ptr, '\0', (size_t)s.len)) {
		*why = "ACL string holds a NUL byte";
		return 1;
	}
	char *p = arena_alloc(&r->arena, (size_t)s.len + 1);
	if (!p)
		return -1;
	memcpy(p, s.ptr, (size_t)s.len);
	p[s.len] = '\0';
	*out = p;
	return 0;
}

static bool code_in(int8_t v, int lo, int hi)
{
	return v >= lo && v <= hi;
}

int acls_filter_from(struct kreq *r, const struct acls_filter_in *in, struct acl_filter *f,
                     const char **why)
{
	*f = (struct acl_filter){.type = in->type, .pattern = in->pattern, .op = in->op,
	                         .perm = in->perm};
	if (!code_in(in->type, ACL_RES_ANY, ACL_RES_USER)) {
		*why = "Unknown resource type in the ACL filter";
		return 1;
	}
	if (!code_in(in->pattern, ACL_PAT_ANY, ACL_PAT_PREFIXED)) {
		*why = "Unknown pattern type in the ACL filter";
		return 1;
	}
	if (!code_in(in->op, ACL_OP_ANY, ACL_OP_DESCRIBE_TOKENS)) {
		*why = "Unknown operation in the ACL filter";
		return 1;
	}
	if (!code_in(in->perm, ACL_PERM_ANY, ACL_PERM_ALLOW)) {
		*why = "Unknown permission type in the ACL filter";
		return 1;
	}
	char *name, *principal, *host;
	int rc = acls_cstr(r, in->name, &name, why);
	if (rc == 0)
		rc = acls_cstr(r, in->principal, &principal, why);
	if (rc == 0)
		rc = acls_cstr(r, in->host, &host, why);
	if (rc != 0)
		return rc;
	f->name = name;
	f->principal = principal;
	f->host = host;
	return 0;
}

bool acls_resource_matches(const struct acl_filter *f, const struct acl_resource *res)
{
	if (!acl_filter_matches_resource(f, res))
		return false;
	for (int k = 0; k < res->naces; k++)
		if (acl_filter_matches_ace(f, &res->aces[k]))
			return true;
	return false;
}

/* ---- DescribeAcls ----------------------------------------------------------------------------- */

/* Fills out with res's entries that f matches (strings point into the store, which does not
 * change before this response is encoded: the handler answers at once). */
static bool describe_fill(struct kreq *r, const struct acl_filter *f,
                          const struct acl_resource *res, struct DescribeAclsResource *out)
{
	int n = 0;
	for (int k = 0; k < res->naces; k++)
		n += acl_filter_matches_ace(f, &res->aces[k]);
	*out = (struct DescribeAclsResource){res->type, kp_str_c(res->name), res->pattern};
	struct AclDescription *d = kreq_array(r, &out->Acls, n, sizeof(*d));
	if (!d)
		return false;
	n = 0;
	for (int k = 0; k < res->naces; k++) {
		const struct acl_ace *a = &res->aces[k];
		if (acl_filter_matches_ace(f, a))
			d[n++] = (struct AclDescription){kp_str_c(a->principal), kp_str_c(a->host),
			                                 a->op, a->perm};
	}
	return true;
}

enum handler_result handle_describe_acls(struct kreq *r)
{
	const struct DescribeAclsRequest *q = r->req;
	struct DescribeAclsResponse *resp = r->resp;
	resp->ErrorMessage = KP_STR_NULL;
	if (!authz_allowed_c(r, ACL_OP_DESCRIBE, ACL_RES_CLUSTER, ACL_CLUSTER_NAME)) {
		resp->ErrorCode = KERR_CLUSTER_AUTHORIZATION_FAILED;
		resp->ErrorMessage = kp_str_c(ACLS_MSG_CLUSTER_DENIED);
		return H_RESPOND;
	}
	if (!authz_enabled(r->b)) {
		resp->ErrorCode = KERR_SECURITY_DISABLED;
		resp->ErrorMessage = KP_STR_LIT("No Authorizer is configured on the broker");
		return H_RESPOND;
	}
	struct acls_filter_in in = {q->ResourceTypeFilter, q->PatternTypeFilter,
	                            q->ResourceNameFilter, q->PrincipalFilter, q->HostFilter,
	                            q->Operation, q->PermissionType};
	struct acl_filter f;
	const char *why = NULL;
	int rc = acls_filter_from(r, &in, &f, &why);
	if (rc < 0)
		return H_CLOSE;
	if (rc > 0) {
		resp->ErrorCode = KERR_INVALID_REQUEST;
		resp->ErrorMessage = kp_str_c(why);
		return H_RESPOND;
	}
	const struct acl_store *s = coord_acls(r->b->coord);
	int n = 0;
	for (int i = 0; i < s->nres; i++)
		n += acls_resource_matches(&f, &s->res[i]);
	struct DescribeAclsResource *out = kreq_array(r, &resp->Resources, n, sizeof(*out));
	if (!out)
		return H_CLOSE;
	n = 0;
	for (int i = 0; i < s->nres; i++)
		if (acls_resource_matches(&f, &s->res[i]) && !describe_fill(r, &f, &s->res[i], &out[n++]))
			return H_CLOSE;
	return H_RESPOND;
}

/* ---- CreateAcls ------------------------------------------------------------------------------- */

struct create_ctx {
	struct kreq *r;
	int pending;       /* coord_acls_add calls not reported yet */
	bool started;      /* the handler has returned: the last report answers */
	bool closing;      /* a report said TOPIC_ADMIN_CLOSING: drop, do not answer */
};

/* One resource pattern's valid creations: one coord_acls_add. */
struct create_group {
	struct create_ctx *x;
	int *idx;          /* the creations' indexes in the request */
	struct acl_ace *aces;
	int n;
};

static void create_settle(struct create_ctx *x)
{
	if (x->closing)
		kreq_drop(x->r);
	else
		kreq_finish(x->r, H_RESPOND);
}

static void create_done(void *arg, int16_t error, const char *message)
{
	struct create_group *g = arg;
	struct create_ctx *x = g->x;
	if (error == TOPIC_ADMIN_CLOSING) {
		x->closing = true;
	} else if (error != KERR_NONE) {
		struct CreateAclsResponse *resp = x->r->resp;
		struct AclCreationResult *res = resp->Results.elems;
		struct kp_str msg = kp_str_c(message ? message : kerr_name(error));
		if (!kreq_copy_str(x->r, &msg))
			msg = KP_STR_NULL;
		for (int i = 0; i < g->n; i++)
			res[g->idx[i]] = (struct AclCreationResult){error, msg};
	}
	if (--x->pending == 0 && x->started)
		create_settle(x);
}

static void create_all(struct CreateAclsResponse *resp, int16_t error, const char *msg)
{
	struct AclCreationResult *res = resp->Results.elems;
	for (int32_t i = 0; i < resp->Results.count; i++)
		res[i] = (struct AclCreationResult){error, kp_str_c(msg)};
}

/* A creation's fields as C strings, validated. 0 valid, 1 invalid (*why), -1 arena full. */
static int creation_check(struct kreq *r, const struct CreatableAcl *c, char **name,
                          char **principal, char **host, const char **why)
{
	int rc = acls_cstr(r, c->ResourceName, name, why);
	if (rc == 0)
		rc = acls_cstr(r, c->Principal, principal, why);
	if (rc == 0)
		rc = acls_cstr(r, c->Host, host, why);
	if (rc != 0)
		return rc;
	*why = acl_binding_invalid(c->ResourceType, c->ResourcePatternType, *name, *principal,
	                           *host, c->Operation, c->PermissionType);
	return *why ? 1 : 0;
}

static bool same_resource(const struct CreatableAcl *a, const char *an,
                          const struct CreatableAcl *b, const char *bn)
{
	return a->ResourceType == b->ResourceType &&
	       a->ResourcePatternType == b->ResourcePatternType && strcmp(an, bn) == 0;
}

/* Groups the valid creations per resource (everything allocated first), then starts one
 * write per group. false: the arena is full, nothing started. */
static bool create_start(struct kreq *r, struct create_ctx *x, const struct CreatableAcl *c,
                         int n, char **names, char **principals, char **hosts, bool *valid)
{
	struct create_group *gs = arena_alloc(&r->arena, (size_t)(n + 1) * sizeof(*gs));
	int *idx = arena_alloc(&r->arena, (size_t)(n + 1) * sizeof(int));
	struct acl_ace *aces = arena_alloc(&r->arena, (size_t)(n + 1) * sizeof(*aces));
	if (!gs || !idx || !aces)
		return false;
	int ng = 0, used = 0;
	for (int i = 0; i < n; i++) {
		if (!valid[i])
			continue;
		struct create_group *g = &gs[ng++];
		*g = (struct create_group){x, idx + used, aces + used, 0};
		for (int j = i; j < n; j++) {
			if (!valid[j] || !same_resource(&c[i], names[i], &c[j], names[j]))
				continue;
			g->aces[g->n] = (struct acl_ace){principals[j], hosts[j], c[j].Operation,
			                                 c[j].PermissionType};
			g->idx[g->n++] = j;
			if (j > i)
				valid[j] = false; /* grouped with i */
		}
		used += g->n;
	}
	for (int k = 0; k < ng; k++) {
		const struct CreatableAcl *first = &c[gs[k].idx[0]];
		x->pending++;
		coord_acls_add(r->b->coord, first->ResourceType, first->ResourcePatternType,
		               names[gs[k].idx[0]], gs[k].aces, gs[k].n, create_done, &gs[k]);
	}
	return true;
}

enum handler_result handle_create_acls(struct kreq *r)
{
	const struct CreateAclsRequest *q = r->req;
	struct CreateAclsResponse *resp = r->resp;
	const struct CreatableAcl *c = q->Creations.elems;
	int n = q->Creations.count > 0 ? q->Creations.count : 0;
	struct AclCreationResult *res = kreq_array(r, &resp->Results, n, sizeof(*res));
	if (!res)
		return H_CLOSE;
	create_all(resp, KERR_NONE, NULL);
	if (!authz_allowed_c(r, ACL_OP_ALTER, ACL_RES_CLUSTER, ACL_CLUSTER_NAME)) {
		create_all(resp, KERR_CLUSTER_AUTHORIZATION_FAILED, ACLS_MSG_CLUSTER_DENIED);
		return H_RESPOND;
	}
	if (!authz_enabled(r->b)) {
		create_all(resp, KERR_SECURITY_DISABLED, ACLS_MSG_DISABLED);
		return H_RESPOND;
	}
	if (n > KB_ACL_CREATIONS_MAX) {
		create_all(resp, KERR_INVALID_REQUEST, "More ACL creations in one request than "
		           "kbroker's limit (" ACLS_STR(KB_ACL_CREATIONS_MAX) ")");
		return H_RESPOND;
	}
	char **names = arena_alloc(&r->arena, (size_t)(n + 1) * sizeof(char *) * 3);
	bool *valid = arena_alloc(&r->arena, (size_t)n + 1);
	struct create_ctx *x = arena_alloc(&r->arena, sizeof(*x));
	if (!names || !valid || !x)
		return H_CLOSE;
	char **principals = names + n + 1, **hosts = principals + n + 1;
	for (int i = 0; i < n; i++) {
		const char *why = NULL;
		int rc = creation_check(r, &c[i], &names[i], &principals[i], &hosts[i], &why);
		if (rc < 0)
			return H_CLOSE;
		valid[i] = rc == 0;
		if (rc > 0)
			res[i] = (struct AclCreationResult){KERR_INVALID_REQUEST, kp_str_c(why)};
	}
	*x = (struct create_ctx){.r = r};
	if (!create_start(r, x, c, n, names, principals, hosts, valid))
		return H_CLOSE;
	x->started = true;
	if (x->pending > 0)
		return H_ASYNC;
	return x->closing ? H_NO_RESPONSE : H_RESPOND;
}
