/* txn_harness.c — see txn_harness.h. */
#include "txn_harness.h"

#include "../../common/kerr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tfx TF;

static int64_t f_now(void *arg)
{
	return ((struct tfx *)arg)->now;
}

uint8_t *tfx_dup(const uint8_t *p, size_t n)
{
	uint8_t *d = kb_malloc(n + 1);
	if (n)
		memcpy(d, p, n);
	return d;
}

static int16_t f_append(void *arg, uint64_t token, const struct txn_append_rec *recs, int n,
                        int32_t timeout_ms)
{
	struct tfx *f = arg;
	if (f->append_fail)
		return f->append_fail;
	KB_ASSERT(f->npend < TFX_MAX);
	struct tfx_append *a = &f->pend[f->npend++];
	a->token = token;
	a->n = n;
	a->timeout_ms = timeout_ms;
	a->recs = kb_calloc((size_t)n + 1, sizeof(*a->recs));
	for (int i = 0; i < n; i++) {
		a->recs[i].key = tfx_dup(recs[i].key, recs[i].key_len);
		a->recs[i].klen = recs[i].key_len;
		a->recs[i].value = recs[i].value ? tfx_dup(recs[i].value, recs[i].value_len) : NULL;
		a->recs[i].vlen = recs[i].value_len;
	}
	return KERR_NONE;
}

static int16_t f_alloc(void *arg, int64_t *pid)
{
	struct tfx *f = arg;
	if (f->alloc_fail)
		return f->alloc_fail;
	f->nallocs++;
	*pid = f->next_pid++;
	return KERR_NONE;
}

/* abs(hash) % 50 stand-in: the length of the group id. */
static int32_t f_partition_for_group(void *arg, struct kp_str group)
{
	KB_UNUSED(arg);
	return KB_MAX(group.len, 0) % 50;
}

static void copy_str(char *dst, size_t cap, struct kp_str s)
{
	size_t n = s.len > 0 ? KB_MIN((size_t)s.len, cap - 1) : 0;
	if (n)
		memcpy(dst, s.ptr, n);
	dst[n] = 0;
}

static void f_markers(void *arg, const struct txn_markers *m)
{
	struct tfx *f = arg;
	KB_ASSERT(f->nmarkers < TFX_MAX);
	struct tfx_markers *x = &f->markers[f->nmarkers++];
	copy_str(x->txn_id, sizeof(x->txn_id), m->txn_id);
	x->pid = m->producer_id;
	x->epoch = m->producer_epoch;
	x->commit = m->commit;
	x->coordinator_epoch = m->coordinator_epoch;
	x->parts[0] = 0;
	for (int i = 0; i < m->npartitions; i++) {
		char one[96];
		snprintf(one, sizeof(one), "%s%.*s-%d", i ? "," : "", (int)m->partitions[i].topic.len,
		         m->partitions[i].topic.ptr, m->partitions[i].partition);
		if (strlen(x->parts) + strlen(one) < sizeof(x->parts))
			strcat(x->parts, one);
	}
}

static void record_answer(struct tfx *f, void *handle, int16_t err, int64_t pid, int16_t epoch)
{
	KB_ASSERT(f->nanswers < TFX_MAX);
	f->answers[f->nanswers++] = (struct tfx_answer){(intptr_t)handle, err, pid, epoch};
}

static void f_init_done(void *arg, void *handle, int16_t err, int64_t pid, int16_t epoch)
{
	record_answer(arg, handle, err, pid, epoch);
}

static void f_txn_done(void *arg, void *handle, int16_t err)
{
	record_answer(arg, handle, err, -1, -1);
}

struct txn_coord *tfx_new_coord(struct tfx *f)
{
	struct txn_io io = {f, f_now, f_append, f_alloc, f_partition_for_group, f_markers,
	                    f_init_done, f_txn_done};
	return txn_coord_new(&f->cfg, &io);
}

void tfx_setup(void)
{
	memset(&TF, 0, sizeof(TF));
	TF.now = 1000000;
	TF.next_pid = 1000;
	TF.cfg = (struct txn_config){.max_timeout_ms = 900000, .id_expiration_ms = 604800000,
	                             .abort_interval_ms = 10000, .expire_interval_ms = 3600000,
	                             .coordinator_epoch = 7};
	TF.c = tfx_new_coord(&TF);
	txn_load_done(TF.c);
}

static void free_rec(struct tfx_rec *r)
{
	kb_free(r->key);
	kb_free(r->value);
}

static void drop_pending(struct tfx *f)
{
	for (int i = 0; i < f->npend; i++) {
		for (int k = 0; k < f->pend[i].n; k++)
			free_rec(&f->pend[i].recs[k]);
		kb_free(f->pend[i].recs);
	}
	f->npend = 0;
}

void tfx_teardown(void)
{
	txn_coord_free(TF.c);
	TF.c = NULL;
	drop_pending(&TF);
	for (int i = 0; i < TF.nlog; i++)
		free_rec(&TF.log[i]);
	TF.nlog = 0;
}

void tfx_ack(struct tfx *f, int16_t err)
{
	while (f->npend) {
		struct tfx_append a = f->pend[0];
		memmove(&f->pend[0], &f->pend[1], sizeof(a) * (size_t)(--f->npend));
		for (int k = 0; k < a.n; k++) {
			if (err == KERR_NONE && f->nlog < (int)KB_ARRAY_LEN(f->log))
				f->log[f->nlog++] = a.recs[k];
			else
				free_rec(&a.recs[k]);
		}
		kb_free(a.recs);
		txn_append_done(f->c, a.token, err);
	}
}

void tfx_ack_one(struct tfx *f, int i, int16_t err)
{
	KB_ASSERT(i >= 0 && i < f->npend);
	struct tfx_append a = f->pend[i];
	memmove(&f->pend[i], &f->pend[i + 1], sizeof(a) * (size_t)(f->npend - i - 1));
	f->npend--;
	for (int k = 0; k < a.n; k++) {
		if (err == KERR_NONE && f->nlog < (int)KB_ARRAY_LEN(f->log))
			f->log[f->nlog++] = a.recs[k];
		else
			free_rec(&a.recs[k]);
	}
	kb_free(a.recs);
	txn_append_done(f->c, a.token, err);
}

const struct tfx_answer *tfx_answer_of(const struct tfx *f, intptr_t handle)
{
	const struct tfx_answer *r = NULL;
	for (int i = 0; i < f->nanswers; i++)
		if (f->answers[i].handle == handle)
			r = &f->answers[i];
	return r;
}

int16_t tfx_err_of(const struct tfx *f, intptr_t handle)
{
	const struct tfx_answer *a = tfx_answer_of(f, handle);
	return a ? a->error : -100;
}

const struct tfx_markers *tfx_last_markers(const struct tfx *f)
{
	return f->nmarkers ? &f->markers[f->nmarkers - 1] : NULL;
}

void tfx_failover(struct tfx *f)
{
	int nanswers = f->nanswers;
	txn_coord_free(f->c);
	f->nanswers = nanswers; /* parked requests of the old one are not looked at */
	drop_pending(f);
	f->c = tfx_new_coord(f);
	for (int i = 0; i < f->nlog; i++)
		CU_ASSERT_EQUAL(txn_load_record(f->c, f->log[i].key, f->log[i].klen, f->log[i].value,
		                                f->log[i].vlen), 0);
	txn_load_done(f->c);
}

void tfx_dump(struct txn_coord *c, const char *id, char *out, size_t cap)
{
	struct txn_view v;
	if (txn_describe(c, kp_str_c(id), &v) != KERR_NONE) {
		snprintf(out, cap, "none");
		return;
	}
	int n = snprintf(out, cap, "%s %lld %d %d %lld %lld [", txn_state_name(v.state),
	                 (long long)v.producer_id, v.producer_epoch, v.timeout_ms,
	                 (long long)v.start_ts, (long long)v.last_update_ts);
	for (int i = 0; i < v.npartitions && n > 0 && (size_t)n < cap; i++)
		n += snprintf(out + n, cap - (size_t)n, "%s%.*s-%d", i ? "," : "",
		              (int)v.partitions[i].topic.len, v.partitions[i].topic.ptr,
		              v.partitions[i].partition);
	if (n > 0 && (size_t)n < cap)
		snprintf(out + n, cap - (size_t)n, "]");
}

/* ---- Steps ------------------------------------------------------------------------------- */

struct txn_tp *tt_parts(const char *spec, int *n)
{
	static char names[64][64];
	static struct txn_tp tp[64];
	*n = 0;
	for (const char *s = spec; s && *s && *n < 64;) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		const char *dash = s + len;
		while (dash > s && *dash != '-')
			dash--;
		memcpy(names[*n], s, (size_t)(dash - s));
		names[*n][dash - s] = 0;
		tp[*n] = (struct txn_tp){kp_str_c(names[*n]), atoi(dash + 1)};
		(*n)++;
		s += len + (e ? 1 : 0);
	}
	return tp;
}

int16_t tt_init(intptr_t h, const char *id, int32_t timeout, int64_t exp_pid, int16_t exp_epoch,
                bool ack, int64_t *pid, int16_t *epoch)
{
	txn_init_producer_id(TF.c, kp_str_c(id), timeout, exp_pid, exp_epoch, (void *)h);
	if (ack)
		tfx_ack(&TF, KERR_NONE);
	const struct tfx_answer *a = tfx_answer_of(&TF, h);
	if (!a)
		return -100;
	if (pid)
		*pid = a->pid;
	if (epoch)
		*epoch = a->epoch;
	return a->error;
}

int16_t tt_add(intptr_t h, const char *id, int64_t pid, int16_t epoch, const char *spec, bool ack)
{
	int n;
	struct txn_tp *tp = tt_parts(spec, &n);
	txn_add_partitions(TF.c, kp_str_c(id), pid, epoch, tp, n, (void *)h);
	if (ack)
		tfx_ack(&TF, KERR_NONE);
	return tfx_err_of(&TF, h);
}

int16_t tt_end(intptr_t h, const char *id, int64_t pid, int16_t epoch, bool commit, bool ack)
{
	txn_end(TF.c, kp_str_c(id), pid, epoch, commit, (void *)h);
	if (ack)
		tfx_ack(&TF, KERR_NONE);
	return tfx_err_of(&TF, h);
}

enum txn_state tt_state(const char *id)
{
	struct txn_view v;
	if (txn_describe(TF.c, kp_str_c(id), &v) != KERR_NONE)
		return TXN_DEAD;
	return v.state;
}

int16_t tt_epoch(const char *id)
{
	struct txn_view v;
	if (txn_describe(TF.c, kp_str_c(id), &v) != KERR_NONE)
		return -2;
	return v.producer_epoch;
}

void tt_ongoing(const char *id, const char *spec, int64_t *pid, int16_t *epoch)
{
	static intptr_t h = 100000;
	CU_ASSERT_EQUAL_FATAL(tt_init(h++, id, 60000, -1, -1, true, pid, epoch), KERR_NONE);
	CU_ASSERT_EQUAL_FATAL(tt_add(h++, id, *pid, *epoch, spec, true), KERR_NONE);
	CU_ASSERT_EQUAL(tt_state(id), TXN_ONGOING);
}
