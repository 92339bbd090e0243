/* test_codec_data.c — message-level tests of the data-path descriptor tables
 * (net/kp_msgs_data.c): Produce, Fetch, ListOffsets, DeleteRecords, OffsetForLeaderEpoch.
 *
 *   - Round trips for EVERY version of every message, request and response: a non-trivial
 *     struct (several array elements, nulls where nullable, non-default tagged values in
 *     flexible versions) is encoded, decoded and compared field by field against hand-written
 *     version rules from kafka-schemas.md (fields absent from the version must come back as
 *     their defaults), re-encoded byte-identically, and every truncated prefix must fail to
 *     decode (never crash; each prefix sits in an exact-size buffer for ASan).
 *   - Golden bytes derived by hand from the schema: Produce v3 and v9 requests, Fetch v4
 *     request, Fetch v12 response with a DivergingEpoch tag, ListOffsets v1 request.
 *   - Hostile lengths/counts, defaults, descriptor sanity and the API table rows.
 * The harness is a copy of the small helpers of test_codec_msgs.c.
 */
#include <CUnit/CUnit.h>
#include <string.h>

#include "codec_harness.h"

void suite_codec_data(void);

static void ck_ppd(int16_t v, const struct PartitionProduceData *a,
		   const struct PartitionProduceData *b)
{
	(void)v;
	CK(Index, true, 0);
	CK_BYTES(Records);
}

static void ck_tpd(int16_t v, const struct TopicProduceData *a, const struct TopicProduceData *b)
{
	CK_STR(Name, true, STR_EMPTY);
	CK_ARR(PartitionData, true, struct PartitionProduceData, ck_ppd);
}

static void check_produce_req(int16_t v, const void *in_, const void *out_)
{
	const struct ProduceRequest *a = in_, *b = out_;

	CK_STR(TransactionalId, v >= 3, KP_STR_NULL);
	CK(Acks, true, 0);
	CK(TimeoutMs, true, 0);
	CK_ARR(TopicData, true, struct TopicProduceData, ck_tpd);
}

static void test_produce_request_all(void)
{
	struct PartitionProduceData p0[] = {
		{0, BYTES_LIT("\x00\x01\x02recordbatch")},
		{7, BYTES_NULL},
		{3, {NULL, 0}},
	};
	struct PartitionProduceData p1[] = {{1, BYTES_LIT("xyz")}};
	struct TopicProduceData topics[] = {
		{KP_STR_LIT("alpha"), ARR(p0)},
		{KP_STR_LIT("b"), ARR(p1)},
		{KP_STR_LIT(""), EMPTY_ARR},
	};
	struct ProduceRequest in = {
		.TransactionalId = KP_STR_LIT("txn-1"),
		.Acks = -1,
		.TimeoutMs = 30000,
		.TopicData = ARR(topics),
	};

	for (int16_t v = 0; v <= 11; v++) {
		CU_ASSERT_EQUAL(ch_flexible(KP_API_PRODUCE, v), v >= 9);
		in.TransactionalId = v % 2 ? KP_STR_NULL : KP_STR_LIT("txn-1");
		ch_roundtrip(&kp_ProduceRequest, v, ch_flexible(KP_API_PRODUCE, v), &in, check_produce_req);
	}
}

static void ck_batch_err(int16_t v, const struct BatchIndexAndErrorMessage *a,
			 const struct BatchIndexAndErrorMessage *b)
{
	(void)v;
	CK(BatchIndex, true, 0);
	CK_STR(BatchIndexErrorMessage, true, KP_STR_NULL);
}

static void ck_ppr(int16_t v, const struct PartitionProduceResponse *a,
		   const struct PartitionProduceResponse *b)
{
	CK(Index, true, 0);
	CK(ErrorCode, true, 0);
	CK(BaseOffset, true, 0);
	CK(LogAppendTimeMs, v >= 2, -1);
	CK(LogStartOffset, v >= 5, -1);
	CK_ARR(RecordErrors, v >= 8, struct BatchIndexAndErrorMessage, ck_batch_err);
	CK_STR(ErrorMessage, v >= 8, KP_STR_NULL);
	CK(CurrentLeader.LeaderId, v >= 10, -1);
	CK(CurrentLeader.LeaderEpoch, v >= 10, -1);
}

static void ck_tpr(int16_t v, const struct TopicProduceResponse *a,
		   const struct TopicProduceResponse *b)
{
	CK_STR(Name, true, STR_EMPTY);
	CK_ARR(PartitionResponses, true, struct PartitionProduceResponse, ck_ppr);
}

static void ck_produce_node(int16_t v, const struct ProduceResponseNodeEndpoint *a,
			    const struct ProduceResponseNodeEndpoint *b)
{
	(void)v;
	CK(NodeId, true, 0);
	CK_STR(Host, true, STR_EMPTY);
	CK(Port, true, 0);
	CK_STR(Rack, true, KP_STR_NULL);
}

static void check_produce_resp(int16_t v, const void *in_, const void *out_)
{
	const struct ProduceResponse *a = in_, *b = out_;

	CK_ARR(Responses, true, struct TopicProduceResponse, ck_tpr);
	CK(ThrottleTimeMs, v >= 1, 0);
	CK_ARR(NodeEndpoints, v >= 10, struct ProduceResponseNodeEndpoint, ck_produce_node);
}

static void test_produce_response_all(void)
{
	struct BatchIndexAndErrorMessage errs[] = {{0, KP_STR_LIT("bad crc")}, {4, KP_STR_NULL}};
	struct PartitionProduceResponse parts[] = {
		{.Index = 0, .ErrorCode = 0, .BaseOffset = 1000, .LogAppendTimeMs = 1700000000000,
		 .LogStartOffset = 12, .RecordErrors = EMPTY_ARR, .ErrorMessage = KP_STR_NULL,
		 .CurrentLeader = {3, 7}},
		{.Index = 5, .ErrorCode = 87, .BaseOffset = -1, .LogAppendTimeMs = -1,
		 .LogStartOffset = -1, .RecordErrors = ARR(errs),
		 .ErrorMessage = KP_STR_LIT("invalid record"), .CurrentLeader = {-1, -1}},
	};
	struct PartitionProduceResponse parts2[] = {
		{.Index = 1, .BaseOffset = 9, .LogAppendTimeMs = -1, .LogStartOffset = 0,
		 .RecordErrors = EMPTY_ARR, .ErrorMessage = KP_STR_LIT(""),
		 .CurrentLeader = {-1, 4}},
	};
	struct TopicProduceResponse topics[] = {
		{KP_STR_LIT("alpha"), ARR(parts)},
		{KP_STR_LIT("beta"), ARR(parts2)},
	};
	struct ProduceResponseNodeEndpoint nodes[] = {
		{3, KP_STR_LIT("host-3"), 9092, KP_STR_LIT("r1")},
		{4, KP_STR_LIT("host-4"), 9093, KP_STR_NULL},
	};
	struct ProduceResponse in = {
		.Responses = ARR(topics),
		.ThrottleTimeMs = 50,
		.NodeEndpoints = ARR(nodes),
	};

	for (int16_t v = 0; v <= 11; v++)
		ch_roundtrip(&kp_ProduceResponse, v, ch_flexible(KP_API_PRODUCE, v), &in, check_produce_resp);
	/* Tags partly default: no NodeEndpoints, a CurrentLeader equal to its default. */
	in.NodeEndpoints = EMPTY_ARR;
	parts[0].CurrentLeader = (struct ProduceResponseLeaderIdAndEpoch){-1, -1};
	for (int16_t v = 9; v <= 11; v++)
		ch_roundtrip(&kp_ProduceResponse, v, true, &in, check_produce_resp);
}

/* ---- Fetch (key 1): 0-17, flexible 12+ ------------------------------------------------- */

static void ck_fetch_part(int16_t v, const struct FetchPartition *a, const struct FetchPartition *b)
{
	CK(Partition, true, 0);
	CK(CurrentLeaderEpoch, v >= 9, -1);
	CK(FetchOffset, true, 0);
	CK(LastFetchedEpoch, v >= 12, -1);
	CK(LogStartOffset, v >= 5, -1);
	CK(PartitionMaxBytes, true, 0);
	CK_UUID(ReplicaDirectoryId, v >= 17);
}

static void ck_fetch_topic(int16_t v, const struct FetchTopic *a, const struct FetchTopic *b)
{
	CK_STR(Topic, v <= 12, STR_EMPTY);
	CK_UUID(TopicId, v >= 13);
	CK_ARR(Partitions, true, struct FetchPartition, ck_fetch_part);
}

static void ck_forgotten(int16_t v, const struct ForgottenTopic *a, const struct ForgottenTopic *b)
{
	CK_STR(Topic, v >= 7 && v <= 12, STR_EMPTY);
	CK_UUID(TopicId, v >= 13);
	CK_I32S(Partitions, v >= 7);
}

static void check_fetch_req(int16_t v, const void *in_, const void *out_)
{
	const struct FetchRequest *a = in_, *b = out_;

	CK_STR(ClusterId, v >= 12, KP_STR_NULL);
	CK(ReplicaId, v <= 14, -1);
	CK(ReplicaState.ReplicaId, v >= 15, -1);
	CK(ReplicaState.ReplicaEpoch, v >= 15, -1);
	CK(MaxWaitMs, true, 0);
	CK(MinBytes, true, 0);
	CK(MaxBytes, v >= 3, INT32_MAX);
	CK(IsolationLevel, v >= 4, 0);
	CK(SessionId, v >= 7, 0);
	CK(SessionEpoch, v >= 7, -1);
	CK_ARR(Topics, true, struct FetchTopic, ck_fetch_topic);
	CK_ARR(ForgottenTopicsData, v >= 7, struct ForgottenTopic, ck_forgotten);
	CK_STR(RackId, v >= 11, STR_EMPTY);
}

static void test_fetch_request_all(void)
{
	struct FetchPartition p0[] = {
		{.Partition = 0, .CurrentLeaderEpoch = 4, .FetchOffset = 100, .LastFetchedEpoch = 3,
		 .LogStartOffset = 10, .PartitionMaxBytes = 1 << 20},
		{.Partition = 9, .CurrentLeaderEpoch = -1, .FetchOffset = 0, .LastFetchedEpoch = -1,
		 .LogStartOffset = -1, .PartitionMaxBytes = 0},
	};
	struct FetchPartition p1[] = {
		{.Partition = 2, .CurrentLeaderEpoch = 1, .FetchOffset = 1LL << 40,
		 .LastFetchedEpoch = 0, .LogStartOffset = 0, .PartitionMaxBytes = 512},
	};
	struct FetchTopic topics[] = {
		{.Topic = KP_STR_LIT("alpha"), .Partitions = ARR(p0)},
		{.Topic = KP_STR_LIT("beta"), .Partitions = ARR(p1)},
	};
	int32_t gone0[] = {1, 2, 3};
	struct ForgottenTopic forgotten[] = {
		{.Topic = KP_STR_LIT("gamma"), .Partitions = ARR(gone0)},
		{.Topic = KP_STR_LIT("delta"), .Partitions = EMPTY_ARR},
	};
	struct FetchRequest in = {
		.ClusterId = KP_STR_LIT("kb-cluster"),
		.ReplicaId = 5,
		.ReplicaState = {7, 99},
		.MaxWaitMs = 500,
		.MinBytes = 1,
		.MaxBytes = 52428800,
		.IsolationLevel = 1,
		.SessionId = 42,
		.SessionEpoch = 3,
		.Topics = ARR(topics),
		.ForgottenTopicsData = ARR(forgotten),
		.RackId = KP_STR_LIT("rack-a"),
	};

	memcpy(p0[0].ReplicaDirectoryId, UUID_B, 16);
	memcpy(topics[0].TopicId, UUID_A, 16);
	memcpy(topics[1].TopicId, UUID_B, 16);
	memcpy(forgotten[0].TopicId, UUID_B, 16);
	for (int16_t v = 0; v <= 17; v++) {
		CU_ASSERT_EQUAL(ch_flexible(KP_API_FETCH, v), v >= 12);
		ch_roundtrip(&kp_FetchRequest, v, ch_flexible(KP_API_FETCH, v), &in, check_fetch_req);
	}
	/* Tags at their defaults (null ClusterId, default ReplicaState). */
	in.ClusterId = KP_STR_NULL;
	in.ReplicaState = (struct ReplicaState){-1, -1};
	for (int16_t v = 12; v <= 17; v++)
		ch_roundtrip(&kp_FetchRequest, v, true, &in, check_fetch_req);
}

static void ck_aborted(int16_t v, const struct AbortedTransaction *a,
		       const struct AbortedTransaction *b)
{
	(void)v;
	CK(ProducerId, true, 0);
	CK(FirstOffset, true, 0);
}

static void ck_fetch_pdata(int16_t v, const struct FetchResponsePartitionData *a,
			   const struct FetchResponsePartitionData *b)
{
	CK(PartitionIndex, true, 0);
	CK(ErrorCode, true, 0);
	CK(HighWatermark, true, 0);
	CK(LastStableOffset, v >= 4, -1);
	CK(LogStartOffset, v >= 5, -1);
	CK(DivergingEpoch.Epoch, v >= 12, -1);
	CK(DivergingEpoch.EndOffset, v >= 12, -1);
	CK(CurrentLeader.LeaderId, v >= 12, -1);
	CK(CurrentLeader.LeaderEpoch, v >= 12, -1);
	CK(SnapshotId.EndOffset, v >= 12, -1);
	CK(SnapshotId.Epoch, v >= 12, -1);
	CK_ARR(AbortedTransactions, v >= 4, struct AbortedTransaction, ck_aborted);
	CK(PreferredReadReplica, v >= 11, -1);
	CK_BYTES(Records);
}

static void ck_fetch_topic_resp(int16_t v, const struct FetchableTopicResponse *a,
				const struct FetchableTopicResponse *b)
{
	CK_STR(Topic, v <= 12, STR_EMPTY);
	CK_UUID(TopicId, v >= 13);
	CK_ARR(Partitions, true, struct FetchResponsePartitionData, ck_fetch_pdata);
}

static void ck_fetch_node(int16_t v, const struct FetchResponseNodeEndpoint *a,
			  const struct FetchResponseNodeEndpoint *b)
{
	(void)v;
	CK(NodeId, true, 0);
	CK_STR(Host, true, STR_EMPTY);
	CK(Port, true, 0);
	CK_STR(Rack, true, KP_STR_NULL);
}

static void check_fetch_resp(int16_t v, const void *in_, const void *out_)
{
	const struct FetchResponse *a = in_, *b = out_;

	CK(ThrottleTimeMs, v >= 1, 0);
	CK(ErrorCode, v >= 7, 0);
	CK(SessionId, v >= 7, 0);
	CK_ARR(Responses, true, struct FetchableTopicResponse, ck_fetch_topic_resp);
	CK_ARR(NodeEndpoints, v >= 16, struct FetchResponseNodeEndpoint, ck_fetch_node);
}

static void test_fetch_response_version(int16_t v)
{
	struct AbortedTransaction aborted[] = {{1000, 5}, {1001, 17}};
	struct FetchResponsePartitionData parts[] = {
		{.PartitionIndex = 0, .ErrorCode = 0, .HighWatermark = 120, .LastStableOffset = 110,
		 .LogStartOffset = 3, .DivergingEpoch = {4, 77}, .CurrentLeader = {-1, -1},
		 .SnapshotId = {-1, -1}, .AbortedTransactions = ARR(aborted),
		 .PreferredReadReplica = 2, .Records = BYTES_LIT("\x00\x00\x00\x00batch-bytes")},
		{.PartitionIndex = 1, .ErrorCode = 6, .HighWatermark = -1, .LastStableOffset = -1,
		 .LogStartOffset = -1, .DivergingEpoch = {-1, -1}, .CurrentLeader = {2, 9},
		 .SnapshotId = {500, 8},
		 .AbortedTransactions = v >= 4 ? NULL_ARR : EMPTY_ARR,
		 .PreferredReadReplica = -1, .Records = BYTES_NULL},
		{.PartitionIndex = 2, .HighWatermark = 0, .LastStableOffset = 0, .LogStartOffset = 0,
		 .DivergingEpoch = {-1, 0}, .CurrentLeader = {-1, -1}, .SnapshotId = {-1, -1},
		 .AbortedTransactions = EMPTY_ARR, .PreferredReadReplica = -1,
		 .Records = {NULL, 0}},
	};
	struct FetchableTopicResponse topics[] = {
		{.Topic = KP_STR_LIT("alpha"), .Partitions = ARR(parts)},
		{.Topic = KP_STR_LIT("beta"), .Partitions = EMPTY_ARR},
	};
	struct FetchResponseNodeEndpoint nodes[] = {
		{2, KP_STR_LIT("host-2"), 9092, KP_STR_NULL},
		{7, KP_STR_LIT("h7"), 19092, KP_STR_LIT("rack-b")},
	};
	struct FetchResponse in = {
		.ThrottleTimeMs = 10,
		.ErrorCode = 0,
		.SessionId = 1234,
		.Responses = ARR(topics),
		.NodeEndpoints = ARR(nodes),
	};

	memcpy(topics[0].TopicId, UUID_A, 16);
	memcpy(topics[1].TopicId, UUID_B, 16);
	ch_roundtrip(&kp_FetchResponse, v, ch_flexible(KP_API_FETCH, v), &in, check_fetch_resp);
	if (v >= 12) { /* no NodeEndpoints, first partition's DivergingEpoch default */
		in.NodeEndpoints = EMPTY_ARR;
		parts[0].DivergingEpoch = (struct FetchResponseEpochEndOffset){-1, -1};
		ch_roundtrip(&kp_FetchResponse, v, true, &in, check_fetch_resp);
	}
}

static void test_fetch_response_all(void)
{
	for (int16_t v = 0; v <= 17; v++)
		test_fetch_response_version(v);
}

/* ---- ListOffsets (key 2): 0-9, flexible 6+ --------------------------------------------- */

static void ck_lo_part(int16_t v, const struct ListOffsetsPartition *a,
		       const struct ListOffsetsPartition *b)
{
	CK(PartitionIndex, true, 0);
	CK(CurrentLeaderEpoch, v >= 4, -1);
	CK(Timestamp, true, 0);
	CK(MaxNumOffsets, v == 0, 1);
}

static void ck_lo_topic(int16_t v, const struct ListOffsetsTopic *a,
			const struct ListOffsetsTopic *b)
{
	CK_STR(Name, true, STR_EMPTY);
	CK_ARR(Partitions, true, struct ListOffsetsPartition, ck_lo_part);
}

static void check_lo_req(int16_t v, const void *in_, const void *out_)
{
	const struct ListOffsetsRequest *a = in_, *b = out_;

	CK(ReplicaId, true, 0);
	CK(IsolationLevel, v >= 2, 0);
	CK_ARR(Topics, true, struct ListOffsetsTopic, ck_lo_topic);
}

static void test_list_offsets_request_all(void)
{
	struct ListOffsetsPartition p0[] = {{0, 5, -1, 3}, {1, -1, -2, 1}, {4, 0, 1700000000000, 10}};
	struct ListOffsetsPartition p1[] = {{0, 2, 0, 1}};
	struct ListOffsetsTopic topics[] = {
		{KP_STR_LIT("alpha"), ARR(p0)},
		{KP_STR_LIT("beta"), ARR(p1)},
	};
	struct ListOffsetsRequest in = {.ReplicaId = -1, .IsolationLevel = 1, .Topics = ARR(topics)};

	for (int16_t v = 0; v <= 9; v++) {
		CU_ASSERT_EQUAL(ch_flexible(KP_API_LIST_OFFSETS, v), v >= 6);
		ch_roundtrip(&kp_ListOffsetsRequest, v, ch_flexible(KP_API_LIST_OFFSETS, v), &in,
			  check_lo_req);
	}
}

static void ck_lo_part_resp(int16_t v, const struct ListOffsetsPartitionResponse *a,
			    const struct ListOffsetsPartitionResponse *b)
{
	CK(PartitionIndex, true, 0);
	CK(ErrorCode, true, 0);
	CK_I64S(OldStyleOffsets, v == 0);
	CK(Timestamp, v >= 1, -1);
	CK(Offset, v >= 1, -1);
	CK(LeaderEpoch, v >= 4, -1);
}

static void ck_lo_topic_resp(int16_t v, const struct ListOffsetsTopicResponse *a,
			     const struct ListOffsetsTopicResponse *b)
{
	CK_STR(Name, true, STR_EMPTY);
	CK_ARR(Partitions, true, struct ListOffsetsPartitionResponse, ck_lo_part_resp);
}

static void check_lo_resp(int16_t v, const void *in_, const void *out_)
{
	const struct ListOffsetsResponse *a = in_, *b = out_;

	CK(ThrottleTimeMs, v >= 2, 0);
	CK_ARR(Topics, true, struct ListOffsetsTopicResponse, ck_lo_topic_resp);
}

static void test_list_offsets_response_all(void)
{
	int64_t old0[] = {100, 50, 0};
	struct ListOffsetsPartitionResponse p0[] = {
		{0, 0, ARR(old0), 1700000000000, 100, 4},
		{1, 3, EMPTY_ARR, -1, -1, -1},
	};
	struct ListOffsetsPartitionResponse p1[] = {{7, 0, EMPTY_ARR, 5, 6, 7}};
	struct ListOffsetsTopicResponse topics[] = {
		{KP_STR_LIT("alpha"), ARR(p0)},
		{KP_STR_LIT("beta"), ARR(p1)},
		{KP_STR_LIT("gamma"), EMPTY_ARR},
	};
	struct ListOffsetsResponse in = {.ThrottleTimeMs = 20, .Topics = ARR(topics)};

	for (int16_t v = 0; v <= 9; v++)
		ch_roundtrip(&kp_ListOffsetsResponse, v, ch_flexible(KP_API_LIST_OFFSETS, v), &in,
			  check_lo_resp);
}

/* ---- DeleteRecords (key 21): 0-2, flexible 2+ ------------------------------------------ */

static void ck_dr_part(int16_t v, const struct DeleteRecordsPartition *a,
		       const struct DeleteRecordsPartition *b)
{
	(void)v;
	CK(PartitionIndex, true, 0);
	CK(Offset, true, 0);
}

static void ck_dr_topic(int16_t v, const struct DeleteRecordsTopic *a,
			const struct DeleteRecordsTopic *b)
{
	CK_STR(Name, true, STR_EMPTY);
	CK_ARR(Partitions, true, struct DeleteRecordsPartition, ck_dr_part);
}

static void check_dr_req(int16_t v, const void *in_, const void *out_)
{
	const struct DeleteRecordsRequest *a = in_, *b = out_;

	CK_ARR(Topics, true, struct DeleteRecordsTopic, ck_dr_topic);
	CK(TimeoutMs, true, 0);
}

static void ck_dr_part_res(int16_t v, const struct DeleteRecordsPartitionResult *a,
			   const struct DeleteRecordsPartitionResult *b)
{
	(void)v;
	CK(PartitionIndex, true, 0);
	CK(LowWatermark, true, 0);
	CK(ErrorCode, true, 0);
}

static void ck_dr_topic_res(int16_t v, const struct DeleteRecordsTopicResult *a,
			    const struct DeleteRecordsTopicResult *b)
{
	CK_STR(Name, true, STR_EMPTY);
	CK_ARR(Partitions, true, struct DeleteRecordsPartitionResult, ck_dr_part_res);
}

static void check_dr_resp(int16_t v, const void *in_, const void *out_)
{
	const struct DeleteRecordsResponse *a = in_, *b = out_;

	CK(ThrottleTimeMs, true, 0);
	CK_ARR(Topics, true, struct DeleteRecordsTopicResult, ck_dr_topic_res);
}

static void test_delete_records_all(void)
{
	struct DeleteRecordsPartition p0[] = {{0, 100}, {1, -1}};
	struct DeleteRecordsPartition p1[] = {{3, 1LL << 33}};
	struct DeleteRecordsTopic topics[] = {{KP_STR_LIT("alpha"), ARR(p0)},
					      {KP_STR_LIT("beta"), ARR(p1)}};
	struct DeleteRecordsRequest req = {ARR(topics), 30000};
	struct DeleteRecordsPartitionResult r0[] = {{0, 100, 0}, {1, -1, 1}};
	struct DeleteRecordsTopicResult rtopics[] = {{KP_STR_LIT("alpha"), ARR(r0)},
						     {KP_STR_LIT("beta"), EMPTY_ARR}};
	struct DeleteRecordsResponse resp = {7, ARR(rtopics)};

	for (int16_t v = 0; v <= 2; v++) {
		CU_ASSERT_EQUAL(ch_flexible(KP_API_DELETE_RECORDS, v), v >= 2);
		ch_roundtrip(&kp_DeleteRecordsRequest, v, v >= 2, &req, check_dr_req);
		ch_roundtrip(&kp_DeleteRecordsResponse, v, v >= 2, &resp, check_dr_resp);
	}
}

/* ---- OffsetForLeaderEpoch (key 23): 0-4, flexible 4+ ----------------------------------- */

static void ck_ofle_part(int16_t v, const struct OffsetForLeaderPartition *a,
			 const struct OffsetForLeaderPartition *b)
{
	CK(Partition, true, 0);
	CK(CurrentLeaderEpoch, v >= 2, -1);
	CK(LeaderEpoch, true, 0);
}

static void ck_ofle_topic(int16_t v, const struct OffsetForLeaderTopic *a,
			  const struct OffsetForLeaderTopic *b)
{
	CK_STR(Topic, true, STR_EMPTY);
	CK_ARR(Partitions, true, struct OffsetForLeaderPartition, ck_ofle_part);
}

static void check_ofle_req(int16_t v, const void *in_, const void *out_)
{
	const struct OffsetForLeaderEpochRequest *a = in_, *b = out_;

	CK(ReplicaId, v >= 3, -2);
	CK_ARR(Topics, true, struct OffsetForLeaderTopic, ck_ofle_topic);
}

static void ck_ofle_eeo(int16_t v, const struct OffsetForLeaderEpochResponseEpochEndOffset *a,
			const struct OffsetForLeaderEpochResponseEpochEndOffset *b)
{
	CK(ErrorCode, true, 0);
	CK(Partition, true, 0);
	CK(LeaderEpoch, v >= 1, -1);
	CK(EndOffset, true, 0);
}

static void ck_ofle_topic_res(int16_t v, const struct OffsetForLeaderTopicResult *a,
			      const struct OffsetForLeaderTopicResult *b)
{
	CK_STR(Topic, true, STR_EMPTY);
	CK_ARR(Partitions, true, struct OffsetForLeaderEpochResponseEpochEndOffset, ck_ofle_eeo);
}

static void check_ofle_resp(int16_t v, const void *in_, const void *out_)
{
	const struct OffsetForLeaderEpochResponse *a = in_, *b = out_;

	CK(ThrottleTimeMs, v >= 2, 0);
	CK_ARR(Topics, true, struct OffsetForLeaderTopicResult, ck_ofle_topic_res);
}

static void test_offset_for_leader_epoch_all(void)
{
	struct OffsetForLeaderPartition p0[] = {{0, 5, 4}, {1, -1, 0}, {2, 9, 9}};
	struct OffsetForLeaderTopic topics[] = {{KP_STR_LIT("alpha"), ARR(p0)},
						{KP_STR_LIT("beta"), EMPTY_ARR}};
	struct OffsetForLeaderEpochRequest req = {3, ARR(topics)};
	struct OffsetForLeaderEpochResponseEpochEndOffset e0[] = {{0, 0, 4, 1000}, {75, 1, -1, -1}};
	struct OffsetForLeaderEpochResponseEpochEndOffset e1[] = {{0, 3, 2, 7}};
	struct OffsetForLeaderTopicResult rtopics[] = {{KP_STR_LIT("alpha"), ARR(e0)},
						       {KP_STR_LIT("beta"), ARR(e1)}};
	struct OffsetForLeaderEpochResponse resp = {15, ARR(rtopics)};

	for (int16_t v = 0; v <= 4; v++) {
		CU_ASSERT_EQUAL(ch_flexible(KP_API_OFFSET_FOR_LEADER_EPOCH, v), v >= 4);
		ch_roundtrip(&kp_OffsetForLeaderEpochRequest, v, v >= 4, &req, check_ofle_req);
		ch_roundtrip(&kp_OffsetForLeaderEpochResponse, v, v >= 4, &resp, check_ofle_resp);
	}
}

/* ---- Golden bytes ---------------------------------------------------------------------- */

static void test_golden_produce_v3(void)
{
	static const uint8_t want[] = {
		0xff, 0xff,                         /* TransactionalId: null */
		0x00, 0x01,                         /* Acks 1 */
		0x00, 0x00, 0x03, 0xe8,             /* TimeoutMs 1000 */
		0x00, 0x00, 0x00, 0x01,             /* TopicData: 1 */
		0x00, 0x01, 't',                    /* Name "t" */
		0x00, 0x00, 0x00, 0x01,             /* PartitionData: 1 */
		0x00, 0x00, 0x00, 0x00,             /* Index 0 */
		0x00, 0x00, 0x00, 0x03, 'a', 'b', 'c', /* Records: 3 bytes */
	};
	struct PartitionProduceData p = {0, BYTES_LIT("abc")};
	struct TopicProduceData t = {KP_STR_LIT("t"), {&p, 1}};
	struct ProduceRequest in = {KP_STR_NULL, 1, 1000, {&t, 1}}, out;
	struct arena a;

	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_ProduceRequest, 3, false, &in, want, sizeof(want), &a, &out);
	CU_ASSERT_EQUAL(out.TransactionalId.len, -1);
	CU_ASSERT_EQUAL_FATAL(out.TopicData.count, 1);
	const struct TopicProduceData *ot = out.TopicData.elems;
	CU_ASSERT_EQUAL_FATAL(ot->PartitionData.count, 1);
	const struct PartitionProduceData *op = ot->PartitionData.elems;
	CU_ASSERT(op->Records.len == 3 && memcmp(op->Records.ptr, "abc", 3) == 0);
	/* zero copy: the records point into the input */
	CU_ASSERT_PTR_EQUAL(op->Records.ptr, want + sizeof(want) - 3);
	arena_destroy(&a);
}

static void test_golden_produce_v9(void)
{
	static const uint8_t want[] = {
		0x03, 't', 'x',                     /* TransactionalId "tx" (compact) */
		0xff, 0xff,                         /* Acks -1 */
		0x00, 0x00, 0x03, 0xe8,             /* TimeoutMs 1000 */
		0x02,                               /* TopicData: 1 */
		0x02, 't',                          /* Name "t" */
		0x03,                               /* PartitionData: 2 */
		0x00, 0x00, 0x00, 0x02,             /* Index 2 */
		0x04, 'a', 'b', 'c',                /* Records: 3 bytes */
		0x00,                               /* partition tags */
		0x00, 0x00, 0x00, 0x03,             /* Index 3 */
		0x00,                               /* Records: null */
		0x00,                               /* partition tags */
		0x00,                               /* topic tags */
		0x00,                               /* tags */
	};
	struct PartitionProduceData p[] = {{2, BYTES_LIT("abc")}, {3, BYTES_NULL}};
	struct TopicProduceData t = {KP_STR_LIT("t"), ARR(p)};
	struct ProduceRequest in = {KP_STR_LIT("tx"), -1, 1000, {&t, 1}}, out;
	struct arena a;

	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_ProduceRequest, 9, true, &in, want, sizeof(want), &a, &out);
	CU_ASSERT_TRUE(kp_str_eq_c(out.TransactionalId, "tx"));
	const struct PartitionProduceData *op =
		((const struct TopicProduceData *)out.TopicData.elems)->PartitionData.elems;
	CU_ASSERT(op[0].Records.len == 3 && op[1].Records.len == -1 && op[1].Records.ptr == NULL);
	arena_destroy(&a);
}

static void test_golden_fetch_v4(void)
{
	static const uint8_t want[] = {
		0xff, 0xff, 0xff, 0xff,             /* ReplicaId -1 */
		0x00, 0x00, 0x01, 0xf4,             /* MaxWaitMs 500 */
		0x00, 0x00, 0x00, 0x01,             /* MinBytes 1 */
		0x00, 0x10, 0x00, 0x00,             /* MaxBytes 1 MiB */
		0x01,                               /* IsolationLevel READ_COMMITTED */
		0x00, 0x00, 0x00, 0x01,             /* Topics: 1 */
		0x00, 0x01, 't',                    /* Topic "t" */
		0x00, 0x00, 0x00, 0x01,             /* Partitions: 1 */
		0x00, 0x00, 0x00, 0x00,             /* Partition 0 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, /* FetchOffset 5 */
		0x00, 0x01, 0x00, 0x00,             /* PartitionMaxBytes 65536 */
	};
	struct FetchPartition p = {.Partition = 0, .CurrentLeaderEpoch = 9, .FetchOffset = 5,
				   .LastFetchedEpoch = 9, .LogStartOffset = 9,
				   .PartitionMaxBytes = 65536};
	struct FetchTopic t = {.Topic = KP_STR_LIT("t"), .Partitions = {&p, 1}};
	struct FetchRequest in = {.ClusterId = KP_STR_LIT("ignored"), .ReplicaId = -1,
				  .MaxWaitMs = 500, .MinBytes = 1, .MaxBytes = 1 << 20,
				  .IsolationLevel = 1, .SessionId = 9, .SessionEpoch = 9,
				  .Topics = {&t, 1}, .ForgottenTopicsData = EMPTY_ARR,
				  .RackId = KP_STR_LIT("ignored")}, out;
	struct arena a;

	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_FetchRequest, 4, false, &in, want, sizeof(want), &a, &out);
	CU_ASSERT(out.ClusterId.len == -1 && out.SessionEpoch == -1 && out.RackId.len == 0);
	const struct FetchPartition *op = ((const struct FetchTopic *)out.Topics.elems)->Partitions.elems;
	CU_ASSERT(op->CurrentLeaderEpoch == -1 && op->LogStartOffset == -1 && op->FetchOffset == 5);
	arena_destroy(&a);
}

static void test_golden_fetch_v12_response(void)
{
	static const uint8_t want[] = {
		0x00, 0x00, 0x00, 0x00,             /* ThrottleTimeMs */
		0x00, 0x00,                         /* ErrorCode */
		0x00, 0x00, 0x00, 0x00,             /* SessionId */
		0x02,                               /* Responses: 1 */
		0x02, 't',                          /* Topic "t" */
		0x02,                               /* Partitions: 1 */
		0x00, 0x00, 0x00, 0x00,             /* PartitionIndex 0 */
		0x00, 0x00,                         /* ErrorCode */
		0, 0, 0, 0, 0, 0, 0, 0x0a,          /* HighWatermark 10 */
		0, 0, 0, 0, 0, 0, 0, 0x0a,          /* LastStableOffset 10 */
		0, 0, 0, 0, 0, 0, 0, 0x00,          /* LogStartOffset 0 */
		0x00,                               /* AbortedTransactions: null */
		0xff, 0xff, 0xff, 0xff,             /* PreferredReadReplica -1 */
		0x00,                               /* Records: null */
		0x01,                               /* partition tags: 1 */
		0x00, 0x0d,                         /*   tag 0 (DivergingEpoch), 13 bytes */
		0x00, 0x00, 0x00, 0x02,             /*   Epoch 2 */
		0, 0, 0, 0, 0, 0, 0, 0x08,          /*   EndOffset 8 */
		0x00,                               /*   its own tags */
		0x00,                               /* topic tags */
		0x00,                               /* tags */
	};
	struct FetchResponsePartitionData p = {
		.HighWatermark = 10, .LastStableOffset = 10, .LogStartOffset = 0,
		.DivergingEpoch = {2, 8}, .CurrentLeader = {-1, -1}, .SnapshotId = {-1, -1},
		.AbortedTransactions = NULL_ARR, .PreferredReadReplica = -1, .Records = BYTES_NULL};
	struct FetchableTopicResponse t = {.Topic = KP_STR_LIT("t"), .Partitions = {&p, 1}};
	struct FetchResponse in = {.Responses = {&t, 1}, .NodeEndpoints = EMPTY_ARR}, out;
	struct arena a;

	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_FetchResponse, 12, true, &in, want, sizeof(want), &a, &out);
	CU_ASSERT_EQUAL_FATAL(out.Responses.count, 1);
	const struct FetchResponsePartitionData *op =
		((const struct FetchableTopicResponse *)out.Responses.elems)->Partitions.elems;
	CU_ASSERT(op->DivergingEpoch.Epoch == 2 && op->DivergingEpoch.EndOffset == 8);
	CU_ASSERT(op->CurrentLeader.LeaderId == -1 && op->SnapshotId.EndOffset == -1);
	CU_ASSERT(ch_array_is(op->AbortedTransactions, -1) && op->Records.len == -1);
	arena_destroy(&a);
}

static void test_golden_list_offsets_v1(void)
{
	static const uint8_t want[] = {
		0xff, 0xff, 0xff, 0xff,             /* ReplicaId -1 */
		0x00, 0x00, 0x00, 0x01,             /* Topics: 1 */
		0x00, 0x01, 't',                    /* Name "t" */
		0x00, 0x00, 0x00, 0x01,             /* Partitions: 1 */
		0x00, 0x00, 0x00, 0x00,             /* PartitionIndex 0 */
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* Timestamp -1 (latest) */
	};
	struct ListOffsetsPartition p = {0, 5, -1, 3};
	struct ListOffsetsTopic t = {KP_STR_LIT("t"), {&p, 1}};
	struct ListOffsetsRequest in = {-1, 1, {&t, 1}}, out;
	struct arena a;

	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_ListOffsetsRequest, 1, false, &in, want, sizeof(want), &a, &out);
	CU_ASSERT_EQUAL(out.IsolationLevel, 0);
	const struct ListOffsetsPartition *op =
		((const struct ListOffsetsTopic *)out.Topics.elems)->Partitions.elems;
	CU_ASSERT(op->Timestamp == -1 && op->MaxNumOffsets == 1 && op->CurrentLeaderEpoch == -1);
	arena_destroy(&a);
}

/* ---- Hostile input --------------------------------------------------------------------- */

static void test_hostile(void)
{
	/* Produce v3: records length runs past the end. */
	static const uint8_t rec_past[] = {0xff, 0xff, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 't',
					   0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x10, 0x00, 'a'};
	/* Produce v3: records length -2. */
	static const uint8_t rec_neg[] = {0xff, 0xff, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 't',
					  0, 0, 0, 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xfe};
	/* Produce v0: TopicData declares 2^31-1 topics. */
	static const uint8_t huge[32] = {0, 1, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff};
	/* Produce v2: TransactionalId absent, so a null-looking prefix is Acks = -1. */
	static const uint8_t v2_ok[] = {0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0};
	/* Fetch v12 response: AbortedTransactions count 2^28 in a small frame. */
	static const uint8_t aborted[] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0,       /* ThrottleTimeMs, ErrorCode, SessionId */
		0x02, 0x02, 't', 0x02,              /* 1 topic "t", 1 partition */
		0, 0, 0, 0, 0, 0,                   /* PartitionIndex, ErrorCode */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* offsets */
		0x81, 0x80, 0x80, 0x80, 0x01,       /* AbortedTransactions: 2^28 */
		0, 0, 0, 0, 0, 0,
	};
	const struct kp_struct *pr = &kp_ProduceRequest;

	CU_ASSERT_EQUAL(ch_decode_err(pr, 3, false, rec_past, sizeof(rec_past), ARENA_MAX),
			KP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(ch_decode_err(pr, 3, false, rec_neg, sizeof(rec_neg), ARENA_MAX),
			KP_ERR_INVALID);
	CU_ASSERT_EQUAL(ch_decode_err(pr, 0, false, huge, sizeof(huge), ARENA_MAX), KP_ERR_LIMIT);
	CU_ASSERT_EQUAL(ch_decode_err(pr, 2, false, v2_ok, sizeof(v2_ok), ARENA_MAX), KP_OK);
	CU_ASSERT_EQUAL(ch_decode_err(&kp_FetchResponse, 12, true, aborted, sizeof(aborted),
				   ARENA_MAX), KP_ERR_LIMIT);
}

/* Unknown tags are skipped and known ones decoded, also inside nested tagged structs. */
static void test_fetch_request_tags(void)
{
	static const uint8_t v15[] = {
		0, 0, 0, 0, 0, 0, 0, 0,             /* MaxWaitMs, MinBytes */
		0x7f, 0xff, 0xff, 0xff, 0x00,       /* MaxBytes, IsolationLevel */
		0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, /* SessionId, SessionEpoch */
		0x01, 0x01, 0x01,                   /* Topics [], Forgotten [], RackId "" */
		0x03,                               /* 3 tags */
		0x00, 0x03, 0x02, 'c', 'x',         /* 0: ClusterId "cx" (1 trailing byte) */
		0x01, 0x10, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 6, /* 1: ReplicaState {4, 6} */
		0x01, 0x05, 0x01, 0xaa,             /*    ... with an unknown tag 5 inside */
		0x09, 0x00,                         /* 9: unknown, empty */
	};
	struct FetchRequest out;
	struct arena a;
	size_t left;

	arena_init(&a, ARENA_MAX);
	CU_ASSERT_EQUAL(ch_decode(&kp_FetchRequest, 15, true, v15, sizeof(v15), &a, &out, &left),
			KP_OK);
	CU_ASSERT_EQUAL(left, 0);
	CU_ASSERT_TRUE(kp_str_eq_c(out.ClusterId, "c"));
	CU_ASSERT(out.ReplicaState.ReplicaId == 4 && out.ReplicaState.ReplicaEpoch == 6);
	CU_ASSERT(out.ReplicaId == -1 && out.MaxBytes == INT32_MAX && out.SessionEpoch == -1);
	arena_destroy(&a);
}

/* ---- Defaults, table sanity, API table ------------------------------------------------- */

static void test_defaults(void)
{
	struct FetchRequest fr;
	struct FetchResponsePartitionData pd;
	struct ProduceRequest pr;
	struct OffsetForLeaderEpochRequest oq;
	struct ListOffsetsPartition lp;
	struct PartitionProduceResponse ppr;

	memset(&fr, 0x5a, sizeof(fr));
	kp_set_defaults(&kp_FetchRequest, &fr);
	CU_ASSERT(fr.ClusterId.len == -1 && fr.ReplicaId == -1 && fr.MaxBytes == INT32_MAX);
	CU_ASSERT(fr.ReplicaState.ReplicaId == -1 && fr.ReplicaState.ReplicaEpoch == -1);
	CU_ASSERT(fr.SessionId == 0 && fr.SessionEpoch == -1 && fr.IsolationLevel == 0);
	CU_ASSERT(ch_array_is(fr.Topics, 0) && ch_array_is(fr.ForgottenTopicsData, 0));
	CU_ASSERT(fr.RackId.len == 0);
	memset(&pr, 0x5a, sizeof(pr));
	kp_set_defaults(&kp_ProduceRequest, &pr);
	CU_ASSERT(pr.TransactionalId.len == -1 && pr.TransactionalId.ptr == NULL);
	CU_ASSERT(pr.Acks == 0 && pr.TimeoutMs == 0 && ch_array_is(pr.TopicData, 0));
	memset(&oq, 0x5a, sizeof(oq));
	kp_set_defaults(&kp_OffsetForLeaderEpochRequest, &oq);
	CU_ASSERT_EQUAL(oq.ReplicaId, -2);
	/* Nested descriptors are static: reach them through a decoded v0 message instead. */
	{
		/* ListOffsetsRequest v4: one topic "t", one partition (index 0, epoch 0, ts 1). */
		static const uint8_t lo0[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1,
					      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
		/* FetchResponse v4: one topic "t", one partition, no aborted txns, null records. */
		static const uint8_t fr4[] = {0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1,
					      0, 0, 0, 0, 0, 0,
					      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					      0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
		/* ProduceResponse v0: one topic "t", one partition. */
		static const uint8_t pr0[] = {0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1, 0, 0, 0, 0,
					      0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
		struct ListOffsetsRequest lr;
		struct FetchResponse fresp;
		struct ProduceResponse presp;
		struct arena a;
		size_t left;

		arena_init(&a, ARENA_MAX);
		CU_ASSERT_EQUAL(ch_decode(&kp_ListOffsetsRequest, 4, false, lo0, sizeof(lo0), &a, &lr,
				       &left), KP_OK);
		CU_ASSERT_EQUAL(left, 0);
		lp = *(const struct ListOffsetsPartition *)
			((const struct ListOffsetsTopic *)lr.Topics.elems)->Partitions.elems;
		CU_ASSERT(lp.MaxNumOffsets == 1 && lp.CurrentLeaderEpoch == 0 && lp.Timestamp == 1);
		CU_ASSERT_EQUAL(ch_decode(&kp_FetchResponse, 4, false, fr4, sizeof(fr4), &a, &fresp,
				       &left), KP_OK);
		CU_ASSERT_EQUAL(left, 0);
		pd = *(const struct FetchResponsePartitionData *)
			((const struct FetchableTopicResponse *)fresp.Responses.elems)->Partitions.elems;
		CU_ASSERT(pd.LogStartOffset == -1 && pd.PreferredReadReplica == -1);
		CU_ASSERT(pd.DivergingEpoch.Epoch == -1 && pd.DivergingEpoch.EndOffset == -1);
		CU_ASSERT(pd.CurrentLeader.LeaderId == -1 && pd.CurrentLeader.LeaderEpoch == -1);
		CU_ASSERT(pd.SnapshotId.EndOffset == -1 && pd.SnapshotId.Epoch == -1);
		CU_ASSERT(ch_array_is(pd.AbortedTransactions, 0) && pd.Records.len == -1);
		CU_ASSERT(fresp.SessionId == 0 && ch_array_is(fresp.NodeEndpoints, 0));
		CU_ASSERT_EQUAL(ch_decode(&kp_ProduceResponse, 0, false, pr0, sizeof(pr0), &a, &presp,
				       &left), KP_OK);
		CU_ASSERT_EQUAL(left, 0);
		ppr = *(const struct PartitionProduceResponse *)
			((const struct TopicProduceResponse *)presp.Responses.elems)
				->PartitionResponses.elems;
		CU_ASSERT(ppr.LogAppendTimeMs == -1 && ppr.LogStartOffset == -1);
		CU_ASSERT(ppr.ErrorMessage.len == -1 && ch_array_is(ppr.RecordErrors, 0));
		CU_ASSERT(ppr.CurrentLeader.LeaderId == -1 && ppr.CurrentLeader.LeaderEpoch == -1);
		arena_destroy(&a);
	}
}

struct api_row {
	int16_t key, vmax, flex;
	const struct kp_struct *req, *resp;
	uint32_t req_fields, resp_fields;
	uint32_t req_size, resp_size;
};

static const struct api_row data_apis[] = {
	{KP_API_PRODUCE, 11, 9, &kp_ProduceRequest, &kp_ProduceResponse, 4, 3,
	 sizeof(struct ProduceRequest), sizeof(struct ProduceResponse)},
	{KP_API_FETCH, 17, 12, &kp_FetchRequest, &kp_FetchResponse, 12, 5,
	 sizeof(struct FetchRequest), sizeof(struct FetchResponse)},
	{KP_API_LIST_OFFSETS, 9, 6, &kp_ListOffsetsRequest, &kp_ListOffsetsResponse, 3, 2,
	 sizeof(struct ListOffsetsRequest), sizeof(struct ListOffsetsResponse)},
	{KP_API_DELETE_RECORDS, 2, 2, &kp_DeleteRecordsRequest, &kp_DeleteRecordsResponse, 2, 2,
	 sizeof(struct DeleteRecordsRequest), sizeof(struct DeleteRecordsResponse)},
	{KP_API_OFFSET_FOR_LEADER_EPOCH, 4, 4, &kp_OffsetForLeaderEpochRequest,
	 &kp_OffsetForLeaderEpochResponse, 2, 2, sizeof(struct OffsetForLeaderEpochRequest),
	 sizeof(struct OffsetForLeaderEpochResponse)},
};

static void test_table_sanity(void)
{
	for (size_t i = 0; i < KB_ARRAY_LEN(data_apis); i++) {
		const struct api_row *r = &data_apis[i];
		ch_check_desc(r->req, 0);
		ch_check_desc(r->resp, 0);
		CU_ASSERT_EQUAL(r->req->nfields, r->req_fields);
		CU_ASSERT_EQUAL(r->resp->nfields, r->resp_fields);
		CU_ASSERT_EQUAL(r->req->size, r->req_size);
		CU_ASSERT_EQUAL(r->resp->size, r->resp_size);
	}
}

static void test_api_table(void)
{
	const struct kp_api *prev = NULL;

	for (size_t i = 0; i < KB_ARRAY_LEN(data_apis); i++) {
		const struct api_row *r = &data_apis[i];
		const struct kp_api *api = kp_api_find(r->key);
		CU_ASSERT_PTR_NOT_NULL_FATAL(api);
		CU_ASSERT(api->key == r->key && api->vmin == 0 && api->vmax == r->vmax);
		CU_ASSERT_EQUAL(api->flex_min, r->flex);
		CU_ASSERT(api->request == r->req && api->response == r->resp);
		CU_ASSERT_FALSE(kp_api_flexible(api, (int16_t)(r->flex - 1)));
		CU_ASSERT_TRUE(kp_api_flexible(api, r->flex));
	}
	/* The table is sorted by key: ascending keys find ascending rows. */
	for (int k = 0; k <= 1000; k++) {
		const struct kp_api *api = kp_api_find((int16_t)k);
		if (!api)
			continue;
		CU_ASSERT(api->key == k && api->name && api->request && api->response);
		CU_ASSERT(api->vmin <= api->vmax && api->flex_min >= api->vmin);
		CU_ASSERT(prev == NULL || api > prev);
		prev = api;
	}
}

/* A Produce v9 request carries request header v2 (tag section after the client id). */
static void test_produce_header(void)
{
	static const uint8_t v9[] = {0, 0, 0, 9, 0, 0, 0, 1, 0, 1, 'x', 0x00, 0xaa};
	static const uint8_t v8[] = {0, 0, 0, 8, 0, 0, 0, 1, 0, 1, 'x', 0xaa};
	struct kp_request_header h;
	struct kp_reader r;

	kp_reader_init(&r, v9, sizeof(v9));
	CU_ASSERT_EQUAL(kp_request_header_read(&r, &h), KP_OK);
	CU_ASSERT_EQUAL(kp_remaining(&r), 1);
	kp_reader_init(&r, v8, sizeof(v8));
	CU_ASSERT_EQUAL(kp_request_header_read(&r, &h), KP_OK);
	CU_ASSERT_EQUAL(kp_remaining(&r), 1);
}

void suite_codec_data(void)
{
	CU_pSuite s = CU_add_suite("codec_data", NULL, NULL);

	CU_add_test(s, "ProduceRequest v0-11 round trip", test_produce_request_all);
	CU_add_test(s, "ProduceResponse v0-11 round trip", test_produce_response_all);
	CU_add_test(s, "FetchRequest v0-17 round trip", test_fetch_request_all);
	CU_add_test(s, "FetchResponse v0-17 round trip", test_fetch_response_all);
	CU_add_test(s, "ListOffsetsRequest v0-9 round trip", test_list_offsets_request_all);
	CU_add_test(s, "ListOffsetsResponse v0-9 round trip", test_list_offsets_response_all);
	CU_add_test(s, "DeleteRecords v0-2 round trip", test_delete_records_all);
	CU_add_test(s, "OffsetForLeaderEpoch v0-4 round trip", test_offset_for_leader_epoch_all);
	CU_add_test(s, "golden ProduceRequest v3", test_golden_produce_v3);
	CU_add_test(s, "golden ProduceRequest v9", test_golden_produce_v9);
	CU_add_test(s, "golden FetchRequest v4", test_golden_fetch_v4);
	CU_add_test(s, "golden FetchResponse v12 DivergingEpoch", test_golden_fetch_v12_response);
	CU_add_test(s, "golden ListOffsetsRequest v1", test_golden_list_offsets_v1);
	CU_add_test(s, "hostile lengths and counts", test_hostile);
	CU_add_test(s, "FetchRequest v15 tags", test_fetch_request_tags);
	CU_add_test(s, "defaults", test_defaults);
	CU_add_test(s, "descriptor table sanity", test_table_sanity);
	CU_add_test(s, "API table", test_api_table);
	CU_add_test(s, "Produce request header v1/v2", test_produce_header);
}
