/* api_meta.c — ApiVersions (key 18) and Metadata (key 3).
 *
 * Metadata's authorization (Kafka 3.9's KafkaApis): listing every topic shows only the topics
 * the principal may DESCRIBE; a requested topic it may not describe gets
 * TOPIC_AUTHORIZATION_FAILED (a topic asked by id: with a null name, so nothing leaks); a
 * missing topic is auto-created only with CREATE on the cluster or on the topic, else
 * TOPIC_AUTHORIZATION_FAILED. v8+ fill TopicAuthorizedOperations (topics that passed
 * DESCRIBE) and ClusterAuthorizedOperations (v8-10; 0 without DESCRIBE on the cluster) when
 * the request asks for them.
 */
#include "../../common/say.h"
#include "../../coord/topic_admin.h"
#include "../../net/kp_msgs.h"
#include "../core/dispatch.h"
#include "../replica/partition.h"
#include "api_authz.h"

#include <ctype.h>
#include <string.h>

/* KIP-511: client software name and version must match
 * [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])? */
static bool valid_software_token(struct kp_str s)
{
	if (s.len <= 0)
		return false;
	for (int32_t i = 0; i < s.len; i++) {
		unsigned char ch = (unsigned char)s.ptr[i];
		bool edge = i == 0 || i == s.len - 1;
		if (!isalnum(ch) && (edge || (ch != '-' && ch != '.')))
			return false;
	}
	return true;
}

enum handler_result handle_api_versions(struct kreq *r)
{
	struct ApiVersionsResponse *resp = r->resp;
	const struct ApiVersionsRequest *req = r->req;
	if (req && r->version >= 3 &&
	    (!valid_software_token(req->ClientSoftwareName) ||
	     !valid_software_token(req->ClientSoftwareVersion))) {
		resp->ErrorCode = KERR_INVALID_REQUEST;
		return H_RESPOND;
	}
	struct ApiVersion *v = kreq_array(r, &resp->ApiKeys, (int32_t)api_table_len, sizeof(*v));
	if (!v)
		return H_CLOSE;
	/* The table is kept in ascending key order (a unit test checks it). */
	for (size_t i = 0; i < api_table_len; i++)
		v[i] = (struct ApiVersion){api_table[i].key, api_table[i].min, api_table[i].max};
	return H_RESPOND;
}

/* ---- Metadata ---------------------------------------------------------------------------- */

static int fill_brokers(struct kreq *r, struct MetadataResponse *resp, const struct md_cache *md)
{
	struct MetadataResponseBroker *out =
	        kreq_array(r, &resp->Brokers, md->nbrokers, sizeof(*out));
	if (!out)
		return -1;
	int n = 0;
	for (int i = 0; i < md->nbrokers; i++) {
		const struct md_broker *b = &md->brokers[i];
		const struct md_endpoint *ep = md_broker_endpoint(b, r->cl->listener);
		if (!ep)
			continue; /* reachable only through other listeners */
		out[n++] = (struct MetadataResponseBroker){
		        .NodeId = b->id,
		        .Host = kp_str_c(ep->host),
		        .Port = ep->port,
		        .Rack = kp_str_c(b->rack),
		};
	}
	resp->Brokers.count = n;
	return 0;
}

static bool uuid_is_zero(const uint8_t id[16])
{
	for (int i = 0; i < 16; i++)
		if (id[i])
			return false;
	return true;
}

/* Copies `ids` into an arena int32 array; v0 keeps only live brokers (Kafka's rule for the
 * oldest clients), reporting whether any were dropped. */
static int fill_ids(struct kreq *r, struct kp_array *a, const int32_t *ids, int n,
                    const struct md_cache *md, bool live_only, bool *dropped)
{
	int32_t *out = kreq_array(r, a, n, sizeof(int32_t));
	if (!out)
		return -1;
	int k = 0;
	for (int i = 0; i < n; i++) {
		if (live_only && !md_broker_live(md, ids[i])) {
			*dropped = true;
			continue;
		}
		out[k++] = ids[i];
	}
	a->count = k;
	return 0;
}

static int fill_partition(struct kreq *r, struct MetadataResponsePartition *out,
                          const char *topic, const struct md_partition *p,
                          const struct md_cache *md)
{
	bool v0 = r->version == 0, dropped = false;
	out->PartitionIndex = p->id;
	out->LeaderId = -1;
	out->LeaderEpoch = p->has_state ? p->state.leader_epoch : -1;
	if (p->has_state && p->state.leader >= 0 && md_broker_live(md, p->state.leader))
		out->LeaderId = p->state.leader;
	if (out->LeaderId >= 0 && out->LeaderId == r->b->cfg.broker_id &&
	    !pm_can_lead(r->b, topic, p->id))
		out->LeaderId = -1; /* not yet: LEADER_NOT_AVAILABLE (partition.h) */
	if (fill_ids(r, &out->ReplicaNodes, p->replicas, p->nreplicas, md, v0, &dropped) < 0 ||
	    fill_ids(r, &out->IsrNodes, p->has_state ? p->state.isr : NULL,
	             p->has_state ? p->state.nisr : 0, md, v0, &dropped) < 0)
		return -1;
	int32_t *off = kreq_array(r, &out->OfflineReplicas, p->nreplicas, sizeof(int32_t));
	if (!off)
		return -1;
	int k = 0;
	for (int i = 0; i < p->nreplicas; i++)
		if (!md_broker_live(md, p->replicas[i]))
			off[k++] = p->replicas[i];
	out->OfflineReplicas.count = k;
	if (out->LeaderId < 0)
		out->ErrorCode = KERR_LEADER_NOT_AVAILABLE;
	else if (dropped)
		out->ErrorCode = KERR_REPLICA_NOT_AVAILABLE;
	return 0;
}

static bool is_internal(const char *name)
{
	return md_topic_internal(name, strlen(name));
}

/* TopicAuthorizedOperations, when the request asks for them (v8+). */
static void topic_ops(struct kreq *r, struct MetadataResponseTopic *out, struct kp_str name)
{
	const struct MetadataRequest *req = r->req;
	if (r->version >= 8 && req->IncludeTopicAuthorizedOperations)
		out->TopicAuthorizedOperations = authz_ops(r, ACL_RES_TOPIC, name);
}

static int fill_topic(struct kreq *r, struct MetadataResponseTopic *out, const struct md_topic *t,
                      const struct md_cache *md)
{
	out->Name = kp_str_c(t->name);
	topic_ops(r, out, out->Name);
	memcpy(out->TopicId, t->topic_id, 16);
	out->IsInternal = is_internal(t->name);
	struct MetadataResponsePartition *parts =
	        kreq_array(r, &out->Partitions, t->npartitions, sizeof(*parts));
	if (!parts)
		return -1;
	for (int i = 0; i < t->npartitions; i++)
		if (fill_partition(r, &parts[i], t->name, &t->partitions[i], md) < 0)
			return -1;
	return 0;
}

static const struct md_topic *find_by_id(const struct md_cache *md, const uint8_t id[16])
{
	for (int i = 0; i < md->ntopics; i++)
		if (memcmp(md->topics[i].topic_id, id, 16) == 0)
			return &md->topics[i];
	return NULL;
}

static void auto_created(int16_t error, const char *message, void *arg)
{
	char *name = arg;
	if (error == 0)
		say_info("server", "auto-created topic %s", name);
	else if (error != KERR_TOPIC_ALREADY_EXISTS) /* someone else created it first */
		say_warn("server", "auto-creating topic %s failed: %s", name, message ? message : "");
	kb_free(name);
}

/* auto.create.topics.enable: any broker writes the topic; the controller elects leaders.
 * Returns the error code to answer with for that topic. Until this broker's view of the
 * cluster is loaded (right after start or a new session: the live brokers, even this one,
 * and the topics not read yet) nothing is written and the answer is LEADER_NOT_AVAILABLE,
 * which clients retry: the placement would count brokers that are not known yet, and the
 * topic may well exist already. */
static int16_t auto_create(struct kreq *r, const char *name)
{
	struct broker *b = r->b;
	if (md_topic_name_invalid(name))
		return KERR_INVALID_TOPIC_EXCEPTION;
	const struct md_cache *md = coord_metadata(b->coord);
	if (!coord_loaded(b->coord) || !md_broker_live(md, coord_broker_id(b->coord)))
		return KERR_LEADER_NOT_AVAILABLE;
	if (md_total_partitions(md) + b->cfg.num_partitions > b->cfg.max_partitions_per_cluster) {
		say_ratelimited(SAY_WARN, "server", "not auto-creating topic %s: the cluster would "
		                "pass kbroker.max.partitions.per.cluster (%d)", name,
		                b->cfg.max_partitions_per_cluster);
		return KERR_UNKNOWN_TOPIC_OR_PARTITION;
	}
	char err[160], *arg = kb_strdup(name); /* auto_created's, when the write is sent */
	if (topic_admin_create_placed(coord_zk(b->coord), md, name, b->cfg.num_partitions,
	                              (int16_t)b->cfg.default_replication_factor, NULL, 0,
	                              auto_created, arg, err, sizeof(err)) < 0) {
		kb_free(arg);
		say_ratelimited(SAY_WARN, "server", "cannot auto-create topic %s: %s", name, err);
		return KERR_INVALID_REPLICATION_FACTOR;
	}
	return KERR_LEADER_NOT_AVAILABLE;
}

/* One requested topic: known → its metadata; unknown → an error, or auto-creation. */
static int fill_requested(struct kreq *r, struct MetadataResponseTopic *out,
                          const struct MetadataRequestTopic *in, bool allow_auto)
{
	const struct md_cache *md = coord_metadata(r->b->coord);
	out->TopicAuthorizedOperations = INT32_MIN; /* the schema default */
	out->Name = in->Name;
	memcpy(out->TopicId, in->TopicId, 16);
	const struct md_topic *t = NULL;
	char name[256] = "";
	if (in->Name.len >= 0 && in->Name.len < (int32_t)sizeof(name)) {
		memcpy(name, in->Name.ptr, (size_t)in->Name.len);
		t = md_find_topic(md, name);
	} else if (in->Name.len < 0 && !uuid_is_zero(in->TopicId)) {
		t = find_by_id(md, in->TopicId);
		if (!t) {
			out->ErrorCode = KERR_UNKNOWN_TOPIC_ID;
			return 0;
		}
	}
	if ((t ? az_topic_c(r, ACL_OP_DESCRIBE, t->name) : az_topic(r, ACL_OP_DESCRIBE, in->Name))) {
		out->ErrorCode = KERR_TOPIC_AUTHORIZATION_FAILED;
		out->IsInternal = is_internal(t ? t->name : name);
		return 0; /* asked by id: the name stays null */
	}
	if (t && !t->deleting)
		return fill_topic(r, out, t, md);
	topic_ops(r, out, out->Name);
	out->ErrorCode = KERR_UNKNOWN_TOPIC_OR_PARTITION;
	if (!t && name[0] && allow_auto && r->b->cfg.auto_create_topics_enable &&
	    !is_internal(name)) {
		if (!az_cluster_ok(r, ACL_OP_CREATE) && az_topic_c(r, ACL_OP_CREATE, name) != 0) {
			out->ErrorCode = KERR_TOPIC_AUTHORIZATION_FAILED;
			out->TopicAuthorizedOperations = INT32_MIN;
			return 0;
		}
		out->ErrorCode = auto_create(r, name);
	}
	return 0;
}

static int fill_all_topics(struct kreq *r, struct MetadataResponse *resp, const struct md_cache *md)
{
	struct MetadataResponseTopic *out = kreq_array(r, &resp->Topics, md->ntopics, sizeof(*out));
	if (!out)
		return -1;
	int n = 0;
	for (int i = 0; i < md->ntopics; i++) {
		if (md->topics[i].deleting || az_topic_c(r, ACL_OP_DESCRIBE, md->topics[i].name) != 0)
			continue;
		out[n].TopicAuthorizedOperations = INT32_MIN;
		if (fill_topic(r, &out[n++], &md->topics[i], md) < 0)
			return -1;
	}
	resp->Topics.count = n;
	return 0;
}

enum handler_result handle_metadata(struct kreq *r)
{
	const struct MetadataRequest *req = r->req;
	struct MetadataResponse *resp = r->resp;
	const struct md_cache *md = coord_metadata(r->b->coord);
	if (fill_brokers(r, resp, md) < 0)
		return H_CLOSE;
	resp->ClusterId = kp_str_c(md->cluster_id);
	resp->ControllerId = md->controller_id;
	if (r->version >= 8 && r->version <= 10 && req->IncludeClusterAuthorizedOperations)
		resp->ClusterAuthorizedOperations = az_cluster_ops(r);
	/* v0: an empty list means all topics; v1+: null means all, empty means none. */
	bool all = req->Topics.count < 0 || (r->version == 0 && req->Topics.count == 0);
	if (all)
		return fill_all_topics(r, resp, md) < 0 ? H_CLOSE : H_RESPOND;
	/* Versions before 4 have no flag: they always allowed auto-creation. */
	bool allow_auto = r->version < 4 || req->AllowAutoTopicCreation;
	const struct MetadataRequestTopic *in = req->Topics.elems;
	struct MetadataResponseTopic *out =
	        kreq_array(r, &resp->Topics, req->Topics.count, sizeof(*out));
	if (!out)
		return H_CLOSE;
	for (int32_t i = 0; i < req->Topics.count; i++)
		if (fill_requested(r, &out[i], &in[i], allow_auto) < 0)
			return H_CLOSE;
	return H_RESPOND;
}
