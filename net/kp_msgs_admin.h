/* kp_msgs_admin.h — C structs for the admin messages (CreateTopics, DeleteTopics,
 * DescribeConfigs, AlterConfigs, CreatePartitions, ElectLeaders, IncrementalAlterConfigs,
 * DescribeCluster), with Kafka's own struct and field names (transcribed from
 * ../shared/reference/kafka-schemas.md and, for ElectLeaders / IncrementalAlterConfigs, from
 * apache/kafka 3.9 clients/src/main/resources/common/message/ JSON). Descriptor tables are in
 * kp_msgs_admin.c. Field comments give the versions a field exists in. Include kp_msgs.h
 * rather than this file.
 *
 * Naming rule (as in kp_msgs_data.h): a struct keeps Kafka's type name unless another message
 * the codec knows (or kafka-schemas.md lists) uses the same name; then EVERY user prefixes it
 * with its message name. Here: AlterConfigs and IncrementalAlterConfigs share
 * "AlterConfigsResource", "AlterableConfig" and "AlterConfigsResourceResponse". Field names
 * never change (hence CreateTopicsRequest's lower-case timeoutMs/validateOnly).
 */
#ifndef KB_KP_MSGS_ADMIN_H
#define KB_KP_MSGS_ADMIN_H

#include "kp.h"

extern const struct kp_struct kp_CreateTopicsRequest, kp_CreateTopicsResponse;
extern const struct kp_struct kp_DeleteTopicsRequest, kp_DeleteTopicsResponse;
extern const struct kp_struct kp_DescribeConfigsRequest, kp_DescribeConfigsResponse;
extern const struct kp_struct kp_AlterConfigsRequest, kp_AlterConfigsResponse;
extern const struct kp_struct kp_CreatePartitionsRequest, kp_CreatePartitionsResponse;
extern const struct kp_struct kp_ElectLeadersRequest, kp_ElectLeadersResponse;
extern const struct kp_struct kp_IncrementalAlterConfigsRequest,
	kp_IncrementalAlterConfigsResponse;
extern const struct kp_struct kp_DescribeClusterRequest, kp_DescribeClusterResponse;

/* ---- CreateTopics (key 19), versions 0-7, flexible 5+ ------------------------------------ */

struct CreatableReplicaAssignment {
	int32_t PartitionIndex;
	struct kp_array BrokerIds; /* int32_t */
};

struct CreatableTopicConfig {
	struct kp_str Name;
	struct kp_str Value; /* nullable */
};

struct CreatableTopic {
	struct kp_str Name;
	int32_t NumPartitions;
	int16_t ReplicationFactor;
	struct kp_array Assignments; /* struct CreatableReplicaAssignment */
	struct kp_array Configs;     /* struct CreatableTopicConfig */
};

struct CreateTopicsRequest {
	struct kp_array Topics; /* struct CreatableTopic */
	int32_t timeoutMs;      /* default 60000 */
	bool validateOnly;      /* 1+ */
};

struct CreatableTopicConfigs {
	struct kp_str Name;
	struct kp_str Value;  /* nullable */
	bool ReadOnly;
	int8_t ConfigSource;  /* default -1 */
	bool IsSensitive;
};

struct CreatableTopicResult {
	struct kp_str Name;
	uint8_t TopicId[16];          /* 7+ */
	int16_t ErrorCode;
	struct kp_str ErrorMessage;   /* 1+, nullable */
	int16_t TopicConfigErrorCode; /* 5+, tag 0 */
	int32_t NumPartitions;        /* 5+, default -1 */
	int16_t ReplicationFactor;    /* 5+, default -1 */
	struct kp_array Configs;      /* 5+, nullable: struct CreatableTopicConfigs */
};

struct CreateTopicsResponse {
	int32_t ThrottleTimeMs; /* 2+ */
	struct kp_array Topics; /* struct CreatableTopicResult */
};

/* ---- DeleteTopics (key 20), versions 0-6, flexible 4+ ------------------------------------ */

struct DeleteTopicState {
	struct kp_str Name;  /* nullable, default null */
	uint8_t TopicId[16];
};

struct DeleteTopicsRequest {
	struct kp_array Topics;     /* 6+: struct DeleteTopicState */
	struct kp_array TopicNames; /* 0-5: struct kp_str */
	int32_t TimeoutMs;
};

struct DeletableTopicResult {
	struct kp_str Name;         /* nullable 6+ */
	uint8_t TopicId[16];        /* 6+ */
	int16_t ErrorCode;
	struct kp_str ErrorMessage; /* 5+, nullable, default null */
};

struct DeleteTopicsResponse {
	int32_t ThrottleTimeMs;    /* 1+ */
	struct kp_array Responses; /* struct DeletableTopicResult */
};

/* ---- DescribeConfigs (key 32), versions 0-4, flexible 4+ --------------------------------- */

struct DescribeConfigsResource {
	int8_t ResourceType;
	struct kp_str ResourceName;
	struct kp_array ConfigurationKeys; /* nullable: struct kp_str */
};

struct DescribeConfigsRequest {
	struct kp_array Resources; /* struct DescribeConfigsResource */
	bool IncludeSynonyms;      /* 1+ */
	bool IncludeDocumentation; /* 3+ */
};

struct DescribeConfigsSynonym {
	struct kp_str Name;
	struct kp_str Value; /* nullable */
	int8_t Source;
};

struct DescribeConfigsResourceResult {
	struct kp_str Name;
	struct kp_str Value;         /* nullable */
	bool ReadOnly;
	bool IsDefault;              /* 0 only */
	int8_t ConfigSource;         /* 1+, default -1 */
	bool IsSensitive;
	struct kp_array Synonyms;    /* 1+: struct DescribeConfigsSynonym */
	int8_t ConfigType;           /* 3+ */
	struct kp_str Documentation; /* 3+, nullable */
};

struct DescribeConfigsResult {
	int16_t ErrorCode;
	struct kp_str ErrorMessage; /* nullable */
	int8_t ResourceType;
	struct kp_str ResourceName;
	struct kp_array Configs;    /* struct DescribeConfigsResourceResult */
};

struct DescribeConfigsResponse {
	int32_t ThrottleTimeMs;
	struct kp_array Results; /* struct DescribeConfigsResult */
};

/* ---- AlterConfigs (key 33), versions 0-2, flexible 2+ ------------------------------------ */

struct AlterConfigsRequestAlterableConfig {
	struct kp_str Name;
	struct kp_str Value; /* nullable */
};

struct AlterConfigsRequestAlterConfigsResource {
	int8_t ResourceType;
	struct kp_str ResourceName;
	struct kp_array Configs; /* struct AlterConfigsRequestAlterableConfig */
};

struct AlterConfigsRequest {
	struct kp_array Resources; /* struct AlterConfigsRequestAlterConfigsResource */
	bool ValidateOnly;
};

struct AlterConfigsResponseAlterConfigsResourceResponse {
	int16_t ErrorCode;
	struct kp_str ErrorMessage; /* nullable */
	int8_t ResourceType;
	struct kp_str ResourceName;
};

struct AlterConfigsResponse {
	int32_t ThrottleTimeMs;
	struct kp_array Responses; /* struct AlterConfigsResponseAlterConfigsResourceResponse */
};

/* ---- CreatePartitions (key 37), versions 0-3, flexible 2+ -------------------------------- */

struct CreatePartitionsAssignment {
	struct kp_array BrokerIds; /* int32_t */
};

struct CreatePartitionsTopic {
	struct kp_str Name;
	int32_t Count;
	struct kp_array Assignments; /* nullable: struct CreatePartitionsAssignment */
};

struct CreatePartitionsRequest {
	struct kp_array Topics; /* struct CreatePartitionsTopic */
	int32_t TimeoutMs;
	bool ValidateOnly;
};

struct CreatePartitionsTopicResult {
	struct kp_str Name;
	int16_t ErrorCode;
	struct kp_str ErrorMessage; /* nullable, default null */
};

struct CreatePartitionsResponse {
	int32_t ThrottleTimeMs;
	struct kp_array Results; /* struct CreatePartitionsTopicResult */
};

/* ---- ElectLeaders (key 43), versions 0-2, flexible 2+ ------------------------------------ */

struct TopicPartitions {
	struct kp_str Topic;
	struct kp_array Partitions; /* int32_t */
};

struct ElectLeadersRequest {
	int8_t ElectionType;             /* 1+ */
	struct kp_array TopicPartitions; /* nullable: struct TopicPartitions */
	int32_t TimeoutMs;               /* default 60000 */
};

struct PartitionResult {
	int32_t PartitionId;
	int16_t ErrorCode;
	struct kp_str ErrorMessage; /* nullable */
};

struct ReplicaElectionResult {
	struct kp_str Topic;
	struct kp_array PartitionResult; /* struct PartitionResult */
};

struct ElectLeadersResponse {
	int32_t ThrottleTimeMs;
	int16_t ErrorCode;                      /* 1+ */
	struct kp_array ReplicaElectionResults; /* struct ReplicaElectionResult */
};

/* ---- IncrementalAlterConfigs (key 44), versions 0-1, flexible 1+ ------------------------- */

struct IncrementalAlterConfigsRequestAlterableConfig {
	struct kp_str Name;
	int8_t ConfigOperation;
	struct kp_str Value; /* nullable */
};

struct IncrementalAlterConfigsRequestAlterConfigsResource {
	int8_t ResourceType;
	struct kp_str ResourceName;
	struct kp_array Configs; /* struct IncrementalAlterConfigsRequestAlterableConfig */
};

struct IncrementalAlterConfigsRequest {
	struct kp_array Resources; /* struct IncrementalAlterConfigsRequestAlterConfigsResource */
	bool ValidateOnly;
};

struct IncrementalAlterConfigsResponseAlterConfigsResourceResponse {
	int16_t ErrorCode;
	struct kp_str ErrorMessage; /* nullable */
	int8_t ResourceType;
	struct kp_str ResourceName;
};

struct IncrementalAlterConfigsResponse {
	int32_t ThrottleTimeMs;
	/* struct IncrementalAlterConfigsResponseAlterConfigsResourceResponse */
	struct kp_array Responses;
};

/* ---- DescribeCluster (key 60), versions 0-1, flexible 0+ --------------------------------- */

struct DescribeClusterRequest {
	bool IncludeClusterAuthorizedOperations;
	int8_t EndpointType; /* 1+, default 1 */
};

struct DescribeClusterBroker {
	int32_t BrokerId;
	struct kp_str Host;
	int32_t Port;
	struct kp_str Rack; /* nullable, default null */
};

struct DescribeClusterResponse {
	int32_t ThrottleTimeMs;
	int16_t ErrorCode;
	struct kp_str ErrorMessage; /* nullable, default null */
	int8_t EndpointType;        /* 1+, default 1 */
	struct kp_str ClusterId;
	int32_t ControllerId;       /* default -1 */
	struct kp_array Brokers;    /* struct DescribeClusterBroker */
	int32_t ClusterAuthorizedOperations; /* default INT32_MIN */
};

#endif
