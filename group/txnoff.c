/* txnoff.c — transactional offset commits (TxnOffsetCommit): Kafka's
 * pendingTransactionalOffsetCommits per producer id, their completion by the transaction's
 * marker, and their replay (see group.h, "Transactional offsets").
 *
 * A pending offset lives in a struct gtxn_pend, linked twice: into its partition's goffset
 * (o->txn; the goffset stays in the group's table, present or not, while any is pending, so
 * lookups, RequireStable and "the group still holds offsets" come from the one table) and
 * into its producer's struct gtxn of that group, which the coordinator indexes by producer id
 * for group_txn_complete. */
#include "group_int.h"

#include <string.h>

/* ---- The producer index ---------------------------------------------------------------- */

static size_t tbucket(const struct group_coord *c, int64_t pid)
{
	uint64_t h = (uint64_t)pid * 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 32) & (c->ntbuckets - 1);
}

static void tgrow(struct group_coord *c)
{
	size_t old = c->ntbuckets;
	struct gtxn **ob = c->tbuckets;
	c->ntbuckets = old ? old * 2 : 16;
	c->tbuckets = kb_calloc(c->ntbuckets, sizeof(*c->tbuckets));
	for (size_t i = 0; i < old; i++) {
		for (struct gtxn *t = ob[i], *nx; t; t = nx) {
			nx = t->pnext;
			size_t k = tbucket(c, t->pid);
			t->pnext = c->tbuckets[k];
			c->tbuckets[k] = t;
		}
	}
	kb_free(ob);
}

static struct gtxn *txn_find(const struct group_coord *c, const struct group *g, int64_t pid)
{
	if (!c->ntbuckets)
		return NULL;
	for (struct gtxn *t = c->tbuckets[tbucket(c, pid)]; t; t = t->pnext)
		if (t->pid == pid && (!g || t->g == g))
			return t;
	return NULL;
}

static struct gtxn *txn_get(struct group_coord *c, struct group *g, int64_t pid)
{
	struct gtxn *t = txn_find(c, g, pid);
	if (t)
		return t;
	if (c->ntxns >= c->ntbuckets)
		tgrow(c);
	t = kb_calloc(1, sizeof(*t));
	t->g = g;
	t->pid = pid;
	size_t k = tbucket(c, pid);
	t->pnext = c->tbuckets[k];
	c->tbuckets[k] = t;
	c->ntxns++;
	t->gnext = g->txns;
	g->txns = t;
	g->ntxns++;
	return t;
}

static void txn_free(struct group_coord *c, struct gtxn *t)
{
	struct gtxn **pp = &c->tbuckets[tbucket(c, t->pid)];
	while (*pp != t)
		pp = &(*pp)->pnext;
	*pp = t->pnext;
	c->ntxns--;
	for (pp = &t->g->txns; *pp != t; pp = &(*pp)->gnext)
		;
	*pp = t->gnext;
	t->g->ntxns--;
	kb_free(t);
}

int group_txn_pending_count(struct group_coord *c)
{
	return (int)c->ntxns;
}

/* ---- Pending offsets -------------------------------------------------------------------- */

static struct gtxn_pend *pend_find(const struct goffset *o, const struct gtxn *t)
{
	for (struct gtxn_pend *p = o->txn; p; p = p->onext)
		if (p->t == t)
			return p;
	return NULL;
}

/* Unlinks and frees p; its gtxn goes with its last pending offset, its goffset when nothing
 * else keeps it. */
static void pend_drop(struct group_coord *c, struct gtxn_pend *p)
{
	struct goffset *o = p->o;
	struct gtxn *t = p->t;
	struct gtxn_pend **pp = &o->txn;
	while (*pp != p)
		pp = &(*pp)->onext;
	*pp = p->onext;
	if (p->tprev)
		p->tprev->tnext = p->tnext;
	else
		t->pends = p->tnext;
	if (p->tnext)
		p->tnext->tprev = p->tprev;
	kb_free(p->metadata);
	kb_free(p->prev.metadata);
	kb_free(p);
	if (!o->present && !o->pending && !o->txn)
		g_offset_remove(t->g, o);
	if (--t->npends == 0)
		txn_free(c, t);
}

/* Records (or replaces) t's pending offset of o; keep_prev: remember the value replaced (an
 * append of the new one is being made). */
static void pend_set(struct gtxn *t, struct goffset *o, uint64_t pos, int64_t offset,
                     int32_t leader_epoch, struct kp_str metadata, int64_t commit_ts,
                     bool keep_prev)
{
	struct gtxn_pend *p = pend_find(o, t);
	if (p) {
		kb_free(p->prev.metadata);
		p->prev.metadata = NULL;
		p->prev.set = keep_prev;
		if (keep_prev) {
			p->prev.pos = p->pos;
			p->prev.offset = p->offset;
			p->prev.leader_epoch = p->leader_epoch;
			p->prev.metadata = p->metadata;
			p->prev.commit_ts = p->commit_ts;
			p->metadata = NULL;
		}
	} else {
		p = kb_calloc(1, sizeof(*p));
		p->o = o;
		p->t = t;
		p->onext = o->txn;
		o->txn = p;
		p->tnext = t->pends;
		if (t->pends)
			t->pends->tprev = p;
		t->pends = p;
		t->npends++;
	}
	p->pos = pos;
	p->offset = offset;
	p->leader_epoch = leader_epoch;
	kb_free(p->metadata);
	p->metadata = g_strdup(metadata.len < 0 ? KP_STR_LIT("") : metadata);
	p->commit_ts = commit_ts;
}

void g_txn_drop_group(struct group_coord *c, struct group *g)
{
	while (g->txns) {
		struct gtxn *t = g->txns;
		int n = t->npends;
		for (int i = 0; i < n; i++)
			pend_drop(c, t->pends); /* the last one frees t */
	}
}

/* Kafka's completePendingTxnOffsetCommit for one group. */
static void complete(struct group_coord *c, struct gtxn *t, bool commit)
{
	int n = t->npends;
	for (int i = 0; i < n; i++) {
		struct gtxn_pend *p = t->pends;
		struct goffset *o = p->o;
		if (commit && (!o->present || o->pos < p->pos)) {
			o->present = true;
			o->pos = p->pos;
			o->offset = p->offset;
			o->leader_epoch = p->leader_epoch;
			kb_free(o->metadata);
			o->metadata = p->metadata;
			p->metadata = NULL;
			o->commit_ts = p->commit_ts;
			o->expire_ts = -1;
		}
		pend_drop(c, p); /* the last one frees t */
	}
}

void group_txn_complete(struct group_coord *c, int64_t producer_id, bool commit)
{
	c->dl_valid = false;
	struct gtxn *t;
	while ((t = txn_find(c, NULL, producer_id)) != NULL)
		complete(c, t, commit);
}

/* ---- TxnOffsetCommit -------------------------------------------------------------------- */

static void fill(int16_t *errors, int n, int16_t err)
{
	for (int i = 0; i < n; i++)
		errors[i] = err;
}

/* Kafka 3.9's validateOffsetCommit with isTransactional = true. */
static int16_t txn_validate(struct group *g, const struct group_txn_commit_req *req)
{
	if (req->generation_id < 0 && g->state == GROUP_EMPTY)
		return KERR_NONE;
	if (req->generation_id < 0 && req->member_id.len <= 0 && req->instance_id.len < 0)
		return KERR_NONE; /* v0-2, or v3+ without group metadata: any state */
	if (req->instance_id.len >= 0) {
		struct gmember *s = g_static_member(g, req->instance_id);
		if (!s)
			return KERR_UNKNOWN_MEMBER_ID;
		if (!g_eq(s->id, req->member_id))
			return KERR_FENCED_INSTANCE_ID;
	}
	if (!g_member(g, req->member_id))
		return KERR_UNKNOWN_MEMBER_ID;
	if (req->generation_id != g->generation)
		return KERR_ILLEGAL_GENERATION;
	return KERR_NONE;
}

/* One valid partition of the request: its record into buf, its pending entry. Returns the
 * error of the partition. */
static int16_t txn_part(struct group_coord *c, struct group *g, struct gtxn *t,
                        const struct group_commit_part *p, struct gapp_commit *cm, int64_t now,
                        struct kbuf *buf, size_t *koff)
{
	if (p->metadata.len > c->cfg.offset_metadata_max_bytes || p->metadata.len > INT16_MAX)
		return KERR_OFFSET_METADATA_TOO_LARGE;
	if (p->topic.len < 0)
		return KERR_INVALID_REQUEST;
	struct goffset *o = g_offset_find(g, p->topic.ptr, (size_t)p->topic.len, p->partition);
	if ((!o || !pend_find(o, t)) && t->npends >= KB_GROUP_TXN_MAX_PARTITIONS)
		return KERR_INVALID_REQUEST;
	*cm = (struct gapp_commit){.topic = g_strdup(p->topic), .partition = p->partition,
	                           .offset = p->offset, .leader_epoch = p->leader_epoch,
	                           .commit_ts = now, .expire_ts = -1, .pos = ++c->log_pos};
	if (!o)
		o = g_offset_add(g, cm->topic, strlen(cm->topic), cm->partition);
	pend_set(t, o, cm->pos, p->offset, p->leader_epoch, p->metadata, now, true);
	struct group_offset_rec r = {.group = g_str(g->id), .topic = g_str(cm->topic),
	                             .partition = cm->partition, .offset = cm->offset,
	                             .leader_epoch = cm->leader_epoch,
	                             .metadata = p->metadata.len < 0 ? KP_STR_LIT("") : p->metadata,
	                             .commit_timestamp = now, .expire_timestamp = -1};
	koff[0] = buf->len;
	group_rec_offset_key(buf, r.group, r.topic, r.partition);
	koff[1] = buf->len;
	group_rec_offset_value(buf, &r);
	return KERR_NONE;
}

static uint64_t append_txn(struct group_coord *c, struct gappend *a,
                           const struct group_append_rec *recs, int n, int16_t *err)
{
	a->token = c->next_token++;
	a->g->inflight++;
	a->next = c->appends;
	c->appends = a;
	uint64_t token = a->token;
	*err = c->io.append_txn(c->io.arg, token, recs, n, a->pid, a->pid_epoch);
	if (*err != KERR_NONE)
		group_append_done(c, token, *err); /* frees `a`, drops its pending offsets */
	return token;
}

/* Kafka's storeOffsets for a transactional commit: one batch, pending from now on. */
static int store_txn(struct group_coord *c, struct group *g, const struct group_txn_commit_req *req,
                     int16_t *errors, void *handle)
{
	int64_t now = gc_now(c);
	size_t cap = (size_t)(req->nparts ? req->nparts : 1);
	struct gappend *a = kb_calloc(1, sizeof(*a));
	a->kind = GAPP_TXN_COMMIT;
	a->g = g;
	a->pid = req->producer_id;
	a->pid_epoch = req->producer_epoch;
	a->commits = kb_calloc(cap, sizeof(*a->commits));
	struct group_append_rec *recs = kb_calloc(cap, sizeof(*recs));
	size_t *koff = kb_calloc(cap * 2, sizeof(size_t));
	struct kbuf buf;
	kbuf_init(&buf, SIZE_MAX);
	struct gtxn *t = txn_get(c, g, req->producer_id);
	for (int i = 0; i < req->nparts; i++) {
		errors[i] = txn_part(c, g, t, &req->parts[i], &a->commits[a->ncommits], now, &buf,
		                     &koff[2 * a->ncommits]);
		if (errors[i] == KERR_NONE)
			a->ncommits++;
	}
	int n = a->ncommits;
	for (int i = 0; i < n; i++) {
		size_t end = i + 1 < n ? koff[2 * i + 2] : buf.len;
		recs[i] = (struct group_append_rec){buf.data + koff[2 * i], koff[2 * i + 1] - koff[2 * i],
		                                    buf.data + koff[2 * i + 1], end - koff[2 * i + 1]};
	}
	kb_free(koff);
	if (t->npends == 0)
		txn_free(c, t); /* nothing valid: no producer entry either */
	int ret = 0;
	if (n == 0) {
		kb_free(a->commits);
		kb_free(a);
	} else {
		int16_t err;
		uint64_t token = append_txn(c, a, recs, n, &err);
		ret = g_commit_park(c, token, err, req->nparts, errors, handle);
	}
	kbuf_free(&buf);
	kb_free(recs);
	return ret;
}

int group_txn_commit(struct group_coord *c, const struct group_txn_commit_req *req,
                     int16_t *errors, void *handle)
{
	int n = req->nparts;
	fill(errors, n, KERR_NONE);
	if (req->group_id.len < 0 || req->group_id.len > KB_GROUP_ID_MAX_BYTES) {
		fill(errors, n, KERR_INVALID_GROUP_ID);
		return 0;
	}
	if (n > KB_GROUP_MAX_COMMIT_PARTITIONS || req->producer_id < 0 || req->producer_epoch < 0) {
		fill(errors, n, KERR_INVALID_REQUEST);
		return 0;
	}
	if (!c->io.append_txn) {
		fill(errors, n, KERR_COORDINATOR_NOT_AVAILABLE);
		return 0;
	}
	struct group *g = gc_find(c, req->group_id);
	if (!g)
		g = gc_create(c, req->group_id);
	int16_t err = txn_validate(g, req);
	if (err != KERR_NONE) {
		fill(errors, n, err);
		g_drop_if_unused(c, g);
		return 0;
	}
	int ret = store_txn(c, g, req, errors, handle);
	g_drop_if_unused(c, g);
	return ret;
}

/* The value a failed append made pending is taken back (Kafka's failPendingTxnOffsetCommit,
 * which drops the partition's entry: here the pending value it replaced, if any, comes back,
 * so a fenced zombie's commit does not erase its producer's). Values replaced meanwhile, or
 * completed by a marker, are left alone. */
static void txn_unappend(struct group_coord *c, struct gtxn_pend *p, uint64_t pos)
{
	if (p->pos == pos && p->prev.set) {
		p->pos = p->prev.pos;
		p->offset = p->prev.offset;
		p->leader_epoch = p->prev.leader_epoch;
		kb_free(p->metadata);
		p->metadata = p->prev.metadata;
		p->commit_ts = p->prev.commit_ts;
		p->prev.metadata = NULL;
		p->prev.set = false;
	} else if (p->pos == pos) {
		pend_drop(c, p);
	} else if (p->prev.set && p->prev.pos == pos) {
		kb_free(p->prev.metadata);
		p->prev.metadata = NULL;
		p->prev.set = false;
	}
}

void g_txn_appended(struct group_coord *c, struct gappend *a, int16_t err)
{
	struct group *g = a->g;
	for (int i = 0; err != KERR_NONE && i < a->ncommits; i++) {
		struct gtxn *t = txn_find(c, g, a->pid); /* gone with its last pending offset */
		struct gapp_commit *cm = &a->commits[i];
		struct goffset *o = t ? g_offset_find(g, cm->topic, strlen(cm->topic), cm->partition)
		                      : NULL;
		struct gtxn_pend *p = o ? pend_find(o, t) : NULL;
		if (p)
			txn_unappend(c, p, cm->pos);
	}
	if (a->handle)
		c->io.commit_done(c->io.arg, a->handle, g_map_append_error(err, true));
}

/* ---- Replay ----------------------------------------------------------------------------- */

void g_txn_load_offset(struct group_coord *c, int64_t pid, const struct group_offset_rec *r)
{
	struct group *g = gc_find(c, r->group);
	size_t tlen = (size_t)KB_MAX(r->topic.len, 0);
	const char *topic = r->topic.ptr ? r->topic.ptr : "";
	struct goffset *o = g ? g_offset_find(g, topic, tlen, r->partition) : NULL;
	if (r->value_version < 0) { /* a tombstone removes this producer's pending offset */
		struct gtxn *t = g ? txn_find(c, g, pid) : NULL;
		struct gtxn_pend *p = o && t ? pend_find(o, t) : NULL;
		if (p)
			pend_drop(c, p);
		return;
	}
	if (!g)
		g = gc_create(c, r->group);
	if (!o)
		o = g_offset_add(g, topic, tlen, r->partition);
	pend_set(txn_get(c, g, pid), o, ++c->log_pos, r->offset, r->leader_epoch, r->metadata,
	         r->commit_timestamp, false);
}
