/* test_codec_group.c — message-level tests of the consumer-group descriptor tables
 * (net/kp_msgs_group.c), in the manner of test_codec_admin.c: round trips for every version
 * the coordinator will serve (field-by-field checks against the schema's version rules,
 * byte-identical re-encoding, every truncated prefix refused), golden bytes derived by hand
 * from the schema, and descriptor sanity. The tables are not in the API table yet, so the
 * first flexible versions are given here. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "codec_harness.h"
#include "net/kp_msgs_group.h"

void suite_codec_group(void);

#define RT(desc, vmax, flexmin, in, check)                                                  \
	for (int16_t v = 0; v <= (vmax); v++)                                               \
	ch_roundtrip(&(desc), v, v >= (flexmin), &(in), (check))

static const struct kp_str NULLS = {NULL, -1};

/* ---- FindCoordinator 0-4 (flexible 3+) ---------------------------------------------------- */

static void check_fc_req(int16_t v, const void *in_, const void *out_)
{
	const struct FindCoordinatorRequest *a = in_, *b = out_;
	CK_STR(Key, v <= 3, STR_EMPTY);
	CK(KeyType, v >= 1, 0);
	CK_STRS(CoordinatorKeys, v >= 4);
}

static void ck_coord(int16_t v, const struct Coordinator *a, const struct Coordinator *b)
{
	(void)v;
	CK_STR(Key, true, STR_EMPTY);
	CK(NodeId, true, 0);
	CK_STR(Host, true, STR_EMPTY);
	CK(Port, true, 0);
	CK(ErrorCode, true, 0);
	CK_STR(ErrorMessage, true, STR_EMPTY);
}

static void check_fc_resp(int16_t v, const void *in_, const void *out_)
{
	const struct FindCoordinatorResponse *a = in_, *b = out_;
	CK(ThrottleTimeMs, v >= 1, 0);
	CK(ErrorCode, v <= 3, 0);
	CK_STR(ErrorMessage, v >= 1 && v <= 3, STR_EMPTY);
	CK(NodeId, v <= 3, 0);
	CK_STR(Host, v <= 3, STR_EMPTY);
	CK(Port, v <= 3, 0);
	CK_ARR(Coordinators, v >= 4, struct Coordinator, ck_coord);
}

static void test_find_coordinator(void)
{
	struct kp_str keys[] = {KP_STR_LIT("g1"), KP_STR_LIT("g2")};
	struct FindCoordinatorRequest rq = {KP_STR_LIT("grp"), 1, ARR(keys)};
	RT(kp_FindCoordinatorRequest, 4, 3, rq, check_fc_req);
	struct Coordinator co[] = {{KP_STR_LIT("g1"), 2, KP_STR_LIT("h"), 9092, 0, NULLS},
	                           {KP_STR_LIT("g2"), -1, KP_STR_LIT(""), -1, 15, KP_STR_LIT("x")}};
	struct FindCoordinatorResponse rs = {7, 15, NULLS, 3, KP_STR_LIT("host"), 9093, ARR(co)};
	RT(kp_FindCoordinatorResponse, 4, 3, rs, check_fc_resp);
}

/* ---- JoinGroup 0-9 (flexible 6+) ---------------------------------------------------------- */

static void ck_jgp(int16_t v, const struct JoinGroupRequestProtocol *a,
                   const struct JoinGroupRequestProtocol *b)
{
	(void)v;
	CK_STR(Name, true, STR_EMPTY);
	CK_BYTES(Metadata);
}

static void check_jg_req(int16_t v, const void *in_, const void *out_)
{
	const struct JoinGroupRequest *a = in_, *b = out_;
	CK_STR(GroupId, true, STR_EMPTY);
	CK(SessionTimeoutMs, true, 0);
	CK(RebalanceTimeoutMs, v >= 1, -1);
	CK_STR(MemberId, true, STR_EMPTY);
	CK_STR(GroupInstanceId, v >= 5, NULLS);
	CK_STR(ProtocolType, true, STR_EMPTY);
	CK_ARR(Protocols, true, struct JoinGroupRequestProtocol, ck_jgp);
	CK_STR(Reason, v >= 8, NULLS);
}

static void ck_jgm(int16_t v, const struct JoinGroupResponseMember *a,
                   const struct JoinGroupResponseMember *b)
{
	CK_STR(MemberId, true, STR_EMPTY);
	CK_STR(GroupInstanceId, v >= 5, NULLS);
	CK_BYTES(Metadata);
}

static void check_jg_resp(int16_t v, const void *in_, const void *out_)
{
	const struct JoinGroupResponse *a = in_, *b = out_;
	CK(ThrottleTimeMs, v >= 2, 0);
	CK(ErrorCode, true, 0);
	CK(GenerationId, true, -1);
	CK_STR(ProtocolType, v >= 7, NULLS);
	CK_STR(ProtocolName, true, STR_EMPTY);
	CK_STR(Leader, true, STR_EMPTY);
	CK(SkipAssignment, v >= 9, false);
	CK_STR(MemberId, true, STR_EMPTY);
	CK_ARR(Members, true, struct JoinGroupResponseMember, ck_jgm);
}

static void test_join_group(void)
{
	struct JoinGroupRequestProtocol p[] = {{KP_STR_LIT("range"), BYTES_LIT("\x00\x01meta")},
	                                       {KP_STR_LIT("roundrobin"), BYTES_LIT("")}};
	struct JoinGroupRequest rq = {KP_STR_LIT("g"), 45000, 300000, KP_STR_LIT("m-1"),
	                              KP_STR_LIT("i-1"), KP_STR_LIT("consumer"), ARR(p),
	                              KP_STR_LIT("rejoin")};
	RT(kp_JoinGroupRequest, 9, 6, rq, check_jg_req);
	rq.GroupInstanceId = NULLS;
	rq.Reason = NULLS;
	RT(kp_JoinGroupRequest, 9, 6, rq, check_jg_req);
	struct JoinGroupResponseMember m[] = {{KP_STR_LIT("m-1"), KP_STR_LIT("i-1"), BYTES_LIT("AB")},
	                                      {KP_STR_LIT("m-2"), NULLS, BYTES_LIT("")}};
	struct JoinGroupResponse rs = {5, 0, 3, KP_STR_LIT("consumer"), KP_STR_LIT("range"),
	                               KP_STR_LIT("m-1"), true, KP_STR_LIT("m-1"), ARR(m)};
	RT(kp_JoinGroupResponse, 9, 6, rs, check_jg_resp);
}

/* ---- Heartbeat 0-4 (flexible 4+), LeaveGroup 0-5 (flexible 4+) ------------------------- */

static void check_hb_req(int16_t v, const void *in_, const void *out_)
{
	const struct HeartbeatRequest *a = in_, *b = out_;
	CK_STR(GroupId, true, STR_EMPTY);
	CK(GenerationId, true, 0);
	CK_STR(MemberId, true, STR_EMPTY);
	CK_STR(GroupInstanceId, v >= 3, NULLS);
}

static void check_hb_resp(int16_t v, const void *in_, const void *out_)
{
	const struct HeartbeatResponse *a = in_, *b = out_;
	CK(ThrottleTimeMs, v >= 1, 0);
	CK(ErrorCode, true, 0);
}

static void ck_mi(int16_t v, const struct MemberIdentity *a, const struct MemberIdentity *b)
{
	CK_STR(MemberId, true, STR_EMPTY);
	CK_STR(GroupInstanceId, true, NULLS);
	CK_STR(Reason, v >= 5, NULLS);
}

static void check_lg_req(int16_t v, const void *in_, const void *out_)
{
	const struct LeaveGroupRequest *a = in_, *b = out_;
	CK_STR(GroupId, true, STR_EMPTY);
	CK_STR(MemberId, v <= 2, STR_EMPTY);
	CK_ARR(Members, v >= 3, struct MemberIdentity, ck_mi);
}

static void ck_mr(int16_t v, const struct MemberResponse *a, const struct MemberResponse *b)
{
	(void)v;
	CK_STR(MemberId, true, STR_EMPTY);
	CK_STR(GroupInstanceId, true, STR_EMPTY);
	CK(ErrorCode, true, 0);
}

static void check_lg_resp(int16_t v, const void *in_, const void *out_)
{
	const struct LeaveGroupResponse *a = in_, *b = out_;
	CK(ThrottleTimeMs, v >= 1, 0);
	CK(ErrorCode, true, 0);
	CK_ARR(Members, v >= 3, struct MemberResponse, ck_mr);
}

static void test_heartbeat_leave(void)
{
	struct HeartbeatRequest hq = {KP_STR_LIT("g"), 4, KP_STR_LIT("m"), KP_STR_LIT("i")};
	RT(kp_HeartbeatRequest, 4, 4, hq, check_hb_req);
	struct HeartbeatResponse hs = {9, 27};
	RT(kp_HeartbeatResponse, 4, 4, hs, check_hb_resp);
	struct MemberIdentity mi[] = {{KP_STR_LIT("m1"), NULLS, KP_STR_LIT("bye")},
	                              {KP_STR_LIT(""), KP_STR_LIT("i2"), NULLS}};
	struct LeaveGroupRequest lq = {KP_STR_LIT("g"), KP_STR_LIT("m0"), ARR(mi)};
	RT(kp_LeaveGroupRequest, 5, 4, lq, check_lg_req);
	struct MemberResponse mr[] = {{KP_STR_LIT("m1"), NULLS, 0}, {KP_STR_LIT(""), KP_STR_LIT("i2"), 25}};
	struct LeaveGroupResponse ls = {1, 0, ARR(mr)};
	RT(kp_LeaveGroupResponse, 5, 4, ls, check_lg_resp);
}

/* ---- SyncGroup 0-5 (flexible 4+) ---------------------------------------------------------- */

static void ck_sga(int16_t v, const struct SyncGroupRequestAssignment *a,
                   const struct SyncGroupRequestAssignment *b)
{
	(void)v;
	CK_STR(MemberId, true, STR_EMPTY);
	CK_BYTES(Assignment);
}

static void check_sg_req(int16_t v, const void *in_, const void *out_)
{
	const struct SyncGroupRequest *a = in_, *b = out_;
	CK_STR(GroupId, true, STR_EMPTY);
	CK(GenerationId, true, 0);
	CK_STR(MemberId, true, STR_EMPTY);
	CK_STR(GroupInstanceId, v >= 3, NULLS);
	CK_STR(ProtocolType, v >= 5, NULLS);
	CK_STR(ProtocolName, v >= 5, NULLS);
	CK_ARR(Assignments, true, struct SyncGroupRequestAssignment, ck_sga);
}

static void check_sg_resp(int16_t v, const void *in_, const void *out_)
{
	const struct SyncGroupResponse *a = in_, *b = out_;
	CK(ThrottleTimeMs, v >= 1, 0);
	CK(ErrorCode, true, 0);
	CK_STR(ProtocolType, v >= 5, NULLS);
	CK_STR(ProtocolName, v >= 5, NULLS);
	CK_BYTES(Assignment);
}

static void test_sync_group(void)
{
	struct SyncGroupRequestAssignment as[] = {{KP_STR_LIT("m1"), BYTES_LIT("\x00\x03xyz")},
	                                          {KP_STR_LIT("m2"), BYTES_LIT("")}};
	struct SyncGroupRequest rq = {KP_STR_LIT("g"), 2, KP_STR_LIT("m1"), NULLS,
	                              KP_STR_LIT("consumer"), KP_STR_LIT("range"), ARR(as)};
	RT(kp_SyncGroupRequest, 5, 4, rq, check_sg_req);
	struct SyncGroupResponse rs = {0, 0, KP_STR_LIT("consumer"), NULLS, BYTES_LIT("assign")};
	RT(kp_SyncGroupResponse, 5, 4, rs, check_sg_resp);
}

/* ---- OffsetCommit 0-8 (flexible 8+) ------------------------------------------------------- */

static void ck_ocp(int16_t v, const struct OffsetCommitRequestPartition *a,
                   const struct OffsetCommitRequestPartition *b)
{
	CK(PartitionIndex, true, 0);
	CK(CommittedOffset, true, 0);
	CK(CommittedLeaderEpoch, v >= 6, -1);
	CK(CommitTimestamp, v == 1, -1);
	CK_STR(CommittedMetadata, true, STR_EMPTY);
}

static void ck_oct(int16_t v, const struct OffsetCommitRequestTopic *a,
                   const struct OffsetCommitRequestTopic *b)
{
	CK_STR(Name, true, STR_EMPTY);
	CK_ARR(Partitions, true, struct OffsetCommitRequestPartition, ck_ocp);
}

static void check_oc_req(int16_t v, const void *in_, const void *out_)
{
	const struct OffsetCommitRequest *a = in_, *b = out_;
	CK_STR(GroupId, true, STR_EMPTY);
	CK(GenerationIdOrMemberEpoch, v >= 1, -1);
	CK_STR(MemberId, v >= 1, STR_EMPTY);
	CK_STR(GroupInstanceId, v >= 7, NULLS);
	CK(RetentionTimeMs, v >= 2 && v <= 4, -1);
	CK_ARR(Topics, true, struct OffsetCommitRequestTopic, ck_oct);
}

static void ck_ocrp(int16_t v, const struct OffsetCommitResponsePartition *a,
                    const struct OffsetCommitResponsePartition *b)
{
	(void)v;
	CK(PartitionIndex, true, 0);
	CK(ErrorCode, true, 0);
}

static void ck_ocrt(int16_t v, const struct OffsetCommitResponseTopic *a,
                    const struct OffsetCommitResponseTopic *b)
{
	CK_STR(Name, true, STR_EMPTY);
	CK_ARR(Partitions, true, struct OffsetCommitResponsePartition, ck_ocrp);
}

static void check_oc_resp(int16_t v, const void *in_, const void *out_)
{
	const struct OffsetCommitResponse *a = in_, *b = out_;
	CK(ThrottleTimeMs, v >= 3, 0);
	CK_ARR(Topics, true, struct OffsetCommitResponseTopic, ck_ocrt);
}

static void test_offset_commit(void)
{
	struct OffsetCommitRequestPartition p0[] = {{0, 100, 3, 1234, KP_STR_LIT("meta")},
	                                            {7, -1, -1, -1, NULLS}};
	struct OffsetCommitRequestTopic t[] = {{KP_STR_LIT("orders"), ARR(p0)},
	                                       {KP_STR_LIT("empty"), EMPTY_ARR}};
	struct OffsetCommitRequest rq = {KP_STR_LIT("g"), 5, KP_STR_LIT("m"), KP_STR_LIT("i"),
	                                 60000, ARR(t)};
	RT(kp_OffsetCommitRequest, 8, 8, rq, check_oc_req);
	struct OffsetCommitResponsePartition rp[] = {{0, 0}, {7, 12}};
	struct OffsetCommitResponseTopic rt[] = {{KP_STR_LIT("orders"), ARR(rp)}};
	struct OffsetCommitResponse rs = {3, ARR(rt)};
	RT(kp_OffsetCommitResponse, 8, 8, rs, check_oc_resp);
}

/* ---- OffsetFetch 0-8 (flexible 6+) -------------------------------------------------------- */

static void ck_oft(int16_t v, const struct OffsetFetchRequestTopic *a,
                   const struct OffsetFetchRequestTopic *b)
{
	(void)v;
	CK_STR(Name, true, STR_EMPTY);
	CK_I32S(PartitionIndexes, true);
}

static void ck_ofts(int16_t v, const struct OffsetFetchRequestTopics *a,
                    const struct OffsetFetchRequestTopics *b)
{
	(void)v;
	CK_STR(Name, true, STR_EMPTY);
	CK_I32S(PartitionIndexes, true);
}

static void ck_ofg(int16_t v, const struct OffsetFetchRequestGroup *a,
                   const struct OffsetFetchRequestGroup *b)
{
	CK_STR(GroupId, true, STR_EMPTY);
	CK_STR(MemberId, v >= 9, NULLS);
	CK(MemberEpoch, v >= 9, -1);
	CK_ARR(Topics, true, struct OffsetFetchRequestTopics, ck_ofts);
}

static void check_of_req(int16_t v, const void *in_, const void *out_)
{
	const struct OffsetFetchRequest *a = in_, *b = out_;
	CK_STR(GroupId, v <= 7, STR_EMPTY);
	CK_ARR(Topics, v <= 7, struct OffsetFetchRequestTopic, ck_oft);
	CK_ARR(Groups, v >= 8, struct OffsetFetchRequestGroup, ck_ofg);
	CK(RequireStable, v >= 7, false);
}

static void ck_ofrp(int16_t v, const struct OffsetFetchResponsePartition *a,
                    const struct OffsetFetchResponsePartition *b)
{
	CK(PartitionIndex, true, 0);
	CK(CommittedOffset, true, 0);
	CK(CommittedLeaderEpoch, v >= 5, -1);
	CK_STR(Metadata, true, STR_EMPTY);
	CK(ErrorCode, true, 0);
}

static void ck_ofrt(int16_t v, const struct OffsetFetchResponseTopic *a,
                    const struct OffsetFetchResponseTopic *b)
{
	CK_STR(Name, true, STR_EMPTY);
	CK_ARR(Partitions, true, struct OffsetFetchResponsePartition, ck_ofrp);
}

static void ck_ofrps(int16_t v, const struct OffsetFetchResponsePartitions *a,
                     const struct OffsetFetchResponsePartitions *b)
{
	(void)v;
	CK(PartitionIndex, true, 0);
	CK(CommittedOffset, true, 0);
	CK(CommittedLeaderEpoch, true, -1);
	CK_STR(Metadata, true, STR_EMPTY);
	CK(ErrorCode, true, 0);
}

static void ck_ofrts(int16_t v, const struct OffsetFetchResponseTopics *a,
                     const struct OffsetFetchResponseTopics *b)
{
	CK_STR(Name, true, STR_EMPTY);
	CK_ARR(Partitions, true, struct OffsetFetchResponsePartitions, ck_ofrps);
}

static void ck_ofrg(int16_t v, const struct OffsetFetchResponseGroup *a,
                    const struct OffsetFetchResponseGroup *b)
{
	CK_STR(GroupId, true, STR_EMPTY);
	CK_ARR(Topics, true, struct OffsetFetchResponseTopics, ck_ofrts);
	CK(ErrorCode, true, 0);
}

static void check_of_resp(int16_t v, const void *in_, const void *out_)
{
	const struct OffsetFetchResponse *a = in_, *b = out_;
	CK(ThrottleTimeMs, v >= 3, 0);
	CK_ARR(Topics, v <= 7, struct OffsetFetchResponseTopic, ck_ofrt);
	CK(ErrorCode, v >= 2 && v <= 7, 0);
	CK_ARR(Groups, v >= 8, struct OffsetFetchResponseGroup, ck_ofrg);
}

static void test_offset_fetch(void)
{
	int32_t parts[] = {0, 1, 5};
	struct OffsetFetchRequestTopic t[] = {{KP_STR_LIT("orders"), ARR(parts)}};
	struct OffsetFetchRequestTopics ts[] = {{KP_STR_LIT("orders"), ARR(parts)}};
	struct OffsetFetchRequestGroup g[] = {{KP_STR_LIT("g1"), NULLS, -1, ARR(ts)},
	                                      {KP_STR_LIT("g2"), NULLS, -1, NULL_ARR}};
	struct OffsetFetchRequest rq = {KP_STR_LIT("g"), ARR(t), ARR(g), true};
	RT(kp_OffsetFetchRequest, 8, 6, rq, check_of_req);
	rq.Topics = NULL_ARR; /* all partitions: nullable from v2 */
	for (int16_t v = 2; v <= 8; v++)
		ch_roundtrip(&kp_OffsetFetchRequest, v, v >= 6, &rq, check_of_req);
	struct OffsetFetchResponsePartition p[] = {{0, 42, 3, KP_STR_LIT("m"), 0}, {1, -1, -1, NULLS, 0}};
	struct OffsetFetchResponseTopic rt[] = {{KP_STR_LIT("orders"), ARR(p)}};
	struct OffsetFetchResponsePartitions ps[] = {{0, 42, 3, KP_STR_LIT(""), 0}};
	struct OffsetFetchResponseTopics rts[] = {{KP_STR_LIT("orders"), ARR(ps)}};
	struct OffsetFetchResponseGroup rg[] = {{KP_STR_LIT("g1"), ARR(rts), 0},
	                                        {KP_STR_LIT("g2"), EMPTY_ARR, 16}};
	struct OffsetFetchResponse rs = {2, ARR(rt), 14, ARR(rg)};
	RT(kp_OffsetFetchResponse, 8, 6, rs, check_of_resp);
}

/* ---- DescribeGroups 0-5 (flexible 5+), ListGroups 0-4 (flexible 3+) ---------------------- */

static void check_dg_req(int16_t v, const void *in_, const void *out_)
{
	const struct DescribeGroupsRequest *a = in_, *b = out_;
	CK_STRS(Groups, true);
	CK(IncludeAuthorizedOperations, v >= 3, false);
}

static void ck_dgm(int16_t v, const struct DescribedGroupMember *a, const struct DescribedGroupMember *b)
{
	CK_STR(MemberId, true, STR_EMPTY);
	CK_STR(GroupInstanceId, v >= 4, NULLS);
	CK_STR(ClientId, true, STR_EMPTY);
	CK_STR(ClientHost, true, STR_EMPTY);
	CK_BYTES(MemberMetadata);
	CK_BYTES(MemberAssignment);
}

static void ck_dg(int16_t v, const struct DescribedGroup *a, const struct DescribedGroup *b)
{
	CK(ErrorCode, true, 0);
	CK_STR(GroupId, true, STR_EMPTY);
	CK_STR(GroupState, true, STR_EMPTY);
	CK_STR(ProtocolType, true, STR_EMPTY);
	CK_STR(ProtocolData, true, STR_EMPTY);
	CK_ARR(Members, true, struct DescribedGroupMember, ck_dgm);
	CK(AuthorizedOperations, v >= 3, INT32_MIN);
}

static void check_dg_resp(int16_t v, const void *in_, const void *out_)
{
	const struct DescribeGroupsResponse *a = in_, *b = out_;
	CK(ThrottleTimeMs, v >= 1, 0);
	CK_ARR(Groups, true, struct DescribedGroup, ck_dg);
}

static void check_lsg_req(int16_t v, const void *in_, const void *out_)
{
	const struct ListGroupsRequest *a = in_, *b = out_;
	CK_STRS(StatesFilter, v >= 4);
	CK_STRS(TypesFilter, v >= 5);
}

static void ck_lg(int16_t v, const struct ListedGroup *a, const struct ListedGroup *b)
{
	CK_STR(GroupId, true, STR_EMPTY);
	CK_STR(ProtocolType, true, STR_EMPTY);
	CK_STR(GroupState, v >= 4, STR_EMPTY);
	CK_STR(GroupType, v >= 5, STR_EMPTY);
}

static void check_lsg_resp(int16_t v, const void *in_, const void *out_)
{
	const struct ListGroupsResponse *a = in_, *b = out_;
	CK(ThrottleTimeMs, v >= 1, 0);
	CK(ErrorCode, true, 0);
	CK_ARR(Groups, true, struct ListedGroup, ck_lg);
}

static void test_describe_list(void)
{
	struct kp_str names[] = {KP_STR_LIT("g1"), KP_STR_LIT("")};
	struct DescribeGroupsRequest dq = {ARR(names), true};
	RT(kp_DescribeGroupsRequest, 5, 5, dq, check_dg_req);
	struct DescribedGroupMember m[] = {
		{KP_STR_LIT("m1"), KP_STR_LIT("i1"), KP_STR_LIT("c"), KP_STR_LIT("/1.2.3.4"),
		 BYTES_LIT("\x00\x00sub"), BYTES_LIT("\x00\x00asg")},
		{KP_STR_LIT("m2"), NULLS, KP_STR_LIT("c2"), KP_STR_LIT("/h"), BYTES_LIT(""), BYTES_LIT("")}};
	struct DescribedGroup g[] = {
		{0, KP_STR_LIT("g1"), KP_STR_LIT("Stable"), KP_STR_LIT("consumer"), KP_STR_LIT("range"),
		 ARR(m), 0x1fc},
		{0, KP_STR_LIT(""), KP_STR_LIT("Dead"), KP_STR_LIT(""), KP_STR_LIT(""), EMPTY_ARR, INT32_MIN}};
	struct DescribeGroupsResponse ds = {4, ARR(g)};
	RT(kp_DescribeGroupsResponse, 5, 5, ds, check_dg_resp);
	struct kp_str states[] = {KP_STR_LIT("Stable"), KP_STR_LIT("Empty")};
	struct ListGroupsRequest lq = {ARR(states), EMPTY_ARR};
	RT(kp_ListGroupsRequest, 4, 3, lq, check_lsg_req);
	struct ListedGroup lg[] = {{KP_STR_LIT("g1"), KP_STR_LIT("consumer"), KP_STR_LIT("Stable"), STR_EMPTY},
	                           {KP_STR_LIT("c"), KP_STR_LIT("connect"), KP_STR_LIT("Empty"), STR_EMPTY}};
	struct ListGroupsResponse ls = {0, 0, ARR(lg)};
	RT(kp_ListGroupsResponse, 4, 3, ls, check_lsg_resp);
}

/* ---- DeleteGroups 0-2 (flexible 2+), OffsetDelete 0 ------------------------------------- */

static void check_dlg_req(int16_t v, const void *in_, const void *out_)
{
	const struct DeleteGroupsRequest *a = in_, *b = out_;
	(void)v;
	CK_STRS(GroupsNames, true);
}

static void ck_dgr(int16_t v, const struct DeletableGroupResult *a, const struct DeletableGroupResult *b)
{
	(void)v;
	CK_STR(GroupId, true, STR_EMPTY);
	CK(ErrorCode, true, 0);
}

static void check_dlg_resp(int16_t v, const void *in_, const void *out_)
{
	const struct DeleteGroupsResponse *a = in_, *b = out_;
	(void)v;
	CK(ThrottleTimeMs, true, 0);
	CK_ARR(Results, true, struct DeletableGroupResult, ck_dgr);
}

static void ck_odp(int16_t v, const struct OffsetDeleteRequestPartition *a,
                   const struct OffsetDeleteRequestPartition *b)
{
	(void)v;
	CK(PartitionIndex, true, 0);
}

static void ck_odt(int16_t v, const struct OffsetDeleteRequestTopic *a,
                   const struct OffsetDeleteRequestTopic *b)
{
	CK_STR(Name, true, STR_EMPTY);
	CK_ARR(Partitions, true, struct OffsetDeleteRequestPartition, ck_odp);
}

static void check_od_req(int16_t v, const void *in_, const void *out_)
{
	const struct OffsetDeleteRequest *a = in_, *b = out_;
	CK_STR(GroupId, true, STR_EMPTY);
	CK_ARR(Topics, true, struct OffsetDeleteRequestTopic, ck_odt);
}

static void ck_odrp(int16_t v, const struct OffsetDeleteResponsePartition *a,
                    const struct OffsetDeleteResponsePartition *b)
{
	(void)v;
	CK(PartitionIndex, true, 0);
	CK(ErrorCode, true, 0);
}

static void ck_odrt(int16_t v, const struct OffsetDeleteResponseTopic *a,
                    const struct OffsetDeleteResponseTopic *b)
{
	CK_STR(Name, true, STR_EMPTY);
	CK_ARR(Partitions, true, struct OffsetDeleteResponsePartition, ck_odrp);
}

static void check_od_resp(int16_t v, const void *in_, const void *out_)
{
	const struct OffsetDeleteResponse *a = in_, *b = out_;
	CK(ErrorCode, true, 0);
	CK(ThrottleTimeMs, true, 0);
	CK_ARR(Topics, true, struct OffsetDeleteResponseTopic, ck_odrt);
}

static void test_delete_groups_offset_delete(void)
{
	struct kp_str names[] = {KP_STR_LIT("g1"), KP_STR_LIT("g2")};
	struct DeleteGroupsRequest dq = {ARR(names)};
	RT(kp_DeleteGroupsRequest, 2, 2, dq, check_dlg_req);
	struct DeletableGroupResult r[] = {{KP_STR_LIT("g1"), 0}, {KP_STR_LIT("g2"), 68}};
	struct DeleteGroupsResponse ds = {1, ARR(r)};
	RT(kp_DeleteGroupsResponse, 2, 2, ds, check_dlg_resp);
	struct OffsetDeleteRequestPartition p[] = {{0}, {3}};
	struct OffsetDeleteRequestTopic t[] = {{KP_STR_LIT("t"), ARR(p)}};
	struct OffsetDeleteRequest oq = {KP_STR_LIT("g"), ARR(t)};
	ch_roundtrip(&kp_OffsetDeleteRequest, 0, false, &oq, check_od_req);
	struct OffsetDeleteResponsePartition rp[] = {{0, 0}, {3, 86}};
	struct OffsetDeleteResponseTopic rt[] = {{KP_STR_LIT("t"), ARR(rp)}};
	struct OffsetDeleteResponse os = {0, 5, ARR(rt)};
	ch_roundtrip(&kp_OffsetDeleteResponse, 0, false, &os, check_od_resp);
}

/* ---- Golden bytes ------------------------------------------------------------------------- */

/* JoinGroupRequest v0 (classic): GroupId STRING, SessionTimeoutMs INT32, MemberId STRING,
 * ProtocolType STRING, Protocols ARRAY(int32 count){Name STRING, Metadata BYTES(int32 len)}. */
static void test_golden_join_v0_and_v6(void)
{
	static const uint8_t v0[] = {
		0x00, 0x01, 'g',                 /* GroupId "g" */
		0x00, 0x00, 0x75, 0x30,          /* SessionTimeoutMs 30000 */
		0x00, 0x00,                      /* MemberId "" */
		0x00, 0x08, 'c', 'o', 'n', 's', 'u', 'm', 'e', 'r', /* ProtocolType */
		0x00, 0x00, 0x00, 0x01,          /* Protocols: 1 */
		0x00, 0x05, 'r', 'a', 'n', 'g', 'e',
		0x00, 0x00, 0x00, 0x01, 'M',     /* Metadata "M" */
	};
	/* v6 (flexible): compact strings/bytes/arrays (length + 1), RebalanceTimeoutMs [1+],
	 * GroupInstanceId [5+] null (0x00), a tag section after each struct. */
	static const uint8_t v6[] = {
		0x02, 'g',
		0x00, 0x00, 0x75, 0x30,          /* SessionTimeoutMs 30000 */
		0x00, 0x04, 0x93, 0xe0,          /* RebalanceTimeoutMs 300000 */
		0x01,                            /* MemberId "" */
		0x00,                            /* GroupInstanceId null */
		0x09, 'c', 'o', 'n', 's', 'u', 'm', 'e', 'r',
		0x02,                            /* Protocols: 1 */
		0x06, 'r', 'a', 'n', 'g', 'e',
		0x02, 'M',
		0x00,                            /* protocol tags */
		0x00,                            /* tags */
	};
	struct JoinGroupRequestProtocol p = {KP_STR_LIT("range"), BYTES_LIT("M")};
	struct JoinGroupRequest in = {KP_STR_LIT("g"), 30000, 300000, KP_STR_LIT(""), NULLS,
	                              KP_STR_LIT("consumer"), {&p, 1}, NULLS}, out;
	struct arena a;
	arena_init(&a, ARENA_MAX);
	in.RebalanceTimeoutMs = -1; /* v0 has none: the default comes back */
	ch_golden(&kp_JoinGroupRequest, 0, false, &in, v0, sizeof(v0), &a, &out);
	CU_ASSERT_EQUAL(out.RebalanceTimeoutMs, -1);
	in.RebalanceTimeoutMs = 300000;
	ch_golden(&kp_JoinGroupRequest, 6, true, &in, v6, sizeof(v6), &a, &out);
	CU_ASSERT_EQUAL(out.GroupInstanceId.len, -1);
	arena_destroy(&a);
}

/* OffsetCommitRequest v2: GroupId, GenerationId, MemberId, RetentionTimeMs INT64,
 * Topics[Name, Partitions[PartitionIndex, CommittedOffset INT64, CommittedMetadata]]. */
static void test_golden_offset_commit_v2(void)
{
	static const uint8_t v2[] = {
		0x00, 0x01, 'g',
		0x00, 0x00, 0x00, 0x03,                         /* generation 3 */
		0x00, 0x01, 'm',
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* RetentionTimeMs -1 */
		0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 't',
		0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02,                         /* partition 2 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, /* offset 42 */
		0xff, 0xff,                                     /* metadata null */
	};
	struct OffsetCommitRequestPartition p = {2, 42, 9, -1, NULLS};
	struct OffsetCommitRequestTopic t = {KP_STR_LIT("t"), {&p, 1}};
	struct OffsetCommitRequest in = {KP_STR_LIT("g"), 3, KP_STR_LIT("m"), NULLS, -1, {&t, 1}}, out;
	struct arena a;
	arena_init(&a, ARENA_MAX);
	p.CommittedLeaderEpoch = -1;
	ch_golden(&kp_OffsetCommitRequest, 2, false, &in, v2, sizeof(v2), &a, &out);
	arena_destroy(&a);
}

static void test_desc_sanity(void)
{
	const struct kp_struct *all[] = {
		&kp_FindCoordinatorRequest, &kp_FindCoordinatorResponse, &kp_JoinGroupRequest,
		&kp_JoinGroupResponse, &kp_SyncGroupRequest, &kp_SyncGroupResponse,
		&kp_HeartbeatRequest, &kp_HeartbeatResponse, &kp_LeaveGroupRequest,
		&kp_LeaveGroupResponse, &kp_OffsetCommitRequest, &kp_OffsetCommitResponse,
		&kp_OffsetFetchRequest, &kp_OffsetFetchResponse, &kp_DescribeGroupsRequest,
		&kp_DescribeGroupsResponse, &kp_ListGroupsRequest, &kp_ListGroupsResponse,
		&kp_DeleteGroupsRequest, &kp_DeleteGroupsResponse, &kp_OffsetDeleteRequest,
		&kp_OffsetDeleteResponse};
	for (size_t i = 0; i < KB_ARRAY_LEN(all); i++)
		ch_check_desc(all[i], 0);
	/* A hostile array count is refused before allocation. */
	static const uint8_t huge[] = {0x7f, 0xff, 0xff, 0xff};
	CU_ASSERT_EQUAL(ch_decode_err(&kp_DeleteGroupsRequest, 0, false, huge, sizeof(huge), ARENA_MAX),
	                KP_ERR_LIMIT);
}

void suite_codec_group(void)
{
	CU_pSuite s = CU_add_suite("codec_group", NULL, NULL);
	CU_add_test(s, "FindCoordinator v0-4 round trip", test_find_coordinator);
	CU_add_test(s, "JoinGroup v0-9 round trip", test_join_group);
	CU_add_test(s, "Heartbeat v0-4, LeaveGroup v0-5 round trip", test_heartbeat_leave);
	CU_add_test(s, "SyncGroup v0-5 round trip", test_sync_group);
	CU_add_test(s, "OffsetCommit v0-8 round trip", test_offset_commit);
	CU_add_test(s, "OffsetFetch v0-8 round trip", test_offset_fetch);
	CU_add_test(s, "DescribeGroups v0-5, ListGroups v0-4 round trip", test_describe_list);
	CU_add_test(s, "DeleteGroups v0-2, OffsetDelete v0 round trip", test_delete_groups_offset_delete);
	CU_add_test(s, "golden JoinGroupRequest v0 and v6", test_golden_join_v0_and_v6);
	CU_add_test(s, "golden OffsetCommitRequest v2", test_golden_offset_commit_v2);
	CU_add_test(s, "descriptor sanity, hostile count", test_desc_sanity);
}
