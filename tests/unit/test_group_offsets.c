/* test_group_offsets.c — offsets in the group state machine: OffsetCommit checks and
 * acks=all, OffsetFetch, expiry, DeleteGroups / OffsetDelete, and replay of the records. */
#include "group_harness.h"

#include "../../common/kerr.h"

#include <string.h>

#define S(x) kp_str_c(x)

static void test_commit_and_fetch(void)
{
	gt_setup();
	char ida[160], idb[160];
	gt_two_stable(ida, idb);
	int pend;
	CU_ASSERT_EQUAL(gt_commit1(1, "g", ida, 9, "t", 0, 5, "m", &pend), KERR_ILLEGAL_GENERATION);
	CU_ASSERT_EQUAL(pend, 0);
	CU_ASSERT_EQUAL(gt_commit1(2, "g", "zz", 1, "t", 0, 5, "m", &pend), KERR_UNKNOWN_MEMBER_ID);
	CU_ASSERT_EQUAL(gt_commit1(3, "g", "", -1, "t", 0, 5, "m", &pend), KERR_UNKNOWN_MEMBER_ID);
	CU_ASSERT_EQUAL(gt_commit1(4, "nog", "", 3, "t", 0, 5, "m", &pend), KERR_ILLEGAL_GENERATION);
	CU_ASSERT_EQUAL(gt_commit1(5, "g", ida, 1, "t", 0, 42, "meta", &pend), KERR_NONE);
	CU_ASSERT_EQUAL(pend, 1);
	struct group_offset o;
	CU_ASSERT_FALSE(group_offset_get(GF.c, S("g"), S("t"), 0, &o)); /* not before acks=all */
	CU_ASSERT_EQUAL(o.offset, -1);
	fx_ack(&GF, KERR_NONE);
	CU_ASSERT_EQUAL(fx_commit_of(&GF, 5), KERR_NONE);
	CU_ASSERT_TRUE_FATAL(group_offset_get(GF.c, S("g"), S("t"), 0, &o));
	CU_ASSERT_EQUAL(o.offset, 42);
	CU_ASSERT_EQUAL(o.leader_epoch, 7);
	CU_ASSERT(kp_str_eq_c(o.metadata, "meta"));
	CU_ASSERT_EQUAL(o.commit_timestamp, GF.now);
	/* A failed append stores nothing and answers the mapped error. */
	CU_ASSERT_EQUAL(gt_commit1(6, "g", ida, 1, "t", 0, 50, "", &pend), KERR_NONE);
	fx_ack(&GF, KERR_NOT_LEADER_OR_FOLLOWER);
	CU_ASSERT_EQUAL(fx_commit_of(&GF, 6), KERR_NOT_COORDINATOR);
	group_offset_get(GF.c, S("g"), S("t"), 0, &o);
	CU_ASSERT_EQUAL(o.offset, 42);
	GF.append_fail = KERR_NOT_ENOUGH_REPLICAS; /* refused at once */
	CU_ASSERT_EQUAL(gt_commit1(7, "g", ida, 1, "t", 1, 50, "", &pend), KERR_COORDINATOR_NOT_AVAILABLE);
	CU_ASSERT_EQUAL(pend, 0);
	GF.append_fail = 0;
	CU_ASSERT_FALSE(group_offset_get(GF.c, S("g"), S("t"), 1, &o));
	/* Metadata over offset.metadata.max.bytes fails that partition only. */
	char big[4098];
	memset(big, 'x', 4097);
	big[4097] = 0;
	struct group_commit_part ps[2] = {{S("t"), 2, 1, -1, S(big), -1}, {S("t"), 3, 2, -1, KP_STR_NULL, -1}};
	struct group_commit_req r = {S("g"), S(idb), KP_STR_NULL, 1, -1, 2, ps};
	int16_t errs[2];
	CU_ASSERT_EQUAL(group_commit(GF.c, &r, errs, (void *)8), 1);
	CU_ASSERT_EQUAL(errs[0], KERR_OFFSET_METADATA_TOO_LARGE);
	CU_ASSERT_EQUAL(errs[1], KERR_NONE);
	fx_ack(&GF, KERR_NONE);
	CU_ASSERT_TRUE(group_offset_get(GF.c, S("g"), S("t"), 3, &o));
	CU_ASSERT(kp_str_eq_c(o.metadata, "")); /* null metadata is stored as "" */
	CU_ASSERT_FALSE(group_offset_get(GF.c, S("g"), S("t"), 2, &o));
	/* CompletingRebalance refuses commits. */
	gt_join(9, "g", ida, "range");
	gt_join(10, "g", idb, "range");
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_COMPLETING_REBALANCE);
	CU_ASSERT_EQUAL(gt_commit1(11, "g", ida, 2, "t", 0, 60, "", &pend), KERR_REBALANCE_IN_PROGRESS);
	/* A simple consumer: generation -1, no member, unknown group. */
	CU_ASSERT_EQUAL(gt_commit1(12, "simple", "", -1, "u", 4, 9, "", &pend), KERR_NONE);
	fx_ack(&GF, KERR_NONE);
	CU_ASSERT_TRUE(group_offset_get(GF.c, S("simple"), S("u"), 4, &o));
	CU_ASSERT_EQUAL(gt_state("simple"), GROUP_EMPTY);
	fx_fini(&GF);
}

static void count_cb(void *arg, const struct group_offset *o)
{
	*(int64_t *)arg += o->offset;
}

static void test_expiry(void)
{
	gt_setup();
	int pend;
	gt_commit1(1, "simple", "", -1, "u", 0, 10, "", &pend);
	gt_commit1(2, "simple", "", -1, "u", 1, 20, "", &pend);
	fx_ack(&GF, KERR_NONE);
	int64_t sum = 0;
	CU_ASSERT_EQUAL(group_offset_foreach(GF.c, S("simple"), count_cb, &sum), 2);
	CU_ASSERT_EQUAL(sum, 30);
	GF.now += GF.cfg.offsets_retention_ms - 1;
	gt_commit1(3, "simple", "", -1, "u", 1, 21, "", &pend); /* refreshed */
	fx_ack(&GF, KERR_NONE);
	CU_ASSERT_EQUAL(group_expire_offsets(GF.c), 0);
	GF.now += 1;
	CU_ASSERT_EQUAL(group_expire_offsets(GF.c), 1);
	fx_ack(&GF, KERR_NONE);
	CU_ASSERT_EQUAL(GF.log[GF.nlog - 1].value == NULL, true); /* a tombstone */
	CU_ASSERT_EQUAL(gt_state("simple"), GROUP_EMPTY);
	GF.now += GF.cfg.offsets_retention_ms;
	CU_ASSERT_EQUAL(group_expire_offsets(GF.c), 1);
	CU_ASSERT_EQUAL(gt_state("simple"), GROUP_DEAD); /* no offsets left: removed */
	/* A consumer group keeps offsets while it has members; once Empty, retention counts
	 * from the moment it became Empty. */
	const char *id = gt_stable_one("g", 10);
	char mid[160];
	strcpy(mid, id);
	gt_commit1(20, "g", mid, 1, "t", 0, 5, "", &pend);
	fx_ack(&GF, KERR_NONE);
	GF.now += GF.cfg.offsets_retention_ms * 2;
	group_heartbeat(GF.c, S("g"), 1, S(mid), KP_STR_NULL);
	CU_ASSERT_EQUAL(group_expire_offsets(GF.c), 0); /* Stable and subscription unknown ("M") */
	struct group_leave_member lm = {S(mid), KP_STR_NULL, KP_STR_NULL, -1};
	group_leave(GF.c, S("g"), &lm, 1);
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_EMPTY);
	GF.now += GF.cfg.offsets_retention_ms - 1;
	CU_ASSERT_EQUAL(group_expire_offsets(GF.c), 0);
	GF.now += 1;
	fx_ack(&GF, KERR_NONE);
	int before = GF.nlog;
	CU_ASSERT_EQUAL(group_expire_offsets(GF.c), 1);
	fx_ack(&GF, KERR_NONE);
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_DEAD);
	CU_ASSERT_EQUAL(GF.nlog, before + 2); /* the offset's and the group's tombstones */
	fx_fini(&GF);
}

/* A ConsumerProtocolSubscription v0 for one topic. */
static const char SUB_T1[] = "\x00\x00" "\x00\x00\x00\x01" "\x00\x02" "t1" "\xff\xff\xff\xff";

static void test_delete_group_and_offsets(void)
{
	gt_setup();
	struct group_protocol p = {S("range"), {(const uint8_t *)SUB_T1, sizeof(SUB_T1) - 1, NULL}};
	struct group_join_req r = {.group_id = S("g"), .member_id = S(""), .instance_id = KP_STR_NULL,
	                           .client_id = S("c"), .client_host = S("h"),
	                           .session_timeout_ms = 10000, .rebalance_timeout_ms = 10000,
	                           .protocol_type = S("consumer"), .nprotocols = 1, .protocols = &p};
	group_join(GF.c, &r, (void *)1);
	gt_adv(3000);
	char id[160];
	strcpy(id, fx_join_of(&GF, 1)->member_id);
	gt_sync2(2, "g", id, 1, id, "A", NULL, NULL);
	fx_ack(&GF, KERR_NONE);
	int pend;
	gt_commit1(3, "g", id, 1, "t1", 0, 5, "", &pend);
	gt_commit1(4, "g", id, 1, "t2", 0, 6, "", &pend);
	fx_ack(&GF, KERR_NONE);
	CU_ASSERT_EQUAL(group_delete(GF.c, S("g")), KERR_NON_EMPTY_GROUP);
	CU_ASSERT_EQUAL(group_delete(GF.c, S("nog")), KERR_GROUP_ID_NOT_FOUND);
	struct group_offset_delete_part d[2] = {{S("t1"), 0, -1}, {S("t2"), 0, -1}};
	CU_ASSERT_EQUAL(group_offset_delete(GF.c, S("g"), d, 2), KERR_NONE);
	CU_ASSERT_EQUAL(d[0].error, KERR_GROUP_SUBSCRIBED_TO_TOPIC);
	CU_ASSERT_EQUAL(d[1].error, KERR_NONE);
	struct group_offset o;
	CU_ASSERT_TRUE(group_offset_get(GF.c, S("g"), S("t1"), 0, &o));
	CU_ASSERT_FALSE(group_offset_get(GF.c, S("g"), S("t2"), 0, &o));
	CU_ASSERT_EQUAL(group_offset_delete(GF.c, S("nog"), d, 1), KERR_GROUP_ID_NOT_FOUND);
	struct group_leave_member lm = {S(id), KP_STR_NULL, KP_STR_NULL, -1};
	group_leave(GF.c, S("g"), &lm, 1);
	gt_adv(10000);
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_EMPTY);
	fx_ack(&GF, KERR_NONE);
	int before = GF.nlog;
	CU_ASSERT_EQUAL(group_delete(GF.c, S("g")), KERR_NONE);
	fx_ack(&GF, KERR_NONE);
	CU_ASSERT_EQUAL(GF.nlog, before + 2);
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_DEAD);
	CU_ASSERT_EQUAL(group_delete(GF.c, S("g")), KERR_GROUP_ID_NOT_FOUND);
	fx_fini(&GF);
}

/* ---- Replay --------------------------------------------------------------------------- */

static void test_replay(void)
{
	gt_setup();
	char ida[160], idb[160];
	gt_two_stable(ida, idb);
	int pend;
	gt_commit1(1, "g", ida, 1, "t", 0, 42, "m", &pend);
	gt_commit1(2, "g", idb, 1, "t", 1, 43, "", &pend);
	gt_commit1(3, "g", ida, 1, "t", 0, 44, "m2", &pend); /* the last value wins */
	gt_commit1(4, "simple", "", -1, "u", 4, 9, "", &pend);
	gt_commit1(5, "simple", "", -1, "u", 5, 10, "", &pend);
	gt_commit1(6, "gone", "", -1, "v", 0, 1, "", &pend);
	fx_ack(&GF, KERR_NONE);
	struct group_offset_delete_part d = {S("u"), 5, -1};
	CU_ASSERT_EQUAL(group_offset_delete(GF.c, S("simple"), &d, 1), KERR_NONE);
	CU_ASSERT_EQUAL(group_delete(GF.c, S("gone")), KERR_NONE);
	fx_ack(&GF, KERR_NONE);

	struct group_coord *c2 = fx_new_coord(&GF);
	for (int i = 0; i < GF.nlog; i++)
		CU_ASSERT_EQUAL(group_load_record(c2, GF.log[i].key, GF.log[i].klen, GF.log[i].value,
		                                  GF.log[i].vlen), 0);
	group_load_done(c2);
	struct group_view v1, v2;
	CU_ASSERT_TRUE_FATAL(group_describe(c2, S("g"), &v2));
	CU_ASSERT_EQUAL(v2.state, GROUP_STABLE);
	CU_ASSERT_EQUAL(v2.generation_id, 1);
	CU_ASSERT(kp_str_eq_c(v2.protocol_name, "range"));
	CU_ASSERT(kp_str_eq_c(v2.protocol_type, "consumer"));
	CU_ASSERT(kp_str_eq_c(v2.leader, ida));
	CU_ASSERT_EQUAL_FATAL(v2.nmembers, 2);
	/* Same members, metadata and assignments as the original coordinator. */
	struct group_member_view m2[2];
	memcpy(m2, v2.members, sizeof(m2));
	group_describe(GF.c, S("g"), &v1);
	CU_ASSERT_EQUAL_FATAL(v1.nmembers, 2);
	for (int i = 0; i < 2; i++) {
		CU_ASSERT(kp_str_eq(v1.members[i].member_id, m2[i].member_id));
		CU_ASSERT(kp_str_eq(v1.members[i].client_id, m2[i].client_id));
		CU_ASSERT(kp_str_eq(v1.members[i].client_host, m2[i].client_host));
		CU_ASSERT(kp_str_eq((struct kp_str){(const char *)v1.members[i].assignment.ptr, v1.members[i].assignment.len},
		                    (struct kp_str){(const char *)m2[i].assignment.ptr, m2[i].assignment.len}));
		CU_ASSERT(kp_str_eq((struct kp_str){(const char *)v1.members[i].metadata.ptr, v1.members[i].metadata.len},
		                    (struct kp_str){(const char *)m2[i].metadata.ptr, m2[i].metadata.len}));
	}
	CU_ASSERT(kp_str_eq_c((struct kp_str){(const char *)m2[1].assignment.ptr, m2[1].assignment.len}, "BB"));
	struct group_offset o;
	CU_ASSERT_TRUE(group_offset_get(c2, S("g"), S("t"), 0, &o));
	CU_ASSERT_EQUAL(o.offset, 44);
	CU_ASSERT_EQUAL(o.leader_epoch, 7);
	CU_ASSERT(kp_str_eq_c(o.metadata, "m2"));
	struct group_offset o1;
	group_offset_get(GF.c, S("g"), S("t"), 0, &o1);
	CU_ASSERT_EQUAL(o.commit_timestamp, o1.commit_timestamp);
	CU_ASSERT_TRUE(group_offset_get(c2, S("g"), S("t"), 1, &o));
	CU_ASSERT_EQUAL(o.offset, 43);
	CU_ASSERT_TRUE(group_offset_get(c2, S("simple"), S("u"), 4, &o));
	CU_ASSERT_FALSE(group_offset_get(c2, S("simple"), S("u"), 5, &o));
	CU_ASSERT_FALSE(group_describe(c2, S("gone"), &v2));
	CU_ASSERT_EQUAL(group_describe(c2, S("simple"), &v2) && v2.state == GROUP_EMPTY, true);
	/* The loaded members carry on: heartbeats work, and their sessions run again. */
	CU_ASSERT_EQUAL(group_heartbeat(c2, S("g"), 1, S(idb), KP_STR_NULL), KERR_NONE);
	CU_ASSERT_EQUAL(group_next_deadline(c2), GF.now + 10000);
	group_coord_free(c2);
	fx_fini(&GF);
}

void group_offsets_tests(CU_pSuite s)
{
	CU_add_test(s, "offset commit checks, acks=all, fetch", test_commit_and_fetch);
	CU_add_test(s, "offset expiry", test_expiry);
	CU_add_test(s, "delete group, delete offsets", test_delete_group_and_offsets);
	CU_add_test(s, "replay rebuilds groups and offsets", test_replay);
}
