/* markers.c — what happens once a transition is written: the cache update and the answer,
 * the markers of a PrepareCommit/PrepareAbort and the CompleteX that follows them, the fence
 * of an Ongoing transaction (InitProducerId, timeout), and the timed scans (abort of
 * timed-out transactions, expiry of idle ids). */
#include "txn_int.h"

#include <string.h>

/* Tombstones of one append: at most this many ids and key bytes (Kafka puts all of a scan in
 * one batch; a bound keeps that batch under max.message.bytes). */
#define TXN_EXPIRE_MAX_IDS 512
#define TXN_EXPIRE_MAX_KEY_BYTES (256 * 1024)

/* The cache takes the written state (Kafka's completeTransitionTo). */
static void apply(struct txn *t, struct tappend *a)
{
	tmeta_free(&t->m);
	t->m = a->transit;
	a->transit.parts = NULL;
	a->transit.nparts = 0;
}

static void answer_init(struct txn_coord *c, struct tappend *a, int16_t err)
{
	if (err == KERR_NONE)
		c->io.init_done(c->io.arg, a->handle, KERR_NONE, a->t->m.pid, a->t->m.epoch);
	else
		c->io.init_done(c->io.arg, a->handle, err, TXN_NO_PID, TXN_NO_EPOCH);
}

void t_appended(struct txn_coord *c, struct tappend *a, int16_t err)
{
	struct txn *t = a->t;
	int16_t mapped = tc_map_append_error(err);
	bool ok = err == KERR_NONE;
	switch (a->kind) {
	case TAPP_INIT:
		t->pending = false;
		if (ok)
			apply(t, a);
		answer_init(c, a, mapped);
		break;
	case TAPP_ADD:
		t->pending = false;
		if (ok)
			apply(t, a);
		c->io.txn_done(c->io.arg, a->handle, mapped);
		break;
	case TAPP_END:
		t->pending = false;
		if (ok)
			apply(t, a);
		c->io.txn_done(c->io.arg, a->handle, mapped);
		if (ok)
			t_start_markers(c, t);
		break;
	case TAPP_FENCE:
	case TAPP_TIMEOUT:
		t->pending = false;
		if (ok)
			apply(t, a);
		else
			t->failed_fence = true; /* the epoch in memory is already bumped: keep it */
		if (a->kind == TAPP_FENCE)
			c->io.init_done(c->io.arg, a->handle, ok ? KERR_CONCURRENT_TRANSACTIONS : mapped,
			                TXN_NO_PID, TXN_NO_EPOCH);
		if (ok)
			t_start_markers(c, t);
		break;
	case TAPP_COMPLETE:
		if (ok) {
			t->pending = false;
			apply(t, a);
		} else if (mapped == KERR_COORDINATOR_NOT_AVAILABLE) {
			tc_schedule_retry(c, t, tc_now(c) + TXN_RETRY_BACKOFF_MS);
		}
		/* else: the coordinator is being moved away; the next one completes it. */
		break;
	case TAPP_EXPIRE:
		break;
	}
}

int16_t t_fence_abort(struct txn_coord *c, struct txn *t, enum tapp_kind kind, void *handle)
{
	/* Kafka bumps the epoch in the cache before the write, so the old producer is fenced at
	 * once; after a failed fence write the epoch is not bumped again. */
	if (!t->failed_fence && t->m.epoch < INT16_MAX)
		t->m.epoch++;
	t->m.last_epoch = TXN_NO_EPOCH;
	struct tappend *a = kb_calloc(1, sizeof(*a));
	a->kind = kind;
	a->t = t;
	a->handle = handle;
	a->transit = tmeta_copy(&t->m);
	a->transit.last_pid = t->m.pid;
	a->transit.state = TXN_PREPARE_ABORT;
	a->transit.update_ts = tc_now(c);
	t_set_pending(t, TXN_PREPARE_ABORT);
	return tc_append_state(c, a);
}

void t_start_markers(struct txn_coord *c, struct txn *t)
{
	bool commit = t->m.state == TXN_PREPARE_COMMIT;
	t_set_pending(t, commit ? TXN_COMPLETE_COMMIT : TXN_COMPLETE_ABORT);
	t->failed_fence = false;
	if (t->m.nparts == 0) {
		t_write_complete(c, t);
		return;
	}
	t->markers_out = true;
	struct txn_markers m = {.txn_id = {t->id, (int32_t)t->id_len}, .producer_id = t->m.pid,
	                        .producer_epoch = t->m.epoch, .commit = commit,
	                        .coordinator_epoch = c->cfg.coordinator_epoch,
	                        .npartitions = t->m.nparts, .partitions = t->m.parts};
	c->io.send_markers(c->io.arg, &m);
}

void t_write_complete(struct txn_coord *c, struct txn *t)
{
	t->markers_out = false;
	struct tappend *a = kb_calloc(1, sizeof(*a));
	a->kind = TAPP_COMPLETE;
	a->t = t;
	a->transit = tmeta_copy(&t->m);
	tmeta_free(&a->transit); /* CompleteX holds no partitions */
	a->transit.last_pid = t->m.pid;
	a->transit.state = t->pending_state;
	a->transit.update_ts = tc_now(c);
	KB_IGNORED(tc_append_state(c, a)); /* a failure is handled in t_appended */
}

bool txn_markers_done(struct txn_coord *c, struct kp_str txn_id, int64_t pid, int16_t epoch,
                      int16_t error)
{
	struct txn *t = tc_find(c, txn_id);
	if (!t || !t->markers_out || t->m.pid != pid || t->m.epoch != epoch)
		return false;
	t->markers_out = false;
	if (error == KERR_NONE)
		t_write_complete(c, t);
	return true;
}

/* ---- Timed scans --------------------------------------------------------------------------- */

void t_run_abort_scan(struct txn_coord *c, int64_t now)
{
	/* Appends never add or remove ids, so the table can be walked while they are made. */
	for (size_t i = 0; i < c->nbuckets; i++)
		for (struct txn *t = c->buckets[i]; t; t = t->next)
			if (t->m.state == TXN_ONGOING && !t->pending &&
			    t->m.start_ts < now - t->m.timeout_ms)
				KB_IGNORED(t_fence_abort(c, t, TAPP_TIMEOUT, NULL)); /* t_appended handles it */
}

static bool expirable(const struct txn *t, int64_t now, int64_t expiration_ms)
{
	if (t->pending)
		return false;
	if (t->m.state != TXN_EMPTY && t->m.state != TXN_COMPLETE_COMMIT &&
	    t->m.state != TXN_COMPLETE_ABORT)
		return false;
	return t->m.update_ts <= now - expiration_ms;
}

static void flush_expired(struct txn_coord *c, struct tappend **ap)
{
	if (*ap && (*ap)->nexpired > 0)
		t_append_tombstones(c, *ap);
	else if (*ap)
		tappend_free(*ap);
	*ap = NULL;
}

void t_run_expiry(struct txn_coord *c, int64_t now)
{
	struct tappend *a = NULL;
	size_t key_bytes = 0;
	for (size_t i = 0; i < c->nbuckets; i++)
		for (struct txn *t = c->buckets[i]; t; t = t->next) {
			if (!expirable(t, now, c->cfg.id_expiration_ms))
				continue;
			if (a && (a->nexpired == TXN_EXPIRE_MAX_IDS ||
			          key_bytes + t->id_len > TXN_EXPIRE_MAX_KEY_BYTES))
				flush_expired(c, &a);
			if (!a) {
				a = kb_calloc(1, sizeof(*a));
				a->kind = TAPP_EXPIRE;
				a->expired = kb_calloc(TXN_EXPIRE_MAX_IDS, sizeof(*a->expired));
				a->expired_epoch = kb_calloc(TXN_EXPIRE_MAX_IDS, sizeof(*a->expired_epoch));
				key_bytes = 0;
			}
			t_set_pending(t, TXN_DEAD);
			a->expired[a->nexpired] = t;
			a->expired_epoch[a->nexpired++] = t->m.epoch;
			key_bytes += t->id_len + 4;
		}
	flush_expired(c, &a);
}

void t_expired_appended(struct txn_coord *c, struct tappend *a, int16_t err)
{
	for (int i = 0; i < a->nexpired; i++) {
		struct txn *t = a->expired[i];
		if (err == KERR_NONE && t->pending && t->pending_state == TXN_DEAD &&
		    t->m.epoch == a->expired_epoch[i])
			tc_remove(c, t);
		else
			t->pending = false;
	}
}
