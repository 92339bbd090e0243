/* api_meta.c — ApiVersions (key 18) and Metadata (key 3). */
#include "../common/say.h"
#include "../net/kp_msgs.h"
#include "dispatch.h"

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

/* Requested topics: none exist yet in this broker's metadata cache, so each named topic is
 * UNKNOWN_TOPIC_OR_PARTITION, and each topic asked for by id is UNKNOWN_TOPIC_ID. */
static int fill_requested_topics(struct kreq *r, struct MetadataResponse *resp,
                                 const struct MetadataRequest *req)
{
	const struct MetadataRequestTopic *in = req->Topics.elems;
	struct MetadataResponseTopic *out =
	        kreq_array(r, &resp->Topics, req->Topics.count, sizeof(*out));
	if (!out)
		return -1;
	for (int32_t i = 0; i < req->Topics.count; i++) {
		out[i].TopicAuthorizedOperations = INT32_MIN; /* the schema default */
		out[i].Name = in[i].Name;
		memcpy(out[i].TopicId, in[i].TopicId, 16);
		bool by_id = in[i].Name.len < 0 && !uuid_is_zero(in[i].TopicId);
		out[i].ErrorCode = by_id ? KERR_UNKNOWN_TOPIC_ID : KERR_UNKNOWN_TOPIC_OR_PARTITION;
	}
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
	/* v0: an empty list means all topics; v1+: null means all, empty means none. */
	bool all = req->Topics.count < 0 || (r->version == 0 && req->Topics.count == 0);
	if (!all && fill_requested_topics(r, resp, req) < 0)
		return H_CLOSE;
	return H_RESPOND;
}
