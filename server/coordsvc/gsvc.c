/* gsvc.c — hosting group/'s coordinators: load and unload on role changes, replay, appends
 * with acks=all, timers, and the creation of __consumer_offsets (see gsvc.h). */
#include "gsvc.h"

#include "../../common/say.h"
#include "../../coord/topic_admin.h"
#include "../../log/pstate.h"
#include "../../log/records.h"
#include "../core/purgatory.h"
#include "../replica/partition.h"

#include <event2/event.h>
#include <string.h>
#include <unistd.h>

/* One __consumer_offsets partition this broker leads (or led). */
struct gslot {
	struct gsvc *svc;
	int32_t idx;
	struct group_coord *c;     /* NULL unless leader */
	bool loaded;
	uint64_t gen;              /* new for every load; appends of older loads are ignored */
	int64_t load_next;         /* replay position */
	int64_t load_started_ms;
	int64_t load_records;
	struct event *timer;       /* group_tick */
	struct event *load_ev;     /* one replay step */
};

struct gsvc {
	struct broker *b;
	struct group_io answers;
	struct gslot **slots;      /* by partition index; NULL when never led */
	int nslots;
	uint64_t next_gen;
	bool creating;             /* __consumer_offsets is being written */
	struct event *expire_ev;   /* offsets.retention.check.interval.ms */
	int64_t meta_used;         /* members' protocol metadata, all coordinators */
};

static struct gsvc *svc_of(struct broker *b)
{
	return b->groups;
}

static const struct md_topic *offsets_topic(struct broker *b)
{
	return b->coord ? md_find_topic(coord_metadata(b->coord), GSVC_TOPIC) : NULL;
}

int32_t gsvc_partition_for(struct broker *b, struct kp_str group_id)
{
	const struct md_topic *t = offsets_topic(b);
	int32_t n = t && t->npartitions > 0 ? t->npartitions : b->cfg.offsets_topic_num_partitions;
	return group_partition_for(group_id, n);
}

static struct gslot *slot_at(struct gsvc *s, int32_t idx)
{
	return idx >= 0 && idx < s->nslots ? s->slots[idx] : NULL;
}

/* ---- Timers ------------------------------------------------------------------------------- */

static void arm(struct gslot *sl)
{
	if (!sl->c || !sl->loaded) {
		evtimer_del(sl->timer);
		return;
	}
	int64_t at = group_next_deadline(sl->c);
	if (at == INT64_MAX) {
		evtimer_del(sl->timer);
		return;
	}
	int64_t wait = at - kb_wall_ms();
	if (wait < 0)
		wait = 0;
	if (wait > 86400000)
		wait = 86400000;
	struct timeval tv = {(time_t)(wait / 1000), (suseconds_t)(wait % 1000) * 1000};
	evtimer_add(sl->timer, &tv);
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct gslot *sl = arg;
	if (sl->c && sl->loaded)
		group_tick(sl->c, kb_wall_ms());
	arm(sl);
}

void gsvc_done(struct broker *b, struct kp_str group_id)
{
	struct gslot *sl = svc_of(b) ? slot_at(svc_of(b), gsvc_partition_for(b, group_id)) : NULL;
	if (sl && sl->c)
		arm(sl);
}

/* ---- Appends: one batch, acknowledged when the high watermark covers it -------------------- */

struct gappend_wait {
	struct gslot *sl;
	uint64_t gen, token;
	struct partition *p;       /* NULL once the partition went away */
	int64_t need;              /* offset the HW (or LEO for acks=1) must reach */
	struct pg_op *op;
};

static int64_t now_cb(void *arg)
{
	KB_UNUSED(arg);
	return kb_wall_ms();
}

/* Tells the coordinator (if it is still the one that appended) and re-arms its timer. */
static void append_finish(struct gappend_wait *w, int16_t err)
{
	struct gslot *sl = w->sl;
	if (sl->c && sl->gen == w->gen) {
		group_append_done(sl->c, w->token, err);
		arm(sl);
	}
	kb_free(w);
}

static bool append_try(struct pg_op *op, void *arg)
{
	KB_UNUSED(op);
	struct gappend_wait *w = arg;
	struct broker *b = w->sl->svc->b;
	if (!w->sl->c || w->sl->gen != w->gen) {
		kb_free(w); /* unloaded: the coordinator forgot this append */
		return true;
	}
	struct partition *p = w->p;
	int16_t err;
	if (!p || !p->leader)
		err = KERR_NOT_LEADER_OR_FOLLOWER;
	else if (b->cfg.offsets_commit_required_acks != -1)
		err = plog_end_offset(p->log) >= w->need ? KERR_NONE : -1;
	else if (p->hw >= w->need)
		err = p->state.nisr < p->cfg.min_insync ? KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND
		                                        : KERR_NONE;
	else
		return false;
	if (err < 0)
		return false;
	append_finish(w, err);
	return true;
}

static void append_expire(void *arg)
{
	append_finish(arg, KERR_REQUEST_TIMED_OUT);
}

static void append_drop(void *arg)
{
	kb_free(arg);
}

static void append_key_gone(struct pg_op *op, void *arg, struct pg_key key)
{
	KB_UNUSED(op);
	KB_UNUSED(key);
	struct gappend_wait *w = arg;
	w->p = NULL;
}

static const struct pg_ops append_ops = {append_try, append_expire, append_drop,
                                         append_key_gone};

/* One v2 batch of the records (attributes and producer fields from bp), appended as leader. */
static int16_t append_batch(struct gslot *sl, uint64_t token, const struct group_append_rec *recs,
                            int n, const struct rc_batch_params *bp)
{
	struct broker *b = sl->svc->b;
	struct partition *p = pm_find(b, kp_str_c(GSVC_TOPIC), sl->idx);
	if (!p || !p->leader)
		return KERR_NOT_LEADER_OR_FOLLOWER;
	if (b->cfg.offsets_commit_required_acks == -1 && p->state.nisr < p->cfg.min_insync)
		return KERR_NOT_ENOUGH_REPLICAS;
	if (n <= 0 || n > 1 << 20)
		return KERR_INVALID_REQUEST;
	int64_t now = kb_wall_ms();
	struct rc_build_record *br = kb_calloc((size_t)n, sizeof(*br));
	for (int i = 0; i < n; i++)
		br[i] = (struct rc_build_record){
		        .offset_delta = i, .timestamp = now,
		        .key = recs[i].key, .key_len = (int32_t)recs[i].key_len,
		        .value = recs[i].value,
		        .value_len = recs[i].value ? (int32_t)recs[i].value_len : -1};
	uint8_t *batch = NULL;
	size_t len = 0;
	int rc = rc_batch_build(bp, br, n, 0, (size_t)p->cfg.log.max_message_bytes, &batch, &len);
	kb_free(br);
	if (rc != RC_OK)
		return rc == RC_ERR_TOO_BIG ? KERR_MESSAGE_TOO_LARGE : KERR_UNKNOWN_SERVER_ERROR;
	struct batch_info info;
	int64_t base = -1;
	int16_t err = (int16_t)batch_validate(batch, len, p->cfg.log.max_message_bytes, &info);
	if (err == KERR_NONE)
		err = (int16_t)partition_append(p, batch, len, &info, &base);
	kb_free(batch);
	if (err != KERR_NONE)
		return err;
	struct gappend_wait *w = kb_malloc(sizeof(*w));
	*w = (struct gappend_wait){.sl = sl, .gen = sl->gen, .token = token, .p = p,
	                           .need = base + n};
	w->op = purgatory_park(b->pg, &append_ops, w, b->cfg.offsets_commit_timeout_ms);
	purgatory_watch(w->op, partition_key(p));
	purgatory_retry(w->op); /* deferred: never answered inside this call */
	return KERR_NONE;
}

static int16_t append_cb(void *arg, uint64_t token, const struct group_append_rec *recs, int n)
{
	struct rc_batch_params bp;
	rc_batch_params_default(&bp);
	return append_batch(arg, token, recs, n, &bp);
}

/* A TxnOffsetCommit: a transactional batch of the producer, base sequence 0. Appended as the
 * coordinator (Kafka's origin COORDINATOR): partition_append runs no idempotence check (only
 * Produce calls plog_producer_check), and of Kafka's coordinator checks only the epoch one
 * applies: an epoch below the partition's for this producer is fenced. */
static int16_t append_txn_cb(void *arg, uint64_t token, const struct group_append_rec *recs,
                             int n, int64_t producer_id, int16_t producer_epoch)
{
	struct gslot *sl = arg;
	struct partition *p = pm_find(sl->svc->b, kp_str_c(GSVC_TOPIC), sl->idx);
	const struct pstate_entry *e = p ? pstate_find(plog_producers(p->log), producer_id) : NULL;
	if (e && producer_epoch < e->epoch)
		return KERR_INVALID_PRODUCER_EPOCH;
	struct rc_batch_params bp;
	rc_batch_params_default(&bp);
	bp.attributes = 0x10; /* transactional */
	bp.producer_id = producer_id;
	bp.producer_epoch = producer_epoch;
	bp.base_sequence = 0;
	return append_batch(sl, token, recs, n, &bp);
}

/* ---- Load: replay of the partition, a step per loop turn ----------------------------------- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const uint8_t *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* Replays the whole batches in buf; returns the offset after the last one replayed. */
static int64_t replay_batches(struct gslot *sl, const uint8_t *buf, size_t len, int64_t next,
                              size_t max_out)
{
	size_t pos = 0;
	while (len - pos >= RB_HEADER_SIZE) {
		const uint8_t *h = buf + pos;
		size_t blen = (size_t)be32(h + 8) + 12;
		if (blen < RB_HEADER_SIZE || blen > len - pos)
			break;
		int64_t base = be64(h);
		int32_t last_delta = (int32_t)be32(h + 23);
		uint16_t attrs = (uint16_t)(h[RB_ATTRIBUTES] << 8 | h[RB_ATTRIBUTES + 1]);
		/* Transactional offsets go pending under the producer; its marker (a control batch)
		 * completes them (group.h, group_load_record_in). */
		struct group_load_batch lb = {.producer_id = be64(h + RB_PRODUCER_ID),
		                              .transactional = (attrs & 0x10) != 0,
		                              .control = (attrs & 0x20) != 0};
		if (base + last_delta >= next) {
			struct rc_iter it;
			struct rc_record r;
			if (rc_iter_init(&it, h, blen, max_out) == RC_OK) {
				int rc;
				while ((rc = rc_iter_next(&it, &r)) == 1) {
					if (r.offset < next || r.key_len < 0)
						continue;
					if (group_load_record_in(sl->c, &lb, r.key, (size_t)r.key_len, r.value,
					                         r.value_len < 0 ? 0 : (size_t)r.value_len) < 0)
						say_ratelimited(SAY_WARN, "group", "%s-%d: skipped a malformed "
						                "record at offset %lld", GSVC_TOPIC, sl->idx,
						                (long long)r.offset);
					sl->load_records++;
				}
				rc_iter_free(&it);
			} else {
				say_ratelimited(SAY_WARN, "group", "%s-%d: skipped an unreadable batch at "
				                "offset %lld", GSVC_TOPIC, sl->idx, (long long)base);
			}
		}
		next = KB_MAX(next, base + last_delta + 1);
		pos += blen;
	}
	return next;
}

static void load_finish(struct gslot *sl)
{
	group_load_done(sl->c);
	sl->loaded = true;
	say_at(sl->load_records > 0 ? SAY_INFO : SAY_DEBUG, "group",
	       "%s-%d loaded: %lld records replayed in %lld ms", GSVC_TOPIC, sl->idx,
	         (long long)sl->load_records, (long long)(kb_mono_ms() - sl->load_started_ms));
	if (group_txn_pending_count(sl->c) > 0)
		say_info("group", "%s-%d: %d (producer, group) pairs hold transactional offsets "
		         "awaiting their markers", GSVC_TOPIC, sl->idx, group_txn_pending_count(sl->c));
	arm(sl);
}

static void load_step(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct gslot *sl = arg;
	struct broker *b = sl->svc->b;
	if (!sl->c || sl->loaded)
		return;
	struct partition *p = pm_find(b, kp_str_c(GSVC_TOPIC), sl->idx);
	if (!p || !p->leader)
		return; /* a role event follows and unloads */
	int64_t end = plog_end_offset(p->log);
	if (sl->load_next < plog_start_offset(p->log))
		sl->load_next = plog_start_offset(p->log);
	if (sl->load_next >= end) {
		load_finish(sl);
		return;
	}
	struct log_read lr;
	size_t step = (size_t)b->cfg.offsets_load_buffer_size;
	int rc = plog_read(p->log, sl->load_next, step, true, end, &lr);
	if (rc != KERR_NONE || lr.len == 0) {
		if (rc != KERR_NONE)
			say_warn("group", "%s-%d: reading offset %lld for the load failed (%s); loaded "
			         "up to there", GSVC_TOPIC, sl->idx, (long long)sl->load_next,
			         kerr_name((int16_t)rc));
		log_segment_unref(lr.seg);
		load_finish(sl);
		return;
	}
	uint8_t *buf = kb_malloc(lr.len);
	ssize_t got = pread(lr.fd, buf, lr.len, lr.pos);
	log_segment_unref(lr.seg);
	int64_t next = sl->load_next;
	if (got > 0)
		next = replay_batches(sl, buf, (size_t)got, sl->load_next,
		                      (size_t)p->cfg.log.max_message_bytes * 2 + (1 << 20));
	kb_free(buf);
	if (next <= sl->load_next) {
		say_warn("group", "%s-%d: no progress replaying at offset %lld; loaded up to there",
		         GSVC_TOPIC, sl->idx, (long long)sl->load_next);
		load_finish(sl);
		return;
	}
	sl->load_next = next;
	/* The next step after other work: a zero timeout runs after the loop's next poll of the
	 * sockets. (event_active would queue it behind this very callback in the same pass of
	 * libevent's active queue, so the whole replay would run without serving a request.) */
	static const struct timeval next_turn = {0, 0};
	evtimer_add(sl->load_ev, &next_turn);
}

/* ---- Role changes ------------------------------------------------------------------------- */

static void unload(struct gslot *sl)
{
	if (!sl->c)
		return;
	struct group_coord *c = sl->c;
	sl->c = NULL; /* first: callbacks during the free see no coordinator */
	sl->loaded = false;
	sl->gen = ++sl->svc->next_gen;
	event_del(sl->load_ev);
	evtimer_del(sl->timer);
	group_coord_free(c);
	say_debug("group", "%s-%d unloaded", GSVC_TOPIC, sl->idx);
}

static struct gslot *slot_get(struct gsvc *s, int32_t idx)
{
	if (idx >= s->nslots) {
		int n = idx + 1;
		s->slots = kb_realloc(s->slots, (size_t)n * sizeof(*s->slots));
		memset(s->slots + s->nslots, 0, (size_t)(n - s->nslots) * sizeof(*s->slots));
		s->nslots = n;
	}
	if (!s->slots[idx]) {
		struct gslot *sl = kb_calloc(1, sizeof(*sl));
		sl->svc = s;
		sl->idx = idx;
		sl->timer = evtimer_new(s->b->base, tick_cb, sl);
		sl->load_ev = event_new(s->b->base, -1, 0, load_step, sl);
		s->slots[idx] = sl;
	}
	return s->slots[idx];
}

static void load(struct gsvc *s, struct partition *p)
{
	struct broker *b = s->b;
	struct gslot *sl = slot_get(s, p->id);
	if (sl->c) {
		/* Still the leader, in a new epoch (the controller bumps it when a follower drops
		 * out): the groups stay as they are, as in Kafka (a partition already owned is not
		 * loaded again). */
		say_debug("group", "%s-%d: new leader epoch %d, groups kept", GSVC_TOPIC, p->id,
		          p->leader_epoch);
		return;
	}
	struct group_config cfg = {
	        .min_session_timeout_ms = b->cfg.group_min_session_timeout_ms,
	        .max_session_timeout_ms = b->cfg.group_max_session_timeout_ms,
	        .initial_rebalance_delay_ms = b->cfg.group_initial_rebalance_delay_ms,
	        .max_size = b->cfg.group_max_size,
	        .offset_metadata_max_bytes = b->cfg.offset_metadata_max_bytes,
	        .offsets_retention_ms = (int64_t)b->cfg.offsets_retention_minutes * 60000,
	        .seed = (uint64_t)kb_mono_ms() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)p->id << 48,
	        .meta_used = &s->meta_used,
	};
	struct group_io io = s->answers;
	io.arg = sl;
	io.now_ms = now_cb;
	io.append = append_cb;
	io.append_txn = append_txn_cb;
	sl->c = group_coord_new(&cfg, &io);
	sl->gen = ++s->next_gen;
	sl->loaded = false;
	sl->load_next = plog_start_offset(p->log);
	sl->load_records = 0;
	sl->load_started_ms = kb_mono_ms();
	event_active(sl->load_ev, EV_TIMEOUT, 0);
	say_debug("group", "%s-%d: loading (epoch %d)", GSVC_TOPIC, p->id, p->leader_epoch);
}

static void on_role(struct partition *p, const struct pm_role_change *ch, void *arg)
{
	struct gsvc *s = arg;
	if (strcmp(p->topic, GSVC_TOPIC) != 0)
		return;
	if (ch->event == PM_ROLE_LEADER) {
		load(s, p);
	} else {
		struct gslot *sl = slot_at(s, p->id);
		if (sl)
			unload(sl);
	}
}

/* ---- Expiry of old offsets ---------------------------------------------------------------- */

static void expire_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct gsvc *s = arg;
	int removed = 0;
	for (int i = 0; i < s->nslots; i++) {
		struct gslot *sl = s->slots[i];
		if (sl && sl->c && sl->loaded) {
			removed += group_expire_offsets(sl->c);
			arm(sl);
		}
	}
	if (removed > 0)
		say_info("group", "expired %d committed offsets", removed);
	int64_t ms = s->b->cfg.offsets_retention_check_interval_ms;
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
	evtimer_add(s->expire_ev, &tv);
}

/* ---- Start, stop, lookups ----------------------------------------------------------------- */

static void replay_current(struct partition *p, const struct pm_role_change *ch, void *arg)
{
	on_role(p, ch, arg);
}

void gsvc_start(struct broker *b, const struct group_io *answers)
{
	struct gsvc *s = kb_calloc(1, sizeof(*s));
	s->b = b;
	s->answers = (struct group_io){.join_done = answers->join_done,
	                               .sync_done = answers->sync_done,
	                               .commit_done = answers->commit_done};
	s->expire_ev = evtimer_new(b->base, expire_cb, s);
	b->groups = s;
	pm_add_role_listener(b, on_role, s);
	pm_foreach_role(b, replay_current, s);
	expire_cb(-1, 0, s);
}

void gsvc_stop(struct broker *b)
{
	struct gsvc *s = svc_of(b);
	if (!s)
		return;
	for (int i = 0; i < s->nslots; i++) {
		struct gslot *sl = s->slots[i];
		if (!sl)
			continue;
		unload(sl);
		event_free(sl->timer);
		event_free(sl->load_ev);
		kb_free(sl);
	}
	kb_free(s->slots);
	event_free(s->expire_ev);
	kb_free(s);
	b->groups = NULL;
}

int16_t gsvc_coordinator(struct broker *b, struct kp_str group_id, struct group_coord **out)
{
	*out = NULL;
	struct gsvc *s = svc_of(b);
	if (!s || !offsets_topic(b))
		return KERR_COORDINATOR_NOT_AVAILABLE;
	struct gslot *sl = slot_at(s, gsvc_partition_for(b, group_id));
	if (!sl || !sl->c)
		return KERR_NOT_COORDINATOR;
	if (!sl->loaded)
		return KERR_COORDINATOR_LOAD_IN_PROGRESS;
	*out = sl->c;
	return KERR_NONE;
}

void gsvc_txn_complete(struct broker *b, int32_t offsets_partition, int64_t pid, bool commit)
{
	struct gsvc *s = svc_of(b);
	struct gslot *sl = s ? slot_at(s, offsets_partition) : NULL;
	if (!sl || !sl->c || !sl->loaded)
		return; /* not loaded: the replay reads the marker from the log */
	group_txn_complete(sl->c, pid, commit);
	arm(sl);
}

void gsvc_foreach(struct broker *b, void (*fn)(void *arg, struct group_coord *c), void *arg)
{
	struct gsvc *s = svc_of(b);
	for (int i = 0; s && i < s->nslots; i++)
		if (s->slots[i] && s->slots[i]->c && s->slots[i]->loaded)
			fn(arg, s->slots[i]->c);
}

bool gsvc_loading(struct broker *b)
{
	struct gsvc *s = svc_of(b);
	for (int i = 0; s && i < s->nslots; i++)
		if (s->slots[i] && s->slots[i]->c && !s->slots[i]->loaded)
			return true;
	return false;
}

/* ---- __consumer_offsets creation ----------------------------------------------------------- */

static void created(int16_t error, const char *message, void *arg)
{
	struct broker *b = arg;
	if (error == TOPIC_ADMIN_CLOSING)
		return;
	if (b->groups)
		b->groups->creating = false;
	if (error == 0)
		say_info("group", "created %s", GSVC_TOPIC);
	else if (error != KERR_TOPIC_ALREADY_EXISTS)
		say_warn("group", "creating %s failed: %s", GSVC_TOPIC, message ? message : "");
}

static void create_topic(struct broker *b)
{
	char seg[24], err[160];
	snprintf(seg, sizeof(seg), "%d", b->cfg.offsets_topic_segment_bytes);
	const struct md_config_entry cfg[] = {
	        {(char *)"cleanup.policy", (char *)"compact"},
	        {(char *)"compression.type", (char *)"producer"},
	        {(char *)"segment.bytes", seg},
	};
	int16_t rf = (int16_t)KB_MIN(b->cfg.offsets_topic_replication_factor, INT16_MAX);
	if (topic_admin_create_placed(coord_zk(b->coord), coord_metadata(b->coord), GSVC_TOPIC,
	                              b->cfg.offsets_topic_num_partitions, rf, cfg,
	                              (int)KB_ARRAY_LEN(cfg), created, b, err, sizeof(err)) < 0)
		say_ratelimited(SAY_WARN, "group", "cannot create %s: %s", GSVC_TOPIC, err);
	else
		svc_of(b)->creating = true;
}

int16_t gsvc_find(struct broker *b, struct kp_str group_id, int32_t *node)
{
	*node = -1;
	struct gsvc *s = svc_of(b);
	if (!s || !b->coord || !coord_loaded(b->coord))
		return KERR_COORDINATOR_NOT_AVAILABLE;
	const struct md_topic *t = offsets_topic(b);
	if (!t) {
		const struct md_cache *md = coord_metadata(b->coord);
		if (!s->creating && md->nbrokers >= b->cfg.offsets_topic_replication_factor &&
		    md_total_partitions(md) + b->cfg.offsets_topic_num_partitions <=
		            b->cfg.max_partitions_per_cluster)
			create_topic(b);
		else if (md->nbrokers < b->cfg.offsets_topic_replication_factor)
			say_ratelimited(SAY_WARN, "group", "not creating %s: %d live brokers, "
			                "offsets.topic.replication.factor is %d", GSVC_TOPIC,
			                md->nbrokers, b->cfg.offsets_topic_replication_factor);
		return KERR_COORDINATOR_NOT_AVAILABLE;
	}
	const struct md_partition *mp = md_topic_partition(t, gsvc_partition_for(b, group_id));
	if (!mp || !mp->has_state || mp->state.leader < 0 ||
	    !md_broker_live(coord_metadata(b->coord), mp->state.leader))
		return KERR_COORDINATOR_NOT_AVAILABLE;
	*node = mp->state.leader;
	return KERR_NONE;
}
