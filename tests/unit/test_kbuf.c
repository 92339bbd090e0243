/* test_kbuf.c — unit tests of common/kbuf.c (growable capped buffer) and common/arena.c
 * (capped bump allocator): ceilings, sticky errors, alignment, zeroing, strndup, detach,
 * reset. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "common/arena.h"
#include "common/kbuf.h"
#include "common/kerr.h"

void suite_kbuf(void);

/* ---- kbuf ------------------------------------------------------------------------------ */

static void test_kbuf_grow(void)
{
	struct kbuf b;
	uint8_t chunk[100];

	kbuf_init(&b, 1 << 20);
	CU_ASSERT(b.data == NULL && b.len == 0 && b.cap == 0 && !b.err);
	for (int i = 0; i < 100; i++) {
		memset(chunk, i, sizeof(chunk));
		kbuf_append(&b, chunk, sizeof(chunk));
	}
	CU_ASSERT_FALSE(b.err);
	CU_ASSERT_EQUAL(b.len, 10000);
	CU_ASSERT(b.cap >= b.len && b.cap <= b.max);
	bool ok = true;
	for (size_t i = 0; i < b.len; i++)
		ok = ok && b.data[i] == (uint8_t)(i / 100);
	CU_ASSERT_TRUE(ok);
	kbuf_free(&b);
	CU_ASSERT(b.data == NULL && b.len == 0 && b.cap == 0);
	CU_ASSERT_EQUAL(b.max, 1 << 20);
}

static void test_kbuf_ceiling(void)
{
	struct kbuf b;
	uint8_t ten[10] = {0};

	kbuf_init(&b, 10);
	kbuf_append(&b, ten, 10); /* exactly the ceiling */
	CU_ASSERT_FALSE(b.err);
	CU_ASSERT_EQUAL(b.len, 10);
	CU_ASSERT(b.cap <= 10);
	CU_ASSERT_PTR_NULL(kbuf_extend(&b, 1));
	CU_ASSERT_TRUE(b.err);
	CU_ASSERT_EQUAL(b.len, 10);
	CU_ASSERT_PTR_NULL(kbuf_extend(&b, 0)); /* sticky: even a no-op write fails */
	kbuf_reset(&b);
	CU_ASSERT(!b.err && b.len == 0 && b.data != NULL);
	CU_ASSERT_PTR_NOT_NULL(kbuf_extend(&b, 4));
	CU_ASSERT_PTR_NULL(kbuf_extend(&b, SIZE_MAX)); /* no overflow in the check */
	CU_ASSERT_TRUE(b.err);
	kbuf_free(&b);

	kbuf_init(&b, 0);
	CU_ASSERT_PTR_NOT_NULL(kbuf_extend(&b, 0));
	CU_ASSERT_FALSE(b.err);
	kbuf_append(&b, "x", 1);
	CU_ASSERT_TRUE(b.err);
	kbuf_free(&b);
}

static void test_kbuf_extend_zero(void)
{
	struct kbuf b;

	kbuf_init(&b, 100);
	CU_ASSERT_PTR_NOT_NULL(kbuf_extend(&b, 0)); /* a valid, non-NULL pointer before alloc */
	kbuf_append(&b, NULL, 0);
	CU_ASSERT(!b.err && b.len == 0);
	uint8_t *p = kbuf_extend(&b, 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memcpy(p, "abc", 3);
	CU_ASSERT_PTR_EQUAL(kbuf_extend(&b, 0), b.data + 3);
	CU_ASSERT_EQUAL(memcmp(b.data, "abc", 3), 0);
	kbuf_free(&b);
}

static void test_kbuf_detach(void)
{
	struct kbuf b;
	size_t len;

	kbuf_init(&b, 100);
	kbuf_append(&b, "hello", 5);
	uint8_t *d = kbuf_detach(&b, &len);
	CU_ASSERT_EQUAL(len, 5);
	CU_ASSERT_EQUAL(memcmp(d, "hello", 5), 0);
	CU_ASSERT(b.data == NULL && b.len == 0 && b.cap == 0 && !b.err);
	free(d);
	kbuf_append(&b, "again", 5); /* still usable, same ceiling */
	CU_ASSERT(!b.err && b.len == 5 && b.max == 100);
	kbuf_free(&b);
	d = kbuf_detach(&b, &len); /* empty buffer: still a freeable pointer */
	CU_ASSERT_PTR_NOT_NULL(d);
	CU_ASSERT_EQUAL(len, 0);
	free(d);
}

/* ---- arena ----------------------------------------------------------------------------- */

static void test_arena_align_zero(void)
{
	struct arena a;
	uint8_t *prev = NULL;
	size_t prev_n = 0;
	bool aligned = true, zero = true, disjoint = true;

	arena_init(&a, 1 << 20);
	for (size_t n = 0; n < 300; n++) {
		uint8_t *p = arena_alloc(&a, n);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		aligned = aligned && ((uintptr_t)p % 8) == 0;
		for (size_t i = 0; i < n; i++)
			zero = zero && p[i] == 0;
		memset(p, 0xee, n); /* a later allocation must not see this */
		if (prev)
			disjoint = disjoint && (p >= prev + prev_n || p + n <= prev);
		prev = p;
		prev_n = n;
	}
	CU_ASSERT_TRUE(aligned);
	CU_ASSERT_TRUE(zero);
	CU_ASSERT_TRUE(disjoint);
	CU_ASSERT_EQUAL(a.used % 8, 0);
	arena_destroy(&a);
	CU_ASSERT(a.head == NULL && a.used == 0);
}

static void test_arena_ceiling(void)
{
	struct arena a;

	arena_init(&a, 64);
	CU_ASSERT_PTR_NOT_NULL(arena_alloc(&a, 60)); /* rounds to 64 */
	CU_ASSERT_EQUAL(a.used, 64);
	CU_ASSERT_PTR_NULL(arena_alloc(&a, 1));
	CU_ASSERT_EQUAL(a.used, 64);
	arena_destroy(&a);

	arena_init(&a, 100);
	CU_ASSERT_PTR_NULL(arena_alloc(&a, 101)); /* refused before any malloc */
	CU_ASSERT_PTR_NULL(a.head);
	CU_ASSERT_PTR_NULL(arena_alloc(&a, SIZE_MAX));
	CU_ASSERT_PTR_NULL(arena_alloc(&a, SIZE_MAX - 3));
	CU_ASSERT_EQUAL(a.used, 0);
	CU_ASSERT_PTR_NOT_NULL(arena_alloc(&a, 96));
	CU_ASSERT_PTR_NULL(arena_alloc(&a, 8));
	arena_destroy(&a);

	arena_init(&a, 0);
	CU_ASSERT_PTR_NULL(arena_alloc(&a, 0));
	arena_destroy(&a);
}

static void test_arena_large(void)
{
	struct arena a;

	arena_init(&a, 4 << 20);
	uint8_t *small1 = arena_alloc(&a, 16);
	uint8_t *big = arena_alloc(&a, 1 << 20); /* larger than a chunk */
	uint8_t *small2 = arena_alloc(&a, 16);
	CU_ASSERT_PTR_NOT_NULL_FATAL(small1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	CU_ASSERT_PTR_NOT_NULL_FATAL(small2);
	CU_ASSERT_PTR_EQUAL(small2, small1 + 16); /* the small chunk keeps serving */
	memset(big, 1, 1 << 20);
	CU_ASSERT_EQUAL(small1[0] + small2[0], 0);
	for (int i = 0; i < 5000; i++)
		CU_ASSERT_PTR_NOT_NULL(arena_alloc(&a, 24));
	CU_ASSERT_EQUAL(a.used, 16 + (1 << 20) + 16 + 5000 * 24);
	arena_destroy(&a);
}

static void test_arena_strndup(void)
{
	struct arena a;

	arena_init(&a, 32);
	char *s = arena_strndup(&a, "hello world", 5);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "hello");
	char *e = arena_strndup(&a, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_STRING_EQUAL(e, "");
	CU_ASSERT_PTR_NULL(arena_strndup(&a, "0123456789abcdef0123", 20)); /* past 32 */
	CU_ASSERT_PTR_NULL(arena_strndup(&a, "x", SIZE_MAX));
	arena_destroy(&a);
}

/* The error table: names match their codes, the table has no gaps, unknown codes are safe. */
static void test_kerr_names(void)
{
	CU_ASSERT_STRING_EQUAL(kerr_name(KERR_NONE), "NONE");
	CU_ASSERT_STRING_EQUAL(kerr_name(-1), "UNKNOWN_SERVER_ERROR");
	CU_ASSERT_STRING_EQUAL(kerr_name(6), "NOT_LEADER_OR_FOLLOWER");
	CU_ASSERT_STRING_EQUAL(kerr_name(KERR_OUT_OF_ORDER_SEQUENCE_NUMBER), "OUT_OF_ORDER_SEQUENCE_NUMBER");
	CU_ASSERT_STRING_EQUAL(kerr_name(120), "TRANSACTION_ABORTABLE");
	CU_ASSERT_STRING_EQUAL(kerr_name(121), "UNKNOWN_CODE");
	CU_ASSERT_STRING_EQUAL(kerr_name(-2), "UNKNOWN_CODE");
	CU_ASSERT_STRING_EQUAL(kerr_name(32767), "UNKNOWN_CODE");
	CU_ASSERT(kerr_retriable(KERR_NOT_LEADER_OR_FOLLOWER));
	CU_ASSERT(kerr_retriable(KERR_COORDINATOR_LOAD_IN_PROGRESS));
	CU_ASSERT(!kerr_retriable(KERR_INVALID_PARTITIONS));
	CU_ASSERT(!kerr_retriable(500));
	/* Every code from -1 to 120 has a name of its own (the lookup indexes by code). */
	for (int c = -1; c <= 120; c++)
		CU_ASSERT(strcmp(kerr_name(c), "UNKNOWN_CODE") != 0);
}

void suite_kbuf(void)
{
	CU_pSuite s = CU_add_suite("kbuf", NULL, NULL);

	CU_add_test(s, "kbuf grows and keeps data", test_kbuf_grow);
	CU_add_test(s, "kbuf ceiling, sticky err, reset", test_kbuf_ceiling);
	CU_add_test(s, "kbuf zero-length extend", test_kbuf_extend_zero);
	CU_add_test(s, "kbuf detach", test_kbuf_detach);
	CU_add_test(s, "arena alignment and zeroing", test_arena_align_zero);
	CU_add_test(s, "arena ceiling", test_arena_ceiling);
	CU_add_test(s, "arena large allocations", test_arena_large);
	CU_add_test(s, "arena strndup", test_arena_strndup);
	CU_add_test(s, "kerr names and retriable flags", test_kerr_names);
}
