/* kbuf.c — growable byte buffer with a hard ceiling (see kbuf.h).
 *
 * Design points:
 *   - Capacity doubles from KBUF_MIN_CAP but never exceeds `max`, so memory held by a buffer
 *     is bounded by its ceiling, not by what a writer asks for.
 *   - The first write that would cross `max` sets the sticky `err`; it and every later write
 *     are dropped, so writers emit a run of fields and test `err` once.
 *   - kbuf_extend(b, 0) returns a valid (non-NULL) pointer even before any allocation, so a
 *     zero-length write is never mistaken for a failure.
 */
#include "kbuf.h"

#include <string.h>

#define KBUF_MIN_CAP 64

void kbuf_init(struct kbuf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->err = false;
	b->ext = NULL;
	b->next = b->ext_cap = 0;
	b->ext_bytes = 0;
}

void kbuf_free(struct kbuf *b)
{
	kb_free(b->data);
	kb_free(b->ext);
	kbuf_init(b, b->max);
}

void kbuf_reset(struct kbuf *b)
{
	b->len = 0;
	b->err = false;
	b->next = 0;
	b->ext_bytes = 0;
}

void kbuf_add_ext(struct kbuf *b, const void *src, size_t len)
{
	if (b->err)
		return;
	KB_GROW(b->ext, b->ext_cap, b->next + 1, 8);
	b->ext[b->next++] = (struct kbuf_ext){b->len, len, src};
	b->ext_bytes += len;
}

/* Grows the capacity to hold at least `need` bytes (need <= max, checked by the caller). */
static void kbuf_grow(struct kbuf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : KBUF_MIN_CAP;

	while (cap < need && cap <= b->max / 2)
		cap *= 2;
	if (cap < need)
		cap = need;
	if (cap > b->max)
		cap = b->max; /* only when max < KBUF_MIN_CAP; need <= max still holds */
	b->data = kb_realloc(b->data, cap);
	b->cap = cap;
}

uint8_t *kbuf_extend(struct kbuf *b, size_t n)
{
	static uint8_t no_room[1];

	if (b->err)
		return NULL;
	if (n > b->max - b->len) {
		b->err = true;
		return NULL;
	}
	if (n == 0)
		return b->data ? b->data + b->len : no_room;
	if (b->len + n > b->cap)
		kbuf_grow(b, b->len + n);
	uint8_t *p = b->data + b->len;
	b->len += n;
	return p;
}

void kbuf_append(struct kbuf *b, const void *p, size_t n)
{
	uint8_t *dst = kbuf_extend(b, n);

	if (dst && n)
		memcpy(dst, p, n);
}

uint8_t *kbuf_detach(struct kbuf *b, size_t *len)
{
	uint8_t *data = b->data ? b->data : kb_malloc(1);

	*len = b->len;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->err = false;
	return data;
}
