/* offsets.c — committed offsets: OffsetCommit (Kafka's handleCommitOffsets/doCommitOffsets),
 * OffsetFetch, expiry (removeExpiredOffsets/cleanupGroupMetadata), DeleteGroups and
 * OffsetDelete, and the per-group offset table. */
#include "group_int.h"

#include <string.h>

/* ---- The offset table of a group -------------------------------------------------------- */

static size_t obucket(const struct group *g, const char *topic, size_t tlen, int32_t p)
{
	uint32_t h = 2166136261u ^ (uint32_t)p;
	for (size_t i = 0; i < tlen; i++)
		h = (h ^ (uint8_t)topic[i]) * 16777619u;
	return h & (g->onbuckets - 1);
}

struct goffset *g_offset_find(const struct group *g, const char *topic, size_t tlen, int32_t p)
{
	if (!g->onbuckets)
		return NULL;
	tlen = strnlen(topic, tlen);
	for (struct goffset *o = g->obuckets[obucket(g, topic, tlen, p)]; o; o = o->next)
		if (o->partition == p && strlen(o->topic) == tlen && memcmp(o->topic, topic, tlen) == 0)
			return o;
	return NULL;
}

static void ogrow(struct group *g)
{
	size_t old = g->onbuckets;
	struct goffset **ob = g->obuckets;
	g->onbuckets = old ? old * 2 : 16;
	g->obuckets = kb_calloc(g->onbuckets, sizeof(*g->obuckets));
	for (size_t i = 0; i < old; i++) {
		for (struct goffset *o = ob[i], *nx; o; o = nx) {
			nx = o->next;
			size_t k = obucket(g, o->topic, strlen(o->topic), o->partition);
			o->next = g->obuckets[k];
			g->obuckets[k] = o;
		}
	}
	kb_free(ob);
}

struct goffset *g_offset_add(struct group *g, const char *topic, size_t tlen, int32_t p)
{
	tlen = strnlen(topic, tlen); /* stored as a C string: a NUL ends the name (as in find) */
	if (g->noffsets >= g->onbuckets)
		ogrow(g);
	struct goffset *o = kb_calloc(1, sizeof(*o));
	o->topic = kb_strndup(topic, tlen);
	o->partition = p;
	o->leader_epoch = -1;
	o->expire_ts = -1;
	size_t k = obucket(g, topic, tlen, p);
	o->next = g->obuckets[k];
	g->obuckets[k] = o;
	g->noffsets++;
	return o;
}

static void offset_free(struct goffset *o)
{
	kb_free(o->topic);
	kb_free(o->metadata);
	kb_free(o);
}

void g_offset_remove(struct group *g, struct goffset *o)
{
	struct goffset **pp = &g->obuckets[obucket(g, o->topic, strlen(o->topic), o->partition)];
	while (*pp != o)
		pp = &(*pp)->next;
	*pp = o->next;
	g->noffsets--;
	offset_free(o);
}

void g_offset_drop(struct group *g, struct goffset *o)
{
	o->present = false;
	if (!o->pending && !o->txn)
		g_offset_remove(g, o);
}

void g_offsets_free(struct group *g)
{
	for (size_t i = 0; i < g->onbuckets; i++) {
		for (struct goffset *o = g->obuckets[i], *nx; o; o = nx) {
			nx = o->next;
			offset_free(o);
		}
	}
	kb_free(g->obuckets);
	g->obuckets = NULL;
	g->onbuckets = g->noffsets = 0;
}

/* Kafka's mapping of append errors for the answers of storeGroup and storeOffsets. */
int16_t g_map_append_error(int16_t err, bool commit)
{
	switch (err) {
	case KERR_UNKNOWN_TOPIC_OR_PARTITION:
	case KERR_NOT_ENOUGH_REPLICAS:
	case KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
		return KERR_COORDINATOR_NOT_AVAILABLE;
	case KERR_REQUEST_TIMED_OUT:
		return commit ? err : KERR_COORDINATOR_NOT_AVAILABLE;
	case KERR_NOT_LEADER_OR_FOLLOWER:
	case KERR_KAFKA_STORAGE_ERROR:
		return KERR_NOT_COORDINATOR;
	case KERR_MESSAGE_TOO_LARGE:
	case KERR_RECORD_LIST_TOO_LARGE:
	case KERR_INVALID_FETCH_SIZE:
		return commit ? KERR_INVALID_COMMIT_OFFSET_SIZE : KERR_UNKNOWN_SERVER_ERROR;
	default:
		return err;
	}
}

/* ---- OffsetCommit ---------------------------------------------------------------------- */

static void fill(int16_t *errors, int n, int16_t err)
{
	for (int i = 0; i < n; i++)
		errors[i] = err;
}

/* Kafka's validateOffsetCommit (non-transactional). */
static int16_t commit_validate(struct group *g, const struct group_commit_req *req)
{
	if (req->generation_id >= 0 || req->member_id.len > 0 || req->instance_id.len >= 0) {
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
	return g->state == GROUP_EMPTY ? KERR_NONE : KERR_UNKNOWN_MEMBER_ID;
}

void g_drop_if_unused(struct group_coord *c, struct group *g)
{
	if (g->state == GROUP_EMPTY && g->nmembers == 0 && g->npending == 0 && g->noffsets == 0 &&
	    g->generation == 0 && g->inflight == 0)
		gc_remove_group(c, g);
}

/* Kafka's storeOffsets: records for the valid partitions, applied once appended. */
static int store_offsets(struct group_coord *c, struct group *g, const struct group_commit_req *req,
                         int16_t *errors, void *handle)
{
	int64_t now = gc_now(c);
	struct gappend *a = kb_calloc(1, sizeof(*a));
	a->kind = GAPP_COMMIT;
	a->commits = kb_calloc((size_t)(req->nparts ? req->nparts : 1), sizeof(*a->commits));
	struct group_append_rec *recs = kb_calloc((size_t)(req->nparts ? req->nparts : 1), sizeof(*recs));
	struct kbuf buf;
	kbuf_init(&buf, SIZE_MAX);
	size_t *koff = kb_calloc((size_t)(req->nparts ? req->nparts : 1) * 2, sizeof(size_t));
	for (int i = 0; i < req->nparts; i++) {
		const struct group_commit_part *p = &req->parts[i];
		if (p->metadata.len > c->cfg.offset_metadata_max_bytes || p->metadata.len > INT16_MAX) {
			errors[i] = KERR_OFFSET_METADATA_TOO_LARGE;
			continue;
		}
		if (p->topic.len < 0) {
			errors[i] = KERR_INVALID_REQUEST;
			continue;
		}
		struct gapp_commit *cm = &a->commits[a->ncommits];
		cm->topic = g_strdup(p->topic);
		cm->partition = p->partition;
		cm->offset = p->offset;
		cm->leader_epoch = p->leader_epoch;
		cm->metadata = g_strdup(p->metadata.len < 0 ? KP_STR_LIT("") : p->metadata);
		cm->commit_ts = p->commit_timestamp == -1 ? now : p->commit_timestamp;
		cm->expire_ts = req->retention_ms == -1 ? -1 : now + req->retention_ms;
		cm->pos = ++c->log_pos; /* appended in this order (group.h, Log order) */
		struct goffset *o = g_offset_find(g, cm->topic, strlen(cm->topic), cm->partition);
		if (!o)
			o = g_offset_add(g, cm->topic, strlen(cm->topic), cm->partition);
		o->pending++;
		struct group_offset_rec r = {.group = g_str(g->id), .topic = g_str(cm->topic),
		                             .partition = cm->partition, .offset = cm->offset,
		                             .leader_epoch = cm->leader_epoch,
		                             .metadata = g_str(cm->metadata),
		                             .commit_timestamp = cm->commit_ts,
		                             .expire_timestamp = cm->expire_ts};
		koff[2 * a->ncommits] = buf.len;
		group_rec_offset_key(&buf, r.group, r.topic, r.partition);
		koff[2 * a->ncommits + 1] = buf.len;
		group_rec_offset_value(&buf, &r);
		a->ncommits++;
	}
	int n = a->ncommits;
	for (int i = 0; i < n; i++) {
		size_t end = i + 1 < n ? koff[2 * i + 2] : buf.len;
		recs[i] = (struct group_append_rec){buf.data + koff[2 * i], koff[2 * i + 1] - koff[2 * i],
		                                    buf.data + koff[2 * i + 1], end - koff[2 * i + 1]};
	}
	kb_free(koff);
	int ret = 0;
	if (n == 0) {
		kb_free(a->commits);
		kb_free(a);
	} else {
		a->g = g;
		a->generation = g->generation;
		int16_t err;
		uint64_t token = gc_append(c, a, recs, n, &err);
		ret = g_commit_park(c, token, err, req->nparts, errors, handle);
	}
	kbuf_free(&buf);
	kb_free(recs);
	return ret;
}

void g_commit_appended(struct group_coord *c, struct gappend *a, int16_t err)
{
	struct group *g = a->g;
	for (int i = 0; i < a->ncommits; i++) {
		struct gapp_commit *cm = &a->commits[i];
		struct goffset *o = g_offset_find(g, cm->topic, strlen(cm->topic), cm->partition);
		if (!o || o->pending == 0)
			continue; /* deleted meanwhile (and perhaps made again, without this commit) */
		o->pending--;
		/* Kafka's onOffsetCommitAppend: a transactional commit materialised meanwhile from
		 * a later record stays. */
		if (err == KERR_NONE && g->state != GROUP_DEAD && (!o->present || o->pos < cm->pos)) {
			o->pos = cm->pos;
			o->present = true;
			o->offset = cm->offset;
			o->leader_epoch = cm->leader_epoch;
			kb_free(o->metadata);
			o->metadata = cm->metadata;
			cm->metadata = NULL;
			o->commit_ts = cm->commit_ts;
			o->expire_ts = cm->expire_ts;
		} else if (!o->present && o->pending == 0 && !o->txn) {
			g_offset_remove(g, o);
		}
	}
	if (a->handle)
		c->io.commit_done(c->io.arg, a->handle, g_map_append_error(err, true));
}

int group_commit(struct group_coord *c, const struct group_commit_req *req, int16_t *errors,
                 void *handle)
{
	int n = req->nparts;
	fill(errors, n, KERR_NONE);
	if (req->group_id.len < 0 || req->group_id.len > KB_GROUP_ID_MAX_BYTES) {
		fill(errors, n, KERR_INVALID_GROUP_ID);
		return 0;
	}
	if (n > KB_GROUP_MAX_COMMIT_PARTITIONS) {
		fill(errors, n, KERR_INVALID_REQUEST);
		return 0;
	}
	struct group *g = gc_find(c, req->group_id);
	if (!g) {
		if (req->generation_id >= 0) {
			fill(errors, n, KERR_ILLEGAL_GENERATION);
			return 0;
		}
		g = gc_create(c, req->group_id); /* a group that uses Kafka only for offsets */
	}
	int16_t err = commit_validate(g, req);
	if (err == KERR_NONE && g->state == GROUP_COMPLETING_REBALANCE)
		err = KERR_REBALANCE_IN_PROGRESS;
	if (err != KERR_NONE) {
		fill(errors, n, err);
		g_drop_if_unused(c, g);
		return 0;
	}
	if (g->state == GROUP_STABLE || g->state == GROUP_PREPARING_REBALANCE) {
		g_member_heartbeat(c, g_member(g, req->member_id));
	}
	int ret = store_offsets(c, g, req, errors, handle);
	g_drop_if_unused(c, g);
	return ret;
}

/* ---- OffsetFetch ------------------------------------------------------------------------ */

static void view(const struct goffset *o, struct group_offset *out)
{
	*out = (struct group_offset){g_str(o->topic), o->partition, o->offset, o->leader_epoch,
	                             g_str(o->metadata ? o->metadata : ""), o->commit_ts, o->expire_ts};
}

bool group_offset_get(struct group_coord *c, struct kp_str group_id, struct kp_str topic,
                      int32_t partition, struct group_offset *out)
{
	*out = (struct group_offset){topic, partition, -1, -1, KP_STR_LIT(""), -1, -1};
	struct group *g = gc_find(c, group_id);
	if (!g || topic.len < 0)
		return false;
	struct goffset *o = g_offset_find(g, topic.ptr, (size_t)topic.len, partition);
	if (!o || !o->present)
		return false;
	view(o, out);
	return true;
}

bool group_offset_unstable(struct group_coord *c, struct kp_str group_id, struct kp_str topic,
                           int32_t partition)
{
	struct group *g = gc_find(c, group_id);
	if (!g || topic.len < 0)
		return false;
	struct goffset *o = g_offset_find(g, topic.ptr, (size_t)topic.len, partition);
	return o && (o->pending > 0 || o->txn);
}

int group_offset_foreach(struct group_coord *c, struct kp_str group_id,
                         void (*fn)(void *arg, const struct group_offset *o), void *arg)
{
	struct group *g = gc_find(c, group_id);
	int n = 0;
	for (size_t i = 0; g && i < g->onbuckets; i++) {
		for (struct goffset *o = g->obuckets[i]; o; o = o->next) {
			if (!o->present)
				continue;
			if (fn) {
				struct group_offset v;
				view(o, &v);
				fn(arg, &v);
			}
			n++;
		}
	}
	return n;
}

/* ---- Expiry and deletion ----------------------------------------------------------------- */

/* Removes `victims` (tombstoned), and the group itself when left Empty without offsets
 * (Kafka's cleanupGroupMetadata). Returns the number of offsets removed. */
static int cleanup(struct group_coord *c, struct group *g, struct goffset **victims, int n)
{
	bool dead = false;
	int removed = 0;
	for (int i = 0; i < n; i++)
		removed += victims[i]->present;
	if (g->state == GROUP_EMPTY && g->noffsets == (size_t)n && g->ntxns == 0)
		dead = true; /* pending transactional offsets keep the group (Kafka's hasOffsets) */
	g_append_tombstones(c, g, victims, n, dead && g->generation > 0);
	for (int i = 0; i < n; i++) {
		if (victims[i]->txn)
			victims[i]->present = false; /* the pending transactional commit stays */
		else
			g_offset_remove(g, victims[i]);
	}
	if (dead)
		gc_remove_group(c, g);
	return removed;
}

static bool expired(const struct goffset *o, int64_t now, int64_t base, int64_t retention)
{
	if (!o->present || o->pending)
		return false;
	if (o->expire_ts >= 0)
		return now >= o->expire_ts;
	/* base comes from records of the log: a wild timestamp must not overflow (the difference
	 * can only overflow upwards, i.e. past any retention). */
	int64_t age;
	return __builtin_sub_overflow(now, base, &age) || age >= retention;
}

static int expire_group(struct group_coord *c, struct group *g, int64_t now)
{
	int mode; /* 0: nothing; 1: since Empty; 2: stable consumer, unsubscribed; 3: simple */
	if (g->protocol_type && g->protocol_type[0] && g->state == GROUP_EMPTY)
		mode = 1;
	else if (g->protocol_type && strcmp(g->protocol_type, "consumer") == 0 &&
	         g->subscribed_known && g->state == GROUP_STABLE)
		mode = 2;
	else if (!g->protocol_type || !g->protocol_type[0])
		mode = 3;
	else
		mode = 0;
	struct goffset **v = kb_calloc(g->noffsets ? g->noffsets : 1, sizeof(*v));
	int n = 0;
	for (size_t i = 0; mode && i < g->onbuckets; i++) {
		for (struct goffset *o = g->obuckets[i]; o; o = o->next) {
			int64_t base = mode == 1 && g->state_ts >= 0 ? g->state_ts : o->commit_ts;
			if (mode == 2 && g_subscribed_to(g, o->topic))
				continue;
			if (expired(o, now, base, c->cfg.offsets_retention_ms))
				v[n++] = o;
		}
	}
	int removed = 0;
	if (n || (g->state == GROUP_EMPTY && g->noffsets == 0 && g->inflight == 0))
		removed = cleanup(c, g, v, n);
	kb_free(v);
	return removed;
}

int group_expire_offsets(struct group_coord *c)
{
	c->dl_valid = false;
	int64_t now = gc_now(c);
	int removed = 0;
	/* Collect first: cleanup may unlink groups from the table. */
	struct group **all = kb_calloc(c->ngroups ? c->ngroups : 1, sizeof(*all));
	size_t n = 0;
	for (size_t i = 0; i < c->nbuckets; i++)
		for (struct group *g = c->buckets[i]; g; g = g->next)
			all[n++] = g;
	for (size_t i = 0; i < n; i++)
		removed += expire_group(c, all[i], now);
	kb_free(all);
	return removed;
}

static int all_offsets(struct group *g, struct goffset **v)
{
	int n = 0;
	for (size_t i = 0; i < g->onbuckets; i++)
		for (struct goffset *o = g->obuckets[i]; o; o = o->next)
			v[n++] = o;
	return n;
}

int16_t group_delete(struct group_coord *c, struct kp_str group_id)
{
	c->dl_valid = false;
	if (group_id.len < 0)
		return KERR_INVALID_GROUP_ID;
	struct group *g = gc_find(c, group_id);
	if (!g)
		return KERR_GROUP_ID_NOT_FOUND;
	if (g->state != GROUP_EMPTY || g->ntxns > 0)
		return KERR_NON_EMPTY_GROUP; /* see group.h: pending transactional offsets */
	struct goffset **v = kb_calloc(g->noffsets ? g->noffsets : 1, sizeof(*v));
	int n = all_offsets(g, v);
	cleanup(c, g, v, n);
	kb_free(v);
	return KERR_NONE;
}

int16_t group_offset_delete(struct group_coord *c, struct kp_str group_id,
                            struct group_offset_delete_part *parts, int n)
{
	c->dl_valid = false;
	for (int i = 0; i < n; i++)
		parts[i].error = KERR_NONE;
	struct group *g = group_id.len < 0 ? NULL : gc_find(c, group_id);
	if (!g)
		return KERR_GROUP_ID_NOT_FOUND;
	bool consumer = g->protocol_type && strcmp(g->protocol_type, "consumer") == 0;
	if (g->state != GROUP_EMPTY && !consumer)
		return KERR_NON_EMPTY_GROUP;
	struct goffset **v = kb_calloc((size_t)(n ? n : 1), sizeof(*v));
	int nv = 0;
	for (int i = 0; i < n; i++) {
		struct kp_str t = parts[i].topic;
		if (t.len < 0)
			continue;
		if (g->state != GROUP_EMPTY) {
			char *topic = g_strdup(t);
			bool sub = g_subscribed_to(g, topic);
			kb_free(topic);
			if (sub) {
				parts[i].error = KERR_GROUP_SUBSCRIBED_TO_TOPIC;
				continue;
			}
		}
		struct goffset *o = g_offset_find(g, t.ptr, (size_t)t.len, parts[i].partition);
		bool dup = false;
		for (int k = 0; k < nv && o; k++)
			dup |= v[k] == o;
		if (o && o->present && !dup)
			v[nv++] = o;
	}
	if (nv)
		cleanup(c, g, v, nv);
	kb_free(v);
	return KERR_NONE;
}

int g_commit_park(struct group_coord *c, uint64_t token, int16_t err, int nparts,
                      int16_t *errors, void *handle)
{
	if (err != KERR_NONE) {
		int16_t mapped = g_map_append_error(err, true);
		for (int i = 0; i < nparts; i++)
			if (errors[i] == KERR_NONE)
				errors[i] = mapped;
		return 0;
	}
	for (struct gappend *x = c->appends; x; x = x->next)
		if (x->token == token)
			x->handle = handle;
	return 1;
}
