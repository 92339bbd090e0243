/* test_group.c — the consumer-group state machine (group/): joins, syncs, heartbeats, leaves,
 * timers, static members, protocol vote, limits, offset commits, expiry and deletion.
 * Records and replay are in test_group_records.c. */
#include "group_harness.h"

#include "../../common/kerr.h"
#include "../../common/limits.h"

#include <string.h>

static struct fx F;
static bool F_skip_ok; /* JoinGroup v9+ (KIP-814) in join_full */

#define S(x) kp_str_c(x)

static void setup(void)
{
	fx_init(&F);
	fx_start(&F);
}

static void adv(int64_t ms)
{
	F.now += ms;
	group_tick(F.c, F.now);
}

/* Members that joined a new group together: the initial delay runs twice (a member arrived
 * during the first one), then the round completes. */
static void settle(void)
{
	adv(3000);
	adv(3000);
}

/* JoinGroup with protocols named in `protos` ("range,roundrobin"), each with metadata `meta`. */
static void join_full(intptr_t h, const char *group, const char *member, const char *instance,
                      const char *type, const char *protos, const char *meta, int32_t session,
                      bool require_known)
{
	struct group_protocol p[8];
	char names[8][32];
	int n = 0;
	for (const char *s = protos; *s && n < 8;) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		memcpy(names[n], s, len);
		names[n][len] = 0;
		p[n].name = S(names[n]);
		p[n].metadata = (struct kp_bytes){(const uint8_t *)meta, (int32_t)strlen(meta), NULL};
		n++;
		s += len + (e ? 1 : 0);
	}
	struct group_join_req r = {.group_id = S(group), .member_id = S(member),
	                           .instance_id = S(instance), .client_id = S("client"),
	                           .client_host = S("/127.0.0.1"), .session_timeout_ms = session,
	                           .rebalance_timeout_ms = 20000, .protocol_type = S(type),
	                           .nprotocols = n, .protocols = p,
	                           .require_known_member_id = require_known,
	                           .support_skip_assignment = F_skip_ok};
	group_join(F.c, &r, (void *)h);
}

static void join(intptr_t h, const char *group, const char *member, const char *protos)
{
	join_full(h, group, member, NULL, "consumer", protos, "M", 10000, false);
}

static void sync2(intptr_t h, const char *group, const char *member, int32_t gen,
                  const char *m1, const char *a1, const char *m2, const char *a2)
{
	struct group_assignment as[2] = {
		{S(m1), {(const uint8_t *)a1, a1 ? (int32_t)strlen(a1) : 0, NULL}},
		{S(m2), {(const uint8_t *)a2, a2 ? (int32_t)strlen(a2) : 0, NULL}}};
	struct group_sync_req r = {.group_id = S(group), .member_id = S(member),
	                           .instance_id = KP_STR_NULL, .generation_id = gen,
	                           .protocol_type = KP_STR_NULL, .protocol_name = KP_STR_NULL,
	                           .nassignments = m2 ? 2 : m1 ? 1 : 0, .assignments = as};
	group_sync(F.c, &r, (void *)h);
}

static enum group_state state_of(const char *group)
{
	struct group_view v;
	group_describe(F.c, S(group), &v);
	return v.state;
}

static int32_t generation_of(const char *group)
{
	struct group_view v;
	group_describe(F.c, S(group), &v);
	return v.generation_id;
}

static int16_t commit1(intptr_t h, const char *group, const char *member, int32_t gen,
                       const char *topic, int32_t part, int64_t off, const char *meta, int *pending)
{
	struct group_commit_part p = {S(topic), part, off, 7, S(meta), -1};
	struct group_commit_req r = {S(group), S(member), KP_STR_NULL, gen, -1, 1, &p};
	int16_t err;
	*pending = group_commit(F.c, &r, &err, (void *)h);
	return err;
}

/* One member joins a new group and syncs; returns its member id (static storage). */
static const char *stable_one(const char *group, intptr_t h)
{
	static char id[160];
	join(h, group, "", "range");
	adv(3000);
	const struct fx_join *j = fx_join_of(&F, h);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL_FATAL(j->error, KERR_NONE);
	strcpy(id, j->member_id);
	sync2(h + 1, group, id, j->generation, id, "A1", NULL, NULL);
	fx_ack(&F, KERR_NONE);
	CU_ASSERT_EQUAL(state_of(group), GROUP_STABLE);
	return id;
}

/* ---- Joins and syncs ------------------------------------------------------------------- */

static void test_single_member_round(void)
{
	setup();
	CU_ASSERT_EQUAL(state_of("g"), GROUP_DEAD);
	join(1, "g", "", "range");
	CU_ASSERT_PTR_NULL(fx_join_of(&F, 1)); /* parked for the initial delay */
	CU_ASSERT_EQUAL(state_of("g"), GROUP_PREPARING_REBALANCE);
	CU_ASSERT_EQUAL(group_next_deadline(F.c), F.now + 3000);
	adv(2999);
	CU_ASSERT_PTR_NULL(fx_join_of(&F, 1));
	adv(1);
	const struct fx_join *j = fx_join_of(&F, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(j->error, KERR_NONE);
	CU_ASSERT_EQUAL(j->generation, 1);
	CU_ASSERT_STRING_EQUAL(j->protocol, "range");
	CU_ASSERT_STRING_EQUAL(j->leader, j->member_id);
	CU_ASSERT_EQUAL(j->nmembers, 1);
	CU_ASSERT_EQUAL(strncmp(j->member_id, "client-", 7), 0);
	CU_ASSERT_EQUAL(strlen(j->member_id), 7 + 36);
	CU_ASSERT_EQUAL(state_of("g"), GROUP_COMPLETING_REBALANCE);
	char id[160];
	strcpy(id, j->member_id);
	/* CompletingRebalance: heartbeats are fine, commits are refused. */
	CU_ASSERT_EQUAL(group_heartbeat(F.c, S("g"), 1, S(id), KP_STR_NULL), KERR_NONE);
	sync2(2, "g", id, 1, id, "A1", NULL, NULL);
	CU_ASSERT_PTR_NULL(fx_sync_of(&F, 2)); /* not before the group is persisted */
	CU_ASSERT_EQUAL(F.npend, 1);
	fx_ack(&F, KERR_NONE);
	const struct fx_sync *s = fx_sync_of(&F, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->error, KERR_NONE);
	CU_ASSERT_STRING_EQUAL(s->assignment, "A1");
	CU_ASSERT_EQUAL(state_of("g"), GROUP_STABLE);
	/* The persisted record is the group at generation 1 with the assignment. */
	struct group_offset_rec o;
	struct group_meta_rec m;
	CU_ASSERT_EQUAL_FATAL(group_rec_decode(F.log[0].key, F.log[0].klen, F.log[0].value,
	                                       F.log[0].vlen, &o, &m), GROUP_REC_GROUP);
	CU_ASSERT_EQUAL(m.value_version, 3);
	CU_ASSERT_EQUAL(m.generation, 1);
	CU_ASSERT_EQUAL_FATAL(m.nmembers, 1);
	CU_ASSERT(kp_str_eq_c(m.members[0].member_id, id));
	CU_ASSERT_EQUAL(m.members[0].assignment.len, 2);
	CU_ASSERT(kp_str_eq_c(m.protocol, "range"));
	group_meta_rec_free(&m);
	/* Stable: a second sync answers at once. */
	sync2(3, "g", id, 1, NULL, NULL, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx_sync_of(&F, 3));
	CU_ASSERT_STRING_EQUAL(fx_sync_of(&F, 3)->assignment, "A1");
	/* Wrong generation and unknown member. */
	sync2(4, "g", id, 7, NULL, NULL, NULL, NULL);
	CU_ASSERT_EQUAL(fx_sync_of(&F, 4)->error, KERR_ILLEGAL_GENERATION);
	sync2(5, "g", "nobody", 1, NULL, NULL, NULL, NULL);
	CU_ASSERT_EQUAL(fx_sync_of(&F, 5)->error, KERR_UNKNOWN_MEMBER_ID);
	sync2(6, "nogroup", id, 1, NULL, NULL, NULL, NULL);
	CU_ASSERT_EQUAL(fx_sync_of(&F, 6)->error, KERR_UNKNOWN_MEMBER_ID);
	fx_fini(&F);
}

static void test_two_members_follower_first(void)
{
	setup();
	join(1, "g", "", "range");
	join(2, "g", "", "range");
	adv(3000); /* a member arrived during the delay: wait once more */
	CU_ASSERT_PTR_NULL(fx_join_of(&F, 1));
	adv(3000);
	const struct fx_join *a = fx_join_of(&F, 1), *b = fx_join_of(&F, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(a->nmembers, 2); /* the first to join leads */
	CU_ASSERT_EQUAL(b->nmembers, 0);
	CU_ASSERT_STRING_EQUAL(b->leader, a->member_id);
	CU_ASSERT_STRING_NOT_EQUAL(a->member_id, b->member_id);
	char ida[160], idb[160];
	strcpy(ida, a->member_id);
	strcpy(idb, b->member_id);
	/* The follower's SyncGroup waits for the leader's. */
	sync2(11, "g", idb, 1, NULL, NULL, NULL, NULL);
	CU_ASSERT_PTR_NULL(fx_sync_of(&F, 11));
	sync2(10, "g", ida, 1, ida, "AA", idb, "BB");
	CU_ASSERT_PTR_NULL(fx_sync_of(&F, 11));
	fx_ack(&F, KERR_NONE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx_sync_of(&F, 11));
	CU_ASSERT_STRING_EQUAL(fx_sync_of(&F, 11)->assignment, "BB");
	CU_ASSERT_STRING_EQUAL(fx_sync_of(&F, 10)->assignment, "AA");
	CU_ASSERT_EQUAL(state_of("g"), GROUP_STABLE);
	fx_fini(&F);
}

static void test_follower_after_leader_and_store_failure(void)
{
	setup();
	join(1, "g", "", "range");
	join(2, "g", "", "range");
	settle();
	char ida[160], idb[160];
	strcpy(ida, fx_join_of(&F, 1)->member_id);
	strcpy(idb, fx_join_of(&F, 2)->member_id);
	/* The store fails: the leader gets the mapped error and the group rebalances. */
	sync2(10, "g", ida, 1, ida, "AA", idb, "BB");
	fx_ack(&F, KERR_NOT_LEADER_OR_FOLLOWER);
	CU_ASSERT_EQUAL(fx_sync_of(&F, 10)->error, KERR_NOT_COORDINATOR);
	CU_ASSERT_EQUAL(state_of("g"), GROUP_PREPARING_REBALANCE);
	join(3, "g", ida, "range");
	join(4, "g", idb, "range"); /* everyone rejoined: completes at once */
	CU_ASSERT_EQUAL_FATAL(fx_join_of(&F, 4)->error, KERR_NONE);
	CU_ASSERT_EQUAL(fx_join_of(&F, 4)->generation, 2);
	sync2(12, "g", ida, 2, ida, "A2", idb, "B2");
	fx_ack(&F, KERR_NONE);
	sync2(13, "g", idb, 2, NULL, NULL, NULL, NULL); /* after the leader: at once */
	CU_ASSERT_STRING_EQUAL(fx_sync_of(&F, 13)->assignment, "B2");
	/* A follower rejoining with the same metadata gets the current generation. */
	join(5, "g", idb, "range");
	CU_ASSERT_EQUAL(fx_join_of(&F, 5)->generation, 2);
	CU_ASSERT_EQUAL(state_of("g"), GROUP_STABLE);
	/* The leader rejoining forces a rebalance. */
	join(6, "g", ida, "range");
	CU_ASSERT_EQUAL(state_of("g"), GROUP_PREPARING_REBALANCE);
	CU_ASSERT_EQUAL(group_heartbeat(F.c, S("g"), 2, S(idb), KP_STR_NULL), KERR_REBALANCE_IN_PROGRESS);
	sync2(14, "g", idb, 2, NULL, NULL, NULL, NULL);
	CU_ASSERT_EQUAL(fx_sync_of(&F, 14)->error, KERR_REBALANCE_IN_PROGRESS);
	fx_fini(&F);
}

static void test_member_id_required(void)
{
	setup();
	join_full(1, "g", "", NULL, "consumer", "range", "M", 10000, true);
	const struct fx_join *j = fx_join_of(&F, 1);
	CU_ASSERT_EQUAL_FATAL(j->error, KERR_MEMBER_ID_REQUIRED);
	CU_ASSERT_EQUAL(strncmp(j->member_id, "client-", 7), 0);
	char id[160];
	strcpy(id, j->member_id);
	join_full(2, "g", id, NULL, "consumer", "range", "M", 10000, true);
	CU_ASSERT_PTR_NULL(fx_join_of(&F, 2));
	adv(3000);
	CU_ASSERT_EQUAL(fx_join_of(&F, 2)->error, KERR_NONE);
	CU_ASSERT_STRING_EQUAL(fx_join_of(&F, 2)->member_id, id);
	/* A pending member that never comes back expires after its session timeout. */
	join_full(3, "h", "", NULL, "consumer", "range", "M", 7000, true);
	strcpy(id, fx_join_of(&F, 3)->member_id);
	adv(7000);
	join_full(4, "h", id, NULL, "consumer", "range", "M", 7000, true);
	CU_ASSERT_EQUAL(fx_join_of(&F, 4)->error, KERR_UNKNOWN_MEMBER_ID);
	/* An unknown member id for an unknown group. */
	join_full(5, "nogroup", "x", NULL, "consumer", "range", "M", 7000, true);
	CU_ASSERT_EQUAL(fx_join_of(&F, 5)->error, KERR_UNKNOWN_MEMBER_ID);
	fx_fini(&F);
}

static void test_join_validation(void)
{
	setup();
	join_full(1, "g", "", NULL, "consumer", "range", "M", 5999, false);
	CU_ASSERT_EQUAL(fx_join_of(&F, 1)->error, KERR_INVALID_SESSION_TIMEOUT);
	join_full(2, "g", "", NULL, "consumer", "range", "M", 1800001, false);
	CU_ASSERT_EQUAL(fx_join_of(&F, 2)->error, KERR_INVALID_SESSION_TIMEOUT);
	join_full(3, "", "", NULL, "consumer", "range", "M", 6000, false);
	CU_ASSERT_EQUAL(fx_join_of(&F, 3)->error, KERR_INVALID_GROUP_ID);
	join_full(4, "g", "", NULL, "", "range", "M", 6000, false); /* no protocol type */
	CU_ASSERT_EQUAL(fx_join_of(&F, 4)->error, KERR_INCONSISTENT_GROUP_PROTOCOL);
	CU_ASSERT_EQUAL(state_of("g"), GROUP_DEAD); /* refused joins leave nothing */
	join_full(5, "g", "", NULL, "consumer", "range", "M", 6000, false);
	CU_ASSERT_PTR_NULL(fx_join_of(&F, 5)); /* the bounds are inclusive */
	join_full(6, "g", "", NULL, "connect", "range", "M", 6000, false);
	CU_ASSERT_EQUAL(fx_join_of(&F, 6)->error, KERR_INCONSISTENT_GROUP_PROTOCOL);
	join_full(7, "g", "", NULL, "consumer", "sticky", "M", 6000, false);
	CU_ASSERT_EQUAL(fx_join_of(&F, 7)->error, KERR_INCONSISTENT_GROUP_PROTOCOL);
	/* Too many protocols, too much metadata: named limits. */
	struct group_protocol many[KB_GROUP_MAX_PROTOCOLS + 1];
	for (int i = 0; i <= KB_GROUP_MAX_PROTOCOLS; i++)
		many[i] = (struct group_protocol){S("range"), {(const uint8_t *)"M", 1, NULL}};
	struct group_join_req r = {.group_id = S("big"), .member_id = S(""), .instance_id = KP_STR_NULL,
	                           .client_id = S("c"), .client_host = S("h"),
	                           .session_timeout_ms = 6000, .rebalance_timeout_ms = 6000,
	                           .protocol_type = S("consumer"),
	                           .nprotocols = KB_GROUP_MAX_PROTOCOLS + 1, .protocols = many};
	group_join(F.c, &r, (void *)8);
	CU_ASSERT_EQUAL(fx_join_of(&F, 8)->error, KERR_INVALID_REQUEST);
	static uint8_t huge[KB_GROUP_PROTOCOL_META_MAX_BYTES + 1];
	many[0].metadata = (struct kp_bytes){huge, (int32_t)sizeof(huge), NULL};
	r.nprotocols = 1;
	group_join(F.c, &r, (void *)9);
	CU_ASSERT_EQUAL(fx_join_of(&F, 9)->error, KERR_INVALID_REQUEST);
	CU_ASSERT_EQUAL(state_of("big"), GROUP_DEAD);
	fx_fini(&F);
}

static void test_protocol_vote_and_connect(void)
{
	setup();
	join(1, "g", "", "range,roundrobin");
	join(2, "g", "", "roundrobin,range");
	join(3, "g", "", "roundrobin,range,sticky");
	adv(6000); /* past the first delay: it is renewed from now */
	CU_ASSERT_PTR_NULL(fx_join_of(&F, 1));
	adv(3000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx_join_of(&F, 1));
	CU_ASSERT_STRING_EQUAL(fx_join_of(&F, 1)->protocol, "roundrobin");
	CU_ASSERT_STRING_EQUAL(fx_join_of(&F, 3)->protocol, "roundrobin");
	/* A "connect" group works the same way. */
	join_full(4, "c", "", NULL, "connect", "sessioned,default", "W", 10000, false);
	join_full(5, "c", "", NULL, "connect", "default", "W", 10000, false);
	settle();
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx_join_of(&F, 5));
	CU_ASSERT_STRING_EQUAL(fx_join_of(&F, 5)->protocol, "default");
	struct group_view v;
	group_describe(F.c, S("c"), &v);
	CU_ASSERT(kp_str_eq_c(v.protocol_type, "connect"));
	CU_ASSERT_EQUAL(v.nmembers, 2);
	fx_fini(&F);
}

static void test_max_size(void)
{
	fx_init(&F);
	F.cfg.max_size = 2;
	fx_start(&F);
	join(1, "g", "", "range");
	join(2, "g", "", "range");
	join(3, "g", "", "range");
	CU_ASSERT_EQUAL_FATAL(fx_join_of(&F, 3)->error, KERR_GROUP_MAX_SIZE_REACHED);
	settle();
	CU_ASSERT_EQUAL(fx_join_of(&F, 1)->nmembers, 2);
	join(4, "g", "", "range"); /* CompletingRebalance: full */
	CU_ASSERT_EQUAL(fx_join_of(&F, 4)->error, KERR_GROUP_MAX_SIZE_REACHED);
	fx_fini(&F);
}

/* ---- Timers, heartbeats, leaving ------------------------------------------------------- */

static void two_stable(char *ida, char *idb)
{
	join(1, "g", "", "range");
	join(2, "g", "", "range");
	settle();
	strcpy(ida, fx_join_of(&F, 1)->member_id);
	strcpy(idb, fx_join_of(&F, 2)->member_id);
	sync2(10, "g", ida, 1, ida, "AA", idb, "BB");
	sync2(11, "g", idb, 1, NULL, NULL, NULL, NULL);
	fx_ack(&F, KERR_NONE);
	CU_ASSERT_EQUAL(state_of("g"), GROUP_STABLE);
}

static void test_heartbeat_expiry(void)
{
	setup();
	char ida[160], idb[160];
	two_stable(ida, idb);
	CU_ASSERT_EQUAL(group_heartbeat(F.c, S("g"), 1, S(ida), KP_STR_NULL), KERR_NONE);
	CU_ASSERT_EQUAL(group_heartbeat(F.c, S("g"), 0, S(ida), KP_STR_NULL), KERR_ILLEGAL_GENERATION);
	CU_ASSERT_EQUAL(group_heartbeat(F.c, S("g"), 1, S("zz"), KP_STR_NULL), KERR_UNKNOWN_MEMBER_ID);
	CU_ASSERT_EQUAL(group_heartbeat(F.c, S("x"), 1, S(ida), KP_STR_NULL), KERR_UNKNOWN_MEMBER_ID);
	CU_ASSERT_EQUAL(group_heartbeat(F.c, S(""), 1, S(ida), KP_STR_NULL), KERR_INVALID_GROUP_ID);
	for (int i = 0; i < 3; i++) { /* A keeps heartbeating, B does not */
		adv(4000);
		CU_ASSERT_EQUAL(group_heartbeat(F.c, S("g"), 1, S(ida), KP_STR_NULL),
		                i < 2 ? KERR_NONE : KERR_REBALANCE_IN_PROGRESS);
	}
	CU_ASSERT_EQUAL(state_of("g"), GROUP_PREPARING_REBALANCE);
	CU_ASSERT_EQUAL(group_heartbeat(F.c, S("g"), 1, S(idb), KP_STR_NULL), KERR_UNKNOWN_MEMBER_ID);
	join(3, "g", ida, "range"); /* the only member rejoined: done */
	CU_ASSERT_EQUAL_FATAL(fx_join_of(&F, 3)->error, KERR_NONE);
	CU_ASSERT_EQUAL(fx_join_of(&F, 3)->generation, 2);
	CU_ASSERT_EQUAL(fx_join_of(&F, 3)->nmembers, 1);
	fx_fini(&F);
}

static void test_rebalance_timeout(void)
{
	setup();
	char ida[160], idb[160];
	two_stable(ida, idb);
	join(3, "g", ida, "range"); /* the leader rejoins; B never does */
	CU_ASSERT_PTR_NULL(fx_join_of(&F, 3));
	for (int i = 0; i < 4; i++) { /* B's parked-free heartbeats keep it alive meanwhile */
		adv(4900);
		CU_ASSERT_EQUAL(group_heartbeat(F.c, S("g"), 1, S(idb), KP_STR_NULL), KERR_REBALANCE_IN_PROGRESS);
	}
	CU_ASSERT_PTR_NULL(fx_join_of(&F, 3));
	adv(400); /* 20000 ms: the rebalance timeout removes B */
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx_join_of(&F, 3));
	CU_ASSERT_EQUAL(fx_join_of(&F, 3)->generation, 2);
	CU_ASSERT_EQUAL(fx_join_of(&F, 3)->nmembers, 1);
	CU_ASSERT_EQUAL(group_heartbeat(F.c, S("g"), 2, S(idb), KP_STR_NULL), KERR_UNKNOWN_MEMBER_ID);
	fx_fini(&F);
}

static void test_pending_sync_timeout(void)
{
	setup();
	join(1, "g", "", "range");
	join(2, "g", "", "range");
	settle();
	char ida[160], idb[160];
	strcpy(ida, fx_join_of(&F, 1)->member_id);
	strcpy(idb, fx_join_of(&F, 2)->member_id);
	sync2(10, "g", ida, 1, ida, "AA", idb, "BB");
	fx_ack(&F, KERR_NONE);
	CU_ASSERT_EQUAL(state_of("g"), GROUP_STABLE);
	for (int i = 0; i < 4; i++) {
		adv(5000);
		group_heartbeat(F.c, S("g"), 1, S(ida), KP_STR_NULL);
		group_heartbeat(F.c, S("g"), 1, S(idb), KP_STR_NULL);
	}
	/* B never sent SyncGroup within the rebalance timeout: removed, the group rebalances. */
	CU_ASSERT_EQUAL(state_of("g"), GROUP_PREPARING_REBALANCE);
	CU_ASSERT_EQUAL(group_heartbeat(F.c, S("g"), 1, S(idb), KP_STR_NULL), KERR_UNKNOWN_MEMBER_ID);
	fx_fini(&F);
}

static void test_leave(void)
{
	setup();
	char ida[160], idb[160];
	two_stable(ida, idb);
	struct group_leave_member lm[3] = {{S(idb), KP_STR_NULL, KP_STR_NULL, -1},
	                                   {S("ghost"), KP_STR_NULL, KP_STR_NULL, -1},
	                                   {S(idb), KP_STR_NULL, KP_STR_NULL, -1}};
	CU_ASSERT_EQUAL(group_leave(F.c, S("g"), lm, 3), KERR_NONE);
	CU_ASSERT_EQUAL(lm[0].error, KERR_NONE);
	CU_ASSERT_EQUAL(lm[1].error, KERR_UNKNOWN_MEMBER_ID);
	CU_ASSERT_EQUAL(lm[2].error, KERR_UNKNOWN_MEMBER_ID);
	CU_ASSERT_EQUAL(state_of("g"), GROUP_PREPARING_REBALANCE);
	/* The last member leaves during the rebalance: Empty at the next generation, persisted. */
	join(3, "g", ida, "range");
	CU_ASSERT_EQUAL(fx_join_of(&F, 3)->generation, 2);
	struct group_leave_member la = {S(ida), KP_STR_NULL, KP_STR_NULL, -1};
	int before = F.npend;
	group_leave(F.c, S("g"), &la, 1);
	CU_ASSERT_EQUAL(la.error, KERR_NONE);
	CU_ASSERT_EQUAL(state_of("g"), GROUP_EMPTY); /* nobody left to wait for */
	CU_ASSERT_EQUAL(generation_of("g"), 3);
	CU_ASSERT_EQUAL(F.npend, before + 1);
	struct group_leave_member lu = {S(ida), KP_STR_NULL, KP_STR_NULL, -1};
	group_leave(F.c, S("nogroup"), &lu, 1);
	CU_ASSERT_EQUAL(lu.error, KERR_UNKNOWN_MEMBER_ID);
	fx_fini(&F);
}

static void test_leave_during_initial_join(void)
{
	setup();
	join_full(1, "g", "", NULL, "consumer", "range", "M", 10000, true);
	char id[160];
	strcpy(id, fx_join_of(&F, 1)->member_id);
	join_full(2, "g", id, NULL, "consumer", "range", "M", 10000, true);
	CU_ASSERT_PTR_NULL(fx_join_of(&F, 2)); /* parked in the initial delay */
	/* A parked JoinGroup of a member removed by LeaveGroup is answered. */
	struct group_leave_member lm = {S(id), KP_STR_NULL, KP_STR_NULL, -1};
	group_leave(F.c, S("g"), &lm, 1);
	CU_ASSERT_EQUAL(lm.error, KERR_NONE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx_join_of(&F, 2));
	CU_ASSERT_EQUAL(fx_join_of(&F, 2)->error, KERR_UNKNOWN_MEMBER_ID);
	CU_ASSERT_EQUAL(state_of("g"), GROUP_PREPARING_REBALANCE);
	adv(3000);
	CU_ASSERT_EQUAL(state_of("g"), GROUP_EMPTY);
	CU_ASSERT_EQUAL(generation_of("g"), 1);
	fx_fini(&F);
}

static void test_limits(void)
{
	setup();
	static char longid[KB_GROUP_ID_MAX_BYTES + 2];
	memset(longid, 'g', KB_GROUP_ID_MAX_BYTES + 1);
	join(1, longid, "", "range");
	CU_ASSERT_EQUAL(fx_join_of(&F, 1)->error, KERR_INVALID_GROUP_ID);
	int pend;
	CU_ASSERT_EQUAL(commit1(2, longid, "", -1, "t", 0, 1, "", &pend), KERR_INVALID_GROUP_ID);
	longid[KB_GROUP_ID_MAX_BYTES] = 0; /* exactly the limit is fine */
	join(3, longid, "", "range");
	CU_ASSERT_PTR_NULL(fx_join_of(&F, 3));
	/* An assignment over KB_GROUP_ASSIGNMENT_MAX_BYTES. */
	join(4, "g", "", "range");
	adv(3000);
	char id[160];
	strcpy(id, fx_join_of(&F, 4)->member_id);
	static uint8_t big[KB_GROUP_ASSIGNMENT_MAX_BYTES + 1];
	struct group_assignment as = {S(id), {big, (int32_t)sizeof(big), NULL}};
	struct group_sync_req r = {.group_id = S("g"), .member_id = S(id), .instance_id = KP_STR_NULL,
	                           .generation_id = 1, .protocol_type = KP_STR_NULL,
	                           .protocol_name = KP_STR_NULL, .nassignments = 1, .assignments = &as};
	group_sync(F.c, &r, (void *)5);
	CU_ASSERT_EQUAL(fx_sync_of(&F, 5)->error, KERR_INVALID_REQUEST);
	CU_ASSERT_EQUAL(F.npend, 0);
	as.assignment.len = KB_GROUP_ASSIGNMENT_MAX_BYTES;
	group_sync(F.c, &r, (void *)6);
	fx_ack(&F, KERR_NONE);
	CU_ASSERT_EQUAL(fx_sync_of(&F, 6)->error, KERR_NONE);
	CU_ASSERT_EQUAL(fx_sync_of(&F, 6)->alen, KB_GROUP_ASSIGNMENT_MAX_BYTES);
	/* More partitions in one commit than KB_GROUP_MAX_COMMIT_PARTITIONS. */
	int n = KB_GROUP_MAX_COMMIT_PARTITIONS + 1;
	struct group_commit_part *parts = kb_calloc((size_t)n, sizeof(*parts));
	int16_t *errs = kb_calloc((size_t)n, sizeof(*errs));
	for (int i = 0; i < n; i++)
		parts[i] = (struct group_commit_part){S("t"), i, 1, -1, KP_STR_NULL, -1};
	struct group_commit_req cr = {S("g"), S(id), KP_STR_NULL, 1, -1, n, parts};
	CU_ASSERT_EQUAL(group_commit(F.c, &cr, errs, (void *)7), 0);
	CU_ASSERT_EQUAL(errs[0], KERR_INVALID_REQUEST);
	CU_ASSERT_EQUAL(errs[n - 1], KERR_INVALID_REQUEST);
	CU_ASSERT_EQUAL(F.npend, 0);
	kb_free(parts);
	kb_free(errs);
	fx_fini(&F);
}

/* ---- Static membership ------------------------------------------------------------------ */

static void test_static_restart(void)
{
	setup();
	join_full(1, "g", "", "i1", "consumer", "range", "M", 10000, true);
	adv(3000);
	const struct fx_join *j = fx_join_of(&F, 1);
	CU_ASSERT_EQUAL_FATAL(j->error, KERR_NONE); /* static members skip MEMBER_ID_REQUIRED */
	CU_ASSERT_EQUAL(strncmp(j->member_id, "i1-", 3), 0);
	char old[160];
	strcpy(old, j->member_id);
	sync2(2, "g", old, 1, old, "S1", NULL, NULL);
	fx_ack(&F, KERR_NONE);
	/* Restart (JoinGroup v5-8): same instance id, no member id, same metadata. No
	 * rebalance; the answer names the old leader id, so the member acts as a follower. */
	F_skip_ok = false;
	join_full(3, "g", "", "i1", "consumer", "range", "M", 10000, true);
	CU_ASSERT_PTR_NULL(fx_join_of(&F, 3)); /* waits for the group to be persisted */
	CU_ASSERT_EQUAL(state_of("g"), GROUP_STABLE);
	fx_ack(&F, KERR_NONE);
	j = fx_join_of(&F, 3);
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
	F_skip_ok = true;
	join_full(30, "g", "", "i1", "consumer", "range", "M", 10000, true);
	fx_ack(&F, KERR_NONE);
	F_skip_ok = false;
	j = fx_join_of(&F, 30);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(j->error, KERR_NONE);
	CU_ASSERT_EQUAL(j->generation, 1);
	CU_ASSERT_STRING_EQUAL(j->leader, j->member_id);
	CU_ASSERT_EQUAL(j->nmembers, 1);
	CU_ASSERT(j->skip);
	CU_ASSERT_EQUAL(group_heartbeat(F.c, S("g"), 1, S(mid), S("i1")), KERR_FENCED_INSTANCE_ID);
	char neu[160];
	strcpy(neu, j->member_id);
	CU_ASSERT_EQUAL(state_of("g"), GROUP_STABLE);
	sync2(4, "g", neu, 1, NULL, NULL, NULL, NULL);
	CU_ASSERT_STRING_EQUAL(fx_sync_of(&F, 4)->assignment, "S1");
	/* The old incarnation is fenced. */
	CU_ASSERT_EQUAL(group_heartbeat(F.c, S("g"), 1, S(old), S("i1")), KERR_FENCED_INSTANCE_ID);
	CU_ASSERT_EQUAL(group_heartbeat(F.c, S("g"), 1, S(neu), S("i1")), KERR_NONE);
	join_full(5, "g", old, "i1", "consumer", "range", "M", 10000, true);
	CU_ASSERT_EQUAL(fx_join_of(&F, 5)->error, KERR_FENCED_INSTANCE_ID);
	struct group_commit_part p = {S("t"), 0, 5, -1, KP_STR_NULL, -1};
	struct group_commit_req cr = {S("g"), S(old), S("i1"), 1, -1, 1, &p};
	int16_t err;
	CU_ASSERT_EQUAL(group_commit(F.c, &cr, &err, (void *)6), 0);
	CU_ASSERT_EQUAL(err, KERR_FENCED_INSTANCE_ID);
	/* A restart whose protocols change the group's selected protocol rebalances. */
	join_full(7, "g", "", "i1", "consumer", "roundrobin,range", "M", 10000, true);
	CU_ASSERT_EQUAL_FATAL(fx_join_of(&F, 7)->error, KERR_NONE);
	CU_ASSERT_EQUAL(fx_join_of(&F, 7)->generation, 2);
	CU_ASSERT_STRING_EQUAL(fx_join_of(&F, 7)->protocol, "roundrobin");
	CU_ASSERT_EQUAL(state_of("g"), GROUP_COMPLETING_REBALANCE);
	/* Administrative removal by instance id. */
	struct group_leave_member lm = {S(""), S("i1"), KP_STR_NULL, -1};
	group_leave(F.c, S("g"), &lm, 1);
	CU_ASSERT_EQUAL(lm.error, KERR_NONE);
	fx_fini(&F);
}

/* A static member that does not rejoin is kept through the rebalance (Kafka removes only
 * dynamic ones); with nobody else joined the round waits again, until its session ends. */
static void test_static_member_not_rejoining(void)
{
	setup();
	join_full(1, "g", "", "i1", "consumer", "range", "M", 10000, false);
	adv(3000);
	char sid[160];
	strcpy(sid, fx_join_of(&F, 1)->member_id);
	sync2(2, "g", sid, 1, sid, "S1", NULL, NULL);
	fx_ack(&F, KERR_NONE);
	join_full(3, "g", "", NULL, "consumer", "range", "M", 10000, false); /* a new member */
	CU_ASSERT_EQUAL(state_of("g"), GROUP_PREPARING_REBALANCE);
	struct group_leave_member lm = {S(""), KP_STR_NULL, KP_STR_NULL, -1};
	/* The static member keeps heartbeating but never rejoins; the rebalance timeout passes
	 * with only the new member joined: it leads generation 2, the static member stays. */
	for (int i = 0; i < 4; i++) {
		adv(5000);
		group_heartbeat(F.c, S("g"), 1, S(sid), S("i1"));
	}
	CU_ASSERT_EQUAL_FATAL(fx_join_of(&F, 3)->error, KERR_NONE);
	CU_ASSERT_EQUAL(fx_join_of(&F, 3)->generation, 2);
	CU_ASSERT_EQUAL(fx_join_of(&F, 3)->nmembers, 2);
	CU_ASSERT_EQUAL(group_heartbeat(F.c, S("g"), 2, S(sid), S("i1")), KERR_NONE);
	lm.member_id = S(fx_join_of(&F, 3)->member_id);
	group_leave(F.c, S("g"), &lm, 1); /* the new leader leaves: rebalance, nobody joins */
	CU_ASSERT_EQUAL(lm.error, KERR_NONE);
	CU_ASSERT_EQUAL(state_of("g"), GROUP_PREPARING_REBALANCE);
	for (int i = 0; i < 5; i++) { /* the round finds no joined member: it waits again */
		adv(5000);
		CU_ASSERT_EQUAL(group_heartbeat(F.c, S("g"), 2, S(sid), S("i1")), KERR_REBALANCE_IN_PROGRESS);
	}
	CU_ASSERT_EQUAL(generation_of("g"), 2);
	CU_ASSERT(group_next_deadline(F.c) > F.now);
	adv(20000); /* the static member's session ran out meanwhile: removed, group empties */
	CU_ASSERT_EQUAL(state_of("g"), GROUP_EMPTY);
	fx_fini(&F);
}

static void test_static_restart_store_fails(void)
{
	setup();
	join_full(1, "g", "", "i1", "consumer", "range", "M", 10000, false);
	adv(3000);
	char old[160];
	strcpy(old, fx_join_of(&F, 1)->member_id);
	sync2(2, "g", old, 1, old, "S1", NULL, NULL);
	fx_ack(&F, KERR_NONE);
	join_full(3, "g", "", "i1", "consumer", "range", "M", 10000, false);
	fx_ack(&F, KERR_NOT_ENOUGH_REPLICAS);
	CU_ASSERT_EQUAL(fx_join_of(&F, 3)->error, KERR_COORDINATOR_NOT_AVAILABLE);
	/* Reverted: the old member id is still the member. */
	CU_ASSERT_EQUAL(group_heartbeat(F.c, S("g"), 1, S(old), S("i1")), KERR_NONE);
	fx_fini(&F);
}

/* ---- Offsets ---------------------------------------------------------------------------- */

static void test_commit_and_fetch(void)
{
	setup();
	char ida[160], idb[160];
	two_stable(ida, idb);
	int pend;
	CU_ASSERT_EQUAL(commit1(1, "g", ida, 9, "t", 0, 5, "m", &pend), KERR_ILLEGAL_GENERATION);
	CU_ASSERT_EQUAL(pend, 0);
	CU_ASSERT_EQUAL(commit1(2, "g", "zz", 1, "t", 0, 5, "m", &pend), KERR_UNKNOWN_MEMBER_ID);
	CU_ASSERT_EQUAL(commit1(3, "g", "", -1, "t", 0, 5, "m", &pend), KERR_UNKNOWN_MEMBER_ID);
	CU_ASSERT_EQUAL(commit1(4, "nog", "", 3, "t", 0, 5, "m", &pend), KERR_ILLEGAL_GENERATION);
	CU_ASSERT_EQUAL(commit1(5, "g", ida, 1, "t", 0, 42, "meta", &pend), KERR_NONE);
	CU_ASSERT_EQUAL(pend, 1);
	struct group_offset o;
	CU_ASSERT_FALSE(group_offset_get(F.c, S("g"), S("t"), 0, &o)); /* not before acks=all */
	CU_ASSERT_EQUAL(o.offset, -1);
	fx_ack(&F, KERR_NONE);
	CU_ASSERT_EQUAL(fx_commit_of(&F, 5), KERR_NONE);
	CU_ASSERT_TRUE_FATAL(group_offset_get(F.c, S("g"), S("t"), 0, &o));
	CU_ASSERT_EQUAL(o.offset, 42);
	CU_ASSERT_EQUAL(o.leader_epoch, 7);
	CU_ASSERT(kp_str_eq_c(o.metadata, "meta"));
	CU_ASSERT_EQUAL(o.commit_timestamp, F.now);
	/* A failed append stores nothing and answers the mapped error. */
	CU_ASSERT_EQUAL(commit1(6, "g", ida, 1, "t", 0, 50, "", &pend), KERR_NONE);
	fx_ack(&F, KERR_NOT_LEADER_OR_FOLLOWER);
	CU_ASSERT_EQUAL(fx_commit_of(&F, 6), KERR_NOT_COORDINATOR);
	group_offset_get(F.c, S("g"), S("t"), 0, &o);
	CU_ASSERT_EQUAL(o.offset, 42);
	F.append_fail = KERR_NOT_ENOUGH_REPLICAS; /* refused at once */
	CU_ASSERT_EQUAL(commit1(7, "g", ida, 1, "t", 1, 50, "", &pend), KERR_COORDINATOR_NOT_AVAILABLE);
	CU_ASSERT_EQUAL(pend, 0);
	F.append_fail = 0;
	CU_ASSERT_FALSE(group_offset_get(F.c, S("g"), S("t"), 1, &o));
	/* Metadata over offset.metadata.max.bytes fails that partition only. */
	char big[4098];
	memset(big, 'x', 4097);
	big[4097] = 0;
	struct group_commit_part ps[2] = {{S("t"), 2, 1, -1, S(big), -1}, {S("t"), 3, 2, -1, KP_STR_NULL, -1}};
	struct group_commit_req r = {S("g"), S(idb), KP_STR_NULL, 1, -1, 2, ps};
	int16_t errs[2];
	CU_ASSERT_EQUAL(group_commit(F.c, &r, errs, (void *)8), 1);
	CU_ASSERT_EQUAL(errs[0], KERR_OFFSET_METADATA_TOO_LARGE);
	CU_ASSERT_EQUAL(errs[1], KERR_NONE);
	fx_ack(&F, KERR_NONE);
	CU_ASSERT_TRUE(group_offset_get(F.c, S("g"), S("t"), 3, &o));
	CU_ASSERT(kp_str_eq_c(o.metadata, "")); /* null metadata is stored as "" */
	CU_ASSERT_FALSE(group_offset_get(F.c, S("g"), S("t"), 2, &o));
	/* CompletingRebalance refuses commits. */
	join(9, "g", ida, "range");
	join(10, "g", idb, "range");
	CU_ASSERT_EQUAL(state_of("g"), GROUP_COMPLETING_REBALANCE);
	CU_ASSERT_EQUAL(commit1(11, "g", ida, 2, "t", 0, 60, "", &pend), KERR_REBALANCE_IN_PROGRESS);
	/* A simple consumer: generation -1, no member, unknown group. */
	CU_ASSERT_EQUAL(commit1(12, "simple", "", -1, "u", 4, 9, "", &pend), KERR_NONE);
	fx_ack(&F, KERR_NONE);
	CU_ASSERT_TRUE(group_offset_get(F.c, S("simple"), S("u"), 4, &o));
	CU_ASSERT_EQUAL(state_of("simple"), GROUP_EMPTY);
	fx_fini(&F);
}

static void count_cb(void *arg, const struct group_offset *o)
{
	*(int64_t *)arg += o->offset;
}

static void test_expiry(void)
{
	setup();
	int pend;
	commit1(1, "simple", "", -1, "u", 0, 10, "", &pend);
	commit1(2, "simple", "", -1, "u", 1, 20, "", &pend);
	fx_ack(&F, KERR_NONE);
	int64_t sum = 0;
	CU_ASSERT_EQUAL(group_offset_foreach(F.c, S("simple"), count_cb, &sum), 2);
	CU_ASSERT_EQUAL(sum, 30);
	F.now += F.cfg.offsets_retention_ms - 1;
	commit1(3, "simple", "", -1, "u", 1, 21, "", &pend); /* refreshed */
	fx_ack(&F, KERR_NONE);
	CU_ASSERT_EQUAL(group_expire_offsets(F.c), 0);
	F.now += 1;
	CU_ASSERT_EQUAL(group_expire_offsets(F.c), 1);
	fx_ack(&F, KERR_NONE);
	CU_ASSERT_EQUAL(F.log[F.nlog - 1].value == NULL, true); /* a tombstone */
	CU_ASSERT_EQUAL(state_of("simple"), GROUP_EMPTY);
	F.now += F.cfg.offsets_retention_ms;
	CU_ASSERT_EQUAL(group_expire_offsets(F.c), 1);
	CU_ASSERT_EQUAL(state_of("simple"), GROUP_DEAD); /* no offsets left: removed */
	/* A consumer group keeps offsets while it has members; once Empty, retention counts
	 * from the moment it became Empty. */
	const char *id = stable_one("g", 10);
	char mid[160];
	strcpy(mid, id);
	commit1(20, "g", mid, 1, "t", 0, 5, "", &pend);
	fx_ack(&F, KERR_NONE);
	F.now += F.cfg.offsets_retention_ms * 2;
	group_heartbeat(F.c, S("g"), 1, S(mid), KP_STR_NULL);
	CU_ASSERT_EQUAL(group_expire_offsets(F.c), 0); /* Stable and subscription unknown ("M") */
	struct group_leave_member lm = {S(mid), KP_STR_NULL, KP_STR_NULL, -1};
	group_leave(F.c, S("g"), &lm, 1);
	CU_ASSERT_EQUAL(state_of("g"), GROUP_EMPTY);
	F.now += F.cfg.offsets_retention_ms - 1;
	CU_ASSERT_EQUAL(group_expire_offsets(F.c), 0);
	F.now += 1;
	fx_ack(&F, KERR_NONE);
	int before = F.nlog;
	CU_ASSERT_EQUAL(group_expire_offsets(F.c), 1);
	fx_ack(&F, KERR_NONE);
	CU_ASSERT_EQUAL(state_of("g"), GROUP_DEAD);
	CU_ASSERT_EQUAL(F.nlog, before + 2); /* the offset's and the group's tombstones */
	fx_fini(&F);
}

/* A ConsumerProtocolSubscription v0 for one topic. */
static const char SUB_T1[] = "\x00\x00" "\x00\x00\x00\x01" "\x00\x02" "t1" "\xff\xff\xff\xff";

static void test_delete_group_and_offsets(void)
{
	setup();
	struct group_protocol p = {S("range"), {(const uint8_t *)SUB_T1, sizeof(SUB_T1) - 1, NULL}};
	struct group_join_req r = {.group_id = S("g"), .member_id = S(""), .instance_id = KP_STR_NULL,
	                           .client_id = S("c"), .client_host = S("h"),
	                           .session_timeout_ms = 10000, .rebalance_timeout_ms = 10000,
	                           .protocol_type = S("consumer"), .nprotocols = 1, .protocols = &p};
	group_join(F.c, &r, (void *)1);
	adv(3000);
	char id[160];
	strcpy(id, fx_join_of(&F, 1)->member_id);
	sync2(2, "g", id, 1, id, "A", NULL, NULL);
	fx_ack(&F, KERR_NONE);
	int pend;
	commit1(3, "g", id, 1, "t1", 0, 5, "", &pend);
	commit1(4, "g", id, 1, "t2", 0, 6, "", &pend);
	fx_ack(&F, KERR_NONE);
	CU_ASSERT_EQUAL(group_delete(F.c, S("g")), KERR_NON_EMPTY_GROUP);
	CU_ASSERT_EQUAL(group_delete(F.c, S("nog")), KERR_GROUP_ID_NOT_FOUND);
	struct group_offset_delete_part d[2] = {{S("t1"), 0, -1}, {S("t2"), 0, -1}};
	CU_ASSERT_EQUAL(group_offset_delete(F.c, S("g"), d, 2), KERR_NONE);
	CU_ASSERT_EQUAL(d[0].error, KERR_GROUP_SUBSCRIBED_TO_TOPIC);
	CU_ASSERT_EQUAL(d[1].error, KERR_NONE);
	struct group_offset o;
	CU_ASSERT_TRUE(group_offset_get(F.c, S("g"), S("t1"), 0, &o));
	CU_ASSERT_FALSE(group_offset_get(F.c, S("g"), S("t2"), 0, &o));
	CU_ASSERT_EQUAL(group_offset_delete(F.c, S("nog"), d, 1), KERR_GROUP_ID_NOT_FOUND);
	struct group_leave_member lm = {S(id), KP_STR_NULL, KP_STR_NULL, -1};
	group_leave(F.c, S("g"), &lm, 1);
	adv(10000);
	CU_ASSERT_EQUAL(state_of("g"), GROUP_EMPTY);
	fx_ack(&F, KERR_NONE);
	int before = F.nlog;
	CU_ASSERT_EQUAL(group_delete(F.c, S("g")), KERR_NONE);
	fx_ack(&F, KERR_NONE);
	CU_ASSERT_EQUAL(F.nlog, before + 2);
	CU_ASSERT_EQUAL(state_of("g"), GROUP_DEAD);
	CU_ASSERT_EQUAL(group_delete(F.c, S("g")), KERR_GROUP_ID_NOT_FOUND);
	fx_fini(&F);
}

static void test_unload_answers_parked(void)
{
	setup();
	join(2, "h", "", "range");
	adv(3000);
	char id[160];
	strcpy(id, fx_join_of(&F, 2)->member_id);
	sync2(3, "h", id, 1, id, "A", NULL, NULL); /* parked on its append */
	int pend;
	commit1(4, "s", "", -1, "t", 0, 1, "", &pend);
	join(5, "g", "", "range"); /* parked in the initial delay */
	group_coord_free(F.c);
	F.c = NULL;
	CU_ASSERT_EQUAL(fx_join_of(&F, 5)->error, KERR_NOT_COORDINATOR);
	CU_ASSERT_EQUAL(fx_sync_of(&F, 3)->error, KERR_NOT_COORDINATOR);
	CU_ASSERT_EQUAL(fx_commit_of(&F, 4), KERR_NOT_COORDINATOR);
	fx_fini(&F);
}

/* ---- Replay --------------------------------------------------------------------------- */

static void test_replay(void)
{
	setup();
	char ida[160], idb[160];
	two_stable(ida, idb);
	int pend;
	commit1(1, "g", ida, 1, "t", 0, 42, "m", &pend);
	commit1(2, "g", idb, 1, "t", 1, 43, "", &pend);
	commit1(3, "g", ida, 1, "t", 0, 44, "m2", &pend); /* the last value wins */
	commit1(4, "simple", "", -1, "u", 4, 9, "", &pend);
	commit1(5, "simple", "", -1, "u", 5, 10, "", &pend);
	commit1(6, "gone", "", -1, "v", 0, 1, "", &pend);
	fx_ack(&F, KERR_NONE);
	struct group_offset_delete_part d = {S("u"), 5, -1};
	CU_ASSERT_EQUAL(group_offset_delete(F.c, S("simple"), &d, 1), KERR_NONE);
	CU_ASSERT_EQUAL(group_delete(F.c, S("gone")), KERR_NONE);
	fx_ack(&F, KERR_NONE);

	struct group_coord *c2 = fx_new_coord(&F);
	for (int i = 0; i < F.nlog; i++)
		CU_ASSERT_EQUAL(group_load_record(c2, F.log[i].key, F.log[i].klen, F.log[i].value,
		                                  F.log[i].vlen), 0);
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
	group_describe(F.c, S("g"), &v1);
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
	group_offset_get(F.c, S("g"), S("t"), 0, &o1);
	CU_ASSERT_EQUAL(o.commit_timestamp, o1.commit_timestamp);
	CU_ASSERT_TRUE(group_offset_get(c2, S("g"), S("t"), 1, &o));
	CU_ASSERT_EQUAL(o.offset, 43);
	CU_ASSERT_TRUE(group_offset_get(c2, S("simple"), S("u"), 4, &o));
	CU_ASSERT_FALSE(group_offset_get(c2, S("simple"), S("u"), 5, &o));
	CU_ASSERT_FALSE(group_describe(c2, S("gone"), &v2));
	CU_ASSERT_EQUAL(group_describe(c2, S("simple"), &v2) && v2.state == GROUP_EMPTY, true);
	/* The loaded members carry on: heartbeats work, and their sessions run again. */
	CU_ASSERT_EQUAL(group_heartbeat(c2, S("g"), 1, S(idb), KP_STR_NULL), KERR_NONE);
	CU_ASSERT_EQUAL(group_next_deadline(c2), F.now + 10000);
	group_coord_free(c2);
	fx_fini(&F);
}

void suite_group(void);
void suite_group(void)
{
	CU_pSuite s = CU_add_suite("group", NULL, NULL);
	CU_add_test(s, "one member: join, initial delay, sync, persisted, stable", test_single_member_round);
	CU_add_test(s, "follower SyncGroup before the leader's", test_two_members_follower_first);
	CU_add_test(s, "store failure, rejoin, follower after leader", test_follower_after_leader_and_store_failure);
	CU_add_test(s, "MEMBER_ID_REQUIRED and pending member expiry", test_member_id_required);
	CU_add_test(s, "session timeout bounds and protocol checks", test_join_validation);
	CU_add_test(s, "named limits: ids, assignment, commit size", test_limits);
	CU_add_test(s, "protocol vote; connect groups", test_protocol_vote_and_connect);
	CU_add_test(s, "group.max.size", test_max_size);
	CU_add_test(s, "heartbeat expiry triggers a rebalance", test_heartbeat_expiry);
	CU_add_test(s, "rebalance timeout removes members that do not rejoin", test_rebalance_timeout);
	CU_add_test(s, "pending SyncGroup timeout", test_pending_sync_timeout);
	CU_add_test(s, "leave, last member leaves, group empties", test_leave);
	CU_add_test(s, "leave answers a parked join", test_leave_during_initial_join);
	CU_add_test(s, "static member restart without rebalance; fencing", test_static_restart);
	CU_add_test(s, "static member restart: store failure reverts", test_static_restart_store_fails);
	CU_add_test(s, "static member that does not rejoin", test_static_member_not_rejoining);
	CU_add_test(s, "offset commit checks, acks=all, fetch", test_commit_and_fetch);
	CU_add_test(s, "offset expiry", test_expiry);
	CU_add_test(s, "delete group, delete offsets", test_delete_group_and_offsets);
	CU_add_test(s, "unload answers parked requests", test_unload_answers_parked);
	CU_add_test(s, "replay rebuilds groups and offsets", test_replay);
	group_records_tests(s);
}
