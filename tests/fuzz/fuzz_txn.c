/* fuzz_txn — what the transaction coordinator decodes from __transaction_state (replayed when
 * a broker becomes coordinator; a corrupt or foreign record must be skipped, never crash the
 * load), then requests on whatever state the replay left: for every id listed, Describe,
 * InitProducerId, AddPartitionsToTxn, EndTxn and verification, appends acknowledged, markers
 * acknowledged, timers run.
 *
 * Input: byte 0 picks the mode (even: decode only; odd: replay and drive); the rest is a
 * sequence of records, each u16 key length, key bytes, i32 value length (-1: tombstone),
 * value bytes. */
#include "common/kerr.h"
#include "txn/txn.h"
#include "tests/fuzz/fuzz_recs.h"

#include <string.h>

/* The driver's state: appends to acknowledge, markers to acknowledge, ids to drive. */
#define MAXQ 64
struct drv {
	int64_t now;
	uint64_t tokens[MAXQ];
	int ntokens;
	struct {
		char id[64];
		int32_t len;
		int64_t pid;
		int16_t epoch;
	} marks[MAXQ], ids[MAXQ];
	int nmarks, nids;
	int64_t next_pid;
};

static int64_t now(void *arg)
{
	return ((struct drv *)arg)->now;
}

static int16_t append(void *arg, uint64_t token, const struct txn_append_rec *recs, int n,
                      int32_t timeout_ms)
{
	(void)recs, (void)n, (void)timeout_ms;
	struct drv *d = arg;
	if (d->ntokens == MAXQ)
		return KERR_NOT_ENOUGH_REPLICAS;
	d->tokens[d->ntokens++] = token;
	return KERR_NONE;
}

static int16_t alloc_pid(void *arg, int64_t *pid)
{
	*pid = ((struct drv *)arg)->next_pid++;
	return KERR_NONE;
}

static int32_t part_for_group(void *arg, struct kp_str g)
{
	(void)arg;
	return KB_MAX(g.len, 0) % 50;
}

static void keep(char *dst, int32_t *len, struct kp_str s)
{
	*len = KB_MIN(KB_MAX(s.len, 0), 63);
	memcpy(dst, s.ptr ? s.ptr : "", (size_t)*len);
}

static void markers(void *arg, const struct txn_markers *m)
{
	struct drv *d = arg;
	if (d->nmarks == MAXQ)
		return;
	keep(d->marks[d->nmarks].id, &d->marks[d->nmarks].len, m->txn_id);
	d->marks[d->nmarks].pid = m->producer_id;
	d->marks[d->nmarks++].epoch = m->producer_epoch;
}

static void init_done(void *arg, void *h, int16_t err, int64_t pid, int16_t epoch)
{
	(void)arg, (void)h, (void)err, (void)pid, (void)epoch;
}

static void txn_done(void *arg, void *h, int16_t err)
{
	(void)arg, (void)h, (void)err;
}

static void on_list(void *arg, const struct txn_view *v)
{
	struct drv *d = arg;
	if (d->nids == MAXQ)
		return;
	keep(d->ids[d->nids].id, &d->ids[d->nids].len, v->txn_id);
	d->ids[d->nids].pid = v->producer_id;
	d->ids[d->nids++].epoch = v->producer_epoch;
}

static void settle(struct txn_coord *c, struct drv *d)
{
	for (int round = 0; round < 4; round++) {
		int n = d->ntokens;
		d->ntokens = 0;
		uint64_t tok[MAXQ];
		memcpy(tok, d->tokens, sizeof(tok[0]) * (size_t)n);
		for (int i = 0; i < n; i++)
			txn_append_done(c, tok[i], i % 3 == 2 ? KERR_NOT_ENOUGH_REPLICAS : KERR_NONE);
		int m = d->nmarks;
		d->nmarks = 0;
		for (int i = 0; i < m; i++)
			(void)txn_markers_done(c, (struct kp_str){d->marks[i].id, d->marks[i].len},
			                       d->marks[i].pid, d->marks[i].epoch, KERR_NONE);
	}
}

static void drive(struct rd *r)
{
	struct drv d = {.now = 1700000000000LL, .next_pid = 5000};
	struct txn_config cfg = {.max_timeout_ms = 900000, .id_expiration_ms = 1000,
	                         .abort_interval_ms = 10, .expire_interval_ms = 100,
	                         .coordinator_epoch = 1};
	struct txn_io io = {&d, now, append, alloc_pid, part_for_group, markers, init_done, txn_done};
	struct txn_coord *c = txn_coord_new(&cfg, &io);
	const uint8_t *k, *v;
	size_t kl, vl;
	while (next_rec(r, &k, &kl, &v, &vl))
		(void)txn_load_record(c, k, kl, v, vl);
	txn_load_done(c);
	struct txn_list_filter f = {.duration_ms = -1};
	(void)txn_list(c, &f, on_list, &d);
	struct txn_tp tp[2] = {{KP_STR_LIT("t"), 0}, {KP_STR_LIT("u"), 1}};
	int16_t errs[2];
	for (int i = 0; i < d.nids; i++) {
		struct kp_str id = {d.ids[i].id, d.ids[i].len};
		struct txn_view view;
		(void)txn_describe(c, id, &view);
		(void)txn_verify_partition(c, id, d.ids[i].pid, d.ids[i].epoch, tp, 2, errs);
		txn_add_partitions(c, id, d.ids[i].pid, d.ids[i].epoch, tp, 2, NULL);
		txn_add_offsets(c, id, d.ids[i].pid, d.ids[i].epoch, KP_STR_LIT("g"), NULL);
		settle(c, &d);
		txn_end(c, id, d.ids[i].pid, d.ids[i].epoch, i % 2 == 0, NULL);
		txn_init_producer_id(c, id, 60000, d.ids[i].pid, d.ids[i].epoch, NULL);
		settle(c, &d);
		txn_init_producer_id(c, id, 60000, -1, -1, NULL);
		settle(c, &d);
	}
	for (int t = 0; t < 3; t++) {
		d.now += 1000000;
		txn_tick(c, d.now);
		settle(c, &d);
	}
	(void)txn_next_deadline(c);
	txn_coord_free(c);
}

static void decode_only(struct rd *r)
{
	const uint8_t *k, *v;
	size_t kl, vl;
	while (next_rec(r, &k, &kl, &v, &vl)) {
		struct txn_rec rec;
		if (txn_rec_decode(k, kl, v, vl, &rec) == TXN_REC_VALUE)
			txn_rec_free(&rec);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct rd r = {data + 1, data + size};
	if (data[0] % 2)
		drive(&r);
	else
		decode_only(&r);
	return 0;
}
