/* api_txn_admin.c — DescribeTransactions (key 65) v0 and ListTransactions (66) v0-1 (KIP-664),
 * answered from the transaction coordinators this broker hosts (tsvc.h), at once.
 *
 * DescribeTransactions: per id, the coordinator's errors (INVALID_REQUEST for an empty id,
 * NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS), TRANSACTIONAL_ID_NOT_FOUND, or the state by Kafka's name with
 * its partitions grouped by topic. More than KB_TXN_DESCRIBE_MAX_IDS ids: INVALID_REQUEST for
 * each, nothing looked up.
 * ListTransactions: every broker lists what it coordinates (the admin client asks them all);
 * COORDINATOR_LOAD_IN_PROGRESS and nothing listed while any partition is loading; state
 * names Kafka does not know are echoed in UnknownStateFilters (and, when every name asked is
 * unknown, nothing matches); more than KB_TXN_LIST_MAX_FILTERS filters: INVALID_REQUEST.
 * Authorization (Kafka 3.9): DescribeTransactions needs DESCRIBE on each id
 * (TRANSACTIONAL_ID_AUTHORIZATION_FAILED) and shows only the topics the principal may
 * DESCRIBE; ListTransactions lists only the ids it may DESCRIBE.
 */
#include "../../common/limits.h"
#include "../../net/kp_msgs.h"
#include "../coordsvc/tsvc.h"
#include "api_authz.h"
#include "api_group.h"
#include "api_txn.h"

#include <string.h>

/* ---- DescribeTransactions ------------------------------------------------------------------- */

static int count_topics(const struct txn_view *v)
{
	int n = 0;
	for (int i = 0; i < v->npartitions; i++)
		if (i == 0 || !kp_str_eq(v->partitions[i].topic, v->partitions[i - 1].topic))
			n++;
	return n;
}

/* Leaves out the topics the principal may not DESCRIBE (once per topic). */
static void filter_topics(struct kreq *r, struct DescribeTransactionsTransactionState *out)
{
	struct DescribeTransactionsTopicData *t = out->Topics.elems;
	int k = 0;
	for (int i = 0; i < out->Topics.count; i++)
		if (az_topic(r, ACL_OP_DESCRIBE, t[i].Topic) == 0)
			t[k++] = t[i];
	out->Topics.count = k;
}

/* Copies v's partitions into out's Topics (r's arena). false: arena exhausted. */
static bool fill_topics(struct kreq *r, const struct txn_view *v,
                        struct DescribeTransactionsTransactionState *out)
{
	int nt = count_topics(v);
	struct DescribeTransactionsTopicData *t = kreq_array(r, &out->Topics, nt, sizeof(*t));
	if (!t && nt > 0)
		return false;
	for (int i = 0, k = -1; i < v->npartitions; i++) {
		if (k < 0 || !kp_str_eq(v->partitions[i].topic, t[k].Topic)) {
			int j = i;
			while (j < v->npartitions && kp_str_eq(v->partitions[j].topic, v->partitions[i].topic))
				j++;
			t[++k].Topic = v->partitions[i].topic;
			if (!kreq_copy_str(r, &t[k].Topic) ||
			    (!kreq_array(r, &t[k].Partitions, j - i, sizeof(int32_t)) && j > i))
				return false;
			t[k].Partitions.count = 0;
		}
		((int32_t *)t[k].Partitions.elems)[t[k].Partitions.count++] = v->partitions[i].partition;
	}
	return true;
}

static bool describe_one(struct kreq *r, struct kp_str id,
                         struct DescribeTransactionsTransactionState *out)
{
	out->TransactionalId = id;
	out->TransactionState = KP_STR_LIT("");
	struct txn_coord *c;
	int16_t err = az_txn(r, ACL_OP_DESCRIBE, id);
	if (err) {
		out->ErrorCode = err;
		return true;
	}
	err = txn_coord_of(r, id, &c);
	struct txn_view v;
	if (err == KERR_NONE)
		err = txn_describe(c, id, &v);
	out->ErrorCode = err;
	if (err != KERR_NONE)
		return true;
	out->TransactionState = kp_str_c(txn_state_name(v.state));
	out->TransactionTimeoutMs = v.timeout_ms;
	out->TransactionStartTimeMs = v.start_ts;
	out->ProducerId = v.producer_id;
	out->ProducerEpoch = v.producer_epoch;
	if (!fill_topics(r, &v, out))
		return false;
	filter_topics(r, out);
	return true;
}

enum handler_result handle_describe_transactions(struct kreq *r)
{
	const struct DescribeTransactionsRequest *req = r->req;
	struct DescribeTransactionsResponse *resp = r->resp;
	const struct kp_str *ids = req->TransactionalIds.elems;
	int n = req->TransactionalIds.count > 0 ? req->TransactionalIds.count : 0;
	struct DescribeTransactionsTransactionState *out =
	        kreq_array(r, &resp->TransactionStates, n, sizeof(*out));
	if (!out && n > 0)
		return H_CLOSE;
	for (int i = 0; i < n; i++) {
		if (n > KB_TXN_DESCRIBE_MAX_IDS) {
			out[i] = (struct DescribeTransactionsTransactionState){
			        .ErrorCode = KERR_INVALID_REQUEST, .TransactionalId = ids[i],
			        .TransactionState = KP_STR_LIT(""), .ProducerId = -1,
			        .ProducerEpoch = -1, .TransactionStartTimeMs = -1};
		} else if (!describe_one(r, ids[i], &out[i])) {
			return H_CLOSE;
		}
	}
	return H_RESPOND;
}

/* ---- ListTransactions ----------------------------------------------------------------------- */

struct list_ctx {
	struct kreq *r;
	const struct txn_list_filter *f;
	struct ListTransactionsTransactionState *out; /* NULL: counting */
	int n, cap;
	bool failed;
};

static void list_one(void *arg, const struct txn_view *v)
{
	struct list_ctx *x = arg;
	if (az_txn(x->r, ACL_OP_DESCRIBE, v->txn_id))
		return; /* listed only with DESCRIBE on the id */
	if (x->out) {
		if (x->n >= x->cap)
			return;
		struct ListTransactionsTransactionState *o = &x->out[x->n];
		*o = (struct ListTransactionsTransactionState){
		        v->txn_id, v->producer_id, kp_str_c(txn_state_name(v->state))};
		if (!kreq_copy_str(x->r, &o->TransactionalId))
			x->failed = true;
	}
	x->n++;
}

static void list_coord(void *arg, struct txn_coord *c)
{
	struct list_ctx *x = arg;
	txn_list(c, x->f, list_one, x);
}

/* The filter of the request; unknown state names go to resp->UnknownStateFilters. */
static bool list_filter(struct kreq *r, struct txn_list_filter *f)
{
	const struct ListTransactionsRequest *req = r->req;
	struct ListTransactionsResponse *resp = r->resp;
	const struct kp_str *names = req->StateFilters.elems;
	int ns = req->StateFilters.count > 0 ? req->StateFilters.count : 0;
	int nunknown = 0;
	*f = (struct txn_list_filter){.any_state_asked = ns > 0,
	                              .npids = req->ProducerIdFilters.count > 0
	                                               ? req->ProducerIdFilters.count : 0,
	                              .pids = req->ProducerIdFilters.elems,
	                              .duration_ms = r->version >= 1 ? req->DurationFilter : -1};
	for (int i = 0; i < ns; i++) {
		enum txn_state s;
		if (txn_state_from_name(names[i], &s))
			f->states |= 1u << s;
		else
			nunknown++;
	}
	struct kp_str *unk = kreq_array(r, &resp->UnknownStateFilters, nunknown, sizeof(*unk));
	if (!unk && nunknown > 0)
		return false;
	for (int i = 0, k = 0; i < ns; i++) {
		enum txn_state s;
		if (!txn_state_from_name(names[i], &s))
			unk[k++] = names[i];
	}
	return true;
}

enum handler_result handle_list_transactions(struct kreq *r)
{
	const struct ListTransactionsRequest *req = r->req;
	struct ListTransactionsResponse *resp = r->resp;
	long nfilters = (long)(req->StateFilters.count > 0 ? req->StateFilters.count : 0) +
	                (req->ProducerIdFilters.count > 0 ? req->ProducerIdFilters.count : 0);
	if (nfilters > KB_TXN_LIST_MAX_FILTERS) {
		resp->ErrorCode = KERR_INVALID_REQUEST;
		return H_RESPOND;
	}
	struct txn_list_filter f;
	if (!list_filter(r, &f))
		return H_CLOSE;
	if (!r->b->txns) {
		resp->ErrorCode = KERR_COORDINATOR_NOT_AVAILABLE;
		return H_RESPOND;
	}
	if (tsvc_loading(r->b)) {
		resp->ErrorCode = KERR_COORDINATOR_LOAD_IN_PROGRESS;
		return H_RESPOND;
	}
	struct list_ctx x = {.r = r, .f = &f};
	tsvc_foreach(r->b, list_coord, &x); /* count */
	x.cap = x.n;
	x.n = 0;
	x.out = kreq_array(r, &resp->TransactionStates, x.cap, sizeof(*x.out));
	if (!x.out && x.cap > 0)
		return H_CLOSE;
	tsvc_foreach(r->b, list_coord, &x);
	resp->TransactionStates.count = x.n;
	return x.failed ? H_CLOSE : H_RESPOND;
}
