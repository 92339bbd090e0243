/* join.c — JoinGroup, after Kafka 3.9's classic GroupCoordinator (handleJoinGroup,
 * doNewMemberJoinGroup, doCurrentMemberJoinGroup, addMemberAndRebalance,
 * updateStaticMemberAndRebalance). The rebalance rounds it starts are in rebalance.c. */
#include "group_int.h"

#include <string.h>

/* ---- JoinGroup ------------------------------------------------------------------------- */

static bool supports_protocols(const struct group *g, const struct group_join_req *req)
{
	if (req->protocol_type.len <= 0 || req->nprotocols == 0)
		return false;
	if (g->nmembers == 0)
		return true;
	if (!g_eq(g->protocol_type, req->protocol_type))
		return false;
	for (int k = 0; k < req->nprotocols; k++) {
		bool all = true;
		for (int i = 0; i < g->nmembers && all; i++) {
			bool has = false;
			const struct gmember *m = g->members[i];
			for (int j = 0; j < m->nprotos && !has; j++)
				has = g_eq(m->protos[j].name, req->protocols[k].name);
			all = has;
		}
		if (all)
			return true;
	}
	return false;
}

static bool protocols_match(const struct gmember *m, const struct group_join_req *req)
{
	if (m->nprotos != req->nprotocols)
		return false;
	for (int i = 0; i < m->nprotos; i++) {
		struct kp_bytes b = req->protocols[i].metadata;
		int32_t blen = b.len > 0 ? b.len : 0;
		if (!g_eq(m->protos[i].name, req->protocols[i].name) || m->protos[i].len != blen ||
		    (blen && memcmp(m->protos[i].meta, b.ptr, (size_t)blen) != 0))
			return false;
	}
	return true;
}

static int32_t rebalance_ms(const struct group_join_req *req)
{
	int32_t ms = req->rebalance_timeout_ms < 0 ? req->session_timeout_ms : req->rebalance_timeout_ms;
	return KB_MAX(ms, 1);
}

/* Kafka's updateMember: new protocols and timeouts, and the JoinGroup parked. A second
 * JoinGroup parked for the same member replaces the first, which is answered
 * REBALANCE_IN_PROGRESS so the old request is not left without an answer. */
static void update_member(struct group_coord *c, struct group *g, struct gmember *m,
                          const struct group_join_req *req, void *handle)
{
	g_member_set_protos(c, g, m, g_protos_copy(req->protocols, req->nprotocols),
	                    req->nprotocols);
	m->rebalance_ms = rebalance_ms(req);
	m->session_ms = req->session_timeout_ms;
	g_answer_join_error(c, g, m, g_str(m->id), KERR_REBALANCE_IN_PROGRESS);
	m->join_handle = handle;
	m->awaiting_join = true;
	g->nawaiting_join++;
}

static void add_member_and_rebalance(struct group_coord *c, struct group *g,
                                     const struct group_join_req *req, char *id, void *handle)
{
	struct gmember *m = kb_calloc(1, sizeof(*m));
	m->id = id;
	m->instance_id = g_strdup(req->instance_id);
	m->client_id = g_strdup(req->client_id.len < 0 ? KP_STR_LIT("") : req->client_id);
	m->client_host = g_strdup(req->client_host.len < 0 ? KP_STR_LIT("") : req->client_host);
	m->is_new = true;
	if (g->state == GROUP_PREPARING_REBALANCE && g->generation == 0)
		g->new_member_added = true;
	if (g->nmembers == 0) {
		kb_free(g->protocol_type);
		g->protocol_type = g_strdup(req->protocol_type);
	}
	if (g->nmembers == g->members_cap) {
		g->members_cap = g->members_cap ? g->members_cap * 2 : 4;
		g->members = kb_realloc(g->members, sizeof(*g->members) * (size_t)g->members_cap);
	}
	g->members[g->nmembers++] = m;
	if (!g->leader)
		g->leader = kb_strdup(id);
	int pi = g_pending_index(g, g_str(id));
	if (pi >= 0)
		g_remove_pending(g, pi);
	update_member(c, g, m, req, handle);
	m->hb_deadline = gc_now(c) + GROUP_NEW_MEMBER_JOIN_TIMEOUT_MS;
	g_maybe_prepare_rebalance(c, g);
}

/* Kafka's updateStaticMemberAndRebalance: a known group.instance.id with a new member id. */
static void static_rejoin(struct group_coord *c, struct group *g, struct gmember *m, char *new_id,
                          const struct group_join_req *req, void *handle)
{
	char *old_id = m->id;
	struct gappend *a = kb_calloc(1, sizeof(*a));
	a->kind = GAPP_STATIC_JOIN;
	a->old_leader = g->leader ? kb_strdup(g->leader) : NULL;
	a->skip_ok = req->support_skip_assignment;
	g_answer_join_error(c, g, m, g_str(old_id), KERR_FENCED_INSTANCE_ID);
	g_answer_sync_error(c, m, KERR_FENCED_INSTANCE_ID);
	m->id = new_id;
	if (g->leader && strcmp(g->leader, old_id) == 0) {
		kb_free(g->leader);
		g->leader = kb_strdup(new_id);
	}
	m->hb_deadline = gc_now(c) + m->session_ms;
	a->old_id = old_id;
	a->new_id = kb_strdup(new_id);
	g_member_uncount(c, g, m); /* its protocols move to `a` */
	a->old_protos = m->protos;
	a->old_nprotos = m->nprotos;
	a->old_session_ms = m->session_ms;
	a->old_rebalance_ms = m->rebalance_ms;
	m->protos = NULL;
	m->nprotos = 0;
	update_member(c, g, m, req, handle);
	const char *sel;
	switch (g->state) {
	case GROUP_STABLE:
		sel = g_select_protocol(g);
		if (g->protocol && sel && strcmp(sel, g->protocol) == 0) {
			g_store_group(c, g, a); /* answered when persisted, without a rebalance */
			return;
		}
		g_maybe_prepare_rebalance(c, g);
		break;
	case GROUP_COMPLETING_REBALANCE:
		g_prepare_rebalance(c, g);
		break;
	default:
		break;
	}
	kb_free(a->old_id);
	kb_free(a->new_id);
	kb_free(a->old_leader);
	g_protos_free(a->old_protos, a->old_nprotos);
	kb_free(a);
}

void g_static_join_appended(struct group_coord *c, struct gappend *a, int16_t err)
{
	struct group *g = a->g;
	struct gmember *m = g_member(g, g_str(a->new_id));
	if (!m)
		return;
	if (err == KERR_NONE && a->skip_ok) {
		/* KIP-814: a returning static leader gets the members and may skip assigning. */
		bool leader = g->leader && strcmp(g->leader, m->id) == 0;
		g_answer_join_current(c, g, m, leader);
		return;
	}
	if (err == KERR_NONE) {
		/* Before v9: no member list, and the leader named is the one before the
		 * replacement, so a returning leader acts as a follower and keeps its assignment. */
		struct group_join_result r = {
			.error = KERR_NONE, .generation_id = g->generation,
			.protocol_type = g_str(g->protocol_type), .protocol_name = g_str(g->protocol),
			.leader = g_str(a->old_leader ? a->old_leader : ""), .member_id = g_str(m->id)};
		g_answer_join(c, g, m, &r);
		return;
	}
	/* Revert to the old member id; the new JoinGroup gets the error. */
	kb_free(m->id);
	m->id = a->old_id;
	a->old_id = NULL;
	if (g->leader && strcmp(g->leader, a->new_id) == 0) {
		kb_free(g->leader);
		g->leader = kb_strdup(m->id);
	}
	g_member_set_protos(c, g, m, a->old_protos, a->old_nprotos);
	a->old_protos = NULL;
	a->old_nprotos = 0;
	m->session_ms = a->old_session_ms;
	m->rebalance_ms = a->old_rebalance_ms;
	m->hb_deadline = gc_now(c) + m->session_ms;
	g_answer_join_error(c, g, m, KP_STR_LIT(""), g_map_append_error(err, false));
}

static bool accept_joining(const struct group *g, struct gmember *m, int32_t max)
{
	switch (g->state) {
	case GROUP_PREPARING_REBALANCE:
		return (m && m->awaiting_join) || g->nawaiting_join < max;
	case GROUP_COMPLETING_REBALANCE:
	case GROUP_STABLE:
		return m || g->nmembers < max;
	default:
		return true;
	}
}

static int16_t join_validate(const struct group_coord *c, const struct group_join_req *req)
{
	if (req->group_id.len <= 0 || req->group_id.len > KB_GROUP_ID_MAX_BYTES)
		return KERR_INVALID_GROUP_ID;
	if (req->member_id.len > KB_GROUP_ID_MAX_BYTES || req->instance_id.len > KB_GROUP_ID_MAX_BYTES ||
	    req->nprotocols < 0 || req->nprotocols > KB_GROUP_MAX_PROTOCOLS)
		return KERR_INVALID_REQUEST;
	int64_t meta = 0;
	for (int i = 0; i < req->nprotocols; i++)
		meta += (req->protocols[i].metadata.len > 0 ? req->protocols[i].metadata.len : 0) +
		        (req->protocols[i].name.len > 0 ? req->protocols[i].name.len : 0);
	if (meta > KB_GROUP_PROTOCOL_META_MAX_BYTES)
		return KERR_INVALID_REQUEST;
	if (req->session_timeout_ms < c->cfg.min_session_timeout_ms ||
	    req->session_timeout_ms > c->cfg.max_session_timeout_ms)
		return KERR_INVALID_SESSION_TIMEOUT;
	return KERR_NONE;
}

/* Kafka's doCurrentMemberJoinGroup, for a known member id. */
static void join_known(struct group_coord *c, struct group *g, const struct group_join_req *req,
                       void *handle)
{
	int pi = g_pending_index(g, req->member_id);
	if (pi >= 0) {
		add_member_and_rebalance(c, g, req, g_strdup(req->member_id), handle);
		return;
	}
	struct gmember *st = g_static_member(g, req->instance_id);
	if (st && !g_eq(st->id, req->member_id)) {
		g_join_error(c, handle, req->member_id, KERR_FENCED_INSTANCE_ID);
		return;
	}
	struct gmember *m = g_member(g, req->member_id);
	if (!m || (req->instance_id.len >= 0 && !st)) {
		g_join_error(c, handle, req->member_id, KERR_UNKNOWN_MEMBER_ID);
		return;
	}
	bool leader = g->leader && strcmp(g->leader, m->id) == 0;
	switch (g->state) {
	case GROUP_PREPARING_REBALANCE:
		update_member(c, g, m, req, handle);
		break;
	case GROUP_COMPLETING_REBALANCE:
	case GROUP_STABLE:
		if ((g->state == GROUP_STABLE && leader) || !protocols_match(m, req)) {
			update_member(c, g, m, req, handle);
			g_maybe_prepare_rebalance(c, g);
		} else {
			/* Same metadata: the current generation's answer (the leader's member list only
			 * while the leader still has to assign). */
			g_answer_join_error(c, g, m, g_str(m->id), KERR_REBALANCE_IN_PROGRESS);
			m->join_handle = handle;
			m->awaiting_join = true;
			g->nawaiting_join++;
			g_answer_join_current(c, g, m, false);
		}
		break;
	default:
		g_join_error(c, handle, req->member_id, KERR_UNKNOWN_MEMBER_ID);
		break;
	}
}

/* The metadata limits (KB_GROUP_META_MAX_BYTES per group, KB_GROUPS_META_MAX_BYTES for the
 * broker): a join may not grow what its group or the broker holds past them. */
static int16_t meta_budget(const struct group_coord *c, const struct group *g,
                           const struct gmember *m, const struct group_join_req *req)
{
	int64_t need = 0;
	for (int i = 0; i < req->nprotocols; i++)
		need += KB_MAX(req->protocols[i].metadata.len, 0) + KB_MAX(req->protocols[i].name.len, 0);
	int64_t have = m ? g_protos_bytes(m->protos, m->nprotos) : 0;
	if (need <= have)
		return KERR_NONE;
	if (g->meta_bytes - have + need > KB_GROUP_META_MAX_BYTES)
		return KERR_GROUP_MAX_SIZE_REACHED;
	if (*c->cfg.meta_used - have + need > KB_GROUPS_META_MAX_BYTES)
		return KERR_COORDINATOR_NOT_AVAILABLE;
	return KERR_NONE;
}

void group_join(struct group_coord *c, const struct group_join_req *req, void *handle)
{
	c->dl_valid = false;
	int16_t err = join_validate(c, req);
	if (err != KERR_NONE) {
		g_join_error(c, handle, req->member_id, err);
		return;
	}
	bool unknown = req->member_id.len <= 0;
	struct group *g = gc_find(c, req->group_id);
	if (!g) {
		if (!unknown) {
			g_join_error(c, handle, req->member_id, KERR_UNKNOWN_MEMBER_ID);
			return;
		}
		g = gc_create(c, req->group_id);
	}
	struct gmember *m = unknown ? NULL : g_member(g, req->member_id);
	if (!accept_joining(g, m, c->cfg.max_size)) {
		if (m)
			g_remove_member(c, g, m);
		else if (!unknown && g_pending_index(g, req->member_id) >= 0)
			g_remove_pending(g, g_pending_index(g, req->member_id));
		g_join_error(c, handle, KP_STR_LIT(""), KERR_GROUP_MAX_SIZE_REACHED);
	} else if (!supports_protocols(g, req)) {
		g_join_error(c, handle, req->member_id, KERR_INCONSISTENT_GROUP_PROTOCOL);
	} else if ((err = meta_budget(c, g, m ? m : g_static_member(g, req->instance_id), req)) !=
	           KERR_NONE) {
		g_join_error(c, handle, req->member_id, err);
	} else if (!unknown) {
		join_known(c, g, req, handle);
	} else {
		char *id;
		g_uuid_member_id(c, req->instance_id.len >= 0 ? req->instance_id : req->client_id, &id);
		struct gmember *st = g_static_member(g, req->instance_id);
		if (st) {
			static_rejoin(c, g, st, id, req, handle);
		} else if (req->instance_id.len < 0 && req->require_known_member_id) {
			if (g->npending == g->pending_cap) {
				g->pending_cap = g->pending_cap ? g->pending_cap * 2 : 4;
				g->pending = kb_realloc(g->pending, sizeof(*g->pending) * (size_t)g->pending_cap);
			}
			g->pending[g->npending++] = (struct gpending_member){
				id, gc_now(c) + req->session_timeout_ms};
			g_join_error(c, handle, g_str(id), KERR_MEMBER_ID_REQUIRED);
		} else {
			add_member_and_rebalance(c, g, req, id, handle);
		}
	}
	if (g->state == GROUP_PREPARING_REBALANCE)
		g_try_complete_join(c, g);
	else if (g->state == GROUP_EMPTY && g->nmembers == 0 && g->npending == 0 &&
	         g->noffsets == 0 && g->generation == 0 && g->inflight == 0)
		gc_remove_group(c, g); /* a refused first join leaves nothing behind */
}

