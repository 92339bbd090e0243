/* api_acls_delete.c — DeleteAcls (key 31) v0-3 (see api_acls.c for the checks every ACL
 * request makes first).
 *
 * Each filter is checked (acls_filter_from: INVALID_REQUEST for that filter). The resources
 * to touch come from the broker's watched copy, as Kafka's AclAuthorizer takes them from its
 * cache: every resource pattern some valid filter matches, together with at least one of its
 * entries. Each gets one coord_acls_remove with the filters that match it (coord removes, in a
 * version-checked read-modify-write, every entry any of them matches). The entries removed are
 * listed under every filter that matches them, with their resource (MatchingAcls, error 0).
 * A resource whose write fails sets that error, with its message, on each of its filters'
 * results (Kafka reports it per matching entry instead; the client sees the failure either
 * way). More than KB_ACL_FILTERS_MAX filters, or more than KB_ACL_DELETE_MAX_MATCHES
 * (resource, filter) pairs: INVALID_REQUEST for every filter, nothing written.
 */
#include "api_acls.h"

#include "../../common/limits.h"
#include "../../coord/acls.h"
#include "../../coord/topic_admin.h"
#include "../../net/kp_msgs.h"
#include "../core/authz.h"
#include "api_group.h"

#include <string.h>

struct del_ctx {
	struct kreq *r;
	struct acl_filter *f; /* per request filter (valid ones only used) */
	bool *valid;
	int32_t *cap;         /* MatchingAcls capacity per filter result */
	int nf;
	int pending;          /* coord_acls_remove calls not reported yet */
	bool started, closing;
};

/* One resource the filters match: one coord_acls_remove. */
struct del_res {
	struct del_ctx *x;
	int8_t type, pattern;
	char *name;
	int *fidx;                  /* the request filters matching it */
	struct acl_filter *filters; /* their copies, as coord takes them */
	int nf;
};

static void del_all(struct DeleteAclsResponse *resp, int16_t error, const char *msg)
{
	struct DeleteAclsFilterResult *fr = resp->FilterResults.elems;
	for (int32_t i = 0; i < resp->FilterResults.count; i++)
		fr[i] = (struct DeleteAclsFilterResult){error, kp_str_c(msg), {NULL, 0}};
}

/* Room for `add` more entries in fr's MatchingAcls (arena, doubling); NULL: arena full. */
static struct DeleteAclsMatchingAcl *del_grow(struct kreq *r, struct DeleteAclsFilterResult *fr,
                                              int32_t *cap, int add)
{
	struct kp_array *a = &fr->MatchingAcls;
	int32_t need = a->count + add;
	if (need > *cap) {
		int32_t nc = need > 2 * *cap ? need : 2 * *cap;
		void *p = arena_alloc(&r->arena, (size_t)nc * sizeof(struct DeleteAclsMatchingAcl));
		if (!p)
			return NULL;
		if (a->count > 0)
			memcpy(p, a->elems, (size_t)a->count * sizeof(struct DeleteAclsMatchingAcl));
		a->elems = p;
		*cap = nc;
	}
	return (struct DeleteAclsMatchingAcl *)a->elems + a->count;
}

/* Lists the removed entries d's k-th filter matches under that filter's result. */
static void del_collect(struct del_res *d, int k, const struct acl_ace *removed, int nremoved)
{
	struct kreq *r = d->x->r;
	struct DeleteAclsResponse *resp = r->resp;
	int fi = d->fidx[k];
	struct DeleteAclsFilterResult *fr = (struct DeleteAclsFilterResult *)resp->FilterResults.elems + fi;
	int add = 0;
	for (int j = 0; j < nremoved; j++)
		add += acl_filter_matches_ace(&d->filters[k], &removed[j]);
	if (add == 0)
		return;
	struct DeleteAclsMatchingAcl *m = del_grow(r, fr, &d->x->cap[fi], add);
	if (!m) {
		fr->ErrorCode = KERR_UNKNOWN_SERVER_ERROR;
		fr->ErrorMessage = KP_STR_LIT("response too large");
		return;
	}
	for (int j = 0; j < nremoved; j++) {
		const struct acl_ace *a = &removed[j];
		if (!acl_filter_matches_ace(&d->filters[k], a))
			continue;
		*m = (struct DeleteAclsMatchingAcl){
		        .ErrorMessage = KP_STR_NULL, .ResourceType = d->type,
		        .ResourceName = kp_str_c(d->name), .PatternType = d->pattern,
		        .Principal = kp_str_c(a->principal), .Host = kp_str_c(a->host),
		        .Operation = a->op, .PermissionType = a->perm};
		if (!kreq_copy_str(r, &m->Principal) || !kreq_copy_str(r, &m->Host)) {
			fr->ErrorCode = KERR_UNKNOWN_SERVER_ERROR;
			fr->ErrorMessage = KP_STR_LIT("response too large");
			return;
		}
		m++;
		fr->MatchingAcls.count++;
	}
}

static void del_done(void *arg, int16_t error, const char *message,
                     const struct acl_ace *removed, int nremoved)
{
	struct del_res *d = arg;
	struct del_ctx *x = d->x;
	struct DeleteAclsResponse *resp = x->r->resp;
	if (error == TOPIC_ADMIN_CLOSING) {
		x->closing = true;
	} else if (error != KERR_NONE) {
		struct kp_str msg = kp_str_c(message ? message : kerr_name(error));
		if (!kreq_copy_str(x->r, &msg))
			msg = KP_STR_NULL;
		for (int k = 0; k < d->nf; k++) {
			struct DeleteAclsFilterResult *fr =
			        (struct DeleteAclsFilterResult *)resp->FilterResults.elems + d->fidx[k];
			if (fr->ErrorCode == KERR_NONE) {
				fr->ErrorCode = error;
				fr->ErrorMessage = msg;
			}
		}
	} else {
		for (int k = 0; k < d->nf; k++)
			del_collect(d, k, removed, nremoved);
	}
	if (--x->pending == 0 && x->started) {
		if (x->closing)
			kreq_drop(x->r);
		else
			kreq_finish(x->r, H_RESPOND);
	}
}

/* Counts the resources and (resource, filter) pairs the valid filters match. */
static void del_count(const struct del_ctx *x, const struct acl_store *s, int *nres,
                      int64_t *pairs)
{
	*nres = 0;
	*pairs = 0;
	for (int i = 0; i < s->nres; i++) {
		int m = 0;
		for (int k = 0; k < x->nf; k++)
			m += x->valid[k] && acls_resource_matches(&x->f[k], &s->res[i]);
		*nres += m > 0;
		*pairs += m;
	}
}

/* Picks the resources (all memory first), then starts one write per resource. false: the
 * arena is full, nothing started. */
static bool del_start(struct del_ctx *x, const struct acl_store *s, int nres, int64_t pairs)
{
	struct kreq *r = x->r;
	struct del_res *ds = arena_alloc(&r->arena, (size_t)(nres + 1) * sizeof(*ds));
	int *fidx = arena_alloc(&r->arena, (size_t)(pairs + 1) * sizeof(int));
	struct acl_filter *fs = arena_alloc(&r->arena, (size_t)(pairs + 1) * sizeof(*fs));
	if (!ds || !fidx || !fs)
		return false;
	int nd = 0, used = 0;
	for (int i = 0; i < s->nres && nd < nres; i++) {
		const struct acl_resource *res = &s->res[i];
		struct del_res *d = &ds[nd];
		*d = (struct del_res){x, res->type, res->pattern, NULL, fidx + used, fs + used, 0};
		for (int k = 0; k < x->nf; k++) {
			if (x->valid[k] && acls_resource_matches(&x->f[k], res)) {
				d->fidx[d->nf] = k;
				d->filters[d->nf++] = x->f[k];
			}
		}
		if (d->nf == 0)
			continue;
		size_t len = strlen(res->name);
		d->name = arena_alloc(&r->arena, len + 1);
		if (!d->name)
			return false;
		memcpy(d->name, res->name, len + 1);
		used += d->nf;
		nd++;
	}
	/* (The store may change under a callback run inside a call: nothing above is used.) */
	for (int k = 0; k < nd; k++) {
		x->pending++;
		coord_acls_remove(r->b->coord, ds[k].type, ds[k].pattern, ds[k].name, ds[k].filters,
		                  ds[k].nf, del_done, &ds[k]);
	}
	return true;
}

/* Converts every filter; an invalid one gets INVALID_REQUEST. false: the arena is full. */
static bool del_filters(struct kreq *r, struct del_ctx *x)
{
	const struct DeleteAclsRequest *q = r->req;
	const struct DeleteAclsFilter *in = q->Filters.elems;
	struct DeleteAclsResponse *resp = r->resp;
	struct DeleteAclsFilterResult *fr = resp->FilterResults.elems;
	for (int k = 0; k < x->nf; k++) {
		struct acls_filter_in fin = {in[k].ResourceTypeFilter, in[k].PatternTypeFilter,
		                             in[k].ResourceNameFilter, in[k].PrincipalFilter,
		                             in[k].HostFilter, in[k].Operation, in[k].PermissionType};
		const char *why = NULL;
		int rc = acls_filter_from(r, &fin, &x->f[k], &why);
		if (rc < 0)
			return false;
		x->valid[k] = rc == 0;
		if (rc > 0) {
			fr[k].ErrorCode = KERR_INVALID_REQUEST;
			fr[k].ErrorMessage = kp_str_c(why);
		}
	}
	return true;
}

enum handler_result handle_delete_acls(struct kreq *r)
{
	const struct DeleteAclsRequest *q = r->req;
	struct DeleteAclsResponse *resp = r->resp;
	int n = q->Filters.count > 0 ? q->Filters.count : 0;
	if (!kreq_array(r, &resp->FilterResults, n, sizeof(struct DeleteAclsFilterResult)))
		return H_CLOSE;
	del_all(resp, KERR_NONE, NULL);
	if (!authz_allowed_c(r, ACL_OP_ALTER, ACL_RES_CLUSTER, ACL_CLUSTER_NAME)) {
		del_all(resp, KERR_CLUSTER_AUTHORIZATION_FAILED, ACLS_MSG_CLUSTER_DENIED);
		return H_RESPOND;
	}
	if (!authz_enabled(r->b)) {
		del_all(resp, KERR_SECURITY_DISABLED, ACLS_MSG_DISABLED);
		return H_RESPOND;
	}
	if (n > KB_ACL_FILTERS_MAX) {
		del_all(resp, KERR_INVALID_REQUEST, "More ACL filters in one request than kbroker's "
		        "limit (" ACLS_STR(KB_ACL_FILTERS_MAX) ")");
		return H_RESPOND;
	}
	struct del_ctx *x = arena_alloc(&r->arena, sizeof(*x));
	if (!x)
		return H_CLOSE;
	*x = (struct del_ctx){.r = r, .nf = n};
	x->f = arena_alloc(&r->arena, (size_t)(n + 1) * sizeof(*x->f));
	x->valid = arena_alloc(&r->arena, (size_t)(n + 1) * sizeof(*x->valid));
	x->cap = arena_alloc(&r->arena, (size_t)(n + 1) * sizeof(*x->cap));
	if (!x->f || !x->valid || !x->cap || !del_filters(r, x))
		return H_CLOSE;
	memset(x->cap, 0, (size_t)(n + 1) * sizeof(*x->cap));
	const struct acl_store *s = coord_acls(r->b->coord);
	int nres;
	int64_t pairs;
	del_count(x, s, &nres, &pairs);
	if (pairs > KB_ACL_DELETE_MAX_MATCHES) {
		del_all(resp, KERR_INVALID_REQUEST, "The filters match more ACL resources than "
		        "kbroker's limit (" ACLS_STR(KB_ACL_DELETE_MAX_MATCHES) " resource-filter "
		        "pairs); delete with narrower filters");
		return H_RESPOND;
	}
	if (!del_start(x, s, nres, pairs))
		return H_CLOSE;
	x->started = true;
	if (x->pending > 0)
		return H_ASYNC;
	return x->closing ? H_NO_RESPONSE : H_RESPOND;
}
