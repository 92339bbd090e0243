/* fuzz_recs.h — the record sequence fuzz_group and fuzz_txn read from their input (and
 * seeds.c writes): each record is a u16 key length, the key, an i32 value length (-1: a
 * tombstone) and the value. */
#ifndef KB_FUZZ_RECS_H
#define KB_FUZZ_RECS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rd {
	const uint8_t *p, *end;
};

/* The next whole record, or false at the end (a truncated record ends the sequence). */
static inline bool next_rec(struct rd *r, const uint8_t **k, size_t *kl, const uint8_t **v,
                            size_t *vl)
{
	if (r->end - r->p < 2)
		return false;
	size_t klen = (size_t)r->p[0] << 8 | r->p[1];
	r->p += 2;
	if ((size_t)(r->end - r->p) < klen + 4)
		return false;
	*k = r->p;
	*kl = klen;
	r->p += klen;
	int32_t vlen = (int32_t)((uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	                         (uint32_t)r->p[2] << 8 | r->p[3]);
	r->p += 4;
	if (vlen < 0) {
		*v = NULL;
		*vl = 0;
		return true;
	}
	if ((size_t)(r->end - r->p) < (size_t)vlen)
		return false;
	*v = r->p;
	*vl = (size_t)vlen;
	r->p += vlen;
	return true;
}

#endif
