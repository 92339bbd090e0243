/* api_txn.c — InitProducerId with a transactional id (key 22), AddPartitionsToTxn (24) v0-5,
 * AddOffsetsToTxn (25) v0-4, EndTxn (26) v0-4: requests mapped onto txn/'s coordinator
 * (txn.h), hosted by server/coordsvc/tsvc.c. Waiting requests: see api_txn.h.
 *
 * Before the coordinator (Kafka's KafkaApis / TransactionCoordinator order): an empty or null
 * transactional id is INVALID_REQUEST; InitProducerId's timeout outside
 * (0, transaction.max.timeout.ms] INVALID_TRANSACTION_TIMEOUT; then NOT_COORDINATOR when
 * another broker leads the id's __transaction_state partition, COORDINATOR_LOAD_IN_PROGRESS
 * while it is replayed, COORDINATOR_NOT_AVAILABLE before the topic exists.
 * AddPartitionsToTxn pre-checks every partition against the metadata cache: any unknown
 * topic or partition gets UNKNOWN_TOPIC_OR_PARTITION and every other partition of that
 * transaction OPERATION_NOT_ATTEMPTED, and the coordinator is not asked. v4+ (from brokers)
 * carries several transactions; VerifyOnly ones are answered by txn_verify_partition at once,
 * the others by txn_add_partitions; the response goes once all are answered.
 * Every error passes through txn_error_for_version (PRODUCER_FENCED and
 * TRANSACTION_ABORTABLE as older versions know them).
 * Authorization first (Kafka 3.9's KafkaApis): WRITE on the transactional id
 * (TRANSACTIONAL_ID_AUTHORIZATION_FAILED; InitProducerId's is checked in api_producer.c);
 * AddPartitionsToTxn v0-3 (clients) WRITE on each topic (TOPIC_AUTHORIZATION_FAILED, the
 * transaction's other partitions OPERATION_NOT_ATTEMPTED), v4+ (brokers) CLUSTER_ACTION on
 * the cluster (else the top-level CLUSTER_AUTHORIZATION_FAILED); AddOffsetsToTxn READ on the
 * group (GROUP_AUTHORIZATION_FAILED).
 * Limits: KB_TXN_REQ_MAX_PARTITIONS partitions per request, KB_TXN_REQ_MAX_TRANSACTIONS
 * transactions per v4+ request (past either: INVALID_REQUEST on every partition, or the v4+
 * top-level ErrorCode), checked before anything is allocated for the coordinator.
 */
#include "api_txn.h"

#include "../../common/limits.h"
#include "../../common/say.h"
#include "../../coord/md.h"
#include "../../net/kp_msgs.h"
#include "../core/purgatory.h"
#include "../coordsvc/tsvc.h"
#include "../replica/partition.h"
#include "api_authz.h"

#include <string.h>

/* A parked request waits at most this long (the coordinator's own deadlines, the append
 * timeout, are shorter); past it the client gets COORDINATOR_NOT_AVAILABLE and retries. */
#define TWAIT_MAX_MS (2LL * 3600 * 1000)

enum twait_kind { TW_INIT, TW_ADD, TW_OFFSETS, TW_END };

struct twait;

/* One call into a coordinator: the handle it answers. */
struct titem {
	struct twait *w;
	bool answered;
	/* TW_ADD: the response topics whose partitions get the answer */
	void *topics;   /* struct AddPartitionsToTxnTopicResult[] */
	int ntopics;
};

struct twait {
	enum twait_kind kind;
	struct kreq *r;          /* NULL once the request is gone */
	struct pg_op *op;        /* while parked */
	int holds;               /* unanswered items, + 1 while the handler runs */
	int nitems, used;
	struct titem items[];
};

static struct twait *twait_new(struct kreq *r, enum twait_kind kind, int nitems)
{
	struct twait *w = kb_calloc(1, sizeof(*w) + (size_t)nitems * sizeof(struct titem));
	w->kind = kind;
	w->r = r;
	w->holds = 1;
	w->nitems = nitems;
	return w;
}

/* The next item, counted as held until answered. */
static struct titem *twait_item(struct twait *w)
{
	struct titem *it = &w->items[w->used++];
	it->w = w;
	w->holds++;
	return it;
}

static int16_t map_err(struct kreq *r, int16_t err)
{
	return txn_error_for_version(r->hdr.RequestApiKey, r->version, err);
}

static void set_topics_error(struct AddPartitionsToTxnTopicResult *t, int n, int16_t err)
{
	for (int i = 0; i < n; i++) {
		struct AddPartitionsToTxnPartitionResult *p = t[i].ResultsByPartition.elems;
		for (int k = 0; k < t[i].ResultsByPartition.count; k++)
			p[k].PartitionErrorCode = err;
	}
}

/* Writes an answer into the response (if the request is still there). */
static void item_set(struct titem *it, int16_t err, int64_t pid, int16_t epoch)
{
	struct kreq *r = it->w->r;
	if (!r)
		return;
	err = map_err(r, err);
	switch (it->w->kind) {
	case TW_INIT: {
		struct InitProducerIdResponse *out = r->resp;
		out->ErrorCode = err;
		out->ProducerId = err ? -1 : pid;
		out->ProducerEpoch = err ? -1 : epoch;
		break;
	}
	case TW_ADD:
		set_topics_error(it->topics, it->ntopics, err);
		break;
	case TW_OFFSETS:
		((struct AddOffsetsToTxnResponse *)r->resp)->ErrorCode = err;
		break;
	case TW_END:
		((struct EndTxnResponse *)r->resp)->ErrorCode = err;
		break;
	}
}

static void twait_release(struct twait *w)
{
	if (--w->holds > 0)
		return;
	if (w->r) {
		if (w->op)
			purgatory_complete(w->op);
		kreq_finish(w->r, H_RESPOND);
	}
	kb_free(w);
}

static bool twait_try(struct pg_op *op, void *arg)
{
	KB_UNUSED(op);
	KB_UNUSED(arg);
	return false; /* only the coordinators' answers end it */
}

static void twait_expire(void *arg)
{
	struct twait *w = arg;
	w->op = NULL;
	for (int i = 0; i < w->used; i++)
		if (!w->items[i].answered)
			item_set(&w->items[i], KERR_COORDINATOR_NOT_AVAILABLE, -1, -1);
	kreq_finish(w->r, H_RESPOND); /* to a closed connection, this only releases the slot */
	w->r = NULL;                  /* w stays: the coordinators still hold its items */
}

static void twait_drop(void *arg)
{
	struct twait *w = arg;
	w->op = NULL;
	kreq_drop(w->r);
	w->r = NULL;
}

static const struct pg_ops twait_ops = {twait_try, twait_expire, twait_drop, NULL};

/* After the calls into the coordinators: H_RESPOND (all answered; w freed) or H_ASYNC. */
static enum handler_result twait_settle(struct twait *w)
{
	if (w->holds == 1) {
		kb_free(w);
		return H_RESPOND;
	}
	w->holds--;
	w->op = kreq_park(w->r, &twait_ops, w, TWAIT_MAX_MS);
	return H_ASYNC;
}

/* ---- The coordinator's answers ------------------------------------------------------------- */

static void item_answered(struct titem *it)
{
	it->answered = true;
	twait_release(it->w);
}

static void init_done(void *arg, void *handle, int16_t error, int64_t pid, int16_t epoch)
{
	KB_UNUSED(arg);
	item_set(handle, error, pid, epoch);
	item_answered(handle);
}

static void txn_done(void *arg, void *handle, int16_t error)
{
	KB_UNUSED(arg);
	item_set(handle, error, -1, -1);
	item_answered(handle);
}

const struct txn_io api_txn_answers = {
	.init_done = init_done,
	.txn_done = txn_done,
};

int16_t txn_coord_of(struct kreq *r, struct kp_str txn_id, struct txn_coord **c)
{
	*c = NULL;
	if (txn_id.len <= 0)
		return KERR_INVALID_REQUEST;
	return tsvc_coordinator(r->b, txn_id, c);
}

/* ---- InitProducerId ------------------------------------------------------------------------ */

enum handler_result handle_init_producer_id_txn(struct kreq *r)
{
	const struct InitProducerIdRequest *req = r->req;
	struct InitProducerIdResponse *out = r->resp;
	out->ProducerId = -1;
	out->ProducerEpoch = -1;
	if (req->TransactionalId.len <= 0) {
		out->ErrorCode = KERR_INVALID_REQUEST;
		return H_RESPOND;
	}
	if (req->TransactionTimeoutMs <= 0 ||
	    req->TransactionTimeoutMs > r->b->cfg.transaction_max_timeout_ms) {
		out->ErrorCode = KERR_INVALID_TRANSACTION_TIMEOUT;
		return H_RESPOND;
	}
	struct txn_coord *c;
	int16_t err = txn_coord_of(r, req->TransactionalId, &c);
	if (err != KERR_NONE) {
		out->ErrorCode = map_err(r, err);
		return H_RESPOND;
	}
	struct twait *w = twait_new(r, TW_INIT, 1);
	txn_init_producer_id(c, req->TransactionalId, req->TransactionTimeoutMs,
	                     r->version >= 3 ? req->ProducerId : -1,
	                     r->version >= 3 ? req->ProducerEpoch : -1, twait_item(w));
	tsvc_done(r->b, req->TransactionalId);
	return twait_settle(w);
}

/* ---- AddPartitionsToTxn --------------------------------------------------------------------- */

/* One transaction of an AddPartitionsToTxn request, prepared before any coordinator call so
 * that nothing can fail (arena exhausted) once a coordinator holds an item. */
struct add_txn {
	struct kp_str id;
	int64_t pid;
	int16_t epoch;
	bool verify_only;
	struct AddPartitionsToTxnTopicResult *res;
	int ntopics;
	struct txn_tp *tps;
	int n;
	bool answered; /* by the pre-checks */
};

static int array_count(const struct kp_array *a)
{
	return a->count > 0 ? a->count : 0;
}

static int topics_partitions(const struct AddPartitionsToTxnTopic *t, int nt)
{
	long n = 0;
	for (int i = 0; i < nt; i++)
		n += array_count(&t[i].Partitions);
	return n > INT32_MAX ? INT32_MAX : (int)n;
}

/* Echoes the request's topics as results, runs the per-partition pre-checks, and builds the
 * coordinator's partition list. `err` (INVALID_REQUEST past a limit) answers everything.
 * Returns false when the arena is exhausted. */
static bool add_prepare(struct kreq *r, struct add_txn *a, const struct AddPartitionsToTxnTopic *t,
                        int nt, int16_t err)
{
	if (!err) /* the whole transaction, before its topics */
		err = az_txn(r, ACL_OP_WRITE, a->id);
	a->ntopics = nt;
	a->n = topics_partitions(t, nt);
	a->tps = arena_alloc(&r->arena, (size_t)(a->n ? a->n : 1) * sizeof(*a->tps));
	if (!a->tps)
		return false;
	bool unknown = false;
	int k = 0;
	for (int i = 0; i < nt; i++) {
		int np = array_count(&t[i].Partitions);
		const int32_t *idx = t[i].Partitions.elems;
		a->res[i].Name = t[i].Name;
		struct AddPartitionsToTxnPartitionResult *pr =
		        kreq_array(r, &a->res[i].ResultsByPartition, np, sizeof(*pr));
		if (!pr && np > 0)
			return false;
		/* Clients' versions only: v4+ come from brokers, authorized by CLUSTER_ACTION. An
		 * internal topic is never authorized there (Kafka filters them out first). */
		int16_t denied = 0;
		if (!err && r->version < 4)
			denied = md_topic_internal(t[i].Name.ptr, (size_t)KB_MAX(t[i].Name.len, 0))
			                 ? KERR_TOPIC_AUTHORIZATION_FAILED
			                 : az_topic(r, ACL_OP_WRITE, t[i].Name);
		for (int j = 0; j < np; j++) {
			pr[j].PartitionIndex = idx[j];
			if (denied) {
				pr[j].PartitionErrorCode = denied;
				unknown = true;
			} else if (!err && !pm_topic_known(r->b, t[i].Name, idx[j])) {
				pr[j].PartitionErrorCode = KERR_UNKNOWN_TOPIC_OR_PARTITION;
				unknown = true;
			}
			a->tps[k++] = (struct txn_tp){t[i].Name, idx[j]};
		}
	}
	if (err || unknown) { /* Kafka: the others are OPERATION_NOT_ATTEMPTED */
		for (int i = 0; i < nt; i++) {
			struct AddPartitionsToTxnPartitionResult *pr = a->res[i].ResultsByPartition.elems;
			for (int j = 0; j < a->res[i].ResultsByPartition.count; j++)
				if (pr[j].PartitionErrorCode == KERR_NONE)
					pr[j].PartitionErrorCode = err ? err : KERR_OPERATION_NOT_ATTEMPTED;
		}
		a->answered = true;
	}
	return true;
}

/* Asks the coordinator about one prepared transaction. */
static void add_run(struct kreq *r, struct twait *w, struct add_txn *a)
{
	if (a->answered)
		return;
	struct txn_coord *c;
	int16_t err = txn_coord_of(r, a->id, &c);
	if (err != KERR_NONE) {
		set_topics_error(a->res, a->ntopics, map_err(r, err));
		return;
	}
	if (a->verify_only) {
		int16_t *errs = arena_alloc(&r->arena, (size_t)(a->n ? a->n : 1) * sizeof(*errs));
		err = errs ? txn_verify_partition(c, a->id, a->pid, a->epoch, a->tps, a->n, errs)
		           : KERR_UNKNOWN_SERVER_ERROR;
		tsvc_done(r->b, a->id);
		if (err != KERR_NONE) {
			set_topics_error(a->res, a->ntopics, map_err(r, err));
			return;
		}
		int k = 0; /* errs follow the request's order, as the results do */
		for (int i = 0; i < a->ntopics; i++) {
			struct AddPartitionsToTxnPartitionResult *pr = a->res[i].ResultsByPartition.elems;
			for (int j = 0; j < a->res[i].ResultsByPartition.count; j++)
				pr[j].PartitionErrorCode = map_err(r, errs[k++]);
		}
		return;
	}
	struct titem *it = twait_item(w);
	it->topics = a->res;
	it->ntopics = a->ntopics;
	txn_add_partitions(c, a->id, a->pid, a->epoch, a->tps, a->n, it);
	tsvc_done(r->b, a->id);
}

static enum handler_result add_partitions_v3(struct kreq *r)
{
	const struct AddPartitionsToTxnRequest *req = r->req;
	struct AddPartitionsToTxnResponse *resp = r->resp;
	const struct AddPartitionsToTxnTopic *t = req->V3AndBelowTopics.elems;
	int nt = array_count(&req->V3AndBelowTopics);
	struct add_txn a = {.id = req->V3AndBelowTransactionalId,
	                    .pid = req->V3AndBelowProducerId,
	                    .epoch = req->V3AndBelowProducerEpoch};
	a.res = kreq_array(r, &resp->ResultsByTopicV3AndBelow, nt, sizeof(*a.res));
	int16_t err = topics_partitions(t, nt) > KB_TXN_REQ_MAX_PARTITIONS ? KERR_INVALID_REQUEST
	                                                                    : KERR_NONE;
	if ((!a.res && nt > 0) || !add_prepare(r, &a, t, nt, err))
		return H_CLOSE;
	struct twait *w = twait_new(r, TW_ADD, 1);
	add_run(r, w, &a);
	return twait_settle(w);
}

static enum handler_result add_partitions_v4(struct kreq *r)
{
	const struct AddPartitionsToTxnRequest *req = r->req;
	struct AddPartitionsToTxnResponse *resp = r->resp;
	const struct AddPartitionsToTxnTransaction *tx = req->Transactions.elems;
	int ntx = array_count(&req->Transactions);
	long total = 0;
	for (int i = 0; i < ntx; i++)
		total += topics_partitions(tx[i].Topics.elems, array_count(&tx[i].Topics));
	if (ntx > KB_TXN_REQ_MAX_TRANSACTIONS || total > KB_TXN_REQ_MAX_PARTITIONS) {
		resp->ErrorCode = KERR_INVALID_REQUEST;
		return H_RESPOND;
	}
	if (az_cluster(r, ACL_OP_CLUSTER_ACTION)) { /* a broker's request */
		resp->ErrorCode = KERR_CLUSTER_AUTHORIZATION_FAILED;
		return H_RESPOND;
	}
	struct AddPartitionsToTxnResult *out =
	        kreq_array(r, &resp->ResultsByTransaction, ntx, sizeof(*out));
	struct add_txn *as = arena_alloc(&r->arena, (size_t)(ntx ? ntx : 1) * sizeof(*as));
	if ((!out && ntx > 0) || !as)
		return H_CLOSE;
	for (int i = 0; i < ntx; i++) {
		int nt = array_count(&tx[i].Topics);
		out[i].TransactionalId = tx[i].TransactionalId;
		as[i] = (struct add_txn){.id = tx[i].TransactionalId, .pid = tx[i].ProducerId,
		                         .epoch = tx[i].ProducerEpoch, .verify_only = tx[i].VerifyOnly};
		as[i].res = kreq_array(r, &out[i].TopicResults, nt, sizeof(*as[i].res));
		if ((!as[i].res && nt > 0) || !add_prepare(r, &as[i], tx[i].Topics.elems, nt, 0))
			return H_CLOSE;
	}
	struct twait *w = twait_new(r, TW_ADD, ntx);
	for (int i = 0; i < ntx; i++)
		add_run(r, w, &as[i]);
	return twait_settle(w);
}

enum handler_result handle_add_partitions_to_txn(struct kreq *r)
{
	return r->version < 4 ? add_partitions_v3(r) : add_partitions_v4(r);
}

/* ---- AddOffsetsToTxn, EndTxn ----------------------------------------------------------------- */

enum handler_result handle_add_offsets_to_txn(struct kreq *r)
{
	const struct AddOffsetsToTxnRequest *req = r->req;
	struct AddOffsetsToTxnResponse *resp = r->resp;
	struct txn_coord *c;
	int16_t err = az_txn(r, ACL_OP_WRITE, req->TransactionalId);
	if (!err)
		err = az_group(r, ACL_OP_READ, req->GroupId);
	if (err) {
		resp->ErrorCode = err;
		return H_RESPOND;
	}
	err = txn_coord_of(r, req->TransactionalId, &c);
	if (err != KERR_NONE) {
		resp->ErrorCode = map_err(r, err);
		return H_RESPOND;
	}
	struct twait *w = twait_new(r, TW_OFFSETS, 1);
	txn_add_offsets(c, req->TransactionalId, req->ProducerId, req->ProducerEpoch, req->GroupId,
	                twait_item(w));
	tsvc_done(r->b, req->TransactionalId);
	return twait_settle(w);
}

enum handler_result handle_end_txn(struct kreq *r)
{
	const struct EndTxnRequest *req = r->req;
	struct EndTxnResponse *resp = r->resp;
	struct txn_coord *c;
	int16_t err = az_txn(r, ACL_OP_WRITE, req->TransactionalId);
	if (err) {
		resp->ErrorCode = err;
		return H_RESPOND;
	}
	err = txn_coord_of(r, req->TransactionalId, &c);
	if (err != KERR_NONE) {
		resp->ErrorCode = map_err(r, err);
		return H_RESPOND;
	}
	struct twait *w = twait_new(r, TW_END, 1);
	txn_end(c, req->TransactionalId, req->ProducerId, req->ProducerEpoch, req->Committed,
	        twait_item(w));
	tsvc_done(r->b, req->TransactionalId);
	return twait_settle(w);
}
