/* gsvc.c — hosting group/'s coordinators on csvc (csvc.c: load and unload on role changes,
 * replay, appends with acks=all, timers, topic creation), plus what only groups have: the
 * expiry of old offsets and the creation parameters of __consumer_offsets (see gsvc.h). */
#include "gsvc.h"

#include "../../common/say.h"
#include "../../log/pstate.h"
#include "../replica/partition.h"
#include "csvc.h"

#include <event2/event.h>
#include <string.h>
#include <unistd.h>

struct gsvc {
	struct broker *b;
	struct csvc *cs;
	struct group_io answers;
	struct csvc_params params;
	struct event *expire_ev;   /* offsets.retention.check.interval.ms */
	int64_t meta_used;         /* members' protocol metadata, all coordinators */
};

static struct gsvc *svc_of(struct broker *b)
{
	return b->groups;
}

int32_t gsvc_partition_for(struct broker *b, struct kp_str group_id)
{
	struct gsvc *s = svc_of(b);
	if (!s)
		return group_partition_for(group_id, b->cfg.offsets_topic_num_partitions);
	return csvc_partition_for(s->cs, group_id, b->cfg.offsets_topic_num_partitions);
}

void gsvc_done(struct broker *b, struct kp_str group_id)
{
	struct cslot *sl = svc_of(b) ? csvc_slot(svc_of(b)->cs, gsvc_partition_for(b, group_id))
	                             : NULL;
	if (sl && sl->c)
		csvc_arm(sl);
}

/* ---- The coordinator's side of csvc --------------------------------------------------------- */

static int64_t now_cb(void *arg)
{
	KB_UNUSED(arg);
	return kb_wall_ms();
}

/* One v2 batch of the records (header fields from bp; NULL: plain), appended as leader. */
static int16_t append_batch(struct cslot *sl, uint64_t token, const struct group_append_rec *recs,
                            int n, const struct rc_batch_params *bp)
{
	struct broker *b = csvc_broker(sl->svc);
	if (n <= 0 || n > 1 << 20)
		return KERR_INVALID_REQUEST;
	struct csvc_rec *cr = kb_calloc((size_t)n, sizeof(*cr));
	for (int i = 0; i < n; i++)
		cr[i] = (struct csvc_rec){recs[i].key, recs[i].key_len, recs[i].value,
		                          recs[i].value_len};
	int16_t err = csvc_append(sl, token, cr, n, bp,
	                          b->cfg.offsets_commit_required_acks == -1 ? -1 : 1,
	                          b->cfg.offsets_commit_timeout_ms);
	kb_free(cr);
	return err;
}

static int16_t append_cb(void *arg, uint64_t token, const struct group_append_rec *recs, int n)
{
	return append_batch(arg, token, recs, n, NULL);
}

/* A TxnOffsetCommit: a transactional batch of the producer, base sequence 0. Appended as the
 * coordinator (Kafka's origin COORDINATOR): partition_append runs no idempotence check (only
 * Produce calls plog_producer_check), and of Kafka's coordinator checks only the epoch one
 * applies: an epoch below the partition's for this producer is fenced. */
static int16_t append_txn_cb(void *arg, uint64_t token, const struct group_append_rec *recs,
                             int n, int64_t producer_id, int16_t producer_epoch)
{
	struct cslot *sl = arg;
	struct partition *p = pm_find(csvc_broker(sl->svc), kp_str_c(GSVC_TOPIC), sl->idx);
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

static void *open_cb(struct cslot *sl, struct partition *p)
{
	KB_UNUSED(p);
	struct gsvc *s = csvc_arg(sl->svc);
	struct broker *b = s->b;
	struct group_config cfg = {
	        .min_session_timeout_ms = b->cfg.group_min_session_timeout_ms,
	        .max_session_timeout_ms = b->cfg.group_max_session_timeout_ms,
	        .initial_rebalance_delay_ms = b->cfg.group_initial_rebalance_delay_ms,
	        .max_size = b->cfg.group_max_size,
	        .offset_metadata_max_bytes = b->cfg.offset_metadata_max_bytes,
	        .offsets_retention_ms = (int64_t)b->cfg.offsets_retention_minutes * 60000,
	        .seed = (uint64_t)kb_mono_ms() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)sl->idx << 48,
	        .meta_used = &s->meta_used,
	};
	struct group_io io = s->answers;
	io.arg = sl;
	io.now_ms = now_cb;
	io.append = append_cb;
	io.append_txn = append_txn_cb;
	return group_coord_new(&cfg, &io);
}

static void close_cb(struct cslot *sl, void *c)
{
	KB_UNUSED(sl);
	group_coord_free(c);
}

/* Transactional offsets go pending under the producer; its marker (a control batch) completes
 * them (group.h, group_load_record_in). */
static int load_record_cb(struct cslot *sl, const struct csvc_batch *bt,
                          const struct rc_record *r)
{
	struct group_load_batch lb = {.producer_id = bt->producer_id,
	                              .transactional = bt->transactional, .control = bt->control};
	return group_load_record_in(sl->c, &lb, r->key, (size_t)r->key_len, r->value,
	                            r->value_len < 0 ? 0 : (size_t)r->value_len);
}

static void load_done_cb(struct cslot *sl)
{
	group_load_done(sl->c);
	if (group_txn_pending_count(sl->c) > 0)
		say_info("group", "%s-%d: %d (producer, group) pairs hold transactional offsets "
		         "awaiting their markers", GSVC_TOPIC, sl->idx, group_txn_pending_count(sl->c));
}

static int64_t next_deadline_cb(void *c)
{
	return group_next_deadline(c);
}

static void tick_cb(void *c, int64_t now_ms)
{
	group_tick(c, now_ms);
}

static void append_done_cb(void *c, uint64_t token, int16_t error)
{
	group_append_done(c, token, error);
}

static const struct csvc_ops gsvc_ops = {
	.open = open_cb, .close = close_cb, .load_record = load_record_cb,
	.load_done = load_done_cb, .next_deadline = next_deadline_cb, .tick = tick_cb,
	.append_done = append_done_cb,
};

/* ---- Expiry of old offsets ---------------------------------------------------------------- */

static void expire_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct gsvc *s = arg;
	int removed = 0;
	for (int32_t i = 0; i < csvc_nslots(s->cs); i++) {
		struct cslot *sl = csvc_slot(s->cs, i);
		if (sl && sl->c && sl->loaded) {
			removed += group_expire_offsets(sl->c);
			csvc_arm(sl);
		}
	}
	if (removed > 0)
		say_info("group", "expired %d committed offsets", removed);
	int64_t ms = s->b->cfg.offsets_retention_check_interval_ms;
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
	evtimer_add(s->expire_ev, &tv);
}

/* ---- Start, stop, lookups ----------------------------------------------------------------- */

void gsvc_start(struct broker *b, const struct group_io *answers)
{
	struct gsvc *s = kb_calloc(1, sizeof(*s));
	s->b = b;
	s->answers = (struct group_io){.join_done = answers->join_done,
	                               .sync_done = answers->sync_done,
	                               .commit_done = answers->commit_done};
	s->params = (struct csvc_params){.topic = GSVC_TOPIC, .tag = "group",
	                                 .load_buffer_size = b->cfg.offsets_load_buffer_size};
	s->expire_ev = evtimer_new(b->base, expire_cb, s);
	b->groups = s;
	s->cs = csvc_new(b, &s->params, &gsvc_ops, s);
	expire_cb(-1, 0, s);
}

void gsvc_stop(struct broker *b)
{
	struct gsvc *s = svc_of(b);
	if (!s)
		return;
	csvc_free(s->cs);
	event_free(s->expire_ev);
	kb_free(s);
	b->groups = NULL;
}

int16_t gsvc_coordinator(struct broker *b, struct kp_str group_id, struct group_coord **out)
{
	*out = NULL;
	struct gsvc *s = svc_of(b);
	if (!s || !csvc_topic_exists(s->cs))
		return KERR_COORDINATOR_NOT_AVAILABLE;
	struct cslot *sl = csvc_slot(s->cs, gsvc_partition_for(b, group_id));
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
	struct cslot *sl = s ? csvc_slot(s->cs, offsets_partition) : NULL;
	if (!sl || !sl->c || !sl->loaded)
		return; /* not loaded: the replay reads the marker from the log */
	group_txn_complete(sl->c, pid, commit);
	csvc_arm(sl);
}

void gsvc_foreach(struct broker *b, void (*fn)(void *arg, struct group_coord *c), void *arg)
{
	struct gsvc *s = svc_of(b);
	for (int32_t i = 0; s && i < csvc_nslots(s->cs); i++) {
		struct cslot *sl = csvc_slot(s->cs, i);
		if (sl && sl->c && sl->loaded)
			fn(arg, sl->c);
	}
}

bool gsvc_loading(struct broker *b)
{
	struct gsvc *s = svc_of(b);
	return s && csvc_loading(s->cs);
}

/* ---- FindCoordinator ------------------------------------------------------------------------ */

int16_t gsvc_find(struct broker *b, struct kp_str group_id, int32_t *node)
{
	*node = -1;
	struct gsvc *s = svc_of(b);
	if (!s)
		return KERR_COORDINATOR_NOT_AVAILABLE;
	char seg[24];
	snprintf(seg, sizeof(seg), "%d", b->cfg.offsets_topic_segment_bytes);
	const struct md_config_entry cfg[] = {
	        {(char *)"cleanup.policy", (char *)"compact"},
	        {(char *)"compression.type", (char *)"producer"},
	        {(char *)"segment.bytes", seg},
	};
	const struct csvc_topic t = {b->cfg.offsets_topic_num_partitions,
	                             b->cfg.offsets_topic_replication_factor, cfg,
	                             (int)KB_ARRAY_LEN(cfg)};
	return csvc_find(s->cs, gsvc_partition_for(b, group_id), &t, node);
}
