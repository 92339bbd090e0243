/* test_txnverify.c — KIP-890 part 1's pure pieces: a partition's verification entries
 * (log/txnverify.h: guard, lowest sequence, epoch reset, clear, expiry, the entry limit) and
 * the mapping of coordinator answers into Produce errors (server/coordsvc/tverify.h). */
#include <CUnit/CUnit.h>

#include "common/kerr.h"
#include "log/txnverify.h"
#include "server/coordsvc/tverify.h"

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

void suite_txnverify(void)
{
	CU_pSuite s = CU_add_suite("txnverify", NULL, NULL);
	CU_add_test(s, "entries: guard, lowest sequence, epoch, clear", test_guard_and_sequence);
	CU_add_test(s, "entries: the limit and expiry", test_limit_and_expiry);
	CU_add_test(s, "answers into Produce errors (v10 vs v11)", test_produce_errors);
}
