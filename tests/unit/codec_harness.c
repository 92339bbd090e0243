/* codec_harness.c — see codec_harness.h. */
#include "codec_harness.h"

const uint8_t UUID_A[16] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
                            0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01};
const uint8_t UUID_B[16] = {0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f};
const uint8_t UUID_ZERO[16];

bool ch_flexible(int16_t key, int16_t v)
{
	return kp_api_flexible(kp_api_find(key), v);
}

/* ---- Harness --------------------------------------------------------------------------- */

/* Encodes `in`; returns malloc'ed bytes, or NULL (after a failed assertion). */
uint8_t *ch_encode(const struct kp_struct *desc, int16_t v, bool flex, const void *in,
		       size_t *len)
{
	struct kbuf b;

	kbuf_init(&b, BUF_MAX);
	int rc = kp_encode(desc, v, flex, in, &b);
	CU_ASSERT_EQUAL(rc, KP_OK);
	if (rc) {
		kbuf_free(&b);
		return NULL;
	}
	return kbuf_detach(&b, len);
}

/* Decodes p[0..len) into out; *left gets the bytes not consumed. */
int ch_decode(const struct kp_struct *desc, int16_t v, bool flex, const uint8_t *p,
		  size_t len, struct arena *a, void *out, size_t *left)
{
	struct kp_reader r;

	kp_reader_init(&r, p, len);
	int rc = kp_decode(desc, v, flex, &r, a, out);
	*left = kp_remaining(&r);
	return rc;
}

/* Every proper prefix of a valid message must fail to decode. Each prefix is copied into a
 * buffer of exactly its size, so ASan catches any read past the end. */
void ch_check_truncations(const struct kp_struct *desc, int16_t v, bool flex,
			      const uint8_t *p, size_t len)
{
	void *out = kb_malloc(desc->size);
	size_t failed = 0, left;

	for (size_t n = 0; n < len; n++) {
		uint8_t *copy = kb_malloc(n);
		struct arena a;
		memcpy(copy, p, n);
		arena_init(&a, ARENA_MAX);
		if (ch_decode(desc, v, flex, copy, n, &a, out, &left) != KP_OK)
			failed++;
		arena_destroy(&a);
		free(copy);
	}
	CU_ASSERT_EQUAL(failed, len);
	free(out);
}


/* Encode, decode, compare with `check`, re-encode identically, then truncate. */
void ch_roundtrip(const struct kp_struct *desc, int16_t v, bool flex, const void *in,
		      check_fn check)
{
	size_t len, len2, left;
	uint8_t *bytes = ch_encode(desc, v, flex, in, &len);
	if (!bytes)
		return;
	void *out = kb_malloc(desc->size);
	memset(out, 0xa5, desc->size); /* decode must write every field */
	struct arena a;
	arena_init(&a, ARENA_MAX);
	int rc = ch_decode(desc, v, flex, bytes, len, &a, out, &left);
	CU_ASSERT_EQUAL(rc, KP_OK);
	CU_ASSERT_EQUAL(left, 0);
	if (rc == KP_OK) {
		check(v, in, out);
		uint8_t *again = ch_encode(desc, v, flex, out, &len2);
		CU_ASSERT(again && len2 == len && memcmp(again, bytes, len) == 0);
		free(again);
	}
	ch_check_truncations(desc, v, flex, bytes, len);
	arena_destroy(&a);
	free(out);
	free(bytes);
}

/* Encodes `in` and expects exactly want[0..n); decodes want into out (arrays in `a`, which
 * the caller destroys after inspecting out) and re-encodes it identically. */
void ch_golden(const struct kp_struct *desc, int16_t v, bool flex, const void *in,
		   const uint8_t *want, size_t n, struct arena *a, void *out)
{
	size_t len, len2, left;
	uint8_t *got = ch_encode(desc, v, flex, in, &len);

	CU_ASSERT(got && len == n && (n == 0 || memcmp(got, want, n) == 0));
	CU_ASSERT_EQUAL(ch_decode(desc, v, flex, want, n, a, out, &left), KP_OK);
	CU_ASSERT_EQUAL(left, 0);
	uint8_t *again = ch_encode(desc, v, flex, out, &len2);
	CU_ASSERT(again && len2 == n && (n == 0 || memcmp(again, want, n) == 0));
	free(again);
	free(got);
}

/* Decodes p[0..n) (copied to an exact-size buffer) and returns the error code. */
int ch_decode_err(const struct kp_struct *desc, int16_t v, bool flex, const uint8_t *p,
		      size_t n, size_t arena_max)
{
	uint8_t *copy = kb_malloc(n);
	void *out = kb_malloc(desc->size);
	struct arena a;
	size_t left;

	memcpy(copy, p, n);
	arena_init(&a, arena_max);
	int rc = ch_decode(desc, v, flex, copy, n, &a, out, &left);
	arena_destroy(&a);
	free(out);
	free(copy);
	return rc;
}

bool ch_i32_array_eq(struct kp_array a, struct kp_array b)
{
	if (a.count != b.count)
		return false;
	return a.count <= 0 || memcmp(a.elems, b.elems, (size_t)a.count * sizeof(int32_t)) == 0;
}

/* An array decoded as its default: empty (or null) and no storage. */
bool ch_array_is(struct kp_array a, int32_t count)
{
	return a.count == count && a.elems == NULL;
}

/* ---- ApiVersions round trips ----------------------------------------------------------- */

bool ch_i64_array_eq(struct kp_array a, struct kp_array b)
{
	if (a.count != b.count)
		return false;
	return a.count <= 0 || memcmp(a.elems, b.elems, (size_t)a.count * sizeof(int64_t)) == 0;
}

bool ch_bytes_eq(struct kp_bytes a, struct kp_bytes b)
{
	if (a.len != b.len)
		return false;
	return a.len <= 0 || memcmp(a.ptr, b.ptr, (size_t)a.len) == 0;
}

bool ch_str_array_eq(struct kp_array a, struct kp_array b)
{
	if (a.count != b.count)
		return false;
	for (int32_t i = 0; i < a.count; i++)
		if (!kp_str_eq(((const struct kp_str *)a.elems)[i], ((const struct kp_str *)b.elems)[i]))
			return false;
	return true;
}

static bool in_range(int v, int lo, int hi)
{
	return v >= lo && v <= hi;
}

/* Structural checks of a descriptor and everything nested in it. */
void ch_check_desc(const struct kp_struct *d, int depth)
{
	CU_ASSERT_FATAL(depth < 8);
	CU_ASSERT(d->name && d->nfields > 0 && d->size > 0);
	for (uint32_t i = 0; i < d->nfields; i++) {
		const struct kp_field *f = &d->fields[i];
		CU_ASSERT(f->name && in_range(f->type, KP_BOOL, KP_STRUCT));
		CU_ASSERT(f->vmin >= 0 && f->vmin <= f->vmax && f->offset < d->size);
		CU_ASSERT(f->nmin == KP_NEVER || (f->nmin <= f->nmax && f->nmin >= f->vmin));
		CU_ASSERT(f->tag == KP_NEVER || (f->tag >= 0 && f->tmin >= f->vmin && f->tmin <= f->tmax));
		for (uint32_t j = 0; j < i; j++)
			CU_ASSERT(f->tag < 0 || d->fields[j].tag != f->tag);
		bool has_sub = f->type == KP_STRUCT || (f->type == KP_ARRAY && f->elem_type == KP_STRUCT);
		CU_ASSERT(has_sub == (f->sub != NULL));
		if (f->type == KP_ARRAY)
			CU_ASSERT(in_range(f->elem_type, KP_BOOL, KP_STRUCT) && f->elem_type != KP_ARRAY);
		if (f->sub)
			ch_check_desc(f->sub, depth + 1);
	}
}
