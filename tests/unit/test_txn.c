/* test_txn.c — the transaction coordinator's requests: InitProducerId (new ids, epoch bumps,
 * KIP-360, epoch exhaustion, fencing), AddPartitionsToTxn / AddOffsetsToTxn, EndTxn with
 * markers and CompleteX, KIP-890 verification, append failures, unload, the named limits.
 * Timeouts, expiry, views and replay are in test_txn_flow.c and test_txn_records.c. */
#include "txn_harness.h"

#include "../../common/kerr.h"
#include "../../common/limits.h"

#include <stdio.h>
#include <string.h>

#define S(x) kp_str_c(x)

static void test_init_new_and_bump(void)
{
	tfx_setup();
	txn_init_producer_id(TF.c, S("a"), 60000, -1, -1, (void *)1);
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 1), -100); /* answered once replicated */
	CU_ASSERT_EQUAL(TF.npend, 1);
	CU_ASSERT_EQUAL(TF.pend[0].timeout_ms, 60000);
	/* A second InitProducerId while the first is written: CONCURRENT_TRANSACTIONS. */
	CU_ASSERT_EQUAL(tt_init(2, "a", 60000, -1, -1, false, NULL, NULL), KERR_CONCURRENT_TRANSACTIONS);
	tfx_ack(&TF, KERR_NONE);
	const struct tfx_answer *r = tfx_answer_of(&TF, 1);
	CU_ASSERT_EQUAL_FATAL(r != NULL, true);
	CU_ASSERT_EQUAL(r->error, KERR_NONE);
	CU_ASSERT_EQUAL(r->pid, 1000);
	CU_ASSERT_EQUAL(r->epoch, 0);
	CU_ASSERT_EQUAL(tt_state("a"), TXN_EMPTY);
	/* Again: same id, epoch + 1, no new producer id. */
	int64_t pid;
	int16_t epoch;
	CU_ASSERT_EQUAL(tt_init(3, "a", 30000, -1, -1, true, &pid, &epoch), KERR_NONE);
	CU_ASSERT_EQUAL(pid, 1000);
	CU_ASSERT_EQUAL(epoch, 1);
	CU_ASSERT_EQUAL(TF.nallocs, 1);
	char d[256];
	tfx_dump(TF.c, "a", d, sizeof(d));
	CU_ASSERT_STRING_EQUAL(d, "Empty 1000 1 30000 -1 1000000 []");
	CU_ASSERT_EQUAL(txn_count(TF.c), 1);
	tfx_teardown();
}

static void test_init_validation(void)
{
	tfx_setup();
	CU_ASSERT_EQUAL(tt_init(1, "", 60000, -1, -1, false, NULL, NULL), KERR_INVALID_REQUEST);
	CU_ASSERT_EQUAL(tt_init(2, "a", 0, -1, -1, false, NULL, NULL), KERR_INVALID_TRANSACTION_TIMEOUT);
	CU_ASSERT_EQUAL(tt_init(3, "a", 900001, -1, -1, false, NULL, NULL), KERR_INVALID_TRANSACTION_TIMEOUT);
	CU_ASSERT_EQUAL(tt_init(4, "a", 60000, 5, -1, false, NULL, NULL), KERR_INVALID_REQUEST);
	CU_ASSERT_EQUAL(tt_init(5, "a", 60000, -1, 3, false, NULL, NULL), KERR_INVALID_REQUEST);
	TF.alloc_fail = KERR_COORDINATOR_LOAD_IN_PROGRESS; /* no producer id block at hand */
	CU_ASSERT_EQUAL(tt_init(6, "a", 60000, -1, -1, false, NULL, NULL), KERR_COORDINATOR_LOAD_IN_PROGRESS);
	CU_ASSERT_EQUAL(txn_count(TF.c), 0);
	CU_ASSERT_EQUAL(TF.npend, 0);
	/* A coordinator still loading. */
	struct txn_coord *c = tfx_new_coord(&TF);
	txn_init_producer_id(c, S("a"), 60000, -1, -1, (void *)7);
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 7), KERR_COORDINATOR_LOAD_IN_PROGRESS);
	txn_end(c, S("a"), 1, 0, true, (void *)8);
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 8), KERR_COORDINATOR_LOAD_IN_PROGRESS);
	CU_ASSERT_EQUAL(txn_next_deadline(c), INT64_MAX);
	txn_coord_free(c);
	tfx_teardown();
}

/* KIP-360: the producer id and epoch the client had. */
static void test_init_kip360(void)
{
	tfx_setup();
	int64_t pid;
	int16_t e;
	CU_ASSERT_EQUAL(tt_init(1, "a", 60000, -1, -1, true, &pid, &e), KERR_NONE);
	CU_ASSERT_EQUAL(tt_init(2, "a", 60000, pid, e, true, &pid, &e), KERR_NONE);
	CU_ASSERT_EQUAL(e, 1);
	/* The answer was lost: a retry with the epoch before the bump keeps epoch 1. */
	CU_ASSERT_EQUAL(tt_init(3, "a", 60000, pid, 0, true, &pid, &e), KERR_NONE);
	CU_ASSERT_EQUAL(e, 1);
	/* Any other epoch, or another producer id: fenced. */
	CU_ASSERT_EQUAL(tt_init(4, "a", 60000, pid, 5, true, NULL, NULL), KERR_PRODUCER_FENCED);
	CU_ASSERT_EQUAL(tt_init(5, "a", 60000, pid + 7, 1, true, NULL, NULL), KERR_PRODUCER_FENCED);
	CU_ASSERT_EQUAL(tt_epoch("a"), 1);
	/* An id created by this very request (epoch -1) accepts any expected producer: the
	 * client recovering from UNKNOWN_PRODUCER_ID gets the new id. */
	CU_ASSERT_EQUAL(tt_init(6, "b", 60000, 42, 3, true, &pid, &e), KERR_NONE);
	CU_ASSERT_EQUAL(e, 0);
	CU_ASSERT_EQUAL(pid, 1001);
	/* Older versions carry INVALID_PRODUCER_EPOCH instead of PRODUCER_FENCED. */
	CU_ASSERT_EQUAL(txn_error_for_version(22, 3, KERR_PRODUCER_FENCED), KERR_INVALID_PRODUCER_EPOCH);
	CU_ASSERT_EQUAL(txn_error_for_version(22, 4, KERR_PRODUCER_FENCED), KERR_PRODUCER_FENCED);
	CU_ASSERT_EQUAL(txn_error_for_version(24, 1, KERR_PRODUCER_FENCED), KERR_INVALID_PRODUCER_EPOCH);
	CU_ASSERT_EQUAL(txn_error_for_version(25, 2, KERR_PRODUCER_FENCED), KERR_PRODUCER_FENCED);
	CU_ASSERT_EQUAL(txn_error_for_version(26, 1, KERR_PRODUCER_FENCED), KERR_INVALID_PRODUCER_EPOCH);
	CU_ASSERT_EQUAL(txn_error_for_version(26, 3, KERR_TRANSACTION_ABORTABLE), KERR_INVALID_TXN_STATE);
	CU_ASSERT_EQUAL(txn_error_for_version(26, 4, KERR_TRANSACTION_ABORTABLE), KERR_TRANSACTION_ABORTABLE);
	CU_ASSERT_EQUAL(txn_error_for_version(24, 4, KERR_TRANSACTION_ABORTABLE), KERR_INVALID_TXN_STATE);
	CU_ASSERT_EQUAL(txn_error_for_version(0, 3, KERR_PRODUCER_FENCED), KERR_PRODUCER_FENCED);
	tfx_teardown();
}

/* An id whose epoch is exhausted (32766) from the log: the next InitProducerId rotates to a
 * new producer id at epoch 0; a retry with the old id and epoch gets the same answer. */
static void test_epoch_exhaustion(void)
{
	tfx_setup();
	struct kbuf k, v;
	kbuf_init(&k, 1 << 20);
	kbuf_init(&v, 1 << 20);
	txn_rec_key(&k, S("x"));
	struct txn_rec r = {.producer_id = 77, .producer_epoch = 32766, .timeout_ms = 60000,
	                    .state = TXN_COMPLETE_COMMIT, .npartitions = 0, .last_update_ts = 5,
	                    .start_ts = 4};
	txn_rec_value(&v, &r, 0);
	struct txn_coord *c = tfx_new_coord(&TF);
	CU_ASSERT_EQUAL(txn_load_record(c, k.data, k.len, v.data, v.len), 0);
	txn_load_done(c);
	txn_coord_free(TF.c);
	TF.c = c;
	int64_t pid;
	int16_t e;
	CU_ASSERT_EQUAL(tt_init(1, "x", 60000, 77, 32766, true, &pid, &e), KERR_NONE);
	CU_ASSERT_EQUAL(pid, 1000);
	CU_ASSERT_EQUAL(e, 0);
	CU_ASSERT_EQUAL(tt_init(2, "x", 60000, 77, 32766, true, &pid, &e), KERR_NONE);
	CU_ASSERT_EQUAL(pid, 1000);
	CU_ASSERT_EQUAL(e, 0);
	CU_ASSERT_EQUAL(TF.nallocs, 1);
	/* An old epoch of the old id is fenced. */
	CU_ASSERT_EQUAL(tt_init(3, "x", 60000, 77, 32765, true, NULL, NULL), KERR_PRODUCER_FENCED);
	kbuf_free(&k);
	kbuf_free(&v);
	tfx_teardown();
}

static void test_add_partitions(void)
{
	tfx_setup();
	int64_t pid;
	int16_t e;
	CU_ASSERT_EQUAL(tt_init(1, "a", 60000, -1, -1, true, &pid, &e), KERR_NONE);
	TF.now += 10;
	CU_ASSERT_EQUAL(tt_add(2, "a", pid, e, "u-1,t-2,t-0,t-2", false), -100);
	/* Meanwhile: another add gets CONCURRENT_TRANSACTIONS. */
	CU_ASSERT_EQUAL(tt_add(3, "a", pid, e, "v-0", false), KERR_CONCURRENT_TRANSACTIONS);
	tfx_ack(&TF, KERR_NONE);
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 2), KERR_NONE);
	char d[256];
	tfx_dump(TF.c, "a", d, sizeof(d));
	CU_ASSERT_STRING_EQUAL(d, "Ongoing 1000 0 60000 1000010 1000010 [t-0,t-2,u-1]");
	/* Partitions already in: NONE at once, nothing written. */
	int nlog = TF.nlog;
	CU_ASSERT_EQUAL(tt_add(4, "a", pid, e, "t-2,u-1", false), KERR_NONE);
	CU_ASSERT_EQUAL(TF.npend, 0);
	/* A new one: the union, the start time kept. */
	TF.now += 10;
	CU_ASSERT_EQUAL(tt_add(5, "a", pid, e, "a-9,t-0", true), KERR_NONE);
	tfx_dump(TF.c, "a", d, sizeof(d));
	CU_ASSERT_STRING_EQUAL(d, "Ongoing 1000 0 60000 1000010 1000020 [a-9,t-0,t-2,u-1]");
	CU_ASSERT_EQUAL(TF.nlog, nlog + 1);
	/* Producer checks. */
	CU_ASSERT_EQUAL(tt_add(6, "zz", pid, e, "t-0", false), KERR_INVALID_PRODUCER_ID_MAPPING);
	CU_ASSERT_EQUAL(tt_add(7, "a", pid + 1, e, "t-0", false), KERR_INVALID_PRODUCER_ID_MAPPING);
	CU_ASSERT_EQUAL(tt_add(8, "a", pid, e + 1, "t-0", false), KERR_PRODUCER_FENCED);
	CU_ASSERT_EQUAL(tt_add(9, "", pid, e, "t-0", false), KERR_INVALID_REQUEST);
	/* AddOffsetsToTxn: the group's __consumer_offsets partition (harness: length % 50). */
	txn_add_offsets(TF.c, S("a"), pid, e, S("grp"), (void *)10);
	tfx_ack(&TF, KERR_NONE);
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 10), KERR_NONE);
	tfx_dump(TF.c, "a", d, sizeof(d));
	CU_ASSERT_STRING_EQUAL(d, "Ongoing 1000 0 60000 1000010 1000020 [__consumer_offsets-3,a-9,t-0,t-2,u-1]");
	txn_add_offsets(TF.c, S("a"), pid, e + 1, S("grp"), (void *)11);
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 11), KERR_PRODUCER_FENCED);
	tfx_teardown();
}

/* EndTxn(commit): PrepareCommit, answer, markers, CompleteCommit; retries around it. */
static void test_commit_flow(void)
{
	tfx_setup();
	int64_t pid;
	int16_t e;
	tt_ongoing("a", "t-0,u-1", &pid, &e);
	CU_ASSERT_EQUAL(tt_end(1, "a", pid, e, true, false), -100);
	CU_ASSERT_EQUAL(TF.nmarkers, 0); /* not before PrepareCommit is written */
	CU_ASSERT_EQUAL(tt_end(2, "a", pid, e, true, false), KERR_CONCURRENT_TRANSACTIONS);
	tfx_ack(&TF, KERR_NONE);
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 1), KERR_NONE);
	CU_ASSERT_EQUAL(tt_state("a"), TXN_PREPARE_COMMIT);
	const struct tfx_markers *m = tfx_last_markers(&TF);
	CU_ASSERT_EQUAL_FATAL(m != NULL, true);
	CU_ASSERT_STRING_EQUAL(m->txn_id, "a");
	CU_ASSERT_EQUAL(m->pid, pid);
	CU_ASSERT_EQUAL(m->epoch, e);
	CU_ASSERT_EQUAL(m->commit, true);
	CU_ASSERT_EQUAL(m->coordinator_epoch, 7);
	CU_ASSERT_STRING_EQUAL(m->parts, "t-0,u-1");
	/* While markers are out: everything waits. */
	CU_ASSERT_EQUAL(tt_end(3, "a", pid, e, true, false), KERR_CONCURRENT_TRANSACTIONS);
	CU_ASSERT_EQUAL(tt_add(4, "a", pid, e, "t-0", false), KERR_CONCURRENT_TRANSACTIONS);
	CU_ASSERT_EQUAL(tt_init(5, "a", 60000, -1, -1, false, NULL, NULL), KERR_CONCURRENT_TRANSACTIONS);
	/* Markers of another epoch are not these. */
	CU_ASSERT_FALSE(txn_markers_done(TF.c, S("a"), pid, (int16_t)(e + 1), KERR_NONE));
	CU_ASSERT_TRUE(txn_markers_done(TF.c, S("a"), pid, e, KERR_NONE));
	CU_ASSERT_FALSE(txn_markers_done(TF.c, S("a"), pid, e, KERR_NONE)); /* once */
	CU_ASSERT_EQUAL(TF.npend, 1);
	tfx_ack(&TF, KERR_NONE);
	char d[256];
	tfx_dump(TF.c, "a", d, sizeof(d));
	CU_ASSERT_STRING_EQUAL(d, "CompleteCommit 1000 0 60000 1000000 1000000 []");
	/* Retries of the same end: NONE; the other end: INVALID_TXN_STATE. */
	CU_ASSERT_EQUAL(tt_end(6, "a", pid, e, true, false), KERR_NONE);
	CU_ASSERT_EQUAL(tt_end(7, "a", pid, e, false, false), KERR_INVALID_TXN_STATE);
	/* The next transaction starts from CompleteCommit with a fresh start time. */
	TF.now += 50;
	CU_ASSERT_EQUAL(tt_add(8, "a", pid, e, "v-2", true), KERR_NONE);
	tfx_dump(TF.c, "a", d, sizeof(d));
	CU_ASSERT_STRING_EQUAL(d, "Ongoing 1000 0 60000 1000050 1000050 [v-2]");
	tfx_teardown();
}

static void test_abort_flow_and_states(void)
{
	tfx_setup();
	int64_t pid;
	int16_t e;
	CU_ASSERT_EQUAL(tt_init(1, "a", 60000, -1, -1, true, &pid, &e), KERR_NONE);
	CU_ASSERT_EQUAL(tt_end(2, "a", pid, e, true, false), KERR_INVALID_TXN_STATE); /* Empty */
	CU_ASSERT_EQUAL(tt_end(3, "a", pid, e, false, false), KERR_INVALID_TXN_STATE);
	CU_ASSERT_EQUAL(tt_add(4, "a", pid, e, "t-0", true), KERR_NONE);
	CU_ASSERT_EQUAL(tt_end(5, "a", pid, e + 1, false, false), KERR_PRODUCER_FENCED);
	CU_ASSERT_EQUAL(tt_end(6, "a", pid + 1, e, false, false), KERR_INVALID_PRODUCER_ID_MAPPING);
	CU_ASSERT_EQUAL(tt_end(7, "a", pid, e, false, true), KERR_NONE);
	CU_ASSERT_EQUAL(tt_state("a"), TXN_PREPARE_ABORT);
	CU_ASSERT_EQUAL(tfx_last_markers(&TF)->commit, false);
	/* A marker error that stops Kafka (coordinator fenced): no CompleteAbort is written. */
	CU_ASSERT_TRUE(txn_markers_done(TF.c, S("a"), pid, e, KERR_TRANSACTION_COORDINATOR_FENCED));
	CU_ASSERT_EQUAL(TF.npend, 0);
	CU_ASSERT_EQUAL(tt_state("a"), TXN_PREPARE_ABORT);
	CU_ASSERT_EQUAL(tt_end(8, "a", pid, e, false, false), KERR_CONCURRENT_TRANSACTIONS);
	/* The next coordinator re-sends them. */
	tfx_failover(&TF);
	CU_ASSERT_EQUAL(tt_state("a"), TXN_PREPARE_ABORT);
	CU_ASSERT_EQUAL(tfx_last_markers(&TF)->commit, false);
	CU_ASSERT_TRUE(txn_markers_done(TF.c, S("a"), pid, e, KERR_NONE));
	tfx_ack(&TF, KERR_NONE);
	CU_ASSERT_EQUAL(tt_state("a"), TXN_COMPLETE_ABORT);
	CU_ASSERT_EQUAL(tt_end(9, "a", pid, e, false, false), KERR_NONE);
	CU_ASSERT_EQUAL(tt_end(10, "a", pid, e, true, false), KERR_INVALID_TXN_STATE);
	tfx_teardown();
}

/* InitProducerId on an Ongoing transaction fences it: epoch + 1 at once, PrepareAbort,
 * CONCURRENT_TRANSACTIONS; the retry after CompleteAbort bumps again. */
static void test_fence_ongoing(void)
{
	tfx_setup();
	int64_t pid;
	int16_t e;
	tt_ongoing("a", "t-0", &pid, &e);
	CU_ASSERT_EQUAL(tt_init(1, "a", 60000, -1, -1, false, NULL, NULL), -100);
	/* The zombie is fenced before the write completes. */
	CU_ASSERT_EQUAL(tt_add(2, "a", pid, e, "t-1", false), KERR_PRODUCER_FENCED);
	CU_ASSERT_EQUAL(tt_end(3, "a", pid, e, true, false), KERR_PRODUCER_FENCED);
	tfx_ack(&TF, KERR_NONE);
	const struct tfx_answer *r = tfx_answer_of(&TF, 1);
	CU_ASSERT_EQUAL(r->error, KERR_CONCURRENT_TRANSACTIONS);
	CU_ASSERT_EQUAL(r->pid, -1);
	CU_ASSERT_EQUAL(tt_state("a"), TXN_PREPARE_ABORT);
	const struct tfx_markers *m = tfx_last_markers(&TF);
	CU_ASSERT_EQUAL(m->epoch, e + 1);
	CU_ASSERT_EQUAL(m->commit, false);
	CU_ASSERT_EQUAL(tt_init(4, "a", 60000, -1, -1, false, NULL, NULL), KERR_CONCURRENT_TRANSACTIONS);
	CU_ASSERT_TRUE(txn_markers_done(TF.c, S("a"), pid, (int16_t)(e + 1), KERR_NONE));
	tfx_ack(&TF, KERR_NONE);
	int64_t pid2;
	int16_t e2;
	CU_ASSERT_EQUAL(tt_init(5, "a", 60000, -1, -1, true, &pid2, &e2), KERR_NONE);
	CU_ASSERT_EQUAL(pid2, pid);
	CU_ASSERT_EQUAL(e2, e + 2);
	tfx_teardown();
}

/* A fence whose write fails: the epoch is bumped once only (hasFailedEpochFence). */
static void test_failed_fence(void)
{
	tfx_setup();
	int64_t pid;
	int16_t e;
	tt_ongoing("a", "t-0", &pid, &e);
	txn_init_producer_id(TF.c, S("a"), 60000, -1, -1, (void *)1);
	tfx_ack(&TF, KERR_NOT_ENOUGH_REPLICAS);
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 1), KERR_COORDINATOR_NOT_AVAILABLE);
	CU_ASSERT_EQUAL(tt_state("a"), TXN_ONGOING);
	CU_ASSERT_EQUAL(tt_epoch("a"), e + 1);
	/* The same failure at once (io.append refuses). */
	TF.append_fail = KERR_NOT_LEADER_OR_FOLLOWER;
	CU_ASSERT_EQUAL(tt_init(2, "a", 60000, -1, -1, false, NULL, NULL), KERR_NOT_COORDINATOR);
	CU_ASSERT_EQUAL(tt_epoch("a"), e + 1);
	TF.append_fail = KERR_NONE;
	CU_ASSERT_EQUAL(tt_init(3, "a", 60000, -1, -1, true, NULL, NULL), KERR_CONCURRENT_TRANSACTIONS);
	CU_ASSERT_EQUAL(tt_epoch("a"), e + 1);
	CU_ASSERT_EQUAL(tfx_last_markers(&TF)->epoch, e + 1);
	tfx_teardown();
}

/* Append errors map as Kafka's TransactionStateManager and clear the pending transition. */
static void test_append_errors(void)
{
	tfx_setup();
	int64_t pid;
	int16_t e;
	CU_ASSERT_EQUAL(tt_init(1, "a", 60000, -1, -1, true, &pid, &e), KERR_NONE);
	static const int16_t raw[][2] = {
		{KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, KERR_COORDINATOR_NOT_AVAILABLE},
		{KERR_REQUEST_TIMED_OUT, KERR_COORDINATOR_NOT_AVAILABLE},
		{KERR_UNKNOWN_TOPIC_OR_PARTITION, KERR_COORDINATOR_NOT_AVAILABLE},
		{KERR_KAFKA_STORAGE_ERROR, KERR_NOT_COORDINATOR},
		{KERR_RECORD_LIST_TOO_LARGE, KERR_UNKNOWN_SERVER_ERROR},
		{KERR_MESSAGE_TOO_LARGE, KERR_UNKNOWN_SERVER_ERROR},
	};
	for (int i = 0; i < (int)KB_ARRAY_LEN(raw); i++) {
		CU_ASSERT_EQUAL(tt_add(10 + i, "a", pid, e, "t-0", false), -100);
		tfx_ack(&TF, raw[i][0]);
		CU_ASSERT_EQUAL(tfx_err_of(&TF, 10 + i), raw[i][1]);
		CU_ASSERT_EQUAL(tt_state("a"), TXN_EMPTY);
	}
	CU_ASSERT_EQUAL(tt_add(20, "a", pid, e, "t-0", true), KERR_NONE);
	CU_ASSERT_EQUAL(tt_end(21, "a", pid, e, true, false), -100);
	tfx_ack(&TF, KERR_NOT_ENOUGH_REPLICAS);
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 21), KERR_COORDINATOR_NOT_AVAILABLE);
	CU_ASSERT_EQUAL(tt_state("a"), TXN_ONGOING);
	CU_ASSERT_EQUAL(TF.nmarkers, 0);
	/* A failed CompleteCommit is retried by txn_tick after the backoff. */
	CU_ASSERT_EQUAL(tt_end(22, "a", pid, e, true, true), KERR_NONE);
	CU_ASSERT_TRUE(txn_markers_done(TF.c, S("a"), pid, e, KERR_NONE));
	tfx_ack(&TF, KERR_NOT_ENOUGH_REPLICAS);
	CU_ASSERT_EQUAL(tt_state("a"), TXN_PREPARE_COMMIT);
	CU_ASSERT_EQUAL(txn_next_deadline(TF.c), TF.now + TXN_RETRY_BACKOFF_MS);
	txn_tick(TF.c, TF.now + TXN_RETRY_BACKOFF_MS - 1);
	CU_ASSERT_EQUAL(TF.npend, 0);
	TF.now += TXN_RETRY_BACKOFF_MS;
	txn_tick(TF.c, TF.now);
	CU_ASSERT_EQUAL(TF.npend, 1);
	tfx_ack(&TF, KERR_NONE);
	CU_ASSERT_EQUAL(tt_state("a"), TXN_COMPLETE_COMMIT);
	tfx_teardown();
}

/* Appends acknowledged out of order; unknown tokens ignored; two ids retrying CompleteX. */
static void test_out_of_order_and_retries(void)
{
	tfx_setup();
	int64_t pa, pb;
	int16_t ea, eb;
	tt_ongoing("a", "t-0", &pa, &ea);
	tt_ongoing("b", "t-1", &pb, &eb);
	CU_ASSERT_EQUAL(tt_add(1, "a", pa, ea, "t-5", false), -100);
	CU_ASSERT_EQUAL(tt_add(2, "b", pb, eb, "t-6", false), -100);
	uint64_t tok_a = TF.pend[0].token;
	tfx_ack_one(&TF, 1, KERR_NONE); /* b's first */
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 2), KERR_NONE);
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 1), -100);
	CU_ASSERT_EQUAL(tt_end(3, "b", pb, eb, true, false), -100); /* appended after a's */
	tfx_ack_one(&TF, 0, KERR_NONE);
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 1), KERR_NONE);
	txn_append_done(TF.c, tok_a, KERR_NONE); /* again: unknown now, ignored */
	txn_append_done(TF.c, 999999, KERR_NONE);
	tfx_ack(&TF, KERR_NONE);
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 3), KERR_NONE);
	CU_ASSERT_EQUAL(tt_end(4, "a", pa, ea, false, true), KERR_NONE);
	/* Both CompleteX appends fail; one tick retries both. */
	CU_ASSERT_TRUE(txn_markers_done(TF.c, S("a"), pa, ea, KERR_NONE));
	CU_ASSERT_TRUE(txn_markers_done(TF.c, S("b"), pb, eb, KERR_NONE));
	CU_ASSERT_EQUAL(TF.npend, 2);
	tfx_ack_one(&TF, 0, KERR_REQUEST_TIMED_OUT);
	TF.now += 10;
	tfx_ack_one(&TF, 0, KERR_NOT_ENOUGH_REPLICAS);
	CU_ASSERT_EQUAL(txn_next_deadline(TF.c), TF.now - 10 + TXN_RETRY_BACKOFF_MS);
	TF.now += TXN_RETRY_BACKOFF_MS - 10;
	txn_tick(TF.c, TF.now);
	CU_ASSERT_EQUAL(TF.npend, 1); /* the first only */
	CU_ASSERT_EQUAL(txn_next_deadline(TF.c), TF.now + 10);
	TF.now += 10;
	txn_tick(TF.c, TF.now);
	CU_ASSERT_EQUAL(TF.npend, 2);
	tfx_ack(&TF, KERR_NONE);
	CU_ASSERT_EQUAL(tt_state("a"), TXN_COMPLETE_ABORT);
	CU_ASSERT_EQUAL(tt_state("b"), TXN_COMPLETE_COMMIT);
	CU_ASSERT_EQUAL(txn_next_deadline(TF.c), 1000000 + 10000); /* the abort scan only */
	tfx_teardown();
}

/* KIP-890 part 1: AddPartitionsToTxn v4 VerifyOnly. */
static void test_verify(void)
{
	tfx_setup();
	int64_t pid;
	int16_t e;
	tt_ongoing("a", "t-0,t-1", &pid, &e);
	int n;
	struct txn_tp *tp = tt_parts("t-1,t-2", &n);
	int16_t errs[2] = {-1, -1};
	CU_ASSERT_EQUAL(txn_verify_partition(TF.c, S("a"), pid, e, tp, n, errs), KERR_NONE);
	CU_ASSERT_EQUAL(errs[0], KERR_NONE);
	CU_ASSERT_EQUAL(errs[1], KERR_TRANSACTION_ABORTABLE);
	CU_ASSERT_EQUAL(txn_verify_partition(TF.c, S("a"), pid, (int16_t)(e + 1), tp, n, errs), KERR_PRODUCER_FENCED);
	CU_ASSERT_EQUAL(txn_verify_partition(TF.c, S("b"), pid, e, tp, n, errs), KERR_INVALID_PRODUCER_ID_MAPPING);
	CU_ASSERT_EQUAL(txn_verify_partition(TF.c, S("a"), pid + 1, e, tp, n, errs), KERR_INVALID_PRODUCER_ID_MAPPING);
	CU_ASSERT_EQUAL(txn_verify_partition(TF.c, S(""), pid, e, tp, n, errs), KERR_INVALID_REQUEST);
	/* A pending add is not looked at; a PrepareCommit is CONCURRENT_TRANSACTIONS. */
	CU_ASSERT_EQUAL(tt_add(1, "a", pid, e, "t-2", false), -100);
	CU_ASSERT_EQUAL(txn_verify_partition(TF.c, S("a"), pid, e, tp, n, errs), KERR_NONE);
	CU_ASSERT_EQUAL(errs[1], KERR_TRANSACTION_ABORTABLE);
	tfx_ack(&TF, KERR_NONE);
	CU_ASSERT_EQUAL(txn_verify_partition(TF.c, S("a"), pid, e, tp, n, errs), KERR_NONE);
	CU_ASSERT_EQUAL(errs[1], KERR_NONE);
	CU_ASSERT_EQUAL(tt_end(2, "a", pid, e, true, true), KERR_NONE);
	CU_ASSERT_EQUAL(txn_verify_partition(TF.c, S("a"), pid, e, tp, n, errs), KERR_CONCURRENT_TRANSACTIONS);
	tfx_teardown();
}

/* Unloading answers what waits for an append with NOT_COORDINATOR. */
static void test_unload_answers_parked(void)
{
	tfx_setup();
	int64_t pid;
	int16_t e;
	tt_ongoing("a", "t-0", &pid, &e);
	int64_t pid_c;
	int16_t e_c;
	tt_ongoing("c", "t-0", &pid_c, &e_c);
	CU_ASSERT_EQUAL(tt_init(1, "b", 60000, -1, -1, false, NULL, NULL), -100);
	CU_ASSERT_EQUAL(tt_end(2, "a", pid, e, true, false), -100);
	CU_ASSERT_EQUAL(tt_init(5, "c", 60000, -1, -1, false, NULL, NULL), -100); /* fence */
	CU_ASSERT_EQUAL(TF.npend, 3);
	txn_coord_free(TF.c);
	TF.c = NULL;
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 1), KERR_NOT_COORDINATOR);
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 2), KERR_NOT_COORDINATOR);
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 5), KERR_NOT_COORDINATOR);
	tfx_teardown();
}

/* Every quantity a request controls has a named limit. */
static void test_limits(void)
{
	tfx_setup();
	char *big = kb_malloc(KB_TXN_ID_MAX_BYTES + 2);
	memset(big, 'i', KB_TXN_ID_MAX_BYTES + 1);
	big[KB_TXN_ID_MAX_BYTES + 1] = 0;
	CU_ASSERT_EQUAL(tt_init(1, big, 60000, -1, -1, false, NULL, NULL), KERR_INVALID_REQUEST);
	big[KB_TXN_ID_MAX_BYTES] = 0; /* exactly at the limit: fine */
	CU_ASSERT_EQUAL(tt_init(2, big, 60000, -1, -1, true, NULL, NULL), KERR_NONE);
	int64_t pid;
	int16_t e;
	CU_ASSERT_EQUAL(tt_init(3, "a", 60000, -1, -1, true, &pid, &e), KERR_NONE);
	/* A topic name longer than Kafka allows; a negative partition. */
	struct txn_tp tp = {{big, KB_TXN_TOPIC_MAX_BYTES + 1}, 0};
	txn_add_partitions(TF.c, S("a"), pid, e, &tp, 1, (void *)4);
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 4), KERR_INVALID_REQUEST);
	tp = (struct txn_tp){S("t"), -1};
	txn_add_partitions(TF.c, S("a"), pid, e, &tp, 1, (void *)5);
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 5), KERR_INVALID_REQUEST);
	/* Partitions per transaction: in one request, and by union. */
	int n = KB_TXN_MAX_PARTITIONS + 1;
	struct txn_tp *many = kb_calloc((size_t)n, sizeof(*many));
	for (int i = 0; i < n; i++)
		many[i] = (struct txn_tp){S("t"), i};
	txn_add_partitions(TF.c, S("a"), pid, e, many, n, (void *)6);
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 6), KERR_INVALID_REQUEST);
	txn_add_partitions(TF.c, S("a"), pid, e, many, n - 1, (void *)7);
	tfx_ack(&TF, KERR_NONE);
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 7), KERR_NONE);
	txn_add_partitions(TF.c, S("a"), pid, e, many + n - 1, 1, (void *)8);
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 8), KERR_INVALID_REQUEST);
	CU_ASSERT_EQUAL(TF.npend, 0);
	/* The record of a transaction past KB_TXN_VALUE_MAX_BYTES: 4,000 topics of 249 bytes. */
	int nt = 4000;
	char *names = kb_calloc((size_t)nt, KB_TXN_TOPIC_MAX_BYTES);
	for (int i = 0; i < nt; i++) {
		char *p = names + (size_t)i * KB_TXN_TOPIC_MAX_BYTES;
		memset(p, 'x', KB_TXN_TOPIC_MAX_BYTES);
		for (int d = 0, x = i; d < 7; d++, x /= 10)
			p[6 - d] = (char)('0' + x % 10); /* distinct names */
		many[i] = (struct txn_tp){{p, KB_TXN_TOPIC_MAX_BYTES}, 0};
	}
	CU_ASSERT_EQUAL(tt_init(9, "b", 60000, -1, -1, true, &pid, &e), KERR_NONE);
	txn_add_partitions(TF.c, S("b"), pid, e, many, nt, (void *)10);
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 10), KERR_INVALID_REQUEST);
	CU_ASSERT_EQUAL(tt_state("b"), TXN_EMPTY);
	txn_add_partitions(TF.c, S("b"), pid, e, many, nt / 2, (void *)11); /* ~520 KB: fits */
	tfx_ack(&TF, KERR_NONE);
	CU_ASSERT_EQUAL(tfx_err_of(&TF, 11), KERR_NONE);
	kb_free(names);
	kb_free(many);
	kb_free(big);
	/* Ids per coordinator. */
	tfx_teardown();
	tfx_setup();
	TF.cfg.max_ids = 2;
	txn_coord_free(TF.c);
	TF.c = tfx_new_coord(&TF);
	txn_load_done(TF.c);
	CU_ASSERT_EQUAL(tt_init(1, "a", 60000, -1, -1, true, NULL, NULL), KERR_NONE);
	CU_ASSERT_EQUAL(tt_init(2, "b", 60000, -1, -1, true, NULL, NULL), KERR_NONE);
	CU_ASSERT_EQUAL(tt_init(3, "c", 60000, -1, -1, true, NULL, NULL), KERR_COORDINATOR_NOT_AVAILABLE);
	CU_ASSERT_EQUAL(tt_init(4, "a", 60000, -1, -1, true, NULL, NULL), KERR_NONE); /* known ids: fine */
	tfx_teardown();
}

void suite_txn(void);
void suite_txn(void)
{
	CU_pSuite s = CU_add_suite("txn", NULL, NULL);
	CU_add_test(s, "InitProducerId: new id, epoch bump, pending", test_init_new_and_bump);
	CU_add_test(s, "InitProducerId: validation, allocator error, loading", test_init_validation);
	CU_add_test(s, "InitProducerId: KIP-360 expected producer; errors by version", test_init_kip360);
	CU_add_test(s, "epoch exhaustion: new producer id, retry", test_epoch_exhaustion);
	CU_add_test(s, "AddPartitionsToTxn / AddOffsetsToTxn", test_add_partitions);
	CU_add_test(s, "EndTxn commit: PrepareCommit, markers, CompleteCommit", test_commit_flow);
	CU_add_test(s, "EndTxn abort, invalid states, stopped markers", test_abort_flow_and_states);
	CU_add_test(s, "InitProducerId fences an Ongoing transaction", test_fence_ongoing);
	CU_add_test(s, "failed fence write: one bump only", test_failed_fence);
	CU_add_test(s, "append errors mapped, pending cleared, Complete retried", test_append_errors);
	CU_add_test(s, "appends out of order, unknown tokens, two retries", test_out_of_order_and_retries);
	CU_add_test(s, "KIP-890 verification", test_verify);
	CU_add_test(s, "unload answers parked requests", test_unload_answers_parked);
	CU_add_test(s, "named limits", test_limits);
	txn_flow_tests(s);
	txn_records_tests(s);
}
