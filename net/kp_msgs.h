/* kp_msgs.h — C structs for the Kafka messages the codec knows, with Kafka's own struct and
 * field names (transcribed from the upstream message definitions; see
 * ../shared/reference/kafka-schemas.md). The descriptor tables that give their wire layout per
 * version are in kp_msgs.c. Field comments give the versions a field exists in. */
#ifndef KB_KP_MSGS_H
#define KB_KP_MSGS_H

#include "kp.h"

extern const struct kp_struct kp_ApiVersionsRequest, kp_ApiVersionsResponse;
extern const struct kp_struct kp_MetadataRequest, kp_MetadataResponse;

/* ---- ApiVersions (key 18), versions 0-4, flexible 3+ ------------------------------------- */

struct ApiVersionsRequest {
	struct kp_str ClientSoftwareName;    /* 3+ */
	struct kp_str ClientSoftwareVersion; /* 3+ */
};

struct ApiVersion {
	int16_t ApiKey;
	int16_t MinVersion;
	int16_t MaxVersion;
};

struct SupportedFeatureKey {
	struct kp_str Name;
	int16_t MinVersion;
	int16_t MaxVersion;
};

struct FinalizedFeatureKey {
	struct kp_str Name;
	int16_t MaxVersionLevel;
	int16_t MinVersionLevel;
};

struct ApiVersionsResponse {
	int16_t ErrorCode;
	struct kp_array ApiKeys;           /* struct ApiVersion */
	int32_t ThrottleTimeMs;            /* 1+ */
	struct kp_array SupportedFeatures; /* 3+, tag 0: struct SupportedFeatureKey */
	int64_t FinalizedFeaturesEpoch;    /* 3+, tag 1, default -1 */
	struct kp_array FinalizedFeatures; /* 3+, tag 2: struct FinalizedFeatureKey */
	bool ZkMigrationReady;             /* 3+, tag 3 */
};

/* ---- Metadata (key 3), versions 0-12, flexible 9+ ---------------------------------------- */

struct MetadataRequestTopic {
	uint8_t TopicId[16];  /* 10+ */
	struct kp_str Name;   /* nullable 10+ */
};

struct MetadataRequest {
	struct kp_array Topics;                   /* struct MetadataRequestTopic; nullable 1+ */
	bool AllowAutoTopicCreation;              /* 4+, default true */
	bool IncludeClusterAuthorizedOperations;  /* 8-10 */
	bool IncludeTopicAuthorizedOperations;    /* 8+ */
};

struct MetadataResponseBroker {
	int32_t NodeId;
	struct kp_str Host;
	int32_t Port;
	struct kp_str Rack; /* 1+, nullable, default null */
};

struct MetadataResponsePartition {
	int16_t ErrorCode;
	int32_t PartitionIndex;
	int32_t LeaderId;
	int32_t LeaderEpoch;          /* 7+, default -1 */
	struct kp_array ReplicaNodes; /* int32_t */
	struct kp_array IsrNodes;     /* int32_t */
	struct kp_array OfflineReplicas; /* 5+, int32_t */
};

struct MetadataResponseTopic {
	int16_t ErrorCode;
	struct kp_str Name;           /* nullable 12+ */
	uint8_t TopicId[16];          /* 10+ */
	bool IsInternal;              /* 1+ */
	struct kp_array Partitions;   /* struct MetadataResponsePartition */
	int32_t TopicAuthorizedOperations; /* 8+, default INT32_MIN */
};

struct MetadataResponse {
	int32_t ThrottleTimeMs;       /* 3+ */
	struct kp_array Brokers;      /* struct MetadataResponseBroker */
	struct kp_str ClusterId;      /* 2+, nullable, default null */
	int32_t ControllerId;         /* 1+, default -1 */
	struct kp_array Topics;       /* struct MetadataResponseTopic */
	int32_t ClusterAuthorizedOperations; /* 8-10, default INT32_MIN */
};

/* The other messages the codec knows: data path, then admin. */
#include "kp_msgs_data.h"
#include "kp_msgs_admin.h"
#include "kp_msgs_producer.h"
#include "kp_msgs_group.h"
#include "kp_msgs_txn.h"
#include "kp_msgs_acl.h"

#endif
