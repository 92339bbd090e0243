/* test_tmarkers.c — the pure part of the transaction marker channel
 * (server/coordsvc/tmarkers_plan.c): routing a job's partitions to leaders and batching
 * several jobs into one WriteTxnMarkers request (checked through the real codec, v0 and v1),
 * the per-request limit, the per-partition error classification and what it does to a job,
 * the retry schedule with a leader looked up again, topic-gone drops, owner cancellation with
 * answers arriving after it, and matching answers to entries. Leaks show under ASan. */
#include "../../common/kerr.h"
#include "../../common/limits.h"
#include "../../net/kp_msgs.h"
#include "../../server/coordsvc/tmarkers.h"
#include "../../server/coordsvc/tmarkers_plan.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#define BACKOFF TMARKERS_RETRY_BACKOFF_MS

/* ---- Helpers ----------------------------------------------------------------------------- */

/* Leaders: topic "a" partitions on broker 1 + (p % 2); "b" on broker 3; "gone" absent;
 * "nolead" without a leader. `moved` sends every partition of "a" to broker 9. */
struct cluster {
	bool moved;
	bool b_gone;
	int lookups;
};

static int32_t leader_fn(void *arg, const char *topic, int32_t partition)
{
	struct cluster *c = arg;
	c->lookups++;
	if (strcmp(topic, "a") == 0)
		return c->moved ? 9 : 1 + partition % 2;
	if (strcmp(topic, "b") == 0)
		return c->b_gone ? TMPLAN_GONE : 3;
	if (strcmp(topic, "nolead") == 0)
		return TMPLAN_NO_LEADER;
	return TMPLAN_GONE;
}

struct done_rec {
	int calls;
	int16_t error;
	int64_t pid;
	int16_t epoch;
	char txn_id[32];
};

static void done_fn(void *arg, struct kp_str txn_id, int64_t pid, int16_t epoch, int16_t error)
{
	struct done_rec *d = arg;
	d->calls++;
	d->error = error;
	d->pid = pid;
	d->epoch = epoch;
	snprintf(d->txn_id, sizeof(d->txn_id), "%.*s", (int)txn_id.len, txn_id.ptr);
}

static struct tmplan_job *add(struct tmplan *p, const char *id, int64_t pid, bool commit,
                              const struct txn_tp *tps, int n, const void *owner,
                              struct done_rec *d, int64_t now)
{
	struct txn_markers m = {.txn_id = kp_str_c(id), .producer_id = pid, .producer_epoch = 5,
	                        .commit = commit, .coordinator_epoch = 7, .npartitions = n,
	                        .partitions = tps};
	return tmplan_add(p, &m, owner, done_fn, d, now);
}

/* Pops every finished job and calls its done, as tmarkers.c does. */
static int run_done(struct tmplan *p)
{
	int n = 0;
	struct tmplan_job *j;
	while ((j = tmplan_pop_finished(p))) {
		j->done(j->arg, (struct kp_str){j->txn_id, j->txn_id_len}, j->pid, j->epoch,
		        j->error);
		tmplan_release(p, j);
		n++;
	}
	return n;
}

static bool has_leader(const struct tmplan_leaders *l, int32_t id)
{
	for (int i = 0; i < l->n; i++)
		if (l->ids[i] == id)
			return true;
	return false;
}

static void route(struct tmplan *p, struct cluster *c, int64_t now, struct tmplan_leaders *l)
{
	tmplan_leaders_free(l);
	tmplan_route(p, now, leader_fn, c, l);
}

static void answer_all(struct tmplan *p, const struct tmplan_entry *e, int n, int16_t err,
                       int64_t now)
{
	for (int i = 0; i < n; i++)
		tmplan_answer(p, &e[i], err, now);
}

/* Encodes req at version v with the real codec into b and decodes it back into out (arrays
 * in a, strings in b: free b after reading out). */
static void wire_roundtrip(const struct WriteTxnMarkersRequest *req, int16_t v, struct arena *a,
                           struct kbuf *b, struct WriteTxnMarkersRequest *out)
{
	kbuf_init(b, 1 << 20);
	CU_ASSERT_EQUAL_FATAL(kp_encode(&kp_WriteTxnMarkersRequest, v, v >= 1, req, b), KP_OK);
	struct kp_reader r;
	kp_reader_init(&r, b->data, b->len);
	CU_ASSERT_EQUAL(kp_decode(&kp_WriteTxnMarkersRequest, v, v >= 1, &r, a, out), KP_OK);
	CU_ASSERT_EQUAL(kp_remaining(&r), 0);
}

/* ---- Classification ---------------------------------------------------------------------- */

static void test_classify(void)
{
	CU_ASSERT_EQUAL(tmplan_classify(KERR_NONE), TMC_DONE);
	const int16_t retry[] = {KERR_UNKNOWN_TOPIC_OR_PARTITION, KERR_NOT_LEADER_OR_FOLLOWER,
	                         KERR_NOT_ENOUGH_REPLICAS, KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
	                         KERR_REQUEST_TIMED_OUT, KERR_KAFKA_STORAGE_ERROR,
	                         KERR_NETWORK_EXCEPTION, TMPLAN_UNANSWERED};
	for (size_t i = 0; i < KB_ARRAY_LEN(retry); i++)
		CU_ASSERT_EQUAL(tmplan_classify(retry[i]), TMC_RETRY);
	CU_ASSERT_EQUAL(tmplan_classify(KERR_UNSUPPORTED_FOR_MESSAGE_FORMAT), TMC_DROP);
	CU_ASSERT_EQUAL(tmplan_classify(KERR_UNSUPPORTED_VERSION), TMC_DROP);
	CU_ASSERT_EQUAL(tmplan_classify(KERR_INVALID_PRODUCER_EPOCH), TMC_FAIL);
	CU_ASSERT_EQUAL(tmplan_classify(KERR_TRANSACTION_COORDINATOR_FENCED), TMC_FAIL);
	const int16_t other[] = {KERR_CORRUPT_MESSAGE, KERR_MESSAGE_TOO_LARGE,
	                         KERR_RECORD_LIST_TOO_LARGE, KERR_UNKNOWN_SERVER_ERROR,
	                         KERR_PRODUCER_FENCED, 9999};
	for (size_t i = 0; i < KB_ARRAY_LEN(other); i++)
		CU_ASSERT_EQUAL(tmplan_classify(other[i]), TMC_UNEXPECTED);
}

/* ---- Grouping and batching --------------------------------------------------------------- */

static void test_group_by_leader_and_batch_jobs(void)
{
	struct tmplan p;
	tmplan_init(&p, BACKOFF);
	struct cluster c = {0};
	struct done_rec d1 = {0}, d2 = {0};
	const struct txn_tp t1[] = {{KP_STR_LIT("a"), 0}, {KP_STR_LIT("a"), 1}, {KP_STR_LIT("a"), 2},
	                            {KP_STR_LIT("b"), 0}};
	const struct txn_tp t2[] = {{KP_STR_LIT("a"), 4}, {KP_STR_LIT("b"), 1}, {KP_STR_LIT("b"), 2}};
	add(&p, "tx1", 100, true, t1, 4, NULL, &d1, 1000);
	add(&p, "tx2", 200, false, t2, 3, NULL, &d2, 1000);
	CU_ASSERT_EQUAL(tmplan_pending(&p), 2);

	struct tmplan_leaders l = {0};
	route(&p, &c, 1000, &l);
	CU_ASSERT_EQUAL(l.n, 3);
	CU_ASSERT(has_leader(&l, 1) && has_leader(&l, 2) && has_leader(&l, 3));

	/* Broker 1 leads a-0, a-2 (tx1) and a-4 (tx2): one request, two markers. */
	struct tmplan_entry e[16];
	int n = tmplan_take(&p, 1, 1000, 16, e);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_EQUAL(tmplan_take(&p, 1, 1000, 16, e + 8), 0); /* all SENT now */
	struct arena a;
	arena_init(&a, 1 << 20);
	struct WriteTxnMarkersRequest req;
	CU_ASSERT_EQUAL_FATAL(tmplan_request(e, n, &a, &req), KERR_NONE);
	for (int16_t v = 0; v <= 1; v++) {
		struct WriteTxnMarkersRequest got;
		struct kbuf b;
		wire_roundtrip(&req, v, &a, &b, &got);
		CU_ASSERT_EQUAL_FATAL(got.Markers.count, 2);
		const struct WritableTxnMarker *m = got.Markers.elems;
		CU_ASSERT_EQUAL(m[0].ProducerId, 100);
		CU_ASSERT_EQUAL(m[0].ProducerEpoch, 5);
		CU_ASSERT_EQUAL(m[0].TransactionResult, true);
		CU_ASSERT_EQUAL(m[0].CoordinatorEpoch, 7);
		CU_ASSERT_EQUAL_FATAL(m[0].Topics.count, 1);
		const struct WritableTxnMarkerTopic *t = m[0].Topics.elems;
		CU_ASSERT(kp_str_eq_c(t[0].Name, "a"));
		CU_ASSERT_EQUAL_FATAL(t[0].PartitionIndexes.count, 2);
		CU_ASSERT_EQUAL(((int32_t *)t[0].PartitionIndexes.elems)[0], 0);
		CU_ASSERT_EQUAL(((int32_t *)t[0].PartitionIndexes.elems)[1], 2);
		CU_ASSERT_EQUAL(m[1].ProducerId, 200);
		CU_ASSERT_EQUAL(m[1].TransactionResult, false);
		t = m[1].Topics.elems;
		CU_ASSERT_EQUAL_FATAL(m[1].Topics.count, 1);
		CU_ASSERT_EQUAL(((int32_t *)t[0].PartitionIndexes.elems)[0], 4);
		kbuf_free(&b);
	}

	/* Broker 3 leads b-0 (tx1), b-1 and b-2 (tx2). */
	struct tmplan_entry e3[16];
	int n3 = tmplan_take(&p, 3, 1000, 16, e3);
	CU_ASSERT_EQUAL(n3, 3);
	struct tmplan_entry e2[16];
	int n2 = tmplan_take(&p, 2, 1000, 16, e2);
	CU_ASSERT_EQUAL(n2, 1); /* a-1 */

	answer_all(&p, e, n, KERR_NONE, 1001);
	answer_all(&p, e3, n3, KERR_NONE, 1001);
	CU_ASSERT_EQUAL(run_done(&p), 1); /* tx2 is complete, tx1 still waits for a-1 */
	CU_ASSERT_EQUAL(d2.calls, 1);
	CU_ASSERT_EQUAL(d2.error, KERR_NONE);
	CU_ASSERT_EQUAL(d2.pid, 200);
	CU_ASSERT_STRING_EQUAL(d2.txn_id, "tx2");
	CU_ASSERT_EQUAL(d1.calls, 0);
	answer_all(&p, e2, n2, KERR_NONE, 1002);
	CU_ASSERT_EQUAL(run_done(&p), 1);
	CU_ASSERT_EQUAL(d1.calls, 1);
	CU_ASSERT_EQUAL(d1.epoch, 5);
	CU_ASSERT_EQUAL(tmplan_pending(&p), 0);
	CU_ASSERT_EQUAL(run_done(&p), 0); /* exactly once */
	tmplan_leaders_free(&l);
	arena_destroy(&a);
	tmplan_destroy(&p);
}

static void test_request_limit(void)
{
	struct tmplan p;
	tmplan_init(&p, BACKOFF);
	struct cluster c = {.moved = true}; /* every "a" partition on broker 9 */
	enum { N = 2500 };
	static struct txn_tp tps[N];
	for (int i = 0; i < N; i++)
		tps[i] = (struct txn_tp){KP_STR_LIT("a"), i};
	struct done_rec d = {0};
	add(&p, "big", 1, true, tps, N, NULL, &d, 0);
	struct tmplan_leaders l = {0};
	route(&p, &c, 0, &l);
	CU_ASSERT_EQUAL(l.n, 1);
	const int max = KB_TMARKERS_MAX_PARTITIONS_PER_REQUEST;
	struct tmplan_entry *e = kb_malloc(sizeof(*e) * (size_t)max);
	int sizes[4], nreq = 0, next_part = 0;
	int n;
	while ((n = tmplan_take(&p, 9, 0, max, e)) > 0 && nreq < 4) {
		sizes[nreq++] = n;
		for (int i = 0; i < n; i++) /* in order, none twice */
			CU_ASSERT_EQUAL(e[i].job->parts[e[i].part].partition, next_part++);
		struct arena a;
		arena_init(&a, (size_t)KB_TMARKERS_REQUEST_MAX_BYTES * 4);
		struct WriteTxnMarkersRequest req;
		CU_ASSERT_EQUAL(tmplan_request(e, n, &a, &req), KERR_NONE);
		/* The encoded request stays under the byte limit the connection enforces. */
		struct kbuf b;
		kbuf_init(&b, KB_TMARKERS_REQUEST_MAX_BYTES);
		CU_ASSERT_EQUAL(kp_encode(&kp_WriteTxnMarkersRequest, 1, true, &req, &b), KP_OK);
		kbuf_free(&b);
		arena_destroy(&a);
		answer_all(&p, e, n, KERR_NONE, 0);
	}
	CU_ASSERT_EQUAL(nreq, 3);
	CU_ASSERT_EQUAL(sizes[0], max);
	CU_ASSERT_EQUAL(sizes[1], max);
	CU_ASSERT_EQUAL(sizes[2], N - 2 * max);
	CU_ASSERT_EQUAL(run_done(&p), 1);
	CU_ASSERT_EQUAL(d.calls, 1);
	kb_free(e);
	tmplan_leaders_free(&l);
	tmplan_destroy(&p);
}

/* The largest request possible (every partition its own marker, longest topic names) fits. */
static void test_request_limit_bytes_worst_case(void)
{
	struct tmplan p;
	tmplan_init(&p, BACKOFF);
	const int max = KB_TMARKERS_MAX_PARTITIONS_PER_REQUEST;
	char name[KB_TXN_TOPIC_MAX_BYTES + 1];
	memset(name, 'x', KB_TXN_TOPIC_MAX_BYTES);
	name[KB_TXN_TOPIC_MAX_BYTES] = 0;
	struct txn_tp tp = {kp_str_c(name), 0};
	struct done_rec d = {0};
	for (int i = 0; i < max; i++)
		add(&p, "t", i, true, &tp, 1, NULL, &d, 0);
	/* leader_fn does not know "xxx...": routed by hand. */
	for (struct tmplan_job *j = p.active.head; j; j = j->next)
		j->parts[0].leader = 4;
	struct tmplan_entry *e = kb_malloc(sizeof(*e) * (size_t)max);
	int n = tmplan_take(&p, 4, 0, max, e);
	CU_ASSERT_EQUAL(n, max);
	struct arena a;
	arena_init(&a, (size_t)KB_TMARKERS_REQUEST_MAX_BYTES * 4);
	struct WriteTxnMarkersRequest req;
	CU_ASSERT_EQUAL(tmplan_request(e, n, &a, &req), KERR_NONE);
	CU_ASSERT_EQUAL(req.Markers.count, max);
	for (int16_t v = 0; v <= 1; v++) {
		struct kbuf b;
		kbuf_init(&b, KB_TMARKERS_REQUEST_MAX_BYTES);
		CU_ASSERT_EQUAL(kp_encode(&kp_WriteTxnMarkersRequest, v, v >= 1, &req, &b), KP_OK);
		kbuf_free(&b);
	}
	arena_destroy(&a);
	kb_free(e);
	tmplan_destroy(&p);
}

/* ---- Errors, retries, drops -------------------------------------------------------------- */

static void test_retry_schedule_and_new_leader(void)
{
	struct tmplan p;
	tmplan_init(&p, BACKOFF);
	struct cluster c = {0};
	struct done_rec d = {0};
	const struct txn_tp tps[] = {{KP_STR_LIT("a"), 0}, {KP_STR_LIT("a"), 2}};
	add(&p, "tx", 7, true, tps, 2, NULL, &d, 5000);
	struct tmplan_leaders l = {0};
	route(&p, &c, 5000, &l);
	struct tmplan_entry e[4];
	int n = tmplan_take(&p, 1, 5000, 4, e);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(tmplan_next_due(&p), INT64_MAX); /* nothing waits */
	/* a-0 acknowledged, a-2: the leader moved. */
	CU_ASSERT_EQUAL(tmplan_answer(&p, &e[0], KERR_NONE, 5010), TMC_DONE);
	CU_ASSERT_EQUAL(tmplan_answer(&p, &e[1], KERR_NOT_LEADER_OR_FOLLOWER, 5010), TMC_RETRY);
	CU_ASSERT_EQUAL(tmplan_next_due(&p), 5010 + BACKOFF);
	CU_ASSERT(tmplan_waits_for(&p, 1)); /* a-2 will go to broker 1 unless it moves */
	CU_ASSERT(!tmplan_waits_for(&p, 9));
	/* Not before the backoff: neither looked up nor sent. */
	c.moved = true;
	int before = c.lookups;
	route(&p, &c, 5010 + BACKOFF - 1, &l);
	CU_ASSERT_EQUAL(c.lookups, before);
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_EQUAL(tmplan_take(&p, 1, 5010 + BACKOFF - 1, 4, e), 0);
	/* At the backoff: looked up again, goes to the new leader only. */
	route(&p, &c, 5010 + BACKOFF, &l);
	CU_ASSERT_EQUAL(c.lookups, before + 1);
	CU_ASSERT_EQUAL(l.n, 1);
	CU_ASSERT(has_leader(&l, 9));
	CU_ASSERT(!tmplan_waits_for(&p, 1));
	CU_ASSERT(tmplan_waits_for(&p, 9));
	CU_ASSERT_EQUAL(tmplan_take(&p, 1, 5010 + BACKOFF, 4, e), 0);
	n = tmplan_take(&p, 9, 5010 + BACKOFF, 4, e);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(e[0].job->parts[e[0].part].sends, 2);
	/* Unexpected errors and lost connections are retried too, each after the backoff. */
	int64_t t = 5010 + BACKOFF;
	const int16_t errs[] = {KERR_CORRUPT_MESSAGE, KERR_NETWORK_EXCEPTION, KERR_REQUEST_TIMED_OUT,
	                        KERR_KAFKA_STORAGE_ERROR, KERR_NOT_ENOUGH_REPLICAS};
	for (size_t i = 0; i < KB_ARRAY_LEN(errs); i++) {
		tmplan_answer(&p, &e[0], errs[i], t);
		CU_ASSERT_EQUAL(run_done(&p), 0);
		CU_ASSERT_EQUAL(tmplan_next_due(&p), t + BACKOFF);
		t += BACKOFF;
		route(&p, &c, t, &l);
		CU_ASSERT_EQUAL_FATAL(tmplan_take(&p, 9, t, 4, e), 1);
	}
	CU_ASSERT_EQUAL(tmplan_answer(&p, &e[0], KERR_NONE, t), TMC_DONE);
	CU_ASSERT_EQUAL(run_done(&p), 1);
	CU_ASSERT_EQUAL(d.calls, 1);
	CU_ASSERT_EQUAL(d.error, KERR_NONE);
	tmplan_leaders_free(&l);
	tmplan_destroy(&p);
}

static void test_no_leader_waits(void)
{
	struct tmplan p;
	tmplan_init(&p, BACKOFF);
	struct cluster c = {0};
	struct done_rec d = {0};
	const struct txn_tp tps[] = {{KP_STR_LIT("nolead"), 0}};
	add(&p, "tx", 7, true, tps, 1, NULL, &d, 0);
	struct tmplan_leaders l = {0};
	route(&p, &c, 0, &l);
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_EQUAL(tmplan_next_due(&p), BACKOFF);
	route(&p, &c, BACKOFF, &l);
	CU_ASSERT_EQUAL(tmplan_next_due(&p), 2 * BACKOFF);
	CU_ASSERT_EQUAL(run_done(&p), 0);
	CU_ASSERT_EQUAL(tmplan_pending(&p), 1);
	tmplan_leaders_free(&l);
	tmplan_destroy(&p); /* frees the waiting job */
}

static void test_topic_gone_dropped(void)
{
	struct tmplan p;
	tmplan_init(&p, BACKOFF);
	struct cluster c = {0};
	struct done_rec d1 = {0}, d2 = {0};
	const struct txn_tp t1[] = {{KP_STR_LIT("gone"), 0}, {KP_STR_LIT("gone"), 1}};
	const struct txn_tp t2[] = {{KP_STR_LIT("a"), 0}, {KP_STR_LIT("b"), 5}};
	add(&p, "allgone", 1, false, t1, 2, NULL, &d1, 0);
	add(&p, "some", 2, true, t2, 2, NULL, &d2, 0);
	struct tmplan_leaders l = {0};
	route(&p, &c, 0, &l);
	CU_ASSERT_EQUAL(run_done(&p), 1); /* every partition of "allgone" dropped */
	CU_ASSERT_EQUAL(d1.calls, 1);
	CU_ASSERT_EQUAL(d1.error, KERR_NONE);
	/* "some": b-5 fails retriably, then its topic is deleted: dropped at the next lookup. */
	struct tmplan_entry e[4];
	CU_ASSERT_EQUAL_FATAL(tmplan_take(&p, 3, 0, 4, e), 1);
	tmplan_answer(&p, &e[0], KERR_UNKNOWN_TOPIC_OR_PARTITION, 10);
	CU_ASSERT_EQUAL_FATAL(tmplan_take(&p, 1, 0, 4, e), 1);
	tmplan_answer(&p, &e[0], KERR_NONE, 10);
	CU_ASSERT_EQUAL(run_done(&p), 0);
	c.b_gone = true;
	route(&p, &c, 10 + BACKOFF, &l);
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_EQUAL(run_done(&p), 1);
	CU_ASSERT_EQUAL(d2.calls, 1);
	CU_ASSERT_EQUAL(d2.error, KERR_NONE);
	tmplan_leaders_free(&l);
	tmplan_destroy(&p);
}

static void test_drop_and_fail(void)
{
	struct tmplan p;
	tmplan_init(&p, BACKOFF);
	struct cluster c = {0};
	struct done_rec d1 = {0}, d2 = {0};
	const struct txn_tp tps[] = {{KP_STR_LIT("a"), 0}, {KP_STR_LIT("a"), 1}, {KP_STR_LIT("b"), 0}};
	add(&p, "drop", 1, true, tps, 3, NULL, &d1, 0);
	add(&p, "fail", 2, true, tps, 3, NULL, &d2, 0);
	struct tmplan_leaders l = {0};
	route(&p, &c, 0, &l);
	struct tmplan_entry e1[8], e2[8], e3[8];
	int n1 = tmplan_take(&p, 1, 0, 8, e1); /* a-0 of both */
	int n2 = tmplan_take(&p, 2, 0, 8, e2); /* a-1 of both */
	int n3 = tmplan_take(&p, 3, 0, 8, e3); /* b-0 of both */
	CU_ASSERT_EQUAL_FATAL(n1 + n2 + n3, 6);
	/* "drop": UNSUPPORTED_* drops the partition; the job completes normally. */
	CU_ASSERT_EQUAL(tmplan_answer(&p, &e1[0], KERR_UNSUPPORTED_FOR_MESSAGE_FORMAT, 1), TMC_DROP);
	CU_ASSERT_EQUAL(tmplan_answer(&p, &e2[0], KERR_UNSUPPORTED_VERSION, 1), TMC_DROP);
	CU_ASSERT_EQUAL(tmplan_answer(&p, &e3[0], KERR_NONE, 1), TMC_DONE);
	/* "fail": the fencing error ends the job at once with it, whatever else is in flight. */
	CU_ASSERT_EQUAL(tmplan_answer(&p, &e1[1], KERR_TRANSACTION_COORDINATOR_FENCED, 1), TMC_FAIL);
	CU_ASSERT_EQUAL(tmplan_pending(&p), 2); /* both finished, done not called yet */
	CU_ASSERT_EQUAL(run_done(&p), 2);
	CU_ASSERT_EQUAL(d1.calls, 1);
	CU_ASSERT_EQUAL(d1.error, KERR_NONE);
	CU_ASSERT_EQUAL(d2.calls, 1);
	CU_ASSERT_EQUAL(d2.error, KERR_TRANSACTION_COORDINATOR_FENCED);
	CU_ASSERT_EQUAL(tmplan_pending(&p), 0);
	CU_ASSERT_EQUAL(p.dead.n, 1); /* still referenced by two requests */
	/* Its late answers count for nothing (no second done) and free it with the last one. */
	tmplan_answer(&p, &e2[1], KERR_NONE, 2);
	CU_ASSERT_EQUAL(p.dead.n, 1);
	tmplan_answer(&p, &e3[1], KERR_INVALID_PRODUCER_EPOCH, 2);
	CU_ASSERT_EQUAL(p.dead.n, 0);
	CU_ASSERT_EQUAL(run_done(&p), 0);
	CU_ASSERT_EQUAL(d2.calls, 1);
	tmplan_leaders_free(&l);
	tmplan_destroy(&p);
}

static void test_empty_job_finishes(void)
{
	struct tmplan p;
	tmplan_init(&p, BACKOFF);
	struct done_rec d = {0};
	add(&p, "empty", 3, false, NULL, 0, NULL, &d, 0);
	CU_ASSERT_EQUAL(tmplan_pending(&p), 1);
	CU_ASSERT_EQUAL(d.calls, 0); /* never inside the add */
	CU_ASSERT_EQUAL(run_done(&p), 1);
	CU_ASSERT_EQUAL(d.calls, 1);
	CU_ASSERT_EQUAL(d.error, KERR_NONE);
	tmplan_destroy(&p);
}

/* ---- Owner cancellation ------------------------------------------------------------------ */

static void test_cancel_by_owner(void)
{
	struct tmplan p;
	tmplan_init(&p, BACKOFF);
	struct cluster c = {0};
	int owner_x, owner_y;
	struct done_rec dx1 = {0}, dx2 = {0}, dx3 = {0}, dy = {0};
	const struct txn_tp tps[] = {{KP_STR_LIT("a"), 0}, {KP_STR_LIT("b"), 0}};
	add(&p, "x1", 1, true, tps, 2, &owner_x, &dx1, 0);     /* in flight when cancelled */
	add(&p, "x2", 2, true, tps, 2, &owner_x, &dx2, 0);     /* finished, done not yet called */
	add(&p, "y", 3, true, tps, 2, &owner_y, &dy, 0);
	struct tmplan_leaders l = {0};
	route(&p, &c, 0, &l);
	struct tmplan_entry e1[8], e3[8];
	int n1 = tmplan_take(&p, 1, 0, 8, e1);
	int n3 = tmplan_take(&p, 3, 0, 8, e3);
	CU_ASSERT_EQUAL_FATAL(n1, 3);
	CU_ASSERT_EQUAL_FATAL(n3, 3);
	tmplan_answer(&p, &e1[1], KERR_NONE, 1); /* x2 a-0 */
	tmplan_answer(&p, &e3[1], KERR_NONE, 1); /* x2 b-0: x2 finished */
	add(&p, "x3", 4, true, tps, 2, &owner_x, &dx3, 1);     /* queued, never sent */
	CU_ASSERT_EQUAL(tmplan_pending(&p), 4);
	CU_ASSERT_EQUAL(tmplan_cancel(&p, &owner_x), 3);
	CU_ASSERT_EQUAL(tmplan_pending(&p), 1);
	CU_ASSERT_EQUAL(p.dead.n, 1); /* x1: two references in flight; x2, x3 freed at once */
	/* The cancelled job's answers arrive: ignored, x1 freed with the last reference. */
	tmplan_answer(&p, &e1[0], KERR_NONE, 2);
	tmplan_answer(&p, &e3[0], KERR_INVALID_PRODUCER_EPOCH, 2);
	CU_ASSERT_EQUAL(p.dead.n, 0);
	/* y goes on. */
	route(&p, &c, 2, &l);
	CU_ASSERT_EQUAL(tmplan_take(&p, 1, 2, 8, e1), 0);
	tmplan_answer(&p, &e1[2], KERR_NONE, 3);
	tmplan_answer(&p, &e3[2], KERR_NONE, 3);
	CU_ASSERT_EQUAL(run_done(&p), 1);
	CU_ASSERT_EQUAL(dy.calls, 1);
	CU_ASSERT_EQUAL(dx1.calls + dx2.calls + dx3.calls, 0);
	CU_ASSERT_EQUAL(tmplan_cancel(&p, &owner_x), 0);
	tmplan_leaders_free(&l);
	tmplan_destroy(&p);
}

static void test_cancel_all_then_answers(void)
{
	struct tmplan p;
	tmplan_init(&p, BACKOFF);
	struct cluster c = {0};
	struct done_rec d = {0};
	const struct txn_tp tps[] = {{KP_STR_LIT("a"), 0}, {KP_STR_LIT("a"), 1}};
	add(&p, "s1", 1, true, tps, 2, &c, &d, 0);
	add(&p, "s2", 2, true, tps, 2, NULL, &d, 0);
	struct tmplan_leaders l = {0};
	route(&p, &c, 0, &l);
	struct tmplan_entry e[8];
	int n = tmplan_take(&p, 1, 0, 8, e);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(tmplan_cancel_all(&p), 2);
	CU_ASSERT_EQUAL(tmplan_pending(&p), 0);
	answer_all(&p, e, n, KERR_NETWORK_EXCEPTION, 1); /* connections closed at shutdown */
	CU_ASSERT_EQUAL(p.dead.n, 0);
	CU_ASSERT_EQUAL(run_done(&p), 0);
	CU_ASSERT_EQUAL(d.calls, 0);
	tmplan_leaders_free(&l);
	tmplan_destroy(&p);
}

/* ---- Matching answers -------------------------------------------------------------------- */

static void test_match_answers(void)
{
	struct tmplan p;
	tmplan_init(&p, BACKOFF);
	struct cluster c = {.moved = true};
	struct done_rec d = {0};
	const struct txn_tp tps[] = {{KP_STR_LIT("a"), 0}, {KP_STR_LIT("a"), 1}, {KP_STR_LIT("a"), 2}};
	add(&p, "m1", 10, true, tps, 3, NULL, &d, 0);
	add(&p, "m2", 20, true, tps, 2, NULL, &d, 0);
	struct tmplan_leaders l = {0};
	route(&p, &c, 0, &l);
	struct tmplan_entry e[8];
	int n = tmplan_take(&p, 9, 0, 8, e);
	CU_ASSERT_EQUAL_FATAL(n, 5);
	/* Out of order, a-1 of pid 10 missing, a result nobody asked for, a duplicate. */
	struct WritableTxnMarkerPartitionResult r20[] = {{1, KERR_NOT_LEADER_OR_FOLLOWER},
	                                                 {0, KERR_NONE}, {0, KERR_CORRUPT_MESSAGE}};
	struct WritableTxnMarkerPartitionResult r10[] = {{2, KERR_KAFKA_STORAGE_ERROR},
	                                                 {0, KERR_NONE}, {7, KERR_NONE}};
	struct WritableTxnMarkerTopicResult t20[] = {{KP_STR_LIT("a"), {r20, 3}}};
	struct WritableTxnMarkerTopicResult t10[] = {{KP_STR_LIT("zz"), {r10, 1}},
	                                             {KP_STR_LIT("a"), {r10, 3}}};
	struct WritableTxnMarkerResult m[] = {{20, {t20, 1}}, {10, {t10, 2}}, {99, {t20, 1}}};
	struct WriteTxnMarkersResponse resp = {{m, 3}};
	int16_t errs[8];
	tmplan_match(e, n, &resp, errs);
	/* Entries: m1 a-0, a-1, a-2, m2 a-0, a-1. */
	CU_ASSERT_EQUAL(errs[0], KERR_NONE);
	CU_ASSERT_EQUAL(errs[1], TMPLAN_UNANSWERED);
	CU_ASSERT_EQUAL(errs[2], KERR_KAFKA_STORAGE_ERROR);
	CU_ASSERT_EQUAL(errs[3], KERR_NONE);
	CU_ASSERT_EQUAL(errs[4], KERR_NOT_LEADER_OR_FOLLOWER);
	/* A flood of results only costs a bounded number of looks (2n): later ones unanswered. */
	enum { FLOOD = 1000 };
	static struct WritableTxnMarkerPartitionResult junk[FLOOD];
	for (int i = 0; i < FLOOD; i++)
		junk[i] = (struct WritableTxnMarkerPartitionResult){1000 + i, KERR_NONE};
	struct WritableTxnMarkerTopicResult tj[] = {{KP_STR_LIT("a"), {junk, FLOOD}},
	                                            {KP_STR_LIT("a"), {r20, 2}}};
	struct WritableTxnMarkerResult mj[] = {{20, {tj, 2}}};
	struct WriteTxnMarkersResponse rj = {{mj, 1}};
	tmplan_match(e, n, &rj, errs);
	for (int i = 0; i < n; i++)
		CU_ASSERT_EQUAL(errs[i], TMPLAN_UNANSWERED);
	answer_all(&p, e, n, KERR_NONE, 1);
	CU_ASSERT_EQUAL(run_done(&p), 2);
	tmplan_leaders_free(&l);
	tmplan_destroy(&p);
}

void suite_tmarkers(void);
void suite_tmarkers(void)
{
	CU_pSuite s = CU_add_suite("tmarkers", NULL, NULL);
	CU_add_test(s, "per-partition error classification", test_classify);
	CU_add_test(s, "grouped by leader, jobs batched in one request", test_group_by_leader_and_batch_jobs);
	CU_add_test(s, "partitions per request limit", test_request_limit);
	CU_add_test(s, "worst-case request fits the byte limit", test_request_limit_bytes_worst_case);
	CU_add_test(s, "retry after the backoff, leader looked up again", test_retry_schedule_and_new_leader);
	CU_add_test(s, "no leader: waits", test_no_leader_waits);
	CU_add_test(s, "topic gone: partitions dropped", test_topic_gone_dropped);
	CU_add_test(s, "UNSUPPORTED_* dropped, fencing ends the job", test_drop_and_fail);
	CU_add_test(s, "a job without partitions finishes", test_empty_job_finishes);
	CU_add_test(s, "owner cancellation, late answers", test_cancel_by_owner);
	CU_add_test(s, "cancel all, then answers", test_cancel_all_then_answers);
	CU_add_test(s, "answers matched to entries", test_match_answers);
}
