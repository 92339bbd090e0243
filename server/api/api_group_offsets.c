/* api_group_offsets.c — OffsetCommit (key 8), OffsetFetch (9), DescribeGroups (15),
 * ListGroups (16), DeleteGroups (42), OffsetDelete (47), on group/'s coordinator.
 *
 * OffsetCommit: partitions of topics the cluster does not have get UNKNOWN_TOPIC_OR_PARTITION
 * (Kafka 3.9 checks its metadata cache the same way); the rest go to the coordinator, which
 * answers at once or after the commit's append is replicated (api_group.h's waits).
 * OffsetFetch: v0-1 report a group error in every partition, v2-7 at the top, v8 per group;
 * null topics (v2+) mean every committed offset of the group. RequireStable (v7+): a partition
 * whose commit is not settled (a transactional one pending its marker, or an OffsetCommit
 * still being appended; group_offset_unstable) gets UNSTABLE_OFFSET_COMMIT with offset -1, as
 * Kafka's getOffsets answers it.
 * DescribeGroups: an unknown group is Dead with no members and no error (Kafka 3.9, classic).
 * ListGroups: every loaded coordinator of this broker; COORDINATOR_LOAD_IN_PROGRESS while one
 * loads, with the groups known so far.
 *
 * Authorization (Kafka 3.9's KafkaApis): the group's operation in group_coord_of
 * (GROUP_AUTHORIZATION_FAILED); per topic, once per topic: OffsetCommit and OffsetDelete READ,
 * OffsetFetch DESCRIBE (TOPIC_AUTHORIZATION_FAILED for its partitions; topics it may not
 * describe are left out when every offset is asked for). DescribeGroups fills
 * AuthorizedOperations (v3+) when asked; ListGroups lists every group with DESCRIBE on the
 * cluster, else only the groups the principal may DESCRIBE.
 */
#include "api_group.h"

#include "../../common/limits.h"
#include "../../net/kp_msgs.h"
#include "../coordsvc/gsvc.h"
#include "../replica/partition.h"
#include "api_authz.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- OffsetCommit ---------------------------------------------------------------------------- */

enum handler_result handle_offset_commit(struct kreq *r)
{
	const struct OffsetCommitRequest *req = r->req;
	struct OffsetCommitResponse *resp = r->resp;
	const struct OffsetCommitRequestTopic *in = req->Topics.elems;
	struct OffsetCommitResponseTopic *out =
	        kreq_array(r, &resp->Topics, req->Topics.count, sizeof(*out));
	if (!out && req->Topics.count > 0)
		return H_CLOSE;
	int total = 0;
	for (int t = 0; t < req->Topics.count; t++) {
		out[t].Name = in[t].Name;
		if (!kreq_array(r, &out[t].Partitions, in[t].Partitions.count,
		                sizeof(struct OffsetCommitResponsePartition)) &&
		    in[t].Partitions.count > 0)
			return H_CLOSE;
		total += KB_MAX(in[t].Partitions.count, 0);
	}
	struct group_coord *c;
	int16_t gerr = group_coord_of(r, req->GroupId, &c);
	struct group_commit_part *parts = arena_alloc(&r->arena, (size_t)(total + 1) * sizeof(*parts));
	int16_t **where = arena_alloc(&r->arena, (size_t)(total + 1) * sizeof(*where));
	int16_t *errors = arena_alloc(&r->arena, (size_t)(total + 1) * sizeof(*errors));
	if (!parts || !where || !errors)
		return H_CLOSE;
	int n = 0;
	for (int t = 0; t < req->Topics.count; t++) {
		const struct OffsetCommitRequestPartition *pi = in[t].Partitions.elems;
		struct OffsetCommitResponsePartition *po = out[t].Partitions.elems;
		int16_t denied = gerr ? gerr : az_topic(r, ACL_OP_READ, in[t].Name);
		for (int k = 0; k < in[t].Partitions.count; k++) {
			po[k].PartitionIndex = pi[k].PartitionIndex;
			po[k].ErrorCode = denied;
			if (denied != KERR_NONE)
				continue;
			if (!pm_topic_known(r->b, in[t].Name, pi[k].PartitionIndex)) {
				po[k].ErrorCode = KERR_UNKNOWN_TOPIC_OR_PARTITION;
				continue;
			}
			parts[n] = (struct group_commit_part){
			        .topic = in[t].Name, .partition = pi[k].PartitionIndex,
			        .offset = pi[k].CommittedOffset,
			        .leader_epoch = r->version >= 6 ? pi[k].CommittedLeaderEpoch : -1,
			        .metadata = pi[k].CommittedMetadata,
			        .commit_timestamp = r->version == 1 ? pi[k].CommitTimestamp : -1};
			where[n++] = &po[k].ErrorCode;
		}
	}
	if (gerr != KERR_NONE || n == 0)
		return H_RESPOND;
	struct group_commit_req cr = {
	        .group_id = req->GroupId,
	        .member_id = r->version >= 1 ? req->MemberId : KP_STR_LIT(""),
	        .instance_id = r->version >= 7 ? req->GroupInstanceId : KP_STR_NULL,
	        .generation_id = r->version >= 1 ? req->GenerationIdOrMemberEpoch : -1,
	        .retention_ms = r->version >= 2 && r->version <= 4 ? req->RetentionTimeMs : -1,
	        .nparts = n, .parts = parts};
	struct gwait *w = gwait_new(r, GW_COMMIT);
	w->errors = errors;
	w->out = where;
	w->n = n;
	int pending = group_commit(c, &cr, errors, w);
	gsvc_done(r->b, req->GroupId);
	for (int i = 0; i < n; i++)
		*where[i] = errors[i];
	if (!pending)
		w->answered = true; /* the whole answer is in errors */
	return gwait_settle(w);
}

/* ---- OffsetFetch ------------------------------------------------------------------------------ */

/* v0-7 and v8 use differently named but identical structs: one filler serves both. */
_Static_assert(sizeof(struct OffsetFetchResponsePartition) ==
                       sizeof(struct OffsetFetchResponsePartitions) &&
               offsetof(struct OffsetFetchResponsePartition, ErrorCode) ==
                       offsetof(struct OffsetFetchResponsePartitions, ErrorCode) &&
               offsetof(struct OffsetFetchResponsePartition, Metadata) ==
                       offsetof(struct OffsetFetchResponsePartitions, Metadata),
               "OffsetFetch partition layouts");
_Static_assert(sizeof(struct OffsetFetchResponseTopic) == sizeof(struct OffsetFetchResponseTopics) &&
               sizeof(struct OffsetFetchRequestTopic) == sizeof(struct OffsetFetchRequestTopics),
               "OffsetFetch topic layouts");

typedef struct OffsetFetchResponsePartitions ofpart;

static void fill_part(ofpart *p, int32_t idx, const struct group_offset *o, bool unstable)
{
	*p = (ofpart){.PartitionIndex = idx, .CommittedOffset = -1, .CommittedLeaderEpoch = -1,
	              .Metadata = KP_STR_LIT(""),
	              .ErrorCode = unstable ? KERR_UNSTABLE_OFFSET_COMMIT : KERR_NONE};
	if (o && !unstable) {
		p->CommittedOffset = o->offset;
		p->CommittedLeaderEpoch = o->leader_epoch;
		p->Metadata = o->metadata.len < 0 ? KP_STR_LIT("") : o->metadata;
	}
}

struct all_offsets {
	struct kreq *r;
	struct group_offset *v;
	int n, cap;
	bool oom;
};

static void collect(void *arg, const struct group_offset *o)
{
	struct all_offsets *a = arg;
	if (a->oom || a->n >= a->cap)
		return;
	/* Once per partition, not per topic: the cost falls only on an authorizer's brokers
	 * (authz_allowed is one branch without one). */
	if (az_topic(a->r, ACL_OP_DESCRIBE, o->topic))
		return; /* left out, as Kafka when every offset is asked for */
	a->v[a->n] = *o;
	if (!kreq_copy_str(a->r, &a->v[a->n].topic) || !kreq_copy_str(a->r, &a->v[a->n].metadata))
		a->oom = true;
	a->n++;
}

static int by_topic_partition(const void *x, const void *y)
{
	const struct group_offset *a = x, *b = y;
	int32_t n = KB_MIN(a->topic.len, b->topic.len);
	int c = memcmp(a->topic.ptr, b->topic.ptr, (size_t)n);
	if (c || a->topic.len != b->topic.len)
		return c ? c : (a->topic.len < b->topic.len ? -1 : 1);
	return (a->partition > b->partition) - (a->partition < b->partition);
}

/* Every committed offset of the group, grouped by topic. -1: the response does not fit. */
static int fetch_all(struct kreq *r, struct group_coord *c, struct kp_str group,
                     struct kp_array *topics, bool require_stable)
{
	struct all_offsets a = {.r = r};
	a.cap = group_offset_foreach(c, group, NULL, NULL);
	a.v = arena_alloc(&r->arena, (size_t)(a.cap + 1) * sizeof(*a.v));
	if (!a.v)
		return -1;
	group_offset_foreach(c, group, collect, &a);
	if (a.oom)
		return -1;
	qsort(a.v, (size_t)a.n, sizeof(*a.v), by_topic_partition);
	int nt = 0;
	for (int i = 0; i < a.n; i++)
		nt += i == 0 || !kp_str_eq(a.v[i].topic, a.v[i - 1].topic);
	struct OffsetFetchResponseTopics *out = kreq_array(r, topics, nt, sizeof(*out));
	if (!out && nt > 0)
		return -1;
	for (int i = 0, t = -1; i < a.n; i++) {
		if (i == 0 || !kp_str_eq(a.v[i].topic, a.v[i - 1].topic)) {
			int k = i;
			while (k < a.n && kp_str_eq(a.v[k].topic, a.v[i].topic))
				k++;
			out[++t].Name = a.v[i].topic;
			if (!kreq_array(r, &out[t].Partitions, k - i, sizeof(ofpart)))
				return -1;
			out[t].Partitions.count = 0;
		}
		ofpart *p = out[t].Partitions.elems;
		bool unstable = require_stable &&
		                group_offset_unstable(c, group, a.v[i].topic, a.v[i].partition);
		fill_part(&p[out[t].Partitions.count++], a.v[i].partition, &a.v[i], unstable);
	}
	return 0;
}

/* One group's offsets into `topics`; returns the group's error (also written into every
 * requested partition when per_partition_errors, as v0-1 report it). -1 in *fit: too big. */
static int16_t fetch_group(struct kreq *r, struct kp_str group, const struct kp_array *req_topics,
                           struct kp_array *topics, bool per_partition_errors, bool *fit)
{
	const struct OffsetFetchRequest *req = r->req;
	bool stable = r->version >= 7 && req->RequireStable;
	struct group_coord *c;
	int16_t err = group_coord_of(r, group, &c);
	*fit = true;
	topics->count = 0;
	if (err == KERR_NONE && req_topics->count < 0) {
		*fit = fetch_all(r, c, group, topics, stable) == 0;
		return err;
	}
	if (err != KERR_NONE && !per_partition_errors)
		return err;
	const struct OffsetFetchRequestTopics *in = req_topics->elems;
	struct OffsetFetchResponseTopics *out =
	        kreq_array(r, topics, KB_MAX(req_topics->count, 0), sizeof(*out));
	if (!out && req_topics->count > 0) {
		*fit = false;
		return err;
	}
	for (int t = 0; t < req_topics->count; t++) {
		const int32_t *idx = in[t].PartitionIndexes.elems;
		out[t].Name = in[t].Name;
		ofpart *p = kreq_array(r, &out[t].Partitions, in[t].PartitionIndexes.count, sizeof(*p));
		if (!p && in[t].PartitionIndexes.count > 0) {
			*fit = false;
			return err;
		}
		int16_t denied = err == KERR_NONE ? az_topic(r, ACL_OP_DESCRIBE, in[t].Name) : 0;
		for (int k = 0; denied && k < in[t].PartitionIndexes.count; k++) {
			fill_part(&p[k], idx[k], NULL, false);
			p[k].ErrorCode = denied;
		}
		for (int k = 0; !denied && k < in[t].PartitionIndexes.count; k++) {
			struct group_offset o;
			bool have = err == KERR_NONE && group_offset_get(c, group, in[t].Name, idx[k], &o);
			bool unstable = err == KERR_NONE && stable &&
			                group_offset_unstable(c, group, in[t].Name, idx[k]);
			fill_part(&p[k], idx[k], have ? &o : NULL, unstable);
			if (!unstable)
				p[k].ErrorCode = err;
		}
	}
	return err;
}

enum handler_result handle_offset_fetch(struct kreq *r)
{
	const struct OffsetFetchRequest *req = r->req;
	struct OffsetFetchResponse *resp = r->resp;
	bool fit;
	if (r->version < 8) {
		struct kp_array topics = req->Topics;
		if (r->version < 2 && topics.count < 0)
			topics.count = 0;
		int16_t err = fetch_group(r, req->GroupId, &topics, &resp->Topics, r->version < 2, &fit);
		if (r->version >= 2)
			resp->ErrorCode = err;
		return fit ? H_RESPOND : H_CLOSE;
	}
	const struct OffsetFetchRequestGroup *in = req->Groups.elems;
	struct OffsetFetchResponseGroup *out =
	        kreq_array(r, &resp->Groups, req->Groups.count, sizeof(*out));
	if (!out && req->Groups.count > 0)
		return H_CLOSE;
	for (int g = 0; g < req->Groups.count; g++) {
		out[g].GroupId = in[g].GroupId;
		out[g].ErrorCode = fetch_group(r, in[g].GroupId, &in[g].Topics, &out[g].Topics, false,
		                               &fit);
		if (!fit)
			return H_CLOSE;
	}
	return H_RESPOND;
}

/* ---- DescribeGroups, ListGroups ----------------------------------------------------------------- */

static int describe_one(struct kreq *r, struct DescribedGroup *out, struct kp_str id)
{
	*out = (struct DescribedGroup){.GroupId = id, .GroupState = KP_STR_LIT("Dead"),
	                               .ProtocolType = KP_STR_LIT(""),
	                               .ProtocolData = KP_STR_LIT(""),
	                               .AuthorizedOperations = INT32_MIN};
	struct group_coord *c;
	out->ErrorCode = group_coord_of(r, id, &c); /* INVALID_GROUP_ID past the limit; "" is a
	                                              * group like any other here, as in Kafka */
	if (out->ErrorCode != KERR_NONE)
		return 0;
	const struct DescribeGroupsRequest *req = r->req;
	if (r->version >= 3 && req->IncludeAuthorizedOperations)
		out->AuthorizedOperations = authz_ops(r, ACL_RES_GROUP, id);
	struct group_view v;
	if (!group_describe(c, id, &v))
		return 0;
	out->GroupState = kp_str_c(group_state_name(v.state));
	out->ProtocolType = v.protocol_type;
	out->ProtocolData = v.protocol_name;
	if (!kreq_copy_str(r, &out->ProtocolType) || !kreq_copy_str(r, &out->ProtocolData))
		return -1;
	struct DescribedGroupMember *m = kreq_array(r, &out->Members, v.nmembers, sizeof(*m));
	if (!m && v.nmembers > 0)
		return -1;
	for (int i = 0; i < v.nmembers; i++) {
		const struct group_member_view *mv = &v.members[i];
		m[i] = (struct DescribedGroupMember){mv->member_id, mv->instance_id, mv->client_id,
		                                     mv->client_host, mv->metadata, mv->assignment};
		if (!kreq_copy_str(r, &m[i].MemberId) || !kreq_copy_str(r, &m[i].GroupInstanceId) ||
		    !kreq_copy_str(r, &m[i].ClientId) || !kreq_copy_str(r, &m[i].ClientHost) ||
		    !kreq_copy_bytes(r, &m[i].MemberMetadata) ||
		    !kreq_copy_bytes(r, &m[i].MemberAssignment))
			return -1;
	}
	return 0;
}

enum handler_result handle_describe_groups(struct kreq *r)
{
	const struct DescribeGroupsRequest *req = r->req;
	struct DescribeGroupsResponse *resp = r->resp;
	const struct kp_str *ids = req->Groups.elems;
	struct DescribedGroup *out = kreq_array(r, &resp->Groups, req->Groups.count, sizeof(*out));
	if (!out && req->Groups.count > 0)
		return H_CLOSE;
	for (int i = 0; i < req->Groups.count; i++)
		if (describe_one(r, &out[i], ids[i]) < 0)
			return H_CLOSE;
	return H_RESPOND;
}

struct list_ctx {
	struct kreq *r;
	const struct ListGroupsRequest *req;
	struct ListedGroup *out; /* NULL: counting */
	int n;
	bool oom;
	bool all; /* DESCRIBE on the cluster: every group, else those with DESCRIBE */
};

static bool state_wanted(const struct list_ctx *x, const char *state)
{
	const struct kp_str *f = x->req->StatesFilter.elems;
	if (x->r->version < 4 || x->req->StatesFilter.count <= 0)
		return true;
	for (int i = 0; i < x->req->StatesFilter.count; i++)
		if (f[i].len == (int32_t)strlen(state) && strncasecmp(f[i].ptr, state, (size_t)f[i].len) == 0)
			return true;
	return false;
}

static void list_group(void *arg, const struct group_view *g)
{
	struct list_ctx *x = arg;
	const char *state = group_state_name(g->state);
	if (!state_wanted(x, state) || (!x->all && az_group(x->r, ACL_OP_DESCRIBE, g->group_id)))
		return;
	if (x->out) {
		struct ListedGroup *l = &x->out[x->n];
		*l = (struct ListedGroup){g->group_id, g->protocol_type, kp_str_c(state),
		                          KP_STR_LIT("classic")};
		if (!kreq_copy_str(x->r, &l->GroupId) || !kreq_copy_str(x->r, &l->ProtocolType))
			x->oom = true;
	}
	x->n++;
}

static void list_coord(void *arg, struct group_coord *c)
{
	group_foreach(c, list_group, arg);
}

enum handler_result handle_list_groups(struct kreq *r)
{
	struct ListGroupsResponse *resp = r->resp;
	struct list_ctx x = {.r = r, .req = r->req, .all = az_cluster_ok(r, ACL_OP_DESCRIBE)};
	gsvc_foreach(r->b, list_coord, &x);
	int total = x.n;
	x.out = kreq_array(r, &resp->Groups, total, sizeof(*x.out));
	if (!x.out && total > 0)
		return H_CLOSE;
	x.n = 0;
	gsvc_foreach(r->b, list_coord, &x);
	if (x.oom || x.n != total)
		return H_CLOSE;
	resp->ErrorCode = gsvc_loading(r->b) ? KERR_COORDINATOR_LOAD_IN_PROGRESS : KERR_NONE;
	return H_RESPOND;
}

/* ---- DeleteGroups, OffsetDelete --------------------------------------------------------------- */

enum handler_result handle_delete_groups(struct kreq *r)
{
	const struct DeleteGroupsRequest *req = r->req;
	struct DeleteGroupsResponse *resp = r->resp;
	const struct kp_str *ids = req->GroupsNames.elems;
	struct DeletableGroupResult *out =
	        kreq_array(r, &resp->Results, req->GroupsNames.count, sizeof(*out));
	if (!out && req->GroupsNames.count > 0)
		return H_CLOSE;
	for (int i = 0; i < req->GroupsNames.count; i++) {
		struct group_coord *c;
		out[i].GroupId = ids[i];
		out[i].ErrorCode = group_coord_of(r, ids[i], &c);
		if (out[i].ErrorCode == KERR_NONE) {
			out[i].ErrorCode = group_delete(c, ids[i]);
			gsvc_done(r->b, ids[i]);
		}
	}
	return H_RESPOND;
}

enum handler_result handle_offset_delete(struct kreq *r)
{
	const struct OffsetDeleteRequest *req = r->req;
	struct OffsetDeleteResponse *resp = r->resp;
	const struct OffsetDeleteRequestTopic *in = req->Topics.elems;
	struct group_coord *c;
	resp->ErrorCode = group_coord_of(r, req->GroupId, &c);
	if (resp->ErrorCode != KERR_NONE)
		return H_RESPOND;
	int total = 0;
	for (int t = 0; t < req->Topics.count; t++)
		total += KB_MAX(in[t].Partitions.count, 0);
	struct group_offset_delete_part *parts =
	        arena_alloc(&r->arena, (size_t)(total + 1) * sizeof(*parts));
	struct OffsetDeleteResponseTopic *out =
	        kreq_array(r, &resp->Topics, req->Topics.count, sizeof(*out));
	if (!parts || (!out && req->Topics.count > 0))
		return H_CLOSE;
	int16_t *denied = arena_alloc(&r->arena, sizeof(*denied) * ((size_t)req->Topics.count + 1));
	if (!denied)
		return H_CLOSE;
	int n = 0;
	for (int t = 0; t < req->Topics.count; t++) {
		const struct OffsetDeleteRequestPartition *pi = in[t].Partitions.elems;
		denied[t] = az_topic(r, ACL_OP_READ, in[t].Name); /* its offsets are not touched */
		for (int k = 0; !denied[t] && k < in[t].Partitions.count; k++)
			parts[n++] = (struct group_offset_delete_part){in[t].Name, pi[k].PartitionIndex,
			                                               KERR_NONE};
	}
	resp->ErrorCode = group_offset_delete(c, req->GroupId, parts, n);
	gsvc_done(r->b, req->GroupId);
	if (resp->ErrorCode != KERR_NONE) {
		resp->Topics.count = 0;
		return H_RESPOND;
	}
	n = 0;
	for (int t = 0; t < req->Topics.count; t++) {
		const struct OffsetDeleteRequestPartition *pi = in[t].Partitions.elems;
		out[t].Name = in[t].Name;
		struct OffsetDeleteResponsePartition *po =
		        kreq_array(r, &out[t].Partitions, in[t].Partitions.count, sizeof(*po));
		if (!po && in[t].Partitions.count > 0)
			return H_CLOSE;
		for (int k = 0; denied[t] && k < in[t].Partitions.count; k++)
			po[k] = (struct OffsetDeleteResponsePartition){pi[k].PartitionIndex, denied[t]};
		for (int k = 0; !denied[t] && k < in[t].Partitions.count; k++, n++) {
			po[k].PartitionIndex = pi[k].PartitionIndex;
			po[k].ErrorCode = pm_topic_known(r->b, in[t].Name, pi[k].PartitionIndex)
			                          ? parts[n].error
			                          : KERR_UNKNOWN_TOPIC_OR_PARTITION;
		}
	}
	return H_RESPOND;
}
