/* ops.c — the client requests: InitProducerId (transactional), AddPartitionsToTxn,
 * AddOffsetsToTxn, EndTxn and KIP-890 verification, checked in Kafka 3.9's order (TC). */
#include "txn_int.h"

#include <string.h>

/* end_txn: the request waits for its append (no Kafka error code is negative). */
#define PARKED (-1)

static bool epoch_exhausted(int16_t epoch)
{
	return epoch >= INT16_MAX - 1;
}

/* Every request first: the id (empty: INVALID_REQUEST, as Kafka; longer than our limit: the
 * same), then the partition's load state. */
static int16_t check_id(const struct txn_coord *c, struct kp_str id)
{
	if (id.len <= 0 || id.len > KB_TXN_ID_MAX_BYTES)
		return KERR_INVALID_REQUEST;
	if (!c->loaded)
		return KERR_COORDINATOR_LOAD_IN_PROGRESS;
	return KERR_NONE;
}

/* The target of a transition from t's current metadata (Kafka's prepareTransitionTo: the
 * previous producer id is remembered). */
static struct tappend *begin(struct txn *t, enum tapp_kind kind, void *handle, int64_t now)
{
	struct tappend *a = kb_calloc(1, sizeof(*a));
	a->kind = kind;
	a->t = t;
	a->handle = handle;
	a->transit = tmeta_copy(&t->m);
	a->transit.last_pid = t->m.pid;
	a->transit.update_ts = now;
	return a;
}

static void init_answer(struct txn_coord *c, void *handle, int16_t err)
{
	c->io.init_done(c->io.arg, handle, err, TXN_NO_PID, TXN_NO_EPOCH);
}

/* ---- InitProducerId ----------------------------------------------------------------------- */

/* KIP-360: is the producer id the client had still acceptable? */
static bool valid_expected(const struct txn *t, int64_t pid, int16_t epoch)
{
	return t->m.epoch == TXN_NO_EPOCH || pid == t->m.pid ||
	       (pid == t->m.last_pid && epoch_exhausted(epoch));
}

/* Empty / CompleteX: a new epoch, a retry of the last bump, or a new producer id. */
static int16_t init_from_idle(struct txn_coord *c, struct txn *t, int32_t timeout_ms,
                              bool has_expected, int16_t exp_epoch, void *handle)
{
	int64_t now = tc_now(c);
	int64_t new_pid = TXN_NO_PID;
	int16_t epoch, last_epoch;
	if (epoch_exhausted(t->m.epoch) && (!has_expected || exp_epoch == t->m.epoch)) {
		int16_t err = c->io.alloc_pid(c->io.arg, &new_pid);
		if (err != KERR_NONE)
			return err;
		epoch = 0;
		last_epoch = has_expected ? t->m.epoch : TXN_NO_EPOCH;
	} else if (!has_expected) {
		epoch = (int16_t)(t->m.epoch + 1);
		last_epoch = TXN_NO_EPOCH;
	} else if (t->m.epoch == TXN_NO_EPOCH || exp_epoch == t->m.epoch) {
		epoch = (int16_t)(t->m.epoch + 1);
		last_epoch = t->m.epoch;
	} else if (exp_epoch == t->m.last_epoch) {
		epoch = t->m.epoch; /* a retry of a bump whose answer was lost */
		last_epoch = t->m.last_epoch;
	} else {
		return KERR_PRODUCER_FENCED;
	}
	struct tappend *a = begin(t, TAPP_INIT, handle, now);
	if (new_pid != TXN_NO_PID)
		a->transit.pid = new_pid;
	a->transit.epoch = epoch;
	a->transit.last_epoch = last_epoch;
	a->transit.timeout_ms = timeout_ms;
	a->transit.state = TXN_EMPTY;
	a->transit.start_ts = -1;
	tmeta_free(&a->transit); /* Empty holds no partitions */
	t_set_pending(t, TXN_EMPTY);
	KB_IGNORED(tc_append_state(c, a)); /* a failure is answered through t_appended */
	return KERR_NONE;
}

static int16_t init_txn(struct txn_coord *c, struct kp_str id, int32_t timeout_ms,
                        int64_t exp_pid, int16_t exp_epoch, void *handle)
{
	if (id.len <= 0 || id.len > KB_TXN_ID_MAX_BYTES)
		return KERR_INVALID_REQUEST;
	if ((exp_pid == TXN_NO_PID) != (exp_epoch == TXN_NO_EPOCH))
		return KERR_INVALID_REQUEST;
	if (timeout_ms <= 0 || timeout_ms > c->cfg.max_timeout_ms)
		return KERR_INVALID_TRANSACTION_TIMEOUT;
	if (!c->loaded)
		return KERR_COORDINATOR_LOAD_IN_PROGRESS;
	struct txn *t = tc_find(c, id);
	if (!t) {
		if (c->ntxns >= (size_t)c->cfg.max_ids)
			return KERR_COORDINATOR_NOT_AVAILABLE;
		int64_t pid;
		int16_t err = c->io.alloc_pid(c->io.arg, &pid);
		if (err != KERR_NONE)
			return err;
		t = tc_create(c, id);
		t->m.pid = pid;
		t->m.timeout_ms = timeout_ms;
		t->m.update_ts = tc_now(c);
	}
	if (t->pending)
		return KERR_CONCURRENT_TRANSACTIONS;
	bool has_expected = exp_pid != TXN_NO_PID;
	if (has_expected && !valid_expected(t, exp_pid, exp_epoch))
		return KERR_PRODUCER_FENCED;
	switch (t->m.state) {
	case TXN_PREPARE_COMMIT:
	case TXN_PREPARE_ABORT:
		return KERR_CONCURRENT_TRANSACTIONS;
	case TXN_EMPTY:
	case TXN_COMPLETE_COMMIT:
	case TXN_COMPLETE_ABORT:
		return init_from_idle(c, t, timeout_ms, has_expected, exp_epoch, handle);
	case TXN_ONGOING:
		/* Fence the current producer: abort its transaction with epoch + 1; the client
		 * gets CONCURRENT_TRANSACTIONS once PrepareAbort is written and retries. */
		KB_IGNORED(t_fence_abort(c, t, TAPP_FENCE, handle)); /* answered through t_appended */
		return KERR_NONE;
	default:
		return KERR_INVALID_TXN_STATE; /* never in the cache (replay refuses them) */
	}
}

void txn_init_producer_id(struct txn_coord *c, struct kp_str txn_id, int32_t timeout_ms,
                          int64_t expected_pid, int16_t expected_epoch, void *handle)
{
	int16_t err = init_txn(c, txn_id, timeout_ms, expected_pid, expected_epoch, handle);
	if (err != KERR_NONE)
		init_answer(c, handle, err);
}

/* ---- AddPartitionsToTxn / AddOffsetsToTxn -------------------------------------------------- */

/* The producer (id and epoch) checks shared by the requests on a running transaction. */
static int16_t check_producer(struct txn_coord *c, struct kp_str id, int64_t pid, int16_t epoch,
                              struct txn **out)
{
	int16_t err = check_id(c, id);
	if (err != KERR_NONE)
		return err;
	struct txn *t = tc_find(c, id);
	if (!t || t->m.pid != pid)
		return KERR_INVALID_PRODUCER_ID_MAPPING;
	if (t->m.epoch != epoch)
		return KERR_PRODUCER_FENCED;
	*out = t;
	return KERR_NONE;
}

/* Does the record of m stay under KB_TXN_VALUE_MAX_BYTES? */
static bool value_fits(const struct txn *t, const struct tmeta *m)
{
	struct kbuf b;
	kbuf_init(&b, KB_TXN_VALUE_MAX_BYTES);
	struct txn_rec r;
	t_rec_of(t, m, &r);
	txn_rec_value(&b, &r, 0);
	kb_free(r.partitions);
	bool ok = !b.err;
	kbuf_free(&b);
	return ok;
}

static int16_t add_parts(struct txn_coord *c, struct kp_str id, int64_t pid, int16_t epoch,
                         const struct txn_tp *parts, int n, void *handle)
{
	if (n < 0 || n > KB_TXN_MAX_PARTITIONS)
		return KERR_INVALID_REQUEST;
	for (int i = 0; i < n; i++)
		if (parts[i].topic.len <= 0 || parts[i].topic.len > KB_TXN_TOPIC_MAX_BYTES ||
		    parts[i].partition < 0)
			return KERR_INVALID_REQUEST;
	struct txn *t = NULL;
	int16_t err = check_producer(c, id, pid, epoch, &t);
	if (err != KERR_NONE)
		return err;
	if (t->pending || t->m.state == TXN_PREPARE_COMMIT || t->m.state == TXN_PREPARE_ABORT)
		return KERR_CONCURRENT_TRANSACTIONS;
	if (t->m.state == TXN_ONGOING) {
		int i = 0;
		while (i < n && tparts_contains(&t->m, &parts[i]))
			i++;
		if (i == n) {
			c->io.txn_done(c->io.arg, handle, KERR_NONE); /* nothing new: no write */
			return KERR_NONE;
		}
	}
	struct tappend *a = begin(t, TAPP_ADD, handle, tc_now(c));
	tparts_union(&a->transit, parts, n);
	if (t->m.state != TXN_ONGOING)
		a->transit.start_ts = a->transit.update_ts;
	a->transit.state = TXN_ONGOING;
	if (a->transit.nparts > KB_TXN_MAX_PARTITIONS || !value_fits(t, &a->transit)) {
		tappend_free(a);
		return KERR_INVALID_REQUEST;
	}
	t_set_pending(t, TXN_ONGOING);
	KB_IGNORED(tc_append_state(c, a)); /* a failure is answered through t_appended */
	return KERR_NONE;
}

void txn_add_partitions(struct txn_coord *c, struct kp_str txn_id, int64_t pid, int16_t epoch,
                        const struct txn_tp *parts, int n, void *handle)
{
	int16_t err = add_parts(c, txn_id, pid, epoch, parts, n, handle);
	if (err != KERR_NONE)
		c->io.txn_done(c->io.arg, handle, err);
}

void txn_add_offsets(struct txn_coord *c, struct kp_str txn_id, int64_t pid, int16_t epoch,
                     struct kp_str group_id, void *handle)
{
	int16_t err = check_id(c, txn_id);
	if (err == KERR_NONE && group_id.len < 0)
		err = KERR_INVALID_REQUEST;
	if (err != KERR_NONE) {
		c->io.txn_done(c->io.arg, handle, err);
		return;
	}
	struct txn_tp tp = {KP_STR_LIT(TXN_OFFSETS_TOPIC),
	                    c->io.partition_for_group(c->io.arg, group_id)};
	txn_add_partitions(c, txn_id, pid, epoch, &tp, 1, handle);
}

/* ---- EndTxn ------------------------------------------------------------------------------- */

static int16_t end_txn(struct txn_coord *c, struct kp_str id, int64_t pid, int16_t epoch,
                       bool commit, void *handle)
{
	struct txn *t = NULL;
	int16_t err = check_producer(c, id, pid, epoch, &t);
	if (err != KERR_NONE)
		return err;
	if (t->pending)
		return KERR_CONCURRENT_TRANSACTIONS;
	switch (t->m.state) {
	case TXN_ONGOING: {
		struct tappend *a = begin(t, TAPP_END, handle, tc_now(c));
		a->transit.state = commit ? TXN_PREPARE_COMMIT : TXN_PREPARE_ABORT;
		t_set_pending(t, a->transit.state);
		KB_IGNORED(tc_append_state(c, a)); /* a failure is answered through t_appended */
		return PARKED;
	}
	case TXN_COMPLETE_COMMIT:
		return commit ? KERR_NONE : KERR_INVALID_TXN_STATE; /* a retry */
	case TXN_COMPLETE_ABORT:
		return commit ? KERR_INVALID_TXN_STATE : KERR_NONE;
	case TXN_PREPARE_COMMIT:
		return commit ? KERR_CONCURRENT_TRANSACTIONS : KERR_INVALID_TXN_STATE;
	case TXN_PREPARE_ABORT:
		return commit ? KERR_INVALID_TXN_STATE : KERR_CONCURRENT_TRANSACTIONS;
	default:
		return KERR_INVALID_TXN_STATE; /* Empty */
	}
}

void txn_end(struct txn_coord *c, struct kp_str txn_id, int64_t pid, int16_t epoch, bool commit,
             void *handle)
{
	int16_t err = end_txn(c, txn_id, pid, epoch, commit, handle);
	if (err != PARKED)
		c->io.txn_done(c->io.arg, handle, err);
}

/* ---- KIP-890 verification ------------------------------------------------------------------ */

int16_t txn_verify_partition(struct txn_coord *c, struct kp_str txn_id, int64_t pid,
                             int16_t epoch, const struct txn_tp *parts, int n, int16_t *errors)
{
	struct txn *t = NULL;
	int16_t err = check_producer(c, txn_id, pid, epoch, &t);
	if (err != KERR_NONE)
		return err;
	/* Pending transitions are not looked at: the append is checked again at the leader. */
	if (t->m.state == TXN_PREPARE_COMMIT || t->m.state == TXN_PREPARE_ABORT)
		return KERR_CONCURRENT_TRANSACTIONS;
	for (int i = 0; i < n; i++)
		errors[i] = tparts_contains(&t->m, &parts[i]) ? KERR_NONE : KERR_TRANSACTION_ABORTABLE;
	return KERR_NONE;
}
