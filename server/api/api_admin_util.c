/* api_admin_util.c — helpers shared by the topic admin handlers (see api_admin.h). */
#include "api_admin.h"

#include "../../common/limits.h"
#include "../replica/partition.h"

#include <stdio.h>
#include <string.h>

struct zk_fence adm_fence(struct kreq *r)
{
	return (struct zk_fence){coord_fence_version(r->b->coord)};
}

char *adm_cstr(struct kreq *r, struct kp_str s)
{
	return arena_strndup(&r->arena, s.ptr ? s.ptr : "", s.len > 0 ? (size_t)s.len : 0);
}

struct kp_str adm_msg(struct kreq *r, const char *m)
{
	return m ? kp_str_c(arena_strndup(&r->arena, m, strlen(m))) : KP_STR_NULL;
}

/* Every partition of t has a live leader. */
bool adm_topic_ready(struct kreq *r, const struct md_cache *md, const struct md_topic *t,
                     int32_t nparts)
{
	if (!t || t->npartitions < nparts)
		return false;
	for (int i = 0; i < nparts; i++) {
		const struct md_partition *p = &t->partitions[i];
		if (!p->has_state || p->state.leader < 0 || !md_broker_live(md, p->state.leader))
			return false;
		if (p->state.leader == r->b->cfg.broker_id && !pm_can_lead(r->b, t->name, i))
			return false;
	}
	return true;
}

bool adm_settle_items(struct kreq *r, void *st, const struct settle *x, bool timed_out)
{
	bool all = true;
	for (int i = 0; i < x->n; i++) {
		if (!x->waiting[i])
			continue;
		if (x->done(r, st, i)) {
			x->waiting[i] = false;
		} else if (timed_out) {
			x->waiting[i] = false;
			if (x->timeout_ms > 0)
				*x->error(st, i) = KERR_REQUEST_TIMED_OUT;
		} else {
			all = false;
		}
	}
	return all;
}

int16_t adm_fail(char *m, size_t mlen, int16_t code, const char *text)
{
	snprintf(m, mlen, "%s", text);
	return code;
}

struct budget adm_budget_new(struct kreq *r)
{
	const struct md_cache *md = coord_metadata(r->b->coord);
	return (struct budget){0, 0, md_total_partitions(md), r->b->cfg.max_partitions_per_cluster};
}

/* A topic that will have `total` partitions, `add` of them new. */
int16_t adm_budget_check(struct budget *b, int64_t total, int64_t add, char *m, size_t mlen)
{
	if (total > KB_MAX_PARTITIONS_PER_TOPIC) {
		snprintf(m, mlen, "%lld partitions: a topic may have at most %d", (long long)total,
		         KB_MAX_PARTITIONS_PER_TOPIC);
		return KERR_INVALID_PARTITIONS;
	}
	b->asked += add;
	if (b->asked > KB_MAX_PARTITIONS_PER_REQUEST) {
		snprintf(m, mlen, "the request asks for more than %d partitions in all",
		         KB_MAX_PARTITIONS_PER_REQUEST);
		return KERR_INVALID_PARTITIONS;
	}
	if (b->existing + b->granted + add > b->cap) {
		snprintf(m, mlen, "the cluster would have %lld partitions, above "
		         "kbroker.max.partitions.per.cluster (%lld)",
		         (long long)(b->existing + b->granted + add), (long long)b->cap);
		return KERR_POLICY_VIOLATION;
	}
	return 0;
}

/* The assignment must fit one znode write. */
int16_t adm_check_fits(const struct md_partition *parts, int n, char *m, size_t mlen)
{
	if (topic_admin_assignment_fits(parts, n))
		return 0;
	snprintf(m, mlen, "the assignment of %d partitions is larger than a ZooKeeper write may "
	         "be (%d bytes)", n, KB_ZK_MAX_WRITE_BYTES);
	return KERR_POLICY_VIOLATION;
}

/* An explicit assignment: partitions 0..n-1 once each, same replica count, distinct live
 * brokers. */
int16_t adm_check_assignment(const struct md_cache *md, const struct kp_array *as,
                                struct md_partition **out, char *m, size_t mlen)
{
	const struct CreatableReplicaAssignment *a = as->elems;
	int n = as->count;
	struct md_partition *parts = kb_calloc((size_t)n, sizeof(*parts));
	*out = parts;
	for (int i = 0; i < n; i++) {
		int32_t idx = a[i].PartitionIndex;
		if (idx < 0 || idx >= n || parts[idx].replicas)
			return adm_fail(m, mlen, KERR_INVALID_REPLICA_ASSIGNMENT,
			            "partitions must be numbered 0..n-1, each once");
		const int32_t *b = a[i].BrokerIds.elems;
		int nb = a[i].BrokerIds.count;
		if (nb > md->nbrokers) /* before the quadratic duplicate check */
			return adm_fail(m, mlen, KERR_INVALID_REPLICA_ASSIGNMENT,
			            "a partition lists more replicas than there are live brokers");
		if (nb <= 0 || (i > 0 && nb != a[0].BrokerIds.count))
			return adm_fail(m, mlen, KERR_INVALID_REPLICA_ASSIGNMENT,
			            "every partition needs the same, non-zero number of replicas");
		for (int k = 0; k < nb; k++) {
			if (!md_broker_live(md, b[k]))
				return adm_fail(m, mlen, KERR_INVALID_REPLICA_ASSIGNMENT,
				            "the assignment names a broker that is not alive");
			for (int j = 0; j < k; j++)
				if (b[j] == b[k])
					return adm_fail(m, mlen, KERR_INVALID_REPLICA_ASSIGNMENT,
					            "a partition lists the same broker twice");
		}
		parts[idx] = (struct md_partition){.id = idx, .nreplicas = nb, .state_version = -1,
		                                   .replicas = kb_calloc((size_t)nb, sizeof(int32_t))};
		memcpy(parts[idx].replicas, b, (size_t)nb * sizeof(int32_t));
	}
	return 0;
}

