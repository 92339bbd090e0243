/* test_group.c — the consumer-group state machine (group/): joins, syncs, heartbeats, leaves,
 * timers, static members, protocol vote, limits, unload. Offsets, expiry, deletion and replay
 * are in test_group_offsets.c; records and random sequences in test_group_records.c. */
#include "group_harness.h"

#include "../../common/kerr.h"
#include "../../common/limits.h"

#include <string.h>

#define S(x) kp_str_c(x)

/* ---- Joins and syncs ------------------------------------------------------------------- */

static void test_single_member_round(void)
{
	gt_setup();
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_DEAD);
	gt_join(1, "g", "", "range");
	CU_ASSERT_PTR_NULL(fx_join_of(&GF, 1)); /* parked for the initial delay */
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_PREPARING_REBALANCE);
	CU_ASSERT_EQUAL(group_next_deadline(GF.c), GF.now + 3000);
	gt_adv(2999);
	CU_ASSERT_PTR_NULL(fx_join_of(&GF, 1));
	gt_adv(1);
	const struct fx_join *j = fx_join_of(&GF, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(j->error, KERR_NONE);
	CU_ASSERT_EQUAL(j->generation, 1);
	CU_ASSERT_STRING_EQUAL(j->protocol, "range");
	CU_ASSERT_STRING_EQUAL(j->leader, j->member_id);
	CU_ASSERT_EQUAL(j->nmembers, 1);
	CU_ASSERT_EQUAL(strncmp(j->member_id, "client-", 7), 0);
	CU_ASSERT_EQUAL(strlen(j->member_id), 7 + 36);
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_COMPLETING_REBALANCE);
	char id[160];
	strcpy(id, j->member_id);
	/* CompletingRebalance: heartbeats are fine, commits are refused. */
	CU_ASSERT_EQUAL(group_heartbeat(GF.c, S("g"), 1, S(id), KP_STR_NULL), KERR_NONE);
	gt_sync2(2, "g", id, 1, id, "A1", NULL, NULL);
	CU_ASSERT_PTR_NULL(fx_sync_of(&GF, 2)); /* not before the group is persisted */
	CU_ASSERT_EQUAL(GF.npend, 1);
	fx_ack(&GF, KERR_NONE);
	const struct fx_sync *s = fx_sync_of(&GF, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->error, KERR_NONE);
	CU_ASSERT_STRING_EQUAL(s->assignment, "A1");
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_STABLE);
	/* The persisted record is the group at generation 1 with the assignment. */
	struct group_offset_rec o;
	struct group_meta_rec m;
	CU_ASSERT_EQUAL_FATAL(group_rec_decode(GF.log[0].key, GF.log[0].klen, GF.log[0].value,
	                                       GF.log[0].vlen, &o, &m), GROUP_REC_GROUP);
	CU_ASSERT_EQUAL(m.value_version, 3);
	CU_ASSERT_EQUAL(m.generation, 1);
	CU_ASSERT_EQUAL_FATAL(m.nmembers, 1);
	CU_ASSERT(kp_str_eq_c(m.members[0].member_id, id));
	CU_ASSERT_EQUAL(m.members[0].assignment.len, 2);
	CU_ASSERT(kp_str_eq_c(m.protocol, "range"));
	group_meta_rec_free(&m);
	/* Stable: a second sync answers at once. */
	gt_sync2(3, "g", id, 1, NULL, NULL, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx_sync_of(&GF, 3));
	CU_ASSERT_STRING_EQUAL(fx_sync_of(&GF, 3)->assignment, "A1");
	/* Wrong generation and unknown member. */
	gt_sync2(4, "g", id, 7, NULL, NULL, NULL, NULL);
	CU_ASSERT_EQUAL(fx_sync_of(&GF, 4)->error, KERR_ILLEGAL_GENERATION);
	gt_sync2(5, "g", "nobody", 1, NULL, NULL, NULL, NULL);
	CU_ASSERT_EQUAL(fx_sync_of(&GF, 5)->error, KERR_UNKNOWN_MEMBER_ID);
	gt_sync2(6, "nogroup", id, 1, NULL, NULL, NULL, NULL);
	CU_ASSERT_EQUAL(fx_sync_of(&GF, 6)->error, KERR_UNKNOWN_MEMBER_ID);
	fx_fini(&GF);
}

static void test_two_members_follower_first(void)
{
	gt_setup();
	gt_join(1, "g", "", "range");
	gt_join(2, "g", "", "range");
	gt_adv(3000); /* a member arrived during the delay: wait once more */
	CU_ASSERT_PTR_NULL(fx_join_of(&GF, 1));
	gt_adv(3000);
	const struct fx_join *a = fx_join_of(&GF, 1), *b = fx_join_of(&GF, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(a->nmembers, 2); /* the first to gt_join leads */
	CU_ASSERT_EQUAL(b->nmembers, 0);
	CU_ASSERT_STRING_EQUAL(b->leader, a->member_id);
	CU_ASSERT_STRING_NOT_EQUAL(a->member_id, b->member_id);
	char ida[160], idb[160];
	strcpy(ida, a->member_id);
	strcpy(idb, b->member_id);
	/* The follower's SyncGroup waits for the leader's. */
	gt_sync2(11, "g", idb, 1, NULL, NULL, NULL, NULL);
	CU_ASSERT_PTR_NULL(fx_sync_of(&GF, 11));
	gt_sync2(10, "g", ida, 1, ida, "AA", idb, "BB");
	CU_ASSERT_PTR_NULL(fx_sync_of(&GF, 11));
	fx_ack(&GF, KERR_NONE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx_sync_of(&GF, 11));
	CU_ASSERT_STRING_EQUAL(fx_sync_of(&GF, 11)->assignment, "BB");
	CU_ASSERT_STRING_EQUAL(fx_sync_of(&GF, 10)->assignment, "AA");
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_STABLE);
	fx_fini(&GF);
}

static void test_follower_after_leader_and_store_failure(void)
{
	gt_setup();
	gt_join(1, "g", "", "range");
	gt_join(2, "g", "", "range");
	gt_settle();
	char ida[160], idb[160];
	strcpy(ida, fx_join_of(&GF, 1)->member_id);
	strcpy(idb, fx_join_of(&GF, 2)->member_id);
	/* The store fails: the leader gets the mapped error and the group rebalances. */
	gt_sync2(10, "g", ida, 1, ida, "AA", idb, "BB");
	fx_ack(&GF, KERR_NOT_LEADER_OR_FOLLOWER);
	CU_ASSERT_EQUAL(fx_sync_of(&GF, 10)->error, KERR_NOT_COORDINATOR);
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_PREPARING_REBALANCE);
	gt_join(3, "g", ida, "range");
	gt_join(4, "g", idb, "range"); /* everyone rejoined: completes at once */
	CU_ASSERT_EQUAL_FATAL(fx_join_of(&GF, 4)->error, KERR_NONE);
	CU_ASSERT_EQUAL(fx_join_of(&GF, 4)->generation, 2);
	gt_sync2(12, "g", ida, 2, ida, "A2", idb, "B2");
	fx_ack(&GF, KERR_NONE);
	gt_sync2(13, "g", idb, 2, NULL, NULL, NULL, NULL); /* after the leader: at once */
	CU_ASSERT_STRING_EQUAL(fx_sync_of(&GF, 13)->assignment, "B2");
	/* A follower rejoining with the same metadata gets the current generation. */
	gt_join(5, "g", idb, "range");
	CU_ASSERT_EQUAL(fx_join_of(&GF, 5)->generation, 2);
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_STABLE);
	/* The leader rejoining forces a rebalance. */
	gt_join(6, "g", ida, "range");
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_PREPARING_REBALANCE);
	CU_ASSERT_EQUAL(group_heartbeat(GF.c, S("g"), 2, S(idb), KP_STR_NULL), KERR_REBALANCE_IN_PROGRESS);
	gt_sync2(14, "g", idb, 2, NULL, NULL, NULL, NULL);
	CU_ASSERT_EQUAL(fx_sync_of(&GF, 14)->error, KERR_REBALANCE_IN_PROGRESS);
	fx_fini(&GF);
}

static void test_member_id_required(void)
{
	gt_setup();
	gt_join_full(1, "g", "", NULL, "consumer", "range", "M", 10000, true);
	const struct fx_join *j = fx_join_of(&GF, 1);
	CU_ASSERT_EQUAL_FATAL(j->error, KERR_MEMBER_ID_REQUIRED);
	CU_ASSERT_EQUAL(strncmp(j->member_id, "client-", 7), 0);
	char id[160];
	strcpy(id, j->member_id);
	gt_join_full(2, "g", id, NULL, "consumer", "range", "M", 10000, true);
	CU_ASSERT_PTR_NULL(fx_join_of(&GF, 2));
	gt_adv(3000);
	CU_ASSERT_EQUAL(fx_join_of(&GF, 2)->error, KERR_NONE);
	CU_ASSERT_STRING_EQUAL(fx_join_of(&GF, 2)->member_id, id);
	/* A pending member that never comes back expires after its session timeout. */
	gt_join_full(3, "h", "", NULL, "consumer", "range", "M", 7000, true);
	strcpy(id, fx_join_of(&GF, 3)->member_id);
	gt_adv(7000);
	gt_join_full(4, "h", id, NULL, "consumer", "range", "M", 7000, true);
	CU_ASSERT_EQUAL(fx_join_of(&GF, 4)->error, KERR_UNKNOWN_MEMBER_ID);
	/* An unknown member id for an unknown group. */
	gt_join_full(5, "nogroup", "x", NULL, "consumer", "range", "M", 7000, true);
	CU_ASSERT_EQUAL(fx_join_of(&GF, 5)->error, KERR_UNKNOWN_MEMBER_ID);
	fx_fini(&GF);
}

static void test_join_validation(void)
{
	gt_setup();
	gt_join_full(1, "g", "", NULL, "consumer", "range", "M", 5999, false);
	CU_ASSERT_EQUAL(fx_join_of(&GF, 1)->error, KERR_INVALID_SESSION_TIMEOUT);
	gt_join_full(2, "g", "", NULL, "consumer", "range", "M", 1800001, false);
	CU_ASSERT_EQUAL(fx_join_of(&GF, 2)->error, KERR_INVALID_SESSION_TIMEOUT);
	gt_join_full(3, "", "", NULL, "consumer", "range", "M", 6000, false);
	CU_ASSERT_EQUAL(fx_join_of(&GF, 3)->error, KERR_INVALID_GROUP_ID);
	gt_join_full(4, "g", "", NULL, "", "range", "M", 6000, false); /* no protocol type */
	CU_ASSERT_EQUAL(fx_join_of(&GF, 4)->error, KERR_INCONSISTENT_GROUP_PROTOCOL);
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_DEAD); /* refused joins leave nothing */
	gt_join_full(5, "g", "", NULL, "consumer", "range", "M", 6000, false);
	CU_ASSERT_PTR_NULL(fx_join_of(&GF, 5)); /* the bounds are inclusive */
	gt_join_full(6, "g", "", NULL, "connect", "range", "M", 6000, false);
	CU_ASSERT_EQUAL(fx_join_of(&GF, 6)->error, KERR_INCONSISTENT_GROUP_PROTOCOL);
	gt_join_full(7, "g", "", NULL, "consumer", "sticky", "M", 6000, false);
	CU_ASSERT_EQUAL(fx_join_of(&GF, 7)->error, KERR_INCONSISTENT_GROUP_PROTOCOL);
	/* Too many protocols, too much metadata: named limits. */
	struct group_protocol many[KB_GROUP_MAX_PROTOCOLS + 1];
	for (int i = 0; i <= KB_GROUP_MAX_PROTOCOLS; i++)
		many[i] = (struct group_protocol){S("range"), {(const uint8_t *)"M", 1, NULL}};
	struct group_join_req r = {.group_id = S("big"), .member_id = S(""), .instance_id = KP_STR_NULL,
	                           .client_id = S("c"), .client_host = S("h"),
	                           .session_timeout_ms = 6000, .rebalance_timeout_ms = 6000,
	                           .protocol_type = S("consumer"),
	                           .nprotocols = KB_GROUP_MAX_PROTOCOLS + 1, .protocols = many};
	group_join(GF.c, &r, (void *)8);
	CU_ASSERT_EQUAL(fx_join_of(&GF, 8)->error, KERR_INVALID_REQUEST);
	static uint8_t huge[KB_GROUP_PROTOCOL_META_MAX_BYTES + 1];
	many[0].metadata = (struct kp_bytes){huge, (int32_t)sizeof(huge), NULL};
	r.nprotocols = 1;
	group_join(GF.c, &r, (void *)9);
	CU_ASSERT_EQUAL(fx_join_of(&GF, 9)->error, KERR_INVALID_REQUEST);
	CU_ASSERT_EQUAL(gt_state("big"), GROUP_DEAD);
	fx_fini(&GF);
}

static void test_protocol_vote_and_connect(void)
{
	gt_setup();
	gt_join(1, "g", "", "range,roundrobin");
	gt_join(2, "g", "", "roundrobin,range");
	gt_join(3, "g", "", "roundrobin,range,sticky");
	gt_adv(6000); /* past the first delay: it is renewed from now */
	CU_ASSERT_PTR_NULL(fx_join_of(&GF, 1));
	gt_adv(3000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx_join_of(&GF, 1));
	CU_ASSERT_STRING_EQUAL(fx_join_of(&GF, 1)->protocol, "roundrobin");
	CU_ASSERT_STRING_EQUAL(fx_join_of(&GF, 3)->protocol, "roundrobin");
	/* A "connect" group works the same way. */
	gt_join_full(4, "c", "", NULL, "connect", "sessioned,default", "W", 10000, false);
	gt_join_full(5, "c", "", NULL, "connect", "default", "W", 10000, false);
	gt_settle();
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx_join_of(&GF, 5));
	CU_ASSERT_STRING_EQUAL(fx_join_of(&GF, 5)->protocol, "default");
	struct group_view v;
	group_describe(GF.c, S("c"), &v);
	CU_ASSERT(kp_str_eq_c(v.protocol_type, "connect"));
	CU_ASSERT_EQUAL(v.nmembers, 2);
	fx_fini(&GF);
}

static void test_max_size(void)
{
	fx_init(&GF);
	GF.cfg.max_size = 2;
	fx_start(&GF);
	gt_join(1, "g", "", "range");
	gt_join(2, "g", "", "range");
	gt_join(3, "g", "", "range");
	CU_ASSERT_EQUAL_FATAL(fx_join_of(&GF, 3)->error, KERR_GROUP_MAX_SIZE_REACHED);
	gt_settle();
	CU_ASSERT_EQUAL(fx_join_of(&GF, 1)->nmembers, 2);
	gt_join(4, "g", "", "range"); /* CompletingRebalance: full */
	CU_ASSERT_EQUAL(fx_join_of(&GF, 4)->error, KERR_GROUP_MAX_SIZE_REACHED);
	fx_fini(&GF);
}

/* ---- Timers, heartbeats, leaving ------------------------------------------------------- */

static void test_heartbeat_expiry(void)
{
	gt_setup();
	char ida[160], idb[160];
	gt_two_stable(ida, idb);
	CU_ASSERT_EQUAL(group_heartbeat(GF.c, S("g"), 1, S(ida), KP_STR_NULL), KERR_NONE);
	CU_ASSERT_EQUAL(group_heartbeat(GF.c, S("g"), 0, S(ida), KP_STR_NULL), KERR_ILLEGAL_GENERATION);
	CU_ASSERT_EQUAL(group_heartbeat(GF.c, S("g"), 1, S("zz"), KP_STR_NULL), KERR_UNKNOWN_MEMBER_ID);
	CU_ASSERT_EQUAL(group_heartbeat(GF.c, S("x"), 1, S(ida), KP_STR_NULL), KERR_UNKNOWN_MEMBER_ID);
	CU_ASSERT_EQUAL(group_heartbeat(GF.c, S(""), 1, S(ida), KP_STR_NULL), KERR_INVALID_GROUP_ID);
	for (int i = 0; i < 3; i++) { /* A keeps heartbeating, B does not */
		gt_adv(4000);
		CU_ASSERT_EQUAL(group_heartbeat(GF.c, S("g"), 1, S(ida), KP_STR_NULL),
		                i < 2 ? KERR_NONE : KERR_REBALANCE_IN_PROGRESS);
	}
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_PREPARING_REBALANCE);
	CU_ASSERT_EQUAL(group_heartbeat(GF.c, S("g"), 1, S(idb), KP_STR_NULL), KERR_UNKNOWN_MEMBER_ID);
	gt_join(3, "g", ida, "range"); /* the only member rejoined: done */
	CU_ASSERT_EQUAL_FATAL(fx_join_of(&GF, 3)->error, KERR_NONE);
	CU_ASSERT_EQUAL(fx_join_of(&GF, 3)->generation, 2);
	CU_ASSERT_EQUAL(fx_join_of(&GF, 3)->nmembers, 1);
	fx_fini(&GF);
}

static void test_rebalance_timeout(void)
{
	gt_setup();
	char ida[160], idb[160];
	gt_two_stable(ida, idb);
	gt_join(3, "g", ida, "range"); /* the leader rejoins; B never does */
	CU_ASSERT_PTR_NULL(fx_join_of(&GF, 3));
	for (int i = 0; i < 4; i++) { /* B's parked-free heartbeats keep it alive meanwhile */
		gt_adv(4900);
		CU_ASSERT_EQUAL(group_heartbeat(GF.c, S("g"), 1, S(idb), KP_STR_NULL), KERR_REBALANCE_IN_PROGRESS);
	}
	CU_ASSERT_PTR_NULL(fx_join_of(&GF, 3));
	gt_adv(400); /* 20000 ms: the rebalance timeout removes B */
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx_join_of(&GF, 3));
	CU_ASSERT_EQUAL(fx_join_of(&GF, 3)->generation, 2);
	CU_ASSERT_EQUAL(fx_join_of(&GF, 3)->nmembers, 1);
	CU_ASSERT_EQUAL(group_heartbeat(GF.c, S("g"), 2, S(idb), KP_STR_NULL), KERR_UNKNOWN_MEMBER_ID);
	fx_fini(&GF);
}

static void test_pending_sync_timeout(void)
{
	gt_setup();
	gt_join(1, "g", "", "range");
	gt_join(2, "g", "", "range");
	gt_settle();
	char ida[160], idb[160];
	strcpy(ida, fx_join_of(&GF, 1)->member_id);
	strcpy(idb, fx_join_of(&GF, 2)->member_id);
	gt_sync2(10, "g", ida, 1, ida, "AA", idb, "BB");
	fx_ack(&GF, KERR_NONE);
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_STABLE);
	for (int i = 0; i < 4; i++) {
		gt_adv(5000);
		group_heartbeat(GF.c, S("g"), 1, S(ida), KP_STR_NULL);
		group_heartbeat(GF.c, S("g"), 1, S(idb), KP_STR_NULL);
	}
	/* B never sent SyncGroup within the rebalance timeout: removed, the group rebalances. */
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_PREPARING_REBALANCE);
	CU_ASSERT_EQUAL(group_heartbeat(GF.c, S("g"), 1, S(idb), KP_STR_NULL), KERR_UNKNOWN_MEMBER_ID);
	fx_fini(&GF);
}

static void test_leave(void)
{
	gt_setup();
	char ida[160], idb[160];
	gt_two_stable(ida, idb);
	struct group_leave_member lm[3] = {{S(idb), KP_STR_NULL, KP_STR_NULL, -1},
	                                   {S("ghost"), KP_STR_NULL, KP_STR_NULL, -1},
	                                   {S(idb), KP_STR_NULL, KP_STR_NULL, -1}};
	CU_ASSERT_EQUAL(group_leave(GF.c, S("g"), lm, 3), KERR_NONE);
	CU_ASSERT_EQUAL(lm[0].error, KERR_NONE);
	CU_ASSERT_EQUAL(lm[1].error, KERR_UNKNOWN_MEMBER_ID);
	CU_ASSERT_EQUAL(lm[2].error, KERR_UNKNOWN_MEMBER_ID);
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_PREPARING_REBALANCE);
	/* The last member leaves during the rebalance: Empty at the next generation, persisted. */
	gt_join(3, "g", ida, "range");
	CU_ASSERT_EQUAL(fx_join_of(&GF, 3)->generation, 2);
	struct group_leave_member la = {S(ida), KP_STR_NULL, KP_STR_NULL, -1};
	int before = GF.npend;
	group_leave(GF.c, S("g"), &la, 1);
	CU_ASSERT_EQUAL(la.error, KERR_NONE);
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_EMPTY); /* nobody left to wait for */
	CU_ASSERT_EQUAL(gt_generation("g"), 3);
	CU_ASSERT_EQUAL(GF.npend, before + 1);
	struct group_leave_member lu = {S(ida), KP_STR_NULL, KP_STR_NULL, -1};
	group_leave(GF.c, S("nogroup"), &lu, 1);
	CU_ASSERT_EQUAL(lu.error, KERR_UNKNOWN_MEMBER_ID);
	fx_fini(&GF);
}

static void test_leave_during_initial_join(void)
{
	gt_setup();
	gt_join_full(1, "g", "", NULL, "consumer", "range", "M", 10000, true);
	char id[160];
	strcpy(id, fx_join_of(&GF, 1)->member_id);
	gt_join_full(2, "g", id, NULL, "consumer", "range", "M", 10000, true);
	CU_ASSERT_PTR_NULL(fx_join_of(&GF, 2)); /* parked in the initial delay */
	/* A parked JoinGroup of a member removed by LeaveGroup is answered. */
	struct group_leave_member lm = {S(id), KP_STR_NULL, KP_STR_NULL, -1};
	group_leave(GF.c, S("g"), &lm, 1);
	CU_ASSERT_EQUAL(lm.error, KERR_NONE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx_join_of(&GF, 2));
	CU_ASSERT_EQUAL(fx_join_of(&GF, 2)->error, KERR_UNKNOWN_MEMBER_ID);
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_PREPARING_REBALANCE);
	gt_adv(3000);
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_EMPTY);
	CU_ASSERT_EQUAL(gt_generation("g"), 1);
	fx_fini(&GF);
}

static void test_limits(void)
{
	gt_setup();
	static char longid[KB_GROUP_ID_MAX_BYTES + 2];
	memset(longid, 'g', KB_GROUP_ID_MAX_BYTES + 1);
	gt_join(1, longid, "", "range");
	CU_ASSERT_EQUAL(fx_join_of(&GF, 1)->error, KERR_INVALID_GROUP_ID);
	int pend;
	CU_ASSERT_EQUAL(gt_commit1(2, longid, "", -1, "t", 0, 1, "", &pend), KERR_INVALID_GROUP_ID);
	longid[KB_GROUP_ID_MAX_BYTES] = 0; /* exactly the limit is fine */
	gt_join(3, longid, "", "range");
	CU_ASSERT_PTR_NULL(fx_join_of(&GF, 3));
	/* An assignment over KB_GROUP_ASSIGNMENT_MAX_BYTES. */
	gt_join(4, "g", "", "range");
	gt_adv(3000);
	char id[160];
	strcpy(id, fx_join_of(&GF, 4)->member_id);
	static uint8_t big[KB_GROUP_ASSIGNMENT_MAX_BYTES + 1];
	struct group_assignment as = {S(id), {big, (int32_t)sizeof(big), NULL}};
	struct group_sync_req r = {.group_id = S("g"), .member_id = S(id), .instance_id = KP_STR_NULL,
	                           .generation_id = 1, .protocol_type = KP_STR_NULL,
	                           .protocol_name = KP_STR_NULL, .nassignments = 1, .assignments = &as};
	group_sync(GF.c, &r, (void *)5);
	CU_ASSERT_EQUAL(fx_sync_of(&GF, 5)->error, KERR_INVALID_REQUEST);
	CU_ASSERT_EQUAL(GF.npend, 0);
	as.assignment.len = KB_GROUP_ASSIGNMENT_MAX_BYTES;
	group_sync(GF.c, &r, (void *)6);
	fx_ack(&GF, KERR_NONE);
	CU_ASSERT_EQUAL(fx_sync_of(&GF, 6)->error, KERR_NONE);
	CU_ASSERT_EQUAL(fx_sync_of(&GF, 6)->alen, KB_GROUP_ASSIGNMENT_MAX_BYTES);
	/* More partitions in one commit than KB_GROUP_MAX_COMMIT_PARTITIONS. */
	int n = KB_GROUP_MAX_COMMIT_PARTITIONS + 1;
	struct group_commit_part *parts = kb_calloc((size_t)n, sizeof(*parts));
	int16_t *errs = kb_calloc((size_t)n, sizeof(*errs));
	for (int i = 0; i < n; i++)
		parts[i] = (struct group_commit_part){S("t"), i, 1, -1, KP_STR_NULL, -1};
	struct group_commit_req cr = {S("g"), S(id), KP_STR_NULL, 1, -1, n, parts};
	CU_ASSERT_EQUAL(group_commit(GF.c, &cr, errs, (void *)7), 0);
	CU_ASSERT_EQUAL(errs[0], KERR_INVALID_REQUEST);
	CU_ASSERT_EQUAL(errs[n - 1], KERR_INVALID_REQUEST);
	CU_ASSERT_EQUAL(GF.npend, 0);
	kb_free(parts);
	kb_free(errs);
	fx_fini(&GF);
}

/* Protocol metadata: KB_GROUP_META_MAX_BYTES per group, KB_GROUPS_META_MAX_BYTES shared. */
static void test_meta_budget(void)
{
	static char meta[(1 << 20) - 16];
	memset(meta, 'm', sizeof(meta) - 1);
	int64_t per = (int64_t)sizeof(meta) - 1 + 5; /* + "range" */
	int fit = (int)(KB_GROUP_META_MAX_BYTES / per);
	int64_t shared = 0;
	fx_init(&GF);
	GF.cfg.meta_used = &shared;
	fx_start(&GF);
	for (int i = 1; i <= fit + 2; i++)
		gt_join_full(i, "big", "", NULL, "consumer", "range", meta, 10000, false);
	for (int i = 1; i <= fit; i++)
		CU_ASSERT_PTR_NULL(fx_join_of(&GF, i)); /* parked: the initial delay */
	CU_ASSERT_EQUAL(fx_join_of(&GF, fit + 1)->error, KERR_GROUP_MAX_SIZE_REACHED);
	CU_ASSERT_EQUAL(fx_join_of(&GF, fit + 2)->error, KERR_GROUP_MAX_SIZE_REACHED);
	CU_ASSERT_EQUAL(shared, per * fit);
	/* Another group still fits until the broker-wide budget. */
	shared = KB_GROUPS_META_MAX_BYTES - per - 1;
	gt_join_full(100, "other", "", NULL, "consumer", "range", meta, 10000, false);
	CU_ASSERT_PTR_NULL(fx_join_of(&GF, 100));
	gt_join_full(101, "other", "", NULL, "consumer", "range", meta, 10000, false);
	CU_ASSERT_EQUAL(fx_join_of(&GF, 101)->error, KERR_COORDINATOR_NOT_AVAILABLE);
	CU_ASSERT_EQUAL(shared, KB_GROUPS_META_MAX_BYTES - 1);
	/* Unloading gives everything back. */
	fx_fini(&GF);
	CU_ASSERT_EQUAL(shared, KB_GROUPS_META_MAX_BYTES - per - 1 - per * fit);
}

/* ---- Static membership ------------------------------------------------------------------ */

static void test_static_restart(void)
{
	gt_setup();
	gt_join_full(1, "g", "", "i1", "consumer", "range", "M", 10000, true);
	gt_adv(3000);
	const struct fx_join *j = fx_join_of(&GF, 1);
	CU_ASSERT_EQUAL_FATAL(j->error, KERR_NONE); /* static members skip MEMBER_ID_REQUIRED */
	CU_ASSERT_EQUAL(strncmp(j->member_id, "i1-", 3), 0);
	char old[160];
	strcpy(old, j->member_id);
	gt_sync2(2, "g", old, 1, old, "S1", NULL, NULL);
	fx_ack(&GF, KERR_NONE);
	/* Restart (JoinGroup v5-8): same instance id, no member id, same metadata. No
	 * rebalance; the answer names the old leader id, so the member acts as a follower. */
	GF_skip_ok = false;
	gt_join_full(3, "g", "", "i1", "consumer", "range", "M", 10000, true);
	CU_ASSERT_PTR_NULL(fx_join_of(&GF, 3)); /* waits for the group to be persisted */
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_STABLE);
	fx_ack(&GF, KERR_NONE);
	j = fx_join_of(&GF, 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(j->error, KERR_NONE);
	CU_ASSERT_EQUAL(j->generation, 1);
	CU_ASSERT_STRING_NOT_EQUAL(j->member_id, old);
	CU_ASSERT_STRING_EQUAL(j->leader, old);
	CU_ASSERT_EQUAL(j->nmembers, 0);
	CU_ASSERT_FALSE(j->skip);
	char mid[160];
	strcpy(mid, j->member_id);
	/* Restart again with JoinGroup v9: the leader gets the members and SkipAssignment. */
	GF_skip_ok = true;
	gt_join_full(30, "g", "", "i1", "consumer", "range", "M", 10000, true);
	fx_ack(&GF, KERR_NONE);
	GF_skip_ok = false;
	j = fx_join_of(&GF, 30);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(j->error, KERR_NONE);
	CU_ASSERT_EQUAL(j->generation, 1);
	CU_ASSERT_STRING_EQUAL(j->leader, j->member_id);
	CU_ASSERT_EQUAL(j->nmembers, 1);
	CU_ASSERT(j->skip);
	CU_ASSERT_EQUAL(group_heartbeat(GF.c, S("g"), 1, S(mid), S("i1")), KERR_FENCED_INSTANCE_ID);
	char neu[160];
	strcpy(neu, j->member_id);
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_STABLE);
	gt_sync2(4, "g", neu, 1, NULL, NULL, NULL, NULL);
	CU_ASSERT_STRING_EQUAL(fx_sync_of(&GF, 4)->assignment, "S1");
	/* The old incarnation is fenced. */
	CU_ASSERT_EQUAL(group_heartbeat(GF.c, S("g"), 1, S(old), S("i1")), KERR_FENCED_INSTANCE_ID);
	CU_ASSERT_EQUAL(group_heartbeat(GF.c, S("g"), 1, S(neu), S("i1")), KERR_NONE);
	gt_join_full(5, "g", old, "i1", "consumer", "range", "M", 10000, true);
	CU_ASSERT_EQUAL(fx_join_of(&GF, 5)->error, KERR_FENCED_INSTANCE_ID);
	struct group_commit_part p = {S("t"), 0, 5, -1, KP_STR_NULL, -1};
	struct group_commit_req cr = {S("g"), S(old), S("i1"), 1, -1, 1, &p};
	int16_t err;
	CU_ASSERT_EQUAL(group_commit(GF.c, &cr, &err, (void *)6), 0);
	CU_ASSERT_EQUAL(err, KERR_FENCED_INSTANCE_ID);
	/* A restart whose protocols change the group's selected protocol rebalances. */
	gt_join_full(7, "g", "", "i1", "consumer", "roundrobin,range", "M", 10000, true);
	CU_ASSERT_EQUAL_FATAL(fx_join_of(&GF, 7)->error, KERR_NONE);
	CU_ASSERT_EQUAL(fx_join_of(&GF, 7)->generation, 2);
	CU_ASSERT_STRING_EQUAL(fx_join_of(&GF, 7)->protocol, "roundrobin");
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_COMPLETING_REBALANCE);
	/* Administrative removal by instance id. */
	struct group_leave_member lm = {S(""), S("i1"), KP_STR_NULL, -1};
	group_leave(GF.c, S("g"), &lm, 1);
	CU_ASSERT_EQUAL(lm.error, KERR_NONE);
	fx_fini(&GF);
}

/* A static member that does not rejoin is kept through the rebalance (Kafka removes only
 * dynamic ones); with nobody else joined the round waits again, until its session ends. */
static void test_static_member_not_rejoining(void)
{
	gt_setup();
	gt_join_full(1, "g", "", "i1", "consumer", "range", "M", 10000, false);
	gt_adv(3000);
	char sid[160];
	strcpy(sid, fx_join_of(&GF, 1)->member_id);
	gt_sync2(2, "g", sid, 1, sid, "S1", NULL, NULL);
	fx_ack(&GF, KERR_NONE);
	gt_join_full(3, "g", "", NULL, "consumer", "range", "M", 10000, false); /* a new member */
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_PREPARING_REBALANCE);
	struct group_leave_member lm = {S(""), KP_STR_NULL, KP_STR_NULL, -1};
	/* The static member keeps heartbeating but never rejoins; the rebalance timeout passes
	 * with only the new member joined: it leads generation 2, the static member stays. */
	for (int i = 0; i < 4; i++) {
		gt_adv(5000);
		group_heartbeat(GF.c, S("g"), 1, S(sid), S("i1"));
	}
	CU_ASSERT_EQUAL_FATAL(fx_join_of(&GF, 3)->error, KERR_NONE);
	CU_ASSERT_EQUAL(fx_join_of(&GF, 3)->generation, 2);
	CU_ASSERT_EQUAL(fx_join_of(&GF, 3)->nmembers, 2);
	CU_ASSERT_EQUAL(group_heartbeat(GF.c, S("g"), 2, S(sid), S("i1")), KERR_NONE);
	lm.member_id = S(fx_join_of(&GF, 3)->member_id);
	group_leave(GF.c, S("g"), &lm, 1); /* the new leader leaves: rebalance, nobody joins */
	CU_ASSERT_EQUAL(lm.error, KERR_NONE);
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_PREPARING_REBALANCE);
	for (int i = 0; i < 5; i++) { /* the round finds no joined member: it waits again */
		gt_adv(5000);
		CU_ASSERT_EQUAL(group_heartbeat(GF.c, S("g"), 2, S(sid), S("i1")), KERR_REBALANCE_IN_PROGRESS);
	}
	CU_ASSERT_EQUAL(gt_generation("g"), 2);
	CU_ASSERT(group_next_deadline(GF.c) > GF.now);
	gt_adv(20000); /* the static member's session ran out meanwhile: removed, group empties */
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_EMPTY);
	fx_fini(&GF);
}

static void test_static_restart_store_fails(void)
{
	gt_setup();
	gt_join_full(1, "g", "", "i1", "consumer", "range", "M", 10000, false);
	gt_adv(3000);
	char old[160];
	strcpy(old, fx_join_of(&GF, 1)->member_id);
	gt_sync2(2, "g", old, 1, old, "S1", NULL, NULL);
	fx_ack(&GF, KERR_NONE);
	gt_join_full(3, "g", "", "i1", "consumer", "range", "M", 10000, false);
	fx_ack(&GF, KERR_NOT_ENOUGH_REPLICAS);
	CU_ASSERT_EQUAL(fx_join_of(&GF, 3)->error, KERR_COORDINATOR_NOT_AVAILABLE);
	/* Reverted: the old member id is still the member. */
	CU_ASSERT_EQUAL(group_heartbeat(GF.c, S("g"), 1, S(old), S("i1")), KERR_NONE);
	fx_fini(&GF);
}

/* ---- Offsets ---------------------------------------------------------------------------- */

static void test_unload_answers_parked(void)
{
	gt_setup();
	gt_join(2, "h", "", "range");
	gt_adv(3000);
	char id[160];
	strcpy(id, fx_join_of(&GF, 2)->member_id);
	gt_sync2(3, "h", id, 1, id, "A", NULL, NULL); /* parked on its append */
	int pend;
	gt_commit1(4, "s", "", -1, "t", 0, 1, "", &pend);
	gt_join(5, "g", "", "range"); /* parked in the initial delay */
	group_coord_free(GF.c);
	GF.c = NULL;
	CU_ASSERT_EQUAL(fx_join_of(&GF, 5)->error, KERR_NOT_COORDINATOR);
	CU_ASSERT_EQUAL(fx_sync_of(&GF, 3)->error, KERR_NOT_COORDINATOR);
	CU_ASSERT_EQUAL(fx_commit_of(&GF, 4), KERR_NOT_COORDINATOR);
	fx_fini(&GF);
}

void suite_group(void);
void suite_group(void)
{
	CU_pSuite s = CU_add_suite("group", NULL, NULL);
	CU_add_test(s, "one member: gt_join, initial delay, sync, persisted, stable", test_single_member_round);
	CU_add_test(s, "follower SyncGroup before the leader's", test_two_members_follower_first);
	CU_add_test(s, "store failure, rejoin, follower after leader", test_follower_after_leader_and_store_failure);
	CU_add_test(s, "MEMBER_ID_REQUIRED and pending member expiry", test_member_id_required);
	CU_add_test(s, "session timeout bounds and protocol checks", test_join_validation);
	CU_add_test(s, "named limits: ids, assignment, commit size", test_limits);
	CU_add_test(s, "protocol vote; connect groups", test_protocol_vote_and_connect);
	CU_add_test(s, "group.max.size", test_max_size);
	CU_add_test(s, "protocol metadata budgets (group, broker)", test_meta_budget);
	CU_add_test(s, "heartbeat expiry triggers a rebalance", test_heartbeat_expiry);
	CU_add_test(s, "rebalance timeout removes members that do not rejoin", test_rebalance_timeout);
	CU_add_test(s, "pending SyncGroup timeout", test_pending_sync_timeout);
	CU_add_test(s, "leave, last member leaves, group empties", test_leave);
	CU_add_test(s, "leave answers a parked gt_join", test_leave_during_initial_join);
	CU_add_test(s, "static member restart without rebalance; fencing", test_static_restart);
	CU_add_test(s, "static member restart: store failure reverts", test_static_restart_store_fails);
	CU_add_test(s, "static member that does not rejoin", test_static_member_not_rejoining);
	CU_add_test(s, "unload answers parked requests", test_unload_answers_parked);
	group_offsets_tests(s);
	group_txn_offsets_tests(s);
	group_records_tests(s);
}
