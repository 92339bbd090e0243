/* csvc.c — one coordinator per partition of an internal topic: role listener, stepwise
 * replay, appends acknowledged by the high watermark, per-slot timers, topic creation (see
 * csvc.h). */
#include "csvc.h"

#include "../../common/say.h"
#include "../../coord/topic_admin.h"
#include "../../group/group.h"
#include "../../log/log.h"
#include "../core/purgatory.h"
#include "../replica/partition.h"

#include <event2/event.h>
#include <string.h>
#include <unistd.h>

struct csvc {
	struct broker *b;
	const struct csvc_params *params;
	const struct csvc_ops *ops;
	void *arg;
	struct cslot **slots;      /* by partition index; NULL when never led */
	int32_t nslots;
	uint64_t next_gen;
	bool creating;             /* the topic is being written */
};

struct broker *csvc_broker(const struct csvc *s)
{
	return s->b;
}

void *csvc_arg(const struct csvc *s)
{
	return s->arg;
}

struct cslot *csvc_slot(struct csvc *s, int32_t idx)
{
	return idx >= 0 && idx < s->nslots ? s->slots[idx] : NULL;
}

int32_t csvc_nslots(const struct csvc *s)
{
	return s->nslots;
}

bool csvc_loading(const struct csvc *s)
{
	for (int32_t i = 0; i < s->nslots; i++)
		if (s->slots[i] && s->slots[i]->c && !s->slots[i]->loaded)
			return true;
	return false;
}

static const struct md_topic *topic_md(struct csvc *s)
{
	return s->b->coord ? md_find_topic(coord_metadata(s->b->coord), s->params->topic) : NULL;
}

bool csvc_topic_exists(struct csvc *s)
{
	return topic_md(s) != NULL;
}

int32_t csvc_partition_for(struct csvc *s, struct kp_str key, int32_t default_partitions)
{
	const struct md_topic *t = topic_md(s);
	int32_t n = t && t->npartitions > 0 ? t->npartitions : default_partitions;
	return group_partition_for(key, n); /* Java String.hashCode, Utils.abs, % n */
}

/* ---- Timers ------------------------------------------------------------------------------- */

void csvc_arm(struct cslot *sl)
{
	if (!sl->c || !sl->loaded) {
		evtimer_del(sl->timer);
		return;
	}
	int64_t at = sl->svc->ops->next_deadline(sl->c);
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
	struct cslot *sl = arg;
	if (sl->c && sl->loaded)
		sl->svc->ops->tick(sl->c, kb_wall_ms());
	csvc_arm(sl);
}

/* ---- Appends: one batch, acknowledged when the high watermark covers it -------------------- */

struct cappend_wait {
	struct cslot *sl;
	uint64_t gen, token;
	struct partition *p;       /* NULL once the partition went away */
	int64_t need;              /* offset the HW (or LEO for acks=1) must reach */
	int acks;
};

/* Tells the coordinator (if it is still the one that appended) and re-arms its timer. */
static void append_finish(struct cappend_wait *w, int16_t err)
{
	struct cslot *sl = w->sl;
	if (sl->c && sl->gen == w->gen) {
		sl->svc->ops->append_done(sl->c, w->token, err);
		csvc_arm(sl);
	}
	kb_free(w);
}

static bool append_try(struct pg_op *op, void *arg)
{
	KB_UNUSED(op);
	struct cappend_wait *w = arg;
	if (!w->sl->c || w->sl->gen != w->gen) {
		kb_free(w); /* unloaded: the coordinator forgot this append */
		return true;
	}
	struct partition *p = w->p;
	int16_t err;
	if (!p || !p->leader)
		err = KERR_NOT_LEADER_OR_FOLLOWER;
	else if (w->acks != -1)
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
	struct cappend_wait *w = arg;
	w->p = NULL;
}

static const struct pg_ops append_ops = {append_try, append_expire, append_drop,
                                         append_key_gone};

int16_t csvc_append(struct cslot *sl, uint64_t token, const struct csvc_rec *recs, int n,
                    const struct rc_batch_params *bp, int acks, int32_t timeout_ms)
{
	struct broker *b = sl->svc->b;
	struct partition *p = pm_find(b, kp_str_c(sl->svc->params->topic), sl->idx);
	if (!p || !p->leader)
		return KERR_NOT_LEADER_OR_FOLLOWER;
	if (acks == -1 && p->state.nisr < p->cfg.min_insync)
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
	struct rc_batch_params def;
	if (!bp) {
		rc_batch_params_default(&def);
		bp = &def;
	}
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
	struct cappend_wait *w = kb_malloc(sizeof(*w));
	*w = (struct cappend_wait){.sl = sl, .gen = sl->gen, .token = token, .p = p,
	                           .need = base + n, .acks = acks};
	struct pg_op *op = purgatory_park(b->pg, &append_ops, w, timeout_ms);
	purgatory_watch(op, partition_key(p));
	purgatory_retry(op); /* deferred: never answered inside this call */
	return KERR_NONE;
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

static void walk_batch(const uint8_t *h, size_t blen, int64_t next, size_t max_out,
                       const struct csvc_walk *wk)
{
	uint16_t attrs = (uint16_t)(h[RB_ATTRIBUTES] << 8 | h[RB_ATTRIBUTES + 1]);
	struct csvc_batch bt = {
	        .base_offset = be64(h), .producer_id = be64(h + RB_PRODUCER_ID),
	        .producer_epoch = (int16_t)(h[RB_PRODUCER_EPOCH] << 8 | h[RB_PRODUCER_EPOCH + 1]),
	        .transactional = (attrs & 0x10) != 0, .control = (attrs & 0x20) != 0};
	struct rc_iter it;
	struct rc_record r;
	if (rc_iter_init(&it, h, blen, max_out) != RC_OK) {
		wk->bad_batch(wk->arg, bt.base_offset);
		return;
	}
	while (rc_iter_next(&it, &r) == 1)
		if (r.offset >= next && r.key_len >= 0)
			wk->record(wk->arg, &bt, &r);
	rc_iter_free(&it);
}

int64_t csvc_walk_batches(const uint8_t *buf, size_t len, int64_t next, size_t max_out,
                          const struct csvc_walk *wk)
{
	size_t pos = 0;
	while (len - pos >= RB_HEADER_SIZE) {
		const uint8_t *h = buf + pos;
		size_t blen = (size_t)be32(h + RB_LENGTH) + RB_LOG_OVERHEAD;
		if (blen < RB_HEADER_SIZE || blen > len - pos)
			break;
		int64_t base = be64(h);
		int32_t last_delta = (int32_t)be32(h + RB_LAST_OFFSET_DELTA);
		if (base + last_delta >= next)
			walk_batch(h, blen, next, max_out, wk);
		next = KB_MAX(next, base + last_delta + 1);
		pos += blen;
	}
	return next;
}

static void replay_record(void *arg, const struct csvc_batch *bt, const struct rc_record *r)
{
	struct cslot *sl = arg;
	if (sl->svc->ops->load_record(sl, bt, r) < 0)
		say_ratelimited(SAY_WARN, sl->svc->params->tag, "%s-%d: skipped a malformed record "
		                "at offset %lld", sl->svc->params->topic, sl->idx, (long long)r->offset);
	sl->load_records++;
}

static void replay_bad_batch(void *arg, int64_t base)
{
	struct cslot *sl = arg;
	say_ratelimited(SAY_WARN, sl->svc->params->tag, "%s-%d: skipped an unreadable batch at "
	                "offset %lld", sl->svc->params->topic, sl->idx, (long long)base);
}

static void load_finish(struct cslot *sl)
{
	sl->svc->ops->load_done(sl);
	sl->loaded = true;
	say_at(sl->load_records > 0 ? SAY_INFO : SAY_DEBUG, sl->svc->params->tag,
	       "%s-%d loaded: %lld records replayed in %lld ms", sl->svc->params->topic, sl->idx,
	       (long long)sl->load_records, (long long)(kb_mono_ms() - sl->load_started_ms));
	csvc_arm(sl);
}

static void load_step(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct cslot *sl = arg;
	struct csvc *s = sl->svc;
	const char *topic = s->params->topic;
	if (!sl->c || sl->loaded)
		return;
	struct partition *p = pm_find(s->b, kp_str_c(topic), sl->idx);
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
	size_t step = (size_t)s->params->load_buffer_size;
	int rc = plog_read(p->log, sl->load_next, step, true, end, &lr);
	if (rc != KERR_NONE || lr.len == 0) {
		if (rc != KERR_NONE)
			say_warn(s->params->tag, "%s-%d: reading offset %lld for the load failed (%s); "
			         "loaded up to there", topic, sl->idx, (long long)sl->load_next,
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
		next = csvc_walk_batches(buf, (size_t)got, sl->load_next,
		                         (size_t)p->cfg.log.max_message_bytes * 2 + (1 << 20),
		                         &(struct csvc_walk){replay_record, replay_bad_batch, sl});
	kb_free(buf);
	if (next <= sl->load_next) {
		say_warn(s->params->tag, "%s-%d: no progress replaying at offset %lld; loaded up to "
		         "there", topic, sl->idx, (long long)sl->load_next);
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

static void unload(struct cslot *sl)
{
	if (!sl->c)
		return;
	void *c = sl->c;
	sl->c = NULL; /* first: callbacks during the free see no coordinator */
	sl->loaded = false;
	sl->gen = ++sl->svc->next_gen;
	event_del(sl->load_ev);
	evtimer_del(sl->timer);
	sl->svc->ops->close(sl, c);
	say_debug(sl->svc->params->tag, "%s-%d unloaded", sl->svc->params->topic, sl->idx);
}

static struct cslot *slot_get(struct csvc *s, int32_t idx)
{
	if (idx >= s->nslots) {
		int32_t n = idx + 1;
		s->slots = kb_realloc(s->slots, (size_t)n * sizeof(*s->slots));
		memset(s->slots + s->nslots, 0, (size_t)(n - s->nslots) * sizeof(*s->slots));
		s->nslots = n;
	}
	if (!s->slots[idx]) {
		struct cslot *sl = kb_calloc(1, sizeof(*sl));
		sl->svc = s;
		sl->idx = idx;
		sl->timer = evtimer_new(s->b->base, tick_cb, sl);
		sl->load_ev = event_new(s->b->base, -1, 0, load_step, sl);
		s->slots[idx] = sl;
	}
	return s->slots[idx];
}

static void load(struct csvc *s, struct partition *p)
{
	struct cslot *sl = slot_get(s, p->id);
	if (sl->c) {
		/* Still the leader, in a new epoch (the controller bumps it when a follower drops
		 * out). The group coordinator keeps its groups, as in Kafka (a partition already
		 * owned is not loaded again); the transaction coordinator loads again under the new
		 * coordinator epoch, as Kafka's TransactionStateManager does. */
		if (!s->params->reload_on_new_epoch || sl->leader_epoch == p->leader_epoch) {
			say_debug(s->params->tag, "%s-%d: new leader epoch %d, state kept",
			          s->params->topic, p->id, p->leader_epoch);
			return;
		}
		unload(sl);
	}
	sl->gen = ++s->next_gen;
	sl->leader_epoch = p->leader_epoch;
	sl->loaded = false;
	sl->load_next = plog_start_offset(p->log);
	sl->load_records = 0;
	sl->load_started_ms = kb_mono_ms();
	sl->c = s->ops->open(sl, p);
	event_active(sl->load_ev, EV_TIMEOUT, 0);
	say_debug(s->params->tag, "%s-%d: loading (epoch %d)", s->params->topic, p->id,
	          p->leader_epoch);
}

static void on_role(struct partition *p, const struct pm_role_change *ch, void *arg)
{
	struct csvc *s = arg;
	if (strcmp(p->topic, s->params->topic) != 0)
		return;
	if (ch->event == PM_ROLE_LEADER) {
		load(s, p);
	} else {
		struct cslot *sl = csvc_slot(s, p->id);
		if (sl)
			unload(sl);
	}
}

/* ---- Start, stop -------------------------------------------------------------------------- */

struct csvc *csvc_new(struct broker *b, const struct csvc_params *params,
                      const struct csvc_ops *ops, void *arg)
{
	struct csvc *s = kb_calloc(1, sizeof(*s));
	*s = (struct csvc){.b = b, .params = params, .ops = ops, .arg = arg};
	pm_add_role_listener(b, on_role, s);
	pm_foreach_role(b, on_role, s);
	return s;
}

void csvc_free(struct csvc *s)
{
	if (!s)
		return;
	for (int32_t i = 0; i < s->nslots; i++) {
		struct cslot *sl = s->slots[i];
		if (!sl)
			continue;
		unload(sl);
		event_free(sl->timer);
		event_free(sl->load_ev);
		kb_free(sl);
	}
	kb_free(s->slots);
	kb_free(s);
}

/* ---- FindCoordinator and the creation of the topic ----------------------------------------- */

static void created(int16_t error, const char *message, void *arg)
{
	struct csvc *s = arg;
	if (error == TOPIC_ADMIN_CLOSING)
		return;
	s->creating = false;
	if (error == 0)
		say_info(s->params->tag, "created %s", s->params->topic);
	else if (error != KERR_TOPIC_ALREADY_EXISTS)
		say_warn(s->params->tag, "creating %s failed: %s", s->params->topic,
		         message ? message : "");
}

static void create_topic(struct csvc *s, const struct csvc_topic *t)
{
	char err[160];
	struct broker *b = s->b;
	int16_t rf = (int16_t)KB_MIN(t->replication_factor, INT16_MAX);
	if (topic_admin_create_placed(coord_zk(b->coord), coord_metadata(b->coord),
	                              s->params->topic, t->partitions, rf, t->configs, t->nconfigs,
	                              created, s, err, sizeof(err)) < 0)
		say_ratelimited(SAY_WARN, s->params->tag, "cannot create %s: %s", s->params->topic,
		                err);
	else
		s->creating = true;
}

int16_t csvc_find(struct csvc *s, int32_t idx, const struct csvc_topic *t, int32_t *node)
{
	*node = -1;
	struct broker *b = s->b;
	if (!b->coord || !coord_loaded(b->coord))
		return KERR_COORDINATOR_NOT_AVAILABLE;
	const struct md_topic *mt = topic_md(s);
	if (!mt) {
		const struct md_cache *md = coord_metadata(b->coord);
		if (!s->creating && md->nbrokers >= t->replication_factor &&
		    md_total_partitions(md) + t->partitions <= b->cfg.max_partitions_per_cluster)
			create_topic(s, t);
		else if (md->nbrokers < t->replication_factor)
			say_ratelimited(SAY_WARN, s->params->tag, "not creating %s: %d live brokers, "
			                "its replication factor is %d", s->params->topic, md->nbrokers,
			                t->replication_factor);
		return KERR_COORDINATOR_NOT_AVAILABLE;
	}
	const struct md_partition *mp = md_topic_partition(mt, idx);
	if (!mp || !mp->has_state || mp->state.leader < 0 ||
	    !md_broker_live(coord_metadata(b->coord), mp->state.leader))
		return KERR_COORDINATOR_NOT_AVAILABLE;
	*node = mp->state.leader;
	return KERR_NONE;
}
