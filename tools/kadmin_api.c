/* kadmin_api.c — admin requests over the Kafka protocol (see kadmin_api.h). Each request goes
 * to the controller at the highest version both sides support. */
#include "kadmin_api.h"

#include "../common/kerr.h"
#include "../net/kp_msgs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One admin call: request in, decoded response out (its memory held by `reply`). */
struct call {
	struct outclient *oc;
	struct outclient_reply *reply;
};

static int call_node(const struct kadmin *ka, struct view *v, int32_t node, struct call *c,
                     int16_t key, const void *req, void *resp, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	if (view_node(ka, v, node, &c->oc, err, errlen) < 0)
		return -1;
	return kadmin_call(c->oc, key, 0, req, resp, &c->reply, err, errlen);
}

static int call_controller(const struct kadmin *ka, struct view *v, struct call *c, int16_t key,
                           const void *req, void *resp, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	if (view_wait_controller(ka, v, err, errlen) < 0)
		return -1;
	return call_node(ka, v, v->md->controller_id, c, key, req, resp, err, errlen);
}

static void call_end(struct call *c)
{
	outclient_reply_free(c->reply);
	outclient_free(c->oc);
}

static int result(int16_t code, struct kp_str msg, char *err, size_t errlen)
{
	if (code == 0)
		return 0;
	snprintf(err, errlen, "%s%s%.*s", kerr_name(code), msg.len > 0 ? ": " : "",
	         msg.len > 0 ? msg.len : 0, msg.len > 0 ? msg.ptr : "");
	return -1;
}

int kapi_create_topic(const struct kadmin *ka, struct view *v, const char *name,
                      int32_t partitions, int16_t rf, const struct md_partition *assignment,
                      int nassigned, const struct md_config_entry *cfg, int ncfg, char *err,
                      size_t errlen)
{
	struct CreatableReplicaAssignment *as = kb_calloc((size_t)nassigned + 1, sizeof(*as));
	for (int i = 0; i < nassigned; i++)
		as[i] = (struct CreatableReplicaAssignment){
		        i, {assignment[i].replicas, assignment[i].nreplicas}};
	struct CreatableTopicConfig *cs = kb_calloc((size_t)ncfg + 1, sizeof(*cs));
	for (int i = 0; i < ncfg; i++)
		cs[i] = (struct CreatableTopicConfig){kp_str_c(cfg[i].name), kp_str_c(cfg[i].value)};
	struct CreatableTopic t = {kp_str_c(name), nassigned ? -1 : partitions,
	                           nassigned ? (int16_t)-1 : rf, {as, nassigned}, {cs, ncfg}};
	struct CreateTopicsRequest req = {{&t, 1}, ka->timeout_ms, false};
	struct CreateTopicsResponse resp;
	struct call c;
	int rc = call_controller(ka, v, &c, KP_API_CREATE_TOPICS, &req, &resp, err, errlen);
	if (rc == 0 && resp.Topics.count == 1) {
		const struct CreatableTopicResult *r = resp.Topics.elems;
		rc = result(r->ErrorCode, r->ErrorMessage, err, errlen);
	} else if (rc == 0) {
		snprintf(err, errlen, "malformed CreateTopics response");
		rc = -1;
	}
	call_end(&c);
	kb_free(as);
	kb_free(cs);
	return rc;
}

int kapi_delete_topic(const struct kadmin *ka, struct view *v, const char *name, char *err,
                      size_t errlen)
{
	struct kp_str n = kp_str_c(name);
	struct DeleteTopicState st = {n, {0}};
	struct DeleteTopicsRequest req = {{&st, 1}, {&n, 1}, ka->timeout_ms};
	struct DeleteTopicsResponse resp;
	struct call c;
	int rc = call_controller(ka, v, &c, KP_API_DELETE_TOPICS, &req, &resp, err, errlen);
	if (rc == 0 && resp.Responses.count == 1) {
		const struct DeletableTopicResult *r = resp.Responses.elems;
		rc = result(r->ErrorCode, r->ErrorMessage, err, errlen);
	} else if (rc == 0) {
		snprintf(err, errlen, "malformed DeleteTopics response");
		rc = -1;
	}
	call_end(&c);
	return rc;
}

int kapi_create_partitions(const struct kadmin *ka, struct view *v, const char *name,
                           int32_t count, char *err, size_t errlen)
{
	struct CreatePartitionsTopic t = {kp_str_c(name), count, {NULL, -1}};
	struct CreatePartitionsRequest req = {{&t, 1}, ka->timeout_ms, false};
	struct CreatePartitionsResponse resp;
	struct call c;
	int rc = call_controller(ka, v, &c, KP_API_CREATE_PARTITIONS, &req, &resp, err, errlen);
	if (rc == 0 && resp.Results.count == 1) {
		const struct CreatePartitionsTopicResult *r = resp.Results.elems;
		rc = result(r->ErrorCode, r->ErrorMessage, err, errlen);
	} else if (rc == 0) {
		snprintf(err, errlen, "malformed CreatePartitions response");
		rc = -1;
	}
	call_end(&c);
	return rc;
}

static char *dup_nullable(struct kp_str s)
{
	return s.len >= 0 ? kb_strndup(s.ptr, (size_t)s.len) : NULL;
}

int kapi_describe_configs(const struct kadmin *ka, struct view *v, int8_t resource_type,
                          const char *name, struct kapi_config **out, int *n, char *err,
                          size_t errlen)
{
	*out = NULL;
	*n = 0;
	struct DescribeConfigsResource res = {resource_type, kp_str_c(name), {NULL, -1}};
	struct DescribeConfigsRequest req = {{&res, 1}, false, false};
	struct DescribeConfigsResponse resp;
	struct call c;
	/* Topic configs: any broker (the controller); broker configs: that broker itself. */
	memset(&c, 0, sizeof(c));
	bool any = resource_type != 4 || name[0] == '\0'; /* "": the cluster default */
	if (any && view_wait_controller(ka, v, err, errlen) < 0)
		return -1;
	int64_t id = v->md->controller_id;
	if (!any && !kb_parse_i64(name, 0, INT32_MAX, &id)) {
		snprintf(err, errlen, "'%s' is not a broker id", name);
		return -1;
	}
	int32_t node = (int32_t)id;
	int rc = call_node(ka, v, node, &c, KP_API_DESCRIBE_CONFIGS, &req, &resp, err, errlen);
	if (rc == 0 && resp.Results.count != 1) {
		snprintf(err, errlen, "malformed DescribeConfigs response");
		rc = -1;
	}
	const struct DescribeConfigsResult *r = rc == 0 ? resp.Results.elems : NULL;
	if (r)
		rc = result(r->ErrorCode, r->ErrorMessage, err, errlen);
	if (rc == 0) {
		const struct DescribeConfigsResourceResult *e = r->Configs.elems;
		*out = kb_calloc((size_t)r->Configs.count + 1, sizeof(**out));
		for (int i = 0; i < r->Configs.count; i++)
			(*out)[i] = (struct kapi_config){dup_nullable(e[i].Name), dup_nullable(e[i].Value),
			                                 e[i].ConfigSource, e[i].ReadOnly};
		*n = r->Configs.count;
	}
	call_end(&c);
	return rc;
}

void kapi_configs_free(struct kapi_config *c, int n)
{
	for (int i = 0; i < n; i++) {
		kb_free(c[i].name);
		kb_free(c[i].value);
	}
	kb_free(c);
}

int kapi_alter_configs(const struct kadmin *ka, struct view *v, int8_t resource_type,
                       const char *name, const struct md_config_entry *set, int nset,
                       char *const *del, int ndel, char *err, size_t errlen)
{
	struct IncrementalAlterConfigsRequestAlterableConfig *ops =
	        kb_calloc((size_t)(nset + ndel) + 1, sizeof(*ops));
	for (int i = 0; i < nset; i++)
		ops[i] = (struct IncrementalAlterConfigsRequestAlterableConfig){
		        kp_str_c(set[i].name), 0, kp_str_c(set[i].value)};
	for (int i = 0; i < ndel; i++)
		ops[nset + i] = (struct IncrementalAlterConfigsRequestAlterableConfig){
		        kp_str_c(del[i]), 1, KP_STR_NULL};
	struct IncrementalAlterConfigsRequestAlterConfigsResource res = {
	        resource_type, kp_str_c(name), {ops, nset + ndel}};
	struct IncrementalAlterConfigsRequest req = {{&res, 1}, false};
	struct IncrementalAlterConfigsResponse resp;
	struct call c;
	memset(&c, 0, sizeof(c));
	int rc;
	int64_t id;
	/* A broker's own configs go to that broker (as Kafka's brokers require); the rest
	 * (topics, the cluster default) to the controller. */
	if (resource_type == 4 && name[0] != '\0') {
		rc = kb_parse_i64(name, 0, INT32_MAX, &id)
		             ? call_node(ka, v, (int32_t)id, &c, KP_API_INCREMENTAL_ALTER_CONFIGS, &req,
		                         &resp, err, errlen)
		             : -1;
		if (rc < 0 && !kb_parse_i64(name, 0, INT32_MAX, &id))
			snprintf(err, errlen, "'%s' is not a broker id", name);
	} else {
		rc = call_controller(ka, v, &c, KP_API_INCREMENTAL_ALTER_CONFIGS, &req, &resp, err,
		                     errlen);
	}
	if (rc == 0 && resp.Responses.count == 1) {
		const struct IncrementalAlterConfigsResponseAlterConfigsResourceResponse *r =
		        resp.Responses.elems;
		rc = result(r->ErrorCode, r->ErrorMessage, err, errlen);
	} else if (rc == 0) {
		snprintf(err, errlen, "malformed IncrementalAlterConfigs response");
		rc = -1;
	}
	call_end(&c);
	kb_free(ops);
	return rc;
}

/* ElectLeaders (type 0 = preferred) for every partition of `topic`, or of all topics. Per
 * partition, ELECTION_NOT_NEEDED is success: the preferred replica already leads. */
int kapi_elect_preferred(const struct kadmin *ka, struct view *v, const char *topic, char *err,
                         size_t errlen)
{
	struct TopicPartitions tp = {{0}};
	int32_t *ids = NULL;
	if (topic) {
		const struct md_topic *t = md_find_topic(v->md, topic);
		ids = kb_calloc((size_t)t->npartitions + 1, sizeof(int32_t));
		for (int i = 0; i < t->npartitions; i++)
			ids[i] = i;
		tp = (struct TopicPartitions){kp_str_c(topic), {ids, t->npartitions}};
	}
	struct ElectLeadersRequest req = {0, {topic ? &tp : NULL, topic ? 1 : -1}, ka->timeout_ms};
	struct ElectLeadersResponse resp;
	struct call c;
	int rc = call_controller(ka, v, &c, KP_API_ELECT_LEADERS, &req, &resp, err, errlen);
	if (rc == 0)
		rc = result(resp.ErrorCode, KP_STR_NULL, err, errlen);
	const struct ReplicaElectionResult *r = rc == 0 ? resp.ReplicaElectionResults.elems : NULL;
	for (int i = 0; r && rc == 0 && i < resp.ReplicaElectionResults.count; i++) {
		const struct PartitionResult *p = r[i].PartitionResult.elems;
		for (int k = 0; rc == 0 && k < r[i].PartitionResult.count; k++)
			if (p[k].ErrorCode != 0 && p[k].ErrorCode != 84)
				rc = result(p[k].ErrorCode, p[k].ErrorMessage, err, errlen);
	}
	call_end(&c);
	kb_free(ids);
	return rc;
}
