/* test_txn_records.c — __transaction_state records (byte-exact vectors written by hand from
 * Kafka 3.9's TransactionLogKey.json / TransactionLogValue.json: key v0, value v0 and the
 * flexible v1), decoding and malformed input, and replay: records written by a coordinator
 * and replayed into a new one give the same state; Prepare states get their markers again. */
#include "txn_harness.h"

#include "../../common/kerr.h"

#include <string.h>

#define S(x) kp_str_c(x)

static void assert_bytes(const struct kbuf *b, const char *want, size_t n)
{
	CU_ASSERT_FALSE(b->err);
	CU_ASSERT_EQUAL_FATAL(b->len, n);
	CU_ASSERT_EQUAL(memcmp(b->data, want, n), 0);
}

/* TransactionLogKey v0: version int16 0 | TransactionalId STRING (int16 length). */
static const char KEY_V0[] = "\x00\x00" "\x00\x05" "txn-1";

/* TransactionLogValue v0 in Empty, as Kafka writes it:
 *   version int16 0 | ProducerId int64 1000 | ProducerEpoch int16 0 |
 *   TransactionTimeoutMs int32 60000 (0xEA60) | TransactionStatus int8 0 (Empty) |
 *   TransactionPartitions: null array (int32 -1) |
 *   TransactionLastUpdateTimestampMs int64 1700000000000 (0x18BCFE56800) |
 *   TransactionStartTimestampMs int64 -1 */
static const char VALUE_V0_EMPTY[] =
	"\x00\x00" "\x00\x00\x00\x00\x00\x00\x03\xe8" "\x00\x00" "\x00\x00\xea\x60" "\x00"
	"\xff\xff\xff\xff" "\x00\x00\x01\x8b\xcf\xe5\x68\x00" "\xff\xff\xff\xff\xff\xff\xff\xff";

/* v0 Ongoing, epoch 5, partitions t-0, t-2, u-1: an array of 2 topics, each
 * Topic STRING | PartitionIds (int32 count, int32 each); start timestamp 1700000000000. */
static const char VALUE_V0_ONGOING[] =
	"\x00\x00" "\x00\x00\x00\x00\x00\x00\x03\xe8" "\x00\x05" "\x00\x00\xea\x60" "\x01"
	"\x00\x00\x00\x02"
	"\x00\x01" "t" "\x00\x00\x00\x02" "\x00\x00\x00\x00" "\x00\x00\x00\x02"
	"\x00\x01" "u" "\x00\x00\x00\x01" "\x00\x00\x00\x01"
	"\x00\x00\x01\x8b\xcf\xe5\x68\x00" "\x00\x00\x01\x8b\xcf\xe5\x68\x00";

/* The same as v1 (flexible): compact arrays and strings (uvarint length + 1), an empty
 * tagged-field section (0x00) after each topic and at the end. */
static const char VALUE_V1_ONGOING[] =
	"\x00\x01" "\x00\x00\x00\x00\x00\x00\x03\xe8" "\x00\x05" "\x00\x00\xea\x60" "\x01"
	"\x03"
	"\x02" "t" "\x03" "\x00\x00\x00\x00" "\x00\x00\x00\x02" "\x00"
	"\x02" "u" "\x02" "\x00\x00\x00\x01" "\x00"
	"\x00\x00\x01\x8b\xcf\xe5\x68\x00" "\x00\x00\x01\x8b\xcf\xe5\x68\x00" "\x00";

#define TS 1700000000000LL

static struct txn_tp PARTS[3];

static struct txn_rec ongoing_rec(void)
{
	PARTS[0] = (struct txn_tp){S("t"), 0};
	PARTS[1] = (struct txn_tp){S("t"), 2};
	PARTS[2] = (struct txn_tp){S("u"), 1};
	return (struct txn_rec){.txn_id = S("txn-1"), .producer_id = 1000, .producer_epoch = 5,
	                        .timeout_ms = 60000, .state = TXN_ONGOING, .npartitions = 3,
	                        .partitions = PARTS, .last_update_ts = TS, .start_ts = TS};
}

static void test_vectors(void)
{
	struct kbuf b;
	kbuf_init(&b, 1 << 20);
	txn_rec_key(&b, S("txn-1"));
	assert_bytes(&b, KEY_V0, sizeof(KEY_V0) - 1);
	kbuf_reset(&b);
	struct txn_rec r = {.producer_id = 1000, .producer_epoch = 0, .timeout_ms = 60000,
	                    .state = TXN_EMPTY, .npartitions = -1, .last_update_ts = TS,
	                    .start_ts = -1};
	txn_rec_value(&b, &r, 0);
	assert_bytes(&b, VALUE_V0_EMPTY, sizeof(VALUE_V0_EMPTY) - 1);
	kbuf_reset(&b);
	r = ongoing_rec();
	txn_rec_value(&b, &r, 0);
	assert_bytes(&b, VALUE_V0_ONGOING, sizeof(VALUE_V0_ONGOING) - 1);
	kbuf_reset(&b);
	txn_rec_value(&b, &r, 1);
	assert_bytes(&b, VALUE_V1_ONGOING, sizeof(VALUE_V1_ONGOING) - 1);
	/* Complete states carry an empty (not null) array. */
	kbuf_reset(&b);
	r.state = TXN_COMPLETE_COMMIT;
	r.npartitions = 0;
	txn_rec_value(&b, &r, 0);
	CU_ASSERT_EQUAL(b.len, sizeof(VALUE_V0_EMPTY) - 1);
	CU_ASSERT_EQUAL(memcmp(b.data + 17, "\x00\x00\x00\x00", 4), 0);
	kbuf_free(&b);
}

static void test_decode(void)
{
	struct txn_rec r;
	const uint8_t *k = (const uint8_t *)KEY_V0;
	size_t kl = sizeof(KEY_V0) - 1;
	CU_ASSERT_EQUAL(txn_rec_decode(k, kl, (const uint8_t *)VALUE_V0_ONGOING,
	                               sizeof(VALUE_V0_ONGOING) - 1, &r), TXN_REC_VALUE);
	CU_ASSERT_TRUE(kp_str_eq_c(r.txn_id, "txn-1"));
	CU_ASSERT_EQUAL(r.value_version, 0);
	CU_ASSERT_EQUAL(r.producer_id, 1000);
	CU_ASSERT_EQUAL(r.producer_epoch, 5);
	CU_ASSERT_EQUAL(r.timeout_ms, 60000);
	CU_ASSERT_EQUAL(r.state, TXN_ONGOING);
	CU_ASSERT_EQUAL_FATAL(r.npartitions, 3);
	CU_ASSERT_TRUE(kp_str_eq_c(r.partitions[2].topic, "u"));
	CU_ASSERT_EQUAL(r.partitions[1].partition, 2);
	CU_ASSERT_EQUAL(r.last_update_ts, TS);
	CU_ASSERT_EQUAL(r.start_ts, TS);
	/* Re-encoding gives the same bytes, in both versions. */
	struct kbuf b;
	kbuf_init(&b, 1 << 20);
	txn_rec_value(&b, &r, 0);
	assert_bytes(&b, VALUE_V0_ONGOING, sizeof(VALUE_V0_ONGOING) - 1);
	txn_rec_free(&r);
	CU_ASSERT_EQUAL(txn_rec_decode(k, kl, (const uint8_t *)VALUE_V1_ONGOING,
	                               sizeof(VALUE_V1_ONGOING) - 1, &r), TXN_REC_VALUE);
	CU_ASSERT_EQUAL(r.value_version, 1);
	kbuf_reset(&b);
	txn_rec_value(&b, &r, 1);
	assert_bytes(&b, VALUE_V1_ONGOING, sizeof(VALUE_V1_ONGOING) - 1);
	txn_rec_free(&r);
	/* v1 with 4.x's tagged fields (0 PreviousProducerId, 2 ClientTransactionVersion): skipped. */
	kbuf_reset(&b);
	kbuf_append(&b, VALUE_V1_ONGOING, sizeof(VALUE_V1_ONGOING) - 2);
	kbuf_append(&b, "\x02" "\x00\x08" "\x00\x00\x00\x00\x00\x00\x00\x09" "\x02\x02" "\x00\x02", 15);
	CU_ASSERT_EQUAL(txn_rec_decode(k, kl, b.data, b.len, &r), TXN_REC_VALUE);
	CU_ASSERT_EQUAL(r.npartitions, 3);
	CU_ASSERT_EQUAL(r.start_ts, TS);
	txn_rec_free(&r);
	/* Empty: a null array. */
	CU_ASSERT_EQUAL(txn_rec_decode(k, kl, (const uint8_t *)VALUE_V0_EMPTY,
	                               sizeof(VALUE_V0_EMPTY) - 1, &r), TXN_REC_VALUE);
	CU_ASSERT_EQUAL(r.npartitions, -1);
	CU_ASSERT_EQUAL(r.start_ts, -1);
	txn_rec_free(&r);
	/* A tombstone. */
	CU_ASSERT_EQUAL(txn_rec_decode(k, kl, NULL, 0, &r), TXN_REC_VALUE);
	CU_ASSERT_EQUAL(r.value_version, -1);
	txn_rec_free(&r);
	kbuf_free(&b);
}

static void test_malformed(void)
{
	struct txn_rec r;
	const uint8_t *k = (const uint8_t *)KEY_V0;
	size_t kl = sizeof(KEY_V0) - 1;
	/* Another key version: skipped, as Kafka. */
	CU_ASSERT_EQUAL(txn_rec_decode((const uint8_t *)"\x00\x01\x00\x01x", 5, NULL, 0, &r), TXN_REC_OTHER);
	CU_ASSERT_TRUE(txn_rec_decode(k, 3, NULL, 0, &r) < 0);
	CU_ASSERT_TRUE(txn_rec_decode(k, 1, NULL, 0, &r) < 0);
	/* Every truncation of a value fails cleanly. */
	for (size_t n = 0; n < sizeof(VALUE_V0_ONGOING) - 1; n++)
		CU_ASSERT_TRUE(txn_rec_decode(k, kl, (const uint8_t *)VALUE_V0_ONGOING, n, &r) < 0);
	for (size_t n = 0; n < sizeof(VALUE_V1_ONGOING) - 1; n++)
		CU_ASSERT_TRUE(txn_rec_decode(k, kl, (const uint8_t *)VALUE_V1_ONGOING, n, &r) < 0);
	/* Unknown value version. */
	char v[sizeof(VALUE_V0_EMPTY)];
	memcpy(v, VALUE_V0_EMPTY, sizeof(v));
	v[1] = 2;
	CU_ASSERT_EQUAL(txn_rec_decode(k, kl, (const uint8_t *)v, sizeof(v) - 1, &r), KP_ERR_VERSION);
	/* A negative count other than -1, a count larger than the bytes. */
	memcpy(v, VALUE_V0_EMPTY, sizeof(v));
	memcpy(v + 17, "\xff\xff\xff\xfe", 4);
	CU_ASSERT_EQUAL(txn_rec_decode(k, kl, (const uint8_t *)v, sizeof(v) - 1, &r), KP_ERR_INVALID);
	memcpy(v + 17, "\x10\x00\x00\x00", 4);
	CU_ASSERT_EQUAL(txn_rec_decode(k, kl, (const uint8_t *)v, sizeof(v) - 1, &r), KP_ERR_LIMIT);
	/* States never written (Dead, PrepareEpochFence, unknown) are refused on replay. */
	tfx_setup();
	struct txn_coord *c = tfx_new_coord(&TF);
	for (int st = 6; st <= 9; st++) {
		memcpy(v, VALUE_V0_EMPTY, sizeof(v));
		v[16] = (char)st;
		CU_ASSERT_EQUAL(txn_load_record(c, k, kl, (const uint8_t *)v, sizeof(v) - 1), KP_ERR_INVALID);
	}
	/* A negative producer id or epoch. */
	memcpy(v, VALUE_V0_EMPTY, sizeof(v));
	memset(v + 2, 0xff, 8);
	CU_ASSERT_EQUAL(txn_load_record(c, k, kl, (const uint8_t *)v, sizeof(v) - 1), KP_ERR_INVALID);
	memcpy(v, VALUE_V0_EMPTY, sizeof(v));
	memset(v + 10, 0xff, 2);
	CU_ASSERT_EQUAL(txn_load_record(c, k, kl, (const uint8_t *)v, sizeof(v) - 1), KP_ERR_INVALID);
	/* Malformed bytes are reported and skipped; a valid record after them loads. */
	CU_ASSERT_TRUE(txn_load_record(c, k, kl, (const uint8_t *)VALUE_V0_EMPTY, 5) < 0);
	CU_ASSERT_EQUAL(txn_load_record(c, (const uint8_t *)"\x00\x07x", 3, NULL, 0), 0);
	CU_ASSERT_EQUAL(txn_count(c), 0);
	CU_ASSERT_EQUAL(txn_load_record(c, k, kl, (const uint8_t *)VALUE_V0_EMPTY,
	                                sizeof(VALUE_V0_EMPTY) - 1), 0);
	txn_load_done(c);
	CU_ASSERT_EQUAL(txn_count(c), 1);
	txn_coord_free(c);
	tfx_teardown();
}

/* Records written by one coordinator, replayed into the next: the same state for each id,
 * PrepareCommit re-sends its markers, tombstones and the last value win. */
static void test_replay_round_trip(void)
{
	tfx_setup();
	int64_t pid;
	int16_t e;
	const char *ids[] = {"empty", "ongoing", "prep", "commit", "abort", "gone"};
	CU_ASSERT_EQUAL(tt_init(1, "empty", 60000, -1, -1, true, NULL, NULL), KERR_NONE);
	CU_ASSERT_EQUAL(tt_init(2, "empty", 60000, -1, -1, true, NULL, NULL), KERR_NONE);
	TF.now += 7;
	tt_ongoing("ongoing", "t-0,u-3,t-9", &pid, &e);
	tt_ongoing("prep", "v-1", &pid, &e);
	CU_ASSERT_EQUAL(tt_end(3, "prep", pid, e, true, true), KERR_NONE);
	tt_ongoing("commit", "t-0", &pid, &e);
	CU_ASSERT_EQUAL(tt_end(4, "commit", pid, e, true, true), KERR_NONE);
	CU_ASSERT_TRUE(txn_markers_done(TF.c, S("commit"), pid, e, KERR_NONE));
	tfx_ack(&TF, KERR_NONE);
	TF.now += 7;
	tt_ongoing("abort", "t-1", &pid, &e);
	CU_ASSERT_EQUAL(tt_init(5, "abort", 60000, -1, -1, true, NULL, NULL), KERR_CONCURRENT_TRANSACTIONS);
	char before[6][256], after[256];
	for (int i = 0; i < 6; i++)
		tfx_dump(TF.c, ids[i], before[i], sizeof(before[i]));
	/* "gone": a value, then its tombstone (as an expiry writes it). */
	CU_ASSERT_EQUAL(tt_init(6, "gone", 60000, -1, -1, true, NULL, NULL), KERR_NONE);
	struct kbuf k;
	kbuf_init(&k, 1 << 20);
	txn_rec_key(&k, S("gone"));
	KB_ASSERT(TF.nlog < 2000);
	TF.log[TF.nlog++] = (struct tfx_rec){tfx_dup(k.data, k.len), NULL, k.len, 0};
	kbuf_free(&k);
	CU_ASSERT_STRING_EQUAL(before[5], "none");
	CU_ASSERT_STRING_EQUAL(before[0], "Empty 1000 1 60000 -1 1000000 []");
	CU_ASSERT_STRING_EQUAL(before[2], "PrepareCommit 1002 0 60000 1000007 1000007 [v-1]");
	CU_ASSERT_STRING_EQUAL(before[4], "PrepareAbort 1004 1 60000 1000014 1000014 [t-1]");
	int nmarkers = TF.nmarkers;
	tfx_failover(&TF);
	for (int i = 0; i < 6; i++) {
		tfx_dump(TF.c, ids[i], after, sizeof(after));
		CU_ASSERT_STRING_EQUAL(after, before[i]);
	}
	CU_ASSERT_EQUAL(txn_count(TF.c), 5);
	/* Loading re-sent the markers of the Prepare states: "prep" (commit), "abort" (abort). */
	CU_ASSERT_EQUAL(TF.nmarkers, nmarkers + 2);
	bool saw_prep = false, saw_abort = false;
	for (int i = nmarkers; i < TF.nmarkers; i++) {
		if (strcmp(TF.markers[i].txn_id, "prep") == 0)
			saw_prep = TF.markers[i].commit && strcmp(TF.markers[i].parts, "v-1") == 0;
		if (strcmp(TF.markers[i].txn_id, "abort") == 0)
			saw_abort = !TF.markers[i].commit && TF.markers[i].epoch == 1;
	}
	CU_ASSERT_TRUE(saw_prep);
	CU_ASSERT_TRUE(saw_abort);
	CU_ASSERT_TRUE(txn_markers_done(TF.c, S("prep"), 1002, 0, KERR_NONE));
	tfx_ack(&TF, KERR_NONE);
	CU_ASSERT_EQUAL(tt_state("prep"), TXN_COMPLETE_COMMIT);
	tfx_teardown();
}

/* Kafka's trap: lastProducerEpoch is not in the record, so a KIP-360 retry that crosses a
 * coordinator move is fenced. */
static void test_last_epoch_not_persisted(void)
{
	tfx_setup();
	int64_t pid;
	int16_t e;
	CU_ASSERT_EQUAL(tt_init(1, "a", 60000, -1, -1, true, &pid, &e), KERR_NONE);
	CU_ASSERT_EQUAL(tt_init(2, "a", 60000, pid, 0, true, NULL, &e), KERR_NONE);
	CU_ASSERT_EQUAL(e, 1);
	CU_ASSERT_EQUAL(tt_init(3, "a", 60000, pid, 0, true, NULL, &e), KERR_NONE);
	CU_ASSERT_EQUAL(e, 1);
	tfx_failover(&TF);
	CU_ASSERT_EQUAL(tt_init(4, "a", 60000, pid, 0, true, NULL, NULL), KERR_PRODUCER_FENCED);
	CU_ASSERT_EQUAL(tt_init(5, "a", 60000, pid, 1, true, NULL, &e), KERR_NONE);
	CU_ASSERT_EQUAL(e, 2);
	tfx_teardown();
}

void txn_records_tests(CU_pSuite s)
{
	CU_add_test(s, "records: byte-exact key v0, value v0 and v1", test_vectors);
	CU_add_test(s, "records: decode, re-encode, tagged fields, tombstone", test_decode);
	CU_add_test(s, "records: malformed input, unloadable states", test_malformed);
	CU_add_test(s, "replay: same state, markers re-sent, tombstones", test_replay_round_trip);
	CU_add_test(s, "replay: lastProducerEpoch not persisted (KIP-360 across failover)", test_last_epoch_not_persisted);
}
