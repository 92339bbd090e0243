/* kp_msgs.c — descriptor tables for the messages of kp_msgs.h, transcribed by hand from
 * ../shared/reference/kafka-schemas.md (Kafka 3.9 message JSON). One row per field in wire
 * order; each row carries its schema path. Nested structs come before the struct that uses
 * them. Rules the walker applies to these rows are in kp_codec.c.
 *
 * Conventions: KP_VMAX = "and every later version"; nullable ranges and defaults are those
 * of the schema ({null V}, {def X}); a tagged field is tagged from its first version on.
 */
#include "kp_msgs.h"

/* A tagged field present and tagged in [v0, KP_VMAX] with integer default d. */
#define KP_TAGGED(S, f, T, v0, tagno, d)                                                     \
	{ .name = #f, .type = (T), .vmin = (v0), .vmax = KP_VMAX, .nmin = KP_NEVER,            \
	  .nmax = KP_NEVER, .tag = (tagno), .tmin = (v0), .tmax = KP_VMAX, .def = (d),         \
	  .offset = offsetof(S, f) }
/* A tagged, non-nullable array of structs present and tagged in [v0, KP_VMAX]. */
#define KP_TAGGED_ARRAY(S, f, v0, tagno, SUB)                                                \
	{ .name = #f, .type = KP_ARRAY, .elem_type = KP_STRUCT, .vmin = (v0), .vmax = KP_VMAX, \
	  .nmin = KP_NEVER, .nmax = KP_NEVER, .tag = (tagno), .tmin = (v0), .tmax = KP_VMAX,   \
	  .offset = offsetof(S, f), .sub = (SUB) }

/* ---- ApiVersions (key 18): valid 0-4, flexible 3+ ---------------------------------------- */

static const struct kp_field ApiVersionsRequest_fields[] = {
	/* ApiVersionsRequest.ClientSoftwareName: string [3+] */
	KP_FIELD(struct ApiVersionsRequest, ClientSoftwareName, KP_STRING, 3, KP_VMAX),
	/* ApiVersionsRequest.ClientSoftwareVersion: string [3+] */
	KP_FIELD(struct ApiVersionsRequest, ClientSoftwareVersion, KP_STRING, 3, KP_VMAX),
};
const struct kp_struct kp_ApiVersionsRequest =
	KP_STRUCT_DESC(struct ApiVersionsRequest, ApiVersionsRequest_fields);

static const struct kp_field ApiVersion_fields[] = {
	/* ApiVersionsResponse.ApiKeys[].ApiKey: int16 [0+] */
	KP_FIELD(struct ApiVersion, ApiKey, KP_INT16, 0, KP_VMAX),
	/* ApiVersionsResponse.ApiKeys[].MinVersion: int16 [0+] */
	KP_FIELD(struct ApiVersion, MinVersion, KP_INT16, 0, KP_VMAX),
	/* ApiVersionsResponse.ApiKeys[].MaxVersion: int16 [0+] */
	KP_FIELD(struct ApiVersion, MaxVersion, KP_INT16, 0, KP_VMAX),
};
static const struct kp_struct ApiVersion_desc =
	KP_STRUCT_DESC(struct ApiVersion, ApiVersion_fields);

static const struct kp_field SupportedFeatureKey_fields[] = {
	/* ApiVersionsResponse.SupportedFeatures[].Name: string [3+] */
	KP_FIELD(struct SupportedFeatureKey, Name, KP_STRING, 3, KP_VMAX),
	/* ApiVersionsResponse.SupportedFeatures[].MinVersion: int16 [3+] */
	KP_FIELD(struct SupportedFeatureKey, MinVersion, KP_INT16, 3, KP_VMAX),
	/* ApiVersionsResponse.SupportedFeatures[].MaxVersion: int16 [3+] */
	KP_FIELD(struct SupportedFeatureKey, MaxVersion, KP_INT16, 3, KP_VMAX),
};
static const struct kp_struct SupportedFeatureKey_desc =
	KP_STRUCT_DESC(struct SupportedFeatureKey, SupportedFeatureKey_fields);

static const struct kp_field FinalizedFeatureKey_fields[] = {
	/* ApiVersionsResponse.FinalizedFeatures[].Name: string [3+] */
	KP_FIELD(struct FinalizedFeatureKey, Name, KP_STRING, 3, KP_VMAX),
	/* ApiVersionsResponse.FinalizedFeatures[].MaxVersionLevel: int16 [3+] */
	KP_FIELD(struct FinalizedFeatureKey, MaxVersionLevel, KP_INT16, 3, KP_VMAX),
	/* ApiVersionsResponse.FinalizedFeatures[].MinVersionLevel: int16 [3+] */
	KP_FIELD(struct FinalizedFeatureKey, MinVersionLevel, KP_INT16, 3, KP_VMAX),
};
static const struct kp_struct FinalizedFeatureKey_desc =
	KP_STRUCT_DESC(struct FinalizedFeatureKey, FinalizedFeatureKey_fields);

static const struct kp_field ApiVersionsResponse_fields[] = {
	/* ApiVersionsResponse.ErrorCode: int16 [0+] */
	KP_FIELD(struct ApiVersionsResponse, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* ApiVersionsResponse.ApiKeys: []ApiVersion [0+] */
	KP_FIELD_ARRAY(struct ApiVersionsResponse, ApiKeys, KP_STRUCT, 0, KP_VMAX, &ApiVersion_desc),
	/* ApiVersionsResponse.ThrottleTimeMs: int32 [1+] */
	KP_FIELD(struct ApiVersionsResponse, ThrottleTimeMs, KP_INT32, 1, KP_VMAX),
	/* ApiVersionsResponse.SupportedFeatures: []SupportedFeatureKey [3+] {TAG 0 (3+)} */
	KP_TAGGED_ARRAY(struct ApiVersionsResponse, SupportedFeatures, 3, 0, &SupportedFeatureKey_desc),
	/* ApiVersionsResponse.FinalizedFeaturesEpoch: int64 [3+] {TAG 1 (3+); def -1} */
	KP_TAGGED(struct ApiVersionsResponse, FinalizedFeaturesEpoch, KP_INT64, 3, 1, -1),
	/* ApiVersionsResponse.FinalizedFeatures: []FinalizedFeatureKey [3+] {TAG 2 (3+)} */
	KP_TAGGED_ARRAY(struct ApiVersionsResponse, FinalizedFeatures, 3, 2, &FinalizedFeatureKey_desc),
	/* ApiVersionsResponse.ZkMigrationReady: bool [3+] {TAG 3 (3+); def false} */
	KP_TAGGED(struct ApiVersionsResponse, ZkMigrationReady, KP_BOOL, 3, 3, 0),
};
const struct kp_struct kp_ApiVersionsResponse =
	KP_STRUCT_DESC(struct ApiVersionsResponse, ApiVersionsResponse_fields);

/* ---- Metadata (key 3): valid 0-12, flexible 9+ ------------------------------------------- */

static const struct kp_field MetadataRequestTopic_fields[] = {
	/* MetadataRequest.Topics[].TopicId: uuid [10+] */
	KP_FIELD(struct MetadataRequestTopic, TopicId, KP_UUID, 10, KP_VMAX),
	/* MetadataRequest.Topics[].Name: string [0+] {null 10+} */
	KP_FIELD_NULL(struct MetadataRequestTopic, Name, KP_STRING, 0, KP_VMAX, 10, KP_VMAX, false),
};
static const struct kp_struct MetadataRequestTopic_desc =
	KP_STRUCT_DESC(struct MetadataRequestTopic, MetadataRequestTopic_fields);

static const struct kp_field MetadataRequest_fields[] = {
	/* MetadataRequest.Topics: []MetadataRequestTopic [0+] {null 1+} */
	KP_FIELD_ARRAY_NULL(struct MetadataRequest, Topics, KP_STRUCT, 0, KP_VMAX, 1, KP_VMAX, false,
			    &MetadataRequestTopic_desc),
	/* MetadataRequest.AllowAutoTopicCreation: bool [4+] {def true} */
	KP_FIELD_DEF(struct MetadataRequest, AllowAutoTopicCreation, KP_BOOL, 4, KP_VMAX, 1),
	/* MetadataRequest.IncludeClusterAuthorizedOperations: bool [8-10] */
	KP_FIELD(struct MetadataRequest, IncludeClusterAuthorizedOperations, KP_BOOL, 8, 10),
	/* MetadataRequest.IncludeTopicAuthorizedOperations: bool [8+] */
	KP_FIELD(struct MetadataRequest, IncludeTopicAuthorizedOperations, KP_BOOL, 8, KP_VMAX),
};
const struct kp_struct kp_MetadataRequest =
	KP_STRUCT_DESC(struct MetadataRequest, MetadataRequest_fields);

static const struct kp_field MetadataResponseBroker_fields[] = {
	/* MetadataResponse.Brokers[].NodeId: int32 [0+] */
	KP_FIELD(struct MetadataResponseBroker, NodeId, KP_INT32, 0, KP_VMAX),
	/* MetadataResponse.Brokers[].Host: string [0+] */
	KP_FIELD(struct MetadataResponseBroker, Host, KP_STRING, 0, KP_VMAX),
	/* MetadataResponse.Brokers[].Port: int32 [0+] */
	KP_FIELD(struct MetadataResponseBroker, Port, KP_INT32, 0, KP_VMAX),
	/* MetadataResponse.Brokers[].Rack: string [1+] {null 1+; def null} */
	KP_FIELD_NULL(struct MetadataResponseBroker, Rack, KP_STRING, 1, KP_VMAX, 1, KP_VMAX, true),
};
static const struct kp_struct MetadataResponseBroker_desc =
	KP_STRUCT_DESC(struct MetadataResponseBroker, MetadataResponseBroker_fields);

static const struct kp_field MetadataResponsePartition_fields[] = {
	/* MetadataResponse.Topics[].Partitions[].ErrorCode: int16 [0+] */
	KP_FIELD(struct MetadataResponsePartition, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* MetadataResponse.Topics[].Partitions[].PartitionIndex: int32 [0+] */
	KP_FIELD(struct MetadataResponsePartition, PartitionIndex, KP_INT32, 0, KP_VMAX),
	/* MetadataResponse.Topics[].Partitions[].LeaderId: int32 [0+] */
	KP_FIELD(struct MetadataResponsePartition, LeaderId, KP_INT32, 0, KP_VMAX),
	/* MetadataResponse.Topics[].Partitions[].LeaderEpoch: int32 [7+] {def -1} */
	KP_FIELD_DEF(struct MetadataResponsePartition, LeaderEpoch, KP_INT32, 7, KP_VMAX, -1),
	/* MetadataResponse.Topics[].Partitions[].ReplicaNodes: []int32 [0+] */
	KP_FIELD_ARRAY(struct MetadataResponsePartition, ReplicaNodes, KP_INT32, 0, KP_VMAX, NULL),
	/* MetadataResponse.Topics[].Partitions[].IsrNodes: []int32 [0+] */
	KP_FIELD_ARRAY(struct MetadataResponsePartition, IsrNodes, KP_INT32, 0, KP_VMAX, NULL),
	/* MetadataResponse.Topics[].Partitions[].OfflineReplicas: []int32 [5+] */
	KP_FIELD_ARRAY(struct MetadataResponsePartition, OfflineReplicas, KP_INT32, 5, KP_VMAX, NULL),
};
static const struct kp_struct MetadataResponsePartition_desc =
	KP_STRUCT_DESC(struct MetadataResponsePartition, MetadataResponsePartition_fields);

static const struct kp_field MetadataResponseTopic_fields[] = {
	/* MetadataResponse.Topics[].ErrorCode: int16 [0+] */
	KP_FIELD(struct MetadataResponseTopic, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* MetadataResponse.Topics[].Name: string [0+] {null 12+} */
	KP_FIELD_NULL(struct MetadataResponseTopic, Name, KP_STRING, 0, KP_VMAX, 12, KP_VMAX, false),
	/* MetadataResponse.Topics[].TopicId: uuid [10+] */
	KP_FIELD(struct MetadataResponseTopic, TopicId, KP_UUID, 10, KP_VMAX),
	/* MetadataResponse.Topics[].IsInternal: bool [1+] {def false} */
	KP_FIELD(struct MetadataResponseTopic, IsInternal, KP_BOOL, 1, KP_VMAX),
	/* MetadataResponse.Topics[].Partitions: []MetadataResponsePartition [0+] */
	KP_FIELD_ARRAY(struct MetadataResponseTopic, Partitions, KP_STRUCT, 0, KP_VMAX,
		       &MetadataResponsePartition_desc),
	/* MetadataResponse.Topics[].TopicAuthorizedOperations: int32 [8+] {def -2147483648} */
	KP_FIELD_DEF(struct MetadataResponseTopic, TopicAuthorizedOperations, KP_INT32, 8, KP_VMAX,
		     INT32_MIN),
};
static const struct kp_struct MetadataResponseTopic_desc =
	KP_STRUCT_DESC(struct MetadataResponseTopic, MetadataResponseTopic_fields);

static const struct kp_field MetadataResponse_fields[] = {
	/* MetadataResponse.ThrottleTimeMs: int32 [3+] */
	KP_FIELD(struct MetadataResponse, ThrottleTimeMs, KP_INT32, 3, KP_VMAX),
	/* MetadataResponse.Brokers: []MetadataResponseBroker [0+] */
	KP_FIELD_ARRAY(struct MetadataResponse, Brokers, KP_STRUCT, 0, KP_VMAX,
		       &MetadataResponseBroker_desc),
	/* MetadataResponse.ClusterId: string [2+] {null 2+; def null} */
	KP_FIELD_NULL(struct MetadataResponse, ClusterId, KP_STRING, 2, KP_VMAX, 2, KP_VMAX, true),
	/* MetadataResponse.ControllerId: int32 [1+] {def -1} */
	KP_FIELD_DEF(struct MetadataResponse, ControllerId, KP_INT32, 1, KP_VMAX, -1),
	/* MetadataResponse.Topics: []MetadataResponseTopic [0+] */
	KP_FIELD_ARRAY(struct MetadataResponse, Topics, KP_STRUCT, 0, KP_VMAX,
		       &MetadataResponseTopic_desc),
	/* MetadataResponse.ClusterAuthorizedOperations: int32 [8-10] {def -2147483648} */
	KP_FIELD_DEF(struct MetadataResponse, ClusterAuthorizedOperations, KP_INT32, 8, 10, INT32_MIN),
};
const struct kp_struct kp_MetadataResponse =
	KP_STRUCT_DESC(struct MetadataResponse, MetadataResponse_fields);
