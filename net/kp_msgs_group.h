/* kp_msgs_group.h — C structs for the consumer-group messages (FindCoordinator, JoinGroup,
 * SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch, DescribeGroups, ListGroups,
 * DeleteGroups, OffsetDelete), with Kafka's own struct and field names (transcribed from
 * ../shared/reference/kafka-schemas.md; DeleteGroups and OffsetDelete from the apache/kafka
 * message JSON). Descriptor tables are in kp_msgs_group.c. Field comments give the versions a
 * field exists in. The tables cover the versions the coordinator will serve (FindCoordinator
 * 0-4, JoinGroup 0-9, SyncGroup 0-5, Heartbeat 0-4, LeaveGroup 0-5, OffsetCommit 0-8,
 * OffsetFetch 0-8, DescribeGroups 0-5, ListGroups 0-4, DeleteGroups 0-2, OffsetDelete 0),
 * the ranges net/kp_api.c registers.
 * First flexible versions: FindCoordinator 3, JoinGroup 6, SyncGroup 4, Heartbeat 4,
 * LeaveGroup 4, OffsetCommit 8, OffsetFetch 6, DescribeGroups 5, ListGroups 3, DeleteGroups 2,
 * OffsetDelete none.
 */
#ifndef KB_KP_MSGS_GROUP_H
#define KB_KP_MSGS_GROUP_H

#include "kp.h"

extern const struct kp_struct kp_FindCoordinatorRequest, kp_FindCoordinatorResponse;
extern const struct kp_struct kp_JoinGroupRequest, kp_JoinGroupResponse;
extern const struct kp_struct kp_SyncGroupRequest, kp_SyncGroupResponse;
extern const struct kp_struct kp_HeartbeatRequest, kp_HeartbeatResponse;
extern const struct kp_struct kp_LeaveGroupRequest, kp_LeaveGroupResponse;
extern const struct kp_struct kp_OffsetCommitRequest, kp_OffsetCommitResponse;
extern const struct kp_struct kp_OffsetFetchRequest, kp_OffsetFetchResponse;
extern const struct kp_struct kp_DescribeGroupsRequest, kp_DescribeGroupsResponse;
extern const struct kp_struct kp_ListGroupsRequest, kp_ListGroupsResponse;
extern const struct kp_struct kp_DeleteGroupsRequest, kp_DeleteGroupsResponse;
extern const struct kp_struct kp_OffsetDeleteRequest, kp_OffsetDeleteResponse;

/* ---- FindCoordinator (key 10) ------------------------------------------------------------ */

struct FindCoordinatorRequest {
	struct kp_str Key;              /* 0-3 */
	int8_t KeyType;                 /* 1+ */
	struct kp_array CoordinatorKeys; /* 4+: struct kp_str */
};

struct Coordinator {
	struct kp_str Key;
	int32_t NodeId;
	struct kp_str Host;
	int32_t Port;
	int16_t ErrorCode;
	struct kp_str ErrorMessage; /* nullable */
};

struct FindCoordinatorResponse {
	int32_t ThrottleTimeMs;     /* 1+ */
	int16_t ErrorCode;          /* 0-3 */
	struct kp_str ErrorMessage; /* 1-3, nullable */
	int32_t NodeId;             /* 0-3 */
	struct kp_str Host;         /* 0-3 */
	int32_t Port;               /* 0-3 */
	struct kp_array Coordinators; /* 4+: struct Coordinator */
};

/* ---- JoinGroup (key 11) ------------------------------------------------------------------ */

struct JoinGroupRequestProtocol {
	struct kp_str Name;
	struct kp_bytes Metadata;
};

struct JoinGroupRequest {
	struct kp_str GroupId;
	int32_t SessionTimeoutMs;
	int32_t RebalanceTimeoutMs;    /* 1+, default -1 */
	struct kp_str MemberId;
	struct kp_str GroupInstanceId; /* 5+, nullable, default null */
	struct kp_str ProtocolType;
	struct kp_array Protocols;     /* struct JoinGroupRequestProtocol */
	struct kp_str Reason;          /* 8+, nullable, default null */
};

struct JoinGroupResponseMember {
	struct kp_str MemberId;
	struct kp_str GroupInstanceId; /* 5+, nullable, default null */
	struct kp_bytes Metadata;
};

struct JoinGroupResponse {
	int32_t ThrottleTimeMs;     /* 2+ */
	int16_t ErrorCode;
	int32_t GenerationId;       /* default -1 */
	struct kp_str ProtocolType; /* 7+, nullable, default null */
	struct kp_str ProtocolName; /* nullable 7+ */
	struct kp_str Leader;
	bool SkipAssignment;        /* 9+ */
	struct kp_str MemberId;
	struct kp_array Members;    /* struct JoinGroupResponseMember */
};

/* ---- Heartbeat (key 12) ------------------------------------------------------------------ */

struct HeartbeatRequest {
	struct kp_str GroupId;
	int32_t GenerationId;
	struct kp_str MemberId;
	struct kp_str GroupInstanceId; /* 3+, nullable, default null */
};

struct HeartbeatResponse {
	int32_t ThrottleTimeMs; /* 1+ */
	int16_t ErrorCode;
};

/* ---- LeaveGroup (key 13) ----------------------------------------------------------------- */

struct MemberIdentity {
	struct kp_str MemberId;
	struct kp_str GroupInstanceId; /* nullable, default null */
	struct kp_str Reason;          /* 5+, nullable, default null */
};

struct LeaveGroupRequest {
	struct kp_str GroupId;
	struct kp_str MemberId;  /* 0-2 */
	struct kp_array Members; /* 3+: struct MemberIdentity */
};

struct MemberResponse {
	struct kp_str MemberId;
	struct kp_str GroupInstanceId; /* nullable */
	int16_t ErrorCode;
};

struct LeaveGroupResponse {
	int32_t ThrottleTimeMs;  /* 1+ */
	int16_t ErrorCode;
	struct kp_array Members; /* 3+: struct MemberResponse */
};

/* ---- SyncGroup (key 14) ------------------------------------------------------------------ */

struct SyncGroupRequestAssignment {
	struct kp_str MemberId;
	struct kp_bytes Assignment;
};

struct SyncGroupRequest {
	struct kp_str GroupId;
	int32_t GenerationId;
	struct kp_str MemberId;
	struct kp_str GroupInstanceId; /* 3+, nullable, default null */
	struct kp_str ProtocolType;    /* 5+, nullable, default null */
	struct kp_str ProtocolName;    /* 5+, nullable, default null */
	struct kp_array Assignments;   /* struct SyncGroupRequestAssignment */
};

struct SyncGroupResponse {
	int32_t ThrottleTimeMs;     /* 1+ */
	int16_t ErrorCode;
	struct kp_str ProtocolType; /* 5+, nullable, default null */
	struct kp_str ProtocolName; /* 5+, nullable, default null */
	struct kp_bytes Assignment;
};

/* ---- OffsetCommit (key 8) ---------------------------------------------------------------- */

struct OffsetCommitRequestPartition {
	int32_t PartitionIndex;
	int64_t CommittedOffset;
	int32_t CommittedLeaderEpoch;    /* 6+, default -1 */
	int64_t CommitTimestamp;         /* 1 only, default -1 */
	struct kp_str CommittedMetadata; /* nullable */
};

struct OffsetCommitRequestTopic {
	struct kp_str Name;
	struct kp_array Partitions; /* struct OffsetCommitRequestPartition */
};

struct OffsetCommitRequest {
	struct kp_str GroupId;
	int32_t GenerationIdOrMemberEpoch; /* 1+, default -1 */
	struct kp_str MemberId;            /* 1+ */
	struct kp_str GroupInstanceId;     /* 7+, nullable, default null */
	int64_t RetentionTimeMs;           /* 2-4, default -1 */
	struct kp_array Topics;            /* struct OffsetCommitRequestTopic */
};

struct OffsetCommitResponsePartition {
	int32_t PartitionIndex;
	int16_t ErrorCode;
};

struct OffsetCommitResponseTopic {
	struct kp_str Name;
	struct kp_array Partitions; /* struct OffsetCommitResponsePartition */
};

struct OffsetCommitResponse {
	int32_t ThrottleTimeMs; /* 3+ */
	struct kp_array Topics; /* struct OffsetCommitResponseTopic */
};

/* ---- OffsetFetch (key 9) ----------------------------------------------------------------- */

struct OffsetFetchRequestTopic { /* 0-7 */
	struct kp_str Name;
	struct kp_array PartitionIndexes; /* int32_t */
};

struct OffsetFetchRequestTopics { /* 8+ */
	struct kp_str Name;
	struct kp_array PartitionIndexes; /* int32_t */
};

struct OffsetFetchRequestGroup { /* 8+ */
	struct kp_str GroupId;
	struct kp_str MemberId;  /* 9+, nullable, default null */
	int32_t MemberEpoch;     /* 9+, default -1 */
	struct kp_array Topics;  /* nullable: struct OffsetFetchRequestTopics */
};

struct OffsetFetchRequest {
	struct kp_str GroupId;  /* 0-7 */
	struct kp_array Topics; /* 0-7, nullable 2-7: struct OffsetFetchRequestTopic */
	struct kp_array Groups; /* 8+: struct OffsetFetchRequestGroup */
	bool RequireStable;     /* 7+ */
};

struct OffsetFetchResponsePartition { /* 0-7 */
	int32_t PartitionIndex;
	int64_t CommittedOffset;
	int32_t CommittedLeaderEpoch; /* 5-7, default -1 */
	struct kp_str Metadata;       /* nullable */
	int16_t ErrorCode;
};

struct OffsetFetchResponseTopic { /* 0-7 */
	struct kp_str Name;
	struct kp_array Partitions; /* struct OffsetFetchResponsePartition */
};

struct OffsetFetchResponsePartitions { /* 8+ */
	int32_t PartitionIndex;
	int64_t CommittedOffset;
	int32_t CommittedLeaderEpoch; /* default -1 */
	struct kp_str Metadata;       /* nullable */
	int16_t ErrorCode;
};

struct OffsetFetchResponseTopics { /* 8+ */
	struct kp_str Name;
	struct kp_array Partitions; /* struct OffsetFetchResponsePartitions */
};

struct OffsetFetchResponseGroup { /* 8+ */
	struct kp_str GroupId;
	struct kp_array Topics; /* struct OffsetFetchResponseTopics */
	int16_t ErrorCode;
};

struct OffsetFetchResponse {
	int32_t ThrottleTimeMs; /* 3+ */
	struct kp_array Topics; /* 0-7: struct OffsetFetchResponseTopic */
	int16_t ErrorCode;      /* 2-7 */
	struct kp_array Groups; /* 8+: struct OffsetFetchResponseGroup */
};

/* ---- DescribeGroups (key 15) ------------------------------------------------------------- */

struct DescribeGroupsRequest {
	struct kp_array Groups; /* struct kp_str */
	bool IncludeAuthorizedOperations; /* 3+ */
};

struct DescribedGroupMember {
	struct kp_str MemberId;
	struct kp_str GroupInstanceId; /* 4+, nullable, default null */
	struct kp_str ClientId;
	struct kp_str ClientHost;
	struct kp_bytes MemberMetadata;
	struct kp_bytes MemberAssignment;
};

struct DescribedGroup {
	int16_t ErrorCode;
	struct kp_str GroupId;
	struct kp_str GroupState;
	struct kp_str ProtocolType;
	struct kp_str ProtocolData;
	struct kp_array Members;      /* struct DescribedGroupMember */
	int32_t AuthorizedOperations; /* 3+, default INT32_MIN */
};

struct DescribeGroupsResponse {
	int32_t ThrottleTimeMs; /* 1+ */
	struct kp_array Groups; /* struct DescribedGroup */
};

/* ---- ListGroups (key 16) ----------------------------------------------------------------- */

struct ListGroupsRequest {
	struct kp_array StatesFilter; /* 4+: struct kp_str */
	struct kp_array TypesFilter;  /* 5+: struct kp_str */
};

struct ListedGroup {
	struct kp_str GroupId;
	struct kp_str ProtocolType;
	struct kp_str GroupState; /* 4+ */
	struct kp_str GroupType;  /* 5+ */
};

struct ListGroupsResponse {
	int32_t ThrottleTimeMs; /* 1+ */
	int16_t ErrorCode;
	struct kp_array Groups; /* struct ListedGroup */
};

/* ---- DeleteGroups (key 42), versions 0-2, flexible 2+ ------------------------------------- */

struct DeleteGroupsRequest {
	struct kp_array GroupsNames; /* struct kp_str */
};

struct DeletableGroupResult {
	struct kp_str GroupId;
	int16_t ErrorCode;
};

struct DeleteGroupsResponse {
	int32_t ThrottleTimeMs;
	struct kp_array Results; /* struct DeletableGroupResult */
};

/* ---- OffsetDelete (key 47), version 0, not flexible -------------------------------------- */

struct OffsetDeleteRequestPartition {
	int32_t PartitionIndex;
};

struct OffsetDeleteRequestTopic {
	struct kp_str Name;
	struct kp_array Partitions; /* struct OffsetDeleteRequestPartition */
};

struct OffsetDeleteRequest {
	struct kp_str GroupId;
	struct kp_array Topics; /* struct OffsetDeleteRequestTopic */
};

struct OffsetDeleteResponsePartition {
	int32_t PartitionIndex;
	int16_t ErrorCode;
};

struct OffsetDeleteResponseTopic {
	struct kp_str Name;
	struct kp_array Partitions; /* struct OffsetDeleteResponsePartition */
};

struct OffsetDeleteResponse {
	int16_t ErrorCode;
	int32_t ThrottleTimeMs;
	struct kp_array Topics; /* struct OffsetDeleteResponseTopic */
};

#endif
