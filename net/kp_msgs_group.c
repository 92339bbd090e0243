/* kp_msgs_group.c — descriptor tables for the consumer-group messages of kp_msgs_group.h,
 * transcribed by hand from ../shared/reference/kafka-schemas.md (Kafka 3.9 message JSON) and,
 * for DeleteGroups / OffsetDelete (not in that file), from the apache/kafka message JSON.
 * Same conventions as kp_msgs_admin.c: one row per field in wire order, commented with its
 * schema line; nested structs come before their users; KP_VMAX = "and every later version".
 * Rows for versions above those listed in kp_msgs_group.h (OffsetCommit 9, OffsetFetch 9,
 * ListGroups 5, ...) are present where the schema has them, so extending a range is a test
 * edit; fields that only newer versions carry are noted.
 */
#include "kp_msgs.h"
#include "kp_msgs_group.h"

/* ---- FindCoordinator (key 10): valid 0-6, flexible 3+ ------------------------------------- */

static const struct kp_field FindCoordinatorRequest_fields[] = {
	/* Key: string [0-3] */
	KP_FIELD(struct FindCoordinatorRequest, Key, KP_STRING, 0, 3),
	/* KeyType: int8 [1+] {def 0} */
	KP_FIELD(struct FindCoordinatorRequest, KeyType, KP_INT8, 1, KP_VMAX),
	/* CoordinatorKeys: []string [4+] */
	KP_FIELD_ARRAY(struct FindCoordinatorRequest, CoordinatorKeys, KP_STRING, 4, KP_VMAX, NULL),
};
const struct kp_struct kp_FindCoordinatorRequest =
	KP_STRUCT_DESC(struct FindCoordinatorRequest, FindCoordinatorRequest_fields);

static const struct kp_field Coordinator_fields[] = {
	/* Coordinators[].Key: string [4+] */
	KP_FIELD(struct Coordinator, Key, KP_STRING, 4, KP_VMAX),
	/* Coordinators[].NodeId: int32 [4+] */
	KP_FIELD(struct Coordinator, NodeId, KP_INT32, 4, KP_VMAX),
	/* Coordinators[].Host: string [4+] */
	KP_FIELD(struct Coordinator, Host, KP_STRING, 4, KP_VMAX),
	/* Coordinators[].Port: int32 [4+] */
	KP_FIELD(struct Coordinator, Port, KP_INT32, 4, KP_VMAX),
	/* Coordinators[].ErrorCode: int16 [4+] */
	KP_FIELD(struct Coordinator, ErrorCode, KP_INT16, 4, KP_VMAX),
	/* Coordinators[].ErrorMessage: string [4+] {null 4+} */
	KP_FIELD_NULL(struct Coordinator, ErrorMessage, KP_STRING, 4, KP_VMAX, 4, KP_VMAX, false),
};
static const struct kp_struct Coordinator_desc = KP_STRUCT_DESC(struct Coordinator, Coordinator_fields);

static const struct kp_field FindCoordinatorResponse_fields[] = {
	/* ThrottleTimeMs: int32 [1+] */
	KP_FIELD(struct FindCoordinatorResponse, ThrottleTimeMs, KP_INT32, 1, KP_VMAX),
	/* ErrorCode: int16 [0-3] */
	KP_FIELD(struct FindCoordinatorResponse, ErrorCode, KP_INT16, 0, 3),
	/* ErrorMessage: string [1-3] {null 1-3} */
	KP_FIELD_NULL(struct FindCoordinatorResponse, ErrorMessage, KP_STRING, 1, 3, 1, 3, false),
	/* NodeId: int32 [0-3] */
	KP_FIELD(struct FindCoordinatorResponse, NodeId, KP_INT32, 0, 3),
	/* Host: string [0-3] */
	KP_FIELD(struct FindCoordinatorResponse, Host, KP_STRING, 0, 3),
	/* Port: int32 [0-3] */
	KP_FIELD(struct FindCoordinatorResponse, Port, KP_INT32, 0, 3),
	/* Coordinators: []Coordinator [4+] */
	KP_FIELD_ARRAY(struct FindCoordinatorResponse, Coordinators, KP_STRUCT, 4, KP_VMAX,
		       &Coordinator_desc),
};
const struct kp_struct kp_FindCoordinatorResponse =
	KP_STRUCT_DESC(struct FindCoordinatorResponse, FindCoordinatorResponse_fields);

/* ---- JoinGroup (key 11): valid 0-9, flexible 6+ ------------------------------------------- */

static const struct kp_field JoinGroupRequestProtocol_fields[] = {
	/* Protocols[].Name: string [0+] */
	KP_FIELD(struct JoinGroupRequestProtocol, Name, KP_STRING, 0, KP_VMAX),
	/* Protocols[].Metadata: bytes [0+] */
	KP_FIELD(struct JoinGroupRequestProtocol, Metadata, KP_BYTES, 0, KP_VMAX),
};
static const struct kp_struct JoinGroupRequestProtocol_desc =
	KP_STRUCT_DESC(struct JoinGroupRequestProtocol, JoinGroupRequestProtocol_fields);

static const struct kp_field JoinGroupRequest_fields[] = {
	/* GroupId: string [0+] */
	KP_FIELD(struct JoinGroupRequest, GroupId, KP_STRING, 0, KP_VMAX),
	/* SessionTimeoutMs: int32 [0+] */
	KP_FIELD(struct JoinGroupRequest, SessionTimeoutMs, KP_INT32, 0, KP_VMAX),
	/* RebalanceTimeoutMs: int32 [1+] {def -1} */
	KP_FIELD_DEF(struct JoinGroupRequest, RebalanceTimeoutMs, KP_INT32, 1, KP_VMAX, -1),
	/* MemberId: string [0+] */
	KP_FIELD(struct JoinGroupRequest, MemberId, KP_STRING, 0, KP_VMAX),
	/* GroupInstanceId: string [5+] {null 5+; def null} */
	KP_FIELD_NULL(struct JoinGroupRequest, GroupInstanceId, KP_STRING, 5, KP_VMAX, 5, KP_VMAX, true),
	/* ProtocolType: string [0+] */
	KP_FIELD(struct JoinGroupRequest, ProtocolType, KP_STRING, 0, KP_VMAX),
	/* Protocols: []JoinGroupRequestProtocol [0+] */
	KP_FIELD_ARRAY(struct JoinGroupRequest, Protocols, KP_STRUCT, 0, KP_VMAX,
		       &JoinGroupRequestProtocol_desc),
	/* Reason: string [8+] {null 8+; def null} */
	KP_FIELD_NULL(struct JoinGroupRequest, Reason, KP_STRING, 8, KP_VMAX, 8, KP_VMAX, true),
};
const struct kp_struct kp_JoinGroupRequest = KP_STRUCT_DESC(struct JoinGroupRequest, JoinGroupRequest_fields);

static const struct kp_field JoinGroupResponseMember_fields[] = {
	/* Members[].MemberId: string [0+] */
	KP_FIELD(struct JoinGroupResponseMember, MemberId, KP_STRING, 0, KP_VMAX),
	/* Members[].GroupInstanceId: string [5+] {null 5+; def null} */
	KP_FIELD_NULL(struct JoinGroupResponseMember, GroupInstanceId, KP_STRING, 5, KP_VMAX, 5,
		      KP_VMAX, true),
	/* Members[].Metadata: bytes [0+] */
	KP_FIELD(struct JoinGroupResponseMember, Metadata, KP_BYTES, 0, KP_VMAX),
};
static const struct kp_struct JoinGroupResponseMember_desc =
	KP_STRUCT_DESC(struct JoinGroupResponseMember, JoinGroupResponseMember_fields);

static const struct kp_field JoinGroupResponse_fields[] = {
	/* ThrottleTimeMs: int32 [2+] */
	KP_FIELD(struct JoinGroupResponse, ThrottleTimeMs, KP_INT32, 2, KP_VMAX),
	/* ErrorCode: int16 [0+] */
	KP_FIELD(struct JoinGroupResponse, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* GenerationId: int32 [0+] {def -1} */
	KP_FIELD_DEF(struct JoinGroupResponse, GenerationId, KP_INT32, 0, KP_VMAX, -1),
	/* ProtocolType: string [7+] {null 7+; def null} */
	KP_FIELD_NULL(struct JoinGroupResponse, ProtocolType, KP_STRING, 7, KP_VMAX, 7, KP_VMAX, true),
	/* ProtocolName: string [0+] {null 7+} */
	KP_FIELD_NULL(struct JoinGroupResponse, ProtocolName, KP_STRING, 0, KP_VMAX, 7, KP_VMAX, false),
	/* Leader: string [0+] */
	KP_FIELD(struct JoinGroupResponse, Leader, KP_STRING, 0, KP_VMAX),
	/* SkipAssignment: bool [9+] {def false} */
	KP_FIELD(struct JoinGroupResponse, SkipAssignment, KP_BOOL, 9, KP_VMAX),
	/* MemberId: string [0+] */
	KP_FIELD(struct JoinGroupResponse, MemberId, KP_STRING, 0, KP_VMAX),
	/* Members: []JoinGroupResponseMember [0+] */
	KP_FIELD_ARRAY(struct JoinGroupResponse, Members, KP_STRUCT, 0, KP_VMAX,
		       &JoinGroupResponseMember_desc),
};
const struct kp_struct kp_JoinGroupResponse =
	KP_STRUCT_DESC(struct JoinGroupResponse, JoinGroupResponse_fields);

/* ---- Heartbeat (key 12): valid 0-4, flexible 4+ ------------------------------------------- */

static const struct kp_field HeartbeatRequest_fields[] = {
	/* GroupId: string [0+] */
	KP_FIELD(struct HeartbeatRequest, GroupId, KP_STRING, 0, KP_VMAX),
	/* GenerationId: int32 [0+] */
	KP_FIELD(struct HeartbeatRequest, GenerationId, KP_INT32, 0, KP_VMAX),
	/* MemberId: string [0+] */
	KP_FIELD(struct HeartbeatRequest, MemberId, KP_STRING, 0, KP_VMAX),
	/* GroupInstanceId: string [3+] {null 3+; def null} */
	KP_FIELD_NULL(struct HeartbeatRequest, GroupInstanceId, KP_STRING, 3, KP_VMAX, 3, KP_VMAX, true),
};
const struct kp_struct kp_HeartbeatRequest = KP_STRUCT_DESC(struct HeartbeatRequest, HeartbeatRequest_fields);

static const struct kp_field HeartbeatResponse_fields[] = {
	/* ThrottleTimeMs: int32 [1+] */
	KP_FIELD(struct HeartbeatResponse, ThrottleTimeMs, KP_INT32, 1, KP_VMAX),
	/* ErrorCode: int16 [0+] */
	KP_FIELD(struct HeartbeatResponse, ErrorCode, KP_INT16, 0, KP_VMAX),
};
const struct kp_struct kp_HeartbeatResponse =
	KP_STRUCT_DESC(struct HeartbeatResponse, HeartbeatResponse_fields);

/* ---- LeaveGroup (key 13): valid 0-5, flexible 4+ ------------------------------------------ */

static const struct kp_field MemberIdentity_fields[] = {
	/* Members[].MemberId: string [3+] */
	KP_FIELD(struct MemberIdentity, MemberId, KP_STRING, 3, KP_VMAX),
	/* Members[].GroupInstanceId: string [3+] {null 3+; def null} */
	KP_FIELD_NULL(struct MemberIdentity, GroupInstanceId, KP_STRING, 3, KP_VMAX, 3, KP_VMAX, true),
	/* Members[].Reason: string [5+] {null 5+; def null} */
	KP_FIELD_NULL(struct MemberIdentity, Reason, KP_STRING, 5, KP_VMAX, 5, KP_VMAX, true),
};
static const struct kp_struct MemberIdentity_desc =
	KP_STRUCT_DESC(struct MemberIdentity, MemberIdentity_fields);

static const struct kp_field LeaveGroupRequest_fields[] = {
	/* GroupId: string [0+] */
	KP_FIELD(struct LeaveGroupRequest, GroupId, KP_STRING, 0, KP_VMAX),
	/* MemberId: string [0-2] */
	KP_FIELD(struct LeaveGroupRequest, MemberId, KP_STRING, 0, 2),
	/* Members: []MemberIdentity [3+] */
	KP_FIELD_ARRAY(struct LeaveGroupRequest, Members, KP_STRUCT, 3, KP_VMAX, &MemberIdentity_desc),
};
const struct kp_struct kp_LeaveGroupRequest =
	KP_STRUCT_DESC(struct LeaveGroupRequest, LeaveGroupRequest_fields);

static const struct kp_field MemberResponse_fields[] = {
	/* Members[].MemberId: string [3+] */
	KP_FIELD(struct MemberResponse, MemberId, KP_STRING, 3, KP_VMAX),
	/* Members[].GroupInstanceId: string [3+] {null 3+} */
	KP_FIELD_NULL(struct MemberResponse, GroupInstanceId, KP_STRING, 3, KP_VMAX, 3, KP_VMAX, false),
	/* Members[].ErrorCode: int16 [3+] */
	KP_FIELD(struct MemberResponse, ErrorCode, KP_INT16, 3, KP_VMAX),
};
static const struct kp_struct MemberResponse_desc =
	KP_STRUCT_DESC(struct MemberResponse, MemberResponse_fields);

static const struct kp_field LeaveGroupResponse_fields[] = {
	/* ThrottleTimeMs: int32 [1+] */
	KP_FIELD(struct LeaveGroupResponse, ThrottleTimeMs, KP_INT32, 1, KP_VMAX),
	/* ErrorCode: int16 [0+] */
	KP_FIELD(struct LeaveGroupResponse, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* Members: []MemberResponse [3+] */
	KP_FIELD_ARRAY(struct LeaveGroupResponse, Members, KP_STRUCT, 3, KP_VMAX, &MemberResponse_desc),
};
const struct kp_struct kp_LeaveGroupResponse =
	KP_STRUCT_DESC(struct LeaveGroupResponse, LeaveGroupResponse_fields);

/* ---- SyncGroup (key 14): valid 0-5, flexible 4+ ------------------------------------------- */

static const struct kp_field SyncGroupRequestAssignment_fields[] = {
	/* Assignments[].MemberId: string [0+] */
	KP_FIELD(struct SyncGroupRequestAssignment, MemberId, KP_STRING, 0, KP_VMAX),
	/* Assignments[].Assignment: bytes [0+] */
	KP_FIELD(struct SyncGroupRequestAssignment, Assignment, KP_BYTES, 0, KP_VMAX),
};
static const struct kp_struct SyncGroupRequestAssignment_desc =
	KP_STRUCT_DESC(struct SyncGroupRequestAssignment, SyncGroupRequestAssignment_fields);

static const struct kp_field SyncGroupRequest_fields[] = {
	/* GroupId: string [0+] */
	KP_FIELD(struct SyncGroupRequest, GroupId, KP_STRING, 0, KP_VMAX),
	/* GenerationId: int32 [0+] */
	KP_FIELD(struct SyncGroupRequest, GenerationId, KP_INT32, 0, KP_VMAX),
	/* MemberId: string [0+] */
	KP_FIELD(struct SyncGroupRequest, MemberId, KP_STRING, 0, KP_VMAX),
	/* GroupInstanceId: string [3+] {null 3+; def null} */
	KP_FIELD_NULL(struct SyncGroupRequest, GroupInstanceId, KP_STRING, 3, KP_VMAX, 3, KP_VMAX, true),
	/* ProtocolType: string [5+] {null 5+; def null} */
	KP_FIELD_NULL(struct SyncGroupRequest, ProtocolType, KP_STRING, 5, KP_VMAX, 5, KP_VMAX, true),
	/* ProtocolName: string [5+] {null 5+; def null} */
	KP_FIELD_NULL(struct SyncGroupRequest, ProtocolName, KP_STRING, 5, KP_VMAX, 5, KP_VMAX, true),
	/* Assignments: []SyncGroupRequestAssignment [0+] */
	KP_FIELD_ARRAY(struct SyncGroupRequest, Assignments, KP_STRUCT, 0, KP_VMAX,
		       &SyncGroupRequestAssignment_desc),
};
const struct kp_struct kp_SyncGroupRequest = KP_STRUCT_DESC(struct SyncGroupRequest, SyncGroupRequest_fields);

static const struct kp_field SyncGroupResponse_fields[] = {
	/* ThrottleTimeMs: int32 [1+] */
	KP_FIELD(struct SyncGroupResponse, ThrottleTimeMs, KP_INT32, 1, KP_VMAX),
	/* ErrorCode: int16 [0+] */
	KP_FIELD(struct SyncGroupResponse, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* ProtocolType: string [5+] {null 5+; def null} */
	KP_FIELD_NULL(struct SyncGroupResponse, ProtocolType, KP_STRING, 5, KP_VMAX, 5, KP_VMAX, true),
	/* ProtocolName: string [5+] {null 5+; def null} */
	KP_FIELD_NULL(struct SyncGroupResponse, ProtocolName, KP_STRING, 5, KP_VMAX, 5, KP_VMAX, true),
	/* Assignment: bytes [0+] */
	KP_FIELD(struct SyncGroupResponse, Assignment, KP_BYTES, 0, KP_VMAX),
};
const struct kp_struct kp_SyncGroupResponse =
	KP_STRUCT_DESC(struct SyncGroupResponse, SyncGroupResponse_fields);

/* ---- OffsetCommit (key 8): valid 0-9, flexible 8+ ----------------------------------------- */

static const struct kp_field OffsetCommitRequestPartition_fields[] = {
	/* Topics[].Partitions[].PartitionIndex: int32 [0+] */
	KP_FIELD(struct OffsetCommitRequestPartition, PartitionIndex, KP_INT32, 0, KP_VMAX),
	/* Topics[].Partitions[].CommittedOffset: int64 [0+] */
	KP_FIELD(struct OffsetCommitRequestPartition, CommittedOffset, KP_INT64, 0, KP_VMAX),
	/* Topics[].Partitions[].CommittedLeaderEpoch: int32 [6+] {def -1} */
	KP_FIELD_DEF(struct OffsetCommitRequestPartition, CommittedLeaderEpoch, KP_INT32, 6, KP_VMAX, -1),
	/* Topics[].Partitions[].CommitTimestamp: int64 [1] {def -1} */
	KP_FIELD_DEF(struct OffsetCommitRequestPartition, CommitTimestamp, KP_INT64, 1, 1, -1),
	/* Topics[].Partitions[].CommittedMetadata: string [0+] {null 0+} */
	KP_FIELD_NULL(struct OffsetCommitRequestPartition, CommittedMetadata, KP_STRING, 0, KP_VMAX, 0,
		      KP_VMAX, false),
};
static const struct kp_struct OffsetCommitRequestPartition_desc =
	KP_STRUCT_DESC(struct OffsetCommitRequestPartition, OffsetCommitRequestPartition_fields);

static const struct kp_field OffsetCommitRequestTopic_fields[] = {
	/* Topics[].Name: string [0+] */
	KP_FIELD(struct OffsetCommitRequestTopic, Name, KP_STRING, 0, KP_VMAX),
	/* Topics[].Partitions: []OffsetCommitRequestPartition [0+] */
	KP_FIELD_ARRAY(struct OffsetCommitRequestTopic, Partitions, KP_STRUCT, 0, KP_VMAX,
		       &OffsetCommitRequestPartition_desc),
};
static const struct kp_struct OffsetCommitRequestTopic_desc =
	KP_STRUCT_DESC(struct OffsetCommitRequestTopic, OffsetCommitRequestTopic_fields);

static const struct kp_field OffsetCommitRequest_fields[] = {
	/* GroupId: string [0+] */
	KP_FIELD(struct OffsetCommitRequest, GroupId, KP_STRING, 0, KP_VMAX),
	/* GenerationIdOrMemberEpoch: int32 [1+] {def -1} */
	KP_FIELD_DEF(struct OffsetCommitRequest, GenerationIdOrMemberEpoch, KP_INT32, 1, KP_VMAX, -1),
	/* MemberId: string [1+] */
	KP_FIELD(struct OffsetCommitRequest, MemberId, KP_STRING, 1, KP_VMAX),
	/* GroupInstanceId: string [7+] {null 7+; def null} */
	KP_FIELD_NULL(struct OffsetCommitRequest, GroupInstanceId, KP_STRING, 7, KP_VMAX, 7, KP_VMAX, true),
	/* RetentionTimeMs: int64 [2-4] {def -1} */
	KP_FIELD_DEF(struct OffsetCommitRequest, RetentionTimeMs, KP_INT64, 2, 4, -1),
	/* Topics: []OffsetCommitRequestTopic [0+] */
	KP_FIELD_ARRAY(struct OffsetCommitRequest, Topics, KP_STRUCT, 0, KP_VMAX,
		       &OffsetCommitRequestTopic_desc),
};
const struct kp_struct kp_OffsetCommitRequest =
	KP_STRUCT_DESC(struct OffsetCommitRequest, OffsetCommitRequest_fields);

static const struct kp_field OffsetCommitResponsePartition_fields[] = {
	/* Topics[].Partitions[].PartitionIndex: int32 [0+] */
	KP_FIELD(struct OffsetCommitResponsePartition, PartitionIndex, KP_INT32, 0, KP_VMAX),
	/* Topics[].Partitions[].ErrorCode: int16 [0+] */
	KP_FIELD(struct OffsetCommitResponsePartition, ErrorCode, KP_INT16, 0, KP_VMAX),
};
static const struct kp_struct OffsetCommitResponsePartition_desc =
	KP_STRUCT_DESC(struct OffsetCommitResponsePartition, OffsetCommitResponsePartition_fields);

static const struct kp_field OffsetCommitResponseTopic_fields[] = {
	/* Topics[].Name: string [0+] */
	KP_FIELD(struct OffsetCommitResponseTopic, Name, KP_STRING, 0, KP_VMAX),
	/* Topics[].Partitions: []OffsetCommitResponsePartition [0+] */
	KP_FIELD_ARRAY(struct OffsetCommitResponseTopic, Partitions, KP_STRUCT, 0, KP_VMAX,
		       &OffsetCommitResponsePartition_desc),
};
static const struct kp_struct OffsetCommitResponseTopic_desc =
	KP_STRUCT_DESC(struct OffsetCommitResponseTopic, OffsetCommitResponseTopic_fields);

static const struct kp_field OffsetCommitResponse_fields[] = {
	/* ThrottleTimeMs: int32 [3+] */
	KP_FIELD(struct OffsetCommitResponse, ThrottleTimeMs, KP_INT32, 3, KP_VMAX),
	/* Topics: []OffsetCommitResponseTopic [0+] */
	KP_FIELD_ARRAY(struct OffsetCommitResponse, Topics, KP_STRUCT, 0, KP_VMAX,
		       &OffsetCommitResponseTopic_desc),
};
const struct kp_struct kp_OffsetCommitResponse =
	KP_STRUCT_DESC(struct OffsetCommitResponse, OffsetCommitResponse_fields);

/* ---- OffsetFetch (key 9): valid 0-9, flexible 6+ ------------------------------------------ */

static const struct kp_field OffsetFetchRequestTopic_fields[] = {
	/* Topics[].Name: string [0-7] */
	KP_FIELD(struct OffsetFetchRequestTopic, Name, KP_STRING, 0, 7),
	/* Topics[].PartitionIndexes: []int32 [0-7] */
	KP_FIELD_ARRAY(struct OffsetFetchRequestTopic, PartitionIndexes, KP_INT32, 0, 7, NULL),
};
static const struct kp_struct OffsetFetchRequestTopic_desc =
	KP_STRUCT_DESC(struct OffsetFetchRequestTopic, OffsetFetchRequestTopic_fields);

static const struct kp_field OffsetFetchRequestTopics_fields[] = {
	/* Groups[].Topics[].Name: string [8+] */
	KP_FIELD(struct OffsetFetchRequestTopics, Name, KP_STRING, 8, KP_VMAX),
	/* Groups[].Topics[].PartitionIndexes: []int32 [8+] */
	KP_FIELD_ARRAY(struct OffsetFetchRequestTopics, PartitionIndexes, KP_INT32, 8, KP_VMAX, NULL),
};
static const struct kp_struct OffsetFetchRequestTopics_desc =
	KP_STRUCT_DESC(struct OffsetFetchRequestTopics, OffsetFetchRequestTopics_fields);

static const struct kp_field OffsetFetchRequestGroup_fields[] = {
	/* Groups[].GroupId: string [8+] */
	KP_FIELD(struct OffsetFetchRequestGroup, GroupId, KP_STRING, 8, KP_VMAX),
	/* Groups[].MemberId: string [9+] {null 9+; def null} */
	KP_FIELD_NULL(struct OffsetFetchRequestGroup, MemberId, KP_STRING, 9, KP_VMAX, 9, KP_VMAX, true),
	/* Groups[].MemberEpoch: int32 [9+] {def -1} */
	KP_FIELD_DEF(struct OffsetFetchRequestGroup, MemberEpoch, KP_INT32, 9, KP_VMAX, -1),
	/* Groups[].Topics: []OffsetFetchRequestTopics [8+] {null 8+} */
	KP_FIELD_ARRAY_NULL(struct OffsetFetchRequestGroup, Topics, KP_STRUCT, 8, KP_VMAX, 8, KP_VMAX,
			    false, &OffsetFetchRequestTopics_desc),
};
static const struct kp_struct OffsetFetchRequestGroup_desc =
	KP_STRUCT_DESC(struct OffsetFetchRequestGroup, OffsetFetchRequestGroup_fields);

static const struct kp_field OffsetFetchRequest_fields[] = {
	/* GroupId: string [0-7] */
	KP_FIELD(struct OffsetFetchRequest, GroupId, KP_STRING, 0, 7),
	/* Topics: []OffsetFetchRequestTopic [0-7] {null 2-7} */
	KP_FIELD_ARRAY_NULL(struct OffsetFetchRequest, Topics, KP_STRUCT, 0, 7, 2, 7, false,
			    &OffsetFetchRequestTopic_desc),
	/* Groups: []OffsetFetchRequestGroup [8+] */
	KP_FIELD_ARRAY(struct OffsetFetchRequest, Groups, KP_STRUCT, 8, KP_VMAX,
		       &OffsetFetchRequestGroup_desc),
	/* RequireStable: bool [7+] {def false} */
	KP_FIELD(struct OffsetFetchRequest, RequireStable, KP_BOOL, 7, KP_VMAX),
};
const struct kp_struct kp_OffsetFetchRequest =
	KP_STRUCT_DESC(struct OffsetFetchRequest, OffsetFetchRequest_fields);

static const struct kp_field OffsetFetchResponsePartition_fields[] = {
	/* Topics[].Partitions[].PartitionIndex: int32 [0-7] */
	KP_FIELD(struct OffsetFetchResponsePartition, PartitionIndex, KP_INT32, 0, 7),
	/* Topics[].Partitions[].CommittedOffset: int64 [0-7] */
	KP_FIELD(struct OffsetFetchResponsePartition, CommittedOffset, KP_INT64, 0, 7),
	/* Topics[].Partitions[].CommittedLeaderEpoch: int32 [5-7] {def -1} */
	KP_FIELD_DEF(struct OffsetFetchResponsePartition, CommittedLeaderEpoch, KP_INT32, 5, 7, -1),
	/* Topics[].Partitions[].Metadata: string [0-7] {null 0-7} */
	KP_FIELD_NULL(struct OffsetFetchResponsePartition, Metadata, KP_STRING, 0, 7, 0, 7, false),
	/* Topics[].Partitions[].ErrorCode: int16 [0-7] */
	KP_FIELD(struct OffsetFetchResponsePartition, ErrorCode, KP_INT16, 0, 7),
};
static const struct kp_struct OffsetFetchResponsePartition_desc =
	KP_STRUCT_DESC(struct OffsetFetchResponsePartition, OffsetFetchResponsePartition_fields);

static const struct kp_field OffsetFetchResponseTopic_fields[] = {
	/* Topics[].Name: string [0-7] */
	KP_FIELD(struct OffsetFetchResponseTopic, Name, KP_STRING, 0, 7),
	/* Topics[].Partitions: []OffsetFetchResponsePartition [0-7] */
	KP_FIELD_ARRAY(struct OffsetFetchResponseTopic, Partitions, KP_STRUCT, 0, 7,
		       &OffsetFetchResponsePartition_desc),
};
static const struct kp_struct OffsetFetchResponseTopic_desc =
	KP_STRUCT_DESC(struct OffsetFetchResponseTopic, OffsetFetchResponseTopic_fields);

static const struct kp_field OffsetFetchResponsePartitions_fields[] = {
	/* Groups[].Topics[].Partitions[].PartitionIndex: int32 [8+] */
	KP_FIELD(struct OffsetFetchResponsePartitions, PartitionIndex, KP_INT32, 8, KP_VMAX),
	/* Groups[].Topics[].Partitions[].CommittedOffset: int64 [8+] */
	KP_FIELD(struct OffsetFetchResponsePartitions, CommittedOffset, KP_INT64, 8, KP_VMAX),
	/* Groups[].Topics[].Partitions[].CommittedLeaderEpoch: int32 [8+] {def -1} */
	KP_FIELD_DEF(struct OffsetFetchResponsePartitions, CommittedLeaderEpoch, KP_INT32, 8, KP_VMAX, -1),
	/* Groups[].Topics[].Partitions[].Metadata: string [8+] {null 8+} */
	KP_FIELD_NULL(struct OffsetFetchResponsePartitions, Metadata, KP_STRING, 8, KP_VMAX, 8,
		      KP_VMAX, false),
	/* Groups[].Topics[].Partitions[].ErrorCode: int16 [8+] */
	KP_FIELD(struct OffsetFetchResponsePartitions, ErrorCode, KP_INT16, 8, KP_VMAX),
};
static const struct kp_struct OffsetFetchResponsePartitions_desc =
	KP_STRUCT_DESC(struct OffsetFetchResponsePartitions, OffsetFetchResponsePartitions_fields);

static const struct kp_field OffsetFetchResponseTopics_fields[] = {
	/* Groups[].Topics[].Name: string [8+] */
	KP_FIELD(struct OffsetFetchResponseTopics, Name, KP_STRING, 8, KP_VMAX),
	/* Groups[].Topics[].Partitions: []OffsetFetchResponsePartitions [8+] */
	KP_FIELD_ARRAY(struct OffsetFetchResponseTopics, Partitions, KP_STRUCT, 8, KP_VMAX,
		       &OffsetFetchResponsePartitions_desc),
};
static const struct kp_struct OffsetFetchResponseTopics_desc =
	KP_STRUCT_DESC(struct OffsetFetchResponseTopics, OffsetFetchResponseTopics_fields);

static const struct kp_field OffsetFetchResponseGroup_fields[] = {
	/* Groups[].GroupId: string [8+] */
	KP_FIELD(struct OffsetFetchResponseGroup, GroupId, KP_STRING, 8, KP_VMAX),
	/* Groups[].Topics: []OffsetFetchResponseTopics [8+] */
	KP_FIELD_ARRAY(struct OffsetFetchResponseGroup, Topics, KP_STRUCT, 8, KP_VMAX,
		       &OffsetFetchResponseTopics_desc),
	/* Groups[].ErrorCode: int16 [8+] {def 0} */
	KP_FIELD(struct OffsetFetchResponseGroup, ErrorCode, KP_INT16, 8, KP_VMAX),
};
static const struct kp_struct OffsetFetchResponseGroup_desc =
	KP_STRUCT_DESC(struct OffsetFetchResponseGroup, OffsetFetchResponseGroup_fields);

static const struct kp_field OffsetFetchResponse_fields[] = {
	/* ThrottleTimeMs: int32 [3+] */
	KP_FIELD(struct OffsetFetchResponse, ThrottleTimeMs, KP_INT32, 3, KP_VMAX),
	/* Topics: []OffsetFetchResponseTopic [0-7] */
	KP_FIELD_ARRAY(struct OffsetFetchResponse, Topics, KP_STRUCT, 0, 7,
		       &OffsetFetchResponseTopic_desc),
	/* ErrorCode: int16 [2-7] {def 0} */
	KP_FIELD(struct OffsetFetchResponse, ErrorCode, KP_INT16, 2, 7),
	/* Groups: []OffsetFetchResponseGroup [8+] */
	KP_FIELD_ARRAY(struct OffsetFetchResponse, Groups, KP_STRUCT, 8, KP_VMAX,
		       &OffsetFetchResponseGroup_desc),
};
const struct kp_struct kp_OffsetFetchResponse =
	KP_STRUCT_DESC(struct OffsetFetchResponse, OffsetFetchResponse_fields);

/* ---- DescribeGroups (key 15): valid 0-5, flexible 5+ -------------------------------------- */

static const struct kp_field DescribeGroupsRequest_fields[] = {
	/* Groups: []string [0+] */
	KP_FIELD_ARRAY(struct DescribeGroupsRequest, Groups, KP_STRING, 0, KP_VMAX, NULL),
	/* IncludeAuthorizedOperations: bool [3+] */
	KP_FIELD(struct DescribeGroupsRequest, IncludeAuthorizedOperations, KP_BOOL, 3, KP_VMAX),
};
const struct kp_struct kp_DescribeGroupsRequest =
	KP_STRUCT_DESC(struct DescribeGroupsRequest, DescribeGroupsRequest_fields);

static const struct kp_field DescribedGroupMember_fields[] = {
	/* Groups[].Members[].MemberId: string [0+] */
	KP_FIELD(struct DescribedGroupMember, MemberId, KP_STRING, 0, KP_VMAX),
	/* Groups[].Members[].GroupInstanceId: string [4+] {null 4+; def null} */
	KP_FIELD_NULL(struct DescribedGroupMember, GroupInstanceId, KP_STRING, 4, KP_VMAX, 4, KP_VMAX, true),
	/* Groups[].Members[].ClientId: string [0+] */
	KP_FIELD(struct DescribedGroupMember, ClientId, KP_STRING, 0, KP_VMAX),
	/* Groups[].Members[].ClientHost: string [0+] */
	KP_FIELD(struct DescribedGroupMember, ClientHost, KP_STRING, 0, KP_VMAX),
	/* Groups[].Members[].MemberMetadata: bytes [0+] */
	KP_FIELD(struct DescribedGroupMember, MemberMetadata, KP_BYTES, 0, KP_VMAX),
	/* Groups[].Members[].MemberAssignment: bytes [0+] */
	KP_FIELD(struct DescribedGroupMember, MemberAssignment, KP_BYTES, 0, KP_VMAX),
};
static const struct kp_struct DescribedGroupMember_desc =
	KP_STRUCT_DESC(struct DescribedGroupMember, DescribedGroupMember_fields);

static const struct kp_field DescribedGroup_fields[] = {
	/* Groups[].ErrorCode: int16 [0+] */
	KP_FIELD(struct DescribedGroup, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* Groups[].GroupId: string [0+] */
	KP_FIELD(struct DescribedGroup, GroupId, KP_STRING, 0, KP_VMAX),
	/* Groups[].GroupState: string [0+] */
	KP_FIELD(struct DescribedGroup, GroupState, KP_STRING, 0, KP_VMAX),
	/* Groups[].ProtocolType: string [0+] */
	KP_FIELD(struct DescribedGroup, ProtocolType, KP_STRING, 0, KP_VMAX),
	/* Groups[].ProtocolData: string [0+] */
	KP_FIELD(struct DescribedGroup, ProtocolData, KP_STRING, 0, KP_VMAX),
	/* Groups[].Members: []DescribedGroupMember [0+] */
	KP_FIELD_ARRAY(struct DescribedGroup, Members, KP_STRUCT, 0, KP_VMAX, &DescribedGroupMember_desc),
	/* Groups[].AuthorizedOperations: int32 [3+] {def -2147483648} */
	KP_FIELD_DEF(struct DescribedGroup, AuthorizedOperations, KP_INT32, 3, KP_VMAX, INT32_MIN),
};
static const struct kp_struct DescribedGroup_desc = KP_STRUCT_DESC(struct DescribedGroup, DescribedGroup_fields);

static const struct kp_field DescribeGroupsResponse_fields[] = {
	/* ThrottleTimeMs: int32 [1+] */
	KP_FIELD(struct DescribeGroupsResponse, ThrottleTimeMs, KP_INT32, 1, KP_VMAX),
	/* Groups: []DescribedGroup [0+] */
	KP_FIELD_ARRAY(struct DescribeGroupsResponse, Groups, KP_STRUCT, 0, KP_VMAX, &DescribedGroup_desc),
};
const struct kp_struct kp_DescribeGroupsResponse =
	KP_STRUCT_DESC(struct DescribeGroupsResponse, DescribeGroupsResponse_fields);

/* ---- ListGroups (key 16): valid 0-5, flexible 3+ ------------------------------------------ */

static const struct kp_field ListGroupsRequest_fields[] = {
	/* StatesFilter: []string [4+] */
	KP_FIELD_ARRAY(struct ListGroupsRequest, StatesFilter, KP_STRING, 4, KP_VMAX, NULL),
	/* TypesFilter: []string [5+] */
	KP_FIELD_ARRAY(struct ListGroupsRequest, TypesFilter, KP_STRING, 5, KP_VMAX, NULL),
};
const struct kp_struct kp_ListGroupsRequest =
	KP_STRUCT_DESC(struct ListGroupsRequest, ListGroupsRequest_fields);

static const struct kp_field ListedGroup_fields[] = {
	/* Groups[].GroupId: string [0+] */
	KP_FIELD(struct ListedGroup, GroupId, KP_STRING, 0, KP_VMAX),
	/* Groups[].ProtocolType: string [0+] */
	KP_FIELD(struct ListedGroup, ProtocolType, KP_STRING, 0, KP_VMAX),
	/* Groups[].GroupState: string [4+] */
	KP_FIELD(struct ListedGroup, GroupState, KP_STRING, 4, KP_VMAX),
	/* Groups[].GroupType: string [5+] */
	KP_FIELD(struct ListedGroup, GroupType, KP_STRING, 5, KP_VMAX),
};
static const struct kp_struct ListedGroup_desc = KP_STRUCT_DESC(struct ListedGroup, ListedGroup_fields);

static const struct kp_field ListGroupsResponse_fields[] = {
	/* ThrottleTimeMs: int32 [1+] */
	KP_FIELD(struct ListGroupsResponse, ThrottleTimeMs, KP_INT32, 1, KP_VMAX),
	/* ErrorCode: int16 [0+] */
	KP_FIELD(struct ListGroupsResponse, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* Groups: []ListedGroup [0+] */
	KP_FIELD_ARRAY(struct ListGroupsResponse, Groups, KP_STRUCT, 0, KP_VMAX, &ListedGroup_desc),
};
const struct kp_struct kp_ListGroupsResponse =
	KP_STRUCT_DESC(struct ListGroupsResponse, ListGroupsResponse_fields);

/* ---- DeleteGroups (key 42): valid 0-2, flexible 2+ ---------------------------------------- */

static const struct kp_field DeleteGroupsRequest_fields[] = {
	/* GroupsNames: []string [0+] */
	KP_FIELD_ARRAY(struct DeleteGroupsRequest, GroupsNames, KP_STRING, 0, KP_VMAX, NULL),
};
const struct kp_struct kp_DeleteGroupsRequest =
	KP_STRUCT_DESC(struct DeleteGroupsRequest, DeleteGroupsRequest_fields);

static const struct kp_field DeletableGroupResult_fields[] = {
	/* Results[].GroupId: string [0+] */
	KP_FIELD(struct DeletableGroupResult, GroupId, KP_STRING, 0, KP_VMAX),
	/* Results[].ErrorCode: int16 [0+] (ErrorMessage [3+] is past 3.9) */
	KP_FIELD(struct DeletableGroupResult, ErrorCode, KP_INT16, 0, KP_VMAX),
};
static const struct kp_struct DeletableGroupResult_desc =
	KP_STRUCT_DESC(struct DeletableGroupResult, DeletableGroupResult_fields);

static const struct kp_field DeleteGroupsResponse_fields[] = {
	/* ThrottleTimeMs: int32 [0+] */
	KP_FIELD(struct DeleteGroupsResponse, ThrottleTimeMs, KP_INT32, 0, KP_VMAX),
	/* Results: []DeletableGroupResult [0+] */
	KP_FIELD_ARRAY(struct DeleteGroupsResponse, Results, KP_STRUCT, 0, KP_VMAX,
		       &DeletableGroupResult_desc),
};
const struct kp_struct kp_DeleteGroupsResponse =
	KP_STRUCT_DESC(struct DeleteGroupsResponse, DeleteGroupsResponse_fields);

/* ---- OffsetDelete (key 47): valid 0, not flexible ----------------------------------------- */

static const struct kp_field OffsetDeleteRequestPartition_fields[] = {
	/* Topics[].Partitions[].PartitionIndex: int32 [0+] */
	KP_FIELD(struct OffsetDeleteRequestPartition, PartitionIndex, KP_INT32, 0, KP_VMAX),
};
static const struct kp_struct OffsetDeleteRequestPartition_desc =
	KP_STRUCT_DESC(struct OffsetDeleteRequestPartition, OffsetDeleteRequestPartition_fields);

static const struct kp_field OffsetDeleteRequestTopic_fields[] = {
	/* Topics[].Name: string [0+] */
	KP_FIELD(struct OffsetDeleteRequestTopic, Name, KP_STRING, 0, KP_VMAX),
	/* Topics[].Partitions: []OffsetDeleteRequestPartition [0+] */
	KP_FIELD_ARRAY(struct OffsetDeleteRequestTopic, Partitions, KP_STRUCT, 0, KP_VMAX,
		       &OffsetDeleteRequestPartition_desc),
};
static const struct kp_struct OffsetDeleteRequestTopic_desc =
	KP_STRUCT_DESC(struct OffsetDeleteRequestTopic, OffsetDeleteRequestTopic_fields);

static const struct kp_field OffsetDeleteRequest_fields[] = {
	/* GroupId: string [0+] */
	KP_FIELD(struct OffsetDeleteRequest, GroupId, KP_STRING, 0, KP_VMAX),
	/* Topics: []OffsetDeleteRequestTopic [0+] */
	KP_FIELD_ARRAY(struct OffsetDeleteRequest, Topics, KP_STRUCT, 0, KP_VMAX,
		       &OffsetDeleteRequestTopic_desc),
};
const struct kp_struct kp_OffsetDeleteRequest =
	KP_STRUCT_DESC(struct OffsetDeleteRequest, OffsetDeleteRequest_fields);

static const struct kp_field OffsetDeleteResponsePartition_fields[] = {
	/* Topics[].Partitions[].PartitionIndex: int32 [0+] */
	KP_FIELD(struct OffsetDeleteResponsePartition, PartitionIndex, KP_INT32, 0, KP_VMAX),
	/* Topics[].Partitions[].ErrorCode: int16 [0+] */
	KP_FIELD(struct OffsetDeleteResponsePartition, ErrorCode, KP_INT16, 0, KP_VMAX),
};
static const struct kp_struct OffsetDeleteResponsePartition_desc =
	KP_STRUCT_DESC(struct OffsetDeleteResponsePartition, OffsetDeleteResponsePartition_fields);

static const struct kp_field OffsetDeleteResponseTopic_fields[] = {
	/* Topics[].Name: string [0+] */
	KP_FIELD(struct OffsetDeleteResponseTopic, Name, KP_STRING, 0, KP_VMAX),
	/* Topics[].Partitions: []OffsetDeleteResponsePartition [0+] */
	KP_FIELD_ARRAY(struct OffsetDeleteResponseTopic, Partitions, KP_STRUCT, 0, KP_VMAX,
		       &OffsetDeleteResponsePartition_desc),
};
static const struct kp_struct OffsetDeleteResponseTopic_desc =
	KP_STRUCT_DESC(struct OffsetDeleteResponseTopic, OffsetDeleteResponseTopic_fields);

static const struct kp_field OffsetDeleteResponse_fields[] = {
	/* ErrorCode: int16 [0+] */
	KP_FIELD(struct OffsetDeleteResponse, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* ThrottleTimeMs: int32 [0+] */
	KP_FIELD(struct OffsetDeleteResponse, ThrottleTimeMs, KP_INT32, 0, KP_VMAX),
	/* Topics: []OffsetDeleteResponseTopic [0+] */
	KP_FIELD_ARRAY(struct OffsetDeleteResponse, Topics, KP_STRUCT, 0, KP_VMAX,
		       &OffsetDeleteResponseTopic_desc),
};
const struct kp_struct kp_OffsetDeleteResponse =
	KP_STRUCT_DESC(struct OffsetDeleteResponse, OffsetDeleteResponse_fields);
