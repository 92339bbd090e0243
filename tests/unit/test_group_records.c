/* test_group_records.c — __consumer_offsets records (byte-exact vectors written by hand from
 * the schemas in /work/shared/reference/kafka-schemas.md), decoding of every value version,
 * malformed input, the consumer subscription and the coordinator partition. */
#include "group_harness.h"

#include "../../common/kerr.h"

#include <string.h>

#define S(x) kp_str_c(x)

static void assert_bytes(const struct kbuf *b, const char *want, size_t n)
{
	CU_ASSERT_FALSE(b->err);
	CU_ASSERT_EQUAL_FATAL(b->len, n);
	CU_ASSERT_EQUAL(memcmp(b->data, want, n), 0);
}

/* OffsetCommitKey v1 and OffsetCommitValue v3, field by field:
 *   key:   version int16 1 | group STRING "g" | topic STRING "t" | partition INT32 3
 *   value: version int16 3 | offset INT64 42 | leaderEpoch INT32 7 | metadata STRING "m" |
 *          commitTimestamp INT64 1700000000000 (0x0000018BCFE56800)
 * STRING is an int16 length then the bytes. */
static void test_offset_vectors(void)
{
	struct kbuf b;
	kbuf_init(&b, 1 << 20);
	group_rec_offset_key(&b, S("g"), S("t"), 3);
	assert_bytes(&b, "\x00\x01" "\x00\x01g" "\x00\x01t" "\x00\x00\x00\x03", 12);
	kbuf_reset(&b);
	struct group_offset_rec r = {.offset = 42, .leader_epoch = 7, .metadata = S("m"),
	                             .commit_timestamp = 1700000000000LL, .expire_timestamp = -1};
	group_rec_offset_value(&b, &r);
	assert_bytes(&b,
	             "\x00\x03" "\x00\x00\x00\x00\x00\x00\x00\x2a" "\x00\x00\x00\x07" "\x00\x01m"
	             "\x00\x00\x01\x8b\xcf\xe5\x68\x00",
	             2 + 8 + 4 + 3 + 8);
	/* With an expire timestamp (OffsetCommit v2-4 retention): value v1 =
	 * offset INT64 | metadata STRING | commitTimestamp INT64 | expireTimestamp INT64. */
	kbuf_reset(&b);
	r = (struct group_offset_rec){.offset = 1, .leader_epoch = 9, .metadata = KP_STR_NULL,
	                              .commit_timestamp = 2, .expire_timestamp = 3};
	group_rec_offset_value(&b, &r);
	assert_bytes(&b,
	             "\x00\x01" "\x00\x00\x00\x00\x00\x00\x00\x01" "\x00\x00"
	             "\x00\x00\x00\x00\x00\x00\x00\x02" "\x00\x00\x00\x00\x00\x00\x00\x03",
	             2 + 8 + 2 + 8 + 8);
	kbuf_free(&b);
}

/* GroupMetadataKey v2 and GroupMetadataValue v3:
 *   key:   version int16 2 | group STRING "g"
 *   value: version int16 3 | protocolType STRING "consumer" | generation INT32 1 |
 *          protocol NULLABLE STRING "range" | leader NULLABLE STRING "m1" |
 *          currentStateTimestamp INT64 5 | members ARRAY (int32 count 1) of
 *          { memberId "m1" | groupInstanceId null (int16 -1) | clientId "c" | clientHost "/h" |
 *            rebalanceTimeout INT32 300000 (0x000493E0) | sessionTimeout INT32 10000 (0x2710) |
 *            subscription BYTES "S" (int32 length) | assignment BYTES "A" } */
static const char GROUP_V3[] =
	"\x00\x03" "\x00\x08" "consumer" "\x00\x00\x00\x01" "\x00\x05" "range" "\x00\x02" "m1"
	"\x00\x00\x00\x00\x00\x00\x00\x05" "\x00\x00\x00\x01"
	"\x00\x02" "m1" "\xff\xff" "\x00\x01" "c" "\x00\x02" "/h" "\x00\x04\x93\xe0"
	"\x00\x00\x27\x10" "\x00\x00\x00\x01" "S" "\x00\x00\x00\x01" "A";

static void test_group_vectors(void)
{
	struct kbuf b;
	kbuf_init(&b, 1 << 20);
	group_rec_group_key(&b, S("g"));
	assert_bytes(&b, "\x00\x02\x00\x01g", 5);
	kbuf_reset(&b);
	struct group_meta_member_rec m = {S("m1"), KP_STR_NULL, S("c"), S("/h"), 300000, 10000,
	                                  {(const uint8_t *)"S", 1, NULL}, {(const uint8_t *)"A", 1, NULL}};
	struct group_meta_rec r = {.group = S("g"), .value_version = 3, .protocol_type = S("consumer"),
	                           .generation = 1, .protocol = S("range"), .leader = S("m1"),
	                           .current_state_timestamp = 5, .nmembers = 1, .members = &m};
	group_rec_group_value(&b, &r);
	assert_bytes(&b, GROUP_V3, sizeof(GROUP_V3) - 1);
	/* And back. */
	struct group_offset_rec o;
	struct group_meta_rec d;
	CU_ASSERT_EQUAL_FATAL(group_rec_decode((const uint8_t *)"\x00\x02\x00\x01g", 5, b.data, b.len, &o, &d),
	                      GROUP_REC_GROUP);
	CU_ASSERT(kp_str_eq_c(d.group, "g"));
	CU_ASSERT_EQUAL(d.value_version, 3);
	CU_ASSERT(kp_str_eq_c(d.protocol_type, "consumer"));
	CU_ASSERT(kp_str_eq_c(d.protocol, "range"));
	CU_ASSERT(kp_str_eq_c(d.leader, "m1"));
	CU_ASSERT_EQUAL(d.generation, 1);
	CU_ASSERT_EQUAL(d.current_state_timestamp, 5);
	CU_ASSERT_EQUAL_FATAL(d.nmembers, 1);
	CU_ASSERT(kp_str_eq_c(d.members[0].member_id, "m1"));
	CU_ASSERT_EQUAL(d.members[0].instance_id.len, -1);
	CU_ASSERT(kp_str_eq_c(d.members[0].client_host, "/h"));
	CU_ASSERT_EQUAL(d.members[0].rebalance_timeout, 300000);
	CU_ASSERT_EQUAL(d.members[0].session_timeout, 10000);
	CU_ASSERT_EQUAL(d.members[0].assignment.len, 1);
	group_meta_rec_free(&d);
	/* Tombstone. */
	CU_ASSERT_EQUAL(group_rec_decode((const uint8_t *)"\x00\x02\x00\x01g", 5, NULL, 0, &o, &d),
	                GROUP_REC_GROUP);
	CU_ASSERT_EQUAL(d.value_version, -1);
	kbuf_free(&b);
}

static void test_decode_versions(void)
{
	struct group_offset_rec o;
	struct group_meta_rec m;
	const uint8_t key0[] = "\x00\x00\x00\x01g\x00\x01t\x00\x00\x00\x02"; /* key v0 */
	/* Value v0: offset | metadata | commitTimestamp. */
	const uint8_t v0[] = "\x00\x00" "\x00\x00\x00\x00\x00\x00\x00\x05" "\x00\x02md"
	                     "\x00\x00\x00\x00\x00\x00\x00\x06";
	CU_ASSERT_EQUAL_FATAL(group_rec_decode(key0, 12, v0, sizeof(v0) - 1, &o, &m), GROUP_REC_OFFSET);
	CU_ASSERT_EQUAL(o.key_version, 0);
	CU_ASSERT_EQUAL(o.partition, 2);
	CU_ASSERT_EQUAL(o.offset, 5);
	CU_ASSERT_EQUAL(o.leader_epoch, -1);
	CU_ASSERT(kp_str_eq_c(o.metadata, "md"));
	CU_ASSERT_EQUAL(o.commit_timestamp, 6);
	CU_ASSERT_EQUAL(o.expire_timestamp, -1);
	/* Value v4 (flexible): compact string (length + 1) and an empty tag section. */
	const uint8_t v4[] = "\x00\x04" "\x00\x00\x00\x00\x00\x00\x00\x07" "\x00\x00\x00\x03" "\x03md"
	                     "\x00\x00\x00\x00\x00\x00\x00\x08" "\x00";
	CU_ASSERT_EQUAL_FATAL(group_rec_decode(key0, 12, v4, sizeof(v4) - 1, &o, &m), GROUP_REC_OFFSET);
	CU_ASSERT_EQUAL(o.offset, 7);
	CU_ASSERT_EQUAL(o.leader_epoch, 3);
	CU_ASSERT(kp_str_eq_c(o.metadata, "md"));
	CU_ASSERT_EQUAL(o.commit_timestamp, 8);
	/* Group value v4 (flexible), no members, null protocol and leader. */
	const uint8_t gk[] = "\x00\x02\x00\x01g";
	const uint8_t g4[] = "\x00\x04" "\x09" "consumer" "\x00\x00\x00\x02" "\x00" "\x00"
	                     "\x00\x00\x00\x00\x00\x00\x00\x09" "\x01" "\x00";
	CU_ASSERT_EQUAL_FATAL(group_rec_decode(gk, 5, g4, sizeof(g4) - 1, &o, &m), GROUP_REC_GROUP);
	CU_ASSERT_EQUAL(m.generation, 2);
	CU_ASSERT_EQUAL(m.protocol.len, -1);
	CU_ASSERT_EQUAL(m.nmembers, 0);
	CU_ASSERT_EQUAL(m.current_state_timestamp, 9);
	group_meta_rec_free(&m);
	/* Group value v0: no rebalance timeout, no timestamp, no instance id. */
	const uint8_t g0[] = "\x00\x00" "\x00\x01" "x" "\x00\x00\x00\x03" "\x00\x01p" "\x00\x01l"
	                     "\x00\x00\x00\x01" "\x00\x01l" "\x00\x01" "c" "\x00\x01h" "\x00\x00\x17\x70"
	                     "\x00\x00\x00\x00" "\x00\x00\x00\x00";
	CU_ASSERT_EQUAL_FATAL(group_rec_decode(gk, 5, g0, sizeof(g0) - 1, &o, &m), GROUP_REC_GROUP);
	CU_ASSERT_EQUAL_FATAL(m.nmembers, 1);
	CU_ASSERT_EQUAL(m.members[0].session_timeout, 6000);
	CU_ASSERT_EQUAL(m.members[0].rebalance_timeout, -1);
	CU_ASSERT_EQUAL(m.current_state_timestamp, -1);
	group_meta_rec_free(&m);
	/* Keys of other record types (versions 3+) are skipped, not errors. */
	CU_ASSERT_EQUAL(group_rec_decode((const uint8_t *)"\x00\x03\x00\x01g", 5, NULL, 0, &o, &m),
	                GROUP_REC_OTHER);
}

static void test_decode_malformed(void)
{
	struct group_offset_rec o;
	struct group_meta_rec m;
	const uint8_t key[] = "\x00\x01\x00\x01g\x00\x01t\x00\x00\x00\x02";
	CU_ASSERT(group_rec_decode(key, 11, NULL, 0, &o, &m) < 0); /* truncated key */
	CU_ASSERT(group_rec_decode(key, 1, NULL, 0, &o, &m) < 0);
	const uint8_t v9[] = "\x00\x09\x00\x00\x00\x00\x00\x00\x00\x01";
	CU_ASSERT_EQUAL(group_rec_decode(key, 12, v9, sizeof(v9) - 1, &o, &m), KP_ERR_VERSION);
	const uint8_t vshort[] = "\x00\x03\x00\x00\x00\x00";
	CU_ASSERT(group_rec_decode(key, 12, vshort, sizeof(vshort) - 1, &o, &m) < 0);
	/* A member count far beyond the bytes present is refused before allocating. */
	const uint8_t gk[] = "\x00\x02\x00\x01g";
	const uint8_t gbig[] = "\x00\x03" "\x00\x00" "\x00\x00\x00\x01" "\xff\xff" "\xff\xff"
	                       "\x00\x00\x00\x00\x00\x00\x00\x00" "\x7f\xff\xff\xff";
	CU_ASSERT_EQUAL(group_rec_decode(gk, 5, gbig, sizeof(gbig) - 1, &o, &m), KP_ERR_LIMIT);
	/* Every truncation of a valid value fails cleanly. */
	static const char G[] =
		"\x00\x03" "\x00\x08" "consumer" "\x00\x00\x00\x01" "\x00\x05" "range" "\x00\x02" "m1"
		"\x00\x00\x00\x00\x00\x00\x00\x05" "\x00\x00\x00\x01"
		"\x00\x02" "m1" "\xff\xff" "\x00\x01" "c" "\x00\x02" "/h" "\x00\x04\x93\xe0"
		"\x00\x00\x27\x10" "\x00\x00\x00\x01" "S" "\x00\x00\x00\x01" "A";
	for (size_t n = 0; n < sizeof(G) - 1; n++)
		CU_ASSERT(group_rec_decode(gk, 5, (const uint8_t *)G, n, &o, &m) < 0);
}

static void topic_cb(void *arg, struct kp_str t)
{
	char *out = arg;
	strncat(out, t.ptr, (size_t)t.len);
	strcat(out, ";");
}

static void test_subscription(void)
{
	char got[64] = "";
	/* v1: topics ["a","bc"], user_data null, owned_partitions [] */
	const char v1[] = "\x00\x01" "\x00\x00\x00\x02" "\x00\x01" "a" "\x00\x02" "bc" "\xff\xff\xff\xff"
	                  "\x00\x00\x00\x00";
	CU_ASSERT_EQUAL(group_subscription_topics((struct kp_bytes){(const uint8_t *)v1, sizeof(v1) - 1, NULL},
	                                          topic_cb, got), 0);
	CU_ASSERT_STRING_EQUAL(got, "a;bc;");
	CU_ASSERT(group_subscription_topics((struct kp_bytes){(const uint8_t *)"M", 1, NULL}, topic_cb, got) < 0);
	CU_ASSERT(group_subscription_topics((struct kp_bytes){(const uint8_t *)"\x00\x00\x00\x00\x00\x09", 6, NULL},
	                                    topic_cb, got) < 0);
}

/* Expected values from Java's String.hashCode (31-polynomial over UTF-16 code units),
 * computed independently; "polygenelubricants" hashes to Integer.MIN_VALUE, which Kafka's
 * Utils.abs maps to 0. */
static void test_partition_for(void)
{
	CU_ASSERT_EQUAL(group_partition_for(S(""), 50), 0);
	CU_ASSERT_EQUAL(group_partition_for(S("a"), 50), 47);
	CU_ASSERT_EQUAL(group_partition_for(S("my-group"), 50), 12);            /* -1906497762 */
	CU_ASSERT_EQUAL(group_partition_for(S("polygenelubricants"), 50), 0);   /* MIN_VALUE */
	CU_ASSERT_EQUAL(group_partition_for(S("console-consumer-12345"), 50), 6);
	CU_ASSERT_EQUAL(group_partition_for(S("\xc3\xa9t\xc3\xa9"), 50), 42);   /* "été" */
	CU_ASSERT_EQUAL(group_partition_for(S("\xf0\x9f\x98\x80g"), 50), 22);   /* U+1F600 "g" */
	CU_ASSERT_EQUAL(group_partition_for(S("my-group"), 1), 0);
}

static void test_random_sequences(void);

void group_records_tests(CU_pSuite s)
{
	CU_add_test(s, "records: OffsetCommitKey v1, OffsetCommitValue v3 and v1 byte-exact", test_offset_vectors);
	CU_add_test(s, "records: GroupMetadataKey v2, GroupMetadataValue v3 byte-exact", test_group_vectors);
	CU_add_test(s, "records: decode value versions 0 and 4, other keys", test_decode_versions);
	CU_add_test(s, "records: malformed values", test_decode_malformed);
	CU_add_test(s, "consumer subscription topics", test_subscription);
	CU_add_test(s, "coordinator partition (Java hashCode, Utils.abs)", test_partition_for);
	CU_add_test(s, "random sequences: no crash, every parked request answered once",
	            test_random_sequences);
}

/* ---- Random operation sequences ---------------------------------------------------------- *
 * Thousands of random joins, syncs, heartbeats, leaves, commits, deletes, timer runs and
 * append outcomes (success, failure, failure at once) against two groups: nothing may crash
 * or leak (ASan), and every parked request must be answered exactly once by the time the
 * coordinator is freed (the server parks requests on these handles). */

#define RZ_HANDLES 40000
#define RZ_IDS 64

static struct {
	int64_t now;
	uint64_t rng;
	uint8_t answered[RZ_HANDLES];
	bool issued[RZ_HANDLES];
	uint64_t tokens[4096];
	int ntokens;
	int16_t fail_now;
	char ids[2][RZ_IDS][200]; /* member ids seen, per group */
	int nids[2];
	int32_t gen[2];
	int cur; /* the group of the request in progress */
	int joins_ok, syncs_ok;
	bool seen[GROUP_DEAD + 1]; /* states observed */
} RZ;

static uint32_t rz_rand(uint32_t n)
{
	RZ.rng ^= RZ.rng << 13;
	RZ.rng ^= RZ.rng >> 7;
	RZ.rng ^= RZ.rng << 17;
	return (uint32_t)(RZ.rng % n);
}

static int64_t rz_now(void *arg)
{
	(void)arg;
	return RZ.now;
}

static int16_t rz_append(void *arg, uint64_t token, const struct group_append_rec *recs, int n)
{
	(void)arg;
	/* Every record must decode. */
	for (int i = 0; i < n; i++) {
		struct group_offset_rec o;
		struct group_meta_rec m;
		int t = group_rec_decode(recs[i].key, recs[i].key_len, recs[i].value, recs[i].value_len, &o, &m);
		CU_ASSERT(t == GROUP_REC_OFFSET || t == GROUP_REC_GROUP);
		if (t == GROUP_REC_GROUP)
			group_meta_rec_free(&m);
	}
	if (RZ.fail_now || RZ.ntokens == 4096)
		return RZ.fail_now ? RZ.fail_now : KERR_REQUEST_TIMED_OUT;
	RZ.tokens[RZ.ntokens++] = token;
	return KERR_NONE;
}

static void rz_answer(void *handle)
{
	intptr_t h = (intptr_t)handle;
	CU_ASSERT_FATAL(h > 0 && h < RZ_HANDLES && RZ.issued[h]);
	RZ.answered[h]++;
}

static char rz_required[2][200]; /* the last MEMBER_ID_REQUIRED id per group */

static void rz_keep_id(struct kp_str id)
{
	if (id.len <= 0 || id.len >= 200)
		return;
	int g = RZ.cur;
	for (int i = 0; i < RZ.nids[g]; i++)
		if (kp_str_eq_c(id, RZ.ids[g][i]))
			return;
	int k = RZ.nids[g] < RZ_IDS ? RZ.nids[g]++ : (int)rz_rand(RZ_IDS);
	memcpy(RZ.ids[g][k], id.ptr, (size_t)id.len);
	RZ.ids[g][k][id.len] = 0;
}

static void rz_join_done(void *arg, void *handle, const struct group_join_result *r)
{
	(void)arg;
	rz_answer(handle);
	rz_keep_id(r->member_id);
	RZ.joins_ok += r->error == KERR_NONE;
	if (r->error == KERR_MEMBER_ID_REQUIRED && r->member_id.len > 0 && r->member_id.len < 200) {
		memcpy(rz_required[RZ.cur], r->member_id.ptr, (size_t)r->member_id.len);
		rz_required[RZ.cur][r->member_id.len] = 0;
	}

}

static void rz_sync_done(void *arg, void *handle, const struct group_sync_result *r)
{
	(void)arg;
	RZ.syncs_ok += r->error == KERR_NONE;

	rz_answer(handle);
}

static void rz_commit_done(void *arg, void *handle, int16_t err)
{
	(void)arg;
	(void)err;
	rz_answer(handle);
}

/* A member id: mostly a current member of the group (asked of the coordinator), else one
 * seen before, a bogus one or none. */
static char rz_cur_ids[8][200];
static int rz_ncur;

static struct kp_str rz_id(void)
{
	int g = RZ.cur;
	uint32_t pick = rz_rand(10);
	if (pick < 6 && rz_ncur)
		return kp_str_c(rz_cur_ids[rz_rand((uint32_t)rz_ncur)]);
	if (pick < 8 && RZ.nids[g])
		return kp_str_c(RZ.ids[g][rz_rand((uint32_t)RZ.nids[g])]);
	return rz_rand(2) ? KP_STR_LIT("") : KP_STR_LIT("bogus");
}

/* JoinGroup's member id: new members, the last MEMBER_ID_REQUIRED id, current members. */

static struct kp_str rz_join_id(void)
{
	uint32_t pick = rz_rand(10);
	if (pick < 3)
		return KP_STR_LIT("");
	if (pick < 6 && rz_required[RZ.cur][0])
		return kp_str_c(rz_required[RZ.cur]);
	return rz_id();
}

static void rz_observe(struct group_coord *c, struct kp_str gid)
{
	struct group_view v;
	group_describe(c, gid, &v);
	rz_ncur = 0;
	for (int i = 0; i < v.nmembers && i < 8; i++) {
		size_t n = (size_t)KB_MIN(v.members[i].member_id.len, 199);
		memcpy(rz_cur_ids[i], v.members[i].member_id.ptr, n);
		rz_cur_ids[i][n] = 0;
		rz_ncur++;
	}
	RZ.gen[RZ.cur] = v.generation_id;
	RZ.seen[v.state] = true;
}

static void rz_step(struct group_coord *c, intptr_t *next)
{
	static const char *groups[] = {"a", "b"};
	static const char *insts[] = {"i1", "i2"};
	RZ.cur = rz_rand(5) == 0;
	struct kp_str gid = kp_str_c(groups[RZ.cur]);
	rz_observe(c, gid);
	struct kp_str inst = rz_rand(6) == 0 ? kp_str_c(insts[rz_rand(2)]) : KP_STR_NULL;
	int32_t gen = RZ.gen[RZ.cur] - (rz_rand(6) == 0);
	intptr_t h = (*next)++;
	KB_ASSERT(h < RZ_HANDLES);
	RZ.issued[h] = true;
	RZ.fail_now = rz_rand(20) == 0 ? KERR_NOT_LEADER_OR_FOLLOWER : 0;
	switch (rz_rand(14)) {
	case 0:
	case 1: {
		struct group_protocol p[2] = {{KP_STR_LIT("range"), {(const uint8_t *)"\x00\x00\x00\x00\x00\x01\x00\x01t", 9, NULL}},
		                              {KP_STR_LIT("rr"), {(const uint8_t *)"x", 1, NULL}}};
		int first = (int)rz_rand(2);
		struct group_join_req r = {.group_id = gid, .member_id = rz_join_id(), .instance_id = inst,
		                           .client_id = KP_STR_LIT("c"), .client_host = KP_STR_LIT("h"),
		                           .session_timeout_ms = 15000 + (int32_t)rz_rand(5000),
		                           .rebalance_timeout_ms = rz_rand(10) ? 10000 + (int32_t)rz_rand(5000) : -1,
		                           .protocol_type = rz_rand(30) ? KP_STR_LIT("consumer") : KP_STR_LIT("connect"),
		                           .nprotocols = 2 - first, .protocols = p + first,
		                           .require_known_member_id = rz_rand(2),
		                           .support_skip_assignment = rz_rand(2)};
		group_join(c, &r, (void *)h);
		break;
	}
	case 2:
	case 3: {
		struct kp_str me = rz_id();
		struct group_assignment as[2] = {{me, {(const uint8_t *)"A", 1, NULL}},
		                                 {rz_id(), {(const uint8_t *)"BB", 2, NULL}}};
		struct group_sync_req r = {.group_id = gid, .member_id = me, .instance_id = inst,
		                           .generation_id = gen, .protocol_type = KP_STR_NULL,
		                           .protocol_name = rz_rand(4) ? KP_STR_NULL : KP_STR_LIT("range"),
		                           .nassignments = (int)rz_rand(3), .assignments = as};
		group_sync(c, &r, (void *)h);
		break;
	}
	case 4:
		group_heartbeat(c, gid, gen, rz_id(), inst);
		RZ.answered[h]++;
		break;
	case 5: {
		struct group_leave_member lm[2] = {{rz_id(), inst, KP_STR_NULL, 0}, {rz_id(), KP_STR_NULL, KP_STR_NULL, 0}};
		group_leave(c, gid, lm, 1 + (int)rz_rand(2));
		RZ.answered[h]++;
		break;
	}
	case 6: {
		struct group_commit_part p[2] = {{KP_STR_LIT("t"), (int32_t)rz_rand(3), 5, -1, KP_STR_NULL, -1},
		                                 {KP_STR_LIT("u"), 0, 6, 2, KP_STR_LIT("m"), -1}};
		bool simple = rz_rand(2);
		struct group_commit_req r = {gid, simple ? KP_STR_LIT("") : rz_id(), KP_STR_NULL,
		                             simple ? -1 : gen, rz_rand(4) ? -1 : 1000, 2, p};
		int16_t errs[2];
		if (group_commit(c, &r, errs, (void *)h) == 0)
			RZ.answered[h]++;
		break;
	}
	case 7:
		RZ.now += rz_rand(rz_rand(8) ? 1500 : 9000);
		group_tick(c, RZ.now);
		RZ.answered[h]++;
		break;
	case 8: /* complete a random append */
	case 11:
	case 12:
	case 13:
		if (RZ.ntokens) {
			int k = (int)rz_rand((uint32_t)RZ.ntokens);
			uint64_t t = RZ.tokens[k];
			RZ.tokens[k] = RZ.tokens[--RZ.ntokens];
			group_append_done(c, t, rz_rand(8) ? KERR_NONE : KERR_NOT_ENOUGH_REPLICAS);
		}
		RZ.answered[h]++;
		break;
	case 9: {
		struct group_offset_delete_part d = {KP_STR_LIT("t"), 0, 0};
		if (rz_rand(2))
			group_delete(c, gid);
		else
			group_offset_delete(c, gid, &d, 1);
		RZ.now += rz_rand(20) == 0 ? 2000LL * 60000 : 0;
		group_expire_offsets(c);
		RZ.answered[h]++;
		break;
	}
	case 10: {
		struct group_view v;
		group_describe(c, gid, &v);
		struct group_offset o;
		group_offset_get(c, gid, KP_STR_LIT("t"), 0, &o);
		RZ.answered[h]++;
		break;
	}
	}
	RZ.fail_now = 0;
}

static void test_random_sequences(void)
{
	for (uint64_t seed = 1; seed <= 8; seed++) {
		memset(&RZ, 0, sizeof(RZ));
		memset(rz_required, 0, sizeof(rz_required));
		RZ.rng = seed * 0x9e3779b97f4a7c15ull;
		RZ.now = 1000000;
		struct group_config cfg = {6000, 20000, (int32_t)(seed % 2) * 3000, 3, 100, 3600000, seed};
		struct group_io io = {NULL, rz_now, rz_append, rz_join_done, rz_sync_done, rz_commit_done};
		struct group_coord *c = group_coord_new(&cfg, &io);
		intptr_t next = 1;
		for (int i = 0; i < 4000; i++)
			rz_step(c, &next);
		if (seed % 2) /* half the runs finish their appends first */
			while (RZ.ntokens)
				group_append_done(c, RZ.tokens[--RZ.ntokens], KERR_NONE);
		group_coord_free(c);
		int bad = 0;
		for (intptr_t h = 1; h < next; h++)
			bad += RZ.answered[h] != 1;
		CU_ASSERT_EQUAL(bad, 0);
		/* The sequences do reach completed rounds, not only errors. */
		CU_ASSERT(RZ.joins_ok > 30);
		CU_ASSERT(RZ.syncs_ok > 3);
		for (int st = GROUP_EMPTY; st <= GROUP_DEAD; st++)
			CU_ASSERT(RZ.seen[st]);
	}
}
