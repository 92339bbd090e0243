/* rebalance.c — rebalance rounds and their timers, SyncGroup, Heartbeat and LeaveGroup, after
 * Kafka 3.9's classic GroupCoordinator (prepareRebalance, onCompleteJoin, doSyncGroup,
 * onExpireHeartbeat, onExpirePendingSync, handleLeaveGroup). JoinGroup is in join.c. */
#include "group_int.h"

#include <string.h>

/* ---- Answers ---------------------------------------------------------------------------- */

void g_join_error(struct group_coord *c, void *handle, struct kp_str member_id, int16_t err)
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
void g_answer_join(struct group_coord *c, struct group *g, struct gmember *m,
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

void g_answer_join_error(struct group_coord *c, struct group *g, struct gmember *m,
                              struct kp_str member_id, int16_t err)
{
	if (!m->awaiting_join)
		return;
	void *h = m->join_handle;
	m->join_handle = NULL;
	m->awaiting_join = false;
	g->nawaiting_join--;
	g_join_error(c, h, member_id, err);
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

void g_answer_sync_error(struct group_coord *c, struct gmember *m, int16_t err)
{
	if (!m->awaiting_sync)
		return;
	void *h = m->sync_handle;
	m->sync_handle = NULL;
	m->awaiting_sync = false;
	sync_error(c, h, err);
}

/* The JoinGroup answer of the current generation; the leader gets every member's metadata. */
void g_answer_join_current(struct group_coord *c, struct group *g, struct gmember *m,
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
	g_answer_join(c, g, m, &r);
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
void g_remove_member(struct group_coord *c, struct group *g, struct gmember *m)
{
	g_answer_join_error(c, g, m, KP_STR_LIT(""), KERR_UNKNOWN_MEMBER_ID);
	g_answer_sync_error(c, m, KERR_UNKNOWN_MEMBER_ID);
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
	g_member_uncount(c, g, m);
	g_member_free(m);
	if (g->state == GROUP_COMPLETING_REBALANCE || g->state == GROUP_STABLE)
		check_sync_complete(g);
}

void g_remove_pending(struct group *g, int idx)
{
	kb_free(g->pending[idx].id);
	g->pending[idx] = g->pending[--g->npending];
}

/* ---- Rebalance rounds ------------------------------------------------------------------ */

static void complete_join(struct group_coord *c, struct group *g);

void g_try_complete_join(struct group_coord *c, struct group *g)
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
		g_answer_sync_error(c, m, err);
	}
}

void g_prepare_rebalance(struct group_coord *c, struct group *g)
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
	g_try_complete_join(c, g);
}

void g_maybe_prepare_rebalance(struct group_coord *c, struct group *g)
{
	if (g->state == GROUP_STABLE || g->state == GROUP_COMPLETING_REBALANCE ||
	    g->state == GROUP_EMPTY)
		g_prepare_rebalance(c, g);
}

/* Kafka's removeMemberAndUpdateGroup. */
static void remove_member_and_update(struct group_coord *c, struct group *g, struct gmember *m)
{
	g_remove_member(c, g, m);
	switch (g->state) {
	case GROUP_STABLE:
	case GROUP_COMPLETING_REBALANCE:
		g_maybe_prepare_rebalance(c, g);
		break;
	case GROUP_PREPARING_REBALANCE:
		g_try_complete_join(c, g);
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
			g_remove_member(c, g, m);
		else
			i++;
	}
	if (!elect_joined_leader(g) && g->nmembers > 0) {
		/* Only static members that did not rejoin are left: wait another round (at least
		 * 1 ms, so a zero rebalance timeout cannot spin group_tick). */
		g->join_deadline = now + KB_MAX(g_rebalance_timeout(g), 1);
		return;
	}
	/* int32 like Kafka's, which wraps (Java arithmetic); a replayed record can carry
	 * INT32_MAX, so wrap explicitly instead of overflowing. */
	g->generation = (int32_t)((uint32_t)g->generation + 1u);
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
		g_answer_join_current(c, g, m, false);
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
			g_remove_member(c, g, g->members[i]);
			removed = true;
		} else {
			i++;
		}
	}
	if (removed)
		g_prepare_rebalance(c, g);
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
	g_remove_pending(g, idx);
	if (g->state == GROUP_PREPARING_REBALANCE)
		g_try_complete_join(c, g);
}

void g_unload_group(struct group_coord *c, struct group *g)
{
	enum group_state prev = g->state;
	g->state = GROUP_DEAD;
	for (int i = 0; i < g->nmembers; i++) {
		struct gmember *m = g->members[i];
		if (prev == GROUP_PREPARING_REBALANCE || m->awaiting_join)
			g_answer_join_error(c, g, m, g_str(m->id), KERR_NOT_COORDINATOR);
		g_answer_sync_error(c, m, KERR_NOT_COORDINATOR);
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
		g_maybe_prepare_rebalance(c, g);
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
	c->dl_valid = false;
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
	g_answer_sync_error(c, m, KERR_REBALANCE_IN_PROGRESS); /* a duplicate parked SyncGroup */
	m->sync_handle = handle;
	m->awaiting_sync = true;
	m->pending_sync = false;
	check_sync_complete(g);
	if (g->leader && strcmp(g->leader, m->id) == 0) {
		err = sync_leader(c, g, req);
		if (err != KERR_NONE)
			g_answer_sync_error(c, m, err);
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
	g_member_heartbeat(c, g_member(g, member_id));
	return g->state == GROUP_PREPARING_REBALANCE ? KERR_REBALANCE_IN_PROGRESS : KERR_NONE;
}

int16_t group_leave(struct group_coord *c, struct kp_str group_id,
                    struct group_leave_member *members, int n)
{
	c->dl_valid = false;
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
			g_remove_pending(g, pi);
			if (g->state == GROUP_PREPARING_REBALANCE)
				g_try_complete_join(c, g);
			lm->error = KERR_NONE;
		} else {
			lm->error = validate_member(g, lm->member_id, lm->instance_id);
			if (lm->error == KERR_NONE)
				remove_member_and_update(c, g, g_member(g, lm->member_id));
		}
	}
	return KERR_NONE;
}
