/* tsvc.c — hosting txn/'s coordinators on csvc: configuration, io callbacks, markers through
 * tmarkers, and the creation parameters of __transaction_state (see tsvc.h). */
#include "tsvc.h"

#include "../../common/say.h"
#include "../core/pids.h"
#include "csvc.h"
#include "../../group/group.h"
#include "gsvc.h"
#include "tmarkers.h"

#include <string.h>

struct tsvc {
	struct broker *b;
	struct csvc *cs;
	struct txn_io answers;
	struct csvc_params params;
};

/* One load of one slot: the io `arg` of its coordinator and the owner of its marker jobs. */
struct tload {
	struct tsvc *s;
	struct cslot *sl;
	uint64_t gen;
	struct txn_coord *c;
};

static struct tsvc *svc_of(struct broker *b)
{
	return b->txns;
}

int32_t tsvc_partition_for(struct broker *b, struct kp_str txn_id)
{
	struct tsvc *s = svc_of(b);
	if (!s)
		return group_partition_for(txn_id, b->cfg.transaction_state_log_num_partitions);
	return csvc_partition_for(s->cs, txn_id, b->cfg.transaction_state_log_num_partitions);
}

static struct tload *load_of(struct broker *b, struct kp_str txn_id)
{
	struct cslot *sl = svc_of(b) ? csvc_slot(svc_of(b)->cs, tsvc_partition_for(b, txn_id))
	                             : NULL;
	return sl ? sl->c : NULL;
}

void tsvc_done(struct broker *b, struct kp_str txn_id)
{
	struct tload *ld = load_of(b, txn_id);
	if (ld)
		csvc_arm(ld->sl);
}

/* ---- The coordinator's io -------------------------------------------------------------------- */

static int64_t now_cb(void *arg)
{
	KB_UNUSED(arg);
	return kb_wall_ms();
}

static int16_t append_cb(void *arg, uint64_t token, const struct txn_append_rec *recs, int n,
                         int32_t timeout_ms)
{
	struct tload *ld = arg;
	if (n <= 0 || n > 1 << 20)
		return KERR_INVALID_REQUEST;
	struct csvc_rec *cr = kb_calloc((size_t)n, sizeof(*cr));
	for (int i = 0; i < n; i++)
		cr[i] = (struct csvc_rec){recs[i].key, recs[i].key_len, recs[i].value,
		                          recs[i].value_len};
	int16_t err = csvc_append(ld->sl, token, cr, n, NULL, -1, timeout_ms > 0 ? timeout_ms : 1);
	kb_free(cr);
	return err;
}

static int16_t alloc_pid_cb(void *arg, int64_t *pid)
{
	struct tload *ld = arg;
	*pid = pid_take(ld->s->b);
	return *pid >= 0 ? KERR_NONE : KERR_COORDINATOR_LOAD_IN_PROGRESS;
}

static int32_t partition_for_group_cb(void *arg, struct kp_str group_id)
{
	struct tload *ld = arg;
	return gsvc_partition_for(ld->s->b, group_id);
}

/* A marker job ended: tells the coordinator if the load that sent it still holds the slot
 * (unloading cancels its jobs first, so this is a second guard). */
static void markers_done(void *arg, struct kp_str txn_id, int64_t pid, int16_t epoch,
                         int16_t error)
{
	struct tload *ld = arg;
	if (ld->sl->c != ld || ld->sl->gen != ld->gen || !ld->sl->loaded)
		return;
	if (!txn_markers_done(ld->c, txn_id, pid, epoch, error))
		say_debug("txn", "markers of %.*s (pid %lld epoch %d) were not outstanding",
		          (int)txn_id.len, txn_id.ptr, (long long)pid, epoch);
	csvc_arm(ld->sl);
}

static void send_markers_cb(void *arg, const struct txn_markers *m)
{
	struct tload *ld = arg;
	tmarkers_send(ld->s->b, m, markers_done, ld, ld);
}

/* ---- The coordinator's side of csvc --------------------------------------------------------- */

static void *open_cb(struct cslot *sl, struct partition *p)
{
	KB_UNUSED(p);
	struct tsvc *s = csvc_arg(sl->svc);
	struct broker *b = s->b;
	struct tload *ld = kb_calloc(1, sizeof(*ld));
	*ld = (struct tload){.s = s, .sl = sl, .gen = sl->gen};
	struct txn_config cfg = {
	        .max_timeout_ms = b->cfg.transaction_max_timeout_ms,
	        .id_expiration_ms = b->cfg.transactional_id_expiration_ms,
	        .abort_interval_ms = b->cfg.transaction_abort_interval_ms,
	        .expire_interval_ms = b->cfg.transaction_expire_interval_ms,
	        .coordinator_epoch = sl->leader_epoch,
	};
	struct txn_io io = s->answers;
	io.arg = ld;
	io.now_ms = now_cb;
	io.append = append_cb;
	io.alloc_pid = alloc_pid_cb;
	io.partition_for_group = partition_for_group_cb;
	io.send_markers = send_markers_cb;
	ld->c = txn_coord_new(&cfg, &io);
	return ld;
}

static void close_cb(struct cslot *sl, void *c)
{
	KB_UNUSED(sl);
	struct tload *ld = c;
	tmarkers_cancel(ld->s->b, ld);
	txn_coord_free(ld->c);
	kb_free(ld);
}

static int load_record_cb(struct cslot *sl, const struct csvc_batch *bt,
                          const struct rc_record *r)
{
	struct tload *ld = sl->c;
	if (bt->control)
		return 0;
	return txn_load_record(ld->c, r->key, (size_t)r->key_len, r->value,
	                       r->value_len < 0 ? 0 : (size_t)r->value_len);
}

static void load_done_cb(struct cslot *sl)
{
	struct tload *ld = sl->c;
	pid_prefetch(ld->s->b); /* so the first InitProducerId finds an id at hand */
	txn_load_done(ld->c);
}

static int64_t next_deadline_cb(void *c)
{
	return txn_next_deadline(((struct tload *)c)->c);
}

static void tick_cb(void *c, int64_t now_ms)
{
	txn_tick(((struct tload *)c)->c, now_ms);
}

static void append_done_cb(void *c, uint64_t token, int16_t error)
{
	txn_append_done(((struct tload *)c)->c, token, error);
}

static const struct csvc_ops tsvc_ops = {
	.open = open_cb, .close = close_cb, .load_record = load_record_cb,
	.load_done = load_done_cb, .next_deadline = next_deadline_cb, .tick = tick_cb,
	.append_done = append_done_cb,
};

/* ---- Start, stop, lookups ----------------------------------------------------------------- */

void tsvc_start(struct broker *b, const struct txn_io *answers)
{
	struct tsvc *s = kb_calloc(1, sizeof(*s));
	s->b = b;
	s->answers = (struct txn_io){.init_done = answers->init_done,
	                             .txn_done = answers->txn_done};
	s->params = (struct csvc_params){.topic = TSVC_TOPIC, .tag = "txn",
	                                 .load_buffer_size =
	                                         b->cfg.transaction_state_log_load_buffer_size,
	                                 .reload_on_new_epoch = true};
	b->txns = s;
	s->cs = csvc_new(b, &s->params, &tsvc_ops, s);
}

void tsvc_stop(struct broker *b)
{
	struct tsvc *s = svc_of(b);
	if (!s)
		return;
	csvc_free(s->cs);
	kb_free(s);
	b->txns = NULL;
}

int16_t tsvc_coordinator(struct broker *b, struct kp_str txn_id, struct txn_coord **out)
{
	*out = NULL;
	if (!svc_of(b))
		return KERR_COORDINATOR_NOT_AVAILABLE;
	struct tload *ld = load_of(b, txn_id); /* none before the topic exists, as in Kafka */
	if (!ld)
		return KERR_NOT_COORDINATOR;
	if (!ld->sl->loaded)
		return KERR_COORDINATOR_LOAD_IN_PROGRESS;
	*out = ld->c;
	return KERR_NONE;
}

void tsvc_foreach(struct broker *b, void (*fn)(void *arg, struct txn_coord *c), void *arg)
{
	struct tsvc *s = svc_of(b);
	for (int32_t i = 0; s && i < csvc_nslots(s->cs); i++) {
		struct cslot *sl = csvc_slot(s->cs, i);
		if (sl && sl->c && sl->loaded)
			fn(arg, ((struct tload *)sl->c)->c);
	}
}

bool tsvc_loading(struct broker *b)
{
	struct tsvc *s = svc_of(b);
	return s && csvc_loading(s->cs);
}

/* ---- FindCoordinator ------------------------------------------------------------------------ */

int16_t tsvc_find(struct broker *b, struct kp_str txn_id, int32_t *node)
{
	*node = -1;
	struct tsvc *s = svc_of(b);
	if (!s)
		return KERR_COORDINATOR_NOT_AVAILABLE;
	char seg[24], isr[24];
	snprintf(seg, sizeof(seg), "%d", b->cfg.transaction_state_log_segment_bytes);
	snprintf(isr, sizeof(isr), "%d", b->cfg.transaction_state_log_min_isr);
	const struct md_config_entry cfg[] = {
	        {(char *)"cleanup.policy", (char *)"compact"},
	        {(char *)"compression.type", (char *)"uncompressed"},
	        {(char *)"min.insync.replicas", isr},
	        {(char *)"segment.bytes", seg},
	        {(char *)"unclean.leader.election.enable", (char *)"false"},
	};
	const struct csvc_topic t = {b->cfg.transaction_state_log_num_partitions,
	                             b->cfg.transaction_state_log_replication_factor, cfg,
	                             (int)KB_ARRAY_LEN(cfg)};
	return csvc_find(s->cs, tsvc_partition_for(b, txn_id), &t, node);
}
