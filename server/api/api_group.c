/* api_group.c — FindCoordinator (key 10), JoinGroup (11), Heartbeat (12), LeaveGroup (13),
 * SyncGroup (14): requests mapped onto group/'s coordinator (group.h), hosted by
 * server/coordsvc/gsvc.c. Waiting requests: see api_group.h.
 *
 * Errors before the coordinator: NOT_COORDINATOR when another broker leads the group's
 * __consumer_offsets partition, COORDINATOR_LOAD_IN_PROGRESS while it is replayed,
 * COORDINATOR_NOT_AVAILABLE before the topic exists (clients then FindCoordinator again).
 * FindCoordinator key type 1 (transactions) answers the leader of the id's __transaction_state
 * partition (tsvc_find, which creates the topic on first use); other key types are
 * INVALID_REQUEST. FindCoordinator needs DESCRIBE on the group (GROUP_AUTHORIZATION_FAILED) or
 * on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED); the membership APIs READ on
 * the group (group_coord_of).
 */
#include "api_group.h"

#include "../../common/limits.h"
#include "../../common/say.h"
#include "../../net/kp_msgs.h"
#include "../core/purgatory.h"
#include "../coordsvc/gsvc.h"
#include "../coordsvc/tsvc.h"
#include "api_authz.h"

#include <string.h>

/* A parked group request waits at most this long for the coordinator (which has its own,
 * shorter deadlines: rebalance and session timeouts); past it the client gets
 * REBALANCE_IN_PROGRESS and retries. */
#define GWAIT_MAX_MS (2LL * 3600 * 1000)

/* ---- Arena copies ------------------------------------------------------------------------ */

bool kreq_copy_str(struct kreq *r, struct kp_str *s)
{
	if (s->len <= 0 || !s->ptr) {
		if (s->len == 0)
			*s = KP_STR_LIT("");
		return true;
	}
	char *p = arena_alloc(&r->arena, (size_t)s->len);
	if (!p)
		return false;
	memcpy(p, s->ptr, (size_t)s->len);
	s->ptr = p;
	return true;
}

bool kreq_copy_bytes(struct kreq *r, struct kp_bytes *b)
{
	b->ext = NULL;
	if (b->len <= 0 || !b->ptr) {
		if (b->len == 0)
			b->ptr = (const uint8_t *)"";
		return true;
	}
	uint8_t *p = arena_alloc(&r->arena, (size_t)b->len);
	if (!p)
		return false;
	memcpy(p, b->ptr, (size_t)b->len);
	b->ptr = p;
	return true;
}

static struct kp_str nonnull(struct kp_str s)
{
	return s.len < 0 ? KP_STR_LIT("") : s;
}

/* ---- Waits ------------------------------------------------------------------------------- */

struct gwait *gwait_new(struct kreq *r, enum gwait_kind kind)
{
	struct gwait *w = kb_calloc(1, sizeof(*w));
	w->kind = kind;
	w->r = r;
	w->inline_call = true;
	return w;
}

static void gwait_set_error(struct gwait *w, int16_t err)
{
	switch (w->kind) {
	case GW_JOIN:
		((struct JoinGroupResponse *)w->r->resp)->ErrorCode = err;
		break;
	case GW_SYNC:
		((struct SyncGroupResponse *)w->r->resp)->ErrorCode = err;
		break;
	case GW_COMMIT:
		for (int i = 0; i < w->n; i++)
			if (w->errors[i] == KERR_NONE)
				*w->out[i] = err;
		break;
	}
}

static bool gwait_try(struct pg_op *op, void *arg)
{
	KB_UNUSED(op);
	KB_UNUSED(arg);
	return false; /* only the coordinator's answer ends it */
}

static void gwait_expire(void *arg)
{
	struct gwait *w = arg;
	w->op = NULL;
	gwait_set_error(w, KERR_REBALANCE_IN_PROGRESS);
	kreq_finish(w->r, H_RESPOND); /* to a closed connection, this only releases the slot */
	w->r = NULL;                  /* w stays: the coordinator still holds it */
}

static void gwait_drop(void *arg)
{
	struct gwait *w = arg;
	w->op = NULL;
	kreq_drop(w->r);
	w->r = NULL;
}

static const struct pg_ops gwait_ops = {gwait_try, gwait_expire, gwait_drop, NULL};

enum handler_result gwait_settle(struct gwait *w)
{
	w->inline_call = false;
	if (w->answered) {
		kb_free(w);
		return H_RESPOND;
	}
	w->op = kreq_park(w->r, &gwait_ops, w, GWAIT_MAX_MS);
	return H_ASYNC;
}

void gwait_answered(struct gwait *w)
{
	if (w->inline_call) {
		w->answered = true;
		return;
	}
	if (w->r) {
		purgatory_complete(w->op);
		kreq_finish(w->r, H_RESPOND);
	}
	kb_free(w);
}

/* ---- The coordinator's answers ------------------------------------------------------------- */

static void join_done(void *arg, void *handle, const struct group_join_result *res)
{
	KB_UNUSED(arg);
	struct gwait *w = handle;
	struct kreq *r = w->r;
	if (r) {
		struct JoinGroupResponse *out = r->resp;
		out->ErrorCode = res->error;
		out->GenerationId = res->generation_id;
		out->ProtocolType = res->protocol_type;
		out->ProtocolName = r->version < 7 ? nonnull(res->protocol_name) : res->protocol_name;
		out->Leader = nonnull(res->leader);
		out->MemberId = nonnull(res->member_id);
		out->SkipAssignment = res->skip_assignment;
		bool ok = kreq_copy_str(r, &out->ProtocolType) && kreq_copy_str(r, &out->ProtocolName) &&
		          kreq_copy_str(r, &out->Leader) && kreq_copy_str(r, &out->MemberId);
		struct JoinGroupResponseMember *m =
		        ok ? kreq_array(r, &out->Members, res->nmembers, sizeof(*m)) : NULL;
		ok = ok && (m || res->nmembers == 0);
		for (int i = 0; ok && i < res->nmembers; i++) {
			m[i] = (struct JoinGroupResponseMember){res->members[i].member_id,
			                                        res->members[i].instance_id,
			                                        res->members[i].metadata};
			ok = kreq_copy_str(r, &m[i].MemberId) && kreq_copy_str(r, &m[i].GroupInstanceId) &&
			     kreq_copy_bytes(r, &m[i].Metadata);
		}
		if (!ok) { /* the members' metadata does not fit a response */
			out->Members.count = 0;
			out->ErrorCode = KERR_UNKNOWN_SERVER_ERROR;
		}
	}
	gwait_answered(w);
}

static void sync_done(void *arg, void *handle, const struct group_sync_result *res)
{
	KB_UNUSED(arg);
	struct gwait *w = handle;
	struct kreq *r = w->r;
	if (r) {
		struct SyncGroupResponse *out = r->resp;
		out->ErrorCode = res->error;
		out->ProtocolType = res->protocol_type;
		out->ProtocolName = res->protocol_name;
		out->Assignment = res->assignment;
		if (!kreq_copy_str(r, &out->ProtocolType) || !kreq_copy_str(r, &out->ProtocolName) ||
		    !kreq_copy_bytes(r, &out->Assignment)) {
			out->Assignment = (struct kp_bytes){(const uint8_t *)"", 0, NULL};
			out->ErrorCode = KERR_UNKNOWN_SERVER_ERROR;
		}
	}
	gwait_answered(w);
}

static void commit_done(void *arg, void *handle, int16_t error)
{
	KB_UNUSED(arg);
	struct gwait *w = handle;
	if (w->r)
		gwait_set_error(w, error);
	gwait_answered(w);
}

const struct group_io api_group_answers = {
	.join_done = join_done,
	.sync_done = sync_done,
	.commit_done = commit_done,
};

/* Kafka's GroupCoordinator.isValidGroupId, checked before whether this broker coordinates
 * the group (validateGroupStatus), so every broker answers INVALID_GROUP_ID alike: the offset
 * APIs, DescribeGroups and DeleteGroups accept an empty id, the others do not; ids past
 * KB_GROUP_ID_MAX_BYTES are kbroker's own refusal, for every API. */
static bool group_id_valid(int16_t api_key, struct kp_str id)
{
	if (id.len < 0 || id.len > KB_GROUP_ID_MAX_BYTES)
		return false;
	return id.len > 0 || api_key == KP_API_OFFSET_COMMIT || api_key == KP_API_OFFSET_FETCH ||
	       api_key == KP_API_DESCRIBE_GROUPS || api_key == KP_API_DELETE_GROUPS;
}

/* The operation on the group each group API needs. */
static int8_t group_acl_op(int16_t api_key)
{
	switch (api_key) {
	case KP_API_OFFSET_FETCH:
	case KP_API_DESCRIBE_GROUPS:
		return ACL_OP_DESCRIBE;
	case KP_API_DELETE_GROUPS:
	case KP_API_OFFSET_DELETE:
		return ACL_OP_DELETE;
	default:
		return ACL_OP_READ;
	}
}

int16_t group_coord_of(struct kreq *r, struct kp_str group_id, struct group_coord **c)
{
	*c = NULL;
	if (group_id.len < 0 || group_id.len > KB_GROUP_ID_MAX_BYTES)
		return KERR_INVALID_GROUP_ID;
	if (az_group(r, group_acl_op(r->hdr.RequestApiKey), group_id))
		return KERR_GROUP_AUTHORIZATION_FAILED;
	if (!group_id_valid(r->hdr.RequestApiKey, group_id))
		return KERR_INVALID_GROUP_ID;
	return gsvc_coordinator(r->b, group_id, c);
}

/* ---- FindCoordinator ----------------------------------------------------------------------- */

static int16_t find_one(struct kreq *r, int8_t key_type, struct kp_str key, int32_t *node,
                        struct kp_str *host, int32_t *port, struct kp_str *msg)
{
	*node = -1;
	*host = KP_STR_LIT("");
	*port = -1;
	*msg = KP_STR_NULL;
	if (key_type != 0 && key_type != 1)
		return KERR_INVALID_REQUEST;
	if (key.len < 0 || key.len > (key_type == 0 ? KB_GROUP_ID_MAX_BYTES : KB_TXN_ID_MAX_BYTES))
		return KERR_INVALID_REQUEST;
	int16_t denied = key_type == 0 ? az_group(r, ACL_OP_DESCRIBE, key)
	                               : az_txn(r, ACL_OP_DESCRIBE, key);
	if (denied)
		return denied;
	int16_t err = key_type == 0 ? gsvc_find(r->b, key, node) : tsvc_find(r->b, key, node);
	if (err != KERR_NONE)
		return err;
	const struct md_cache *md = coord_metadata(r->b->coord);
	for (int i = 0; i < md->nbrokers; i++) {
		if (md->brokers[i].id != *node)
			continue;
		const struct md_endpoint *ep = md_broker_endpoint(&md->brokers[i], r->cl->listener);
		if (!ep)
			break;
		*host = kp_str_c(ep->host);
		*port = ep->port;
		return KERR_NONE;
	}
	*node = -1;
	return KERR_COORDINATOR_NOT_AVAILABLE;
}

enum handler_result handle_find_coordinator(struct kreq *r)
{
	const struct FindCoordinatorRequest *req = r->req;
	struct FindCoordinatorResponse *resp = r->resp;
	if (r->version < 4) {
		resp->ErrorCode = find_one(r, r->version >= 1 ? req->KeyType : 0, req->Key,
		                           &resp->NodeId, &resp->Host, &resp->Port,
		                           &resp->ErrorMessage);
		return H_RESPOND;
	}
	const struct kp_str *keys = req->CoordinatorKeys.elems;
	struct Coordinator *out =
	        kreq_array(r, &resp->Coordinators, req->CoordinatorKeys.count, sizeof(*out));
	if (!out && req->CoordinatorKeys.count > 0)
		return H_CLOSE;
	for (int i = 0; i < req->CoordinatorKeys.count; i++) {
		out[i].Key = keys[i];
		out[i].ErrorCode = find_one(r, req->KeyType, keys[i], &out[i].NodeId, &out[i].Host,
		                            &out[i].Port, &out[i].ErrorMessage);
	}
	return H_RESPOND;
}

/* ---- JoinGroup, SyncGroup, Heartbeat, LeaveGroup ------------------------------------------- */

enum handler_result handle_join_group(struct kreq *r)
{
	const struct JoinGroupRequest *req = r->req;
	struct JoinGroupResponse *resp = r->resp;
	resp->MemberId = req->MemberId;
	resp->ProtocolName = r->version < 7 ? KP_STR_LIT("") : KP_STR_NULL;
	resp->Leader = KP_STR_LIT("");
	struct group_coord *c;
	int16_t err = group_coord_of(r, req->GroupId, &c);
	if (err != KERR_NONE) {
		resp->ErrorCode = err;
		return H_RESPOND;
	}
	const struct JoinGroupRequestProtocol *in = req->Protocols.elems;
	int np = req->Protocols.count > 0 ? req->Protocols.count : 0;
	struct group_protocol *protos = arena_alloc(&r->arena, (size_t)(np ? np : 1) * sizeof(*protos));
	if (!protos)
		return H_CLOSE;
	for (int i = 0; i < np; i++)
		protos[i] = (struct group_protocol){in[i].Name, in[i].Metadata};
	struct group_join_req jr = {
	        .group_id = req->GroupId, .member_id = req->MemberId,
	        .instance_id = r->version >= 5 ? req->GroupInstanceId : KP_STR_NULL,
	        .client_id = nonnull(r->hdr.ClientId),
	        .session_timeout_ms = req->SessionTimeoutMs,
	        .rebalance_timeout_ms = r->version >= 1 ? req->RebalanceTimeoutMs : -1,
	        .protocol_type = req->ProtocolType, .nprotocols = np, .protocols = protos,
	        .require_known_member_id = r->version >= 4,
	        .support_skip_assignment = r->version >= 9,
	};
	/* Kafka reports the client's address as Java prints an InetAddress: "/" and the IP. */
	const char *peer = conn_peer(r->conn);
	const char *colon = strrchr(peer, ':');
	size_t iplen = colon ? (size_t)(colon - peer) : strlen(peer);
	char *host = arena_alloc(&r->arena, iplen + 1);
	if (!host)
		return H_CLOSE;
	host[0] = '/';
	memcpy(host + 1, peer, iplen);
	jr.client_host = (struct kp_str){host, (int32_t)iplen + 1};
	struct gwait *w = gwait_new(r, GW_JOIN);
	group_join(c, &jr, w);
	gsvc_done(r->b, req->GroupId);
	return gwait_settle(w);
}

enum handler_result handle_sync_group(struct kreq *r)
{
	const struct SyncGroupRequest *req = r->req;
	struct SyncGroupResponse *resp = r->resp;
	resp->Assignment = (struct kp_bytes){(const uint8_t *)"", 0, NULL};
	struct group_coord *c;
	int16_t err = group_coord_of(r, req->GroupId, &c);
	if (err != KERR_NONE) {
		resp->ErrorCode = err;
		return H_RESPOND;
	}
	const struct SyncGroupRequestAssignment *in = req->Assignments.elems;
	int na = req->Assignments.count > 0 ? req->Assignments.count : 0;
	struct group_assignment *as = arena_alloc(&r->arena, (size_t)(na ? na : 1) * sizeof(*as));
	if (!as)
		return H_CLOSE;
	for (int i = 0; i < na; i++)
		as[i] = (struct group_assignment){in[i].MemberId, in[i].Assignment};
	struct group_sync_req sr = {
	        .group_id = req->GroupId, .member_id = req->MemberId,
	        .instance_id = r->version >= 3 ? req->GroupInstanceId : KP_STR_NULL,
	        .generation_id = req->GenerationId,
	        .protocol_type = r->version >= 5 ? req->ProtocolType : KP_STR_NULL,
	        .protocol_name = r->version >= 5 ? req->ProtocolName : KP_STR_NULL,
	        .nassignments = na, .assignments = as,
	};
	struct gwait *w = gwait_new(r, GW_SYNC);
	group_sync(c, &sr, w);
	gsvc_done(r->b, req->GroupId);
	return gwait_settle(w);
}

enum handler_result handle_heartbeat(struct kreq *r)
{
	const struct HeartbeatRequest *req = r->req;
	struct HeartbeatResponse *resp = r->resp;
	struct group_coord *c;
	resp->ErrorCode = group_coord_of(r, req->GroupId, &c);
	if (resp->ErrorCode == KERR_NONE) {
		resp->ErrorCode = group_heartbeat(c, req->GroupId, req->GenerationId, req->MemberId,
		                                  r->version >= 3 ? req->GroupInstanceId : KP_STR_NULL);
		gsvc_done(r->b, req->GroupId);
	}
	return H_RESPOND;
}

enum handler_result handle_leave_group(struct kreq *r)
{
	const struct LeaveGroupRequest *req = r->req;
	struct LeaveGroupResponse *resp = r->resp;
	struct group_coord *c;
	resp->ErrorCode = group_coord_of(r, req->GroupId, &c);
	if (resp->ErrorCode != KERR_NONE)
		return H_RESPOND;
	if (r->version < 3) {
		struct group_leave_member m = {req->MemberId, KP_STR_NULL, KP_STR_NULL, 0};
		resp->ErrorCode = group_leave(c, req->GroupId, &m, 1);
		if (resp->ErrorCode == KERR_NONE)
			resp->ErrorCode = m.error;
		gsvc_done(r->b, req->GroupId);
		return H_RESPOND;
	}
	const struct MemberIdentity *in = req->Members.elems;
	int n = req->Members.count > 0 ? req->Members.count : 0;
	struct group_leave_member *ms = arena_alloc(&r->arena, (size_t)(n ? n : 1) * sizeof(*ms));
	struct MemberResponse *out = kreq_array(r, &resp->Members, n, sizeof(*out));
	if (!ms || (!out && n > 0))
		return H_CLOSE;
	for (int i = 0; i < n; i++)
		ms[i] = (struct group_leave_member){in[i].MemberId, in[i].GroupInstanceId,
		                                    r->version >= 5 ? in[i].Reason : KP_STR_NULL, 0};
	resp->ErrorCode = group_leave(c, req->GroupId, ms, n);
	gsvc_done(r->b, req->GroupId);
	if (resp->ErrorCode != KERR_NONE) {
		resp->Members.count = 0;
		return H_RESPOND;
	}
	for (int i = 0; i < n; i++)
		out[i] = (struct MemberResponse){in[i].MemberId, in[i].GroupInstanceId, ms[i].error};
	return H_RESPOND;
}
