/* test_txnverify.c — KIP-890 part 1's pure pieces: a partition's verification entries
 * (log/txnverify.h: guard, lowest sequence, epoch reset, clear, expiry, the entry limit), the
 * mapping of coordinator answers into Produce errors (server/coordsvc/tverify.h), and the
 * per-broker queue of questions (server/coordsvc/tverify_queue.h: §B9 step 3's same-id rules,
 * batching into requests within the limits). */
#include <CUnit/CUnit.h>

#include "common/kerr.h"
#include "log/txnverify.h"
#include "server/coordsvc/tverify.h"
#include "server/coordsvc/tverify_queue.h"

#include <string.h>

void suite_txnverify(void);

#define EXP 1000 /* producer.id.expiration.ms in these tests */

static void test_guard_and_sequence(void)
{
	struct tverify_table t;
	tverify_table_init(&t);
	uint64_t g = tverify_touch(&t, 7, 3, 10, 0, 10, EXP);
	CU_ASSERT_NOT_EQUAL(g, 0);
	CU_ASSERT_EQUAL(tverify_check(&t, 7, g, 10), KERR_NONE);
	CU_ASSERT_EQUAL(tverify_check(&t, 7, g + 1, 10), KERR_INVALID_TXN_STATE);
	CU_ASSERT_EQUAL(tverify_check(&t, 8, g, 10), KERR_INVALID_TXN_STATE); /* no entry */
	/* A refresh keeps the guard and the lowest sequence seen. */
	CU_ASSERT_EQUAL(tverify_touch(&t, 7, 3, 15, 1, 10, EXP), g);
	CU_ASSERT_EQUAL(tverify_find(&t, 7)->lowest_seq, 10);
	CU_ASSERT_EQUAL(tverify_check(&t, 7, g, 15), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	CU_ASSERT_EQUAL(tverify_touch(&t, 7, 3, 5, 2, 10, EXP), g);
	CU_ASSERT_EQUAL(tverify_find(&t, 7)->lowest_seq, 5);
	CU_ASSERT_EQUAL(tverify_check(&t, 7, g, 10), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	CU_ASSERT_EQUAL(tverify_check(&t, 7, g, 5), KERR_NONE);
	CU_ASSERT_EQUAL(tverify_check(&t, 7, g, -1), KERR_NONE); /* offsets: no sequence */
	/* A lower epoch leaves it; a higher epoch resets the lowest sequence. */
	CU_ASSERT_EQUAL(tverify_touch(&t, 7, 2, 0, 3, 10, EXP), g);
	CU_ASSERT_EQUAL(tverify_find(&t, 7)->lowest_seq, 5);
	CU_ASSERT_EQUAL(tverify_find(&t, 7)->epoch, 3);
	CU_ASSERT_EQUAL(tverify_touch(&t, 7, 4, 40, 4, 10, EXP), g);
	CU_ASSERT_EQUAL(tverify_find(&t, 7)->lowest_seq, 40);
	CU_ASSERT_EQUAL(tverify_find(&t, 7)->epoch, 4);
	/* A marker (or the first append) clears it: the old guard is refused, a new entry gets
	 * a new guard. */
	tverify_clear(&t, 7);
	CU_ASSERT_PTR_NULL(tverify_find(&t, 7));
	CU_ASSERT_EQUAL(tverify_check(&t, 7, g, 40), KERR_INVALID_TXN_STATE);
	uint64_t g2 = tverify_touch(&t, 7, 4, 40, 5, 10, EXP);
	CU_ASSERT(g2 != 0 && g2 != g);
	CU_ASSERT_EQUAL(tverify_check(&t, 7, g, 40), KERR_INVALID_TXN_STATE);
	CU_ASSERT_EQUAL(tverify_check(&t, 7, g2, 40), KERR_NONE);
	tverify_table_free(&t);
}

static void test_limit_and_expiry(void)
{
	struct tverify_table t;
	tverify_table_init(&t);
	for (int64_t pid = 0; pid < 3; pid++)
		CU_ASSERT_NOT_EQUAL(tverify_touch(&t, pid, 0, 0, 100 * pid, 3, EXP), 0);
	CU_ASSERT_EQUAL(t.n, 3);
	/* Full: a new producer is refused while none has expired ... */
	CU_ASSERT_EQUAL(tverify_touch(&t, 9, 0, 0, 999, 3, EXP), 0);
	CU_ASSERT_PTR_NULL(tverify_find(&t, 9));
	/* ... but a known one is refreshed. */
	CU_ASSERT_NOT_EQUAL(tverify_touch(&t, 0, 0, 0, 1050, 3, EXP), 0);
	/* At 1100 pid 1 (touched at 100) expired: room for pid 9. */
	CU_ASSERT_NOT_EQUAL(tverify_touch(&t, 9, 0, 0, 1100, 3, EXP), 0);
	CU_ASSERT_PTR_NULL(tverify_find(&t, 1));
	CU_ASSERT_PTR_NOT_NULL(tverify_find(&t, 0));
	CU_ASSERT_PTR_NOT_NULL(tverify_find(&t, 2));
	/* The periodic expiry. */
	CU_ASSERT_EQUAL(tverify_expire(&t, 2099, EXP), 2); /* pids 0 (1050) and 2 (200) */
	CU_ASSERT_PTR_NULL(tverify_find(&t, 0));
	CU_ASSERT_PTR_NULL(tverify_find(&t, 2));
	CU_ASSERT_PTR_NOT_NULL(tverify_find(&t, 9));
	CU_ASSERT_EQUAL(tverify_expire(&t, 2100, EXP), 1); /* pid 9 (1100) */
	CU_ASSERT_EQUAL(t.n, 0);
	tverify_table_free(&t);
}

static void test_produce_errors(void)
{
	CU_ASSERT_EQUAL(tverify_produce_error(KERR_NONE, 11), KERR_NONE);
	CU_ASSERT_EQUAL(tverify_produce_error(KERR_TRANSACTION_ABORTABLE, 11),
	                KERR_TRANSACTION_ABORTABLE);
	CU_ASSERT_EQUAL(tverify_produce_error(KERR_TRANSACTION_ABORTABLE, 10),
	                KERR_INVALID_TXN_STATE);
	CU_ASSERT_EQUAL(tverify_produce_error(KERR_TRANSACTION_ABORTABLE, 3),
	                KERR_INVALID_TXN_STATE);
	const int16_t retriable[] = {KERR_CONCURRENT_TRANSACTIONS, KERR_NETWORK_EXCEPTION,
	                             KERR_COORDINATOR_LOAD_IN_PROGRESS,
	                             KERR_COORDINATOR_NOT_AVAILABLE, KERR_NOT_COORDINATOR};
	for (size_t i = 0; i < sizeof(retriable) / sizeof(retriable[0]); i++)
		CU_ASSERT_EQUAL(tverify_produce_error(retriable[i], 9), KERR_NOT_ENOUGH_REPLICAS);
	CU_ASSERT_EQUAL(tverify_produce_error(KERR_PRODUCER_FENCED, 11), KERR_INVALID_PRODUCER_EPOCH);
	CU_ASSERT_EQUAL(tverify_produce_error(KERR_CLUSTER_AUTHORIZATION_FAILED, 11),
	                KERR_INVALID_TXN_STATE);
	CU_ASSERT_EQUAL(tverify_produce_error(KERR_UNSUPPORTED_VERSION, 11), KERR_NONE);
	CU_ASSERT_EQUAL(tverify_produce_error(KERR_INVALID_PRODUCER_ID_MAPPING, 11),
	                KERR_INVALID_PRODUCER_ID_MAPPING);
}

static struct tvq_item item(const char *id, int16_t epoch, int nparts)
{
	return (struct tvq_item){.id = id, .id_len = (int32_t)strlen(id), .epoch = epoch,
	                         .nparts = nparts};
}

static struct kp_str str(const char *s)
{
	return (struct kp_str){s, (int32_t)strlen(s)};
}

static void test_queue_same_id(void)
{
	struct tvq q;
	tvq_init(&q);
	struct tvq_item a = item("a", 3, 1), b = item("b", 0, 1);
	struct tvq_item *gone;
	int16_t gerr = -1;
	CU_ASSERT_EQUAL(tvq_same_id(&q, str("a"), 3, &gone, &gerr), KERR_NONE);
	CU_ASSERT_PTR_NULL(gone);
	tvq_push(&q, &a);
	tvq_push(&q, &b);
	/* lower epoch: refused at once, the queued one stays */
	CU_ASSERT_EQUAL(tvq_same_id(&q, str("a"), 2, &gone, &gerr), KERR_INVALID_PRODUCER_EPOCH);
	CU_ASSERT_PTR_NULL(gone);
	CU_ASSERT_EQUAL(q.n, 2);
	/* same epoch: the queued one goes with NETWORK_EXCEPTION */
	CU_ASSERT_EQUAL(tvq_same_id(&q, str("a"), 3, &gone, &gerr), KERR_NONE);
	CU_ASSERT_PTR_EQUAL(gone, &a);
	CU_ASSERT_EQUAL(gerr, KERR_NETWORK_EXCEPTION);
	CU_ASSERT_EQUAL(q.n, 1);
	CU_ASSERT_PTR_EQUAL(q.head, &b);
	struct tvq_item a2 = item("a", 3, 1);
	tvq_push(&q, &a2);
	/* higher epoch: the queued one goes with INVALID_PRODUCER_EPOCH (the tail moves) */
	CU_ASSERT_EQUAL(tvq_same_id(&q, str("a"), 4, &gone, &gerr), KERR_NONE);
	CU_ASSERT_PTR_EQUAL(gone, &a2);
	CU_ASSERT_EQUAL(gerr, KERR_INVALID_PRODUCER_EPOCH);
	struct tvq_item a3 = item("a", 4, 1);
	tvq_push(&q, &a3);
	CU_ASSERT_PTR_EQUAL(q.head, &b);
	CU_ASSERT_PTR_EQUAL(b.next, &a3);
	/* another id is not touched; a prefix is another id */
	CU_ASSERT_EQUAL(tvq_same_id(&q, str("c"), 0, &gone, &gerr), KERR_NONE);
	CU_ASSERT_PTR_NULL(gone);
	CU_ASSERT_EQUAL(tvq_same_id(&q, str(""), 0, &gone, &gerr), KERR_NONE);
	CU_ASSERT_PTR_NULL(gone);
	CU_ASSERT_EQUAL(q.n, 2);
}

static void test_queue_take(void)
{
	struct tvq q;
	tvq_init(&q);
	struct tvq_item it[6];
	const char *ids[] = {"t0", "t1", "t2", "t3", "t4", "t5"};
	const int parts[] = {3, 3, 5, 1, 1, 9};
	for (int i = 0; i < 6; i++) {
		it[i] = item(ids[i], 0, parts[i]);
		tvq_push(&q, &it[i]);
	}
	int n;
	/* several questions in one request, oldest first, within the partition limit */
	struct tvq_item *r = tvq_take(&q, 10, 7, &n);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_PTR_EQUAL(r, &it[0]);
	CU_ASSERT_PTR_EQUAL(r->next, &it[1]);
	CU_ASSERT_PTR_NULL(r->next->next);
	/* the transaction limit */
	r = tvq_take(&q, 2, 100, &n);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT(r == &it[2] && r->next == &it[3]);
	/* the first is taken even past the partition limit */
	r = tvq_take(&q, 10, 2, &n);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_PTR_EQUAL(r, &it[4]);
	r = tvq_take(&q, 10, 2, &n);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_PTR_EQUAL(r, &it[5]);
	CU_ASSERT_PTR_NULL(tvq_take(&q, 10, 2, &n));
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(q.n, 0);
	/* the queue works again after being emptied (its tail was reset) */
	tvq_push(&q, &it[0]);
	CU_ASSERT_PTR_EQUAL(tvq_take(&q, 1, 1, &n), &it[0]);
}

void suite_txnverify(void)
{
	CU_pSuite s = CU_add_suite("txnverify", NULL, NULL);
	CU_add_test(s, "entries: guard, lowest sequence, epoch, clear", test_guard_and_sequence);
	CU_add_test(s, "entries: the limit and expiry", test_limit_and_expiry);
	CU_add_test(s, "answers into Produce errors (v10 vs v11)", test_produce_errors);
	CU_add_test(s, "per-broker queue: the same transactional id", test_queue_same_id);
	CU_add_test(s, "per-broker queue: questions batched into requests", test_queue_take);
}
