/* kadmin_groups_rpc.c — the calls behind `kadmin groups`: FindCoordinator and the retried
 * coordinator call, DescribeGroups, OffsetFetch, and ListOffsets on partition leaders (see
 * kadmin_groups.h). */
#include "kadmin_groups.h"

#include "../common/kerr.h"
#include "../net/kp_msgs.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KG_RETRY_MS 200

static bool coordinator_error(int16_t code)
{
	return code == KERR_COORDINATOR_NOT_AVAILABLE || code == KERR_COORDINATOR_LOAD_IN_PROGRESS ||
	       code == KERR_NOT_COORDINATOR;
}

static void pause_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* A connection to some live broker: the view's own (bootstrap) connection while it is usable,
 * else the first broker of the view that accepts one. *owned: the caller frees it. */
static int any_broker(const struct kadmin *ka, struct view *v, struct outclient **oc,
                      bool *owned, char *err, size_t errlen)
{
	*owned = false;
	if (v->oc && outclient_ready(v->oc)) {
		*oc = v->oc;
		return 0;
	}
	*owned = true;
	snprintf(err, errlen, "no live broker");
	for (int i = 0; i < v->md->nbrokers; i++)
		if (view_node(ka, v, v->md->brokers[i].id, oc, err, errlen) == 0)
			return 0;
	return -1;
}

/* FindCoordinator (key type 0: group, 1: transactional id). Returns KERR_NONE with
 * node/host/port, a Kafka error code from the broker, or -1 when no broker could be asked (err
 * set). */
static int find_coordinator(const struct kadmin *ka, struct view *v, int8_t key_type,
                            const char *group, int32_t *node, char *host, size_t hostlen,
                            int32_t *port, char *err, size_t errlen)
{
	struct outclient *oc;
	bool owned;
	if (any_broker(ka, v, &oc, &owned, err, errlen) < 0)
		return -1;
	struct kp_str key = kp_str_c(group);
	struct FindCoordinatorRequest req;
	kp_set_defaults(&kp_FindCoordinatorRequest, &req);
	req.Key = key;
	req.KeyType = key_type;
	req.CoordinatorKeys = (struct kp_array){&key, 1};
	struct FindCoordinatorResponse resp;
	struct outclient_reply *reply = NULL;
	int rc = kadmin_call(oc, KP_API_FIND_COORDINATOR, 0, &req, &resp, &reply, err, errlen);
	if (rc == 0) {
		struct Coordinator c = {key, resp.NodeId, resp.Host, resp.Port, resp.ErrorCode,
		                        resp.ErrorMessage};
		if (reply->version >= 4 && resp.Coordinators.count == 1)
			c = *(const struct Coordinator *)resp.Coordinators.elems;
		else if (reply->version >= 4)
			c.ErrorCode = KERR_COORDINATOR_NOT_AVAILABLE;
		rc = c.ErrorCode;
		if (rc == KERR_NONE) {
			*node = c.NodeId;
			*port = c.Port;
			snprintf(host, hostlen, "%.*s", c.Host.len > 0 ? c.Host.len : 0,
			         c.Host.len > 0 ? c.Host.ptr : "");
		} else {
			snprintf(err, errlen, "FindCoordinator: %s", kerr_name(rc));
		}
	}
	outclient_reply_free(reply);
	if (owned)
		outclient_free(oc);
	return rc;
}

static int connect_coordinator(const struct kadmin *ka, const char *host, int32_t port,
                               struct outclient **oc, char *err, size_t errlen)
{
	char hp[320];
	bool v6 = strchr(host, ':') != NULL;
	snprintf(hp, sizeof(hp), "%s%s%s:%d", v6 ? "[" : "", host, v6 ? "]" : "", port);
	return kadmin_connect(ka, hp, oc, err, errlen);
}

int kg_coord_call(const struct kadmin *ka, struct view *v, const char *group, int16_t key,
                  int16_t vmin, const void *req, void *resp, struct outclient_reply **reply,
                  int16_t *version, int32_t *coordinator, kg_resp_error_fn resp_error,
                  char *err, size_t errlen)
{
	return kg_coord_call_type(ka, v, 0, group, key, vmin, req, resp, reply, version,
	                          coordinator, resp_error, err, errlen);
}

int kg_coord_call_type(const struct kadmin *ka, struct view *v, int8_t key_type,
                       const char *group, int16_t key, int16_t vmin, const void *req,
                       void *resp, struct outclient_reply **reply, int16_t *version,
                       int32_t *coordinator, kg_resp_error_fn resp_error, char *err,
                       size_t errlen)
{
	int64_t deadline = kb_mono_ms() + ka->timeout_ms;
	*reply = NULL;
	for (;;) {
		int32_t node = -1, port = 0;
		char host[256];
		struct outclient *oc = NULL;
		int rc = find_coordinator(ka, v, key_type, group, &node, host, sizeof(host), &port, err,
		                          errlen);
		if (rc > 0 && !coordinator_error((int16_t)rc))
			return -1; /* e.g. INVALID_GROUP_ID */
		if (rc == KERR_NONE && connect_coordinator(ka, host, port, &oc, err, errlen) == 0) {
			if (outclient_version(oc, key, vmin, KP_VMAX) < 0) {
				snprintf(err, errlen, "broker %d does not serve %s v%d+", node,
				         kp_api_find(key)->name, vmin);
				outclient_free(oc);
				return -1;
			}
			if (kadmin_call(oc, key, vmin, req, resp, reply, err, errlen) == 0) {
				*version = (*reply)->version;
				int16_t code = resp_error ? resp_error(resp, *version) : KERR_NONE;
				if (!coordinator_error(code)) {
					if (coordinator)
						*coordinator = node;
					outclient_free(oc);
					return 0;
				}
				snprintf(err, errlen, "coordinator %d: %s", node, kerr_name(code));
				outclient_reply_free(*reply);
				*reply = NULL;
			}
		}
		outclient_free(oc);
		if (kb_mono_ms() + KG_RETRY_MS > deadline) {
			size_t n = strlen(err);
			snprintf(err + n, errlen - n, " (gave up after --timeout-ms %d)", ka->timeout_ms);
			return -1;
		}
		pause_ms(KG_RETRY_MS);
	}
}

/* ---- DescribeGroups -------------------------------------------------------------------------- */

static char *dup_str(struct kp_str s)
{
	return s.len >= 0 ? kb_strndup(s.ptr, (size_t)s.len) : NULL;
}

static int16_t describe_error(const void *resp, int16_t version)
{
	KB_UNUSED(version);
	const struct DescribeGroupsResponse *r = resp;
	return r->Groups.count == 1 ? ((const struct DescribedGroup *)r->Groups.elems)->ErrorCode
	                            : KERR_NONE;
}

static void copy_member(struct kg_member *m, const struct DescribedGroupMember *dm,
                        bool consumer)
{
	m->member_id = dup_str(dm->MemberId);
	m->instance_id = dup_str(dm->GroupInstanceId);
	m->client_id = dup_str(dm->ClientId);
	m->host = dup_str(dm->ClientHost);
	if (!consumer || dm->MemberAssignment.len < 0)
		return;
	/* the decoded topic names point into `raw`, which outlives the reply */
	m->raw = kb_malloc((size_t)dm->MemberAssignment.len + 1);
	memcpy(m->raw, dm->MemberAssignment.ptr, (size_t)dm->MemberAssignment.len);
	if (kg_decode_assignment(m->raw, (size_t)dm->MemberAssignment.len, &m->as) == 0)
		m->assignment = kg_assignment_str(&m->as);
	else
		m->assignment = kb_strdup("(undecodable)");
}

int kg_describe_group(const struct kadmin *ka, struct view *v, const char *group,
                      struct kg_group *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct kp_str name = kp_str_c(group);
	struct DescribeGroupsRequest req;
	kp_set_defaults(&kp_DescribeGroupsRequest, &req);
	req.Groups = (struct kp_array){&name, 1};
	struct DescribeGroupsResponse resp;
	struct outclient_reply *reply;
	int16_t ver;
	if (kg_coord_call(ka, v, group, KP_API_DESCRIBE_GROUPS, 0, &req, &resp, &reply, &ver,
	                  &out->coordinator, describe_error, err, errlen) < 0)
		return -1;
	int rc = -1;
	const struct DescribedGroup *g = resp.Groups.count == 1 ? resp.Groups.elems : NULL;
	if (!g)
		snprintf(err, errlen, "malformed DescribeGroups response");
	else if (g->ErrorCode != KERR_NONE)
		snprintf(err, errlen, "group '%s': %s", group, kerr_name(g->ErrorCode));
	else
		rc = 0;
	if (rc == 0) {
		out->state = dup_str(g->GroupState);
		out->protocol_type = dup_str(g->ProtocolType);
		out->protocol = dup_str(g->ProtocolData);
		bool consumer = kp_str_eq_c(g->ProtocolType, "consumer");
		const struct DescribedGroupMember *dm = g->Members.elems;
		out->nmembers = g->Members.count > 0 ? g->Members.count : 0;
		out->members = kb_calloc((size_t)out->nmembers + 1, sizeof(*out->members));
		for (int i = 0; i < out->nmembers; i++)
			copy_member(&out->members[i], &dm[i], consumer);
	}
	outclient_reply_free(reply);
	return rc;
}

void kg_group_free(struct kg_group *g)
{
	for (int i = 0; i < g->nmembers; i++) {
		struct kg_member *m = &g->members[i];
		kb_free(m->member_id);
		kb_free(m->instance_id);
		kb_free(m->client_id);
		kb_free(m->host);
		kb_free(m->assignment);
		kg_assignment_free(&m->as);
		kb_free(m->raw);
	}
	kb_free(g->members);
	kb_free(g->state);
	kb_free(g->protocol_type);
	kb_free(g->protocol);
	memset(g, 0, sizeof(*g));
}

/* ---- OffsetFetch ------------------------------------------------------------------------------- */

static int16_t fetch_error(const void *resp, int16_t version)
{
	const struct OffsetFetchResponse *r = resp;
	if (version < 8)
		return r->ErrorCode;
	return r->Groups.count == 1 ? ((const struct OffsetFetchResponseGroup *)r->Groups.elems)->ErrorCode
	                            : KERR_NONE;
}

static void add_commit(struct kg_part **parts, int *n, struct kp_str topic, int32_t partition,
                       int64_t offset, int16_t error)
{
	if (error != KERR_NONE || offset < 0)
		return;
	char *t = dup_str(topic);
	kg_part_add(parts, n, t ? t : "", partition)->committed = offset;
	kb_free(t);
}

int kg_fetch_offsets(const struct kadmin *ka, struct view *v, const char *group,
                     struct kg_part **parts, int *nparts, char *err, size_t errlen)
{
	struct OffsetFetchRequestGroup g = {kp_str_c(group), KP_STR_NULL, -1, {NULL, -1}};
	struct OffsetFetchRequest req;
	kp_set_defaults(&kp_OffsetFetchRequest, &req);
	req.GroupId = kp_str_c(group);
	req.Topics = (struct kp_array){NULL, -1}; /* v2+: every committed partition */
	req.Groups = (struct kp_array){&g, 1};
	req.RequireStable = false;
	struct OffsetFetchResponse resp;
	struct outclient_reply *reply;
	int16_t ver;
	if (kg_coord_call(ka, v, group, KP_API_OFFSET_FETCH, 2, &req, &resp, &reply, &ver, NULL,
	                  fetch_error, err, errlen) < 0)
		return -1;
	int16_t code = fetch_error(&resp, ver);
	if (code != KERR_NONE) {
		snprintf(err, errlen, "OffsetFetch for group '%s': %s", group, kerr_name(code));
		outclient_reply_free(reply);
		return -1;
	}
	if (ver < 8) {
		const struct OffsetFetchResponseTopic *t = resp.Topics.elems;
		for (int i = 0; i < resp.Topics.count; i++) {
			const struct OffsetFetchResponsePartition *p = t[i].Partitions.elems;
			for (int k = 0; k < t[i].Partitions.count; k++)
				add_commit(parts, nparts, t[i].Name, p[k].PartitionIndex, p[k].CommittedOffset,
				           p[k].ErrorCode);
		}
	} else if (resp.Groups.count == 1) {
		const struct OffsetFetchResponseGroup *rg = resp.Groups.elems;
		const struct OffsetFetchResponseTopics *t = rg->Topics.elems;
		for (int i = 0; i < rg->Topics.count; i++) {
			const struct OffsetFetchResponsePartitions *p = t[i].Partitions.elems;
			for (int k = 0; k < t[i].Partitions.count; k++)
				add_commit(parts, nparts, t[i].Name, p[k].PartitionIndex, p[k].CommittedOffset,
				           p[k].ErrorCode);
		}
	}
	outclient_reply_free(reply);
	return 0;
}

/* ---- ListOffsets --------------------------------------------------------------------------------- */

static void store_offset(struct kg_part *p, int64_t timestamp, int64_t offset)
{
	if (timestamp == -1)
		p->end = offset;
	else if (timestamp == -2)
		p->start = offset;
	else
		p->by_time = offset;
}

static int leader_of(const struct md_cache *md, const struct kg_part *p)
{
	const struct md_topic *t = md_find_topic(md, p->topic);
	const struct md_partition *mp = t ? md_topic_partition(t, p->partition) : NULL;
	if (!mp)
		return -2;
	return mp->has_state ? mp->state.leader : -1;
}

/* One ListOffsets request to `leader` for every part it leads (leaders[i] == leader). */
static void list_on_leader(const struct kadmin *ka, struct view *v, int32_t leader,
                           struct kg_part *parts, int n, const int32_t *leaders,
                           int64_t timestamp)
{
	struct ListOffsetsTopic *topics = kb_calloc((size_t)n + 1, sizeof(*topics));
	struct ListOffsetsPartition *lp = kb_calloc((size_t)n + 1, sizeof(*lp));
	int nt = 0, np = 0;
	for (int i = 0; i < n; i++) {
		if (leaders[i] != leader)
			continue;
		/* one ListOffsetsTopic per run of the same topic (parts are sorted) */
		if (nt == 0 || !kp_str_eq_c(topics[nt - 1].Name, parts[i].topic))
			topics[nt++] = (struct ListOffsetsTopic){kp_str_c(parts[i].topic), {&lp[np], 0}};
		lp[np++] = (struct ListOffsetsPartition){parts[i].partition, -1, timestamp, 1};
		topics[nt - 1].Partitions.count++;
	}
	struct ListOffsetsRequest req = {-1, 0, {topics, nt}};
	struct ListOffsetsResponse resp;
	struct outclient_reply *reply = NULL;
	struct outclient *oc = NULL;
	char err[256];
	int16_t fail = KERR_NONE;
	if (view_node(ka, v, leader, &oc, err, sizeof(err)) < 0 ||
	    kadmin_call(oc, KP_API_LIST_OFFSETS, 1, &req, &resp, &reply, err, sizeof(err)) < 0)
		fail = KERR_NETWORK_EXCEPTION; /* the caller looks the leader up again */
	for (int i = 0; i < n; i++)
		if (leaders[i] == leader)
			parts[i].error = fail != KERR_NONE ? fail : KERR_UNKNOWN_TOPIC_OR_PARTITION;
	const struct ListOffsetsTopicResponse *t = fail == KERR_NONE ? resp.Topics.elems : NULL;
	for (int k = 0; t && k < resp.Topics.count; k++) {
		const struct ListOffsetsPartitionResponse *pr = t[k].Partitions.elems;
		for (int j = 0; j < t[k].Partitions.count; j++) {
			struct kg_part *p = kg_part_find(parts, n, t[k].Name, pr[j].PartitionIndex);
			if (!p || leaders[p - parts] != leader)
				continue; /* not asked of this broker */
			p->error = pr[j].ErrorCode;
			if (pr[j].ErrorCode == KERR_NONE)
				store_offset(p, timestamp, pr[j].Offset);
		}
	}
	outclient_reply_free(reply);
	outclient_free(oc);
	kb_free(topics);
	kb_free(lp);
}

/* Errors after which the partition's leader is looked up again (a leader moved or died). */
static bool leader_error(int16_t code)
{
	return code == KERR_NOT_LEADER_OR_FOLLOWER || code == KERR_LEADER_NOT_AVAILABLE ||
	       code == KERR_NETWORK_EXCEPTION || code == KERR_REQUEST_TIMED_OUT ||
	       code == KERR_FENCED_LEADER_EPOCH || code == KERR_UNKNOWN_LEADER_EPOCH ||
	       code == KERR_OFFSET_NOT_AVAILABLE;
}

/* One round over the parts still marked in `todo`; returns how many end with a leader
 * error (kept in todo for the next round). */
static int list_round(const struct kadmin *ka, struct view *v, struct kg_part *parts, int n,
                      int64_t timestamp, bool *todo, int32_t *leaders)
{
	for (int i = 0; i < n; i++) {
		leaders[i] = todo[i] ? leader_of(v->md, &parts[i]) : -3;
		if (leaders[i] == -2)
			parts[i].error = KERR_UNKNOWN_TOPIC_OR_PARTITION;
		else if (leaders[i] == -1)
			parts[i].error = KERR_LEADER_NOT_AVAILABLE;
	}
	for (int i = 0; i < n; i++) {
		if (leaders[i] < 0)
			continue;
		bool first = true; /* each leader once */
		for (int k = 0; k < i && first; k++)
			first = leaders[k] != leaders[i];
		if (first)
			list_on_leader(ka, v, leaders[i], parts, n, leaders, timestamp);
	}
	int again = 0;
	for (int i = 0; i < n; i++) {
		todo[i] = todo[i] && leader_error(parts[i].error);
		again += todo[i];
	}
	return again;
}

int kg_list_offsets(const struct kadmin *ka, struct view *v, struct kg_part *parts, int n,
                    int64_t timestamp)
{
	int64_t deadline = kb_mono_ms() + ka->timeout_ms;
	int32_t *leaders = kb_calloc((size_t)n + 1, sizeof(int32_t));
	bool *todo = kb_calloc((size_t)n + 1, sizeof(bool));
	for (int i = 0; i < n; i++)
		todo[i] = true;
	char err[256];
	while (list_round(ka, v, parts, n, timestamp, todo, leaders) > 0 &&
	       kb_mono_ms() + KG_RETRY_MS <= deadline) {
		pause_ms(KG_RETRY_MS);
		if (view_refresh(ka, v, err, sizeof(err)) < 0)
			break;
	}
	kb_free(todo);
	kb_free(leaders);
	return 0;
}
