/* api_authz.h — the authorization checks the handlers share (server/core/authz.h decides).
 *
 * Each returns 0 when r's principal may do `op` on the resource, else the Kafka error a
 * denied item gets: TOPIC_, GROUP_, TRANSACTIONAL_ID_ or CLUSTER_AUTHORIZATION_FAILED.
 * Without an authorizer every call is one branch (authz_allowed's), so handlers call them
 * once per topic / group / id, never per partition or record. A topic name that is null
 * (an unknown topic id) is not authorized here: the caller's own lookup answers
 * UNKNOWN_TOPIC_ID first, as Kafka does; a null group or transactional id is checked as "".
 * @thread event loop only; r's handler is running (r->conn valid).
 */
#ifndef KB_SERVER_API_AUTHZ_H
#define KB_SERVER_API_AUTHZ_H

#include "../../common/kerr.h"
#include "../core/authz.h"
#include "../core/dispatch.h"

static inline int16_t az_topic(struct kreq *r, int8_t op, struct kp_str topic)
{
	if (topic.len < 0 || authz_allowed(r, op, ACL_RES_TOPIC, topic))
		return 0;
	return KERR_TOPIC_AUTHORIZATION_FAILED;
}

static inline int16_t az_topic_c(struct kreq *r, int8_t op, const char *topic)
{
	return authz_allowed_c(r, op, ACL_RES_TOPIC, topic) ? 0 : KERR_TOPIC_AUTHORIZATION_FAILED;
}

/* A null group or transactional id is authorized as the empty name. */
static inline int16_t az_group(struct kreq *r, int8_t op, struct kp_str group)
{
	if (group.len < 0)
		group = KP_STR_LIT("");
	return authz_allowed(r, op, ACL_RES_GROUP, group) ? 0 : KERR_GROUP_AUTHORIZATION_FAILED;
}

static inline int16_t az_txn(struct kreq *r, int8_t op, struct kp_str id)
{
	if (id.len < 0)
		id = KP_STR_LIT("");
	return authz_allowed(r, op, ACL_RES_TXN_ID, id) ? 0
	                                                 : KERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
}

static inline bool az_cluster_ok(struct kreq *r, int8_t op)
{
	return authz_allowed_c(r, op, ACL_RES_CLUSTER, ACL_CLUSTER_NAME);
}

static inline int16_t az_cluster(struct kreq *r, int8_t op)
{
	return az_cluster_ok(r, op) ? 0 : KERR_CLUSTER_AUTHORIZATION_FAILED;
}

/* ClusterAuthorizedOperations (Metadata v8-10, DescribeCluster) when asked: the allowed
 * operations with DESCRIBE on the cluster, else 0, as Kafka 3.9. */
static inline int32_t az_cluster_ops(struct kreq *r)
{
	if (!az_cluster_ok(r, ACL_OP_DESCRIBE))
		return 0;
	return authz_ops(r, ACL_RES_CLUSTER, KP_STR_LIT(ACL_CLUSTER_NAME));
}

#endif
