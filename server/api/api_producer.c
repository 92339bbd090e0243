/* api_producer.c — InitProducerId (key 22) for idempotent producers, and DescribeProducers
 * (key 61).
 *
 * InitProducerId, Kafka 3.9's answers (fact sheet §A2, §B4):
 *   - ProducerId/ProducerEpoch (v3+): exactly one of them -1 -> INVALID_REQUEST;
 *   - TransactionalId null: a fresh producer id at epoch 0, every time (any PID/epoch sent is
 *     ignored, as Kafka's coordinator does);
 *   - TransactionalId not null: the transaction coordinator's (api_txn.c).
 *   Errors carry producer id -1 and epoch -1.
 *
 * Producer ids come in blocks of PID_BLOCK_SIZE taken from ZooKeeper (coord_take_pid_block);
 * the next block is fetched once 90% of the current one is used (as Kafka does), so requests
 * rarely wait. A request that finds no id parks in the purgatory (key PG_KEY_PRODUCER_IDS)
 * until a block arrives or PID_WAIT_MS passes; then it gets
 * COORDINATOR_LOAD_IN_PROGRESS, which clients retry.
 *
 * DescribeProducers: per partition, the producers of the local leader's log (pstate.h);
 * UNKNOWN_TOPIC_OR_PARTITION / NOT_LEADER_OR_FOLLOWER as Kafka answers.
 */
#include "../../common/say.h"
#include "../../coord/coord.h"
#include "../../log/pstate.h"
#include "../../net/kp_msgs.h"
#include "../core/dispatch.h"
#include "../core/purgatory.h"
#include "../replica/partition.h"
#include "api_producer.h"
#include "api_txn.h"

#include <event2/event.h>
#include <string.h>

#define PID_WAIT_MS 10000         /* longest an InitProducerId waits for a block */
#define PID_RETRY_MS 500          /* after a failed block fetch, with requests waiting */

struct pid_alloc {
	struct broker *b;
	int64_t next, end;             /* ids [next, end] of the current block are free */
	int64_t pre_start, pre_end;    /* a prefetched block, -1 when none */
	bool fetching;
	struct event *retry;
};

static void fetch_block(struct pid_alloc *a);

static void block_done(void *arg, int rc, int64_t start, int64_t end)
{
	struct pid_alloc *a = arg;
	a->fetching = false;
	if (rc < 0) { /* retried while requests wait (a failure may come before they park) */
		struct timeval tv = {0, PID_RETRY_MS * 1000};
		evtimer_add(a->retry, &tv);
		return;
	}
	say_info("server", "producer ids %lld-%lld taken", (long long)start, (long long)end);
	if (a->next > a->end) {
		a->next = start;
		a->end = end;
	} else {
		a->pre_start = start;
		a->pre_end = end;
	}
	purgatory_check(a->b->pg, pg_key(PG_KEY_PRODUCER_IDS, a));
}

static void retry_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct pid_alloc *a = arg;
	if (!a->fetching && purgatory_watchers(a->b->pg, pg_key(PG_KEY_PRODUCER_IDS, a)) > 0)
		fetch_block(a);
}

static void fetch_block(struct pid_alloc *a)
{
	if (a->fetching || !a->b->coord)
		return;
	a->fetching = true;
	coord_take_pid_block(a->b->coord, block_done, a);
}

static struct pid_alloc *pid_alloc_of(struct broker *b)
{
	if (!b->pids) {
		struct pid_alloc *a = kb_calloc(1, sizeof(*a));
		*a = (struct pid_alloc){.b = b, .next = 0, .end = -1, .pre_start = -1, .pre_end = -1};
		a->retry = evtimer_new(b->base, retry_cb, a);
		b->pids = a;
	}
	return b->pids;
}

void pid_alloc_free(struct broker *b)
{
	if (!b->pids)
		return;
	event_free(b->pids->retry);
	kb_free(b->pids);
	b->pids = NULL;
}

int64_t pid_take(struct broker *b)
{
	struct pid_alloc *a = pid_alloc_of(b);
	if (a->next > a->end && a->pre_start >= 0) {
		a->next = a->pre_start;
		a->end = a->pre_end;
		a->pre_start = a->pre_end = -1;
	}
	int64_t id = a->next <= a->end ? a->next++ : -1;
	/* Prefetch at 90% use of the current block, or fetch now when empty. */
	if (a->pre_start < 0 && (a->next > a->end || a->end - a->next < PID_BLOCK_SIZE / 10))
		fetch_block(a);
	return id;
}

void pid_prefetch(struct broker *b)
{
	struct pid_alloc *a = pid_alloc_of(b);
	if (a->next > a->end && a->pre_start < 0)
		fetch_block(a);
}

/* ---- InitProducerId ----------------------------------------------------------------------- */

static void init_pid_answer(struct InitProducerIdResponse *out, int16_t err, int64_t pid)
{
	out->ErrorCode = err;
	out->ProducerId = err ? -1 : pid;
	out->ProducerEpoch = err ? -1 : 0;
}

/* A request that found no free id waits in the purgatory for a block (or PID_WAIT_MS). */
static bool pid_wait_try(struct pg_op *op, void *arg)
{
	KB_UNUSED(op);
	struct kreq *r = arg;
	int64_t pid = pid_take(r->b);
	if (pid < 0)
		return false;
	init_pid_answer(r->resp, KERR_NONE, pid);
	kreq_finish(r, H_RESPOND);
	return true;
}

static void pid_wait_expire(void *arg)
{
	struct kreq *r = arg;
	init_pid_answer(r->resp, KERR_COORDINATOR_LOAD_IN_PROGRESS, -1);
	kreq_finish(r, H_RESPOND);
}

static void pid_wait_drop(void *arg)
{
	kreq_drop(arg);
}

static const struct pg_ops pid_wait_ops = {pid_wait_try, pid_wait_expire, pid_wait_drop, NULL};

enum handler_result handle_init_producer_id(struct kreq *r)
{
	const struct InitProducerIdRequest *req = r->req;
	struct InitProducerIdResponse *out = r->resp;
	if ((req->ProducerId == -1) != (req->ProducerEpoch == -1)) {
		init_pid_answer(out, KERR_INVALID_REQUEST, -1);
		return H_RESPOND;
	}
	if (req->TransactionalId.len >= 0) /* not null: the transaction coordinator's */
		return handle_init_producer_id_txn(r);
	int64_t pid = pid_take(r->b);
	if (pid >= 0) {
		init_pid_answer(out, KERR_NONE, pid);
		return H_RESPOND;
	}
	struct pg_op *op = kreq_park(r, &pid_wait_ops, r, PID_WAIT_MS);
	purgatory_watch(op, pg_key(PG_KEY_PRODUCER_IDS, r->b->pids));
	return H_ASYNC;
}

/* ---- DescribeProducers -------------------------------------------------------------------- */

static int16_t describe_partition(struct kreq *r, struct kp_str topic, int32_t idx,
                                  struct DescribeProducersPartitionResponse *out)
{
	struct partition *p = pm_find(r->b, topic, idx);
	if (!p || !p->leader)
		return pm_topic_known(r->b, topic, idx) ? KERR_NOT_LEADER_OR_FOLLOWER
		                                        : KERR_UNKNOWN_TOPIC_OR_PARTITION;
	const struct pstate *ps = plog_producers(p->log);
	size_t n = pstate_count(ps);
	struct ProducerState *st = kreq_array(r, &out->ActiveProducers, (int32_t)n, sizeof(*st));
	if (!st)
		return KERR_UNKNOWN_SERVER_ERROR;
	for (size_t k = 0; k < n; k++) {
		const struct pstate_entry *e = pstate_at(ps, k);
		const struct pstate_batch *b = e->n ? pstate_entry_batch(e, e->n - 1u) : NULL;
		st[k] = (struct ProducerState){.ProducerId = e->pid, .ProducerEpoch = e->epoch,
		                               .LastSequence = b ? b->last_seq : -1,
		                               .LastTimestamp = e->last_ts,
		                               .CoordinatorEpoch = e->coord_epoch,
		                               .CurrentTxnStartOffset = -1};
	}
	return KERR_NONE;
}

enum handler_result handle_describe_producers(struct kreq *r)
{
	const struct DescribeProducersRequest *req = r->req;
	struct DescribeProducersResponse *resp = r->resp;
	const struct DescribeProducersTopicRequest *in = req->Topics.elems;
	struct DescribeProducersTopicResponse *out =
	        kreq_array(r, &resp->Topics, req->Topics.count, sizeof(*out));
	if (!out)
		return H_CLOSE;
	for (int t = 0; t < req->Topics.count; t++) {
		const int32_t *idx = in[t].PartitionIndexes.elems;
		int np = in[t].PartitionIndexes.count;
		out[t].Name = in[t].Name;
		struct DescribeProducersPartitionResponse *po =
		        kreq_array(r, &out[t].Partitions, np, sizeof(*po));
		if (!po)
			return H_CLOSE;
		for (int k = 0; k < np; k++) {
			po[k] = (struct DescribeProducersPartitionResponse){.PartitionIndex = idx[k],
			                                                    .ErrorMessage = KP_STR_NULL};
			po[k].ErrorCode = describe_partition(r, in[t].Name, idx[k], &po[k]);
		}
	}
	return H_RESPOND;
}
