/* tverify.c — KIP-890 verification questions to transaction coordinators (see tverify.h).
 *
 * A question ("ticket") is answered at once when the coordinator is local or the answer is
 * known without asking; otherwise it is queued on its destination broker. One deferred
 * "kick" sends each destination's queue (as one AddPartitionsToTxn v4-5 request, when its
 * connection is ready and has nothing in flight), calls `done` for answered tickets, closes
 * idle connections and arms the idle timer. Replies and lost connections only record
 * answers and kick, so `done` never runs inside tverify_ask or an outclient callback.
 */
#include "tverify.h"

#include "../../common/kerr.h"
#include "../../common/limits.h"
#include "../../common/say.h"
#include "../../net/kp_msgs.h"
#include "peers.h"
#include "tsvc.h"
#include "tverify_queue.h"

#include <event2/event.h>
#include <string.h>

#define TVERIFY_IDLE_MS 60000
#define TVERIFY_CLIENT_ID "kbroker-txn-verify"

struct tverify_ticket {
	struct tvq_item q;           /* first: the queue's link, id, epoch, partitions */
	struct tverify *tv;
	int32_t dest;
	char *txn_id;
	int32_t txn_id_len;
	int64_t pid;
	int16_t epoch;
	int n;
	struct txn_tp *tps;          /* topics point into `names` */
	char *names;
	tverify_done_fn done;        /* NULL once cancelled */
	void *arg;
	bool sent;                   /* in a request in flight */
	int16_t top;                 /* the answer, once answered */
	int16_t *errs;
	struct tverify_ticket *next; /* the answered list */
};

static struct tverify_ticket *ticket_of(struct tvq_item *it)
{
	return (struct tverify_ticket *)(void *)it; /* q is the first member */
}

struct tv_req {
	struct tverify *tv;
	struct peer *peer;
	struct tvq_item *items;      /* its tickets, linked by q.next */
};

struct tv_dest {
	int32_t broker;
	struct tvq queue;            /* not sent yet */
	int count;                   /* queued + in flight */
	struct tv_dest *next;
};

struct tverify {
	struct broker *b;
	struct peers *peers;
	struct tv_dest *dests;
	struct tverify_ticket *answered;
	struct event *kick_ev, *timer;
	bool stopping;
};

static void kick(struct tverify *tv)
{
	if (!tv->stopping)
		event_active(tv->kick_ev, 0, 0);
}

static struct tv_dest *dest_of(struct tverify *tv, int32_t broker)
{
	struct tv_dest *d;
	for (d = tv->dests; d; d = d->next)
		if (d->broker == broker)
			return d;
	d = kb_calloc(1, sizeof(*d));
	d->broker = broker;
	tvq_init(&d->queue);
	d->next = tv->dests;
	tv->dests = d;
	return d;
}

static void ticket_free(struct tverify_ticket *t)
{
	kb_free(t->txn_id);
	kb_free(t->tps);
	kb_free(t->names);
	kb_free(t->errs);
	kb_free(t);
}

/* Records t's answer (errs NULL: top for all) and moves it to the answered list. */
static void answer(struct tverify *tv, struct tverify_ticket *t, int16_t top, const int16_t *errs)
{
	t->top = top;
	if (errs)
		memcpy(t->errs, errs, sizeof(*errs) * (size_t)t->n);
	struct tv_dest *d = dest_of(tv, t->dest);
	d->count--;
	t->next = tv->answered;
	tv->answered = t;
	kick(tv);
}

/* ---- Replies ------------------------------------------------------------------------------- */

static bool str_eq(struct kp_str a, const char *p, int32_t len)
{
	return a.len == len && (len == 0 || memcmp(a.ptr, p, (size_t)len) == 0);
}

/* t's per-partition codes from a v4+ response (NETWORK_EXCEPTION for any not found). */
static void match_ticket(const struct AddPartitionsToTxnResponse *resp, struct tverify_ticket *t,
                         int16_t *errs)
{
	for (int i = 0; i < t->n; i++)
		errs[i] = KERR_NETWORK_EXCEPTION;
	const struct AddPartitionsToTxnResult *rt = resp->ResultsByTransaction.elems;
	for (int i = 0; i < resp->ResultsByTransaction.count; i++) {
		if (!str_eq(rt[i].TransactionalId, t->txn_id, t->txn_id_len))
			continue;
		const struct AddPartitionsToTxnTopicResult *tr = rt[i].TopicResults.elems;
		for (int j = 0; j < rt[i].TopicResults.count; j++) {
			const struct AddPartitionsToTxnPartitionResult *pr =
			        tr[j].ResultsByPartition.elems;
			for (int k = 0; k < tr[j].ResultsByPartition.count; k++)
				for (int x = 0; x < t->n; x++)
					if (t->tps[x].partition == pr[k].PartitionIndex &&
					    str_eq(tr[j].Name, t->tps[x].topic.ptr, t->tps[x].topic.len))
						errs[x] = pr[k].PartitionErrorCode;
		}
	}
}

static void on_reply(struct outclient_reply *reply, void *arg)
{
	struct tv_req *rq = arg;
	struct tverify *tv = rq->tv;
	rq->peer->inflight--;
	rq->peer->used_ms = kb_mono_ms();
	const struct AddPartitionsToTxnResponse *resp = reply->body;
	int16_t top = reply->error != KERR_NONE ? KERR_NETWORK_EXCEPTION : resp->ErrorCode;
	struct tvq_item *it, *next;
	for (it = rq->items; it; it = next) {
		next = it->next;
		struct tverify_ticket *t = ticket_of(it);
		if (top != KERR_NONE) {
			answer(tv, t, top, NULL);
			continue;
		}
		int16_t *errs = kb_malloc(sizeof(*errs) * (size_t)(t->n ? t->n : 1));
		match_ticket(resp, t, errs);
		answer(tv, t, KERR_NONE, errs);
		kb_free(errs);
	}
	outclient_reply_free(reply);
	kb_free(rq);
}

/* ---- Sending ------------------------------------------------------------------------------- */

/* The request for rq's tickets (arrays in arena a). One topic entry per partition: the
 * coordinator merges them as a set. */
static bool build(struct arena *a, struct tv_req *rq, int ntxn, struct AddPartitionsToTxnRequest *req)
{
	memset(req, 0, sizeof(*req));
	req->V3AndBelowTransactionalId = KP_STR_LIT("");
	struct AddPartitionsToTxnTransaction *tx = arena_alloc(a, sizeof(*tx) * (size_t)ntxn);
	if (!tx)
		return false;
	req->Transactions = (struct kp_array){.elems = tx, .count = ntxn};
	int i = 0;
	for (struct tvq_item *it = rq->items; it; it = it->next, i++) {
		struct tverify_ticket *t = ticket_of(it);
		struct AddPartitionsToTxnTopic *tp = arena_alloc(a, sizeof(*tp) * (size_t)(t->n + 1));
		int32_t *idx = arena_alloc(a, sizeof(*idx) * (size_t)(t->n + 1));
		if (!tp || !idx)
			return false;
		for (int k = 0; k < t->n; k++) {
			idx[k] = t->tps[k].partition;
			tp[k] = (struct AddPartitionsToTxnTopic){
			        .Name = t->tps[k].topic,
			        .Partitions = {.elems = &idx[k], .count = 1}};
		}
		tx[i] = (struct AddPartitionsToTxnTransaction){
		        .TransactionalId = {t->txn_id, t->txn_id_len},
		        .ProducerId = t->pid, .ProducerEpoch = t->epoch, .VerifyOnly = true,
		        .Topics = {.elems = tp, .count = t->n}};
	}
	return true;
}

static void send_dest(struct tverify *tv, struct tv_dest *d, int64_t now)
{
	struct peer *p = peers_get(tv->peers, d->broker, now);
	if (!outclient_can_send(p->oc))
		return; /* kicked again when ready or lost */
	int16_t v = outclient_version(p->oc, KP_API_ADD_PARTITIONS_TO_TXN, 4, 5);
	if (v < 0) { /* the coordinator's broker has no v4: verification is skipped (Kafka) */
		struct tvq_item *it;
		while ((it = d->queue.head)) {
			tvq_remove(&d->queue, it);
			answer(tv, ticket_of(it), KERR_UNSUPPORTED_VERSION, NULL);
		}
		return;
	}
	int ntxn;
	struct tv_req *rq = kb_calloc(1, sizeof(*rq));
	rq->tv = tv;
	rq->peer = p;
	rq->items = tvq_take(&d->queue, KB_TXN_REQ_MAX_TRANSACTIONS, KB_TXN_REQ_MAX_PARTITIONS,
	                     &ntxn);
	struct arena a;
	arena_init(&a, (size_t)KB_TVERIFY_REQUEST_MAX_BYTES * 2);
	struct AddPartitionsToTxnRequest req;
	int16_t rc = build(&a, rq, ntxn, &req) ? KERR_NONE : KERR_INVALID_REQUEST;
	if (rc == KERR_NONE)
		rc = outclient_send(p->oc, KP_API_ADD_PARTITIONS_TO_TXN, v, &req,
		                    TVERIFY_REQUEST_TIMEOUT_MS, on_reply, rq);
	arena_destroy(&a);
	if (rc == KERR_NONE) {
		p->inflight++;
		return;
	}
	say_ratelimited(SAY_WARN, "txn", "cannot send AddPartitionsToTxn v%d to broker %d: %s", v,
	                d->broker, kerr_name(rc));
	struct tvq_item *it, *next;
	for (it = rq->items; it; it = next) {
		next = it->next;
		answer(tv, ticket_of(it), KERR_NETWORK_EXCEPTION, NULL);
	}
	kb_free(rq);
}

static void kick_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct tverify *tv = arg;
	int64_t now = kb_mono_ms();
	for (struct tv_dest *d = tv->dests; d; d = d->next)
		if (d->queue.head)
			send_dest(tv, d, now);
	while (tv->answered) {
		struct tverify_ticket *t = tv->answered;
		tv->answered = t->next;
		if (t->done)
			t->done(t->arg, t->top, t->errs, t->n);
		ticket_free(t);
	}
	struct tv_dest **pp = &tv->dests; /* destinations with nothing left go */
	while (*pp) {
		struct tv_dest *d = *pp;
		if (d->count == 0) {
			*pp = d->next;
			kb_free(d);
		} else {
			pp = &d->next;
		}
	}
	int64_t at = peers_close_idle(tv->peers, now);
	if (at != INT64_MAX) {
		int64_t ms = KB_MAX(at - now, 0) + 1;
		struct timeval tvl = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};
		evtimer_add(tv->timer, &tvl);
	}
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	kick_cb(fd, what, arg);
}

static void peer_ready(void *arg, struct peer *p)
{
	KB_UNUSED(p);
	kick(arg);
}

/* The queued questions for a broker we cannot reach fail now (NETWORK_EXCEPTION: the
 * producer retries and the coordinator is looked up again). */
static void peer_lost(void *arg, struct peer *p, int16_t err, const char *why)
{
	struct tverify *tv = arg;
	say_ratelimited(SAY_INFO, "txn", "verification channel to broker %d: %s (%s)", p->broker,
	                why, kerr_name(err));
	struct tv_dest *d = dest_of(tv, p->broker);
	struct tvq_item *it;
	while ((it = d->queue.head)) {
		tvq_remove(&d->queue, it);
		answer(tv, ticket_of(it), KERR_NETWORK_EXCEPTION, NULL);
	}
	if (p->inflight == 0)
		peers_close(p);
	kick(tv);
}

static struct tverify *tv_get(struct broker *b)
{
	if (!b->tverify) {
		struct tverify *tv = kb_calloc(1, sizeof(*tv));
		tv->b = b;
		tv->kick_ev = event_new(b->base, -1, 0, kick_cb, tv);
		tv->timer = evtimer_new(b->base, timer_cb, tv);
		struct peers_owner o = {
		        .arg = tv, .ready = peer_ready, .lost = peer_lost,
		        .client_id = TVERIFY_CLIENT_ID,
		        .max_request_bytes = KB_TVERIFY_REQUEST_MAX_BYTES,
		        .max_response_bytes = KB_TVERIFY_RESPONSE_MAX_BYTES,
		        .request_timeout_ms = TVERIFY_REQUEST_TIMEOUT_MS, .max_in_flight = 1,
		        .idle_ms = TVERIFY_IDLE_MS};
		tv->peers = peers_new(b, &o);
		b->tverify = tv;
	}
	return b->tverify;
}

/* ---- Asking -------------------------------------------------------------------------------- */

/* The leader of the id's __transaction_state partition, or -1. */
static int32_t coordinator_node(struct broker *b, struct kp_str txn_id)
{
	if (!b->coord)
		return -1;
	const struct md_topic *t = md_find_topic(coord_metadata(b->coord), TSVC_TOPIC);
	const struct md_partition *mp =
	        t ? md_topic_partition(t, tsvc_partition_for(b, txn_id)) : NULL;
	return mp && mp->has_state ? mp->state.leader : -1;
}

static struct tverify_ticket *ticket_new(struct tverify *tv, int32_t dest, struct kp_str id,
                                         int64_t pid, int16_t epoch, const struct txn_tp *tps,
                                         int n)
{
	struct tverify_ticket *t = kb_calloc(1, sizeof(*t));
	t->tv = tv;
	t->dest = dest;
	t->txn_id = kb_malloc((size_t)id.len + 1);
	memcpy(t->txn_id, id.ptr, (size_t)id.len);
	t->txn_id_len = id.len;
	t->pid = pid;
	t->epoch = epoch;
	t->n = n;
	t->q = (struct tvq_item){.id = t->txn_id, .id_len = id.len, .epoch = epoch, .nparts = n};
	size_t names = 1;
	for (int i = 0; i < n; i++)
		names += (size_t)tps[i].topic.len;
	t->names = kb_malloc(names);
	t->tps = kb_malloc(sizeof(*t->tps) * (size_t)(n ? n : 1));
	t->errs = kb_calloc((size_t)(n ? n : 1), sizeof(*t->errs));
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		memcpy(t->names + off, tps[i].topic.ptr, (size_t)tps[i].topic.len);
		t->tps[i] = (struct txn_tp){{t->names + off, tps[i].topic.len}, tps[i].partition};
		off += (size_t)tps[i].topic.len;
	}
	return t;
}

int tverify_ask(struct broker *b, struct kp_str txn_id, int64_t pid, int16_t epoch,
                const struct txn_tp *tps, int n, int16_t *errs, tverify_done_fn done,
                void *arg, struct tverify_ticket **ticket)
{
	*ticket = NULL;
	struct txn_coord *c;
	int16_t err = tsvc_coordinator(b, txn_id, &c);
	if (err == KERR_NONE) { /* this broker coordinates the id: no network */
		err = txn_verify_partition(c, txn_id, pid, epoch, tps, n, errs);
		tsvc_done(b, txn_id);
		return err;
	}
	if (err != KERR_NOT_COORDINATOR)
		return err;
	int32_t node = coordinator_node(b, txn_id);
	if (node < 0 || node == b->cfg.broker_id)
		return node < 0 ? KERR_COORDINATOR_NOT_AVAILABLE : KERR_NOT_COORDINATOR;
	struct tverify *tv = tv_get(b);
	struct tv_dest *d = dest_of(tv, node);
	struct tvq_item *displaced;
	int16_t derr;
	if ((err = tvq_same_id(&d->queue, txn_id, epoch, &displaced, &derr)) != KERR_NONE)
		return err; /* §B9 step 3 */
	if (displaced)
		answer(tv, ticket_of(displaced), derr, NULL);
	if (d->count >= KB_TVERIFY_MAX_QUEUED)
		return KERR_COORDINATOR_NOT_AVAILABLE;
	struct tverify_ticket *t = ticket_new(tv, node, txn_id, pid, epoch, tps, n);
	t->done = done;
	t->arg = arg;
	tvq_push(&d->queue, &t->q);
	d->count++;
	*ticket = t;
	kick(tv);
	return TVERIFY_PENDING;
}

void tverify_cancel(struct tverify_ticket *t)
{
	t->done = NULL; /* freed when answered (queued, in flight or answered already) */
}

void tverify_stop(struct broker *b)
{
	struct tverify *tv = b->tverify;
	if (!tv)
		return;
	tv->stopping = true;
	peers_free(tv->peers); /* in-flight replies run now: their tickets go to `answered` */
	while (tv->dests) {
		struct tv_dest *d = tv->dests;
		tv->dests = d->next;
		struct tvq_item *it;
		while ((it = d->queue.head)) {
			tvq_remove(&d->queue, it);
			ticket_free(ticket_of(it));
		}
		kb_free(d);
	}
	while (tv->answered) {
		struct tverify_ticket *t = tv->answered;
		tv->answered = t->next;
		ticket_free(t);
	}
	event_free(tv->kick_ev);
	event_free(tv->timer);
	kb_free(tv);
	b->tverify = NULL;
}

int16_t tverify_produce_error(int16_t err, int16_t produce_version)
{
	switch (err) {
	case KERR_NONE:
	case KERR_UNSUPPORTED_VERSION: /* the coordinator cannot verify: skipped */
		return KERR_NONE;
	case KERR_TRANSACTION_ABORTABLE:
		return produce_version >= 11 ? KERR_TRANSACTION_ABORTABLE : KERR_INVALID_TXN_STATE;
	case KERR_CONCURRENT_TRANSACTIONS:
	case KERR_NETWORK_EXCEPTION:
	case KERR_COORDINATOR_LOAD_IN_PROGRESS:
	case KERR_COORDINATOR_NOT_AVAILABLE:
	case KERR_NOT_COORDINATOR:
	case KERR_REQUEST_TIMED_OUT:
		return KERR_NOT_ENOUGH_REPLICAS; /* retriable for every client */
	case KERR_PRODUCER_FENCED:
		return KERR_INVALID_PRODUCER_EPOCH;
	case KERR_CLUSTER_AUTHORIZATION_FAILED:
		return KERR_INVALID_TXN_STATE;
	default:
		return err;
	}
}
