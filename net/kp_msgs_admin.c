/* kp_msgs_admin.c — descriptor tables for the admin messages of kp_msgs_admin.h, transcribed
 * by hand from ../shared/reference/kafka-schemas.md (Kafka 3.9 message JSON) and, for
 * ElectLeaders / IncrementalAlterConfigs (not in that file), from the apache/kafka 3.9 JSON.
 * Same conventions as kp_msgs.c: one row per field in wire order, each with its schema path;
 * nested structs come before the struct that uses them; KP_VMAX = "and every later version";
 * nullable ranges and defaults are those of the schema.
 *
 * Where the schema declares a nullable range starting before the field exists (CreateTopics
 * ErrorMessage [1+] {null 0+}, DescribeConfigs Synonyms[].Value [1+] and Documentation [3+]
 * {null 0+}), the row's range starts at the field's first version: same wire behaviour.
 */
#include "kp_msgs.h"

/* ---- CreateTopics (key 19): valid 0-7, flexible 5+ --------------------------------------- */

static const struct kp_field CreatableReplicaAssignment_fields[] = {
	/* CreateTopicsRequest.Topics[].Assignments[].PartitionIndex: int32 [0+] */
	KP_FIELD(struct CreatableReplicaAssignment, PartitionIndex, KP_INT32, 0, KP_VMAX),
	/* CreateTopicsRequest.Topics[].Assignments[].BrokerIds: []int32 [0+] */
	KP_FIELD_ARRAY(struct CreatableReplicaAssignment, BrokerIds, KP_INT32, 0, KP_VMAX, NULL),
};
static const struct kp_struct CreatableReplicaAssignment_desc =
	KP_STRUCT_DESC(struct CreatableReplicaAssignment, CreatableReplicaAssignment_fields);

static const struct kp_field CreatableTopicConfig_fields[] = {
	/* CreateTopicsRequest.Topics[].Configs[].Name: string [0+] */
	KP_FIELD(struct CreatableTopicConfig, Name, KP_STRING, 0, KP_VMAX),
	/* CreateTopicsRequest.Topics[].Configs[].Value: string [0+] {null 0+} */
	KP_FIELD_NULL(struct CreatableTopicConfig, Value, KP_STRING, 0, KP_VMAX, 0, KP_VMAX, false),
};
static const struct kp_struct CreatableTopicConfig_desc =
	KP_STRUCT_DESC(struct CreatableTopicConfig, CreatableTopicConfig_fields);

static const struct kp_field CreatableTopic_fields[] = {
	/* CreateTopicsRequest.Topics[].Name: string [0+] */
	KP_FIELD(struct CreatableTopic, Name, KP_STRING, 0, KP_VMAX),
	/* CreateTopicsRequest.Topics[].NumPartitions: int32 [0+] */
	KP_FIELD(struct CreatableTopic, NumPartitions, KP_INT32, 0, KP_VMAX),
	/* CreateTopicsRequest.Topics[].ReplicationFactor: int16 [0+] */
	KP_FIELD(struct CreatableTopic, ReplicationFactor, KP_INT16, 0, KP_VMAX),
	/* CreateTopicsRequest.Topics[].Assignments: []CreatableReplicaAssignment [0+] */
	KP_FIELD_ARRAY(struct CreatableTopic, Assignments, KP_STRUCT, 0, KP_VMAX,
		       &CreatableReplicaAssignment_desc),
	/* CreateTopicsRequest.Topics[].Configs: []CreatableTopicConfig [0+] */
	KP_FIELD_ARRAY(struct CreatableTopic, Configs, KP_STRUCT, 0, KP_VMAX,
		       &CreatableTopicConfig_desc),
};
static const struct kp_struct CreatableTopic_desc =
	KP_STRUCT_DESC(struct CreatableTopic, CreatableTopic_fields);

static const struct kp_field CreateTopicsRequest_fields[] = {
	/* CreateTopicsRequest.Topics: []CreatableTopic [0+] */
	KP_FIELD_ARRAY(struct CreateTopicsRequest, Topics, KP_STRUCT, 0, KP_VMAX,
		       &CreatableTopic_desc),
	/* CreateTopicsRequest.timeoutMs: int32 [0+] {def 60000} */
	KP_FIELD_DEF(struct CreateTopicsRequest, timeoutMs, KP_INT32, 0, KP_VMAX, 60000),
	/* CreateTopicsRequest.validateOnly: bool [1+] {def false} */
	KP_FIELD(struct CreateTopicsRequest, validateOnly, KP_BOOL, 1, KP_VMAX),
};
const struct kp_struct kp_CreateTopicsRequest =
	KP_STRUCT_DESC(struct CreateTopicsRequest, CreateTopicsRequest_fields);

static const struct kp_field CreatableTopicConfigs_fields[] = {
	/* CreateTopicsResponse.Topics[].Configs[].Name: string [5+] */
	KP_FIELD(struct CreatableTopicConfigs, Name, KP_STRING, 5, KP_VMAX),
	/* CreateTopicsResponse.Topics[].Configs[].Value: string [5+] {null 5+} */
	KP_FIELD_NULL(struct CreatableTopicConfigs, Value, KP_STRING, 5, KP_VMAX, 5, KP_VMAX, false),
	/* CreateTopicsResponse.Topics[].Configs[].ReadOnly: bool [5+] */
	KP_FIELD(struct CreatableTopicConfigs, ReadOnly, KP_BOOL, 5, KP_VMAX),
	/* CreateTopicsResponse.Topics[].Configs[].ConfigSource: int8 [5+] {def -1} */
	KP_FIELD_DEF(struct CreatableTopicConfigs, ConfigSource, KP_INT8, 5, KP_VMAX, -1),
	/* CreateTopicsResponse.Topics[].Configs[].IsSensitive: bool [5+] */
	KP_FIELD(struct CreatableTopicConfigs, IsSensitive, KP_BOOL, 5, KP_VMAX),
};
static const struct kp_struct CreatableTopicConfigs_desc =
	KP_STRUCT_DESC(struct CreatableTopicConfigs, CreatableTopicConfigs_fields);

static const struct kp_field CreatableTopicResult_fields[] = {
	/* CreateTopicsResponse.Topics[].Name: string [0+] */
	KP_FIELD(struct CreatableTopicResult, Name, KP_STRING, 0, KP_VMAX),
	/* CreateTopicsResponse.Topics[].TopicId: uuid [7+] */
	KP_FIELD(struct CreatableTopicResult, TopicId, KP_UUID, 7, KP_VMAX),
	/* CreateTopicsResponse.Topics[].ErrorCode: int16 [0+] */
	KP_FIELD(struct CreatableTopicResult, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* CreateTopicsResponse.Topics[].ErrorMessage: string [1+] {null 0+} */
	KP_FIELD_NULL(struct CreatableTopicResult, ErrorMessage, KP_STRING, 1, KP_VMAX, 1, KP_VMAX,
		      false),
	/* CreateTopicsResponse.Topics[].TopicConfigErrorCode: int16 [5+] {TAG 0 (5+)} */
	{ .name = "TopicConfigErrorCode", .type = KP_INT16, .vmin = 5, .vmax = KP_VMAX,
	  .nmin = KP_NEVER, .nmax = KP_NEVER, .tag = 0, .tmin = 5, .tmax = KP_VMAX,
	  .offset = offsetof(struct CreatableTopicResult, TopicConfigErrorCode) },
	/* CreateTopicsResponse.Topics[].NumPartitions: int32 [5+] {def -1} */
	KP_FIELD_DEF(struct CreatableTopicResult, NumPartitions, KP_INT32, 5, KP_VMAX, -1),
	/* CreateTopicsResponse.Topics[].ReplicationFactor: int16 [5+] {def -1} */
	KP_FIELD_DEF(struct CreatableTopicResult, ReplicationFactor, KP_INT16, 5, KP_VMAX, -1),
	/* CreateTopicsResponse.Topics[].Configs: []CreatableTopicConfigs [5+] {null 5+} */
	KP_FIELD_ARRAY_NULL(struct CreatableTopicResult, Configs, KP_STRUCT, 5, KP_VMAX, 5, KP_VMAX,
			    false, &CreatableTopicConfigs_desc),
};
static const struct kp_struct CreatableTopicResult_desc =
	KP_STRUCT_DESC(struct CreatableTopicResult, CreatableTopicResult_fields);

static const struct kp_field CreateTopicsResponse_fields[] = {
	/* CreateTopicsResponse.ThrottleTimeMs: int32 [2+] */
	KP_FIELD(struct CreateTopicsResponse, ThrottleTimeMs, KP_INT32, 2, KP_VMAX),
	/* CreateTopicsResponse.Topics: []CreatableTopicResult [0+] */
	KP_FIELD_ARRAY(struct CreateTopicsResponse, Topics, KP_STRUCT, 0, KP_VMAX,
		       &CreatableTopicResult_desc),
};
const struct kp_struct kp_CreateTopicsResponse =
	KP_STRUCT_DESC(struct CreateTopicsResponse, CreateTopicsResponse_fields);

/* ---- DeleteTopics (key 20): valid 0-6, flexible 4+ --------------------------------------- */

static const struct kp_field DeleteTopicState_fields[] = {
	/* DeleteTopicsRequest.Topics[].Name: string [6+] {null 6+; def null} */
	KP_FIELD_NULL(struct DeleteTopicState, Name, KP_STRING, 6, KP_VMAX, 6, KP_VMAX, true),
	/* DeleteTopicsRequest.Topics[].TopicId: uuid [6+] */
	KP_FIELD(struct DeleteTopicState, TopicId, KP_UUID, 6, KP_VMAX),
};
static const struct kp_struct DeleteTopicState_desc =
	KP_STRUCT_DESC(struct DeleteTopicState, DeleteTopicState_fields);

static const struct kp_field DeleteTopicsRequest_fields[] = {
	/* DeleteTopicsRequest.Topics: []DeleteTopicState [6+] */
	KP_FIELD_ARRAY(struct DeleteTopicsRequest, Topics, KP_STRUCT, 6, KP_VMAX,
		       &DeleteTopicState_desc),
	/* DeleteTopicsRequest.TopicNames: []string [0-5] */
	KP_FIELD_ARRAY(struct DeleteTopicsRequest, TopicNames, KP_STRING, 0, 5, NULL),
	/* DeleteTopicsRequest.TimeoutMs: int32 [0+] */
	KP_FIELD(struct DeleteTopicsRequest, TimeoutMs, KP_INT32, 0, KP_VMAX),
};
const struct kp_struct kp_DeleteTopicsRequest =
	KP_STRUCT_DESC(struct DeleteTopicsRequest, DeleteTopicsRequest_fields);

static const struct kp_field DeletableTopicResult_fields[] = {
	/* DeleteTopicsResponse.Responses[].Name: string [0+] {null 6+} */
	KP_FIELD_NULL(struct DeletableTopicResult, Name, KP_STRING, 0, KP_VMAX, 6, KP_VMAX, false),
	/* DeleteTopicsResponse.Responses[].TopicId: uuid [6+] */
	KP_FIELD(struct DeletableTopicResult, TopicId, KP_UUID, 6, KP_VMAX),
	/* DeleteTopicsResponse.Responses[].ErrorCode: int16 [0+] */
	KP_FIELD(struct DeletableTopicResult, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* DeleteTopicsResponse.Responses[].ErrorMessage: string [5+] {null 5+; def null} */
	KP_FIELD_NULL(struct DeletableTopicResult, ErrorMessage, KP_STRING, 5, KP_VMAX, 5, KP_VMAX,
		      true),
};
static const struct kp_struct DeletableTopicResult_desc =
	KP_STRUCT_DESC(struct DeletableTopicResult, DeletableTopicResult_fields);

static const struct kp_field DeleteTopicsResponse_fields[] = {
	/* DeleteTopicsResponse.ThrottleTimeMs: int32 [1+] */
	KP_FIELD(struct DeleteTopicsResponse, ThrottleTimeMs, KP_INT32, 1, KP_VMAX),
	/* DeleteTopicsResponse.Responses: []DeletableTopicResult [0+] */
	KP_FIELD_ARRAY(struct DeleteTopicsResponse, Responses, KP_STRUCT, 0, KP_VMAX,
		       &DeletableTopicResult_desc),
};
const struct kp_struct kp_DeleteTopicsResponse =
	KP_STRUCT_DESC(struct DeleteTopicsResponse, DeleteTopicsResponse_fields);

/* ---- DescribeConfigs (key 32): valid 0-4, flexible 4+ ------------------------------------ */

static const struct kp_field DescribeConfigsResource_fields[] = {
	/* DescribeConfigsRequest.Resources[].ResourceType: int8 [0+] */
	KP_FIELD(struct DescribeConfigsResource, ResourceType, KP_INT8, 0, KP_VMAX),
	/* DescribeConfigsRequest.Resources[].ResourceName: string [0+] */
	KP_FIELD(struct DescribeConfigsResource, ResourceName, KP_STRING, 0, KP_VMAX),
	/* DescribeConfigsRequest.Resources[].ConfigurationKeys: []string [0+] {null 0+} */
	KP_FIELD_ARRAY_NULL(struct DescribeConfigsResource, ConfigurationKeys, KP_STRING, 0, KP_VMAX,
			    0, KP_VMAX, false, NULL),
};
static const struct kp_struct DescribeConfigsResource_desc =
	KP_STRUCT_DESC(struct DescribeConfigsResource, DescribeConfigsResource_fields);

static const struct kp_field DescribeConfigsRequest_fields[] = {
	/* DescribeConfigsRequest.Resources: []DescribeConfigsResource [0+] */
	KP_FIELD_ARRAY(struct DescribeConfigsRequest, Resources, KP_STRUCT, 0, KP_VMAX,
		       &DescribeConfigsResource_desc),
	/* DescribeConfigsRequest.IncludeSynonyms: bool [1+] {def false} */
	KP_FIELD(struct DescribeConfigsRequest, IncludeSynonyms, KP_BOOL, 1, KP_VMAX),
	/* DescribeConfigsRequest.IncludeDocumentation: bool [3+] {def false} */
	KP_FIELD(struct DescribeConfigsRequest, IncludeDocumentation, KP_BOOL, 3, KP_VMAX),
};
const struct kp_struct kp_DescribeConfigsRequest =
	KP_STRUCT_DESC(struct DescribeConfigsRequest, DescribeConfigsRequest_fields);

static const struct kp_field DescribeConfigsSynonym_fields[] = {
	/* DescribeConfigsResponse.Results[].Configs[].Synonyms[].Name: string [1+] */
	KP_FIELD(struct DescribeConfigsSynonym, Name, KP_STRING, 1, KP_VMAX),
	/* DescribeConfigsResponse.Results[].Configs[].Synonyms[].Value: string [1+] {null 0+} */
	KP_FIELD_NULL(struct DescribeConfigsSynonym, Value, KP_STRING, 1, KP_VMAX, 1, KP_VMAX, false),
	/* DescribeConfigsResponse.Results[].Configs[].Synonyms[].Source: int8 [1+] */
	KP_FIELD(struct DescribeConfigsSynonym, Source, KP_INT8, 1, KP_VMAX),
};
static const struct kp_struct DescribeConfigsSynonym_desc =
	KP_STRUCT_DESC(struct DescribeConfigsSynonym, DescribeConfigsSynonym_fields);

static const struct kp_field DescribeConfigsResourceResult_fields[] = {
	/* DescribeConfigsResponse.Results[].Configs[].Name: string [0+] */
	KP_FIELD(struct DescribeConfigsResourceResult, Name, KP_STRING, 0, KP_VMAX),
	/* DescribeConfigsResponse.Results[].Configs[].Value: string [0+] {null 0+} */
	KP_FIELD_NULL(struct DescribeConfigsResourceResult, Value, KP_STRING, 0, KP_VMAX, 0, KP_VMAX,
		      false),
	/* DescribeConfigsResponse.Results[].Configs[].ReadOnly: bool [0+] */
	KP_FIELD(struct DescribeConfigsResourceResult, ReadOnly, KP_BOOL, 0, KP_VMAX),
	/* DescribeConfigsResponse.Results[].Configs[].IsDefault: bool [0] */
	KP_FIELD(struct DescribeConfigsResourceResult, IsDefault, KP_BOOL, 0, 0),
	/* DescribeConfigsResponse.Results[].Configs[].ConfigSource: int8 [1+] {def -1} */
	KP_FIELD_DEF(struct DescribeConfigsResourceResult, ConfigSource, KP_INT8, 1, KP_VMAX, -1),
	/* DescribeConfigsResponse.Results[].Configs[].IsSensitive: bool [0+] */
	KP_FIELD(struct DescribeConfigsResourceResult, IsSensitive, KP_BOOL, 0, KP_VMAX),
	/* DescribeConfigsResponse.Results[].Configs[].Synonyms: []DescribeConfigsSynonym [1+] */
	KP_FIELD_ARRAY(struct DescribeConfigsResourceResult, Synonyms, KP_STRUCT, 1, KP_VMAX,
		       &DescribeConfigsSynonym_desc),
	/* DescribeConfigsResponse.Results[].Configs[].ConfigType: int8 [3+] {def 0} */
	KP_FIELD(struct DescribeConfigsResourceResult, ConfigType, KP_INT8, 3, KP_VMAX),
	/* DescribeConfigsResponse.Results[].Configs[].Documentation: string [3+] {null 0+} */
	KP_FIELD_NULL(struct DescribeConfigsResourceResult, Documentation, KP_STRING, 3, KP_VMAX, 3,
		      KP_VMAX, false),
};
static const struct kp_struct DescribeConfigsResourceResult_desc =
	KP_STRUCT_DESC(struct DescribeConfigsResourceResult, DescribeConfigsResourceResult_fields);

static const struct kp_field DescribeConfigsResult_fields[] = {
	/* DescribeConfigsResponse.Results[].ErrorCode: int16 [0+] */
	KP_FIELD(struct DescribeConfigsResult, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* DescribeConfigsResponse.Results[].ErrorMessage: string [0+] {null 0+} */
	KP_FIELD_NULL(struct DescribeConfigsResult, ErrorMessage, KP_STRING, 0, KP_VMAX, 0, KP_VMAX,
		      false),
	/* DescribeConfigsResponse.Results[].ResourceType: int8 [0+] */
	KP_FIELD(struct DescribeConfigsResult, ResourceType, KP_INT8, 0, KP_VMAX),
	/* DescribeConfigsResponse.Results[].ResourceName: string [0+] */
	KP_FIELD(struct DescribeConfigsResult, ResourceName, KP_STRING, 0, KP_VMAX),
	/* DescribeConfigsResponse.Results[].Configs: []DescribeConfigsResourceResult [0+] */
	KP_FIELD_ARRAY(struct DescribeConfigsResult, Configs, KP_STRUCT, 0, KP_VMAX,
		       &DescribeConfigsResourceResult_desc),
};
static const struct kp_struct DescribeConfigsResult_desc =
	KP_STRUCT_DESC(struct DescribeConfigsResult, DescribeConfigsResult_fields);

static const struct kp_field DescribeConfigsResponse_fields[] = {
	/* DescribeConfigsResponse.ThrottleTimeMs: int32 [0+] */
	KP_FIELD(struct DescribeConfigsResponse, ThrottleTimeMs, KP_INT32, 0, KP_VMAX),
	/* DescribeConfigsResponse.Results: []DescribeConfigsResult [0+] */
	KP_FIELD_ARRAY(struct DescribeConfigsResponse, Results, KP_STRUCT, 0, KP_VMAX,
		       &DescribeConfigsResult_desc),
};
const struct kp_struct kp_DescribeConfigsResponse =
	KP_STRUCT_DESC(struct DescribeConfigsResponse, DescribeConfigsResponse_fields);

/* ---- AlterConfigs (key 33): valid 0-2, flexible 2+ --------------------------------------- */

static const struct kp_field AlterConfigsRequestAlterableConfig_fields[] = {
	/* AlterConfigsRequest.Resources[].Configs[].Name: string [0+] */
	KP_FIELD(struct AlterConfigsRequestAlterableConfig, Name, KP_STRING, 0, KP_VMAX),
	/* AlterConfigsRequest.Resources[].Configs[].Value: string [0+] {null 0+} */
	KP_FIELD_NULL(struct AlterConfigsRequestAlterableConfig, Value, KP_STRING, 0, KP_VMAX, 0,
		      KP_VMAX, false),
};
static const struct kp_struct AlterConfigsRequestAlterableConfig_desc =
	KP_STRUCT_DESC(struct AlterConfigsRequestAlterableConfig,
		       AlterConfigsRequestAlterableConfig_fields);

static const struct kp_field AlterConfigsRequestAlterConfigsResource_fields[] = {
	/* AlterConfigsRequest.Resources[].ResourceType: int8 [0+] */
	KP_FIELD(struct AlterConfigsRequestAlterConfigsResource, ResourceType, KP_INT8, 0, KP_VMAX),
	/* AlterConfigsRequest.Resources[].ResourceName: string [0+] */
	KP_FIELD(struct AlterConfigsRequestAlterConfigsResource, ResourceName, KP_STRING, 0, KP_VMAX),
	/* AlterConfigsRequest.Resources[].Configs: []AlterableConfig [0+] */
	KP_FIELD_ARRAY(struct AlterConfigsRequestAlterConfigsResource, Configs, KP_STRUCT, 0, KP_VMAX,
		       &AlterConfigsRequestAlterableConfig_desc),
};
static const struct kp_struct AlterConfigsRequestAlterConfigsResource_desc =
	KP_STRUCT_DESC(struct AlterConfigsRequestAlterConfigsResource,
		       AlterConfigsRequestAlterConfigsResource_fields);

static const struct kp_field AlterConfigsRequest_fields[] = {
	/* AlterConfigsRequest.Resources: []AlterConfigsResource [0+] */
	KP_FIELD_ARRAY(struct AlterConfigsRequest, Resources, KP_STRUCT, 0, KP_VMAX,
		       &AlterConfigsRequestAlterConfigsResource_desc),
	/* AlterConfigsRequest.ValidateOnly: bool [0+] */
	KP_FIELD(struct AlterConfigsRequest, ValidateOnly, KP_BOOL, 0, KP_VMAX),
};
const struct kp_struct kp_AlterConfigsRequest =
	KP_STRUCT_DESC(struct AlterConfigsRequest, AlterConfigsRequest_fields);

static const struct kp_field AlterConfigsResponseAlterConfigsResourceResponse_fields[] = {
	/* AlterConfigsResponse.Responses[].ErrorCode: int16 [0+] */
	KP_FIELD(struct AlterConfigsResponseAlterConfigsResourceResponse, ErrorCode, KP_INT16, 0,
		 KP_VMAX),
	/* AlterConfigsResponse.Responses[].ErrorMessage: string [0+] {null 0+} */
	KP_FIELD_NULL(struct AlterConfigsResponseAlterConfigsResourceResponse, ErrorMessage,
		      KP_STRING, 0, KP_VMAX, 0, KP_VMAX, false),
	/* AlterConfigsResponse.Responses[].ResourceType: int8 [0+] */
	KP_FIELD(struct AlterConfigsResponseAlterConfigsResourceResponse, ResourceType, KP_INT8, 0,
		 KP_VMAX),
	/* AlterConfigsResponse.Responses[].ResourceName: string [0+] */
	KP_FIELD(struct AlterConfigsResponseAlterConfigsResourceResponse, ResourceName, KP_STRING, 0,
		 KP_VMAX),
};
static const struct kp_struct AlterConfigsResponseAlterConfigsResourceResponse_desc =
	KP_STRUCT_DESC(struct AlterConfigsResponseAlterConfigsResourceResponse,
		       AlterConfigsResponseAlterConfigsResourceResponse_fields);

static const struct kp_field AlterConfigsResponse_fields[] = {
	/* AlterConfigsResponse.ThrottleTimeMs: int32 [0+] */
	KP_FIELD(struct AlterConfigsResponse, ThrottleTimeMs, KP_INT32, 0, KP_VMAX),
	/* AlterConfigsResponse.Responses: []AlterConfigsResourceResponse [0+] */
	KP_FIELD_ARRAY(struct AlterConfigsResponse, Responses, KP_STRUCT, 0, KP_VMAX,
		       &AlterConfigsResponseAlterConfigsResourceResponse_desc),
};
const struct kp_struct kp_AlterConfigsResponse =
	KP_STRUCT_DESC(struct AlterConfigsResponse, AlterConfigsResponse_fields);

/* ---- CreatePartitions (key 37): valid 0-3, flexible 2+ ----------------------------------- */

static const struct kp_field CreatePartitionsAssignment_fields[] = {
	/* CreatePartitionsRequest.Topics[].Assignments[].BrokerIds: []int32 [0+] */
	KP_FIELD_ARRAY(struct CreatePartitionsAssignment, BrokerIds, KP_INT32, 0, KP_VMAX, NULL),
};
static const struct kp_struct CreatePartitionsAssignment_desc =
	KP_STRUCT_DESC(struct CreatePartitionsAssignment, CreatePartitionsAssignment_fields);

static const struct kp_field CreatePartitionsTopic_fields[] = {
	/* CreatePartitionsRequest.Topics[].Name: string [0+] */
	KP_FIELD(struct CreatePartitionsTopic, Name, KP_STRING, 0, KP_VMAX),
	/* CreatePartitionsRequest.Topics[].Count: int32 [0+] */
	KP_FIELD(struct CreatePartitionsTopic, Count, KP_INT32, 0, KP_VMAX),
	/* CreatePartitionsRequest.Topics[].Assignments: []CreatePartitionsAssignment [0+]
	 * {null 0+} */
	KP_FIELD_ARRAY_NULL(struct CreatePartitionsTopic, Assignments, KP_STRUCT, 0, KP_VMAX, 0,
			    KP_VMAX, false, &CreatePartitionsAssignment_desc),
};
static const struct kp_struct CreatePartitionsTopic_desc =
	KP_STRUCT_DESC(struct CreatePartitionsTopic, CreatePartitionsTopic_fields);

static const struct kp_field CreatePartitionsRequest_fields[] = {
	/* CreatePartitionsRequest.Topics: []CreatePartitionsTopic [0+] */
	KP_FIELD_ARRAY(struct CreatePartitionsRequest, Topics, KP_STRUCT, 0, KP_VMAX,
		       &CreatePartitionsTopic_desc),
	/* CreatePartitionsRequest.TimeoutMs: int32 [0+] */
	KP_FIELD(struct CreatePartitionsRequest, TimeoutMs, KP_INT32, 0, KP_VMAX),
	/* CreatePartitionsRequest.ValidateOnly: bool [0+] */
	KP_FIELD(struct CreatePartitionsRequest, ValidateOnly, KP_BOOL, 0, KP_VMAX),
};
const struct kp_struct kp_CreatePartitionsRequest =
	KP_STRUCT_DESC(struct CreatePartitionsRequest, CreatePartitionsRequest_fields);

static const struct kp_field CreatePartitionsTopicResult_fields[] = {
	/* CreatePartitionsResponse.Results[].Name: string [0+] */
	KP_FIELD(struct CreatePartitionsTopicResult, Name, KP_STRING, 0, KP_VMAX),
	/* CreatePartitionsResponse.Results[].ErrorCode: int16 [0+] */
	KP_FIELD(struct CreatePartitionsTopicResult, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* CreatePartitionsResponse.Results[].ErrorMessage: string [0+] {null 0+; def null} */
	KP_FIELD_NULL(struct CreatePartitionsTopicResult, ErrorMessage, KP_STRING, 0, KP_VMAX, 0,
		      KP_VMAX, true),
};
static const struct kp_struct CreatePartitionsTopicResult_desc =
	KP_STRUCT_DESC(struct CreatePartitionsTopicResult, CreatePartitionsTopicResult_fields);

static const struct kp_field CreatePartitionsResponse_fields[] = {
	/* CreatePartitionsResponse.ThrottleTimeMs: int32 [0+] */
	KP_FIELD(struct CreatePartitionsResponse, ThrottleTimeMs, KP_INT32, 0, KP_VMAX),
	/* CreatePartitionsResponse.Results: []CreatePartitionsTopicResult [0+] */
	KP_FIELD_ARRAY(struct CreatePartitionsResponse, Results, KP_STRUCT, 0, KP_VMAX,
		       &CreatePartitionsTopicResult_desc),
};
const struct kp_struct kp_CreatePartitionsResponse =
	KP_STRUCT_DESC(struct CreatePartitionsResponse, CreatePartitionsResponse_fields);

/* ---- ElectLeaders (key 43): valid 0-2, flexible 2+ --------------------------------------- */

static const struct kp_field TopicPartitions_fields[] = {
	/* ElectLeadersRequest.TopicPartitions[].Topic: string [0+] */
	KP_FIELD(struct TopicPartitions, Topic, KP_STRING, 0, KP_VMAX),
	/* ElectLeadersRequest.TopicPartitions[].Partitions: []int32 [0+] */
	KP_FIELD_ARRAY(struct TopicPartitions, Partitions, KP_INT32, 0, KP_VMAX, NULL),
};
static const struct kp_struct TopicPartitions_desc =
	KP_STRUCT_DESC(struct TopicPartitions, TopicPartitions_fields);

static const struct kp_field ElectLeadersRequest_fields[] = {
	/* ElectLeadersRequest.ElectionType: int8 [1+] */
	KP_FIELD(struct ElectLeadersRequest, ElectionType, KP_INT8, 1, KP_VMAX),
	/* ElectLeadersRequest.TopicPartitions: []TopicPartitions [0+] {null 0+} */
	KP_FIELD_ARRAY_NULL(struct ElectLeadersRequest, TopicPartitions, KP_STRUCT, 0, KP_VMAX, 0,
			    KP_VMAX, false, &TopicPartitions_desc),
	/* ElectLeadersRequest.TimeoutMs: int32 [0+] {def 60000} */
	KP_FIELD_DEF(struct ElectLeadersRequest, TimeoutMs, KP_INT32, 0, KP_VMAX, 60000),
};
const struct kp_struct kp_ElectLeadersRequest =
	KP_STRUCT_DESC(struct ElectLeadersRequest, ElectLeadersRequest_fields);

static const struct kp_field PartitionResult_fields[] = {
	/* ElectLeadersResponse.ReplicaElectionResults[].PartitionResult[].PartitionId: int32 [0+] */
	KP_FIELD(struct PartitionResult, PartitionId, KP_INT32, 0, KP_VMAX),
	/* ElectLeadersResponse.ReplicaElectionResults[].PartitionResult[].ErrorCode: int16 [0+] */
	KP_FIELD(struct PartitionResult, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* ElectLeadersResponse.ReplicaElectionResults[].PartitionResult[].ErrorMessage: string [0+]
	 * {null 0+} */
	KP_FIELD_NULL(struct PartitionResult, ErrorMessage, KP_STRING, 0, KP_VMAX, 0, KP_VMAX, false),
};
static const struct kp_struct PartitionResult_desc =
	KP_STRUCT_DESC(struct PartitionResult, PartitionResult_fields);

static const struct kp_field ReplicaElectionResult_fields[] = {
	/* ElectLeadersResponse.ReplicaElectionResults[].Topic: string [0+] */
	KP_FIELD(struct ReplicaElectionResult, Topic, KP_STRING, 0, KP_VMAX),
	/* ElectLeadersResponse.ReplicaElectionResults[].PartitionResult: []PartitionResult [0+] */
	KP_FIELD_ARRAY(struct ReplicaElectionResult, PartitionResult, KP_STRUCT, 0, KP_VMAX,
		       &PartitionResult_desc),
};
static const struct kp_struct ReplicaElectionResult_desc =
	KP_STRUCT_DESC(struct ReplicaElectionResult, ReplicaElectionResult_fields);

static const struct kp_field ElectLeadersResponse_fields[] = {
	/* ElectLeadersResponse.ThrottleTimeMs: int32 [0+] */
	KP_FIELD(struct ElectLeadersResponse, ThrottleTimeMs, KP_INT32, 0, KP_VMAX),
	/* ElectLeadersResponse.ErrorCode: int16 [1+] */
	KP_FIELD(struct ElectLeadersResponse, ErrorCode, KP_INT16, 1, KP_VMAX),
	/* ElectLeadersResponse.ReplicaElectionResults: []ReplicaElectionResult [0+] */
	KP_FIELD_ARRAY(struct ElectLeadersResponse, ReplicaElectionResults, KP_STRUCT, 0, KP_VMAX,
		       &ReplicaElectionResult_desc),
};
const struct kp_struct kp_ElectLeadersResponse =
	KP_STRUCT_DESC(struct ElectLeadersResponse, ElectLeadersResponse_fields);

/* ---- IncrementalAlterConfigs (key 44): valid 0-1, flexible 1+ ---------------------------- */

static const struct kp_field IncrementalAlterConfigsRequestAlterableConfig_fields[] = {
	/* IncrementalAlterConfigsRequest.Resources[].Configs[].Name: string [0+] */
	KP_FIELD(struct IncrementalAlterConfigsRequestAlterableConfig, Name, KP_STRING, 0, KP_VMAX),
	/* IncrementalAlterConfigsRequest.Resources[].Configs[].ConfigOperation: int8 [0+] */
	KP_FIELD(struct IncrementalAlterConfigsRequestAlterableConfig, ConfigOperation, KP_INT8, 0,
		 KP_VMAX),
	/* IncrementalAlterConfigsRequest.Resources[].Configs[].Value: string [0+] {null 0+} */
	KP_FIELD_NULL(struct IncrementalAlterConfigsRequestAlterableConfig, Value, KP_STRING, 0,
		      KP_VMAX, 0, KP_VMAX, false),
};
static const struct kp_struct IncrementalAlterConfigsRequestAlterableConfig_desc =
	KP_STRUCT_DESC(struct IncrementalAlterConfigsRequestAlterableConfig,
		       IncrementalAlterConfigsRequestAlterableConfig_fields);

static const struct kp_field IncrementalAlterConfigsRequestAlterConfigsResource_fields[] = {
	/* IncrementalAlterConfigsRequest.Resources[].ResourceType: int8 [0+] */
	KP_FIELD(struct IncrementalAlterConfigsRequestAlterConfigsResource, ResourceType, KP_INT8, 0,
		 KP_VMAX),
	/* IncrementalAlterConfigsRequest.Resources[].ResourceName: string [0+] */
	KP_FIELD(struct IncrementalAlterConfigsRequestAlterConfigsResource, ResourceName, KP_STRING,
		 0, KP_VMAX),
	/* IncrementalAlterConfigsRequest.Resources[].Configs: []AlterableConfig [0+] */
	KP_FIELD_ARRAY(struct IncrementalAlterConfigsRequestAlterConfigsResource, Configs, KP_STRUCT,
		       0, KP_VMAX, &IncrementalAlterConfigsRequestAlterableConfig_desc),
};
static const struct kp_struct IncrementalAlterConfigsRequestAlterConfigsResource_desc =
	KP_STRUCT_DESC(struct IncrementalAlterConfigsRequestAlterConfigsResource,
		       IncrementalAlterConfigsRequestAlterConfigsResource_fields);

static const struct kp_field IncrementalAlterConfigsRequest_fields[] = {
	/* IncrementalAlterConfigsRequest.Resources: []AlterConfigsResource [0+] */
	KP_FIELD_ARRAY(struct IncrementalAlterConfigsRequest, Resources, KP_STRUCT, 0, KP_VMAX,
		       &IncrementalAlterConfigsRequestAlterConfigsResource_desc),
	/* IncrementalAlterConfigsRequest.ValidateOnly: bool [0+] */
	KP_FIELD(struct IncrementalAlterConfigsRequest, ValidateOnly, KP_BOOL, 0, KP_VMAX),
};
const struct kp_struct kp_IncrementalAlterConfigsRequest =
	KP_STRUCT_DESC(struct IncrementalAlterConfigsRequest, IncrementalAlterConfigsRequest_fields);

static const struct kp_field IncrementalAlterConfigsResponseAlterConfigsResourceResponse_fields[] = {
	/* IncrementalAlterConfigsResponse.Responses[].ErrorCode: int16 [0+] */
	KP_FIELD(struct IncrementalAlterConfigsResponseAlterConfigsResourceResponse, ErrorCode,
		 KP_INT16, 0, KP_VMAX),
	/* IncrementalAlterConfigsResponse.Responses[].ErrorMessage: string [0+] {null 0+} */
	KP_FIELD_NULL(struct IncrementalAlterConfigsResponseAlterConfigsResourceResponse,
		      ErrorMessage, KP_STRING, 0, KP_VMAX, 0, KP_VMAX, false),
	/* IncrementalAlterConfigsResponse.Responses[].ResourceType: int8 [0+] */
	KP_FIELD(struct IncrementalAlterConfigsResponseAlterConfigsResourceResponse, ResourceType,
		 KP_INT8, 0, KP_VMAX),
	/* IncrementalAlterConfigsResponse.Responses[].ResourceName: string [0+] */
	KP_FIELD(struct IncrementalAlterConfigsResponseAlterConfigsResourceResponse, ResourceName,
		 KP_STRING, 0, KP_VMAX),
};
static const struct kp_struct IncrementalAlterConfigsResponseAlterConfigsResourceResponse_desc =
	KP_STRUCT_DESC(struct IncrementalAlterConfigsResponseAlterConfigsResourceResponse,
		       IncrementalAlterConfigsResponseAlterConfigsResourceResponse_fields);

static const struct kp_field IncrementalAlterConfigsResponse_fields[] = {
	/* IncrementalAlterConfigsResponse.ThrottleTimeMs: int32 [0+] */
	KP_FIELD(struct IncrementalAlterConfigsResponse, ThrottleTimeMs, KP_INT32, 0, KP_VMAX),
	/* IncrementalAlterConfigsResponse.Responses: []AlterConfigsResourceResponse [0+] */
	KP_FIELD_ARRAY(struct IncrementalAlterConfigsResponse, Responses, KP_STRUCT, 0, KP_VMAX,
		       &IncrementalAlterConfigsResponseAlterConfigsResourceResponse_desc),
};
const struct kp_struct kp_IncrementalAlterConfigsResponse =
	KP_STRUCT_DESC(struct IncrementalAlterConfigsResponse, IncrementalAlterConfigsResponse_fields);

/* ---- DescribeCluster (key 60): valid 0-1, flexible 0+ ------------------------------------ */

static const struct kp_field DescribeClusterRequest_fields[] = {
	/* DescribeClusterRequest.IncludeClusterAuthorizedOperations: bool [0+] */
	KP_FIELD(struct DescribeClusterRequest, IncludeClusterAuthorizedOperations, KP_BOOL, 0,
		 KP_VMAX),
	/* DescribeClusterRequest.EndpointType: int8 [1+] {def 1} */
	KP_FIELD_DEF(struct DescribeClusterRequest, EndpointType, KP_INT8, 1, KP_VMAX, 1),
};
const struct kp_struct kp_DescribeClusterRequest =
	KP_STRUCT_DESC(struct DescribeClusterRequest, DescribeClusterRequest_fields);

static const struct kp_field DescribeClusterBroker_fields[] = {
	/* DescribeClusterResponse.Brokers[].BrokerId: int32 [0+] */
	KP_FIELD(struct DescribeClusterBroker, BrokerId, KP_INT32, 0, KP_VMAX),
	/* DescribeClusterResponse.Brokers[].Host: string [0+] */
	KP_FIELD(struct DescribeClusterBroker, Host, KP_STRING, 0, KP_VMAX),
	/* DescribeClusterResponse.Brokers[].Port: int32 [0+] */
	KP_FIELD(struct DescribeClusterBroker, Port, KP_INT32, 0, KP_VMAX),
	/* DescribeClusterResponse.Brokers[].Rack: string [0+] {null 0+; def null} */
	KP_FIELD_NULL(struct DescribeClusterBroker, Rack, KP_STRING, 0, KP_VMAX, 0, KP_VMAX, true),
};
static const struct kp_struct DescribeClusterBroker_desc =
	KP_STRUCT_DESC(struct DescribeClusterBroker, DescribeClusterBroker_fields);

static const struct kp_field DescribeClusterResponse_fields[] = {
	/* DescribeClusterResponse.ThrottleTimeMs: int32 [0+] */
	KP_FIELD(struct DescribeClusterResponse, ThrottleTimeMs, KP_INT32, 0, KP_VMAX),
	/* DescribeClusterResponse.ErrorCode: int16 [0+] */
	KP_FIELD(struct DescribeClusterResponse, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* DescribeClusterResponse.ErrorMessage: string [0+] {null 0+; def null} */
	KP_FIELD_NULL(struct DescribeClusterResponse, ErrorMessage, KP_STRING, 0, KP_VMAX, 0, KP_VMAX,
		      true),
	/* DescribeClusterResponse.EndpointType: int8 [1+] {def 1} */
	KP_FIELD_DEF(struct DescribeClusterResponse, EndpointType, KP_INT8, 1, KP_VMAX, 1),
	/* DescribeClusterResponse.ClusterId: string [0+] */
	KP_FIELD(struct DescribeClusterResponse, ClusterId, KP_STRING, 0, KP_VMAX),
	/* DescribeClusterResponse.ControllerId: int32 [0+] {def -1} */
	KP_FIELD_DEF(struct DescribeClusterResponse, ControllerId, KP_INT32, 0, KP_VMAX, -1),
	/* DescribeClusterResponse.Brokers: []DescribeClusterBroker [0+] */
	KP_FIELD_ARRAY(struct DescribeClusterResponse, Brokers, KP_STRUCT, 0, KP_VMAX,
		       &DescribeClusterBroker_desc),
	/* DescribeClusterResponse.ClusterAuthorizedOperations: int32 [0+] {def -2147483648} */
	KP_FIELD_DEF(struct DescribeClusterResponse, ClusterAuthorizedOperations, KP_INT32, 0, KP_VMAX,
		     INT32_MIN),
};
const struct kp_struct kp_DescribeClusterResponse =
	KP_STRUCT_DESC(struct DescribeClusterResponse, DescribeClusterResponse_fields);
