/* records.c — __consumer_offsets keys and values (Kafka's OffsetCommitKey/Value and
 * GroupMetadataKey/Value, each an int16 version then classic-encoded fields; v4 values are
 * flexible), the consumer protocol subscription, and the replay of a partition. */
#include "group_int.h"

#include <string.h>

/* ---- Encoding -------------------------------------------------------------------------- */

void group_rec_offset_key(struct kbuf *b, struct kp_str group, struct kp_str topic, int32_t partition)
{
	kp_put_i16(b, 1);
	kp_put_str(b, group, false);
	kp_put_str(b, topic, false);
	kp_put_i32(b, partition);
}

/* Kafka 3.9 (GroupMetadataManager.offsetCommitValue): v1 when an expire timestamp exists
 * (OffsetCommit v2-4 with a retention time), else v3. */
void group_rec_offset_value(struct kbuf *b, const struct group_offset_rec *r)
{
	struct kp_str md = r->metadata.len < 0 ? KP_STR_LIT("") : r->metadata;
	if (r->expire_timestamp >= 0) {
		kp_put_i16(b, 1);
		kp_put_i64(b, r->offset);
		kp_put_str(b, md, false);
		kp_put_i64(b, r->commit_timestamp);
		kp_put_i64(b, r->expire_timestamp);
		return;
	}
	kp_put_i16(b, 3);
	kp_put_i64(b, r->offset);
	kp_put_i32(b, r->leader_epoch);
	kp_put_str(b, md, false);
	kp_put_i64(b, r->commit_timestamp);
}

void group_rec_group_key(struct kbuf *b, struct kp_str group)
{
	kp_put_i16(b, 2);
	kp_put_str(b, group, false);
}

/* GroupMetadataValue v3, as Kafka 3.9 writes it (IBP >= 2.3). */
void group_rec_group_value(struct kbuf *b, const struct group_meta_rec *r)
{
	kp_put_i16(b, 3);
	kp_put_str(b, r->protocol_type.len < 0 ? KP_STR_LIT("") : r->protocol_type, false);
	kp_put_i32(b, r->generation);
	kp_put_str(b, r->protocol, false);
	kp_put_str(b, r->leader, false);
	kp_put_i64(b, r->current_state_timestamp);
	kp_put_array_count(b, r->nmembers, false);
	for (int i = 0; i < r->nmembers; i++) {
		const struct group_meta_member_rec *m = &r->members[i];
		kp_put_str(b, m->member_id, false);
		kp_put_str(b, m->instance_id, false);
		kp_put_str(b, m->client_id, false);
		kp_put_str(b, m->client_host, false);
		kp_put_i32(b, m->rebalance_timeout);
		kp_put_i32(b, m->session_timeout);
		kp_put_bytes(b, m->subscription.len < 0 ? (struct kp_bytes){(const uint8_t *)"", 0, NULL} : m->subscription, false);
		kp_put_bytes(b, m->assignment.len < 0 ? (struct kp_bytes){(const uint8_t *)"", 0, NULL} : m->assignment, false);
	}
}

/* The record of a group as it stands, with `assign` (one per member, in member order) in
 * place of the members' own assignments when given. r->members is kb_calloc'd. */
void g_group_rec_fill(const struct group *g, struct group_meta_rec *r, uint8_t *const *assign,
                      const int32_t *assign_len)
{
	*r = (struct group_meta_rec){.group = g_str(g->id), .value_version = 3,
	                             .protocol_type = g_str(g->protocol_type ? g->protocol_type : ""),
	                             .generation = g->generation, .protocol = g_str(g->protocol),
	                             .leader = g_str(g->leader),
	                             .current_state_timestamp = g->state_ts,
	                             .nmembers = g->nmembers};
	r->members = kb_calloc((size_t)(g->nmembers ? g->nmembers : 1), sizeof(*r->members));
	for (int i = 0; i < g->nmembers; i++) {
		const struct gmember *m = g->members[i];
		const struct gproto *p = g_member_proto(m, g->protocol);
		struct group_meta_member_rec *mr = &r->members[i];
		*mr = (struct group_meta_member_rec){
			.member_id = g_str(m->id), .instance_id = g_str(m->instance_id),
			.client_id = g_str(m->client_id), .client_host = g_str(m->client_host),
			.rebalance_timeout = m->rebalance_ms, .session_timeout = m->session_ms,
			.subscription = p ? (struct kp_bytes){p->meta, p->len, NULL} : (struct kp_bytes){(const uint8_t *)"", 0, NULL},
			.assignment = {m->assignment ? m->assignment : (const uint8_t *)"", m->assignment_len, NULL}};
		if (assign)
			mr->assignment = (struct kp_bytes){assign[i], assign_len[i], NULL};
	}
}

/* Tombstones for removed offsets (and the group), appended without waiting: if they are
 * lost, the next leader expires the same offsets again (as Kafka reasons). */
void g_append_tombstones(struct group_coord *c, struct group *g, struct goffset **removed, int n,
                         bool group_tombstone)
{
	int total = n + (group_tombstone ? 1 : 0);
	if (total == 0)
		return;
	struct kbuf buf;
	kbuf_init(&buf, SIZE_MAX);
	size_t *off = kb_calloc((size_t)total + 1, sizeof(size_t));
	for (int i = 0; i < n; i++) {
		off[i] = buf.len;
		group_rec_offset_key(&buf, g_str(g->id), g_str(removed[i]->topic), removed[i]->partition);
	}
	if (group_tombstone) {
		off[n] = buf.len;
		group_rec_group_key(&buf, g_str(g->id));
	}
	off[total] = buf.len;
	struct group_append_rec *recs = kb_calloc((size_t)total, sizeof(*recs));
	for (int i = 0; i < total; i++)
		recs[i] = (struct group_append_rec){buf.data + off[i], off[i + 1] - off[i], NULL, 0};
	struct gappend *a = kb_calloc(1, sizeof(*a));
	a->kind = GAPP_EMPTY;
	a->g = g;
	int16_t err;
	gc_append(c, a, recs, total, &err);
	kb_free(recs);
	kb_free(off);
	kbuf_free(&buf);
}

/* ---- Decoding -------------------------------------------------------------------------- */

static int decode_offset_value(struct kp_reader *r, struct group_offset_rec *o)
{
	int16_t v = kp_get_i16(r);
	if (r->err)
		return r->err;
	if (v < 0 || v > 4)
		return KP_ERR_VERSION;
	bool flex = v >= 4;
	o->value_version = v;
	o->offset = kp_get_i64(r);
	o->leader_epoch = v >= 3 ? kp_get_i32(r) : -1;
	o->metadata = kp_get_str(r, flex, false);
	o->commit_timestamp = kp_get_i64(r);
	o->expire_timestamp = v == 1 ? kp_get_i64(r) : -1;
	if (flex)
		kp_skip_tags(r);
	return r->err;
}

static int decode_group_value(struct kp_reader *r, struct group_meta_rec *g)
{
	int16_t v = kp_get_i16(r);
	if (r->err)
		return r->err;
	if (v < 0 || v > 4)
		return KP_ERR_VERSION;
	bool flex = v >= 4;
	g->value_version = v;
	g->protocol_type = kp_get_str(r, flex, false);
	g->generation = kp_get_i32(r);
	g->protocol = kp_get_str(r, flex, true);
	g->leader = kp_get_str(r, flex, true);
	g->current_state_timestamp = v >= 2 ? kp_get_i64(r) : -1;
	/* A member is at least 2+2+2+4+4+4 bytes (classic) or 1+1+1+4+4+1+1+1 (flexible). */
	int32_t n = kp_get_array_count(r, flex, false, flex ? 14 : 18);
	if (r->err)
		return r->err;
	g->members = kb_calloc((size_t)(n ? n : 1), sizeof(*g->members));
	for (int32_t i = 0; i < n && !r->err; i++) {
		struct group_meta_member_rec *m = &g->members[i];
		m->member_id = kp_get_str(r, flex, false);
		m->instance_id = v >= 3 ? kp_get_str(r, flex, true) : KP_STR_NULL;
		m->client_id = kp_get_str(r, flex, false);
		m->client_host = kp_get_str(r, flex, false);
		m->rebalance_timeout = v >= 1 ? kp_get_i32(r) : -1;
		m->session_timeout = kp_get_i32(r);
		m->subscription = kp_get_bytes(r, flex, false);
		m->assignment = kp_get_bytes(r, flex, false);
		if (flex)
			kp_skip_tags(r);
		g->nmembers = i + 1;
	}
	if (flex)
		kp_skip_tags(r);
	return r->err;
}

void group_meta_rec_free(struct group_meta_rec *meta)
{
	kb_free(meta->members);
	meta->members = NULL;
	meta->nmembers = 0;
}

int group_rec_decode(const uint8_t *key, size_t klen, const uint8_t *value, size_t vlen,
                     struct group_offset_rec *off, struct group_meta_rec *meta)
{
	struct kp_reader r;
	kp_reader_init(&r, key, klen);
	int16_t kv = kp_get_i16(&r);
	if (r.err)
		return r.err;
	if (kv == 0 || kv == 1) {
		*off = (struct group_offset_rec){.key_version = kv, .value_version = -1,
		                                 .leader_epoch = -1, .expire_timestamp = -1};
		off->group = kp_get_str(&r, false, false);
		off->topic = kp_get_str(&r, false, false);
		off->partition = kp_get_i32(&r);
		if (r.err)
			return r.err;
		if (!value)
			return GROUP_REC_OFFSET;
		kp_reader_init(&r, value, vlen);
		int err = decode_offset_value(&r, off);
		return err ? err : GROUP_REC_OFFSET;
	}
	if (kv != 2)
		return GROUP_REC_OTHER;
	*meta = (struct group_meta_rec){.value_version = -1, .current_state_timestamp = -1};
	meta->group = kp_get_str(&r, false, false);
	if (r.err)
		return r.err;
	if (!value)
		return GROUP_REC_GROUP;
	kp_reader_init(&r, value, vlen);
	int err = decode_group_value(&r, meta);
	if (err) {
		group_meta_rec_free(meta);
		return err;
	}
	return GROUP_REC_GROUP;
}

int group_subscription_topics(struct kp_bytes meta, void (*fn)(void *arg, struct kp_str topic),
                              void *arg)
{
	struct kp_reader r;
	kp_reader_init(&r, meta.ptr, meta.len > 0 ? (size_t)meta.len : 0);
	int16_t v = kp_get_i16(&r);
	if (!r.err && v < 0)
		return KP_ERR_VERSION;
	int32_t n = kp_get_array_count(&r, false, false, 2);
	for (int32_t i = 0; i < n && !r.err; i++) {
		struct kp_str t = kp_get_str(&r, false, false);
		if (!r.err)
			fn(arg, t);
	}
	return r.err; /* newer versions: the rest is ignored */
}

/* ---- Replay ---------------------------------------------------------------------------- */

static void load_offset(struct group_coord *c, const struct group_offset_rec *o)
{
	struct group *g = gc_find(c, o->group);
	struct goffset *x = g ? g_offset_find(g, o->topic.ptr, (size_t)KB_MAX(o->topic.len, 0), o->partition) : NULL;
	if (o->value_version < 0) {
		if (x)
			g_offset_drop(g, x); /* a pending transactional commit stays pending */
		return;
	}
	if (!g)
		g = gc_create(c, o->group);
	if (!x)
		x = g_offset_add(g, o->topic.ptr ? o->topic.ptr : "", (size_t)KB_MAX(o->topic.len, 0), o->partition);
	x->present = true;
	x->pos = ++c->log_pos;
	x->offset = o->offset;
	x->leader_epoch = o->leader_epoch;
	kb_free(x->metadata);
	x->metadata = g_strdup(o->metadata);
	x->commit_ts = o->commit_timestamp;
	x->expire_ts = o->expire_timestamp;
}

static void clear_members(struct group_coord *c, struct group *g)
{
	for (int i = 0; i < g->nmembers; i++) {
		g_member_uncount(c, g, g->members[i]);
		g_member_free(g->members[i]);
	}
	g->nmembers = 0;
	g->nawaiting_join = 0;
	kb_free(g->protocol_type);
	kb_free(g->protocol);
	kb_free(g->leader);
	g->protocol_type = g->protocol = g->leader = NULL;
	g->generation = 0;
	g->state_ts = -1;
}

static void load_group(struct group_coord *c, const struct group_meta_rec *r)
{
	struct group *g = gc_find(c, r->group);
	if (r->value_version < 0) {
		if (g)
			clear_members(c, g); /* its offsets are separate records */
		return;
	}
	if (!g)
		g = gc_create(c, r->group);
	clear_members(c, g);
	g->protocol_type = r->protocol_type.len > 0 ? g_strdup(r->protocol_type) : NULL;
	g->generation = r->generation;
	g->protocol = g_strdup(r->protocol);
	g->leader = r->nmembers ? g_strdup(r->leader) : NULL;
	g->state_ts = r->current_state_timestamp;
	if (r->nmembers > g->members_cap) {
		g->members_cap = r->nmembers;
		g->members = kb_realloc(g->members, sizeof(*g->members) * (size_t)g->members_cap);
	}
	for (int i = 0; i < r->nmembers; i++) {
		const struct group_meta_member_rec *mr = &r->members[i];
		struct gmember *m = kb_calloc(1, sizeof(*m));
		m->id = g_strdup(mr->member_id);
		m->instance_id = g_strdup(mr->instance_id);
		m->client_id = g_strdup(mr->client_id);
		m->client_host = g_strdup(mr->client_host);
		/* Timeouts from the log are trusted no more than a request's: at least 1 ms, so
		 * every deadline lies in the future of the tick that sets it. */
		m->session_ms = KB_MAX(mr->session_timeout, 1);
		m->rebalance_ms = mr->rebalance_timeout < 0 ? m->session_ms
		                                            : KB_MAX(mr->rebalance_timeout, 1);
		struct group_protocol p = {r->protocol.len < 0 ? KP_STR_LIT("") : r->protocol, mr->subscription};
		g_member_set_protos(c, g, m, g_protos_copy(&p, 1), 1);
		m->assignment_len = KB_MAX(mr->assignment.len, 0);
		m->assignment = kb_malloc((size_t)m->assignment_len + 1);
		if (m->assignment_len)
			memcpy(m->assignment, mr->assignment.ptr, (size_t)m->assignment_len);
		m->hb_deadline = GROUP_NEVER;
		g->members[g->nmembers++] = m;
	}
	if (g->nmembers && !g->leader)
		g->leader = kb_strdup(g->members[0]->id);
}

/* A control record (EndTransactionMarker key: int16 version, int16 type; versions above 0
 * are read as 0, as Kafka does). */
static int load_control(struct group_coord *c, int64_t pid, const uint8_t *key, size_t klen)
{
	struct kp_reader r;
	kp_reader_init(&r, key, klen);
	int16_t version = kp_get_i16(&r);
	int16_t type = kp_get_i16(&r);
	if (r.err)
		return r.err;
	if (version < 0)
		return KP_ERR_VERSION;
	if (type == 0 || type == 1) /* ABORT, COMMIT */
		group_txn_complete(c, pid, type == 1);
	return 0;
}

int group_load_record(struct group_coord *c, const uint8_t *key, size_t klen,
                      const uint8_t *value, size_t vlen)
{
	return group_load_record_in(c, NULL, key, klen, value, vlen);
}

int group_load_record_in(struct group_coord *c, const struct group_load_batch *batch,
                         const uint8_t *key, size_t klen, const uint8_t *value, size_t vlen)
{
	c->dl_valid = false;
	if (batch && batch->control)
		return load_control(c, batch->producer_id, key, klen);
	struct group_offset_rec o;
	struct group_meta_rec m;
	int t = group_rec_decode(key, klen, value, vlen, &o, &m);
	if (t == GROUP_REC_OFFSET && batch && batch->transactional) {
		g_txn_load_offset(c, batch->producer_id, &o);
	} else if (t == GROUP_REC_OFFSET) {
		load_offset(c, &o);
	} else if (t == GROUP_REC_GROUP) {
		load_group(c, &m);
		group_meta_rec_free(&m);
	}
	return t < 0 ? t : 0;
}

void group_load_done(struct group_coord *c)
{
	c->dl_valid = false;
	int64_t now = gc_now(c);
	struct group **all = kb_calloc(c->ngroups ? c->ngroups : 1, sizeof(*all));
	size_t n = 0;
	for (size_t i = 0; i < c->nbuckets; i++)
		for (struct group *g = c->buckets[i]; g; g = g->next)
			all[n++] = g;
	for (size_t i = 0; i < n; i++) {
		struct group *g = all[i];
		if (g->nmembers == 0 && g->noffsets == 0 && g->generation == 0) {
			gc_remove_group(c, g); /* a tombstoned group without offsets */
			continue;
		}
		g->state = g->nmembers ? GROUP_STABLE : GROUP_EMPTY;
		for (int k = 0; k < g->nmembers; k++)
			g->members[k]->hb_deadline = now + g->members[k]->session_ms;
		g_compute_subscribed(g);
	}
	kb_free(all);
}
