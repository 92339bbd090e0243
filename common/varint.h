/* varint.h — the one varint reader and writer (Kafka's unsigned and zig-zag varints), shared by
 * the protocol codec (net/kp_prim.c) and the record codecs (log/).
 *
 * Encoding: 7 bits a byte, low group first, high bit = more bytes follow. Zig-zag maps
 * 0, -1, 1, -2, ... to 0, 1, 2, 3, ... so small negatives stay short.
 *
 * Reading is strict, the same rule everywhere: a 32-bit varint is at most 5 bytes and its 5th
 * byte may only carry bits 28-31 (<= 0x0f, which also forbids a 6th byte); a 64-bit varint is
 * at most 10 bytes and its 10th byte may only carry bit 63 (<= 0x01). Non-minimal encodings
 * (0x80 0x00 for 0) are accepted, as Kafka accepts them.
 *
 * Readers take [*p, end) and return KB_VAR_OK (value stored, *p moved past it), KB_VAR_SHORT
 * (the input ends inside the varint) or KB_VAR_BAD (too long or too wide); on failure *p and
 * the output are left untouched. Writers need KB_VARINT_MAX bytes of room and return the
 * position after what they wrote.
 */
#ifndef KB_VARINT_H
#define KB_VARINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { KB_VAR_OK = 0, KB_VAR_SHORT = -1, KB_VAR_BAD = -2 };
#define KB_VARINT_MAX 10 /* bytes of the longest (64-bit) varint */

/* max_bytes groups at most; the last allowed byte must be <= last_max. */
static inline int kb_uvar_read(const uint8_t **p, const uint8_t *end, unsigned max_bytes,
                               uint8_t last_max, uint64_t *out)
{
	const uint8_t *q = *p;
	uint64_t u = 0;

	for (unsigned i = 0; i < max_bytes; i++) {
		if (q >= end)
			return KB_VAR_SHORT;
		uint8_t b = *q++;
		if (i == max_bytes - 1 && b > last_max)
			return KB_VAR_BAD;
		u |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*p = q;
			*out = u;
			return KB_VAR_OK;
		}
	}
	return KB_VAR_BAD; /* unreachable: the last byte's bound excludes a continuation */
}

static inline int kb_uvarint32_read(const uint8_t **p, const uint8_t *end, uint32_t *v)
{
	uint64_t u;
	int rc = kb_uvar_read(p, end, 5, 0x0f, &u);

	if (rc == KB_VAR_OK)
		*v = (uint32_t)u;
	return rc;
}

static inline int kb_varint32_read(const uint8_t **p, const uint8_t *end, int32_t *v)
{
	uint64_t u;
	int rc = kb_uvar_read(p, end, 5, 0x0f, &u);

	if (rc == KB_VAR_OK)
		*v = (int32_t)(((uint32_t)u >> 1) ^ (0u - ((uint32_t)u & 1)));
	return rc;
}

static inline int kb_varint64_read(const uint8_t **p, const uint8_t *end, int64_t *v)
{
	uint64_t u;
	int rc = kb_uvar_read(p, end, 10, 0x01, &u);

	if (rc == KB_VAR_OK)
		*v = (int64_t)((u >> 1) ^ ((uint64_t)0 - (u & 1)));
	return rc;
}

static inline uint64_t kb_zigzag64(int64_t v)
{
	uint64_t u = (uint64_t)v;

	return (u << 1) ^ ((uint64_t)0 - (u >> 63));
}

static inline size_t kb_uvarint_size(uint64_t u)
{
	size_t n = 1;

	while (u >= 0x80) {
		u >>= 7;
		n++;
	}
	return n;
}

/* Bytes of v as a zig-zag varint (a 32-bit value encodes the same in both widths). */
static inline size_t kb_varint_size(int64_t v)
{
	return kb_uvarint_size(kb_zigzag64(v));
}

static inline uint8_t *kb_uvarint_put(uint8_t *p, uint64_t u)
{
	while (u >= 0x80) {
		*p++ = (uint8_t)(u | 0x80);
		u >>= 7;
	}
	*p++ = (uint8_t)u;
	return p;
}

static inline uint8_t *kb_varint_put(uint8_t *p, int64_t v)
{
	return kb_uvarint_put(p, kb_zigzag64(v));
}

#endif
