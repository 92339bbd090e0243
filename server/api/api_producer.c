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
 * Producer ids come from the broker's allocator (server/core/pids.h: blocks of PID_BLOCK_SIZE
 * from ZooKeeper, the next fetched once 90% of the current one is used), so requests rarely
 * wait. A request that finds no id parks in the purgatory (key PG_KEY_PRODUCER_IDS)
 * until a block arrives or PID_WAIT_MS passes; then it gets
 * COORDINATOR_LOAD_IN_PROGRESS, which clients retry.
 *
 * Authorization first, as Kafka: a transactional id needs WRITE on it
 * (TRANSACTIONAL_ID_AUTHORIZATION_FAILED); without one, IDEMPOTENT_WRITE on the cluster or
 * WRITE on some topic (authz_allowed_any) is needed (CLUSTER_AUTHORIZATION_FAILED).
 *
 * DescribeProducers: per partition, the producers of the local leader's log (pstate.h);
 * UNKNOWN_TOPIC_OR_PARTITION / NOT_LEADER_OR_FOLLOWER as Kafka answers; READ on the topic
 * (else TOPIC_AUTHORIZATION_FAILED for its partitions).
 */
#include "../../common/say.h"
#include "../../coord/coord.h"
#include "../../log/pstate.h"
#include "../../net/kp_msgs.h"
#include "../core/dispatch.h"
#include "../core/purgatory.h"
#include "../replica/partition.h"
#include "../core/pids.h"
#include "api_authz.h"
#include "api_txn.h"

#include <event2/event.h>
#include <string.h>

#define PID_WAIT_MS 10000         /* longest an InitProducerId waits for a block */

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
	int16_t denied = req->TransactionalId.len >= 0
	                         ? az_txn(r, ACL_OP_WRITE, req->TransactionalId)
	                 : az_cluster_ok(r, ACL_OP_IDEMPOTENT_WRITE) ||
	                                 authz_allowed_any(r, ACL_OP_WRITE, ACL_RES_TOPIC)
	                         ? 0
	                         : KERR_CLUSTER_AUTHORIZATION_FAILED;
	if (denied) {
		init_pid_answer(out, denied, -1);
		return H_RESPOND;
	}
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
		                               .CurrentTxnStartOffset = e->txn_first};
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
		int16_t denied = az_topic(r, ACL_OP_READ, in[t].Name);
		for (int k = 0; k < np; k++) {
			po[k] = (struct DescribeProducersPartitionResponse){.PartitionIndex = idx[k],
			                                                    .ErrorMessage = KP_STR_NULL};
			po[k].ErrorCode = denied ? denied
			                         : describe_partition(r, in[t].Name, idx[k], &po[k]);
		}
	}
	return H_RESPOND;
}
