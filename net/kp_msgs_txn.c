/* kp_msgs_txn.c — descriptor tables of the transaction APIs (structs in kp_msgs_txn.h),
 * transcribed by hand from Kafka 3.9's message JSON. */
#include "kp_msgs.h"

/* ---- AddPartitionsToTxn (key 24): valid 0-5, flexible 3+ ---------------------------------- */

static const struct kp_field AddPartitionsToTxnTopic_fields[] = {
	/* AddPartitionsToTxnTopic.Name: string [0+] */
	KP_FIELD(struct AddPartitionsToTxnTopic, Name, KP_STRING, 0, KP_VMAX),
	/* AddPartitionsToTxnTopic.Partitions: []int32 [0+] */
	KP_FIELD_ARRAY(struct AddPartitionsToTxnTopic, Partitions, KP_INT32, 0, KP_VMAX, NULL),
};
static const struct kp_struct AddPartitionsToTxnTopic_desc =
	KP_STRUCT_DESC(struct AddPartitionsToTxnTopic, AddPartitionsToTxnTopic_fields);

static const struct kp_field AddPartitionsToTxnTransaction_fields[] = {
	/* Transactions[].TransactionalId: string [4+] */
	KP_FIELD(struct AddPartitionsToTxnTransaction, TransactionalId, KP_STRING, 4, KP_VMAX),
	/* Transactions[].ProducerId: int64 [4+] */
	KP_FIELD(struct AddPartitionsToTxnTransaction, ProducerId, KP_INT64, 4, KP_VMAX),
	/* Transactions[].ProducerEpoch: int16 [4+] */
	KP_FIELD(struct AddPartitionsToTxnTransaction, ProducerEpoch, KP_INT16, 4, KP_VMAX),
	/* Transactions[].VerifyOnly: bool [4+] {def false} */
	KP_FIELD_DEF(struct AddPartitionsToTxnTransaction, VerifyOnly, KP_BOOL, 4, KP_VMAX, 0),
	/* Transactions[].Topics: []AddPartitionsToTxnTopic [4+] */
	KP_FIELD_ARRAY(struct AddPartitionsToTxnTransaction, Topics, KP_STRUCT, 4, KP_VMAX,
		       &AddPartitionsToTxnTopic_desc),
};
static const struct kp_struct AddPartitionsToTxnTransaction_desc =
	KP_STRUCT_DESC(struct AddPartitionsToTxnTransaction, AddPartitionsToTxnTransaction_fields);

static const struct kp_field AddPartitionsToTxnRequest_fields[] = {
	/* AddPartitionsToTxnRequest.Transactions: []AddPartitionsToTxnTransaction [4+] */
	KP_FIELD_ARRAY(struct AddPartitionsToTxnRequest, Transactions, KP_STRUCT, 4, KP_VMAX,
		       &AddPartitionsToTxnTransaction_desc),
	/* AddPartitionsToTxnRequest.V3AndBelowTransactionalId: string [0-3] */
	KP_FIELD(struct AddPartitionsToTxnRequest, V3AndBelowTransactionalId, KP_STRING, 0, 3),
	/* AddPartitionsToTxnRequest.V3AndBelowProducerId: int64 [0-3] */
	KP_FIELD(struct AddPartitionsToTxnRequest, V3AndBelowProducerId, KP_INT64, 0, 3),
	/* AddPartitionsToTxnRequest.V3AndBelowProducerEpoch: int16 [0-3] */
	KP_FIELD(struct AddPartitionsToTxnRequest, V3AndBelowProducerEpoch, KP_INT16, 0, 3),
	/* AddPartitionsToTxnRequest.V3AndBelowTopics: []AddPartitionsToTxnTopic [0-3] */
	KP_FIELD_ARRAY(struct AddPartitionsToTxnRequest, V3AndBelowTopics, KP_STRUCT, 0, 3,
		       &AddPartitionsToTxnTopic_desc),
};
const struct kp_struct kp_AddPartitionsToTxnRequest =
	KP_STRUCT_DESC(struct AddPartitionsToTxnRequest, AddPartitionsToTxnRequest_fields);

static const struct kp_field AddPartitionsToTxnPartitionResult_fields[] = {
	/* AddPartitionsToTxnPartitionResult.PartitionIndex: int32 [0+] */
	KP_FIELD(struct AddPartitionsToTxnPartitionResult, PartitionIndex, KP_INT32, 0, KP_VMAX),
	/* AddPartitionsToTxnPartitionResult.PartitionErrorCode: int16 [0+] */
	KP_FIELD(struct AddPartitionsToTxnPartitionResult, PartitionErrorCode, KP_INT16, 0,
		 KP_VMAX),
};
static const struct kp_struct AddPartitionsToTxnPartitionResult_desc =
	KP_STRUCT_DESC(struct AddPartitionsToTxnPartitionResult,
		       AddPartitionsToTxnPartitionResult_fields);

static const struct kp_field AddPartitionsToTxnTopicResult_fields[] = {
	/* AddPartitionsToTxnTopicResult.Name: string [0+] */
	KP_FIELD(struct AddPartitionsToTxnTopicResult, Name, KP_STRING, 0, KP_VMAX),
	/* AddPartitionsToTxnTopicResult.ResultsByPartition: []...PartitionResult [0+] */
	KP_FIELD_ARRAY(struct AddPartitionsToTxnTopicResult, ResultsByPartition, KP_STRUCT, 0,
		       KP_VMAX, &AddPartitionsToTxnPartitionResult_desc),
};
static const struct kp_struct AddPartitionsToTxnTopicResult_desc =
	KP_STRUCT_DESC(struct AddPartitionsToTxnTopicResult, AddPartitionsToTxnTopicResult_fields);

static const struct kp_field AddPartitionsToTxnResult_fields[] = {
	/* ResultsByTransaction[].TransactionalId: string [4+] */
	KP_FIELD(struct AddPartitionsToTxnResult, TransactionalId, KP_STRING, 4, KP_VMAX),
	/* ResultsByTransaction[].TopicResults: []AddPartitionsToTxnTopicResult [4+] */
	KP_FIELD_ARRAY(struct AddPartitionsToTxnResult, TopicResults, KP_STRUCT, 4, KP_VMAX,
		       &AddPartitionsToTxnTopicResult_desc),
};
static const struct kp_struct AddPartitionsToTxnResult_desc =
	KP_STRUCT_DESC(struct AddPartitionsToTxnResult, AddPartitionsToTxnResult_fields);

static const struct kp_field AddPartitionsToTxnResponse_fields[] = {
	/* AddPartitionsToTxnResponse.ThrottleTimeMs: int32 [0+] */
	KP_FIELD(struct AddPartitionsToTxnResponse, ThrottleTimeMs, KP_INT32, 0, KP_VMAX),
	/* AddPartitionsToTxnResponse.ErrorCode: int16 [4+] */
	KP_FIELD(struct AddPartitionsToTxnResponse, ErrorCode, KP_INT16, 4, KP_VMAX),
	/* AddPartitionsToTxnResponse.ResultsByTransaction: []AddPartitionsToTxnResult [4+] */
	KP_FIELD_ARRAY(struct AddPartitionsToTxnResponse, ResultsByTransaction, KP_STRUCT, 4,
		       KP_VMAX, &AddPartitionsToTxnResult_desc),
	/* AddPartitionsToTxnResponse.ResultsByTopicV3AndBelow: []...TopicResult [0-3] */
	KP_FIELD_ARRAY(struct AddPartitionsToTxnResponse, ResultsByTopicV3AndBelow, KP_STRUCT, 0,
		       3, &AddPartitionsToTxnTopicResult_desc),
};
const struct kp_struct kp_AddPartitionsToTxnResponse =
	KP_STRUCT_DESC(struct AddPartitionsToTxnResponse, AddPartitionsToTxnResponse_fields);

/* ---- AddOffsetsToTxn (key 25): valid 0-4, flexible 3+ ------------------------------------- */

static const struct kp_field AddOffsetsToTxnRequest_fields[] = {
	/* AddOffsetsToTxnRequest.TransactionalId: string [0+] */
	KP_FIELD(struct AddOffsetsToTxnRequest, TransactionalId, KP_STRING, 0, KP_VMAX),
	/* AddOffsetsToTxnRequest.ProducerId: int64 [0+] */
	KP_FIELD(struct AddOffsetsToTxnRequest, ProducerId, KP_INT64, 0, KP_VMAX),
	/* AddOffsetsToTxnRequest.ProducerEpoch: int16 [0+] */
	KP_FIELD(struct AddOffsetsToTxnRequest, ProducerEpoch, KP_INT16, 0, KP_VMAX),
	/* AddOffsetsToTxnRequest.GroupId: string [0+] */
	KP_FIELD(struct AddOffsetsToTxnRequest, GroupId, KP_STRING, 0, KP_VMAX),
};
const struct kp_struct kp_AddOffsetsToTxnRequest =
	KP_STRUCT_DESC(struct AddOffsetsToTxnRequest, AddOffsetsToTxnRequest_fields);

static const struct kp_field AddOffsetsToTxnResponse_fields[] = {
	/* AddOffsetsToTxnResponse.ThrottleTimeMs: int32 [0+] */
	KP_FIELD(struct AddOffsetsToTxnResponse, ThrottleTimeMs, KP_INT32, 0, KP_VMAX),
	/* AddOffsetsToTxnResponse.ErrorCode: int16 [0+] */
	KP_FIELD(struct AddOffsetsToTxnResponse, ErrorCode, KP_INT16, 0, KP_VMAX),
};
const struct kp_struct kp_AddOffsetsToTxnResponse =
	KP_STRUCT_DESC(struct AddOffsetsToTxnResponse, AddOffsetsToTxnResponse_fields);

/* ---- EndTxn (key 26): valid 0-4, flexible 3+ ---------------------------------------------- */

static const struct kp_field EndTxnRequest_fields[] = {
	/* EndTxnRequest.TransactionalId: string [0+] */
	KP_FIELD(struct EndTxnRequest, TransactionalId, KP_STRING, 0, KP_VMAX),
	/* EndTxnRequest.ProducerId: int64 [0+] */
	KP_FIELD(struct EndTxnRequest, ProducerId, KP_INT64, 0, KP_VMAX),
	/* EndTxnRequest.ProducerEpoch: int16 [0+] */
	KP_FIELD(struct EndTxnRequest, ProducerEpoch, KP_INT16, 0, KP_VMAX),
	/* EndTxnRequest.Committed: bool [0+] */
	KP_FIELD(struct EndTxnRequest, Committed, KP_BOOL, 0, KP_VMAX),
};
const struct kp_struct kp_EndTxnRequest =
	KP_STRUCT_DESC(struct EndTxnRequest, EndTxnRequest_fields);

static const struct kp_field EndTxnResponse_fields[] = {
	/* EndTxnResponse.ThrottleTimeMs: int32 [0+] */
	KP_FIELD(struct EndTxnResponse, ThrottleTimeMs, KP_INT32, 0, KP_VMAX),
	/* EndTxnResponse.ErrorCode: int16 [0+] */
	KP_FIELD(struct EndTxnResponse, ErrorCode, KP_INT16, 0, KP_VMAX),
};
const struct kp_struct kp_EndTxnResponse =
	KP_STRUCT_DESC(struct EndTxnResponse, EndTxnResponse_fields);

/* ---- WriteTxnMarkers (key 27): valid 0-1, flexible 1+ ------------------------------------- */

static const struct kp_field WritableTxnMarkerTopic_fields[] = {
	/* WriteTxnMarkersRequest.Markers[].Topics[].Name: string [0+] */
	KP_FIELD(struct WritableTxnMarkerTopic, Name, KP_STRING, 0, KP_VMAX),
	/* WriteTxnMarkersRequest.Markers[].Topics[].PartitionIndexes: []int32 [0+] */
	KP_FIELD_ARRAY(struct WritableTxnMarkerTopic, PartitionIndexes, KP_INT32, 0, KP_VMAX,
		       NULL),
};
static const struct kp_struct WritableTxnMarkerTopic_desc =
	KP_STRUCT_DESC(struct WritableTxnMarkerTopic, WritableTxnMarkerTopic_fields);

static const struct kp_field WritableTxnMarker_fields[] = {
	/* WriteTxnMarkersRequest.Markers[].ProducerId: int64 [0+] */
	KP_FIELD(struct WritableTxnMarker, ProducerId, KP_INT64, 0, KP_VMAX),
	/* WriteTxnMarkersRequest.Markers[].ProducerEpoch: int16 [0+] */
	KP_FIELD(struct WritableTxnMarker, ProducerEpoch, KP_INT16, 0, KP_VMAX),
	/* WriteTxnMarkersRequest.Markers[].TransactionResult: bool [0+] */
	KP_FIELD(struct WritableTxnMarker, TransactionResult, KP_BOOL, 0, KP_VMAX),
	/* WriteTxnMarkersRequest.Markers[].Topics: []WritableTxnMarkerTopic [0+] */
	KP_FIELD_ARRAY(struct WritableTxnMarker, Topics, KP_STRUCT, 0, KP_VMAX,
		       &WritableTxnMarkerTopic_desc),
	/* WriteTxnMarkersRequest.Markers[].CoordinatorEpoch: int32 [0+] */
	KP_FIELD(struct WritableTxnMarker, CoordinatorEpoch, KP_INT32, 0, KP_VMAX),
};
static const struct kp_struct WritableTxnMarker_desc =
	KP_STRUCT_DESC(struct WritableTxnMarker, WritableTxnMarker_fields);

static const struct kp_field WriteTxnMarkersRequest_fields[] = {
	/* WriteTxnMarkersRequest.Markers: []WritableTxnMarker [0+] */
	KP_FIELD_ARRAY(struct WriteTxnMarkersRequest, Markers, KP_STRUCT, 0, KP_VMAX,
		       &WritableTxnMarker_desc),
};
const struct kp_struct kp_WriteTxnMarkersRequest =
	KP_STRUCT_DESC(struct WriteTxnMarkersRequest, WriteTxnMarkersRequest_fields);

static const struct kp_field WritableTxnMarkerPartitionResult_fields[] = {
	/* ...Markers[].Topics[].Partitions[].PartitionIndex: int32 [0+] */
	KP_FIELD(struct WritableTxnMarkerPartitionResult, PartitionIndex, KP_INT32, 0, KP_VMAX),
	/* ...Markers[].Topics[].Partitions[].ErrorCode: int16 [0+] */
	KP_FIELD(struct WritableTxnMarkerPartitionResult, ErrorCode, KP_INT16, 0, KP_VMAX),
};
static const struct kp_struct WritableTxnMarkerPartitionResult_desc =
	KP_STRUCT_DESC(struct WritableTxnMarkerPartitionResult,
		       WritableTxnMarkerPartitionResult_fields);

static const struct kp_field WritableTxnMarkerTopicResult_fields[] = {
	/* WriteTxnMarkersResponse.Markers[].Topics[].Name: string [0+] */
	KP_FIELD(struct WritableTxnMarkerTopicResult, Name, KP_STRING, 0, KP_VMAX),
	/* WriteTxnMarkersResponse.Markers[].Topics[].Partitions: []...PartitionResult [0+] */
	KP_FIELD_ARRAY(struct WritableTxnMarkerTopicResult, Partitions, KP_STRUCT, 0, KP_VMAX,
		       &WritableTxnMarkerPartitionResult_desc),
};
static const struct kp_struct WritableTxnMarkerTopicResult_desc =
	KP_STRUCT_DESC(struct WritableTxnMarkerTopicResult, WritableTxnMarkerTopicResult_fields);

static const struct kp_field WritableTxnMarkerResult_fields[] = {
	/* WriteTxnMarkersResponse.Markers[].ProducerId: int64 [0+] */
	KP_FIELD(struct WritableTxnMarkerResult, ProducerId, KP_INT64, 0, KP_VMAX),
	/* WriteTxnMarkersResponse.Markers[].Topics: []WritableTxnMarkerTopicResult [0+] */
	KP_FIELD_ARRAY(struct WritableTxnMarkerResult, Topics, KP_STRUCT, 0, KP_VMAX,
		       &WritableTxnMarkerTopicResult_desc),
};
static const struct kp_struct WritableTxnMarkerResult_desc =
	KP_STRUCT_DESC(struct WritableTxnMarkerResult, WritableTxnMarkerResult_fields);

static const struct kp_field WriteTxnMarkersResponse_fields[] = {
	/* WriteTxnMarkersResponse.Markers: []WritableTxnMarkerResult [0+] */
	KP_FIELD_ARRAY(struct WriteTxnMarkersResponse, Markers, KP_STRUCT, 0, KP_VMAX,
		       &WritableTxnMarkerResult_desc),
};
const struct kp_struct kp_WriteTxnMarkersResponse =
	KP_STRUCT_DESC(struct WriteTxnMarkersResponse, WriteTxnMarkersResponse_fields);

/* ---- TxnOffsetCommit (key 28): valid 0-4, flexible 3+ ------------------------------------- */

static const struct kp_field TxnOffsetCommitRequestPartition_fields[] = {
	/* TxnOffsetCommitRequest.Topics[].Partitions[].PartitionIndex: int32 [0+] */
	KP_FIELD(struct TxnOffsetCommitRequestPartition, PartitionIndex, KP_INT32, 0, KP_VMAX),
	/* TxnOffsetCommitRequest.Topics[].Partitions[].CommittedOffset: int64 [0+] */
	KP_FIELD(struct TxnOffsetCommitRequestPartition, CommittedOffset, KP_INT64, 0, KP_VMAX),
	/* TxnOffsetCommitRequest.Topics[].Partitions[].CommittedLeaderEpoch: int32 [2+]
	 * {def -1} */
	KP_FIELD_DEF(struct TxnOffsetCommitRequestPartition, CommittedLeaderEpoch, KP_INT32, 2,
		     KP_VMAX, -1),
	/* TxnOffsetCommitRequest.Topics[].Partitions[].CommittedMetadata: string [0+]
	 * {null 0+} */
	KP_FIELD_NULL(struct TxnOffsetCommitRequestPartition, CommittedMetadata, KP_STRING, 0,
		      KP_VMAX, 0, KP_VMAX, false),
};
static const struct kp_struct TxnOffsetCommitRequestPartition_desc =
	KP_STRUCT_DESC(struct TxnOffsetCommitRequestPartition,
		       TxnOffsetCommitRequestPartition_fields);

static const struct kp_field TxnOffsetCommitRequestTopic_fields[] = {
	/* TxnOffsetCommitRequest.Topics[].Name: string [0+] */
	KP_FIELD(struct TxnOffsetCommitRequestTopic, Name, KP_STRING, 0, KP_VMAX),
	/* TxnOffsetCommitRequest.Topics[].Partitions: []TxnOffsetCommitRequestPartition [0+] */
	KP_FIELD_ARRAY(struct TxnOffsetCommitRequestTopic, Partitions, KP_STRUCT, 0, KP_VMAX,
		       &TxnOffsetCommitRequestPartition_desc),
};
static const struct kp_struct TxnOffsetCommitRequestTopic_desc =
	KP_STRUCT_DESC(struct TxnOffsetCommitRequestTopic, TxnOffsetCommitRequestTopic_fields);

static const struct kp_field TxnOffsetCommitRequest_fields[] = {
	/* TxnOffsetCommitRequest.TransactionalId: string [0+] */
	KP_FIELD(struct TxnOffsetCommitRequest, TransactionalId, KP_STRING, 0, KP_VMAX),
	/* TxnOffsetCommitRequest.GroupId: string [0+] */
	KP_FIELD(struct TxnOffsetCommitRequest, GroupId, KP_STRING, 0, KP_VMAX),
	/* TxnOffsetCommitRequest.ProducerId: int64 [0+] */
	KP_FIELD(struct TxnOffsetCommitRequest, ProducerId, KP_INT64, 0, KP_VMAX),
	/* TxnOffsetCommitRequest.ProducerEpoch: int16 [0+] */
	KP_FIELD(struct TxnOffsetCommitRequest, ProducerEpoch, KP_INT16, 0, KP_VMAX),
	/* TxnOffsetCommitRequest.GenerationId: int32 [3+] {def -1} */
	KP_FIELD_DEF(struct TxnOffsetCommitRequest, GenerationId, KP_INT32, 3, KP_VMAX, -1),
	/* TxnOffsetCommitRequest.MemberId: string [3+] {def ""} */
	KP_FIELD(struct TxnOffsetCommitRequest, MemberId, KP_STRING, 3, KP_VMAX),
	/* TxnOffsetCommitRequest.GroupInstanceId: string [3+] {null 3+} {def null} */
	KP_FIELD_NULL(struct TxnOffsetCommitRequest, GroupInstanceId, KP_STRING, 3, KP_VMAX, 3,
		      KP_VMAX, true),
	/* TxnOffsetCommitRequest.Topics: []TxnOffsetCommitRequestTopic [0+] */
	KP_FIELD_ARRAY(struct TxnOffsetCommitRequest, Topics, KP_STRUCT, 0, KP_VMAX,
		       &TxnOffsetCommitRequestTopic_desc),
};
const struct kp_struct kp_TxnOffsetCommitRequest =
	KP_STRUCT_DESC(struct TxnOffsetCommitRequest, TxnOffsetCommitRequest_fields);

static const struct kp_field TxnOffsetCommitResponsePartition_fields[] = {
	/* TxnOffsetCommitResponse.Topics[].Partitions[].PartitionIndex: int32 [0+] */
	KP_FIELD(struct TxnOffsetCommitResponsePartition, PartitionIndex, KP_INT32, 0, KP_VMAX),
	/* TxnOffsetCommitResponse.Topics[].Partitions[].ErrorCode: int16 [0+] */
	KP_FIELD(struct TxnOffsetCommitResponsePartition, ErrorCode, KP_INT16, 0, KP_VMAX),
};
static const struct kp_struct TxnOffsetCommitResponsePartition_desc =
	KP_STRUCT_DESC(struct TxnOffsetCommitResponsePartition,
		       TxnOffsetCommitResponsePartition_fields);

static const struct kp_field TxnOffsetCommitResponseTopic_fields[] = {
	/* TxnOffsetCommitResponse.Topics[].Name: string [0+] */
	KP_FIELD(struct TxnOffsetCommitResponseTopic, Name, KP_STRING, 0, KP_VMAX),
	/* TxnOffsetCommitResponse.Topics[].Partitions: []TxnOffsetCommitResponsePartition [0+] */
	KP_FIELD_ARRAY(struct TxnOffsetCommitResponseTopic, Partitions, KP_STRUCT, 0, KP_VMAX,
		       &TxnOffsetCommitResponsePartition_desc),
};
static const struct kp_struct TxnOffsetCommitResponseTopic_desc =
	KP_STRUCT_DESC(struct TxnOffsetCommitResponseTopic, TxnOffsetCommitResponseTopic_fields);

static const struct kp_field TxnOffsetCommitResponse_fields[] = {
	/* TxnOffsetCommitResponse.ThrottleTimeMs: int32 [0+] */
	KP_FIELD(struct TxnOffsetCommitResponse, ThrottleTimeMs, KP_INT32, 0, KP_VMAX),
	/* TxnOffsetCommitResponse.Topics: []TxnOffsetCommitResponseTopic [0+] */
	KP_FIELD_ARRAY(struct TxnOffsetCommitResponse, Topics, KP_STRUCT, 0, KP_VMAX,
		       &TxnOffsetCommitResponseTopic_desc),
};
const struct kp_struct kp_TxnOffsetCommitResponse =
	KP_STRUCT_DESC(struct TxnOffsetCommitResponse, TxnOffsetCommitResponse_fields);

/* ---- DescribeTransactions (key 65): valid 0, flexible 0+ ---------------------------------- */

static const struct kp_field DescribeTransactionsRequest_fields[] = {
	/* DescribeTransactionsRequest.TransactionalIds: []string [0+] */
	KP_FIELD_ARRAY(struct DescribeTransactionsRequest, TransactionalIds, KP_STRING, 0, KP_VMAX,
		       NULL),
};
const struct kp_struct kp_DescribeTransactionsRequest =
	KP_STRUCT_DESC(struct DescribeTransactionsRequest, DescribeTransactionsRequest_fields);

static const struct kp_field DescribeTransactionsTopicData_fields[] = {
	/* DescribeTransactionsResponse.TransactionStates[].Topics[].Topic: string [0+] */
	KP_FIELD(struct DescribeTransactionsTopicData, Topic, KP_STRING, 0, KP_VMAX),
	/* DescribeTransactionsResponse.TransactionStates[].Topics[].Partitions: []int32 [0+] */
	KP_FIELD_ARRAY(struct DescribeTransactionsTopicData, Partitions, KP_INT32, 0, KP_VMAX,
		       NULL),
};
static const struct kp_struct DescribeTransactionsTopicData_desc =
	KP_STRUCT_DESC(struct DescribeTransactionsTopicData, DescribeTransactionsTopicData_fields);

static const struct kp_field DescribeTransactionsTransactionState_fields[] = {
	/* DescribeTransactionsResponse.TransactionStates[].ErrorCode: int16 [0+] */
	KP_FIELD(struct DescribeTransactionsTransactionState, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* ...TransactionStates[].TransactionalId: string [0+] */
	KP_FIELD(struct DescribeTransactionsTransactionState, TransactionalId, KP_STRING, 0,
		 KP_VMAX),
	/* ...TransactionStates[].TransactionState: string [0+] */
	KP_FIELD(struct DescribeTransactionsTransactionState, TransactionState, KP_STRING, 0,
		 KP_VMAX),
	/* ...TransactionStates[].TransactionTimeoutMs: int32 [0+] */
	KP_FIELD(struct DescribeTransactionsTransactionState, TransactionTimeoutMs, KP_INT32, 0,
		 KP_VMAX),
	/* ...TransactionStates[].TransactionStartTimeMs: int64 [0+] */
	KP_FIELD(struct DescribeTransactionsTransactionState, TransactionStartTimeMs, KP_INT64, 0,
		 KP_VMAX),
	/* ...TransactionStates[].ProducerId: int64 [0+] */
	KP_FIELD(struct DescribeTransactionsTransactionState, ProducerId, KP_INT64, 0, KP_VMAX),
	/* ...TransactionStates[].ProducerEpoch: int16 [0+] */
	KP_FIELD(struct DescribeTransactionsTransactionState, ProducerEpoch, KP_INT16, 0, KP_VMAX),
	/* ...TransactionStates[].Topics: []TopicData [0+] */
	KP_FIELD_ARRAY(struct DescribeTransactionsTransactionState, Topics, KP_STRUCT, 0, KP_VMAX,
		       &DescribeTransactionsTopicData_desc),
};
static const struct kp_struct DescribeTransactionsTransactionState_desc =
	KP_STRUCT_DESC(struct DescribeTransactionsTransactionState,
		       DescribeTransactionsTransactionState_fields);

static const struct kp_field DescribeTransactionsResponse_fields[] = {
	/* DescribeTransactionsResponse.ThrottleTimeMs: int32 [0+] */
	KP_FIELD(struct DescribeTransactionsResponse, ThrottleTimeMs, KP_INT32, 0, KP_VMAX),
	/* DescribeTransactionsResponse.TransactionStates: []TransactionState [0+] */
	KP_FIELD_ARRAY(struct DescribeTransactionsResponse, TransactionStates, KP_STRUCT, 0,
		       KP_VMAX, &DescribeTransactionsTransactionState_desc),
};
const struct kp_struct kp_DescribeTransactionsResponse =
	KP_STRUCT_DESC(struct DescribeTransactionsResponse, DescribeTransactionsResponse_fields);

/* ---- ListTransactions (key 66): valid 0-1, flexible 0+ ------------------------------------ */

static const struct kp_field ListTransactionsRequest_fields[] = {
	/* ListTransactionsRequest.StateFilters: []string [0+] */
	KP_FIELD_ARRAY(struct ListTransactionsRequest, StateFilters, KP_STRING, 0, KP_VMAX, NULL),
	/* ListTransactionsRequest.ProducerIdFilters: []int64 [0+] */
	KP_FIELD_ARRAY(struct ListTransactionsRequest, ProducerIdFilters, KP_INT64, 0, KP_VMAX,
		       NULL),
	/* ListTransactionsRequest.DurationFilter: int64 [1+] {def -1} */
	KP_FIELD_DEF(struct ListTransactionsRequest, DurationFilter, KP_INT64, 1, KP_VMAX, -1),
};
const struct kp_struct kp_ListTransactionsRequest =
	KP_STRUCT_DESC(struct ListTransactionsRequest, ListTransactionsRequest_fields);

static const struct kp_field ListTransactionsTransactionState_fields[] = {
	/* ListTransactionsResponse.TransactionStates[].TransactionalId: string [0+] */
	KP_FIELD(struct ListTransactionsTransactionState, TransactionalId, KP_STRING, 0, KP_VMAX),
	/* ListTransactionsResponse.TransactionStates[].ProducerId: int64 [0+] */
	KP_FIELD(struct ListTransactionsTransactionState, ProducerId, KP_INT64, 0, KP_VMAX),
	/* ListTransactionsResponse.TransactionStates[].TransactionState: string [0+] */
	KP_FIELD(struct ListTransactionsTransactionState, TransactionState, KP_STRING, 0, KP_VMAX),
};
static const struct kp_struct ListTransactionsTransactionState_desc =
	KP_STRUCT_DESC(struct ListTransactionsTransactionState,
		       ListTransactionsTransactionState_fields);

static const struct kp_field ListTransactionsResponse_fields[] = {
	/* ListTransactionsResponse.ThrottleTimeMs: int32 [0+] */
	KP_FIELD(struct ListTransactionsResponse, ThrottleTimeMs, KP_INT32, 0, KP_VMAX),
	/* ListTransactionsResponse.ErrorCode: int16 [0+] */
	KP_FIELD(struct ListTransactionsResponse, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* ListTransactionsResponse.UnknownStateFilters: []string [0+] */
	KP_FIELD_ARRAY(struct ListTransactionsResponse, UnknownStateFilters, KP_STRING, 0, KP_VMAX,
		       NULL),
	/* ListTransactionsResponse.TransactionStates: []TransactionState [0+] */
	KP_FIELD_ARRAY(struct ListTransactionsResponse, TransactionStates, KP_STRUCT, 0, KP_VMAX,
		       &ListTransactionsTransactionState_desc),
};
const struct kp_struct kp_ListTransactionsResponse =
	KP_STRUCT_DESC(struct ListTransactionsResponse, ListTransactionsResponse_fields);
