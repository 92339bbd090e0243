/* records.c — __transaction_state keys and values (Kafka's TransactionLogKey v0 and
 * TransactionLogValue v0/v1, each an int16 version then the fields; v1 is flexible) and the
 * replay of a partition. */
#include "txn_int.h"

#include <string.h>

/* ---- Encoding -------------------------------------------------------------------------- */

void txn_rec_key(struct kbuf *b, struct kp_str txn_id)
{
	kp_put_i16(b, 0);
	kp_put_str(b, txn_id, false);
}

static int topic_run(const struct txn_tp *p, int n, int i)
{
	int k = i + 1;
	while (k < n && p[k].topic.len == p[i].topic.len &&
	       memcmp(p[k].topic.ptr, p[i].topic.ptr, (size_t)KB_MAX(p[i].topic.len, 0)) == 0)
		k++;
	return k;
}

void txn_rec_value(struct kbuf *b, const struct txn_rec *r, int16_t version)
{
	bool flex = version >= 1;
	kp_put_i16(b, version);
	kp_put_i64(b, r->producer_id);
	kp_put_i16(b, r->producer_epoch);
	kp_put_i32(b, r->timeout_ms);
	kp_put_i8(b, r->state);
	if (r->npartitions < 0) {
		kp_put_array_count(b, -1, flex);
	} else {
		int ntopics = 0;
		for (int i = 0; i < r->npartitions; i = topic_run(r->partitions, r->npartitions, i))
			ntopics++;
		kp_put_array_count(b, ntopics, flex);
		for (int i = 0, k; i < r->npartitions; i = k) {
			k = topic_run(r->partitions, r->npartitions, i);
			kp_put_str(b, r->partitions[i].topic, flex);
			kp_put_array_count(b, k - i, flex);
			for (int j = i; j < k; j++)
				kp_put_i32(b, r->partitions[j].partition);
			if (flex)
				kp_put_uvarint(b, 0); /* no tagged fields */
		}
	}
	kp_put_i64(b, r->last_update_ts);
	kp_put_i64(b, r->start_ts);
	if (flex)
		kp_put_uvarint(b, 0);
}

/* The record of (t's id, m) as Kafka's TransactionLog.valueToBytes builds it: a null
 * partition array exactly in Empty. r->partitions is kb_calloc'd (the caller frees it); the
 * topics point into m. */
void t_rec_of(const struct txn *t, const struct tmeta *m, struct txn_rec *r)
{
	*r = (struct txn_rec){.txn_id = {t->id, (int32_t)t->id_len}, .value_version = 0,
	                      .producer_id = m->pid, .producer_epoch = m->epoch,
	                      .timeout_ms = m->timeout_ms, .state = (int8_t)m->state,
	                      .npartitions = m->state == TXN_EMPTY ? -1 : m->nparts,
	                      .last_update_ts = m->update_ts, .start_ts = m->start_ts};
	if (m->nparts > 0 && m->state != TXN_EMPTY) {
		r->partitions = kb_calloc((size_t)m->nparts, sizeof(*r->partitions));
		memcpy(r->partitions, m->parts, sizeof(*r->partitions) * (size_t)m->nparts);
	}
}

/* ---- Decoding -------------------------------------------------------------------------- */

static void decode_partitions(struct kp_reader *rd, bool flex, struct txn_rec *r)
{
	/* A topic takes at least 2 + 4 bytes (classic) or 1 + 1 + 1 (flexible). */
	int32_t ntopics = kp_get_array_count(rd, flex, true, flex ? 3 : 6);
	if (rd->err || ntopics < 0)
		return;
	int cap = 0;
	r->npartitions = 0;
	for (int32_t i = 0; i < ntopics && !rd->err; i++) {
		struct kp_str topic = kp_get_str(rd, flex, false);
		int32_t np = kp_get_array_count(rd, flex, false, 4);
		if (rd->err)
			return;
		if (r->npartitions + np > cap) { /* bounded by the value's size: 4 bytes each */
			cap = KB_MAX(cap * 2, r->npartitions + np);
			r->partitions = kb_realloc(r->partitions, sizeof(*r->partitions) * (size_t)cap);
		}
		for (int32_t k = 0; k < np; k++)
			r->partitions[r->npartitions++] = (struct txn_tp){topic, kp_get_i32(rd)};
		if (flex)
			kp_skip_tags(rd);
	}
}

void txn_rec_free(struct txn_rec *r)
{
	kb_free(r->partitions);
	r->partitions = NULL;
	r->npartitions = -1;
}

int txn_rec_decode(const uint8_t *key, size_t klen, const uint8_t *value, size_t vlen,
                   struct txn_rec *r)
{
	struct kp_reader rd;
	kp_reader_init(&rd, key, klen);
	int16_t kv = kp_get_i16(&rd);
	if (rd.err)
		return rd.err;
	if (kv != 0)
		return TXN_REC_OTHER;
	*r = (struct txn_rec){.value_version = -1, .npartitions = -1, .start_ts = -1,
	                      .last_update_ts = -1, .producer_id = -1, .producer_epoch = -1};
	r->txn_id = kp_get_str(&rd, false, false);
	if (rd.err)
		return rd.err;
	if (!value)
		return TXN_REC_VALUE;
	kp_reader_init(&rd, value, vlen);
	int16_t v = kp_get_i16(&rd);
	if (rd.err)
		return rd.err;
	if (v < 0 || v > 1)
		return KP_ERR_VERSION;
	bool flex = v >= 1;
	r->value_version = v;
	r->producer_id = kp_get_i64(&rd);
	r->producer_epoch = kp_get_i16(&rd);
	r->timeout_ms = kp_get_i32(&rd);
	r->state = kp_get_i8(&rd);
	decode_partitions(&rd, flex, r);
	r->last_update_ts = kp_get_i64(&rd);
	r->start_ts = kp_get_i64(&rd);
	if (flex)
		kp_skip_tags(&rd); /* 4.x: PreviousProducerId, NextProducerId, ClientTransactionVersion */
	if (rd.err) {
		txn_rec_free(r);
		return rd.err;
	}
	return TXN_REC_VALUE;
}

/* ---- Replay ---------------------------------------------------------------------------- */

/* A value Kafka would load: a state that is written to the log (Dead and PrepareEpochFence
 * never are), a producer, and bounded strings for what we keep. */
static bool loadable(const struct txn_rec *r)
{
	if (r->state < TXN_EMPTY || r->state > TXN_COMPLETE_ABORT)
		return false;
	if (r->txn_id.len <= 0 || r->producer_id < 0 || r->producer_epoch < 0)
		return false;
	for (int i = 0; i < r->npartitions; i++)
		if (r->partitions[i].topic.len <= 0 || r->partitions[i].partition < 0)
			return false;
	return true;
}

int txn_load_record(struct txn_coord *c, const uint8_t *key, size_t klen, const uint8_t *value,
                    size_t vlen)
{
	/* After loading, appends in flight point at ids a tombstone could free. */
	KB_ASSERT(!c->loaded);
	struct txn_rec r;
	int t = txn_rec_decode(key, klen, value, vlen, &r);
	if (t != TXN_REC_VALUE)
		return t < 0 ? t : 0;
	struct txn *x = tc_find(c, r.txn_id);
	if (r.value_version < 0) {
		if (x)
			tc_remove(c, x);
		txn_rec_free(&r);
		return 0;
	}
	if (!loadable(&r)) {
		txn_rec_free(&r);
		return KP_ERR_INVALID;
	}
	if (!x)
		x = tc_create(c, r.txn_id);
	tmeta_free(&x->m);
	/* Kafka's TransactionLog: lastProducerId and lastProducerEpoch are not in v0 (-1). */
	x->m = (struct tmeta){.pid = r.producer_id, .last_pid = TXN_NO_PID,
	                      .epoch = r.producer_epoch, .last_epoch = TXN_NO_EPOCH,
	                      .timeout_ms = r.timeout_ms, .state = (enum txn_state)r.state,
	                      .start_ts = r.start_ts, .update_ts = r.last_update_ts};
	if (x->m.state != TXN_EMPTY)
		tparts_union(&x->m, r.partitions, KB_MAX(r.npartitions, 0));
	txn_rec_free(&r);
	return 0;
}

void txn_load_done(struct txn_coord *c)
{
	if (c->loaded)
		return;
	c->loaded = true;
	tc_start_timers(c);
	/* Appends and markers never add or remove ids, so the table can be walked meanwhile. */
	for (size_t i = 0; i < c->nbuckets; i++)
		for (struct txn *t = c->buckets[i]; t; t = t->next)
			if (t->m.state == TXN_PREPARE_COMMIT || t->m.state == TXN_PREPARE_ABORT)
				t_start_markers(c, t);
}
