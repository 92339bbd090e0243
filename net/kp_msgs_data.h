/* kp_msgs_data.h — C structs for the data-path messages (Produce, Fetch, ListOffsets,
 * DeleteRecords, OffsetForLeaderEpoch), with Kafka's own struct and field names (transcribed
 * from ../shared/reference/kafka-schemas.md, Kafka 3.9 message JSON). Descriptor tables are
 * in kp_msgs_data.c. Field comments give the versions a field exists in. Include kp_msgs.h
 * rather than this file.
 *
 * Naming rule: a struct keeps Kafka's type name unless that name is used by another message
 * of kafka-schemas.md or of the codec (e.g. "PartitionData", "LeaderIdAndEpoch",
 * "NodeEndpoint", "EpochEndOffset"); then EVERY user prefixes it with its message name
 * (FetchResponsePartitionData, ProduceResponseNodeEndpoint, ...). Field names never change.
 */
#ifndef KB_KP_MSGS_DATA_H
#define KB_KP_MSGS_DATA_H

#include "kp.h"

extern const struct kp_struct kp_ProduceRequest, kp_ProduceResponse;
extern const struct kp_struct kp_FetchRequest, kp_FetchResponse;
extern const struct kp_struct kp_ListOffsetsRequest, kp_ListOffsetsResponse;
extern const struct kp_struct kp_DeleteRecordsRequest, kp_DeleteRecordsResponse;
extern const struct kp_struct kp_OffsetForLeaderEpochRequest, kp_OffsetForLeaderEpochResponse;

/* ---- Produce (key 0), versions 0-11, flexible 9+ ----------------------------------------- */

struct PartitionProduceData {
	int32_t Index;
	struct kp_bytes Records;  /* records, nullable */
};

struct TopicProduceData {
	struct kp_str Name;
	struct kp_array PartitionData; /* struct PartitionProduceData */
};

struct ProduceRequest {
	struct kp_str TransactionalId; /* 3+, nullable, default null */
	int16_t Acks;
	int32_t TimeoutMs;
	struct kp_array TopicData;     /* struct TopicProduceData */
};

struct BatchIndexAndErrorMessage {
	int32_t BatchIndex;                   /* 8+ */
	struct kp_str BatchIndexErrorMessage; /* 8+, nullable, default null */
};

struct ProduceResponseLeaderIdAndEpoch {
	int32_t LeaderId;    /* 10+, default -1 */
	int32_t LeaderEpoch; /* 10+, default -1 */
};

struct PartitionProduceResponse {
	int32_t Index;
	int16_t ErrorCode;
	int64_t BaseOffset;
	int64_t LogAppendTimeMs;    /* 2+, default -1 */
	int64_t LogStartOffset;     /* 5+, default -1 */
	struct kp_array RecordErrors; /* 8+: struct BatchIndexAndErrorMessage */
	struct kp_str ErrorMessage; /* 8+, nullable, default null */
	struct ProduceResponseLeaderIdAndEpoch CurrentLeader; /* 10+, tag 0 */
};

struct TopicProduceResponse {
	struct kp_str Name;
	struct kp_array PartitionResponses; /* struct PartitionProduceResponse */
};

struct ProduceResponseNodeEndpoint {
	int32_t NodeId;
	struct kp_str Host;
	int32_t Port;
	struct kp_str Rack; /* nullable, default null */
};

struct ProduceResponse {
	struct kp_array Responses;     /* struct TopicProduceResponse */
	int32_t ThrottleTimeMs;        /* 1+ */
	struct kp_array NodeEndpoints; /* 10+, tag 0: struct ProduceResponseNodeEndpoint */
};

/* ---- Fetch (key 1), versions 0-17, flexible 12+ ------------------------------------------ */

struct ReplicaState {
	int32_t ReplicaId;    /* default -1 */
	int64_t ReplicaEpoch; /* default -1 */
};

struct FetchPartition {
	int32_t Partition;
	int32_t CurrentLeaderEpoch;     /* 9+, default -1 */
	int64_t FetchOffset;
	int32_t LastFetchedEpoch;       /* 12+, default -1 */
	int64_t LogStartOffset;         /* 5+, default -1 */
	int32_t PartitionMaxBytes;
	uint8_t ReplicaDirectoryId[16]; /* 17+, tag 0 */
};

struct FetchTopic {
	struct kp_str Topic;        /* 0-12 */
	uint8_t TopicId[16];        /* 13+ */
	struct kp_array Partitions; /* struct FetchPartition */
};

struct ForgottenTopic {
	struct kp_str Topic;        /* 7-12 */
	uint8_t TopicId[16];        /* 13+ */
	struct kp_array Partitions; /* int32_t */
};

struct FetchRequest {
	struct kp_str ClusterId;         /* 12+, tag 0, nullable, default null */
	int32_t ReplicaId;               /* 0-14, default -1 */
	struct ReplicaState ReplicaState; /* 15+, tag 1 */
	int32_t MaxWaitMs;
	int32_t MinBytes;
	int32_t MaxBytes;                /* 3+, default 0x7fffffff */
	int8_t IsolationLevel;           /* 4+ */
	int32_t SessionId;               /* 7+ */
	int32_t SessionEpoch;            /* 7+, default -1 */
	struct kp_array Topics;          /* struct FetchTopic */
	struct kp_array ForgottenTopicsData; /* 7+: struct ForgottenTopic */
	struct kp_str RackId;            /* 11+ */
};

struct FetchResponseEpochEndOffset {
	int32_t Epoch;     /* default -1 */
	int64_t EndOffset; /* default -1 */
};

struct FetchResponseLeaderIdAndEpoch {
	int32_t LeaderId;    /* default -1 */
	int32_t LeaderEpoch; /* default -1 */
};

struct SnapshotId {
	int64_t EndOffset; /* default -1 */
	int32_t Epoch;     /* default -1 */
};

struct AbortedTransaction {
	int64_t ProducerId;
	int64_t FirstOffset;
};

struct FetchResponsePartitionData {
	int32_t PartitionIndex;
	int16_t ErrorCode;
	int64_t HighWatermark;
	int64_t LastStableOffset;                          /* 4+, default -1 */
	int64_t LogStartOffset;                            /* 5+, default -1 */
	struct FetchResponseEpochEndOffset DivergingEpoch; /* 12+, tag 0 */
	struct FetchResponseLeaderIdAndEpoch CurrentLeader; /* 12+, tag 1 */
	struct SnapshotId SnapshotId;                      /* 12+, tag 2 */
	struct kp_array AbortedTransactions; /* 4+, nullable: struct AbortedTransaction */
	int32_t PreferredReadReplica;        /* 11+, default -1 */
	struct kp_bytes Records;             /* records, nullable */
};

struct FetchableTopicResponse {
	struct kp_str Topic;        /* 0-12 */
	uint8_t TopicId[16];        /* 13+ */
	struct kp_array Partitions; /* struct FetchResponsePartitionData */
};

struct FetchResponseNodeEndpoint {
	int32_t NodeId;
	struct kp_str Host;
	int32_t Port;
	struct kp_str Rack; /* nullable, default null */
};

struct FetchResponse {
	int32_t ThrottleTimeMs;        /* 1+ */
	int16_t ErrorCode;             /* 7+ */
	int32_t SessionId;             /* 7+ */
	struct kp_array Responses;     /* struct FetchableTopicResponse */
	struct kp_array NodeEndpoints; /* 16+, tag 0: struct FetchResponseNodeEndpoint */
};

/* ---- ListOffsets (key 2), versions 0-9, flexible 6+ -------------------------------------- */

struct ListOffsetsPartition {
	int32_t PartitionIndex;
	int32_t CurrentLeaderEpoch; /* 4+, default -1 */
	int64_t Timestamp;
	int32_t MaxNumOffsets;      /* 0 only, default 1 */
};

struct ListOffsetsTopic {
	struct kp_str Name;
	struct kp_array Partitions; /* struct ListOffsetsPartition */
};

struct ListOffsetsRequest {
	int32_t ReplicaId;
	int8_t IsolationLevel;  /* 2+ */
	struct kp_array Topics; /* struct ListOffsetsTopic */
};

struct ListOffsetsPartitionResponse {
	int32_t PartitionIndex;
	int16_t ErrorCode;
	struct kp_array OldStyleOffsets; /* 0 only: int64_t */
	int64_t Timestamp;               /* 1+, default -1 */
	int64_t Offset;                  /* 1+, default -1 */
	int32_t LeaderEpoch;             /* 4+, default -1 */
};

struct ListOffsetsTopicResponse {
	struct kp_str Name;
	struct kp_array Partitions; /* struct ListOffsetsPartitionResponse */
};

struct ListOffsetsResponse {
	int32_t ThrottleTimeMs; /* 2+ */
	struct kp_array Topics; /* struct ListOffsetsTopicResponse */
};

/* ---- DeleteRecords (key 21), versions 0-2, flexible 2+ ----------------------------------- */

struct DeleteRecordsPartition {
	int32_t PartitionIndex;
	int64_t Offset;
};

struct DeleteRecordsTopic {
	struct kp_str Name;
	struct kp_array Partitions; /* struct DeleteRecordsPartition */
};

struct DeleteRecordsRequest {
	struct kp_array Topics; /* struct DeleteRecordsTopic */
	int32_t TimeoutMs;
};

struct DeleteRecordsPartitionResult {
	int32_t PartitionIndex;
	int64_t LowWatermark;
	int16_t ErrorCode;
};

struct DeleteRecordsTopicResult {
	struct kp_str Name;
	struct kp_array Partitions; /* struct DeleteRecordsPartitionResult */
};

struct DeleteRecordsResponse {
	int32_t ThrottleTimeMs;
	struct kp_array Topics; /* struct DeleteRecordsTopicResult */
};

/* ---- OffsetForLeaderEpoch (key 23), versions 0-4, flexible 4+ ---------------------------- */

struct OffsetForLeaderPartition {
	int32_t Partition;
	int32_t CurrentLeaderEpoch; /* 2+, default -1 */
	int32_t LeaderEpoch;
};

struct OffsetForLeaderTopic {
	struct kp_str Topic;
	struct kp_array Partitions; /* struct OffsetForLeaderPartition */
};

struct OffsetForLeaderEpochRequest {
	int32_t ReplicaId;      /* 3+, default -2 */
	struct kp_array Topics; /* struct OffsetForLeaderTopic */
};

struct OffsetForLeaderEpochResponseEpochEndOffset {
	int16_t ErrorCode;
	int32_t Partition;
	int32_t LeaderEpoch; /* 1+, default -1 */
	int64_t EndOffset;   /* default -1 */
};

struct OffsetForLeaderTopicResult {
	struct kp_str Topic;
	struct kp_array Partitions; /* struct OffsetForLeaderEpochResponseEpochEndOffset */
};

struct OffsetForLeaderEpochResponse {
	int32_t ThrottleTimeMs; /* 2+ */
	struct kp_array Topics; /* struct OffsetForLeaderTopicResult */
};

#endif
