/* kp_prim.c — Kafka primitive types: the sticky-error reader, the kbuf writer, kp_str helpers.
 *
 * Design points (see kp.h):
 *   - Every getter first checks r->err; once an error is recorded all getters return zero
 *     values without touching the input, so callers read a run of fields and check once.
 *   - All bounds checks go through take(): nothing is read past r->end.
 *   - Varints: unsigned varint max 5 bytes, and its 5th byte may only carry bits 28-31
 *     (<= 0x0f, which also forbids a continuation bit); zig-zag varint likewise; varlong max
 *     10 bytes with the 10th byte <= 0x01 (bit 63 only). Anything else is KP_ERR_INVALID.
 *   - Lengths: classic strings have an int16 length, bytes/arrays an int32 one; compact forms
 *     use uvarint N+1 (0 = null). -1 (or compact 0) is null; other negatives are invalid.
 *     Strings are at most INT16_MAX bytes in both encodings, as in Kafka.
 *   - Writers never fail individually: a write past the kbuf ceiling sets b->err (sticky).
 */
#include "kp.h"

#include <string.h>

#include "../common/varint.h"

/* ---- Strings ------------------------------------------------------------------------- */

struct kp_str kp_str_c(const char *s)
{
	if (!s)
		return KP_STR_NULL;
	size_t n = strlen(s);
	return (struct kp_str){s, (int32_t)KB_MIN(n, (size_t)INT32_MAX)};
}

bool kp_str_eq(struct kp_str a, struct kp_str b)
{
	if (a.len != b.len)
		return false;
	if (a.len <= 0)
		return true; /* both null or both empty */
	return memcmp(a.ptr, b.ptr, (size_t)a.len) == 0;
}

bool kp_str_eq_c(struct kp_str a, const char *s)
{
	return kp_str_eq(a, kp_str_c(s));
}

const char *kp_err_str(int err)
{
	switch (err) {
	case KP_OK:
		return "ok";
	case KP_ERR_TRUNCATED:
		return "truncated: a field runs past the end of the input";
	case KP_ERR_INVALID:
		return "invalid: malformed value";
	case KP_ERR_LIMIT:
		return "limit: declared size exceeds input or memory ceiling";
	case KP_ERR_VERSION:
		return "unsupported version";
	default:
		return "unknown codec error";
	}
}

/* ---- Reader -------------------------------------------------------------------------- */

void kp_reader_init(struct kp_reader *r, const void *buf, size_t len)
{
	r->p = buf;
	r->end = buf ? r->p + len : NULL;
	r->err = 0;
}

size_t kp_remaining(const struct kp_reader *r)
{
	if (r->err || !r->p)
		return 0;
	return (size_t)(r->end - r->p);
}

void kp_reader_fail(struct kp_reader *r, int err)
{
	if (!r->err)
		r->err = err;
}

/* Consumes n bytes and returns where they start, or NULL (error recorded) if they are not
 * all there. */
static const uint8_t *take(struct kp_reader *r, size_t n)
{
	if (r->err)
		return NULL;
	if (n > kp_remaining(r)) {
		kp_reader_fail(r, KP_ERR_TRUNCATED);
		return NULL;
	}
	const uint8_t *p = r->p;
	r->p += n;
	return p;
}

static uint64_t get_be(struct kp_reader *r, size_t n)
{
	const uint8_t *p = take(r, n);
	uint64_t v = 0;

	if (!p)
		return 0;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

int8_t kp_get_i8(struct kp_reader *r)
{
	return (int8_t)(uint8_t)get_be(r, 1);
}

int16_t kp_get_i16(struct kp_reader *r)
{
	return (int16_t)(uint16_t)get_be(r, 2);
}

int32_t kp_get_i32(struct kp_reader *r)
{
	return (int32_t)(uint32_t)get_be(r, 4);
}

int64_t kp_get_i64(struct kp_reader *r)
{
	return (int64_t)get_be(r, 8);
}

uint16_t kp_get_u16(struct kp_reader *r)
{
	return (uint16_t)get_be(r, 2);
}

uint32_t kp_get_u32(struct kp_reader *r)
{
	return (uint32_t)get_be(r, 4);
}

double kp_get_f64(struct kp_reader *r)
{
	uint64_t u = get_be(r, 8);
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

bool kp_get_bool(struct kp_reader *r)
{
	return get_be(r, 1) != 0; /* any non-zero byte is true, as in Kafka */
}

void kp_get_uuid(struct kp_reader *r, uint8_t out[16])
{
	const uint8_t *p = take(r, 16);

	if (p)
		memcpy(out, p, 16);
	else
		memset(out, 0, 16);
}

/* The shared strict varint reader (common/varint.h) under the sticky error; on failure the
 * reader leaves the value 0. */
static void var_check(struct kp_reader *r, int rc)
{
	if (rc != KB_VAR_OK)
		kp_reader_fail(r, rc == KB_VAR_SHORT ? KP_ERR_TRUNCATED : KP_ERR_INVALID);
}

uint32_t kp_get_uvarint(struct kp_reader *r)
{
	uint32_t v = 0;
	if (!r->err)
		var_check(r, kb_uvarint32_read(&r->p, r->end, &v));
	return v;
}

int32_t kp_get_varint(struct kp_reader *r)
{
	int32_t v = 0;
	if (!r->err)
		var_check(r, kb_varint32_read(&r->p, r->end, &v));
	return v;
}

int64_t kp_get_varlong(struct kp_reader *r)
{
	int64_t v = 0;
	if (!r->err)
		var_check(r, kb_varint64_read(&r->p, r->end, &v));
	return v;
}

/* Reads a length prefix: compact uvarint N+1, or a classic int16/int32. Returns -1 for null,
 * the length otherwise (possibly < -1, which the caller rejects), 0 after an error. */
static int64_t get_len(struct kp_reader *r, bool compact, bool wide)
{
	if (compact)
		return (int64_t)kp_get_uvarint(r) - 1;
	return wide ? kp_get_i32(r) : kp_get_i16(r);
}

/* Validates a length read by get_len. Returns true when the payload follows (len >= 0). */
static bool check_len(struct kp_reader *r, int64_t len, bool nullable, int64_t max)
{
	if (r->err)
		return false;
	if (len == -1 && !nullable)
		kp_reader_fail(r, KP_ERR_INVALID);
	else if (len < -1 || len > max)
		kp_reader_fail(r, KP_ERR_INVALID);
	else if (len >= 0 && (uint64_t)len > kp_remaining(r))
		kp_reader_fail(r, KP_ERR_TRUNCATED);
	return !r->err && len >= 0;
}

struct kp_str kp_get_str(struct kp_reader *r, bool compact, bool nullable)
{
	int64_t len = get_len(r, compact, false);

	if (!check_len(r, len, nullable, INT16_MAX))
		return r->err ? (struct kp_str){NULL, 0} : KP_STR_NULL;
	return (struct kp_str){(const char *)take(r, (size_t)len), (int32_t)len};
}

struct kp_bytes kp_get_bytes(struct kp_reader *r, bool compact, bool nullable)
{
	int64_t len = get_len(r, compact, true);

	if (!check_len(r, len, nullable, INT32_MAX))
		return (struct kp_bytes){NULL, r->err ? 0 : -1};
	return (struct kp_bytes){take(r, (size_t)len), (int32_t)len};
}

int32_t kp_get_array_count(struct kp_reader *r, bool compact, bool nullable, size_t min_elem_bytes)
{
	int64_t n = get_len(r, compact, true);

	if (r->err)
		return 0;
	if (n == -1 && nullable)
		return -1;
	if (n < 0) {
		kp_reader_fail(r, KP_ERR_INVALID);
		return 0;
	}
	/* Every element takes at least one byte, so a count that cannot fit in what is left is
	 * refused here, before anyone allocates count elements. */
	size_t min = KB_MAX(min_elem_bytes, (size_t)1);
	if (n > INT32_MAX || (uint64_t)n > kp_remaining(r) / min) {
		kp_reader_fail(r, KP_ERR_LIMIT);
		return 0;
	}
	return (int32_t)n;
}

void kp_skip(struct kp_reader *r, size_t n)
{
	take(r, n);
}

void kp_skip_tags(struct kp_reader *r)
{
	uint32_t n = kp_get_uvarint(r);
	int64_t last = -1;

	for (uint32_t i = 0; i < n && !r->err; i++) {
		uint32_t tag = kp_get_uvarint(r);
		uint32_t size = kp_get_uvarint(r);
		if (r->err)
			return;
		if ((int64_t)tag <= last || size > kp_remaining(r)) {
			kp_reader_fail(r, KP_ERR_INVALID);
			return;
		}
		kp_skip(r, size);
		last = tag;
	}
}

/* ---- Writer -------------------------------------------------------------------------- */

static void put_be(struct kbuf *b, uint64_t v, size_t n)
{
	uint8_t *p = kbuf_extend(b, n);

	if (!p)
		return;
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

void kp_put_i8(struct kbuf *b, int8_t v)
{
	put_be(b, (uint8_t)v, 1);
}

void kp_put_i16(struct kbuf *b, int16_t v)
{
	put_be(b, (uint16_t)v, 2);
}

void kp_put_i32(struct kbuf *b, int32_t v)
{
	put_be(b, (uint32_t)v, 4);
}

void kp_put_i64(struct kbuf *b, int64_t v)
{
	put_be(b, (uint64_t)v, 8);
}

void kp_put_u16(struct kbuf *b, uint16_t v)
{
	put_be(b, v, 2);
}

void kp_put_u32(struct kbuf *b, uint32_t v)
{
	put_be(b, v, 4);
}

void kp_put_f64(struct kbuf *b, double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof(u));
	put_be(b, u, 8);
}

void kp_put_bool(struct kbuf *b, bool v)
{
	put_be(b, v ? 1 : 0, 1);
}

void kp_put_uuid(struct kbuf *b, const uint8_t v[16])
{
	kbuf_append(b, v, 16);
}

static void put_var(struct kbuf *b, uint64_t v)
{
	uint8_t tmp[KB_VARINT_MAX];

	kbuf_append(b, tmp, (size_t)(kb_uvarint_put(tmp, v) - tmp));
}

void kp_put_uvarint(struct kbuf *b, uint32_t v)
{
	put_var(b, v);
}

void kp_put_varint(struct kbuf *b, int32_t v)
{
	put_var(b, kb_zigzag64(v));
}

void kp_put_varlong(struct kbuf *b, int64_t v)
{
	put_var(b, kb_zigzag64(v));
}

/* A string longer than INT16_MAX cannot be written (Kafka's limit); it marks the buffer as
 * failed rather than emit a corrupt length. The walker rejects such strings earlier. */
void kp_put_str(struct kbuf *b, struct kp_str s, bool compact)
{
	if (s.len > INT16_MAX) {
		b->err = true;
		return;
	}
	if (s.len < 0) {
		if (compact)
			kp_put_uvarint(b, 0);
		else
			kp_put_i16(b, -1);
		return;
	}
	if (compact)
		kp_put_uvarint(b, (uint32_t)s.len + 1);
	else
		kp_put_i16(b, (int16_t)s.len);
	kbuf_append(b, s.ptr, (size_t)s.len);
}

void kp_put_bytes(struct kbuf *b, struct kp_bytes v, bool compact)
{
	kp_put_array_count(b, v.len, compact);
	if (v.len > 0 && v.ext)
		kbuf_add_ext(b, v.ext, (size_t)v.len);
	else if (v.len > 0)
		kbuf_append(b, v.ptr, (size_t)v.len);
}

/* Counts and byte lengths share one encoding: int32 (-1 null) or uvarint N+1 (0 null). */
void kp_put_array_count(struct kbuf *b, int32_t count, bool compact)
{
	if (compact)
		kp_put_uvarint(b, count < 0 ? 0 : (uint32_t)count + 1);
	else
		kp_put_i32(b, count < 0 ? -1 : count);
}

void kp_patch_i32(struct kbuf *b, size_t pos, int32_t v)
{
	if (b->err)
		return;
	KB_ASSERT(pos <= b->len && b->len - pos >= 4);
	uint32_t u = (uint32_t)v;
	for (int i = 0; i < 4; i++)
		b->data[pos + (size_t)i] = (uint8_t)(u >> (24 - 8 * i));
}
