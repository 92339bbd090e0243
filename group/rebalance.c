/* rebalance.c — JoinGroup, SyncGroup, Heartbeat, LeaveGroup and the rebalance timers, after
 * Kafka 3.9's classic GroupCoordinator (handleJoinGroup, doSyncGroup, onCompleteJoin,
 * onExpireHeartbeat, onExpirePendingSync, updateStaticMemberAndRebalance). */
#include "group_int.h"

#include <string.h>

/* ---- Answers ---------------------------------------------------------------------------- */

static void join_error(struct group_coord *c, void *handle, struct kp_str member_id, int16_t err)
{
	struct group_join_result r = {.error = err, .generation_id = -1, .protocol_type = KP_STR_NULL,
	                              .protocol_name = KP_STR_NULL, .leader = KP_STR_LIT(""),
	                              .member_id = member_id.len < 0 ? KP_STR_LIT("") : member_id};
	c->io.join_done(c->io.arg, handle, &r);
}

static void sync_error(struct group_coord *c, void *handle, int16_t err)
{
	struct group_sync_result r = {.error = err, .protocol_type = KP_STR_NULL,
	                              .protocol_name = KP_STR_NULL,
	                              .assignment = {(const uint8_t *)"", 0, NULL}};
	c->io.sync_done(c->io.arg, handle, &r);
}

/* Kafka's maybeInvokeJoinCallback. */
static void answer_join(struct group_coord *c, struct group *g, struct gmember *m,
                        const struct group_join_result *r)
{
	if (!m->awaiting_join)
		return;
	void *h = m->join_handle;
	m->join_handle = NULL;
	m->awaiting_join = false;
	g->nawaiting_join--;
	c->io.join_done(c->io.arg, h, r);
}

static void answer_join_error(struct group_coord *c, struct group *g, struct gmember *m,
                              struct kp_str member_id, int16_t err)
{
	if (!m->awaiting_join)
		return;
	void *h = m->join_handle;
	m->join_handle = NULL;
	m->awaiting_join = false;
	g->nawaiting_join--;
	join_error(c, h, member_id, err);
}

static bool answer_sync(struct group_coord *c, struct gmember *m, const struct group_sync_result *r)
{
	if (!m->awaiting_sync)
		return false;
	void *h = m->sync_handle;
	m->sync_handle = NULL;
	m->awaiting_sync = false;
	c->io.sync_done(c->io.arg, h, r);
	return true;
}

static void answer_sync_error(struct group_coord *c, struct gmember *m, int16_t err)
{
	if (!m->awaiting_sync)
		return;
	void *h = m->sync_handle;
	m->sync_handle = NULL;
	m->awaiting_sync = false;
	sync_error(c, h, err);
}

/* The JoinGroup answer of the current generation; the leader gets every member's metadata. */
static void answer_join_current(struct group_coord *c, struct group *g, struct gmember *m,
                                bool skip_assignment)
{
	bool leader = g->leader && strcmp(g->leader, m->id) == 0;
	struct group_join_member *mm = NULL;
	if (leader) {
		mm = kb_calloc((size_t)(g->nmembers ? g->nmembers : 1), sizeof(*mm));
		for (int i = 0; i < g->nmembers; i++) {
			const struct gproto *p = g_member_proto(g->members[i], g->protocol);
			mm[i] = (struct group_join_member){
				g_str(g->members[i]->id), g_str(g->members[i]->instance_id),
				p ? (struct kp_bytes){p->meta, p->len, NULL} : (struct kp_bytes){(const uint8_t *)"", 0, NULL}};
		}
	}
	struct group_join_result r = {.error = KERR_NONE, .generation_id = g->generation,
	                              .protocol_type = g_str(g->protocol_type),
	                              .protocol_name = g_str(g->protocol),
	                              .leader = g_str(g->leader ? g->leader : ""),
	                              .member_id = g_str(m->id), .skip_assignment = skip_assignment,
	                              .nmembers = leader ? g->nmembers : 0, .members = mm};
	answer_join(c, g, m, &r);
	kb_free(mm);
}

/* ---- Members in and out ------------------------------------------------------------- */

static void check_sync_complete(struct group *g)
{
	for (int i = 0; i < g->nmembers; i++)
		if (g->members[i]->pending_sync)
			return;
	g->sync_deadline = GROUP_NEVER;
}

/* Kafka's group.remove: out of the member list, a new leader if it led. Anything it still has
 * parked is answered UNKNOWN_MEMBER_ID (Kafka drops it; a parked request must be answered). */
static void remove_member(struct group_coord *c, struct group *g, struct gmember *m)
{
	answer_join_error(c, g, m, KP_STR_LIT(""), KERR_UNKNOWN_MEMBER_ID);
	answer_sync_error(c, m, KERR_UNKNOWN_MEMBER_ID);
	int i = 0;
	while (i < g->nmembers && g->members[i] != m)
		i++;
	KB_ASSERT(i < g->nmembers);
	memmove(&g->members[i], &g->members[i + 1], sizeof(m) * (size_t)(g->nmembers - i - 1));
	g->nmembers--;
	if (g->leader && strcmp(g->leader, m->id) == 0) {
		kb_free(g->leader);
		g->leader = g->nmembers ? kb_strdup(g->members[0]->id) : NULL;
	}
	g_member_free(m);
	if (g->state == GROUP_COMPLETING_REBALANCE || g->state == GROUP_STABLE)
		check_sync_complete(g);
}

static void remove_pending(struct group *g, int idx)
{
	kb_free(g->pending[idx].id);
	g->pending[idx] = g->pending[--g->npending];
}

/* ---- Rebalance rounds ------------------------------------------------------------------ */

static void complete_join(struct group_coord *c, struct group *g);

static void try_complete_join(struct group_coord *c, struct group *g)
{
	if (g->state == GROUP_PREPARING_REBALANCE && !g->join_initial &&
	    g->join_deadline != GROUP_NEVER && g->nmembers == g->nawaiting_join && g->npending == 0)
		complete_join(c, g);
}

/* Kafka's resetAndPropagateAssignmentError. */
static void reset_assignments(struct group_coord *c, struct group *g, int16_t err)
{
	for (int i = 0; i < g->nmembers; i++) {
		struct gmember *m = g->members[i];
		kb_free(m->assignment);
		m->assignment = NULL;
		m->assignment_len = 0;
		answer_sync_error(c, m, err);
	}
}

static void prepare_rebalance(struct group_coord *c, struct group *g)
{
	int64_t now = gc_now(c);
	if (g->state == GROUP_COMPLETING_REBALANCE)
		reset_assignments(c, g, KERR_REBALANCE_IN_PROGRESS);
	g->sync_deadline = GROUP_NEVER;
	if (g->state == GROUP_EMPTY) {
		int32_t delay = c->cfg.initial_rebalance_delay_ms;
		g->join_initial = true;
		g->initial_delay_cur = delay;
		g->initial_remaining = KB_MAX(g_rebalance_timeout(g) - delay, 0);
		g->join_deadline = now + delay;
	} else {
		g->join_initial = false;
		g->join_deadline = now + g_rebalance_timeout(g);
	}
	g_set_state(c, g, GROUP_PREPARING_REBALANCE);
	try_complete_join(c, g);
}

static void maybe_prepare_rebalance(struct group_coord *c, struct group *g)
{
	if (g->state == GROUP_STABLE || g->state == GROUP_COMPLETING_REBALANCE ||
	    g->state == GROUP_EMPTY)
		prepare_rebalance(c, g);
}

/* Kafka's removeMemberAndUpdateGroup. */
static void remove_member_and_update(struct group_coord *c, struct group *g, struct gmember *m)
{
	remove_member(c, g, m);
	switch (g->state) {
	case GROUP_STABLE:
	case GROUP_COMPLETING_REBALANCE:
		maybe_prepare_rebalance(c, g);
		break;
	case GROUP_PREPARING_REBALANCE:
		try_complete_join(c, g);
		break;
	default:
		break;
	}
}

/* Kafka's maybeElectNewJoinedLeader. */
static bool elect_joined_leader(struct group *g)
{
	struct gmember *l = g->leader ? g_member(g, g_str(g->leader)) : NULL;
	if (!l)
		return false;
	if (l->awaiting_join)
		return true;
	for (int i = 0; i < g->nmembers; i++) {
		if (g->members[i]->awaiting_join) {
			kb_free(g->leader);
			g->leader = kb_strdup(g->members[i]->id);
			return true;
		}
	}
	return false;
}

/* Kafka's onCompleteJoin. */
static void complete_join(struct group_coord *c, struct group *g)
{
	int64_t now = gc_now(c);
	g->join_deadline = GROUP_NEVER;
	g->join_initial = false;
	for (int i = 0; i < g->nmembers;) {
		struct gmember *m = g->members[i];
		if (!m->awaiting_join && !m->instance_id)
			remove_member(c, g, m);
		else
			i++;
	}
	if (!elect_joined_leader(g) && g->nmembers > 0) {
		g->join_deadline = now + g_rebalance_timeout(g);
		return;
	}
	g->generation++;
	kb_free(g->protocol);
	g->protocol = NULL;
	if (g->nmembers) {
		const char *p = g_select_protocol(g);
		g->protocol = p ? kb_strdup(p) : NULL;
	}
	g_compute_subscribed(g);
	g_set_state(c, g, g->nmembers ? GROUP_COMPLETING_REBALANCE : GROUP_EMPTY);
	for (int i = 0; i < g->nmembers; i++)
		g->members[i]->pending_sync = false;
	if (g->state == GROUP_EMPTY) {
		struct gappend *a = kb_calloc(1, sizeof(*a));
		a->kind = GAPP_EMPTY;
		g_store_group(c, g, a);
		return;
	}
	for (int i = 0; i < g->nmembers; i++) {
		struct gmember *m = g->members[i];
		answer_join_current(c, g, m, false);
		m->hb_deadline = now + m->session_ms;
		m->is_new = false;
		m->pending_sync = true;
	}
	g->sync_deadline = now + g_rebalance_timeout(g);
}

void g_on_join_deadline(struct group_coord *c, struct group *g)
{
	if (g->join_initial && g->new_member_added && g->initial_remaining != 0) {
		/* Kafka's InitialDelayedJoin: wait again while members keep arriving. */
		g->new_member_added = false;
		int32_t delay = KB_MIN(c->cfg.initial_rebalance_delay_ms, g->initial_remaining);
		g->initial_remaining = KB_MAX(g->initial_remaining - g->initial_delay_cur, 0);
		g->initial_delay_cur = delay;
		g->join_deadline = gc_now(c) + delay;
		return;
	}
	complete_join(c, g);
}

void g_on_sync_deadline(struct group_coord *c, struct group *g)
{
	g->sync_deadline = GROUP_NEVER;
	if (g->state != GROUP_COMPLETING_REBALANCE && g->state != GROUP_STABLE)
		return;
	bool removed = false;
	for (int i = 0; i < g->nmembers;) {
		if (g->members[i]->pending_sync) {
			remove_member(c, g, g->members[i]);
			removed = true;
		} else {
			i++;
		}
	}
	if (removed)
		prepare_rebalance(c, g);
}

void g_on_heartbeat_expired(struct group_coord *c, struct group *g, struct gmember *m)
{
	m->hb_deadline = GROUP_NEVER;
	/* Members parked in a rebalance satisfy their heartbeats (Kafka's hasSatisfiedHeartbeat);
	 * new members do not. */
	if (!m->is_new && (m->awaiting_join || m->awaiting_sync))
		return;
	remove_member_and_update(c, g, m);
}

void g_on_pending_expired(struct group_coord *c, struct group *g, int idx)
{
	remove_pending(g, idx);
	if (g->state == GROUP_PREPARING_REBALANCE)
		try_complete_join(c, g);
}

void g_unload_group(struct group_coord *c, struct group *g)
{
	enum group_state prev = g->state;
	g->state = GROUP_DEAD;
	for (int i = 0; i < g->nmembers; i++) {
		struct gmember *m = g->members[i];
		if (prev == GROUP_PREPARING_REBALANCE || m->awaiting_join)
			answer_join_error(c, g, m, g_str(m->id), KERR_NOT_COORDINATOR);
		answer_sync_error(c, m, KERR_NOT_COORDINATOR);
	}
}

/* ---- Persisting the group --------------------------------------------------------------- */

/* Kafka's storeGroup: a GroupMetadataValue with `a`'s assignments (or the members' own). */
void g_store_group(struct group_coord *c, struct group *g, struct gappend *a)
{
	struct group_meta_rec r;
	g_group_rec_fill(g, &r, a->nassign ? a->assign : NULL, a->assign_len);
	struct kbuf k, v;
	kbuf_init(&k, SIZE_MAX);
	kbuf_init(&v, SIZE_MAX);
	group_rec_group_key(&k, g_str(g->id));
	group_rec_group_value(&v, &r);
	kb_free(r.members);
	a->g = g;
	a->generation = g->generation;
	struct group_append_rec rec = {k.data, k.len, v.data, v.len};
	int16_t err;
	gc_append(c, a, &rec, 1, &err);
	kbuf_free(&k);
	kbuf_free(&v);
}

void g_sync_appended(struct group_coord *c, struct gappend *a, int16_t err)
{
	struct group *g = a->g;
	if (g->state != GROUP_COMPLETING_REBALANCE || a->generation != g->generation)
		return;
	if (err != KERR_NONE) {
		reset_assignments(c, g, g_map_append_error(err, false));
		maybe_prepare_rebalance(c, g);
		return;
	}
	int64_t now = gc_now(c);
	for (int i = 0; i < g->nmembers && i < a->nassign; i++) {
		struct gmember *m = g->members[i];
		kb_free(m->assignment);
		m->assignment = a->assign[i];
		m->assignment_len = a->assign_len[i];
		a->assign[i] = NULL;
	}
	for (int i = 0; i < g->nmembers; i++) {
		struct gmember *m = g->members[i];
		struct group_sync_result r = {
			.error = KERR_NONE, .protocol_type = g_str(g->protocol_type),
			.protocol_name = g_str(g->protocol),
			.assignment = {m->assignment ? m->assignment : (const uint8_t *)"",
			               m->assignment_len, NULL}};
		if (answer_sync(c, m, &r))
			m->hb_deadline = now + m->session_ms;
	}
	g_set_state(c, g, GROUP_STABLE);
}

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
	return req->rebalance_timeout_ms < 0 ? req->session_timeout_ms : req->rebalance_timeout_ms;
}

/* Kafka's updateMember: new protocols and timeouts, and the JoinGroup parked. A second
 * JoinGroup parked for the same member replaces the first, which is answered
 * REBALANCE_IN_PROGRESS so the old request is not left without an answer. */
static void update_member(struct group_coord *c, struct group *g, struct gmember *m,
                          const struct group_join_req *req, void *handle)
{
	g_protos_free(m->protos, m->nprotos);
	m->protos = g_protos_copy(req->protocols, req->nprotocols);
	m->nprotos = req->nprotocols;
	m->rebalance_ms = rebalance_ms(req);
	m->session_ms = req->session_timeout_ms;
	answer_join_error(c, g, m, g_str(m->id), KERR_REBALANCE_IN_PROGRESS);
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
		remove_pending(g, pi);
	update_member(c, g, m, req, handle);
	m->hb_deadline = gc_now(c) + GROUP_NEW_MEMBER_JOIN_TIMEOUT_MS;
	maybe_prepare_rebalance(c, g);
}

/* Kafka's updateStaticMemberAndRebalance: a known group.instance.id with a new member id. */
static void static_rejoin(struct group_coord *c, struct group *g, struct gmember *m, char *new_id,
                          const struct group_join_req *req, void *handle)
{
	char *old_id = m->id;
	answer_join_error(c, g, m, g_str(old_id), KERR_FENCED_INSTANCE_ID);
	answer_sync_error(c, m, KERR_FENCED_INSTANCE_ID);
	m->id = new_id;
	if (g->leader && strcmp(g->leader, old_id) == 0) {
		kb_free(g->leader);
		g->leader = kb_strdup(new_id);
	}
	m->hb_deadline = gc_now(c) + m->session_ms;
	struct gappend *a = kb_calloc(1, sizeof(*a));
	a->kind = GAPP_STATIC_JOIN;
	a->old_id = old_id;
	a->new_id = kb_strdup(new_id);
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
		maybe_prepare_rebalance(c, g);
		break;
	case GROUP_COMPLETING_REBALANCE:
		prepare_rebalance(c, g);
		break;
	default:
		break;
	}
	kb_free(a->old_id);
	kb_free(a->new_id);
	g_protos_free(a->old_protos, a->old_nprotos);
	kb_free(a);
}

void g_static_join_appended(struct group_coord *c, struct gappend *a, int16_t err)
{
	struct group *g = a->g;
	struct gmember *m = g_member(g, g_str(a->new_id));
	if (!m)
		return;
	if (err == KERR_NONE) {
		bool leader = g->leader && strcmp(g->leader, m->id) == 0;
		answer_join_current(c, g, m, leader);
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
	g_protos_free(m->protos, m->nprotos);
	m->protos = a->old_protos;
	m->nprotos = a->old_nprotos;
	a->old_protos = NULL;
	a->old_nprotos = 0;
	m->session_ms = a->old_session_ms;
	m->rebalance_ms = a->old_rebalance_ms;
	m->hb_deadline = gc_now(c) + m->session_ms;
	answer_join_error(c, g, m, KP_STR_LIT(""), g_map_append_error(err, false));
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
		join_error(c, handle, req->member_id, KERR_FENCED_INSTANCE_ID);
		return;
	}
	struct gmember *m = g_member(g, req->member_id);
	if (!m || (req->instance_id.len >= 0 && !st)) {
		join_error(c, handle, req->member_id, KERR_UNKNOWN_MEMBER_ID);
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
			maybe_prepare_rebalance(c, g);
		} else {
			/* Same metadata: the current generation's answer (the leader's member list only
			 * while the leader still has to assign). */
			answer_join_error(c, g, m, g_str(m->id), KERR_REBALANCE_IN_PROGRESS);
			m->join_handle = handle;
			m->awaiting_join = true;
			g->nawaiting_join++;
			answer_join_current(c, g, m, false);
		}
		break;
	default:
		join_error(c, handle, req->member_id, KERR_UNKNOWN_MEMBER_ID);
		break;
	}
}

void group_join(struct group_coord *c, const struct group_join_req *req, void *handle)
{
	int16_t err = join_validate(c, req);
	if (err != KERR_NONE) {
		join_error(c, handle, req->member_id, err);
		return;
	}
	bool unknown = req->member_id.len <= 0;
	struct group *g = gc_find(c, req->group_id);
	if (!g) {
		if (!unknown) {
			join_error(c, handle, req->member_id, KERR_UNKNOWN_MEMBER_ID);
			return;
		}
		g = gc_create(c, req->group_id);
	}
	struct gmember *m = unknown ? NULL : g_member(g, req->member_id);
	if (!accept_joining(g, m, c->cfg.max_size)) {
		if (m)
			remove_member(c, g, m);
		else if (!unknown && g_pending_index(g, req->member_id) >= 0)
			remove_pending(g, g_pending_index(g, req->member_id));
		join_error(c, handle, KP_STR_LIT(""), KERR_GROUP_MAX_SIZE_REACHED);
	} else if (!supports_protocols(g, req)) {
		join_error(c, handle, req->member_id, KERR_INCONSISTENT_GROUP_PROTOCOL);
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
			join_error(c, handle, g_str(id), KERR_MEMBER_ID_REQUIRED);
		} else {
			add_member_and_rebalance(c, g, req, id, handle);
		}
	}
	if (g->state == GROUP_PREPARING_REBALANCE)
		try_complete_join(c, g);
	else if (g->state == GROUP_EMPTY && g->nmembers == 0 && g->npending == 0 &&
	         g->noffsets == 0 && g->generation == 0 && g->inflight == 0)
		gc_remove_group(c, g); /* a refused first join leaves nothing behind */
}

/* ---- SyncGroup, Heartbeat, LeaveGroup ---------------------------------------------------- */

/* Kafka's validateCurrentMember. */
static int16_t validate_member(struct group *g, struct kp_str member_id, struct kp_str instance_id)
{
	if (instance_id.len >= 0) {
		struct gmember *st = g_static_member(g, instance_id);
		if (!st)
			return KERR_UNKNOWN_MEMBER_ID;
		if (!g_eq(st->id, member_id))
			return KERR_FENCED_INSTANCE_ID;
	}
	return g_member(g, member_id) ? KERR_NONE : KERR_UNKNOWN_MEMBER_ID;
}

static int16_t sync_leader(struct group_coord *c, struct group *g, const struct group_sync_req *req)
{
	for (int i = 0; i < req->nassignments; i++)
		if (req->assignments[i].assignment.len > KB_GROUP_ASSIGNMENT_MAX_BYTES)
			return KERR_INVALID_REQUEST;
	struct gappend *a = kb_calloc(1, sizeof(*a));
	a->kind = GAPP_SYNC;
	a->nassign = g->nmembers;
	a->assign = kb_calloc((size_t)(g->nmembers ? g->nmembers : 1), sizeof(*a->assign));
	a->assign_len = kb_calloc((size_t)(g->nmembers ? g->nmembers : 1), sizeof(int32_t));
	for (int i = 0; i < g->nmembers; i++) {
		struct kp_bytes b = {NULL, 0, NULL};
		for (int k = 0; k < req->nassignments; k++) /* the last entry for a member wins */
			if (g_eq(g->members[i]->id, req->assignments[k].member_id))
				b = req->assignments[k].assignment;
		a->assign_len[i] = b.len > 0 ? b.len : 0;
		a->assign[i] = kb_malloc((size_t)a->assign_len[i] + 1);
		if (a->assign_len[i])
			memcpy(a->assign[i], b.ptr, (size_t)a->assign_len[i]);
	}
	g_store_group(c, g, a);
	return KERR_NONE;
}

void group_sync(struct group_coord *c, const struct group_sync_req *req, void *handle)
{
	if (req->group_id.len <= 0) {
		sync_error(c, handle, KERR_INVALID_GROUP_ID);
		return;
	}
	struct group *g = gc_find(c, req->group_id);
	if (!g) {
		sync_error(c, handle, KERR_UNKNOWN_MEMBER_ID);
		return;
	}
	int16_t err = validate_member(g, req->member_id, req->instance_id);
	if (err == KERR_NONE && req->generation_id != g->generation)
		err = KERR_ILLEGAL_GENERATION;
	if (err == KERR_NONE && ((req->protocol_type.len >= 0 && !g_eq(g->protocol_type, req->protocol_type)) ||
	                         (req->protocol_name.len >= 0 && !g_eq(g->protocol, req->protocol_name))))
		err = KERR_INCONSISTENT_GROUP_PROTOCOL;
	if (err == KERR_NONE && g->state == GROUP_EMPTY)
		err = KERR_UNKNOWN_MEMBER_ID;
	if (err == KERR_NONE && g->state == GROUP_PREPARING_REBALANCE)
		err = KERR_REBALANCE_IN_PROGRESS;
	if (err != KERR_NONE) {
		sync_error(c, handle, err);
		return;
	}
	struct gmember *m = g_member(g, req->member_id);
	if (g->state == GROUP_STABLE) {
		m->pending_sync = false;
		check_sync_complete(g);
		struct group_sync_result r = {
			.error = KERR_NONE, .protocol_type = g_str(g->protocol_type),
			.protocol_name = g_str(g->protocol),
			.assignment = {m->assignment ? m->assignment : (const uint8_t *)"", m->assignment_len, NULL}};
		c->io.sync_done(c->io.arg, handle, &r);
		m->hb_deadline = gc_now(c) + m->session_ms;
		return;
	}
	/* CompletingRebalance: park until the leader's assignment is persisted. */
	answer_sync_error(c, m, KERR_REBALANCE_IN_PROGRESS); /* a duplicate parked SyncGroup */
	m->sync_handle = handle;
	m->awaiting_sync = true;
	m->pending_sync = false;
	check_sync_complete(g);
	if (g->leader && strcmp(g->leader, m->id) == 0) {
		err = sync_leader(c, g, req);
		if (err != KERR_NONE)
			answer_sync_error(c, m, err);
	}
}

int16_t group_heartbeat(struct group_coord *c, struct kp_str group_id, int32_t generation_id,
                        struct kp_str member_id, struct kp_str instance_id)
{
	if (group_id.len <= 0)
		return KERR_INVALID_GROUP_ID;
	struct group *g = gc_find(c, group_id);
	if (!g)
		return KERR_UNKNOWN_MEMBER_ID;
	int16_t err = validate_member(g, member_id, instance_id);
	if (err != KERR_NONE)
		return err;
	if (generation_id != g->generation)
		return KERR_ILLEGAL_GENERATION;
	if (g->state == GROUP_EMPTY)
		return KERR_UNKNOWN_MEMBER_ID;
	struct gmember *m = g_member(g, member_id);
	m->hb_deadline = gc_now(c) + m->session_ms;
	return g->state == GROUP_PREPARING_REBALANCE ? KERR_REBALANCE_IN_PROGRESS : KERR_NONE;
}

int16_t group_leave(struct group_coord *c, struct kp_str group_id,
                    struct group_leave_member *members, int n)
{
	if (group_id.len <= 0)
		return KERR_INVALID_GROUP_ID;
	struct group *g = gc_find(c, group_id);
	for (int i = 0; i < n; i++) {
		struct group_leave_member *lm = &members[i];
		int pi;
		if (!g) {
			lm->error = KERR_UNKNOWN_MEMBER_ID;
		} else if (lm->member_id.len <= 0) {
			/* Administrative removal by group.instance.id. */
			struct gmember *st = g_static_member(g, lm->instance_id);
			lm->error = st ? KERR_NONE : KERR_UNKNOWN_MEMBER_ID;
			if (st)
				remove_member_and_update(c, g, st);
		} else if ((pi = g_pending_index(g, lm->member_id)) >= 0) {
			remove_pending(g, pi);
			if (g->state == GROUP_PREPARING_REBALANCE)
				try_complete_join(c, g);
			lm->error = KERR_NONE;
		} else {
			lm->error = validate_member(g, lm->member_id, lm->instance_id);
			if (lm->error == KERR_NONE)
				remove_member_and_update(c, g, g_member(g, lm->member_id));
		}
	}
	return KERR_NONE;
}
