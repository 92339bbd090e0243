/* api_txn_offsets.c — TxnOffsetCommit (key 28, v0-4) on group/'s coordinator (Kafka 3.9's
 * KafkaApis.handleTxnOffsetCommitRequest and GroupCoordinator.handleTxnCommitOffsets).
 *
 * Partitions of topics the cluster does not have → UNKNOWN_TOPIC_OR_PARTITION (first, as
 * Kafka's KafkaApis filters them before asking the coordinator); then, routed like
 * OffsetCommit, an empty or too long group id → INVALID_GROUP_ID and the coordinator lookup
 * (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE) in every other
 * partition; the rest go to group_txn_commit (v3+ generation, member
 * and instance checks; see group.h), answered once the transactional batch is replicated
 * (api_group.h's waits). The offsets stay pending until the producer's marker
 * (gsvc_txn_complete).
 *
 * KIP-890 part 1 (fact sheet §B6, §B9), with transaction.partition.verification.enable: when
 * this broker's coordinator partition of the group (__consumer_offsets-N) has no open
 * transaction of the producer, its verification entry is touched with sequence -1 and the
 * transaction coordinator is asked (server/coordsvc/tverify.h; the request parked while a
 * remote one answers) whether that partition is in the transaction. Its answer, mapped as for
 * Produce (tverify_produce_error, TRANSACTION_ABORTABLE kept for v4 and INVALID_TXN_STATE
 * below) and then as Kafka's offset-commit errors (NOT_ENOUGH_REPLICAS →
 * COORDINATOR_NOT_AVAILABLE), goes to every partition, nothing appended; a marker that
 * cleared the entry meanwhile → INVALID_TXN_STATE. The entry is cleared once the commit is
 * handed to the coordinator. A request whose connection closes, or that waits past the
 * verification timeout, and a partition at its verification-entry limit, are answered
 * COORDINATOR_NOT_AVAILABLE (the client retries), nothing appended.
 * Authorization first (Kafka's order): WRITE on the transactional id, else
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED in every partition; READ on the group, else
 * GROUP_AUTHORIZATION_FAILED in every partition; then READ per topic
 * (TOPIC_AUTHORIZATION_FAILED for its partitions, before UNKNOWN_TOPIC_OR_PARTITION).
 */
#include "api_group.h"
#include "api_authz.h"

#include "../../log/pstate.h"
#include "../../net/kp_msgs.h"
#include "../coordsvc/gsvc.h"
#include "../coordsvc/tverify.h"
#include "../core/purgatory.h"
#include "../replica/partition.h"

#include <string.h>

/* Runs the commit (coordinator lookup, checks, append); `guard` (0: none) must still hold
 * on `vp` (the verified offsets partition, looked up again) before the append. */
static enum handler_result commit_run(struct kreq *r, uint64_t guard);

static bool alloc_answer(struct kreq *r)
{
	const struct TxnOffsetCommitRequest *req = r->req;
	struct TxnOffsetCommitResponse *resp = r->resp;
	const struct TxnOffsetCommitRequestTopic *in = req->Topics.elems;
	struct TxnOffsetCommitResponseTopic *out =
	        kreq_array(r, &resp->Topics, req->Topics.count, sizeof(*out));
	if (!out && req->Topics.count > 0)
		return false;
	for (int t = 0; t < req->Topics.count; t++) {
		out[t].Name = in[t].Name;
		if (!kreq_array(r, &out[t].Partitions, in[t].Partitions.count,
		                sizeof(struct TxnOffsetCommitResponsePartition)) &&
		    in[t].Partitions.count > 0)
			return false;
	}
	return true;
}

/* ---- KIP-890 verification ------------------------------------------------------------------- */

/* This broker's replica of the group's __consumer_offsets partition, if it leads it. */
static struct partition *offsets_partition(struct kreq *r)
{
	const struct TxnOffsetCommitRequest *req = r->req;
	struct partition *p = pm_find(r->b, KP_STR_LIT(GSVC_TOPIC),
	                              gsvc_partition_for(r->b, req->GroupId));
	return p && p->leader ? p : NULL;
}

/* A verification answer as this request carries it. */
static int16_t verify_error(struct kreq *r, int16_t err)
{
	if (err == KERR_TRANSACTION_ABORTABLE)
		return r->version >= 4 ? err : KERR_INVALID_TXN_STATE;
	err = tverify_produce_error(err, 11);
	return err == KERR_NOT_ENOUGH_REPLICAS ? KERR_COORDINATOR_NOT_AVAILABLE : err;
}

/* Every partition gets err (unknown topics their own error), nothing appended. */
static enum handler_result answer_all(struct kreq *r, int16_t err)
{
	const struct TxnOffsetCommitRequest *req = r->req;
	struct TxnOffsetCommitResponse *resp = r->resp;
	const struct TxnOffsetCommitRequestTopic *in = req->Topics.elems;
	struct TxnOffsetCommitResponseTopic *out = resp->Topics.elems;
	for (int t = 0; t < req->Topics.count; t++) {
		const struct TxnOffsetCommitRequestPartition *pi = in[t].Partitions.elems;
		struct TxnOffsetCommitResponsePartition *po = out[t].Partitions.elems;
		for (int k = 0; k < in[t].Partitions.count; k++) {
			po[k].PartitionIndex = pi[k].PartitionIndex;
			po[k].ErrorCode = pm_topic_known(r->b, in[t].Name, pi[k].PartitionIndex)
			                          ? err : KERR_UNKNOWN_TOPIC_OR_PARTITION;
		}
	}
	return H_RESPOND;
}

struct tocw {
	struct kreq *r;
	struct pg_op *op;
	struct tverify_ticket *ticket; /* NULL once answered */
	uint64_t guard;
	bool answered;
	int16_t err;
};

static void tocw_finish(struct kreq *r, enum handler_result h)
{
	if (h != H_ASYNC)
		kreq_finish(r, h);
}

static bool tocw_try(struct pg_op *op, void *arg)
{
	KB_UNUSED(op);
	struct tocw *w = arg;
	if (!w->answered)
		return false;
	struct kreq *r = w->r;
	int16_t err = verify_error(r, w->err);
	uint64_t guard = w->guard;
	kb_free(w);
	tocw_finish(r, err != KERR_NONE ? answer_all(r, err) : commit_run(r, guard));
	return true;
}

static void tocw_expire(void *arg)
{
	struct tocw *w = arg;
	if (w->ticket)
		tverify_cancel(w->ticket);
	struct kreq *r = w->r;
	kb_free(w);
	kreq_finish(r, answer_all(r, KERR_COORDINATOR_NOT_AVAILABLE));
}

static void tocw_drop(void *arg)
{
	struct tocw *w = arg;
	if (w->ticket && w->r->b->tverify)
		tverify_cancel(w->ticket);
	kreq_drop(w->r);
	kb_free(w);
}

static const struct pg_ops tocw_ops = {tocw_try, tocw_expire, tocw_drop, NULL};

static void tocw_answered(void *arg, int16_t top, const int16_t *errs, int n)
{
	struct tocw *w = arg;
	w->ticket = NULL;
	w->err = top != KERR_NONE ? top : n > 0 ? errs[0] : KERR_NONE;
	w->answered = true;
	purgatory_retry(w->op);
}

/* Starts the verification when it applies: H_ASYNC (parked), H_RESPOND (answered with an
 * error), or -2 with *guard set (0: nothing to verify) to commit now. */
static int verify_start(struct kreq *r, uint64_t *guard)
{
	const struct TxnOffsetCommitRequest *req = r->req;
	const struct kb_config *cfg = &r->b->cfg;
	*guard = 0;
	struct group_coord *c;
	if (!cfg->transaction_partition_verification_enable ||
	    group_coord_of(r, req->GroupId, &c) != KERR_NONE)
		return -2; /* the commit answers the coordinator errors */
	struct partition *p = offsets_partition(r);
	if (!p)
		return -2;
	const struct pstate_entry *e = pstate_find(plog_producers(p->log), req->ProducerId);
	if (e && e->txn_first != PSTATE_NO_TXN)
		return -2; /* the transaction is open on the partition already */
	*guard = tverify_touch(&p->txnv, req->ProducerId, req->ProducerEpoch, -1, kb_wall_ms(),
	                       (size_t)cfg->txn_verification_max_entries,
	                       cfg->producer_id_expiration_ms);
	if (*guard == 0)
		return answer_all(r, KERR_COORDINATOR_NOT_AVAILABLE); /* the named limit */
	struct txn_tp tp = {KP_STR_LIT(GSVC_TOPIC), p->id};
	int16_t err;
	struct tocw *w = kb_calloc(1, sizeof(*w));
	int rc = tverify_ask(r->b, req->TransactionalId, req->ProducerId, req->ProducerEpoch, &tp,
	                     1, &err, tocw_answered, w, &w->ticket);
	if (rc != TVERIFY_PENDING) {
		kb_free(w);
		err = verify_error(r, rc != KERR_NONE ? (int16_t)rc : err);
		return err != KERR_NONE ? answer_all(r, err) : -2;
	}
	w->r = r;
	w->guard = *guard;
	w->op = kreq_park(r, &tocw_ops, w, TVERIFY_REQUEST_TIMEOUT_MS + 5000);
	return H_ASYNC;
}

/* Every partition gets `err` (an authorization failure of the whole request). */
static enum handler_result deny_all(struct kreq *r, int16_t err)
{
	const struct TxnOffsetCommitRequest *req = r->req;
	struct TxnOffsetCommitResponseTopic *out = ((struct TxnOffsetCommitResponse *)r->resp)->Topics.elems;
	const struct TxnOffsetCommitRequestTopic *in = req->Topics.elems;
	for (int t = 0; t < req->Topics.count; t++) {
		const struct TxnOffsetCommitRequestPartition *pi = in[t].Partitions.elems;
		struct TxnOffsetCommitResponsePartition *po = out[t].Partitions.elems;
		for (int k = 0; k < in[t].Partitions.count; k++)
			po[k] = (struct TxnOffsetCommitResponsePartition){pi[k].PartitionIndex, err};
	}
	return H_RESPOND;
}

enum handler_result handle_txn_offset_commit(struct kreq *r)
{
	const struct TxnOffsetCommitRequest *req = r->req;
	if (!alloc_answer(r))
		return H_CLOSE;
	int16_t denied = az_txn(r, ACL_OP_WRITE, req->TransactionalId);
	if (!denied)
		denied = az_group(r, ACL_OP_READ, req->GroupId);
	if (denied)
		return deny_all(r, denied);
	uint64_t guard;
	int rc = verify_start(r, &guard);
	return rc != -2 ? (enum handler_result)rc : commit_run(r, guard);
}

static enum handler_result commit_run(struct kreq *r, uint64_t guard)
{
	const struct TxnOffsetCommitRequest *req = r->req;
	struct TxnOffsetCommitResponse *resp = r->resp;
	const struct TxnOffsetCommitRequestTopic *in = req->Topics.elems;
	struct TxnOffsetCommitResponseTopic *out = resp->Topics.elems;
	int total = 0;
	for (int t = 0; t < req->Topics.count; t++)
		total += KB_MAX(in[t].Partitions.count, 0);
	struct group_coord *c;
	int16_t gerr = group_coord_of(r, req->GroupId, &c);
	struct partition *vp = NULL;
	if (gerr == KERR_NONE && guard) { /* KIP-890: a marker may have ended it meanwhile */
		vp = offsets_partition(r);
		gerr = vp ? tverify_check(&vp->txnv, req->ProducerId, guard, -1)
		          : KERR_NOT_COORDINATOR;
	}
	struct group_commit_part *parts = arena_alloc(&r->arena, (size_t)(total + 1) * sizeof(*parts));
	int16_t **where = arena_alloc(&r->arena, (size_t)(total + 1) * sizeof(*where));
	int16_t *errors = arena_alloc(&r->arena, (size_t)(total + 1) * sizeof(*errors));
	if (!parts || !where || !errors)
		return H_CLOSE;
	int n = 0;
	for (int t = 0; t < req->Topics.count; t++) {
		const struct TxnOffsetCommitRequestPartition *pi = in[t].Partitions.elems;
		struct TxnOffsetCommitResponsePartition *po = out[t].Partitions.elems;
		int16_t denied = az_topic(r, ACL_OP_READ, in[t].Name);
		for (int k = 0; k < in[t].Partitions.count; k++) {
			po[k].PartitionIndex = pi[k].PartitionIndex;
			/* Kafka's KafkaApis filters unauthorized, then unknown topics before the
			 * coordinator's checks. */
			if (denied || !pm_topic_known(r->b, in[t].Name, pi[k].PartitionIndex)) {
				po[k].ErrorCode = denied ? denied : KERR_UNKNOWN_TOPIC_OR_PARTITION;
				continue;
			}
			po[k].ErrorCode = gerr;
			if (gerr != KERR_NONE)
				continue;
			parts[n] = (struct group_commit_part){
			        .topic = in[t].Name, .partition = pi[k].PartitionIndex,
			        .offset = pi[k].CommittedOffset,
			        .leader_epoch = r->version >= 2 ? pi[k].CommittedLeaderEpoch : -1,
			        .metadata = pi[k].CommittedMetadata, .commit_timestamp = -1};
			where[n++] = &po[k].ErrorCode;
		}
	}
	if (gerr != KERR_NONE || n == 0)
		return H_RESPOND;
	bool v3 = r->version >= 3;
	struct group_txn_commit_req cr = {
	        .group_id = req->GroupId,
	        .member_id = v3 ? req->MemberId : KP_STR_LIT(""),
	        .instance_id = v3 ? req->GroupInstanceId : KP_STR_NULL,
	        .generation_id = v3 ? req->GenerationId : -1,
	        .producer_id = req->ProducerId, .producer_epoch = req->ProducerEpoch,
	        .nparts = n, .parts = parts};
	struct gwait *w = gwait_new(r, GW_COMMIT);
	w->errors = errors;
	w->out = where;
	w->n = n;
	int pending = group_txn_commit(c, &cr, errors, w);
	gsvc_done(r->b, req->GroupId);
	if (vp) /* the transaction's first write to the partition is under way */
		tverify_clear(&vp->txnv, req->ProducerId);
	for (int i = 0; i < n; i++)
		*where[i] = errors[i];
	if (!pending)
		w->answered = true; /* the whole answer is in errors */
	return gwait_settle(w);
}
