/* kp_msgs_txn.h — C structs for the transaction messages, with Kafka's own struct and field
 * names (Kafka 3.9 message JSON: AddPartitionsToTxn, AddOffsetsToTxn, EndTxn,
 * WriteTxnMarkers, TxnOffsetCommit, DescribeTransactions, ListTransactions
 * Request/Response.json; see ../shared/reference/kafka-schemas.md). Where two messages use
 * the same nested struct name (TransactionState, TopicData), the C name is prefixed with the
 * message's name. Descriptor tables are in kp_msgs_txn.c. Include kp_msgs.h rather than this
 * file. The codec knows these APIs; whether the broker serves (and advertises) them is the
 * dispatch table's business. */
#ifndef KB_KP_MSGS_TXN_H
#define KB_KP_MSGS_TXN_H

#include "kp.h"

extern const struct kp_struct kp_AddPartitionsToTxnRequest, kp_AddPartitionsToTxnResponse;
extern const struct kp_struct kp_AddOffsetsToTxnRequest, kp_AddOffsetsToTxnResponse;
extern const struct kp_struct kp_EndTxnRequest, kp_EndTxnResponse;
extern const struct kp_struct kp_WriteTxnMarkersRequest, kp_WriteTxnMarkersResponse;
extern const struct kp_struct kp_TxnOffsetCommitRequest, kp_TxnOffsetCommitResponse;
extern const struct kp_struct kp_DescribeTransactionsRequest, kp_DescribeTransactionsResponse;
extern const struct kp_struct kp_ListTransactionsRequest, kp_ListTransactionsResponse;

/* ---- AddPartitionsToTxn (key 24), versions 0-5, flexible 3+ ------------------------------ */

/* Shared by Transactions[].Topics (4+) and V3AndBelowTopics (0-3). */
struct AddPartitionsToTxnTopic {
	struct kp_str Name;
	struct kp_array Partitions;        /* int32 */
};

struct AddPartitionsToTxnTransaction {  /* 4+ */
	struct kp_str TransactionalId;
	int64_t ProducerId;
	int16_t ProducerEpoch;
	bool VerifyOnly;                   /* default false: add; true: only verify (brokers) */
	struct kp_array Topics;            /* struct AddPartitionsToTxnTopic */
};

struct AddPartitionsToTxnRequest {
	struct kp_array Transactions;      /* 4+: struct AddPartitionsToTxnTransaction */
	struct kp_str V3AndBelowTransactionalId; /* 0-3 */
	int64_t V3AndBelowProducerId;      /* 0-3 */
	int16_t V3AndBelowProducerEpoch;   /* 0-3 */
	struct kp_array V3AndBelowTopics;  /* 0-3: struct AddPartitionsToTxnTopic */
};

struct AddPartitionsToTxnPartitionResult {
	int32_t PartitionIndex;
	int16_t PartitionErrorCode;
};

/* Shared by ResultsByTransaction[].TopicResults (4+) and ResultsByTopicV3AndBelow (0-3). */
struct AddPartitionsToTxnTopicResult {
	struct kp_str Name;
	struct kp_array ResultsByPartition; /* struct AddPartitionsToTxnPartitionResult */
};

struct AddPartitionsToTxnResult {       /* 4+ */
	struct kp_str TransactionalId;
	struct kp_array TopicResults;      /* struct AddPartitionsToTxnTopicResult */
};

struct AddPartitionsToTxnResponse {
	int32_t ThrottleTimeMs;
	int16_t ErrorCode;                 /* 4+: a top-level error (whole request) */
	struct kp_array ResultsByTransaction; /* 4+: struct AddPartitionsToTxnResult */
	struct kp_array ResultsByTopicV3AndBelow; /* 0-3: struct AddPartitionsToTxnTopicResult */
};

/* ---- AddOffsetsToTxn (key 25), versions 0-4, flexible 3+ --------------------------------- */

struct AddOffsetsToTxnRequest {
	struct kp_str TransactionalId;
	int64_t ProducerId;
	int16_t ProducerEpoch;
	struct kp_str GroupId;
};

struct AddOffsetsToTxnResponse {
	int32_t ThrottleTimeMs;
	int16_t ErrorCode;
};

/* ---- EndTxn (key 26), versions 0-4, flexible 3+ ------------------------------------------ */

struct EndTxnRequest {
	struct kp_str TransactionalId;
	int64_t ProducerId;
	int16_t ProducerEpoch;
	bool Committed;                    /* true: commit, false: abort */
};

struct EndTxnResponse {
	int32_t ThrottleTimeMs;
	int16_t ErrorCode;
};

/* ---- WriteTxnMarkers (key 27), versions 0-1, flexible 1+ --------------------------------- */

struct WritableTxnMarkerTopic {
	struct kp_str Name;
	struct kp_array PartitionIndexes;  /* int32 */
};

struct WritableTxnMarker {
	int64_t ProducerId;
	int16_t ProducerEpoch;
	bool TransactionResult;            /* true: COMMIT marker, false: ABORT */
	struct kp_array Topics;            /* struct WritableTxnMarkerTopic */
	int32_t CoordinatorEpoch;
};

struct WriteTxnMarkersRequest {
	struct kp_array Markers;           /* struct WritableTxnMarker */
};

struct WritableTxnMarkerPartitionResult {
	int32_t PartitionIndex;
	int16_t ErrorCode;
};

struct WritableTxnMarkerTopicResult {
	struct kp_str Name;
	struct kp_array Partitions;        /* struct WritableTxnMarkerPartitionResult */
};

struct WritableTxnMarkerResult {
	int64_t ProducerId;
	struct kp_array Topics;            /* struct WritableTxnMarkerTopicResult */
};

struct WriteTxnMarkersResponse {
	struct kp_array Markers;           /* struct WritableTxnMarkerResult */
};

/* ---- TxnOffsetCommit (key 28), versions 0-4, flexible 3+ --------------------------------- */

struct TxnOffsetCommitRequestPartition {
	int32_t PartitionIndex;
	int64_t CommittedOffset;
	int32_t CommittedLeaderEpoch;      /* 2+, default -1 */
	struct kp_str CommittedMetadata;   /* nullable */
};

struct TxnOffsetCommitRequestTopic {
	struct kp_str Name;
	struct kp_array Partitions;        /* struct TxnOffsetCommitRequestPartition */
};

struct TxnOffsetCommitRequest {
	struct kp_str TransactionalId;
	struct kp_str GroupId;
	int64_t ProducerId;
	int16_t ProducerEpoch;
	int32_t GenerationId;              /* 3+, default -1 */
	struct kp_str MemberId;            /* 3+, default "" */
	struct kp_str GroupInstanceId;     /* 3+, nullable, default null */
	struct kp_array Topics;            /* struct TxnOffsetCommitRequestTopic */
};

struct TxnOffsetCommitResponsePartition {
	int32_t PartitionIndex;
	int16_t ErrorCode;
};

struct TxnOffsetCommitResponseTopic {
	struct kp_str Name;
	struct kp_array Partitions;        /* struct TxnOffsetCommitResponsePartition */
};

struct TxnOffsetCommitResponse {
	int32_t ThrottleTimeMs;
	struct kp_array Topics;            /* struct TxnOffsetCommitResponseTopic */
};

/* ---- DescribeTransactions (key 65), version 0, flexible 0+ ------------------------------- */

struct DescribeTransactionsRequest {
	struct kp_array TransactionalIds;  /* struct kp_str */
};

struct DescribeTransactionsTopicData { /* Kafka: TopicData */
	struct kp_str Topic;
	struct kp_array Partitions;        /* int32 */
};

struct DescribeTransactionsTransactionState { /* Kafka: TransactionState */
	int16_t ErrorCode;
	struct kp_str TransactionalId;
	struct kp_str TransactionState;    /* "Empty", "Ongoing", "PrepareCommit", ... */
	int32_t TransactionTimeoutMs;
	int64_t TransactionStartTimeMs;
	int64_t ProducerId;
	int16_t ProducerEpoch;
	struct kp_array Topics;            /* struct DescribeTransactionsTopicData */
};

struct DescribeTransactionsResponse {
	int32_t ThrottleTimeMs;
	struct kp_array TransactionStates; /* struct DescribeTransactionsTransactionState */
};

/* ---- ListTransactions (key 66), versions 0-1, flexible 0+ -------------------------------- */

struct ListTransactionsRequest {
	struct kp_array StateFilters;      /* struct kp_str; empty: every state */
	struct kp_array ProducerIdFilters; /* int64; empty: every producer */
	int64_t DurationFilter;            /* 1+, default -1 (< 0: no filter) */
};

struct ListTransactionsTransactionState { /* Kafka: TransactionState */
	struct kp_str TransactionalId;
	int64_t ProducerId;
	struct kp_str TransactionState;
};

struct ListTransactionsResponse {
	int32_t ThrottleTimeMs;
	int16_t ErrorCode;
	struct kp_array UnknownStateFilters; /* struct kp_str */
	struct kp_array TransactionStates; /* struct ListTransactionsTransactionState */
};

#endif
