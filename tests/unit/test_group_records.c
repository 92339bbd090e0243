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

void group_records_tests(CU_pSuite s)
{
	CU_add_test(s, "records: OffsetCommitKey v1, OffsetCommitValue v3 and v1 byte-exact", test_offset_vectors);
	CU_add_test(s, "records: GroupMetadataKey v2, GroupMetadataValue v3 byte-exact", test_group_vectors);
	CU_add_test(s, "records: decode value versions 0 and 4, other keys", test_decode_versions);
	CU_add_test(s, "records: malformed values", test_decode_malformed);
	CU_add_test(s, "consumer subscription topics", test_subscription);
	CU_add_test(s, "coordinator partition (Java hashCode, Utils.abs)", test_partition_for);
}
