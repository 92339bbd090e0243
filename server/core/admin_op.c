/* admin_op.c — see admin_op.h. */
#include "admin_op.h"

#include "../../coord/topic_admin.h"
#include "purgatory.h"

struct write_arg {
	struct admin_op *op;
	int idx;
};

struct admin_op {
	struct kreq *r;
	int32_t timeout_ms;
	int64_t started_ms;
	void *state;
	admin_set_error_fn set_error;
	admin_ready_fn ready;
	int writes;          /* in flight */
	bool started;        /* admin_op_start returned: completions may finish the request */
	bool closing;
};

struct admin_op *admin_op_new(struct kreq *r, int32_t timeout_ms, void *state,
                              admin_set_error_fn set_error, admin_ready_fn ready)
{
	struct admin_op *op = kb_calloc(1, sizeof(*op));
	*op = (struct admin_op){.r = r, .timeout_ms = timeout_ms, .started_ms = kb_mono_ms(),
	                        .state = state, .set_error = set_error, .ready = ready};
	return op;
}

/* ---- Waiting for the cluster: parked in the purgatory on the metadata cache ------------- */

static bool wait_try(struct pg_op *pop, void *arg)
{
	KB_UNUSED(pop);
	struct admin_op *op = arg;
	if (!op->ready(op->r, op->state, false))
		return false;
	kreq_finish(op->r, H_RESPOND);
	kb_free(op);
	return true;
}

static void wait_expire(void *arg)
{
	struct admin_op *op = arg;
	bool done = op->ready(op->r, op->state, true);
	KB_ASSERT(done); /* ready must settle every item at the deadline */
	kreq_finish(op->r, H_RESPOND);
	kb_free(op);
}

static void wait_drop(void *arg)
{
	struct admin_op *op = arg;
	kreq_drop(op->r);
	kb_free(op);
}

static const struct pg_ops wait_ops = {wait_try, wait_expire, wait_drop, NULL};

/* Re-checked on every metadata change (broker.c checks the key), answered by left ms. */
static void wait_for_cluster(struct admin_op *op, int64_t left)
{
	struct pg_op *pop = kreq_park(op->r, &wait_ops, op, left);
	purgatory_watch(pop, pg_key(PG_KEY_METADATA, NULL));
}

/* ---- Writes ---------------------------------------------------------------------------- */

/* All writes are done. Returns true if the request was answered (op freed). */
static bool settle(struct admin_op *op)
{
	struct kreq *r = op->r;
	if (op->closing) {
		kreq_drop(r);
		kb_free(op);
		return true;
	}
	int64_t left = op->timeout_ms - (kb_mono_ms() - op->started_ms);
	if (op->ready(r, op->state, op->timeout_ms <= 0 || left <= 0)) {
		kreq_finish(r, H_RESPOND);
		kb_free(op);
		return true;
	}
	wait_for_cluster(op, left);
	return false;
}

static void write_done(int16_t error, const char *message, void *arg)
{
	struct write_arg *w = arg;
	struct admin_op *op = w->op;
	if (error == TOPIC_ADMIN_CLOSING)
		op->closing = true;
	else
		op->set_error(op->r, op->state, w->idx, error, message);
	kb_free(w);
	if (--op->writes == 0 && op->started)
		settle(op);
}

void *op_state(struct admin_op *op)
{
	return op->state;
}

void admin_op_write(struct admin_op *op, int idx, void (**cb)(int16_t, const char *, void *),
                    void **arg)
{
	struct write_arg *w = kb_malloc(sizeof(*w));
	*w = (struct write_arg){op, idx};
	op->writes++;
	*cb = write_done;
	*arg = w;
}

enum handler_result admin_op_start(struct admin_op *op)
{
	op->started = true;
	if (op->writes > 0)
		return H_ASYNC;
	/* Nothing of ours in flight: answer now if settled, else wait like settle() does. */
	if (op->ready(op->r, op->state, op->timeout_ms <= 0)) {
		kb_free(op);
		return H_RESPOND;
	}
	wait_for_cluster(op, op->timeout_ms);
	return H_ASYNC;
}
