/* test_codec.c — unit tests of the codec primitives (net/kp_prim.c): fixed-width integers,
 * varints with exact byte patterns, strings/bytes in classic and compact form, the sticky
 * reader error, array-count limits, tag-section skipping and the writer's ceiling. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "net/kp.h"

void suite_codec(void);

#define BUF_MAX 4096

/* Checks that b holds exactly the n bytes at want. */
static void expect_bytes(const struct kbuf *b, const uint8_t *want, size_t n)
{
	CU_ASSERT_FALSE(b->err);
	CU_ASSERT_EQUAL(b->len, n);
	if (b->len == n)
		CU_ASSERT_EQUAL(memcmp(b->data, want, n), 0);
}

/* ---- Fixed-width integers ------------------------------------------------------------ */

static void test_int8_int16(void)
{
	static const int8_t v8[] = {INT8_MIN, -1, 0, 1, INT8_MAX};
	static const int16_t v16[] = {INT16_MIN, -2, -1, 0, 1, 0x1234, INT16_MAX};
	struct kbuf b;
	struct kp_reader r;

	kbuf_init(&b, BUF_MAX);
	for (size_t i = 0; i < KB_ARRAY_LEN(v8); i++)
		kp_put_i8(&b, v8[i]);
	for (size_t i = 0; i < KB_ARRAY_LEN(v16); i++)
		kp_put_i16(&b, v16[i]);
	CU_ASSERT_EQUAL(b.len, 5 + 7 * 2);
	CU_ASSERT_EQUAL(b.data[0], 0x80);
	CU_ASSERT_EQUAL(b.data[5], 0x80); /* INT16_MIN = 80 00 */
	CU_ASSERT_EQUAL(b.data[6], 0x00);
	CU_ASSERT_EQUAL(b.data[7], 0xff); /* -2 = FF FE */
	CU_ASSERT_EQUAL(b.data[8], 0xfe);
	kp_reader_init(&r, b.data, b.len);
	for (size_t i = 0; i < KB_ARRAY_LEN(v8); i++)
		CU_ASSERT_EQUAL(kp_get_i8(&r), v8[i]);
	for (size_t i = 0; i < KB_ARRAY_LEN(v16); i++)
		CU_ASSERT_EQUAL(kp_get_i16(&r), v16[i]);
	CU_ASSERT_EQUAL(r.err, 0);
	CU_ASSERT_EQUAL(kp_remaining(&r), 0);
	kbuf_free(&b);
}

static void test_int32_int64(void)
{
	static const int32_t v32[] = {INT32_MIN, -1, 0, 1, 0x01020304, INT32_MAX};
	static const int64_t v64[] = {INT64_MIN, -1, 0, 1, 0x0102030405060708LL, INT64_MAX};
	static const uint8_t be32[] = {1, 2, 3, 4};
	static const uint8_t be64[] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct kbuf b;
	struct kp_reader r;

	kbuf_init(&b, BUF_MAX);
	kp_put_i32(&b, 0x01020304);
	expect_bytes(&b, be32, 4);
	kbuf_reset(&b);
	kp_put_i64(&b, 0x0102030405060708LL);
	expect_bytes(&b, be64, 8);
	kbuf_reset(&b);
	for (size_t i = 0; i < KB_ARRAY_LEN(v32); i++)
		kp_put_i32(&b, v32[i]);
	for (size_t i = 0; i < KB_ARRAY_LEN(v64); i++)
		kp_put_i64(&b, v64[i]);
	CU_ASSERT_EQUAL(b.len, 6 * 4 + 6 * 8);
	kp_reader_init(&r, b.data, b.len);
	for (size_t i = 0; i < KB_ARRAY_LEN(v32); i++)
		CU_ASSERT_EQUAL(kp_get_i32(&r), v32[i]);
	for (size_t i = 0; i < KB_ARRAY_LEN(v64); i++)
		CU_ASSERT_EQUAL(kp_get_i64(&r), v64[i]);
	CU_ASSERT_EQUAL(r.err, 0);
	kbuf_free(&b);
}

static void test_unsigned_float_bool_uuid(void)
{
	static const uint8_t id[16] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	static const uint8_t one_f64[] = {0x3f, 0xf0, 0, 0, 0, 0, 0, 0};
	uint8_t got[16];
	struct kbuf b;
	struct kp_reader r;

	kbuf_init(&b, BUF_MAX);
	kp_put_f64(&b, 1.0);
	expect_bytes(&b, one_f64, 8);
	kp_put_u16(&b, 0);
	kp_put_u16(&b, UINT16_MAX);
	kp_put_u32(&b, 0);
	kp_put_u32(&b, UINT32_MAX);
	kp_put_f64(&b, -2.5e300);
	kp_put_bool(&b, true);
	kp_put_bool(&b, false);
	kp_put_uuid(&b, id);
	kp_put_i8(&b, 7); /* any non-zero byte reads as true */
	CU_ASSERT_EQUAL(b.len, 8 + 2 + 2 + 4 + 4 + 8 + 1 + 1 + 16 + 1);
	kp_reader_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(kp_get_f64(&r), 1.0);
	CU_ASSERT_EQUAL(kp_get_u16(&r), 0);
	CU_ASSERT_EQUAL(kp_get_u16(&r), UINT16_MAX);
	CU_ASSERT_EQUAL(kp_get_u32(&r), 0);
	CU_ASSERT_EQUAL(kp_get_u32(&r), UINT32_MAX);
	CU_ASSERT_EQUAL(kp_get_f64(&r), -2.5e300);
	CU_ASSERT_TRUE(kp_get_bool(&r));
	CU_ASSERT_FALSE(kp_get_bool(&r));
	kp_get_uuid(&r, got);
	CU_ASSERT_EQUAL(memcmp(got, id, 16), 0);
	CU_ASSERT_TRUE(kp_get_bool(&r));
	CU_ASSERT_EQUAL(r.err, 0);
	CU_ASSERT_EQUAL(kp_remaining(&r), 0);
	kbuf_free(&b);
}

/* ---- Varints --------------------------------------------------------------------------- */

struct var_case {
	int64_t v;
	uint8_t len;
	uint8_t bytes[10];
};

static const struct var_case uvarint_cases[] = {
	{0, 1, {0x00}},
	{1, 1, {0x01}},
	{63, 1, {0x3f}},
	{64, 1, {0x40}},
	{127, 1, {0x7f}},
	{128, 2, {0x80, 0x01}},
	{300, 2, {0xac, 0x02}},
	{16383, 2, {0xff, 0x7f}},
	{16384, 3, {0x80, 0x80, 0x01}},
	{INT32_MAX, 5, {0xff, 0xff, 0xff, 0xff, 0x07}},
	{UINT32_MAX, 5, {0xff, 0xff, 0xff, 0xff, 0x0f}},
};

static const struct var_case varint_cases[] = {
	{0, 1, {0x00}},
	{-1, 1, {0x01}},
	{1, 1, {0x02}},
	{63, 1, {0x7e}},
	{-64, 1, {0x7f}},
	{64, 2, {0x80, 0x01}},
	{-65, 2, {0x81, 0x01}},
	{127, 2, {0xfe, 0x01}},
	{128, 2, {0x80, 0x02}},
	{16383, 3, {0xfe, 0xff, 0x01}},
	{INT32_MAX, 5, {0xfe, 0xff, 0xff, 0xff, 0x0f}},
	{INT32_MIN, 5, {0xff, 0xff, 0xff, 0xff, 0x0f}},
};

static const struct var_case varlong_cases[] = {
	{0, 1, {0x00}},
	{-1, 1, {0x01}},
	{1, 1, {0x02}},
	{63, 1, {0x7e}},
	{64, 2, {0x80, 0x01}},
	{127, 2, {0xfe, 0x01}},
	{128, 2, {0x80, 0x02}},
	{16383, 3, {0xfe, 0xff, 0x01}},
	{INT32_MAX, 5, {0xfe, 0xff, 0xff, 0xff, 0x0f}},
	{INT32_MIN, 5, {0xff, 0xff, 0xff, 0xff, 0x0f}},
	{INT64_MAX, 10, {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
	{INT64_MIN, 10, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
};

enum var_kind { UVARINT, VARINT, VARLONG };

static void put_var(struct kbuf *b, enum var_kind k, int64_t v)
{
	if (k == UVARINT)
		kp_put_uvarint(b, (uint32_t)v);
	else if (k == VARINT)
		kp_put_varint(b, (int32_t)v);
	else
		kp_put_varlong(b, v);
}

static int64_t get_var(struct kp_reader *r, enum var_kind k)
{
	if (k == UVARINT)
		return kp_get_uvarint(r);
	if (k == VARINT)
		return kp_get_varint(r);
	return kp_get_varlong(r);
}

static void check_var_cases(enum var_kind k, const struct var_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct kbuf b;
		struct kp_reader r;

		kbuf_init(&b, BUF_MAX);
		put_var(&b, k, c[i].v);
		expect_bytes(&b, c[i].bytes, c[i].len);
		kp_reader_init(&r, c[i].bytes, c[i].len);
		CU_ASSERT_EQUAL(get_var(&r, k), c[i].v);
		CU_ASSERT_EQUAL(r.err, 0);
		CU_ASSERT_EQUAL(kp_remaining(&r), 0);
		kbuf_free(&b);
	}
}

static void test_varint_patterns(void)
{
	check_var_cases(UVARINT, uvarint_cases, KB_ARRAY_LEN(uvarint_cases));
	check_var_cases(VARINT, varint_cases, KB_ARRAY_LEN(varint_cases));
	check_var_cases(VARLONG, varlong_cases, KB_ARRAY_LEN(varlong_cases));
}

static int read_var_err(enum var_kind k, const uint8_t *p, size_t n)
{
	struct kp_reader r;

	kp_reader_init(&r, p, n);
	CU_ASSERT_EQUAL(get_var(&r, k), 0);
	return r.err;
}

static void test_varint_rejects(void)
{
	static const uint8_t bit32[] = {0xff, 0xff, 0xff, 0xff, 0x10};
	static const uint8_t cont5[] = {0xff, 0xff, 0xff, 0xff, 0x8f, 0x00};
	static const uint8_t six[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
	static const uint8_t short2[] = {0x80, 0x80};
	static const uint8_t long_bit64[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
	static const uint8_t long11[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x81, 0x00};
	static const uint8_t padded0[] = {0x80, 0x00}; /* non-minimal but legal */
	struct kp_reader r;

	CU_ASSERT_EQUAL(read_var_err(UVARINT, bit32, sizeof(bit32)), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(read_var_err(UVARINT, cont5, sizeof(cont5)), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(read_var_err(UVARINT, six, sizeof(six)), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(read_var_err(UVARINT, short2, sizeof(short2)), KP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(read_var_err(UVARINT, NULL, 0), KP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(read_var_err(VARINT, bit32, sizeof(bit32)), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(read_var_err(VARINT, six, sizeof(six)), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(read_var_err(VARINT, short2, sizeof(short2)), KP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(read_var_err(VARLONG, long_bit64, sizeof(long_bit64)), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(read_var_err(VARLONG, long11, sizeof(long11)), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(read_var_err(VARLONG, short2, sizeof(short2)), KP_ERR_TRUNCATED);
	kp_reader_init(&r, padded0, sizeof(padded0));
	CU_ASSERT_EQUAL(kp_get_uvarint(&r), 0);
	CU_ASSERT_EQUAL(r.err, 0);
}

/* ---- Strings and bytes ----------------------------------------------------------------- */

struct str_case {
	const char *s; /* NULL = null */
	bool compact;
	uint8_t len;
	uint8_t bytes[8];
};

static const struct str_case str_cases[] = {
	{"abc", false, 5, {0x00, 0x03, 'a', 'b', 'c'}},
	{"", false, 2, {0x00, 0x00}},
	{NULL, false, 2, {0xff, 0xff}},
	{"abc", true, 4, {0x04, 'a', 'b', 'c'}},
	{"", true, 1, {0x01}},
	{NULL, true, 1, {0x00}},
};

static void test_strings(void)
{
	for (size_t i = 0; i < KB_ARRAY_LEN(str_cases); i++) {
		const struct str_case *c = &str_cases[i];
		struct kbuf b;
		struct kp_reader r;

		kbuf_init(&b, BUF_MAX);
		kp_put_str(&b, kp_str_c(c->s), c->compact);
		expect_bytes(&b, c->bytes, c->len);
		kp_reader_init(&r, c->bytes, c->len);
		struct kp_str s = kp_get_str(&r, c->compact, true);
		CU_ASSERT_EQUAL(r.err, 0);
		CU_ASSERT_TRUE(kp_str_eq_c(s, c->s));
		if (c->s && *c->s)
			CU_ASSERT_PTR_EQUAL(s.ptr, (const char *)c->bytes + c->len - 3); /* zero copy */
		kp_reader_init(&r, c->bytes, c->len);
		kp_get_str(&r, c->compact, false);
		CU_ASSERT_EQUAL(r.err, c->s ? 0 : KP_ERR_INVALID);
		kbuf_free(&b);
	}
}

static int str_err(const uint8_t *p, size_t n, bool compact, bool nullable)
{
	struct kp_reader r;

	kp_reader_init(&r, p, n);
	struct kp_str s = kp_get_str(&r, compact, nullable);
	if (r.err)
		CU_ASSERT_EQUAL(s.len, 0);
	return r.err;
}

static void test_string_errors(void)
{
	static const uint8_t neg2[] = {0xff, 0xfe};
	static const uint8_t past[] = {0x00, 0x05, 'a', 'b'};
	static const uint8_t cpast[] = {0x06, 'a', 'b'};
	static const uint8_t chuge[] = {0x81, 0x80, 0x02}; /* 32769 - 1 = 32768 > INT16_MAX */
	static const uint8_t half[] = {0x00};

	CU_ASSERT_EQUAL(str_err(neg2, sizeof(neg2), false, true), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(str_err(past, sizeof(past), false, true), KP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(str_err(cpast, sizeof(cpast), true, true), KP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(str_err(chuge, sizeof(chuge), true, true), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(str_err(half, sizeof(half), false, true), KP_ERR_TRUNCATED);
}

static void test_bytes(void)
{
	static const uint8_t data[] = {9, 8, 7};
	static const uint8_t classic[] = {0, 0, 0, 3, 9, 8, 7, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0};
	static const uint8_t compact[] = {4, 9, 8, 7, 0, 1};
	static const uint8_t neg2[] = {0xff, 0xff, 0xff, 0xfe};
	static const uint8_t past[] = {0, 0, 0, 9, 1};
	struct kbuf b;
	struct kp_reader r;
	struct kp_bytes v;

	kbuf_init(&b, BUF_MAX);
	for (int compact_i = 0; compact_i < 2; compact_i++) {
		bool c = compact_i;
		kbuf_reset(&b);
		kp_put_bytes(&b, (struct kp_bytes){data, 3}, c);
		kp_put_bytes(&b, (struct kp_bytes){NULL, -1}, c);
		kp_put_bytes(&b, (struct kp_bytes){NULL, 0}, c);
		expect_bytes(&b, c ? compact : classic, c ? sizeof(compact) : sizeof(classic));
		kp_reader_init(&r, b.data, b.len);
		v = kp_get_bytes(&r, c, true);
		CU_ASSERT(v.len == 3 && memcmp(v.ptr, data, 3) == 0);
		CU_ASSERT_EQUAL(kp_get_bytes(&r, c, true).len, -1);
		CU_ASSERT_EQUAL(kp_get_bytes(&r, c, false).len, 0);
		CU_ASSERT_EQUAL(r.err, 0);
	}
	kp_reader_init(&r, classic + 7, 4);
	kp_get_bytes(&r, false, false);
	CU_ASSERT_EQUAL(r.err, KP_ERR_INVALID);
	kp_reader_init(&r, neg2, sizeof(neg2));
	kp_get_bytes(&r, false, true);
	CU_ASSERT_EQUAL(r.err, KP_ERR_INVALID);
	kp_reader_init(&r, past, sizeof(past));
	kp_get_bytes(&r, false, true);
	CU_ASSERT_EQUAL(r.err, KP_ERR_TRUNCATED);
	kbuf_free(&b);
}

static void test_str_helpers(void)
{
	struct kp_str n = kp_str_c(NULL);

	CU_ASSERT(n.ptr == NULL && n.len == -1);
	CU_ASSERT_TRUE(kp_str_eq(n, KP_STR_NULL));
	CU_ASSERT_FALSE(kp_str_eq(n, KP_STR_LIT("")));
	CU_ASSERT_TRUE(kp_str_eq(KP_STR_LIT(""), (struct kp_str){NULL, 0}));
	CU_ASSERT_TRUE(kp_str_eq_c(KP_STR_LIT("topic"), "topic"));
	CU_ASSERT_FALSE(kp_str_eq_c(KP_STR_LIT("topic"), "topiC"));
	CU_ASSERT_FALSE(kp_str_eq_c(KP_STR_LIT("topic"), "topics"));
	CU_ASSERT_TRUE(kp_str_eq_c(KP_STR_NULL, NULL));
	CU_ASSERT_EQUAL(kp_str_c("abc").len, 3);
	CU_ASSERT_PTR_NOT_NULL(kp_err_str(KP_OK));
	CU_ASSERT_PTR_NOT_NULL(kp_err_str(KP_ERR_TRUNCATED));
	CU_ASSERT_PTR_NOT_NULL(kp_err_str(KP_ERR_INVALID));
	CU_ASSERT_PTR_NOT_NULL(kp_err_str(KP_ERR_LIMIT));
	CU_ASSERT_PTR_NOT_NULL(kp_err_str(KP_ERR_VERSION));
	CU_ASSERT_PTR_NOT_NULL(kp_err_str(-99));
	CU_ASSERT_STRING_NOT_EQUAL(kp_err_str(KP_ERR_INVALID), kp_err_str(KP_ERR_LIMIT));
}

/* ---- Sticky errors, array counts, tags ------------------------------------------------- */

static void test_sticky_error(void)
{
	static const uint8_t in[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05};
	struct kp_reader r;

	kp_reader_init(&r, in, sizeof(in));
	CU_ASSERT_EQUAL(kp_get_i32(&r), 0x00010203);
	CU_ASSERT_EQUAL(kp_remaining(&r), 2);
	CU_ASSERT_EQUAL(kp_get_i32(&r), 0); /* only 2 bytes left */
	CU_ASSERT_EQUAL(r.err, KP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(kp_remaining(&r), 0);
	/* Every later read is a no-op returning zero, even one that would fit. */
	CU_ASSERT_EQUAL(kp_get_i8(&r), 0);
	CU_ASSERT_EQUAL(kp_get_i16(&r), 0);
	CU_ASSERT_EQUAL(kp_get_uvarint(&r), 0);
	CU_ASSERT_EQUAL(kp_get_str(&r, false, true).len, 0);
	CU_ASSERT_EQUAL(kp_get_array_count(&r, false, true, 1), 0);
	CU_ASSERT_PTR_EQUAL(r.p, in + 4);
	/* The first error wins. */
	kp_reader_fail(&r, KP_ERR_LIMIT);
	CU_ASSERT_EQUAL(r.err, KP_ERR_TRUNCATED);
	kp_reader_init(&r, in, sizeof(in));
	kp_reader_fail(&r, KP_ERR_VERSION);
	CU_ASSERT_EQUAL(kp_get_i8(&r), 0);
	CU_ASSERT_EQUAL(r.err, KP_ERR_VERSION);
	kp_reader_init(&r, NULL, 0);
	CU_ASSERT_EQUAL(kp_remaining(&r), 0);
	kp_skip(&r, 1);
	CU_ASSERT_EQUAL(r.err, KP_ERR_TRUNCATED);
}

static int count_of(const uint8_t *p, size_t n, bool compact, bool nullable, size_t min,
		    int32_t *count)
{
	struct kp_reader r;

	kp_reader_init(&r, p, n);
	*count = kp_get_array_count(&r, compact, nullable, min);
	return r.err;
}

static void test_array_count(void)
{
	static uint8_t in[32] = {0, 0, 0, 3};
	static const uint8_t null32[] = {0xff, 0xff, 0xff, 0xff};
	static const uint8_t neg2[] = {0xff, 0xff, 0xff, 0xfe};
	static const uint8_t max32[] = {0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0};
	static const uint8_t cmax[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0};
	static const uint8_t c3[] = {0x04, 1, 2, 3};
	int32_t n;

	CU_ASSERT_EQUAL(count_of(in, 4 + 12, false, false, 4, &n), 0); /* 3 * 4 fits exactly */
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(count_of(in, 4 + 11, false, false, 4, &n), KP_ERR_LIMIT);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(count_of(in, 4 + 3, false, false, 0, &n), 0); /* min 0 counts as 1 */
	CU_ASSERT_EQUAL(count_of(in, 4 + 2, false, false, 0, &n), KP_ERR_LIMIT);
	CU_ASSERT_EQUAL(count_of(null32, 4, false, true, 4, &n), 0);
	CU_ASSERT_EQUAL(n, -1);
	CU_ASSERT_EQUAL(count_of(null32, 4, false, false, 4, &n), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(count_of(neg2, 4, false, true, 4, &n), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(count_of(max32, sizeof(max32), false, false, 1, &n), KP_ERR_LIMIT);
	CU_ASSERT_EQUAL(count_of(max32, sizeof(max32), false, false, SIZE_MAX, &n), KP_ERR_LIMIT);
	CU_ASSERT_EQUAL(count_of(cmax, sizeof(cmax), true, false, 1, &n), KP_ERR_LIMIT);
	CU_ASSERT_EQUAL(count_of(c3, sizeof(c3), true, false, 1, &n), 0);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(count_of(c3, sizeof(c3), true, false, 2, &n), KP_ERR_LIMIT);
	CU_ASSERT_EQUAL(count_of((const uint8_t *)"\0", 1, true, true, 1, &n), 0);
	CU_ASSERT_EQUAL(n, -1);
	CU_ASSERT_EQUAL(count_of((const uint8_t *)"\0", 1, true, false, 1, &n), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(count_of(in, 2, false, false, 1, &n), KP_ERR_TRUNCATED);
}

static void test_array_count_write(void)
{
	static const uint8_t want[] = {0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff, 0x03, 0x00, 0x01};
	struct kbuf b;

	kbuf_init(&b, BUF_MAX);
	kp_put_array_count(&b, 2, false);
	kp_put_array_count(&b, -1, false);
	kp_put_array_count(&b, 2, true);
	kp_put_array_count(&b, -1, true);
	kp_put_array_count(&b, 0, true);
	expect_bytes(&b, want, sizeof(want));
	kbuf_free(&b);
}

static int skip_tags_err(const uint8_t *p, size_t n, size_t *left)
{
	struct kp_reader r;

	kp_reader_init(&r, p, n);
	kp_skip_tags(&r);
	*left = kp_remaining(&r);
	return r.err;
}

static void test_skip_tags(void)
{
	static const uint8_t empty[] = {0x00, 0xaa};
	static const uint8_t two[] = {0x02, 0x00, 0x01, 0x55, 0x05, 0x02, 0x66, 0x77, 0xaa};
	static const uint8_t order[] = {0x02, 0x05, 0x00, 0x01, 0x00};
	static const uint8_t dup[] = {0x02, 0x01, 0x00, 0x01, 0x00};
	static const uint8_t past[] = {0x01, 0x00, 0x05, 0x01};
	static const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
	size_t left;

	CU_ASSERT_EQUAL(skip_tags_err(empty, sizeof(empty), &left), 0);
	CU_ASSERT_EQUAL(left, 1);
	CU_ASSERT_EQUAL(skip_tags_err(two, sizeof(two), &left), 0);
	CU_ASSERT_EQUAL(left, 1);
	CU_ASSERT_EQUAL(skip_tags_err(order, sizeof(order), &left), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(skip_tags_err(dup, sizeof(dup), &left), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(skip_tags_err(past, sizeof(past), &left), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(skip_tags_err(huge, sizeof(huge), &left), KP_ERR_TRUNCATED);
}

/* ---- Writer ceiling --------------------------------------------------------------------- */

static void test_writer_ceiling(void)
{
	static const uint8_t want[] = {0, 0, 0, 42, 0, 0, 0, 7};
	struct kbuf b;

	kbuf_init(&b, 6);
	kp_put_i32(&b, 7);
	CU_ASSERT_FALSE(b.err);
	kp_put_i32(&b, 8); /* 8 bytes > 6 */
	CU_ASSERT_TRUE(b.err);
	CU_ASSERT_EQUAL(b.len, 4);
	kp_put_i8(&b, 1); /* would fit, but err is sticky */
	kp_put_uvarint(&b, 1);
	kp_put_str(&b, KP_STR_LIT("x"), true);
	CU_ASSERT_EQUAL(b.len, 4);
	kp_patch_i32(&b, 0, 99); /* no-op once failed */
	CU_ASSERT_EQUAL(b.data[3], 7);
	kbuf_free(&b);

	kbuf_init(&b, 64);
	kp_put_i32(&b, 0); /* placeholder, e.g. a frame size */
	kp_put_i32(&b, 7);
	kp_patch_i32(&b, 0, 42);
	expect_bytes(&b, want, sizeof(want));
	/* A classic string longer than INT16_MAX cannot be written: the buffer fails. */
	kbuf_reset(&b);
	kp_put_str(&b, (struct kp_str){"x", INT16_MAX + 1}, false);
	CU_ASSERT_TRUE(b.err);
	kbuf_free(&b);
}

void suite_codec(void)
{
	CU_pSuite s = CU_add_suite("codec", NULL, NULL);

	CU_add_test(s, "int8/int16 round trip", test_int8_int16);
	CU_add_test(s, "int32/int64 round trip", test_int32_int64);
	CU_add_test(s, "uint16/uint32/float64/bool/uuid", test_unsigned_float_bool_uuid);
	CU_add_test(s, "varint byte patterns", test_varint_patterns);
	CU_add_test(s, "over-long varints rejected", test_varint_rejects);
	CU_add_test(s, "strings classic/compact", test_strings);
	CU_add_test(s, "string errors", test_string_errors);
	CU_add_test(s, "bytes classic/compact", test_bytes);
	CU_add_test(s, "kp_str helpers, kp_err_str", test_str_helpers);
	CU_add_test(s, "sticky reader error", test_sticky_error);
	CU_add_test(s, "array count limits", test_array_count);
	CU_add_test(s, "array count write", test_array_count_write);
	CU_add_test(s, "skip tag section", test_skip_tags);
	CU_add_test(s, "writer ceiling is sticky", test_writer_ceiling);
}
