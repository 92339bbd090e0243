/* api_produce_verify.c — KIP-890 part 1 for Produce (see api_produce_verify.h). */
#include "api_produce_verify.h"

#include "../../common/kerr.h"
#include "../../log/pstate.h"
#include "../../net/kp_msgs.h"
#include "../coordsvc/tverify.h"
#include "../core/purgatory.h"

#include <string.h>

#define PV_ATTR_TXN 0x10
/* The parked wait outlives the verification channel's own timeout by this much. */
#define PV_WAIT_MARGIN_MS 5000

struct pv_wait {
	struct kreq *r;
	struct pg_op *op;
	struct pverify *pv;
	pverify_resume_fn resume;
	struct tverify_ticket *ticket; /* NULL once answered */
	int nasked;
	int *asked;                    /* flat partition index of each partition asked about */
	bool answered;
	int16_t top, *errs;
};

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* A transactional magic-2 batch's producer id, epoch and base sequence. */
static bool txn_header(struct kp_bytes rec, int64_t *pid, int16_t *epoch, int32_t *seq)
{
	if (rec.len < RB_HEADER_SIZE || rec.ptr[RB_MAGIC] != 2 ||
	    !(rec.ptr[RB_ATTRIBUTES + 1] & PV_ATTR_TXN))
		return false;
	*pid = (int64_t)get64(rec.ptr + RB_PRODUCER_ID);
	*epoch = (int16_t)(rec.ptr[RB_PRODUCER_EPOCH] << 8 | rec.ptr[RB_PRODUCER_EPOCH + 1]);
	*seq = (int32_t)((uint32_t)rec.ptr[RB_BASE_SEQUENCE] << 24 |
	                 (uint32_t)rec.ptr[RB_BASE_SEQUENCE + 1] << 16 |
	                 (uint32_t)rec.ptr[RB_BASE_SEQUENCE + 2] << 8 | rec.ptr[RB_BASE_SEQUENCE + 3]);
	return true;
}

static bool txn_open(struct partition *p, int64_t pid)
{
	const struct pstate_entry *e = pstate_find(plog_producers(p->log), pid);
	return e && e->txn_first != PSTATE_NO_TXN;
}

static struct pverify *pv_new(struct kreq *r, int total)
{
	struct pverify *pv = arena_alloc(&r->arena, sizeof(*pv));
	int n = total ? total : 1;
	if (!pv)
		return NULL;
	pv->n = total;
	pv->all = KERR_NONE;
	pv->err = arena_alloc(&r->arena, sizeof(*pv->err) * (size_t)n);
	pv->guard = arena_alloc(&r->arena, sizeof(*pv->guard) * (size_t)n);
	pv->skip = arena_alloc(&r->arena, sizeof(*pv->skip) * (size_t)n);
	if (!pv->err || !pv->guard || !pv->skip)
		return NULL;
	memset(pv->err, 0, sizeof(*pv->err) * (size_t)n);
	memset(pv->guard, 0, sizeof(*pv->guard) * (size_t)n);
	memset(pv->skip, 0, sizeof(*pv->skip) * (size_t)n);
	return pv;
}

/* The coordinator's answer into the partitions asked about. */
static void apply(struct kreq *r, struct pverify *pv, const int *asked, int n, int16_t top,
                  const int16_t *errs)
{
	for (int k = 0; k < n; k++) {
		int16_t e = top != KERR_NONE ? top : errs[k];
		pv->skip[asked[k]] = e == KERR_UNSUPPORTED_VERSION;
		pv->err[asked[k]] = tverify_produce_error(e, r->version);
	}
}

/* ---- The parked wait ------------------------------------------------------------------------- */

static void wait_free(struct pv_wait *w)
{
	kb_free(w->asked);
	kb_free(w->errs);
	kb_free(w);
}

static void finish(struct kreq *r, enum handler_result h)
{
	if (h == H_ASYNC) /* resume parked it again (an acks wait): that one finishes r */
		return;
	/* acks=0 has no answer; an error there would close the connection, which a finished
	 * request cannot do any more: it goes unanswered either way. */
	kreq_finish(r, h == H_RESPOND ? H_RESPOND : H_NO_RESPONSE);
}

static bool wait_try(struct pg_op *op, void *arg)
{
	KB_UNUSED(op);
	struct pv_wait *w = arg;
	if (!w->answered)
		return false;
	apply(w->r, w->pv, w->asked, w->nasked, w->top, w->errs);
	struct kreq *r = w->r;
	pverify_resume_fn resume = w->resume;
	struct pverify *pv = w->pv;
	wait_free(w);
	finish(r, resume(r, pv));
	return true;
}

/* Timed out, or the connection closed: nothing of the request is appended (a closed
 * connection's request must not park again for an acks wait). */
static void wait_expire(void *arg)
{
	struct pv_wait *w = arg;
	if (w->ticket)
		tverify_cancel(w->ticket); /* no callback any more */
	w->pv->all = KERR_REQUEST_TIMED_OUT;
	struct kreq *r = w->r;
	pverify_resume_fn resume = w->resume;
	struct pverify *pv = w->pv;
	wait_free(w);
	finish(r, resume(r, pv));
}

static void wait_drop(void *arg)
{
	struct pv_wait *w = arg;
	/* tverify_stop (broker shutdown) frees tickets without calling back */
	if (w->ticket && w->r->b->tverify)
		tverify_cancel(w->ticket);
	kreq_drop(w->r);
	wait_free(w);
}

static const struct pg_ops wait_ops = {wait_try, wait_expire, wait_drop, NULL};

static void verified(void *arg, int16_t top, const int16_t *errs, int n)
{
	struct pv_wait *w = arg;
	w->ticket = NULL;
	w->top = top;
	if (top == KERR_NONE)
		memcpy(w->errs, errs, sizeof(*errs) * (size_t)n);
	w->answered = true;
	purgatory_retry(w->op);
}

/* ---- Start ----------------------------------------------------------------------------------- */

/* Walks the request's transactional batches: the one producer id (else false, with every
 * partition INVALID_PRODUCER_ID_MAPPING), and whether there is any. */
static bool one_pid(const struct ProduceRequest *req, struct pverify *pv, int64_t *pid,
                    int16_t *epoch, bool *any)
{
	const struct TopicProduceData *in = req->TopicData.elems;
	*any = false;
	for (int t = 0; t < req->TopicData.count; t++) {
		const struct PartitionProduceData *pd = in[t].PartitionData.elems;
		for (int k = 0; k < in[t].PartitionData.count; k++) {
			int64_t p;
			int16_t e;
			int32_t s;
			if (!txn_header(pd[k].Records, &p, &e, &s))
				continue;
			if (*any && p != *pid) {
				for (int i = 0; i < pv->n; i++)
					pv->err[i] = KERR_INVALID_PRODUCER_ID_MAPPING;
				return false;
			}
			*any = true;
			*pid = p;
			*epoch = e;
		}
	}
	return true;
}

enum pverify_result pverify_start(struct kreq *r, int total, struct pverify **out,
                                  pverify_resume_fn resume)
{
	const struct ProduceRequest *req = r->req;
	const struct kb_config *cfg = &r->b->cfg;
	*out = NULL;
	if (r->version < 3 || req->TransactionalId.len < 0 ||
	    !cfg->transaction_partition_verification_enable)
		return PV_READY;
	struct pverify *pv = pv_new(r, total);
	int *asked = kb_malloc(sizeof(*asked) * (size_t)(total ? total : 1));
	struct txn_tp *tps = kb_malloc(sizeof(*tps) * (size_t)(total ? total : 1));
	int64_t pid = -1;
	int16_t epoch = -1;
	bool any;
	*out = pv;
	if (!pv || !one_pid(req, pv, &pid, &epoch, &any) || !any) {
		kb_free(asked);
		kb_free(tps);
		return pv ? PV_READY : PV_CLOSE;
	}
	const struct TopicProduceData *in = req->TopicData.elems;
	const struct TopicProduceResponse *resps =
	        ((const struct ProduceResponse *)r->resp)->Responses.elems;
	int n = 0, i = 0;
	int64_t now = kb_wall_ms();
	for (int t = 0; t < req->TopicData.count; t++) {
		const struct PartitionProduceData *pd = in[t].PartitionData.elems;
		const struct PartitionProduceResponse *po = resps[t].PartitionResponses.elems;
		for (int k = 0; k < in[t].PartitionData.count; k++, i++) {
			if (po[k].ErrorCode) /* already decided (authorization): not asked about */
				continue;
			int64_t p_id;
			int16_t e;
			int32_t seq;
			struct partition *p = pm_find(r->b, in[t].Name, pd[k].Index);
			if (!txn_header(pd[k].Records, &p_id, &e, &seq) || !p || !p->leader ||
			    txn_open(p, pid))
				continue; /* nothing to verify (or the append's own checks answer) */
			pv->guard[i] = tverify_touch(&p->txnv, pid, e, seq, now,
			                             (size_t)cfg->txn_verification_max_entries,
			                             cfg->producer_id_expiration_ms);
			if (pv->guard[i] == 0) {
				pv->err[i] = KERR_NOT_ENOUGH_REPLICAS; /* the named limit */
				continue;
			}
			tps[n] = (struct txn_tp){in[t].Name, pd[k].Index};
			asked[n++] = i;
		}
	}
	if (n == 0) {
		kb_free(asked);
		kb_free(tps);
		return PV_READY;
	}
	struct pv_wait *w = kb_calloc(1, sizeof(*w));
	w->errs = kb_calloc((size_t)n, sizeof(*w->errs));
	int rc = tverify_ask(r->b, req->TransactionalId, pid, epoch, tps, n, w->errs, verified, w,
	                     &w->ticket);
	kb_free(tps);
	if (rc != TVERIFY_PENDING) {
		apply(r, pv, asked, n, (int16_t)rc, w->errs);
		kb_free(asked);
		wait_free(w);
		return PV_READY;
	}
	*w = (struct pv_wait){.r = r, .pv = pv, .resume = resume, .ticket = w->ticket,
	                      .nasked = n, .asked = asked, .errs = w->errs};
	w->op = kreq_park(r, &wait_ops, w, TVERIFY_REQUEST_TIMEOUT_MS + PV_WAIT_MARGIN_MS);
	return PV_PARKED;
}

int16_t pverify_check(const struct pverify *pv, int i, struct partition *p,
                      const struct batch_info *info)
{
	if (!pv || !(info->attributes & PV_ATTR_TXN) || pv->skip[i] ||
	    txn_open(p, info->producer_id))
		return KERR_NONE;
	return tverify_check(&p->txnv, info->producer_id, pv->guard[i], info->base_sequence);
}

void pverify_appended(struct partition *p, const struct batch_info *info)
{
	if (info->attributes & PV_ATTR_TXN)
		tverify_clear(&p->txnv, info->producer_id);
}
