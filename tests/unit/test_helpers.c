/* test_helpers.c — unit tests of the shared helpers: the varint reader/writer
 * (common/varint.h) at every width boundary and on each way input can be wrong, the array
 * growth helper (KB_GROW, kb_grow) for int and size_t capacities, and the one RecordBatch
 * header parse (rb_header_parse) on short, bad, partial and whole input, and the follower's
 * batch check built on it (rb_check_replica). */
#include <CUnit/CUnit.h>
#include <string.h>

#include "common/kb.h"
#include "common/varint.h"
#include "log/log_int.h"

void suite_helpers(void);

static void test_varint_roundtrip(void)
{
	static const int64_t vals[] = {0, 1, -1, 63, -64, 64, -65, 8191, -8192, 8192,
	                               INT32_MAX, INT32_MIN, (int64_t)INT32_MAX + 1,
	                               (int64_t)INT32_MIN - 1, INT64_MAX, INT64_MIN};
	for (size_t i = 0; i < KB_ARRAY_LEN(vals); i++) {
		uint8_t buf[KB_VARINT_MAX + 1];
		uint8_t *end = kb_varint_put(buf, vals[i]);
		CU_ASSERT_EQUAL((size_t)(end - buf), kb_varint_size(vals[i]));
		const uint8_t *p = buf;
		int64_t v = 42;
		CU_ASSERT_EQUAL(kb_varint64_read(&p, end, &v), KB_VAR_OK);
		CU_ASSERT_EQUAL(v, vals[i]);
		CU_ASSERT_PTR_EQUAL(p, end);
		p = buf;
		int32_t v32 = 42;
		bool fits = vals[i] >= INT32_MIN && vals[i] <= INT32_MAX;
		CU_ASSERT_EQUAL(kb_varint32_read(&p, end, &v32), fits ? KB_VAR_OK : KB_VAR_BAD);
		if (fits)
			CU_ASSERT_EQUAL(v32, vals[i]);
		/* Every proper prefix is short, and leaves position and value alone. */
		for (const uint8_t *cut = buf; cut < end; cut++) {
			p = buf;
			v = 42;
			CU_ASSERT_EQUAL(kb_varint64_read(&p, cut, &v), KB_VAR_SHORT);
			CU_ASSERT_PTR_EQUAL(p, buf);
			CU_ASSERT_EQUAL(v, 42);
		}
	}
	CU_ASSERT_EQUAL(kb_varint_size(-1), 1);
	CU_ASSERT_EQUAL(kb_varint_size(INT32_MIN), 5);
	CU_ASSERT_EQUAL(kb_varint_size(INT64_MIN), 10);
}

static void test_varint_limits(void)
{
	/* uvarint32: 0xffffffff is the widest; a 5th byte of 0x10 carries bit 32. */
	const uint8_t max32[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
	const uint8_t wide32[] = {0xff, 0xff, 0xff, 0xff, 0x10};
	const uint8_t long32[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
	const uint8_t nonmin[] = {0x80, 0x00};
	const uint8_t *p;
	uint32_t u = 7;

	p = max32;
	CU_ASSERT_EQUAL(kb_uvarint32_read(&p, max32 + 5, &u), KB_VAR_OK);
	CU_ASSERT_EQUAL(u, UINT32_MAX);
	p = wide32;
	CU_ASSERT_EQUAL(kb_uvarint32_read(&p, wide32 + 5, &u), KB_VAR_BAD);
	CU_ASSERT_PTR_EQUAL(p, wide32);
	p = long32;
	CU_ASSERT_EQUAL(kb_uvarint32_read(&p, long32 + 6, &u), KB_VAR_BAD);
	p = nonmin;
	CU_ASSERT_EQUAL(kb_uvarint32_read(&p, nonmin + 2, &u), KB_VAR_OK);
	CU_ASSERT_EQUAL(u, 0);
	p = NULL;
	CU_ASSERT_EQUAL(kb_uvarint32_read(&p, NULL, &u), KB_VAR_SHORT);

	/* varint64: the 10th byte may carry bit 63 only. */
	uint8_t b[10];
	memset(b, 0xff, 9);
	b[9] = 0x01;
	int64_t v;
	p = b;
	CU_ASSERT_EQUAL(kb_varint64_read(&p, b + 10, &v), KB_VAR_OK);
	CU_ASSERT_EQUAL(v, INT64_MIN);
	b[9] = 0x02;
	p = b;
	CU_ASSERT_EQUAL(kb_varint64_read(&p, b + 10, &v), KB_VAR_BAD);
	b[9] = 0x81; /* an 11th byte would follow */
	p = b;
	CU_ASSERT_EQUAL(kb_varint64_read(&p, b + 10, &v), KB_VAR_BAD);
}

static void test_grow(void)
{
	int *a = NULL, n = 0, cap = 0;
	for (int i = 0; i < 1000; i++) {
		KB_GROW(a, cap, n + 1, 4);
		CU_ASSERT(cap >= n + 1);
		a[n++] = i;
	}
	CU_ASSERT_EQUAL(cap, 1024); /* 4 doubled */
	for (int i = 0; i < n; i++)
		CU_ASSERT_EQUAL(a[i], i);
	KB_GROW(a, cap, 10, 4); /* already room: nothing changes */
	CU_ASSERT_EQUAL(cap, 1024);
	KB_GROW(a, cap, 5000, 4); /* a jump past double goes straight to a power-of-2 multiple */
	CU_ASSERT_EQUAL(cap, 8192);
	kb_free(a);

	/* The capacity's type bounds it: an int capacity clamps at INT_MAX. */
	size_t c = (size_t)INT_MAX - 5;
	char *s = kb_grow(NULL, &c, (size_t)INT_MAX - 4, 0, 1, INT_MAX);
	CU_ASSERT_EQUAL(c, (size_t)INT_MAX);
	kb_free(s);
	size_t zc = 0;
	uint64_t *z = NULL;
	KB_GROW(z, zc, 3, 0); /* init 0 still starts at 1 and doubles */
	CU_ASSERT_EQUAL(zc, 4);
	kb_free(z);
}

/* A 61-byte header plus `extra` body bytes, batchLength consistent. */
static void make_header(uint8_t *b, size_t extra)
{
	memset(b, 0, RB_HEADER_SIZE + extra);
	be64_put(b + RB_BASE_OFFSET, 100);
	be32_put(b + RB_LENGTH, (uint32_t)(RB_HEADER_SIZE + extra - RB_LOG_OVERHEAD));
	be32_put(b + RB_LEADER_EPOCH, 3);
	b[RB_MAGIC] = 2;
	be32_put(b + RB_CRC, 0xdeadbeef);
	be16_put(b + RB_ATTRIBUTES, 0x0013);
	be32_put(b + RB_LAST_OFFSET_DELTA, 4);
	be64_put(b + RB_BASE_TIMESTAMP, 1000);
	be64_put(b + RB_MAX_TIMESTAMP, 2000);
	be64_put(b + RB_PRODUCER_ID, 77);
	be16_put(b + RB_PRODUCER_EPOCH, 5);
	be32_put(b + RB_BASE_SEQUENCE, 9);
	be32_put(b + RB_RECORDS_COUNT, 5);
}

static void test_header_parse(void)
{
	uint8_t b[RB_HEADER_SIZE + 10];
	struct rb_hdr h;

	make_header(b, 10);
	CU_ASSERT_EQUAL(rb_header_parse(b, sizeof(b), &h), RB_HDR_OK);
	CU_ASSERT_EQUAL(h.size, (int64_t)sizeof(b));
	CU_ASSERT_EQUAL(h.base, 100);
	CU_ASSERT_EQUAL(h.lod, 4);
	CU_ASSERT_EQUAL(h.last, 104);
	CU_ASSERT_EQUAL(h.epoch, 3);
	CU_ASSERT_EQUAL(h.crc, 0xdeadbeefu);
	CU_ASSERT_EQUAL(h.attrs, 0x13);
	CU_ASSERT_EQUAL(h.base_ts, 1000);
	CU_ASSERT_EQUAL(h.max_ts, 2000);
	CU_ASSERT_EQUAL(h.producer_id, 77);
	CU_ASSERT_EQUAL(h.producer_epoch, 5);
	CU_ASSERT_EQUAL(h.base_seq, 9);
	CU_ASSERT_EQUAL(h.count, 5);
	CU_ASSERT(rb_hdr_offsets_ok(&h));

	/* The body cut short: the header is still whole. */
	CU_ASSERT_EQUAL(rb_header_parse(b, sizeof(b) - 1, &h), RB_HDR_PARTIAL);
	CU_ASSERT_EQUAL(h.count, 5);
	/* Fewer than 61 bytes: short, with the size known once the length is. */
	CU_ASSERT_EQUAL(rb_header_parse(b, RB_HEADER_SIZE - 1, &h), RB_HDR_SHORT);
	CU_ASSERT_EQUAL(h.size, (int64_t)sizeof(b));
	CU_ASSERT_EQUAL(rb_header_parse(b, RB_LOG_OVERHEAD - 1, &h), RB_HDR_SHORT);
	CU_ASSERT_EQUAL(h.size, 0);
	CU_ASSERT_EQUAL(rb_header_parse(b, 0, &h), RB_HDR_SHORT);

	/* Bad as soon as the bytes show it. */
	b[RB_MAGIC] = 1;
	CU_ASSERT_EQUAL(rb_header_parse(b, RB_MAGIC, &h), RB_HDR_SHORT);
	CU_ASSERT_EQUAL(rb_header_parse(b, RB_MAGIC + 1, &h), RB_HDR_BAD);
	b[RB_MAGIC] = 2;
	be32_put(b + RB_LENGTH, RB_MIN_LENGTH - 1);
	CU_ASSERT_EQUAL(rb_header_parse(b, RB_LOG_OVERHEAD, &h), RB_HDR_BAD);
	be32_put(b + RB_LENGTH, 0x80000000u); /* negative */
	CU_ASSERT_EQUAL(rb_header_parse(b, sizeof(b), &h), RB_HDR_BAD);

	/* Offsets are judged separately. */
	make_header(b, 10);
	be64_put(b + RB_BASE_OFFSET, (uint64_t)INT64_MAX - 2);
	CU_ASSERT_EQUAL(rb_header_parse(b, sizeof(b), &h), RB_HDR_OK);
	CU_ASSERT(!rb_hdr_offsets_ok(&h));
	make_header(b, 10);
	be32_put(b + RB_LAST_OFFSET_DELTA, 0xffffffffu);
	CU_ASSERT_EQUAL(rb_header_parse(b, sizeof(b), &h), RB_HDR_OK);
	CU_ASSERT(!rb_hdr_offsets_ok(&h));
	make_header(b, 10);
	be64_put(b + RB_BASE_OFFSET, (uint64_t)-1);
	CU_ASSERT_EQUAL(rb_header_parse(b, sizeof(b), &h), RB_HDR_OK);
	CU_ASSERT(!rb_hdr_offsets_ok(&h));
}

/* The follower's check over the shared parse: each way a fetched batch can be wrong. */
static void test_check_replica(void)
{
	uint8_t b[RB_HEADER_SIZE + 10];
	struct rb_hdr h;
	make_header(b, 10);
	be32_put(b + RB_CRC, crc32c(0, b + RB_ATTRIBUTES, sizeof(b) - RB_ATTRIBUTES));

	CU_ASSERT_EQUAL(rb_check_replica(b, sizeof(b), &h), KERR_NONE);
	CU_ASSERT_EQUAL(h.last, 104);
	for (size_t n = 0; n < sizeof(b); n++) /* any prefix: wait for more */
		CU_ASSERT_EQUAL(rb_check_replica(b, n, &h), RB_INCOMPLETE);

	b[RB_MAGIC] = 1; /* wrong magic: corrupt as soon as the byte is there */
	CU_ASSERT_EQUAL(rb_check_replica(b, RB_MAGIC, &h), RB_INCOMPLETE);
	CU_ASSERT_EQUAL(rb_check_replica(b, RB_MAGIC + 1, &h), KERR_CORRUPT_MESSAGE);
	b[RB_MAGIC] = 2;
	be32_put(b + RB_LENGTH, (uint32_t)RB_REPLICA_MAX_SIZE); /* too big, even incomplete */
	CU_ASSERT_EQUAL(rb_check_replica(b, RB_LOG_OVERHEAD, &h), KERR_CORRUPT_MESSAGE);
	be32_put(b + RB_LENGTH, RB_MIN_LENGTH - 1);
	CU_ASSERT_EQUAL(rb_check_replica(b, RB_LOG_OVERHEAD, &h), KERR_CORRUPT_MESSAGE);
	be32_put(b + RB_LENGTH, (uint32_t)(sizeof(b) - RB_LOG_OVERHEAD));

	b[sizeof(b) - 1] ^= 1; /* CRC mismatch */
	CU_ASSERT_EQUAL(rb_check_replica(b, sizeof(b), &h), KERR_CORRUPT_MESSAGE);
	b[sizeof(b) - 1] ^= 1;
	be64_put(b + RB_BASE_OFFSET, (uint64_t)-5); /* outside the CRC: offsets judged */
	CU_ASSERT_EQUAL(rb_check_replica(b, sizeof(b), &h), KERR_CORRUPT_MESSAGE);
}

void suite_helpers(void)
{
	CU_pSuite s = CU_add_suite("helpers", NULL, NULL);
	CU_add_test(s, "varint round trip", test_varint_roundtrip);
	CU_add_test(s, "varint limits", test_varint_limits);
	CU_add_test(s, "grow", test_grow);
	CU_add_test(s, "batch header parse", test_header_parse);
	CU_add_test(s, "replica batch check", test_check_replica);
}
