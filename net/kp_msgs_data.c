/* kp_msgs_data.c — descriptor tables for the data-path messages of kp_msgs_data.h
 * (Produce, Fetch, ListOffsets, DeleteRecords, OffsetForLeaderEpoch), transcribed by hand from
 * ../shared/reference/kafka-schemas.md (Kafka 3.9 message JSON). Same conventions as
 * kp_msgs.c: one row per field in wire order, each with its schema path; nested structs come
 * before the struct that uses them; KP_VMAX = "and every later version"; nullable ranges and
 * defaults are those of the schema; a tagged field is tagged from its first version on.
 * Records are opaque (KP_RECORDS).
 */
#include "kp_msgs.h"

/* A tagged scalar/uuid field present and tagged in [v0, KP_VMAX] with integer default d. */
#define KP_TAGGED(S, f, T, v0, tagno, d)                                                     \
	{ .name = #f, .type = (T), .vmin = (v0), .vmax = KP_VMAX, .nmin = KP_NEVER,            \
	  .nmax = KP_NEVER, .tag = (tagno), .tmin = (v0), .tmax = KP_VMAX, .def = (d),         \
	  .offset = offsetof(S, f) }
/* A tagged, non-nullable array of structs present and tagged in [v0, KP_VMAX]. */
#define KP_TAGGED_ARRAY(S, f, v0, tagno, SUB)                                                \
	{ .name = #f, .type = KP_ARRAY, .elem_type = KP_STRUCT, .vmin = (v0), .vmax = KP_VMAX, \
	  .nmin = KP_NEVER, .nmax = KP_NEVER, .tag = (tagno), .tmin = (v0), .tmax = KP_VMAX,   \
	  .offset = offsetof(S, f), .sub = (SUB) }
/* A tagged nested struct present and tagged in [v0, KP_VMAX]. */
#define KP_TAGGED_STRUCT(S, f, v0, tagno, SUB)                                               \
	{ .name = #f, .type = KP_STRUCT, .vmin = (v0), .vmax = KP_VMAX, .nmin = KP_NEVER,      \
	  .nmax = KP_NEVER, .tag = (tagno), .tmin = (v0), .tmax = KP_VMAX,                     \
	  .offset = offsetof(S, f), .sub = (SUB) }

/* ---- Produce (key 0): valid 0-11, flexible 9+ -------------------------------------------- */

static const struct kp_field PartitionProduceData_fields[] = {
	/* ProduceRequest.TopicData[].PartitionData[].Index: int32 [0+] */
	KP_FIELD(struct PartitionProduceData, Index, KP_INT32, 0, KP_VMAX),
	/* ProduceRequest.TopicData[].PartitionData[].Records: records [0+] {null 0+} */
	KP_FIELD_NULL(struct PartitionProduceData, Records, KP_RECORDS, 0, KP_VMAX, 0, KP_VMAX, false),
};
static const struct kp_struct PartitionProduceData_desc =
	KP_STRUCT_DESC(struct PartitionProduceData, PartitionProduceData_fields);

static const struct kp_field TopicProduceData_fields[] = {
	/* ProduceRequest.TopicData[].Name: string [0+] */
	KP_FIELD(struct TopicProduceData, Name, KP_STRING, 0, KP_VMAX),
	/* ProduceRequest.TopicData[].PartitionData: []PartitionProduceData [0+] */
	KP_FIELD_ARRAY(struct TopicProduceData, PartitionData, KP_STRUCT, 0, KP_VMAX,
		       &PartitionProduceData_desc),
};
static const struct kp_struct TopicProduceData_desc =
	KP_STRUCT_DESC(struct TopicProduceData, TopicProduceData_fields);

static const struct kp_field ProduceRequest_fields[] = {
	/* ProduceRequest.TransactionalId: string [3+] {null 3+; def null} */
	KP_FIELD_NULL(struct ProduceRequest, TransactionalId, KP_STRING, 3, KP_VMAX, 3, KP_VMAX, true),
	/* ProduceRequest.Acks: int16 [0+] */
	KP_FIELD(struct ProduceRequest, Acks, KP_INT16, 0, KP_VMAX),
	/* ProduceRequest.TimeoutMs: int32 [0+] */
	KP_FIELD(struct ProduceRequest, TimeoutMs, KP_INT32, 0, KP_VMAX),
	/* ProduceRequest.TopicData: []TopicProduceData [0+] */
	KP_FIELD_ARRAY(struct ProduceRequest, TopicData, KP_STRUCT, 0, KP_VMAX,
		       &TopicProduceData_desc),
};
const struct kp_struct kp_ProduceRequest =
	KP_STRUCT_DESC(struct ProduceRequest, ProduceRequest_fields);

static const struct kp_field BatchIndexAndErrorMessage_fields[] = {
	/* ProduceResponse.Responses[].PartitionResponses[].RecordErrors[].BatchIndex: int32 [8+] */
	KP_FIELD(struct BatchIndexAndErrorMessage, BatchIndex, KP_INT32, 8, KP_VMAX),
	/* ...RecordErrors[].BatchIndexErrorMessage: string [8+] {null 8+; def null} */
	KP_FIELD_NULL(struct BatchIndexAndErrorMessage, BatchIndexErrorMessage, KP_STRING, 8, KP_VMAX,
		      8, KP_VMAX, true),
};
static const struct kp_struct BatchIndexAndErrorMessage_desc =
	KP_STRUCT_DESC(struct BatchIndexAndErrorMessage, BatchIndexAndErrorMessage_fields);

static const struct kp_field ProduceResponseLeaderIdAndEpoch_fields[] = {
	/* ProduceResponse.Responses[].PartitionResponses[].CurrentLeader.LeaderId: int32 [10+]
	 * {def -1} */
	KP_FIELD_DEF(struct ProduceResponseLeaderIdAndEpoch, LeaderId, KP_INT32, 10, KP_VMAX, -1),
	/* ...CurrentLeader.LeaderEpoch: int32 [10+] {def -1} */
	KP_FIELD_DEF(struct ProduceResponseLeaderIdAndEpoch, LeaderEpoch, KP_INT32, 10, KP_VMAX, -1),
};
static const struct kp_struct ProduceResponseLeaderIdAndEpoch_desc =
	KP_STRUCT_DESC(struct ProduceResponseLeaderIdAndEpoch, ProduceResponseLeaderIdAndEpoch_fields);

static const struct kp_field PartitionProduceResponse_fields[] = {
	/* ProduceResponse.Responses[].PartitionResponses[].Index: int32 [0+] */
	KP_FIELD(struct PartitionProduceResponse, Index, KP_INT32, 0, KP_VMAX),
	/* ...PartitionResponses[].ErrorCode: int16 [0+] */
	KP_FIELD(struct PartitionProduceResponse, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* ...PartitionResponses[].BaseOffset: int64 [0+] */
	KP_FIELD(struct PartitionProduceResponse, BaseOffset, KP_INT64, 0, KP_VMAX),
	/* ...PartitionResponses[].LogAppendTimeMs: int64 [2+] {def -1} */
	KP_FIELD_DEF(struct PartitionProduceResponse, LogAppendTimeMs, KP_INT64, 2, KP_VMAX, -1),
	/* ...PartitionResponses[].LogStartOffset: int64 [5+] {def -1} */
	KP_FIELD_DEF(struct PartitionProduceResponse, LogStartOffset, KP_INT64, 5, KP_VMAX, -1),
	/* ...PartitionResponses[].RecordErrors: []BatchIndexAndErrorMessage [8+] */
	KP_FIELD_ARRAY(struct PartitionProduceResponse, RecordErrors, KP_STRUCT, 8, KP_VMAX,
		       &BatchIndexAndErrorMessage_desc),
	/* ...PartitionResponses[].ErrorMessage: string [8+] {null 8+; def null} */
	KP_FIELD_NULL(struct PartitionProduceResponse, ErrorMessage, KP_STRING, 8, KP_VMAX, 8, KP_VMAX,
		      true),
	/* ...PartitionResponses[].CurrentLeader: LeaderIdAndEpoch [10+] {TAG 0 (10+)} */
	KP_TAGGED_STRUCT(struct PartitionProduceResponse, CurrentLeader, 10, 0,
			 &ProduceResponseLeaderIdAndEpoch_desc),
};
static const struct kp_struct PartitionProduceResponse_desc =
	KP_STRUCT_DESC(struct PartitionProduceResponse, PartitionProduceResponse_fields);

static const struct kp_field TopicProduceResponse_fields[] = {
	/* ProduceResponse.Responses[].Name: string [0+] */
	KP_FIELD(struct TopicProduceResponse, Name, KP_STRING, 0, KP_VMAX),
	/* ProduceResponse.Responses[].PartitionResponses: []PartitionProduceResponse [0+] */
	KP_FIELD_ARRAY(struct TopicProduceResponse, PartitionResponses, KP_STRUCT, 0, KP_VMAX,
		       &PartitionProduceResponse_desc),
};
static const struct kp_struct TopicProduceResponse_desc =
	KP_STRUCT_DESC(struct TopicProduceResponse, TopicProduceResponse_fields);

static const struct kp_field ProduceResponseNodeEndpoint_fields[] = {
	/* ProduceResponse.NodeEndpoints[].NodeId: int32 [10+] */
	KP_FIELD(struct ProduceResponseNodeEndpoint, NodeId, KP_INT32, 10, KP_VMAX),
	/* ProduceResponse.NodeEndpoints[].Host: string [10+] */
	KP_FIELD(struct ProduceResponseNodeEndpoint, Host, KP_STRING, 10, KP_VMAX),
	/* ProduceResponse.NodeEndpoints[].Port: int32 [10+] */
	KP_FIELD(struct ProduceResponseNodeEndpoint, Port, KP_INT32, 10, KP_VMAX),
	/* ProduceResponse.NodeEndpoints[].Rack: string [10+] {null 10+; def null} */
	KP_FIELD_NULL(struct ProduceResponseNodeEndpoint, Rack, KP_STRING, 10, KP_VMAX, 10, KP_VMAX,
		      true),
};
static const struct kp_struct ProduceResponseNodeEndpoint_desc =
	KP_STRUCT_DESC(struct ProduceResponseNodeEndpoint, ProduceResponseNodeEndpoint_fields);

static const struct kp_field ProduceResponse_fields[] = {
	/* ProduceResponse.Responses: []TopicProduceResponse [0+] */
	KP_FIELD_ARRAY(struct ProduceResponse, Responses, KP_STRUCT, 0, KP_VMAX,
		       &TopicProduceResponse_desc),
	/* ProduceResponse.ThrottleTimeMs: int32 [1+] {def 0} */
	KP_FIELD(struct ProduceResponse, ThrottleTimeMs, KP_INT32, 1, KP_VMAX),
	/* ProduceResponse.NodeEndpoints: []NodeEndpoint [10+] {TAG 0 (10+)} */
	KP_TAGGED_ARRAY(struct ProduceResponse, NodeEndpoints, 10, 0,
			&ProduceResponseNodeEndpoint_desc),
};
const struct kp_struct kp_ProduceResponse =
	KP_STRUCT_DESC(struct ProduceResponse, ProduceResponse_fields);

/* ---- Fetch (key 1): valid 0-17, flexible 12+ --------------------------------------------- */

static const struct kp_field ReplicaState_fields[] = {
	/* FetchRequest.ReplicaState.ReplicaId: int32 [15+] {def -1} */
	KP_FIELD_DEF(struct ReplicaState, ReplicaId, KP_INT32, 15, KP_VMAX, -1),
	/* FetchRequest.ReplicaState.ReplicaEpoch: int64 [15+] {def -1} */
	KP_FIELD_DEF(struct ReplicaState, ReplicaEpoch, KP_INT64, 15, KP_VMAX, -1),
};
static const struct kp_struct ReplicaState_desc =
	KP_STRUCT_DESC(struct ReplicaState, ReplicaState_fields);

static const struct kp_field FetchPartition_fields[] = {
	/* FetchRequest.Topics[].Partitions[].Partition: int32 [0+] */
	KP_FIELD(struct FetchPartition, Partition, KP_INT32, 0, KP_VMAX),
	/* FetchRequest.Topics[].Partitions[].CurrentLeaderEpoch: int32 [9+] {def -1} */
	KP_FIELD_DEF(struct FetchPartition, CurrentLeaderEpoch, KP_INT32, 9, KP_VMAX, -1),
	/* FetchRequest.Topics[].Partitions[].FetchOffset: int64 [0+] */
	KP_FIELD(struct FetchPartition, FetchOffset, KP_INT64, 0, KP_VMAX),
	/* FetchRequest.Topics[].Partitions[].LastFetchedEpoch: int32 [12+] {def -1} */
	KP_FIELD_DEF(struct FetchPartition, LastFetchedEpoch, KP_INT32, 12, KP_VMAX, -1),
	/* FetchRequest.Topics[].Partitions[].LogStartOffset: int64 [5+] {def -1} */
	KP_FIELD_DEF(struct FetchPartition, LogStartOffset, KP_INT64, 5, KP_VMAX, -1),
	/* FetchRequest.Topics[].Partitions[].PartitionMaxBytes: int32 [0+] */
	KP_FIELD(struct FetchPartition, PartitionMaxBytes, KP_INT32, 0, KP_VMAX),
	/* FetchRequest.Topics[].Partitions[].ReplicaDirectoryId: uuid [17+] {TAG 0 (17+)} */
	KP_TAGGED(struct FetchPartition, ReplicaDirectoryId, KP_UUID, 17, 0, 0),
};
static const struct kp_struct FetchPartition_desc =
	KP_STRUCT_DESC(struct FetchPartition, FetchPartition_fields);

static const struct kp_field FetchTopic_fields[] = {
	/* FetchRequest.Topics[].Topic: string [0-12] */
	KP_FIELD(struct FetchTopic, Topic, KP_STRING, 0, 12),
	/* FetchRequest.Topics[].TopicId: uuid [13+] */
	KP_FIELD(struct FetchTopic, TopicId, KP_UUID, 13, KP_VMAX),
	/* FetchRequest.Topics[].Partitions: []FetchPartition [0+] */
	KP_FIELD_ARRAY(struct FetchTopic, Partitions, KP_STRUCT, 0, KP_VMAX, &FetchPartition_desc),
};
static const struct kp_struct FetchTopic_desc = KP_STRUCT_DESC(struct FetchTopic, FetchTopic_fields);

static const struct kp_field ForgottenTopic_fields[] = {
	/* FetchRequest.ForgottenTopicsData[].Topic: string [7-12] */
	KP_FIELD(struct ForgottenTopic, Topic, KP_STRING, 7, 12),
	/* FetchRequest.ForgottenTopicsData[].TopicId: uuid [13+] */
	KP_FIELD(struct ForgottenTopic, TopicId, KP_UUID, 13, KP_VMAX),
	/* FetchRequest.ForgottenTopicsData[].Partitions: []int32 [7+] */
	KP_FIELD_ARRAY(struct ForgottenTopic, Partitions, KP_INT32, 7, KP_VMAX, NULL),
};
static const struct kp_struct ForgottenTopic_desc =
	KP_STRUCT_DESC(struct ForgottenTopic, ForgottenTopic_fields);

static const struct kp_field FetchRequest_fields[] = {
	/* FetchRequest.ClusterId: string [12+] {null 12+; TAG 0 (12+); def null} */
	{ .name = "ClusterId", .type = KP_STRING, .vmin = 12, .vmax = KP_VMAX, .nmin = 12,
	  .nmax = KP_VMAX, .tag = 0, .tmin = 12, .tmax = KP_VMAX, .def_null = true,
	  .offset = offsetof(struct FetchRequest, ClusterId) },
	/* FetchRequest.ReplicaId: int32 [0-14] {def -1} */
	KP_FIELD_DEF(struct FetchRequest, ReplicaId, KP_INT32, 0, 14, -1),
	/* FetchRequest.ReplicaState: ReplicaState [15+] {TAG 1 (15+)} */
	KP_TAGGED_STRUCT(struct FetchRequest, ReplicaState, 15, 1, &ReplicaState_desc),
	/* FetchRequest.MaxWaitMs: int32 [0+] */
	KP_FIELD(struct FetchRequest, MaxWaitMs, KP_INT32, 0, KP_VMAX),
	/* FetchRequest.MinBytes: int32 [0+] */
	KP_FIELD(struct FetchRequest, MinBytes, KP_INT32, 0, KP_VMAX),
	/* FetchRequest.MaxBytes: int32 [3+] {def 0x7fffffff} */
	KP_FIELD_DEF(struct FetchRequest, MaxBytes, KP_INT32, 3, KP_VMAX, INT32_MAX),
	/* FetchRequest.IsolationLevel: int8 [4+] {def 0} */
	KP_FIELD(struct FetchRequest, IsolationLevel, KP_INT8, 4, KP_VMAX),
	/* FetchRequest.SessionId: int32 [7+] {def 0} */
	KP_FIELD(struct FetchRequest, SessionId, KP_INT32, 7, KP_VMAX),
	/* FetchRequest.SessionEpoch: int32 [7+] {def -1} */
	KP_FIELD_DEF(struct FetchRequest, SessionEpoch, KP_INT32, 7, KP_VMAX, -1),
	/* FetchRequest.Topics: []FetchTopic [0+] */
	KP_FIELD_ARRAY(struct FetchRequest, Topics, KP_STRUCT, 0, KP_VMAX, &FetchTopic_desc),
	/* FetchRequest.ForgottenTopicsData: []ForgottenTopic [7+] */
	KP_FIELD_ARRAY(struct FetchRequest, ForgottenTopicsData, KP_STRUCT, 7, KP_VMAX,
		       &ForgottenTopic_desc),
	/* FetchRequest.RackId: string [11+] {def ""} */
	KP_FIELD(struct FetchRequest, RackId, KP_STRING, 11, KP_VMAX),
};
const struct kp_struct kp_FetchRequest = KP_STRUCT_DESC(struct FetchRequest, FetchRequest_fields);

static const struct kp_field FetchResponseEpochEndOffset_fields[] = {
	/* FetchResponse.Responses[].Partitions[].DivergingEpoch.Epoch: int32 [12+] {def -1} */
	KP_FIELD_DEF(struct FetchResponseEpochEndOffset, Epoch, KP_INT32, 12, KP_VMAX, -1),
	/* ...DivergingEpoch.EndOffset: int64 [12+] {def -1} */
	KP_FIELD_DEF(struct FetchResponseEpochEndOffset, EndOffset, KP_INT64, 12, KP_VMAX, -1),
};
static const struct kp_struct FetchResponseEpochEndOffset_desc =
	KP_STRUCT_DESC(struct FetchResponseEpochEndOffset, FetchResponseEpochEndOffset_fields);

static const struct kp_field FetchResponseLeaderIdAndEpoch_fields[] = {
	/* FetchResponse.Responses[].Partitions[].CurrentLeader.LeaderId: int32 [12+] {def -1} */
	KP_FIELD_DEF(struct FetchResponseLeaderIdAndEpoch, LeaderId, KP_INT32, 12, KP_VMAX, -1),
	/* ...CurrentLeader.LeaderEpoch: int32 [12+] {def -1} */
	KP_FIELD_DEF(struct FetchResponseLeaderIdAndEpoch, LeaderEpoch, KP_INT32, 12, KP_VMAX, -1),
};
static const struct kp_struct FetchResponseLeaderIdAndEpoch_desc =
	KP_STRUCT_DESC(struct FetchResponseLeaderIdAndEpoch, FetchResponseLeaderIdAndEpoch_fields);

static const struct kp_field SnapshotId_fields[] = {
	/* FetchResponse.Responses[].Partitions[].SnapshotId.EndOffset: int64 [0+] {def -1} */
	KP_FIELD_DEF(struct SnapshotId, EndOffset, KP_INT64, 0, KP_VMAX, -1),
	/* ...SnapshotId.Epoch: int32 [0+] {def -1} */
	KP_FIELD_DEF(struct SnapshotId, Epoch, KP_INT32, 0, KP_VMAX, -1),
};
static const struct kp_struct SnapshotId_desc = KP_STRUCT_DESC(struct SnapshotId, SnapshotId_fields);

static const struct kp_field AbortedTransaction_fields[] = {
	/* FetchResponse.Responses[].Partitions[].AbortedTransactions[].ProducerId: int64 [4+] */
	KP_FIELD(struct AbortedTransaction, ProducerId, KP_INT64, 4, KP_VMAX),
	/* ...AbortedTransactions[].FirstOffset: int64 [4+] */
	KP_FIELD(struct AbortedTransaction, FirstOffset, KP_INT64, 4, KP_VMAX),
};
static const struct kp_struct AbortedTransaction_desc =
	KP_STRUCT_DESC(struct AbortedTransaction, AbortedTransaction_fields);

static const struct kp_field FetchResponsePartitionData_fields[] = {
	/* FetchResponse.Responses[].Partitions[].PartitionIndex: int32 [0+] */
	KP_FIELD(struct FetchResponsePartitionData, PartitionIndex, KP_INT32, 0, KP_VMAX),
	/* ...Partitions[].ErrorCode: int16 [0+] */
	KP_FIELD(struct FetchResponsePartitionData, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* ...Partitions[].HighWatermark: int64 [0+] */
	KP_FIELD(struct FetchResponsePartitionData, HighWatermark, KP_INT64, 0, KP_VMAX),
	/* ...Partitions[].LastStableOffset: int64 [4+] {def -1} */
	KP_FIELD_DEF(struct FetchResponsePartitionData, LastStableOffset, KP_INT64, 4, KP_VMAX, -1),
	/* ...Partitions[].LogStartOffset: int64 [5+] {def -1} */
	KP_FIELD_DEF(struct FetchResponsePartitionData, LogStartOffset, KP_INT64, 5, KP_VMAX, -1),
	/* ...Partitions[].DivergingEpoch: EpochEndOffset [12+] {TAG 0 (12+)} */
	KP_TAGGED_STRUCT(struct FetchResponsePartitionData, DivergingEpoch, 12, 0,
			 &FetchResponseEpochEndOffset_desc),
	/* ...Partitions[].CurrentLeader: LeaderIdAndEpoch [12+] {TAG 1 (12+)} */
	KP_TAGGED_STRUCT(struct FetchResponsePartitionData, CurrentLeader, 12, 1,
			 &FetchResponseLeaderIdAndEpoch_desc),
	/* ...Partitions[].SnapshotId: SnapshotId [12+] {TAG 2 (12+)} */
	KP_TAGGED_STRUCT(struct FetchResponsePartitionData, SnapshotId, 12, 2, &SnapshotId_desc),
	/* ...Partitions[].AbortedTransactions: []AbortedTransaction [4+] {null 4+} */
	KP_FIELD_ARRAY_NULL(struct FetchResponsePartitionData, AbortedTransactions, KP_STRUCT, 4,
			    KP_VMAX, 4, KP_VMAX, false, &AbortedTransaction_desc),
	/* ...Partitions[].PreferredReadReplica: int32 [11+] {def -1} */
	KP_FIELD_DEF(struct FetchResponsePartitionData, PreferredReadReplica, KP_INT32, 11, KP_VMAX,
		     -1),
	/* ...Partitions[].Records: records [0+] {null 0+} */
	KP_FIELD_NULL(struct FetchResponsePartitionData, Records, KP_RECORDS, 0, KP_VMAX, 0, KP_VMAX,
		      false),
};
static const struct kp_struct FetchResponsePartitionData_desc =
	KP_STRUCT_DESC(struct FetchResponsePartitionData, FetchResponsePartitionData_fields);

static const struct kp_field FetchableTopicResponse_fields[] = {
	/* FetchResponse.Responses[].Topic: string [0-12] */
	KP_FIELD(struct FetchableTopicResponse, Topic, KP_STRING, 0, 12),
	/* FetchResponse.Responses[].TopicId: uuid [13+] */
	KP_FIELD(struct FetchableTopicResponse, TopicId, KP_UUID, 13, KP_VMAX),
	/* FetchResponse.Responses[].Partitions: []PartitionData [0+] */
	KP_FIELD_ARRAY(struct FetchableTopicResponse, Partitions, KP_STRUCT, 0, KP_VMAX,
		       &FetchResponsePartitionData_desc),
};
static const struct kp_struct FetchableTopicResponse_desc =
	KP_STRUCT_DESC(struct FetchableTopicResponse, FetchableTopicResponse_fields);

static const struct kp_field FetchResponseNodeEndpoint_fields[] = {
	/* FetchResponse.NodeEndpoints[].NodeId: int32 [16+] */
	KP_FIELD(struct FetchResponseNodeEndpoint, NodeId, KP_INT32, 16, KP_VMAX),
	/* FetchResponse.NodeEndpoints[].Host: string [16+] */
	KP_FIELD(struct FetchResponseNodeEndpoint, Host, KP_STRING, 16, KP_VMAX),
	/* FetchResponse.NodeEndpoints[].Port: int32 [16+] */
	KP_FIELD(struct FetchResponseNodeEndpoint, Port, KP_INT32, 16, KP_VMAX),
	/* FetchResponse.NodeEndpoints[].Rack: string [16+] {null 16+; def null} */
	KP_FIELD_NULL(struct FetchResponseNodeEndpoint, Rack, KP_STRING, 16, KP_VMAX, 16, KP_VMAX,
		      true),
};
static const struct kp_struct FetchResponseNodeEndpoint_desc =
	KP_STRUCT_DESC(struct FetchResponseNodeEndpoint, FetchResponseNodeEndpoint_fields);

static const struct kp_field FetchResponse_fields[] = {
	/* FetchResponse.ThrottleTimeMs: int32 [1+] */
	KP_FIELD(struct FetchResponse, ThrottleTimeMs, KP_INT32, 1, KP_VMAX),
	/* FetchResponse.ErrorCode: int16 [7+] */
	KP_FIELD(struct FetchResponse, ErrorCode, KP_INT16, 7, KP_VMAX),
	/* FetchResponse.SessionId: int32 [7+] {def 0} */
	KP_FIELD(struct FetchResponse, SessionId, KP_INT32, 7, KP_VMAX),
	/* FetchResponse.Responses: []FetchableTopicResponse [0+] */
	KP_FIELD_ARRAY(struct FetchResponse, Responses, KP_STRUCT, 0, KP_VMAX,
		       &FetchableTopicResponse_desc),
	/* FetchResponse.NodeEndpoints: []NodeEndpoint [16+] {TAG 0 (16+)} */
	KP_TAGGED_ARRAY(struct FetchResponse, NodeEndpoints, 16, 0, &FetchResponseNodeEndpoint_desc),
};
const struct kp_struct kp_FetchResponse = KP_STRUCT_DESC(struct FetchResponse, FetchResponse_fields);

/* ---- ListOffsets (key 2): valid 0-9, flexible 6+ ----------------------------------------- */

static const struct kp_field ListOffsetsPartition_fields[] = {
	/* ListOffsetsRequest.Topics[].Partitions[].PartitionIndex: int32 [0+] */
	KP_FIELD(struct ListOffsetsPartition, PartitionIndex, KP_INT32, 0, KP_VMAX),
	/* ListOffsetsRequest.Topics[].Partitions[].CurrentLeaderEpoch: int32 [4+] {def -1} */
	KP_FIELD_DEF(struct ListOffsetsPartition, CurrentLeaderEpoch, KP_INT32, 4, KP_VMAX, -1),
	/* ListOffsetsRequest.Topics[].Partitions[].Timestamp: int64 [0+] */
	KP_FIELD(struct ListOffsetsPartition, Timestamp, KP_INT64, 0, KP_VMAX),
	/* ListOffsetsRequest.Topics[].Partitions[].MaxNumOffsets: int32 [0] {def 1} */
	KP_FIELD_DEF(struct ListOffsetsPartition, MaxNumOffsets, KP_INT32, 0, 0, 1),
};
static const struct kp_struct ListOffsetsPartition_desc =
	KP_STRUCT_DESC(struct ListOffsetsPartition, ListOffsetsPartition_fields);

static const struct kp_field ListOffsetsTopic_fields[] = {
	/* ListOffsetsRequest.Topics[].Name: string [0+] */
	KP_FIELD(struct ListOffsetsTopic, Name, KP_STRING, 0, KP_VMAX),
	/* ListOffsetsRequest.Topics[].Partitions: []ListOffsetsPartition [0+] */
	KP_FIELD_ARRAY(struct ListOffsetsTopic, Partitions, KP_STRUCT, 0, KP_VMAX,
		       &ListOffsetsPartition_desc),
};
static const struct kp_struct ListOffsetsTopic_desc =
	KP_STRUCT_DESC(struct ListOffsetsTopic, ListOffsetsTopic_fields);

static const struct kp_field ListOffsetsRequest_fields[] = {
	/* ListOffsetsRequest.ReplicaId: int32 [0+] */
	KP_FIELD(struct ListOffsetsRequest, ReplicaId, KP_INT32, 0, KP_VMAX),
	/* ListOffsetsRequest.IsolationLevel: int8 [2+] */
	KP_FIELD(struct ListOffsetsRequest, IsolationLevel, KP_INT8, 2, KP_VMAX),
	/* ListOffsetsRequest.Topics: []ListOffsetsTopic [0+] */
	KP_FIELD_ARRAY(struct ListOffsetsRequest, Topics, KP_STRUCT, 0, KP_VMAX,
		       &ListOffsetsTopic_desc),
};
const struct kp_struct kp_ListOffsetsRequest =
	KP_STRUCT_DESC(struct ListOffsetsRequest, ListOffsetsRequest_fields);

static const struct kp_field ListOffsetsPartitionResponse_fields[] = {
	/* ListOffsetsResponse.Topics[].Partitions[].PartitionIndex: int32 [0+] */
	KP_FIELD(struct ListOffsetsPartitionResponse, PartitionIndex, KP_INT32, 0, KP_VMAX),
	/* ListOffsetsResponse.Topics[].Partitions[].ErrorCode: int16 [0+] */
	KP_FIELD(struct ListOffsetsPartitionResponse, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* ListOffsetsResponse.Topics[].Partitions[].OldStyleOffsets: []int64 [0] */
	KP_FIELD_ARRAY(struct ListOffsetsPartitionResponse, OldStyleOffsets, KP_INT64, 0, 0, NULL),
	/* ListOffsetsResponse.Topics[].Partitions[].Timestamp: int64 [1+] {def -1} */
	KP_FIELD_DEF(struct ListOffsetsPartitionResponse, Timestamp, KP_INT64, 1, KP_VMAX, -1),
	/* ListOffsetsResponse.Topics[].Partitions[].Offset: int64 [1+] {def -1} */
	KP_FIELD_DEF(struct ListOffsetsPartitionResponse, Offset, KP_INT64, 1, KP_VMAX, -1),
	/* ListOffsetsResponse.Topics[].Partitions[].LeaderEpoch: int32 [4+] {def -1} */
	KP_FIELD_DEF(struct ListOffsetsPartitionResponse, LeaderEpoch, KP_INT32, 4, KP_VMAX, -1),
};
static const struct kp_struct ListOffsetsPartitionResponse_desc =
	KP_STRUCT_DESC(struct ListOffsetsPartitionResponse, ListOffsetsPartitionResponse_fields);

static const struct kp_field ListOffsetsTopicResponse_fields[] = {
	/* ListOffsetsResponse.Topics[].Name: string [0+] */
	KP_FIELD(struct ListOffsetsTopicResponse, Name, KP_STRING, 0, KP_VMAX),
	/* ListOffsetsResponse.Topics[].Partitions: []ListOffsetsPartitionResponse [0+] */
	KP_FIELD_ARRAY(struct ListOffsetsTopicResponse, Partitions, KP_STRUCT, 0, KP_VMAX,
		       &ListOffsetsPartitionResponse_desc),
};
static const struct kp_struct ListOffsetsTopicResponse_desc =
	KP_STRUCT_DESC(struct ListOffsetsTopicResponse, ListOffsetsTopicResponse_fields);

static const struct kp_field ListOffsetsResponse_fields[] = {
	/* ListOffsetsResponse.ThrottleTimeMs: int32 [2+] */
	KP_FIELD(struct ListOffsetsResponse, ThrottleTimeMs, KP_INT32, 2, KP_VMAX),
	/* ListOffsetsResponse.Topics: []ListOffsetsTopicResponse [0+] */
	KP_FIELD_ARRAY(struct ListOffsetsResponse, Topics, KP_STRUCT, 0, KP_VMAX,
		       &ListOffsetsTopicResponse_desc),
};
const struct kp_struct kp_ListOffsetsResponse =
	KP_STRUCT_DESC(struct ListOffsetsResponse, ListOffsetsResponse_fields);

/* ---- DeleteRecords (key 21): valid 0-2, flexible 2+ -------------------------------------- */

static const struct kp_field DeleteRecordsPartition_fields[] = {
	/* DeleteRecordsRequest.Topics[].Partitions[].PartitionIndex: int32 [0+] */
	KP_FIELD(struct DeleteRecordsPartition, PartitionIndex, KP_INT32, 0, KP_VMAX),
	/* DeleteRecordsRequest.Topics[].Partitions[].Offset: int64 [0+] */
	KP_FIELD(struct DeleteRecordsPartition, Offset, KP_INT64, 0, KP_VMAX),
};
static const struct kp_struct DeleteRecordsPartition_desc =
	KP_STRUCT_DESC(struct DeleteRecordsPartition, DeleteRecordsPartition_fields);

static const struct kp_field DeleteRecordsTopic_fields[] = {
	/* DeleteRecordsRequest.Topics[].Name: string [0+] */
	KP_FIELD(struct DeleteRecordsTopic, Name, KP_STRING, 0, KP_VMAX),
	/* DeleteRecordsRequest.Topics[].Partitions: []DeleteRecordsPartition [0+] */
	KP_FIELD_ARRAY(struct DeleteRecordsTopic, Partitions, KP_STRUCT, 0, KP_VMAX,
		       &DeleteRecordsPartition_desc),
};
static const struct kp_struct DeleteRecordsTopic_desc =
	KP_STRUCT_DESC(struct DeleteRecordsTopic, DeleteRecordsTopic_fields);

static const struct kp_field DeleteRecordsRequest_fields[] = {
	/* DeleteRecordsRequest.Topics: []DeleteRecordsTopic [0+] */
	KP_FIELD_ARRAY(struct DeleteRecordsRequest, Topics, KP_STRUCT, 0, KP_VMAX,
		       &DeleteRecordsTopic_desc),
	/* DeleteRecordsRequest.TimeoutMs: int32 [0+] */
	KP_FIELD(struct DeleteRecordsRequest, TimeoutMs, KP_INT32, 0, KP_VMAX),
};
const struct kp_struct kp_DeleteRecordsRequest =
	KP_STRUCT_DESC(struct DeleteRecordsRequest, DeleteRecordsRequest_fields);

static const struct kp_field DeleteRecordsPartitionResult_fields[] = {
	/* DeleteRecordsResponse.Topics[].Partitions[].PartitionIndex: int32 [0+] */
	KP_FIELD(struct DeleteRecordsPartitionResult, PartitionIndex, KP_INT32, 0, KP_VMAX),
	/* DeleteRecordsResponse.Topics[].Partitions[].LowWatermark: int64 [0+] */
	KP_FIELD(struct DeleteRecordsPartitionResult, LowWatermark, KP_INT64, 0, KP_VMAX),
	/* DeleteRecordsResponse.Topics[].Partitions[].ErrorCode: int16 [0+] */
	KP_FIELD(struct DeleteRecordsPartitionResult, ErrorCode, KP_INT16, 0, KP_VMAX),
};
static const struct kp_struct DeleteRecordsPartitionResult_desc =
	KP_STRUCT_DESC(struct DeleteRecordsPartitionResult, DeleteRecordsPartitionResult_fields);

static const struct kp_field DeleteRecordsTopicResult_fields[] = {
	/* DeleteRecordsResponse.Topics[].Name: string [0+] */
	KP_FIELD(struct DeleteRecordsTopicResult, Name, KP_STRING, 0, KP_VMAX),
	/* DeleteRecordsResponse.Topics[].Partitions: []DeleteRecordsPartitionResult [0+] */
	KP_FIELD_ARRAY(struct DeleteRecordsTopicResult, Partitions, KP_STRUCT, 0, KP_VMAX,
		       &DeleteRecordsPartitionResult_desc),
};
static const struct kp_struct DeleteRecordsTopicResult_desc =
	KP_STRUCT_DESC(struct DeleteRecordsTopicResult, DeleteRecordsTopicResult_fields);

static const struct kp_field DeleteRecordsResponse_fields[] = {
	/* DeleteRecordsResponse.ThrottleTimeMs: int32 [0+] */
	KP_FIELD(struct DeleteRecordsResponse, ThrottleTimeMs, KP_INT32, 0, KP_VMAX),
	/* DeleteRecordsResponse.Topics: []DeleteRecordsTopicResult [0+] */
	KP_FIELD_ARRAY(struct DeleteRecordsResponse, Topics, KP_STRUCT, 0, KP_VMAX,
		       &DeleteRecordsTopicResult_desc),
};
const struct kp_struct kp_DeleteRecordsResponse =
	KP_STRUCT_DESC(struct DeleteRecordsResponse, DeleteRecordsResponse_fields);

/* ---- OffsetForLeaderEpoch (key 23): valid 0-4, flexible 4+ ------------------------------- */

static const struct kp_field OffsetForLeaderPartition_fields[] = {
	/* OffsetForLeaderEpochRequest.Topics[].Partitions[].Partition: int32 [0+] */
	KP_FIELD(struct OffsetForLeaderPartition, Partition, KP_INT32, 0, KP_VMAX),
	/* OffsetForLeaderEpochRequest.Topics[].Partitions[].CurrentLeaderEpoch: int32 [2+]
	 * {def -1} */
	KP_FIELD_DEF(struct OffsetForLeaderPartition, CurrentLeaderEpoch, KP_INT32, 2, KP_VMAX, -1),
	/* OffsetForLeaderEpochRequest.Topics[].Partitions[].LeaderEpoch: int32 [0+] */
	KP_FIELD(struct OffsetForLeaderPartition, LeaderEpoch, KP_INT32, 0, KP_VMAX),
};
static const struct kp_struct OffsetForLeaderPartition_desc =
	KP_STRUCT_DESC(struct OffsetForLeaderPartition, OffsetForLeaderPartition_fields);

static const struct kp_field OffsetForLeaderTopic_fields[] = {
	/* OffsetForLeaderEpochRequest.Topics[].Topic: string [0+] */
	KP_FIELD(struct OffsetForLeaderTopic, Topic, KP_STRING, 0, KP_VMAX),
	/* OffsetForLeaderEpochRequest.Topics[].Partitions: []OffsetForLeaderPartition [0+] */
	KP_FIELD_ARRAY(struct OffsetForLeaderTopic, Partitions, KP_STRUCT, 0, KP_VMAX,
		       &OffsetForLeaderPartition_desc),
};
static const struct kp_struct OffsetForLeaderTopic_desc =
	KP_STRUCT_DESC(struct OffsetForLeaderTopic, OffsetForLeaderTopic_fields);

static const struct kp_field OffsetForLeaderEpochRequest_fields[] = {
	/* OffsetForLeaderEpochRequest.ReplicaId: int32 [3+] {def -2} */
	KP_FIELD_DEF(struct OffsetForLeaderEpochRequest, ReplicaId, KP_INT32, 3, KP_VMAX, -2),
	/* OffsetForLeaderEpochRequest.Topics: []OffsetForLeaderTopic [0+] */
	KP_FIELD_ARRAY(struct OffsetForLeaderEpochRequest, Topics, KP_STRUCT, 0, KP_VMAX,
		       &OffsetForLeaderTopic_desc),
};
const struct kp_struct kp_OffsetForLeaderEpochRequest =
	KP_STRUCT_DESC(struct OffsetForLeaderEpochRequest, OffsetForLeaderEpochRequest_fields);

static const struct kp_field OffsetForLeaderEpochResponseEpochEndOffset_fields[] = {
	/* OffsetForLeaderEpochResponse.Topics[].Partitions[].ErrorCode: int16 [0+] */
	KP_FIELD(struct OffsetForLeaderEpochResponseEpochEndOffset, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* OffsetForLeaderEpochResponse.Topics[].Partitions[].Partition: int32 [0+] */
	KP_FIELD(struct OffsetForLeaderEpochResponseEpochEndOffset, Partition, KP_INT32, 0, KP_VMAX),
	/* OffsetForLeaderEpochResponse.Topics[].Partitions[].LeaderEpoch: int32 [1+] {def -1} */
	KP_FIELD_DEF(struct OffsetForLeaderEpochResponseEpochEndOffset, LeaderEpoch, KP_INT32, 1,
		     KP_VMAX, -1),
	/* OffsetForLeaderEpochResponse.Topics[].Partitions[].EndOffset: int64 [0+] {def -1} */
	KP_FIELD_DEF(struct OffsetForLeaderEpochResponseEpochEndOffset, EndOffset, KP_INT64, 0,
		     KP_VMAX, -1),
};
static const struct kp_struct OffsetForLeaderEpochResponseEpochEndOffset_desc =
	KP_STRUCT_DESC(struct OffsetForLeaderEpochResponseEpochEndOffset,
		       OffsetForLeaderEpochResponseEpochEndOffset_fields);

static const struct kp_field OffsetForLeaderTopicResult_fields[] = {
	/* OffsetForLeaderEpochResponse.Topics[].Topic: string [0+] */
	KP_FIELD(struct OffsetForLeaderTopicResult, Topic, KP_STRING, 0, KP_VMAX),
	/* OffsetForLeaderEpochResponse.Topics[].Partitions: []EpochEndOffset [0+] */
	KP_FIELD_ARRAY(struct OffsetForLeaderTopicResult, Partitions, KP_STRUCT, 0, KP_VMAX,
		       &OffsetForLeaderEpochResponseEpochEndOffset_desc),
};
static const struct kp_struct OffsetForLeaderTopicResult_desc =
	KP_STRUCT_DESC(struct OffsetForLeaderTopicResult, OffsetForLeaderTopicResult_fields);

static const struct kp_field OffsetForLeaderEpochResponse_fields[] = {
	/* OffsetForLeaderEpochResponse.ThrottleTimeMs: int32 [2+] */
	KP_FIELD(struct OffsetForLeaderEpochResponse, ThrottleTimeMs, KP_INT32, 2, KP_VMAX),
	/* OffsetForLeaderEpochResponse.Topics: []OffsetForLeaderTopicResult [0+] */
	KP_FIELD_ARRAY(struct OffsetForLeaderEpochResponse, Topics, KP_STRUCT, 0, KP_VMAX,
		       &OffsetForLeaderTopicResult_desc),
};
const struct kp_struct kp_OffsetForLeaderEpochResponse =
	KP_STRUCT_DESC(struct OffsetForLeaderEpochResponse, OffsetForLeaderEpochResponse_fields);
