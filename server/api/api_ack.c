/* api_ack.c — the parked wait for acknowledgements (see api_ack.h). */
#include "api_ack.h"

#include "../core/purgatory.h"

struct ack_wait {
	struct kreq *r;
	struct pg_op *op;
	struct ack_item *items;
	int n;
	ack_settled_fn settled;
};

static void wait_free(struct ack_wait *w)
{
	kb_free(w->items);
	kb_free(w);
}

static void settle(struct ack_wait *w, struct ack_item *it, int16_t err)
{
	*it->err = err;
	if (w->settled)
		w->settled(w->r, it, err);
	it->p = NULL;
}

/* Settles what can be settled (op: unwatch those, NULL once ended); answers and frees w when
 * everything is. Returns whether it did. */
static bool wait_settle(struct ack_wait *w, struct pg_op *op, bool timed_out)
{
	bool all = true;
	for (int i = 0; i < w->n; i++) {
		struct ack_item *it = &w->items[i];
		if (!it->p)
			continue;
		int16_t err = -1;
		if (!it->p->leader)
			err = KERR_NOT_LEADER_OR_FOLLOWER;
		else if (ack_covered(it->p, it->need, it->flushed))
			err = it->need >= 0 && it->p->state.nisr < it->p->cfg.min_insync
			              ? KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND : 0;
		else if (timed_out)
			err = KERR_REQUEST_TIMED_OUT;
		if (err < 0) {
			all = false;
			continue;
		}
		if (op && it->last) /* earlier items for p settle no later than this one */
			purgatory_unwatch(op, partition_key(it->p));
		settle(w, it, err);
	}
	if (!all)
		return false;
	kreq_finish(w->r, H_RESPOND);
	wait_free(w);
	return true;
}

static bool wait_try(struct pg_op *op, void *arg)
{
	return wait_settle(arg, op, false);
}

static void wait_expire(void *arg)
{
	bool done = wait_settle(arg, NULL, true);
	KB_ASSERT(done);
}

static void wait_drop(void *arg)
{
	struct ack_wait *w = arg;
	kreq_drop(w->r);
	wait_free(w);
}

/* A partition being deleted: its appends will never be covered. */
static void wait_key_gone(struct pg_op *op, void *arg, struct pg_key key)
{
	KB_UNUSED(op);
	struct ack_wait *w = arg;
	for (int i = 0; i < w->n; i++)
		if (w->items[i].p && partition_key(w->items[i].p).id == key.id)
			settle(w, &w->items[i], KERR_NOT_LEADER_OR_FOLLOWER);
}

static const struct pg_ops wait_ops = {wait_try, wait_expire, wait_drop, wait_key_gone};

void ack_wait_park(struct kreq *r, struct ack_item *items, int n, int32_t timeout_ms,
                   ack_settled_fn settled)
{
	struct ack_wait *w = kb_malloc(sizeof(*w));
	*w = (struct ack_wait){.r = r, .items = items, .n = n, .settled = settled};
	w->op = kreq_park(r, &wait_ops, w, KB_MAX(timeout_ms, 0));
	for (int i = n - 1; i >= 0; i--) /* backwards: the first to watch p is its last item */
		items[i].last = purgatory_watch(w->op, partition_key(items[i].p));
}
