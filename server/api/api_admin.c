/* api_admin.c — CreateTopics (19), DeleteTopics (20), ElectLeaders (43) and DescribeCluster
 * (60); CreatePartitions (37) is in api_partitions.c, shared helpers in api_admin_util.c.
 *
 * In ZooKeeper mode only the controller serves the first four; any other broker answers
 * NOT_CONTROLLER per item and clients retry at Metadata's controller_id. Writes are fenced by
 * the controller epoch. Answers wait (up to the request's timeout) until the cluster has
 * acted: new partitions have leaders, deleted topics are gone, elected leaders are written.
 *
 * Every quantity a request controls is bounded before anything is allocated or written
 * (common/limits.h): topics per request, partitions per topic and per request, replicas per
 * assignment, configs per topic and value lengths, the znode size of an assignment, and the
 * cluster's total (kbroker.max.partitions.per.cluster).
 *
 * Authorization (api_authz.h, Kafka 3.9's rules), after the controller check: CreateTopics
 * needs CREATE on the cluster or the topic (TOPIC_AUTHORIZATION_FAILED "Authorization
 * failed."), and returns a created topic's configs only with DESCRIBE_CONFIGS on it (else
 * TopicConfigErrorCode TOPIC_AUTHORIZATION_FAILED, v5+); DeleteTopics needs DELETE on the
 * topic, checked before its existence (by id: DESCRIBE too, the name stays null);
 * ElectLeaders ALTER on the cluster (CLUSTER_AUTHORIZATION_FAILED at the top and for each
 * partition named); DescribeCluster needs nothing, its ClusterAuthorizedOperations are 0
 * without DESCRIBE on the cluster. */
#include "api_admin.h"

#include "../../common/limits.h"
#include "../../common/say.h"
#include "../../conf/topic_conf.h"
#include "../core/admin_op.h"
#include "api_authz.h"

#include <string.h>

/* ---- CreateTopics ------------------------------------------------------------------------ */

struct create_state {
	int32_t timeout_ms;
	struct CreatableTopicResult *res;
	int n;
	bool *waiting;   /* written, waiting for leaders */
};

static void create_set_error(struct kreq *r, void *st, int idx, int16_t error, const char *m)
{
	struct create_state *s = st;
	s->res[idx].ErrorCode = error;
	s->res[idx].ErrorMessage = adm_msg(r, m);
	s->waiting[idx] = error == 0;
}

static bool created(struct kreq *r, void *st, int i)
{
	struct create_state *s = st;
	const struct md_cache *md = coord_metadata(r->b->coord);
	const struct md_topic *t = md_find_topic(md, adm_cstr(r, s->res[i].Name));
	if (!adm_topic_ready(r, md, t, s->res[i].NumPartitions))
		return false;
	memcpy(s->res[i].TopicId, t->topic_id, 16);
	return true;
}

static int16_t *create_error(void *st, int i)
{
	return &((struct create_state *)st)->res[i].ErrorCode;
}

static bool create_ready(struct kreq *r, void *st, bool timed_out)
{
	struct create_state *s = st;
	struct settle x = {s->waiting, s->n, s->timeout_ms, created, create_error};
	return adm_settle_items(r, st, &x, timed_out);
}

static bool duplicated(const struct CreatableTopic *in, int n, int i)
{
	for (int k = 0; k < n; k++)
		if (k != i && kp_str_eq(in[k].Name, in[i].Name))
			return true;
	return false;
}

static int16_t check_configs(struct kreq *r, const struct kp_array *cfg, char *m, size_t mlen)
{
	const struct CreatableTopicConfig *c = cfg->elems;
	if (cfg->count > KB_MAX_CONFIGS_PER_RESOURCE)
		return adm_fail(m, mlen, KERR_INVALID_REQUEST, "too many config entries for one topic");
	for (int i = 0; i < cfg->count; i++) {
		char err[256];
		if (c[i].Value.len > KB_MAX_CONFIG_VALUE_BYTES)
			return adm_fail(m, mlen, KERR_INVALID_CONFIG, "a config value is too long");
		for (int k = 0; k < i; k++)
			if (kp_str_eq(c[k].Name, c[i].Name))
				return adm_fail(m, mlen, KERR_INVALID_CONFIG, "a config key is given twice");
		if (c[i].Value.len < 0 ||
		    topic_conf_validate(adm_cstr(r, c[i].Name), adm_cstr(r, c[i].Value), err, sizeof(err)) < 0)
			return adm_fail(m, mlen, KERR_INVALID_CONFIG, c[i].Value.len < 0 ? "null value" : err);
	}
	struct conf_kv *kv = arena_alloc(&r->arena, sizeof(*kv) * ((size_t)cfg->count + 1));
	if (!kv)
		return adm_fail(m, mlen, KERR_INVALID_REQUEST, "out of request memory");
	for (int i = 0; i < cfg->count; i++)
		kv[i] = (struct conf_kv){adm_cstr(r, c[i].Name), adm_cstr(r, c[i].Value)};
	char err[256];
	if (topic_conf_validate_set(&r->b->cfg, kv, cfg->count, err, sizeof(err)) < 0)
		return adm_fail(m, mlen, KERR_INVALID_CONFIG, err);
	return 0;
}

/* Validates one topic of a CreateTopics request; on success *parts and *n hold its placement. */
static int16_t check_create(struct kreq *r, const struct CreatableTopic *t, const char *name,
                            struct budget *bud, struct md_partition **parts, int *n, char *m,
                            size_t mlen)
{
	const struct md_cache *md = coord_metadata(r->b->coord);
	*parts = NULL;
	*n = 0;
	const char *why = md_topic_name_invalid(name);
	if (why)
		return adm_fail(m, mlen, KERR_INVALID_TOPIC_EXCEPTION, why);
	if (md_find_topic(md, name))
		return adm_fail(m, mlen, KERR_TOPIC_ALREADY_EXISTS, "the topic already exists");
	for (int i = 0; i < md->ntopics; i++)
		if (md_topic_names_collide(md->topics[i].name, name))
			return adm_fail(m, mlen, KERR_INVALID_TOPIC_EXCEPTION,
			            "the name collides with an existing topic ('.' vs '_')");
	int16_t code = check_configs(r, &t->Configs, m, mlen);
	if (code)
		return code;
	if (t->Assignments.count > 0) {
		if (t->NumPartitions != -1 || t->ReplicationFactor != -1)
			return adm_fail(m, mlen, KERR_INVALID_REQUEST, "give either partitions and "
			            "replication factor, or an assignment, not both");
		code = adm_budget_check(bud, t->Assignments.count, t->Assignments.count, m, mlen);
		if (code)
			return code;
		*n = t->Assignments.count;
		code = adm_check_assignment(md, &t->Assignments, parts, m, mlen);
		return code ? code : adm_check_fits(*parts, *n, m, mlen);
	}
	int32_t np = t->NumPartitions == -1 && r->version >= 4 ? r->b->cfg.num_partitions
	                                                         : t->NumPartitions;
	int32_t rf = t->ReplicationFactor == -1 && r->version >= 4
	                     ? r->b->cfg.default_replication_factor : t->ReplicationFactor;
	if (np <= 0)
		return adm_fail(m, mlen, KERR_INVALID_PARTITIONS, "the partition count must be above 0");
	if (rf <= 0)
		return adm_fail(m, mlen, KERR_INVALID_REPLICATION_FACTOR,
		            "the replication factor must be above 0");
	code = adm_budget_check(bud, np, np, m, mlen);
	if (code)
		return code;
	char err[160];
	if (md_place(coord_metadata(r->b->coord), np, (int16_t)rf, -1, 0, parts, err, sizeof(err)) < 0)
		return adm_fail(m, mlen, KERR_INVALID_REPLICATION_FACTOR, err);
	*n = np;
	return adm_check_fits(*parts, np, m, mlen);
}

/* v5+: the created topic's partition count, replication factor and every config. */
static void describe_created(struct kreq *r, struct CreatableTopicResult *res,
                             const struct CreatableTopic *t, const struct md_partition *parts,
                             int n)
{
	res->NumPartitions = n;
	res->ReplicationFactor = (int16_t)(n > 0 ? parts[0].nreplicas : -1);
	const struct CreatableTopicConfig *c = t->Configs.elems;
	struct conf_kv *ov = arena_alloc(&r->arena, sizeof(*ov) * ((size_t)t->Configs.count + 1));
	struct CreatableTopicConfigs *out =
	        kreq_array(r, &res->Configs, (int32_t)topic_conf_nkeys, sizeof(*out));
	if (!ov || !out)
		return;
	for (int i = 0; i < t->Configs.count; i++)
		ov[i] = (struct conf_kv){adm_cstr(r, c[i].Name), adm_cstr(r, c[i].Value)};
	for (size_t i = 0; i < topic_conf_nkeys; i++) {
		char buf[KB_MAX_CONFIG_VALUE_BYTES + 1];
		int source;
		const char *v = topic_conf_value(&r->b->cfg, ov, t->Configs.count,
		                                 topic_conf_keys[i].name, buf, sizeof(buf), &source);
		out[i] = (struct CreatableTopicConfigs){
		        kp_str_c(topic_conf_keys[i].name),
		        v ? adm_msg(r, v) : KP_STR_NULL, false, (int8_t)source, false};
	}
}

static void config_entries(struct kreq *r, const struct kp_array *cfg,
                           struct md_config_entry **out, int *n)
{
	const struct CreatableTopicConfig *c = cfg->elems;
	*n = cfg->count;
	*out = arena_alloc(&r->arena, sizeof(**out) * ((size_t)*n + 1));
	for (int i = 0; *out && i < *n; i++)
		(*out)[i] = (struct md_config_entry){adm_cstr(r, c[i].Name), adm_cstr(r, c[i].Value)};
}

/* CREATE on the cluster (decided once per request), or on the topic. */
static bool may_create(struct kreq *r, bool cluster_create, struct kp_str name)
{
	return cluster_create || az_topic(r, ACL_OP_CREATE, name) == 0;
}

enum handler_result handle_create_topics(struct kreq *r)
{
	const struct CreateTopicsRequest *req = r->req;
	struct CreateTopicsResponse *resp = r->resp;
	const struct CreatableTopic *in = req->Topics.elems;
	int n = req->Topics.count;
	struct create_state *s = arena_alloc(&r->arena, sizeof(*s));
	s->res = kreq_array(r, &resp->Topics, n, sizeof(*s->res));
	s->waiting = arena_alloc(&r->arena, (size_t)n + 1);
	if (!s->res || !s->waiting)
		return H_CLOSE;
	s->n = n;
	s->timeout_ms = req->timeoutMs;
	struct admin_op *op = admin_op_new(r, req->timeoutMs, s, create_set_error, create_ready);
	bool controller = coord_is_controller(r->b->coord);
	bool too_many = n > KB_MAX_TOPICS_PER_ADMIN_REQUEST;
	bool cluster_create = az_cluster_ok(r, ACL_OP_CREATE);
	struct budget bud = adm_budget_new(r);
	for (int i = 0; i < n; i++) {
		struct CreatableTopicResult *res = &s->res[i];
		*res = (struct CreatableTopicResult){.Name = in[i].Name, .NumPartitions = -1,
		                                     .ReplicationFactor = -1, .Configs = {NULL, -1}};
		char m[256] = "", *name = adm_cstr(r, in[i].Name);
		struct md_partition *parts = NULL;
		int np = 0;
		int16_t code = !controller ? adm_fail(m, sizeof(m), KERR_NOT_CONTROLLER,
		                                  "this broker is not the controller")
		               : too_many ? adm_fail(m, sizeof(m), KERR_INVALID_REQUEST, ADM_TOO_MANY_TOPICS)
		               : duplicated(in, n, i) ? adm_fail(m, sizeof(m), KERR_INVALID_REQUEST,
		                                             "the topic is listed twice")
		               : !may_create(r, cluster_create, in[i].Name)
		                       ? adm_fail(m, sizeof(m), KERR_TOPIC_AUTHORIZATION_FAILED,
		                                  "Authorization failed.")
		                       : check_create(r, &in[i], name, &bud, &parts, &np, m, sizeof(m));
		if (code == 0)
			bud.granted += np;
		res->ErrorCode = code;
		res->ErrorMessage = code ? adm_msg(r, m) : KP_STR_NULL;
		/* v5+: the configs only with DESCRIBE_CONFIGS on the topic (Kafka's rule). */
		bool describe = az_topic(r, ACL_OP_DESCRIBE_CONFIGS, in[i].Name) == 0;
		if (!describe && code != KERR_TOPIC_AUTHORIZATION_FAILED)
			res->TopicConfigErrorCode = KERR_TOPIC_AUTHORIZATION_FAILED;
		if (code == 0) {
			if (describe)
				describe_created(r, res, &in[i], parts, np);
			if (!req->validateOnly) {
				void (*cb)(int16_t, const char *, void *);
				void *arg;
				uint8_t id[16];
				struct md_config_entry *cfg;
				int ncfg;
				md_uuid_generate(id);
				config_entries(r, &in[i].Configs, &cfg, &ncfg);
				struct zk_fence f = adm_fence(r);
				admin_op_write(op, i, &cb, &arg);
				topic_admin_create(coord_zk(r->b->coord), &f, name, parts, np, id, cfg, ncfg,
				                   cb, arg);
			}
		}
		md_parts_free(parts, np);
	}
	return admin_op_start(op);
}

/* ---- DeleteTopics ------------------------------------------------------------------------ */

struct delete_state {
	int32_t timeout_ms;
	struct DeletableTopicResult *res;
	char **names;
	bool *waiting;
	int n;
};

static void delete_set_error(struct kreq *r, void *st, int idx, int16_t error, const char *m)
{
	struct delete_state *s = st;
	s->res[idx].ErrorCode = error;
	s->res[idx].ErrorMessage = adm_msg(r, m);
	s->waiting[idx] = error == 0;
}

static bool deleted(struct kreq *r, void *st, int i)
{
	return !md_find_topic(coord_metadata(r->b->coord), ((struct delete_state *)st)->names[i]);
}

static int16_t *delete_error(void *st, int i)
{
	return &((struct delete_state *)st)->res[i].ErrorCode;
}

static bool delete_ready(struct kreq *r, void *st, bool timed_out)
{
	struct delete_state *s = st;
	struct settle x = {s->waiting, s->n, s->timeout_ms, deleted, delete_error};
	return adm_settle_items(r, st, &x, timed_out);
}

static const struct md_topic *topic_by_id(const struct md_cache *md, const uint8_t id[16])
{
	for (int i = 0; i < md->ntopics; i++)
		if (memcmp(md->topics[i].topic_id, id, 16) == 0)
			return &md->topics[i];
	return NULL;
}

/* v0-5 name topics in TopicNames; v6 in Topics, by name or by id. `refuse`: the request
 * names too many topics, answer INVALID_REQUEST without looking. */
static int16_t delete_target(struct kreq *r, int i, struct delete_state *s, bool refuse)
{
	const struct DeleteTopicsRequest *req = r->req;
	const struct md_cache *md = coord_metadata(r->b->coord);
	const struct md_topic *t = NULL;
	if (r->version >= 6) {
		const struct DeleteTopicState *in = req->Topics.elems;
		memcpy(s->res[i].TopicId, in[i].TopicId, 16);
		s->res[i].Name = in[i].Name;
		if (refuse)
			return KERR_INVALID_REQUEST;
		if (in[i].Name.len >= 0 && az_topic(r, ACL_OP_DELETE, in[i].Name))
			return KERR_TOPIC_AUTHORIZATION_FAILED; /* before existence: nothing leaks */
		t = in[i].Name.len >= 0 ? md_find_topic(md, adm_cstr(r, in[i].Name))
		                        : topic_by_id(md, in[i].TopicId);
		if (!t)
			return in[i].Name.len >= 0 ? KERR_UNKNOWN_TOPIC_OR_PARTITION : KERR_UNKNOWN_TOPIC_ID;
		memcpy(s->res[i].TopicId, t->topic_id, 16);
		/* By id: without DESCRIBE the name stays hidden; then DELETE. */
		if (in[i].Name.len < 0 && (az_topic_c(r, ACL_OP_DESCRIBE, t->name) ||
		                           az_topic_c(r, ACL_OP_DELETE, t->name)))
			return KERR_TOPIC_AUTHORIZATION_FAILED;
	} else {
		const struct kp_str *in = req->TopicNames.elems;
		s->res[i].Name = in[i];
		if (refuse)
			return KERR_INVALID_REQUEST;
		if (az_topic(r, ACL_OP_DELETE, in[i]))
			return KERR_TOPIC_AUTHORIZATION_FAILED; /* before existence: nothing leaks */
		t = md_find_topic(md, adm_cstr(r, in[i]));
		if (!t)
			return KERR_UNKNOWN_TOPIC_OR_PARTITION;
	}
	/* The answer waits while the topic is deleted from the cache: own the name. */
	s->names[i] = arena_strndup(&r->arena, t->name, strlen(t->name));
	if (!s->names[i])
		return KERR_INVALID_REQUEST;
	s->res[i].Name = kp_str_c(s->names[i]);
	return 0;
}

enum handler_result handle_delete_topics(struct kreq *r)
{
	const struct DeleteTopicsRequest *req = r->req;
	struct DeleteTopicsResponse *resp = r->resp;
	int n = r->version >= 6 ? req->Topics.count : req->TopicNames.count;
	struct delete_state *s = arena_alloc(&r->arena, sizeof(*s));
	s->res = kreq_array(r, &resp->Responses, n, sizeof(*s->res));
	s->names = arena_alloc(&r->arena, sizeof(char *) * ((size_t)n + 1));
	s->waiting = arena_alloc(&r->arena, (size_t)n + 1);
	if (!s->res || !s->names || !s->waiting)
		return H_CLOSE;
	s->n = n;
	s->timeout_ms = req->TimeoutMs;
	struct admin_op *op = admin_op_new(r, req->TimeoutMs, s, delete_set_error, delete_ready);
	for (int i = 0; i < n; i++) {
		int16_t code = delete_target(r, i, s, n > KB_MAX_TOPICS_PER_ADMIN_REQUEST);
		if (code == 0 && !coord_is_controller(r->b->coord))
			code = KERR_NOT_CONTROLLER;
		if (code == 0 && !r->b->cfg.delete_topic_enable)
			code = KERR_TOPIC_DELETION_DISABLED;
		s->res[i].ErrorCode = code;
		if (code == 0) {
			void (*cb)(int16_t, const char *, void *);
			void *arg;
			admin_op_write(op, i, &cb, &arg);
			topic_admin_mark_delete(coord_zk(r->b->coord), s->names[i], cb, arg);
		}
	}
	return admin_op_start(op);
}

/* ---- ElectLeaders (preferred) ------------------------------------------------------------ */

struct elect_item {
	const char *topic;
	struct PartitionResult *res;
	bool waiting;
};

struct elect_state {
	int32_t timeout_ms;
	struct elect_item *items;
	int n;
};

static bool elect_ready(struct kreq *r, void *st, bool timed_out)
{
	struct elect_state *s = st;
	const struct md_cache *md = coord_metadata(r->b->coord);
	bool all = true;
	for (int i = 0; i < s->n; i++) {
		struct elect_item *it = &s->items[i];
		if (!it->waiting)
			continue;
		const struct md_topic *t = md_find_topic(md, it->topic);
		const struct md_partition *p = t ? md_topic_partition(t, it->res->PartitionId) : NULL;
		if (p && p->has_state && p->nreplicas > 0 && p->state.leader == p->replicas[0]) {
			it->waiting = false;
		} else if (timed_out) {
			it->waiting = false;
			it->res->ErrorCode = KERR_REQUEST_TIMED_OUT;
		} else {
			all = false;
		}
	}
	return all;
}

static void elect_set_error(struct kreq *r, void *st, int idx, int16_t e, const char *m)
{
	KB_UNUSED(r);
	KB_UNUSED(st);
	KB_UNUSED(idx);
	KB_UNUSED(e);
	KB_UNUSED(m); /* no ZooKeeper writes of our own: the controller writes */
}

/* One partition: is a preferred election needed and possible? */
static int16_t elect_check(struct kreq *r, const struct md_topic *t, int32_t pid)
{
	const struct md_cache *md = coord_metadata(r->b->coord);
	const struct md_partition *p = t && !t->deleting ? md_topic_partition(t, pid) : NULL;
	if (!p)
		return KERR_UNKNOWN_TOPIC_OR_PARTITION;
	if (!coord_is_controller(r->b->coord))
		return KERR_NOT_CONTROLLER;
	if (p->nreplicas == 0 || !p->has_state)
		return KERR_PREFERRED_LEADER_NOT_AVAILABLE;
	int32_t pref = p->replicas[0];
	if (p->state.leader == pref)
		return KERR_ELECTION_NOT_NEEDED;
	if (!md_broker_live(md, pref) || !md_state_in_isr(&p->state, pref))
		return KERR_PREFERRED_LEADER_NOT_AVAILABLE;
	coord_request_preferred(r->b->coord, t->name, pid);
	return 0;
}

/* The request's partitions, or (null) every partition of every topic. */
static int elect_collect(struct kreq *r, struct ElectLeadersResponse *resp, struct elect_state *s)
{
	const struct ElectLeadersRequest *req = r->req;
	const struct md_cache *md = coord_metadata(r->b->coord);
	bool all = req->TopicPartitions.count < 0;
	int nt = all ? md->ntopics : req->TopicPartitions.count;
	const struct TopicPartitions *tp = req->TopicPartitions.elems;
	struct ReplicaElectionResult *out = kreq_array(r, &resp->ReplicaElectionResults, nt,
	                                               sizeof(*out));
	int64_t total = 0;
	for (int i = 0; out && i < nt; i++)
		total += all ? md->topics[i].npartitions : tp[i].Partitions.count;
	/* The request's own list is bounded (every partition of the cluster is not). */
	bool too_many = !all && (nt > KB_MAX_TOPICS_PER_ADMIN_REQUEST ||
	                         total > KB_MAX_PARTITIONS_PER_REQUEST);
	if (too_many && r->version >= 1)
		resp->ErrorCode = KERR_INVALID_REQUEST;
	s->items = arena_alloc(&r->arena, sizeof(*s->items) * ((size_t)total + 1));
	if (!out || !s->items)
		return -1;
	for (int i = 0; i < nt; i++) {
		/* Copied: the answer may wait while topics come and go in the cache. */
		const char *name = all ? arena_strndup(&r->arena, md->topics[i].name,
		                                       strlen(md->topics[i].name))
		                       : adm_cstr(r, tp[i].Topic);
		if (!name)
			return -1;
		const struct md_topic *t = md_find_topic(md, name);
		int np = all ? t->npartitions : tp[i].Partitions.count;
		const int32_t *ids = all ? NULL : tp[i].Partitions.elems;
		out[i].Topic = kp_str_c(name);
		struct PartitionResult *pr = kreq_array(r, &out[i].PartitionResult, np, sizeof(*pr));
		if (!pr)
			return -1;
		for (int k = 0; k < np; k++) {
			int32_t pid = all ? k : ids[k];
			int16_t code = too_many ? KERR_INVALID_REQUEST : elect_check(r, t, pid);
			pr[k] = (struct PartitionResult){pid, code, KP_STR_NULL};
			s->items[s->n++] = (struct elect_item){name, &pr[k], code == 0};
		}
	}
	return 0;
}

/* Without ALTER on the cluster: CLUSTER_AUTHORIZATION_FAILED at the top and for every
 * partition named (none when the request means all of them), nothing elected. */
static enum handler_result elect_denied(struct kreq *r, struct ElectLeadersResponse *resp)
{
	const struct ElectLeadersRequest *req = r->req;
	const struct TopicPartitions *tp = req->TopicPartitions.elems;
	int nt = KB_MAX(req->TopicPartitions.count, 0);
	resp->ErrorCode = KERR_CLUSTER_AUTHORIZATION_FAILED;
	struct ReplicaElectionResult *out = kreq_array(r, &resp->ReplicaElectionResults, nt,
	                                               sizeof(*out));
	if (!out)
		return H_CLOSE;
	for (int i = 0; i < nt; i++) {
		const int32_t *ids = tp[i].Partitions.elems;
		out[i].Topic = tp[i].Topic;
		struct PartitionResult *pr =
		        kreq_array(r, &out[i].PartitionResult, tp[i].Partitions.count, sizeof(*pr));
		if (!pr)
			return H_CLOSE;
		for (int k = 0; k < tp[i].Partitions.count; k++)
			pr[k] = (struct PartitionResult){ids[k], KERR_CLUSTER_AUTHORIZATION_FAILED,
			                                 KP_STR_NULL};
	}
	return H_RESPOND;
}

enum handler_result handle_elect_leaders(struct kreq *r)
{
	const struct ElectLeadersRequest *req = r->req;
	struct ElectLeadersResponse *resp = r->resp;
	if (r->version >= 1 && req->ElectionType != 0) {
		/* Unclean elections on demand are not offered: unclean.leader.election.enable (broker
		 * or topic config) governs them. */
		resp->ErrorCode = KERR_INVALID_REQUEST;
		return H_RESPOND;
	}
	if (az_cluster(r, ACL_OP_ALTER))
		return elect_denied(r, resp);
	struct elect_state *s = arena_alloc(&r->arena, sizeof(*s));
	if (!s || elect_collect(r, resp, s) < 0)
		return H_CLOSE;
	s->timeout_ms = req->TimeoutMs;
	/* Nothing of ours to write: the controller writes; we wait for its leaders. */
	struct admin_op *op = admin_op_new(r, req->TimeoutMs, s, elect_set_error, elect_ready);
	return admin_op_start(op);
}

/* ---- DescribeCluster ----------------------------------------------------------------------- */

enum handler_result handle_describe_cluster(struct kreq *r)
{
	const struct DescribeClusterRequest *req = r->req;
	struct DescribeClusterResponse *resp = r->resp;
	const struct md_cache *md = coord_metadata(r->b->coord);
	resp->EndpointType = req->EndpointType;
	if (req->EndpointType != 1) { /* 2 = KRaft controllers: there are none in ZooKeeper mode */
		resp->ErrorCode = KERR_INVALID_REQUEST;
		resp->ErrorMessage = KP_STR_LIT("only broker endpoints (type 1) exist in ZooKeeper mode");
		return H_RESPOND;
	}
	resp->ClusterId = kp_str_c(md->cluster_id ? md->cluster_id : "");
	resp->ControllerId = md->controller_id;
	if (req->IncludeClusterAuthorizedOperations) /* no other check: Kafka's AuthHelper */
		resp->ClusterAuthorizedOperations = az_cluster_ops(r);
	struct DescribeClusterBroker *out = kreq_array(r, &resp->Brokers, md->nbrokers, sizeof(*out));
	if (!out)
		return H_CLOSE;
	int n = 0;
	for (int i = 0; i < md->nbrokers; i++) {
		const struct md_endpoint *ep = md_broker_endpoint(&md->brokers[i], r->cl->listener);
		if (ep)
			out[n++] = (struct DescribeClusterBroker){md->brokers[i].id, kp_str_c(ep->host),
			                                          ep->port, kp_str_c(md->brokers[i].rack)};
	}
	resp->Brokers.count = n;
	return H_RESPOND;
}
