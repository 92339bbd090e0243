/* test_txn_flow.c — the coordinator's timed work (abort of timed-out transactions, expiry of
 * idle transactional ids) and its views (DescribeTransactions, ListTransactions). */
#include "txn_harness.h"

#include "../../common/kerr.h"

#include <string.h>

#define S(x) kp_str_c(x)

/* An Ongoing transaction past its timeout is aborted by the next abort scan with the epoch
 * bumped (the producer is fenced), and completed once its markers are acknowledged. */
static void test_timeout_abort(void)
{
	tfx_setup();
	int64_t pid;
	int16_t e;
	CU_ASSERT_EQUAL(tt_init(1, "a", 15000, -1, -1, true, &pid, &e), KERR_NONE);
	CU_ASSERT_EQUAL(tt_add(2, "a", pid, e, "t-0,t-1", true), KERR_NONE);
	CU_ASSERT_EQUAL(txn_next_deadline(TF.c), 1000000 + 10000); /* the first abort scan */
	/* Scans at +10 s (not yet expired) and +20 s (start + 15 s < now). */
	TF.now += 10000;
	txn_tick(TF.c, TF.now);
	CU_ASSERT_EQUAL(TF.npend, 0);
	CU_ASSERT_EQUAL(tt_state("a"), TXN_ONGOING);
	CU_ASSERT_EQUAL(txn_next_deadline(TF.c), TF.now + 10000);
	TF.now += 5000;
	txn_tick(TF.c, TF.now); /* between scans: nothing */
	CU_ASSERT_EQUAL(TF.npend, 0);
	TF.now += 5000;
	txn_tick(TF.c, TF.now);
	CU_ASSERT_EQUAL(TF.npend, 1);
	/* Fenced at once: the producer's own EndTxn is refused. */
	CU_ASSERT_EQUAL(tt_end(3, "a", pid, e, true, false), KERR_PRODUCER_FENCED);
	tfx_ack(&TF, KERR_NONE);
	CU_ASSERT_EQUAL(tt_state("a"), TXN_PREPARE_ABORT);
	const struct tfx_markers *m = tfx_last_markers(&TF);
	CU_ASSERT_EQUAL_FATAL(m != NULL, true);
	CU_ASSERT_EQUAL(m->epoch, e + 1);
	CU_ASSERT_EQUAL(m->commit, false);
	CU_ASSERT_STRING_EQUAL(m->parts, "t-0,t-1");
	CU_ASSERT_TRUE(txn_markers_done(TF.c, S("a"), pid, (int16_t)(e + 1), KERR_NONE));
	tfx_ack(&TF, KERR_NONE);
	CU_ASSERT_EQUAL(tt_state("a"), TXN_COMPLETE_ABORT);
	/* The producer learns it when it tries again; a new InitProducerId bumps once more. */
	CU_ASSERT_EQUAL(tt_add(4, "a", pid, e, "t-0", false), KERR_PRODUCER_FENCED);
	int16_t e2;
	CU_ASSERT_EQUAL(tt_init(5, "a", 15000, -1, -1, true, NULL, &e2), KERR_NONE);
	CU_ASSERT_EQUAL(e2, e + 2);
	tfx_teardown();
}

/* The scan skips transactions with a transition in flight, and a failed abort write leaves
 * the transaction Ongoing (fenced) for the next scan, which does not bump again. */
static void test_timeout_pending_and_failure(void)
{
	tfx_setup();
	int64_t pid;
	int16_t e;
	CU_ASSERT_EQUAL(tt_init(1, "a", 1000, -1, -1, true, &pid, &e), KERR_NONE);
	CU_ASSERT_EQUAL(tt_add(2, "a", pid, e, "t-0", true), KERR_NONE);
	CU_ASSERT_EQUAL(tt_add(3, "a", pid, e, "t-1", false), -100); /* pending */
	TF.now += 10000;
	txn_tick(TF.c, TF.now);
	CU_ASSERT_EQUAL(TF.npend, 1); /* only the add */
	tfx_ack(&TF, KERR_NONE);
	CU_ASSERT_EQUAL(tt_epoch("a"), e);
	TF.now += 10000;
	txn_tick(TF.c, TF.now);
	CU_ASSERT_EQUAL(tt_epoch("a"), e + 1);
	tfx_ack(&TF, KERR_NOT_ENOUGH_REPLICAS);
	CU_ASSERT_EQUAL(tt_state("a"), TXN_ONGOING);
	TF.now += 10000;
	txn_tick(TF.c, TF.now);
	CU_ASSERT_EQUAL(tt_epoch("a"), e + 1);
	tfx_ack(&TF, KERR_NONE);
	CU_ASSERT_EQUAL(tt_state("a"), TXN_PREPARE_ABORT);
	CU_ASSERT_EQUAL(tfx_last_markers(&TF)->epoch, e + 1);
	tfx_teardown();
}

/* transactional.id.expiration.ms: idle ids in Empty/CompleteX are tombstoned by the expiry
 * scan and removed once the tombstone is replicated; Ongoing ones are kept. */
static void test_expiry(void)
{
	tfx_setup();
	TF.cfg.id_expiration_ms = 5000000;
	txn_coord_free(TF.c);
	TF.c = tfx_new_coord(&TF);
	txn_load_done(TF.c);
	int64_t pid;
	int16_t e;
	CU_ASSERT_EQUAL(tt_init(1, "idle", 60000, -1, -1, true, NULL, NULL), KERR_NONE);
	CU_ASSERT_EQUAL(tt_init(2, "busy", 900000, -1, -1, true, &pid, &e), KERR_NONE);
	CU_ASSERT_EQUAL(tt_add(3, "busy", pid, e, "t-0", true), KERR_NONE);
	CU_ASSERT_EQUAL(tt_init(4, "done", 60000, -1, -1, true, &pid, &e), KERR_NONE);
	CU_ASSERT_EQUAL(tt_add(5, "done", pid, e, "t-0", true), KERR_NONE);
	CU_ASSERT_EQUAL(tt_end(6, "done", pid, e, true, true), KERR_NONE);
	CU_ASSERT_TRUE(txn_markers_done(TF.c, S("done"), pid, e, KERR_NONE));
	tfx_ack(&TF, KERR_NONE);
	/* The first expiry scan at +1 h: nothing is old enough. */
	TF.now += 3600000;
	txn_tick(TF.c, TF.now);
	/* "busy" is aborted by the abort scan (timeout 15 min) meanwhile; complete it. */
	tfx_ack(&TF, KERR_NONE);
	const struct tfx_markers *m = tfx_last_markers(&TF);
	CU_ASSERT_STRING_EQUAL(m->txn_id, "busy");
	CU_ASSERT_TRUE(txn_markers_done(TF.c, S("busy"), m->pid, m->epoch, KERR_NONE));
	tfx_ack(&TF, KERR_NONE);
	CU_ASSERT_EQUAL(txn_count(TF.c), 3);
	/* Second scan at +2 h: "idle" and "done" (last update at the start) are past 5000 s;
	 * "busy" was updated at +1 h. A failed tombstone append keeps them. */
	TF.now += 3600000;
	txn_tick(TF.c, TF.now);
	CU_ASSERT_EQUAL_FATAL(TF.npend, 1);
	CU_ASSERT_EQUAL(TF.pend[0].n, 2);
	CU_ASSERT_PTR_NULL(TF.pend[0].recs[0].value);
	CU_ASSERT_PTR_NULL(TF.pend[0].recs[1].value);
	/* Being expired: not described, not listed, requests wait. */
	struct txn_view v;
	CU_ASSERT_EQUAL(txn_describe(TF.c, S("idle"), &v), KERR_TRANSACTIONAL_ID_NOT_FOUND);
	CU_ASSERT_EQUAL(tt_init(7, "idle", 60000, -1, -1, false, NULL, NULL), KERR_CONCURRENT_TRANSACTIONS);
	tfx_ack(&TF, KERR_NOT_ENOUGH_REPLICAS);
	CU_ASSERT_EQUAL(txn_count(TF.c), 3);
	CU_ASSERT_EQUAL(txn_describe(TF.c, S("idle"), &v), KERR_NONE);
	/* "busy" is used again (last update now), so the next scan keeps it. */
	CU_ASSERT_EQUAL(tt_init(9, "busy", 900000, -1, -1, true, NULL, NULL), KERR_NONE);
	TF.now += 3600000;
	txn_tick(TF.c, TF.now);
	tfx_ack(&TF, KERR_NONE);
	CU_ASSERT_EQUAL(txn_count(TF.c), 1);
	CU_ASSERT_EQUAL(txn_describe(TF.c, S("idle"), &v), KERR_TRANSACTIONAL_ID_NOT_FOUND);
	CU_ASSERT_EQUAL(txn_describe(TF.c, S("busy"), &v), KERR_NONE);
	/* The tombstones are in the log: a new coordinator does not see the ids either. */
	tfx_failover(&TF);
	CU_ASSERT_EQUAL(txn_count(TF.c), 1);
	/* An expired id starts over with a new producer id. */
	int64_t pid2;
	CU_ASSERT_EQUAL(tt_init(8, "idle", 60000, -1, -1, true, &pid2, &e), KERR_NONE);
	CU_ASSERT_EQUAL(e, 0);
	CU_ASSERT_EQUAL(pid2, 1003);
	tfx_teardown();
}

struct listed {
	char ids[8][16];
	int n;
};

static void on_list(void *arg, const struct txn_view *v)
{
	struct listed *l = arg;
	if (l->n < 8) {
		memcpy(l->ids[l->n], v->txn_id.ptr, (size_t)KB_MIN(v->txn_id.len, 15));
		l->ids[l->n][KB_MIN(v->txn_id.len, 15)] = 0;
		l->n++;
	}
}

static bool listed_has(const struct listed *l, const char *id)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->ids[i], id) == 0)
			return true;
	return false;
}

static void test_views(void)
{
	tfx_setup();
	int64_t pa, pb;
	int16_t e;
	CU_ASSERT_EQUAL(tt_init(1, "a", 60000, -1, -1, true, &pa, &e), KERR_NONE);
	TF.now += 100;
	CU_ASSERT_EQUAL(tt_init(2, "b", 30000, -1, -1, true, &pb, &e), KERR_NONE);
	CU_ASSERT_EQUAL(tt_add(3, "b", pb, e, "u-2,t-1,t-0", true), KERR_NONE);
	struct txn_view v;
	CU_ASSERT_EQUAL(txn_describe(TF.c, S("b"), &v), KERR_NONE);
	CU_ASSERT_EQUAL(v.state, TXN_ONGOING);
	CU_ASSERT_STRING_EQUAL(txn_state_name(v.state), "Ongoing");
	CU_ASSERT_EQUAL(v.producer_id, pb);
	CU_ASSERT_EQUAL(v.timeout_ms, 30000);
	CU_ASSERT_EQUAL(v.start_ts, 1000100);
	CU_ASSERT_EQUAL_FATAL(v.npartitions, 3);
	CU_ASSERT_TRUE(kp_str_eq_c(v.partitions[0].topic, "t"));
	CU_ASSERT_EQUAL(v.partitions[1].partition, 1);
	CU_ASSERT_TRUE(kp_str_eq_c(v.partitions[2].topic, "u"));
	CU_ASSERT_EQUAL(txn_describe(TF.c, S("zz"), &v), KERR_TRANSACTIONAL_ID_NOT_FOUND);
	CU_ASSERT_EQUAL(txn_describe(TF.c, S(""), &v), KERR_INVALID_REQUEST);
	/* Names both ways. */
	enum txn_state st;
	CU_ASSERT_TRUE(txn_state_from_name(S("PrepareEpochFence"), &st));
	CU_ASSERT_EQUAL(st, TXN_PREPARE_EPOCH_FENCE);
	CU_ASSERT_FALSE(txn_state_from_name(S("ongoing"), &st));
	CU_ASSERT_STRING_EQUAL(txn_state_name((enum txn_state)9), "Unknown");
	/* ListTransactions filters. */
	struct listed l = {0};
	struct txn_list_filter f = {.duration_ms = -1};
	CU_ASSERT_EQUAL(txn_list(TF.c, &f, on_list, &l), KERR_NONE);
	CU_ASSERT_EQUAL(l.n, 2);
	l = (struct listed){0};
	f.any_state_asked = true;
	f.states = 1u << TXN_ONGOING;
	txn_list(TF.c, &f, on_list, &l);
	CU_ASSERT_EQUAL(l.n, 1);
	CU_ASSERT_TRUE(listed_has(&l, "b"));
	l = (struct listed){0};
	f.states = 0; /* every asked name unknown: nothing */
	txn_list(TF.c, &f, on_list, &l);
	CU_ASSERT_EQUAL(l.n, 0);
	l = (struct listed){0};
	f = (struct txn_list_filter){.npids = 1, .pids = &pa, .duration_ms = -1};
	txn_list(TF.c, &f, on_list, &l);
	CU_ASSERT_EQUAL(l.n, 1);
	CU_ASSERT_TRUE(listed_has(&l, "a"));
	/* DurationFilter: now - start > duration ("a" has no start: -1, so it is old). */
	TF.now += 5000;
	l = (struct listed){0};
	f = (struct txn_list_filter){.duration_ms = 5000};
	txn_list(TF.c, &f, on_list, &l);
	CU_ASSERT_EQUAL(l.n, 1);
	CU_ASSERT_TRUE(listed_has(&l, "a"));
	l = (struct listed){0};
	f.duration_ms = 4999;
	txn_list(TF.c, &f, on_list, &l);
	CU_ASSERT_EQUAL(l.n, 2);
	/* While loading: COORDINATOR_LOAD_IN_PROGRESS. */
	struct txn_coord *c = tfx_new_coord(&TF);
	CU_ASSERT_EQUAL(txn_list(c, &f, on_list, &l), KERR_COORDINATOR_LOAD_IN_PROGRESS);
	CU_ASSERT_EQUAL(txn_describe(c, S("a"), &v), KERR_COORDINATOR_LOAD_IN_PROGRESS);
	txn_coord_free(c);
	tfx_teardown();
}

void txn_flow_tests(CU_pSuite s)
{
	CU_add_test(s, "timeout: abort scan bumps the epoch and aborts", test_timeout_abort);
	CU_add_test(s, "timeout: pending skipped, failed abort not bumped twice", test_timeout_pending_and_failure);
	CU_add_test(s, "transactional.id.expiration.ms: tombstones, removal", test_expiry);
	CU_add_test(s, "DescribeTransactions / ListTransactions views", test_views);
}
