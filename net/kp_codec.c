/* kp_codec.c — the generic walker: decodes wire bytes into C message structs and encodes
 * them back, driven by the descriptor tables of kp_msgs.c (see kp.h for the contract).
 *
 * Design points:
 *   - A field is on the wire only in [vmin, vmax]. In a flexible version a field whose
 *     [tmin, tmax] covers the version is tagged: never positional, it lives in the tagged-field
 *     section that ends EVERY struct of a flexible version (top level, array elements, nested
 *     structs). Absent and not-sent fields get their default on decode.
 *   - Decoding is zero-copy for strings/bytes/records (they point into the input); arrays are
 *     allocated in the arena, but only after the declared count has been checked against the
 *     bytes left (count * minimum element wire size <= remaining), so a hostile count fails
 *     with KP_ERR_LIMIT before any allocation.
 *   - Known tags are decoded from a sub-reader bounded by the declared size (trailing bytes
 *     inside are ignored); unknown tags are skipped; tags must be strictly ascending.
 *   - Recursion follows the static descriptor nesting only, never anything from the input.
 *   - Encoding writes tagged fields in ascending tag order, only when they differ from their
 *     default. The size prefix of a tagged field is unknown until its payload is written, so
 *     the payload is written first and the (at most 5-byte) prefix is rotated in front of it.
 *   - Null where the version does not allow it is KP_ERR_INVALID in both directions.
 */
#include "kp.h"

#include <string.h>

struct dec {
	int16_t v;
	bool flex;
	struct kp_reader *r;
	struct arena *a;
};

struct enc {
	int16_t v;
	bool flex;
	struct kbuf *b;
	int err; /* first encode error (KP_ERR_INVALID), 0 while all is well */
};

/* ---- Descriptor predicates ------------------------------------------------------------- */

static bool in_range(int16_t v, int16_t lo, int16_t hi)
{
	return v >= lo && v <= hi;
}

static bool is_present(const struct kp_field *f, int16_t v)
{
	return in_range(v, f->vmin, f->vmax);
}

static bool is_nullable(const struct kp_field *f, int16_t v)
{
	return f->nmin != KP_NEVER && in_range(v, f->nmin, f->nmax);
}

/* Tagged fields exist only in flexible versions. */
static bool is_tagged(const struct kp_field *f, int16_t v, bool flex)
{
	return flex && f->tag >= 0 && in_range(v, f->tmin, f->tmax);
}

static void *field_ptr(void *base, const struct kp_field *f)
{
	return (char *)base + f->offset;
}

static const void *field_cptr(const void *base, const struct kp_field *f)
{
	return (const char *)base + f->offset;
}

/* ---- Sizes ----------------------------------------------------------------------------- */

/* Size of the C representation of one value of `type` (see kp.h); 0 for an unknown type. */
static size_t c_size(uint8_t type, const struct kp_struct *sub)
{
	switch (type) {
	case KP_BOOL:
		return sizeof(bool);
	case KP_INT8:
		return sizeof(int8_t);
	case KP_INT16:
	case KP_UINT16:
		return sizeof(int16_t);
	case KP_INT32:
		return sizeof(int32_t);
	case KP_INT64:
		return sizeof(int64_t);
	case KP_FLOAT64:
		return sizeof(double);
	case KP_UUID:
		return 16;
	case KP_STRING:
		return sizeof(struct kp_str);
	case KP_BYTES:
	case KP_RECORDS:
		return sizeof(struct kp_bytes);
	case KP_STRUCT:
		return sub->size;
	default:
		return 0;
	}
}

/* Fewest wire bytes a value of `type` can take at this version. */
static size_t wire_min(uint8_t type, const struct kp_struct *sub, int16_t v, bool flex)
{
	switch (type) {
	case KP_BOOL:
	case KP_INT8:
		return 1;
	case KP_INT16:
	case KP_UINT16:
		return 2;
	case KP_INT32:
		return 4;
	case KP_INT64:
	case KP_FLOAT64:
		return 8;
	case KP_UUID:
		return 16;
	case KP_STRING:
		return flex ? 1 : 2;
	case KP_BYTES:
	case KP_RECORDS:
	case KP_ARRAY:
		return flex ? 1 : 4;
	case KP_STRUCT:
		return kp_min_wire_size(sub, v, flex);
	default:
		return 0;
	}
}

size_t kp_min_wire_size(const struct kp_struct *desc, int16_t version, bool flexible)
{
	size_t n = flexible ? 1 : 0; /* the empty tag section */

	for (uint32_t i = 0; i < desc->nfields; i++) {
		const struct kp_field *f = &desc->fields[i];
		if (is_present(f, version) && !is_tagged(f, version, flexible))
			n += wire_min(f->type, f->sub, version, flexible);
	}
	return n;
}

/* ---- Defaults -------------------------------------------------------------------------- */

static void set_scalar(uint8_t type, void *p, int64_t val)
{
	switch (type) {
	case KP_BOOL:
		*(bool *)p = val != 0;
		break;
	case KP_INT8:
		*(int8_t *)p = (int8_t)val;
		break;
	case KP_INT16:
		*(int16_t *)p = (int16_t)val;
		break;
	case KP_UINT16:
		*(uint16_t *)p = (uint16_t)val;
		break;
	case KP_INT32:
		*(int32_t *)p = (int32_t)val;
		break;
	case KP_INT64:
		*(int64_t *)p = val;
		break;
	case KP_FLOAT64:
		*(double *)p = (double)val;
		break;
	case KP_UUID:
		memset(p, 0, 16);
		break;
	}
}

static void set_default(const struct kp_field *f, void *p)
{
	int32_t len = f->def_null ? -1 : 0;

	switch (f->type) {
	case KP_STRING:
		*(struct kp_str *)p = (struct kp_str){NULL, len};
		break;
	case KP_BYTES:
	case KP_RECORDS:
		*(struct kp_bytes *)p = (struct kp_bytes){NULL, len};
		break;
	case KP_ARRAY:
		*(struct kp_array *)p = (struct kp_array){NULL, len};
		break;
	case KP_STRUCT:
		kp_set_defaults(f->sub, p);
		break;
	default:
		set_scalar(f->type, p, f->def);
	}
}

void kp_set_defaults(const struct kp_struct *desc, void *out)
{
	for (uint32_t i = 0; i < desc->nfields; i++)
		set_default(&desc->fields[i], field_ptr(out, &desc->fields[i]));
}

/* ---- Decode ---------------------------------------------------------------------------- */

static void decode_struct(struct dec *d, const struct kp_struct *desc, void *out);

static void get_scalar(struct kp_reader *r, uint8_t type, void *p)
{
	switch (type) {
	case KP_BOOL:
		*(bool *)p = kp_get_bool(r);
		break;
	case KP_INT8:
		*(int8_t *)p = kp_get_i8(r);
		break;
	case KP_INT16:
		*(int16_t *)p = kp_get_i16(r);
		break;
	case KP_UINT16:
		*(uint16_t *)p = kp_get_u16(r);
		break;
	case KP_INT32:
		*(int32_t *)p = kp_get_i32(r);
		break;
	case KP_INT64:
		*(int64_t *)p = kp_get_i64(r);
		break;
	case KP_FLOAT64:
		*(double *)p = kp_get_f64(r);
		break;
	case KP_UUID:
		kp_get_uuid(r, p);
		break;
	}
}

/* Decodes one value of any type but KP_ARRAY (fields and array elements alike). */
static void decode_value(struct dec *d, uint8_t type, const struct kp_struct *sub,
			 bool nullable, void *p)
{
	switch (type) {
	case KP_STRING:
		*(struct kp_str *)p = kp_get_str(d->r, d->flex, nullable);
		break;
	case KP_BYTES:
	case KP_RECORDS:
		*(struct kp_bytes *)p = kp_get_bytes(d->r, d->flex, nullable);
		break;
	case KP_STRUCT:
		decode_struct(d, sub, p);
		break;
	default:
		get_scalar(d->r, type, p);
	}
}

/* Array elements are never null (Kafka has no nullable array elements). */
static void decode_array(struct dec *d, const struct kp_field *f, struct kp_array *arr)
{
	size_t esize = c_size(f->elem_type, f->sub);
	size_t emin = wire_min(f->elem_type, f->sub, d->v, d->flex);
	int32_t n = kp_get_array_count(d->r, d->flex, is_nullable(f, d->v), emin);

	KB_ASSERT(esize > 0); /* table bug: bad elem_type */
	arr->elems = NULL;
	arr->count = n;
	if (n <= 0)
		return;
	if ((size_t)n > SIZE_MAX / esize || !(arr->elems = arena_alloc(d->a, (size_t)n * esize))) {
		arr->count = 0;
		kp_reader_fail(d->r, KP_ERR_LIMIT);
		return;
	}
	for (int32_t i = 0; i < n && !d->r->err; i++)
		decode_value(d, f->elem_type, f->sub, false, (char *)arr->elems + (size_t)i * esize);
}

static void decode_field(struct dec *d, const struct kp_field *f, void *base)
{
	void *p = field_ptr(base, f);

	if (f->type == KP_ARRAY)
		decode_array(d, f, p);
	else
		decode_value(d, f->type, f->sub, is_nullable(f, d->v), p);
}

static const struct kp_field *find_tag(const struct kp_struct *desc, int16_t v, uint32_t tag)
{
	for (uint32_t i = 0; i < desc->nfields; i++) {
		const struct kp_field *f = &desc->fields[i];
		if (is_present(f, v) && is_tagged(f, v, true) && (uint32_t)f->tag == tag)
			return f;
	}
	return NULL;
}

/* Decodes a known tagged field from exactly `size` bytes; extra bytes are ignored. */
static void decode_tagged(struct dec *d, const struct kp_field *f, void *out, uint32_t size)
{
	struct kp_reader sub;
	struct dec sd = *d;

	kp_reader_init(&sub, d->r->p, size);
	sd.r = &sub;
	decode_field(&sd, f, out);
	if (sub.err)
		kp_reader_fail(d->r, sub.err);
}

static void decode_tags(struct dec *d, const struct kp_struct *desc, void *out)
{
	struct kp_reader *r = d->r;
	uint32_t n = kp_get_uvarint(r);
	int64_t last = -1;

	/* Each entry takes at least two bytes, so a huge n ends with the input. */
	for (uint32_t i = 0; i < n && !r->err; i++) {
		uint32_t tag = kp_get_uvarint(r);
		uint32_t size = kp_get_uvarint(r);
		if (r->err)
			return;
		if ((int64_t)tag <= last || size > kp_remaining(r)) {
			kp_reader_fail(r, KP_ERR_INVALID);
			return;
		}
		last = tag;
		const struct kp_field *f = find_tag(desc, d->v, tag);
		if (f)
			decode_tagged(d, f, out, size);
		kp_skip(r, size);
	}
}

static void decode_struct(struct dec *d, const struct kp_struct *desc, void *out)
{
	for (uint32_t i = 0; i < desc->nfields; i++) {
		const struct kp_field *f = &desc->fields[i];
		if (!is_present(f, d->v) || is_tagged(f, d->v, d->flex))
			set_default(f, field_ptr(out, f)); /* tags may overwrite it below */
		else
			decode_field(d, f, out);
	}
	if (d->flex)
		decode_tags(d, desc, out);
}

int kp_decode(const struct kp_struct *desc, int16_t version, bool flexible, struct kp_reader *r,
	      struct arena *a, void *out)
{
	struct dec d = {version, flexible, r, a};

	if (version < 0) {
		kp_set_defaults(desc, out);
		kp_reader_fail(r, KP_ERR_VERSION);
		return r->err;
	}
	decode_struct(&d, desc, out);
	return r->err;
}

/* ---- Default predicates (which tagged fields to send) ---------------------------------- */

static bool struct_is_default(const struct kp_struct *desc, int16_t v, bool flex, const void *p);

static bool scalar_is(uint8_t type, const void *p, int64_t def)
{
	static const uint8_t zero[16];

	switch (type) {
	case KP_BOOL:
		return *(const bool *)p == (def != 0);
	case KP_INT8:
		return *(const int8_t *)p == def;
	case KP_INT16:
		return *(const int16_t *)p == def;
	case KP_UINT16:
		return *(const uint16_t *)p == def;
	case KP_INT32:
		return *(const int32_t *)p == def;
	case KP_INT64:
		return *(const int64_t *)p == def;
	case KP_FLOAT64:
		return *(const double *)p == (double)def;
	case KP_UUID:
		return memcmp(p, zero, 16) == 0;
	default:
		return true;
	}
}

/* Strings, bytes and arrays are default when empty, or null if def_null. */
static bool field_is_default(const struct kp_field *f, int16_t v, bool flex, const void *base)
{
	const void *p = field_cptr(base, f);
	int32_t len = f->def_null ? -1 : 0;

	switch (f->type) {
	case KP_STRING:
		return ((const struct kp_str *)p)->len == len;
	case KP_BYTES:
	case KP_RECORDS:
		return ((const struct kp_bytes *)p)->len == len;
	case KP_ARRAY:
		return ((const struct kp_array *)p)->count == len;
	case KP_STRUCT:
		return struct_is_default(f->sub, v, flex, p);
	default:
		return scalar_is(f->type, p, f->def);
	}
}

/* A struct is default when every field present at this version is. */
static bool struct_is_default(const struct kp_struct *desc, int16_t v, bool flex, const void *p)
{
	for (uint32_t i = 0; i < desc->nfields; i++) {
		const struct kp_field *f = &desc->fields[i];
		if (is_present(f, v) && !field_is_default(f, v, flex, p))
			return false;
	}
	return true;
}

/* ---- Encode ---------------------------------------------------------------------------- */

static void encode_struct(struct enc *e, const struct kp_struct *desc, const void *in);

static void enc_fail(struct enc *e, int err)
{
	if (!e->err)
		e->err = err;
}

static void put_scalar(struct kbuf *b, uint8_t type, const void *p)
{
	switch (type) {
	case KP_BOOL:
		kp_put_bool(b, *(const bool *)p);
		break;
	case KP_INT8:
		kp_put_i8(b, *(const int8_t *)p);
		break;
	case KP_INT16:
		kp_put_i16(b, *(const int16_t *)p);
		break;
	case KP_UINT16:
		kp_put_u16(b, *(const uint16_t *)p);
		break;
	case KP_INT32:
		kp_put_i32(b, *(const int32_t *)p);
		break;
	case KP_INT64:
		kp_put_i64(b, *(const int64_t *)p);
		break;
	case KP_FLOAT64:
		kp_put_f64(b, *(const double *)p);
		break;
	case KP_UUID:
		kp_put_uuid(b, p);
		break;
	}
}

/* A length/count of -1 (null) only where nullable, never below -1, and data behind any
 * positive length. Strings are also capped at INT16_MAX (Kafka's limit). */
static bool len_ok(int32_t len, const void *ptr, bool nullable)
{
	if (len == -1)
		return nullable;
	return len >= 0 && (len == 0 || ptr);
}

static void encode_value(struct enc *e, uint8_t type, const struct kp_struct *sub,
			 bool nullable, const void *p)
{
	const struct kp_str *s = p;
	const struct kp_bytes *y = p;

	switch (type) {
	case KP_STRING:
		if (!len_ok(s->len, s->ptr, nullable) || s->len > INT16_MAX)
			enc_fail(e, KP_ERR_INVALID);
		else
			kp_put_str(e->b, *s, e->flex);
		break;
	case KP_BYTES:
	case KP_RECORDS:
		if (!len_ok(y->len, y->ptr ? (const void *)y->ptr : y->ext, nullable))
			enc_fail(e, KP_ERR_INVALID);
		else
			kp_put_bytes(e->b, *y, e->flex);
		break;
	case KP_STRUCT:
		encode_struct(e, sub, p);
		break;
	default:
		put_scalar(e->b, type, p);
	}
}

static void encode_array(struct enc *e, const struct kp_field *f, const struct kp_array *arr)
{
	size_t esize = c_size(f->elem_type, f->sub);

	KB_ASSERT(esize > 0); /* table bug: bad elem_type */
	if (!len_ok(arr->count, arr->elems, is_nullable(f, e->v))) {
		enc_fail(e, KP_ERR_INVALID);
		return;
	}
	kp_put_array_count(e->b, arr->count, e->flex);
	for (int32_t i = 0; i < arr->count && !e->err && !e->b->err; i++)
		encode_value(e, f->elem_type, f->sub, false,
			     (const char *)arr->elems + (size_t)i * esize);
}

static void encode_field(struct enc *e, const struct kp_field *f, const void *base)
{
	const void *p = field_cptr(base, f);

	if (f->type == KP_ARRAY)
		encode_array(e, f, p);
	else
		encode_value(e, f->type, f->sub, is_nullable(f, e->v), p);
}

/* The non-default tagged field with the smallest tag above `after`, or NULL. */
static const struct kp_field *next_tag(const struct enc *e, const struct kp_struct *desc,
				       const void *in, int32_t after)
{
	const struct kp_field *best = NULL;

	for (uint32_t i = 0; i < desc->nfields; i++) {
		const struct kp_field *f = &desc->fields[i];
		if (!is_present(f, e->v) || !is_tagged(f, e->v, e->flex) || f->tag <= after)
			continue;
		if (best && f->tag >= best->tag)
			continue;
		if (!field_is_default(f, e->v, e->flex, in))
			best = f;
	}
	return best;
}

/* Writes uvarint tag, uvarint size, payload. */
static void put_tagged(struct enc *e, const struct kp_field *f, const void *in)
{
	struct kbuf *b = e->b;
	uint8_t prefix[5];

	kp_put_uvarint(b, (uint32_t)f->tag);
	size_t start = b->len;
	encode_field(e, f, in);
	if (e->err || b->err)
		return;
	size_t len = b->len - start;
	if (len > UINT32_MAX) {
		enc_fail(e, KP_ERR_LIMIT);
		return;
	}
	/* Append the size, then rotate it in front of the payload. */
	kp_put_uvarint(b, (uint32_t)len);
	if (b->err)
		return;
	size_t k = b->len - start - len;
	memcpy(prefix, b->data + start + len, k);
	memmove(b->data + start + k, b->data + start, len);
	memcpy(b->data + start, prefix, k);
}

static void encode_tags(struct enc *e, const struct kp_struct *desc, const void *in)
{
	uint32_t n = 0;
	const struct kp_field *f;

	for (f = next_tag(e, desc, in, -1); f; f = next_tag(e, desc, in, f->tag))
		n++;
	kp_put_uvarint(e->b, n);
	for (f = next_tag(e, desc, in, -1); f && !e->err; f = next_tag(e, desc, in, f->tag))
		put_tagged(e, f, in);
}

static void encode_struct(struct enc *e, const struct kp_struct *desc, const void *in)
{
	for (uint32_t i = 0; i < desc->nfields && !e->err; i++) {
		const struct kp_field *f = &desc->fields[i];
		if (is_present(f, e->v) && !is_tagged(f, e->v, e->flex))
			encode_field(e, f, in);
	}
	if (e->flex && !e->err)
		encode_tags(e, desc, in);
}

int kp_encode(const struct kp_struct *desc, int16_t version, bool flexible, const void *in,
	      struct kbuf *b)
{
	struct enc e = {version, flexible, b, 0};

	if (version < 0)
		return KP_ERR_VERSION;
	encode_struct(&e, desc, in);
	if (e.err)
		return e.err;
	return b->err ? KP_ERR_LIMIT : KP_OK;
}
