/* Unit tests of kadmin groups' pure helpers (tools/kadmin_groups.h): --topic specs, the
 * consumer-protocol assignment decoder (hand-built bytes, truncations, lying counts), ISO-8601
 * times, the reset arithmetic with its clamps, and the column printer. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "common/kbuf.h"
#include "common/limits.h"
#include "tools/kadmin_groups.h"

void suite_kadmin_groups(void);

static void test_topic_spec(void)
{
	struct kg_topic_spec s;
	char err[256];
	CU_ASSERT_EQUAL(kg_parse_topic_spec("orders", &s, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(s.topic, "orders");
	CU_ASSERT_EQUAL(s.nparts, 0);
	kg_topic_spec_free(&s);
	CU_ASSERT_EQUAL(kg_parse_topic_spec("a.b_c-d:0,2,99999", &s, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(s.topic, "a.b_c-d");
	CU_ASSERT_EQUAL(s.nparts, 3);
	CU_ASSERT_EQUAL(s.parts[0], 0);
	CU_ASSERT_EQUAL(s.parts[1], 2);
	CU_ASSERT_EQUAL(s.parts[2], 99999);
	kg_topic_spec_free(&s);
	const char *bad[] = {"", ":1", "t:", "t:1,", "t:,1", "t:a", "t:-1", "t:1,,2", "t:100000",
	                     "t:99999999999999999999", "t:1x", "t: 1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(kg_parse_topic_spec(bad[i], &s, err, sizeof(err)), -1);
		CU_ASSERT_PTR_NULL(s.topic);
		CU_ASSERT_PTR_NULL(s.parts);
	}
}

/* ---- assignment bytes ---------------------------------------------------------------------- */

static void put16(struct kbuf *b, int16_t v)
{
	uint8_t x[2] = {(uint8_t)((uint16_t)v >> 8), (uint8_t)v};
	kbuf_append(b, x, 2);
}

static void put32(struct kbuf *b, int32_t v)
{
	uint32_t u = (uint32_t)v;
	uint8_t x[4] = {(uint8_t)(u >> 24), (uint8_t)(u >> 16), (uint8_t)(u >> 8), (uint8_t)u};
	kbuf_append(b, x, 4);
}

static void put_str(struct kbuf *b, const char *s)
{
	put16(b, (int16_t)strlen(s));
	kbuf_append(b, s, strlen(s));
}

/* version, {"orders": [0, 1], "x": [7]}, user_data, then `extra` trailing bytes. */
static void build(struct kbuf *b, int16_t version, bool user_data, int extra)
{
	kbuf_init(b, 1 << 20);
	put16(b, version);
	put32(b, 2);
	put_str(b, "orders");
	put32(b, 2);
	put32(b, 0);
	put32(b, 1);
	put_str(b, "x");
	put32(b, 1);
	put32(b, 7);
	if (user_data) {
		put32(b, 3);
		kbuf_append(b, "abc", 3);
	} else {
		put32(b, -1);
	}
	for (int i = 0; i < extra; i++)
		kbuf_append(b, "\xff", 1);
}

static void test_assignment_decode(void)
{
	for (int16_t version = 0; version <= 3; version++) {
		struct kbuf b;
		build(&b, version, version & 1, version == 3 ? 9 : 0);
		struct kg_assignment a;
		CU_ASSERT_EQUAL_FATAL(kg_decode_assignment(b.data, b.len, &a), 0);
		CU_ASSERT_EQUAL(a.ntopics, 2);
		CU_ASSERT(kp_str_eq_c(a.topics[0].topic, "orders"));
		CU_ASSERT_EQUAL(a.topics[0].nparts, 2);
		CU_ASSERT_EQUAL(a.topics[1].parts[0], 7);
		char *s = kg_assignment_str(&a);
		CU_ASSERT_STRING_EQUAL(s, "orders:0,1;x:7");
		free(s);
		kg_assignment_free(&a);
		kbuf_free(&b);
	}
	/* an empty assignment (a member without partitions) */
	struct kg_assignment a;
	CU_ASSERT_EQUAL(kg_decode_assignment(NULL, 0, &a), 0);
	CU_ASSERT_EQUAL(a.ntopics, 0);
	char *s = kg_assignment_str(&a);
	CU_ASSERT_STRING_EQUAL(s, "-");
	free(s);
	kg_assignment_free(&a);
}

static void test_assignment_malformed(void)
{
	struct kbuf b;
	build(&b, 0, false, 0);
	struct kg_assignment a;
	/* every truncation inside the topic array fails cleanly (user_data is not read) */
	size_t topics_end = b.len - 4;
	for (size_t len = 1; len < topics_end; len++) {
		CU_ASSERT_EQUAL(kg_decode_assignment(b.data, len, &a), -1);
		CU_ASSERT_PTR_NULL(a.topics);
	}
	/* a negative version */
	b.data[0] = 0xff;
	CU_ASSERT_EQUAL(kg_decode_assignment(b.data, b.len, &a), -1);
	kbuf_free(&b);
	/* counts larger than the bytes left are refused before allocating */
	kbuf_init(&b, 1024);
	put16(&b, 0);
	put32(&b, INT32_MAX);
	CU_ASSERT_EQUAL(kg_decode_assignment(b.data, b.len, &a), -1);
	kbuf_free(&b);
	kbuf_init(&b, 1024);
	put16(&b, 0);
	put32(&b, 1);
	put_str(&b, "t");
	put32(&b, 1 << 30);
	put32(&b, 0);
	CU_ASSERT_EQUAL(kg_decode_assignment(b.data, b.len, &a), -1);
	kbuf_free(&b);
	/* a null topic array */
	kbuf_init(&b, 1024);
	put16(&b, 0);
	put32(&b, -1);
	CU_ASSERT_EQUAL(kg_decode_assignment(b.data, b.len, &a), -1);
	kbuf_free(&b);
}

/* ---- times ------------------------------------------------------------------------------------ */

static void test_datetime(void)
{
	int64_t ms;
	CU_ASSERT_EQUAL(kg_parse_datetime("1970-01-01T00:00:00Z", &ms), 0);
	CU_ASSERT_EQUAL(ms, 0);
	CU_ASSERT_EQUAL(kg_parse_datetime("1970-01-01T00:00:01.250Z", &ms), 0);
	CU_ASSERT_EQUAL(ms, 1250);
	/* 2024-02-29T10:34:56.789Z = 1709202896789 */
	CU_ASSERT_EQUAL(kg_parse_datetime("2024-02-29T12:34:56.789+02:00", &ms), 0);
	CU_ASSERT_EQUAL(ms, 1709202896789LL);
	CU_ASSERT_EQUAL(kg_parse_datetime("2024-02-29T05:04:56.789-0530", &ms), 0);
	CU_ASSERT_EQUAL(ms, 1709202896789LL);
	/* without a zone: local time, whatever TZ is; same instant as mktime's */
	CU_ASSERT_EQUAL(kg_parse_datetime("2024-02-29T10:34:56", &ms), 0);
	const char *bad[] = {"", "2024-02-29", "2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z",
	                     "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z",
	                     "2024-01-01 00:00:00Z", "2024-01-01T00:00:00.1Z", "2024-01-01T00:00:00X",
	                     "2024-01-01T00:00:00+25:00", "2024-01-01T00:00:00Zjunk", "24-01-01T00:00:00Z"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(kg_parse_datetime(bad[i], &ms), -1);
}

/* ---- reset arithmetic -------------------------------------------------------------------- */

static void test_new_offset(void)
{
	int64_t out;
	/* log [10, 50), committed 30 */
	CU_ASSERT_EQUAL(kg_new_offset(KG_TO_EARLIEST, 0, 30, 10, 50, -1, &out), 0);
	CU_ASSERT_EQUAL(out, 10);
	CU_ASSERT_EQUAL(kg_new_offset(KG_TO_LATEST, 0, 30, 10, 50, -1, &out), 0);
	CU_ASSERT_EQUAL(out, 50);
	CU_ASSERT_EQUAL(kg_new_offset(KG_TO_OFFSET, 20, 30, 10, 50, -1, &out), 0);
	CU_ASSERT_EQUAL(out, 20);
	CU_ASSERT_EQUAL(kg_new_offset(KG_TO_OFFSET, 5, 30, 10, 50, -1, &out), 0);
	CU_ASSERT_EQUAL(out, 10); /* below the log start */
	CU_ASSERT_EQUAL(kg_new_offset(KG_TO_OFFSET, 500, -1, 10, 50, -1, &out), 0);
	CU_ASSERT_EQUAL(out, 50); /* past the log end */
	CU_ASSERT_EQUAL(kg_new_offset(KG_SHIFT_BY, -5, 30, 10, 50, -1, &out), 0);
	CU_ASSERT_EQUAL(out, 25);
	CU_ASSERT_EQUAL(kg_new_offset(KG_SHIFT_BY, -100, 30, 10, 50, -1, &out), 0);
	CU_ASSERT_EQUAL(out, 10);
	CU_ASSERT_EQUAL(kg_new_offset(KG_SHIFT_BY, 100, 30, 10, 50, -1, &out), 0);
	CU_ASSERT_EQUAL(out, 50);
	CU_ASSERT_EQUAL(kg_new_offset(KG_SHIFT_BY, INT64_MAX, 30, 10, 50, -1, &out), 0);
	CU_ASSERT_EQUAL(out, 50);
	CU_ASSERT_EQUAL(kg_new_offset(KG_SHIFT_BY, INT64_MIN, 30, 10, 50, -1, &out), 0);
	CU_ASSERT_EQUAL(out, 10);
	CU_ASSERT_EQUAL(kg_new_offset(KG_SHIFT_BY, 1, -1, 10, 50, -1, &out), -1); /* nothing to shift */
	CU_ASSERT_EQUAL(kg_new_offset(KG_TO_DATETIME, 0, 30, 10, 50, 42, &out), 0);
	CU_ASSERT_EQUAL(out, 42);
	CU_ASSERT_EQUAL(kg_new_offset(KG_TO_DATETIME, 0, 30, 10, 50, -1, &out), 0);
	CU_ASSERT_EQUAL(out, 50); /* no record that late: the log end */
}

/* Rows from commits and from assignments merge into one per partition, sorted; the binary
 * search finds exactly the rows present (topic names that prefix each other included). */
static void test_parts(void)
{
	struct kg_part *parts = NULL;
	int n = 0;
	for (int i = 99; i >= 0; i--)  /* 100 rows in reverse: the capacity grows past 16, 32, 64 */
		kg_part_add(&parts, &n, i % 2 ? "ab" : "a", i / 2)->committed = i;
	kg_part_add(&parts, &n, "a", 3)->owner = "m1";      /* assigned, and committed above */
	kg_part_add(&parts, &n, "b", 0)->owner = "m2";      /* assigned, no commit */
	kg_part_add(&parts, &n, "a", 3)->committed = 1234;  /* a duplicate commit: the first wins */
	kg_parts_sort_unique(parts, &n);
	CU_ASSERT_EQUAL_FATAL(n, 101);
	CU_ASSERT_STRING_EQUAL(parts[0].topic, "a");
	CU_ASSERT_EQUAL(parts[0].partition, 0);
	CU_ASSERT_STRING_EQUAL(parts[50].topic, "ab");
	CU_ASSERT_STRING_EQUAL(parts[100].topic, "b");
	for (int i = 1; i < n; i++)
		CU_ASSERT(strcmp(parts[i - 1].topic, parts[i].topic) < 0 ||
		          (strcmp(parts[i - 1].topic, parts[i].topic) == 0 &&
		           parts[i - 1].partition < parts[i].partition));
	struct kg_part *p = kg_part_find(parts, n, kp_str_c("a"), 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->committed, 6);
	CU_ASSERT_STRING_EQUAL(p->owner, "m1");
	p = kg_part_find(parts, n, kp_str_c("b"), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->committed, -1);
	CU_ASSERT_EQUAL(kg_part_find(parts, n, kp_str_c("ab"), 49)->committed, 99);
	CU_ASSERT_PTR_NULL(kg_part_find(parts, n, kp_str_c("ab"), 50));
	CU_ASSERT_PTR_NULL(kg_part_find(parts, n, KP_STR_LIT("abc"), 0));
	CU_ASSERT_PTR_NULL(kg_part_find(parts, n, KP_STR_NULL, 0));
	CU_ASSERT_PTR_NULL(kg_part_find(parts, 0, kp_str_c("a"), 0));
	kg_parts_free(parts, n);
}

static void test_table(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct kg_table t;
	kg_table_init(&t, 3);
	kg_table_row(&t, (const char *[]){"TOPIC", "PARTITION", "X"});
	kg_table_row(&t, (const char *[]){"a-long-topic", "1", NULL});
	kg_table_row(&t, (const char *[]){"b", "", "z"});
	kg_table_print(&t, f);
	kg_table_free(&t);
	fclose(f);
	CU_ASSERT_STRING_EQUAL(buf, "TOPIC         PARTITION  X\n"
	                            "a-long-topic  1          -\n"
	                            "b             -          z\n");
	free(buf);
}

void suite_kadmin_groups(void)
{
	CU_pSuite s = CU_add_suite("kadmin_groups", NULL, NULL);
	CU_add_test(s, "topic spec", test_topic_spec);
	CU_add_test(s, "assignment decode", test_assignment_decode);
	CU_add_test(s, "assignment malformed", test_assignment_malformed);
	CU_add_test(s, "datetime", test_datetime);
	CU_add_test(s, "new offset", test_new_offset);
	CU_add_test(s, "partition rows", test_parts);
	CU_add_test(s, "table", test_table);
}
