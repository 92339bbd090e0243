/* test_codec_txn.c — the transaction APIs' descriptor tables (net/kp_msgs_txn.c): round trips
 * at every version the codec knows (field-by-field against the schema's version rules,
 * byte-identical re-encoding, every truncated prefix refused), golden bytes built by hand
 * from the schemas (kafka-schemas.md; Kafka 3.9's DescribeTransactions/ListTransactions
 * JSON), the API table rows, and descriptor sanity. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "codec_harness.h"
#include "common/kerr.h"
#include "net/kp_msgs.h"

void suite_codec_txn(void);

static const struct kp_str NULLS = {NULL, -1};

/* Every version of the API, flexible per the API table. */
#define RT(key, desc, in, check)                                                            \
	for (int16_t v = 0; v <= kp_api_find(key)->vmax; v++)                               \
	ch_roundtrip(&(desc), v, ch_flexible((key), v), &(in), (check))

#define I64(x) (uint8_t)((uint64_t)(x) >> 56), (uint8_t)((uint64_t)(x) >> 48),             \
	(uint8_t)((uint64_t)(x) >> 40), (uint8_t)((uint64_t)(x) >> 32),                     \
	(uint8_t)((uint64_t)(x) >> 24), (uint8_t)((uint64_t)(x) >> 16),                     \
	(uint8_t)((uint64_t)(x) >> 8), (uint8_t)(x)
#define I32(x) (uint8_t)((uint32_t)(x) >> 24), (uint8_t)((uint32_t)(x) >> 16),             \
	(uint8_t)((uint32_t)(x) >> 8), (uint8_t)(x)
#define I16(x) (uint8_t)((uint16_t)(x) >> 8), (uint8_t)(x)

/* ---- AddPartitionsToTxn 0-5 (flexible 3+) ------------------------------------------------- */

static void ck_apt(int16_t v, const struct AddPartitionsToTxnTopic *a,
                   const struct AddPartitionsToTxnTopic *b)
{
	(void)v;
	CK_STR(Name, true, STR_EMPTY);
	CK_I32S(Partitions, true);
}

static void ck_aptx(int16_t v, const struct AddPartitionsToTxnTransaction *a,
                    const struct AddPartitionsToTxnTransaction *b)
{
	CK_STR(TransactionalId, true, STR_EMPTY);
	CK(ProducerId, true, 0);
	CK(ProducerEpoch, true, 0);
	CK(VerifyOnly, true, false);
	CK_ARR(Topics, true, struct AddPartitionsToTxnTopic, ck_apt);
}

static void check_apt_req(int16_t v, const void *in_, const void *out_)
{
	const struct AddPartitionsToTxnRequest *a = in_, *b = out_;
	CK_ARR(Transactions, v >= 4, struct AddPartitionsToTxnTransaction, ck_aptx);
	CK_STR(V3AndBelowTransactionalId, v <= 3, STR_EMPTY);
	CK(V3AndBelowProducerId, v <= 3, 0);
	CK(V3AndBelowProducerEpoch, v <= 3, 0);
	CK_ARR(V3AndBelowTopics, v <= 3, struct AddPartitionsToTxnTopic, ck_apt);
}

static void ck_aptpr(int16_t v, const struct AddPartitionsToTxnPartitionResult *a,
                     const struct AddPartitionsToTxnPartitionResult *b)
{
	(void)v;
	CK(PartitionIndex, true, 0);
	CK(PartitionErrorCode, true, 0);
}

static void ck_aptr(int16_t v, const struct AddPartitionsToTxnTopicResult *a,
                    const struct AddPartitionsToTxnTopicResult *b)
{
	CK_STR(Name, true, STR_EMPTY);
	CK_ARR(ResultsByPartition, true, struct AddPartitionsToTxnPartitionResult, ck_aptpr);
}

static void ck_aptres(int16_t v, const struct AddPartitionsToTxnResult *a,
                      const struct AddPartitionsToTxnResult *b)
{
	CK_STR(TransactionalId, true, STR_EMPTY);
	CK_ARR(TopicResults, true, struct AddPartitionsToTxnTopicResult, ck_aptr);
}

static void check_apt_resp(int16_t v, const void *in_, const void *out_)
{
	const struct AddPartitionsToTxnResponse *a = in_, *b = out_;
	CK(ThrottleTimeMs, true, 0);
	CK(ErrorCode, v >= 4, 0);
	CK_ARR(ResultsByTransaction, v >= 4, struct AddPartitionsToTxnResult, ck_aptres);
	CK_ARR(ResultsByTopicV3AndBelow, v <= 3, struct AddPartitionsToTxnTopicResult, ck_aptr);
}

static void test_add_partitions_roundtrip(void)
{
	int32_t p0[] = {0, 1, 7}, p1[] = {2};
	struct AddPartitionsToTxnTopic t[] = {{KP_STR_LIT("orders"), ARR(p0)},
	                                      {KP_STR_LIT("audit"), ARR(p1)},
	                                      {KP_STR_LIT("none"), EMPTY_ARR}};
	struct AddPartitionsToTxnTransaction tx[] = {
		{KP_STR_LIT("tx-a"), 1000, 3, false, ARR(t)},
		{KP_STR_LIT("tx-b"), 1001, 0, true, {t, 1}},
	};
	struct AddPartitionsToTxnRequest rq = {ARR(tx), KP_STR_LIT("tx-old"), 999, 7, {t, 2}};
	RT(KP_API_ADD_PARTITIONS_TO_TXN, kp_AddPartitionsToTxnRequest, rq, check_apt_req);

	struct AddPartitionsToTxnPartitionResult pr[] = {{0, 0}, {1, 51}, {7, 48}};
	struct AddPartitionsToTxnTopicResult tr[] = {{KP_STR_LIT("orders"), ARR(pr)},
	                                             {KP_STR_LIT("audit"), EMPTY_ARR}};
	struct AddPartitionsToTxnResult res[] = {{KP_STR_LIT("tx-a"), ARR(tr)},
	                                         {KP_STR_LIT("tx-b"), EMPTY_ARR}};
	struct AddPartitionsToTxnResponse rs = {5, 0, ARR(res), {tr, 1}};
	RT(KP_API_ADD_PARTITIONS_TO_TXN, kp_AddPartitionsToTxnResponse, rs, check_apt_resp);
}

static void test_add_partitions_golden(void)
{
	static const uint8_t v3[] = {
		0x03, 't', 'x',         /* V3AndBelowTransactionalId "tx" (compact) */
		I64(42),                /* V3AndBelowProducerId */
		I16(3),                 /* V3AndBelowProducerEpoch */
		0x02,                   /* V3AndBelowTopics: 1 */
		0x02, 't',              /* Name "t" */
		0x02, I32(1),           /* Partitions [1] */
		0x00,                   /* topic tags */
		0x00,                   /* tags */
	};
	static const uint8_t v4[] = {
		0x02,                   /* Transactions: 1 */
		0x03, 't', 'x',         /* TransactionalId */
		I64(42), I16(3),        /* ProducerId, ProducerEpoch */
		0x01,                   /* VerifyOnly true */
		0x02, 0x02, 't', 0x02, I32(1), 0x00, /* Topics [{t, [1]}] */
		0x00,                   /* transaction tags */
		0x00,                   /* tags */
	};
	static const uint8_t resp_v2[] = {
		I32(0),                 /* ThrottleTimeMs */
		I32(1),                 /* ResultsByTopicV3AndBelow: 1 */
		I16(1), 't',            /* Name "t" */
		I32(1),                 /* ResultsByPartition: 1 */
		I32(1), I16(51),        /* PartitionIndex 1, CONCURRENT_TRANSACTIONS */
	};
	static const uint8_t resp_v5[] = {
		I32(0), I16(0),         /* ThrottleTimeMs, ErrorCode */
		0x02, 0x03, 't', 'x',   /* ResultsByTransaction: 1, TransactionalId "tx" */
		0x02, 0x02, 't',        /* TopicResults: 1, Name "t" */
		0x02, I32(1), I16(51), 0x00, /* ResultsByPartition [{1, 51}] */
		0x00, 0x00, 0x00,       /* topic, transaction, response tags */
	};
	int32_t parts[] = {1};
	struct AddPartitionsToTxnTopic t = {KP_STR_LIT("t"), ARR(parts)};
	struct AddPartitionsToTxnRequest in3 = {EMPTY_ARR, KP_STR_LIT("tx"), 42, 3, {&t, 1}}, out;
	struct AddPartitionsToTxnTransaction tx = {KP_STR_LIT("tx"), 42, 3, true, {&t, 1}};
	struct AddPartitionsToTxnRequest in4 = {{&tx, 1}, STR_EMPTY, 0, 0, EMPTY_ARR};
	struct AddPartitionsToTxnPartitionResult pr = {1, KERR_CONCURRENT_TRANSACTIONS};
	struct AddPartitionsToTxnTopicResult tr = {KP_STR_LIT("t"), {&pr, 1}};
	struct AddPartitionsToTxnResult res = {KP_STR_LIT("tx"), {&tr, 1}};
	struct AddPartitionsToTxnResponse r2 = {0, 0, EMPTY_ARR, {&tr, 1}}, r5 = {0, 0, {&res, 1},
	                                                                          EMPTY_ARR}, rout;
	struct arena a;
	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_AddPartitionsToTxnRequest, 3, true, &in3, v3, sizeof(v3), &a, &out);
	CU_ASSERT_TRUE(ch_array_is(out.Transactions, 0));
	CU_ASSERT_EQUAL(out.V3AndBelowProducerId, 42);
	ch_golden(&kp_AddPartitionsToTxnRequest, 4, true, &in4, v4, sizeof(v4), &a, &out);
	CU_ASSERT_EQUAL_FATAL(out.Transactions.count, 1);
	const struct AddPartitionsToTxnTransaction *o = out.Transactions.elems;
	CU_ASSERT(o->VerifyOnly && o->ProducerEpoch == 3 && o->Topics.count == 1);
	CU_ASSERT(out.V3AndBelowTransactionalId.len == 0 && out.V3AndBelowTopics.count == 0);
	ch_golden(&kp_AddPartitionsToTxnResponse, 2, false, &r2, resp_v2, sizeof(resp_v2), &a,
	          &rout);
	ch_golden(&kp_AddPartitionsToTxnResponse, 5, true, &r5, resp_v5, sizeof(resp_v5), &a,
	          &rout);
	ch_check_truncations(&kp_AddPartitionsToTxnRequest, 4, true, v4, sizeof(v4));
	arena_destroy(&a);
}

/* ---- AddOffsetsToTxn 0-4 and EndTxn 0-4 (flexible 3+) ------------------------------------- */

static void check_aot_req(int16_t v, const void *in_, const void *out_)
{
	const struct AddOffsetsToTxnRequest *a = in_, *b = out_;
	(void)v;
	CK_STR(TransactionalId, true, STR_EMPTY);
	CK(ProducerId, true, 0);
	CK(ProducerEpoch, true, 0);
	CK_STR(GroupId, true, STR_EMPTY);
}

static void check_aot_resp(int16_t v, const void *in_, const void *out_)
{
	const struct AddOffsetsToTxnResponse *a = in_, *b = out_;
	(void)v;
	CK(ThrottleTimeMs, true, 0);
	CK(ErrorCode, true, 0);
}

static void check_et_req(int16_t v, const void *in_, const void *out_)
{
	const struct EndTxnRequest *a = in_, *b = out_;
	(void)v;
	CK_STR(TransactionalId, true, STR_EMPTY);
	CK(ProducerId, true, 0);
	CK(ProducerEpoch, true, 0);
	CK(Committed, true, false);
}

static void check_et_resp(int16_t v, const void *in_, const void *out_)
{
	const struct EndTxnResponse *a = in_, *b = out_;
	(void)v;
	CK(ThrottleTimeMs, true, 0);
	CK(ErrorCode, true, 0);
}

static void test_add_offsets_end_txn(void)
{
	struct AddOffsetsToTxnRequest aq = {KP_STR_LIT("tx"), 77, 2, KP_STR_LIT("group")};
	RT(KP_API_ADD_OFFSETS_TO_TXN, kp_AddOffsetsToTxnRequest, aq, check_aot_req);
	struct AddOffsetsToTxnResponse as = {9, KERR_INVALID_PRODUCER_EPOCH};
	RT(KP_API_ADD_OFFSETS_TO_TXN, kp_AddOffsetsToTxnResponse, as, check_aot_resp);
	struct EndTxnRequest eq = {KP_STR_LIT("tx"), 77, 2, true};
	RT(KP_API_END_TXN, kp_EndTxnRequest, eq, check_et_req);
	eq.Committed = false;
	RT(KP_API_END_TXN, kp_EndTxnRequest, eq, check_et_req);
	struct EndTxnResponse es = {1, KERR_PRODUCER_FENCED};
	RT(KP_API_END_TXN, kp_EndTxnResponse, es, check_et_resp);

	static const uint8_t aot_v0[] = {
		I16(2), 't', 'x',       /* TransactionalId (classic) */
		I64(77), I16(2),        /* ProducerId, ProducerEpoch */
		I16(1), 'g',            /* GroupId */
	};
	static const uint8_t et_v3[] = {
		0x03, 't', 'x',         /* TransactionalId "tx" (compact) */
		I64(42),                /* ProducerId */
		I16(3),                 /* ProducerEpoch */
		0x01,                   /* Committed true */
		0x00,                   /* tags */
	};
	static const uint8_t et_resp_v3[] = {I32(0), I16(47), 0x00}; /* INVALID_PRODUCER_EPOCH */
	struct AddOffsetsToTxnRequest aq0 = {KP_STR_LIT("tx"), 77, 2, KP_STR_LIT("g")}, aout;
	struct EndTxnRequest eq3 = {KP_STR_LIT("tx"), 42, 3, true}, eout;
	struct EndTxnResponse es3 = {0, KERR_INVALID_PRODUCER_EPOCH}, esout;
	struct arena a;
	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_AddOffsetsToTxnRequest, 0, false, &aq0, aot_v0, sizeof(aot_v0), &a, &aout);
	ch_golden(&kp_EndTxnRequest, 3, true, &eq3, et_v3, sizeof(et_v3), &a, &eout);
	CU_ASSERT(eout.Committed && eout.ProducerId == 42 && eout.ProducerEpoch == 3);
	CU_ASSERT_TRUE(kp_str_eq_c(eout.TransactionalId, "tx"));
	/* v2 is the classic form of the same fields: a 2-byte length, no tags. */
	static const uint8_t et_v2[] = {I16(2), 't', 'x', I64(42), I16(3), 0x01};
	ch_golden(&kp_EndTxnRequest, 2, false, &eq3, et_v2, sizeof(et_v2), &a, &eout);
	ch_golden(&kp_EndTxnResponse, 3, true, &es3, et_resp_v3, sizeof(et_resp_v3), &a, &esout);
	CU_ASSERT_EQUAL(esout.ErrorCode, KERR_INVALID_PRODUCER_EPOCH);
	ch_check_truncations(&kp_EndTxnRequest, 3, true, et_v3, sizeof(et_v3));
	/* A null TransactionalId is not allowed (the field is not nullable). */
	static const uint8_t et_null[] = {0x00, I64(42), I16(3), 0x01, 0x00};
	CU_ASSERT_EQUAL(ch_decode_err(&kp_EndTxnRequest, 3, true, et_null, sizeof(et_null),
	                              ARENA_MAX), KP_ERR_INVALID);
	arena_destroy(&a);
}

/* ---- WriteTxnMarkers 0-1 (flexible 1+) ---------------------------------------------------- */

static void ck_wmt(int16_t v, const struct WritableTxnMarkerTopic *a,
                   const struct WritableTxnMarkerTopic *b)
{
	(void)v;
	CK_STR(Name, true, STR_EMPTY);
	CK_I32S(PartitionIndexes, true);
}

static void ck_wm(int16_t v, const struct WritableTxnMarker *a, const struct WritableTxnMarker *b)
{
	CK(ProducerId, true, 0);
	CK(ProducerEpoch, true, 0);
	CK(TransactionResult, true, false);
	CK_ARR(Topics, true, struct WritableTxnMarkerTopic, ck_wmt);
	CK(CoordinatorEpoch, true, 0);
}

static void check_wtm_req(int16_t v, const void *in_, const void *out_)
{
	const struct WriteTxnMarkersRequest *a = in_, *b = out_;
	CK_ARR(Markers, true, struct WritableTxnMarker, ck_wm);
}

static void ck_wmpr(int16_t v, const struct WritableTxnMarkerPartitionResult *a,
                    const struct WritableTxnMarkerPartitionResult *b)
{
	(void)v;
	CK(PartitionIndex, true, 0);
	CK(ErrorCode, true, 0);
}

static void ck_wmtr(int16_t v, const struct WritableTxnMarkerTopicResult *a,
                    const struct WritableTxnMarkerTopicResult *b)
{
	CK_STR(Name, true, STR_EMPTY);
	CK_ARR(Partitions, true, struct WritableTxnMarkerPartitionResult, ck_wmpr);
}

static void ck_wmr(int16_t v, const struct WritableTxnMarkerResult *a,
                   const struct WritableTxnMarkerResult *b)
{
	CK(ProducerId, true, 0);
	CK_ARR(Topics, true, struct WritableTxnMarkerTopicResult, ck_wmtr);
}

static void check_wtm_resp(int16_t v, const void *in_, const void *out_)
{
	const struct WriteTxnMarkersResponse *a = in_, *b = out_;
	CK_ARR(Markers, true, struct WritableTxnMarkerResult, ck_wmr);
}

static void test_write_txn_markers(void)
{
	int32_t p0[] = {0, 2}, p1[] = {49};
	struct WritableTxnMarkerTopic t[] = {{KP_STR_LIT("orders"), ARR(p0)},
	                                     {KP_STR_LIT("__consumer_offsets"), ARR(p1)}};
	struct WritableTxnMarker m[] = {{5000, 3, true, ARR(t), 12}, {5001, 0, false, {t, 1}, 12},
	                                {5002, 1, true, EMPTY_ARR, -1}};
	struct WriteTxnMarkersRequest rq = {ARR(m)};
	RT(KP_API_WRITE_TXN_MARKERS, kp_WriteTxnMarkersRequest, rq, check_wtm_req);
	struct WritableTxnMarkerPartitionResult pr[] = {{0, 0}, {2, KERR_NOT_LEADER_OR_FOLLOWER}};
	struct WritableTxnMarkerTopicResult tr[] = {{KP_STR_LIT("orders"), ARR(pr)}};
	struct WritableTxnMarkerResult mr[] = {{5000, ARR(tr)}, {5001, EMPTY_ARR}};
	struct WriteTxnMarkersResponse rs = {ARR(mr)};
	RT(KP_API_WRITE_TXN_MARKERS, kp_WriteTxnMarkersResponse, rs, check_wtm_resp);

	static const uint8_t v1[] = {
		0x02,                   /* Markers: 1 */
		I64(7), I16(1),         /* ProducerId 7, ProducerEpoch 1 */
		0x01,                   /* TransactionResult: commit */
		0x02,                   /* Topics: 1 */
		0x02, 't',              /* Name "t" */
		0x03, I32(0), I32(2),   /* PartitionIndexes [0, 2] */
		0x00,                   /* topic tags */
		I32(5),                 /* CoordinatorEpoch 5 */
		0x00,                   /* marker tags */
		0x00,                   /* tags */
	};
	static const uint8_t v0[] = {
		I32(1), I64(7), I16(1), 0x01,          /* Markers: 1; id, epoch, commit */
		I32(1), I16(1), 't', I32(2), I32(0), I32(2), /* Topics [{t, [0, 2]}] */
		I32(5),                                /* CoordinatorEpoch */
	};
	static const uint8_t resp_v1[] = {
		0x02, I64(7),           /* Markers: 1, ProducerId 7 */
		0x02, 0x02, 't',        /* Topics: 1, Name "t" */
		0x02, I32(2), I16(6), 0x00, /* Partitions [{2, NOT_LEADER_OR_FOLLOWER}] */
		0x00, 0x00, 0x00,       /* topic, marker, response tags */
	};
	int32_t idx[] = {0, 2};
	struct WritableTxnMarkerTopic gt = {KP_STR_LIT("t"), ARR(idx)};
	struct WritableTxnMarker gm = {7, 1, true, {&gt, 1}, 5};
	struct WriteTxnMarkersRequest in = {{&gm, 1}}, out;
	struct WritableTxnMarkerPartitionResult gpr = {2, KERR_NOT_LEADER_OR_FOLLOWER};
	struct WritableTxnMarkerTopicResult gtr = {KP_STR_LIT("t"), {&gpr, 1}};
	struct WritableTxnMarkerResult gmr = {7, {&gtr, 1}};
	struct WriteTxnMarkersResponse rin = {{&gmr, 1}}, rout;
	struct arena a;
	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_WriteTxnMarkersRequest, 1, true, &in, v1, sizeof(v1), &a, &out);
	CU_ASSERT_EQUAL_FATAL(out.Markers.count, 1);
	const struct WritableTxnMarker *om = out.Markers.elems;
	CU_ASSERT(om->ProducerId == 7 && om->TransactionResult && om->CoordinatorEpoch == 5);
	ch_golden(&kp_WriteTxnMarkersRequest, 0, false, &in, v0, sizeof(v0), &a, &out);
	ch_golden(&kp_WriteTxnMarkersResponse, 1, true, &rin, resp_v1, sizeof(resp_v1), &a, &rout);
	ch_check_truncations(&kp_WriteTxnMarkersRequest, 1, true, v1, sizeof(v1));
	ch_check_truncations(&kp_WriteTxnMarkersResponse, 1, true, resp_v1, sizeof(resp_v1));
	arena_destroy(&a);
}

/* ---- TxnOffsetCommit 0-4 (flexible 3+) ---------------------------------------------------- */

static void ck_tocp(int16_t v, const struct TxnOffsetCommitRequestPartition *a,
                    const struct TxnOffsetCommitRequestPartition *b)
{
	CK(PartitionIndex, true, 0);
	CK(CommittedOffset, true, 0);
	CK(CommittedLeaderEpoch, v >= 2, -1);
	CK_STR(CommittedMetadata, true, STR_EMPTY);
}

static void ck_toct(int16_t v, const struct TxnOffsetCommitRequestTopic *a,
                    const struct TxnOffsetCommitRequestTopic *b)
{
	CK_STR(Name, true, STR_EMPTY);
	CK_ARR(Partitions, true, struct TxnOffsetCommitRequestPartition, ck_tocp);
}

static void check_toc_req(int16_t v, const void *in_, const void *out_)
{
	const struct TxnOffsetCommitRequest *a = in_, *b = out_;
	CK_STR(TransactionalId, true, STR_EMPTY);
	CK_STR(GroupId, true, STR_EMPTY);
	CK(ProducerId, true, 0);
	CK(ProducerEpoch, true, 0);
	CK(GenerationId, v >= 3, -1);
	CK_STR(MemberId, v >= 3, STR_EMPTY);
	CK_STR(GroupInstanceId, v >= 3, NULLS);
	CK_ARR(Topics, true, struct TxnOffsetCommitRequestTopic, ck_toct);
}

static void ck_tocrp(int16_t v, const struct TxnOffsetCommitResponsePartition *a,
                     const struct TxnOffsetCommitResponsePartition *b)
{
	(void)v;
	CK(PartitionIndex, true, 0);
	CK(ErrorCode, true, 0);
}

static void ck_tocrt(int16_t v, const struct TxnOffsetCommitResponseTopic *a,
                     const struct TxnOffsetCommitResponseTopic *b)
{
	CK_STR(Name, true, STR_EMPTY);
	CK_ARR(Partitions, true, struct TxnOffsetCommitResponsePartition, ck_tocrp);
}

static void check_toc_resp(int16_t v, const void *in_, const void *out_)
{
	const struct TxnOffsetCommitResponse *a = in_, *b = out_;
	CK(ThrottleTimeMs, true, 0);
	CK_ARR(Topics, true, struct TxnOffsetCommitResponseTopic, ck_tocrt);
}

static void test_txn_offset_commit(void)
{
	struct TxnOffsetCommitRequestPartition p[] = {{0, 100, 4, KP_STR_LIT("meta")},
	                                              {3, 0, -1, NULLS}};
	struct TxnOffsetCommitRequestTopic t[] = {{KP_STR_LIT("orders"), ARR(p)},
	                                          {KP_STR_LIT("empty"), EMPTY_ARR}};
	struct TxnOffsetCommitRequest rq = {KP_STR_LIT("tx"), KP_STR_LIT("g"), 88, 4, 6,
	                                    KP_STR_LIT("m-1"), KP_STR_LIT("inst"), ARR(t)};
	RT(KP_API_TXN_OFFSET_COMMIT, kp_TxnOffsetCommitRequest, rq, check_toc_req);
	rq.GroupInstanceId = NULLS;
	RT(KP_API_TXN_OFFSET_COMMIT, kp_TxnOffsetCommitRequest, rq, check_toc_req);
	struct TxnOffsetCommitResponsePartition rp[] = {{0, 0}, {3, KERR_UNKNOWN_MEMBER_ID}};
	struct TxnOffsetCommitResponseTopic rt[] = {{KP_STR_LIT("orders"), ARR(rp)}};
	struct TxnOffsetCommitResponse rs = {2, ARR(rt)};
	RT(KP_API_TXN_OFFSET_COMMIT, kp_TxnOffsetCommitResponse, rs, check_toc_resp);

	static const uint8_t v3[] = {
		0x03, 't', 'x',         /* TransactionalId */
		0x02, 'g',              /* GroupId */
		I64(88), I16(4),        /* ProducerId, ProducerEpoch */
		I32(6),                 /* GenerationId */
		0x02, 'm',              /* MemberId "m" */
		0x00,                   /* GroupInstanceId: null */
		0x02, 0x02, 't',        /* Topics: 1, Name "t" */
		0x02, I32(0), I64(100), /* Partitions: 1; index 0, offset 100 */
		I32(-1),                /* CommittedLeaderEpoch -1 */
		0x00,                   /* CommittedMetadata: null */
		0x00, 0x00, 0x00,       /* partition, topic, request tags */
	};
	static const uint8_t v0[] = {
		I16(2), 't', 'x', I16(1), 'g', I64(88), I16(4), /* no generation/member before v3 */
		I32(1), I16(1), 't', I32(1), I32(0), I64(100), /* no leader epoch before v2 */
		I16(-1),                /* CommittedMetadata: null */
	};
	struct TxnOffsetCommitRequestPartition gp = {0, 100, -1, NULLS};
	struct TxnOffsetCommitRequestTopic gt = {KP_STR_LIT("t"), {&gp, 1}};
	struct TxnOffsetCommitRequest in = {KP_STR_LIT("tx"), KP_STR_LIT("g"), 88, 4, 6,
	                                    KP_STR_LIT("m"), NULLS, {&gt, 1}}, out;
	struct arena a;
	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_TxnOffsetCommitRequest, 3, true, &in, v3, sizeof(v3), &a, &out);
	CU_ASSERT(out.GroupInstanceId.len == -1 && out.GenerationId == 6);
	in.GenerationId = -1;
	in.MemberId = STR_EMPTY;
	ch_golden(&kp_TxnOffsetCommitRequest, 0, false, &in, v0, sizeof(v0), &a, &out);
	CU_ASSERT(out.GenerationId == -1 && out.MemberId.len == 0 && out.GroupInstanceId.len == -1);
	const struct TxnOffsetCommitRequestPartition *op =
		((const struct TxnOffsetCommitRequestTopic *)out.Topics.elems)->Partitions.elems;
	CU_ASSERT(op->CommittedLeaderEpoch == -1 && op->CommittedMetadata.len == -1);
	ch_check_truncations(&kp_TxnOffsetCommitRequest, 3, true, v3, sizeof(v3));
	arena_destroy(&a);
}

/* ---- DescribeTransactions 0 and ListTransactions 0-1 (flexible 0+) ------------------------ */

static void check_dt_req(int16_t v, const void *in_, const void *out_)
{
	const struct DescribeTransactionsRequest *a = in_, *b = out_;
	(void)v;
	CK_STRS(TransactionalIds, true);
}

static void ck_dttd(int16_t v, const struct DescribeTransactionsTopicData *a,
                    const struct DescribeTransactionsTopicData *b)
{
	(void)v;
	CK_STR(Topic, true, STR_EMPTY);
	CK_I32S(Partitions, true);
}

static void ck_dts(int16_t v, const struct DescribeTransactionsTransactionState *a,
                   const struct DescribeTransactionsTransactionState *b)
{
	CK(ErrorCode, true, 0);
	CK_STR(TransactionalId, true, STR_EMPTY);
	CK_STR(TransactionState, true, STR_EMPTY);
	CK(TransactionTimeoutMs, true, 0);
	CK(TransactionStartTimeMs, true, 0);
	CK(ProducerId, true, 0);
	CK(ProducerEpoch, true, 0);
	CK_ARR(Topics, true, struct DescribeTransactionsTopicData, ck_dttd);
}

static void check_dt_resp(int16_t v, const void *in_, const void *out_)
{
	const struct DescribeTransactionsResponse *a = in_, *b = out_;
	CK(ThrottleTimeMs, true, 0);
	CK_ARR(TransactionStates, true, struct DescribeTransactionsTransactionState, ck_dts);
}

static void check_lt_req(int16_t v, const void *in_, const void *out_)
{
	const struct ListTransactionsRequest *a = in_, *b = out_;
	CK_STRS(StateFilters, true);
	CK_I64S(ProducerIdFilters, true);
	CK(DurationFilter, v >= 1, -1);
}

static void ck_lts(int16_t v, const struct ListTransactionsTransactionState *a,
                   const struct ListTransactionsTransactionState *b)
{
	(void)v;
	CK_STR(TransactionalId, true, STR_EMPTY);
	CK(ProducerId, true, 0);
	CK_STR(TransactionState, true, STR_EMPTY);
}

static void check_lt_resp(int16_t v, const void *in_, const void *out_)
{
	const struct ListTransactionsResponse *a = in_, *b = out_;
	CK(ThrottleTimeMs, true, 0);
	CK(ErrorCode, true, 0);
	CK_STRS(UnknownStateFilters, true);
	CK_ARR(TransactionStates, true, struct ListTransactionsTransactionState, ck_lts);
}

static void test_describe_list_roundtrip(void)
{
	struct kp_str ids[] = {KP_STR_LIT("tx-a"), KP_STR_LIT(""), KP_STR_LIT("tx-c")};
	struct DescribeTransactionsRequest dq = {ARR(ids)};
	RT(KP_API_DESCRIBE_TRANSACTIONS, kp_DescribeTransactionsRequest, dq, check_dt_req);
	int32_t p[] = {0, 5};
	struct DescribeTransactionsTopicData td[] = {{KP_STR_LIT("orders"), ARR(p)},
	                                             {KP_STR_LIT("x"), EMPTY_ARR}};
	struct DescribeTransactionsTransactionState ds[] = {
		{0, KP_STR_LIT("tx-a"), KP_STR_LIT("Ongoing"), 60000, 1700000000000LL, 4000, 2,
		 ARR(td)},
		{KERR_TRANSACTIONAL_ID_NOT_FOUND, KP_STR_LIT("tx-c"), KP_STR_LIT(""), 0, -1, -1, -1,
		 EMPTY_ARR},
	};
	struct DescribeTransactionsResponse dr = {0, ARR(ds)};
	RT(KP_API_DESCRIBE_TRANSACTIONS, kp_DescribeTransactionsResponse, dr, check_dt_resp);

	struct kp_str states[] = {KP_STR_LIT("Ongoing"), KP_STR_LIT("PrepareCommit")};
	int64_t pids[] = {1, 1LL << 40};
	struct ListTransactionsRequest lq = {ARR(states), ARR(pids), 30000};
	RT(KP_API_LIST_TRANSACTIONS, kp_ListTransactionsRequest, lq, check_lt_req);
	struct kp_str unknown[] = {KP_STR_LIT("Bogus")};
	struct ListTransactionsTransactionState ls[] = {
		{KP_STR_LIT("tx-a"), 4000, KP_STR_LIT("Ongoing")},
		{KP_STR_LIT("tx-b"), 4001, KP_STR_LIT("CompleteCommit")},
	};
	struct ListTransactionsResponse lr = {0, 0, ARR(unknown), ARR(ls)};
	RT(KP_API_LIST_TRANSACTIONS, kp_ListTransactionsResponse, lr, check_lt_resp);
}

static void test_describe_list_golden(void)
{
	static const uint8_t dq_v0[] = {0x02, 0x03, 't', 'x', 0x00}; /* ["tx"], tags */
	static const uint8_t dr_v0[] = {
		I32(0),                 /* ThrottleTimeMs */
		0x02,                   /* TransactionStates: 1 */
		I16(0),                 /* ErrorCode */
		0x03, 't', 'x',         /* TransactionalId */
		0x08, 'O', 'n', 'g', 'o', 'i', 'n', 'g', /* TransactionState */
		I32(60000),             /* TransactionTimeoutMs */
		I64(1700000000000LL),   /* TransactionStartTimeMs */
		I64(4000), I16(2),      /* ProducerId, ProducerEpoch (int16) */
		0x02, 0x02, 't', 0x02, I32(1), 0x00, /* Topics [{t, [1]}] */
		0x00, 0x00,             /* state, response tags */
	};
	static const uint8_t lq_v1[] = {
		0x02, 0x08, 'O', 'n', 'g', 'o', 'i', 'n', 'g', /* StateFilters ["Ongoing"] */
		0x02, I64(4000),        /* ProducerIdFilters [4000] */
		I64(30000),             /* DurationFilter */
		0x00,                   /* tags */
	};
	static const uint8_t lr_v0[] = {
		I32(0), I16(0),         /* ThrottleTimeMs, ErrorCode */
		0x01,                   /* UnknownStateFilters: empty */
		0x02, 0x03, 't', 'x', I64(4000), 0x08, 'O', 'n', 'g', 'o', 'i', 'n', 'g', 0x00,
		0x00,                   /* tags */
	};
	struct kp_str id = KP_STR_LIT("tx"), st = KP_STR_LIT("Ongoing");
	struct DescribeTransactionsRequest dq = {{&id, 1}}, dqo;
	int32_t p[] = {1};
	struct DescribeTransactionsTopicData td = {KP_STR_LIT("t"), ARR(p)};
	struct DescribeTransactionsTransactionState ds = {0, id, st, 60000, 1700000000000LL, 4000, 2,
	                                                  {&td, 1}};
	struct DescribeTransactionsResponse dr = {0, {&ds, 1}}, dro;
	int64_t pid = 4000;
	struct ListTransactionsRequest lq = {{&st, 1}, {&pid, 1}, 30000}, lqo;
	struct ListTransactionsTransactionState ls = {id, 4000, st};
	struct ListTransactionsResponse lr = {0, 0, EMPTY_ARR, {&ls, 1}}, lro;
	struct arena a;
	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_DescribeTransactionsRequest, 0, true, &dq, dq_v0, sizeof(dq_v0), &a, &dqo);
	ch_golden(&kp_DescribeTransactionsResponse, 0, true, &dr, dr_v0, sizeof(dr_v0), &a, &dro);
	ch_golden(&kp_ListTransactionsRequest, 1, true, &lq, lq_v1, sizeof(lq_v1), &a, &lqo);
	CU_ASSERT_EQUAL(lqo.DurationFilter, 30000);
	/* v0 has no DurationFilter: the same bytes less those 8 decode to the default -1. */
	static const uint8_t lq_v0[] = {0x02, 0x08, 'O', 'n', 'g', 'o', 'i', 'n', 'g',
	                                0x02, I64(4000), 0x00};
	lq.DurationFilter = -1;
	ch_golden(&kp_ListTransactionsRequest, 0, true, &lq, lq_v0, sizeof(lq_v0), &a, &lqo);
	CU_ASSERT_EQUAL(lqo.DurationFilter, -1);
	ch_golden(&kp_ListTransactionsResponse, 0, true, &lr, lr_v0, sizeof(lr_v0), &a, &lro);
	ch_golden(&kp_ListTransactionsResponse, 1, true, &lr, lr_v0, sizeof(lr_v0), &a, &lro);
	ch_check_truncations(&kp_DescribeTransactionsResponse, 0, true, dr_v0, sizeof(dr_v0));
	ch_check_truncations(&kp_ListTransactionsRequest, 1, true, lq_v1, sizeof(lq_v1));
	arena_destroy(&a);
}

/* ---- The API table ------------------------------------------------------------------------ */

static const struct {
	int16_t key, vmax, flex;
	const char *name;
	const struct kp_struct *req, *resp;
} txn_apis[] = {
	{KP_API_ADD_PARTITIONS_TO_TXN, 5, 3, "AddPartitionsToTxn", &kp_AddPartitionsToTxnRequest,
	 &kp_AddPartitionsToTxnResponse},
	{KP_API_ADD_OFFSETS_TO_TXN, 4, 3, "AddOffsetsToTxn", &kp_AddOffsetsToTxnRequest,
	 &kp_AddOffsetsToTxnResponse},
	{KP_API_END_TXN, 4, 3, "EndTxn", &kp_EndTxnRequest, &kp_EndTxnResponse},
	{KP_API_WRITE_TXN_MARKERS, 1, 1, "WriteTxnMarkers", &kp_WriteTxnMarkersRequest,
	 &kp_WriteTxnMarkersResponse},
	{KP_API_TXN_OFFSET_COMMIT, 4, 3, "TxnOffsetCommit", &kp_TxnOffsetCommitRequest,
	 &kp_TxnOffsetCommitResponse},
	{KP_API_DESCRIBE_TRANSACTIONS, 0, 0, "DescribeTransactions",
	 &kp_DescribeTransactionsRequest, &kp_DescribeTransactionsResponse},
	{KP_API_LIST_TRANSACTIONS, 1, 0, "ListTransactions", &kp_ListTransactionsRequest,
	 &kp_ListTransactionsResponse},
};

static void test_api_rows(void)
{
	CU_ASSERT_EQUAL(KP_API_ADD_PARTITIONS_TO_TXN, 24);
	CU_ASSERT_EQUAL(KP_API_TXN_OFFSET_COMMIT, 28);
	CU_ASSERT_EQUAL(KP_API_DESCRIBE_TRANSACTIONS, 65);
	CU_ASSERT_EQUAL(KP_API_LIST_TRANSACTIONS, 66);
	for (size_t i = 0; i < KB_ARRAY_LEN(txn_apis); i++) {
		const struct kp_api *api = kp_api_find(txn_apis[i].key);
		CU_ASSERT_PTR_NOT_NULL_FATAL(api);
		CU_ASSERT(api->vmin == 0 && api->vmax == txn_apis[i].vmax);
		CU_ASSERT_EQUAL(api->flex_min, txn_apis[i].flex);
		CU_ASSERT_STRING_EQUAL(api->name, txn_apis[i].name);
		CU_ASSERT(api->request == txn_apis[i].req && api->response == txn_apis[i].resp);
		CU_ASSERT_TRUE(kp_api_flexible(api, txn_apis[i].flex));
		CU_ASSERT(txn_apis[i].flex == 0 || !kp_api_flexible(api, txn_apis[i].flex - 1));
		/* Request header v2 / response header v1 exactly from the first flexible version. */
		CU_ASSERT_EQUAL(kp_request_header_version(api->key, txn_apis[i].flex), 2);
		CU_ASSERT_TRUE(kp_response_header_v1(api->key, txn_apis[i].flex));
		ch_check_desc(api->request, 0);
		ch_check_desc(api->response, 0);
		/* Defaults encode at every version (what the fuzz seeds are made of). */
		for (int16_t v = 0; v <= api->vmax; v++) {
			uint64_t req[32], resp[32];
			CU_ASSERT_FATAL(api->request->size <= sizeof(req) &&
			                api->response->size <= sizeof(resp));
			kp_set_defaults(api->request, req);
			kp_set_defaults(api->response, resp);
			size_t n;
			free(ch_encode(api->request, v, kp_api_flexible(api, v), req, &n));
			free(ch_encode(api->response, v, kp_api_flexible(api, v), resp, &n));
		}
	}
}

void suite_codec_txn(void)
{
	CU_pSuite s = CU_add_suite("codec_txn", NULL, NULL);
	CU_add_test(s, "AddPartitionsToTxn round trips v0-5", test_add_partitions_roundtrip);
	CU_add_test(s, "AddPartitionsToTxn golden v3, v4; responses v2, v5",
	            test_add_partitions_golden);
	CU_add_test(s, "AddOffsetsToTxn and EndTxn v0-4, golden EndTxn v2/v3",
	            test_add_offsets_end_txn);
	CU_add_test(s, "WriteTxnMarkers v0-1, golden v0/v1", test_write_txn_markers);
	CU_add_test(s, "TxnOffsetCommit v0-4, golden v0/v3", test_txn_offset_commit);
	CU_add_test(s, "DescribeTransactions v0, ListTransactions v0-1 round trips",
	            test_describe_list_roundtrip);
	CU_add_test(s, "DescribeTransactions v0, ListTransactions v0/v1 golden",
	            test_describe_list_golden);
	CU_add_test(s, "API table rows and descriptors", test_api_rows);
}
